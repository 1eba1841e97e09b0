package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// This file is the data plane's access control, in API Gateway's order:
// the method's authorization (AWS_IAM signature or Lambda authorizer),
// then its API key, the key's usage plan throttle and quota. Methods with
// neither (authorizationType NONE, apiKeyRequired false) skip all of it.

const (
	hdrAPIKey  = "X-Api-Key"
	executeAPI = "execute-api"
)

// caller is what authorization learnt of a request, for the integration.
type caller struct {
	identity   ProxyIdentity  // AWS_IAM: who signed
	signed     bool           // identity is set
	authorizer map[string]any // CUSTOM: principalId, integrationLatency, context
	usageKey   string         // the authorizer's usageIdentifierKey
	apiKey     string         // the API key the request used, and its id
	apiKeyID   string
}

// guarded reports whether a method needs any access control.
func guarded(m *Method) bool {
	return m.APIKeyRequired || (m.AuthorizationType != "" && m.AuthorizationType != "NONE")
}

// authorize applies the method's access control to the request; once it
// returns false it has answered the client.
func (x *exchange) authorize(rt *route) bool {
	switch rt.method.AuthorizationType {
	case "AWS_IAM":
		if !x.authorizeIAM(rt) {
			return false
		}
	case "CUSTOM":
		if !x.authorizeCustom(rt) {
			return false
		}
	case "COGNITO_USER_POOLS":
		// Not emulated: refuse rather than serve a protected method unprotected.
		x.s.env.Log.Warn("API Gateway: COGNITO_USER_POOLS authorizers are not emulated; request refused", "api", x.inv.APIID)
		x.fail(gwCognitoNotEmulated)
		return false
	}
	if rt.method.APIKeyRequired {
		return x.meterAPIKey(rt)
	}
	return true
}

// --- API keys ------------------------------------------------------------------

// meterAPIKey admits a request whose method requires an API key: the key
// (x-api-key, or the authorizer's usageIdentifierKey when the API's key
// source is AUTHORIZER) must be enabled and in a usage plan of this stage,
// within the plan's throttle and quota.
func (x *exchange) meterAPIKey(rt *route) bool {
	value := x.r.Header.Get(hdrAPIKey)
	if rt.target.APIKeySource == "AUTHORIZER" {
		value = rt.caller.usageKey
	}
	if value == "" {
		x.fail(gwForbidden)
		return false
	}
	id, verdict := x.s.store.Admit(value, x.inv.APIID, x.inv.Stage, rt.node.Path, rt.method.HTTPMethod, x.start)
	switch verdict {
	case KeyRefused:
		x.fail(gwForbidden)
		return false
	case Throttled:
		x.fail(gwThrottled)
		return false
	case QuotaExhausted:
		x.fail(gwQuotaExceeded)
		return false
	}
	rt.caller.apiKey, rt.caller.apiKeyID = value, id
	return true
}

// --- AWS_IAM -------------------------------------------------------------------

// authorizeIAM demands a SigV4 signature for execute-api. With strict auth
// the emulator's verifier checks it in full (known key, time, scope,
// signature, body hash); without, its presence and shape are checked (a
// well-formed Authorization header or presigned query, scoped to
// execute-api) and any key is taken, as the rest of the emulator does.
func (x *exchange) authorizeIAM(rt *route) bool {
	sig, signed, err := awsproto.SignatureOf(x.r)
	switch {
	case !signed:
		x.fail(gwMissingAuthToken)
		return false
	case err != nil:
		x.fail(incompleteSignature(x.r))
		return false
	case sig.Scope.Service != executeAPI:
		x.fail(gwSignature("Credential should be scoped to correct service: '" + executeAPI + "'. "))
		return false
	}
	if v, _ := x.s.env.Links.Get(cloud.LinkSigV4).(cloud.RequestVerifier); v != nil {
		if err := v.VerifyFor(x.r, awsproto.Expect{Services: []string{executeAPI}, MaxBody: maxPayload}); err != nil {
			x.fail(verifyFailure(err))
			return false
		}
	}
	rt.caller.identity, rt.caller.signed = x.identityOf(sig.Scope.AccessKey), true
	return true
}

// identityOf is requestContext.identity for a signer: an assumed role's
// session when STS issued the key, else the account's root.
func (x *exchange) identityOf(accessKey string) ProxyIdentity {
	account := x.s.env.Account
	id := cloud.CallerIdentity{Account: account, Arn: "arn:aws:iam::" + account + ":root", UserID: account}
	if ids, _ := x.s.env.Links.Get(cloud.LinkIdentities).(cloud.CallerIdentities); ids != nil {
		if found, ok := ids.CallerIdentity(accessKey, x.start); ok {
			id = found
		}
	}
	return ProxyIdentity{AccountID: &id.Account, Caller: &id.UserID, User: &id.UserID, UserArn: &id.Arn, AccessKey: &accessKey}
}

// incompleteSignature words a malformed Authorization header as AWS does.
func incompleteSignature(r *http.Request) gatewayResponse {
	h := r.Header.Get("Authorization")
	if h == "" {
		return gatewayResponse{http.StatusForbidden, "IncompleteSignatureException", "Presigned request is missing or has malformed X-Amz-* query parameters", "DEFAULT_4XX"}
	}
	_, rest, _ := strings.Cut(h, " ")
	var missing []string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part != "" && !strings.Contains(part, "=") {
			return gatewayResponse{http.StatusForbidden, "IncompleteSignatureException",
				part + " not a valid key=value pair (missing equal-sign) in Authorization header: '" + h + "'.", "DEFAULT_4XX"}
		}
	}
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if !strings.Contains(h, p+"=") {
			missing = append(missing, "Authorization header requires '"+p+"' parameter.")
		}
	}
	if _, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date")); err != nil && r.Header.Get("Date") == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) == 0 {
		missing = append(missing, "Authorization header is malformed.")
	}
	return gatewayResponse{http.StatusForbidden, "IncompleteSignatureException", strings.Join(missing, " ") + " Authorization=" + h, "DEFAULT_4XX"}
}

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func gwSignature(msg string) gatewayResponse {
	return gatewayResponse{http.StatusForbidden, "InvalidSignatureException", msg, "INVALID_SIGNATURE"}
}

// verifyFailure is API Gateway's answer to a signature the verifier refused.
func verifyFailure(err error) gatewayResponse {
	var ve *awsproto.VerifyError
	msg := func(def string) string {
		if errors.As(err, &ve) && ve.Message != "" {
			return ve.Message
		}
		return def
	}
	switch {
	case errors.Is(err, awsproto.ErrUnsigned):
		return gwMissingAuthToken
	case errors.Is(err, awsproto.ErrUnknownAccessKey):
		return gatewayResponse{http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.", "DEFAULT_4XX"}
	case errors.Is(err, awsproto.ErrMalformedSignature):
		return gatewayResponse{http.StatusForbidden, "IncompleteSignatureException", "Authorization header is malformed.", "DEFAULT_4XX"}
	case errors.Is(err, awsproto.ErrExpired):
		return gwSignature("Signature expired")
	case errors.Is(err, awsproto.ErrSkewed), errors.Is(err, awsproto.ErrWrongScope):
		return gwSignature(msg(msgSignatureMismatch))
	case errors.Is(err, awsproto.ErrBodyTooLarge):
		return gwPayloadTooLarge
	}
	return gwSignature(msg(msgSignatureMismatch))
}

// --- Lambda authorizers ------------------------------------------------------

// authResult is what an authorizer Lambda answered, as cached.
type authResult struct {
	principalID  string
	policy       policyDocument
	policyJSON   json.RawMessage
	context      map[string]string
	usageKey     string
	unauthorized bool // the function failed with "Unauthorized": 401
}

// authorizeCustom runs the method's Lambda authorizer (or takes its
// cached verdict for this identity) and evaluates the policy it returned
// against the request's method ARN.
func (x *exchange) authorizeCustom(rt *route) bool {
	z := rt.target.Snapshot.Authorizers[rt.method.AuthorizerID]
	methodARN := x.methodARN(rt)
	res, latency, gw := x.runAuthorizer(z, rt, methodARN, true)
	if gw != nil {
		x.fail(*gw)
		return false
	}
	switch res.policy.Evaluate(methodARN) {
	case effectDeny:
		x.fail(gwExplicitDeny)
		return false
	case effectNone:
		x.fail(gwImplicitDeny)
		return false
	}
	auth := make(map[string]any, len(res.context)+2)
	for k, v := range res.context {
		auth[k] = v
	}
	auth["principalId"] = res.principalID
	auth["integrationLatency"] = latency
	rt.caller.authorizer, rt.caller.usageKey = auth, res.usageKey
	return true
}

// runAuthorizer finds the identity z needs in the request and invokes z's
// function with it, or, with cached, takes the answer it gave for that
// identity within its TTL. A non-nil gateway response is the client's
// answer instead (401 without identity or on "Unauthorized", 500 when the
// authorizer fails or answers with no valid policy).
func (x *exchange) runAuthorizer(z *Authorizer, rt *route, methodARN string, cached bool) (*authResult, int64, *gatewayResponse) {
	if z == nil {
		return nil, 0, &gwAuthorizerConfig
	}
	if z.Type == "COGNITO_USER_POOLS" {
		return nil, 0, &gwCognitoNotEmulated
	}
	values, ok := x.identityValues(z, rt)
	if !ok {
		return nil, 0, &gwUnauthorized
	}
	var cacheKey string
	if cached && z.TTL > 0 && len(values) > 0 {
		cacheKey = authCacheKey(x.inv.APIID, x.inv.Stage, z.ID, values)
	}
	var latency int64
	res, hit := x.s.store.auth.get(cacheKey, x.start)
	if !hit {
		var event any
		if z.Type == "TOKEN" {
			event = tokenEvent{Type: "TOKEN", AuthorizationToken: values[0], MethodArn: methodARN}
		} else {
			event = x.requestEvent(rt, methodARN)
		}
		began := time.Now()
		var gw *gatewayResponse
		res, gw = x.s.invokeAuthorizer(x.r.Context(), z, rt.target, event, time.Duration(x.s.integrationTimeout.Load()))
		latency = time.Since(began).Milliseconds()
		if gw != nil {
			return nil, latency, gw
		}
		if cacheKey != "" {
			x.s.store.auth.put(cacheKey, res, x.start.Add(time.Duration(z.TTL)*time.Second), x.start)
		}
	}
	if res.unauthorized {
		return nil, latency, &gwUnauthorized
	}
	return res, latency, nil
}

// authCacheKey names an identity's cached verdict: every part prefixed
// with its length, so no two identities share a key whatever bytes their
// values hold.
func authCacheKey(apiID, stage, authorizerID string, values []string) string {
	n := len(apiID) + len(stage) + len(authorizerID) + 24
	for _, v := range values {
		n += len(v) + 8
	}
	b := make([]byte, 0, n)
	put := func(part string) {
		b = strconv.AppendInt(b, int64(len(part)), 10)
		b = append(b, ':')
		b = append(b, part...)
	}
	put(apiID)
	put(stage)
	put(authorizerID)
	for _, v := range values {
		put(v)
	}
	return string(b)
}

// identityValues reads the authorizer's identity sources from the request;
// ok is false when one is missing or empty, or a TOKEN fails the
// authorizer's validation expression (API Gateway then answers 401
// without invoking the authorizer).
func (x *exchange) identityValues(z *Authorizer, rt *route) ([]string, bool) {
	if z.Type == "TOKEN" {
		name := strings.TrimPrefix(z.IdentitySource, "method.request.header.")
		v := x.r.Header.Get(name)
		if v == "" || (z.validation != nil && !z.validation.MatchString(v)) {
			return nil, false
		}
		return []string{v}, true
	}
	srcs := identitySources(z.IdentitySource)
	values := make([]string, 0, len(srcs))
	for _, src := range srcs {
		v := x.identityValue(src, rt)
		if v == "" {
			return nil, false
		}
		values = append(values, v)
	}
	return values, true
}

func (x *exchange) identityValue(src string, rt *route) string {
	r := x.r
	if name, ok := strings.CutPrefix(src, "method.request.header."); ok {
		return r.Header.Get(name)
	}
	if name, ok := strings.CutPrefix(src, "method.request.multivalueheader."); ok {
		return strings.Join(r.Header.Values(name), ",")
	}
	if name, ok := strings.CutPrefix(src, "method.request.querystring."); ok {
		return r.URL.Query().Get(name)
	}
	if name, ok := strings.CutPrefix(src, "method.request.multivaluequerystring."); ok {
		return strings.Join(r.URL.Query()[name], ",")
	}
	if name, ok := strings.CutPrefix(src, "stageVariables."); ok {
		return rt.target.Variables[name]
	}
	switch strings.TrimPrefix(src, "context.") {
	case "identity.sourceIp":
		return execapi.SourceIP(r)
	case "identity.userAgent":
		return r.UserAgent()
	case "httpMethod":
		return r.Method
	case "stage":
		return x.inv.Stage
	case "apiId":
		return x.inv.APIID
	case "resourcePath":
		return rt.node.Path
	case "resourceId":
		return rt.node.ID
	case "path":
		return "/" + x.inv.Stage + "/" + strings.Join(rt.segs, "/")
	case "requestId":
		return x.requestID
	case "accountId":
		return x.s.env.Account
	}
	return ""
}

// methodARN is arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}.
func (x *exchange) methodARN(rt *route) string {
	return "arn:aws:execute-api:" + rt.target.Region + ":" + x.s.env.Account + ":" + x.inv.APIID + "/" + x.inv.Stage + "/" +
		x.r.Method + "/" + strings.Join(rt.segs, "/")
}

// tokenEvent is a TOKEN authorizer's input (events.APIGatewayCustomAuthorizerRequest).
type tokenEvent struct {
	Type               string `json:"type"`
	AuthorizationToken string `json:"authorizationToken"`
	MethodArn          string `json:"methodArn"`
}

// requestEvent is a REQUEST authorizer's input
// (events.APIGatewayCustomAuthorizerRequestTypeRequest): the proxy event
// without its body.
type requestEvent struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  ProxyContext        `json:"requestContext"`
}

func (x *exchange) requestEvent(rt *route, methodARN string) requestEvent {
	ev := x.proxyEvent(*rt)
	return requestEvent{
		Type: "REQUEST", MethodArn: methodARN, Resource: ev.Resource, Path: ev.Path, HTTPMethod: ev.HTTPMethod,
		Headers: ev.Headers, MultiValueHeaders: ev.MultiValueHeaders, QueryStringParameters: ev.QueryStringParameters,
		MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters, PathParameters: ev.PathParameters,
		StageVariables: ev.StageVariables, RequestContext: ev.RequestContext,
	}
}

// invokeAuthorizer calls an authorizer's function with event and reads its
// answer; a non-nil gateway response is the client's answer instead.
func (s *Service) invokeAuthorizer(ctx context.Context, z *Authorizer, t Target, event any, timeout time.Duration) (*authResult, *gatewayResponse) {
	inv, _ := s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
	fnARN, ok := execapi.LambdaFunctionOf(execapi.SubstituteStageVariables(z.URI, t.Variables))
	if inv == nil || !ok {
		s.env.Log.Warn("API Gateway: authorizer function cannot be invoked", "authorizer", z.ID, "uri", z.URI)
		return nil, &gwAuthorizerConfig
	}
	payload, err := json.Marshal(event)
	if err != nil {
		return nil, &gwAuthorizerConfig
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fn, qualifier := execapi.SplitQualifier(fnARN)
	res, err := inv.Invoke(ctx, cloud.InvokeRequest{Region: execapi.RegionOfARN(fn, t.Region), Function: fn, Qualifier: qualifier, Payload: payload})
	if err != nil {
		s.env.Log.Warn("API Gateway: authorizer invocation failed", "function", fnARN, "err", err)
		return nil, &gwAuthorizerConfig
	}
	if res.FunctionError != "" {
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(res.Payload, &fe) == nil && fe.ErrorMessage == "Unauthorized" {
			return &authResult{unauthorized: true}, nil
		}
		return nil, &gwAuthorizerConfig
	}
	out, ok := parseAuthorizerOutput(res.Payload)
	if !ok {
		s.env.Log.Warn("API Gateway: authorizer answered with an invalid policy", "function", fnARN)
		return nil, &gwAuthorizerConfig
	}
	return out, nil
}

// parseAuthorizerOutput reads an authorizer's answer (see
// execapi.ParseAuthorizerOutput).
func parseAuthorizerOutput(payload []byte) (*authResult, bool) {
	o, ok := execapi.ParseAuthorizerOutput(payload)
	if !ok {
		return nil, false
	}
	return &authResult{principalID: o.PrincipalID, policy: o.Policy, policyJSON: o.PolicyJSON, context: o.Context, usageKey: o.UsageKey}, true
}

// IAM policy documents are evaluated by execapi, for both API Gateways.
type policyDocument = execapi.PolicyDocument

const (
	effectNone  = execapi.EffectNone
	effectAllow = execapi.EffectAllow
	effectDeny  = execapi.EffectDeny
)

func wildcardMatch(p, s string) bool { return execapi.WildcardMatch(p, s) }

package apigatewayv2

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// $connect's Lambda REQUEST authorizer: its identity sources must all be
// present (else 401), the function's IAM policy must allow
// execute-api:Invoke on the route's ARN (else 403), and its principalId and
// context reach every later event's requestContext.authorizer.

// wsAuthorizerEvent is the authorizer's input for a WebSocket $connect.
type wsAuthorizerEvent struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Headers                         map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders,omitempty"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string   `json:"stageVariables,omitempty"`
	RequestContext                  wsRequestContext    `json:"requestContext"`
}

// authorize runs the authorizer; status 0 lets the connection proceed
// (with s.authorizer set), else it is the refusal's status and message.
func (s *wsSession) authorize(r *http.Request, st Deployed, z *Authorizer, now time.Time) (int, string) {
	for _, src := range z.IdentitySource {
		if identityValue(r, st, src) == "" {
			return http.StatusUnauthorized, "Unauthorized"
		}
	}
	ce := s.connectEvent(r, st.Variables, s.p.wsID(), now)
	methodARN := "arn:aws:execute-api:" + st.Region + ":" + s.p.env.Account + ":" + s.apiID + "/" + s.stage + "/" + RouteConnect
	ev := wsAuthorizerEvent{
		Type: "REQUEST", MethodArn: methodARN, Headers: ce.Headers, MultiValueHeaders: ce.MultiValueHeaders,
		QueryStringParameters: ce.QueryStringParameters, MultiValueQueryStringParameters: ce.MultiValueQueryStringParameters,
		StageVariables: ce.StageVariables, RequestContext: ce.RequestContext,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return http.StatusInternalServerError, "Internal server error"
	}
	start := time.Now()
	res, err := s.p.invoke(r.Context(), st, z.URI, payload, time.Duration(s.p.timeout.Load()))
	latency := time.Since(start).Milliseconds()
	switch {
	case err != nil:
		s.p.env.Log.Warn("API Gateway WebSocket: authorizer invocation failed", "uri", z.URI, "err", err)
		return http.StatusInternalServerError, "Internal server error"
	case res.FunctionError != "":
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		if json.Unmarshal(res.Payload, &fe) == nil && fe.ErrorMessage == "Unauthorized" {
			return http.StatusUnauthorized, "Unauthorized"
		}
		return http.StatusInternalServerError, "Internal server error"
	}
	out, ok := execapi.ParseAuthorizerOutput(res.Payload)
	if !ok {
		return http.StatusInternalServerError, "Internal server error"
	}
	if out.Policy.Evaluate(methodARN) != execapi.EffectAllow {
		return http.StatusForbidden, "Forbidden"
	}
	auth := map[string]any{"principalId": out.PrincipalID, "integrationLatency": latency}
	for k, v := range out.Context {
		auth[k] = v
	}
	s.authorizer = auth
	return 0, ""
}

// identityValue reads one identity source of the handshake.
func identityValue(r *http.Request, st Deployed, src string) string {
	switch {
	case strings.HasPrefix(src, "route.request.header."):
		return r.Header.Get(strings.TrimPrefix(src, "route.request.header."))
	case strings.HasPrefix(src, "route.request.querystring."):
		return r.URL.Query().Get(strings.TrimPrefix(src, "route.request.querystring."))
	case strings.HasPrefix(src, "stageVariables."):
		return st.Variables[strings.TrimPrefix(src, "stageVariables.")]
	case strings.HasPrefix(src, "context."):
		return "-" // request context values are always there
	}
	return ""
}

// verifyIAM checks the SigV4 signature an AWS_IAM $connect demands (a
// signed or presigned upgrade request, scoped to execute-api): with strict
// auth the emulator's verifier checks it in full, without it any
// well-formed signature is taken. Status 0 lets the connection proceed.
func (p *wsPlane) verifyIAM(r *http.Request) (int, string) {
	sig, signed, err := awsproto.SignatureOf(r)
	switch {
	case !signed:
		return http.StatusForbidden, "Missing Authentication Token"
	case err != nil:
		return http.StatusForbidden, "Authorization header is malformed."
	case sig.Scope.Service != signingName:
		return http.StatusForbidden, "Credential should be scoped to correct service: 'execute-api'. "
	}
	if v, _ := p.env.Links.Get(cloud.LinkSigV4).(cloud.RequestVerifier); v != nil {
		if err := v.VerifyFor(r, awsproto.Expect{Services: []string{signingName}}); err != nil {
			return http.StatusForbidden, msgSignatureMismatch
		}
	}
	return 0, ""
}

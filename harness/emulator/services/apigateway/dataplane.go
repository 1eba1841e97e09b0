package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// This file is the data plane: requests to a deployed stage on any of the
// three invoke URL forms, routed to the stage's deployment and answered by
// its integration (AWS_PROXY → Lambda, MOCK, HTTP_PROXY).

// Data-plane limits and wire names.
const (
	maxPayload         = 10 << 20 // API Gateway's 10 MB request payload limit
	hdrRequestID       = "X-Amzn-Requestid"
	hdrAPIGWID         = "X-Amz-Apigw-Id"
	hdrTraceID         = "X-Amzn-Trace-Id"
	hdrErrorType       = "X-Amzn-Errortype"
	requestTimeLayout  = "02/Jan/2006:15:04:05 -0700"
	defaultContentType = "application/json"
)

// exchange is one data-plane request in flight.
type exchange struct {
	s         *Service
	w         http.ResponseWriter
	r         *http.Request
	inv       invocation
	requestID string
	apigwID   string
	traceID   string
	start     time.Time
	// responses are the deployed API's customised gateway responses.
	responses map[string]*GatewayResponse
}

// newExchange starts a data-plane request: its ids and start time.
func (s *Service) newExchange(w http.ResponseWriter, r *http.Request, inv invocation) *exchange {
	x := &exchange{s: s, w: w, r: r, inv: inv, requestID: s.env.NewID(), start: s.env.Now()}
	x.apigwID = execapi.APIGWID(s.env.NewID())
	x.traceID = execapi.TraceID(x.start, x.requestID)
	return x
}

func (s *Service) invoke(w http.ResponseWriter, r *http.Request, inv invocation) {
	x := s.newExchange(w, r, inv)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.env.Log.Error("panic in API Gateway data plane", "panic", v, "path", r.URL.Path)
			x.fail(gwInternalError)
		}
	}()
	t, ok := s.store.Target(inv.APIID, inv.Stage)
	if !ok || inv.Stage == "" {
		x.fail(gwMissingAuthToken)
		return
	}
	x.responses = t.Snapshot.GatewayResponses
	segs, ok := SplitPath(inv.Path)
	if !ok {
		x.fail(gwMissingAuthToken)
		return
	}
	node, params := t.Snapshot.Match(segs)
	if node == nil {
		x.fail(gwMissingAuthToken)
		return
	}
	m := node.Method(r.Method)
	if m == nil || m.Integration == nil {
		x.fail(gwMissingAuthToken)
		return
	}
	if r.ContentLength > maxPayload {
		x.fail(gwPayloadTooLarge)
		return
	}
	route := route{target: t, node: node, method: m, params: params, segs: segs}
	if guarded(m) && !x.authorize(&route) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	switch {
	case err != nil:
		x.bodyFailed(err)
		return
	case len(body) > maxPayload:
		x.fail(gwPayloadTooLarge)
		return
	}
	route.body = body
	x.integrate(route)
}

// integrate validates the request and runs the method's integration.
func (x *exchange) integrate(route route) {
	if g, bad := x.validate(&route); bad {
		x.fail(g)
		return
	}
	switch route.method.Integration.Type {
	case "AWS_PROXY":
		x.lambdaProxy(route)
	case "MOCK":
		x.mock(route)
	case "HTTP_PROXY":
		x.httpProxy(route)
	default:
		x.s.env.Log.Warn("API Gateway integration type not emulated", "type", route.method.Integration.Type, "api", x.inv.APIID)
		x.fail(gwInternalError)
	}
}

// bodyFailed answers a request whose body could not be read: the body
// is not the one an AWS_IAM signature covered, or the read broke off.
func (x *exchange) bodyFailed(err error) {
	var coded *awsproto.Error
	if errors.As(err, &coded) && coded.Code == awsproto.ErrContentSHA256Mismatch.Name {
		x.fail(gwSignature(msgSignatureMismatch))
		return
	}
	x.fail(gwInternalError)
}

// route is what matching found for a request.
type route struct {
	target Target
	node   *RouteNode
	method *Method
	params map[string]string
	segs   []string
	body   []byte
	caller caller // what access control learnt of the caller
}

// timeout is the integration's timeout, capped by the service's.
func (x *exchange) timeout(integ *Integration) time.Duration {
	d := time.Duration(x.s.integrationTimeout.Load())
	if integ.TimeoutMillis > 0 {
		if t := time.Duration(integ.TimeoutMillis) * time.Millisecond; t < d {
			d = t
		}
	}
	return d
}

// commonHeaders are on every data-plane response.
func (x *exchange) commonHeaders() http.Header {
	h := x.w.Header()
	h.Set(hdrRequestID, x.requestID)
	h.Set(hdrAPIGWID, x.apigwID)
	return h
}

// fail writes one of API Gateway's gateway responses, as the API
// customised it (its type's response, else DEFAULT_4XX or DEFAULT_5XX).
func (x *exchange) fail(g gatewayResponse) {
	h := x.commonHeaders()
	h.Set("Content-Type", defaultContentType)
	if g.errorType != "" {
		h.Set(hdrErrorType, g.errorType)
	}
	b := []byte(`{"message": null}`)
	if g.message != "" {
		b, _ = json.Marshal(map[string]string{"message": g.message})
	}
	status := g.status
	if c := x.customised(g); c != nil {
		if n, err := strconv.Atoi(c.StatusCode); err == nil && c.StatusCode != "" {
			status = n
		}
		for k, v := range c.ResponseParameters {
			name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
			if ok && len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
				h.Set(name, v[1:len(v)-1]) // static values; request mappings are not emulated
			}
		}
		if tpl, ok := pickTemplate(c.ResponseTemplates, x.r.Header.Get("Accept")); ok {
			b = []byte(renderGatewayTemplate(tpl, g, x.requestID))
		}
	}
	x.w.WriteHeader(status)
	x.w.Write(b)
}

// customised is the API's response for g's type, else for its class.
func (x *exchange) customised(g gatewayResponse) *GatewayResponse {
	if c := x.responses[g.kind]; c != nil {
		return c
	}
	if g.status >= 500 {
		return x.responses["DEFAULT_5XX"]
	}
	return x.responses["DEFAULT_4XX"]
}

// renderGatewayTemplate fills the $context variables a gateway response
// template may use.
func renderGatewayTemplate(tpl string, g gatewayResponse, requestID string) string {
	quoted := "null"
	if g.message != "" {
		b, _ := json.Marshal(g.message)
		quoted = string(b)
	}
	return strings.NewReplacer(
		"$context.error.messageString", quoted,
		"$context.error.validationErrorString", g.message,
		"$context.error.message", g.message,
		"$context.error.responseType", g.kind,
		"$context.requestId", requestID,
	).Replace(tpl)
}

// --- AWS_PROXY -----------------------------------------------------------------

// The v1 proxy event's types are shared with HTTP APIs' payload format 1.0.
type (
	ProxyEvent    = execapi.ProxyEvent
	ProxyContext  = execapi.ProxyContext
	ProxyIdentity = execapi.ProxyIdentity
)

// proxyEvent builds the v1 proxy event of a request.
func (x *exchange) proxyEvent(rt route) *ProxyEvent {
	r := x.r
	ev := &ProxyEvent{
		Resource:       rt.node.Path,
		Path:           "/" + strings.Join(rt.segs, "/"),
		HTTPMethod:     r.Method,
		PathParameters: rt.params,
	}
	if len(rt.target.Variables) > 0 {
		ev.StageVariables = rt.target.Variables
	}
	ev.Headers, ev.MultiValueHeaders = x.eventHeaders()
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = make(map[string][]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
			ev.MultiValueQueryStringParameters[k] = vs
		}
	}
	if len(rt.body) > 0 {
		var b string
		if isBinary(rt.target.Snapshot.BinaryMediaTypes, r.Header.Get("Content-Type")) {
			b, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(rt.body), true
		} else {
			b = string(rt.body)
		}
		ev.Body = &b
	}
	domain := r.Host
	prefix := x.inv.APIID
	if !x.inv.Host {
		prefix, _, _ = strings.Cut(execapi.HostOnly(domain), ".")
	}
	ev.RequestContext = ProxyContext{
		ResourceID: rt.node.ID, ResourcePath: rt.node.Path, OperationName: rt.method.OperationName, HTTPMethod: r.Method,
		ExtendedRequestID: x.apigwID, RequestTime: x.start.UTC().Format(requestTimeLayout),
		Path: "/" + x.inv.Stage + ev.Path, AccountID: x.s.env.Account, Protocol: r.Proto, Stage: x.inv.Stage,
		DomainPrefix: prefix, RequestTimeEpoch: x.start.UnixMilli(), RequestID: x.requestID,
		Identity:   ProxyIdentity{SourceIP: execapi.SourceIP(r), UserAgent: r.UserAgent()},
		DomainName: domain, APIID: x.inv.APIID,
	}
	if ev.RequestContext.Protocol == "" {
		ev.RequestContext.Protocol = "HTTP/1.1"
	}
	if c := &rt.caller; c.signed || c.apiKey != "" || c.authorizer != nil {
		id := &ev.RequestContext.Identity
		if c.signed {
			sourceIP, agent := id.SourceIP, id.UserAgent
			*id = c.identity
			id.SourceIP, id.UserAgent = sourceIP, agent
		}
		if c.apiKey != "" {
			key, keyID := c.apiKey, c.apiKeyID // copies: rt stays on the stack
			id.APIKey, id.APIKeyID = &key, &keyID
		}
		ev.RequestContext.Authorizer = c.authorizer
	}
	return ev
}

// eventHeaders copies the request's headers as API Gateway passes them:
// Host included, the last value of a repeated header in headers, all of
// them in multiValueHeaders, plus the X-Forwarded-* and trace headers.
func (x *exchange) eventHeaders() (map[string]string, map[string][]string) {
	r := x.r
	n := len(r.Header) + 5
	single := make(map[string]string, n)
	multi := make(map[string][]string, n)
	add := func(k string, vs []string) {
		single[k] = vs[len(vs)-1]
		multi[k] = vs
	}
	add("Host", []string{r.Host})
	for k, vs := range r.Header {
		if len(vs) > 0 {
			add(k, vs)
		}
	}
	ip := execapi.SourceIP(r)
	if fwd, ok := multi["X-Forwarded-For"]; ok {
		add("X-Forwarded-For", []string{strings.Join(fwd, ", ") + ", " + ip})
	} else {
		add("X-Forwarded-For", []string{ip})
	}
	if _, ok := single["X-Forwarded-Port"]; !ok {
		add("X-Forwarded-Port", []string{execapi.PortOf(r.Host)})
	}
	if _, ok := single["X-Forwarded-Proto"]; !ok {
		add("X-Forwarded-Proto", []string{"http"})
	}
	add(hdrTraceID, []string{x.traceID})
	return single, multi
}

// isBinary reports whether a content type is one of the API's binary media
// types ("image/png", "image/*", "*/*").
func isBinary(types []string, contentType string) bool {
	if len(types) == 0 || contentType == "" {
		return false
	}
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	major, _, _ := strings.Cut(ct, "/")
	for _, t := range types {
		t = strings.ToLower(t)
		if t == ct || t == "*/*" || t == major+"/*" {
			return true
		}
	}
	return false
}

// lambdaProxy invokes the integration's function with the proxy event and
// maps its proxy response back.
func (x *exchange) lambdaProxy(rt route) {
	inv, _ := x.s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
	if inv == nil {
		x.s.env.Log.Warn("API Gateway AWS_PROXY integration but Lambda is not wired")
		x.fail(gwInternalError)
		return
	}
	integ := rt.method.Integration
	fnARN, ok := execapi.LambdaFunctionOf(execapi.SubstituteStageVariables(integ.URI, rt.target.Variables))
	if !ok {
		x.fail(gwInternalError)
		return
	}
	fn, qualifier := execapi.SplitQualifier(fnARN)
	payload, err := json.Marshal(x.proxyEvent(rt))
	if err != nil {
		x.fail(gwInternalError)
		return
	}
	ctx, cancel := context.WithTimeout(x.r.Context(), x.timeout(integ))
	defer cancel()
	res, err := inv.Invoke(ctx, cloud.InvokeRequest{Region: execapi.RegionOfARN(fn, rt.target.Region), Function: fn, Qualifier: qualifier, Payload: payload})
	var refused *awsproto.Error
	switch {
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded):
		x.fail(gwIntegrationTimeout)
		return
	case errors.As(err, &refused) && refused.Status == http.StatusRequestEntityTooLarge:
		// Lambda refused the event (RequestTooLargeException: a synchronous
		// invoke payload is at most 6 MB, and the event carries the body):
		// AWS answers the client 413 {"message": "Request Too Long"}, not 500.
		x.fail(gwIntegrationTooLarge)
		return
	case err != nil:
		x.s.env.Log.Warn("API Gateway: Lambda invocation failed", "function", fnARN, "err", err)
		x.fail(gwInternalError)
		return
	case res.FunctionError != "":
		x.fail(gwBadGateway)
		return
	}
	resp, ok := execapi.ParseProxyResponse(res.Payload)
	if !ok {
		x.fail(gwBadGateway)
		return
	}
	h := x.commonHeaders()
	h.Set(hdrTraceID, x.traceID)
	for k, vs := range resp.Headers {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", defaultContentType)
	}
	x.w.WriteHeader(resp.Status)
	x.w.Write(resp.Body)
}

// --- MOCK ------------------------------------------------------------------------

// mock answers from the integration's templates: the request template's
// statusCode selects an integration response, whose static header mappings
// ('value') and response template make the reply. This is what CORS
// preflight OPTIONS methods are built from.
func (x *exchange) mock(rt route) {
	integ := rt.method.Integration
	status := 200
	if tpl, ok := pickTemplate(integ.RequestTemplates, x.r.Header.Get("Content-Type")); ok && strings.TrimSpace(tpl) != "" {
		var req struct {
			StatusCode json.RawMessage `json:"statusCode"`
		}
		if json.Unmarshal([]byte(tpl), &req) != nil {
			x.fail(gwInternalError)
			return
		}
		n, ok := execapi.ParseStatus(req.StatusCode)
		if !ok {
			x.fail(gwInternalError)
			return
		}
		status = n
	}
	ir := selectIntegrationResponse(integ.Responses, strconv.Itoa(status))
	if ir == nil || rt.method.Responses[ir.StatusCode] == nil {
		x.fail(gwInternalError)
		return
	}
	code, err := strconv.Atoi(ir.StatusCode)
	if err != nil {
		x.fail(gwInternalError)
		return
	}
	h := x.commonHeaders()
	for k, v := range ir.ResponseParameters {
		name, ok := strings.CutPrefix(k, "method.response.header.")
		if !ok || len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
			continue // only static values apply without an integration response to read from
		}
		h.Set(name, v[1:len(v)-1])
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", defaultContentType)
	}
	body, _ := pickTemplate(ir.ResponseTemplates, x.r.Header.Get("Accept"))
	x.w.WriteHeader(code)
	x.w.Write([]byte(body))
}

// pickTemplate selects the template for a content type, falling back to
// application/json, then to the only template there is.
func pickTemplate(templates map[string]string, contentType string) (string, bool) {
	if len(templates) == 0 {
		return "", false
	}
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.TrimSpace(ct)
	if t, ok := templates[ct]; ok {
		return t, true
	}
	if t, ok := templates[defaultContentType]; ok {
		return t, true
	}
	if len(templates) == 1 {
		for _, t := range templates {
			return t, true
		}
	}
	return "", false
}

// selectIntegrationResponse picks the response whose selectionPattern
// matches the status (a regular expression over the whole code), else the
// default one (empty pattern).
func selectIntegrationResponse(responses map[string]*IntegrationResponse, status string) *IntegrationResponse {
	var def *IntegrationResponse
	for _, k := range sortedKeys(responses) {
		ir := responses[k]
		if ir.SelectionPattern == "" {
			if def == nil {
				def = ir
			}
			continue
		}
		re, err := regexp.Compile("^(?:" + ir.SelectionPattern + ")$")
		if err == nil && re.MatchString(status) {
			return ir
		}
	}
	return def
}

// --- HTTP_PROXY ------------------------------------------------------------------

var proxyClient = &http.Client{
	Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// httpProxy forwards the request to the integration URI, {name} path
// parameters substituted, and relays the answer as it is.
func (x *exchange) httpProxy(rt route) {
	integ := rt.method.Integration
	ctx, cancel := context.WithTimeout(x.r.Context(), x.timeout(integ))
	defer cancel()
	req, err := execapi.ProxyRequest(ctx, x.r, rt.body, integ.URI, integ.HTTPMethod, rt.target.Variables, rt.params)
	if err != nil {
		x.fail(gwInternalError)
		return
	}
	resp, err := proxyClient.Do(req)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			x.fail(gwIntegrationTimeout)
		} else {
			x.fail(gwInternalError)
		}
		return
	}
	defer resp.Body.Close()
	h := x.commonHeaders()
	execapi.CopyHeaders(h, resp.Header)
	x.w.WriteHeader(resp.StatusCode)
	io.Copy(x.w, io.LimitReader(resp.Body, maxPayload))
}

// --- ids -------------------------------------------------------------------------

// sortedKeys is used where output order must be stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// invocation is a data-plane request's API, stage and path.
type invocation = execapi.Invocation

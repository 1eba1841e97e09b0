package apigatewayv2

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// This file is the HTTP API data plane: a request on an invoke URL is
// matched to a route of the stage's deployment, authorized, and answered by
// the route's integration (AWS_PROXY → Lambda with payload format 2.0 or
// 1.0, HTTP_PROXY → a loopback URL).

const (
	maxPayload        = 10 << 20 // HTTP APIs' 10 MB request payload limit
	hdrRequestID      = "Apigw-Requestid"
	requestTimeLayout = "02/Jan/2006:15:04:05 -0700"
)

// httpCall is one HTTP API request in flight.
type httpCall struct {
	s         *Service
	w         http.ResponseWriter
	r         *http.Request
	inv       invocation
	d         Deployed
	requestID string
	traceID   string
	start     time.Time
	path      string   // decoded path after the stage
	segs      []string // its segments
	route     *DeployedRoute
	params    map[string]string
	body      []byte
	auth      *authContext // what the route's authorizer said
}

// authContext is what an authorizer tells the integration.
type authContext struct {
	jwtClaims map[string]string
	jwtScopes []string
	lambda    map[string]any
}

func (s *Service) serveHTTPAPI(w http.ResponseWriter, r *http.Request, inv invocation) {
	uuid := s.env.NewID()
	x := &httpCall{s: s, w: w, r: r, inv: inv, requestID: execapi.APIGWID(uuid), start: s.env.Now()}
	x.traceID = execapi.TraceID(x.start, uuid)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.env.Log.Error("panic in API Gateway v2 data plane", "panic", v, "path", r.URL.Path)
			x.fail(gwInternalError)
		}
	}()
	d, ok := s.store.Lookup(inv.apiID, inv.stage)
	if !ok || d.Snapshot == nil {
		x.fail(gwNotFound)
		return
	}
	x.d = d
	if d.EndpointDisabled {
		x.fail(gwForbidden)
		return
	}
	p, err := url.PathUnescape(inv.path)
	if err != nil {
		x.fail(gwNotFound)
		return
	}
	x.path, x.segs = p, splitPath(p)
	if d.Cors != nil && x.preflight() {
		return
	}
	x.route, x.params = d.http.match(r.Method, x.segs)
	if x.route == nil {
		x.fail(gwNotFound)
		return
	}
	if r.ContentLength > maxPayload {
		x.fail(gwPayloadTooLarge)
		return
	}
	if !x.authorize() {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	switch {
	case err != nil:
		// a body that is not the one an AWS_IAM signature covered, or a
		// read broken off
		var coded *awsproto.Error
		if errors.As(err, &coded) && coded.Code == awsproto.ErrContentSHA256Mismatch.Name {
			x.fail(gwForbidden)
		} else {
			x.fail(gwInternalError)
		}
		return
	case len(body) > maxPayload:
		x.fail(gwPayloadTooLarge)
		return
	}
	x.body = body
	integ := x.route.Integration
	if integ == nil {
		x.fail(gwInternalError)
		return
	}
	switch integ.Type {
	case "AWS_PROXY":
		x.lambdaProxy(integ)
	case "HTTP_PROXY":
		x.httpProxy(integ)
	default:
		x.fail(gwInternalError)
	}
}

// fail writes one of the data plane's own answers (with CORS headers when
// the API has a CORS configuration).
func (x *httpCall) fail(g gatewayResponse) {
	x.corsHeaders()
	writeGateway(x.w, x.requestID, g)
}

// routeKey is the matched route's key.
func (x *httpCall) routeKey() string { return x.route.Key }

// rawPath is the path as API Gateway reports it: the stage's name first,
// unless the stage is $default.
func (x *httpCall) rawPath() string {
	if x.inv.stage == RouteDefault {
		return x.path
	}
	return "/" + x.inv.stage + x.path
}

// domain is the request's Host, and its prefix (the API id on the host
// form, else the first label).
func (x *httpCall) domain() (string, string) {
	domain := x.r.Host
	if x.inv.host {
		return domain, x.inv.apiID
	}
	prefix, _, _ := strings.Cut(execapi.HostOnly(domain), ".")
	return domain, prefix
}

// --- payload format 2.0 ---------------------------------------------------------

// v2Event is the payload format 2.0 event, as aws-lambda-go's
// events.APIGatewayV2HTTPRequest reads it.
type v2Event struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        v2Context         `json:"requestContext"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type v2Context struct {
	AccountID    string        `json:"accountId"`
	APIID        string        `json:"apiId"`
	Authorizer   *v2Authorizer `json:"authorizer,omitempty"`
	DomainName   string        `json:"domainName"`
	DomainPrefix string        `json:"domainPrefix"`
	HTTP         v2HTTP        `json:"http"`
	RequestID    string        `json:"requestId"`
	RouteKey     string        `json:"routeKey"`
	Stage        string        `json:"stage"`
	Time         string        `json:"time"`
	TimeEpoch    int64         `json:"timeEpoch"`
}

type v2HTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

type v2Authorizer struct {
	JWT    *v2JWT         `json:"jwt,omitempty"`
	Lambda map[string]any `json:"lambda,omitempty"`
}

type v2JWT struct {
	Claims map[string]string `json:"claims"`
	Scopes []string          `json:"scopes"`
}

// v2Event builds the payload format 2.0 event of the request.
func (x *httpCall) v2Event() *v2Event {
	r := x.r
	ev := &v2Event{Version: "2.0", RouteKey: x.routeKey(), RawPath: x.rawPath(), RawQueryString: r.URL.RawQuery, PathParameters: x.params}
	if len(x.d.Variables) > 0 {
		ev.StageVariables = x.d.Variables
	}
	ev.Headers, ev.Cookies = x.v2Headers()
	if r.URL.RawQuery != "" {
		if q, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(q) > 0 {
			ev.QueryStringParameters = make(map[string]string, len(q))
			for k, vs := range q {
				ev.QueryStringParameters[k] = strings.Join(vs, ",")
			}
		}
	}
	if len(x.body) > 0 {
		if textual(r.Header.Get("Content-Type")) {
			ev.Body = string(x.body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(x.body), true
		}
	}
	domain, prefix := x.domain()
	ev.RequestContext = v2Context{
		AccountID: x.s.env.Account, APIID: x.inv.apiID, DomainName: domain, DomainPrefix: prefix,
		HTTP:      v2HTTP{Method: r.Method, Path: ev.RawPath, Protocol: protocol(r), SourceIP: execapi.SourceIP(r), UserAgent: r.UserAgent()},
		RequestID: x.requestID, RouteKey: ev.RouteKey, Stage: x.inv.stage,
		Time: x.start.UTC().Format(requestTimeLayout), TimeEpoch: x.start.UnixMilli(),
	}
	if a := x.auth; a != nil {
		ev.RequestContext.Authorizer = &v2Authorizer{Lambda: a.lambda}
		if a.jwtClaims != nil {
			ev.RequestContext.Authorizer.JWT = &v2JWT{Claims: a.jwtClaims, Scopes: a.jwtScopes}
		}
	}
	return ev
}

func protocol(r *http.Request) string {
	if r.Proto == "" {
		return "HTTP/1.1"
	}
	return r.Proto
}

// v2Headers are the request's headers as payload 2.0 carries them: names in
// lower case, repeated values joined by commas, cookies apart, plus the
// X-Forwarded-* and trace headers API Gateway adds.
func (x *httpCall) v2Headers() (map[string]string, []string) {
	r := x.r
	h := make(map[string]string, len(r.Header)+5)
	var cookies []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		h[lk] = strings.Join(vs, ",")
	}
	h["host"] = r.Host
	if len(x.body) > 0 || r.ContentLength <= 0 {
		h["content-length"] = strconv.Itoa(len(x.body))
	} else {
		h["content-length"] = strconv.FormatInt(r.ContentLength, 10)
	}
	ip := execapi.SourceIP(r)
	if fwd, ok := h["x-forwarded-for"]; ok {
		h["x-forwarded-for"] = fwd + ", " + ip
	} else {
		h["x-forwarded-for"] = ip
	}
	if _, ok := h["x-forwarded-port"]; !ok {
		h["x-forwarded-port"] = execapi.PortOf(r.Host)
	}
	if _, ok := h["x-forwarded-proto"]; !ok {
		h["x-forwarded-proto"] = "http"
	}
	h["x-amzn-trace-id"] = x.traceID
	return h, cookies
}

// textual reports whether HTTP APIs pass a body of this content type as
// text; anything else reaches the function base64-encoded.
func textual(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	switch {
	case ct == "":
		return true
	case strings.HasPrefix(ct, "text/"):
		return true
	case strings.HasSuffix(ct, "/json"), strings.HasSuffix(ct, "+json"), strings.HasSuffix(ct, "/xml"), strings.HasSuffix(ct, "+xml"),
		ct == "application/javascript", ct == "application/ecmascript", ct == "application/graphql":
		return true
	}
	return false
}

// --- payload format 1.0 -----------------------------------------------------------

// v1Event builds the payload format 1.0 event (events.APIGatewayProxyRequest).
func (x *httpCall) v1Event() *execapi.ProxyEvent {
	r := x.r
	resource := x.routeKey()
	if _, p, ok := strings.Cut(resource, " "); ok {
		resource = p
	}
	ev := &execapi.ProxyEvent{Version: "1.0", Resource: resource, Path: x.rawPath(), HTTPMethod: r.Method, PathParameters: x.params}
	if len(x.d.Variables) > 0 {
		ev.StageVariables = x.d.Variables
	}
	h, _ := x.v2Headers()
	ev.Headers = make(map[string]string, len(r.Header)+5)
	ev.MultiValueHeaders = make(map[string][]string, len(r.Header)+5)
	for k, v := range h {
		ev.Headers[k] = v
		ev.MultiValueHeaders[k] = []string{v}
	}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		ev.Headers[lk] = vs[len(vs)-1]
		ev.MultiValueHeaders[lk] = vs
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = q
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	if len(x.body) > 0 {
		var b string
		if textual(r.Header.Get("Content-Type")) {
			b = string(x.body)
		} else {
			b, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(x.body), true
		}
		ev.Body = &b
	}
	domain, prefix := x.domain()
	ev.RequestContext = execapi.ProxyContext{
		ResourceID: x.route.ID, ResourcePath: resource, HTTPMethod: r.Method, ExtendedRequestID: x.requestID,
		RequestTime: x.start.UTC().Format(requestTimeLayout), Path: ev.Path, AccountID: x.s.env.Account, Protocol: protocol(r),
		Stage: x.inv.stage, DomainPrefix: prefix, RequestTimeEpoch: x.start.UnixMilli(), RequestID: x.requestID,
		Identity:   execapi.ProxyIdentity{SourceIP: execapi.SourceIP(r), UserAgent: r.UserAgent()},
		DomainName: domain, APIID: x.inv.apiID,
	}
	if a := x.auth; a != nil {
		m := map[string]any{}
		if a.jwtClaims != nil {
			m["claims"], m["scopes"] = a.jwtClaims, a.jwtScopes
		}
		for k, v := range a.lambda {
			m[k] = v
		}
		ev.RequestContext.Authorizer = m
	}
	return ev
}

// --- AWS_PROXY ----------------------------------------------------------------------

// timeout is the integration's timeout, capped by the service's.
func (x *httpCall) timeout(integ *DeployedIntegration) time.Duration {
	d := time.Duration(x.s.integrationTimeout.Load())
	if integ.TimeoutInMillis > 0 {
		if t := time.Duration(integ.TimeoutInMillis) * time.Millisecond; t < d {
			d = t
		}
	}
	return d
}

// invokeLambda calls the function an integration or authorizer URI names
// with payload; a non-nil gateway response is the client's answer instead.
func (s *Service) invokeLambda(ctx context.Context, uri, region string, vars map[string]string, payload []byte, timeout time.Duration) (cloud.InvokeResult, *gatewayResponse) {
	inv, _ := s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
	if inv == nil {
		s.env.Log.Warn("API Gateway v2: Lambda is not wired")
		return cloud.InvokeResult{}, &gwInternalError
	}
	fnARN, ok := lambdaTarget(execapi.SubstituteStageVariables(uri, vars))
	if !ok {
		return cloud.InvokeResult{}, &gwInternalError
	}
	fn, qualifier := execapi.SplitQualifier(fnARN)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := inv.Invoke(ctx, cloud.InvokeRequest{Region: execapi.RegionOfARN(fn, region), Function: fn, Qualifier: qualifier, Payload: payload})
	var refused *awsproto.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		return res, &gwTimeout
	case errors.As(err, &refused) && refused.Status == http.StatusRequestEntityTooLarge:
		return res, &gwPayloadTooLarge
	case err != nil:
		s.env.Log.Warn("API Gateway v2: Lambda invocation failed", "function", fnARN, "err", err)
		return res, &gwInternalError
	case res.FunctionError != "":
		return res, &gwInternalError
	}
	return res, nil
}

// lambdaProxy invokes the integration's function and maps its answer.
func (x *httpCall) lambdaProxy(integ *DeployedIntegration) {
	var ev any
	if integ.PayloadFormatVersion == "1.0" {
		ev = x.v1Event()
	} else {
		ev = x.v2Event()
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		x.fail(gwInternalError)
		return
	}
	res, g := x.s.invokeLambda(x.r.Context(), integ.URI, x.d.Region, x.d.Variables, payload, x.timeout(integ))
	if g != nil {
		x.fail(*g)
		return
	}
	var resp execapi.ProxyResponse
	var ok bool
	if integ.PayloadFormatVersion == "1.0" {
		resp, ok = execapi.ParseProxyResponse(res.Payload)
	} else {
		resp, ok = parseV2Response(res.Payload)
	}
	if !ok {
		x.fail(gwInternalError)
		return
	}
	h := x.w.Header()
	for k, vs := range resp.Headers {
		h[k] = vs
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set(hdrRequestID, x.requestID)
	x.corsHeaders()
	x.w.WriteHeader(resp.Status)
	x.w.Write(resp.Body)
}

// parseV2Response reads a function's answer as payload format 2.0 does: an
// object with statusCode is a response (statusCode, headers, cookies, body,
// isBase64Encoded); any other valid JSON is a 200 application/json body
// holding the JSON as it is. Invalid JSON is malformed.
func parseV2Response(payload []byte) (execapi.ProxyResponse, bool) {
	trimmed := bytes.TrimSpace(payload)
	if !json.Valid(trimmed) {
		return execapi.ProxyResponse{}, false
	}
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var probe struct {
			StatusCode json.RawMessage `json:"statusCode"`
			Cookies    []string        `json:"cookies"`
		}
		if json.Unmarshal(trimmed, &probe) != nil {
			return execapi.ProxyResponse{}, false
		}
		if probe.StatusCode != nil {
			resp, ok := execapi.ParseProxyResponse(trimmed)
			if !ok {
				return execapi.ProxyResponse{}, false
			}
			resp.Headers["Set-Cookie"] = append(resp.Headers["Set-Cookie"], probe.Cookies...)
			return resp, true
		}
	}
	if len(trimmed) > 0 && trimmed[0] == '"' {
		var s string
		if json.Unmarshal(trimmed, &s) == nil {
			return execapi.ProxyResponse{Status: http.StatusOK, Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: []byte(s)}, true
		}
	}
	return execapi.ProxyResponse{Status: http.StatusOK, Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: trimmed}, true
}

// --- HTTP_PROXY ----------------------------------------------------------------------

var proxyClient = execapi.LoopbackClient(0)

// httpProxy forwards the request to the integration's URL ({name} path
// parameters and stage variables substituted; the request's path appended
// when the route is greedy) and relays the answer.
func (x *httpCall) httpProxy(integ *DeployedIntegration) {
	ctx, cancel := context.WithTimeout(x.r.Context(), x.timeout(integ))
	defer cancel()
	req, err := execapi.ProxyRequest(ctx, x.r, x.body, integ.URI, integ.Method, x.d.Variables, x.params)
	if err != nil {
		x.fail(gwInternalError)
		return
	}
	req.Header.Set("X-Forwarded-For", execapi.SourceIP(x.r))
	resp, err := proxyClient.Do(req)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			x.fail(gwTimeout)
		} else {
			x.fail(gwInternalError)
		}
		return
	}
	defer resp.Body.Close()
	h := x.w.Header()
	execapi.CopyHeaders(h, resp.Header)
	h.Set(hdrRequestID, x.requestID)
	x.corsHeaders()
	x.w.WriteHeader(resp.StatusCode)
	io.Copy(x.w, io.LimitReader(resp.Body, maxPayload))
}

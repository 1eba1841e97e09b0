package apigatewayv2

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2/wsconn"
	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// This file is the WebSocket data plane: the upgrade of a request to a
// deployed WEBSOCKET API stage, its $connect (with a Lambda REQUEST
// authorizer), the routing of each message by the API's route selection
// expression, two-way routes' replies, and $disconnect.

// The data plane reads a stage through the store's Lookup (a Deployed,
// immutable) afresh for each event: a redeployed route applies to open
// connections' next messages, as on AWS. A route is two-way when it has a
// route response; $connect's authorizer is a Lambda REQUEST authorizer.

// defaultWSIntegrationTimeout is API Gateway's 29 s integration limit.
const defaultWSIntegrationTimeout = 29 * time.Second

// wsPlane serves WebSocket APIs: it owns the connection hub.
type wsPlane struct {
	env     *cloud.Env
	hub     *wsconn.Hub
	lookup  func(apiID, stage string) (Deployed, bool)
	timeout atomic.Int64 // integration timeout cap, ns
	// watching says a fault watcher runs (ws_faults.go).
	watching atomic.Bool
}

func newWSPlane(env *cloud.Env, lookup func(apiID, stage string) (Deployed, bool)) *wsPlane {
	limits := wsconn.Options{IdleTimeout: env.WebSocketIdleTimeout, MaxLifetime: env.WebSocketMaxLifetime}
	p := &wsPlane{env: env, hub: wsconn.New(limits, env.Now), lookup: lookup}
	p.timeout.Store(int64(defaultWSIntegrationTimeout))
	return p
}

// wsSession is what the data plane keeps of one connection.
type wsSession struct {
	p           *wsPlane
	id          string
	apiID       string
	stage       string
	region      string   // the API's
	names       []string // the API and connection ids, as fault rules match them
	domain      string
	sourceIP    string
	userAgent   string
	connectedAt time.Time
	authorizer  map[string]any
}

// wsID is an id shaped like API Gateway's connection and request ids
// ("R1kmxc2VNjMCFIA="): 11 bytes, base64, with '+' and '/' (which would
// not survive a URL path unescaped) swapped for letters.
func (p *wsPlane) wsID() string {
	var b [16]byte
	_, _ = hex.Decode(b[:], []byte(strings.ReplaceAll(p.env.NewID(), "-", "")))
	return strings.Map(func(r rune) rune {
		switch r {
		case '+':
			return 'P'
		case '/':
			return 'S'
		}
		return r
	}, base64.StdEncoding.EncodeToString(b[:11]))
}

// gatewayMessage writes one of API Gateway's {"message": …} answers.
func gatewayMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(msg)
	w.Write([]byte(`{"message":` + string(b) + `}`))
}

// isUpgrade reports whether r asks for a WebSocket.
func isUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade")
}

// serve handles a request to a WebSocket API stage's URL: 403 for an
// unknown API or stage (before any upgrade, as AWS), the authorizer and
// $connect, then the connection until it ends.
func (p *wsPlane) serve(w http.ResponseWriter, r *http.Request, apiID, stage string) {
	st, ok := p.lookup(apiID, stage)
	if !ok || stage == "" || st.Snapshot == nil || st.EndpointDisabled {
		gatewayMessage(w, http.StatusForbidden, "Forbidden")
		return
	}
	if !isUpgrade(r) {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "websocket")
		gatewayMessage(w, http.StatusUpgradeRequired, "Upgrade Required")
		return
	}
	now := p.env.Now()
	s := &wsSession{p: p, id: p.wsID(), apiID: apiID, stage: stage, region: st.Region, domain: r.Host,
		sourceIP: execapi.SourceIP(r), userAgent: r.UserAgent(), connectedAt: now}
	s.names = []string{apiID, s.id}
	if hit := s.fault(); hit != nil {
		if hit.Drop { // the gateway is unreachable: nothing runs, not even $connect
			refuse(w)
			return
		}
		if hit.Sleep(r.Context()) != nil {
			return
		}
	}
	connect := st.Routes[RouteConnect]
	if connect != nil && connect.AuthorizationType == "AWS_IAM" {
		if status, msg := p.verifyIAM(r); status != 0 {
			gatewayMessage(w, status, msg)
			return
		}
	}
	if connect != nil && connect.Authorizer != nil && connect.Authorizer.Type == "REQUEST" {
		if status, msg := s.authorize(r, st, connect.Authorizer, now); status != 0 {
			gatewayMessage(w, status, msg)
			return
		}
	}
	protocol := ""
	if connect != nil && connect.Integration != nil {
		requestID := p.wsID()
		ev := s.connectEvent(r, st.Variables, requestID, now)
		res, status := s.integrate(r.Context(), st, connect.Integration, ev)
		if status != 0 {
			gatewayMessage(w, status, msgFor(status))
			return
		}
		pr := parseWSProxyResponse(res)
		if pr.status < 200 || pr.status > 299 {
			for k, vs := range pr.headers {
				w.Header()[http.CanonicalHeaderKey(k)] = vs
			}
			if w.Header().Get("Content-Type") == "" {
				w.Header().Set("Content-Type", "application/json")
			}
			w.WriteHeader(pr.status)
			w.Write(pr.body)
			return
		}
		if vs := pr.headers["Sec-Websocket-Protocol"]; len(vs) > 0 {
			protocol = vs[0]
		}
	}
	info := wsconn.Info{ID: s.id, APIID: apiID, Stage: stage, SourceIP: s.sourceIP, UserAgent: s.userAgent, ConnectedAt: now, Subprotocol: protocol}
	p.startWatch() // it ends by itself when no connection is open
	if err := p.hub.Serve(w, r, info, s, s); err != nil {
		p.env.Log.Debug("WebSocket upgrade failed", "api", apiID, "err", err)
	}
}

// msgFor is API Gateway's message for a status it produces itself.
func msgFor(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusGatewayTimeout:
		return "Endpoint request timed out"
	}
	return "Internal server error"
}

// integrate runs an integration with ev and returns its output, or a
// status API Gateway answers instead (500 for a failed or unknown
// integration, 504 on timeout).
func (s *wsSession) integrate(ctx context.Context, st Deployed, integ *DeployedIntegration, ev any) ([]byte, int) {
	switch integ.Type {
	case "MOCK":
		return mockResponse(integ), 0
	case "AWS_PROXY":
	default:
		s.p.env.Log.Warn("API Gateway WebSocket integration type not emulated", "type", integ.Type, "api", s.apiID)
		return nil, http.StatusInternalServerError
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, http.StatusInternalServerError
	}
	timeout := time.Duration(s.p.timeout.Load())
	if t := time.Duration(integ.TimeoutInMillis) * time.Millisecond; t > 0 && t < timeout {
		timeout = t
	}
	res, err := s.p.invoke(ctx, st, integ.URI, payload, timeout)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, http.StatusGatewayTimeout
	case err != nil:
		s.p.env.Log.Warn("API Gateway WebSocket: Lambda invocation failed", "uri", integ.URI, "err", err)
		return nil, http.StatusInternalServerError
	case res.FunctionError != "":
		return nil, http.StatusBadGateway
	}
	return res.Payload, 0
}

// invoke calls the Lambda function an integration URI names.
func (p *wsPlane) invoke(ctx context.Context, st Deployed, uri string, payload []byte, timeout time.Duration) (cloud.InvokeResult, error) {
	inv, _ := p.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
	if inv == nil {
		return cloud.InvokeResult{}, errors.New("lambda is not wired")
	}
	fnARN, ok := lambdaTarget(execapi.SubstituteStageVariables(uri, st.Variables))
	if !ok {
		return cloud.InvokeResult{}, errors.New("not a Lambda integration URI: " + uri)
	}
	fn, qualifier := execapi.SplitQualifier(fnARN)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := inv.Invoke(ctx, cloud.InvokeRequest{Region: execapi.RegionOfARN(fn, st.Region), Function: fn, Qualifier: qualifier, Payload: payload})
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return res, context.DeadlineExceeded
	}
	return res, err
}

// wsProxyResponse is a Lambda's answer to a WebSocket event.
type wsProxyResponse struct {
	status  int
	headers map[string][]string
	body    []byte
}

// parseWSProxyResponse reads a Lambda proxy answer. WebSocket routes are
// lenient where REST APIs are strict: a function that returns nothing, or
// no statusCode, succeeded (200); any other JSON is the body itself.
func parseWSProxyResponse(payload []byte) wsProxyResponse {
	resp := wsProxyResponse{status: http.StatusOK, headers: map[string][]string{}}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return resp
	}
	var raw struct {
		StatusCode        json.RawMessage  `json:"statusCode"`
		Headers           map[string]any   `json:"headers"`
		MultiValueHeaders map[string][]any `json:"multiValueHeaders"`
		Body              *json.RawMessage `json:"body"`
		IsBase64Encoded   bool             `json:"isBase64Encoded"`
	}
	if trimmed[0] != '{' || json.Unmarshal(trimmed, &raw) != nil || (raw.StatusCode == nil && raw.Body == nil) {
		if len(trimmed) > 1 && trimmed[0] == '"' {
			var s string
			if json.Unmarshal(trimmed, &s) == nil {
				resp.body = []byte(s)
				return resp
			}
		}
		resp.body = trimmed
		return resp
	}
	if raw.StatusCode != nil {
		var n json.Number
		if json.Unmarshal(raw.StatusCode, &n) == nil {
			if v, err := strconv.Atoi(n.String()); err == nil && v >= 100 && v <= 599 {
				resp.status = v
			}
		} else {
			var s string
			if json.Unmarshal(raw.StatusCode, &s) == nil {
				if v, err := strconv.Atoi(s); err == nil && v >= 100 && v <= 599 {
					resp.status = v
				}
			}
		}
	}
	for k, v := range raw.Headers {
		if s, ok := v.(string); ok {
			resp.headers[http.CanonicalHeaderKey(k)] = []string{s}
		}
	}
	for k, vs := range raw.MultiValueHeaders {
		var out []string
		for _, v := range vs {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		if len(out) > 0 {
			resp.headers[http.CanonicalHeaderKey(k)] = out
		}
	}
	if raw.Body != nil {
		var s string
		if json.Unmarshal(*raw.Body, &s) == nil {
			resp.body = []byte(s)
			if raw.IsBase64Encoded {
				if b, err := base64.StdEncoding.DecodeString(s); err == nil {
					resp.body = b
				}
			}
		} else if string(*raw.Body) != "null" {
			resp.body = *raw.Body
		}
	}
	return resp
}

// --- messages -------------------------------------------------------------------

// errorFrame is what API Gateway sends a client whose message it could not
// route or integrate.
func errorFrame(msg, connectionID, requestID string) []byte {
	return []byte(`{"message": "` + msg + `", "connectionId":"` + connectionID + `", "requestId":"` + requestID + `"}`)
}

// Message routes one message (wsconn calls it in order, one at a time).
func (s *wsSession) Message(c *wsconn.Conn, data []byte, binary bool) {
	p := s.p
	hit := s.fault()
	if hit != nil && hit.Drop {
		c.Drop() // the message is lost with the connection
		return
	}
	requestID := p.wsID()
	now := p.env.Now()
	ctx := context.Background()
	st, ok := p.lookup(s.apiID, s.stage)
	if !ok || st.Snapshot == nil {
		// the API or its stage was deleted (or the cloud reset) under the
		// connection: it goes away
		c.Close(wsconn.StatusGoingAway, wsconn.ReasonGoingAway)
		return
	}
	route := selectRoute(st, data, binary)
	if route == nil {
		_ = sendDelayed(c, hit, errorFrame("Forbidden", s.id, requestID), true)
		return
	}
	if route.Integration == nil {
		_ = sendDelayed(c, hit, errorFrame("Internal server error", s.id, requestID), true)
		return
	}
	ev := s.messageEvent(route.Key, data, binary, st.Variables, requestID, p.wsID(), now)
	out, status := s.integrate(ctx, st, route.Integration, ev)
	if status != 0 {
		_ = sendDelayed(c, hit, errorFrame("Internal server error", s.id, requestID), true)
		return
	}
	if len(route.Responses) == 0 { // one-way: no route response
		return
	}
	var reply []byte
	if route.Integration.Type == "AWS_PROXY" {
		reply = parseWSProxyResponse(out).body
	} else {
		reply = out
	}
	if len(reply) > 0 {
		_ = sendDelayed(c, hit, reply, false)
	}
}

// selectRoute picks a message's route: the key the selection expression
// yields when a route has it, else $default (nil when there is none).
func selectRoute(st Deployed, data []byte, binary bool) *DeployedRoute {
	if !binary {
		if key, ok := evaluateSelection(st.RouteSelection, data); ok {
			if r := st.Routes[key]; r != nil && key != RouteConnect && key != RouteDisconnect {
				return r
			}
		}
	}
	return st.Routes[RouteDefault]
}

// mockResponse is what a MOCK integration answers a two-way route: its
// integration response's template (sent as it is: no VTL is evaluated).
func mockResponse(integ *DeployedIntegration) []byte {
	keys := slices.Sorted(maps.Keys(integ.Responses))
	for _, k := range keys {
		ts := integ.Responses[k].ResponseTemplates
		for _, tk := range slices.Sorted(maps.Keys(ts)) {
			return []byte(ts[tk])
		}
	}
	return nil
}

// disconnectTimeout bounds the $disconnect invocation of a closing connection.
const disconnectTimeout = 10 * time.Second

// Disconnected runs $disconnect (best effort, as on AWS).
func (s *wsSession) Disconnected(c *wsconn.Conn, code int, reason string) {
	p := s.p
	st, ok := p.lookup(s.apiID, s.stage)
	if !ok || st.Snapshot == nil {
		return
	}
	route := st.Routes[RouteDisconnect]
	if route == nil || route.Integration == nil {
		return
	}
	ev := s.disconnectEvent(code, reason, st.Variables, p.wsID(), p.env.Now())
	ctx, cancel := context.WithTimeout(context.Background(), disconnectTimeout)
	defer cancel()
	s.integrate(ctx, st, route.Integration, ev)
}

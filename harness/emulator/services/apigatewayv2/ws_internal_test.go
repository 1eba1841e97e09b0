package apigatewayv2

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"

	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// fakeInvoker answers invocations with reply and records their events.
type fakeInvoker struct {
	mu     sync.Mutex
	events map[string][][]byte // by function
	reply  func(fn string, payload []byte) (cloud.InvokeResult, error)
	signal chan string
}

func newFakeInvoker() *fakeInvoker {
	return &fakeInvoker{events: map[string][][]byte{}, signal: make(chan string, 1024)}
}

func (f *fakeInvoker) Invoke(_ context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
	f.mu.Lock()
	if len(f.events[req.Function]) < 1000 {
		f.events[req.Function] = append(f.events[req.Function], req.Payload)
	}
	reply := f.reply
	f.mu.Unlock()
	defer func() {
		select {
		case f.signal <- req.Function:
		default: // nobody waits (benchmarks)
		}
	}()
	if reply != nil {
		return reply(req.Function, req.Payload)
	}
	return cloud.InvokeResult{Payload: []byte(`{"statusCode":200}`)}, nil
}

func (f *fakeInvoker) got(fn string) [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.events[fn]...)
}

func (f *fakeInvoker) wait(t *testing.T, fn string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-f.signal:
			if got == fn {
				return
			}
		case <-deadline:
			t.Fatalf("no invocation of %s", fn)
		}
	}
}

func lambdaURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations"
}

func fnARN(fn string) string { return "arn:aws:lambda:us-east-1:000000000000:function:" + fn }

// chatStage is a stage with $connect, $disconnect, $default and a
// two-way "echo" route, all AWS_PROXY.
func chatStage() *Deployed {
	route := func(key, fn string, twoWay bool) *DeployedRoute {
		r := &DeployedRoute{Route: Route{Key: key}, Integration: &DeployedIntegration{Integration: Integration{Type: "AWS_PROXY", URI: lambdaURI(fn)}}}
		if twoWay {
			r.Responses = map[string]*RouteResponse{"$default": {Key: "$default"}}
		}
		return r
	}
	sel, _ := ParseSelection("$request.body.action")
	return &Deployed{APIID: "api1", Region: "us-east-1", Stage: "dev", Variables: map[string]string{"env": "test"},
		Snapshot: &Snapshot{ProtocolType: ProtocolWebSocket, RouteSelectionExpression: "$request.body.action", RouteSelection: sel,
			Routes: map[string]*DeployedRoute{
				RouteConnect:    route(RouteConnect, "connect", false),
				RouteDisconnect: route(RouteDisconnect, "disconnect", false),
				RouteDefault:    route(RouteDefault, "default", false),
				"echo":          route("echo", "echo", true),
			}}}
}

type wsFixture struct {
	plane *wsPlane
	inv   *fakeInvoker
	url   string // http://host/_aws/execute-api/api1/dev
	mu    sync.Mutex
	stage *Deployed
}

func newWSFixture(t testing.TB, stage *Deployed) *wsFixture {
	t.Helper()
	env := cloud.DefaultEnv()
	f := &wsFixture{inv: newFakeInvoker(), stage: stage}
	env.Links.Set(cloud.LinkLambda, f.inv)
	f.plane = newWSPlane(env, func(api, st string) (Deployed, bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if api != "api1" || st != "dev" || f.stage == nil {
			return Deployed{}, false
		}
		return *f.stage, true
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, _ := strings.CutPrefix(r.URL.EscapedPath(), "/_aws/execute-api/")
		api, rest, _ := strings.Cut(rest, "/")
		stage, rest, _ := strings.Cut(rest, "/")
		if id, ok := isConnectionsPath("/" + rest); ok {
			f.plane.serveConnections(w, r, api, stage, id)
			return
		}
		f.plane.serve(w, r, api, stage)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(f.plane.hub.Close)
	f.url = srv.URL + "/_aws/execute-api/api1/dev"
	return f
}

func (f *wsFixture) dial(t *testing.T, query string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.url, "http")+query, &websocket.DialOptions{HTTPHeader: hdr})
	if c != nil {
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

func (f *wsFixture) mustDial(t *testing.T, query string) (*websocket.Conn, string) {
	t.Helper()
	c, _, err := f.dial(t, query, http.Header{"User-Agent": {"ws-test"}})
	if err != nil {
		t.Fatal(err)
	}
	evs := f.inv.got(fnARN("connect"))
	var ev events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(evs[len(evs)-1], &ev); err != nil {
		t.Fatal(err)
	}
	return c, ev.RequestContext.ConnectionID
}

func readMsg(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWSConnectEvent(t *testing.T) {
	f := newWSFixture(t, chatStage())
	c, id := f.mustDial(t, "?token=abc&room=a&room=b")
	_ = c
	raw := f.inv.got(fnARN("connect"))[0]
	var ev events.APIGatewayWebsocketProxyRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("connect event does not decode strictly: %v\n%s", err, raw)
	}
	rc := ev.RequestContext
	if rc.RouteKey != "$connect" || rc.EventType != "CONNECT" || rc.MessageDirection != "IN" || rc.Stage != "dev" || rc.APIID != "api1" {
		t.Fatalf("context: %+v", rc)
	}
	if len(id) != 16 || !strings.HasSuffix(id, "=") || rc.RequestID == "" || rc.ExtendedRequestID != rc.RequestID {
		t.Fatalf("ids: %q %q %q", id, rc.RequestID, rc.ExtendedRequestID)
	}
	if rc.Identity.UserAgent != "ws-test" || rc.Identity.SourceIP != "127.0.0.1" || rc.ConnectedAt == 0 || rc.RequestTimeEpoch < rc.ConnectedAt {
		t.Fatalf("identity/times: %+v", rc)
	}
	if _, err := time.Parse(wsTimeLayout, rc.RequestTime); err != nil {
		t.Fatalf("requestTime %q: %v", rc.RequestTime, err)
	}
	if ev.QueryStringParameters["token"] != "abc" || fmt.Sprint(ev.MultiValueQueryStringParameters["room"]) != "[a b]" {
		t.Fatalf("query: %v %v", ev.QueryStringParameters, ev.MultiValueQueryStringParameters)
	}
	if ev.Headers["Sec-WebSocket-Key"] == "" || ev.Headers["Sec-WebSocket-Version"] != "13" || ev.Headers["X-Forwarded-For"] != "127.0.0.1" || ev.Headers["Host"] == "" {
		t.Fatalf("headers: %v", ev.Headers)
	}
	if ev.StageVariables["env"] != "test" || ev.Body != "" || ev.IsBase64Encoded {
		t.Fatalf("stage variables/body: %v %q", ev.StageVariables, ev.Body)
	}
	if !bytes.Contains(raw, []byte(`"isBase64Encoded":false`)) {
		t.Fatalf("isBase64Encoded missing: %s", raw)
	}
}

func TestWSMessageRoutingAndEvents(t *testing.T) {
	f := newWSFixture(t, chatStage())
	f.inv.reply = func(fn string, payload []byte) (cloud.InvokeResult, error) {
		if fn == fnARN("echo") {
			var ev events.APIGatewayWebsocketProxyRequest
			_ = json.Unmarshal(payload, &ev)
			b, _ := json.Marshal(map[string]any{"statusCode": 200, "body": "echo:" + ev.Body})
			return cloud.InvokeResult{Payload: b}, nil
		}
		return cloud.InvokeResult{Payload: []byte(`{"statusCode":200,"body":"not sent: one-way route"}`)}, nil
	}
	c, id := f.mustDial(t, "")
	ctx := context.Background()
	// a custom two-way route answers; $default (one-way) does not
	must(t, c.Write(ctx, websocket.MessageText, []byte(`{"action":"echo","n":1}`)))
	if got := readMsg(t, c); got != `echo:{"action":"echo","n":1}` {
		t.Fatalf("two-way reply %q", got)
	}
	for _, body := range []string{`not json`, `{"action":"unknown"}`, `{"action":"$connect"}`} {
		must(t, c.Write(ctx, websocket.MessageText, []byte(body)))
		f.inv.wait(t, fnARN("default"))
	}
	must(t, c.Write(ctx, websocket.MessageBinary, []byte{0, 1, 2, 0xff}))
	f.inv.wait(t, fnARN("default"))
	evs := f.inv.got(fnARN("default"))
	if len(evs) != 4 {
		t.Fatalf("$default got %d events", len(evs))
	}
	var ev events.APIGatewayWebsocketProxyRequest
	dec := json.NewDecoder(bytes.NewReader(evs[0]))
	dec.DisallowUnknownFields()
	must(t, dec.Decode(&ev))
	rc := ev.RequestContext
	if ev.Body != "not json" || rc.RouteKey != "$default" || rc.EventType != "MESSAGE" || rc.ConnectionID != id || rc.MessageID == nil || rc.MessageID == "" {
		t.Fatalf("message event: %s", evs[0])
	}
	if ev.Headers != nil || ev.QueryStringParameters != nil {
		t.Fatalf("message events carry no headers: %s", evs[0])
	}
	must(t, json.Unmarshal(evs[3], &ev))
	if !ev.IsBase64Encoded || ev.Body != "AAEC/w==" {
		t.Fatalf("binary message: %s", evs[3])
	}
}

func TestWSNoDefaultRouteForbiddenFrame(t *testing.T) {
	st := chatStage()
	delete(st.Routes, RouteDefault)
	f := newWSFixture(t, st)
	c, id := f.mustDial(t, "")
	must(t, c.Write(context.Background(), websocket.MessageText, []byte(`{"action":"nothing"}`)))
	got := readMsg(t, c)
	var frame map[string]string
	must(t, json.Unmarshal([]byte(got), &frame))
	if frame["message"] != "Forbidden" || frame["connectionId"] != id || frame["requestId"] == "" || !strings.HasPrefix(got, `{"message": "Forbidden", "connectionId":"`) {
		t.Fatalf("frame %s", got)
	}
}

func TestWSIntegrationFailureFrame(t *testing.T) {
	f := newWSFixture(t, chatStage())
	f.inv.reply = func(fn string, payload []byte) (cloud.InvokeResult, error) {
		if fn == fnARN("echo") {
			return cloud.InvokeResult{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom"}`)}, nil
		}
		return cloud.InvokeResult{}, nil
	}
	c, _ := f.mustDial(t, "")
	must(t, c.Write(context.Background(), websocket.MessageText, []byte(`{"action":"echo"}`)))
	if got := readMsg(t, c); !strings.HasPrefix(got, `{"message": "Internal server error", "connectionId":"`) {
		t.Fatalf("frame %s", got)
	}
}

func TestWSUnknownAPIOrStageForbiddenBeforeUpgrade(t *testing.T) {
	f := newWSFixture(t, chatStage())
	for _, u := range []string{"/_aws/execute-api/nope/dev", "/_aws/execute-api/api1/prod", "/_aws/execute-api/api1/"} {
		base := strings.TrimSuffix(f.url, "/_aws/execute-api/api1/dev")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+u, nil)
		cancel()
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: %v %v", u, resp, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != `{"message":"Forbidden"}` {
			t.Fatalf("%s body %s", u, b)
		}
	}
	if n := len(f.inv.got(fnARN("connect"))); n != 0 {
		t.Fatalf("$connect invoked %d times for refused upgrades", n)
	}
}

func TestWSConnectRejected(t *testing.T) {
	f := newWSFixture(t, chatStage())
	f.inv.reply = func(fn string, payload []byte) (cloud.InvokeResult, error) {
		return cloud.InvokeResult{Payload: []byte(`{"statusCode":401,"body":"{\"error\":\"no token\"}"}`)}, nil
	}
	_, resp, err := f.dial(t, "", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("dial: %v %v", resp, err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != `{"error":"no token"}` {
		t.Fatalf("body %s", b)
	}
	if f.plane.hub.Len() != 0 {
		t.Fatal("a rejected connection was registered")
	}
	f.inv.reply = func(string, []byte) (cloud.InvokeResult, error) {
		return cloud.InvokeResult{FunctionError: "Unhandled", Payload: []byte(`{}`)}, nil
	}
	if _, resp, _ := f.dial(t, "", nil); resp == nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("failing $connect: %v", resp)
	}
}

func TestWSDisconnectEvent(t *testing.T) {
	f := newWSFixture(t, chatStage())
	c, id := f.mustDial(t, "")
	c.Close(websocket.StatusGoingAway, "tab closed")
	f.inv.wait(t, fnARN("disconnect"))
	raw := f.inv.got(fnARN("disconnect"))[0]
	var ev events.APIGatewayWebsocketProxyRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	must(t, dec.Decode(&ev))
	rc := ev.RequestContext
	if rc.EventType != "DISCONNECT" || rc.RouteKey != "$disconnect" || rc.ConnectionID != id || rc.DisconnectStatusCode != 1001 || rc.DisconnectReason == nil || *rc.DisconnectReason != "tab closed" {
		t.Fatalf("disconnect event %s", raw)
	}
}

func TestWSAuthorizer(t *testing.T) {
	st := chatStage()
	st.Routes[RouteConnect].Authorizer = &Authorizer{ID: "auth1", Type: "REQUEST", URI: lambdaURI("auth"), IdentitySource: []string{"route.request.querystring.token"}}
	f := newWSFixture(t, st)
	f.inv.reply = func(fn string, payload []byte) (cloud.InvokeResult, error) {
		if fn != fnARN("auth") {
			return cloud.InvokeResult{Payload: []byte(`{"statusCode":200}`)}, nil
		}
		var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
		_ = json.Unmarshal(payload, &ev)
		effect := "Deny"
		if ev.QueryStringParameters["token"] == "good" {
			effect = "Allow"
		}
		if ev.QueryStringParameters["token"] == "boom" {
			return cloud.InvokeResult{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"Unauthorized"}`)}, nil
		}
		out := map[string]any{"principalId": "user-1", "context": map[string]any{"tier": "gold", "n": 3},
			"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": ev.MethodArn}}}}
		b, _ := json.Marshal(out)
		return cloud.InvokeResult{Payload: b}, nil
	}
	for q, want := range map[string]int{"": 401, "?token=bad": 403, "?token=boom": 401} {
		_, resp, err := f.dial(t, q, nil)
		if err == nil || resp == nil || resp.StatusCode != want {
			t.Fatalf("%q: %v %v", q, resp, err)
		}
	}
	c, _ := f.mustDial(t, "?token=good")
	authEv := f.inv.got(fnARN("auth"))
	var aev events.APIGatewayCustomAuthorizerRequestTypeRequest
	must(t, json.Unmarshal(authEv[len(authEv)-1], &aev))
	if aev.Type != "REQUEST" || aev.MethodArn != "arn:aws:execute-api:us-east-1:000000000000:api1/dev/$connect" {
		t.Fatalf("authorizer event %s", authEv[len(authEv)-1])
	}
	must(t, c.Write(context.Background(), websocket.MessageText, []byte(`{"action":"other"}`)))
	f.inv.wait(t, fnARN("default"))
	for _, fn := range []string{"connect", "default"} {
		evs := f.inv.got(fnARN(fn))
		var ev events.APIGatewayWebsocketProxyRequest
		must(t, json.Unmarshal(evs[len(evs)-1], &ev))
		a, _ := ev.RequestContext.Authorizer.(map[string]any)
		if a["principalId"] != "user-1" || a["tier"] != "gold" || a["n"] != "3" {
			t.Fatalf("%s authorizer context: %v", fn, ev.RequestContext.Authorizer)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestConnectionsAPI(t *testing.T) {
	f := newWSFixture(t, chatStage())
	c, id := f.mustDial(t, "")
	connURL := f.url + "/@connections/" + strings.ReplaceAll(id, "=", "%3D")
	do := func(method, url string, body []byte) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, _ := do("POST", connURL, []byte("hello"))
	if resp.StatusCode != 200 {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	if got := readMsg(t, c); got != "hello" {
		t.Fatalf("delivered %q", got)
	}
	resp, b := do("GET", connURL, nil)
	var info map[string]any
	must(t, json.Unmarshal(b, &info))
	ident, _ := info["identity"].(map[string]any)
	if resp.StatusCode != 200 || ident["sourceIp"] != "127.0.0.1" || info["connectedAt"] == nil || info["lastActiveAt"] == nil {
		t.Fatalf("get: %d %s", resp.StatusCode, b)
	}
	if _, err := time.Parse(time.RFC3339, info["connectedAt"].(string)); err != nil {
		t.Fatal(err)
	}
	resp, b = do("POST", connURL, bytes.Repeat([]byte("a"), 128<<10+1))
	if resp.StatusCode != 413 || resp.Header.Get("X-Amzn-Errortype") != "PayloadTooLargeException" {
		t.Fatalf("too large: %d %s", resp.StatusCode, b)
	}
	resp, b = do("POST", f.url+"/@connections/neverExisted%3D", []byte("x"))
	if resp.StatusCode != 410 || resp.Header.Get("X-Amzn-Errortype") != "GoneException" || len(b) != 0 {
		t.Fatalf("never existed: %d %q", resp.StatusCode, b)
	}
	resp, _ = do("DELETE", connURL, nil)
	if resp.StatusCode != 204 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var ce websocket.CloseError
	if _, _, err := c.Read(ctx); !errors.As(err, &ce) || ce.Code != websocket.StatusNormalClosure || ce.Reason != reasonDeleted {
		t.Fatalf("after delete: %v", err)
	}
	f.inv.wait(t, fnARN("disconnect"))
	var ev events.APIGatewayWebsocketProxyRequest
	must(t, json.Unmarshal(f.inv.got(fnARN("disconnect"))[0], &ev))
	if rc := ev.RequestContext; rc.DisconnectStatusCode != 1000 || rc.DisconnectReason == nil || *rc.DisconnectReason != "Connection Closed Normally" {
		t.Fatalf("$disconnect after delete: %d %v", rc.DisconnectStatusCode, rc.DisconnectReason)
	}
	for _, m := range []string{"POST", "GET", "DELETE"} {
		if resp, _ := do(m, connURL, []byte("x")); resp.StatusCode != 410 {
			t.Fatalf("%s after delete: %d", m, resp.StatusCode)
		}
	}
}

func TestWSMockIntegration(t *testing.T) {
	st := chatStage()
	st.Routes = map[string]*DeployedRoute{RouteDefault: {
		Route:     Route{Key: RouteDefault},
		Responses: map[string]*RouteResponse{"$default": {Key: "$default"}},
		Integration: &DeployedIntegration{Integration: Integration{Type: "MOCK"},
			Responses: map[string]*IntegrationResponse{"$default": {Key: "$default", ResponseTemplates: map[string]string{"$default": `{"pong":true}`}}}},
	}}
	f := newWSFixture(t, st)
	c, _, err := f.dial(t, "", nil)
	must(t, err)
	must(t, c.Write(context.Background(), websocket.MessageText, []byte("ping")))
	if got := readMsg(t, c); got != `{"pong":true}` {
		t.Fatalf("mock reply %q", got)
	}
}

func TestWSPerConnectionOrder(t *testing.T) {
	f := newWSFixture(t, chatStage())
	var mu sync.Mutex
	var seen []string
	f.inv.reply = func(fn string, payload []byte) (cloud.InvokeResult, error) {
		if fn == fnARN("default") {
			var ev events.APIGatewayWebsocketProxyRequest
			_ = json.Unmarshal(payload, &ev)
			time.Sleep(time.Millisecond)
			mu.Lock()
			seen = append(seen, ev.Body)
			mu.Unlock()
		}
		return cloud.InvokeResult{}, nil
	}
	c, _ := f.mustDial(t, "")
	for i := range 50 {
		must(t, c.Write(context.Background(), websocket.MessageText, []byte(fmt.Sprint(i))))
	}
	for range 50 {
		f.inv.wait(t, fnARN("default"))
	}
	mu.Lock()
	defer mu.Unlock()
	for i, s := range seen {
		if s != fmt.Sprint(i) {
			t.Fatalf("order: %v", seen)
		}
	}
}

func TestWSKilledClientDisconnects(t *testing.T) {
	f := newWSFixture(t, chatStage())
	addr := strings.TrimPrefix(f.url, "http://")
	host, path, _ := strings.Cut(addr, "/")
	nc, err := net.Dial("tcp", host)
	must(t, err)
	fmt.Fprintf(nc, "GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path, host)
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	nc.Close() // the client process dies: no close frame
	f.inv.wait(t, fnARN("disconnect"))
	var ev events.APIGatewayWebsocketProxyRequest
	must(t, json.Unmarshal(f.inv.got(fnARN("disconnect"))[0], &ev))
	if ev.RequestContext.DisconnectStatusCode != 1006 {
		t.Fatalf("disconnect status %d, want 1006", ev.RequestContext.DisconnectStatusCode)
	}
	if f.plane.hub.Len() != 0 {
		t.Fatal("killed connection still registered")
	}
}

func TestWSConnectIAM(t *testing.T) {
	st := chatStage()
	st.Routes[RouteConnect].AuthorizationType = "AWS_IAM"
	f := newWSFixture(t, st)
	_, resp, err := f.dial(t, "", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned: %v %v", resp, err)
	}
	hdr := http.Header{
		"Authorization": {"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd"},
		"X-Amz-Date":    {"20260101T000000Z"},
	}
	if _, _, err := f.dial(t, "", hdr); err != nil {
		t.Fatalf("signed (not strict): %v", err)
	}
}

func TestWSDeletedAPIClosesOnNextMessage(t *testing.T) {
	f := newWSFixture(t, chatStage())
	c, _ := f.mustDial(t, "")
	f.mu.Lock()
	f.stage = nil
	f.mu.Unlock()
	must(t, c.Write(context.Background(), websocket.MessageText, []byte(`{"action":"echo"}`)))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("want 1001, got %v", err)
	}
}

func TestWSEndpointDisabled(t *testing.T) {
	st := chatStage()
	st.EndpointDisabled = true
	f := newWSFixture(t, st)
	if _, resp, err := f.dial(t, "", nil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upgrade on a disabled endpoint: %v %v", resp, err)
	}
	resp, err := http.Post(f.url+"/@connections/abc%3D", "text/plain", strings.NewReader("x"))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("@connections on a disabled endpoint: %d", resp.StatusCode)
	}
}

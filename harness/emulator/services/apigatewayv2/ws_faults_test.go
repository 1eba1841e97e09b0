package apigatewayv2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// fakeFaults is the fault rules of a test: a hit per API or connection id.
type fakeFaults struct {
	mu    sync.Mutex
	hits  map[string]*cloud.FaultHit
	asked atomic.Int64
}

func (f *fakeFaults) Fault(plane, service, region string, names ...string) *cloud.FaultHit {
	f.asked.Add(1)
	if plane != cloud.PlaneWebSocket || service != "apigatewayv2" || region != "us-east-1" {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range names {
		if h := f.hits[n]; h != nil {
			return h
		}
	}
	return nil
}

func (f *fakeFaults) Dropped(plane, service, region string, names ...string) bool {
	h := f.Fault(plane, service, region, names...)
	return h != nil && h.Drop
}

func (f *fakeFaults) set(name string, h *cloud.FaultHit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h == nil {
		delete(f.hits, name)
		return
	}
	f.hits[name] = h
}

// withFaults gives f fault rules, and functions that answer the event
// they got as the body.
func withFaults(f *wsFixture) *fakeFaults {
	f.inv.reply = func(_ string, payload []byte) (cloud.InvokeResult, error) {
		body, _ := json.Marshal(string(payload))
		return cloud.InvokeResult{Payload: []byte(`{"statusCode":200,"body":` + string(body) + `}`)}, nil
	}
	ff := &fakeFaults{hits: map[string]*cloud.FaultHit{}}
	f.plane.env.Links.Set(cloud.LinkFaultPlanes, cloud.FaultPlanes(ff))
	return ff
}

// wantDropped reads c until it fails and checks the server sent no close
// frame: the client sees the TCP connection end (an abnormal closure).
func wantDropped(t *testing.T, c *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue // a frame sent before the drop
		}
		if ctx.Err() != nil {
			t.Fatal("the connection was not dropped")
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			t.Fatalf("closed with a close frame %d %q, want the connection cut", ce.Code, ce.Reason)
		}
		return
	}
}

// disconnectOf waits for the $disconnect of connection id and returns it.
func (f *wsFixture) disconnectOf(t *testing.T, id string) events.APIGatewayWebsocketProxyRequestContext {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, raw := range f.inv.got(fnARN("disconnect")) {
			var ev events.APIGatewayWebsocketProxyRequest
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			must(t, dec.Decode(&ev))
			if ev.RequestContext.ConnectionID == id {
				return ev.RequestContext
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no $disconnect for %s", id)
	return events.APIGatewayWebsocketProxyRequestContext{}
}

func echo(t *testing.T, c *websocket.Conn, data string) string {
	t.Helper()
	must(t, c.Write(context.Background(), websocket.MessageText, []byte(`{"action":"echo","data":"`+data+`"}`)))
	return readMsg(t, c)
}

// A drop on one connection cuts it, idle as it is, runs its $disconnect
// with 1006, and leaves the others alone.
func TestWSFaultDropCutsAnIdleConnection(t *testing.T) {
	f := newWSFixture(t, chatStage())
	ff := withFaults(f)
	victim, victimID := f.mustDial(t, "")
	other, _ := f.mustDial(t, "")
	ff.set(victimID, &cloud.FaultHit{Rule: "r1", Drop: true})
	wantDropped(t, victim)
	if rc := f.disconnectOf(t, victimID); rc.DisconnectStatusCode != 1006 || rc.EventType != "DISCONNECT" {
		t.Fatalf("$disconnect %+v", rc)
	}
	if got := echo(t, other, "still here"); !strings.Contains(got, "still here") {
		t.Fatal("the other connection got no reply")
	}
}

// A drop on the API: a message is lost with its connection (its route
// never runs), new connections are refused before $connect, and once the
// rule ends connections are served again.
func TestWSFaultDropOnTheAPI(t *testing.T) {
	f := newWSFixture(t, chatStage())
	ff := withFaults(f)
	c, id := f.mustDial(t, "")
	ff.set("api1", &cloud.FaultHit{Rule: "r1", Drop: true})
	_ = c.Write(context.Background(), websocket.MessageText, []byte(`{"action":"echo"}`))
	wantDropped(t, c)
	if rc := f.disconnectOf(t, id); rc.DisconnectStatusCode != 1006 {
		t.Fatalf("$disconnect %+v", rc)
	}
	if n := len(f.inv.got(fnARN("echo"))); n != 0 {
		t.Fatalf("the lost message ran its route %d times", n)
	}

	connects := len(f.inv.got(fnARN("connect")))
	if nc, resp, err := f.dial(t, "", nil); err == nil {
		nc.CloseNow()
		t.Fatal("a connection was accepted during the drop")
	} else if resp != nil {
		t.Fatalf("refused with an answer %d, want none", resp.StatusCode)
	}
	if n := len(f.inv.got(fnARN("connect"))); n != connects {
		t.Fatal("$connect ran for a refused connection")
	}

	ff.set("api1", nil)
	back, _ := f.mustDial(t, "")
	if got := echo(t, back, "back"); !strings.Contains(got, `"routeKey":"echo"`) {
		t.Fatalf("after the drop: %s", got)
	}
}

// A delay holds the answers sent to a connection; they still arrive.
func TestWSFaultLatencyDelaysSends(t *testing.T) {
	f := newWSFixture(t, chatStage())
	ff := withFaults(f)
	f.inv.reply = func(string, []byte) (cloud.InvokeResult, error) {
		return cloud.InvokeResult{Payload: []byte(`{"statusCode":200,"body":"pong"}`)}, nil
	}
	c, id := f.mustDial(t, "")
	ff.set(id, &cloud.FaultHit{Rule: "slow", Delay: 20 * time.Millisecond})
	asked := ff.asked.Load()
	if got := echo(t, c, "x"); got != "pong" {
		t.Fatalf("route response %q", got)
	}
	resp, err := http.Post(f.url+"/@connections/"+strings.ReplaceAll(id, "=", "%3D"), "application/octet-stream", strings.NewReader("posted"))
	must(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	if got := readMsg(t, c); got != "posted" {
		t.Fatalf("posted %q", got)
	}
	if ff.asked.Load() < asked+2 {
		t.Fatal("the sends did not ask the fault rules")
	}
}

// A drop met by an @connections post: the connection is cut and the post
// answers 410 GoneException.
func TestWSFaultDropOnPost(t *testing.T) {
	f := newWSFixture(t, chatStage())
	ff := withFaults(f)
	c, id := f.mustDial(t, "")
	// the post's own check decides; the watcher may cut it first (410 too)
	ff.set(id, &cloud.FaultHit{Rule: "r1", Drop: true})
	resp, err := http.Post(f.url+"/@connections/"+strings.ReplaceAll(id, "=", "%3D"), "application/octet-stream", strings.NewReader("lost"))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 410 || resp.Header.Get("X-Amzn-Errortype") != "GoneException" {
		t.Fatalf("post during the drop: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
	wantDropped(t, c)
	if rc := f.disconnectOf(t, id); rc.DisconnectStatusCode != 1006 {
		t.Fatalf("$disconnect %+v", rc)
	}
}

// With no rule nothing changes, and without connections no watcher runs.
func TestWSFaultWatcherStopsWithTheLastConnection(t *testing.T) {
	f := newWSFixture(t, chatStage())
	withFaults(f)
	c, _ := f.mustDial(t, "")
	if !f.plane.watching.Load() {
		t.Fatal("no watcher with a connection open")
	}
	c.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(20 * time.Second)
	for f.plane.watching.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the watcher outlived the connections")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package apigatewayv2_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func faultRules(t *testing.T, base, method, body string) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/_groundstack/faults", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s faults: %d %s", method, resp.StatusCode, b)
	}
}

// The rule as a user writes it: the API's connections are cut and new
// ones refused until DELETE, then served again.
func TestWebSocketDropRuleThroughTheEdge(t *testing.T) {
	a := startWSAPI(t)
	c, _, err := a.dial(t, a.pathURL)
	if err != nil {
		t.Fatal(err)
	}
	echoEvent(t, c, `{"action":"echo"}`)
	faultRules(t, a.e.URL(), "POST", `{"target":"websocket","service":"apigatewayv2","resource":"`+a.id+`","drop":true}`)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, _, err = c.Read(ctx)
	var ce websocket.CloseError
	if err == nil || ctx.Err() != nil || errors.As(err, &ce) {
		t.Fatalf("read during the drop: %v, want the connection cut without a close frame", err)
	}
	if nc, resp, err := a.dial(t, a.pathURL); err == nil {
		nc.CloseNow()
		t.Fatal("a connection was accepted during the drop")
	} else if resp != nil {
		t.Fatalf("refused with an answer %d, want none", resp.StatusCode)
	}

	faultRules(t, a.e.URL(), "DELETE", "")
	back, _, err := a.dial(t, a.pathURL)
	if err != nil {
		t.Fatalf("after DELETE: %v", err)
	}
	if ev := echoEvent(t, back, `{"action":"echo"}`); ev.RequestContext.RouteKey != "echo" {
		t.Fatalf("after DELETE: %+v", ev.RequestContext)
	}
}

package wsconn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// recorder is a Handler that echoes messages and records disconnects.
type recorder struct {
	mu      sync.Mutex
	msgs    []string
	gone    chan [2]any
	handled atomic.Int64
	slow    time.Duration
}

func newRecorder() *recorder { return &recorder{gone: make(chan [2]any, 16)} }

func (r *recorder) Message(c *Conn, data []byte, binary bool) {
	if r.slow > 0 {
		time.Sleep(r.slow)
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, string(data))
	r.mu.Unlock()
	r.handled.Add(1)
	_ = c.Send(context.Background(), append([]byte("echo:"), data...))
}

func (r *recorder) Disconnected(c *Conn, code int, reason string) { r.gone <- [2]any{code, reason} }

func (r *recorder) waitGone(t *testing.T) (int, string) {
	t.Helper()
	select {
	case g := <-r.gone:
		return g[0].(int), g[1].(string)
	case <-time.After(10 * time.Second):
		t.Fatal("no disconnect")
		return 0, ""
	}
}

var ids atomic.Int64

func serve(t *testing.T, h *Hub, rec *recorder) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := fmt.Sprint("c", ids.Add(1))
		if err := h.Serve(w, r, Info{ID: id, APIID: "api", Stage: "dev", ConnectedAt: time.Now()}, nil, rec); err != nil {
			t.Log("upgrade:", err)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func dial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func read(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMessagesInOrderAndCloseFrame(t *testing.T) {
	rec := newRecorder()
	h := New(Options{}, nil)
	c := dial(t, serve(t, h, rec))
	ctx := context.Background()
	for i := range 20 {
		if err := c.Write(ctx, websocket.MessageText, []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		if got, want := read(t, c), fmt.Sprint("echo:", i); got != want {
			t.Fatalf("reply %d = %q, want %q", i, got, want)
		}
	}
	if h.Len() != 1 {
		t.Fatalf("Len = %d", h.Len())
	}
	c.Close(websocket.StatusNormalClosure, "bye")
	code, reason := rec.waitGone(t)
	if code != StatusNormal || reason != "bye" {
		t.Fatalf("disconnect %d %q", code, reason)
	}
	if h.Len() != 0 {
		t.Fatalf("Len after close = %d", h.Len())
	}
}

func TestMessageTooBig(t *testing.T) {
	rec := newRecorder()
	h := New(Options{MaxMessage: 1024}, nil)
	c := dial(t, serve(t, h, rec))
	ctx := context.Background()
	if err := c.Write(ctx, websocket.MessageText, []byte(strings.Repeat("a", 1024))); err != nil {
		t.Fatal(err)
	}
	if got := read(t, c); len(got) != 1024+5 {
		t.Fatalf("1024 bytes refused: %d", len(got))
	}
	_ = c.Write(ctx, websocket.MessageText, []byte(strings.Repeat("a", 1025)))
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, _, err := c.Read(rctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusMessageTooBig || ce.Reason != ReasonTooBig {
		t.Fatalf("read after too big: %v", err)
	}
	if code, reason := rec.waitGone(t); code != StatusTooBig || reason != ReasonTooBig {
		t.Fatalf("disconnect %d %q", code, reason)
	}
}

func TestIdleTimeoutAndLifetime(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"idle", Options{IdleTimeout: 150 * time.Millisecond}},
		{"lifetime", Options{MaxLifetime: 150 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			h := New(tc.opts, nil)
			c := dial(t, serve(t, h, rec))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, _, err := c.Read(ctx)
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != ReasonGoingAway {
				t.Fatalf("read: %v", err)
			}
			if code, _ := rec.waitGone(t); code != StatusGoingAway {
				t.Fatalf("disconnect code %d", code)
			}
		})
	}
}

func TestIdleTimeoutPushedBackByMessages(t *testing.T) {
	rec := newRecorder()
	h := New(Options{IdleTimeout: 300 * time.Millisecond}, nil)
	c := dial(t, serve(t, h, rec))
	for range 6 {
		time.Sleep(100 * time.Millisecond)
		if err := c.Write(context.Background(), websocket.MessageText, []byte("x")); err != nil {
			t.Fatal(err)
		}
		read(t, c)
	}
	if h.Len() != 1 {
		t.Fatal("connection closed although active")
	}
}

// upgradeRaw performs the handshake over a raw TCP connection and returns
// it: the peer then never reads or answers anything.
func upgradeRaw(t *testing.T, url string) net.Conn {
	t.Helper()
	addr := strings.TrimPrefix(url, "ws://")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(nc, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	return nc
}

func TestKilledPeerDisconnects(t *testing.T) {
	rec := newRecorder()
	h := New(Options{}, nil)
	nc := upgradeRaw(t, serve(t, h, rec))
	nc.Close() // TCP gone, no close frame
	if code, _ := rec.waitGone(t); code != StatusAbnormal {
		t.Fatalf("disconnect code %d, want 1006", code)
	}
}

func TestSilentPeerLostByPing(t *testing.T) {
	rec := newRecorder()
	h := New(Options{PingInterval: 100 * time.Millisecond, PongTimeout: 100 * time.Millisecond}, nil)
	nc := upgradeRaw(t, serve(t, h, rec))
	defer nc.Close() // open, but never answers a ping
	if code, _ := rec.waitGone(t); code != StatusAbnormal {
		t.Fatalf("disconnect code %d, want 1006", code)
	}
}

func TestAnsweringPeerKeptByPing(t *testing.T) {
	rec := newRecorder()
	h := New(Options{PingInterval: 50 * time.Millisecond, PongTimeout: time.Second}, nil)
	c := dial(t, serve(t, h, rec))
	ctx := c.CloseRead(context.Background()) // the client reads (answers pings)
	time.Sleep(400 * time.Millisecond)
	if h.Len() != 1 || ctx.Err() != nil {
		t.Fatal("an answering peer was dropped")
	}
}

func TestSendToClosedIsGone(t *testing.T) {
	rec := newRecorder()
	h := New(Options{}, nil)
	c := dial(t, serve(t, h, rec))
	var conn *Conn
	for deadline := time.Now().Add(5 * time.Second); conn == nil && time.Now().Before(deadline); {
		h.mu.RLock()
		for _, x := range h.conns {
			conn = x
		}
		h.mu.RUnlock()
		time.Sleep(time.Millisecond)
	}
	if err := conn.Send(context.Background(), []byte{0xff, 0x00}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil || typ != websocket.MessageBinary || len(b) != 2 {
		t.Fatalf("binary send: %v %v %v", typ, b, err)
	}
	conn.Close(StatusNormal, "")
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("read after server close: %v", err)
	}
	rec.waitGone(t)
	if err := conn.Send(context.Background(), []byte("x")); !errors.Is(err, ErrGone) {
		t.Fatalf("send after close: %v", err)
	}
}

// A client that sends a frame in the same packet as its handshake must
// not lose it (it sits in net/http's buffer when the connection is
// hijacked).
func TestFrameRightAfterHandshake(t *testing.T) {
	rec := newRecorder()
	h := New(Options{}, nil)
	url := serve(t, h, rec)
	addr := strings.TrimPrefix(url, "ws://")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	frame := []byte{0x81, 0x85, 1, 2, 3, 4} // masked text "hello"
	for i, c := range []byte("hello") {
		frame = append(frame, c^frame[2+i%4])
	}
	req := fmt.Sprintf("GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	if _, err := nc.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); rec.handled.Load() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the early frame was lost")
		}
		time.Sleep(time.Millisecond)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.msgs[0] != "hello" {
		t.Fatalf("got %q", rec.msgs[0])
	}
}

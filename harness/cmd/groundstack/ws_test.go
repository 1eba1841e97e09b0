package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// syncBuffer is stdout written by the client's reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// chatServer refuses upgrades without ?token=ok (401) or with another
// (403, a JSON body like API Gateway's), echoes each text message with the
// X-Demo header's value in front, and closes normally on "bye", or with
// 1009 on "big".
func chatServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch tok := r.URL.Query().Get("token"); {
		case tok == "":
			http.Error(w, `{"message":"Unauthorized"}`, http.StatusUnauthorized)
			return
		case tok != "ok":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"Forbidden"}`))
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		prefix := r.Header.Get("X-Demo")
		for {
			_, msg, err := c.Read(r.Context())
			if err != nil {
				return
			}
			switch string(msg) {
			case "bye":
				c.Close(websocket.StatusNormalClosure, "")
				return
			case "big":
				c.Close(websocket.StatusMessageTooBig, "Message too big")
				return
			}
			if err := c.Write(r.Context(), websocket.MessageText, []byte(prefix+string(msg))); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func wsURL(srv *httptest.Server, query string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/chat" + query
}

func TestWSSendsLinesAndPrintsMessages(t *testing.T) {
	srv := chatServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut syncBuffer
	in := strings.NewReader("{\"action\":\"sendmessage\",\"data\":\"hi\"}\n\nsecond line\r\nbye\n")
	err := wsClient(ctx, []string{"--header", "X-Demo: echo:", "--linger", "1m", wsURL(srv, "?token=ok")}, in, &out, &errOut)
	if err != nil {
		t.Fatalf("ws: %v (stderr %s)", err, errOut.String())
	}
	if want := "echo:{\"action\":\"sendmessage\",\"data\":\"hi\"}\necho:second line\n"; out.String() != want {
		t.Fatalf("stdout %q, want %q", out.String(), want)
	}
	if !strings.Contains(errOut.String(), "connected to ") || !strings.Contains(errOut.String(), "token=…") || strings.Contains(errOut.String(), "token=ok") {
		t.Fatalf("stderr %q: want the URL with the token hidden", errOut.String())
	}
}

func TestWSReportsARefusedUpgradeAndAnAbnormalClose(t *testing.T) {
	srv := chatServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tc := range []struct {
		query, stdin, want string
	}{
		{"", "", "refused the upgrade: 401 Unauthorized"},
		{"?token=nope", "", `refused the upgrade: 403 Forbidden: {"message":"Forbidden"}`},
		{"?token=ok", "big\n", "closed the connection: 1009 Message too big"},
	} {
		var out, errOut syncBuffer
		err := wsClient(ctx, []string{"--linger", "1m", wsURL(srv, tc.query)}, strings.NewReader(tc.stdin), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.query+" "+tc.stdin, err, tc.want)
		}
	}
}

func TestWSBadArguments(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{
		nil,
		{"http://127.0.0.1:4566/x"},
		{"ws://a", "ws://b"},
		{"--header", "no-colon", "ws://a"},
	} {
		var out, errOut syncBuffer
		err := wsClient(ctx, args, strings.NewReader(""), &out, &errOut)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestWSLingersAfterStdinThenClosesNormally(t *testing.T) {
	closed := make(chan websocket.StatusCode, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		_, _, err = c.Read(r.Context())
		closed <- websocket.CloseStatus(err)
	}))
	defer srv.Close()
	var out, errOut syncBuffer
	if err := wsClient(context.Background(), []string{"--linger", "10ms", wsURL(srv, "")}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-closed:
		if code != websocket.StatusNormalClosure {
			t.Fatalf("closed with %d, want 1000", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server saw no close")
	}
}

package sns

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// The emulator never posts to the network: an endpoint off the loopback
// interface is refused at dial time (also when a name resolves there).
func TestDeliveryRefusesNonLoopback(t *testing.T) {
	s := New(cloud.DefaultEnv())
	defer s.Close()
	for _, ep := range []string{"http://192.0.2.1/hook", "http://[2001:db8::1]/hook", "http://10.0.0.1:8080/"} {
		err := s.out.once(httpJob{sub: SubscriptionView{Endpoint: ep}, env: envelope{Type: "Notification"}}, []byte("x"), false)
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Fatalf("%s: want a loopback refusal, got %v", ep, err)
		}
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	if err := s.out.once(httpJob{sub: SubscriptionView{Endpoint: srv.URL}, env: envelope{Type: "Notification"}}, []byte("x"), false); err != nil || hits.Load() != 1 {
		t.Fatalf("loopback delivery: %v (%d hits)", err, hits.Load())
	}
}

// Redirects are not followed: a loopback endpoint cannot bounce a delivery
// elsewhere.
func TestDeliveryDoesNotFollowRedirects(t *testing.T) {
	s := New(cloud.DefaultEnv())
	defer s.Close()
	srv := httptest.NewServer(http.RedirectHandler("http://192.0.2.1/", http.StatusFound))
	defer srv.Close()
	err := s.out.once(httpJob{sub: SubscriptionView{Endpoint: srv.URL}, env: envelope{Type: "Notification"}}, []byte("x"), false)
	if err == nil || !strings.Contains(err.Error(), "302") {
		t.Fatalf("want the redirect as a failure, got %v", err)
	}
}

// Close ends a delivery stuck on an endpoint that never answers, instead
// of waiting for the client's timeout.
func TestCloseEndsHangingDelivery(t *testing.T) {
	s := New(cloud.DefaultEnv())
	s.out.client.Timeout = 0 // only Close can end the request
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s.out.enqueue(httpJob{sub: SubscriptionView{Endpoint: srv.URL}, env: envelope{Type: "SubscriptionConfirmation"}})
	<-entered
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(60 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("Close waits for a hanging endpoint")
	}
}

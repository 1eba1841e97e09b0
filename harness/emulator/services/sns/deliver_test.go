package sns

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

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

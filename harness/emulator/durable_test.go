package emulator

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// TestDurableWriterAnswersUnavailableWhenARecordFails: a change that could
// not be logged is never answered as a success.
func TestDurableWriterAnswersUnavailableWhenARecordFails(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		persist.TrackerOf(r.Context()).Fail(errors.New("disk full"))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"ok":true}`))
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
	d := &durableWriter{ResponseWriter: rec, proto: awsproto.JSON10, newID: func() string { return "id" }}
	d.r = req.WithContext(d.tracker.Bind(req.Context()))
	h.ServeHTTP(d, d.r)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "ServiceUnavailable") || strings.Contains(rec.Body.String(), `"ok"`) {
		t.Fatalf("answered %d %s", rec.Code, rec.Body)
	}
}

// TestDurableWriterPassesAnswersThatLoggedNothing: a read pays nothing.
func TestDurableWriterPassesAnswersThatLoggedNothing(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	serveDurably(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
	}), rec, req, awsproto.JSON10, nil, func() string { return "id" })
	if rec.Code != http.StatusOK || rec.Body.String() != "hello" {
		t.Fatalf("answered %d %s", rec.Code, rec.Body)
	}
}

func TestChangesState(t *testing.T) {
	for _, c := range []struct {
		method, target, path string
		want                 bool
	}{
		{"POST", "AmazonSQS.SendMessage", "/", true},
		{"POST", "AmazonSQS.ListQueues", "/", false},
		{"POST", "secretsmanager.GetSecretValue", "/", false},
		{"GET", "", "/2015-03-31/functions", false},
		{"POST", "", "/2015-03-31/functions/f/invocations", false},
		{"DELETE", "", "/2015-03-31/functions/f", true},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		if c.target != "" {
			r.Header.Set("X-Amz-Target", c.target)
		}
		if got := changesState(r); got != c.want {
			t.Errorf("%s %s %s: %v, want %v", c.method, c.target, c.path, got, c.want)
		}
	}
}

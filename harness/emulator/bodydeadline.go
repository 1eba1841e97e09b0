package emulator

import (
	"io"
	"net/http"
	"time"
)

// A client that trickles a body (a byte now and then) would hold its
// connection and handler forever: ReadHeaderTimeout only covers the
// headers, and a whole-request ReadTimeout would cut honest large uploads.
// So each read of a body must make progress within an idle time, and the
// body as a whole must arrive at a minimum average rate after a grace
// period; past either, the read fails (the service answers as for any
// unreadable body) and the connection closes.

// bodyLimits bound how slowly a request body may arrive.
type bodyLimits struct {
	idle    time.Duration // longest wait for the next bytes
	grace   time.Duration // before the rate applies
	minRate int64         // bytes per second, on average, after grace
}

var defaultBodyLimits = bodyLimits{idle: 20 * time.Second, grace: 30 * time.Second, minRate: 1 << 10}

// withBodyDeadlines applies limits to every request body h reads.
func withBodyDeadlines(h http.Handler, limits bodyLimits) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			h.ServeHTTP(w, r)
			return
		}
		ctl := http.NewResponseController(w)
		b := &deadlineBody{ReadCloser: r.Body, ctl: ctl, limits: limits, start: time.Now()}
		r.Body = b
		h.ServeHTTP(w, r)
		// A body read to its end: the connection waits for its next request
		// under the server's idle timeout, not this body's last deadline. A
		// body left unread keeps the deadline, so the server's draining of
		// it cannot wait on a trickling client either.
		if b.done {
			_ = ctl.SetReadDeadline(time.Time{})
		}
	})
}

type deadlineBody struct {
	io.ReadCloser
	ctl    *http.ResponseController
	limits bodyLimits
	start  time.Time
	read   int64
	done   bool // read to EOF
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	now := time.Now()
	deadline := now.Add(b.limits.idle)
	// the time by which what was read so far is due at the minimum rate
	due := b.start.Add(b.limits.grace + time.Duration(b.read*int64(time.Second)/b.limits.minRate))
	if due.Before(deadline) {
		deadline = due
	}
	// Not every writer supports deadlines (httptest's recorder); then the
	// server's own timeouts are all there is.
	_ = b.ctl.SetReadDeadline(deadline)
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	b.done = b.done || err == io.EOF
	return n, err
}

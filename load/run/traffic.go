package run

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	ld "github.com/groundstack/groundstack/load/deliveries"
	"github.com/groundstack/groundstack/load/events"
	"github.com/groundstack/groundstack/load/freshness"
	"github.com/groundstack/groundstack/load/openloop"
	"github.com/groundstack/groundstack/load/profile"
	"github.com/groundstack/groundstack/load/report"
)

// traffic sends the deliveries flow's requests.
type traffic struct {
	rec              *report.Recorder
	writer, reader   *ld.Client
	writers, readers *sessions
	wcred            credentials
	gen              *ld.Generator
	probe            *freshness.Probe
	kinds            []string // by stream index
	ctx              context.Context
	// events are fed by the streams after the kinds: eventStreams maps
	// them to the traffic's paths
	events       *events.Traffic
	eventStreams []int
}

// fire sends one request of the stream ev belongs to and records it.
func (t *traffic) fire(ev openloop.Event) {
	if ev.Stream >= len(t.kinds) {
		t.events.Fire(t.ctx, t.eventStreams[ev.Stream-len(t.kinds)])
		return
	}
	kind := t.kinds[ev.Stream]
	t.rec.Due(kind, ev.Offset)
	t.rec.Started(kind, ev.Offset, ev.Late, ev.Started.Sub(ev.Intended))
	a := report.Answer{Kind: kind, Offset: ev.Offset, Intended: ev.Intended}
	var (
		r       ld.Response
		err     error
		orderID string
		written time.Time
		what    string
	)
	switch kind {
	case profile.Orders:
		// the order's timestamp is when it is sent; its place in the feed is
		// when the API received it (from the answer, below), not before
		written = time.Now().UTC()
		var body []byte
		orderID, body = t.gen.Next(written, courier())
		written = written.Truncate(time.Millisecond)
		what = "POST /registrar_pedido_entregado"
		r, err = t.writer.WithToken(t.writers.token(t.ctx)).PostOrder(t.ctx, body)
	case profile.Pedidos:
		what = "GET /pedidos"
		r, err = t.reader.WithToken(t.readers.token(t.ctx)).Do(t.ctx, "GET", fmt.Sprintf("/pedidos?limit=%d", dashboardPage), nil, nil)
	case profile.Metrics:
		what = "GET /metrics"
		r, err = t.reader.WithToken(t.readers.token(t.ctx)).Do(t.ctx, "GET", "/metrics", nil, nil)
	case profile.Logins:
		what = "POST /token"
		var body []byte
		body, err = loginBody(t.wcred)
		if err == nil {
			r, err = t.writer.Do(t.ctx, "POST", "/token", body, nil)
		}
	}
	a.At = time.Now()
	switch {
	case err != nil && t.ctx.Err() != nil:
		a.Canceled = true
	case err != nil:
		a.Err = what + ": " + transportReason(err)
	default:
		a.Status = r.Status
		a.At = r.At
		if r.Status/100 != 2 {
			a.Err = fmt.Sprintf("%s: HTTP %d: %s", what, r.Status, short(r.Body))
		} else if kind == profile.Orders {
			a.OrderID = orderID
			// the API lists orders by when it received them: its own clock,
			// so a skewed clock here cannot make the probe stop short
			if at, ok := ld.ReceivedAt(r.Body); ok {
				written = at
			}
		}
	}
	// the recorder must know the order before the probe can report it seen
	t.rec.Answered(a)
	if a.OrderID != "" {
		t.probe.Track(orderID, written, a.At)
	}
}

// sessions are logged-in tokens, used round-robin and renewed before
// they expire (each login is recorded as a "logins" request).
type sessions struct {
	c    *ld.Client
	cred credentials
	next atomic.Uint64
	all  []*session

	mu      sync.Mutex
	rec     *report.Recorder
	initial []report.Answer // logins made before the recorder started
}

type session struct {
	mu      sync.Mutex
	token   string
	renewAt time.Time
}

// sessionLogins is how many sessions log in at once at the start.
const sessionLogins = 4

// newSessions logs in n times, a few at a time.
func newSessions(ctx context.Context, c *ld.Client, cred credentials, n int) (*sessions, error) {
	s := &sessions{c: c, cred: cred}
	s.all = make([]*session, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, sessionLogins)
	var wg sync.WaitGroup
	for i := range n {
		s.all[i] = &session{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs <- s.login(ctx, s.all[i])
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// record starts recording logins into rec, the first ones included.
func (s *sessions) record(rec *report.Recorder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rec = rec
	for _, a := range s.initial {
		a.Intended, a.At = rec.Start(), rec.Start().Add(a.At.Sub(a.Intended))
		s.note(a)
	}
	s.initial = nil
}

// note records a login; before the recorder starts it is kept.
func (s *sessions) note(a report.Answer) {
	if s.rec == nil {
		s.initial = append(s.initial, a)
		return
	}
	a.Offset = max(a.Intended.Sub(s.rec.Start()), 0)
	s.rec.Due(profile.Logins, a.Offset)
	s.rec.Started(profile.Logins, a.Offset, false, 0)
	s.rec.Answered(a)
}

// login renews one session, recording the request.
func (s *sessions) login(ctx context.Context, ss *session) error {
	start := time.Now()
	tok, expires, err := login(ctx, s.c, s.cred)
	a := report.Answer{Kind: profile.Logins, Intended: start, At: time.Now(), Status: 200}
	if err != nil {
		a.Status, a.Err = 0, err.Error()
	}
	s.mu.Lock()
	s.note(a)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	ss.token, ss.renewAt = tok, time.Now().Add(expires-tokenRenewal)
	return nil
}

// token returns a session's token, renewing it when it is about to expire
// (a failed renewal keeps the old token: the requests then show why).
func (s *sessions) token(ctx context.Context) string {
	ss := s.all[s.next.Add(1)%uint64(len(s.all))]
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if time.Now().After(ss.renewAt) {
		_ = s.login(ctx, ss)
	}
	return ss.token
}

func loginBody(c credentials) ([]byte, error) {
	return json.Marshal(map[string]string{"username": c.user, "password": c.password})
}

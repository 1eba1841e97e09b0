// Package freshness measures how long an accepted write takes to show on a
// read path: a write is accepted when its API call returns 2xx, fresh when a
// read of the path users see first reflects it. Probes poll at most 100 ms
// apart and record every write's freshness in an HDR histogram, with misses
// (seen after the budget) and lost writes (never seen before the
// deadline). It knows no flow and no cloud: the read path is a function.
package freshness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Defaults of Options, from the flows' requirements.
const (
	DefaultInterval    = 100 * time.Millisecond
	MaxInterval        = 100 * time.Millisecond
	DefaultBudget      = 10 * time.Second
	DefaultMaxInFlight = 4
	// histogram range: 1 µs to 1 h at 3 significant digits
	histMin, histMax = 1, int64(time.Hour / time.Microsecond)
)

// View is what one read of the read path showed.
type View interface {
	// Contains reports whether the read reflected the write id.
	Contains(id string) bool
}

// IDs is a View listing write IDs.
type IDs map[string]struct{}

// Contains implements View.
func (s IDs) Contains(id string) bool { _, ok := s[id]; return ok }

// ReadPath reads the path users see once (GET /pedidos, the dashboard).
type ReadPath func(ctx context.Context) (View, error)

// SinceReadPath reads the path users see once, deep enough to show every
// write whose position (its written time) is at or after since: a feed
// listed newest first need not be read past the oldest pending write.
type SinceReadPath func(ctx context.Context, since time.Time) (View, error)

// Options tune a probe.
type Options struct {
	// Interval is the time between the starts of two reads: at most
	// 100 ms (default 100 ms).
	Interval time.Duration
	// Budget is the freshness every write must meet (default 10 s).
	Budget time.Duration
	// Deadline is how long after acceptance a write may still be seen; one
	// not seen by then is lost (default 2 × Budget).
	Deadline time.Duration
	// MaxInFlight bounds concurrent reads, so a slow read path does not
	// stretch the polling interval (default 4).
	MaxInFlight int
	// IntendedRate is the write rate the generator aimed at (writes/s),
	// copied into the report.
	IntendedRate float64
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnSeen, when set, is told each write's freshness as it is seen, and
	// OnLost each write that expires unseen (for time series and per-step
	// figures); both are called with the probe's lock held and must not
	// call back into the probe.
	OnSeen func(id string, accepted time.Time, freshness time.Duration)
	OnLost func(id string, accepted time.Time)
}

// Probe follows accepted writes until each is seen or lost.
type Probe struct {
	read SinceReadPath
	o    Options
	sem  chan struct{}

	mu        sync.Mutex
	pending   map[string]write
	hist      *hdrhistogram.Histogram
	seen      int64
	misses    int64
	lost      int64
	lostIDs   []string
	accepted  int64
	failed    int64
	reads     int64
	readErrs  int64
	lastErr   error
	firstAcc  time.Time
	lastAcc   time.Time
	lastStart time.Time
	maxGap    time.Duration
	started   time.Time

	stop    context.CancelFunc
	running sync.WaitGroup
}

// write is a pending write: when it was accepted and where it sits in the
// read path.
type write struct{ accepted, written time.Time }

// New returns a probe over read; Start polls in the background, or call
// Poll yourself.
func New(read ReadPath, o Options) (*Probe, error) {
	return NewSince(func(ctx context.Context, _ time.Time) (View, error) { return read(ctx) }, o)
}

// NewSince returns a probe over a read path that is told, at every read,
// the written time of the oldest pending write (see Track).
func NewSince(read SinceReadPath, o Options) (*Probe, error) {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Interval > MaxInterval {
		return nil, fmt.Errorf("freshness: interval %v is above %v", o.Interval, MaxInterval)
	}
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	if o.Deadline <= 0 {
		o.Deadline = 2 * o.Budget
	}
	if o.Deadline < o.Budget {
		return nil, errors.New("freshness: the deadline is shorter than the budget")
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Probe{
		read: read, o: o, sem: make(chan struct{}, o.MaxInFlight),
		pending: map[string]write{}, hist: hdrhistogram.New(histMin, histMax, 3),
		started: o.Now(),
	}, nil
}

// Accepted records that write id was acknowledged (2xx) at at.
func (p *Probe) Accepted(id string, at time.Time) { p.Track(id, at, at) }

// Track records that write id, positioned in the read path at written
// (e.g. an order's timestamp), was acknowledged at at.
func (p *Probe) Track(id string, written, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.pending[id]; dup {
		return
	}
	p.pending[id] = write{accepted: at, written: written}
	p.accepted++
	if p.firstAcc.IsZero() || at.Before(p.firstAcc) {
		p.firstAcc = at
	}
	if at.After(p.lastAcc) {
		p.lastAcc = at
	}
}

// Failed records a write that was not acknowledged (it is not followed).
func (p *Probe) Failed() {
	p.mu.Lock()
	p.failed++
	p.mu.Unlock()
}

// Pending is the number of accepted writes not seen yet.
func (p *Probe) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// Poll reads the path once and records every pending write it shows. A
// write counts as visible when the read returns (never earlier: the report
// may overstate freshness by one read's latency, never understate it).
func (p *Probe) Poll(ctx context.Context) error {
	start := p.o.Now()
	p.mu.Lock()
	if !p.lastStart.IsZero() {
		if gap := start.Sub(p.lastStart); gap > p.maxGap {
			p.maxGap = gap
		}
	}
	if start.After(p.lastStart) {
		p.lastStart = start
	}
	since := start
	for _, w := range p.pending {
		if w.written.Before(since) {
			since = w.written
		}
	}
	p.mu.Unlock()

	view, err := p.read(ctx, since)
	done := p.o.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil && ctx.Err() != nil {
		return err // stopped while reading: not a failure of the read path
	}
	p.reads++
	if err != nil {
		p.readErrs++
		p.lastErr = err
	} else {
		for id, w := range p.pending {
			if !view.Contains(id) {
				continue
			}
			d := max(done.Sub(w.accepted), 0)
			_ = p.hist.RecordValue(max(int64(d/time.Microsecond), histMin))
			p.seen++
			if d > p.o.Budget {
				p.misses++
			}
			delete(p.pending, id)
			if p.o.OnSeen != nil {
				p.o.OnSeen(id, w.accepted, d)
			}
		}
	}
	p.expire(done)
	return err
}

// expire moves writes past their deadline to lost.
func (p *Probe) expire(now time.Time) {
	for id, w := range p.pending {
		if now.Sub(w.accepted) > p.o.Deadline {
			p.lost++
			if len(p.lostIDs) < 20 {
				p.lostIDs = append(p.lostIDs, id)
			}
			delete(p.pending, id)
			if p.o.OnLost != nil {
				p.o.OnLost(id, w.accepted)
			}
		}
	}
}

// Start polls every Interval until Drain or ctx ends, with up to
// MaxInFlight reads at once (a tick with every slot busy is skipped and
// shows as a longer gap in the report).
func (p *Probe) Start(ctx context.Context) {
	ctx, p.stop = context.WithCancel(ctx)
	p.running.Add(1)
	go func() {
		defer p.running.Done()
		t := time.NewTicker(p.o.Interval)
		defer t.Stop()
		var reads sync.WaitGroup
		defer reads.Wait()
		for {
			select {
			case p.sem <- struct{}{}:
				reads.Add(1)
				go func() {
					defer reads.Done()
					defer func() { <-p.sem }()
					_ = p.Poll(ctx)
				}()
			default:
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Drain waits until every accepted write is seen or lost (or ctx ends),
// stops the background polling and returns the report.
func (p *Probe) Drain(ctx context.Context) Report {
	t := time.NewTicker(p.o.Interval)
	defer t.Stop()
wait:
	for {
		p.mu.Lock()
		p.expire(p.o.Now())
		left := len(p.pending)
		p.mu.Unlock()
		if left == 0 {
			break
		}
		select {
		case <-ctx.Done():
			break wait
		case <-t.C:
		}
	}
	if p.stop != nil {
		p.stop()
		p.running.Wait()
	}
	return p.Report()
}

// Report is a probe's result.
type Report struct {
	// Accepted writes (2xx), failed writes, and of the accepted: seen,
	// seen after the budget (misses), never seen (lost), still pending.
	Accepted, Failed, Seen, Misses, Lost, Pending int64
	// Freshness of the seen writes.
	P50, P90, P99, Max, Mean time.Duration
	Budget                   time.Duration
	// IntendedRate is Options.IntendedRate; AchievedRate is accepted
	// writes per second between the first and the last acceptance.
	IntendedRate, AchievedRate float64
	// Reads of the read path, failed reads, and the longest time between
	// two read starts.
	Reads, ReadErrors int64
	MaxReadGap        time.Duration
	LastReadError     string
	// LostIDs names up to 20 lost writes.
	LostIDs []string
	// Histogram holds every freshness in microseconds (for merging runs).
	Histogram *hdrhistogram.Histogram `json:"-"`
}

// Report returns the figures so far.
func (p *Probe) Report() Report {
	p.mu.Lock()
	defer p.mu.Unlock()
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	r := Report{
		Accepted: p.accepted, Failed: p.failed, Seen: p.seen, Misses: p.misses, Lost: p.lost,
		Pending: int64(len(p.pending)), Budget: p.o.Budget, IntendedRate: p.o.IntendedRate,
		Reads: p.reads, ReadErrors: p.readErrs, MaxReadGap: p.maxGap,
		LostIDs: append([]string(nil), p.lostIDs...), Histogram: hdrhistogram.Import(p.hist.Export()),
	}
	if p.seen > 0 {
		r.P50, r.P90, r.P99 = us(p.hist.ValueAtQuantile(50)), us(p.hist.ValueAtQuantile(90)), us(p.hist.ValueAtQuantile(99))
		r.Max, r.Mean = us(p.hist.Max()), time.Duration(p.hist.Mean()*float64(time.Microsecond))
	}
	if p.lastErr != nil {
		r.LastReadError = p.lastErr.Error()
	}
	if span := p.lastAcc.Sub(p.firstAcc); p.accepted > 1 && span > 0 {
		r.AchievedRate = float64(p.accepted-1) / span.Seconds()
	}
	return r
}

// OK reports whether every accepted write was seen within the budget.
func (r Report) OK() bool {
	return r.Lost == 0 && r.Misses == 0 && r.Pending == 0 && r.Seen == r.Accepted
}

// String is a one-paragraph summary.
func (r Report) String() string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	return fmt.Sprintf("%d accepted (%d failed), %d seen: freshness p50 %s, p90 %s, p99 %s, max %s (budget %v); %d misses, %d lost, %d pending; rate %.2f/s achieved vs %.2f/s intended; %d reads (%d failed), longest gap between reads %s",
		r.Accepted, r.Failed, r.Seen, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), r.Budget, r.Misses, r.Lost, r.Pending,
		r.AchievedRate, r.IntendedRate, r.Reads, r.ReadErrors, ms(r.MaxReadGap))
}

package report

import (
	"strconv"
	"sync"
	"time"

	"github.com/groundstack/groundstack/load/profile"
)

// Recorder builds a Result while a run goes: every request's fate, every
// order's freshness, by kind, by time bucket and by ramp step. It is safe
// for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	start  time.Time
	width  time.Duration
	ramp   *profile.Ramp
	kinds  map[string]*Kind
	bkts   []*Bucket
	steps  []*Step
	fresh  Freshness
	orders map[string]time.Duration // accepted order → intended offset, until seen or lost
	// per step: orders accepted, seen and lost
	stepSeen []int64
}

// NewRecorder starts a recorder for a run starting at start, with time
// buckets width wide; ramp (nil when the profile has none) names the steps
// orders are judged by.
func NewRecorder(start time.Time, width time.Duration, ramp *profile.Ramp) *Recorder {
	if width <= 0 {
		width = time.Second
	}
	return &Recorder{start: start, width: width, ramp: ramp, kinds: map[string]*Kind{},
		orders: map[string]time.Duration{}, fresh: Freshness{Hist: NewHist()}}
}

// Start is the run's start.
func (r *Recorder) Start() time.Time { return r.start }

func (r *Recorder) kind(k string) *Kind {
	x := r.kinds[k]
	if x == nil {
		x = newKind()
		r.kinds[k] = x
	}
	return x
}

func (r *Recorder) bucket(off time.Duration) *Bucket {
	i := max(int(off/r.width), 0)
	for len(r.bkts) <= i {
		r.bkts = append(r.bkts, newBucket((time.Duration(len(r.bkts)) * r.width).Seconds()))
	}
	return r.bkts[i]
}

// step is the ramp step of offset off, nil without a ramp.
func (r *Recorder) step(off time.Duration) *Step {
	if r.ramp == nil {
		return nil
	}
	i := r.ramp.StepAt(off)
	for len(r.steps) <= i {
		j := len(r.steps)
		every := r.ramp.Every.D()
		r.steps = append(r.steps, &Step{Index: j, From: (time.Duration(j) * every).Seconds(), To: (time.Duration(j+1) * every).Seconds(),
			RPS: r.ramp.StepRate(j), Orders: newKind(), FreshnessHist: NewHist()})
		r.stepSeen = append(r.stepSeen, 0)
	}
	return r.steps[i]
}

// Due records that a request of kind fell due at offset off.
func (r *Recorder) Due(kind string, off time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kind(kind).Intended++
	r.bucket(off).Intended[kind]++
	if kind == profile.Orders {
		if s := r.step(off); s != nil {
			s.Orders.Intended++
		}
	}
}

// Dropped records a request that was due at off and not sent.
func (r *Recorder) Dropped(kind string, off time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kind(kind).Dropped++
	r.bucket(off).Dropped++
	if kind == profile.Orders {
		if s := r.step(off); s != nil {
			s.Orders.Dropped++
		}
	}
}

// Started records a request sent delay after its intended time.
func (r *Recorder) Started(kind string, off time.Duration, late bool, delay time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.kind(kind)
	k.Sent++
	if late {
		k.Late++
	}
	k.MaxStartDelayMS = max(k.MaxStartDelayMS, ms(delay))
	if kind == profile.Orders {
		if s := r.step(off); s != nil {
			s.Orders.Sent++
			if late {
				s.Orders.Late++
			}
		}
	}
}

// Answer is how a request ended.
type Answer struct {
	Kind     string
	Offset   time.Duration // intended, from the start
	Intended time.Time
	At       time.Time // when the answer (or the error) came
	Status   int       // HTTP status; 0 for a transport error
	Err      string    // the error or the unexpected answer, for the report
	Canceled bool      // cut short by a stop: neither OK nor failed
	// OrderID of an accepted order, followed for freshness.
	OrderID string
}

// OK is a 2xx answer.
func (a Answer) OK() bool { return a.Status/100 == 2 && !a.Canceled }

// Answered records a request's end.
func (r *Recorder) Answered(a Answer) {
	lat := a.At.Sub(a.Intended)
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.kind(a.Kind)
	var s *Step
	if a.Kind == profile.Orders {
		s = r.step(a.Offset)
	}
	switch {
	case a.Canceled:
		k.Canceled++
		if s != nil {
			s.Orders.Canceled++
		}
		return
	case a.Status == 0:
		k.ByStatus["transport"]++
	default:
		k.ByStatus[strconv.Itoa(a.Status)]++
	}
	k.LatencyHist.Record(lat)
	b := r.bucket(a.Offset)
	b.latency(a.Kind).Record(lat)
	done := r.bucket(a.At.Sub(r.start))
	if s != nil {
		s.Orders.LatencyHist.Record(lat)
	}
	if a.OK() {
		k.OK++
		done.Achieved[a.Kind]++
		if s != nil {
			s.Orders.OK++
			// answers count in the step during which they arrive
			if in := r.step(a.At.Sub(r.start)); in != nil {
				in.Answered++
			}
		}
		if a.OrderID != "" {
			r.orders[a.OrderID] = a.Offset
			r.fresh.Accepted++
			if s != nil {
				s.Accepted++
			}
		}
		return
	}
	k.Failed++
	b.Failed[a.Kind]++
	if a.Err != "" {
		k.LastError = a.Err
	}
	if s != nil {
		s.Orders.Failed++
		if a.Err != "" {
			s.Orders.LastError = a.Err
		}
	}
}

// Seen records an accepted order's freshness (a freshness.Options.OnSeen).
func (r *Recorder) Seen(id string, _ time.Time, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	off, ok := r.orders[id]
	if !ok {
		return
	}
	delete(r.orders, id)
	r.fresh.Seen++
	r.fresh.Hist.Record(d)
	r.bucket(off).Freshness.Record(d)
	if s := r.step(off); s != nil {
		s.FreshnessHist.Record(d)
		r.stepSeen[s.Index]++
	}
}

// Lost records an accepted order never seen (a freshness.Options.OnLost).
func (r *Recorder) Lost(id string, _ time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	off, ok := r.orders[id]
	if !ok {
		return
	}
	delete(r.orders, id)
	r.fresh.Lost++
	r.bucket(off).Lost++
	if s := r.step(off); s != nil {
		s.Lost++
	}
}

// Live is the figures a progress display shows.
type Live struct {
	Elapsed time.Duration
	// 2xx orders per second over the last liveWindow complete buckets
	// (IntendedOrderSec likewise).
	OrdersPerSec float64
	// Over the run so far, computed as the report computes them: the last
	// live figures are the report's.
	LatencyP99       time.Duration // orders
	FreshnessP99     time.Duration
	Misses, Lost     int64
	Pending          int64
	Failed, Dropped  int64
	Sent, Intended   int64
	RampStep         int
	RampRPS          float64
	IntendedOrderSec float64
}

// liveWindow is how many buckets the live rates average over.
const liveWindow = 5

// Live returns the figures so far; budget decides what is a miss.
func (r *Recorder) Live(now time.Time, budget time.Duration) Live {
	r.mu.Lock()
	defer r.mu.Unlock()
	el := now.Sub(r.start)
	l := Live{Elapsed: el, FreshnessP99: r.fresh.Hist.Quantile(99), Lost: r.fresh.Lost, Pending: int64(len(r.orders))}
	if i := min(int(el/r.width)-1, len(r.bkts)-1); i >= 0 {
		// Rates over the last few whole buckets: one 1 s bucket of a
		// 2.4 orders/s profile holds 2 or 3 orders, never 2.4.
		var achieved, intended int64
		n := 0
		for j := i; j >= 0 && n < liveWindow; j-- {
			achieved += r.bkts[j].Achieved[profile.Orders]
			intended += r.bkts[j].Intended[profile.Orders]
			n++
		}
		l.OrdersPerSec = float64(achieved) / (float64(n) * r.width.Seconds())
		l.IntendedOrderSec = float64(intended) / (float64(n) * r.width.Seconds())
	}
	if k := r.kinds[profile.Orders]; k != nil {
		l.LatencyP99 = k.LatencyHist.Quantile(99)
	}
	l.Misses = countAbove(r.fresh.Hist, budget)
	for _, k := range r.kinds {
		l.Failed += k.Failed
		l.Dropped += k.Dropped
		l.Sent += k.Sent
		l.Intended += k.Intended
	}
	if r.ramp != nil {
		l.RampStep = r.ramp.StepAt(el)
		l.RampRPS = r.ramp.StepRate(l.RampStep)
	}
	return l
}

// StepNow returns a copy of ramp step i as it stands, with its orders
// still unseen as Unsettled (nil when there is no such step).
func (r *Recorder) StepNow(i int) *Step {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i < 0 || i >= len(r.steps) {
		return nil
	}
	s := *r.steps[i]
	o := *s.Orders
	o.LatencyHist = s.Orders.LatencyHist.Clone()
	s.Orders = &o
	s.FreshnessHist = s.FreshnessHist.Clone()
	s.Unsettled = s.Accepted - r.stepSeen[i] - s.Lost
	return &s
}

// Result returns what was recorded; elapsed is how long the run issued
// requests (steps and buckets past it are trimmed).
func (r *Recorder) Result(elapsed time.Duration) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := &Result{Started: r.start, Requests: map[string]*Kind{}, Series: Series{BucketSeconds: r.width.Seconds()}}
	for name, k := range r.kinds {
		c := *k
		c.ByStatus = map[string]int64{}
		for s, n := range k.ByStatus {
			c.ByStatus[s] = n
		}
		c.LatencyHist = k.LatencyHist.Clone()
		res.Requests[name] = &c
	}
	res.Freshness = r.fresh
	res.Freshness.Hist = r.fresh.Hist.Clone()
	res.Freshness.Pending = int64(len(r.orders))
	res.Series.Buckets = append(res.Series.Buckets, r.bkts...)
	if r.ramp != nil {
		res.Ramp = &Ramp{}
		for i, s := range r.steps {
			c := *s
			if c.From >= elapsed.Seconds() {
				break
			}
			c.To = min(c.To, elapsed.Seconds())
			c.Unsettled = c.Accepted - r.stepSeen[i] - c.Lost
			res.Ramp.Steps = append(res.Ramp.Steps, &c)
		}
	}
	return res
}

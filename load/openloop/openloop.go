package openloop

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultMaxInFlight = 10_000
	DefaultLateAfter   = 10 * time.Millisecond
	// idleCheck is how often a stream whose rate is 0 looks again.
	idleCheck = 10 * time.Millisecond
)

// Stream is one kind of request and its rate over time.
type Stream struct {
	Name string
	// Rate is requests per second at offset t from the start.
	Rate func(t time.Duration) float64
}

// Event is one intended request.
type Event struct {
	Stream int   // index in the streams given to Run
	Seq    int64 // 0, 1, … within its stream
	// Intended is when the request was due; Offset is Intended − start.
	Intended time.Time
	Offset   time.Duration
	// Started is when the request's goroutine began; Late is Started −
	// Intended > Options.LateAfter.
	Started time.Time
	Late    bool
}

// Options tune a run.
type Options struct {
	// MaxInFlight bounds requests under way; a request due while the bound
	// is reached is dropped (counted, never sent). Default 10,000.
	MaxInFlight int
	// LateAfter is how far after its intended time a request may start
	// before it counts as late (default 10 ms).
	LateAfter time.Duration
	// Fire sends one request; it runs in its own goroutine.
	Fire func(Event)
	// Dropped, when set, is told of each dropped request.
	Dropped func(Event)
	// Start is when offset 0 falls (default: when Run is called).
	Start time.Time
}

// StreamStats count one stream's requests.
type StreamStats struct {
	Name string
	// Intended requests fell due; Started were sent (Late of them late);
	// Dropped were not sent because MaxInFlight was reached.
	Intended, Started, Late, Dropped int64
	// MaxStartDelay is the longest Started − Intended.
	MaxStartDelay time.Duration
}

// Stats is what a run issued.
type Stats struct {
	Streams []StreamStats
	// Elapsed is from the start to the last due request (or the stop).
	Elapsed time.Duration
	// Stopped is true when ctx ended before the duration did.
	Stopped bool
}

type counters struct {
	intended, started, late, dropped atomic.Int64
	maxDelay                         atomic.Int64
}

// Run issues the streams' requests for d from now, each at its intended
// time, and returns when every request sent has returned. Cancelling ctx
// stops issuing (requests under way are left to finish: Fire decides how
// long they may take).
func Run(ctx context.Context, streams []Stream, d time.Duration, o Options) Stats {
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.LateAfter <= 0 {
		o.LateAfter = DefaultLateAfter
	}
	cs := make([]counters, len(streams))
	next := make([]time.Duration, len(streams)) // next due offset per stream
	seq := make([]int64, len(streams))
	for i := range streams {
		next[i] = firstDue(streams[i], d)
	}
	var inFlight atomic.Int64
	var wg sync.WaitGroup
	start := o.Start
	if start.IsZero() {
		start = time.Now()
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	stopped := false
	elapsed := time.Duration(0)

	emit := func(i int, off time.Duration) {
		ev := Event{Stream: i, Seq: seq[i], Intended: start.Add(off), Offset: off}
		seq[i]++
		c := &cs[i]
		c.intended.Add(1)
		if inFlight.Load() >= int64(o.MaxInFlight) {
			c.dropped.Add(1)
			if o.Dropped != nil {
				o.Dropped(ev)
			}
			return
		}
		inFlight.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer inFlight.Add(-1)
			ev.Started = time.Now()
			delay := ev.Started.Sub(ev.Intended)
			for {
				m := c.maxDelay.Load()
				if int64(delay) <= m || c.maxDelay.CompareAndSwap(m, int64(delay)) {
					break
				}
			}
			ev.Late = delay > o.LateAfter
			c.started.Add(1)
			if ev.Late {
				c.late.Add(1)
			}
			o.Fire(ev)
		}()
	}

	for {
		due := time.Duration(math.MaxInt64)
		for _, n := range next {
			due = min(due, n)
		}
		if due >= d {
			elapsed = d
			break
		}
		if wait := time.Until(start.Add(due)); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				stopped = true
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			stopped = true
		}
		if stopped {
			elapsed = time.Since(start)
			break
		}
		// every request due by now, across streams (catching up after a
		// stall sends them at once, each still timed from its due time)
		now := time.Since(start)
		for i, s := range streams {
			for next[i] <= now && next[i] < d {
				r := s.Rate(next[i])
				if r <= 0 {
					next[i] += idleCheck
					continue
				}
				emit(i, next[i])
				next[i] = advance(s, next[i], r)
			}
		}
	}
	wg.Wait()
	st := Stats{Elapsed: elapsed, Stopped: stopped}
	for i, s := range streams {
		c := &cs[i]
		st.Streams = append(st.Streams, StreamStats{Name: s.Name, Intended: c.intended.Load(), Started: c.started.Load(),
			Late: c.late.Load(), Dropped: c.dropped.Load(), MaxStartDelay: time.Duration(c.maxDelay.Load())})
	}
	return st
}

// firstDue is a stream's first due offset: 0, or the first moment its rate
// is above 0 (looked for in idleCheck steps).
func firstDue(s Stream, d time.Duration) time.Duration {
	t := time.Duration(0)
	for t < d && s.Rate(t) <= 0 {
		t += idleCheck
	}
	return t
}

// advance is the due offset after one at t with rate r: one interval on,
// at the rate of the interval's midpoint so rising and falling rates are
// followed to second order.
func advance(s Stream, t time.Duration, r float64) time.Duration {
	// rounded up, so n intervals of 1/n s never fit n+1 requests in a second
	step := time.Duration(math.Ceil(float64(time.Second) / r))
	if mid := s.Rate(t + step/2); mid > 0 {
		step = time.Duration(math.Ceil(float64(time.Second) / mid))
	}
	return t + max(step, 1)
}

package events

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
	"github.com/groundstack/groundstack/load/report"
)

// Traffic is event traffic beside another load (groundstack load): every
// path set up and warmed as bench-events does, all at once; then fed one
// event at a time by the caller's open-loop scheduler, and counted at the
// end as bench-events counts a rate phase (report.EventPath per path).
type Traffic struct {
	o     Options
	env   *Env
	col   *Collector
	paths []*trafficPath
	// the folder forgets settled events (see Tally.Fold) until Finish
	stopFold context.CancelFunc
	folding  sync.WaitGroup
	// Close runs once; closeErr is its answer
	closeOnce sync.Once
	closeErr  error
}

// Retention is how long Traffic keeps an event in its book (twice the
// deadline): older ones are settled, counted and forgotten, so memory
// follows the event rate, not the run's length. A duplicate delivered
// later than that is counted as a stray, not a duplicate.
func (t *Traffic) Retention() time.Duration { return 2 * t.o.Deadline }

type trafficPath struct {
	p       Path
	status  string // StatusMeasured once warm
	reason  string
	tally   *Tally
	seq     atomic.Int64
	lastErr atomic.Value
}

// Fed is what the caller's scheduler did for one path: the events that
// fell due, how many of them started late or were dropped (too many in
// flight), and over how long it produced them.
type Fed struct {
	Intended, Late, Dropped int64
	Seconds                 float64
}

// StartTraffic starts a collector and sets up and warms every path of o
// (o.Idle, o.Rate and o.Duration are not used: the caller paces the
// events). A path that cannot be set up or delivers nothing in the warm-up
// is reported so, not fed; err is only for a run that cannot start (bad
// options, no collector). Close removes what it made.
func StartTraffic(ctx context.Context, o Options) (*Traffic, error) {
	o.defaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	paths := make([]Path, len(o.Paths))
	for i, name := range o.Paths {
		paths[i], _ = NewPath(name)
	}
	return startTraffic(ctx, o, paths)
}

func startTraffic(ctx context.Context, o Options, paths []Path) (*Traffic, error) {
	o.defaults()
	book := NewBook()
	col, err := StartCollector(book, o.CollectorListen, o.CollectorAdvertise)
	if err != nil {
		return nil, fmt.Errorf("start the event collector: %w", err)
	}
	t := &Traffic{o: o, col: col, env: &Env{Config: o.Config, Run: o.Run, Book: book, CollectorURL: col.URL(), Consumers: o.Consumers}}
	var wg sync.WaitGroup
	for _, p := range paths {
		tp := &trafficPath{p: p, tally: book.NewTally()}
		t.paths = append(t.paths, tp)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tp.status, tp.reason = prepare(ctx, o, t.env, p)
		}()
	}
	wg.Wait()
	fctx, stop := context.WithCancel(context.Background())
	t.stopFold = stop
	t.folding.Add(1)
	go t.fold(fctx)
	return t, nil
}

// fold settles events older than the retention every second.
func (t *Traffic) fold(ctx context.Context) {
	defer t.folding.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			for _, tp := range t.paths {
				tp.tally.Fold(now.Add(-t.Retention()))
			}
		}
	}
}

func (t *Traffic) stopFolding() {
	t.stopFold()
	t.folding.Wait()
}

// Paths are the paths, in the order of Options.Paths.
func (t *Traffic) Paths() []string {
	out := make([]string, len(t.paths))
	for i, p := range t.paths {
		out[i] = p.p.Name()
	}
	return out
}

// Ready reports whether path i delivered its warm-up event (only ready
// paths are fed; the others are reported with the reason).
func (t *Traffic) Ready(i int) bool { return t.paths[i].status == StatusMeasured }

// Fire produces one event on path i, returning when the producing call
// has answered.
func (t *Traffic) Fire(ctx context.Context, i int) {
	tp := t.paths[i]
	if tp.status != StatusMeasured {
		return
	}
	fire(ctx, t.o, tp.p, tp.tally, trace.ID(t.env.Run, tp.p.Name(), "l", tp.seq.Add(1)), &tp.lastErr)
}

// Finish waits until every accepted event is seen or its deadline has
// passed (or ctx ends), lets late duplicates arrive, and returns each
// path's figures; fed[i] is what the scheduler did for path i.
func (t *Traffic) Finish(ctx context.Context, fed []Fed) []*report.EventPath {
	t.stopFolding()
	var wg sync.WaitGroup
	for _, tp := range t.paths {
		if tp.status == StatusMeasured {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tp.tally.Wait(t.o.Deadline, ctx.Done())
			}()
		}
	}
	wg.Wait()
	sleepCtx(ctx, settle)
	out := make([]*report.EventPath, len(t.paths))
	for i, tp := range t.paths {
		e := &report.EventPath{Path: tp.p.Name(), Status: tp.status, Reason: tp.reason}
		var f Fed
		if i < len(fed) {
			f = fed[i]
		}
		if f.Seconds > 0 {
			e.IntendedRate = float64(f.Intended) / f.Seconds
		}
		e.Late, e.Dropped = f.Late, f.Dropped
		if last, _ := tp.lastErr.Load().(string); last != "" {
			e.LastError = last
		}
		if tp.status == StatusMeasured {
			tp.tally.Counts().into(e, f.Seconds)
		} else {
			e.Summarize()
		}
		out[i] = e
	}
	return out
}

// Strays is the number of sightings of events this traffic did not make.
func (t *Traffic) Strays() int64 { return t.env.Book.Strays() }

// Close removes every path's resources and stops the collector (once:
// later calls return the first one's answer).
func (t *Traffic) Close(ctx context.Context) error {
	t.closeOnce.Do(func() { t.closeErr = t.close(ctx) })
	return t.closeErr
}

func (t *Traffic) close(ctx context.Context) error {
	t.stopFolding()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(t.paths))
	for i, tp := range t.paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := tp.p.Close(cctx); err != nil {
				errs[i] = fmt.Errorf("%s: %w", tp.p.Name(), err)
			}
		}()
	}
	wg.Wait()
	cerr := t.col.Close()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return cerr
}

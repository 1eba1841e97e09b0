package freshness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a manual clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakePath is a read path over writes that become visible a fixed delay
// after they were stored (never, for delay < 0).
type fakePath struct {
	clock   func() time.Time
	mu      sync.Mutex
	visible map[string]time.Time
	fail    bool
	readFor time.Duration // the read itself takes this long (real time)
	reads   atomic.Int64
	active  atomic.Int64
	peak    atomic.Int64
}

func (f *fakePath) store(id string, delay time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.visible == nil {
		f.visible = map[string]time.Time{}
	}
	if delay >= 0 {
		f.visible[id] = f.clock().Add(delay)
	}
}

func (f *fakePath) read(ctx context.Context) (View, error) {
	n := f.active.Add(1)
	defer f.active.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	f.reads.Add(1)
	if f.readFor > 0 {
		time.Sleep(f.readFor)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, errors.New("read path down")
	}
	now := f.clock()
	ids := IDs{}
	for id, at := range f.visible {
		if !now.Before(at) {
			ids[id] = struct{}{}
		}
	}
	return ids, nil
}

func TestFreshnessMisesAndLost(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	path := &fakePath{clock: clock.now}
	p, err := New(path.read, Options{Budget: 10 * time.Second, Deadline: 20 * time.Second, Now: clock.now, IntendedRate: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Writes accepted one per second, visible after 0.3 s, 0.3 s, 12 s
	// (a miss) and never (lost).
	delays := []time.Duration{300 * time.Millisecond, 300 * time.Millisecond, 12 * time.Second, -1}
	// Poll every 100 ms of fake time for 30 s; one write is accepted at
	// each of the first four seconds.
	for i := range 300 {
		if w := i / 10; i%10 == 0 && w < len(delays) {
			id := fmt.Sprint("w", w)
			path.store(id, delays[w])
			p.Accepted(id, clock.now())
		}
		clock.add(50 * time.Millisecond)
		if err := p.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		clock.add(50 * time.Millisecond)
	}
	p.Failed()
	r := p.Report()
	if r.Accepted != 4 || r.Failed != 1 || r.Seen != 3 || r.Misses != 1 || r.Lost != 1 || r.Pending != 0 {
		t.Fatalf("counts: %+v", r)
	}
	if len(r.LostIDs) != 1 || r.LostIDs[0] != "w3" {
		t.Errorf("lost IDs %v", r.LostIDs)
	}
	// Polls fall 50 ms into each 100 ms step: a write visible 300 ms
	// after acceptance is first seen by the poll at 350 ms.
	if !near(r.P50, 350*time.Millisecond) || !near(r.Max, 12050*time.Millisecond) {
		t.Errorf("p50 %v, max %v", r.P50, r.Max)
	}
	if r.AchievedRate != 1 || r.IntendedRate != 1 {
		t.Errorf("rates %v / %v", r.AchievedRate, r.IntendedRate)
	}
	if r.MaxReadGap != 100*time.Millisecond || r.Reads != 300 {
		t.Errorf("reads %d, gap %v", r.Reads, r.MaxReadGap)
	}
	if r.OK() {
		t.Error("a report with a miss and a loss is OK")
	}
}

// near allows the histogram's 3 significant digits.
func near(got, want time.Duration) bool {
	d := got - want
	return d >= -want/500 && d <= want/500
}

func TestExactFreshness(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	path := &fakePath{clock: clock.now}
	p, _ := New(path.read, Options{Now: clock.now})
	path.store("a", 250*time.Millisecond)
	p.Accepted("a", clock.now())
	p.Accepted("a", clock.now().Add(time.Hour)) // a repeated stamp is ignored
	clock.add(200 * time.Millisecond)
	_ = p.Poll(context.Background())
	if p.Pending() != 1 {
		t.Fatal("seen before it was visible")
	}
	clock.add(100 * time.Millisecond)
	_ = p.Poll(context.Background())
	r := p.Report()
	if r.Seen != 1 || !near(r.Max, 300*time.Millisecond) || !near(r.P99, 300*time.Millisecond) || !r.OK() {
		t.Errorf("report %+v", r)
	}
}

func TestReadErrorsAreCountedNotFatal(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	path := &fakePath{clock: clock.now, fail: true}
	p, _ := New(path.read, Options{Now: clock.now})
	path.store("a", 0)
	p.Accepted("a", clock.now())
	for range 3 {
		_ = p.Poll(context.Background())
		clock.add(100 * time.Millisecond)
	}
	path.fail = false
	_ = p.Poll(context.Background())
	r := p.Report()
	if r.ReadErrors != 3 || r.Reads != 4 || r.Seen != 1 || r.LastReadError != "read path down" {
		t.Errorf("report %+v", r)
	}
	if !near(r.Max, 300*time.Millisecond) {
		t.Errorf("freshness %v: the failed reads must not count as seeing", r.Max)
	}
}

func TestOptions(t *testing.T) {
	read := func(context.Context) (View, error) { return IDs{}, nil }
	if _, err := New(read, Options{Interval: 250 * time.Millisecond}); err == nil {
		t.Error("a 250 ms interval was accepted")
	}
	if _, err := New(read, Options{Budget: 10 * time.Second, Deadline: time.Second}); err == nil {
		t.Error("a deadline below the budget was accepted")
	}
	p, _ := New(read, Options{})
	if p.o.Interval != 100*time.Millisecond || p.o.Budget != 10*time.Second || p.o.Deadline != 20*time.Second {
		t.Errorf("defaults %+v", p.o)
	}
}

// TestBackgroundPolling runs the real poller on the wall clock: a slow
// read path gets concurrent reads (bounded), every write is seen, and
// Drain returns once nothing is pending. Only counts are asserted.
func TestBackgroundPolling(t *testing.T) {
	path := &fakePath{clock: time.Now, readFor: 250 * time.Millisecond}
	p, _ := New(path.read, Options{Interval: 20 * time.Millisecond, MaxInFlight: 3, Budget: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.Start(ctx)
	for i := range 10 {
		id := fmt.Sprint("w", i)
		path.store(id, 0)
		p.Accepted(id, time.Now())
		time.Sleep(10 * time.Millisecond)
	}
	r := p.Drain(ctx)
	if r.Seen != 10 || r.Lost != 0 || r.Pending != 0 {
		t.Fatalf("report %+v", r)
	}
	if peak := path.peak.Load(); peak < 2 || peak > 3 {
		t.Errorf("peak concurrent reads %d, want 2..3", peak)
	}
	reads := path.reads.Load()
	time.Sleep(100 * time.Millisecond)
	if path.reads.Load() != reads {
		t.Error("polling continued after Drain")
	}
}

func TestDrainLosesWhatNeverShows(t *testing.T) {
	path := &fakePath{clock: time.Now}
	p, _ := New(path.read, Options{Interval: 10 * time.Millisecond, Budget: 50 * time.Millisecond, Deadline: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.Start(ctx)
	path.store("seen", 0)
	path.store("never", -1)
	p.Accepted("seen", time.Now())
	p.Accepted("never", time.Now())
	r := p.Drain(ctx)
	if r.Seen != 1 || r.Lost != 1 || r.LostIDs[0] != "never" || r.Pending != 0 {
		t.Errorf("report %+v", r)
	}
}

// TestSinceIsTheOldestPendingWrite checks that a SinceReadPath is told
// the written time of the oldest write still pending (the read's start
// when none is), and that callbacks see each write once.
func TestSinceIsTheOldestPendingWrite(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	base := clock.now()
	visible := IDs{}
	var sinces []time.Time
	read := func(_ context.Context, since time.Time) (View, error) {
		sinces = append(sinces, since)
		return visible, nil
	}
	var seen []string
	var lost []string
	p, err := NewSince(read, Options{Now: clock.now, Budget: time.Second, Deadline: 2 * time.Second,
		OnSeen: func(id string, _ time.Time, d time.Duration) { seen = append(seen, fmt.Sprint(id, " ", d)) },
		OnLost: func(id string, _ time.Time) { lost = append(lost, id) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_ = p.Poll(ctx) // nothing pending: since is now
	p.Track("old", base.Add(-5*time.Second), base)
	p.Track("new", base.Add(-1*time.Second), base)
	p.Track("never", base.Add(-3*time.Second), base)
	clock.add(100 * time.Millisecond)
	_ = p.Poll(ctx)
	visible["old"] = struct{}{}
	clock.add(100 * time.Millisecond)
	_ = p.Poll(ctx)
	visible["new"] = struct{}{}
	clock.add(100 * time.Millisecond)
	_ = p.Poll(ctx)
	clock.add(3 * time.Second)
	_ = p.Poll(ctx)
	want := []time.Time{base, base.Add(-5 * time.Second), base.Add(-5 * time.Second), base.Add(-3 * time.Second), base.Add(-3 * time.Second)}
	if len(sinces) != len(want) {
		t.Fatalf("%d reads, want %d", len(sinces), len(want))
	}
	for i := range want {
		if !sinces[i].Equal(want[i]) {
			t.Errorf("read %d: since %v, want %v", i, sinces[i].Sub(base), want[i].Sub(base))
		}
	}
	if fmt.Sprint(seen) != "[old 200ms new 300ms]" || fmt.Sprint(lost) != "[never]" {
		t.Errorf("seen %v, lost %v", seen, lost)
	}
	if r := p.Report(); r.Seen != 2 || r.Lost != 1 {
		t.Errorf("report %s", r)
	}
}

func TestReadsCutByStopAreNotErrors(t *testing.T) {
	read := func(ctx context.Context) (View, error) { <-ctx.Done(); return nil, ctx.Err() }
	p, _ := New(read, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Poll(ctx); err == nil {
		t.Fatal("no error from a cancelled read")
	}
	if r := p.Report(); r.Reads != 0 || r.ReadErrors != 0 {
		t.Errorf("a read cut by the stop counted: %+v", r)
	}
}

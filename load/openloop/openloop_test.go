package openloop

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"
)

func constant(r float64) func(time.Duration) float64 { return func(time.Duration) float64 { return r } }

// collect records every fired event.
type collect struct {
	mu  sync.Mutex
	evs []Event
}

func (c *collect) fire(ev Event) {
	c.mu.Lock()
	c.evs = append(c.evs, ev)
	c.mu.Unlock()
}

func (c *collect) offsets(stream int) []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for _, ev := range c.evs {
		if ev.Stream == stream {
			out = append(out, ev.Offset)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestIntendedTimesFollowTheRates(t *testing.T) {
	cases := []struct {
		name string
		rate func(time.Duration) float64
		d    time.Duration
		want int
	}{
		{"200/s for 0.5 s", constant(200), 500 * time.Millisecond, 100},
		{"0.2/s for 12 s would be 3, for 0.3 s is 1", constant(0.2), 300 * time.Millisecond, 1},
		{"zero", constant(0), 200 * time.Millisecond, 0},
		// 0 → 400/s linearly over 0.5 s: ∫ = 100 requests (±1 for the grid)
		{"linear ramp", func(t time.Duration) float64 { return 800 * t.Seconds() }, 500 * time.Millisecond, 100},
		{"step", func(t time.Duration) float64 {
			if t < 250*time.Millisecond {
				return 100
			}
			return 300
		}, 500 * time.Millisecond, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &collect{}
			st := Run(context.Background(), []Stream{{Name: "s", Rate: tc.rate}}, tc.d, Options{Fire: c.fire})
			got := len(c.offsets(0))
			if got < tc.want-1 || got > tc.want+1 {
				t.Errorf("%d requests, want %d", got, tc.want)
			}
			s := st.Streams[0]
			if s.Intended != int64(got) || s.Started != int64(got) || s.Dropped != 0 || st.Stopped || st.Elapsed != tc.d {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestOffsetsAreExactAndStreamsIndependent(t *testing.T) {
	c := &collect{}
	Run(context.Background(), []Stream{{"a", constant(100)}, {"b", constant(40)}}, 200*time.Millisecond, Options{Fire: c.fire})
	a, b := c.offsets(0), c.offsets(1)
	if len(a) != 20 || len(b) != 8 {
		t.Fatalf("%d and %d requests", len(a), len(b))
	}
	for i, off := range a {
		if off != time.Duration(i)*10*time.Millisecond {
			t.Errorf("a[%d] at %v", i, off)
		}
	}
	for i, off := range b {
		if off != time.Duration(i)*25*time.Millisecond {
			t.Errorf("b[%d] at %v", i, off)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ev := range c.evs {
		if !ev.Intended.Add(-ev.Offset).Equal(c.evs[0].Intended.Add(-c.evs[0].Offset)) || ev.Started.Before(ev.Intended) {
			t.Fatalf("event %+v", ev)
		}
	}
}

// TestSlowAnswersDoNotSlowTheSchedule: every request blocks until the run
// is over, and all are still sent (open loop), up to MaxInFlight; the rest
// are dropped and reported.
func TestSlowAnswersDoNotSlowTheSchedule(t *testing.T) {
	release := make(chan struct{})
	var dropped []int64
	var mu sync.Mutex
	done := make(chan Stats)
	go func() {
		done <- Run(context.Background(), []Stream{{"s", constant(100)}}, 300*time.Millisecond, Options{
			MaxInFlight: 10,
			Fire:        func(Event) { <-release },
			Dropped:     func(ev Event) { mu.Lock(); dropped = append(dropped, ev.Seq); mu.Unlock() },
		})
	}()
	time.Sleep(400 * time.Millisecond)
	close(release)
	st := <-done
	s := st.Streams[0]
	if s.Intended != 30 || s.Started != 10 || s.Dropped != 20 || len(dropped) != 20 || dropped[0] != 10 {
		t.Errorf("stats %+v, dropped %v", s, dropped)
	}
}

func TestCancelStopsIssuing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := &collect{}
	var once sync.Once
	st := Run(ctx, []Stream{{"s", constant(100)}}, time.Hour, Options{Fire: func(ev Event) {
		c.fire(ev)
		if ev.Seq == 4 {
			once.Do(cancel)
		}
	}})
	if !st.Stopped || st.Streams[0].Intended < 5 || st.Streams[0].Intended > 50 || st.Elapsed >= time.Hour {
		t.Errorf("stats %+v", st)
	}
	if int64(len(c.offsets(0))) != st.Streams[0].Started {
		t.Error("a started request was not fired")
	}
}

func TestLateStartsAreCounted(t *testing.T) {
	st := Run(context.Background(), []Stream{{"s", constant(100)}}, 100*time.Millisecond, Options{LateAfter: time.Nanosecond, Fire: func(Event) {}})
	if s := st.Streams[0]; s.Late != s.Started || s.MaxStartDelay <= 0 {
		t.Errorf("with a 1 ns allowance every start is late: %+v", s)
	}
	st = Run(context.Background(), []Stream{{"s", constant(100)}}, 100*time.Millisecond, Options{LateAfter: time.Hour, Fire: func(Event) {}})
	if s := st.Streams[0]; s.Late != 0 {
		t.Errorf("with a 1 h allowance none is late: %+v", s)
	}
}

package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/load/profile"
)

// lowRateRun is a baseline-like minute: an order every 5 s answered in
// 0.4–3 ms and fresh within 40–102 ms, a dashboard read every 2 s in
// under a millisecond.
func lowRateRun(t *testing.T) *Result {
	t.Helper()
	return lowRateResult(lowRateRecorder())
}

func lowRateRecorder() *Recorder {
	start := time.Unix(1_700_000_000, 0)
	rec := NewRecorder(start, time.Second, nil)
	n := 0
	for off := time.Duration(0); off < 60*time.Second; off += 5 * time.Second {
		lat := 400*time.Microsecond + time.Duration(n%4)*800*time.Microsecond
		id := "o" + string(rune('a'+n))
		rec.Due(profile.Orders, off)
		rec.Started(profile.Orders, off, false, 0)
		rec.Answered(Answer{Kind: profile.Orders, Offset: off, Intended: start.Add(off), At: start.Add(off + lat), Status: 201, OrderID: id})
		rec.Seen(id, start.Add(off+lat), 40*time.Millisecond+time.Duration(n%3)*31*time.Millisecond)
		n++
	}
	for off := time.Duration(0); off < 60*time.Second; off += 2 * time.Second {
		lat := 300*time.Microsecond + time.Duration(off/time.Second%3)*150*time.Microsecond
		rec.Due(profile.Pedidos, off)
		rec.Started(profile.Pedidos, off, false, 0)
		rec.Answered(Answer{Kind: profile.Pedidos, Offset: off, Intended: start.Add(off), At: start.Add(off + lat), Status: 200})
	}
	return rec
}

func lowRateResult(rec *Recorder) *Result {
	r := rec.Result(60 * time.Second)
	r.Profile = profile.Profile{Name: "baseline"}
	r.Status, r.Seconds = StatusComplete, 60
	r.Freshness.BudgetMS = 10000
	r.Finish(nil, StepRule{})
	return r
}

// The charts of a slow run: every value on the log axes (sub-millisecond
// ones too), and the freshness axis fitted to the data and the budget,
// not reaching 1,000 s when every value is under 0.11 s.
func TestChartsFitTheirData(t *testing.T) {
	r := lowRateRun(t)
	fresh, err := r.freshnessChart()
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Y.Min > 0.040 || fresh.Y.Max < 10 || fresh.Y.Max > 40 {
		t.Errorf("freshness axis %g…%g s; want the data (0.04…0.102 s) and the 10 s budget, little more", fresh.Y.Min, fresh.Y.Max)
	}
	lat, err := r.latencyChart()
	if err != nil {
		t.Fatal(err)
	}
	// the dashboard reads' p99 is under a millisecond: it must be drawn
	if lat.Y.Min > 0.0003 || lat.Y.Max > 0.1 {
		t.Errorf("latency axis %g…%g s; want 0.3 ms…3 ms inside, and no decades of empty room", lat.Y.Min, lat.Y.Max)
	}
	dir := os.Getenv("CHART_DIR") // to look at them
	if dir == "" {
		dir = t.TempDir()
	}
	files, err := r.WriteCharts(dir)
	if err != nil || len(files) != 3 {
		t.Fatalf("%v %v", files, err)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

// The live progress and the report compute p99 the same way: once the run
// is over, the live line says what the report says.
func TestLiveFiguresAreTheReports(t *testing.T) {
	rec := lowRateRecorder()
	l := rec.Live(rec.Start().Add(70*time.Second), 10*time.Second)
	r := lowRateResult(rec)
	o := r.Requests[profile.Orders].Latency
	if FormatDuration(l.LatencyP99) != fmtMS(o.P99) || FormatDuration(l.FreshnessP99) != fmtMS(r.Freshness.P99) {
		t.Errorf("live latency p99 %s, freshness p99 %s; report %s and %s", FormatDuration(l.LatencyP99), FormatDuration(l.FreshnessP99), fmtMS(o.P99), fmtMS(r.Freshness.P99))
	}
	if !strings.Contains(r.Line(), "latency p99 "+FormatDuration(l.LatencyP99)) || !strings.Contains(r.Line(), "p99 "+FormatDuration(l.FreshnessP99)) {
		t.Errorf("report line %q", r.Line())
	}
}

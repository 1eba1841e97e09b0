package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/load/profile"
)

func TestParseThreshold(t *testing.T) {
	good := []struct {
		in, metric, op string
		value          float64
	}{
		{"freshness.max<=10s", "freshness.max", "<=", 10},
		{" freshness.p99 <= 250ms ", "freshness.p99", "<=", 0.25},
		{"lost==0", "freshness.lost", "==", 0},
		{"errors<0.1%", "errors", "<", 0.001},
		{"errors < 0.002", "errors", "<", 0.002},
		{"latency.p99<1s", "orders.latency.p99", "<", 1},
		{"pedidos.latency.max<5s", "pedidos.latency.max", "<", 5},
		{"capacity>=500", "capacity", ">=", 500},
		{"capacity>=500/s", "capacity", ">=", 500},
		{"dropped!=3", "dropped", "!=", 3},
		{"rate.achieved>95%", "rate.achieved", ">", 0.95},
	}
	for _, tc := range good {
		th, err := ParseThreshold(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if th.Metric != tc.metric || th.Op != tc.op || th.Value != tc.value {
			t.Errorf("%q: %+v", tc.in, th)
		}
	}
	bad := []struct{ in, want string }{
		{"", "empty"},
		{"freshness.p99", "want metric op value"},
		{"<=2s", "want metric op value"},
		{"freshness.p98<=2s", `unknown metric "freshness.p98"`},
		{"freshness.p99<=2", "is not a duration"},
		{"errors<lots", "is not a percentage"},
		{"lost==none", "is not a number"},
		{"errors<NaN%", "is not a percentage"},
	}
	for _, tc := range bad {
		_, err := ParseThreshold(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
	ts, err := Thresholds(DefaultThresholds, []string{"freshness.p99<=1s", "capacity>=500"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Exprs(ts), " "); got != "freshness.max<=10s lost==0 errors<0.1% freshness.p99<=1s capacity>=500" {
		t.Errorf("combined: %s", got)
	}
}

func FuzzParseThreshold(f *testing.F) {
	for _, s := range append(DefaultThresholds, "capacity>=500/s", "x<", "a<=<=b", "errors<%") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			return
		}
		again, err := ParseThreshold(th.Expr)
		if err != nil || again.Metric != th.Metric || again.Op != th.Op || again.Value != th.Value {
			t.Fatalf("%q → %q → %+v %v", s, th.Expr, again, err)
		}
	})
}

func FuzzHistJSON(f *testing.F) {
	h := NewHist()
	h.Record(time.Millisecond)
	b, _ := json.Marshal(h)
	f.Add(b)
	f.Add([]byte(`"HISTFAAAACB4nJNpmSzMwMDAyQABzFCaEUwzAQAGGQCH"`))
	f.Add([]byte(`"AAAA"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var h Hist
		if json.Unmarshal(b, &h) != nil {
			return
		}
		_ = h.Quantile(99)
		_, _ = json.Marshal(&h)
	})
}

// synthetic records n orders at rate/s: latency 5–50 ms, freshness
// 50–500 ms (one in slowEvery at 12 s), one in lostEvery never seen,
// one in failEvery answered 500. keep picks which orders this recorder
// sees (for shards).
type synthetic struct {
	n, slowEvery, lostEvery, failEvery int
	rate                               float64
	seed                               uint64
}

func (s synthetic) record(rec *Recorder, keep func(i int) bool) {
	rng := rand.New(rand.NewPCG(s.seed, 1))
	start := rec.Start()
	for i := range s.n {
		lat := time.Duration(5+rng.IntN(45)) * time.Millisecond
		fresh := time.Duration(50+rng.IntN(450)) * time.Millisecond
		if !keep(i) {
			continue
		}
		off := time.Duration(float64(i) / s.rate * float64(time.Second))
		rec.Due(profile.Orders, off)
		rec.Started(profile.Orders, off, false, time.Millisecond)
		a := Answer{Kind: profile.Orders, Offset: off, Intended: start.Add(off), At: start.Add(off + lat), Status: 200, OrderID: fmt.Sprint("o", i)}
		if s.failEvery > 0 && i%s.failEvery == s.failEvery-1 {
			a.Status, a.OrderID, a.Err = 500, "", "HTTP 500"
		}
		rec.Answered(a)
		if a.Status != 200 {
			continue
		}
		switch {
		case s.lostEvery > 0 && i%s.lostEvery == s.lostEvery-1:
			rec.Lost(a.OrderID, a.At)
		case s.slowEvery > 0 && i%s.slowEvery == s.slowEvery-1:
			rec.Seen(a.OrderID, a.At, 12*time.Second)
		default:
			rec.Seen(a.OrderID, a.At, fresh)
		}
		if i%10 == 0 {
			rec.Due(profile.Metrics, off)
			rec.Started(profile.Metrics, off, true, 20*time.Millisecond)
			rec.Answered(Answer{Kind: profile.Metrics, Offset: off, Intended: start.Add(off), At: start.Add(off + 3*time.Millisecond), Status: 200})
		}
	}
}

func finished(rec *Recorder, d time.Duration, checks []Threshold) *Result {
	r := rec.Result(d)
	r.Profile = profile.Profile{Name: "test"}
	r.Status = StatusComplete
	r.Seconds = d.Seconds()
	r.Freshness.BudgetMS = 10000
	r.Finish(checks, StepRule{})
	return r
}

func TestRecorderFiguresAndThresholds(t *testing.T) {
	checks, _ := Thresholds(DefaultThresholds, nil)
	start := time.Unix(1_700_000_000, 0)
	rec := NewRecorder(start, time.Second, nil)
	synthetic{n: 1000, rate: 100, slowEvery: 250, lostEvery: 500, failEvery: 400, seed: 1}.record(rec, func(int) bool { return true })
	r := finished(rec, 10*time.Second, checks)
	o := r.Requests[profile.Orders]
	if o.Intended != 1000 || o.Sent != 1000 || o.OK != 998 || o.Failed != 2 || o.ByStatus["500"] != 2 || o.LastError != "HTTP 500" {
		t.Errorf("orders %+v", o)
	}
	f := r.Freshness
	// 998 accepted: o499 and o999 lost; o249, o749 (o999 is lost) slow
	if f.Accepted != 998 || f.Lost != 2 || f.Seen != 996 || f.Misses != 2 || f.Pending != 0 {
		t.Errorf("freshness %+v", f)
	}
	if f.Max < 11990 || f.Max > 12010 || f.P50 < 50 || f.P50 > 500 {
		t.Errorf("freshness summary %+v", f.Summary)
	}
	if r.Rates.IntendedOrders != 100 || r.Rates.AchievedOrders != 99.8 {
		t.Errorf("rates %+v", r.Rates)
	}
	if len(r.Series.Buckets) != 11 || r.Series.Buckets[0].Intended[profile.Orders] != 100 {
		t.Errorf("%d buckets, first %+v", len(r.Series.Buckets), r.Series.Buckets[0])
	}
	want := map[string]bool{"freshness.max<=10s": false, "freshness.p99<=2s": true, "lost==0": false, "errors<0.1%": false}
	for _, c := range r.Thresholds {
		if want[c.Expr] != c.OK {
			t.Errorf("%s: ok=%v observed %s", c.Expr, c.OK, c.Shown)
		}
	}
	if r.Passed || r.Requests[profile.Metrics].Late != 100 {
		t.Errorf("passed %v, metrics %+v", r.Passed, r.Requests[profile.Metrics])
	}
	line := r.Line()
	for _, s := range []string{"test: complete", "2 lost", "2 failed"} {
		if !strings.Contains(line, s) {
			t.Errorf("line %q lacks %q", line, s)
		}
	}
}

// TestMergeEqualsOneRun: two shards' results merged give the same figures,
// percentiles included, as one recorder that saw everything.
func TestMergeEqualsOneRun(t *testing.T) {
	checks, _ := Thresholds(DefaultThresholds, nil)
	s := synthetic{n: 3000, rate: 300, slowEvery: 700, lostEvery: 1100, seed: 7}
	start := time.Unix(1_700_000_000, 0)
	whole := NewRecorder(start, time.Second, nil)
	s.record(whole, func(int) bool { return true })
	want := finished(whole, 10*time.Second, checks)
	var parts []*Result
	dir := t.TempDir()
	var names []string
	for shard := range 2 {
		rec := NewRecorder(start.Add(time.Duration(shard)*time.Second), time.Second, nil)
		s.record(rec, func(i int) bool { return i%2 == shard })
		r := finished(rec, 10*time.Second, checks)
		r.Shard = fmt.Sprintf("%d/2", shard+1)
		// through the JSON file, as `groundstack load merge` reads them
		path := filepath.Join(dir, fmt.Sprintf("shard%d.json", shard))
		if err := r.WriteJSON(path); err != nil {
			t.Fatal(err)
		}
		back, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, back)
		names = append(names, path)
	}
	got, err := Merge(names, parts, checks, StepRule{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Freshness.Summary != want.Freshness.Summary || got.Freshness.Lost != want.Freshness.Lost || got.Freshness.Misses != want.Freshness.Misses {
		t.Errorf("freshness merged %+v, one run %+v", got.Freshness.Summary, want.Freshness.Summary)
	}
	g, w := got.Requests[profile.Orders], want.Requests[profile.Orders]
	if g.Latency != w.Latency || g.Intended != w.Intended || g.OK != w.OK {
		t.Errorf("orders merged %+v, one run %+v", g, w)
	}
	if got.Rates != want.Rates || len(got.MergedFrom) != 2 || !got.Started.Equal(start) {
		t.Errorf("rates %+v vs %+v; merged from %v; started %v", got.Rates, want.Rates, got.MergedFrom, got.Started)
	}
	for i := range want.Series.Buckets {
		if a, b := got.Series.Buckets[i].Freshness.Quantile(99), want.Series.Buckets[i].Freshness.Quantile(99); a != b {
			t.Errorf("bucket %d p99 %v vs %v", i, a, b)
		}
	}
	if _, err := Merge(names, []*Result{parts[0], parts[0]}, checks, StepRule{}); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("merging a shard with itself: %v", err)
	}
	other := *parts[1]
	other.Profile.Name = "other"
	if _, err := Merge(names, []*Result{parts[0], &other}, checks, StepRule{}); err == nil || !strings.Contains(err.Error(), "ran profile") {
		t.Errorf("merging two profiles: %v", err)
	}
}

func TestReadFileRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{"junk.json": "not json", "other.json": `{"tool":"k6"}`, "hist.json": `{"tool":"groundstack load","format":1,"freshness":{"hdr":"###"}}`}
	for name, body := range cases {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(body), 0o644)
		if _, err := ReadFile(path); err == nil {
			t.Errorf("%s read", name)
		}
	}
}

func TestJUnitOneCasePerThreshold(t *testing.T) {
	checks, _ := Thresholds(DefaultThresholds, nil)
	rec := NewRecorder(time.Unix(1_700_000_000, 0), time.Second, nil)
	synthetic{n: 100, rate: 50, lostEvery: 60, seed: 3}.record(rec, func(int) bool { return true })
	r := finished(rec, 2*time.Second, checks)
	r.Status = StatusInterrupted
	r.Error = "interrupted (Ctrl-C) at 2s"
	r.Finish(checks, StepRule{})
	b, err := r.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	s := doc.Suites[0]
	if s.Tests != 5 || s.Failures != 2 || len(s.Cases) != 5 {
		t.Fatalf("suite %+v", s)
	}
	if s.Cases[0].Name != "run completed" || s.Cases[0].Failure == nil || !strings.Contains(s.Cases[0].Failure.Message, "interrupted (Ctrl-C)") {
		t.Errorf("first case %+v", s.Cases[0])
	}
	for _, c := range s.Cases[1:] {
		if (c.Failure != nil) != (c.Name == "lost==0") {
			t.Errorf("case %s: failure %+v", c.Name, c.Failure)
		}
	}
}

func TestRampVerdicts(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	ramp := &profile.Ramp{Start: 100, Step: 100, Every: profile.Duration(2 * time.Second), Max: 1000}
	rec := NewRecorder(start, time.Second, ramp)
	// steps 0–2 fresh in 100 ms; step 3 at 400/s: 5 % of orders take 3 s
	for step := range 4 {
		rate := ramp.StepRate(step)
		n := int(rate * 2)
		for i := range n {
			off := time.Duration(step)*2*time.Second + time.Duration(float64(i)/rate*float64(time.Second))
			id := fmt.Sprint(step, "-", i)
			rec.Due(profile.Orders, off)
			rec.Started(profile.Orders, off, false, 0)
			rec.Answered(Answer{Kind: profile.Orders, Offset: off, Intended: start.Add(off), At: start.Add(off + 10*time.Millisecond), Status: 200, OrderID: id})
			d := 100 * time.Millisecond
			if step == 3 && i%20 == 0 {
				d = 3 * time.Second
			}
			rec.Seen(id, start, d)
		}
	}
	// step 2, judged live while 10 of its orders are unseen: unsettled
	// orders count as over the limit
	live := rec.StepNow(2)
	if live == nil || live.Unsettled != 0 {
		t.Fatalf("live step %+v", live)
	}
	live.Unsettled = 10
	if held, why := (StepRule{}).Verdict(live); held || !strings.Contains(why, "unsettled") {
		t.Errorf("step with 10 of 610 unsettled: held=%v %s", held, why)
	}
	r := finished(rec, 8*time.Second, nil)
	if r.Ramp == nil || len(r.Ramp.Steps) != 4 {
		t.Fatalf("ramp %+v", r.Ramp)
	}
	for i, s := range r.Ramp.Steps {
		if s.Held != (i < 3) {
			t.Errorf("step %d held=%v (%s)", i, s.Held, s.Why)
		}
	}
	if r.Ramp.CapacityStep != 2 || r.Ramp.CapacityRPS != 300 || r.Ramp.CapacityOrders < 290 || !strings.Contains(r.Ramp.StoppedBy, "step 3 (400 requests/s) broke: freshness p99 3") {
		t.Errorf("capacity %+v", r.Ramp)
	}
}

// TestCharts draws the charts of a synthetic ramp; set LOAD_CHARTS_DIR to
// keep them for a look.
func TestCharts(t *testing.T) {
	dir := os.Getenv("LOAD_CHARTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	checks, _ := Thresholds(DefaultThresholds, nil)
	start := time.Unix(1_700_000_000, 0)
	ramp := &profile.Ramp{Start: 100, Step: 100, Every: profile.Duration(5 * time.Second), Max: 1000}
	rec := NewRecorder(start, time.Second, ramp)
	rng := rand.New(rand.NewPCG(5, 5))
	for step := range 8 {
		rate := ramp.StepRate(step)
		for i := range int(rate * 5) {
			off := time.Duration(step)*5*time.Second + time.Duration(float64(i)/rate*float64(time.Second))
			id := fmt.Sprint(step, "-", i)
			slow := time.Duration(1 + max(0, step-5)*step*step*20)
			lat := time.Duration(5+rng.IntN(20)) * time.Millisecond * slow
			rec.Due(profile.Orders, off)
			rec.Started(profile.Orders, off, false, 0)
			rec.Answered(Answer{Kind: profile.Orders, Offset: off, Intended: start.Add(off), At: start.Add(off + lat), Status: 200, OrderID: id})
			rec.Seen(id, start, time.Duration(60+rng.IntN(100))*time.Millisecond*slow)
			if i%20 == 0 {
				rec.Due(profile.Pedidos, off)
				rec.Answered(Answer{Kind: profile.Pedidos, Offset: off, Intended: start.Add(off), At: start.Add(off + 4*time.Millisecond*slow), Status: 200})
			}
		}
	}
	r := finished(rec, 40*time.Second, checks)
	r.Profile.Name = "ramp"
	paths, err := r.WriteCharts(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 10_000 {
			t.Errorf("%s: %d bytes, %v", p, len(b), err)
		}
	}
	// an empty run still draws (no data, no log-scale panic)
	empty := finished(NewRecorder(start, time.Second, nil), 0, checks)
	if _, err := empty.WriteCharts(t.TempDir()); err != nil {
		t.Errorf("empty run: %v", err)
	}
}

func TestBucketFor(t *testing.T) {
	cases := map[time.Duration]time.Duration{time.Minute: time.Second, 5 * time.Minute: time.Second, 10 * time.Minute: 2 * time.Second, time.Hour: 16 * time.Second}
	for d, want := range cases {
		if got := BucketFor(d); got != want {
			t.Errorf("BucketFor(%v) = %v, want %v", d, got, want)
		}
	}
}

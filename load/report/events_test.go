package report

import (
	"encoding/xml"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/load/profile"
)

// eventPath is a measured path whose events took the given durations.
func eventPath(name string, lost, dup int64, took ...time.Duration) *EventPath {
	e := &EventPath{Path: name, Status: EventMeasured, IntendedRate: 100, AchievedRate: 99, Hist: NewHist(), FromSendHist: NewHist()}
	for _, d := range took {
		e.Hist.Record(d)
		e.FromSendHist.Record(d + time.Millisecond)
	}
	e.Accepted = int64(len(took)) + lost
	e.Produced, e.Seen, e.Lost, e.Duplicates = e.Accepted, int64(len(took)), lost, dup
	e.Summarize()
	return e
}

func withEvents(es ...*EventPath) *Result {
	r := &Result{Status: StatusComplete, Seconds: 1, Events: es, Freshness: Freshness{Hist: NewHist()}}
	return r
}

func TestEventThresholds(t *testing.T) {
	fast := eventPath("sns-sqs", 0, 2, 2*time.Millisecond, 3*time.Millisecond)
	slow := eventPath("s3-lambda", 1, 0, 20*time.Millisecond, 250*time.Millisecond)
	down := &EventPath{Path: "ddb-lambda", Status: EventUnsupported, Reason: "CreateEventSourceMapping: UnknownOperationException"}
	cases := []struct {
		expr  string
		r     *Result
		ok    bool
		shown string
	}{
		{"events.sns-sqs.p99<=100ms", withEvents(fast, slow), true, "3.0ms"},
		{"events.s3-lambda.p99<=100ms", withEvents(fast, slow), false, "250ms"},
		{"events.p99<=100ms", withEvents(fast, slow), false, "250ms"}, // the worst path
		{"events.p50<=100ms", withEvents(fast, slow), true, "20ms"},
		{"events.lost==0", withEvents(fast, slow), false, "1"}, // summed
		{"events.duplicates<=2", withEvents(fast, slow), true, "2"},
		{"events.sns-sqs.lost==0", withEvents(fast, slow), true, "0"},
		{"events.sns-sqs.rate.achieved>=0.99", withEvents(fast), true, "99%"},
		// a path not set up fails its thresholds and says why, as does one not driven
		{"events.ddb-lambda.lost==0", withEvents(fast, down), false, "not measured: unsupported: CreateEventSourceMapping: UnknownOperationException"},
		{"events.lost==0", withEvents(fast, down), false, "not measured: ddb-lambda unsupported"},
		{"events.sqs-lambda.p99<=1s", withEvents(fast), false, "not measured: this run drove no event path sqs-lambda"},
		{"events.p99<=1s", withEvents(), false, "this run drove no event path"},
		{"events.ddb-lambda.lost!=5", withEvents(down), false, "not measured"}, // NaN != 5 must not pass
	}
	for _, tc := range cases {
		th, err := ParseThreshold(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		c := Evaluate([]Threshold{th}, tc.r)[0]
		if c.OK != tc.ok || !strings.Contains(c.Shown, tc.shown) || math.IsNaN(c.Observed) {
			t.Errorf("%s: ok %v shown %q observed %v; want ok %v, %q", tc.expr, c.OK, c.Shown, c.Observed, tc.ok, tc.shown)
		}
	}
	for _, bad := range []string{"events.p98<=1s", "events.sns-sqs.p98<=1s", "events.sns-sqs.p99<=fast", "events..p99<=1s"} {
		if _, err := ParseThreshold(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestEventDefaultsAndOverrides(t *testing.T) {
	p, _ := profile.Named("year2", 1)
	if got := Defaults(p); strings.Join(got, " ") != strings.Join(DefaultThresholds, " ") {
		t.Errorf("defaults without events: %v", got)
	}
	p = p.WithEvents(&profile.Events{Paths: []string{"sns-sqs", "sqs-lambda"}, Rate: 1000})
	got := Defaults(p)
	want := append(append([]string{}, DefaultThresholds...), "events.sns-sqs.p99<=100ms", "events.sns-sqs.lost==0", "events.sqs-lambda.p99<=100ms", "events.sqs-lambda.lost==0")
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("defaults with events:\n%v\nwant\n%v", got, want)
	}
	// events.p99 replaces every path's p99; a path's own replaces its own
	ts, err := Thresholds(got, []string{"events.p99<=1s", "events.sqs-lambda.lost<=3"})
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(Exprs(ts), " "); s != "freshness.max<=10s freshness.p99<=2s lost==0 errors<0.1% events.sns-sqs.lost==0 events.p99<=1s events.sqs-lambda.lost<=3" {
		t.Errorf("combined: %s", s)
	}
	// a failing event threshold fails the run
	r := withEvents(eventPath("sns-sqs", 0, 0, time.Millisecond), eventPath("sqs-lambda", 2, 0, time.Millisecond))
	checks, _ := Thresholds([]string{"events.sqs-lambda.lost==0"}, nil)
	r.Finish(checks, StepRule{})
	if r.Passed || !strings.Contains(r.Line(), "events on 2 paths: 2 seen") || !strings.Contains(r.Line(), "2 lost") {
		t.Errorf("passed %v: %s", r.Passed, r.Line())
	}
}

func TestEventsMergeAndWriteOut(t *testing.T) {
	dir := t.TempDir()
	var rs []*Result
	var names []string
	for i, took := range [][]time.Duration{{time.Millisecond, 2 * time.Millisecond}, {3 * time.Millisecond, 400 * time.Millisecond}} {
		r := withEvents(eventPath("sns-sqs", int64(i), 1, took...))
		r.Profile = profile.Profile{Name: "p"}
		r.Shard = []string{"1/2", "2/2"}[i]
		r.Finish(nil, StepRule{})
		name := filepath.Join(dir, r.Shard[:1]+".json")
		if err := r.WriteJSON(name); err != nil {
			t.Fatal(err)
		}
		back, err := ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		rs, names = append(rs, back), append(names, name)
	}
	checks, _ := Thresholds([]string{"events.sns-sqs.p99<=100ms"}, nil)
	m, err := Merge(names, rs, checks, StepRule{})
	if err != nil {
		t.Fatal(err)
	}
	e := m.EventPath("sns-sqs")
	if e == nil || e.Seen != 4 || e.Lost != 1 || e.Duplicates != 2 || e.Count != 4 || e.IntendedRate != 200 || e.Max < 399 || m.Passed {
		t.Fatalf("merged: %+v passed %v", e, m.Passed)
	}
	b, err := m.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Suites[0]
	found := false
	for _, p := range s.Properties {
		found = found || p.Name == "events.sns-sqs" && strings.Contains(p.Value, "p99 ") && strings.Contains(p.Value, "1 lost, 2 dup")
	}
	if !found || !strings.Contains(s.SystemOut, "sns-sqs: 5 events") {
		t.Errorf("JUnit lacks the path's figures: %+v\n%s", s.Properties, s.SystemOut)
	}
	if last := s.Cases[len(s.Cases)-1]; last.Name != "events.sns-sqs.p99<=100ms" || last.Failure == nil {
		t.Errorf("last case %+v", last)
	}
}

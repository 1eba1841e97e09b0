package cloudwatch

import (
	"math"

	"github.com/groundstack/groundstack/harness/emulator/emutest/benchcpu"
	"strings"
	"testing"
	"time"
)

// base is a minute boundary; evaluations happen 10 s into the minute after
// the last period of each case, so the current (partial) period is empty.
var base = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// nan marks a period with no datapoint.
var nan = math.NaN()

func TestAlarmStateMachine(t *testing.T) {
	cases := []struct {
		name    string
		m, n    int
		missing string
		values  []float64 // oldest first, one per minute; nan = none
		initial string
		want    string
	}{
		{"all breaching", 3, 3, "missing", []float64{5, 6, 7}, StateInsufficient, StateAlarm},
		{"none breaching", 3, 3, "missing", []float64{0, 0, 0}, StateInsufficient, StateOK},
		{"2 of 3 with M=2", 2, 3, "missing", []float64{5, 0, 6}, StateInsufficient, StateAlarm},
		{"2 of 3 with M=3", 3, 3, "missing", []float64{5, 0, 6}, StateInsufficient, StateOK},
		{"older breaches are outside the range", 1, 1, "missing", []float64{9, 9, 0}, StateAlarm, StateOK},
		{"no data, missing", 1, 3, "missing", []float64{nan, nan, nan}, StateOK, StateInsufficient},
		{"no data, notBreaching", 1, 3, "notBreaching", []float64{nan, nan, nan}, StateAlarm, StateOK},
		{"no data, breaching", 3, 3, "breaching", []float64{nan, nan, nan}, StateOK, StateAlarm},
		{"no data, ignore keeps ALARM", 1, 3, "ignore", []float64{nan, nan, nan}, StateAlarm, StateAlarm},
		{"no data, ignore keeps OK", 1, 3, "ignore", []float64{nan, nan, nan}, StateOK, StateOK},
		{"1 breach + 2 missing, M=2, missing", 2, 3, "missing", []float64{nan, 5, nan}, StateInsufficient, StateOK},
		{"1 breach + 2 missing, M=2, breaching", 2, 3, "breaching", []float64{nan, 5, nan}, StateInsufficient, StateAlarm},
		{"1 breach + 2 missing, M=2, notBreaching", 2, 3, "notBreaching", []float64{nan, 5, nan}, StateInsufficient, StateOK},
		{"1 breach + 2 missing, M=2, ignore", 2, 3, "ignore", []float64{nan, 5, nan}, StateInsufficient, StateOK},
		{"2 breaches + 1 missing, M=2, ignore", 2, 3, "ignore", []float64{5, nan, 5}, StateOK, StateAlarm},
		{"1 of 1 missing then data", 1, 1, "missing", []float64{5, nan}, StateOK, StateInsufficient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := base
			metrics := NewStore(func() time.Time { return now })
			alarms := NewAlarms(metrics, "000000000000")
			a := &Alarm{Name: "a", Region: "us-east-1", Namespace: "N", MetricName: "M", Statistic: "Maximum", Period: 60,
				EvaluationPeriods: tc.n, DatapointsToAlarm: tc.m, Threshold: 5, Comparison: "GreaterThanOrEqualToThreshold",
				TreatMissingData: tc.missing, ActionsEnabled: true}
			alarms.Put(a, base.Add(-time.Hour))
			alarms.alarms["us-east-1"]["a"].State = tc.initial
			var data []Datum
			for i, v := range tc.values {
				if math.IsNaN(v) {
					continue
				}
				data = append(data, Datum{Name: "M", Time: base.Add(time.Duration(i) * time.Minute), Unit: "None", Resolution: 60, Values: []valCount{{v, 1}}})
			}
			if err := metrics.Put("us-east-1", "N", data); err != nil {
				t.Fatal(err)
			}
			now = base.Add(time.Duration(len(tc.values))*time.Minute + 10*time.Second)
			alarms.Evaluate(now)
			got, _ := alarms.Get("us-east-1", "a")
			if got.State != tc.want {
				t.Fatalf("state %s, want %s (reason %q)", got.State, tc.want, got.StateReason)
			}
		})
	}
}

// The current period counts as soon as it has data.
func TestAlarmCurrentPeriodCountsOnceItHasData(t *testing.T) {
	now := base.Add(30 * time.Second)
	metrics := NewStore(func() time.Time { return now })
	alarms := NewAlarms(metrics, "000000000000")
	alarms.Put(&Alarm{Name: "a", Region: "us-east-1", Namespace: "N", MetricName: "M", Statistic: "Sum", Period: 60,
		EvaluationPeriods: 1, Threshold: 1, Comparison: "GreaterThanOrEqualToThreshold", TreatMissingData: "missing"}, base)
	if err := metrics.Put("us-east-1", "N", []Datum{{Name: "M", Time: now, Unit: "None", Resolution: 60, Values: []valCount{{2, 1}}}}); err != nil {
		t.Fatal(err)
	}
	alarms.Evaluate(now)
	if a, _ := alarms.Get("us-east-1", "a"); a.State != StateAlarm || !strings.HasPrefix(a.StateReason, "Threshold Crossed: 1 datapoint [2.0 (07/12/26 12:00:00)] was greater than or equal to the threshold (1.0)") {
		t.Fatalf("state %s: %s", a.State, a.StateReason)
	}
}

// Notifications go out only on a change and only when actions are enabled.
func TestAlarmNotificationsOnChangeOnly(t *testing.T) {
	now := base
	metrics := NewStore(func() time.Time { return now })
	alarms := NewAlarms(metrics, "000000000000")
	topic := "arn:aws:sns:us-east-1:000000000000:t"
	alarms.Put(&Alarm{Name: "a", Region: "us-east-1", Namespace: "N", MetricName: "M", Statistic: "Sum", Period: 60,
		EvaluationPeriods: 1, Threshold: 1, Comparison: "GreaterThanOrEqualToThreshold", TreatMissingData: "breaching",
		ActionsEnabled: true, AlarmActions: []string{topic}, OKActions: []string{topic}}, base)
	now = base.Add(time.Minute)
	if _, out := alarms.Evaluate(now); len(out) != 1 || out[0].Subject != `ALARM: "a" in US East (N. Virginia)` {
		t.Fatalf("first change: %+v", out)
	}
	now = now.Add(time.Minute)
	if _, out := alarms.Evaluate(now); len(out) != 0 {
		t.Fatalf("no change, no notification: %+v", out)
	}
	alarms.SetActions("us-east-1", []string{"a"}, false)
	if err := metrics.Put("us-east-1", "N", []Datum{{Name: "M", Time: now, Unit: "None", Resolution: 60, Values: []valCount{{0, 1}}}}); err != nil {
		t.Fatal(err)
	}
	if _, out := alarms.Evaluate(now); len(out) != 0 {
		t.Fatalf("actions disabled: %+v", out)
	}
	if a, _ := alarms.Get("us-east-1", "a"); a.State != StateOK {
		t.Fatalf("state %s", a.State)
	}
}

func TestStatsPercentileAndStats(t *testing.T) {
	var s Stats
	for i := 1; i <= 100; i++ {
		s.addValue(float64(i), 1)
	}
	for _, c := range []struct {
		stat string
		want float64
	}{{"p50", 50}, {"p99", 99}, {"p99.9", 100}, {"p100", 100}, {"Sum", 5050}, {"Average", 50.5}, {"SampleCount", 100}, {"Minimum", 1}, {"Maximum", 100}} {
		if got, ok := s.Stat(c.stat); !ok || got != c.want {
			t.Errorf("%s = %v (%v), want %v", c.stat, got, ok, c.want)
		}
	}
	for _, bad := range []string{"p", "p101", "px", "p9.", "Median"} {
		if _, ok := s.Stat(bad); ok {
			t.Errorf("%s accepted", bad)
		}
	}
}

// A series keeps at most maxBuckets buckets: the oldest go first.
func TestSeriesIsBounded(t *testing.T) {
	now := base
	metrics := NewStore(func() time.Time { return now })
	m := metrics.Get("r", "N", "M", nil)
	m.mu.Lock()
	for i := 0; i < maxBuckets+100; i++ {
		m.add(base.Add(time.Duration(i)*time.Second), 1, "None", 1, 1)
	}
	n, first := len(m.buckets), m.buckets[0].t
	m.mu.Unlock()
	if n != maxBuckets || first != base.Unix()+100 {
		t.Fatalf("buckets %d, first %d", n, first-base.Unix())
	}
}

// BenchmarkEvaluate1000Alarms is one evaluation tick over 1,000 alarms,
// each on its own metric with an hour of minute datapoints.
func BenchmarkEvaluate1000Alarms(b *testing.B) {
	now := base.Add(time.Hour)
	metrics := NewStore(func() time.Time { return now })
	alarms := NewAlarms(metrics, "000000000000")
	changes := 0
	defer func() { b.ReportMetric(float64(changes)/float64(b.N), "changes/tick") }()
	for i := 0; i < 1000; i++ {
		name := "m" + itoa(i)
		dims := []Dimension{{"FunctionName", "fn-" + itoa(i)}}
		var data []Datum
		for k := 0; k < 60; k++ {
			data = append(data, Datum{Name: name, Dims: dims, Time: base.Add(time.Duration(k) * time.Minute), Unit: "Count", Resolution: 60, Values: []valCount{{float64(k % 7), 1}}})
		}
		if err := metrics.Put("us-east-1", "AWS/Lambda", data); err != nil {
			b.Fatal(err)
		}
		alarms.Put(&Alarm{Name: "a" + itoa(i), Region: "us-east-1", Namespace: "AWS/Lambda", MetricName: name, Dims: dims, Statistic: "Sum",
			Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 3, Threshold: 3, Comparison: "GreaterThanOrEqualToThreshold",
			TreatMissingData: "missing"}, base)
	}
	b.ReportAllocs()
	cpu := benchcpu.Start(b)
	for i := 0; i < b.N; i++ {
		// a minute inside the hour of data: every alarm reads 5 periods,
		// and many change state (their reasons are worded then)
		now = base.Add(10*time.Minute + time.Duration(i%40)*time.Minute + 30*time.Second)
		_, _ = alarms.Evaluate(now)
		for _, a := range alarms.alarms["us-east-1"] {
			if a.StateTransitioned.Equal(now) {
				changes++
			}
		}
	}
	b.StopTimer()
	cpu.Report() // cpu-us/op: the CPU of one tick, whatever else the machine runs
}

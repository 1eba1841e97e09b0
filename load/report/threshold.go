package report

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/load/profile"
)

// DefaultThresholds are the flow's requirements: every order visible
// within 10 s, 99 % within 2 s, none lost, under 0.1 % of requests failed.
var DefaultThresholds = []string{"freshness.max<=10s", "freshness.p99<=2s", "lost==0", "errors<0.1%"}

// DefaultRampThresholds replace them on a ramp, which overloads the system
// on purpose: its steps are judged by the same limits (StepRule), and the
// run passes when one held.
var DefaultRampThresholds = []string{"capacity>0"}

// Defaults are the default thresholds of p, with the event objectives
// (DefaultEventThresholds) for each event path it drives.
func Defaults(p profile.Profile) []string {
	base := DefaultThresholds
	if p.Ramp != nil {
		base = DefaultRampThresholds
	}
	return append(append([]string(nil), base...), eventDefaults(p.EventPaths())...)
}

// unit is how a metric's values are read and written.
type unit int

const (
	unitDuration unit = iota // seconds internally; "2s", "500ms"
	unitCount                // a plain number
	unitRatio                // a fraction internally; "0.1%" or 0.001
	unitRate                 // per second
)

// metric is a figure a threshold can test.
type metric struct {
	unit unit
	get  func(r *Result) float64
	help string
}

func secs(msv float64) float64 { return msv / 1000 }

// notMeasured is the value of a figure the run did not measure (an event
// path that was not set up): a threshold on it fails.
var notMeasured = math.NaN()

// metricFor finds a metric by its canonical name.
func metricFor(name string) (metric, bool) {
	if m, ok := metrics()[name]; ok {
		return m, true
	}
	return eventMetric(name)
}

func kindOf(r *Result, name string) *Kind {
	if k := r.Requests[name]; k != nil {
		return k
	}
	return newKind()
}

func errorRatio(k *Kind) float64 {
	if n := k.Sent + k.Dropped; n > 0 {
		return float64(k.Failed+k.Dropped) / float64(n)
	}
	return 0
}

// metrics are the figures thresholds may name.
func metrics() map[string]metric {
	m := map[string]metric{
		"freshness.p50":         {unitDuration, func(r *Result) float64 { return secs(r.Freshness.P50) }, "freshness median"},
		"freshness.p90":         {unitDuration, func(r *Result) float64 { return secs(r.Freshness.P90) }, ""},
		"freshness.p99":         {unitDuration, func(r *Result) float64 { return secs(r.Freshness.P99) }, ""},
		"freshness.max":         {unitDuration, func(r *Result) float64 { return secs(r.Freshness.Max) }, ""},
		"freshness.mean":        {unitDuration, func(r *Result) float64 { return secs(r.Freshness.Mean) }, ""},
		"freshness.misses":      {unitCount, func(r *Result) float64 { return float64(r.Freshness.Misses) }, "orders seen after the budget"},
		"freshness.lost":        {unitCount, func(r *Result) float64 { return float64(r.Freshness.Lost) }, "orders never seen"},
		"freshness.pending":     {unitCount, func(r *Result) float64 { return float64(r.Freshness.Pending) }, ""},
		"freshness.read_errors": {unitCount, func(r *Result) float64 { return float64(r.Freshness.ReadErrors) }, ""},
		"errors":                {unitRatio, func(r *Result) float64 { return errorRatio(r.Totals()) }, "failed or dropped requests, of all kinds"},
		"dropped":               {unitCount, func(r *Result) float64 { return float64(r.Totals().Dropped) }, ""},
		"late":                  {unitCount, func(r *Result) float64 { return float64(r.Totals().Late) }, ""},
		"rate.achieved": {unitRatio, func(r *Result) float64 {
			if r.Rates.IntendedOrders == 0 {
				return 0
			}
			return r.Rates.AchievedOrders / r.Rates.IntendedOrders
		}, "achieved ÷ intended orders/s"},
		"rate.orders": {unitRate, func(r *Result) float64 { return r.Rates.AchievedOrders }, "achieved orders/s"},
		"capacity": {unitRate, func(r *Result) float64 {
			if r.Ramp == nil {
				return 0
			}
			return r.Ramp.CapacityOrders
		}, "a ramp's capacity in orders/s"},
	}
	for _, kind := range profile.Kinds {
		kind := kind
		m[kind+".errors"] = metric{unitRatio, func(r *Result) float64 { return errorRatio(kindOf(r, kind)) }, ""}
		for _, st := range []string{"p50", "p90", "p99", "max", "mean"} {
			st := st
			m[kind+".latency."+st] = metric{unitDuration, func(r *Result) float64 {
				s := kindOf(r, kind).LatencyHist.Summary()
				return secs(map[string]float64{"p50": s.P50, "p90": s.P90, "p99": s.P99, "max": s.Max, "mean": s.Mean}[st])
			}, ""}
		}
	}
	return m
}

// aliases are short names for common metrics.
var aliases = map[string]string{
	"lost": "freshness.lost", "misses": "freshness.misses",
	"latency.p50": "orders.latency.p50", "latency.p90": "orders.latency.p90", "latency.p99": "orders.latency.p99",
	"latency.max": "orders.latency.max", "latency.mean": "orders.latency.mean",
}

// Threshold is a parsed "metric op value", e.g. "freshness.p99<=2s".
type Threshold struct {
	Expr   string
	Metric string // canonical name
	Op     string
	Value  float64
	unit   unit
}

var ops = []string{"<=", ">=", "==", "!=", "<", ">"}

// ParseThreshold reads "metric op value" (spaces allowed).
func ParseThreshold(s string) (Threshold, error) {
	expr := strings.TrimSpace(s)
	if expr == "" {
		return Threshold{}, errors.New("empty threshold")
	}
	if len(expr) > 200 {
		return Threshold{}, errors.New("threshold too long")
	}
	at, op := -1, ""
	for _, o := range ops {
		if i := strings.Index(expr, o); i > 0 && (at < 0 || i < at || (i == at && len(o) > len(op))) {
			at, op = i, o
		}
	}
	if at < 0 {
		return Threshold{}, fmt.Errorf("threshold %q: want metric op value, e.g. freshness.p99<=2s (op is one of %s)", expr, strings.Join(ops, " "))
	}
	name := strings.ToLower(strings.TrimSpace(expr[:at]))
	raw := strings.TrimSpace(expr[at+len(op):])
	if canon, ok := aliases[name]; ok {
		name = canon
	}
	m, ok := metricFor(name)
	if !ok {
		return Threshold{}, fmt.Errorf("threshold %q: unknown metric %q (known: %s)", expr, name, strings.Join(MetricNames(), ", "))
	}
	v, err := parseValue(raw, m.unit)
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %v", expr, err)
	}
	return Threshold{Expr: strings.Join(strings.Fields(expr), ""), Metric: name, Op: op, Value: v, unit: m.unit}, nil
}

// MetricNames lists what thresholds may test (aliases included).
func MetricNames() []string {
	var out []string
	for n := range metrics() {
		out = append(out, n)
	}
	for n := range aliases {
		out = append(out, n)
	}
	out = append(out, eventMetricNames()...)
	sort.Strings(out)
	return out
}

func parseValue(s string, u unit) (float64, error) {
	bad := func(want string) (float64, error) { return 0, fmt.Errorf("%q is not %s", s, want) }
	switch u {
	case unitDuration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return bad("a duration (e.g. 2s, 500ms)")
		}
		return d.Seconds(), nil
	case unitRatio:
		if p, ok := strings.CutSuffix(s, "%"); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return bad("a percentage (e.g. 0.1%)")
			}
			return v / 100, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("a percentage or fraction (e.g. 0.1% or 0.001)")
		}
		return v, nil
	default:
		s = strings.TrimSuffix(strings.TrimSuffix(s, "/s"), " ")
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("a number")
		}
		return v, nil
	}
}

func (t Threshold) format(v float64) string {
	switch t.unit {
	case unitDuration:
		return fmtMS(v * 1000)
	case unitRatio:
		return strconv.FormatFloat(v*100, 'g', 4, 64) + "%"
	case unitRate:
		return strconv.FormatFloat(v, 'f', 1, 64) + "/s"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func (t Threshold) holds(v float64) bool {
	switch t.Op {
	case "<":
		return v < t.Value
	case "<=":
		return v <= t.Value
	case "==":
		return v == t.Value
	case "!=":
		return v != t.Value
	case ">=":
		return v >= t.Value
	case ">":
		return v > t.Value
	}
	return false
}

// Check is a threshold's verdict on a result.
type Check struct {
	Expr     string  `json:"threshold"`
	Metric   string  `json:"metric"`
	Observed float64 `json:"observed"`
	Shown    string  `json:"observed_text"`
	OK       bool    `json:"ok"`
}

// Evaluate tests each threshold on r; one on a figure the run did not
// measure (an event path that was not set up) fails.
func Evaluate(ts []Threshold, r *Result) []Check {
	out := make([]Check, 0, len(ts))
	for _, t := range ts {
		m, _ := metricFor(t.Metric)
		v := m.get(r)
		if math.IsNaN(v) {
			// JSON has no NaN: the check says it in words
			out = append(out, Check{Expr: t.Expr, Metric: t.Metric, Shown: notMeasuredText(t.Metric, r)})
			continue
		}
		out = append(out, Check{Expr: t.Expr, Metric: t.Metric, Observed: v, Shown: t.format(v), OK: t.holds(v)})
	}
	return out
}

// notMeasuredText says why an event metric has no value.
func notMeasuredText(name string, r *Result) string {
	rest := strings.TrimPrefix(name, "events.")
	if _, aggregate := eventStats[rest]; !aggregate {
		path, _, _ := strings.Cut(rest, ".")
		if e := r.EventPath(path); e != nil {
			return "not measured: " + e.Status + ": " + e.Reason
		}
		return "not measured: this run drove no event path " + path
	}
	var why []string
	for _, e := range r.Events {
		if !e.Measured() {
			why = append(why, e.Path+" "+e.Status+": "+e.Reason)
		}
	}
	if len(why) == 0 {
		return "not measured: this run drove no event path"
	}
	return "not measured: " + strings.Join(why, "; ")
}

// Thresholds builds the list to check: base (the defaults, or a file's
// list when replace) with each of extra replacing base's thresholds on
// the same metric.
func Thresholds(base, extra []string) ([]Threshold, error) {
	var out []Threshold
	seen := map[string]bool{}
	var over []Threshold
	for _, s := range extra {
		t, err := ParseThreshold(s)
		if err != nil {
			return nil, err
		}
		over = append(over, t)
		seen[t.Metric] = true
	}
	for _, s := range base {
		t, err := ParseThreshold(s)
		if err != nil {
			return nil, err
		}
		if !seen[t.Metric] && !seen[eventAggregate(t.Metric)] {
			out = append(out, t)
		}
	}
	return append(out, over...), nil
}

// eventAggregate is the all-paths metric a per-path event metric falls
// under ("events.sns-sqs.p99" → "events.p99"): a threshold on it replaces
// the defaults of every path; "" for other metrics.
func eventAggregate(name string) string {
	rest, ok := strings.CutPrefix(name, "events.")
	if !ok {
		return ""
	}
	if _, stat, ok := strings.Cut(rest, "."); ok {
		if _, known := eventStats[stat]; known {
			return "events." + stat
		}
	}
	return ""
}

// Exprs are the thresholds as written.
func Exprs(ts []Threshold) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Expr
	}
	return out
}

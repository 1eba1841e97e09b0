package lambda

import (
	"sync"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// Lambda's own metrics, which it emits to CloudWatch (AWS/Lambda) when a
// cloud.Metrics is linked: per function, and per version or alias with the
// Resource dimension.
const metricsNamespace = "AWS/Lambda"

type metricKey struct{ region, name, qualifier string }

// functionMetrics are one function's (or qualified function's) series,
// looked up once so an invocation costs a few locked additions.
type functionMetrics struct {
	invocations, errors, duration, throttles []cloud.MetricSeries
}

// metricsCache holds the series of every function invoked so far.
type metricsCache struct {
	mu    sync.Mutex
	byKey map[metricKey]*functionMetrics
}

func (s *Service) functionMetrics(region, name, q string) *functionMetrics {
	m, _ := s.env.Links.Get(cloud.LinkMetrics).(cloud.Metrics)
	if m == nil {
		return nil
	}
	k := metricKey{region, name, q}
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	if fm := s.metrics.byKey[k]; fm != nil {
		return fm
	}
	if s.metrics.byKey == nil {
		s.metrics.byKey = map[metricKey]*functionMetrics{}
	}
	dims := [][]cloud.MetricDimension{{{Name: "FunctionName", Value: name}}}
	if q != "" {
		dims = append(dims, []cloud.MetricDimension{{Name: "FunctionName", Value: name}, {Name: "Resource", Value: name + ":" + q}})
	}
	fm := &functionMetrics{}
	for _, d := range dims {
		fm.invocations = append(fm.invocations, m.Series(region, metricsNamespace, "Invocations", "Count", d...))
		fm.errors = append(fm.errors, m.Series(region, metricsNamespace, "Errors", "Count", d...))
		fm.duration = append(fm.duration, m.Series(region, metricsNamespace, "Duration", "Milliseconds", d...))
		fm.throttles = append(fm.throttles, m.Series(region, metricsNamespace, "Throttles", "Count", d...))
	}
	s.metrics.byKey[k] = fm
	return fm
}

func addAll(series []cloud.MetricSeries, v float64) {
	for _, m := range series {
		m.Add(v)
	}
}

// recordInvocation emits one invocation's metrics: Invocations, Errors (0
// or 1, so a Sum alarm sees periods without errors as 0) and Duration in
// milliseconds.
func (s *Service) recordInvocation(region, name, q string, res *runtime.Result) {
	fm := s.functionMetrics(region, name, q)
	if fm == nil {
		return
	}
	addAll(fm.invocations, 1)
	failed := 0.0
	if res.Outcome != runtime.Succeeded {
		failed = 1
	}
	addAll(fm.errors, failed)
	addAll(fm.duration, float64(res.Duration.Microseconds())/1000)
}

// recordThrottle emits a Throttles datapoint.
func (s *Service) recordThrottle(region, name, q string) {
	if fm := s.functionMetrics(region, name, q); fm != nil {
		addAll(fm.throttles, 1)
	}
}

package cloudwatch

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Wire names of CloudWatch.
const (
	signingName  = "monitoring"
	targetPrefix = "GraniteServiceVersion20100801" // X-Amz-Target and the CBOR path's service
	xmlns        = "http://monitoring.amazonaws.com/doc/2010-08-01/"
	errorNS      = "com.amazonaws.cloudwatch#"
	// maxRequestBody is PutMetricData's limit (1 MB), with room for the
	// query protocol's encoding.
	maxRequestBody = 3 << 20
	// defaultEvaluation is how often alarms are evaluated on the wall clock.
	defaultEvaluation = 10 * time.Second
	// maxSteps bounds the evaluations one clock move makes (one per minute
	// moved: a day).
	maxSteps = 1440
)

// Service is Amazon CloudWatch as the edge sees it: one set of operations
// served in RPC v2 CBOR, awsJson1_0 and query.
type Service struct {
	env     *cloud.Env
	metrics *Store
	alarms  *Alarms
	clock   *Clock
	// resources are dashboards, metric streams, insight rules, anomaly
	// detectors and the OTel enrichment switch.
	resources *Resources

	cbor, json, query awsproto.API

	evalMu     sync.Mutex // one evaluation at a time
	lastSample atomic.Int64
	lastEval   atomic.Int64 // unix ns of the last evaluation

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New returns the CloudWatch service and starts its alarm evaluator.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, stop: make(chan struct{}), done: make(chan struct{})}
	s.clock = &Clock{base: env.Now}
	s.clock.onMove = s.moved
	s.metrics = NewStore(s.clock.Now)
	s.lastEval.Store(s.clock.Now().UnixNano())
	s.alarms = NewAlarms(s.metrics, env.Account)
	s.resources = NewResources(env.Account)
	if env.Links != nil {
		env.Links.Set(cloud.LinkMetrics, cloud.Metrics(s.metrics))
		env.Links.Set(cloud.LinkClock, cloud.Clock(s.clock))
	}
	ops := []awsproto.Operation{
		awsproto.Handle("PutMetricData", s.putMetricData),
		awsproto.Handle("GetMetricStatistics", s.getMetricStatistics),
		awsproto.Handle("GetMetricData", s.getMetricData),
		awsproto.Handle("ListMetrics", s.listMetrics),
		awsproto.Handle("PutMetricAlarm", s.putMetricAlarm),
		awsproto.Handle("DescribeAlarms", s.describeAlarms),
		awsproto.Handle("DescribeAlarmsForMetric", s.describeAlarmsForMetric),
		awsproto.Handle("DeleteAlarms", s.deleteAlarms),
		awsproto.Handle("SetAlarmState", s.setAlarmState),
		awsproto.Handle("DescribeAlarmHistory", s.describeAlarmHistory),
		awsproto.Handle("EnableAlarmActions", s.enableAlarmActions),
		awsproto.Handle("DisableAlarmActions", s.disableAlarmActions),
		awsproto.Handle("TagResource", s.tagResource),
		awsproto.Handle("UntagResource", s.untagResource),
		awsproto.Handle("ListTagsForResource", s.listTagsForResource),
		awsproto.Handle("PutDashboard", s.putDashboard),
		awsproto.Handle("GetDashboard", s.getDashboard),
		awsproto.Handle("ListDashboards", s.listDashboards),
		awsproto.Handle("DeleteDashboards", s.deleteDashboards),
		awsproto.Handle("PutMetricStream", s.putMetricStream),
		awsproto.Handle("GetMetricStream", s.getMetricStream),
		awsproto.Handle("ListMetricStreams", s.listMetricStreams),
		awsproto.Handle("DeleteMetricStream", s.deleteMetricStream),
		awsproto.Handle("StartMetricStreams", s.startMetricStreams),
		awsproto.Handle("StopMetricStreams", s.stopMetricStreams),
		awsproto.Handle("PutInsightRule", s.putInsightRule),
		awsproto.Handle("DescribeInsightRules", s.describeInsightRules),
		awsproto.Handle("EnableInsightRules", s.enableInsightRules),
		awsproto.Handle("DisableInsightRules", s.disableInsightRules),
		awsproto.Handle("DeleteInsightRules", s.deleteInsightRules),
		awsproto.Handle("GetInsightRuleReport", s.getInsightRuleReport),
		awsproto.Handle("PutManagedInsightRules", s.putManagedInsightRules),
		awsproto.Handle("ListManagedInsightRules", s.listManagedInsightRules),
		awsproto.Handle("PutAnomalyDetector", s.putAnomalyDetector),
		awsproto.Handle("DescribeAnomalyDetectors", s.describeAnomalyDetectors),
		awsproto.Handle("DeleteAnomalyDetector", s.deleteAnomalyDetector),
		awsproto.Handle("GetOTelEnrichment", s.getOTelEnrichment),
		awsproto.Handle("StartOTelEnrichment", s.startOTelEnrichment),
		awsproto.Handle("StopOTelEnrichment", s.stopOTelEnrichment),
		awsproto.Handle("PutCompositeAlarm", s.putCompositeAlarm),
		awsproto.Handle("DescribeAlarmContributors", s.describeAlarmContributors),
		awsproto.Handle("PutAlarmMuteRule", s.putAlarmMuteRule),
		awsproto.Handle("GetAlarmMuteRule", s.getAlarmMuteRule),
		awsproto.Handle("ListAlarmMuteRules", s.listAlarmMuteRules),
		awsproto.Handle("DeleteAlarmMuteRule", s.deleteAlarmMuteRule),
		awsproto.Handle("GetMetricWidgetImage", s.getMetricWidgetImage),
	}
	base := awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log}
	missing := func(param string) *awsproto.Error {
		return errMissingParameter.Errorf("The parameter %s is required.", param)
	}
	for _, a := range []struct {
		api *awsproto.API
		p   awsproto.Protocol
	}{{&s.cbor, awsproto.RPCv2CBOR}, {&s.json, awsproto.JSON10}, {&s.query, awsproto.Query}} {
		*a.api = awsproto.API{
			Model: "cloudwatch", Base: base, Protocol: a.p, TargetPrefix: targetPrefix, XMLNS: xmlns,
			Invalid: errValidation, MaxBody: maxRequestBody, Missing: missing,
		}
		if a.p != awsproto.Query {
			a.api.QueryCompatible = errorShape
			a.api.ErrorNamespace = errorNS
		}
		a.api.Register(ops...)
	}
	every := env.AlarmEvaluation
	if every == 0 {
		every = defaultEvaluation
	}
	go s.run(every)
	return s
}

func (s *Service) Name() string { return "cloudwatch" }

// Protocol is RPC v2 CBOR; its errors outside an operation (strict auth)
// answer each request in the protocol it spoke.
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RPCv2CBOR }

// MaxRequestBody tells strict mode the largest body the service takes.
func (s *Service) MaxRequestBody() int64 { return maxRequestBody }

// Routes: the signing name, awsJson's target, and RPC v2 CBOR's path.
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: signingName},
		{Kind: cloud.ByTarget, Key: targetPrefix},
		{Kind: cloud.ByPath, Key: "/service/" + targetPrefix + "/"},
	}
}

// APIs are the service's APIs (one per protocol it speaks), for the coverage
// report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.cbor, &s.json, &s.query} }

// ServeHTTP hands a request to the API of the protocol it speaks.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = awsproto.Gunzip(r)
	switch {
	case awsproto.IsCBORRequest(r):
		s.cbor.ServeHTTP(w, r)
	case r.Header.Get("X-Amz-Target") != "":
		s.json.ServeHTTP(w, r)
	default:
		s.query.ServeHTTP(w, r)
	}
}

// Reset empties metrics, alarms and history, and gives the clock back to
// the wall.
func (s *Service) Reset() {
	s.clock.reset() // before evalMu: a clock move holds the clock, then evalMu
	s.evalMu.Lock()
	defer s.evalMu.Unlock()
	s.alarms.Reset()
	s.metrics.Reset()
	s.resources.Reset()
	s.lastSample.Store(0)
	s.lastEval.Store(s.clock.Now().UnixNano())
}

// Summary counts metrics and alarms for GET /_groundstack/state.
func (s *Service) Summary() map[string]any {
	return map[string]any{"metrics": s.metrics.Count(), "alarms": s.alarms.Count(), "resources": s.resources.Count(), "clock": s.clock.Now().UTC().Format(time.RFC3339Nano)}
}

// Close stops the evaluator.
func (s *Service) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	return nil
}

// run evaluates alarms on the wall clock every interval while no test
// drives the clock.
func (s *Service) run(every time.Duration) {
	defer close(s.done)
	if every < 0 {
		<-s.stop
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if !s.clock.Driven() {
				s.evaluateThrough(s.clock.Now())
			}
		}
	}
}

// moved evaluates alarms after a clock move.
func (s *Service) moved(_, to time.Time) { s.evaluateThrough(to) }

// evaluateThrough evaluates alarms once a minute from the last evaluation
// (at most maxSteps times), as AWS would have while that time passed, then
// at to.
func (s *Service) evaluateThrough(to time.Time) {
	const step = time.Minute
	last := time.Unix(0, s.lastEval.Load())
	if s.lastEval.Load() != 0 && to.Sub(last) > step {
		first := last.Add(step)
		if to.Sub(first) > maxSteps*step {
			first = to.Add(-maxSteps * step)
		}
		for t := first; t.Before(to); t = t.Add(step) {
			s.EvaluateAt(t)
		}
	}
	s.EvaluateAt(to)
}

// EvaluateAt samples metrics other services publish (once a minute) and
// evaluates every alarm at now, publishing the notifications of state
// changes.
func (s *Service) EvaluateAt(now time.Time) {
	s.evalMu.Lock()
	defer s.evalMu.Unlock()
	s.sample(now)
	s.lastEval.Store(now.UnixNano())
	regions, out := s.alarms.Evaluate(now)
	s.notify(regions, out, now)
}

// sample records the metrics of services that publish a cloud.MetricSampler
// (SQS), once per minute of the clock.
func (s *Service) sample(now time.Time) {
	minute := now.Unix() / 60
	if s.lastSample.Load() == minute || s.env.Links == nil {
		return
	}
	s.lastSample.Store(minute)
	for _, name := range []string{cloud.LinkSQS} {
		sm, ok := s.env.Links.Get(name).(cloud.MetricSampler)
		if !ok {
			continue
		}
		sm.SampleMetrics(func(region, ns, metric, unit string, v float64, dims ...cloud.MetricDimension) {
			d := make([]Dimension, len(dims))
			for i, x := range dims {
				d[i] = Dimension(x)
			}
			if m := s.metrics.Get(region, ns, metric, d); m != nil {
				m.mu.Lock()
				m.add(now, 60, unit, v, 1)
				m.mu.Unlock()
			}
		})
	}
}

// notify publishes alarm notifications to SNS and records each outcome.
func (s *Service) notify(regions []string, out []Notification, now time.Time) {
	if len(out) == 0 {
		return
	}
	var topics cloud.Topics
	if s.env.Links != nil {
		topics, _ = s.env.Links.Get(cloud.LinkSNS).(cloud.Topics)
	}
	for i, n := range out {
		var err error
		if topics == nil {
			err = errNoSNS
		} else {
			_, err = topics.Publish(n.Topic, cloud.TopicMessage{Subject: n.Subject, Message: n.Message})
		}
		s.alarms.Recorded(regions[i], n, err, now)
	}
}

var errNoSNS = errLimitExceeded.New("SNS is not wired in this emulator")

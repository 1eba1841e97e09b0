package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// ---- subscription filters ----

// filterRef names a filter of a group.
type filterRef struct {
	groupRef
	FilterName string `json:"filterName" required:"true" min:"1" max:"512" pattern:"[^:*]*"`
}

type putSubscriptionFilterInput struct {
	filterRef
	FilterPattern          *string  `json:"filterPattern" required:"true" max:"1024"`
	DestinationArn         string   `json:"destinationArn" required:"true" min:"1"`
	RoleArn                string   `json:"roleArn" min:"1"`
	Distribution           string   `json:"distribution" enum:"Random,ByLogStream"`
	ApplyOnTransformedLogs bool     `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria string   `json:"fieldSelectionCriteria" max:"2000"`
	EmitSystemFields       []string `json:"emitSystemFields"`
}

type describeFiltersInput struct {
	groupRef
	FilterNamePrefix *string `json:"filterNamePrefix" min:"1" max:"512" pattern:"[^:*]*"`
	NextToken        *string `json:"nextToken" min:"1"`
	Limit            *int32  `json:"limit" min:"1" max:"50"`
}

type subscriptionFilterOut struct {
	FilterName             string   `json:"filterName"`
	LogGroupName           string   `json:"logGroupName"`
	FilterPattern          string   `json:"filterPattern"`
	DestinationArn         string   `json:"destinationArn"`
	RoleArn                string   `json:"roleArn,omitempty"`
	Distribution           string   `json:"distribution"`
	ApplyOnTransformedLogs bool     `json:"applyOnTransformedLogs"`
	CreationTime           int64    `json:"creationTime"`
	FieldSelectionCriteria string   `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFields       []string `json:"emitSystemFields,omitempty"`
}

type describeSubscriptionFiltersOutput struct {
	SubscriptionFilters []subscriptionFilterOut `json:"subscriptionFilters"`
	NextToken           string                  `json:"nextToken,omitempty"`
}

func (s *Service) putSubscriptionFilter(c *awsproto.Call, in *putSubscriptionFilterInput) (struct{}, error) {
	pat, err := CompilePattern(*in.FilterPattern)
	if err != nil {
		return struct{}{}, err
	}
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	if err := s.checkDestination(c, in.DestinationArn); err != nil {
		return struct{}{}, err
	}
	dist := in.Distribution
	if dist == "" {
		dist = "ByLogStream"
	}
	return struct{}{}, g.PutSubscriptionFilter(&SubFilter{Name: in.FilterName, PatternSrc: *in.FilterPattern, Destination: in.DestinationArn,
		RoleArn: in.RoleArn, Distribution: dist, Transformed: in.ApplyOnTransformedLogs, FieldSelection: in.FieldSelectionCriteria,
		EmitSystemFields: in.EmitSystemFields, Pattern: pat})
}

// checkDestination: a Lambda function must exist; a logs destination must
// exist; Kinesis and Firehose destinations are stored as they are.
func (s *Service) checkDestination(c *awsproto.Call, arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return errInvalidParameter.Errorf("Invalid destinationArn: %s", arn)
	}
	switch parts[2] {
	case "lambda":
		l, ok := s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionLookup)
		if !ok || !l.FunctionExists(arn) {
			return errInvalidParameter.New(msgLambdaDestination)
		}
	case "logs":
		name := strings.TrimPrefix(parts[5], "destination:")
		if _, ok := s.store.Destination(parts[3], name); !ok {
			return errInvalidParameter.New(msgDestinationNotFound)
		}
	case "kinesis", "firehose":
	default:
		return errInvalidParameter.Errorf("Invalid destinationArn: %s", arn)
	}
	return nil
}

func (s *Service) describeSubscriptionFilters(c *awsproto.Call, in *describeFiltersInput) (describeSubscriptionFiltersOutput, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return describeSubscriptionFiltersOutput{}, err
	}
	fs := g.SubscriptionFilters(deref(in.FilterNamePrefix))
	start, err := pageStart(deref(in.NextToken), len(fs))
	if err != nil {
		return describeSubscriptionFiltersOutput{}, err
	}
	end := min(len(fs), start+limitOr(in.Limit, 50))
	out := describeSubscriptionFiltersOutput{SubscriptionFilters: []subscriptionFilterOut{}}
	for _, f := range fs[start:end] {
		out.SubscriptionFilters = append(out.SubscriptionFilters, subscriptionFilterOut{FilterName: f.Name, LogGroupName: f.Group,
			FilterPattern: f.PatternSrc, DestinationArn: f.Destination, RoleArn: f.RoleArn, Distribution: f.Distribution,
			ApplyOnTransformedLogs: f.Transformed, CreationTime: f.Created, FieldSelectionCriteria: f.FieldSelection, EmitSystemFields: f.EmitSystemFields})
	}
	out.NextToken = pageToken(end, len(fs))
	return out, nil
}

func (s *Service) deleteSubscriptionFilter(c *awsproto.Call, in *filterRef) (struct{}, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.DeleteSubscriptionFilter(in.FilterName)
}

// pageStart decodes an offset token of a listing of n items.
func pageStart(tok string, n int) (int, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, badToken()
	}
	i, err := strconv.Atoi(string(b))
	if err != nil || i < 0 || i > n {
		return 0, badToken()
	}
	return i, nil
}

// pageToken is the token of the page starting at end, "" at the end.
func pageToken(end, n int) string {
	if end >= n {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
}

// ---- metric filters ----

type metricTransformationIn struct {
	MetricName      string            `json:"metricName" required:"true" max:"255" pattern:"[^:*$]*"`
	MetricNamespace string            `json:"metricNamespace" required:"true" max:"255" pattern:"[^:*$]*"`
	MetricValue     string            `json:"metricValue" required:"true" max:"100"`
	DefaultValue    *float64          `json:"defaultValue"`
	Dimensions      map[string]string `json:"dimensions"`
	Unit            string            `json:"unit" enum:"Seconds,Microseconds,Milliseconds,Bytes,Kilobytes,Megabytes,Gigabytes,Terabytes,Bits,Kilobits,Megabits,Gigabits,Terabits,Percent,Count,Bytes/Second,Kilobytes/Second,Megabytes/Second,Gigabytes/Second,Terabytes/Second,Bits/Second,Kilobits/Second,Megabits/Second,Gigabits/Second,Terabits/Second,Count/Second,None"`
}

type putMetricFilterInput struct {
	filterRef
	FilterPattern             *string                  `json:"filterPattern" required:"true" max:"1024"`
	MetricTransformations     []metricTransformationIn `json:"metricTransformations" required:"true" min:"1" max:"1"`
	ApplyOnTransformedLogs    bool                     `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria    string                   `json:"fieldSelectionCriteria" max:"2000"`
	EmitSystemFieldDimensions []string                 `json:"emitSystemFieldDimensions"`
}

// Validate: at most 3 dimensions, and a value that is a number or a field.
func (in *putMetricFilterInput) Validate() error {
	for _, t := range in.MetricTransformations {
		if len(t.Dimensions) > 3 {
			return errInvalidParameter.New("The maximum number of dimensions allowed is 3.")
		}
		if !strings.HasPrefix(t.MetricValue, "$") {
			if _, err := strconv.ParseFloat(t.MetricValue, 64); err != nil {
				return errInvalidParameter.Errorf("Invalid metric value: %s", t.MetricValue)
			}
		}
		if t.DefaultValue != nil && len(t.Dimensions) > 0 {
			return errInvalidParameter.New("A default value cannot be specified for a metric filter with dimensions.")
		}
	}
	return nil
}

type describeMetricFiltersInput struct {
	LogGroupName     *string `json:"logGroupName" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	FilterNamePrefix *string `json:"filterNamePrefix" min:"1" max:"512" pattern:"[^:*]*"`
	NextToken        *string `json:"nextToken" min:"1"`
	Limit            *int32  `json:"limit" min:"1" max:"50"`
	MetricName       string  `json:"metricName" max:"255" pattern:"[^:*$]*"`
	MetricNamespace  string  `json:"metricNamespace" max:"255" pattern:"[^:*$]*"`
}

// Validate: a metric name goes with a namespace; a prefix with a group.
func (in *describeMetricFiltersInput) Validate() error {
	if (in.MetricName == "") != (in.MetricNamespace == "") {
		return errInvalidParameter.New("If you specify a value for either metricName or metricNamespace, you must specify both.")
	}
	if in.FilterNamePrefix != nil && in.LogGroupName == nil {
		return errInvalidParameter.New("If you specify a value for filterNamePrefix, you must also specify logGroupName.")
	}
	return nil
}

type metricTransformationOut struct {
	MetricName      string            `json:"metricName"`
	MetricNamespace string            `json:"metricNamespace"`
	MetricValue     string            `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            string            `json:"unit,omitempty"`
}

type metricFilterOut struct {
	FilterName                string                    `json:"filterName"`
	FilterPattern             string                    `json:"filterPattern"`
	MetricTransformations     []metricTransformationOut `json:"metricTransformations"`
	CreationTime              int64                     `json:"creationTime"`
	LogGroupName              string                    `json:"logGroupName"`
	ApplyOnTransformedLogs    bool                      `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria    string                    `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFieldDimensions []string                  `json:"emitSystemFieldDimensions,omitempty"`
}

type describeMetricFiltersOutput struct {
	MetricFilters []metricFilterOut `json:"metricFilters"`
	NextToken     string            `json:"nextToken,omitempty"`
}

type testMetricFilterInput struct {
	FilterPattern    *string  `json:"filterPattern" required:"true" max:"1024"`
	LogEventMessages []string `json:"logEventMessages" required:"true" min:"1" max:"50"`
}

type metricFilterMatchOut struct {
	EventNumber     int64             `json:"eventNumber"`
	EventMessage    string            `json:"eventMessage"`
	ExtractedValues map[string]string `json:"extractedValues"`
}

type testMetricFilterOutput struct {
	Matches []metricFilterMatchOut `json:"matches"`
}

func (s *Service) putMetricFilter(c *awsproto.Call, in *putMetricFilterInput) (struct{}, error) {
	pat, err := CompilePattern(*in.FilterPattern)
	if err != nil {
		return struct{}{}, err
	}
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	f := &MetricFilter{Name: in.FilterName, PatternSrc: *in.FilterPattern, Transformed: in.ApplyOnTransformedLogs,
		FieldSelection: in.FieldSelectionCriteria, EmitSystemFields: in.EmitSystemFieldDimensions, Pattern: pat}
	for _, t := range in.MetricTransformations {
		f.Transforms = append(f.Transforms, MetricTransform{Name: t.MetricName, Namespace: t.MetricNamespace, Value: t.MetricValue,
			Default: t.DefaultValue, Dimensions: t.Dimensions, Unit: t.Unit})
	}
	return struct{}{}, g.PutMetricFilter(f)
}

func (s *Service) describeMetricFilters(c *awsproto.Call, in *describeMetricFiltersInput) (describeMetricFiltersOutput, error) {
	fs, err := s.store.MetricFilters(c.Region, deref(in.LogGroupName), func(f *MetricFilter) bool {
		if !strings.HasPrefix(f.Name, deref(in.FilterNamePrefix)) {
			return false
		}
		if in.MetricName == "" {
			return true
		}
		for _, t := range f.Transforms {
			if t.Name == in.MetricName && t.Namespace == in.MetricNamespace {
				return true
			}
		}
		return false
	})
	if err != nil {
		return describeMetricFiltersOutput{}, err
	}
	start, err := pageStart(deref(in.NextToken), len(fs))
	if err != nil {
		return describeMetricFiltersOutput{}, err
	}
	end := min(len(fs), start+limitOr(in.Limit, 50))
	out := describeMetricFiltersOutput{MetricFilters: []metricFilterOut{}, NextToken: pageToken(end, len(fs))}
	for _, f := range fs[start:end] {
		o := metricFilterOut{FilterName: f.Name, FilterPattern: f.PatternSrc, CreationTime: f.Created, LogGroupName: f.Group,
			ApplyOnTransformedLogs: f.Transformed, FieldSelectionCriteria: f.FieldSelection, EmitSystemFieldDimensions: f.EmitSystemFields}
		for _, t := range f.Transforms {
			o.MetricTransformations = append(o.MetricTransformations, metricTransformationOut{MetricName: t.Name, MetricNamespace: t.Namespace,
				MetricValue: t.Value, DefaultValue: t.Default, Dimensions: t.Dimensions, Unit: t.Unit})
		}
		out.MetricFilters = append(out.MetricFilters, o)
	}
	return out, nil
}

func (s *Service) deleteMetricFilter(c *awsproto.Call, in *filterRef) (struct{}, error) {
	g, err := s.store.Group(c.Region, in.LogGroupName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.DeleteMetricFilter(in.FilterName)
}

func (s *Service) testMetricFilter(c *awsproto.Call, in *testMetricFilterInput) (testMetricFilterOutput, error) {
	pat, err := CompilePattern(*in.FilterPattern)
	if err != nil {
		return testMetricFilterOutput{}, err
	}
	out := testMetricFilterOutput{Matches: []metricFilterMatchOut{}}
	for i, m := range in.LogEventMessages {
		if !pat.Match(m) {
			continue
		}
		ex := pat.Extract(m)
		if ex == nil {
			ex = map[string]string{}
		}
		out.Matches = append(out.Matches, metricFilterMatchOut{EventNumber: int64(i + 1), EventMessage: m, ExtractedValues: ex})
	}
	return out, nil
}

// ---- what happens to events stored in a group with filters ----

// onEvents publishes the metric filters' values and queues the
// subscriptions' deliveries of a batch just stored.
func (s *Service) onEvents(b Batch) {
	for _, f := range b.Metrics {
		s.publishMetrics(b.Region, f, b.Events)
	}
	for _, t := range b.Tails {
		t.Offer(b.Group, b.Stream, b.Events)
	}
	for _, f := range b.Subs {
		var matched []Event
		for _, ev := range b.Events {
			if f.Pattern.Match(ev.Msg) {
				matched = append(matched, ev)
			}
		}
		if len(matched) > 0 && strings.HasPrefix(f.Destination, "arn:aws:lambda:") {
			s.queueLambda(b, f, matched)
		}
	}
}

// publishMetrics adds one value per matching event to the filter's metric
// (value and dimensions read from the event), or its default value once
// when no event of the batch matched.
func (s *Service) publishMetrics(region string, f *MetricFilter, evs []Event) {
	m, _ := s.env.Links.Get(cloud.LinkMetrics).(cloud.Metrics)
	if m == nil {
		return
	}
	for _, t := range f.Transforms {
		matched := false
		for _, ev := range evs {
			if !f.Pattern.Match(ev.Msg) {
				continue
			}
			matched = true
			var ex map[string]string
			if len(f.Pattern.names) > 0 {
				ex = f.Pattern.Extract(ev.Msg)
			}
			vs, ok := f.Pattern.FieldValue(ev.Msg, t.Value, ex)
			if !ok {
				continue
			}
			v, err := strconv.ParseFloat(vs, 64)
			if err != nil {
				continue
			}
			dims := make([]cloud.MetricDimension, 0, len(t.Dimensions))
			for name, expr := range t.Dimensions {
				dv, ok := f.Pattern.FieldValue(ev.Msg, expr, ex)
				if !ok || dv == "" {
					dims = nil
					break
				}
				dims = append(dims, cloud.MetricDimension{Name: name, Value: dv})
			}
			if len(t.Dimensions) > 0 && dims == nil {
				continue
			}
			m.Series(region, t.Namespace, t.Name, unitOr(t.Unit), dims...).Add(v)
		}
		if !matched && t.Default != nil {
			m.Series(region, t.Namespace, t.Name, unitOr(t.Unit)).Add(*t.Default)
		}
	}
}

func unitOr(u string) string {
	if u == "" {
		return "None"
	}
	return u
}

// subscriptionEvent is the JSON CloudWatch Logs sends a subscription's
// destination (gzipped, and base64 in Lambda's awslogs.data).
type subscriptionEvent struct {
	MessageType         string          `json:"messageType"`
	Owner               string          `json:"owner"`
	LogGroup            string          `json:"logGroup"`
	LogStream           string          `json:"logStream"`
	SubscriptionFilters []string        `json:"subscriptionFilters"`
	LogEvents           []subscribedOut `json:"logEvents"`
}

type subscribedOut struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// Delivery batches: AWS sends a function at most about 256 KB at a time.
const (
	maxDeliveryBytes    = 256 << 10
	maxQueuedDeliveries = 1024
)

// queueLambda splits matched events into payloads and queues them.
func (s *Service) queueLambda(b Batch, f *SubFilter, evs []Event) {
	for len(evs) > 0 {
		ev := subscriptionEvent{MessageType: "DATA_MESSAGE", Owner: s.env.Account, LogGroup: b.Group, LogStream: b.Stream,
			SubscriptionFilters: []string{f.Name}}
		size := 0
		n := 0
		for n < len(evs) && (n == 0 || size+len(evs[n].Msg)+eventOverhead <= maxDeliveryBytes) {
			size += len(evs[n].Msg) + eventOverhead
			ev.LogEvents = append(ev.LogEvents, subscribedOut{ID: EventID(evs[n].key()), Timestamp: evs[n].TS, Message: evs[n].Msg})
			n++
		}
		evs = evs[n:]
		raw, _ := json.Marshal(ev)
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(raw)
		zw.Close()
		payload, _ := json.Marshal(map[string]map[string]string{"awslogs": {"data": base64.StdEncoding.EncodeToString(zb.Bytes())}})
		s.ext.deliveries.push(s, delivery{region: b.Region, function: f.Destination, payload: payload})
	}
}

// serviceExt is the service's state beyond the store.
type serviceExt struct {
	deliveries deliveryQueue
	tails      atomic.Int32 // live-tail sessions open
}

// delivery is one invocation a subscription owes a function.
type delivery struct {
	region, function string
	payload          []byte
}

// deliveryQueue invokes functions one payload at a time, off the caller's
// goroutine; its goroutine runs only while there is something to send.
type deliveryQueue struct {
	mu      sync.Mutex
	queue   []delivery
	running bool
}

func (q *deliveryQueue) push(s *Service, d delivery) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queue) >= maxQueuedDeliveries {
		if s.env.Log != nil {
			s.env.Log.Warn("logs: subscription delivery queue full, dropping a batch", "function", d.function)
		}
		return
	}
	q.queue = append(q.queue, d)
	if !q.running {
		q.running = true
		go q.run(s)
	}
}

func (q *deliveryQueue) run(s *Service) {
	for {
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		d := q.queue[0]
		q.queue = q.queue[1:]
		q.mu.Unlock()
		inv, _ := s.env.Links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
		if inv == nil {
			continue
		}
		if _, err := inv.Invoke(context.Background(), cloud.InvokeRequest{Region: d.region, Function: d.function, Payload: d.payload, Async: true}); err != nil && s.env.Log != nil {
			s.env.Log.Warn("logs: subscription delivery failed", "function", d.function, "err", err)
		}
	}
}

func base64URL(s string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return "", badToken()
	}
	return string(b), nil
}

func base64URLEncode(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

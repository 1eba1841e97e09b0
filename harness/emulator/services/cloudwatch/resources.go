package cloudwatch

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Bounds of the resources besides metrics and alarms (AWS's quotas where it
// has one): dashboards per account, metric streams, insight rules and
// anomaly detectors per region.
const (
	maxDashboards     = 5000
	maxDashboardBody  = 1 << 20 // AWS: 1 MB... of which groundstack keeps each body whole
	maxStreams        = 1000
	maxInsightRules   = 100
	maxAnomalyModels  = 5000
	insightEnabled    = "ENABLED"
	insightDisabled   = "DISABLED"
	streamRunning     = "running"
	streamStopped     = "stopped"
	otelRunning       = "Running"
	otelStopped       = "Stopped"
	detectorPending   = "PENDING_TRAINING"
	detectorSingle    = "SINGLE_METRIC"
	detectorMetricMat = "METRIC_MATH"
)

// Dashboard is a CloudWatch dashboard (per account: dashboards are global).
type Dashboard struct {
	Name, ARN, Body string
	Modified        time.Time
}

// MetricStream is a stored metric stream (Firehose is not emulated: nothing
// is streamed).
type MetricStream struct {
	Name, ARN, Region, FirehoseARN, RoleARN, OutputFormat, State string
	Include, Exclude                                             []StreamFilter
	Statistics                                                   []StreamStatistics
	LinkedAccounts                                               bool
	Created, Updated                                             time.Time
}

// StreamFilter is a metric stream's namespace filter.
type StreamFilter struct {
	Namespace   string
	MetricNames []string
}

// StreamStatistics is a metric stream's additional statistics for metrics.
type StreamStatistics struct {
	Metrics    [][2]string // namespace, name
	Statistics []string
}

// InsightRule is a Contributor Insights rule.
type InsightRule struct {
	Name, ARN, Region, State, Definition string
	Managed, OnTransformedLogs           bool
	Template, ResourceARN                string // managed rules
}

// AnomalyDetector is a stored anomaly detection model.
type AnomalyDetector struct {
	Type       string // SINGLE_METRIC or METRIC_MATH
	Namespace  string
	MetricName string
	Dims       []Dimension
	Stat       string
	AccountID  string
	// Queries is a METRIC_MATH detector's queries as sent (JSON).
	Queries        []byte
	Excluded       [][2]time.Time
	Timezone       string
	PeriodicSpikes *bool
	key            string
}

// Resources holds dashboards, metric streams, insight rules, anomaly
// detectors, the OTel enrichment switch and these resources' tags.
type Resources struct {
	account string

	mu         sync.Mutex
	dashboards map[string]*Dashboard
	streams    map[string]map[string]*MetricStream // region → name
	rules      map[string]map[string]*InsightRule  // region → name
	detectors  map[string][]*AnomalyDetector       // region → detectors
	otel       map[string]bool                     // region → running
	tags       map[string]map[string]string        // ARN → tags
}

// NewResources returns an empty store.
func NewResources(account string) *Resources {
	r := &Resources{account: account}
	r.Reset()
	return r
}

// Reset drops everything.
func (r *Resources) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dashboards = map[string]*Dashboard{}
	r.streams = map[string]map[string]*MetricStream{}
	r.rules = map[string]map[string]*InsightRule{}
	r.detectors = map[string][]*AnomalyDetector{}
	r.otel = map[string]bool{}
	r.tags = map[string]map[string]string{}
}

func (r *Resources) arn(region, kind, name string) string {
	return "arn:aws:cloudwatch:" + region + ":" + r.account + ":" + kind + "/" + name
}

// setTags replaces nothing: it adds tags to an ARN; the caller holds r.mu.
func (r *Resources) addTags(arn string, tags map[string]string) {
	if len(tags) == 0 {
		return
	}
	t := r.tags[arn]
	if t == nil {
		t = map[string]string{}
		r.tags[arn] = t
	}
	for k, v := range tags {
		t[k] = v
	}
}

// exists says whether an ARN names one of the store's resources; the
// caller holds r.mu.
func (r *Resources) exists(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cloudwatch" || parts[4] != r.account {
		return false
	}
	kind, name, ok := strings.Cut(parts[5], "/")
	if !ok {
		return false
	}
	switch kind {
	case "dashboard":
		d := r.dashboards[name]
		return d != nil && d.ARN == arn
	case "metric-stream":
		return r.streams[parts[3]][name] != nil
	case "insight-rule":
		return r.rules[parts[3]][name] != nil
	}
	return false
}

// Tag changes the tags of a resource by ARN; ok is false when the store
// has no such resource.
func (r *Resources) Tag(arn string, set map[string]string, remove []string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.exists(arn) {
		return false
	}
	r.addTags(arn, set)
	for _, k := range remove {
		delete(r.tags[arn], k)
	}
	return true
}

// Tags returns a resource's tags by ARN.
func (r *Resources) Tags(arn string) (map[string]string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.exists(arn) {
		return nil, false
	}
	out := make(map[string]string, len(r.tags[arn]))
	for k, v := range r.tags[arn] {
		out[k] = v
	}
	return out, true
}

// ---- dashboards

// PutDashboard creates or replaces a dashboard.
func (r *Resources) PutDashboard(name, body string, tags map[string]string, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.dashboards[name]
	if d == nil {
		if len(r.dashboards) >= maxDashboards {
			return errLimitExceeded.Errorf("The maximum number of dashboards (%d) has been reached.", maxDashboards)
		}
		d = &Dashboard{Name: name, ARN: "arn:aws:cloudwatch::" + r.account + ":dashboard/" + name}
		r.dashboards[name] = d
	}
	d.Body, d.Modified = body, now
	r.addTags(d.ARN, tags)
	return nil
}

// GetDashboard returns a copy of a dashboard.
func (r *Resources) GetDashboard(name string) (Dashboard, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.dashboards[name]
	if d == nil {
		return Dashboard{}, errResourceNotFound.Errorf("Dashboard %s does not exist", name)
	}
	return *d, nil
}

// Dashboards lists dashboards whose names begin with prefix, by name.
func (r *Resources) Dashboards(prefix string) []Dashboard {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Dashboard
	for _, d := range r.dashboards {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, *d)
		}
	}
	slices.SortFunc(out, func(a, b Dashboard) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// DeleteDashboards deletes dashboards; none is deleted when one does not
// exist.
func (r *Resources) DeleteDashboards(names []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var missing []string
	for _, n := range names {
		if r.dashboards[n] == nil && !slices.Contains(missing, n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return errResourceNotFound.Errorf("The specified dashboard does not exist. [%s]", strings.Join(missing, ", "))
	}
	for _, n := range names {
		if d := r.dashboards[n]; d != nil {
			delete(r.tags, d.ARN)
			delete(r.dashboards, n)
		}
	}
	return nil
}

// ---- metric streams

// PutMetricStream creates or updates a stream; a new one is running.
func (r *Resources) PutMetricStream(m *MetricStream, tags map[string]string, now time.Time) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	byName := r.streams[m.Region]
	if byName == nil {
		byName = map[string]*MetricStream{}
		r.streams[m.Region] = byName
	}
	m.ARN = r.arn(m.Region, "metric-stream", m.Name)
	m.Updated = now
	if old := byName[m.Name]; old != nil {
		m.Created, m.State = old.Created, old.State
	} else {
		if len(byName) >= maxStreams {
			return "", errLimitExceeded.Errorf("The maximum number of metric streams (%d) has been reached.", maxStreams)
		}
		m.Created, m.State = now, streamRunning
	}
	byName[m.Name] = m
	r.addTags(m.ARN, tags)
	return m.ARN, nil
}

// MetricStream returns a copy of a stream.
func (r *Resources) MetricStream(region, name string) (MetricStream, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.streams[region][name]
	if m == nil {
		return MetricStream{}, notFound("MetricStream", name, "Metric stream "+name+" does not exist.")
	}
	return *m, nil
}

// MetricStreams lists a region's streams by name.
func (r *Resources) MetricStreams(region string) []MetricStream {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]MetricStream, 0, len(r.streams[region]))
	for _, m := range r.streams[region] {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b MetricStream) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// DeleteMetricStream deletes a stream (a missing one is no error, as on AWS).
func (r *Resources) DeleteMetricStream(region, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.streams[region][name]; m != nil {
		delete(r.tags, m.ARN)
		delete(r.streams[region], name)
	}
}

// SetStreamsState starts or stops streams; unknown names are ignored.
func (r *Resources) SetStreamsState(region string, names []string, state string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range names {
		if m := r.streams[region][n]; m != nil && m.State != state {
			m.State, m.Updated = state, now
		}
	}
}

// ---- insight rules

// PutInsightRule creates or replaces a rule.
func (r *Resources) PutInsightRule(ir *InsightRule, tags map[string]string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	byName := r.rules[ir.Region]
	if byName == nil {
		byName = map[string]*InsightRule{}
		r.rules[ir.Region] = byName
	}
	if byName[ir.Name] == nil && len(byName) >= maxInsightRules {
		return errLimitExceededExc.Errorf("The maximum number of Contributor Insights rules (%d) has been reached.", maxInsightRules)
	}
	ir.ARN = r.arn(ir.Region, "insight-rule", ir.Name)
	byName[ir.Name] = ir
	r.addTags(ir.ARN, tags)
	return nil
}

// InsightRules lists a region's rules by name.
func (r *Resources) InsightRules(region string) []InsightRule {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]InsightRule, 0, len(r.rules[region]))
	for _, ir := range r.rules[region] {
		out = append(out, *ir)
	}
	slices.SortFunc(out, func(a, b InsightRule) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// InsightRule returns a copy of a rule.
func (r *Resources) InsightRule(region, name string) (InsightRule, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ir := r.rules[region][name]
	if ir == nil {
		return InsightRule{}, false
	}
	return *ir, true
}

// UpdateInsightRules sets the state of rules, or deletes them when state is
// empty; it returns the names not found.
func (r *Resources) UpdateInsightRules(region string, names []string, state string) (missing []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range names {
		ir := r.rules[region][n]
		switch {
		case ir == nil:
			missing = append(missing, n)
		case state == "":
			delete(r.tags, ir.ARN)
			delete(r.rules[region], n)
		default:
			ir.State = state
		}
	}
	return missing
}

// ManagedRules lists the managed rules of a resource.
func (r *Resources) ManagedRules(region, resourceARN string) []InsightRule {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []InsightRule
	for _, ir := range r.rules[region] {
		if ir.Managed && ir.ResourceARN == resourceARN {
			out = append(out, *ir)
		}
	}
	slices.SortFunc(out, func(a, b InsightRule) int { return strings.Compare(a.Template, b.Template) })
	return out
}

// ---- anomaly detectors

// PutAnomalyDetector creates or replaces a detector.
func (r *Resources) PutAnomalyDetector(region string, d *AnomalyDetector) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.detectors[region]
	for i, old := range list {
		if old.key == d.key {
			list[i] = d
			return nil
		}
	}
	if len(list) >= maxAnomalyModels {
		return errLimitExceededExc.Errorf("The maximum number of anomaly detection models (%d) has been reached.", maxAnomalyModels)
	}
	r.detectors[region] = append(list, d)
	return nil
}

// AnomalyDetectors lists a region's detectors, filtered by f.
func (r *Resources) AnomalyDetectors(region string, f func(*AnomalyDetector) bool) []AnomalyDetector {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []AnomalyDetector
	for _, d := range r.detectors[region] {
		if f(d) {
			out = append(out, *d)
		}
	}
	return out
}

// DeleteAnomalyDetector deletes the detector of a key.
func (r *Resources) DeleteAnomalyDetector(region, key, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.detectors[region]
	for i, d := range list {
		if d.key == key {
			r.detectors[region] = slices.Delete(list, i, i+1)
			return nil
		}
	}
	return notFound("AnomalyDetector", id, "No anomaly detection model found for given metric.")
}

// ---- OTel enrichment

// SetOTel starts or stops OTel enrichment in a region.
func (r *Resources) SetOTel(region string, running bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.otel[region] = running
}

// OTel says whether OTel enrichment runs in a region.
func (r *Resources) OTel(region string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.otel[region]
}

// Count is how many resources the store holds.
func (r *Resources) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.dashboards)
	for _, m := range r.streams {
		n += len(m)
	}
	for _, m := range r.rules {
		n += len(m)
	}
	for _, l := range r.detectors {
		n += len(l)
	}
	return n
}

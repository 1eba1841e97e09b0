package cloudwatch

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is CloudWatch's saved state (version 1): every region's metrics
// with their aggregated datapoints, metric and composite alarms with
// their configuration, state (and when it last changed) and tags, alarm
// history, dashboards, metric streams, Contributor Insights rules and
// anomaly detectors with their tags, and the OTel enrichment switch.
// Decoupled from the store's structs, it changes only with stateVersion.
//
// Not saved: alarm mute rules, and a clock tests drive (the loaded
// emulator runs on its own clock). Alarms go on being evaluated after the
// load as they were before the save.
type State struct {
	Metrics      []SeriesState       `json:"metrics"`
	Alarms       []AlarmState        `json:"alarms,omitempty"`
	History      []HistoryState      `json:"history,omitempty"`
	Dashboards   []DashboardState    `json:"dashboards,omitempty"`
	Streams      []MetricStreamState `json:"metricStreams,omitempty"`
	InsightRules []InsightRuleState  `json:"insightRules,omitempty"`
	Detectors    []DetectorState     `json:"anomalyDetectors,omitempty"`
	// OTel lists the regions where OTel enrichment runs.
	OTel []string `json:"otelEnrichment,omitempty"`
}

// MetricStreamState is a metric stream (nothing is streamed: Firehose is
// not emulated).
type MetricStreamState struct {
	Region         string                  `json:"region"`
	Name           string                  `json:"name"`
	FirehoseARN    string                  `json:"firehoseArn"`
	RoleARN        string                  `json:"roleArn"`
	OutputFormat   string                  `json:"outputFormat"`
	State          string                  `json:"state"`
	Include        []StreamFilterState     `json:"includeFilters,omitempty"`
	Exclude        []StreamFilterState     `json:"excludeFilters,omitempty"`
	Statistics     []StreamStatisticsState `json:"statisticsConfigurations,omitempty"`
	LinkedAccounts bool                    `json:"includeLinkedAccountsMetrics,omitempty"`
	Created        time.Time               `json:"created"`
	Updated        time.Time               `json:"updated"`
	Tags           map[string]string       `json:"tags,omitempty"`
}

// StreamFilterState is a metric stream's namespace filter.
type StreamFilterState struct {
	Namespace   string   `json:"namespace"`
	MetricNames []string `json:"metricNames,omitempty"`
}

// StreamStatisticsState is a metric stream's additional statistics: the
// metrics (namespace, name) they apply to.
type StreamStatisticsState struct {
	Metrics    [][2]string `json:"metrics"`
	Statistics []string    `json:"statistics"`
}

// InsightRuleState is a Contributor Insights rule.
type InsightRuleState struct {
	Region            string            `json:"region"`
	Name              string            `json:"name"`
	State             string            `json:"state"`
	Definition        string            `json:"definition"`
	Managed           bool              `json:"managed,omitempty"`
	OnTransformedLogs bool              `json:"applyOnTransformedLogs,omitempty"`
	Template          string            `json:"templateName,omitempty"`
	ResourceARN       string            `json:"resourceArn,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
}

// DetectorState is an anomaly detection model: a single metric's, or a
// metric math one's queries (as sent, JSON).
type DetectorState struct {
	Region         string           `json:"region"`
	Type           string           `json:"type"`
	Namespace      string           `json:"namespace,omitempty"`
	MetricName     string           `json:"metricName,omitempty"`
	Dimensions     []DimensionState `json:"dimensions,omitempty"`
	Stat           string           `json:"stat,omitempty"`
	AccountID      string           `json:"accountId,omitempty"`
	Queries        json.RawMessage  `json:"metricDataQueries,omitempty"`
	Excluded       [][2]time.Time   `json:"excludedTimeRanges,omitempty"`
	Timezone       string           `json:"metricTimezone,omitempty"`
	PeriodicSpikes *bool            `json:"periodicSpikes,omitempty"`
}

// DimensionState is a metric dimension.
type DimensionState struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SeriesState is one metric with its datapoints, aggregated by minute (or
// second, for high-resolution data) as the store keeps them.
type SeriesState struct {
	Region     string           `json:"region"`
	Namespace  string           `json:"namespace"`
	Name       string           `json:"name"`
	Dimensions []DimensionState `json:"dimensions,omitempty"`
	// LastValue is when a value last arrived (ListMetrics'
	// RecentlyActive).
	LastValue time.Time     `json:"lastValue,omitzero"`
	Buckets   []BucketState `json:"buckets,omitempty"`
}

// BucketState is one aggregation bucket: its start (Unix seconds), unit,
// statistics, and the distinct values with their counts (for
// percentiles).
type BucketState struct {
	Start  int64        `json:"start"`
	Unit   string       `json:"unit,omitempty"`
	N      float64      `json:"n"`
	Sum    float64      `json:"sum"`
	Min    float64      `json:"min"`
	Max    float64      `json:"max"`
	Values [][2]float64 `json:"values,omitempty"` // value, count
}

// AlarmState is a metric or composite alarm.
type AlarmState struct {
	Name                    string            `json:"name"`
	Region                  string            `json:"region"`
	Description             string            `json:"description,omitempty"`
	ActionsEnabled          bool              `json:"actionsEnabled"`
	OKActions               []string          `json:"okActions,omitempty"`
	AlarmActions            []string          `json:"alarmActions,omitempty"`
	InsufficientDataActions []string          `json:"insufficientDataActions,omitempty"`
	Namespace               string            `json:"namespace,omitempty"`
	MetricName              string            `json:"metricName,omitempty"`
	Statistic               string            `json:"statistic,omitempty"`
	ExtendedStatistic       string            `json:"extendedStatistic,omitempty"`
	Dimensions              []DimensionState  `json:"dimensions,omitempty"`
	Period                  int64             `json:"period,omitempty"`
	Unit                    string            `json:"unit,omitempty"`
	EvaluationPeriods       int               `json:"evaluationPeriods,omitempty"`
	DatapointsToAlarm       int               `json:"datapointsToAlarm,omitempty"`
	Threshold               float64           `json:"threshold"`
	Comparison              string            `json:"comparisonOperator,omitempty"`
	TreatMissingData        string            `json:"treatMissingData,omitempty"`
	EvaluateLowSampleCount  string            `json:"evaluateLowSampleCountPercentile,omitempty"`
	Metrics                 json.RawMessage   `json:"metrics,omitempty"`
	ThresholdMetricID       string            `json:"thresholdMetricId,omitempty"`
	State                   string            `json:"state"`
	StateReason             string            `json:"stateReason,omitempty"`
	StateReasonData         string            `json:"stateReasonData,omitempty"`
	StateUpdated            time.Time         `json:"stateUpdated"`
	StateTransitioned       time.Time         `json:"stateTransitioned"`
	Updated                 time.Time         `json:"updated"`
	Tags                    map[string]string `json:"tags,omitempty"`
	Composite               bool              `json:"composite,omitempty"`
	Rule                    string            `json:"rule,omitempty"`
	Suppressor              string            `json:"actionsSuppressor,omitempty"`
	WaitPeriod              int               `json:"waitPeriod,omitempty"`
	ExtensionPeriod         int               `json:"extensionPeriod,omitempty"`
	SuppressedBy            string            `json:"suppressedBy,omitempty"`
	SuppressedReason        string            `json:"suppressedReason,omitempty"`
	PendingActionsAt        time.Time         `json:"pendingActionsAt,omitzero"`
	LeftAlarm               time.Time         `json:"leftAlarm,omitzero"`
}

// HistoryState is one alarm history item.
type HistoryState struct {
	Region  string    `json:"region"`
	Alarm   string    `json:"alarm"`
	Type    string    `json:"type"`
	Summary string    `json:"summary"`
	Data    string    `json:"data,omitempty"`
	Time    time.Time `json:"time"`
}

// DashboardState is a dashboard.
type DashboardState struct {
	Name     string            `json:"name"`
	Body     string            `json:"body"`
	Modified time.Time         `json:"modified"`
	Tags     map[string]string `json:"tags,omitempty"`
}

func dimsState(ds []Dimension) []DimensionState {
	var out []DimensionState
	for _, d := range ds {
		out = append(out, DimensionState(d))
	}
	return out
}

func dimsOf(ds []DimensionState) []Dimension {
	var out []Dimension
	for _, d := range ds {
		out = append(out, Dimension(d))
	}
	return out
}

// StateVersion, SaveState and LoadState make CloudWatch a
// cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) {
	st := State{Metrics: s.metrics.saveState()}
	st.Alarms, st.History = s.alarms.saveState()
	s.resources.saveState(&st)
	return st, nil
}

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	if err := s.metrics.loadState(st.Metrics); err != nil {
		return err
	}
	if err := s.alarms.loadState(st.Alarms, st.History); err != nil {
		return err
	}
	return s.resources.loadState(&st)
}

// --- metrics

func (s *Store) saveState() []SeriesState {
	s.mu.RLock()
	keys := slices.Sorted(maps.Keys(s.series))
	series := make([]*Series, len(keys))
	for i, k := range keys {
		series[i] = s.series[k]
	}
	s.mu.RUnlock()
	out := []SeriesState{}
	for _, m := range series {
		m.mu.Lock()
		if len(m.buckets) == 0 {
			m.mu.Unlock()
			continue // an in-process emitter's series that holds nothing
		}
		ss := SeriesState{Region: m.Region, Namespace: m.Namespace, Name: m.Name, Dimensions: dimsState(m.Dims), LastValue: m.last,
			Buckets: make([]BucketState, len(m.buckets))}
		for i, b := range m.buckets {
			bs := BucketState{Start: b.t, Unit: b.unit, N: b.N, Sum: b.Sum, Min: b.Min, Max: b.Max}
			for _, v := range b.vals {
				bs.Values = append(bs.Values, [2]float64{v.v, v.n})
			}
			ss.Buckets[i] = bs
		}
		m.mu.Unlock()
		out = append(out, ss)
	}
	return out
}

func (s *Store) loadState(series []SeriesState) error {
	for _, ss := range series {
		m := s.Get(ss.Region, ss.Namespace, ss.Name, dimsOf(ss.Dimensions))
		if m == nil {
			return fmt.Errorf("metric %s/%s: the region holds too many metrics", ss.Namespace, ss.Name)
		}
		if len(ss.Buckets) > maxBuckets {
			return fmt.Errorf("metric %s/%s: %d buckets, at most %d", ss.Namespace, ss.Name, len(ss.Buckets), maxBuckets)
		}
		m.mu.Lock()
		m.last = ss.LastValue
		m.buckets = make([]bucket, 0, len(ss.Buckets))
		for _, bs := range ss.Buckets {
			b := bucket{t: bs.Start, unit: bs.Unit, Stats: Stats{N: bs.N, Sum: bs.Sum, Min: bs.Min, Max: bs.Max}}
			for _, v := range bs.Values[:min(len(bs.Values), maxBucketValues)] {
				b.vals = append(b.vals, valCount{v[0], v[1]})
			}
			m.buckets = append(m.buckets, b)
		}
		slices.SortStableFunc(m.buckets, func(a, b bucket) int { return cmp.Compare(a.t, b.t) })
		m.mu.Unlock()
	}
	return nil
}

// --- alarms

func (s *Alarms) saveState() ([]AlarmState, []HistoryState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var alarms []AlarmState
	for _, region := range slices.Sorted(maps.Keys(s.alarms)) {
		byName := s.alarms[region]
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			a := byName[name]
			alarms = append(alarms, AlarmState{Name: a.Name, Region: a.Region, Description: a.Description, ActionsEnabled: a.ActionsEnabled,
				OKActions: slices.Clone(a.OKActions), AlarmActions: slices.Clone(a.AlarmActions), InsufficientDataActions: slices.Clone(a.InsufficientDataActions),
				Namespace: a.Namespace, MetricName: a.MetricName, Statistic: a.Statistic, ExtendedStatistic: a.ExtendedStatistic,
				Dimensions: dimsState(a.Dims), Period: a.Period, Unit: a.Unit, EvaluationPeriods: a.EvaluationPeriods,
				DatapointsToAlarm: a.DatapointsToAlarm, Threshold: a.Threshold, Comparison: a.Comparison, TreatMissingData: a.TreatMissingData,
				EvaluateLowSampleCount: a.EvaluateLowSampleCount, Metrics: a.Metrics, ThresholdMetricID: a.ThresholdMetricID,
				State: a.State, StateReason: a.StateReason, StateReasonData: a.StateReasonData, StateUpdated: a.StateUpdated,
				StateTransitioned: a.StateTransitioned, Updated: a.Updated, Tags: maps.Clone(a.Tags), Composite: a.Composite, Rule: a.Rule,
				Suppressor: a.Suppressor, WaitPeriod: a.WaitPeriod, ExtensionPeriod: a.ExtensionPeriod, SuppressedBy: a.SuppressedBy,
				SuppressedReason: a.SuppressedReason, PendingActionsAt: a.pendingAt, LeftAlarm: a.leftAlarm})
		}
	}
	var history []HistoryState
	for _, region := range slices.Sorted(maps.Keys(s.history)) {
		for _, h := range s.history[region] {
			history = append(history, HistoryState{Region: region, Alarm: h.Alarm, Type: h.Type, Summary: h.Summary, Data: h.Data, Time: h.Time})
		}
	}
	return alarms, history
}

func (s *Alarms) loadState(alarms []AlarmState, history []HistoryState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, as := range alarms {
		if as.Name == "" || as.Region == "" {
			return fmt.Errorf("an alarm without a name or a region")
		}
		a := &Alarm{Name: as.Name, ARN: "arn:aws:cloudwatch:" + as.Region + ":" + s.account + ":alarm:" + as.Name, Region: as.Region,
			Description: as.Description, ActionsEnabled: as.ActionsEnabled, OKActions: as.OKActions, AlarmActions: as.AlarmActions,
			InsufficientDataActions: as.InsufficientDataActions, Namespace: as.Namespace, MetricName: as.MetricName, Statistic: as.Statistic,
			ExtendedStatistic: as.ExtendedStatistic, Dims: sortDims(dimsOf(as.Dimensions)), Period: as.Period, Unit: as.Unit,
			EvaluationPeriods: as.EvaluationPeriods, DatapointsToAlarm: as.DatapointsToAlarm, Threshold: as.Threshold, Comparison: as.Comparison,
			TreatMissingData: as.TreatMissingData, EvaluateLowSampleCount: as.EvaluateLowSampleCount, Metrics: as.Metrics,
			ThresholdMetricID: as.ThresholdMetricID, State: as.State, StateReason: as.StateReason, StateReasonData: as.StateReasonData,
			StateUpdated: as.StateUpdated, StateTransitioned: as.StateTransitioned, Updated: as.Updated, Tags: as.Tags, Composite: as.Composite,
			Rule: as.Rule, Suppressor: as.Suppressor, WaitPeriod: as.WaitPeriod, ExtensionPeriod: as.ExtensionPeriod,
			SuppressedBy: as.SuppressedBy, SuppressedReason: as.SuppressedReason, pendingAt: as.PendingActionsAt, leftAlarm: as.LeftAlarm}
		if a.Tags == nil {
			a.Tags = map[string]string{}
		}
		switch {
		case a.Composite:
			rule, err := parseRule(a.Rule)
			if err != nil {
				return fmt.Errorf("alarm %s's rule: %w", a.Name, err)
			}
			a.rule = rule
		case len(a.Metrics) > 0:
			var qs []metricDataQuery
			if err := json.Unmarshal(a.Metrics, &qs); err != nil {
				return fmt.Errorf("alarm %s's metrics: %w", a.Name, err)
			}
			target, err := mathAlarmTarget(qs)
			if err != nil {
				return fmt.Errorf("alarm %s's metrics: %w", a.Name, err)
			}
			a.mathStat = target
			a.seriesKey = seriesKey(a.Region, target.Namespace, target.MetricName, sortDims(target.Dims))
		default:
			a.seriesKey = seriesKey(a.Region, a.Namespace, a.MetricName, a.Dims)
		}
		byName := s.alarms[a.Region]
		if byName == nil {
			byName = map[string]*Alarm{}
			s.alarms[a.Region] = byName
		}
		if byName[a.Name] != nil {
			return fmt.Errorf("alarm %s saved twice", a.Name)
		}
		byName[a.Name] = a
	}
	for _, as := range alarms {
		a := s.alarms[as.Region][as.Name]
		if a.Composite && (slices.Contains(a.rule.alarms(nil), a.Name) || s.reaches(a.Region, a.rule.alarms(nil), a.Name, map[string]bool{})) {
			return fmt.Errorf("composite alarm %s: its rule makes a cycle", a.Name)
		}
	}
	for _, h := range history {
		s.history[h.Region] = append(s.history[h.Region], HistoryItem{Alarm: h.Alarm, Type: h.Type, Summary: h.Summary, Data: h.Data, Time: h.Time})
	}
	return nil
}

// --- dashboards and the other resources

func (r *Resources) saveState(st *State) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(r.dashboards)) {
		d := r.dashboards[name]
		st.Dashboards = append(st.Dashboards, DashboardState{Name: d.Name, Body: d.Body, Modified: d.Modified, Tags: maps.Clone(r.tags[d.ARN])})
	}
	for _, region := range slices.Sorted(maps.Keys(r.streams)) {
		for _, name := range slices.Sorted(maps.Keys(r.streams[region])) {
			m := r.streams[region][name]
			ms := MetricStreamState{Region: region, Name: m.Name, FirehoseARN: m.FirehoseARN, RoleARN: m.RoleARN, OutputFormat: m.OutputFormat,
				State: m.State, LinkedAccounts: m.LinkedAccounts, Created: m.Created, Updated: m.Updated, Tags: maps.Clone(r.tags[m.ARN])}
			for _, f := range m.Include {
				ms.Include = append(ms.Include, StreamFilterState{Namespace: f.Namespace, MetricNames: slices.Clone(f.MetricNames)})
			}
			for _, f := range m.Exclude {
				ms.Exclude = append(ms.Exclude, StreamFilterState{Namespace: f.Namespace, MetricNames: slices.Clone(f.MetricNames)})
			}
			for _, sc := range m.Statistics {
				ms.Statistics = append(ms.Statistics, StreamStatisticsState{Metrics: slices.Clone(sc.Metrics), Statistics: slices.Clone(sc.Statistics)})
			}
			st.Streams = append(st.Streams, ms)
		}
	}
	for _, region := range slices.Sorted(maps.Keys(r.rules)) {
		for _, name := range slices.Sorted(maps.Keys(r.rules[region])) {
			ir := r.rules[region][name]
			st.InsightRules = append(st.InsightRules, InsightRuleState{Region: region, Name: ir.Name, State: ir.State, Definition: ir.Definition,
				Managed: ir.Managed, OnTransformedLogs: ir.OnTransformedLogs, Template: ir.Template, ResourceARN: ir.ResourceARN,
				Tags: maps.Clone(r.tags[ir.ARN])})
		}
	}
	for _, region := range slices.Sorted(maps.Keys(r.detectors)) {
		for _, d := range r.detectors[region] {
			st.Detectors = append(st.Detectors, DetectorState{Region: region, Type: d.Type, Namespace: d.Namespace, MetricName: d.MetricName,
				Dimensions: dimsState(d.Dims), Stat: d.Stat, AccountID: d.AccountID, Queries: slices.Clone(d.Queries),
				Excluded: slices.Clone(d.Excluded), Timezone: d.Timezone, PeriodicSpikes: d.PeriodicSpikes})
		}
	}
	for _, region := range slices.Sorted(maps.Keys(r.otel)) {
		if r.otel[region] {
			st.OTel = append(st.OTel, region)
		}
	}
}

func (r *Resources) loadState(st *State) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range st.Dashboards {
		db := &Dashboard{Name: d.Name, ARN: "arn:aws:cloudwatch::" + r.account + ":dashboard/" + d.Name, Body: d.Body, Modified: d.Modified}
		r.dashboards[d.Name] = db
		r.addTags(db.ARN, d.Tags)
	}
	for _, ms := range st.Streams {
		if ms.Region == "" || ms.Name == "" {
			return fmt.Errorf("a metric stream without a region or a name")
		}
		m := &MetricStream{Name: ms.Name, ARN: r.arn(ms.Region, "metric-stream", ms.Name), Region: ms.Region, FirehoseARN: ms.FirehoseARN,
			RoleARN: ms.RoleARN, OutputFormat: ms.OutputFormat, State: ms.State, LinkedAccounts: ms.LinkedAccounts, Created: ms.Created,
			Updated: ms.Updated}
		for _, f := range ms.Include {
			m.Include = append(m.Include, StreamFilter(f))
		}
		for _, f := range ms.Exclude {
			m.Exclude = append(m.Exclude, StreamFilter(f))
		}
		for _, sc := range ms.Statistics {
			m.Statistics = append(m.Statistics, StreamStatistics(sc))
		}
		if r.streams[ms.Region] == nil {
			r.streams[ms.Region] = map[string]*MetricStream{}
		}
		r.streams[ms.Region][ms.Name] = m
		r.addTags(m.ARN, ms.Tags)
	}
	for _, is := range st.InsightRules {
		if is.Region == "" || is.Name == "" {
			return fmt.Errorf("an insight rule without a region or a name")
		}
		ir := &InsightRule{Name: is.Name, ARN: r.arn(is.Region, "insight-rule", is.Name), Region: is.Region, State: is.State,
			Definition: is.Definition, Managed: is.Managed, OnTransformedLogs: is.OnTransformedLogs, Template: is.Template, ResourceARN: is.ResourceARN}
		if r.rules[is.Region] == nil {
			r.rules[is.Region] = map[string]*InsightRule{}
		}
		r.rules[is.Region][is.Name] = ir
		r.addTags(ir.ARN, is.Tags)
	}
	for _, ds := range st.Detectors {
		d := &AnomalyDetector{Type: ds.Type, Namespace: ds.Namespace, MetricName: ds.MetricName, Dims: sortDims(dimsOf(ds.Dimensions)), Stat: ds.Stat,
			AccountID: ds.AccountID, Queries: []byte(ds.Queries), Excluded: ds.Excluded, Timezone: ds.Timezone, PeriodicSpikes: ds.PeriodicSpikes}
		if len(d.Queries) > 0 {
			d.key = "math\x00" + string(d.Queries)
		} else {
			d.key = seriesKey("", d.Namespace, d.MetricName, d.Dims) + "\x00" + d.Stat
		}
		r.detectors[ds.Region] = append(r.detectors[ds.Region], d)
	}
	for _, region := range st.OTel {
		r.otel[region] = true
	}
	return nil
}

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
// history, and dashboards with their tags. Decoupled from the store's
// structs, it changes only with stateVersion.
//
// Not saved: metric streams, Contributor Insights rules, anomaly
// detectors, alarm mute rules, the OTel enrichment switch, and a clock
// tests drive (the loaded emulator runs on its own clock). Alarms go on
// being evaluated after the load as they were before the save.
type State struct {
	Metrics    []SeriesState    `json:"metrics"`
	Alarms     []AlarmState     `json:"alarms,omitempty"`
	History    []HistoryState   `json:"history,omitempty"`
	Dashboards []DashboardState `json:"dashboards,omitempty"`
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
	st.Dashboards = s.resources.saveState()
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
	s.resources.loadState(st.Dashboards)
	return nil
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

// --- dashboards

func (r *Resources) saveState() []DashboardState {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []DashboardState
	for _, name := range slices.Sorted(maps.Keys(r.dashboards)) {
		d := r.dashboards[name]
		out = append(out, DashboardState{Name: d.Name, Body: d.Body, Modified: d.Modified, Tags: maps.Clone(r.tags[d.ARN])})
	}
	return out
}

func (r *Resources) loadState(ds []DashboardState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range ds {
		db := &Dashboard{Name: d.Name, ARN: "arn:aws:cloudwatch::" + r.account + ":dashboard/" + d.Name, Body: d.Body, Modified: d.Modified}
		r.dashboards[d.Name] = db
		r.addTags(db.ARN, d.Tags)
	}
}

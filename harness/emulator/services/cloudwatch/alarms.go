package cloudwatch

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Alarm states.
const (
	StateOK           = "OK"
	StateAlarm        = "ALARM"
	StateInsufficient = "INSUFFICIENT_DATA"
)

// History item types.
const (
	historyConfig = "ConfigurationUpdate"
	historyState  = "StateUpdate"
	historyAction = "Action"
)

// maxHistory bounds the history kept per region (oldest dropped first);
// AWS keeps 30 days of it.
const (
	maxHistory       = 10000
	historyRetention = 30 * 24 * time.Hour
)

// Alarm is a metric alarm.
type Alarm struct {
	Name, ARN, Region, Description string
	ActionsEnabled                 bool
	OKActions, AlarmActions        []string
	InsufficientDataActions        []string

	Namespace, MetricName        string
	Statistic, ExtendedStatistic string
	Dims                         []Dimension
	Period                       int64
	Unit                         string
	EvaluationPeriods            int
	DatapointsToAlarm            int
	Threshold                    float64
	Comparison                   string
	TreatMissingData             string
	EvaluateLowSampleCount       string
	// Metrics is a metric math alarm's queries, kept as sent (JSON) and
	// evaluated when one MetricStat query returns data.
	Metrics           json.RawMessage
	ThresholdMetricID string
	mathStat          *mathTarget

	State, StateReason, StateReasonData      string
	StateUpdated, StateTransitioned, Updated time.Time
	Tags                                     map[string]string

	// Composite alarms: the rule, and the alarm whose ALARM state
	// suppresses the actions.
	Composite                      bool
	Rule                           string
	rule                           *ruleNode
	Suppressor                     string
	WaitPeriod, ExtensionPeriod    int
	SuppressedBy, SuppressedReason string
	pendingAt                      time.Time // actions waiting for WaitPeriod to end
	leftAlarm                      time.Time // when the alarm last left ALARM

	seriesKey string
}

// mathTarget is the metric a metric-math alarm evaluates (its one
// MetricStat query with ReturnData).
type mathTarget struct {
	Namespace, MetricName, Stat, Unit string
	Dims                              []Dimension
	Period                            int64
}

func (a *Alarm) stat() string {
	if a.mathStat != nil {
		return a.mathStat.Stat
	}
	if a.ExtendedStatistic != "" {
		return a.ExtendedStatistic
	}
	return a.Statistic
}

func (a *Alarm) period() int64 {
	if a.mathStat != nil {
		return a.mathStat.Period
	}
	return a.Period
}

func (a *Alarm) unit() string {
	if a.mathStat != nil {
		return a.mathStat.Unit
	}
	return a.Unit
}

// HistoryItem is one DescribeAlarmHistory entry.
type HistoryItem struct {
	Alarm, Type, Summary, Data string
	Time                       time.Time
}

// Notification is an alarm action to publish: an SNS topic and the
// message AWS sends.
type Notification struct {
	Topic, Subject, Message, Alarm string
}

// Alarms holds a store's alarms and their history, by region.
type Alarms struct {
	metrics *Store
	account string

	mu      sync.Mutex
	alarms  map[string]map[string]*Alarm    // region → name → alarm
	history map[string][]HistoryItem        // region → items, oldest first
	mutes   map[string]map[string]*MuteRule // region → name → rule
	slots   []slot                          // the evaluation range being evaluated (under mu)
}

// NewAlarms returns an empty alarm store reading metrics.
func NewAlarms(metrics *Store, account string) *Alarms {
	return &Alarms{metrics: metrics, account: account, alarms: map[string]map[string]*Alarm{}, history: map[string][]HistoryItem{},
		mutes: map[string]map[string]*MuteRule{}}
}

// Put creates or replaces a metric alarm (see put).
func (s *Alarms) Put(a *Alarm, now time.Time) {
	a.Dims = sortDims(a.Dims)
	if a.mathStat != nil {
		a.seriesKey = seriesKey(a.Region, a.mathStat.Namespace, a.mathStat.MetricName, sortDims(a.mathStat.Dims))
	} else {
		a.seriesKey = seriesKey(a.Region, a.Namespace, a.MetricName, a.Dims)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(a, now)
}

// put stores a metric or composite alarm, new or replacing the one of its
// name, and records the configuration update. A new alarm starts
// INSUFFICIENT_DATA; a replaced one keeps its state (and when it last left
// ALARM, which its suppressor's extension period counts from) and, when a
// has none, its tags, as on AWS. The caller holds s.mu.
func (s *Alarms) put(a *Alarm, now time.Time) {
	a.ARN = "arn:aws:cloudwatch:" + a.Region + ":" + s.account + ":alarm:" + a.Name
	a.Updated = now
	byName := s.alarms[a.Region]
	if byName == nil {
		byName = map[string]*Alarm{}
		s.alarms[a.Region] = byName
	}
	summary := "Alarm \"" + a.Name + "\" updated"
	if old := byName[a.Name]; old != nil {
		a.State, a.StateReason, a.StateReasonData = old.State, old.StateReason, old.StateReasonData
		a.StateUpdated, a.StateTransitioned, a.leftAlarm = old.StateUpdated, old.StateTransitioned, old.leftAlarm
		if a.Tags == nil {
			a.Tags = old.Tags
		}
	} else {
		a.State, a.StateReason = StateInsufficient, "Unchecked: Initial alarm creation"
		a.StateUpdated, a.StateTransitioned = now, now
		summary = "Alarm \"" + a.Name + "\" created"
	}
	if a.Tags == nil {
		a.Tags = map[string]string{}
	}
	byName[a.Name] = a
	s.record(a.Region, HistoryItem{Alarm: a.Name, Type: historyConfig, Summary: summary, Time: now,
		Data: `{"version":"1.0","type":"Create"}`}, now)
}

// record appends a history item; the caller holds s.mu.
func (s *Alarms) record(region string, h HistoryItem, now time.Time) {
	items := append(s.history[region], h)
	cut := 0
	for cut < len(items) && (len(items)-cut > maxHistory || items[cut].Time.Before(now.Add(-historyRetention))) {
		cut++
	}
	s.history[region] = items[cut:]
}

// Get returns a copy of an alarm.
func (s *Alarms) Get(region, name string) (Alarm, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.alarms[region][name]
	if a == nil {
		return Alarm{}, false
	}
	return *a, true
}

// List returns copies of a region's alarms sorted by name, filtered by f.
func (s *Alarms) List(region string, f func(*Alarm) bool) []Alarm {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Alarm, 0, len(s.alarms[region]))
	for _, a := range s.alarms[region] {
		if f == nil || f(a) {
			out = append(out, *a)
		}
	}
	slices.SortFunc(out, func(a, b Alarm) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Delete removes alarms; it fails, removing none, when one does not exist.
func (s *Alarms) Delete(region string, names []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		if s.alarms[region][n] == nil {
			return errResourceNotFound.Errorf("1 validation error detected: Value '[%s]' at 'alarmNames' failed to satisfy constraint: Alarm %s does not exist", n, n)
		}
	}
	for _, n := range names {
		delete(s.alarms[region], n)
	}
	return nil
}

// SetActions enables or disables the actions of alarms (unknown names are
// ignored, as on AWS).
func (s *Alarms) SetActions(region string, names []string, enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		if a := s.alarms[region][n]; a != nil {
			a.ActionsEnabled = enabled
		}
	}
}

// Tag changes an alarm's tags by ARN.
func (s *Alarms) Tag(arn string, set map[string]string, remove []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags := s.tagsOf(arn)
	if tags == nil {
		return errResourceNotFoundExc.New("Unknown alarm ARN: " + arn)
	}
	a := &Alarm{Tags: tags}
	for k, v := range set {
		a.Tags[k] = v
	}
	for _, k := range remove {
		delete(a.Tags, k)
	}
	return nil
}

// Tags returns an alarm's tags by ARN.
func (s *Alarms) Tags(arn string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags := s.tagsOf(arn)
	if tags == nil {
		return nil, errResourceNotFoundExc.New("Unknown alarm ARN: " + arn)
	}
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[k] = v
	}
	return out, nil
}

// tagsOf returns the tags of an alarm or a mute rule by ARN (nil when
// there is none); the caller holds s.mu.
func (s *Alarms) tagsOf(arn string) map[string]string {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) == 7 && parts[0] == "arn" && parts[2] == "cloudwatch" && parts[5] == "alarm-mute-rule" {
		if m := s.mutes[parts[3]][parts[6]]; m != nil {
			if m.Tags == nil {
				m.Tags = map[string]string{}
			}
			return m.Tags
		}
		return nil
	}
	if a := s.byARN(arn); a != nil {
		return a.Tags
	}
	return nil
}

func (s *Alarms) byARN(arn string) *Alarm {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "cloudwatch" || parts[5] != "alarm" {
		return nil
	}
	return s.alarms[parts[3]][parts[6]]
}

// History returns a region's history, newest first, optionally of one alarm,
// one type, and a time range.
func (s *Alarms) History(region, name, typ string, from, to time.Time) []HistoryItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.history[region]
	out := make([]HistoryItem, 0, min(len(items), 100))
	for i := len(items) - 1; i >= 0; i-- {
		h := items[i]
		if (name != "" && h.Alarm != name) || (typ != "" && h.Type != typ) ||
			(!from.IsZero() && h.Time.Before(from)) || (!to.IsZero() && !h.Time.Before(to)) {
			continue
		}
		out = append(out, h)
	}
	return out
}

// SetState sets an alarm's state by hand (SetAlarmState); its actions run
// as for an evaluated change, and the next evaluation may change it back.
func (s *Alarms) SetState(region, name, state, reason, data string, now time.Time) ([]Notification, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.alarms[region][name]
	if a == nil {
		return nil, errResourceNotFound.Errorf("Alarm %s not found", name)
	}
	out := s.transition(a, state, reason, data, now)
	return append(out, s.evaluateComposites(region, now)...), nil
}

// transition moves a to state (recording it and returning its actions'
// notifications); the caller holds s.mu.
func (s *Alarms) transition(a *Alarm, state, reason, data string, now time.Time) []Notification {
	old := a.State
	a.StateReason, a.StateReasonData, a.StateUpdated = reason, data, now
	if old == state {
		return nil
	}
	a.State, a.StateTransitioned = state, now
	a.pendingAt, a.SuppressedBy, a.SuppressedReason = time.Time{}, "", ""
	if old == StateAlarm {
		a.leftAlarm = now
	}
	s.record(a.Region, HistoryItem{Alarm: a.Name, Type: historyState, Time: now,
		Summary: "Alarm updated from " + old + " to " + state,
		Data:    `{"version":"1.0","oldState":{"stateValue":"` + old + `"},"newState":{"stateValue":"` + state + `","stateReason":` + jsonQuote(reason) + `}}`}, now)
	if !a.ActionsEnabled {
		return nil
	}
	if a.Composite && s.suppress(a, now) {
		return nil
	}
	return s.actions(a, old, now)
}

// actions returns the notifications of a's actions for its state (none
// while a mute rule mutes it); the caller holds s.mu.
func (s *Alarms) actions(a *Alarm, old string, now time.Time) []Notification {
	if rule := s.mutedBy(a, now); rule != "" {
		s.record(a.Region, HistoryItem{Alarm: a.Name, Type: historyAction, Time: now,
			Summary: "Actions muted by alarm mute rule " + rule}, now)
		return nil
	}
	state := a.State
	var actions []string
	switch state {
	case StateAlarm:
		actions = a.AlarmActions
	case StateOK:
		actions = a.OKActions
	default:
		actions = a.InsufficientDataActions
	}
	var out []Notification
	for _, act := range actions {
		if !strings.HasPrefix(act, "arn:aws:sns:") {
			s.record(a.Region, HistoryItem{Alarm: a.Name, Type: historyAction, Time: now,
				Summary: "Failed to execute action " + act + ": only SNS actions are emulated"}, now)
			continue
		}
		msg := ""
		if a.Composite {
			msg = s.compositeMessage(a, old, now)
		} else {
			msg = message(a, s.account, old, now)
		}
		out = append(out, Notification{Topic: act, Alarm: a.Name,
			Subject: subject(state, a.Name, a.Region), Message: msg})
	}
	return out
}

// Recorded notes the outcome of a notification in the alarm's history.
func (s *Alarms) Recorded(region string, n Notification, err error, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	summary := "Successfully executed action " + n.Topic
	if err != nil {
		summary = "Failed to execute action " + n.Topic + ": " + err.Error()
	}
	s.record(region, HistoryItem{Alarm: n.Alarm, Type: historyAction, Time: now, Summary: summary}, now)
}

// Evaluate evaluates every alarm at now and returns the notifications of
// the state changes, with the region of each. Reasons are worded only for
// alarms whose state changes: an evaluation that changes nothing costs no
// allocation.
func (s *Alarms) Evaluate(now time.Time) (regions []string, out []Notification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for region, byName := range s.alarms {
		for _, a := range byName {
			if a.Composite || a.Updated.After(now) { // composites come next; a catch-up evaluation before the alarm existed
				continue
			}
			state, ok := s.evaluate(a, now)
			if !ok || state == a.State {
				continue
			}
			reason, data := s.reason(a, state, now)
			for _, n := range s.transition(a, state, reason, data, now) {
				regions = append(regions, region)
				out = append(out, n)
			}
		}
	}
	for region := range s.alarms {
		for _, n := range s.evaluateComposites(region, now) {
			regions = append(regions, region)
			out = append(out, n)
		}
	}
	return regions, out
}

// slot is one evaluation period's outcome.
type slot struct {
	start   int64
	value   float64
	n       float64
	present bool
}

// fill computes the evaluation range of a at now into s.slots, oldest
// first: the EvaluationPeriods periods ending with the one now falls in;
// that current period counts once it has data, else the range ends before
// it.
func (s *Alarms) fill(a *Alarm, now time.Time) []slot {
	p := a.period()
	n := a.EvaluationPeriods
	slots := s.slots[:0]
	m := s.metrics.lookupKey(a.seriesKey)
	stat, unit := a.stat(), a.unit()
	end := now.Unix() - mod(now.Unix(), p) + p
	if m == nil {
		end -= p
		for k := n - 1; k >= 0; k-- {
			slots = append(slots, slot{start: end - int64(k+1)*p})
		}
		s.slots = slots
		return slots
	}
	m.mu.Lock()
	if !m.hasDataIn(end-p, end, unit) {
		end -= p // the current period has no data yet
	}
	for k := n - 1; k >= 0; k-- {
		from := end - int64(k+1)*p
		st, has := m.aggregate(from, from+p, unit, isPercentile(stat))
		sl := slot{start: from, present: has}
		if has {
			sl.value, _ = st.Stat(stat)
			sl.n = st.N
		}
		slots = append(slots, sl)
	}
	m.mu.Unlock()
	s.slots = slots
	return slots
}

// evaluate computes an alarm's state at now; ok is false when it stays as
// it is (TreatMissingData=ignore with no data).
func (s *Alarms) evaluate(a *Alarm, now time.Time) (state string, ok bool) {
	if a.period() <= 0 || a.EvaluationPeriods <= 0 {
		return "", false
	}
	slots := s.fill(a, now)
	breaching, present := 0, 0
	for _, sl := range slots {
		switch {
		case sl.present:
			present++
			if compare(a.Comparison, sl.value, a.Threshold) {
				breaching++
			}
		case a.TreatMissingData == "breaching":
			breaching++
		}
	}
	if present == 0 {
		switch a.TreatMissingData {
		case "ignore":
			return "", false
		case "breaching":
			return StateAlarm, true
		case "notBreaching":
			return StateOK, true
		}
		return StateInsufficient, true
	}
	if breaching >= a.m2a() {
		return StateAlarm, true
	}
	return StateOK, true
}

func (a *Alarm) m2a() int {
	if a.DatapointsToAlarm <= 0 {
		return a.EvaluationPeriods
	}
	return a.DatapointsToAlarm
}

// reason words a state change (s.slots holds its evaluation range).
func (s *Alarms) reason(a *Alarm, state string, now time.Time) (reason, data string) {
	slots := s.slots
	n := a.EvaluationPeriods
	var shown []slot
	for _, sl := range slots {
		if sl.present {
			shown = append(shown, sl)
		}
	}
	data = reasonData(a, now, slots)
	switch {
	case len(shown) > 0:
		return thresholdReason(a, shown, state, a.m2a()), data
	case a.TreatMissingData == "breaching":
		return "Threshold Crossed: no datapoints were received for " + plural(n, "period") + " and " + plural(n, "missing datapoint") + " were treated as [Breaching].", data
	case a.TreatMissingData == "notBreaching":
		return "Threshold Crossed: no datapoints were received for " + plural(n, "period") + " and " + plural(n, "missing datapoint") + " were treated as [NonBreaching].", data
	}
	return "Insufficient Data: " + plural(n, "datapoint") + " " + wasWere(n) + " unknown.", data
}

func compare(op string, v, t float64) bool {
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return v >= t
	case "GreaterThanThreshold":
		return v > t
	case "LessThanThreshold":
		return v < t
	case "LessThanOrEqualToThreshold":
		return v <= t
	}
	return false
}

var opWords = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to",
	"GreaterThanThreshold":          "greater than",
	"LessThanThreshold":             "less than",
	"LessThanOrEqualToThreshold":    "less than or equal to",
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// thresholdReason words a state as AWS does: "Threshold Crossed: 1
// datapoint [5.0 (07/12/26 13:49:00)] was greater than or equal to the
// threshold (1.0)."
func thresholdReason(a *Alarm, shown []slot, state string, m2a int) string {
	var b strings.Builder
	b.WriteString("Threshold Crossed: ")
	if len(shown) == 1 {
		b.WriteString("1 datapoint [")
	} else {
		fmt.Fprintf(&b, "%d out of the last %d datapoints [", len(shown), a.EvaluationPeriods)
	}
	for i := len(shown) - 1; i >= 0; i-- { // newest first
		if i < len(shown)-1 {
			b.WriteString(", ")
		}
		b.WriteString(num(shown[i].value))
		b.WriteString(" (")
		b.WriteString(time.Unix(shown[i].start, 0).UTC().Format("02/01/06 15:04:05"))
		b.WriteString(")")
	}
	b.WriteString("] ")
	b.WriteString(wasWere(len(shown)))
	if state != StateAlarm {
		b.WriteString(" not")
	}
	b.WriteString(" ")
	b.WriteString(opWords[a.Comparison])
	b.WriteString(" the threshold (")
	b.WriteString(num(a.Threshold))
	b.WriteString(")")
	if m2a > 1 || a.EvaluationPeriods > 1 {
		if state == StateAlarm {
			fmt.Fprintf(&b, " (minimum %s for OK -> ALARM transition)", plural(m2a, "datapoint"))
		} else {
			fmt.Fprintf(&b, " (minimum %s for ALARM -> OK transition)", plural(a.EvaluationPeriods-m2a+1, "datapoint"))
		}
	}
	b.WriteString(".")
	return b.String()
}

// num writes a value as Java does (5.0, 0.5, 1.0E10).
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e7 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// reasonData is StateReasonData's JSON, written by hand: it is made on
// every state change, and encoding/json's maps cost more than the
// evaluation itself.
func reasonData(a *Alarm, now time.Time, slots []slot) string {
	b := make([]byte, 0, 256+96*len(slots))
	b = append(b, `{"version":"1.0","queryDate":"`...)
	b = appendISOMillis(b, now)
	if len(slots) > 0 {
		b = append(b, `","startDate":"`...)
		b = appendISOMillis(b, time.Unix(slots[0].start, 0))
	}
	b = append(b, `","statistic":`...)
	b = append(b, jsonQuote(a.stat())...)
	b = append(b, `,"period":`...)
	b = strconv.AppendInt(b, a.period(), 10)
	if a.Unit != "" {
		b = append(b, `,"unit":`...)
		b = append(b, jsonQuote(a.Unit)...)
	}
	b = append(b, `,"recentDatapoints":[`...)
	first := true
	for i := len(slots) - 1; i >= 0; i-- {
		if slots[i].present {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONNumber(b, slots[i].value)
		}
	}
	b = append(b, `],"threshold":`...)
	b = appendJSONNumber(b, a.Threshold)
	b = append(b, `,"evaluatedDatapoints":[`...)
	for i := len(slots) - 1; i >= 0; i-- {
		sl := slots[i]
		if i < len(slots)-1 {
			b = append(b, ',')
		}
		b = append(b, `{"timestamp":"`...)
		b = appendISOMillis(b, time.Unix(sl.start, 0))
		b = append(b, '"')
		if sl.present {
			b = append(b, `,"sampleCount":`...)
			b = appendJSONNumber(b, sl.n)
			b = append(b, `,"value":`...)
			b = appendJSONNumber(b, sl.value)
		}
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	return string(b)
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func appendJSONNumber(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

func appendISOMillis(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000+0000")
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000+0000") }

// Reset drops every alarm and all history.
func (s *Alarms) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alarms = map[string]map[string]*Alarm{}
	s.history = map[string][]HistoryItem{}
	s.mutes = map[string]map[string]*MuteRule{}
}

// Count is how many alarms exist.
func (s *Alarms) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.alarms {
		n += len(m)
	}
	return n
}

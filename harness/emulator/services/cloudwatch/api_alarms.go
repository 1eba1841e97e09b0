package cloudwatch

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type tag struct {
	Key   *string `json:"Key" xml:"Key" required:"true" min:"1" max:"128"`
	Value *string `json:"Value" xml:"Value" required:"true" max:"256"`
}

type putMetricAlarmInput struct {
	AlarmName                        *string           `json:"AlarmName" required:"true" min:"1" max:"255"`
	AlarmDescription                 *string           `json:"AlarmDescription" max:"1024"`
	ActionsEnabled                   *bool             `json:"ActionsEnabled"`
	OKActions                        []string          `json:"OKActions" max:"5"`
	AlarmActions                     []string          `json:"AlarmActions" max:"5"`
	InsufficientDataActions          []string          `json:"InsufficientDataActions" max:"5"`
	MetricName                       *string           `json:"MetricName" min:"1" max:"255"`
	Namespace                        *string           `json:"Namespace" min:"1" max:"255" pattern:"[^:].*"`
	Statistic                        string            `json:"Statistic" enum:"SampleCount,Average,Sum,Minimum,Maximum"`
	ExtendedStatistic                string            `json:"ExtendedStatistic"`
	Dimensions                       []dimension       `json:"Dimensions" max:"30"`
	Period                           *int              `json:"Period" min:"1"`
	Unit                             string            `json:"Unit" enum:"Seconds,Microseconds,Milliseconds,Bytes,Kilobytes,Megabytes,Gigabytes,Terabytes,Bits,Kilobits,Megabits,Gigabits,Terabits,Percent,Count,Bytes/Second,Kilobytes/Second,Megabytes/Second,Gigabytes/Second,Terabytes/Second,Bits/Second,Kilobits/Second,Megabits/Second,Gigabits/Second,Terabits/Second,Count/Second,None"`
	EvaluationPeriods                *int              `json:"EvaluationPeriods" min:"1"`
	DatapointsToAlarm                *int              `json:"DatapointsToAlarm" min:"1"`
	Threshold                        *awsproto.Double  `json:"Threshold"`
	ComparisonOperator               string            `json:"ComparisonOperator" enum:"GreaterThanOrEqualToThreshold,GreaterThanThreshold,LessThanThreshold,LessThanOrEqualToThreshold,LessThanLowerOrGreaterThanUpperThreshold,LessThanLowerThreshold,GreaterThanUpperThreshold"`
	TreatMissingData                 *string           `json:"TreatMissingData" min:"1" max:"255"`
	EvaluateLowSampleCountPercentile *string           `json:"EvaluateLowSampleCountPercentile" min:"1" max:"255"`
	Metrics                          []metricDataQuery `json:"Metrics"`
	Tags                             []tag             `json:"Tags"`
	ThresholdMetricId                *string           `json:"ThresholdMetricId" min:"1" max:"255"`
	EvaluationCriteria               *struct {
		PromQLCriteria *struct {
			Query          *string `json:"Query" required:"true" min:"1" max:"10000"`
			PendingPeriod  *int    `json:"PendingPeriod" min:"0" max:"86400"`
			RecoveryPeriod *int    `json:"RecoveryPeriod" min:"0" max:"86400"`
		} `json:"PromQLCriteria"`
	} `json:"EvaluationCriteria"`
	EvaluationInterval *int `json:"EvaluationInterval" min:"10" max:"3600"`
}

// maxAlarmSpan is the longest Period × EvaluationPeriods AWS accepts (a week).
const maxAlarmSpan = 7 * 24 * 3600

func checkActions(list []string, name string) error {
	for _, a := range list {
		parts := strings.SplitN(a, ":", 6)
		if len(parts) < 6 || parts[0] != "arn" || parts[2] == "" {
			return errValidation.Errorf("Invalid arn syntax: %s", a)
		}
		if parts[2] == "sns" && (parts[3] == "" || parts[4] == "" || parts[5] == "") {
			return errValidation.Errorf("Invalid arn syntax: %s", a)
		}
		_ = name
	}
	return nil
}

func (s *Service) putMetricAlarm(c *awsproto.Call, in *putMetricAlarmInput) (struct{}, error) {
	a := &Alarm{
		Name: *in.AlarmName, Region: c.Region, Description: deref(in.AlarmDescription),
		ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions:      in.OKActions, AlarmActions: in.AlarmActions, InsufficientDataActions: in.InsufficientDataActions,
		MetricName: deref(in.MetricName), Namespace: deref(in.Namespace),
		Statistic: in.Statistic, ExtendedStatistic: in.ExtendedStatistic, Dims: nil, Unit: in.Unit,
		Comparison: in.ComparisonOperator, TreatMissingData: "missing",
		EvaluateLowSampleCount: deref(in.EvaluateLowSampleCountPercentile), ThresholdMetricID: deref(in.ThresholdMetricId),
	}
	for _, l := range []struct {
		list []string
		name string
	}{{in.OKActions, "OKActions"}, {in.AlarmActions, "AlarmActions"}, {in.InsufficientDataActions, "InsufficientDataActions"}} {
		if err := checkActions(l.list, l.name); err != nil {
			return struct{}{}, err
		}
	}
	if in.TreatMissingData != nil {
		switch *in.TreatMissingData {
		case "breaching", "notBreaching", "ignore", "missing":
			a.TreatMissingData = *in.TreatMissingData
		default:
			return struct{}{}, errValidation.Errorf("Option unknown for TreatMissingData: %s. Valid options: breaching, notBreaching, ignore, missing", *in.TreatMissingData)
		}
	}
	if in.EvaluationCriteria != nil {
		return struct{}{}, errInvalidCombination.New("PromQL alarms (EvaluationCriteria) are not evaluated by groundstack.")
	}
	if in.EvaluationPeriods == nil {
		return struct{}{}, errMissingParameter.New("The parameter EvaluationPeriods is required.")
	}
	a.EvaluationPeriods = *in.EvaluationPeriods
	if in.DatapointsToAlarm != nil {
		a.DatapointsToAlarm = *in.DatapointsToAlarm
		if a.DatapointsToAlarm > a.EvaluationPeriods {
			return struct{}{}, errValidation.New("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
		}
	}
	if in.ComparisonOperator == "" {
		return struct{}{}, errMissingParameter.New("The parameter ComparisonOperator is required.")
	}
	if _, ok := opWords[in.ComparisonOperator]; !ok {
		return struct{}{}, errInvalidCombination.Errorf("Comparison operator %s is only supported for anomaly detection alarms, which groundstack does not evaluate.", in.ComparisonOperator)
	}
	if in.Threshold == nil {
		if in.ThresholdMetricId != nil {
			return struct{}{}, errInvalidCombination.New("ThresholdMetricId is only supported for anomaly detection alarms, which groundstack does not evaluate.")
		}
		return struct{}{}, errMissingParameter.New("The parameter Threshold is required.")
	}
	a.Threshold = float64(*in.Threshold)
	if !validValue(a.Threshold) {
		return struct{}{}, invalidValue(num(a.Threshold), "Threshold")
	}
	switch {
	case len(in.Metrics) > 0:
		if in.MetricName != nil || in.Namespace != nil || in.Statistic != "" || in.ExtendedStatistic != "" || in.Period != nil || len(in.Dimensions) > 0 || in.Unit != "" {
			return struct{}{}, errInvalidCombination.New("The parameters MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period and Unit cannot be specified together with Metrics.")
		}
		target, err := mathAlarmTarget(in.Metrics)
		if err != nil {
			return struct{}{}, err
		}
		a.mathStat = target
		raw, _ := json.Marshal(in.Metrics)
		a.Metrics = raw
	case in.MetricName == nil:
		return struct{}{}, errValidation.New("One of MetricName or Metrics must be specified.")
	default:
		if in.Statistic == "" && in.ExtendedStatistic == "" {
			return struct{}{}, errMissingParameter.New("Must specify either Statistic or ExtendedStatistic.")
		}
		if in.Statistic != "" && in.ExtendedStatistic != "" {
			return struct{}{}, errInvalidCombination.New("The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.")
		}
		if in.ExtendedStatistic != "" {
			if _, ok := percentile(in.ExtendedStatistic); !ok {
				return struct{}{}, errInvalidParameter.Errorf("The value %s for parameter ExtendedStatistic is not supported.", in.ExtendedStatistic)
			}
		}
		if in.Period == nil {
			return struct{}{}, errMissingParameter.New("The parameter Period is required.")
		}
		if err := checkAlarmPeriod(*in.Period); err != nil {
			return struct{}{}, err
		}
		a.Period = int64(*in.Period)
		a.Dims = dims(in.Dimensions)
	}
	if a.period()*int64(a.EvaluationPeriods) > maxAlarmSpan {
		return struct{}{}, errValidation.New("The evaluation period cannot exceed 7 days (Period multiplied by EvaluationPeriods).")
	}
	if len(in.Tags) > 0 {
		a.Tags = map[string]string{}
		for _, t := range in.Tags {
			a.Tags[*t.Key] = *t.Value
		}
	}
	s.alarms.Put(a, s.clock.Now())
	return struct{}{}, nil
}

// checkAlarmPeriod: alarms take 10, 20, 30 or a multiple of 60 seconds.
func checkAlarmPeriod(p int) error {
	if p == 10 || p == 20 || p == 30 || (p > 0 && p%60 == 0) {
		return nil
	}
	return errValidation.New("Period must be 10, 20, 30 or a multiple of 60")
}

// mathAlarmTarget finds the metric a metric-math alarm evaluates: the one
// query returning data, which must be a MetricStat (expressions are not
// evaluated by alarms here).
func mathAlarmTarget(qs []metricDataQuery) (*mathTarget, error) {
	var ret []metricDataQuery
	for _, q := range qs {
		if q.ReturnData == nil || *q.ReturnData {
			ret = append(ret, q)
		}
	}
	if len(ret) != 1 {
		return nil, errValidation.New("Exactly one element of the metrics list should return data.")
	}
	q := ret[0]
	if q.MetricStat == nil {
		return nil, errInvalidParameter.New("Metric math expressions in alarms are not evaluated by groundstack: the query returning data must be a MetricStat.")
	}
	ms := q.MetricStat
	if err := checkAlarmPeriod(*ms.Period); err != nil {
		return nil, err
	}
	t := &mathTarget{Namespace: deref(ms.Metric.Namespace), MetricName: deref(ms.Metric.MetricName), Stat: *ms.Stat, Unit: ms.Unit, Period: int64(*ms.Period), Dims: dims(ms.Metric.Dimensions)}
	return t, nil
}

// ---- DescribeAlarms

type describeAlarmsInput struct {
	AlarmNames          []string `json:"AlarmNames" max:"100"`
	AlarmNamePrefix     *string  `json:"AlarmNamePrefix" min:"1" max:"255"`
	AlarmTypes          []string `json:"AlarmTypes"`
	ChildrenOfAlarmName *string  `json:"ChildrenOfAlarmName" min:"1" max:"255"`
	ParentsOfAlarmName  *string  `json:"ParentsOfAlarmName" min:"1" max:"255"`
	StateValue          string   `json:"StateValue" enum:"OK,ALARM,INSUFFICIENT_DATA"`
	ActionPrefix        *string  `json:"ActionPrefix" min:"1" max:"1024"`
	MaxRecords          *int     `json:"MaxRecords" min:"1" max:"100"`
	NextToken           *string  `json:"NextToken"`
}

type metricAlarmOut struct {
	AlarmName                          string               `json:"AlarmName" xml:"AlarmName"`
	AlarmArn                           string               `json:"AlarmArn" xml:"AlarmArn"`
	AlarmDescription                   string               `json:"AlarmDescription,omitempty" xml:"AlarmDescription,omitempty"`
	AlarmConfigurationUpdatedTimestamp *awsproto.Timestamp  `json:"AlarmConfigurationUpdatedTimestamp,omitempty" xml:"AlarmConfigurationUpdatedTimestamp,omitempty"`
	ActionsEnabled                     bool                 `json:"ActionsEnabled" xml:"ActionsEnabled"`
	OKActions                          []string             `json:"OKActions" xml:"OKActions>member"`
	AlarmActions                       []string             `json:"AlarmActions" xml:"AlarmActions>member"`
	InsufficientDataActions            []string             `json:"InsufficientDataActions" xml:"InsufficientDataActions>member"`
	StateValue                         string               `json:"StateValue" xml:"StateValue"`
	StateReason                        string               `json:"StateReason,omitempty" xml:"StateReason,omitempty"`
	StateReasonData                    string               `json:"StateReasonData,omitempty" xml:"StateReasonData,omitempty"`
	StateUpdatedTimestamp              *awsproto.Timestamp  `json:"StateUpdatedTimestamp,omitempty" xml:"StateUpdatedTimestamp,omitempty"`
	MetricName                         string               `json:"MetricName,omitempty" xml:"MetricName,omitempty"`
	Namespace                          string               `json:"Namespace,omitempty" xml:"Namespace,omitempty"`
	Statistic                          string               `json:"Statistic,omitempty" xml:"Statistic,omitempty"`
	ExtendedStatistic                  string               `json:"ExtendedStatistic,omitempty" xml:"ExtendedStatistic,omitempty"`
	Dimensions                         []dimensionOut       `json:"Dimensions" xml:"Dimensions>member"`
	Period                             int64                `json:"Period,omitempty" xml:"Period,omitempty"`
	Unit                               string               `json:"Unit,omitempty" xml:"Unit,omitempty"`
	EvaluationPeriods                  int                  `json:"EvaluationPeriods" xml:"EvaluationPeriods"`
	DatapointsToAlarm                  int                  `json:"DatapointsToAlarm,omitempty" xml:"DatapointsToAlarm,omitempty"`
	Threshold                          float64              `json:"Threshold" xml:"Threshold"`
	ComparisonOperator                 string               `json:"ComparisonOperator" xml:"ComparisonOperator"`
	TreatMissingData                   string               `json:"TreatMissingData,omitempty" xml:"TreatMissingData,omitempty"`
	EvaluateLowSampleCountPercentile   string               `json:"EvaluateLowSampleCountPercentile,omitempty" xml:"EvaluateLowSampleCountPercentile,omitempty"`
	Metrics                            []metricDataQueryOut `json:"Metrics,omitempty" xml:"Metrics>member,omitempty"`
	ThresholdMetricId                  string               `json:"ThresholdMetricId,omitempty" xml:"ThresholdMetricId,omitempty"`
	StateTransitionedTimestamp         *awsproto.Timestamp  `json:"StateTransitionedTimestamp,omitempty" xml:"StateTransitionedTimestamp,omitempty"`
}

type describeAlarmsOutput struct {
	CompositeAlarms []compositeAlarmOut `json:"CompositeAlarms" xml:"CompositeAlarms>member"`
	MetricAlarms    []metricAlarmOut    `json:"MetricAlarms" xml:"MetricAlarms>member"`
	NextToken       string              `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

func ts(t time.Time) *awsproto.Timestamp {
	v := awsproto.TimestampOf(t)
	return &v
}

func alarmOut(a *Alarm) metricAlarmOut {
	o := metricAlarmOut{
		AlarmName: a.Name, AlarmArn: a.ARN, AlarmDescription: a.Description,
		AlarmConfigurationUpdatedTimestamp: ts(a.Updated), ActionsEnabled: a.ActionsEnabled,
		OKActions: orEmpty(a.OKActions), AlarmActions: orEmpty(a.AlarmActions), InsufficientDataActions: orEmpty(a.InsufficientDataActions),
		StateValue: a.State, StateReason: a.StateReason, StateReasonData: a.StateReasonData,
		StateUpdatedTimestamp: ts(a.StateUpdated), MetricName: a.MetricName, Namespace: a.Namespace,
		Statistic: a.Statistic, ExtendedStatistic: a.ExtendedStatistic, Dimensions: dimsOut(a.Dims),
		Period: a.Period, Unit: a.Unit, EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm,
		Threshold: a.Threshold, ComparisonOperator: a.Comparison, TreatMissingData: a.TreatMissingData,
		EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCount, ThresholdMetricId: a.ThresholdMetricID,
		StateTransitionedTimestamp: ts(a.StateTransitioned),
	}
	if len(a.Metrics) > 0 {
		var qs []metricDataQuery
		if json.Unmarshal(a.Metrics, &qs) == nil {
			for _, q := range qs {
				o.Metrics = append(o.Metrics, queryOut(q))
			}
		}
	}
	return o
}

func (s *Service) describeAlarms(c *awsproto.Call, in *describeAlarmsInput) (describeAlarmsOutput, error) {
	out := describeAlarmsOutput{CompositeAlarms: []compositeAlarmOut{}, MetricAlarms: []metricAlarmOut{}}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return out, err
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != nil {
		return out, errInvalidCombination.New("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.")
	}
	for _, t := range in.AlarmTypes {
		if t != "MetricAlarm" && t != "CompositeAlarm" {
			return out, errValidation.Errorf("1 validation error detected: Value '[%s]' at 'alarmTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]]", t)
		}
	}
	family := in.ChildrenOfAlarmName != nil || in.ParentsOfAlarmName != nil
	if family && (len(in.AlarmNames) > 0 || in.AlarmNamePrefix != nil || in.StateValue != "" || in.ActionPrefix != nil || len(in.AlarmTypes) > 0 ||
		(in.ChildrenOfAlarmName != nil && in.ParentsOfAlarmName != nil)) {
		return out, errInvalidCombination.New("If you specify ChildrenOfAlarmName or ParentsOfAlarmName, you cannot specify any other parameters in the request except for MaxRecords and NextToken.")
	}
	metric := len(in.AlarmTypes) == 0 || slices.Contains(in.AlarmTypes, "MetricAlarm") || family
	composite := slices.Contains(in.AlarmTypes, "CompositeAlarm") || family
	var children []string
	if in.ChildrenOfAlarmName != nil {
		if p, ok := s.alarms.Get(c.Region, *in.ChildrenOfAlarmName); ok && p.Composite {
			children = p.rule.alarms(nil)
		} else {
			return out, nil
		}
	}
	list := s.alarms.List(c.Region, func(a *Alarm) bool {
		switch {
		case a.Composite && !composite, !a.Composite && !metric,
			in.ChildrenOfAlarmName != nil && !slices.Contains(children, a.Name),
			in.ParentsOfAlarmName != nil && !(a.Composite && slices.Contains(a.rule.alarms(nil), *in.ParentsOfAlarmName)),
			len(in.AlarmNames) > 0 && !slices.Contains(in.AlarmNames, a.Name),
			in.AlarmNamePrefix != nil && !strings.HasPrefix(a.Name, *in.AlarmNamePrefix),
			in.StateValue != "" && a.State != in.StateValue:
			return false
		case in.ActionPrefix != nil:
			for _, l := range [][]string{a.AlarmActions, a.OKActions, a.InsufficientDataActions} {
				for _, act := range l {
					if strings.HasPrefix(act, *in.ActionPrefix) {
						return true
					}
				}
			}
			return false
		}
		return true
	})
	max := 50
	if in.MaxRecords != nil {
		max = *in.MaxRecords
	}
	i := 0
	if after != "" {
		i = sort.Search(len(list), func(i int) bool { return list[i].Name > after })
	}
	for n := 0; i < len(list) && n < max; i, n = i+1, n+1 {
		if list[i].Composite {
			out.CompositeAlarms = append(out.CompositeAlarms, compositeOut(&list[i]))
		} else {
			out.MetricAlarms = append(out.MetricAlarms, alarmOut(&list[i]))
		}
	}
	if i < len(list) {
		out.NextToken = encodeToken(list[i-1].Name)
	}
	return out, nil
}

type describeAlarmsForMetricInput struct {
	MetricName        *string     `json:"MetricName" required:"true" min:"1" max:"255"`
	Namespace         *string     `json:"Namespace" required:"true" min:"1" max:"255" pattern:"[^:].*"`
	Statistic         string      `json:"Statistic" enum:"SampleCount,Average,Sum,Minimum,Maximum"`
	ExtendedStatistic string      `json:"ExtendedStatistic"`
	Dimensions        []dimension `json:"Dimensions" max:"30"`
	Period            *int        `json:"Period" min:"1"`
	Unit              string      `json:"Unit" enum:"Seconds,Microseconds,Milliseconds,Bytes,Kilobytes,Megabytes,Gigabytes,Terabytes,Bits,Kilobits,Megabits,Gigabits,Terabits,Percent,Count,Bytes/Second,Kilobytes/Second,Megabytes/Second,Gigabytes/Second,Terabytes/Second,Bits/Second,Kilobits/Second,Megabits/Second,Gigabits/Second,Terabits/Second,Count/Second,None"`
}

type describeAlarmsForMetricOutput struct {
	MetricAlarms []metricAlarmOut `json:"MetricAlarms" xml:"MetricAlarms>member"`
}

func (s *Service) describeAlarmsForMetric(c *awsproto.Call, in *describeAlarmsForMetricInput) (describeAlarmsForMetricOutput, error) {
	want := sortDims(dims(in.Dimensions))
	list := s.alarms.List(c.Region, func(a *Alarm) bool {
		return !a.Composite && a.MetricName == *in.MetricName && a.Namespace == *in.Namespace &&
			(len(in.Dimensions) == 0 || slices.Equal(a.Dims, want)) &&
			(in.Statistic == "" || a.Statistic == in.Statistic) &&
			(in.ExtendedStatistic == "" || a.ExtendedStatistic == in.ExtendedStatistic) &&
			(in.Period == nil || a.Period == int64(*in.Period)) &&
			(in.Unit == "" || a.Unit == in.Unit)
	})
	out := describeAlarmsForMetricOutput{MetricAlarms: make([]metricAlarmOut, 0, len(list))}
	for i := range list {
		out.MetricAlarms = append(out.MetricAlarms, alarmOut(&list[i]))
	}
	return out, nil
}

type alarmNamesInput struct {
	AlarmNames []string `json:"AlarmNames" required:"true" max:"100"`
}

func (s *Service) deleteAlarms(c *awsproto.Call, in *alarmNamesInput) (struct{}, error) {
	return struct{}{}, s.alarms.Delete(c.Region, in.AlarmNames)
}

func (s *Service) enableAlarmActions(c *awsproto.Call, in *alarmNamesInput) (struct{}, error) {
	s.alarms.SetActions(c.Region, in.AlarmNames, true)
	return struct{}{}, nil
}

func (s *Service) disableAlarmActions(c *awsproto.Call, in *alarmNamesInput) (struct{}, error) {
	s.alarms.SetActions(c.Region, in.AlarmNames, false)
	return struct{}{}, nil
}

type setAlarmStateInput struct {
	AlarmName       *string `json:"AlarmName" required:"true" min:"1" max:"255"`
	StateValue      *string `json:"StateValue" required:"true" enum:"OK,ALARM,INSUFFICIENT_DATA"`
	StateReason     *string `json:"StateReason" required:"true" max:"1023"`
	StateReasonData *string `json:"StateReasonData" max:"4000"`
}

func (s *Service) setAlarmState(c *awsproto.Call, in *setAlarmStateInput) (struct{}, error) {
	if in.StateReasonData != nil && !json.Valid([]byte(*in.StateReasonData)) {
		return struct{}{}, errInvalidFormat.New("Unable to parse StateReasonData: not valid JSON")
	}
	return struct{}{}, s.changeStates(c.Region, func(now time.Time) ([]Notification, error) {
		return s.alarms.SetState(c.Region, *in.AlarmName, *in.StateValue, *in.StateReason, deref(in.StateReasonData), now)
	})
}

// changeStates runs change, a call that may move the states of region's
// alarms, at the clock's time under evalMu (one evaluation at a time), and
// sends the notifications it returns.
func (s *Service) changeStates(region string, change func(now time.Time) ([]Notification, error)) error {
	now := s.clock.Now()
	s.evalMu.Lock()
	defer s.evalMu.Unlock()
	out, err := change(now)
	if err != nil {
		return err
	}
	regions := make([]string, len(out))
	for i := range regions {
		regions[i] = region
	}
	s.notify(regions, out, now)
	return nil
}

// ---- DescribeAlarmHistory

type describeAlarmHistoryInput struct {
	AlarmName          *string             `json:"AlarmName" min:"1" max:"255"`
	AlarmContributorId *string             `json:"AlarmContributorId" min:"1" max:"16"`
	AlarmTypes         []string            `json:"AlarmTypes"`
	HistoryItemType    string              `json:"HistoryItemType" enum:"ConfigurationUpdate,StateUpdate,Action,AlarmContributorStateUpdate,AlarmContributorAction"`
	StartDate          *awsproto.Timestamp `json:"StartDate"`
	EndDate            *awsproto.Timestamp `json:"EndDate"`
	MaxRecords         *int                `json:"MaxRecords" min:"1" max:"100"`
	NextToken          *string             `json:"NextToken"`
	ScanBy             string              `json:"ScanBy" enum:"TimestampDescending,TimestampAscending"`
}

type historyItemOut struct {
	AlarmName       string              `json:"AlarmName" xml:"AlarmName"`
	AlarmType       string              `json:"AlarmType" xml:"AlarmType"`
	Timestamp       *awsproto.Timestamp `json:"Timestamp" xml:"Timestamp"`
	HistoryItemType string              `json:"HistoryItemType" xml:"HistoryItemType"`
	HistorySummary  string              `json:"HistorySummary" xml:"HistorySummary"`
	HistoryData     string              `json:"HistoryData,omitempty" xml:"HistoryData,omitempty"`
}

type describeAlarmHistoryOutput struct {
	AlarmHistoryItems []historyItemOut `json:"AlarmHistoryItems" xml:"AlarmHistoryItems>member"`
	NextToken         string           `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

func (s *Service) describeAlarmHistory(c *awsproto.Call, in *describeAlarmHistoryInput) (describeAlarmHistoryOutput, error) {
	out := describeAlarmHistoryOutput{AlarmHistoryItems: []historyItemOut{}}
	var skip int
	if in.NextToken != nil {
		t, err := decodeToken(in.NextToken)
		if err != nil {
			return out, err
		}
		n, ok := parseUint(t)
		if !ok {
			return out, errInvalidNextToken.New(msgNextToken)
		}
		skip = n
	}
	var from, to time.Time
	if in.StartDate != nil {
		from = in.StartDate.Time()
	}
	if in.EndDate != nil {
		to = in.EndDate.Time()
	}
	items := s.alarms.History(c.Region, deref(in.AlarmName), in.HistoryItemType, from, to)
	if in.ScanBy == "TimestampAscending" {
		slices.Reverse(items)
	}
	composite := map[string]bool{}
	for _, a := range s.alarms.List(c.Region, func(a *Alarm) bool { return a.Composite }) {
		composite[a.Name] = true
	}
	kind := func(name string) string {
		if composite[name] {
			return "CompositeAlarm"
		}
		return "MetricAlarm"
	}
	if len(in.AlarmTypes) > 0 {
		items = slices.DeleteFunc(items, func(h HistoryItem) bool { return !slices.Contains(in.AlarmTypes, kind(h.Alarm)) })
	}
	max := 100
	if in.MaxRecords != nil {
		max = *in.MaxRecords
	}
	i := min(skip, len(items))
	for ; i < len(items) && len(out.AlarmHistoryItems) < max; i++ {
		h := items[i]
		out.AlarmHistoryItems = append(out.AlarmHistoryItems, historyItemOut{AlarmName: h.Alarm, AlarmType: kind(h.Alarm),
			Timestamp: ts(h.Time), HistoryItemType: h.Type, HistorySummary: h.Summary, HistoryData: h.Data})
	}
	if i < len(items) {
		out.NextToken = encodeToken(itoa(i))
	}
	return out, nil
}

// ---- tags

type tagResourceInput struct {
	ResourceARN *string `json:"ResourceARN" required:"true" min:"1" max:"1024"`
	Tags        []tag   `json:"Tags" required:"true"`
}

type untagResourceInput struct {
	ResourceARN *string  `json:"ResourceARN" required:"true" min:"1" max:"1024"`
	TagKeys     []string `json:"TagKeys" required:"true"`
}

type listTagsInput struct {
	ResourceARN *string `json:"ResourceARN" required:"true" min:"1" max:"1024"`
}

type tagOut struct {
	Key   string `json:"Key" xml:"Key"`
	Value string `json:"Value" xml:"Value"`
}

type listTagsOutput struct {
	Tags []tagOut `json:"Tags" xml:"Tags>member"`
}

type emptyOutput struct{}

func (s *Service) tagResource(c *awsproto.Call, in *tagResourceInput) (*emptyOutput, error) {
	set := make(map[string]string, len(in.Tags))
	for _, t := range in.Tags {
		set[*t.Key] = *t.Value
	}
	if s.resources.Tag(*in.ResourceARN, set, nil) {
		return &emptyOutput{}, nil
	}
	return &emptyOutput{}, s.alarms.Tag(*in.ResourceARN, set, nil)
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (*emptyOutput, error) {
	if s.resources.Tag(*in.ResourceARN, nil, in.TagKeys) {
		return &emptyOutput{}, nil
	}
	return &emptyOutput{}, s.alarms.Tag(*in.ResourceARN, nil, in.TagKeys)
}

func (s *Service) listTagsForResource(c *awsproto.Call, in *listTagsInput) (listTagsOutput, error) {
	tags, ok := s.resources.Tags(*in.ResourceARN)
	if !ok {
		var err error
		if tags, err = s.alarms.Tags(*in.ResourceARN); err != nil {
			return listTagsOutput{}, err
		}
	}
	out := listTagsOutput{Tags: make([]tagOut, 0, len(tags))}
	for k, v := range tags {
		out.Tags = append(out.Tags, tagOut{k, v})
	}
	slices.SortFunc(out.Tags, func(a, b tagOut) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

package cloudwatch

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type singleMetricDetector struct {
	AccountId  *string     `json:"AccountId,omitempty" xml:"AccountId,omitempty" min:"1" max:"255"`
	Namespace  *string     `json:"Namespace,omitempty" xml:"Namespace,omitempty" min:"1" max:"255" pattern:"[^:].*"`
	MetricName *string     `json:"MetricName,omitempty" xml:"MetricName,omitempty" min:"1" max:"255"`
	Dimensions []dimension `json:"Dimensions,omitempty" xml:"Dimensions>member,omitempty" max:"30"`
	Stat       *string     `json:"Stat,omitempty" xml:"Stat,omitempty" max:"50" pattern:"(SampleCount|Average|Sum|Minimum|Maximum|IQM|(p|tc|tm|ts|wm)(\\d{1,2}(\\.\\d{0,10})?|100)|[ou]\\d+(\\.\\d*)?)(_E|_L|_H)?|(TM|TC|TS|WM)\\(((((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%)?:((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%|((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%:(((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%)?)\\)|(TM|TC|TS|WM|PR)\\(((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)):((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))?|((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))?:(\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))\\)"`
}

type mathDetector struct {
	MetricDataQueries []metricDataQuery `json:"MetricDataQueries"`
}

type timeRange struct {
	StartTime *awsproto.Timestamp `json:"StartTime" required:"true"`
	EndTime   *awsproto.Timestamp `json:"EndTime" required:"true"`
}

type detectorConfig struct {
	ExcludedTimeRanges []timeRange `json:"ExcludedTimeRanges"`
	MetricTimezone     *string     `json:"MetricTimezone" max:"50" pattern:".*"`
}

type anomalyDetectorInput struct {
	Namespace                   *string               `json:"Namespace" min:"1" max:"255" pattern:"[^:].*"`
	MetricName                  *string               `json:"MetricName" min:"1" max:"255"`
	Dimensions                  []dimension           `json:"Dimensions" max:"30"`
	Stat                        *string               `json:"Stat" max:"50" pattern:"(SampleCount|Average|Sum|Minimum|Maximum|IQM|(p|tc|tm|ts|wm)(\\d{1,2}(\\.\\d{0,10})?|100)|[ou]\\d+(\\.\\d*)?)(_E|_L|_H)?|(TM|TC|TS|WM)\\(((((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%)?:((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%|((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%:(((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%)?)\\)|(TM|TC|TS|WM|PR)\\(((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)):((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))?|((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))?:(\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))\\)"`
	SingleMetricAnomalyDetector *singleMetricDetector `json:"SingleMetricAnomalyDetector"`
	MetricMathAnomalyDetector   *mathDetector         `json:"MetricMathAnomalyDetector"`
}

type putAnomalyDetectorInput struct {
	Namespace                   *string               `json:"Namespace" min:"1" max:"255" pattern:"[^:].*"`
	MetricName                  *string               `json:"MetricName" min:"1" max:"255"`
	Dimensions                  []dimension           `json:"Dimensions" max:"30"`
	Stat                        *string               `json:"Stat" max:"50" pattern:"(SampleCount|Average|Sum|Minimum|Maximum|IQM|(p|tc|tm|ts|wm)(\\d{1,2}(\\.\\d{0,10})?|100)|[ou]\\d+(\\.\\d*)?)(_E|_L|_H)?|(TM|TC|TS|WM)\\(((((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%)?:((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%|((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%:(((\\d{1,2})(\\.\\d{0,10})?|100(\\.0{0,10})?)%)?)\\)|(TM|TC|TS|WM|PR)\\(((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)):((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))?|((\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))?:(\\d+(\\.\\d{0,10})?|(\\d+(\\.\\d{0,10})?[Ee][+-]?\\d+)))\\)"`
	SingleMetricAnomalyDetector *singleMetricDetector `json:"SingleMetricAnomalyDetector"`
	MetricMathAnomalyDetector   *mathDetector         `json:"MetricMathAnomalyDetector"`
	Configuration               *detectorConfig       `json:"Configuration"`
	MetricCharacteristics       *struct {
		PeriodicSpikes *bool `json:"PeriodicSpikes"`
	} `json:"MetricCharacteristics"`
}

// detector turns an input's three ways of naming a model into one
// detector and its key.
func (in *anomalyDetectorInput) detector() (*AnomalyDetector, error) {
	legacy := in.Namespace != nil || in.MetricName != nil || len(in.Dimensions) > 0 || in.Stat != nil
	n := 0
	for _, b := range []bool{legacy, in.SingleMetricAnomalyDetector != nil, in.MetricMathAnomalyDetector != nil} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, errInvalidCombination.New("The parameters Namespace, MetricName, Dimensions and Stat, SingleMetricAnomalyDetector and MetricMathAnomalyDetector are mutually exclusive and you have specified more than one.")
	}
	d := &AnomalyDetector{Type: detectorSingle}
	switch {
	case in.MetricMathAnomalyDetector != nil:
		qs := in.MetricMathAnomalyDetector.MetricDataQueries
		if len(qs) == 0 {
			return nil, errMissingParameter.New("The parameter MetricMathAnomalyDetector.MetricDataQueries is required.")
		}
		ret := 0
		for _, q := range qs {
			if (q.MetricStat == nil) == (q.Expression == nil) {
				return nil, errValidation.Errorf("The parameter MetricDataQueries.member.%s must specify exactly one of MetricStat and Expression.", *q.Id)
			}
			if q.ReturnData == nil || *q.ReturnData {
				ret++
			}
		}
		if ret != 1 {
			return nil, errValidation.New("Exactly one element of the metrics list should return data.")
		}
		d.Type = detectorMetricMat
		d.Queries, _ = json.Marshal(qs)
		d.key = "math\x00" + string(d.Queries)
		return d, nil
	case in.SingleMetricAnomalyDetector != nil:
		sm := in.SingleMetricAnomalyDetector
		d.Namespace, d.MetricName, d.Dims, d.Stat, d.AccountID = deref(sm.Namespace), deref(sm.MetricName), dims(sm.Dimensions), deref(sm.Stat), deref(sm.AccountId)
	default:
		d.Namespace, d.MetricName, d.Dims, d.Stat = deref(in.Namespace), deref(in.MetricName), dims(in.Dimensions), deref(in.Stat)
	}
	for _, m := range []struct{ v, name string }{{d.Namespace, "Namespace"}, {d.MetricName, "MetricName"}, {d.Stat, "Stat"}} {
		if m.v == "" {
			return nil, errMissingParameter.Errorf("The parameter %s is required.", m.name)
		}
	}
	d.Dims = sortDims(d.Dims)
	d.key = seriesKey("", d.Namespace, d.MetricName, d.Dims) + "\x00" + d.Stat
	return d, nil
}

func (s *Service) putAnomalyDetector(c *awsproto.Call, in *putAnomalyDetectorInput) (struct{}, error) {
	base := anomalyDetectorInput{Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions, Stat: in.Stat,
		SingleMetricAnomalyDetector: in.SingleMetricAnomalyDetector, MetricMathAnomalyDetector: in.MetricMathAnomalyDetector}
	d, err := base.detector()
	if err != nil {
		return struct{}{}, err
	}
	if cfg := in.Configuration; cfg != nil {
		d.Timezone = deref(cfg.MetricTimezone)
		for _, r := range cfg.ExcludedTimeRanges {
			if !r.StartTime.Time().Before(r.EndTime.Time()) {
				return struct{}{}, errInvalidParameter.New("The StartTime of an excluded time range must be before its EndTime.")
			}
			d.Excluded = append(d.Excluded, [2]time.Time{r.StartTime.Time(), r.EndTime.Time()})
		}
	}
	if in.MetricCharacteristics != nil {
		d.PeriodicSpikes = in.MetricCharacteristics.PeriodicSpikes
	}
	return struct{}{}, s.resources.PutAnomalyDetector(c.Region, d)
}

func (s *Service) deleteAnomalyDetector(c *awsproto.Call, in *anomalyDetectorInput) (struct{}, error) {
	d, err := in.detector()
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.resources.DeleteAnomalyDetector(c.Region, d.key, d.MetricName)
}

type describeAnomalyDetectorsInput struct {
	NextToken            *string     `json:"NextToken"`
	MaxResults           *int        `json:"MaxResults" min:"1"`
	Namespace            *string     `json:"Namespace" min:"1" max:"255" pattern:"[^:].*"`
	MetricName           *string     `json:"MetricName" min:"1" max:"255"`
	Dimensions           []dimension `json:"Dimensions" max:"30"`
	AnomalyDetectorTypes []string    `json:"AnomalyDetectorTypes" max:"2"`
}

type rangeOut struct {
	StartTime *awsproto.Timestamp `json:"StartTime" xml:"StartTime"`
	EndTime   *awsproto.Timestamp `json:"EndTime" xml:"EndTime"`
}

type detectorConfigOut struct {
	ExcludedTimeRanges []rangeOut `json:"ExcludedTimeRanges" xml:"ExcludedTimeRanges>member"`
	MetricTimezone     string     `json:"MetricTimezone,omitempty" xml:"MetricTimezone,omitempty"`
}

type singleDetectorOut struct {
	AccountId  string         `json:"AccountId,omitempty" xml:"AccountId,omitempty"`
	Namespace  string         `json:"Namespace" xml:"Namespace"`
	MetricName string         `json:"MetricName" xml:"MetricName"`
	Dimensions []dimensionOut `json:"Dimensions" xml:"Dimensions>member"`
	Stat       string         `json:"Stat" xml:"Stat"`
}

type mathDetectorOut struct {
	MetricDataQueries []metricDataQueryOut `json:"MetricDataQueries" xml:"MetricDataQueries>member"`
}

type anomalyDetectorOut struct {
	Namespace             string             `json:"Namespace,omitempty" xml:"Namespace,omitempty"`
	MetricName            string             `json:"MetricName,omitempty" xml:"MetricName,omitempty"`
	Dimensions            []dimensionOut     `json:"Dimensions,omitempty" xml:"Dimensions>member,omitempty"`
	Stat                  string             `json:"Stat,omitempty" xml:"Stat,omitempty"`
	Configuration         *detectorConfigOut `json:"Configuration,omitempty" xml:"Configuration,omitempty"`
	StateValue            string             `json:"StateValue" xml:"StateValue"`
	MetricCharacteristics *struct {
		PeriodicSpikes *bool `json:"PeriodicSpikes,omitempty" xml:"PeriodicSpikes,omitempty"`
	} `json:"MetricCharacteristics,omitempty" xml:"MetricCharacteristics,omitempty"`
	SingleMetricAnomalyDetector *singleDetectorOut `json:"SingleMetricAnomalyDetector,omitempty" xml:"SingleMetricAnomalyDetector,omitempty"`
	MetricMathAnomalyDetector   *mathDetectorOut   `json:"MetricMathAnomalyDetector,omitempty" xml:"MetricMathAnomalyDetector,omitempty"`
}

type describeAnomalyDetectorsOutput struct {
	AnomalyDetectors []anomalyDetectorOut `json:"AnomalyDetectors" xml:"AnomalyDetectors>member"`
	NextToken        string               `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

func detectorOut(d AnomalyDetector) anomalyDetectorOut {
	o := anomalyDetectorOut{StateValue: detectorPending, Configuration: &detectorConfigOut{ExcludedTimeRanges: []rangeOut{}, MetricTimezone: d.Timezone}}
	for _, r := range d.Excluded {
		o.Configuration.ExcludedTimeRanges = append(o.Configuration.ExcludedTimeRanges, rangeOut{ts(r[0]), ts(r[1])})
	}
	if d.PeriodicSpikes != nil {
		o.MetricCharacteristics = &struct {
			PeriodicSpikes *bool `json:"PeriodicSpikes,omitempty" xml:"PeriodicSpikes,omitempty"`
		}{d.PeriodicSpikes}
	}
	if d.Type == detectorMetricMat {
		var qs []metricDataQuery
		_ = json.Unmarshal(d.Queries, &qs)
		o.MetricMathAnomalyDetector = &mathDetectorOut{MetricDataQueries: []metricDataQueryOut{}}
		for _, q := range qs {
			o.MetricMathAnomalyDetector.MetricDataQueries = append(o.MetricMathAnomalyDetector.MetricDataQueries, queryOut(q))
		}
		return o
	}
	o.Namespace, o.MetricName, o.Dimensions, o.Stat = d.Namespace, d.MetricName, dimsOut(d.Dims), d.Stat
	o.SingleMetricAnomalyDetector = &singleDetectorOut{AccountId: d.AccountID, Namespace: d.Namespace, MetricName: d.MetricName,
		Dimensions: dimsOut(d.Dims), Stat: d.Stat}
	return o
}

func (s *Service) describeAnomalyDetectors(c *awsproto.Call, in *describeAnomalyDetectorsInput) (describeAnomalyDetectorsOutput, error) {
	out := describeAnomalyDetectorsOutput{AnomalyDetectors: []anomalyDetectorOut{}}
	skip := 0
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
	for _, t := range in.AnomalyDetectorTypes {
		if t != detectorSingle && t != detectorMetricMat {
			return out, errInvalidParameter.Errorf("The value %s for parameter AnomalyDetectorTypes is not valid.", t)
		}
	}
	want := sortDims(dims(in.Dimensions))
	list := s.resources.AnomalyDetectors(c.Region, func(d *AnomalyDetector) bool {
		switch {
		case len(in.AnomalyDetectorTypes) > 0 && !slices.Contains(in.AnomalyDetectorTypes, d.Type),
			in.Namespace != nil && d.Namespace != *in.Namespace,
			in.MetricName != nil && d.MetricName != *in.MetricName,
			len(want) > 0 && !slices.Equal(d.Dims, want):
			return false
		}
		return true
	})
	sort.SliceStable(list, func(i, j int) bool { return strings.Compare(list[i].key, list[j].key) < 0 })
	max := 100
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	i := min(skip, len(list))
	for ; i < len(list) && len(out.AnomalyDetectors) < max; i++ {
		out.AnomalyDetectors = append(out.AnomalyDetectors, detectorOut(list[i]))
	}
	if i < len(list) {
		out.NextToken = encodeToken(itoa(i))
	}
	return out, nil
}

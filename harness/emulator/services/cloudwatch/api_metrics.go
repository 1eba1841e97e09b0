package cloudwatch

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Limits of PutMetricData, as AWS states them.
const (
	maxMetricData = 1000
	maxDimensions = 30
	maxValues     = 150
	pastLimit     = 14 * 24 * time.Hour
	futureLimit   = 2 * time.Hour
)

type dimension struct {
	Name  *string `json:"Name" xml:"Name" required:"true" min:"1" max:"255"`
	Value *string `json:"Value" xml:"Value" required:"true" min:"1" max:"1024"`
}

type statisticSet struct {
	SampleCount *awsproto.Double `json:"SampleCount" required:"true"`
	Sum         *awsproto.Double `json:"Sum" required:"true"`
	Minimum     *awsproto.Double `json:"Minimum" required:"true"`
	Maximum     *awsproto.Double `json:"Maximum" required:"true"`
}

type metricDatum struct {
	MetricName        *string             `json:"MetricName" required:"true" min:"1" max:"255"`
	Dimensions        []dimension         `json:"Dimensions"`
	Timestamp         *awsproto.Timestamp `json:"Timestamp"`
	Value             *awsproto.Double    `json:"Value"`
	StatisticValues   *statisticSet       `json:"StatisticValues"`
	Values            []awsproto.Double   `json:"Values"`
	Counts            []awsproto.Double   `json:"Counts"`
	Unit              string              `json:"Unit" enum:"Seconds,Microseconds,Milliseconds,Bytes,Kilobytes,Megabytes,Gigabytes,Terabytes,Bits,Kilobits,Megabits,Gigabits,Terabits,Percent,Count,Bytes/Second,Kilobytes/Second,Megabytes/Second,Gigabytes/Second,Terabytes/Second,Bits/Second,Kilobits/Second,Megabits/Second,Gigabits/Second,Terabits/Second,Count/Second,None"`
	StorageResolution *int                `json:"StorageResolution" min:"1"`
}

type putMetricDataInput struct {
	Namespace  *string       `json:"Namespace" required:"true" min:"1" max:"255" pattern:"[^:].*"`
	MetricData []metricDatum `json:"MetricData"`
	// EntityMetricData is accepted and its MetricData stored like the rest.
	EntityMetricData []struct {
		MetricData []metricDatum `json:"MetricData"`
	} `json:"EntityMetricData"`
	StrictEntityValidation *bool `json:"StrictEntityValidation"`
}

func invalidValue(v any, param string) error {
	return errInvalidParameter.Errorf("The value %v for parameter %s is invalid.", v, param)
}

// putMetricData is the PutMetricData operation.
func (s *Service) putMetricData(c *awsproto.Call, in *putMetricDataInput) (struct{}, error) {
	if strings.HasPrefix(*in.Namespace, "AWS/") {
		return struct{}{}, errInvalidParameter.New("The value AWS/ for parameter Namespace is invalid.")
	}
	all := in.MetricData
	for _, e := range in.EntityMetricData {
		all = append(all, e.MetricData...)
	}
	if len(all) == 0 {
		return struct{}{}, errMissingParameter.New("The parameter MetricData is required.")
	}
	if len(all) > maxMetricData {
		return struct{}{}, errInvalidParameter.Errorf("The collection MetricData must not have a size greater than %d.", maxMetricData)
	}
	now := s.clock.Now()
	data := make([]Datum, len(all))
	for i := range all {
		d, err := checkDatum(&all[i], fmt.Sprintf("MetricData.member.%d", i+1), now)
		if err != nil {
			return struct{}{}, err
		}
		data[i] = d
	}
	return struct{}{}, s.metrics.Put(c.Region, *in.Namespace, data)
}

// checkDatum applies PutMetricData's rules to one datum, named p in messages.
func checkDatum(m *metricDatum, p string, now time.Time) (Datum, error) {
	d := Datum{Name: *m.MetricName, Unit: m.Unit, Resolution: 60, Time: now}
	if d.Unit == "" {
		d.Unit = "None"
	}
	if len(m.Dimensions) > maxDimensions {
		return d, errInvalidParameter.Errorf("The collection %s.Dimensions must not have a size greater than %d.", p, maxDimensions)
	}
	seen := make(map[string]bool, len(m.Dimensions))
	for _, x := range m.Dimensions {
		if seen[*x.Name] {
			return d, errInvalidParameter.Errorf("No duplicate dimension names allowed: %s", *x.Name)
		}
		seen[*x.Name] = true
		d.Dims = append(d.Dims, Dimension{*x.Name, *x.Value})
	}
	if m.Timestamp != nil {
		d.Time = m.Timestamp.Time()
		if d.Time.Before(now.Add(-pastLimit)) || d.Time.After(now.Add(futureLimit)) {
			return d, errInvalidParameter.Errorf("The parameter %s.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.", p)
		}
	}
	if r := m.StorageResolution; r != nil {
		if *r != 1 && *r != 60 {
			return d, invalidValue(*r, p+".StorageResolution")
		}
		d.Resolution = int64(*r)
	}
	switch {
	case m.Value != nil && m.StatisticValues != nil:
		return d, errInvalidCombination.Errorf("The parameters %s.Value and %s.StatisticValues are mutually exclusive and you have specified both.", p, p)
	case m.Value != nil && len(m.Values) > 0:
		return d, errInvalidCombination.Errorf("The parameters %s.Value and %s.Values are mutually exclusive and you have specified both.", p, p)
	case m.StatisticValues != nil && len(m.Values) > 0:
		return d, errInvalidCombination.Errorf("The parameters %s.StatisticValues and %s.Values are mutually exclusive and you have specified both.", p, p)
	case len(m.Counts) > 0 && len(m.Values) == 0:
		return d, errInvalidCombination.Errorf("The parameter %s.Counts requires %s.Values.", p, p)
	}
	if len(m.Values) > maxValues {
		return d, errInvalidParameter.Errorf("The collection %s.Values must not have a size greater than %d.", p, maxValues)
	}
	if len(m.Counts) > 0 && len(m.Counts) != len(m.Values) {
		return d, errInvalidParameter.Errorf("The parameters %s.Values and %s.Counts must be of the same size.", p, p)
	}
	switch {
	case m.Value != nil:
		v := float64(*m.Value)
		if !validValue(v) {
			return d, invalidValue(num(v), p+".Value")
		}
		d.Values = []valCount{{v, 1}}
	case m.StatisticValues != nil:
		sv := m.StatisticValues
		for _, x := range []struct {
			v    float64
			name string
		}{{float64(*sv.SampleCount), "SampleCount"}, {float64(*sv.Sum), "Sum"}, {float64(*sv.Minimum), "Minimum"}, {float64(*sv.Maximum), "Maximum"}} {
			if !validValue(x.v) {
				return d, invalidValue(num(x.v), p+".StatisticValues."+x.name)
			}
		}
		if *sv.SampleCount <= 0 {
			return d, invalidValue(num(float64(*sv.SampleCount)), p+".StatisticValues.SampleCount")
		}
		if *sv.Minimum > *sv.Maximum {
			return d, errInvalidParameter.Errorf("The parameter %s.StatisticValues.Maximum must be greater than %s.StatisticValues.Minimum.", p, p)
		}
		d.Set = &Stats{N: float64(*sv.SampleCount), Sum: float64(*sv.Sum), Min: float64(*sv.Minimum), Max: float64(*sv.Maximum)}
	case len(m.Values) > 0:
		for i, x := range m.Values {
			v := float64(x)
			if !validValue(v) {
				return d, invalidValue(num(v), fmt.Sprintf("%s.Values.member.%d", p, i+1))
			}
			n := 1.0
			if len(m.Counts) > 0 {
				n = float64(m.Counts[i])
				if !validValue(n) || n < 0 {
					return d, invalidValue(num(n), fmt.Sprintf("%s.Counts.member.%d", p, i+1))
				}
				if n == 0 {
					continue
				}
			}
			d.Values = append(d.Values, valCount{v, n})
		}
	default:
		// A datum with no value records nothing, as AWS accepts it.
	}
	return d, nil
}

// ---- GetMetricStatistics

type getMetricStatisticsInput struct {
	Namespace          *string             `json:"Namespace" required:"true" min:"1" max:"255" pattern:"[^:].*"`
	MetricName         *string             `json:"MetricName" required:"true" min:"1" max:"255"`
	Dimensions         []dimension         `json:"Dimensions" max:"30"`
	StartTime          *awsproto.Timestamp `json:"StartTime" required:"true"`
	EndTime            *awsproto.Timestamp `json:"EndTime" required:"true"`
	Period             *int                `json:"Period" required:"true" min:"1"`
	Statistics         []string            `json:"Statistics" min:"1" max:"5"`
	ExtendedStatistics []string            `json:"ExtendedStatistics" min:"1" max:"10"`
	Unit               string              `json:"Unit" enum:"Seconds,Microseconds,Milliseconds,Bytes,Kilobytes,Megabytes,Gigabytes,Terabytes,Bits,Kilobits,Megabits,Gigabits,Terabits,Percent,Count,Bytes/Second,Kilobytes/Second,Megabytes/Second,Gigabytes/Second,Terabytes/Second,Bits/Second,Kilobits/Second,Megabits/Second,Gigabits/Second,Terabits/Second,Count/Second,None"`
}

// statMap is a datapoint's ExtendedStatistics: a JSON/CBOR map, a query
// <entry> list.
type statMap map[string]float64

func (m statMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		entry := struct {
			Key   string  `xml:"key"`
			Value float64 `xml:"value"`
		}{k, m[k]}
		if err := e.EncodeElement(entry, xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type datapoint struct {
	Timestamp          *awsproto.Timestamp `json:"Timestamp,omitempty" xml:"Timestamp,omitempty"`
	SampleCount        *float64            `json:"SampleCount,omitempty" xml:"SampleCount,omitempty"`
	Average            *float64            `json:"Average,omitempty" xml:"Average,omitempty"`
	Sum                *float64            `json:"Sum,omitempty" xml:"Sum,omitempty"`
	Minimum            *float64            `json:"Minimum,omitempty" xml:"Minimum,omitempty"`
	Maximum            *float64            `json:"Maximum,omitempty" xml:"Maximum,omitempty"`
	Unit               string              `json:"Unit,omitempty" xml:"Unit,omitempty"`
	ExtendedStatistics statMap             `json:"ExtendedStatistics,omitempty" xml:"ExtendedStatistics,omitempty"`
}

type getMetricStatisticsOutput struct {
	Label      string      `json:"Label,omitempty" xml:"Label,omitempty"`
	Datapoints []datapoint `json:"Datapoints" xml:"Datapoints>member"`
}

// checkPeriod applies AWS's rule: 1, 5, 10, 20, 30 or a multiple of 60.
func checkPeriod(p int, param string) error {
	switch {
	case p <= 0:
		return invalidValue(p, param)
	case p == 1 || p == 5 || p == 10 || p == 20 || p == 30 || p%60 == 0:
		return nil
	}
	return errInvalidParameter.Errorf("The parameter %s must be 1, 5, 10, 20, 30, or a multiple of 60.", param)
}

// checkStatistic accepts pNN and pNN.NN.
func checkExtended(name string) error {
	if _, ok := percentile(name); !ok {
		return errInvalidParameter.Errorf("The value %s for parameter ExtendedStatistics is not supported.", name)
	}
	return nil
}

func dims(in []dimension) []Dimension {
	out := make([]Dimension, len(in))
	for i, d := range in {
		out[i] = Dimension{*d.Name, *d.Value}
	}
	return out
}

func (s *Service) getMetricStatistics(c *awsproto.Call, in *getMetricStatisticsInput) (getMetricStatisticsOutput, error) {
	out := getMetricStatisticsOutput{Label: *in.MetricName, Datapoints: []datapoint{}}
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return out, errMissingParameter.New("Must specify either Statistics or ExtendedStatistics.")
	}
	if len(in.Statistics) > 0 && len(in.ExtendedStatistics) > 0 {
		return out, errInvalidCombination.New("The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.")
	}
	for _, st := range in.Statistics {
		if !slices.Contains([]string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}, st) {
			return out, errValidation.New(awsproto.ValidationMessage("Value '[" + st + "]' at 'statistics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]]"))
		}
	}
	for _, st := range in.ExtendedStatistics {
		if err := checkExtended(st); err != nil {
			return out, err
		}
	}
	if err := checkPeriod(*in.Period, "Period"); err != nil {
		return out, err
	}
	start, end := in.StartTime.Time(), in.EndTime.Time()
	if !start.Before(end) {
		return out, errInvalidParameter.New("The parameter StartTime must be less than the parameter EndTime.")
	}
	period := int64(*in.Period)
	if n := end.Sub(start) / time.Duration(period*int64(time.Second)); n > 1440 {
		return out, errInvalidParameter.New("You have requested up to " + strconv.FormatInt(int64(n), 10) + " datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.")
	}
	m := s.metrics.Lookup(c.Region, *in.Namespace, *in.MetricName, dims(in.Dimensions))
	if m == nil {
		return out, nil
	}
	from := start.Unix() - mod(start.Unix(), period)
	for _, p := range m.Periods(from, end.Unix(), period, in.Unit) {
		ts := awsproto.Timestamp(float64(p.Start))
		dp := datapoint{Timestamp: &ts, Unit: p.Unit}
		for _, st := range in.Statistics {
			v, _ := p.Stat(st)
			v = round(v)
			switch st {
			case "SampleCount":
				dp.SampleCount = &v
			case "Average":
				dp.Average = &v
			case "Sum":
				dp.Sum = &v
			case "Minimum":
				dp.Minimum = &v
			case "Maximum":
				dp.Maximum = &v
			}
		}
		if len(in.ExtendedStatistics) > 0 {
			dp.ExtendedStatistics = statMap{}
			for _, st := range in.ExtendedStatistics {
				v, _ := p.Stat(st)
				dp.ExtendedStatistics[st] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

// round drops float noise past 12 significant digits (sums of 0.1s).
func round(v float64) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// ---- ListMetrics

type dimensionFilter struct {
	Name  *string `json:"Name" required:"true" min:"1" max:"255"`
	Value *string `json:"Value" min:"1" max:"1024"`
}

type listMetricsInput struct {
	Namespace             *string           `json:"Namespace" min:"1" max:"255" pattern:"[^:].*"`
	MetricName            *string           `json:"MetricName" min:"1" max:"255"`
	Dimensions            []dimensionFilter `json:"Dimensions" max:"10"`
	NextToken             *string           `json:"NextToken"`
	RecentlyActive        string            `json:"RecentlyActive" enum:"PT3H"`
	IncludeLinkedAccounts *bool             `json:"IncludeLinkedAccounts"`
	OwningAccount         *string           `json:"OwningAccount" min:"1" max:"255"`
}

type metricOut struct {
	Namespace  string         `json:"Namespace,omitempty" xml:"Namespace,omitempty"`
	MetricName string         `json:"MetricName,omitempty" xml:"MetricName,omitempty"`
	Dimensions []dimensionOut `json:"Dimensions" xml:"Dimensions>member"`
}

type dimensionOut struct {
	Name  string `json:"Name" xml:"Name"`
	Value string `json:"Value" xml:"Value"`
}

type listMetricsOutput struct {
	Metrics   []metricOut `json:"Metrics" xml:"Metrics>member"`
	NextToken string      `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

// listPage is ListMetrics' page size, as AWS's.
const listPage = 500

func dimsOut(in []Dimension) []dimensionOut {
	out := make([]dimensionOut, len(in))
	for i, d := range in {
		out[i] = dimensionOut(d)
	}
	return out
}

func encodeToken(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeToken(t *string) (string, error) {
	if t == nil {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*t)
	if err != nil || len(b) == 0 {
		return "", errInvalidNextToken.New(msgNextToken)
	}
	return string(b), nil
}

func (s *Service) listMetrics(c *awsproto.Call, in *listMetricsInput) (listMetricsOutput, error) {
	out := listMetricsOutput{Metrics: []metricOut{}}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return out, err
	}
	var filter []DimensionFilter
	for _, f := range in.Dimensions {
		filter = append(filter, DimensionFilter{Name: *f.Name, Value: f.Value})
	}
	var since time.Time
	if in.RecentlyActive == "PT3H" {
		since = s.clock.Now().Add(-3 * time.Hour)
	}
	list := s.metrics.List(c.Region, deref(in.Namespace), deref(in.MetricName), filter, since)
	i := 0
	if after != "" {
		i = sort.Search(len(list), func(i int) bool { return list[i].key > after })
	}
	for ; i < len(list) && len(out.Metrics) < listPage; i++ {
		m := list[i]
		out.Metrics = append(out.Metrics, metricOut{Namespace: m.Namespace, MetricName: m.Name, Dimensions: dimsOut(m.Dims)})
	}
	if i < len(list) {
		out.NextToken = encodeToken(list[i-1].key)
	}
	return out, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

package cloudwatch

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type metricIn struct {
	Namespace  *string     `json:"Namespace,omitempty" min:"1" max:"255" pattern:"[^:].*"`
	MetricName *string     `json:"MetricName,omitempty" min:"1" max:"255"`
	Dimensions []dimension `json:"Dimensions,omitempty" max:"30"`
}

type metricStat struct {
	Metric *metricIn `json:"Metric" required:"true"`
	Period *int      `json:"Period" required:"true" min:"1"`
	Stat   *string   `json:"Stat" required:"true"`
	Unit   string    `json:"Unit,omitempty" enum:"Seconds,Microseconds,Milliseconds,Bytes,Kilobytes,Megabytes,Gigabytes,Terabytes,Bits,Kilobits,Megabits,Gigabits,Terabits,Percent,Count,Bytes/Second,Kilobytes/Second,Megabytes/Second,Gigabytes/Second,Terabytes/Second,Bits/Second,Kilobits/Second,Megabits/Second,Gigabits/Second,Terabits/Second,Count/Second,None"`
}

type metricDataQuery struct {
	Id         *string     `json:"Id" required:"true" min:"1" max:"255"`
	MetricStat *metricStat `json:"MetricStat,omitempty"`
	Expression *string     `json:"Expression,omitempty" min:"1" max:"2048"`
	Label      *string     `json:"Label,omitempty"`
	ReturnData *bool       `json:"ReturnData,omitempty"`
	Period     *int        `json:"Period,omitempty" min:"1"`
	AccountId  *string     `json:"AccountId,omitempty" min:"1" max:"255"`
}

// metricDataQueryOut is a query as DescribeAlarms answers it.
type metricDataQueryOut struct {
	Id         string         `json:"Id" xml:"Id"`
	MetricStat *metricStatOut `json:"MetricStat,omitempty" xml:"MetricStat,omitempty"`
	Expression string         `json:"Expression,omitempty" xml:"Expression,omitempty"`
	Label      string         `json:"Label,omitempty" xml:"Label,omitempty"`
	ReturnData *bool          `json:"ReturnData,omitempty" xml:"ReturnData,omitempty"`
	Period     int            `json:"Period,omitempty" xml:"Period,omitempty"`
}

type metricStatOut struct {
	Metric metricOut `json:"Metric" xml:"Metric"`
	Period int       `json:"Period" xml:"Period"`
	Stat   string    `json:"Stat" xml:"Stat"`
	Unit   string    `json:"Unit,omitempty" xml:"Unit,omitempty"`
}

func queryOut(q metricDataQuery) metricDataQueryOut {
	o := metricDataQueryOut{Id: deref(q.Id), Expression: deref(q.Expression), Label: deref(q.Label), ReturnData: q.ReturnData}
	if q.Period != nil {
		o.Period = *q.Period
	}
	if ms := q.MetricStat; ms != nil && ms.Metric != nil {
		o.MetricStat = &metricStatOut{Metric: metricOut{Namespace: deref(ms.Metric.Namespace), MetricName: deref(ms.Metric.MetricName),
			Dimensions: dimsOut(dims(ms.Metric.Dimensions))}, Period: *ms.Period, Stat: *ms.Stat, Unit: ms.Unit}
	}
	return o
}

type getMetricDataInput struct {
	MetricDataQueries []metricDataQuery   `json:"MetricDataQueries" required:"true"`
	StartTime         *awsproto.Timestamp `json:"StartTime" required:"true"`
	EndTime           *awsproto.Timestamp `json:"EndTime" required:"true"`
	NextToken         *string             `json:"NextToken"`
	ScanBy            string              `json:"ScanBy" enum:"TimestampDescending,TimestampAscending"`
	MaxDatapoints     *int                `json:"MaxDatapoints"`
	LabelOptions      *struct {
		Timezone *string `json:"Timezone"`
	} `json:"LabelOptions"`
}

type messageData struct {
	Code  string `json:"Code,omitempty" xml:"Code,omitempty"`
	Value string `json:"Value,omitempty" xml:"Value,omitempty"`
}

type metricDataResult struct {
	Id         string               `json:"Id" xml:"Id"`
	Label      string               `json:"Label" xml:"Label"`
	Timestamps []awsproto.Timestamp `json:"Timestamps" xml:"Timestamps>member"`
	Values     []float64            `json:"Values" xml:"Values>member"`
	StatusCode string               `json:"StatusCode" xml:"StatusCode"`
	Messages   []messageData        `json:"Messages,omitempty" xml:"Messages>member,omitempty"`
}

type getMetricDataOutput struct {
	MetricDataResults []metricDataResult `json:"MetricDataResults" xml:"MetricDataResults>member"`
	NextToken         string             `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
	Messages          []messageData      `json:"Messages" xml:"Messages>member"`
}

// Limits of GetMetricData.
const (
	maxQueries       = 500
	maxDatapointsAll = 100800
)

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
	exprPattern = regexp.MustCompile(`^\s*(SUM|AVG)\s*\(\s*\[\s*([a-zA-Z0-9_,\s]+)\]\s*\)\s*$`)
	bandPattern = regexp.MustCompile(`^\s*ANOMALY_DETECTION_BAND\s*\(\s*([a-zA-Z0-9_]+)\s*(?:,\s*([0-9]+(?:\.[0-9]+)?)\s*)?\)\s*$`)
)

// series is one query's values by timestamp.
type seriesValues map[int64]float64

func (s *Service) getMetricData(c *awsproto.Call, in *getMetricDataInput) (getMetricDataOutput, error) {
	out := getMetricDataOutput{MetricDataResults: []metricDataResult{}, Messages: []messageData{}}
	if len(in.MetricDataQueries) > maxQueries {
		return out, errInvalidParameter.Errorf("The collection MetricDataQueries must not have a size greater than %d.", maxQueries)
	}
	start, end := in.StartTime.Time(), in.EndTime.Time()
	if !start.Before(end) {
		return out, errValidation.New("The parameter StartTime must be less than the parameter EndTime.")
	}
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
	maxPoints := maxDatapointsAll
	if in.MaxDatapoints != nil && *in.MaxDatapoints > 0 {
		maxPoints = *in.MaxDatapoints
	}
	ids := map[string]bool{}
	for _, q := range in.MetricDataQueries {
		id := *q.Id
		if !idPattern.MatchString(id) {
			return out, errValidation.Errorf("Invalid metric identifier: %s. The identifier must start with a lowercase letter and contain only letters, numbers and underscores.", id)
		}
		if ids[id] {
			return out, errValidation.Errorf("The value %s for parameter MetricDataQueries.member.Id is duplicated.", id)
		}
		ids[id] = true
		if (q.MetricStat == nil) == (q.Expression == nil) {
			return out, errValidation.Errorf("The parameter MetricDataQueries.member.%s must specify exactly one of MetricStat and Expression.", id)
		}
		if q.MetricStat != nil {
			if err := checkPeriod(*q.MetricStat.Period, "MetricStat.Period"); err != nil {
				return out, err
			}
			if _, ok := (&Stats{N: 1}).Stat(*q.MetricStat.Stat); !ok {
				return out, errInvalidParameter.Errorf("The value %s for parameter MetricDataQueries.member.MetricStat.Stat is not supported.", *q.MetricStat.Stat)
			}
		}
	}
	values := map[string]seriesValues{}
	for _, q := range in.MetricDataQueries {
		if q.MetricStat == nil {
			continue
		}
		ms := q.MetricStat
		p := int64(*ms.Period)
		sv := seriesValues{}
		if m := s.metrics.Lookup(c.Region, deref(ms.Metric.Namespace), deref(ms.Metric.MetricName), dims(ms.Metric.Dimensions)); m != nil {
			from := start.Unix() - mod(start.Unix(), p)
			for _, per := range m.Periods(from, end.Unix(), p, ms.Unit) {
				v, _ := per.Stat(*ms.Stat)
				sv[per.Start] = round(v)
			}
		}
		values[*q.Id] = sv
	}
	lower := map[string]seriesValues{} // the lower bounds of bands
	for _, q := range in.MetricDataQueries {
		if q.Expression == nil {
			continue
		}
		if m := bandPattern.FindStringSubmatch(*q.Expression); m != nil {
			src, ok := values[m[1]]
			if !ok {
				return out, errValidation.Errorf("Error in expression '%s': Unrecognized metric or expression: %s", *q.Expression, m[1])
			}
			k := 2.0
			if m[2] != "" {
				k, _ = strconv.ParseFloat(m[2], 64)
			}
			values[*q.Id], lower[*q.Id] = band(src, k)
			continue
		}
		sv, err := evalExpression(*q.Expression, values)
		if err != nil {
			return out, err
		}
		values[*q.Id] = sv
	}
	seen := 0
	for _, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		parts := []struct {
			sv     seriesValues
			suffix string
		}{{values[*q.Id], ""}}
		if lo, ok := lower[*q.Id]; ok {
			parts = []struct {
				sv     seriesValues
				suffix string
			}{{values[*q.Id], " Upper"}, {lo, " Lower"}}
		}
		for _, part := range parts {
			r := metricDataResult{Id: *q.Id, Label: deref(q.Label), StatusCode: "Complete", Timestamps: []awsproto.Timestamp{}, Values: []float64{}}
			if r.Label == "" {
				if q.MetricStat != nil {
					r.Label = deref(q.MetricStat.Metric.MetricName)
				} else {
					r.Label = *q.Id
				}
			}
			r.Label += part.suffix
			sv := part.sv
			times := make([]int64, 0, len(sv))
			for t := range sv {
				times = append(times, t)
			}
			slices.Sort(times)
			if in.ScanBy != "TimestampAscending" {
				slices.Reverse(times)
			}
			for _, t := range times {
				if seen < skip {
					seen++
					continue
				}
				if seen >= skip+maxPoints {
					r.StatusCode = "PartialData"
					out.NextToken = encodeToken(itoa(seen))
					break
				}
				seen++
				r.Timestamps = append(r.Timestamps, awsproto.Timestamp(float64(t)))
				r.Values = append(r.Values, sv[t])
			}
			out.MetricDataResults = append(out.MetricDataResults, r)
		}
	}
	return out, nil
}

// band is ANOMALY_DETECTION_BAND(m, k) as groundstack computes it: the
// mean of m's values in the query's range plus and minus k standard
// deviations, at each of m's timestamps (no model is trained).
func band(src seriesValues, k float64) (upper, lower seriesValues) {
	var sum, sq float64
	for _, v := range src {
		sum += v
	}
	n := float64(len(src))
	mean := sum / max(n, 1)
	for _, v := range src {
		sq += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(sq / max(n, 1))
	upper, lower = make(seriesValues, len(src)), make(seriesValues, len(src))
	for t := range src {
		upper[t], lower[t] = round(mean+k*sd), round(mean-k*sd)
	}
	return upper, lower
}

// evalExpression evaluates SUM([a,b,…]) or AVG([a,b,…]) of other queries'
// values, timestamp by timestamp: the metric math groundstack supports.
func evalExpression(expr string, values map[string]seriesValues) (seriesValues, error) {
	m := exprPattern.FindStringSubmatch(expr)
	if m == nil {
		return nil, errValidation.Errorf("Unsupported metric math expression: %s (groundstack evaluates SUM([ids]), AVG([ids]) and ANOMALY_DETECTION_BAND(id, k))", expr)
	}
	var ids []string
	for _, id := range strings.Split(m[2], ",") {
		id = strings.TrimSpace(id)
		if _, ok := values[id]; !ok {
			return nil, errValidation.Errorf("Error in expression '%s': Unrecognized metric or expression: %s", expr, id)
		}
		ids = append(ids, id)
	}
	sum, n := seriesValues{}, map[int64]float64{}
	for _, id := range ids {
		for t, v := range values[id] {
			sum[t] += v
			n[t]++
		}
	}
	if m[1] == "AVG" {
		for t := range sum {
			sum[t] /= n[t]
		}
	}
	return sum, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func parseUint(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

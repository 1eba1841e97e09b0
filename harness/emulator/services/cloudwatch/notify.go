package cloudwatch

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// regionNames are the names AWS gives regions in alarm notifications.
var regionNames = map[string]string{
	"us-east-1":      "US East (N. Virginia)",
	"us-east-2":      "US East (Ohio)",
	"us-west-1":      "US West (N. California)",
	"us-west-2":      "US West (Oregon)",
	"af-south-1":     "Africa (Cape Town)",
	"ap-east-1":      "Asia Pacific (Hong Kong)",
	"ap-south-1":     "Asia Pacific (Mumbai)",
	"ap-northeast-1": "Asia Pacific (Tokyo)",
	"ap-northeast-2": "Asia Pacific (Seoul)",
	"ap-northeast-3": "Asia Pacific (Osaka)",
	"ap-southeast-1": "Asia Pacific (Singapore)",
	"ap-southeast-2": "Asia Pacific (Sydney)",
	"ca-central-1":   "Canada (Central)",
	"eu-central-1":   "EU (Frankfurt)",
	"eu-west-1":      "EU (Ireland)",
	"eu-west-2":      "EU (London)",
	"eu-west-3":      "EU (Paris)",
	"eu-north-1":     "EU (Stockholm)",
	"eu-south-1":     "EU (Milan)",
	"me-south-1":     "Middle East (Bahrain)",
	"sa-east-1":      "South America (Sao Paulo)",
}

func regionName(region string) string {
	if n, ok := regionNames[region]; ok {
		return n
	}
	return region
}

// maxSubject is SNS's limit on a subject; AWS cuts longer alarm subjects.
const maxSubject = 100

// subject is the SNS subject of an alarm notification:
// ALARM: "name" in US East (N. Virginia).
func subject(state, name, region string) string {
	s := state + ": \"" + name + "\" in " + regionName(region)
	if len(s) > maxSubject {
		s = strings.ToValidUTF8(s[:maxSubject], "")
	}
	return s
}

type notifyDim struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

type notifyTrigger struct {
	MetricName                       string      `json:"MetricName,omitempty"`
	Namespace                        string      `json:"Namespace,omitempty"`
	StatisticType                    string      `json:"StatisticType"`
	Statistic                        string      `json:"Statistic,omitempty"`
	ExtendedStatistic                string      `json:"ExtendedStatistic,omitempty"`
	Unit                             *string     `json:"Unit"`
	Dimensions                       []notifyDim `json:"Dimensions"`
	Period                           int64       `json:"Period"`
	EvaluationPeriods                int         `json:"EvaluationPeriods"`
	DatapointsToAlarm                int         `json:"DatapointsToAlarm"`
	ComparisonOperator               string      `json:"ComparisonOperator"`
	Threshold                        float64     `json:"Threshold"`
	TreatMissingData                 string      `json:"TreatMissingData"`
	EvaluateLowSampleCountPercentile string      `json:"EvaluateLowSampleCountPercentile"`
}

type notifyMessage struct {
	AlarmName                          string        `json:"AlarmName"`
	AlarmDescription                   *string       `json:"AlarmDescription"`
	AWSAccountID                       string        `json:"AWSAccountId"`
	AlarmConfigurationUpdatedTimestamp string        `json:"AlarmConfigurationUpdatedTimestamp"`
	NewStateValue                      string        `json:"NewStateValue"`
	NewStateReason                     string        `json:"NewStateReason"`
	StateChangeTime                    string        `json:"StateChangeTime"`
	Region                             string        `json:"Region"`
	AlarmArn                           string        `json:"AlarmArn"`
	OldStateValue                      string        `json:"OldStateValue"`
	OKActions                          []string      `json:"OKActions"`
	AlarmActions                       []string      `json:"AlarmActions"`
	InsufficientDataActions            []string      `json:"InsufficientDataActions"`
	Trigger                            notifyTrigger `json:"Trigger"`
}

// message is the JSON AWS publishes for an alarm's state change.
func message(a *Alarm, account, old string, now time.Time) string {
	m := notifyMessage{
		AlarmName:                          a.Name,
		AWSAccountID:                       account,
		AlarmConfigurationUpdatedTimestamp: isoMillis(a.Updated),
		NewStateValue:                      a.State,
		NewStateReason:                     a.StateReason,
		StateChangeTime:                    isoMillis(now),
		Region:                             regionName(a.Region),
		AlarmArn:                           a.ARN,
		OldStateValue:                      old,
		OKActions:                          orEmpty(a.OKActions),
		AlarmActions:                       orEmpty(a.AlarmActions),
		InsufficientDataActions:            orEmpty(a.InsufficientDataActions),
	}
	if a.Description != "" {
		m.AlarmDescription = &a.Description
	}
	t := notifyTrigger{
		MetricName:         a.MetricName,
		Namespace:          a.Namespace,
		StatisticType:      "Statistic",
		Statistic:          strings.ToUpper(a.Statistic),
		Dimensions:         []notifyDim{},
		Period:             a.period(),
		EvaluationPeriods:  a.EvaluationPeriods,
		DatapointsToAlarm:  a.DatapointsToAlarm,
		ComparisonOperator: a.Comparison,
		Threshold:          a.Threshold,
		TreatMissingData:   a.TreatMissingData,
	}
	if a.ExtendedStatistic != "" {
		t.StatisticType, t.Statistic, t.ExtendedStatistic = "ExtendedStatistic", "", a.ExtendedStatistic
	}
	if t.DatapointsToAlarm == 0 {
		t.DatapointsToAlarm = a.EvaluationPeriods
	}
	if a.Unit != "" {
		t.Unit = &a.Unit
	}
	for _, d := range a.Dims {
		t.Dimensions = append(t.Dimensions, notifyDim{Value: d.Value, Name: d.Name})
	}
	t.EvaluateLowSampleCountPercentile = a.EvaluateLowSampleCount
	m.Trigger = t
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return "{}"
	}
	return strings.TrimRight(buf.String(), "\n")
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

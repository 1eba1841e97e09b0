package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// seedCloudWatch builds CloudWatch state through the SDK: datapoints of a
// metric with a dimension (at minute and second resolution), a metric
// alarm set to ALARM, a metric math alarm, a composite alarm, a dashboard
// with tags, a metric stream, a Contributor Insights rule and an anomaly
// detector. The alarms ignore missing data, so the evaluator
// leaves their states as they are.
func seedCloudWatch(t *testing.T, cfg aws.Config, now time.Time) {
	t.Helper()
	ctx := context.Background()
	c := cloudwatch.NewFromConfig(cfg)
	dim := []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("web")}}
	var data []cwtypes.MetricDatum
	for i := range 10 {
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("Latency"), Dimensions: dim, Value: aws.Float64(float64(10 * (i%4 + 1))),
			Timestamp: aws.Time(now.Add(-time.Duration(i) * time.Minute)), Unit: cwtypes.StandardUnitMilliseconds})
	}
	data = append(data, cwtypes.MetricDatum{MetricName: aws.String("Hits"), Value: aws.Float64(3), Timestamp: aws.Time(now.Add(-30 * time.Second)), StorageResolution: aws.Int32(1)})
	must(c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Shop"), MetricData: data}))
	must(c.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("slow"), Namespace: aws.String("Quiet"), MetricName: aws.String("Latency"),
		Dimensions: dim, Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(3), Threshold: aws.Float64(25),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore"),
		AlarmActions: []string{"arn:aws:sns:us-east-1:000000000000:ops"}, Tags: []cwtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}))
	must(c.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("slow"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("by hand")}))
	must(c.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("p99"), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(100),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("ignore"),
		Metrics: []cwtypes.MetricDataQuery{{Id: aws.String("m"), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("Quiet"), MetricName: aws.String("Latency")},
			Period: aws.Int32(60), Stat: aws.String("p99")}}}}))
	must(c.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("any"), AlarmRule: aws.String(`ALARM("slow") OR ALARM("p99")`)}))
	must(c.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("ops"),
		DashboardBody: aws.String(`{"widgets":[{"type":"text","x":0,"y":0,"width":6,"height":3,"properties":{"markdown":"hi"}}]}`)}))
	must(c.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String("arn:aws:cloudwatch::000000000000:dashboard/ops"),
		Tags: []cwtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	must(c.PutMetricStream(ctx, &cloudwatch.PutMetricStreamInput{Name: aws.String("to-lake"), OutputFormat: cwtypes.MetricStreamOutputFormatJson,
		FirehoseArn: aws.String("arn:aws:firehose:us-east-1:000000000000:deliverystream/lake"), RoleArn: aws.String("arn:aws:iam::000000000000:role/cw"),
		IncludeFilters: []cwtypes.MetricStreamFilter{{Namespace: aws.String("Shop")}}, Tags: []cwtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	must(c.PutInsightRule(ctx, &cloudwatch.PutInsightRuleInput{RuleName: aws.String("top-callers"), RuleState: aws.String("ENABLED"),
		RuleDefinition: aws.String(`{"Schema":{"Name":"CloudWatchLogRule","Version":1},"LogGroupNames":["/app/web"],"LogFormat":"JSON",` +
			`"Contribution":{"Keys":["$.ip"],"Filters":[]},"AggregateOn":"Count"}`)}))
	must(c.PutAnomalyDetector(ctx, &cloudwatch.PutAnomalyDetectorInput{SingleMetricAnomalyDetector: &cwtypes.SingleMetricAnomalyDetector{
		Namespace: aws.String("Shop"), MetricName: aws.String("Latency"), Dimensions: dim, Stat: aws.String("Average")}}))
}

var cwNoMeta = cloudwatch.GetMetricStreamOutput{}.ResultMetadata

// observeCloudWatch reads what a client sees of CloudWatch around now.
func observeCloudWatch(t *testing.T, cfg aws.Config, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	c := cloudwatch.NewFromConfig(cfg)
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, what+" "+string(b))
	}
	metrics := must(c.ListMetrics(ctx, &cloudwatch.ListMetricsInput{})).Metrics
	add("metrics", metrics)
	for _, m := range metrics {
		in := &cloudwatch.GetMetricStatisticsInput{Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions,
			StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(60),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticAverage, cwtypes.StatisticSampleCount, cwtypes.StatisticMaximum}}
		add("statistics", must(c.GetMetricStatistics(ctx, in)).Datapoints)
		in.Statistics, in.ExtendedStatistics = nil, []string{"p50"}
		add("percentiles", must(c.GetMetricStatistics(ctx, in)).Datapoints)
	}
	alarms := must(c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}}))
	add("metric alarms", alarms.MetricAlarms)
	add("composite alarms", alarms.CompositeAlarms)
	for _, a := range alarms.MetricAlarms {
		add("alarm tags", must(c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})).Tags)
	}
	add("history", must(c.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{})).AlarmHistoryItems)
	add("dashboards", must(c.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{})).DashboardEntries)
	d := must(c.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("ops")}))
	add("dashboard", []any{d.DashboardArn, d.DashboardBody})
	streams := must(c.ListMetricStreams(ctx, &cloudwatch.ListMetricStreamsInput{})).Entries
	add("metric streams", streams)
	for _, m := range streams {
		g := must(c.GetMetricStream(ctx, &cloudwatch.GetMetricStreamInput{Name: m.Name}))
		g.ResultMetadata = cwNoMeta
		add("metric stream", g)
		add("metric stream tags", must(c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: m.Arn})).Tags)
	}
	add("insight rules", must(c.DescribeInsightRules(ctx, &cloudwatch.DescribeInsightRulesInput{})).InsightRules)
	add("anomaly detectors", must(c.DescribeAnomalyDetectors(ctx, &cloudwatch.DescribeAnomalyDetectorsInput{})).AnomalyDetectors)
	add("dashboard tags", must(c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: d.DashboardArn})).Tags)
	return strings.Join(out, "\n")
}

// Metrics, alarms and dashboards built through the SDK, saved and loaded
// into a second emulator, read the same through the SDK: statistics
// (percentiles too), alarm states with their reasons and history.
func TestSnapshotCloudWatchRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Minute)
	a, acfg := emutest.Start(t)
	seedCloudWatch(t, acfg, now)
	file := saveSnapshot(t, a.URL())
	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	before, after := observeCloudWatch(t, acfg, now), observeCloudWatch(t, bcfg, now)
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	for _, want := range []string{`"StateValue":"ALARM"`, `"StateReason":"by hand"`, `"ExtendedStatistics":{"p50":`, `"DashboardName":"ops"`, `"Name":"to-lake"`, `"Name":"top-callers"`, `"MetricName":"Latency","Namespace":"Shop"`, `"AlarmRule":"ALARM(\"slow\") OR ALARM(\"p99\")"`} {
		if !strings.Contains(after, want) {
			t.Errorf("the loaded state lacks %s:\n%s", want, after)
		}
	}
}

package logs_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func TestSubscriptionFilters(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	mkGroup(t, c, "/sub")
	put := func(name, dest string) error {
		_, err := c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("/sub"), FilterName: aws.String(name),
			FilterPattern: aws.String("ERROR"), DestinationArn: aws.String(dest)})
		return err
	}
	kinesis := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	must(struct{}{}, put("a", kinesis)).ok(t)
	must(struct{}{}, put("b", "arn:aws:firehose:us-east-1:000000000000:deliverystream/f")).ok(t)
	must(struct{}{}, put("a", kinesis)).ok(t) // replacing one is not a third
	wantCode(t, put("c", kinesis), "LimitExceededException", "Resource limit exceeded.")
	wantCode(t, put("c", "arn:aws:lambda:us-east-1:000000000000:function:missing"), "InvalidParameterException",
		"Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
	_, err := c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("/nope"), FilterName: aws.String("x"),
		FilterPattern: aws.String(""), DestinationArn: aws.String(kinesis)})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("/sub"), FilterName: aws.String("x"),
		FilterPattern: aws.String("{ $.a = "), DestinationArn: aws.String(kinesis)})
	wantCode(t, err, "InvalidParameterException", "Invalid filter pattern")

	out := must(c.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("/sub")})).ok(t)
	if len(out.SubscriptionFilters) != 2 || *out.SubscriptionFilters[0].FilterName != "a" || *out.SubscriptionFilters[0].DestinationArn != kinesis ||
		out.SubscriptionFilters[0].Distribution != types.DistributionByLogStream || out.SubscriptionFilters[0].CreationTime == nil {
		t.Fatalf("filters %+v", out.SubscriptionFilters)
	}
	must(c.DeleteSubscriptionFilter(ctx, &cwl.DeleteSubscriptionFilterInput{LogGroupName: aws.String("/sub"), FilterName: aws.String("a")})).ok(t)
	_, err = c.DeleteSubscriptionFilter(ctx, &cwl.DeleteSubscriptionFilterInput{LogGroupName: aws.String("/sub"), FilterName: aws.String("a")})
	wantCode(t, err, "ResourceNotFoundException", "The specified subscription filter does not exist.")
	out = must(c.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("/sub")})).ok(t)
	if len(out.SubscriptionFilters) != 1 || *out.SubscriptionFilters[0].FilterName != "b" {
		t.Fatalf("after delete %+v", out.SubscriptionFilters)
	}
}

func TestMetricFiltersPublishToCloudWatch(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t, emulator.WithAlarmEvaluation(-1))
	c := cwl.NewFromConfig(cfg)
	cw := cloudwatch.NewFromConfig(cfg)
	mkGroup(t, c, "/mf", "s")
	mkGroup(t, c, "/other")
	mf := func(group, name, pattern string, tr types.MetricTransformation) error {
		_, err := c.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name),
			FilterPattern: aws.String(pattern), MetricTransformations: []types.MetricTransformation{tr}})
		return err
	}
	must(struct{}{}, mf("/mf", "errors", "ERROR", types.MetricTransformation{MetricName: aws.String("Errors"), MetricNamespace: aws.String("App"),
		MetricValue: aws.String("1")})).ok(t)
	must(struct{}{}, mf("/mf", "latency", "{ $.ms > 0 }", types.MetricTransformation{MetricName: aws.String("Latency"), MetricNamespace: aws.String("App"),
		MetricValue: aws.String("$.ms"), Unit: types.StandardUnitMilliseconds, Dimensions: map[string]string{"Op": "$.op"}})).ok(t)
	must(struct{}{}, mf("/other", "x", "", types.MetricTransformation{MetricName: aws.String("Other"), MetricNamespace: aws.String("Else"),
		MetricValue: aws.String("1")})).ok(t)
	wantCode(t, mf("/nope", "x", "", types.MetricTransformation{MetricName: aws.String("A"), MetricNamespace: aws.String("B"), MetricValue: aws.String("1")}),
		"ResourceNotFoundException", "The specified log group does not exist.")
	wantCode(t, mf("/mf", "x", "[a", types.MetricTransformation{MetricName: aws.String("A"), MetricNamespace: aws.String("B"), MetricValue: aws.String("1")}),
		"InvalidParameterException", "Invalid filter pattern")

	// describe: all, by group and prefix, by metric
	all := must(c.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{})).ok(t)
	if len(all.MetricFilters) != 3 {
		t.Fatalf("all filters %d", len(all.MetricFilters))
	}
	byPrefix := must(c.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String("/mf"), FilterNamePrefix: aws.String("lat")})).ok(t)
	if len(byPrefix.MetricFilters) != 1 || *byPrefix.MetricFilters[0].FilterName != "latency" || byPrefix.MetricFilters[0].MetricTransformations[0].Dimensions["Op"] != "$.op" {
		t.Fatalf("by prefix %+v", byPrefix.MetricFilters)
	}
	byMetric := must(c.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{MetricName: aws.String("Other"), MetricNamespace: aws.String("Else")})).ok(t)
	if len(byMetric.MetricFilters) != 1 || *byMetric.MetricFilters[0].LogGroupName != "/other" {
		t.Fatalf("by metric %+v", byMetric.MetricFilters)
	}
	_, err := c.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{MetricName: aws.String("Other")})
	wantCode(t, err, "InvalidParameterException", "If you specify a value for either metricName or metricNamespace, you must specify both.")
	groups := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/mf")})).ok(t)
	if *groups.LogGroups[0].MetricFilterCount != 2 {
		t.Fatalf("metricFilterCount %d", *groups.LogGroups[0].MetricFilterCount)
	}

	// an alarm on the metric
	must(cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("errors"), Namespace: aws.String("App"), MetricName: aws.String("Errors"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, TreatMissingData: aws.String("notBreaching")})).ok(t)

	now := time.Now()
	put(t, c, "/mf", "s", now, "ERROR one", "fine", `{"ms": 120, "op": "get"}`, "ERROR two", `{"ms": 30, "op": "get"}`, `{"ms": 5, "op": "put"}`)

	stats := func(name string, dims ...cwtypes.Dimension) *cwtypes.Datapoint {
		out := must(cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String(name),
			Dimensions: dims, StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now.Add(10 * time.Minute)), Period: aws.Int32(3600),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount}})).ok(t)
		if len(out.Datapoints) == 0 {
			return nil
		}
		return &out.Datapoints[0]
	}
	if d := stats("Errors"); d == nil || *d.Sum != 2 {
		t.Fatalf("Errors %+v", d)
	}
	if d := stats("Latency", cwtypes.Dimension{Name: aws.String("Op"), Value: aws.String("get")}); d == nil || *d.Sum != 150 || *d.SampleCount != 2 {
		t.Fatalf("Latency get %+v", d)
	}
	advance(t, e, time.Minute)
	alarms := must(cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"errors"}})).ok(t)
	if alarms.MetricAlarms[0].StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("alarm %s: %s", alarms.MetricAlarms[0].StateValue, aws.ToString(alarms.MetricAlarms[0].StateReason))
	}

	// TestMetricFilter
	tm := must(c.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("[ip, user, status=4*, size]"),
		LogEventMessages: []string{"1.2.3.4 bob 404 100", "1.2.3.4 bob 200 100", "5.6.7.8 amy 403 7"}})).ok(t)
	if len(tm.Matches) != 2 || tm.Matches[0].EventNumber != 1 || tm.Matches[1].ExtractedValues["$user"] != "amy" || tm.Matches[1].ExtractedValues["$status"] != "403" {
		t.Fatalf("test metric filter %+v", tm.Matches)
	}

	must(c.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("/mf"), FilterName: aws.String("errors")})).ok(t)
	_, err = c.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("/mf"), FilterName: aws.String("errors")})
	wantCode(t, err, "ResourceNotFoundException", "The specified metric filter does not exist.")
}

// advance moves the emulator's alarm clock through its control endpoint.
func advance(t *testing.T, e *emulator.Emulator, d time.Duration) {
	t.Helper()
	resp, err := http.Post(e.URL()+"/_groundstack/clock", "application/json", strings.NewReader(`{"advance":"`+d.String()+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("clock: %d %s", resp.StatusCode, b)
	}
}

// decodeAwslogs reads a Lambda subscription payload.
func decodeAwslogs(t *testing.T, payload []byte) map[string]any {
	t.Helper()
	var env struct {
		Awslogs struct {
			Data string `json:"data"`
		} `json:"awslogs"`
	}
	if err := json.Unmarshal(payload, &env); err != nil {
		t.Fatalf("payload %s: %v", payload, err)
	}
	raw, err := base64.StdEncoding.DecodeString(env.Awslogs.Data)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(zr)
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

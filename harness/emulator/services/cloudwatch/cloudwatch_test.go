package cloudwatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var ctx = context.Background()

type clients struct {
	e   *emulator.Emulator
	cw  *cloudwatch.Client
	sns *sns.Client
	sqs *sqs.Client
}

// start runs an emulator whose alarms are evaluated only when the test
// moves the clock.
func start(t testing.TB) clients {
	t.Helper()
	e, cfg := emutest.Start(t, emulator.WithAlarmEvaluation(-1))
	return clients{e, cloudwatch.NewFromConfig(cfg), sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)}
}

// advance moves the emulator's alarm clock through its control endpoint.
func advance(t testing.TB, e *emulator.Emulator, d time.Duration) time.Time {
	t.Helper()
	body := `{"advance":"` + d.String() + `"}`
	resp, err := http.Post(e.URL()+"/_groundstack/clock", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("clock: %d %s", resp.StatusCode, b)
	}
	var out struct{ Now time.Time }
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out.Now
}

func wantErr(t testing.TB, err error, code string, status int, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want code %s, got %s (%s)", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("want status %d, got %d", status, re.HTTPStatusCode())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("want message %q, got %q", msg, ae.ErrorMessage())
	}
}

func dim(n, v string) cwtypes.Dimension {
	return cwtypes.Dimension{Name: aws.String(n), Value: aws.String(v)}
}

func TestPutMetricDataAndStatistics(t *testing.T) {
	c := start(t)
	now := time.Now().UTC().Truncate(time.Minute)
	_, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("App"),
		MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("Latency"), Dimensions: []cwtypes.Dimension{dim("Svc", "a")}, Timestamp: aws.Time(now), Value: aws.Float64(10), Unit: cwtypes.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: []cwtypes.Dimension{dim("Svc", "a")}, Timestamp: aws.Time(now.Add(10 * time.Second)), Values: []float64{20, 30}, Counts: []float64{1, 2}, Unit: cwtypes.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: []cwtypes.Dimension{dim("Svc", "a")}, Timestamp: aws.Time(now.Add(-time.Minute)), StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(2), Sum: aws.Float64(8), Minimum: aws.Float64(3), Maximum: aws.Float64(5)}, Unit: cwtypes.StandardUnitMilliseconds},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("App"), MetricName: aws.String("Latency"), Dimensions: []cwtypes.Dimension{dim("Svc", "a")},
		StartTime: aws.Time(now.Add(-5 * time.Minute)), EndTime: aws.Time(now.Add(5 * time.Minute)), Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount, cwtypes.StatisticMaximum, cwtypes.StatisticMinimum, cwtypes.StatisticAverage},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) != 2 {
		t.Fatalf("want 2 datapoints, got %+v", out.Datapoints)
	}
	got := map[int64]cwtypes.Datapoint{}
	for _, d := range out.Datapoints {
		got[d.Timestamp.Unix()] = d
	}
	cur := got[now.Unix()]
	if *cur.Sum != 90 || *cur.SampleCount != 4 || *cur.Maximum != 30 || *cur.Minimum != 10 || *cur.Average != 22.5 || cur.Unit != cwtypes.StandardUnitMilliseconds {
		t.Fatalf("current minute: sum %v n %v max %v min %v avg %v %v", *cur.Sum, *cur.SampleCount, *cur.Maximum, *cur.Minimum, *cur.Average, cur.Unit)
	}
	prev := got[now.Add(-time.Minute).Unix()]
	if *prev.Sum != 8 || *prev.SampleCount != 2 || *prev.Minimum != 3 {
		t.Fatalf("previous minute: %+v", prev)
	}
	// Percentiles.
	ext, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("App"), MetricName: aws.String("Latency"), Dimensions: []cwtypes.Dimension{dim("Svc", "a")},
		StartTime: aws.Time(now), EndTime: aws.Time(now.Add(time.Minute)), Period: aws.Int32(60), ExtendedStatistics: []string{"p50", "p99"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ext.Datapoints) != 1 || ext.Datapoints[0].ExtendedStatistics["p99"] != 30 || ext.Datapoints[0].ExtendedStatistics["p50"] != 20 {
		t.Fatalf("percentiles: %+v", ext.Datapoints)
	}
	// ListMetrics.
	lm, err := c.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("App")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lm.Metrics) != 1 || *lm.Metrics[0].MetricName != "Latency" || *lm.Metrics[0].Dimensions[0].Value != "a" {
		t.Fatalf("ListMetrics: %+v", lm.Metrics)
	}
}

func TestAlarmNotifiesSNSSubscribedQueue(t *testing.T) {
	c := start(t)
	topic, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("alerts-q")})
	if err != nil {
		t.Fatal(err)
	}
	qa, _ := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if _, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qa.Attributes["QueueArn"])}); err != nil {
		t.Fatal(err)
	}
	_, err = c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("errors"), AlarmDescription: aws.String("too many errors"),
		Namespace: aws.String("App"), MetricName: aws.String("Errors"), Statistic: cwtypes.StatisticSum,
		Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		AlarmActions:       []string{*topic.TopicArn},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"errors"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.MetricAlarms) != 1 || d.MetricAlarms[0].StateValue != cwtypes.StateValueInsufficientData {
		t.Fatalf("new alarm: %+v", d.MetricAlarms)
	}
	if _, err := c.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Errors"), Value: aws.Float64(3)}}}); err != nil {
		t.Fatal(err)
	}
	advance(t, c.e, time.Minute)
	d, err = c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{StateValue: cwtypes.StateValueAlarm})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.MetricAlarms) != 1 || !strings.HasPrefix(*d.MetricAlarms[0].StateReason, "Threshold Crossed: 1 datapoint [3.0 (") {
		t.Fatalf("alarm after errors: %+v", d.MetricAlarms)
	}
	msgs, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 2})
	if err != nil || len(msgs.Messages) != 1 {
		t.Fatalf("notification: %v %+v", err, msgs)
	}
	var env struct{ Subject, Message string }
	if err := json.Unmarshal([]byte(*msgs.Messages[0].Body), &env); err != nil {
		t.Fatal(err)
	}
	if env.Subject != `ALARM: "errors" in US East (N. Virginia)` {
		t.Fatalf("subject %q", env.Subject)
	}
	var n map[string]any
	if err := json.Unmarshal([]byte(env.Message), &n); err != nil {
		t.Fatal(err)
	}
	if n["AlarmName"] != "errors" || n["NewStateValue"] != "ALARM" || n["OldStateValue"] != "INSUFFICIENT_DATA" ||
		n["AWSAccountId"] != "000000000000" || n["AlarmDescription"] != "too many errors" || n["Region"] != "US East (N. Virginia)" ||
		n["AlarmArn"] != "arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors" {
		t.Fatalf("message %s", env.Message)
	}
	trig := n["Trigger"].(map[string]any)
	if trig["MetricName"] != "Errors" || trig["Statistic"] != "SUM" || trig["Threshold"] != 1.0 || trig["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" {
		t.Fatalf("trigger %v", trig)
	}
	// History records the change and the action.
	h, err := c.cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("errors")})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, it := range h.AlarmHistoryItems {
		types = append(types, string(it.HistoryItemType))
	}
	if strings.Join(types, ",") != "Action,StateUpdate,ConfigurationUpdate" {
		t.Fatalf("history %v", types)
	}
}

func rawCBOR(t *testing.T, url, op string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/service/GraniteServiceVersion20100801/operation/"+op, bytes.NewReader(body))
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	req.Header.Set("Content-Type", "application/cbor")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

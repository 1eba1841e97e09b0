package cloudwatch_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// A real Go function that fails: its Errors metric (AWS/Lambda, emitted by
// the Lambda service) drives an alarm whose action reaches an SQS queue
// through SNS.
func TestLambdaErrorsAlarmNotifiesQueue(t *testing.T) {
	t.Parallel()
	c := start(t)
	zipPath, _, err := deploy.BuildHandler(ctx, "../../../../handlers/testfn")
	if err != nil {
		t.Fatal(err)
	}
	zip, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	lc := awslambda.NewFromConfig(emutest.Config(c.e.URL()))
	if _, err := lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("failing"), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &ltypes.FunctionCode{ZipFile: zip},
	}); err != nil {
		t.Fatal(err)
	}
	topic, _ := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("ops")})
	q, _ := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("ops-inbox")})
	qa, _ := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if _, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qa.Attributes["QueueArn"]),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("failing-errors"), Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Errors"),
		Dimensions: []cwtypes.Dimension{dim("FunctionName", "failing")}, Statistic: cwtypes.StatisticSum,
		Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData:   aws.String("notBreaching"),
		AlarmActions:       []string{*topic.TopicArn}, OKActions: []string{*topic.TopicArn},
	}); err != nil {
		t.Fatal(err)
	}
	// A success first: Invocations counts it, Errors records a 0.
	if out, err := lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("failing"), Payload: []byte(`{"mode":"echo"}`)}); err != nil || out.FunctionError != nil {
		t.Fatalf("echo: %v %v", err, out)
	}
	advance(t, c.e, time.Minute)
	if got := alarmState(t, c, "failing-errors"); got != cwtypes.StateValueOk {
		t.Fatalf("after a success: %s", got)
	}
	for range 2 {
		out, err := lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("failing"), Payload: []byte(`{"mode":"error","message":"boom"}`)})
		if err != nil || aws.ToString(out.FunctionError) != "Unhandled" {
			t.Fatalf("error mode: %v %v", err, out)
		}
	}
	advance(t, c.e, time.Minute)
	if got := alarmState(t, c, "failing-errors"); got != cwtypes.StateValueAlarm {
		t.Fatalf("after errors: %s", got)
	}
	var subjects []string
	deadline := time.Now().Add(5 * time.Second)
	for len(subjects) < 2 && time.Now().Before(deadline) {
		msgs, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			var n struct {
				NewStateValue string
				Trigger       struct{ Namespace, MetricName string }
			}
			if err := json.Unmarshal([]byte(*m.Body), &n); err != nil {
				t.Fatalf("raw delivery is the alarm JSON: %v %s", err, *m.Body)
			}
			if n.Trigger.Namespace != "AWS/Lambda" || n.Trigger.MetricName != "Errors" {
				t.Fatalf("trigger %+v", n.Trigger)
			}
			subjects = append(subjects, n.NewStateValue)
		}
	}
	if strings.Join(subjects, ",") != "OK,ALARM" {
		t.Fatalf("notifications %v", subjects)
	}
	// The function's other metrics are there too.
	now := time.Now()
	st, err := c.cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Invocations"),
		Dimensions: []cwtypes.Dimension{dim("FunctionName", "failing")}, StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Hour)),
		Period: aws.Int32(3600), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum}})
	if err != nil || len(st.Datapoints) == 0 {
		t.Fatalf("Invocations: %v %+v", err, st)
	}
	var sum float64
	for _, d := range st.Datapoints {
		sum += *d.Sum
	}
	if sum != 3 {
		t.Fatalf("Invocations sum %v, want 3", sum)
	}
	lm, err := c.cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Duration")})
	if err != nil || len(lm.Metrics) != 1 {
		t.Fatalf("Duration metric: %v %+v", err, lm)
	}
}

func alarmState(t *testing.T, c clients, name string) cwtypes.StateValue {
	t.Helper()
	d, err := c.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil || len(d.MetricAlarms) != 1 {
		t.Fatalf("describe %s: %v", name, err)
	}
	return d.MetricAlarms[0].StateValue
}

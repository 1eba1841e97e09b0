package lambda_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
	lambdasvc "github.com/groundstack/groundstack/harness/emulator/services/lambda"
)

// TestSNSToLambdaAndDestinations runs real functions (two processes):
// an SNS topic invokes one through a lambda subscription and its OnSuccess
// queue receives the record of what the handler returned (the SNS event,
// echoed); a failing event ends on its OnFailure queue after its retries;
// a function with only a dead-letter queue gets its failed event there.
func TestSNSToLambdaAndDestinations(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	service(t, e).Tune(lambdasvc.Tuning{AsyncRetryBase: 20 * time.Millisecond})
	cfg := emutest.Config(e.URL())
	sq, sn := sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg)
	queue := func(name string) (url, arn string) {
		t.Helper()
		q, err := sq.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		a, err := sq.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(q.QueueUrl), a.Attributes["QueueArn"]
	}
	receive := func(url string) sqstypes.Message {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			out, err := sq.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 2,
				MessageAttributeNames: []string{"All"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Messages) > 0 {
				return out.Messages[0]
			}
		}
		t.Fatalf("nothing arrived on %s", url)
		return sqstypes.Message{}
	}
	okURL, okARN := queue("on-success")
	failURL, failARN := queue("on-failure")
	dlqURL, dlqARN := queue("dead-letters")

	fn := createFn(t, c)
	if _, err := c.PutFunctionEventInvokeConfig(bg, &awslambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(fn), MaximumRetryAttempts: aws.Int32(1),
		DestinationConfig: &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String(okARN)},
			OnFailure: &types.OnFailure{Destination: aws.String(failARN)}},
	}); err != nil {
		t.Fatal(err)
	}
	topic, err := sn.CreateTopic(bg, &sns.CreateTopicInput{Name: aws.String("to-lambda")})
	if err != nil {
		t.Fatal(err)
	}
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:" + fn
	if _, err := sn.Subscribe(bg, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(fnARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Publish(bg, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("hello from sns"), Subject: aws.String("greeting")}); err != nil {
		t.Fatal(err)
	}

	var rec struct {
		RequestContext struct {
			Condition              string `json:"condition"`
			FunctionArn            string `json:"functionArn"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		RequestPayload  json.RawMessage `json:"requestPayload"`
		ResponseContext struct {
			StatusCode      int    `json:"statusCode"`
			ExecutedVersion string `json:"executedVersion"`
			FunctionError   string `json:"functionError"`
		} `json:"responseContext"`
		ResponsePayload json.RawMessage `json:"responsePayload"`
	}
	m := receive(okURL)
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rec); err != nil {
		t.Fatal(err)
	}
	// testfn echoes its event: the handler received an events.SNSEvent.
	var got events.SNSEvent
	if err := json.Unmarshal(rec.ResponsePayload, &got); err != nil || len(got.Records) != 1 {
		t.Fatalf("handler's event %s: %v", rec.ResponsePayload, err)
	}
	r := got.Records[0]
	if r.EventSource != "aws:sns" || r.SNS.Message != "hello from sns" || r.SNS.Subject != "greeting" ||
		r.SNS.TopicArn != aws.ToString(topic.TopicArn) || r.SNS.Type != "Notification" || r.SNS.MessageID == "" {
		t.Fatalf("SNS event %+v", r)
	}
	if rec.RequestContext.Condition != "Success" || rec.RequestContext.FunctionArn != fnARN+":$LATEST" ||
		rec.ResponseContext.StatusCode != 200 || rec.ResponseContext.ExecutedVersion != "$LATEST" {
		t.Fatalf("success record %s", aws.ToString(m.Body))
	}

	// A failing event: one try and one retry, then OnFailure.
	invoke(t, c, fn, `{"mode":"error","message":"e2e boom"}`, func(in *awslambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	m = receive(failURL)
	rec.ResponsePayload = nil
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rec); err != nil {
		t.Fatal(err)
	}
	var fnErr struct{ ErrorMessage string }
	json.Unmarshal(rec.ResponsePayload, &fnErr)
	if rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 2 ||
		rec.ResponseContext.FunctionError != "Unhandled" || fnErr.ErrorMessage != "e2e boom" ||
		string(rec.RequestPayload) != `{"mode":"error","message":"e2e boom"}` {
		t.Fatalf("failure record %s", aws.ToString(m.Body))
	}

	// Only a dead-letter queue: the event itself, with AWS's attributes.
	dl := createFn(t, c, func(in *awslambda.CreateFunctionInput) {
		in.DeadLetterConfig = &types.DeadLetterConfig{TargetArn: aws.String(dlqARN)}
	})
	if _, err := c.PutFunctionEventInvokeConfig(bg, &awslambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(dl), MaximumRetryAttempts: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	payload := `{"mode":"error","message":"dlq boom"}`
	accepted := invoke(t, c, dl, payload, func(in *awslambda.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	requestID, _ := awsmiddleware.GetRequestIDMetadata(accepted.ResultMetadata)
	m = receive(dlqURL)
	a := m.MessageAttributes
	if aws.ToString(m.Body) != payload || aws.ToString(a["ErrorCode"].StringValue) != "200" || aws.ToString(a["ErrorCode"].DataType) != "Number" ||
		aws.ToString(a["ErrorMessage"].StringValue) != "dlq boom" || requestID == "" || aws.ToString(a["RequestID"].StringValue) != requestID {
		t.Fatalf("dead letter %q %+v", aws.ToString(m.Body), a)
	}
}

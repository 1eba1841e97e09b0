package sns

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	snsapi "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// fakeLambda records invocations, as the lambda service's in-process link
// would receive them.
type fakeLambda struct {
	mu    sync.Mutex
	calls []cloud.InvokeRequest
}

func (f *fakeLambda) Invoke(_ context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, req)
	return cloud.InvokeResult{}, nil
}

// A lambda subscription invokes the function asynchronously with an event
// that aws-lambda-go's events.SNSEvent reads.
func TestLambdaDeliveryEventShape(t *testing.T) {
	env := cloud.DefaultEnv()
	fake := &fakeLambda{}
	env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(fake))
	s := New(env)
	defer s.Close()
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := snsapi.NewFromConfig(sdkclient.Config(srv.URL, "us-east-1"))
	ctx := context.Background()
	topic, err := c.CreateTopic(ctx, &snsapi.CreateTopicInput{Name: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	fn := "arn:aws:lambda:us-east-1:000000000000:function:handler"
	sub, err := c.Subscribe(ctx, &snsapi.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(fn)})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := c.Publish(ctx, &snsapi.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("to the function"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.calls) != 1 {
		t.Fatalf("%d invocations", len(fake.calls))
	}
	call := fake.calls[0]
	if !call.Async || call.Function != fn || call.Region != "us-east-1" {
		t.Fatalf("invocation %+v", call)
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(call.Payload, &ev); err != nil {
		t.Fatalf("payload does not parse as events.SNSEvent: %v\n%s", err, call.Payload)
	}
	r := ev.Records[0]
	if r.EventSource != "aws:sns" || r.EventVersion != "1.0" || r.EventSubscriptionArn != *sub.SubscriptionArn ||
		r.SNS.MessageID != *pub.MessageId || r.SNS.Message != "to the function" || r.SNS.TopicArn != *topic.TopicArn ||
		r.SNS.Type != "Notification" || r.SNS.Signature == "" || r.SNS.Timestamp.IsZero() ||
		!strings.Contains(r.SNS.SigningCertURL, dataPlanePrefix) || !strings.Contains(r.SNS.UnsubscribeURL, url.QueryEscape(*sub.SubscriptionArn)) {
		t.Fatalf("record %+v", r)
	}
	if a := r.SNS.MessageAttributes["k"].(map[string]any); a["Type"] != "String" || a["Value"] != "v" {
		t.Fatalf("attributes %v", r.SNS.MessageAttributes)
	}
	// Lambda shows a missing subject as null.
	if !strings.Contains(string(call.Payload), `"Subject":null`) {
		t.Fatalf("payload %s", call.Payload)
	}
}

// Without the lambda service wired, delivery fails and is recorded;
// Publish still succeeds.
func TestLambdaDeliveryUnwired(t *testing.T) {
	env := cloud.DefaultEnv()
	s := New(env)
	defer s.Close()
	tp, _ := s.store.CreateTopic("us-east-1", "t", nil, nil)
	sub, _, err := s.store.Subscribe(tp.ARN, "lambda", "arn:aws:lambda:us-east-1:000000000000:function:f", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := publishEntry{message: "x", hasMessage: true}
	if _, err := s.accept(nil, tp.ARN, &e, nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.store.Subscription(sub.ARN); v.Failed != 1 {
		t.Fatalf("failure not recorded: %+v", v)
	}
}

func FuzzPublishForm(f *testing.F) {
	for _, seed := range []string{
		"Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Message=hi",
		"Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Message=hi&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=Number&MessageAttributes.entry.1.Value.StringValue=1",
		"Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Message=%7B%22default%22%3A%22x%22%7D&MessageStructure=json",
		"Action=PublishBatch&TopicArn=arn:aws:sns:us-east-1:000000000000:t&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=m",
		"Action=Publish&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=%%%",
	} {
		f.Add(seed)
	}
	env := cloud.DefaultEnv()
	s := New(env)
	f.Cleanup(func() { s.Close() })
	tp, _ := s.store.CreateTopic("us-east-1", "t", nil, nil)
	s.store.Subscribe(tp.ARN, "email", "a@example.com", nil)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%d for %q: %s", w.Code, body, w.Body)
		}
	})
}

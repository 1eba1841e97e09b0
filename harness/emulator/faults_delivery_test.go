package emulator_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// awaitBody long-polls a queue until a message containing want arrives
// (bounded) and returns when it did.
func awaitBody(t *testing.T, q *sqs.Client, url, want string) time.Time {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			if strings.Contains(aws.ToString(m.Body), want) {
				return time.Now()
			}
		}
	}
	t.Fatalf("%s never reached %s", want, url)
	return time.Time{}
}

// A delivery fault delays SNS's delivery to the queue it names by its
// latency, and only that one: the topic's other subscriber has the message
// when Publish answers.
func TestFaultDeliverySNSToSQSDelayed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, cfg := emutest.Start(t)
	q, topics := sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg)
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, name := range []string{"slow-q", "fast-q"} {
		out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		urls[name] = aws.ToString(out.QueueUrl)
		if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:" + name)}); err != nil {
			t.Fatal(err)
		}
	}
	if status, body := faultsCall(t, e.URL(), "POST", "", `{"target":"delivery","service":"sns","resource":"slow-q","latency":"2s"}`); status != 200 {
		t.Fatalf("add: %d %s", status, body)
	}
	published := time.Now()
	if _, err := topics.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("order-1")}); err != nil {
		t.Fatal(err)
	}
	fast, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(urls["fast-q"])})
	if err != nil || len(fast.Messages) != 1 {
		t.Fatalf("the un-faulted subscriber: %v %v", fast, err)
	}
	if got := awaitBody(t, q, urls["slow-q"], "order-1").Sub(published); got < 1900*time.Millisecond {
		t.Fatalf("the delayed delivery arrived after %v, want at least 1.9 s", got)
	}
}

// A delivery fault on an S3 event notification delays it; the PutObject
// that caused it is not held up.
func TestFaultDeliveryS3ToSQSDelayed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, cfg := emutest.Start(t)
	q, s3c := sqs.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	qout, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("uploads-q")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("uploads"),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String("arn:aws:sqs:us-east-1:000000000000:uploads-q"), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}}); err != nil {
		t.Fatal(err)
	}
	if status, body := faultsCall(t, e.URL(), "POST", "", `{"target":"delivery","service":"s3","resource":"uploads","latency":"1s"}`); status != 200 {
		t.Fatalf("add: %d %s", status, body)
	}
	put := time.Now()
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("photo-1.jpg"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if got := awaitBody(t, q, aws.ToString(qout.QueueUrl), "photo-1.jpg").Sub(put); got < 900*time.Millisecond {
		t.Fatalf("the delayed event arrived after %v, want at least 0.9 s", got)
	}
}

package s3_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// Event notifications through the whole emulator: real queues and topics,
// read back with the SDK as a consumer would.

// queue creates a queue and returns its URL and ARN.
func queue(t testing.TB, q *sqs.Client, name string) (string, string) {
	t.Helper()
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl, attrs.Attributes["QueueArn"]
}

// receive takes one message from a queue (it is there already: S3
// delivers before it answers) and deletes it.
func receive(t testing.TB, q *sqs.Client, url string) string {
	t.Helper()
	out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 5, MaxNumberOfMessages: 1})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("receive from %s: %d messages, %v", url, len(out.Messages), err)
	}
	m := out.Messages[0]
	if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(m.Body)
}

func TestNotificationsToSQSAndSNS(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	c, q, n := s3.NewFromConfig(cfg), sqs.NewFromConfig(cfg), sns.NewFromConfig(cfg)
	mustCreateBucket(t, c, "uploads")
	direct, directARN := queue(t, q, "direct")
	fanned, fannedARN := queue(t, q, "fanned")
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("objects")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(fannedARN)}); err != nil {
		t.Fatal(err)
	}
	err = putNotification(c, "uploads", types.NotificationConfiguration{
		QueueConfigurations: []types.QueueConfiguration{{Id: aws.String("direct"), QueueArn: aws.String(directARN),
			Events: eventList("s3:ObjectCreated:*"), Filter: rules("prefix", "images/")}},
		TopicConfigurations: []types.TopicConfiguration{{Id: aws.String("fanned"), TopicArn: topic.TopicArn,
			Events: eventList("s3:ObjectRemoved:*")}},
	})
	if err != nil {
		t.Fatal(err)
	}

	// Destinations are looked up through the real services' links.
	for _, bad := range []types.NotificationConfiguration{
		{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:none"), Events: eventList("s3:ObjectCreated:*")}}},
		{QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String("arn:aws:sqs:us-east-1:000000000000:none"), Events: eventList("s3:ObjectCreated:*")}}},
		{TopicConfigurations: []types.TopicConfiguration{{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:none"), Events: eventList("s3:ObjectCreated:*")}}},
	} {
		wantAPIError(t, putNotification(c, "uploads", bad), "InvalidArgument", 400)
	}

	// The test events.
	var te map[string]string
	if err := json.Unmarshal([]byte(receive(t, q, direct)), &te); err != nil || te["Event"] != "s3:TestEvent" || te["Bucket"] != "uploads" {
		t.Errorf("queue test event %v (%v)", te, err)
	}
	var env struct{ Type, Subject, Message, TopicArn string }
	if err := json.Unmarshal([]byte(receive(t, q, fanned)), &env); err != nil || env.Type != "Notification" || env.Subject != "Amazon S3 Notification" || !strings.Contains(env.Message, `"s3:TestEvent"`) {
		t.Errorf("topic test event %+v (%v)", env, err)
	}

	// PUT → queue, as a Lambda or consumer parses it.
	mustPut(t, c, "uploads", "images/cat 1.png", []byte("meow"))
	var ev events.S3Event
	if err := json.Unmarshal([]byte(receive(t, q, direct)), &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("queue event: %v", err)
	}
	if r := ev.Records[0]; r.EventName != "ObjectCreated:Put" || r.S3.Object.URLDecodedKey != "images/cat 1.png" || r.S3.Object.Key != "images/cat+1.png" ||
		r.S3.Object.Size != 4 || r.S3.Bucket.Name != "uploads" || r.S3.ConfigurationID != "direct" {
		t.Errorf("queue event %+v", r)
	}

	// DELETE → topic → queue: the SNS envelope carries the S3 event.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("uploads"), Key: aws.String("images/cat 1.png")}); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(receive(t, q, fanned)), &env); err != nil || env.Subject != "Amazon S3 Notification" || env.TopicArn != *topic.TopicArn {
		t.Fatalf("envelope %+v (%v)", env, err)
	}
	ev = events.S3Event{}
	if err := json.Unmarshal([]byte(env.Message), &ev); err != nil || len(ev.Records) != 1 || ev.Records[0].EventName != "ObjectRemoved:Delete" ||
		ev.Records[0].S3.Object.URLDecodedKey != "images/cat 1.png" {
		t.Errorf("event in the envelope: %s (%v)", env.Message, err)
	}

	// A queue deleted since: the PUT still succeeds.
	if _, err := q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(direct)}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "uploads", "images/dog.png", []byte("woof"))

	// Reset empties every configuration.
	e.Reset()
	mustCreateBucket(t, c, "uploads")
	direct, _ = queue(t, q, "direct")
	got, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("uploads")})
	if err != nil || len(got.QueueConfigurations)+len(got.TopicConfigurations) != 0 {
		t.Errorf("after reset: %+v %v", got, err)
	}
	mustPut(t, c, "uploads", "images/after-reset.png", []byte("x"))
	if out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(direct)}); err != nil || len(out.Messages) != 0 {
		t.Errorf("after reset the queue got %d messages (%v)", len(out.Messages), err)
	}
}

func TestNotificationCLI(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	c, q := s3.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	mustCreateBucket(t, c, "cli-events")
	url, arn := queue(t, q, "cli-events")
	file := filepath.Join(t.TempDir(), "notification.json")
	doc := `{"QueueConfigurations":[{"Id":"uploads","QueueArn":"` + arn + `","Events":["s3:ObjectCreated:*"],` +
		`"Filter":{"Key":{"FilterRules":[{"Name":"suffix","Value":".csv"}]}}}]}`
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cli(t, e.URL(), "s3api", "put-bucket-notification-configuration", "--bucket", "cli-events", "--notification-configuration", "file://"+file)
	out := cli(t, e.URL(), "s3api", "get-bucket-notification-configuration", "--bucket", "cli-events")
	var got struct {
		QueueConfigurations []struct {
			Id, QueueArn string
			Events       []string
			Filter       struct {
				Key struct {
					FilterRules []struct{ Name, Value string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.QueueConfigurations) != 1 {
		t.Fatalf("get: %s (%v)", out, err)
	}
	if g := got.QueueConfigurations[0]; g.Id != "uploads" || g.QueueArn != arn || len(g.Filter.Key.FilterRules) != 1 || g.Filter.Key.FilterRules[0].Value != ".csv" {
		t.Errorf("get: %s", out)
	}
	receive(t, q, url) // the test event
	mustPut(t, c, "cli-events", "day.csv", []byte("a,b"))
	if body := receive(t, q, url); !strings.Contains(body, `"key":"day.csv"`) {
		t.Errorf("event %s", body)
	}
}

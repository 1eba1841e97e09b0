package sns_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// snsTranscript runs one scenario and records what a client sees: error
// codes of bad input, the keys of an SNS→SQS envelope, the attributes a
// topic and a subscription show.
func snsTranscript(c *sns.Client, q *sqs.Client) []string {
	var out []string
	outcome := emutest.Outcomes(&out)
	t, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("diff")})
	if err != nil {
		return []string{"create: " + err.Error()}
	}
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("diff")})
	outcome("create again", err)
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name")})
	outcome("bad name", err)
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(*t.TopicArn + "x")})
	outcome("missing topic attributes", err)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(*t.TopicArn + "x"), Message: aws.String("m")})
	outcome("publish to missing topic", err)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: t.TopicArn, Message: aws.String(strings.Repeat("x", 262145))})
	outcome("publish too long", err)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: t.TopicArn, Message: aws.String("m"), MessageGroupId: nil})
	outcome("publish", err)
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(*t.TopicArn + ":00000000-0000-0000-0000-000000000000")})
	outcome("unsubscribe unknown", err)
	fifo, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("diff.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	outcome("create fifo", err)
	if err == nil {
		// (moto answers MissingParameter to a FIFO publish without a
		// group; AWS answers InvalidParameter: not compared.)
		_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: fifo.TopicArn, Message: aws.String("m"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d")})
		outcome("fifo publish", err)
	}
	var many []snstypes.PublishBatchRequestEntry
	for i := range 11 {
		many = append(many, snstypes.PublishBatchRequestEntry{Id: aws.String(strings.Repeat("i", i+1)), Message: aws.String("m")})
	}
	_, err = c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: t.TopicArn, PublishBatchRequestEntries: many})
	outcome("batch of 11", err)
	_, err = c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: t.TopicArn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("m")}, {Id: aws.String("a"), Message: aws.String("m")}}})
	outcome("batch with duplicate ids", err)

	qo, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("diff-q")})
	if err != nil {
		return append(out, "queue: "+err.Error())
	}
	qa, _ := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qo.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: t.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qa.Attributes["QueueArn"])})
	outcome("subscribe sqs", err)
	if err == nil {
		sa, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
		outcome("subscription attributes", err)
		if err == nil {
			for _, k := range []string{"RawMessageDelivery", "PendingConfirmation", "Protocol"} {
				out = append(out, "subscription "+k+"="+sa.Attributes[k])
			}
		}
		_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn,
			AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"a":[{"numeric":[">",5,"<",1]}]}`)})
		outcome("bad numeric range", err)
	}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: t.TopicArn, Message: aws.String("to the queue"), Subject: aws.String("s"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}})
	outcome("publish with attributes", err)
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qo.QueueUrl, WaitTimeSeconds: 5})
	if err == nil && len(got.Messages) == 1 {
		var env map[string]any
		json.Unmarshal([]byte(*got.Messages[0].Body), &env)
		var keys []string
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out = append(out, "envelope keys "+strings.Join(keys, ","), "envelope Type="+env["Type"].(string))
		if a, ok := env["MessageAttributes"].(map[string]any)["k"].(map[string]any); ok {
			out = append(out, "envelope attribute "+a["Type"].(string)+"="+a["Value"].(string))
		}
	} else {
		out = append(out, "no delivery")
	}
	ta, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: t.TopicArn})
	if err == nil {
		// (moto does not count SubscriptionsConfirmed, and its account
		// differs: only the ARN's shape is compared.)
		out = append(out, "topic TopicArn ends "+strings.Join(strings.Split(ta.Attributes["TopicArn"], ":")[5:], ":"))
	}
	return out
}

// TestAgainstMoto compares what the SDK sees from the emulator and from
// moto on the same scenario, where moto is faithful to AWS.
func TestAgainstMoto(t *testing.T) {
	motoURL := emutest.Moto(t, "SKIP_MOTO")
	c := start(t)
	mine := snsTranscript(c.sns, c.sqs)
	cfg := emutest.Config(motoURL)
	theirs := snsTranscript(sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg))
	if strings.Join(mine, "\n") != strings.Join(theirs, "\n") {
		t.Fatalf("emulator:\n%s\n\nmoto:\n%s", strings.Join(mine, "\n"), strings.Join(theirs, "\n"))
	}
}

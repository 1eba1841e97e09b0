package sqs_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// sqsTranscript runs one scenario and records what a client sees: the
// MD5s AWS computes (which the SDKs check) and the error codes of bad input.
func sqsTranscript(c *sqs.Client) []string {
	var out []string
	outcome := emutest.Outcomes(&out)
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("diff")})
	if err != nil {
		return []string{"create: " + err.Error()}
	}
	url := q.QueueUrl
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("body ✓"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"s":          {DataType: aws.String("String"), StringValue: aws.String("text")},
			"n":          {DataType: aws.String("Number"), StringValue: aws.String("-12.5")},
			"b":          {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 254, 255}},
			"custom.att": {DataType: aws.String("String.kind"), StringValue: aws.String("é")},
		}})
	outcome("send with attributes", err)
	if err == nil {
		out = append(out, "MD5OfMessageBody "+aws.ToString(sent.MD5OfMessageBody), "MD5OfMessageAttributes "+aws.ToString(sent.MD5OfMessageAttributes))
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MessageAttributeNames: []string{"All"}})
	outcome("receive", err)
	if err == nil && len(got.Messages) == 1 {
		out = append(out, "received MD5OfMessageAttributes "+aws.ToString(got.Messages[0].MD5OfMessageAttributes), "received body "+aws.ToString(got.Messages[0].Body))
	}
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	outcome("get-queue-url of a missing queue", err)
	// Over 1 MiB: AWS's (and moto's) default limit since 2025.
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(strings.Repeat("x", 1048577))})
	outcome("oversize message", err)
	var es []types.SendMessageBatchRequestEntry
	for i := 0; i < 11; i++ {
		es = append(es, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("x")})
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: es})
	outcome("11 batch entries", err)
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: []types.SendMessageBatchRequestEntry{{Id: aws.String("a b"), MessageBody: aws.String("x")}}})
	outcome("bad batch id", err)
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("x")}, {Id: aws.String("a"), MessageBody: aws.String("y")}}})
	outcome("repeated batch id", err)
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("nofifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	outcome("fifo without .fifo", err)
	_, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url, AttributeNames: []types.QueueAttributeName{"Bogus"}})
	outcome("unknown attribute", err)
	f, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("diff.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	if err == nil {
		_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: f.QueueUrl, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
		outcome("fifo send without group", err)
	}
	for i, o := range out {
		out[i] = fmt.Sprintf("%02d %s", i, o)
	}
	return out
}

// TestDifferentialAgainstMoto: the MD5s the SDKs verify and the error codes
// of bad input, compared with moto's (faithful for these).
func TestDifferentialAgainstMoto(t *testing.T) {
	motoURL := emutest.Moto(t, "SQS_SKIP_MOTO")
	_, c := start(t)
	ours := sqsTranscript(c)
	theirs := sqsTranscript(sqs.NewFromConfig(emutest.Config(motoURL)))
	t.Logf("transcript:\n%s", strings.Join(ours, "\n"))
	if len(ours) != len(theirs) {
		t.Fatalf("transcripts differ in length:\nours:   %q\ntheirs: %q", ours, theirs)
	}
	for i := range ours {
		if ours[i] != theirs[i] {
			t.Errorf("ours %q, moto %q", ours[i], theirs[i])
		}
	}
}

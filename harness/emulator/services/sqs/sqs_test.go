package sqs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var ctx = context.Background()

// clock is a settable time source for emulator.WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func start(t testing.TB, opts ...emulator.Option) (*emulator.Emulator, *sqs.Client) {
	t.Helper()
	e, cfg := emutest.Start(t, opts...)
	return e, sqs.NewFromConfig(cfg)
}

// wantErr asserts err is an AWS error with code (as the SDK reports it: the
// query code SQS sends in x-amzn-query-error), HTTP status 400 and, when
// non-empty, message.
func wantErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want code %s, got %s (%s)", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("want message %q, got %q", msg, ae.ErrorMessage())
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != http.StatusBadRequest && re.HTTPStatusCode() != http.StatusForbidden {
		t.Fatalf("want status 400, got %d", re.HTTPStatusCode())
	}
}

func mustCreate(t testing.TB, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return *out.QueueUrl
}

func send(t testing.TB, c *sqs.Client, url, body string) *sqs.SendMessageOutput {
	t.Helper()
	out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return out
}

func receive(t testing.TB, c *sqs.Client, url string, max int32, vis *int32) []types.Message {
	t.Helper()
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: max, VisibilityTimeout: aws.ToInt32(vis),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return out.Messages
}

func attrs(t testing.TB, c *sqs.Client, url string, names ...types.QueueAttributeName) map[string]string {
	t.Helper()
	if len(names) == 0 {
		names = []types.QueueAttributeName{types.QueueAttributeNameAll}
	}
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: names})
	if err != nil {
		t.Fatalf("get attributes: %v", err)
	}
	return out.Attributes
}

func TestCreateQueueIsIdempotentOnlyWithTheSameAttributes(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "orders", map[string]string{"VisibilityTimeout": "60"})
	if !strings.HasSuffix(url, "/000000000000/orders") || !strings.HasPrefix(url, "http://") {
		t.Fatalf("queue URL %q", url)
	}
	if again := mustCreate(t, c, "orders", map[string]string{"VisibilityTimeout": "60"}); again != url {
		t.Fatalf("same attributes: %q, want %q", again, url)
	}
	if again := mustCreate(t, c, "orders", nil); again != url {
		t.Fatalf("no attributes: %q, want %q", again, url)
	}
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "61"}})
	wantErr(t, err, "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute VisibilityTimeout")
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Fatalf("want *types.QueueNameExists, got %T", err)
	}
}

func TestQueueNames(t *testing.T) {
	_, c := start(t)
	cases := []struct {
		name  string
		attrs map[string]string
		msg   string
	}{
		{"plain.fifo", nil, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"},
		{"nofifo", map[string]string{"FifoQueue": "true"}, "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."},
		{"bad name", nil, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"},
		{strings.Repeat("a", 81), nil, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"},
	}
	for _, tc := range cases {
		_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(tc.name), Attributes: tc.attrs})
		wantErr(t, err, "InvalidParameterValue", tc.msg)
	}
	mustCreate(t, c, strings.Repeat("a", 80), nil)
	mustCreate(t, c, strings.Repeat("b", 75)+".fifo", map[string]string{"FifoQueue": "true"})
}

func TestGetQueueURLAndMissingQueues(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "jobs", nil)
	out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")})
	if err != nil || *out.QueueUrl != url {
		t.Fatalf("get url: %v %v", out, err)
	}
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	var dne *types.QueueDoesNotExist
	if !errors.As(err, &dne) {
		t.Fatalf("want *types.QueueDoesNotExist, got %T", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(strings.Replace(url, "jobs", "gone", 1)), MessageBody: aws.String("x")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	// Other URL forms name the same queue.
	for _, u := range []string{
		"http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/jobs",
		"http://localhost:4566/queue/us-east-1/000000000000/jobs",
		"https://sqs.us-east-1.amazonaws.com/000000000000/jobs",
		"jobs",
	} {
		send(t, c, u, "via "+u)
	}
	if n := attrs(t, c, url)["ApproximateNumberOfMessages"]; n != "4" {
		t.Fatalf("messages sent through other URL forms: %s", n)
	}
}

func TestListQueuesPrefixAndPaging(t *testing.T) {
	_, c := start(t)
	for i := 0; i < 5; i++ {
		mustCreate(t, c, fmt.Sprintf("app-%d", i), nil)
	}
	mustCreate(t, c, "other", nil)
	out, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("app-")})
	if err != nil || len(out.QueueUrls) != 5 || out.NextToken != nil {
		t.Fatalf("prefix: %v %v", out, err)
	}
	var all []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.QueueUrls...)
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if len(all) != 6 {
		t.Fatalf("paged %d queues: %v", len(all), all)
	}
	_, err = c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1001)})
	wantErr(t, err, "InvalidParameterValue", "")
}

func TestDeleteQueue(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "tmp", nil)
	send(t, c, url, "x")
	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("tmp")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
	_, err = c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
	// A new queue of the same name starts empty.
	url = mustCreate(t, c, "tmp", nil)
	if got := receive(t, c, url, 10, nil); len(got) != 0 {
		t.Fatalf("recreated queue holds %d messages", len(got))
	}
}

func TestQueueAttributes(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	url := mustCreate(t, c, "attrs", nil)
	a := attrs(t, c, url)
	want := map[string]string{
		"VisibilityTimeout": "30", "DelaySeconds": "0", "MaximumMessageSize": "1048576",
		"MessageRetentionPeriod": "345600", "ReceiveMessageWaitTimeSeconds": "0",
		"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0", "ApproximateNumberOfMessagesDelayed": "0",
		"QueueArn": "arn:aws:sqs:us-east-1:000000000000:attrs", "SqsManagedSseEnabled": "true",
		"CreatedTimestamp": strconv.FormatInt(clk.Now().Unix(), 10), "LastModifiedTimestamp": strconv.FormatInt(clk.Now().Unix(), 10),
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %q, want %q", k, a[k], v)
		}
	}
	for _, k := range []string{"FifoQueue", "RedrivePolicy", "Policy", "ContentBasedDeduplication"} {
		if _, ok := a[k]; ok {
			t.Errorf("standard queue has %s", k)
		}
	}
	clk.Advance(time.Minute)
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{
		"VisibilityTimeout": "45", "DelaySeconds": "5", "ReceiveMessageWaitTimeSeconds": "2", "MaximumMessageSize": "1024",
	}}); err != nil {
		t.Fatal(err)
	}
	a = attrs(t, c, url, types.QueueAttributeNameVisibilityTimeout, types.QueueAttributeNameLastModifiedTimestamp, types.QueueAttributeNameMaximumMessageSize)
	if len(a) != 3 || a["VisibilityTimeout"] != "45" || a["MaximumMessageSize"] != "1024" || a["LastModifiedTimestamp"] != strconv.FormatInt(clk.Now().Unix(), 10) {
		t.Fatalf("after set: %v", a)
	}
	_, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Colour": "blue"}})
	wantErr(t, err, "InvalidAttributeName", "Unknown Attribute Colour.")
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"VisibilityTimeout": "43201"}})
	wantErr(t, err, "InvalidAttributeValue", "Invalid value for the parameter VisibilityTimeout.")
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	wantErr(t, err, "InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication.")
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"MaximumMessageSize": "1023"}})
	wantErr(t, err, "InvalidAttributeValue", "Invalid value for the parameter MaximumMessageSize.")
	_, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"Bogus"}})
	wantErr(t, err, "InvalidAttributeName", "Unknown Attribute Bogus.")

	fifo := mustCreate(t, c, "attrs.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	a = attrs(t, c, fifo)
	if a["FifoQueue"] != "true" || a["ContentBasedDeduplication"] != "true" || a["DeduplicationScope"] != "queue" || a["FifoThroughputLimit"] != "perQueue" {
		t.Fatalf("fifo attributes: %v", a)
	}
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(fifo), Attributes: map[string]string{
		"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}}); err != nil {
		t.Fatalf("high throughput mode: %v", err)
	}
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(fifo), Attributes: map[string]string{"DeduplicationScope": "queue"}})
	wantErr(t, err, "InvalidAttributeValue", "Invalid value for the parameter FifoThroughputLimit.")
}

func TestSendReceiveDeleteWithAttributes(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	url := mustCreate(t, c, "msgs", nil)
	out, err := c.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(url), MessageBody: aws.String("héllo ✓"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String("order")},
			"n":     {DataType: aws.String("Number"), StringValue: aws.String("42")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 255}},
			"label": {DataType: aws.String("String.custom"), StringValue: aws.String("x")},
		},
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
		},
	})
	if err != nil {
		t.Fatal(err) // the SDK checks MD5OfMessageBody
	}
	if out.MD5OfMessageAttributes == nil || len(*out.MD5OfMessageAttributes) != 32 || out.MD5OfMessageSystemAttributes == nil || out.MessageId == nil {
		t.Fatalf("send output: %+v", out)
	}
	clk.Advance(time.Second)
	msgs := receive(t, c, url, 10, nil)
	if len(msgs) != 1 {
		t.Fatalf("received %d", len(msgs))
	}
	m := msgs[0]
	if *m.Body != "héllo ✓" || *m.MessageId != *out.MessageId || *m.MD5OfMessageAttributes != *out.MD5OfMessageAttributes {
		t.Fatalf("message: %+v", m)
	}
	if string(m.MessageAttributes["blob"].BinaryValue) != "\x00\x01\x02\xff" || *m.MessageAttributes["n"].StringValue != "42" || *m.MessageAttributes["label"].DataType != "String.custom" {
		t.Fatalf("attributes: %+v", m.MessageAttributes)
	}
	sent := strconv.FormatInt(clk.Now().Add(-time.Second).UnixMilli(), 10)
	first := strconv.FormatInt(clk.Now().UnixMilli(), 10)
	wantSys := map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": sent, "ApproximateFirstReceiveTimestamp": first,
		"SenderId": "000000000000", "AWSTraceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793"}
	for k, v := range wantSys {
		if m.Attributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, m.Attributes[k], v)
		}
	}
	part, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(part.Messages) != 0 {
		t.Fatalf("message in flight was received again: %v %v", part, err)
	}
	if a := attrs(t, c, url); a["ApproximateNumberOfMessagesNotVisible"] != "1" || a["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("counts: %v", a)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if a := attrs(t, c, url); a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("after delete: %v", a)
	}
	// Deleting again with the same handle succeeds, as on AWS.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("second delete: %v", err)
	}
}

func TestMessageAttributeSelection(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "sel", map[string]string{"VisibilityTimeout": "0"})
	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("b"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"app.a": {DataType: aws.String("String"), StringValue: aws.String("1")},
			"app.b": {DataType: aws.String("String"), StringValue: aws.String("2")},
			"other": {DataType: aws.String("String"), StringValue: aws.String("3")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageAttributeNames: []string{"app.*"}})
	if err != nil || len(out.Messages) != 1 {
		t.Fatal(out, err)
	}
	m := out.Messages[0]
	if len(m.MessageAttributes) != 2 || m.Attributes != nil {
		t.Fatalf("selected %v, system %v", m.MessageAttributes, m.Attributes)
	}
	out, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if err != nil || len(out.Messages) != 1 || out.Messages[0].MessageAttributes != nil || out.Messages[0].MD5OfMessageAttributes != nil {
		t.Fatalf("no attributes asked: %+v %v", out, err)
	}
}

func TestVisibilityTimeoutAndReceiptHandles(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	url := mustCreate(t, c, "vis", map[string]string{"VisibilityTimeout": "10"})
	other := mustCreate(t, c, "vis-other", nil)
	send(t, c, url, "one")
	m := receive(t, c, url, 1, nil)[0]
	if got := receive(t, c, url, 1, nil); len(got) != 0 {
		t.Fatal("in-flight message delivered twice")
	}
	clk.Advance(10 * time.Second)
	m2 := receive(t, c, url, 1, nil)
	if len(m2) != 1 || m2[0].Attributes["ApproximateReceiveCount"] != "2" || *m2[0].ReceiptHandle == *m.ReceiptHandle {
		t.Fatalf("after the visibility timeout: %+v", m2)
	}
	// The first handle is stale now: changing visibility with it fails.
	_, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 5})
	wantErr(t, err, "InvalidParameterValue", "Value "+*m.ReceiptHandle+" for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")
	// A handle of another queue, or a made-up one, is ReceiptHandleIsInvalid.
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(other), ReceiptHandle: m2[0].ReceiptHandle})
	wantErr(t, err, "ReceiptHandleIsInvalid", `The input receipt handle "`+*m2[0].ReceiptHandle+`" is not a valid receipt handle.`)
	var rhi *types.ReceiptHandleIsInvalid
	if !errors.As(err, &rhi) {
		t.Fatalf("want *types.ReceiptHandleIsInvalid, got %T", err)
	}
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	wantErr(t, err, "ReceiptHandleIsInvalid", `The input receipt handle "garbage" is not a valid receipt handle.`)
	// Visibility 0 returns the message at once.
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m2[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	m3 := receive(t, c, url, 1, aws.Int32(100))
	if len(m3) != 1 {
		t.Fatal("visibility 0 did not return the message")
	}
	// Extend, then the old timeout passing does not expose it.
	clk.Advance(99 * time.Second)
	if got := receive(t, c, url, 1, nil); len(got) != 0 {
		t.Fatal("visible before its receive's visibility timeout")
	}
	clk.Advance(2 * time.Second)
	m4 := receive(t, c, url, 1, nil)
	if len(m4) != 1 {
		t.Fatal("not visible after the timeout")
	}
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m4[0].ReceiptHandle, VisibilityTimeout: 43201})
	wantErr(t, err, "InvalidParameterValue", "")
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m4[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m4[0].ReceiptHandle, VisibilityTimeout: 5})
	wantErr(t, err, "InvalidParameterValue", "Value "+*m4[0].ReceiptHandle+" for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.")
}

func TestDelayQueuesAndPerMessageDelay(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	url := mustCreate(t, c, "delayed", map[string]string{"DelaySeconds": "30"})
	send(t, c, url, "queue delay")
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("own delay"), DelaySeconds: 5}); err != nil {
		t.Fatal(err)
	}
	if a := attrs(t, c, url); a["ApproximateNumberOfMessagesDelayed"] != "2" || a["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("delayed counts: %v", a)
	}
	if got := receive(t, c, url, 10, nil); len(got) != 0 {
		t.Fatal("delayed message received early")
	}
	clk.Advance(5 * time.Second)
	got := receive(t, c, url, 10, nil)
	if len(got) != 1 || *got[0].Body != "own delay" {
		t.Fatalf("after 5 s: %v", got)
	}
	clk.Advance(25 * time.Second)
	got = receive(t, c, url, 10, nil)
	if len(got) != 1 || *got[0].Body != "queue delay" {
		t.Fatalf("after 30 s: %v", got)
	}
	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), DelaySeconds: 901})
	wantErr(t, err, "InvalidParameterValue", "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), DelaySeconds: -1})
	wantErr(t, err, "InvalidParameterValue", "Value -1 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.")
}

func TestBadMessages(t *testing.T) {
	_, c := start(t)
	// AWS's default limit is 1 MiB since August 2025.
	def := mustCreate(t, c, "default-size", nil)
	_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(def), MessageBody: aws.String(strings.Repeat("x", 1048577))})
	wantErr(t, err, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.")
	send(t, c, def, strings.Repeat("x", 1048576))
	// A queue's own smaller limit, attributes included.
	url := mustCreate(t, c, "bad", map[string]string{"MaximumMessageSize": "262144"})
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 262145))})
	wantErr(t, err, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
	send(t, c, url, strings.Repeat("x", 262144))
	// Attributes count against the size.
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 262140)),
		MessageAttributes: map[string]types.MessageAttributeValue{"a": {DataType: aws.String("String"), StringValue: aws.String("yy")}}})
	wantErr(t, err, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("a\x00b")})
	wantErr(t, err, "InvalidMessageContents", "Invalid binary character '#x0' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	var imc *types.InvalidMessageContents
	if !errors.As(err, &imc) {
		t.Fatalf("want *types.InvalidMessageContents, got %T", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("")})
	wantErr(t, err, "MissingParameter", "The request must contain the parameter MessageBody.")
	send(t, c, url, "tab\tnewline\n cr\r emoji 😀 private \ue000")

	many := map[string]types.MessageAttributeValue{}
	for i := 0; i < 11; i++ {
		many[fmt.Sprintf("a%d", i)] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageAttributes: many})
	wantErr(t, err, "InvalidParameterValue", "Number of message attributes [11] exceeds the allowed maximum [10].")
	for _, tc := range []struct {
		name string
		v    types.MessageAttributeValue
		msg  string
	}{
		{"bad name!", types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}, "The message attribute name 'bad name!' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."},
		{"AWS.reserved", types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}, "The message attribute name 'AWS.reserved' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."},
		{"t", types.MessageAttributeValue{DataType: aws.String("Integer"), StringValue: aws.String("1")}, "The message attribute 't' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{"n", types.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String("one")}, "Can't cast the value of message attribute 'n' to a number."},
		{"e", types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("")}, "The message attribute 'e' must contain non-empty message attribute value for message attribute type 'String'."},
		{"b", types.MessageAttributeValue{DataType: aws.String("Binary")}, "The message attribute 'b' must contain non-empty message attribute value for message attribute type 'Binary'."},
	} {
		_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"),
			MessageAttributes: map[string]types.MessageAttributeValue{tc.name: tc.v}})
		wantErr(t, err, "InvalidParameterValue", tc.msg)
	}
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	wantErr(t, err, "InvalidParameterValue", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 21})
	wantErr(t, err, "InvalidParameterValue", "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	wantErr(t, err, "InvalidParameterValue", "Value d for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.")
}

func TestPurgeQueue(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	url := mustCreate(t, c, "purge", nil)
	for i := 0; i < 3; i++ {
		send(t, c, url, "x")
	}
	receive(t, c, url, 1, nil)
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if a := attrs(t, c, url); a["ApproximateNumberOfMessages"] != "0" || a["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("after purge: %v", a)
	}
	clk.Advance(59 * time.Second)
	_, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	wantErr(t, err, "AWS.SimpleQueueService.PurgeQueueInProgress", "Only one PurgeQueue operation on purge is allowed every 60 seconds.")
	var pip *types.PurgeQueueInProgress
	if !errors.As(err, &pip) {
		t.Fatalf("want *types.PurgeQueueInProgress, got %T", err)
	}
	clk.Advance(time.Second)
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatalf("purge after 60 s: %v", err)
	}
}

func TestRetentionExpiresMessages(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	url := mustCreate(t, c, "short", map[string]string{"MessageRetentionPeriod": "60"})
	send(t, c, url, "old")
	clk.Advance(30 * time.Second)
	send(t, c, url, "young")
	clk.Advance(30 * time.Second)
	if a := attrs(t, c, url); a["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("after 60 s: %v", a)
	}
	got := receive(t, c, url, 10, nil)
	if len(got) != 1 || *got[0].Body != "young" {
		t.Fatalf("received %v", got)
	}
}

func TestTags(t *testing.T) {
	_, c := start(t)
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("tagged"), Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	url := out.QueueUrl
	if _, err := c.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"env": "dev", "team": "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: url, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "b" {
		t.Fatalf("tags: %v %v", tags, err)
	}
}

func TestBatches(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "batch", nil)
	out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("ok-1"), MessageBody: aws.String("one")},
		{Id: aws.String("bad"), MessageBody: aws.String("x"), DelaySeconds: 1000},
		{Id: aws.String("ok_2"), MessageBody: aws.String("two"), MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 1 || *out.Failed[0].Id != "bad" || *out.Failed[0].Code != "InvalidParameterValue" || !out.Failed[0].SenderFault {
		t.Fatalf("batch result: %+v", out)
	}
	entries := func(n int) []types.SendMessageBatchRequestEntry {
		var es []types.SendMessageBatchRequestEntry
		for i := 0; i < n; i++ {
			es = append(es, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("x")})
		}
		return es
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries(11)})
	wantErr(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11.")
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{}})
	wantErr(t, err, "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	dup := entries(2)
	dup[1].Id = aws.String("0")
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: dup})
	wantErr(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id 0 repeated.")
	bad := entries(1)
	bad[0].Id = aws.String("no spaces")
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: bad})
	wantErr(t, err, "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
	big := entries(2)
	big[0].MessageBody = aws.String(strings.Repeat("x", 700000))
	big[1].MessageBody = aws.String(strings.Repeat("x", 400000))
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: big})
	wantErr(t, err, "AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than 1048576 bytes. You have sent 1100000 bytes.")

	msgs := receive(t, c, url, 10, nil)
	if len(msgs) != 2 {
		t.Fatalf("received %d", len(msgs))
	}
	cv, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 60},
		{Id: aws.String("b"), ReceiptHandle: aws.String("nope"), VisibilityTimeout: 60},
	}})
	if err != nil || len(cv.Successful) != 1 || len(cv.Failed) != 1 || *cv.Failed[0].Code != "ReceiptHandleIsInvalid" {
		t.Fatalf("change visibility batch: %+v %v", cv, err)
	}
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: msgs[0].ReceiptHandle},
		{Id: aws.String("b"), ReceiptHandle: msgs[1].ReceiptHandle},
		{Id: aws.String("c"), ReceiptHandle: aws.String("nope")},
	}})
	if err != nil || len(del.Successful) != 2 || len(del.Failed) != 1 || *del.Failed[0].Id != "c" || *del.Failed[0].Code != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete batch: %+v %v", del, err)
	}
	if a := attrs(t, c, url); a["ApproximateNumberOfMessagesNotVisible"] != "0" || a["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("after batch delete: %v", a)
	}
}

func TestFIFOOrderingGroupsAndDeduplication(t *testing.T) {
	clk := newClock()
	_, c := start(t, emulator.WithClock(clk.Now))
	url := mustCreate(t, c, "orders.fifo", map[string]string{"FifoQueue": "true"})
	sendFifo := func(group, dedup, body string) *sqs.SendMessageOutput {
		t.Helper()
		out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body),
			MessageGroupId: aws.String(group), MessageDeduplicationId: aws.String(dedup)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var seqs []string
	for i := 0; i < 3; i++ {
		seqs = append(seqs, *sendFifo("A", fmt.Sprint("a", i), fmt.Sprint("A", i)).SequenceNumber)
		sendFifo("B", fmt.Sprint("b", i), fmt.Sprint("B", i))
	}
	if !(len(seqs[0]) == 20 && seqs[0] < seqs[1] && seqs[1] < seqs[2]) {
		t.Fatalf("sequence numbers %v", seqs)
	}
	dup := sendFifo("A", "a0", "A0 again")
	if *dup.SequenceNumber != seqs[0] {
		t.Fatalf("duplicate got sequence %s, want the original's %s", *dup.SequenceNumber, seqs[0])
	}
	// One receive of 2: group A in order; A is then locked.
	got := receive(t, c, url, 2, nil)
	if len(got) != 2 || *got[0].Body != "A0" || *got[1].Body != "A1" || got[0].Attributes["MessageGroupId"] != "A" || got[0].Attributes["SequenceNumber"] != seqs[0] || got[0].Attributes["MessageDeduplicationId"] != "a0" {
		t.Fatalf("first receive: %+v", got)
	}
	next := receive(t, c, url, 10, nil)
	for _, m := range next {
		if m.Attributes["MessageGroupId"] != "B" {
			t.Fatalf("received %s from a group with messages in flight", *m.Body)
		}
	}
	if len(next) != 3 || *next[0].Body != "B0" || *next[2].Body != "B2" {
		t.Fatalf("group B: %d messages", len(next))
	}
	for _, m := range next {
		if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
	// Deleting A0 leaves A1 in flight: A stays locked.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: got[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if more := receive(t, c, url, 10, nil); len(more) != 0 {
		t.Fatalf("A2 delivered while A1 in flight: %v", *more[0].Body)
	}
	// A1's visibility ends: it comes back first, before A2.
	clk.Advance(31 * time.Second)
	again := receive(t, c, url, 1, nil)
	if len(again) != 1 || *again[0].Body != "A1" {
		t.Fatalf("after timeout: %+v", again)
	}
	// FIFO handle expired after its visibility ended: ReceiptHandleIsInvalid.
	_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: got[1].ReceiptHandle})
	wantErr(t, err, "ReceiptHandleIsInvalid", "The receipt handle has expired.")

	// The deduplication window is 5 minutes.
	clk.Advance(5 * time.Minute)
	if out := sendFifo("A", "a0", "A0 later"); *out.SequenceNumber == seqs[0] {
		t.Fatal("deduplicated after the 5 minute window")
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("z")})
	wantErr(t, err, "MissingParameter", "The request must contain the parameter MessageGroupId.")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
	wantErr(t, err, "InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("q"), DelaySeconds: 5})
	wantErr(t, err, "InvalidParameterValue", "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")
}

func TestFIFOReceiveRequestAttemptID(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "attempt.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, b := range []string{"1", "2"} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b), MessageGroupId: aws.String("g")}); err != nil {
			t.Fatal(err)
		}
	}
	in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1, ReceiveRequestAttemptId: aws.String("try-1")}
	first, err := c.ReceiveMessage(ctx, in)
	if err != nil || len(first.Messages) != 1 {
		t.Fatal(first, err)
	}
	// The retry (a lost answer) gets the same message and handle.
	retry, err := c.ReceiveMessage(ctx, in)
	if err != nil || len(retry.Messages) != 1 || *retry.Messages[0].ReceiptHandle != *first.Messages[0].ReceiptHandle {
		t.Fatalf("retry: %+v %v", retry, err)
	}
	// Once deleted, the attempt ID no longer replays it.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	next, err := c.ReceiveMessage(ctx, in)
	if err != nil || len(next.Messages) != 1 || *next.Messages[0].Body != "2" {
		t.Fatalf("after delete: %+v %v", next, err)
	}
}

func TestFIFOContentBasedDeduplicationAndScope(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "cbd.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	a, _ := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("same"), MessageGroupId: aws.String("g1")})
	b, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("same"), MessageGroupId: aws.String("g2")})
	if err != nil || *a.MessageId != *b.MessageId {
		t.Fatalf("queue-scoped content deduplication: %v %v", a, err)
	}
	if n := attrs(t, c, url)["ApproximateNumberOfMessages"]; n != "1" {
		t.Fatalf("%s messages", n)
	}
	hp := mustCreate(t, c, "hp.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
	a, _ = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(hp), MessageBody: aws.String("same"), MessageGroupId: aws.String("g1")})
	b, _ = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(hp), MessageBody: aws.String("same"), MessageGroupId: aws.String("g2")})
	if *a.MessageId == *b.MessageId {
		t.Fatal("messageGroup scope deduplicated across groups")
	}
}

func TestDeadLetterQueueAndRedrive(t *testing.T) {
	_, c := start(t)
	dlq := mustCreate(t, c, "dlq", map[string]string{"VisibilityTimeout": "0"})
	dlqARN := attrs(t, c, dlq)["QueueArn"]
	src := mustCreate(t, c, "src", map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"2"}`})
	if p := attrs(t, c, src)["RedrivePolicy"]; p != `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":2}` {
		t.Fatalf("redrive policy %s", p)
	}
	// Creating it again with the policy spelled the same way is idempotent.
	if again := mustCreate(t, c, "src", map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"2"}`}); again != src {
		t.Fatalf("re-create: %s", again)
	}
	sent := send(t, c, src, "poison")
	for i := 0; i < 2; i++ {
		if got := receive(t, c, src, 1, nil); len(got) != 1 {
			t.Fatalf("receive %d: %d messages", i+1, len(got))
		}
	}
	if got := receive(t, c, src, 1, nil); len(got) != 0 {
		t.Fatal("received past maxReceiveCount")
	}
	moved := receive(t, c, dlq, 1, nil)
	if len(moved) != 1 || *moved[0].MessageId != *sent.MessageId || moved[0].Attributes["DeadLetterQueueSourceArn"] != attrs(t, c, src)["QueueArn"] {
		t.Fatalf("dead letter: %+v", moved)
	}
	srcs, err := c.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	if err != nil || len(srcs.QueueUrls) != 1 || srcs.QueueUrls[0] != src {
		t.Fatalf("sources: %v %v", srcs, err)
	}
	// Redrive back to the source.
	task, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)})
	if err != nil || task.TaskHandle == nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		tasks, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)})
		if err != nil || len(tasks.Results) != 1 {
			t.Fatalf("tasks: %v %v", tasks, err)
		}
		if *tasks.Results[0].Status == "COMPLETED" {
			if tasks.Results[0].ApproximateNumberOfMessagesMoved != 1 {
				t.Fatalf("moved %d", tasks.Results[0].ApproximateNumberOfMessagesMoved)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task still %s", *tasks.Results[0].Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	back := receive(t, c, src, 1, nil)
	if len(back) != 1 || *back[0].Body != "poison" {
		t.Fatalf("redriven: %+v", back)
	}
	_, err = c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(attrs(t, c, src)["QueueArn"])})
	wantErr(t, err, "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
	_, err = c.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: task.TaskHandle})
	wantErr(t, err, "AWS.SimpleQueueService.UnsupportedOperation", "Only active tasks can be cancelled.")

	// A redrive policy to a missing queue, or of the wrong type, is refused.
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:missing","maxReceiveCount":3}`}})
	wantErr(t, err, "InvalidParameterValue", "")
	fifoDLQ := mustCreate(t, c, "dlq.fifo", map[string]string{"FifoQueue": "true"})
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + attrs(t, c, fifoDLQ)["QueueArn"] + `","maxReceiveCount":3}`}})
	wantErr(t, err, "InvalidParameterValue", "")
	// RedriveAllowPolicy denyAll keeps sources out.
	deny := mustCreate(t, c, "deny", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + attrs(t, c, deny)["QueueArn"] + `","maxReceiveCount":3}`}})
	wantErr(t, err, "InvalidParameterValue", "")
}

func TestMessageMoveTaskToADestinationAndCancel(t *testing.T) {
	_, c := start(t)
	dlq := mustCreate(t, c, "mdlq", nil)
	dlqARN := attrs(t, c, dlq)["QueueArn"]
	mustCreate(t, c, "msrc", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":1}`})
	dest := mustCreate(t, c, "mdest", nil)
	destARN := attrs(t, c, dest)["QueueArn"]
	for i := 0; i < 5; i++ {
		send(t, c, dlq, strconv.Itoa(i))
	}
	// One message a second: cancelled long before it ends.
	task, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN), DestinationArn: aws.String(destARN), MaxNumberOfMessagesPerSecond: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)})
	wantErr(t, err, "AWS.SimpleQueueService.UnsupportedOperation", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	list, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)})
	if err != nil || len(list.Results) != 1 || *list.Results[0].Status != "RUNNING" || *list.Results[0].TaskHandle != *task.TaskHandle ||
		*list.Results[0].DestinationArn != destARN || *list.Results[0].MaxNumberOfMessagesPerSecond != 1 || *list.Results[0].ApproximateNumberOfMessagesToMove != 5 {
		t.Fatalf("running task: %+v %v", list, err)
	}
	if _, err := c.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: task.TaskHandle}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, err = c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)})
		if err != nil {
			t.Fatal(err)
		}
		if *list.Results[0].Status == "CANCELLED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s", *list.Results[0].Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	moved := list.Results[0].ApproximateNumberOfMessagesMoved
	a, b := attrs(t, c, dlq)["ApproximateNumberOfMessages"], attrs(t, c, dest)["ApproximateNumberOfMessages"]
	if moved >= 5 || a != strconv.FormatInt(5-moved, 10) || b != strconv.FormatInt(moved, 10) {
		t.Fatalf("moved %d: %s left, %s arrived", moved, a, b)
	}
	_, err = c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN + "-none")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestLongPollWakesWhenAMessageArrives(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "poll", nil)
	type result struct {
		msgs    []types.Message
		err     error
		elapsed time.Duration
	}
	done := make(chan result, 1)
	go func() {
		begin := time.Now()
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		r := result{err: err, elapsed: time.Since(begin)}
		if out != nil {
			r.msgs = out.Messages
		}
		done <- r
	}()
	// Give the receive time to start waiting (not a correctness condition:
	// a message sent first is received at once as well).
	time.Sleep(50 * time.Millisecond)
	send(t, c, url, "wake")
	r := <-done
	if r.err != nil || len(r.msgs) != 1 || *r.msgs[0].Body != "wake" {
		t.Fatalf("long poll: %+v", r)
	}
	// The wait ended on the send, not on its 20 s timeout.
	if r.elapsed >= 19*time.Second {
		t.Fatalf("long poll returned after %v: it did not wake on the send", r.elapsed)
	}
}

func TestLongPollEndsWhenTheClientGoesAway(t *testing.T) {
	e, c := start(t)
	url := mustCreate(t, c, "gone", nil)
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := c.ReceiveMessage(cctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled receive returned no error")
	}
	// The server-side waiter is gone: a message sent now stays in the queue
	// for the next consumer instead of going to the departed one.
	send(t, c, url, "after")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := receive(t, c, url, 1, nil); len(got) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("message taken by a departed long poll")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = e
}

// TestConcurrentConsumersNeverShareAMessage: many consumers, none receives
// a message another holds, and every message is delivered.
func TestConcurrentConsumersNeverShareAMessage(t *testing.T) {
	_, c := start(t)
	url := mustCreate(t, c, "shared", map[string]string{"VisibilityTimeout": "300"})
	const producers, perProducer, consumers = 4, 100, 6
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < perProducer; i += 10 {
				var es []types.SendMessageBatchRequestEntry
				for j := i; j < i+10; j++ {
					es = append(es, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, j))})
				}
				if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: es}); err != nil {
					t.Error(err)
					return
				}
			}
		}(p)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var cwg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < consumers; i++ {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
				if err != nil {
					t.Error(err)
					return
				}
				for _, m := range out.Messages {
					mu.Lock()
					seen[*m.Body]++
					mu.Unlock()
					if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n == producers*perProducer || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	cwg.Wait()
	if len(seen) != producers*perProducer {
		t.Fatalf("delivered %d of %d", len(seen), producers*perProducer)
	}
	for body, n := range seen {
		if n != 1 {
			t.Fatalf("%s delivered %d times inside its visibility window", body, n)
		}
	}
}

package sqs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	sqssvc "github.com/groundstack/groundstack/harness/emulator/services/sqs"
)

// queuesOf returns the in-process SQS interface the emulator wires for
// other services (SNS, S3 notifications, Lambda event source mappings).
func queuesOf(t *testing.T, e *emulator.Emulator) cloud.Queues {
	t.Helper()
	for _, s := range e.Services() {
		if svc, ok := s.(*sqssvc.Service); ok {
			return svc.Queues()
		}
	}
	t.Fatal("no SQS service")
	return nil
}

func TestInProcessQueues(t *testing.T) {
	e, c := start(t)
	qs := queuesOf(t, e)
	url := mustCreate(t, c, "inproc", map[string]string{"VisibilityTimeout": "7"})
	arn := attrs(t, c, url)["QueueArn"]
	if !qs.QueueExists(arn) || qs.QueueExists(arn+"-no") {
		t.Fatal("QueueExists")
	}
	info, err := qs.QueueInfo(arn)
	if err != nil || info.Name != "inproc" || info.FIFO || info.VisibilityTimeout != 7*time.Second {
		t.Fatalf("QueueInfo: %+v %v", info, err)
	}
	// A consumer waiting in process wakes when an SDK client sends.
	got := make(chan []cloud.QueueReceived, 1)
	go func() {
		msgs, err := qs.ReceiveMessages(context.Background(), arn, 10, 20*time.Second)
		if err != nil {
			t.Error(err)
		}
		got <- msgs
	}()
	time.Sleep(20 * time.Millisecond)
	out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("from sdk")})
	if err != nil {
		t.Fatal(err)
	}
	msgs := <-got
	if len(msgs) != 1 || msgs[0].MessageID != *out.MessageId || msgs[0].Attributes["ApproximateReceiveCount"] != "1" || msgs[0].MD5OfBody != *out.MD5OfMessageBody {
		t.Fatalf("received %+v", msgs)
	}
	if err := qs.DeleteMessage(arn, msgs[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	// A message sent in process (as SNS would) reaches an SDK consumer, attributes and all.
	id, err := qs.SendMessage(arn, cloud.QueueMessage{Body: "from sns", Attributes: map[string]cloud.QueueAttributeValue{"type": {DataType: "String", StringValue: "order"}}})
	if err != nil {
		t.Fatal(err)
	}
	m := receive(t, c, url, 1, nil)
	if len(m) != 1 || *m[0].MessageId != id || *m[0].MessageAttributes["type"].StringValue != "order" {
		t.Fatalf("sdk receive: %+v", m)
	}
	if info, _ := qs.QueueInfo(arn); info.InFlight != 1 || info.Visible != 0 {
		t.Fatalf("counts: %+v", info)
	}
	// A retry through visibility: 0 makes it visible at once.
	if err := qs.ChangeMessageVisibility(arn, *m[0].ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	again, err := qs.ReceiveMessages(context.Background(), arn, 1, 0)
	if err != nil || len(again) != 1 || again[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after retry: %+v %v", again, err)
	}
	// Refusals carry SQS's codes.
	_, err = qs.SendMessage(arn, cloud.QueueMessage{Body: ""})
	var ae *awsproto.Error
	if !errors.As(err, &ae) || ae.Code != "MissingParameter" {
		t.Fatalf("empty body: %v", err)
	}
	_, err = qs.SendMessage(arn+"x", cloud.QueueMessage{Body: "b"})
	if !errors.As(err, &ae) || ae.Code != "QueueDoesNotExist" || ae.Headers["X-Amzn-Query-Error"] != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Fatalf("missing queue: %v", err)
	}

	// Notify closes on a send; the deleted hook reports DeleteQueue.
	ch, err := qs.QueueNotify(arn)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var deleted []string
	qs.OnQueueDeleted(func(a string) { mu.Lock(); deleted = append(deleted, a); mu.Unlock() })
	if _, err := qs.SendMessage(arn, cloud.QueueMessage{Body: "ping"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("notify channel not closed by a send")
	}
	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(deleted) != 1 || deleted[0] != arn {
		t.Fatalf("deleted hook: %v", deleted)
	}
}

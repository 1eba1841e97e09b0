package esm

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/sqs"
)

// Against the real SQS store (no HTTP, no function process): a message the
// function keeps failing comes back through the visibility timeout and
// lands in the dead-letter queue through the queue's redrive policy, while
// the rest of its batch is deleted once.
func TestSQSRedrivePolicyTakesFailedItemsToTheDLQ(t *testing.T) {
	svc := sqs.New(cloud.DefaultEnv())
	defer svc.Close()
	store, q := svc.Store(), svc.Queues()
	dlq, err := store.CreateQueue("eu-west-1", "jobs-dlq", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	src, err := store.CreateQueue("eu-west-1", "jobs", map[string]string{
		"VisibilityTimeout": "0", // a failed message is visible again at once
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlq.ARN + `","maxReceiveCount":"2"}`,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ok, _ := q.SendMessage(src.ARN, cloud.QueueMessage{Body: "ok"})
	bad, _ := q.SendMessage(src.ARN, cloud.QueueMessage{Body: "bad"})
	c := &calls{handle: func(n int, ids []string) (cloud.InvokeResult, error) {
		if slices.Contains(ids, bad) {
			return partial(bad), nil
		}
		return cloud.InvokeResult{}, nil
	}}
	cfg := sqsConfig()
	cfg.SourceARN, cfg.ReportItemFailures = src.ARN, true
	p := StartSQS(cfg, Links{Queues: q, Invoke: c.invoke, RetryDelay: time.Millisecond})
	defer p.Kill()
	var moved []cloud.QueueReceived
	eventually(t, "the failing message in the DLQ", func() bool {
		m, _ := q.ReceiveMessages(context.Background(), dlq.ARN, 10, 0)
		moved = append(moved, m...)
		return len(moved) > 0
	})
	if len(moved) != 1 || moved[0].MessageID != bad {
		t.Fatalf("DLQ holds %+v, want only %s", moved, bad)
	}
	okCount, badCount := 0, 0
	for _, id := range delivered(c) {
		switch id {
		case ok:
			okCount++
		case bad:
			badCount++
		}
	}
	if okCount != 1 || badCount != 2 {
		t.Fatalf("ok delivered %d times (want 1), bad %d times (want maxReceiveCount 2)", okCount, badCount)
	}
	if info, _ := q.QueueInfo(src.ARN); info.Visible+info.InFlight != 0 {
		t.Fatalf("source queue still holds %+v", info)
	}
}

// With several pollers on a FIFO queue, each message group still reaches
// the function in the order it was sent, each message once.
func TestSQSFIFOGroupsInOrderWithSeveralPollers(t *testing.T) {
	svc := sqs.New(cloud.DefaultEnv())
	defer svc.Close()
	store, q := svc.Store(), svc.Queues()
	src, err := store.CreateQueue("eu-west-1", "orders.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string][]string{} // group → message IDs in send order
	for i := 0; i < 40; i++ {
		g := []string{"A", "B", "C", "D"}[i%4]
		id, err := q.SendMessage(src.ARN, cloud.QueueMessage{Body: g + string(rune('0'+i/4)), GroupID: g})
		if err != nil {
			t.Fatal(err)
		}
		sent[g] = append(sent[g], id)
	}
	c := &calls{handle: func(int, []string) (cloud.InvokeResult, error) {
		time.Sleep(time.Millisecond)
		return cloud.InvokeResult{}, nil
	}}
	cfg := sqsConfig()
	cfg.SourceARN, cfg.BatchSize, cfg.MaxConcurrency = src.ARN, 3, 4
	p := StartSQS(cfg, Links{Queues: q, Invoke: c.invoke})
	defer p.Kill()
	eventually(t, "40 deliveries", func() bool { return len(delivered(c)) >= 40 })
	time.Sleep(10 * time.Millisecond)
	got := map[string][]string{}
	group := map[string]string{}
	for g, ids := range sent {
		for _, id := range ids {
			group[id] = g
		}
	}
	for _, id := range delivered(c) {
		got[group[id]] = append(got[group[id]], id)
	}
	for g, ids := range sent {
		if !slices.Equal(got[g], ids) {
			t.Fatalf("group %s delivered %v, sent %v", g, got[g], ids)
		}
	}
}

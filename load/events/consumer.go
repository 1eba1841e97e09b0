package events

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
)

// DefaultConsumers is how many long-polling receivers a queue gets.
const DefaultConsumers = 4

// QueueConsumer is long-polling SDK receivers on one queue: each message
// is seen when ReceiveMessage returns it (the consumer's handler start),
// entered in the book, and deleted.
type QueueConsumer struct {
	book     *Book
	client   *sqs.Client
	url      string
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	received atomic.Int64
	errs     atomic.Int64
	lastErr  atomic.Value
}

// StartQueueConsumer starts n receivers (DefaultConsumers when n ≤ 0).
func StartQueueConsumer(cfg aws.Config, queueURL string, book *Book, n int) *QueueConsumer {
	if n <= 0 {
		n = DefaultConsumers
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &QueueConsumer{book: book, client: sqs.NewFromConfig(cfg), url: queueURL, cancel: cancel}
	for range n {
		c.wg.Add(1)
		go c.loop(ctx)
	}
	return c
}

func (c *QueueConsumer) loop(ctx context.Context) {
	defer c.wg.Done()
	for ctx.Err() == nil {
		out, err := c.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &c.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 20,
		})
		at := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.errs.Add(1)
			c.lastErr.Store(err.Error())
			select { // a cloud that refuses is not asked in a busy loop
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if len(out.Messages) == 0 {
			continue
		}
		c.received.Add(int64(len(out.Messages)))
		var seen []trace.Sighting
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, 0, len(out.Messages))
		for i, m := range out.Messages {
			seen = append(seen, trace.FindInMessage([]byte(aws.ToString(m.Body)), "sqs")...)
			entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(string(rune('a' + i))), ReceiptHandle: m.ReceiptHandle})
		}
		c.book.Seen(at, seen)
		if _, err := c.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &c.url, Entries: entries}); err != nil && ctx.Err() == nil {
			c.errs.Add(1)
			c.lastErr.Store(err.Error())
		}
	}
}

// Received is the number of messages received; Errors the failed calls.
func (c *QueueConsumer) Received() int64 { return c.received.Load() }
func (c *QueueConsumer) Errors() (n int64, last string) {
	s, _ := c.lastErr.Load().(string)
	return c.errs.Load(), s
}

// Close stops the receivers (a long poll under way is cancelled).
func (c *QueueConsumer) Close() {
	c.cancel()
	c.wg.Wait()
}

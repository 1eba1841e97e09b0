package esm

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// fakeQueue is one SQS queue: messages hidden while received, visible
// again on ChangeMessageVisibility(0) or when the test expires them.
type fakeQueue struct {
	mu       sync.Mutex
	arn      string
	fifo     bool
	msgs     []*fakeMsg
	seq      int
	notify   chan struct{}
	deleted  []string
	sent     []cloud.QueueMessage // what others sent to this queue
	gone     bool
	receives int
}

type fakeMsg struct {
	id, body, group string
	inflight        bool
	handle          string
	receives        int
}

func newFakeQueue(arn string) *fakeQueue { return &fakeQueue{arn: arn, notify: make(chan struct{})} }

func (q *fakeQueue) add(body, group string) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	id := fmt.Sprintf("m%03d", q.seq)
	q.msgs = append(q.msgs, &fakeMsg{id: id, body: body, group: group})
	close(q.notify)
	q.notify = make(chan struct{})
	return id
}

// expire makes every in-flight message visible (its visibility timeout ran out).
func (q *fakeQueue) expire() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range q.msgs {
		m.inflight = false
	}
	close(q.notify)
	q.notify = make(chan struct{})
}

func (q *fakeQueue) left() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs)
}

func (q *fakeQueue) SendMessage(arn string, m cloud.QueueMessage) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sent = append(q.sent, m)
	return "sent", nil
}
func (q *fakeQueue) QueueExists(string) bool { return true }
func (q *fakeQueue) QueueInfo(string) (cloud.QueueInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, m := range q.msgs {
		if !m.inflight {
			n++
		}
	}
	return cloud.QueueInfo{ARN: q.arn, FIFO: q.fifo, Visible: n}, nil
}

func (q *fakeQueue) ReceiveMessages(ctx context.Context, arn string, max int, wait time.Duration) ([]cloud.QueueReceived, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		q.mu.Lock()
		if q.gone {
			q.mu.Unlock()
			return nil, &awsproto.Error{Code: "QueueDoesNotExist", Message: "The specified queue does not exist."}
		}
		var out []cloud.QueueReceived
		busy := map[string]bool{}
		if q.fifo {
			for _, m := range q.msgs {
				if m.inflight {
					busy[m.group] = true
				}
			}
		}
		for _, m := range q.msgs {
			if len(out) == max {
				break
			}
			if m.inflight || (q.fifo && busy[m.group]) {
				continue
			}
			m.inflight = true
			m.receives++
			q.receives++
			m.handle = m.id + "/" + strconv.Itoa(m.receives)
			attrs := map[string]string{"ApproximateReceiveCount": strconv.Itoa(m.receives)}
			if q.fifo {
				attrs["MessageGroupId"] = m.group
			}
			out = append(out, cloud.QueueReceived{MessageID: m.id, ReceiptHandle: m.handle, Body: m.body, MD5OfBody: "md5", Attributes: attrs})
		}
		ch := q.notify
		q.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-ch:
		case <-t.C:
			return nil, nil
		case <-ctx.Done():
			return nil, nil
		}
	}
}

func (q *fakeQueue) DeleteMessage(arn, handle string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, m := range q.msgs {
		if m.handle == handle && m.inflight {
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			q.deleted = append(q.deleted, m.id)
			return nil
		}
	}
	return &awsproto.Error{Code: "ReceiptHandleIsInvalid"}
}

func (q *fakeQueue) ChangeMessageVisibility(arn, handle string, d time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range q.msgs {
		if m.handle == handle && d == 0 {
			m.inflight = false
			close(q.notify)
			q.notify = make(chan struct{})
		}
	}
	return nil
}
func (q *fakeQueue) QueueNotify(string) (<-chan struct{}, error) { return q.notify, nil }
func (q *fakeQueue) OnQueueDeleted(func(string))                 {}

// fakeTopic records what was published.
type fakeTopic struct {
	mu   sync.Mutex
	msgs []cloud.TopicMessage
}

func (t *fakeTopic) TopicExists(string) bool { return true }
func (t *fakeTopic) Publish(arn string, m cloud.TopicMessage) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.msgs = append(t.msgs, m)
	return "id", nil
}

// fakeStream is one DynamoDB stream; positions are record counts.
type fakeStream struct {
	mu     sync.Mutex
	recs   []json.RawMessage
	notify chan struct{}
	now    func() time.Time
	err    error // what ReadStream fails with, once
}

func newFakeStream() *fakeStream { return &fakeStream{notify: make(chan struct{}), now: time.Now} }

// put appends a record whose sequence number is its index + 100.
func (s *fakeStream) put(name string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := strconv.Itoa(100 + len(s.recs))
	s.recs = append(s.recs, json.RawMessage(fmt.Sprintf(
		`{"eventID":"e%s","eventName":%q,"eventSource":"aws:dynamodb","dynamodb":{"ApproximateCreationDateTime":%d,"SequenceNumber":%q,"Keys":{"id":{"S":%q}}}}`,
		seq, name, created.Unix(), seq, seq)))
	close(s.notify)
	s.notify = make(chan struct{})
	return seq
}

func (s *fakeStream) StreamPosition(arn, start string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if start == "LATEST" {
		return strconv.Itoa(len(s.recs)), nil
	}
	return "0", nil
}

func (s *fakeStream) ReadStream(arn, after string, max int) ([]json.RawMessage, string, <-chan struct{}, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.err; err != nil {
		s.err = nil
		return nil, "", nil, false, err
	}
	pos, _ := strconv.Atoi(after)
	end := min(pos+max, len(s.recs))
	out := append([]json.RawMessage(nil), s.recs[pos:end]...)
	return out, strconv.Itoa(end), s.notify, false, nil
}

// calls records invocations; handle decides each one's outcome.
type calls struct {
	mu       sync.Mutex
	batches  [][]string // the ids (SQS messageId / stream SequenceNumber) of each call
	inflight int
	peak     int
	handle   func(n int, ids []string) (cloud.InvokeResult, error)
}

func (c *calls) invoke(ctx context.Context, payload []byte) (cloud.InvokeResult, error) {
	var ev struct {
		Records []struct {
			MessageID string `json:"messageId"`
			DynamoDB  struct {
				SequenceNumber string `json:"SequenceNumber"`
			} `json:"dynamodb"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		panic(err)
	}
	var ids []string
	for _, r := range ev.Records {
		id := r.MessageID
		if id == "" {
			id = r.DynamoDB.SequenceNumber
		}
		ids = append(ids, id)
	}
	c.mu.Lock()
	c.batches = append(c.batches, ids)
	n := len(c.batches)
	c.inflight++
	c.peak = max(c.peak, c.inflight)
	h := c.handle
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.inflight--
		c.mu.Unlock()
	}()
	if h == nil {
		return cloud.InvokeResult{Payload: []byte("null"), ExecutedVersion: "$LATEST", RequestID: fmt.Sprint("req-", n)}, nil
	}
	res, err := h(n, ids)
	res.RequestID = fmt.Sprint("req-", n)
	res.ExecutedVersion = "$LATEST"
	return res, err
}

func (c *calls) all() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]string(nil), c.batches...)
}

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func failed() cloud.InvokeResult {
	return cloud.InvokeResult{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom"}`)}
}

func partial(ids ...string) cloud.InvokeResult {
	var b []byte
	b = append(b, `{"batchItemFailures":[`...)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, fmt.Sprintf(`{"itemIdentifier":%q}`, id)...)
	}
	b = append(b, "]}"...)
	return cloud.InvokeResult{Payload: b}
}

package esm

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// sqsReceiveMax is the most messages one ReceiveMessages returns.
const sqsReceiveMax = 10

// Payload bounds: an SQS message's largest body and the largest
// synchronous invocation payload (records add their metadata, hence the
// margin).
const (
	maxMessageBytes = 256 * 1024
	maxPayloadBytes = 5 * 1024 * 1024
)

// sqsLongPoll is how long an idle poller's receive waits (the longest SQS
// allows); a send wakes it at once.
const sqsLongPoll = 20 * time.Second

// sqsRecord is a record of an SQS event: aws-lambda-go's events.SQSMessage.
type sqsRecord struct {
	MessageID              string                  `json:"messageId"`
	ReceiptHandle          string                  `json:"receiptHandle"`
	Body                   string                  `json:"body"`
	Attributes             map[string]string       `json:"attributes"`
	MessageAttributes      map[string]sqsAttribute `json:"messageAttributes"`
	MD5OfBody              string                  `json:"md5OfBody"`
	MD5OfMessageAttributes string                  `json:"md5OfMessageAttributes,omitempty"`
	EventSource            string                  `json:"eventSource"`
	EventSourceARN         string                  `json:"eventSourceARN"`
	AWSRegion              string                  `json:"awsRegion"`
}

type sqsAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

type sqsEvent struct {
	Records []sqsRecord `json:"Records"`
}

// sqsPoller reads one queue with one to MaxConcurrency workers: one while
// the queue is idle, one more each time a worker finds a full batch and a
// backlog behind it, one fewer each time a worker's long poll comes back
// empty.
type sqsPoller struct {
	*Poller
	cfg Config
	l   Links

	mu      sync.Mutex
	workers int
}

// StartSQS starts polling the queue cfg.SourceARN.
func StartSQS(cfg Config, l Links) *Poller {
	l.fill()
	if cfg.BatchSize < 1 {
		cfg.BatchSize = 10
	}
	if cfg.MaxConcurrency < 1 {
		cfg.MaxConcurrency = 1
	}
	p := &sqsPoller{Poller: newPoller(), cfg: cfg, l: l}
	p.mu.Lock()
	p.spawnLocked()
	p.mu.Unlock()
	return p.Poller
}

func (p *sqsPoller) spawnLocked() {
	p.workers++
	p.wg.Add(1)
	go p.work()
}

// work receives and processes batches until the poller stops or, when
// others are running, the queue runs dry.
func (p *sqsPoller) work() {
	defer p.wg.Done()
	failures := 0
	for p.poll.Err() == nil {
		batch, err := p.collect()
		if err != nil {
			if p.poll.Err() != nil {
				break
			}
			failures++
			p.l.Report(problem(err))
			if !p.sleep(p.l.backoff(failures)) {
				break
			}
			continue
		}
		failures = 0
		if len(batch) == 0 {
			p.mu.Lock()
			if p.workers > 1 {
				p.workers--
				p.mu.Unlock()
				return
			}
			p.mu.Unlock()
			continue
		}
		if p.poll.Err() != nil {
			p.release(batch)
			break
		}
		p.scale(len(batch))
		if !p.process(batch) && !p.sleep(p.l.backoff(1)) {
			break
		}
	}
	p.mu.Lock()
	p.workers--
	p.mu.Unlock()
}

// scale adds a worker when a full batch came back and more messages wait.
func (p *sqsPoller) scale(got int) {
	if got < min(p.cfg.BatchSize, sqsReceiveMax) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.workers >= p.cfg.MaxConcurrency || p.poll.Err() != nil {
		return
	}
	if info, err := p.l.Queues.QueueInfo(p.cfg.SourceARN); err == nil && info.Visible > 0 {
		p.spawnLocked()
	}
}

// collect receives one batch: it long-polls for the first message, then
// keeps receiving until the batch is full or the batching window closes.
func (p *sqsPoller) collect() ([]cloud.QueueReceived, error) {
	q, arn := p.l.Queues, p.cfg.SourceARN
	batch, err := q.ReceiveMessages(p.poll, arn, min(p.cfg.BatchSize, sqsReceiveMax), sqsLongPoll)
	if err != nil || len(batch) == 0 {
		return nil, err
	}
	if p.cfg.Window <= 0 || len(batch) >= p.cfg.BatchSize {
		return batch, nil
	}
	deadline := p.l.Now().Add(p.cfg.Window)
	size := 0
	for _, m := range batch {
		size += len(m.Body)
	}
	// Another receive could bring ten messages of 256 KiB: stop while the
	// batch surely fits the 6 MB invocation payload.
	for len(batch) < p.cfg.BatchSize && p.poll.Err() == nil && size+sqsReceiveMax*maxMessageBytes <= maxPayloadBytes {
		left := deadline.Sub(p.l.Now())
		if left <= 0 {
			break
		}
		more, err := q.ReceiveMessages(p.poll, arn, min(p.cfg.BatchSize-len(batch), sqsReceiveMax), left)
		if err != nil {
			break // deliver what we have; the next poll reports the error
		}
		for _, m := range more {
			size += len(m.Body)
		}
		batch = append(batch, more...)
	}
	return batch, nil
}

// release makes messages visible again (the poller stopped holding them).
func (p *sqsPoller) release(batch []cloud.QueueReceived) {
	for _, m := range batch {
		_ = p.l.Queues.ChangeMessageVisibility(p.cfg.SourceARN, m.ReceiptHandle, 0)
	}
}

// process filters and invokes one batch, deletes what succeeded, and
// leaves what failed to reappear after the visibility timeout (SQS's
// redrive policy moves it to the dead-letter queue past maxReceiveCount).
// It returns false when the function could not be invoked.
func (p *sqsPoller) process(batch []cloud.QueueReceived) bool {
	records := make([]sqsRecord, 0, len(batch))
	for _, m := range batch {
		r := p.record(m)
		if p.cfg.Filters != nil && !p.cfg.Filters.Match(filterView(r)) {
			// Filtered-out messages are deleted, as on AWS.
			_ = p.l.Queues.DeleteMessage(p.cfg.SourceARN, m.ReceiptHandle)
			continue
		}
		records = append(records, r)
	}
	if len(records) == 0 {
		return true
	}
	payload, err := json.Marshal(sqsEvent{Records: records})
	if err != nil {
		p.release(batch)
		return true
	}
	if d := p.l.deliveryDelay(); d > 0 && !p.sleep(d) {
		p.release(batch) // stopping: the messages go back to the queue
		return true
	}
	res, err := p.l.Invoke(p.hard, payload)
	if err != nil {
		p.l.Report(problem(err))
		return false
	}
	if res.FunctionError != "" {
		p.l.Report(ResultFunctionError)
		return true
	}
	keep, ok := p.failedItems(records, res.Payload)
	if !ok {
		p.l.Report(ResultFunctionError)
		return true
	}
	for _, r := range records {
		if !keep[r.MessageID] {
			_ = p.l.Queues.DeleteMessage(p.cfg.SourceARN, r.ReceiptHandle)
		}
	}
	p.l.Report(ResultOK)
	return true
}

// failedItems reads a partial batch response: the message IDs to keep in
// the queue. ok is false when the response is malformed or names a
// message not in the batch (the whole batch then fails). In a FIFO queue
// the messages after a failed one in the same group are kept too, so the
// group stays in order.
func (p *sqsPoller) failedItems(records []sqsRecord, payload []byte) (map[string]bool, bool) {
	if !p.cfg.ReportItemFailures {
		return nil, true
	}
	failed, ok := parseBatchItemFailures(payload)
	if !ok {
		return nil, false
	}
	if len(failed) == 0 {
		return nil, true
	}
	in := make(map[string]bool, len(records))
	for _, r := range records {
		in[r.MessageID] = true
	}
	keep := make(map[string]bool, len(failed))
	for _, id := range failed {
		if !in[id] {
			return nil, false
		}
		keep[id] = true
	}
	blocked := map[string]bool{}
	for _, r := range records {
		g, fifo := r.Attributes["MessageGroupId"]
		if !fifo {
			continue
		}
		if blocked[g] {
			keep[r.MessageID] = true
		} else if keep[r.MessageID] {
			blocked[g] = true
		}
	}
	return keep, true
}

// parseBatchItemFailures reads {"batchItemFailures":[{"itemIdentifier":…}]}.
// An empty, null or {} response, or one without batchItemFailures, is a
// success; anything that is not a JSON object, or an item whose identifier
// is null or empty, is malformed.
func parseBatchItemFailures(payload []byte) ([]string, bool) {
	trimmed := trimSpace(payload)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil, true
	}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if trimmed[0] != '{' || json.Unmarshal(trimmed, &resp) != nil {
		return nil, false
	}
	ids := make([]string, 0, len(resp.BatchItemFailures))
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return nil, false
		}
		ids = append(ids, *f.ItemIdentifier)
	}
	return ids, true
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// record renders a received message as Lambda's SQS record.
func (p *sqsPoller) record(m cloud.QueueReceived) sqsRecord {
	r := sqsRecord{
		MessageID: m.MessageID, ReceiptHandle: m.ReceiptHandle, Body: m.Body,
		Attributes: m.Attributes, MessageAttributes: map[string]sqsAttribute{},
		MD5OfBody: m.MD5OfBody, EventSource: "aws:sqs", EventSourceARN: p.cfg.SourceARN, AWSRegion: p.cfg.Region,
	}
	if r.Attributes == nil {
		r.Attributes = map[string]string{}
	}
	if len(m.MessageAttributes) > 0 {
		r.MD5OfMessageAttributes = m.MD5OfMessageAttributes
	}
	for k, a := range m.MessageAttributes {
		w := sqsAttribute{DataType: a.DataType, StringListValues: []string{}, BinaryListValues: [][]byte{}}
		if a.BinaryValue != nil {
			w.BinaryValue = a.BinaryValue
		} else {
			s := a.StringValue
			w.StringValue = &s
		}
		r.MessageAttributes[k] = w
	}
	return r
}

// filterView is a record as filter patterns see it: its JSON with the body
// decoded when it is JSON.
func filterView(r sqsRecord) map[string]any {
	b, _ := json.Marshal(r)
	v := decodeRecord(b)
	v["body"] = sqsBody(r.Body)
	return v
}

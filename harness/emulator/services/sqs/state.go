package sqs

import (
	"crypto/md5"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is SQS's saved state (version 1): every region's queues with
// their messages, as a client sees them (ids, bodies, attributes, sent and
// first-receive timestamps, receive counts, visibility), and the receipt
// handles given out before the save stay valid after a load. Not saved:
// FIFO receive-request-attempt ids (a retry after a load receives anew)
// and running message move tasks.
type State struct {
	Queues []QueueState `json:"queues"`
}

// QueueState is one queue.
type QueueState struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	Fifo   bool   `json:"fifo,omitempty"`
	// UID is the queue's number in its receipt handles.
	UID      uint64     `json:"uid"`
	Created  time.Time  `json:"created"`
	Modified time.Time  `json:"modified"`
	Purged   *time.Time `json:"purged,omitempty"` // the last PurgeQueue (60 s apart)
	// Attributes are the settable attributes, as GetQueueAttributes
	// answers them (RedrivePolicy is applied once every queue exists).
	Attributes map[string]string `json:"attributes"`
	Tags       map[string]string `json:"tags,omitempty"`
	// LastNumber is the last message number given (FIFO sequence numbers
	// follow it); LastReceipt the last receive's number.
	LastNumber  uint64 `json:"lastNumber"`
	LastReceipt uint64 `json:"lastReceipt"`
	// Messages, oldest enqueued first.
	Messages []MessageState `json:"messages"`
	// Dedup are a FIFO queue's deduplication ids still in their window.
	Dedup []DedupState `json:"dedup,omitempty"`
}

// Message states.
const (
	StateVisible  = "visible"
	StateDelayed  = "delayed"
	StateInflight = "inflight"
)

// MessageState is one message.
type MessageState struct {
	Number   uint64    `json:"number"`
	ID       string    `json:"id"`
	Body     string    `json:"body"`
	Enqueued time.Time `json:"enqueued"` // retention counts from it
	// SentTimestamp and FirstReceiveTimestamp are milliseconds since the
	// epoch, as the message's attributes give them (0: not yet received).
	SentTimestamp         int64  `json:"sentTimestamp"`
	FirstReceiveTimestamp int64  `json:"firstReceiveTimestamp,omitempty"`
	ReceiveCount          int32  `json:"receiveCount,omitempty"`
	State                 string `json:"state"`
	// VisibleAt is when a delayed or in-flight message becomes visible.
	VisibleAt *time.Time `json:"visibleAt,omitempty"`
	// Receipt is the number of the receive that last took it (its
	// receipt handle's).
	Receipt          uint64           `json:"receipt,omitempty"`
	Attributes       []AttributeState `json:"attributes,omitempty"`
	TraceHeader      string           `json:"traceHeader,omitempty"`
	GroupID          string           `json:"groupId,omitempty"`
	DedupID          string           `json:"dedupId,omitempty"`
	SequenceNumber   string           `json:"sequenceNumber,omitempty"`
	DeadLetterSource string           `json:"deadLetterSource,omitempty"`
	SenderID         string           `json:"senderId,omitempty"`
}

// AttributeState is a message attribute: String and Number values in
// stringValue, Binary ones in binaryValue (base64).
type AttributeState struct {
	Name        string `json:"name"`
	DataType    string `json:"dataType"`
	StringValue string `json:"stringValue,omitempty"`
	BinaryValue []byte `json:"binaryValue,omitempty"`
}

// DedupState is a deduplication id a FIFO queue remembers.
type DedupState struct {
	Key            string    `json:"key"` // the id, or group + NUL + id with messageGroup scope
	MessageID      string    `json:"messageId"`
	SequenceNumber string    `json:"sequenceNumber"`
	Expires        time.Time `json:"expires"`
}

// StateVersion, SaveState and LoadState make SQS a cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) { return s.store.saveState(), nil }

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.store.loadState(st)
}

func (s *Store) saveState() State {
	s.mu.RLock()
	queues := make([]*Queue, 0, len(s.queues))
	for _, q := range s.queues {
		queues = append(queues, q)
	}
	s.mu.RUnlock()
	sort.Slice(queues, func(i, j int) bool {
		if queues[i].Region != queues[j].Region {
			return queues[i].Region < queues[j].Region
		}
		return queues[i].Name < queues[j].Name
	})
	out := State{Queues: make([]QueueState, 0, len(queues))}
	for _, q := range queues {
		out.Queues = append(out.Queues, q.state(s.now()))
	}
	return out
}

func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func (q *Queue) state(now time.Time) QueueState {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.advance(now)
	out := QueueState{
		Region: q.Region, Name: q.Name, Fifo: q.Fifo, UID: q.uid, Created: q.created, Modified: q.modified,
		Attributes: map[string]string{}, LastNumber: q.n, LastReceipt: q.nonce, Messages: []MessageState{},
	}
	if !q.purged.IsZero() {
		p := q.purged
		out.Purged = &p
	}
	for _, name := range attributeNames {
		if v, ok := q.cfg.get(name); ok {
			out.Attributes[name] = v
		}
	}
	if len(q.tags) > 0 {
		out.Tags = make(map[string]string, len(q.tags))
		for k, v := range q.tags {
			out.Tags[k] = v
		}
	}
	for m := q.age.head; m != nil; m = m.age.next {
		out.Messages = append(out.Messages, m.saved())
	}
	for _, e := range q.dedupQ {
		if q.dedup[e.key] == e {
			out.Dedup = append(out.Dedup, DedupState{Key: e.key, MessageID: e.id, SequenceNumber: e.seq, Expires: nsTime(e.expires)})
		}
	}
	return out
}

// saved is m as saved (and as the console's peek shows it); q.mu held.
func (m *message) saved() MessageState {
	ms := MessageState{
		Number: m.n, ID: m.id, Body: m.body, Enqueued: nsTime(m.enq), SentTimestamp: m.sent,
		FirstReceiveTimestamp: m.firstRecv, ReceiveCount: m.recvCount, Receipt: m.receipt,
	}
	switch m.state {
	case stVisible:
		ms.State = StateVisible
	case stDelayed:
		ms.State = StateDelayed
	case stInflight:
		ms.State = StateInflight
	}
	if m.state != stVisible {
		t := nsTime(m.visibleAt)
		ms.VisibleAt = &t
	}
	if x := m.x; x != nil {
		for _, a := range x.attrs {
			ms.Attributes = append(ms.Attributes, AttributeState(a)) // a conversion: a field added to MessageAttribute must be added here too
		}
		ms.TraceHeader, ms.GroupID, ms.DedupID, ms.SequenceNumber = x.trace, x.groupID, x.dedupID, x.seq
		ms.DeadLetterSource, ms.SenderID = x.dlqSource, x.senderID
	}
	return ms
}

// loadState adds the saved queues to the (empty) store: every queue
// first, then the redrive policies, which name other queues.
func (s *Store) loadState(in State) error {
	made := make([]*Queue, 0, len(in.Queues))
	for i := range in.Queues {
		q, err := s.loadQueue(&in.Queues[i])
		if err != nil {
			return fmt.Errorf("queue %s: %w", in.Queues[i].Name, err)
		}
		made = append(made, q)
	}
	for i, q := range made {
		v := in.Queues[i].Attributes["RedrivePolicy"]
		if v == "" {
			continue
		}
		q.mu.Lock()
		cfg := q.cfg
		q.mu.Unlock()
		if err := s.setRedrivePolicy(&cfg, q.Region, q.Name, v); err != nil {
			// The dead-letter queue is gone (or no longer allows this
			// source): the policy stays as set, naming nothing.
			cfg.redrivePolicy = v
		}
		q.mu.Lock()
		q.cfg = cfg
		q.mu.Unlock()
	}
	return nil
}

func (s *Store) loadQueue(qs *QueueState) (*Queue, error) {
	if err := checkQueueName(qs.Name, qs.Fifo); err != nil || qs.Region == "" {
		return nil, fmt.Errorf("not a valid queue name and region")
	}
	attrs := make(map[string]string, len(qs.Attributes))
	for k, v := range qs.Attributes {
		if k != "RedrivePolicy" {
			attrs[k] = v
		}
	}
	cfg := defaultConfig(qs.Fifo)
	if err := s.applyAttributes(&cfg, qs.Region, qs.Name, attrs, true); err != nil {
		return nil, err
	}
	q := &Queue{
		Name: qs.Name, Region: qs.Region, ARN: s.QueueARN(qs.Region, qs.Name), Fifo: qs.Fifo,
		uid: qs.UID, store: s, cfg: cfg, created: qs.Created, modified: qs.Modified,
		tags: map[string]string{}, byID: map[uint64]*message{}, n: qs.LastNumber, nonce: qs.LastReceipt,
	}
	if q.uid == 0 {
		q.uid = s.uid.Add(1)
	}
	for {
		cur := s.uid.Load()
		if cur >= q.uid || s.uid.CompareAndSwap(cur, q.uid) {
			break
		}
	}
	if qs.Purged != nil {
		q.purged = *qs.Purged
	}
	q.timers.q = q
	if q.Fifo {
		q.groups = map[string]*group{}
		q.dedup = map[string]*dedupEntry{}
	}
	for k, v := range qs.Tags {
		q.tags[k] = v
	}
	for i := range qs.Messages {
		if err := q.loadMessage(&qs.Messages[i]); err != nil {
			return nil, err
		}
	}
	for _, g := range q.groups {
		q.fixGroup(g)
	}
	for _, d := range qs.Dedup {
		e := &dedupEntry{key: d.Key, id: d.MessageID, seq: d.SequenceNumber, expires: d.Expires.UnixNano()}
		if q.dedup == nil {
			return nil, fmt.Errorf("deduplication ids on a standard queue")
		}
		if n := len(q.dedupQ); n > 0 && q.dedupQ[n-1].expires > e.expires {
			return nil, fmt.Errorf("deduplication ids out of order")
		}
		q.dedup[e.key] = e
		q.dedupQ = append(q.dedupQ, e)
	}
	key := qs.Region + "/" + qs.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queues[key] != nil {
		return nil, fmt.Errorf("saved twice")
	}
	s.queues[key] = q
	s.byARN[q.ARN] = q
	return q, nil
}

// loadMessage adds a saved message at the end of q's lists; the caller
// fixes the FIFO groups once every message is in.
func (q *Queue) loadMessage(ms *MessageState) error {
	if ms.Number == 0 || ms.Number > q.n || q.byID[ms.Number] != nil {
		return fmt.Errorf("message %s: number %d is zero, past the queue's last or taken", ms.ID, ms.Number)
	}
	if ms.Receipt > q.nonce {
		return fmt.Errorf("message %s: receipt %d past the queue's last", ms.ID, ms.Receipt)
	}
	m := &message{
		n: ms.Number, id: ms.ID, body: ms.Body, md5Body: md5.Sum([]byte(ms.Body)), enq: ms.Enqueued.UnixNano(),
		sent: ms.SentTimestamp, firstRecv: ms.FirstReceiveTimestamp, receipt: ms.Receipt, recvCount: ms.ReceiveCount, heapIdx: -1,
	}
	if len(ms.Attributes) > 0 || ms.TraceHeader != "" || ms.GroupID != "" || ms.DedupID != "" || ms.SequenceNumber != "" || ms.DeadLetterSource != "" || ms.SenderID != "" {
		x := &extra{trace: ms.TraceHeader, groupID: ms.GroupID, dedupID: ms.DedupID, seq: ms.SequenceNumber, dlqSource: ms.DeadLetterSource, senderID: ms.SenderID}
		for _, a := range ms.Attributes {
			x.attrs = append(x.attrs, MessageAttribute(a))
		}
		if len(x.attrs) > 0 {
			x.md5Attrs = AttributesMD5(x.attrs)
		}
		if x.trace != "" {
			x.md5Sys = AttributesMD5([]MessageAttribute{{Name: "AWSTraceHeader", DataType: "String", StringValue: x.trace}})
		}
		m.x = x
	}
	if ms.State != StateVisible && ms.VisibleAt == nil {
		return fmt.Errorf("message %s: %s without visibleAt", ms.ID, ms.State)
	}
	q.byID[m.n] = m
	q.age.push(m)
	if q.Fifo {
		g := q.groups[ms.GroupID]
		if g == nil {
			g = &group{id: ms.GroupID}
			q.groups[ms.GroupID] = g
		}
		m.group = g
		g.msgs.push(m)
	}
	switch ms.State {
	case StateVisible:
		m.state = stVisible
		q.nVisible++
		if !q.Fifo {
			q.ready.push(m)
		}
	case StateDelayed, StateInflight:
		m.visibleAt = ms.VisibleAt.UnixNano()
		q.timers.push(m)
		if ms.State == StateDelayed {
			m.state = stDelayed
			q.nDelayed++
		} else {
			m.state = stInflight
			q.nInflight++
			if m.group != nil {
				m.group.inflight++
			}
		}
	default:
		return fmt.Errorf("message %s: unknown state %q", ms.ID, ms.State)
	}
	return nil
}

package sqs

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// MessageAttribute is one message attribute (or system attribute) as sent.
type MessageAttribute struct {
	Name     string
	DataType string
	// StringValue holds String and Number values, BinaryValue Binary ones.
	StringValue string
	BinaryValue []byte
}

// SendInput is one message to send.
type SendInput struct {
	Body       string
	Attributes []MessageAttribute
	// TraceHeader is the AWSTraceHeader system attribute.
	TraceHeader string
	// DelaySeconds < 0 means the queue's delay.
	DelaySeconds     int
	GroupID, DedupID string
	SenderID         string
}

// SendResult is what SendMessage answers.
type SendResult struct {
	MessageID, MD5OfBody, MD5OfAttributes, MD5OfSystemAttributes, SequenceNumber string
}

// Received is a message as ReceiveMessage hands it out.
type Received struct {
	MessageID, ReceiptHandle, Body, MD5OfBody, MD5OfAttributes string
	Attributes                                                 []MessageAttribute
	SentTimestamp, FirstReceiveTimestamp                       int64 // ms
	ReceiveCount                                               int
	SenderID, GroupID, DedupID, SequenceNumber, TraceHeader    string
	DeadLetterSourceARN                                        string
}

// ReceiveInput says how many messages to take and for how long.
type ReceiveInput struct {
	Max int // 1..10
	// Visibility < 0 means the queue's visibility timeout.
	Visibility int
	// Wait < 0 means the queue's ReceiveMessageWaitTimeSeconds.
	Wait time.Duration
	// AttemptID (FIFO queues) makes a retried receive return the messages
	// the first attempt took, while they are still in flight under the
	// same receipt handles, for 5 minutes.
	AttemptID string
}

// ValidateBody checks a body holds only the characters SQS allows.
func ValidateBody(body string) error {
	if body == "" {
		return errMissingParameter.Errorf(msgMissingParameter, "MessageBody")
	}
	for i := 0; i < len(body); {
		c := body[i]
		if c >= 0x20 && c < 0x80 {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(body[i:])
		if !allowedRune(r) || (r == utf8.RuneError && size == 1) {
			return errInvalidMessageContents.Errorf(msgInvalidChars, r)
		}
		i += size
	}
	return nil
}

func allowedRune(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// ValidateAttributes checks message attributes as AWS does, sorts them by
// name and returns their size in bytes (names, types and values, which
// count against the maximum message size).
func ValidateAttributes(attrs []MessageAttribute) (int, error) {
	if len(attrs) > maxMessageAttributes {
		return 0, errInvalidParameterValue.Errorf(msgTooManyAttributes, len(attrs))
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	size := 0
	for i, a := range attrs {
		if i > 0 && attrs[i-1].Name == a.Name {
			return 0, errInvalidParameterValue.Errorf(msgAttrDuplicate, a.Name)
		}
		if !validAttrName(a.Name) {
			return 0, errInvalidParameterValue.Errorf(msgAttrName, a.Name)
		}
		base, custom, _ := strings.Cut(a.DataType, ".")
		if a.DataType == "" {
			return 0, errInvalidParameterValue.Errorf("The message attribute '%s' must contain non-empty message attribute type.", a.Name)
		}
		if len(a.DataType) > 256 || (strings.Contains(a.DataType, ".") && custom == "") {
			return 0, errInvalidParameterValue.Errorf(msgAttrType, a.Name)
		}
		switch base {
		case "String":
			if a.StringValue == "" {
				return 0, errInvalidParameterValue.Errorf(msgAttrEmptyValue, a.Name, a.DataType)
			}
			if err := ValidateBody(a.StringValue); err != nil {
				return 0, errInvalidParameterValue.Errorf("The message attribute '%s' contains invalid characters.", a.Name)
			}
			size += len(a.StringValue)
		case "Number":
			if a.StringValue == "" {
				return 0, errInvalidParameterValue.Errorf(msgAttrEmptyValue, a.Name, a.DataType)
			}
			if !validNumber(a.StringValue) {
				return 0, errInvalidParameterValue.Errorf(msgAttrNumber, a.Name)
			}
			size += len(a.StringValue)
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return 0, errInvalidParameterValue.Errorf(msgAttrEmptyValue, a.Name, a.DataType)
			}
			size += len(a.BinaryValue)
		default:
			return 0, errInvalidParameterValue.Errorf(msgAttrType, a.Name)
		}
		size += len(a.Name) + len(a.DataType)
	}
	return size, nil
}

func validAttrName(n string) bool {
	if n == "" || len(n) > 256 || n[0] == '.' || n[len(n)-1] == '.' || strings.Contains(n, "..") {
		return false
	}
	l := strings.ToLower(n)
	if strings.HasPrefix(l, "aws.") || strings.HasPrefix(l, "amazon.") {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// validNumber accepts what SQS does: up to 38 significant digits, a sign,
// a decimal point and an exponent.
func validNumber(s string) bool {
	if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] == 'e' || s[i] == 'E' {
			break
		}
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	return digits <= 38
}

// AttributesMD5 is MD5OfMessageAttributes as the SDKs compute it: per
// attribute in name order, length-prefixed name, type, then a transport
// byte (1 string, 2 binary) and the length-prefixed value.
func AttributesMD5(attrs []MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	h := md5.New()
	var l [4]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		h.Write(l[:])
		h.Write(b)
	}
	for _, a := range attrs {
		put(readOnlyBytes(a.Name))
		put(readOnlyBytes(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			put(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			put(readOnlyBytes(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func validFifoID(s string) bool {
	if len(s) < 1 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// CheckSend validates what a send carries that does not depend on the
// queue's state (the API calls it before taking the queue's lock).
func (q *Queue) CheckSend(in *SendInput) error {
	if err := ValidateBody(in.Body); err != nil {
		return err
	}
	if in.DelaySeconds > maxDelaySeconds || in.DelaySeconds < -1 {
		return errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(in.DelaySeconds), "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.")
	}
	if q.Fifo {
		if in.GroupID == "" {
			return errMissingParameter.Errorf(msgMissingParameter, "MessageGroupId")
		}
		if !validFifoID(in.GroupID) {
			return errInvalidParameterValue.Errorf(msgParamInvalid, in.GroupID, "MessageGroupId", "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
		if in.DelaySeconds > 0 {
			return errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(in.DelaySeconds), "DelaySeconds", msgNotFifoParam)
		}
		if in.DedupID != "" && !validFifoID(in.DedupID) {
			return errInvalidParameterValue.Errorf(msgParamInvalid, in.DedupID, "MessageDeduplicationId", "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
	} else {
		if in.DedupID != "" {
			return errInvalidParameterValue.Errorf(msgParamInvalid, in.DedupID, "MessageDeduplicationId", msgNotFifoParam)
		}
		if in.GroupID != "" && !validFifoID(in.GroupID) {
			return errInvalidParameterValue.Errorf(msgParamInvalid, in.GroupID, "MessageGroupId", "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
		}
	}
	return nil
}

// readOnlyBytes views s as bytes without copying it (a message body may be
// 1 MiB), for hashing only: nothing may write to the result.
func readOnlyBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Send stores a message (after CheckSend; attributes validated and sorted
// by ValidateAttributes, attrSize their size).
func (s *Store) Send(q *Queue, in *SendInput, attrSize int) (SendResult, error) {
	md5Body := md5.Sum(readOnlyBytes(in.Body))
	res := SendResult{MD5OfBody: hex.EncodeToString(md5Body[:])}
	var x *extra
	if len(in.Attributes) > 0 || in.TraceHeader != "" || in.GroupID != "" || in.SenderID != "" {
		x = &extra{attrs: in.Attributes, trace: in.TraceHeader, groupID: in.GroupID, senderID: in.SenderID}
		x.md5Attrs = AttributesMD5(in.Attributes)
		res.MD5OfAttributes = x.md5Attrs
		if in.TraceHeader != "" {
			x.md5Sys = AttributesMD5([]MessageAttribute{{Name: "AWSTraceHeader", DataType: "String", StringValue: in.TraceHeader}})
			res.MD5OfSystemAttributes = x.md5Sys
		}
	}
	dedupID := in.DedupID
	if q.Fifo && dedupID == "" {
		sum := sha256.Sum256(readOnlyBytes(in.Body))
		dedupID = hex.EncodeToString(sum[:])
	}
	id := s.newID()
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted.Load() {
		return SendResult{}, errQueueDoesNotExist.New(msgQueueDoesNotExist)
	}
	if size := len(in.Body) + attrSize; size > q.cfg.maxSize {
		return SendResult{}, errInvalidParameterValue.Errorf(msgMessageTooLong, q.cfg.maxSize)
	}
	q.advance(now)
	var dk string
	if q.Fifo {
		if in.DedupID == "" && !q.cfg.contentDedup {
			return SendResult{}, errInvalidParameterValue.New(msgFifoNoDedup)
		}
		dk = dedupID
		if q.cfg.dedupScope == "messageGroup" {
			dk = in.GroupID + "\x00" + dedupID
		}
		if e := q.dedup[dk]; e != nil && e.expires > now.UnixNano() {
			res.MessageID, res.SequenceNumber = e.id, e.seq
			return res, nil
		}
	}
	q.n++
	m := &message{n: q.n, id: id, body: in.Body, md5Body: md5Body, x: x, heapIdx: -1}
	if q.Fifo {
		x.dedupID = dedupID
		x.seq = seqString(q.n)
		res.SequenceNumber = x.seq
		e := &dedupEntry{key: dk, id: id, seq: x.seq, expires: now.Add(dedupWindow).UnixNano()}
		q.dedup[dk] = e
		q.dedupQ = append(q.dedupQ, e)
	}
	delay := in.DelaySeconds
	if delay < 0 {
		delay = q.cfg.delay
	}
	q.insert(m, now, time.Duration(delay)*time.Second)
	res.MessageID = id
	return res, nil
}

// seqString renders a FIFO sequence number as AWS's: 20 digits, growing.
func seqString(n uint64) string {
	return strconv.FormatUint(10000000000000000000+n, 10)
}

// insert adds a new message (its n, id, body set) to q, visible after delay.
func (q *Queue) insert(m *message, now time.Time, delay time.Duration) {
	m.enq = now.UnixNano()
	if m.sent == 0 {
		m.sent = now.UnixMilli()
	}
	q.byID[m.n] = m
	q.age.push(m)
	if q.Fifo {
		gid := ""
		if m.x != nil {
			gid = m.x.groupID
		}
		g := q.groups[gid]
		if g == nil {
			g = &group{id: gid}
			q.groups[gid] = g
		}
		m.group = g
		g.msgs.push(m)
	}
	if delay > 0 {
		m.state = stDelayed
		m.visibleAt = now.Add(delay).UnixNano()
		q.timers.push(m)
		q.nDelayed++
		return
	}
	q.becomeVisible(m)
}

// becomeVisible makes m (not in the timer heap) receivable.
func (q *Queue) becomeVisible(m *message) {
	m.state = stVisible
	q.nVisible++
	if q.Fifo {
		q.fixGroup(m.group)
	} else {
		q.ready.push(m)
	}
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
}

// fixGroup puts g in or out of the available groups.
func (q *Queue) fixGroup(g *group) {
	ok := g.inflight == 0 && g.msgs.head != nil && g.msgs.head.state == stVisible
	if ok && !g.inAvail {
		q.avail.push(g)
	} else if !ok && g.inAvail {
		q.avail.unlink(g)
	}
}

// advance makes due messages visible, expires messages past retention and
// forgets deduplication IDs past their window.
func (q *Queue) advance(now time.Time) {
	t := now.UnixNano()
	for {
		m := q.timers.peek()
		if m == nil || m.visibleAt > t {
			break
		}
		q.timers.remove(m)
		if m.state == stInflight {
			q.nInflight--
			if m.group != nil {
				m.group.inflight--
			}
		} else {
			q.nDelayed--
		}
		q.becomeVisible(m)
	}
	cutoff := t - int64(q.cfg.retention)*int64(time.Second)
	for m := q.age.head; m != nil && m.enq <= cutoff; m = q.age.head {
		q.remove(m)
	}
	for len(q.dedupQ) > 0 && q.dedupQ[0].expires <= t {
		e := q.dedupQ[0]
		q.dedupQ[0] = nil
		q.dedupQ = q.dedupQ[1:]
		if q.dedup[e.key] == e {
			delete(q.dedup, e.key)
		}
	}
}

// remove deletes m from every structure.
func (q *Queue) remove(m *message) {
	q.age.unlink(m)
	delete(q.byID, m.n)
	switch m.state {
	case stVisible:
		q.nVisible--
		if !q.Fifo {
			q.ready.unlink(m)
		}
	case stDelayed:
		q.nDelayed--
		q.timers.remove(m)
	case stInflight:
		q.nInflight--
		q.timers.remove(m)
		if m.group != nil {
			m.group.inflight--
		}
	}
	if g := m.group; g != nil {
		g.msgs.unlink(m)
		m.group = nil
		if g.msgs.head == nil {
			if g.inAvail {
				q.avail.unlink(g)
			}
			delete(q.groups, g.id)
		} else {
			q.fixGroup(g)
		}
	}
}

// markDeleted empties a deleted queue and wakes its waiters.
func (q *Queue) markDeleted() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deleted.Store(true)
	q.byID = map[uint64]*message{}
	q.age, q.ready, q.avail = ageList{}, readyList{}, groupList{}
	q.timers.items = nil
	if q.groups != nil {
		q.groups = map[string]*group{}
	}
	q.nVisible, q.nDelayed, q.nInflight = 0, 0, 0
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
}

// Deleted reports whether q was deleted.
func (q *Queue) Deleted() bool { return q.deleted.Load() }

// Notify returns a channel closed when a message next becomes receivable
// by a send (or the queue is deleted). Messages that become visible when
// their delay or visibility timeout ends do not close it: a waiter also
// waits for NextVisible.
func (q *Queue) Notify() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.notifyLocked()
}

func (q *Queue) notifyLocked() chan struct{} {
	if q.deleted.Load() {
		c := make(chan struct{})
		close(c)
		return c
	}
	if q.wake == nil {
		q.wake = make(chan struct{})
	}
	return q.wake
}

// Receive takes up to in.Max messages, waiting up to in.Wait for the first
// when none is receivable (without polling: a send wakes the waiter; a
// delay or visibility timeout ending wakes it by timer). A cancelled ctx
// (the client went away) ends the wait with no messages.
func (s *Store) Receive(ctx context.Context, q *Queue, in ReceiveInput) ([]Received, error) {
	if in.Max <= 0 {
		in.Max = 1
	}
	// The wait is real time (a client waits in real time); visibility and
	// delays follow the store's clock.
	var deadline time.Time
	for {
		now := s.now()
		q.mu.Lock()
		if q.deleted.Load() {
			q.mu.Unlock()
			return nil, errQueueDoesNotExist.New(msgQueueDoesNotExist)
		}
		if deadline.IsZero() {
			wait := in.Wait
			if wait < 0 {
				wait = time.Duration(q.cfg.wait) * time.Second
			}
			deadline = time.Now().Add(wait)
		}
		if q.nInflight >= maxInflight {
			q.mu.Unlock()
			return nil, errOverLimit.Errorf(msgInflightLimit, maxInflight)
		}
		if in.AttemptID != "" && q.Fifo {
			if out, ok := q.retryAttempt(in.AttemptID, now); ok {
				q.mu.Unlock()
				return out, nil
			}
		}
		out, dead := q.take(now, in)
		if in.AttemptID != "" && q.Fifo && len(out) > 0 {
			q.rememberAttempt(in.AttemptID, out, now)
		}
		left := time.Until(deadline)
		if len(out) > 0 || left <= 0 {
			q.mu.Unlock()
			s.deadLetter(q, dead)
			return out, nil
		}
		ch := q.notifyLocked()
		if m := q.timers.peek(); m != nil {
			if d := time.Duration(m.visibleAt-now.UnixNano()) + time.Millisecond; d < left {
				left = d
			}
		}
		q.mu.Unlock()
		s.deadLetter(q, dead)
		t := time.NewTimer(left)
		select {
		case <-ch:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, nil
		}
		t.Stop()
		// Woken by a send as the client left (both ready, select picked
		// the send): the departed client takes nothing.
		if ctx.Err() != nil {
			return nil, nil
		}
	}
}

// take receives up to in.Max messages under q's lock; messages past their
// queue's maxReceiveCount are detached and returned as dead, for the
// caller to move once the lock is released.
func (q *Queue) take(now time.Time, in ReceiveInput) (out []Received, dead []*message) {
	q.advance(now)
	vis := in.Visibility
	if vis < 0 {
		vis = q.cfg.visibility
	}
	maxRecv := 0
	if q.cfg.dlq != nil && !q.cfg.dlq.deleted.Load() {
		maxRecv = q.cfg.maxReceive
	}
	if q.Fifo {
		for len(out) < in.Max {
			g := q.avail.head
			if g == nil {
				break
			}
			q.avail.unlink(g)
			for m := g.msgs.head; m != nil && m.state == stVisible && len(out) < in.Max; {
				next := m.ready.next
				if maxRecv > 0 && int(m.recvCount) >= maxRecv {
					q.remove(m)
					dead = append(dead, m)
				} else {
					q.markInflight(m, now, vis)
					out = append(out, q.received(m))
				}
				m = next
			}
			q.fixGroup(g) // locked now if anything of it is in flight
		}
		return out, dead
	}
	for len(out) < in.Max {
		m := q.ready.head
		if m == nil {
			break
		}
		if maxRecv > 0 && int(m.recvCount) >= maxRecv {
			q.remove(m)
			dead = append(dead, m)
			continue
		}
		q.markInflight(m, now, vis)
		out = append(out, q.received(m))
	}
	return out, dead
}

func (q *Queue) markInflight(m *message, now time.Time, vis int) {
	if !q.Fifo {
		q.ready.unlink(m)
	}
	q.nVisible--
	q.nInflight++
	m.state = stInflight
	m.recvCount++
	if m.firstRecv == 0 {
		m.firstRecv = now.UnixMilli()
	}
	q.nonce++
	m.receipt = q.nonce
	m.visibleAt = now.Add(time.Duration(vis) * time.Second).UnixNano()
	q.timers.push(m)
	if m.group != nil {
		m.group.inflight++
	}
}

func (q *Queue) received(m *message) Received {
	r := Received{
		MessageID:             m.id,
		ReceiptHandle:         q.receiptHandle(m),
		Body:                  m.body,
		MD5OfBody:             hex.EncodeToString(m.md5Body[:]),
		SentTimestamp:         m.sent,
		FirstReceiveTimestamp: m.firstRecv,
		ReceiveCount:          int(m.recvCount),
		SenderID:              q.store.account,
	}
	if x := m.x; x != nil {
		r.Attributes, r.MD5OfAttributes = x.attrs, x.md5Attrs
		r.GroupID, r.DedupID, r.SequenceNumber = x.groupID, x.dedupID, x.seq
		r.TraceHeader, r.DeadLetterSourceARN = x.trace, x.dlqSource
		if x.senderID != "" {
			r.SenderID = x.senderID
		}
	}
	return r
}

// deadLetter moves messages past maxReceiveCount to src's dead-letter queue.
func (s *Store) deadLetter(src *Queue, dead []*message) {
	if len(dead) == 0 {
		return
	}
	src.mu.Lock()
	dlq := src.cfg.dlq
	src.mu.Unlock()
	if dlq == nil {
		return
	}
	for _, m := range dead {
		s.transfer(m, src.ARN, dlq, true)
	}
}

// transfer enqueues a message taken out of another queue into dst, keeping
// its ID, body, attributes and SentTimestamp; toDLQ records its source.
func (s *Store) transfer(m *message, srcARN string, dst *Queue, toDLQ bool) {
	now := s.now()
	dst.mu.Lock()
	defer dst.mu.Unlock()
	if dst.deleted.Load() {
		return
	}
	nm := &message{id: m.id, body: m.body, md5Body: m.md5Body, sent: m.sent, heapIdx: -1}
	if m.x != nil || toDLQ {
		x := &extra{}
		if m.x != nil {
			*x = *m.x
		}
		if toDLQ {
			x.dlqSource = srcARN
		} else {
			x.dlqSource = ""
		}
		nm.x = x
	}
	dst.n++
	nm.n = dst.n
	if dst.Fifo {
		if nm.x == nil {
			nm.x = &extra{}
		}
		nm.x.seq = seqString(dst.n)
	} else if nm.x != nil {
		nm.x.seq, nm.x.dedupID = "", ""
	}
	dst.advance(now)
	dst.insert(nm, now, 0)
}

// ---- receipt handles

// receiptHandle encodes which queue, message and receive a handle is for.
func (q *Queue) receiptHandle(m *message) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[0:], q.uid)
	binary.BigEndian.PutUint64(b[8:], m.n)
	binary.BigEndian.PutUint64(b[16:], m.receipt)
	return "AQEB" + base64.RawURLEncoding.EncodeToString(b[:])
}

// parseReceipt decodes a handle of q: another queue's or a malformed one is
// ReceiptHandleIsInvalid.
func (q *Queue) parseReceipt(h string) (n, nonce uint64, err error) {
	raw, ok := strings.CutPrefix(h, "AQEB")
	var b []byte
	if ok {
		b, err = base64.RawURLEncoding.DecodeString(raw)
	}
	if !ok || err != nil || len(b) != 24 || binary.BigEndian.Uint64(b) != q.uid {
		return 0, 0, errReceiptHandleIsInvalid.Errorf(msgReceiptInvalid, h)
	}
	return binary.BigEndian.Uint64(b[8:]), binary.BigEndian.Uint64(b[16:]), nil
}

// Delete deletes the message a receipt handle names. A handle of a message
// already deleted succeeds, as on AWS; on a standard queue a stale handle
// (the message was received again since) succeeds without deleting. On a
// FIFO queue a handle whose visibility timeout ended is
// ReceiptHandleIsInvalid ("The receipt handle has expired.").
func (s *Store) Delete(q *Queue, handle string) error {
	n, nonce, err := q.parseReceipt(handle)
	if err != nil {
		return err
	}
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted.Load() {
		return errQueueDoesNotExist.New(msgQueueDoesNotExist)
	}
	q.advance(now)
	m := q.byID[n]
	if m == nil {
		return nil
	}
	switch {
	case m.receipt == nonce && m.state == stInflight:
		q.remove(m)
	case q.Fifo:
		return errReceiptHandleIsInvalid.New(msgReceiptExpired)
	case m.receipt == nonce:
		// Visible again but received by no one since: AWS deletes it.
		q.remove(m)
	}
	return nil
}

// ChangeVisibility sets how long until the message a receipt handle names
// becomes visible again, counted from now.
func (s *Store) ChangeVisibility(q *Queue, handle string, secs int) error {
	n, nonce, err := q.parseReceipt(handle)
	if err != nil {
		return err
	}
	if secs < 0 || secs > maxVisibility {
		return errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(secs), "VisibilityTimeout", "VisibilityTimeout must be an integer between 0 and 43200")
	}
	now := s.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted.Load() {
		return errQueueDoesNotExist.New(msgQueueDoesNotExist)
	}
	q.advance(now)
	m := q.byID[n]
	if m == nil {
		return errInvalidParameterValue.Errorf(msgParamInvalid, handle, "ReceiptHandle", "Message does not exist or is not available for visibility timeout change.")
	}
	if m.receipt != nonce {
		return errInvalidParameterValue.Errorf(msgParamInvalid, handle, "ReceiptHandle", msgReceiptExpired)
	}
	if m.state != stInflight {
		return errMessageNotInflight.New(msgNotInflight)
	}
	m.visibleAt = now.Add(time.Duration(secs) * time.Second).UnixNano()
	q.timers.fix(m)
	if secs == 0 {
		q.advance(now)
	}
	return nil
}

// receiveAttempt is what a FIFO receive with a ReceiveRequestAttemptId took.
type receiveAttempt struct {
	msgs    []Received
	expires int64
}

// retryAttempt returns what an earlier receive with the same attempt ID
// took, if every one of those messages is still in flight under the
// receipt handle that receive gave.
func (q *Queue) retryAttempt(id string, now time.Time) ([]Received, bool) {
	a := q.attempts[id]
	if a == nil {
		return nil, false
	}
	if a.expires <= now.UnixNano() {
		delete(q.attempts, id)
		return nil, false
	}
	for _, r := range a.msgs {
		n, nonce, err := q.parseReceipt(r.ReceiptHandle)
		m := q.byID[n]
		if err != nil || m == nil || m.receipt != nonce || m.state != stInflight {
			delete(q.attempts, id)
			return nil, false
		}
	}
	return a.msgs, true
}

func (q *Queue) rememberAttempt(id string, msgs []Received, now time.Time) {
	if q.attempts == nil {
		q.attempts = map[string]*receiveAttempt{}
	}
	t := now.UnixNano()
	// Forget expired attempts as new ones come, so the map stays bounded
	// by the attempts of the last 5 minutes.
	if len(q.attempts) > 1024 {
		for k, a := range q.attempts {
			if a.expires <= t {
				delete(q.attempts, k)
			}
		}
	}
	q.attempts[id] = &receiveAttempt{msgs: msgs, expires: now.Add(dedupWindow).UnixNano()}
}

package sqs

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type messageAttributeValue struct {
	DataType         *string  `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

// sendFields are what SendMessage and a SendMessageBatch entry share.
type sendFields struct {
	MessageBody             *string                          `json:"MessageBody"`
	DelaySeconds            *int                             `json:"DelaySeconds"`
	MessageAttributes       map[string]messageAttributeValue `json:"MessageAttributes"`
	MessageSystemAttributes map[string]messageAttributeValue `json:"MessageSystemAttributes"`
	MessageDeduplicationId  *string                          `json:"MessageDeduplicationId"`
	MessageGroupId          *string                          `json:"MessageGroupId"`
}

type sendMessageInput struct {
	QueueUrl    *string `json:"QueueUrl" required:"true"`
	MessageBody *string `json:"MessageBody" required:"true"`
	sendFields
}

type sendMessageOutput struct {
	MD5OfMessageBody             string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty"`
	MessageId                    string `json:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// sendInput turns a request's members into a validated SendInput and the
// size its attributes add to the message.
func (s *Service) sendInput(q *Queue, f *sendFields) (SendInput, int, error) {
	in := SendInput{Body: deref(f.MessageBody), DelaySeconds: -1, GroupID: deref(f.MessageGroupId), DedupID: deref(f.MessageDeduplicationId)}
	if f.DelaySeconds != nil {
		in.DelaySeconds = *f.DelaySeconds
		if in.DelaySeconds < 0 {
			return in, 0, errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(in.DelaySeconds), "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.")
		}
	}
	if f.MessageGroupId != nil && in.GroupID == "" && q.Fifo {
		return in, 0, errInvalidParameterValue.Errorf(msgParamInvalid, "", "MessageGroupId", "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	if err := q.CheckSend(&in); err != nil {
		return in, 0, err
	}
	if len(f.MessageAttributes) > 0 {
		in.Attributes = make([]MessageAttribute, 0, len(f.MessageAttributes))
		for name, v := range f.MessageAttributes {
			in.Attributes = append(in.Attributes, MessageAttribute{Name: name, DataType: deref(v.DataType), StringValue: deref(v.StringValue), BinaryValue: v.BinaryValue})
		}
	}
	size, err := ValidateAttributes(in.Attributes)
	if err != nil {
		return in, 0, err
	}
	for name, v := range f.MessageSystemAttributes {
		if name != "AWSTraceHeader" {
			return in, 0, errInvalidParameterValue.Errorf("Message system attribute name '%s' is invalid.", name)
		}
		if deref(v.DataType) != "String" || deref(v.StringValue) == "" {
			return in, 0, errInvalidParameterValue.Errorf("Message system attribute '%s' must be of type String with a non-empty value.", name)
		}
		in.TraceHeader = *v.StringValue
	}
	return in, size, nil
}

// sendMessage answers with JSON it writes itself (sendMessageOutput's
// members, in its order): the hot path skips encoding/json's reflection.
func (s *Service) sendMessage(c *awsproto.Call, in *sendMessageInput) (json.RawMessage, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return nil, err
	}
	in.sendFields.MessageBody = in.MessageBody
	msg, size, err := s.sendInput(q, &in.sendFields)
	if err != nil {
		return nil, err
	}
	r, err := s.store.Send(q, &msg, size)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 160)
	b = append(b, `{"MD5OfMessageBody":"`...)
	b = append(b, r.MD5OfBody...)
	if r.MD5OfAttributes != "" {
		b = append(b, `","MD5OfMessageAttributes":"`...)
		b = append(b, r.MD5OfAttributes...)
	}
	if r.MD5OfSystemAttributes != "" {
		b = append(b, `","MD5OfMessageSystemAttributes":"`...)
		b = append(b, r.MD5OfSystemAttributes...)
	}
	b = append(b, `","MessageId":`...)
	b = awsproto.AppendJSONString(b, r.MessageID)
	if r.SequenceNumber != "" {
		b = append(b, `,"SequenceNumber":"`...)
		b = append(b, r.SequenceNumber...)
		b = append(b, '"')
	}
	return append(b, '}'), nil
}

// ---- batches

type batchResultErrorEntry struct {
	Id          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

// batchFailure is an entry's error as a BatchResultErrorEntry, with the
// code the query protocol (and so the SDKs) know it by.
func batchFailure(id string, err error) batchResultErrorEntry {
	e, _ := awsproto.AsError(err)
	code := e.Code
	if h, ok := e.Headers[queryErrorHeader]; ok {
		code, _, _ = strings.Cut(h, ";")
	}
	return batchResultErrorEntry{Id: id, SenderFault: e.Status < 500, Code: code, Message: e.Message}
}

// checkBatch applies the rules every batch shares: 1 to 10 entries, ids of
// at most 80 alphanumerics, hyphens and underscores, and distinct.
func checkBatch(entry string, ids []*string) error {
	if len(ids) == 0 {
		return errEmptyBatchRequest.Errorf(msgBatchEmpty, entry)
	}
	if len(ids) > maxBatchEntries {
		return errTooManyEntries.Errorf(msgBatchTooMany, len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, p := range ids {
		id := deref(p)
		if !validBatchID(id) {
			return errInvalidBatchEntryID.New(msgBatchIDInvalid)
		}
		if seen[id] {
			return errBatchEntryIdsNotDistinct.Errorf(msgBatchIDRepeated, id)
		}
		seen[id] = true
	}
	return nil
}

func validBatchID(id string) bool {
	if id == "" || len(id) > 80 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

type sendMessageBatchEntry struct {
	Id *string `json:"Id"`
	sendFields
}

type sendMessageBatchInput struct {
	QueueUrl *string                 `json:"QueueUrl" required:"true"`
	Entries  []sendMessageBatchEntry `json:"Entries"`
}

// Validate answers a request without Entries as the model's validation
// does, before the queue is looked up; an empty list is the batch's own
// EmptyBatchRequest (checkBatch). The tag cannot say it: a required list's
// absence and emptiness are one to the Missing hook.
func (in *sendMessageBatchInput) Validate() error { return entriesSent(in.Entries == nil) }

func entriesSent(missing bool) error {
	if missing {
		return errMissingParameter.Errorf(msgMissingParameter, "Entries")
	}
	return nil
}

type sendMessageBatchResultEntry struct {
	Id string `json:"Id"`
	sendMessageOutput
}

type sendMessageBatchOutput struct {
	Successful []sendMessageBatchResultEntry `json:"Successful"`
	Failed     []batchResultErrorEntry       `json:"Failed"`
}

func (s *Service) sendMessageBatch(c *awsproto.Call, in *sendMessageBatchInput) (sendMessageBatchOutput, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return sendMessageBatchOutput{}, err
	}
	ids := make([]*string, len(in.Entries))
	for i := range in.Entries {
		ids[i] = in.Entries[i].Id
	}
	if err := checkBatch("SendMessageBatchRequestEntry", ids); err != nil {
		return sendMessageBatchOutput{}, err
	}
	type prepared struct {
		in   SendInput
		size int
		err  error
	}
	preps := make([]prepared, len(in.Entries))
	total := 0
	for i := range in.Entries {
		e := &in.Entries[i]
		if e.MessageBody == nil {
			preps[i].err = errMissingParameter.Errorf(msgMissingParameter, "MessageBody")
			continue
		}
		preps[i].in, preps[i].size, preps[i].err = s.sendInput(q, &e.sendFields)
		total += len(deref(e.MessageBody)) + preps[i].size
	}
	limit := defaultMaxSize
	q.mu.Lock()
	if q.cfg.maxSize > limit {
		limit = q.cfg.maxSize
	}
	q.mu.Unlock()
	if total > limit {
		return sendMessageBatchOutput{}, errBatchRequestTooLong.Errorf(msgBatchTooLong, limit, total)
	}
	out := sendMessageBatchOutput{Successful: []sendMessageBatchResultEntry{}, Failed: []batchResultErrorEntry{}}
	for i := range in.Entries {
		id := *in.Entries[i].Id
		if preps[i].err != nil {
			out.Failed = append(out.Failed, batchFailure(id, preps[i].err))
			continue
		}
		r, err := s.store.Send(q, &preps[i].in, preps[i].size)
		if err != nil {
			out.Failed = append(out.Failed, batchFailure(id, err))
			continue
		}
		out.Successful = append(out.Successful, sendMessageBatchResultEntry{Id: id, sendMessageOutput: sendMessageOutput{
			MD5OfMessageBody: r.MD5OfBody, MD5OfMessageAttributes: r.MD5OfAttributes,
			MD5OfMessageSystemAttributes: r.MD5OfSystemAttributes, MessageId: r.MessageID, SequenceNumber: r.SequenceNumber}})
	}
	return out, nil
}

// ---- receive

type receiveMessageInput struct {
	QueueUrl                    *string  `json:"QueueUrl" required:"true"`
	AttributeNames              []string `json:"AttributeNames"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
	MessageAttributeNames       []string `json:"MessageAttributeNames"`
	MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages"`
	VisibilityTimeout           *int     `json:"VisibilityTimeout"`
	WaitTimeSeconds             *int     `json:"WaitTimeSeconds"`
	ReceiveRequestAttemptId     string   `json:"ReceiveRequestAttemptId"`
}

type messageOut struct {
	MessageId              string                           `json:"MessageId"`
	ReceiptHandle          string                           `json:"ReceiptHandle"`
	MD5OfBody              string                           `json:"MD5OfBody"`
	Body                   string                           `json:"Body"`
	Attributes             map[string]string                `json:"Attributes,omitempty"`
	MD5OfMessageAttributes string                           `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]messageAttributeValue `json:"MessageAttributes,omitempty"`
}

type receiveMessageOutput struct {
	Messages []messageOut `json:"Messages,omitempty"`
}

func rangeParam(p *int, name string, lo, hi int) (int, error) {
	if *p < lo || *p > hi {
		return 0, errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(*p), name, "Must be >= "+strconv.Itoa(lo)+" and <= "+strconv.Itoa(hi)+", if provided.")
	}
	return *p, nil
}

func (s *Service) receiveMessage(c *awsproto.Call, in *receiveMessageInput) (receiveMessageOutput, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return receiveMessageOutput{}, err
	}
	ri := ReceiveInput{Max: 1, Visibility: -1, Wait: -1, AttemptID: in.ReceiveRequestAttemptId}
	if in.MaxNumberOfMessages != nil {
		if *in.MaxNumberOfMessages < 1 || *in.MaxNumberOfMessages > maxReceiveLimit {
			return receiveMessageOutput{}, errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(*in.MaxNumberOfMessages), "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
		}
		ri.Max = *in.MaxNumberOfMessages
	}
	if in.VisibilityTimeout != nil {
		if ri.Visibility, err = rangeParam(in.VisibilityTimeout, "VisibilityTimeout", 0, maxVisibility); err != nil {
			return receiveMessageOutput{}, err
		}
	}
	if in.WaitTimeSeconds != nil {
		w, err := rangeParam(in.WaitTimeSeconds, "WaitTimeSeconds", 0, maxWaitSeconds)
		if err != nil {
			return receiveMessageOutput{}, err
		}
		ri.Wait = time.Duration(w) * time.Second
	}
	msgs, err := s.store.Receive(c.Context(), q, ri)
	if err != nil || len(msgs) == 0 {
		return receiveMessageOutput{}, err
	}
	sys := systemAttributeFilter(in.AttributeNames, in.MessageSystemAttributeNames)
	out := receiveMessageOutput{Messages: make([]messageOut, len(msgs))}
	for i := range msgs {
		out.Messages[i] = renderMessage(&msgs[i], sys, in.MessageAttributeNames)
	}
	return out, nil
}

// systemAttributeFilter merges the legacy AttributeNames with
// MessageSystemAttributeNames; nil means none asked for.
func systemAttributeFilter(a, b []string) map[string]bool {
	if len(a)+len(b) == 0 {
		return nil
	}
	m := make(map[string]bool, len(a)+len(b))
	for _, n := range a {
		m[n] = true
	}
	for _, n := range b {
		m[n] = true
	}
	return m
}

func renderMessage(r *Received, sys map[string]bool, attrNames []string) messageOut {
	m := messageOut{MessageId: r.MessageID, ReceiptHandle: r.ReceiptHandle, MD5OfBody: r.MD5OfBody, Body: r.Body}
	if sys != nil {
		all := sys["All"]
		attrs := map[string]string{}
		put := func(name, v string) {
			if v != "" && (all || sys[name]) {
				attrs[name] = v
			}
		}
		put("SenderId", r.SenderID)
		put("SentTimestamp", strconv.FormatInt(r.SentTimestamp, 10))
		put("ApproximateReceiveCount", strconv.Itoa(r.ReceiveCount))
		put("ApproximateFirstReceiveTimestamp", strconv.FormatInt(r.FirstReceiveTimestamp, 10))
		put("MessageGroupId", r.GroupID)
		put("MessageDeduplicationId", r.DedupID)
		put("SequenceNumber", r.SequenceNumber)
		put("AWSTraceHeader", r.TraceHeader)
		put("DeadLetterQueueSourceArn", r.DeadLetterSourceARN)
		if len(attrs) > 0 {
			m.Attributes = attrs
		}
	}
	if len(attrNames) > 0 && len(r.Attributes) > 0 {
		var picked []MessageAttribute
		for _, a := range r.Attributes {
			if wantAttribute(attrNames, a.Name) {
				picked = append(picked, a)
			}
		}
		if len(picked) > 0 {
			m.MessageAttributes = make(map[string]messageAttributeValue, len(picked))
			for _, a := range picked {
				v := messageAttributeValue{DataType: &a.DataType}
				if strings.HasPrefix(a.DataType, "Binary") {
					v.BinaryValue = a.BinaryValue
				} else {
					sv := a.StringValue
					v.StringValue = &sv
				}
				m.MessageAttributes[a.Name] = v
			}
			if len(picked) == len(r.Attributes) {
				m.MD5OfMessageAttributes = r.MD5OfAttributes
			} else {
				m.MD5OfMessageAttributes = AttributesMD5(picked)
			}
		}
	}
	return m
}

// wantAttribute matches a message attribute name against
// MessageAttributeNames: "All", ".*", a "prefix.*" or the name itself.
func wantAttribute(names []string, name string) bool {
	for _, n := range names {
		switch {
		case n == "All" || n == ".*":
			return true
		case strings.HasSuffix(n, ".*") && strings.HasPrefix(name, n[:len(n)-1]):
			return true
		case n == name:
			return true
		}
	}
	return false
}

// ---- delete, visibility

type deleteMessageInput struct {
	QueueUrl      *string `json:"QueueUrl" required:"true"`
	ReceiptHandle *string `json:"ReceiptHandle" required:"true"`
}

func (s *Service) deleteMessage(c *awsproto.Call, in *deleteMessageInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Delete(q, *in.ReceiptHandle)
}

type batchEntry struct {
	Id                *string `json:"Id"`
	ReceiptHandle     *string `json:"ReceiptHandle"`
	VisibilityTimeout *int    `json:"VisibilityTimeout"`
}

type batchInput struct {
	QueueUrl *string      `json:"QueueUrl" required:"true"`
	Entries  []batchEntry `json:"Entries"`
}

// Validate: see sendMessageBatchInput's.
func (in *batchInput) Validate() error { return entriesSent(in.Entries == nil) }

type batchIDEntry struct {
	Id string `json:"Id"`
}

type batchOutput struct {
	Successful []batchIDEntry          `json:"Successful"`
	Failed     []batchResultErrorEntry `json:"Failed"`
}

// runBatch checks a batch and applies op to each entry, collecting
// per-entry failures.
func (s *Service) runBatch(c *awsproto.Call, in *batchInput, entryName string, op func(q *Queue, e *batchEntry) error) (batchOutput, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return batchOutput{}, err
	}
	ids := make([]*string, len(in.Entries))
	for i := range in.Entries {
		ids[i] = in.Entries[i].Id
	}
	if err := checkBatch(entryName, ids); err != nil {
		return batchOutput{}, err
	}
	out := batchOutput{Successful: []batchIDEntry{}, Failed: []batchResultErrorEntry{}}
	for i := range in.Entries {
		e := &in.Entries[i]
		var err error
		if e.ReceiptHandle == nil {
			err = errMissingParameter.Errorf(msgMissingParameter, "ReceiptHandle")
		} else {
			err = op(q, e)
		}
		if err != nil {
			out.Failed = append(out.Failed, batchFailure(*e.Id, err))
		} else {
			out.Successful = append(out.Successful, batchIDEntry{Id: *e.Id})
		}
	}
	return out, nil
}

func (s *Service) deleteMessageBatch(c *awsproto.Call, in *batchInput) (batchOutput, error) {
	return s.runBatch(c, in, "DeleteMessageBatchRequestEntry", func(q *Queue, e *batchEntry) error {
		return s.store.Delete(q, *e.ReceiptHandle)
	})
}

type changeMessageVisibilityInput struct {
	QueueUrl          *string `json:"QueueUrl" required:"true"`
	ReceiptHandle     *string `json:"ReceiptHandle" required:"true"`
	VisibilityTimeout *int    `json:"VisibilityTimeout" required:"true"`
}

func (s *Service) changeMessageVisibility(c *awsproto.Call, in *changeMessageVisibilityInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.ChangeVisibility(q, *in.ReceiptHandle, *in.VisibilityTimeout)
}

func (s *Service) changeMessageVisibilityBatch(c *awsproto.Call, in *batchInput) (batchOutput, error) {
	return s.runBatch(c, in, "ChangeMessageVisibilityBatchRequestEntry", func(q *Queue, e *batchEntry) error {
		if e.VisibilityTimeout == nil {
			return errMissingParameter.Errorf(msgMissingParameter, "VisibilityTimeout")
		}
		return s.store.ChangeVisibility(q, *e.ReceiptHandle, *e.VisibilityTimeout)
	})
}

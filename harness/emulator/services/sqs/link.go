package sqs

import (
	"context"
	"strconv"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// link is the store as cloud.Queues: what SNS, S3 notifications and Lambda
// call in-process.
type link struct{ s *Store }

var _ cloud.Queues = link{}

func (l link) SendMessage(queueARN string, m cloud.QueueMessage) (string, error) {
	q, err := l.s.QueueByARN(queueARN)
	if err != nil {
		return "", err
	}
	in := SendInput{Body: m.Body, DelaySeconds: m.DelaySeconds, GroupID: m.GroupID, DedupID: m.DeduplicationID, TraceHeader: m.TraceHeader}
	if in.DelaySeconds <= 0 {
		in.DelaySeconds = -1
	}
	if err := q.CheckSend(&in); err != nil {
		return "", err
	}
	for name, v := range m.Attributes {
		in.Attributes = append(in.Attributes, MessageAttribute{Name: name, DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue})
	}
	size, err := ValidateAttributes(in.Attributes)
	if err != nil {
		return "", err
	}
	r, err := l.s.Send(q, &in, size)
	return r.MessageID, err
}

func (l link) QueueExists(queueARN string) bool {
	_, err := l.s.QueueByARN(queueARN)
	return err == nil
}

func (l link) QueueInfo(queueARN string) (cloud.QueueInfo, error) {
	q, err := l.s.QueueByARN(queueARN)
	if err != nil {
		return cloud.QueueInfo{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.advance(l.s.now())
	return cloud.QueueInfo{ARN: q.ARN, Name: q.Name, Region: q.Region, FIFO: q.Fifo,
		VisibilityTimeout: time.Duration(q.cfg.visibility) * time.Second,
		Visible:           q.nVisible, InFlight: q.nInflight, Delayed: q.nDelayed}, nil
}

func (l link) ReceiveMessages(ctx context.Context, queueARN string, max int, wait time.Duration) ([]cloud.QueueReceived, error) {
	q, err := l.s.QueueByARN(queueARN)
	if err != nil {
		return nil, err
	}
	if max < 1 || max > maxReceiveLimit {
		max = maxReceiveLimit
	}
	msgs, err := l.s.Receive(ctx, q, ReceiveInput{Max: max, Visibility: -1, Wait: wait})
	if err != nil {
		return nil, err
	}
	out := make([]cloud.QueueReceived, len(msgs))
	for i, m := range msgs {
		r := cloud.QueueReceived{
			MessageID: m.MessageID, ReceiptHandle: m.ReceiptHandle, Body: m.Body,
			MD5OfBody: m.MD5OfBody, MD5OfMessageAttributes: m.MD5OfAttributes,
			Attributes: map[string]string{
				"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
				"SentTimestamp":                    strconv.FormatInt(m.SentTimestamp, 10),
				"SenderId":                         m.SenderID,
				"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.FirstReceiveTimestamp, 10),
			},
		}
		for k, v := range map[string]string{"MessageGroupId": m.GroupID, "MessageDeduplicationId": m.DedupID, "SequenceNumber": m.SequenceNumber, "AWSTraceHeader": m.TraceHeader} {
			if v != "" {
				r.Attributes[k] = v
			}
		}
		if len(m.Attributes) > 0 {
			r.MessageAttributes = make(map[string]cloud.QueueAttributeValue, len(m.Attributes))
			for _, a := range m.Attributes {
				r.MessageAttributes[a.Name] = cloud.QueueAttributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
			}
		}
		out[i] = r
	}
	return out, nil
}

func (l link) DeleteMessage(queueARN, receiptHandle string) error {
	q, err := l.s.QueueByARN(queueARN)
	if err != nil {
		return err
	}
	return l.s.Delete(q, receiptHandle)
}

func (l link) ChangeMessageVisibility(queueARN, receiptHandle string, d time.Duration) error {
	q, err := l.s.QueueByARN(queueARN)
	if err != nil {
		return err
	}
	return l.s.ChangeVisibility(q, receiptHandle, int(d/time.Second))
}

func (l link) QueueNotify(queueARN string) (<-chan struct{}, error) {
	q, err := l.s.QueueByARN(queueARN)
	if err != nil {
		return nil, err
	}
	return q.Notify(), nil
}

func (l link) OnQueueDeleted(f func(queueARN string)) { l.s.OnQueueDeleted(f) }

// SampleMetrics implements cloud.MetricSampler: each queue's visible,
// in-flight and delayed message counts, as SQS reports them to CloudWatch
// (AWS/SQS, dimension QueueName).
func (l link) SampleMetrics(put func(region, namespace, name, unit string, value float64, dims ...cloud.MetricDimension)) {
	l.s.mu.RLock()
	queues := make([]*Queue, 0, len(l.s.queues))
	for _, q := range l.s.queues {
		queues = append(queues, q)
	}
	l.s.mu.RUnlock()
	now := l.s.now()
	for _, q := range queues {
		q.mu.Lock()
		q.advance(now)
		visible, inflight, delayed := q.nVisible, q.nInflight, q.nDelayed
		q.mu.Unlock()
		d := cloud.MetricDimension{Name: "QueueName", Value: q.Name}
		put(q.Region, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Count", float64(visible), d)
		put(q.Region, "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "Count", float64(inflight), d)
		put(q.Region, "AWS/SQS", "ApproximateNumberOfMessagesDelayed", "Count", float64(delayed), d)
	}
}

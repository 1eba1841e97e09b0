package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Destinations of asynchronous invocations (OnSuccess, OnFailure) and
// dead-letter queues: where the records go, and what they look like.

// errNoEventBridge is the delivery failure of an EventBridge destination:
// groundstack accepts the configuration, as AWS does, but has no buses.
var errNoEventBridge = errors.New("EventBridge is not emulated by groundstack: the record was not delivered")

// maxSNSRecord is SNS's message size limit; past it Lambda drops the
// response payload from the record it publishes.
const maxSNSRecord = 262144

// deliver sends body to the resource an ARN names: an SQS queue, an SNS
// topic or a Lambda function (invoked asynchronously with the body as its
// event). attrs become message attributes (SQS, SNS). Errors carry the
// target service's own code where it has one; each failure is counted.
func (s *Service) deliver(arn, body string, attrs map[string]cloud.QueueAttributeValue) error {
	err := s.send(arn, body, attrs)
	if err != nil {
		s.destinationFailures.Add(1)
	}
	return err
}

func (s *Service) send(arn, body string, attrs map[string]cloud.QueueAttributeValue) error {
	switch arnService(arn) {
	case "sqs":
		qs, _ := s.env.Links.Get(cloud.LinkSQS).(cloud.Queues)
		if qs == nil {
			return errors.New("the SQS service is not wired")
		}
		_, err := qs.SendMessage(arn, cloud.QueueMessage{Body: body, Attributes: attrs})
		return err
	case "sns":
		ts, _ := s.env.Links.Get(cloud.LinkSNS).(cloud.Topics)
		if ts == nil {
			return errors.New("the SNS service is not wired")
		}
		_, err := ts.Publish(arn, cloud.TopicMessage{Message: body, Attributes: attrs})
		return err
	case "lambda":
		_, err := s.Invoke(context.Background(), cloud.InvokeRequest{Function: arn, Payload: []byte(body), Async: true})
		return err
	case "events":
		return errNoEventBridge
	}
	return errors.New("not a destination groundstack delivers to")
}

// sendRecord delivers to arn and, when that fails, logs it: the queue
// goes on either way.
func (s *Service) sendRecord(ev *asyncEvent, kind, arn, body string, attrs map[string]cloud.QueueAttributeValue) {
	if err := s.deliver(arn, body, attrs); err != nil {
		s.env.Log.Warn("lambda: could not deliver an asynchronous invocation's record", "function", ev.name,
			"requestId", ev.requestID, "to", kind, "destination", arn, "err", err)
	}
}

// DestinationFailures counts records (destinations, dead-letter queues)
// that could not be delivered since the service started.
func (s *Service) DestinationFailures() int64 { return s.destinationFailures.Load() }

// Conditions of an invocation record.
const (
	conditionSuccess          = "Success"
	conditionRetriesExhausted = "RetriesExhausted"
	conditionEventAgeExceeded = "EventAgeExceeded"
)

// attemptResult is what the last run of an event produced.
type attemptResult struct {
	statusCode      int
	executedVersion string
	functionError   string // "Unhandled" when the function failed
	payload         []byte // the function's response or error, nil for none
	errorMessage    string // a dead-letter message's ErrorMessage
}

// invocationRecord is what Lambda sends to a destination (AWS's documented
// shape: "Retaining records of asynchronous invocations").
type invocationRecord struct {
	Version         string                 `json:"version"`
	Timestamp       string                 `json:"timestamp"`
	RequestContext  recordRequestContext   `json:"requestContext"`
	RequestPayload  json.RawMessage        `json:"requestPayload"`
	ResponseContext *recordResponseContext `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage        `json:"responsePayload,omitempty"`
}

type recordRequestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type recordResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion,omitempty"`
	FunctionError   string `json:"functionError,omitempty"`
}

const recordTimeLayout = "2006-01-02T15:04:05.000Z"

// record renders an event's invocation record for destination arn.
func (s *Service) record(ev *asyncEvent, f *Function, condition, arn string) string {
	r := invocationRecord{
		Version: "1.0", Timestamp: s.env.Now().UTC().Format(recordTimeLayout),
		RequestContext: recordRequestContext{RequestID: ev.requestID, FunctionArn: f.ARN + ":" + qualifierKey(ev.qualifier),
			Condition: condition, ApproximateInvokeCount: ev.runs},
		RequestPayload: ev.payload,
	}
	if a := ev.last; a != nil {
		r.ResponseContext = &recordResponseContext{StatusCode: a.statusCode, ExecutedVersion: a.executedVersion, FunctionError: a.functionError}
		r.ResponsePayload = jsonOrString(a.payload)
	}
	b, _ := json.Marshal(r)
	if arnService(arn) == "sns" && len(b) > maxSNSRecord && r.ResponsePayload != nil {
		r.ResponsePayload = nil
		b, _ = json.Marshal(r)
	}
	return string(b)
}

// jsonOrString is p as JSON: itself when it is JSON, else a JSON string.
func jsonOrString(p []byte) json.RawMessage {
	if len(p) == 0 {
		return nil
	}
	if json.Valid(p) {
		return p
	}
	b, _ := json.Marshal(string(p))
	return b
}

// deadLetter is the message a dead-letter queue gets: the event as it
// was, with the request ID, the status code and the error's first KB.
func deadLetter(ev *asyncEvent) (string, map[string]cloud.QueueAttributeValue) {
	code, msg := 200, ""
	if a := ev.last; a != nil {
		code, msg = a.statusCode, a.errorMessage
	}
	if len(msg) > 1024 {
		msg = msg[:1024]
	}
	attrs := map[string]cloud.QueueAttributeValue{
		"RequestID": {DataType: "String", StringValue: ev.requestID},
		"ErrorCode": {DataType: "Number", StringValue: strconv.Itoa(code)},
	}
	if msg != "" {
		attrs["ErrorMessage"] = cloud.QueueAttributeValue{DataType: "String", StringValue: msg}
	}
	return string(ev.payload), attrs
}

// errorMessageOf is the errorMessage of a function's error payload (the
// whole payload when it has none).
func errorMessageOf(p []byte) string {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(p, &e) == nil && e.ErrorMessage != "" {
		return e.ErrorMessage
	}
	return string(p)
}

// finish sends a finished event's record: to OnSuccess when it succeeded;
// else to OnFailure, or failing that to the dead-letter queue of the
// version that ran.
func (s *Service) finish(ev *asyncEvent, f *Function, v *Version, cfg *EventInvokeConfig, condition string) {
	if condition == conditionSuccess {
		if cfg != nil && cfg.OnSuccess != "" {
			s.sendRecord(ev, "OnSuccess", cfg.OnSuccess, s.record(ev, f, condition, cfg.OnSuccess), nil)
		}
		return
	}
	switch {
	case cfg != nil && cfg.OnFailure != "":
		s.sendRecord(ev, "OnFailure", cfg.OnFailure, s.record(ev, f, condition, cfg.OnFailure), nil)
	case v != nil && v.Config.DeadLetter != "":
		body, attrs := deadLetter(ev)
		s.sendRecord(ev, "DeadLetterConfig", v.Config.DeadLetter, body, attrs)
	default:
		s.env.Log.Warn("lambda: asynchronous invocation failed and has no failure destination", "function", ev.name,
			"requestId", ev.requestID, "condition", condition)
	}
}

package fn

import (
	"context"
	"encoding/json"
	"os"
	"time"
)

// With TESTFN_REPORT_QUEUE (a queue URL) in its environment, testfn reports
// every batch of records it is handed (SQS, DynamoDB Streams) to that queue
// with the moment the handler started, so tests can count deliveries and
// measure event freshness with the clock the emulator shares.

type batchReport struct {
	StartNanos int64          `json:"start"`
	Records    []reportRecord `json:"records"`
}

type reportRecord struct {
	MessageID string          `json:"messageId,omitempty"`
	Body      string          `json:"body,omitempty"`
	Keys      json.RawMessage `json:"keys,omitempty"`
	EventName string          `json:"eventName,omitempty"`
}

// reportBatch sends the report when the event is a batch of records; it
// returns false for other events.
func reportBatch(ctx context.Context, raw json.RawMessage, start time.Time) (bool, error) {
	url := os.Getenv("TESTFN_REPORT_QUEUE")
	if url == "" {
		return false, nil
	}
	var ev struct {
		Records []struct {
			MessageID string `json:"messageId"`
			Body      string `json:"body"`
			EventName string `json:"eventName"`
			DynamoDB  struct {
				Keys json.RawMessage `json:"Keys"`
			} `json:"dynamodb"`
		} `json:"Records"`
	}
	if json.Unmarshal(raw, &ev) != nil || len(ev.Records) == 0 {
		return false, nil
	}
	rep := batchReport{StartNanos: start.UnixNano()}
	for _, r := range ev.Records {
		rep.Records = append(rep.Records, reportRecord{MessageID: r.MessageID, Body: r.Body, Keys: r.DynamoDB.Keys, EventName: r.EventName})
	}
	if Send == nil {
		return true, errNoSDK
	}
	b, _ := json.Marshal(rep)
	return true, Send(ctx, url, b)
}

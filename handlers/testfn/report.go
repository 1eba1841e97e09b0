package main

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// With TESTFN_REPORT_QUEUE (a queue URL) in its environment, testfn reports
// every batch of records it is handed (SQS, DynamoDB Streams) to that queue
// with the moment the handler started, so tests can count deliveries and
// measure event freshness with the clock the emulator shares.

var (
	reportOnce   sync.Once
	reportClient *sqs.Client
)

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
	var err error
	reportOnce.Do(func() {
		var cfg aws.Config
		if cfg, err = config.LoadDefaultConfig(ctx); err == nil {
			reportClient = sqs.NewFromConfig(cfg)
		}
	})
	if reportClient == nil {
		return true, err
	}
	b, _ := json.Marshal(rep)
	_, err = reportClient.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(string(b))})
	return true, err
}

package esm

import (
	"encoding/json"
	"time"
)

// Conditions of a stream failure record (requestContext.condition).
const (
	conditionRetries = "RetryAttemptsExhausted"
	conditionAge     = "RecordAgeExceeded"
)

// failureRecord is the invocation record Lambda sends to a stream
// mapping's on-failure destination: where the records are, not the records.
type failureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError"`
	} `json:"responseContext"`
	Version   string    `json:"version"`
	Timestamp string    `json:"timestamp"`
	BatchInfo batchInfo `json:"DDBStreamBatchInfo"`
}

type batchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamARN                       string `json:"streamArn"`
}

// sendFailure sends the failure record of records b to the on-failure
// destination (an SQS queue or SNS topic); without one they are dropped,
// as on AWS. A destination that refuses is logged: the records are gone
// either way.
func (p *streamPoller) sendFailure(b []streamRecord, condition string, invokes int, last *invocation) {
	p.l.Log.Warn("lambda: event source mapping discards records", "uuid", p.cfg.UUID, "condition", condition, "records", len(b))
	if p.cfg.OnFailure == "" || len(b) == 0 {
		return
	}
	var r failureRecord
	r.RequestContext.RequestID = p.l.NewID()
	r.RequestContext.FunctionARN = p.cfg.FunctionARN
	r.RequestContext.Condition = condition
	r.RequestContext.ApproximateInvokeCount = invokes
	if last != nil {
		r.RequestContext.RequestID = last.requestID
		r.ResponseContext.StatusCode = 200
		r.ResponseContext.ExecutedVersion = last.executedVersion
		r.ResponseContext.FunctionError = last.functionError
	}
	r.Version = "1.0"
	r.Timestamp = p.l.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	r.BatchInfo = batchInfo{
		ShardID:                         p.cfg.ShardID,
		StartSequenceNumber:             b[0].seq,
		EndSequenceNumber:               b[len(b)-1].seq,
		ApproximateArrivalOfFirstRecord: b[0].created.UTC().Format(time.RFC3339),
		ApproximateArrivalOfLastRecord:  b[len(b)-1].created.UTC().Format(time.RFC3339),
		BatchSize:                       len(b),
		StreamARN:                       p.cfg.SourceARN,
	}
	body, _ := json.Marshal(r)
	if p.l.Deliver == nil {
		return
	}
	if err := p.l.Deliver(p.cfg.OnFailure, string(body)); err != nil {
		p.l.Log.Warn("lambda: on-failure destination refused the record", "uuid", p.cfg.UUID, "destination", p.cfg.OnFailure, "err", err)
	}
}

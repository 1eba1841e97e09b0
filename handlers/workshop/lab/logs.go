package lab

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Levels are the log levels a batch may use.
var Levels = []string{"DEBUG", "INFO", "WARN", "ERROR"}

// LogEntry is one entry of a batch.
type LogEntry struct {
	Timestamp string `json:"timestamp"`
	Level     string `json:"level"`
	Service   string `json:"service,omitempty"`
	Message   string `json:"message,omitempty"`
}

// LogEvent is a batch to ingest, or a query ({"action": "query", ...}).
type LogEvent struct {
	Action  string     `json:"action,omitempty"`
	BatchID string     `json:"batch_id,omitempty"`
	Logs    []LogEntry `json:"logs,omitempty"`
	Level   string     `json:"level,omitempty"`
	Start   string     `json:"start,omitempty"`
	End     string     `json:"end,omitempty"`
}

// LogTimeLayout is the entries' timestamp: ISO 8601 in UTC with milliseconds.
const LogTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// ArchiveKey is where a batch whose first entry is at first is kept:
// logs/YYYY/MM/DD/HH/<batch>.json.gz.
func ArchiveKey(first time.Time, batchID string) string {
	return first.UTC().Format("logs/2006/01/02/15/") + batchID + ".json.gz"
}

// HandleLogs ingests a batch or answers a query.
func (l *Lab) HandleLogs(ctx context.Context, e LogEvent) (map[string]any, error) {
	if e.Action == "query" {
		return l.queryLogs(ctx, e)
	}
	return l.ingestLogs(ctx, e)
}

func (l *Lab) ingestLogs(ctx context.Context, e LogEvent) (map[string]any, error) {
	if len(e.Logs) == 0 {
		return nil, fmt.Errorf(`%w: a batch needs at least one entry in "logs"`, ErrBadEvent)
	}
	batch := e.BatchID
	if batch == "" {
		batch = l.newID()
	}
	var first time.Time
	for i, entry := range e.Logs {
		if !slices.Contains(Levels, entry.Level) {
			return nil, fmt.Errorf("%w: level must be one of %v: %q", ErrBadEvent, Levels, entry.Level)
		}
		t, err := time.Parse(time.RFC3339Nano, entry.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: timestamp %q is not ISO 8601", ErrBadEvent, i, entry.Timestamp)
		}
		if i == 0 || t.Before(first) {
			first = t
		}
	}
	key := ArchiveKey(first, batch)
	raw, err := json.Marshal(map[string]any{"batch_id": batch, "logs": e.Logs})
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(raw)
	if err := w.Close(); err != nil {
		return nil, err
	}
	s := l.Settings
	if _, err := l.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.LogsBucket, Key: &key, Body: bytes.NewReader(gz.Bytes()),
		ContentType: aws.String("application/json"), ContentEncoding: aws.String("gzip"),
	}); err != nil {
		return nil, fmt.Errorf("archive the batch: %w", err)
	}
	for _, entry := range e.Logs {
		service := entry.Service
		if service == "" {
			service = "unknown"
		}
		if _, err := l.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.LogsTable, Item: map[string]dtypes.AttributeValue{
			"LogLevel": str(entry.Level), "Timestamp": str(entry.Timestamp), "Service": str(service),
			"Message": str(entry.Message), "BatchId": str(batch), "S3Key": str(key),
		}}); err != nil {
			return nil, fmt.Errorf("index an entry: %w", err)
		}
	}
	fmt.Printf("batch %s: %d entries indexed, raw batch at s3://%s/%s\n", batch, len(e.Logs), s.LogsBucket, key)
	return map[string]any{"batchId": batch, "indexed": len(e.Logs), "s3Key": key}, nil
}

func (l *Lab) queryLogs(ctx context.Context, e LogEvent) (map[string]any, error) {
	if e.Level == "" {
		return nil, fmt.Errorf(`%w: a query needs a "level"`, ErrBadEvent)
	}
	in := &dynamodb.QueryInput{
		TableName:                 &l.Settings.LogsTable,
		KeyConditionExpression:    aws.String("#level = :level"),
		ExpressionAttributeNames:  map[string]string{"#level": "LogLevel"},
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":level": str(e.Level)},
	}
	if e.Start != "" && e.End != "" {
		in.KeyConditionExpression = aws.String("#level = :level AND #ts BETWEEN :start AND :end")
		in.ExpressionAttributeNames["#ts"] = "Timestamp"
		in.ExpressionAttributeValues[":start"], in.ExpressionAttributeValues[":end"] = str(e.Start), str(e.End)
	}
	items, err := queryAll(ctx, l.DynamoDB, in)
	if err != nil {
		return nil, err
	}
	entries := []map[string]any{}
	for _, it := range items {
		entries = append(entries, map[string]any{"timestamp": sOf(it["Timestamp"]), "service": sOf(it["Service"]), "message": sOf(it["Message"])})
	}
	fmt.Printf("query %s: %d entries\n", e.Level, len(items))
	return map[string]any{"level": e.Level, "count": len(items), "entries": entries}, nil
}

func queryAll(ctx context.Context, c DynamoDB, in *dynamodb.QueryInput) ([]map[string]dtypes.AttributeValue, error) {
	var items []map[string]dtypes.AttributeValue
	for {
		out, err := c.Query(ctx, in)
		if err != nil {
			return nil, err
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func sOf(v dtypes.AttributeValue) string {
	if s, ok := v.(*dtypes.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

package cloud

import (
	"context"
	"encoding/json"
	"time"
)

// Names under which services publish themselves in Env.Links.
const (
	LinkLogs   = "logs"   // a LogWriter (CloudWatch Logs)
	LinkLambda = "lambda" // a FunctionInvoker (Lambda)
	LinkS3     = "s3"     // an ObjectReader (S3)
	// LinkDynamoDBStreams names a StreamReader (DynamoDB Streams).
	LinkDynamoDBStreams = "dynamodbstreams"
)

// StreamReader reads DynamoDB Streams in-process, for Lambda event source
// mappings: no HTTP polling, and a channel to wait on for new records.
type StreamReader interface {
	// StreamPosition returns where a consumer starting at TRIM_HORIZON or
	// LATEST resumes from (an opaque position for ReadStream).
	StreamPosition(streamARN, startingPosition string) (string, error)
	// ReadStream returns up to max records after position `after`, each
	// rendered as a Lambda DynamoDB event record (the JSON of aws-lambda-go's
	// events.DynamoDBEventRecord), the position to resume from, a channel
	// closed when newer records may exist, and closed=true once a disabled
	// stream has been read to its end.
	ReadStream(streamARN, after string, max int) (records []json.RawMessage, next string, wake <-chan struct{}, closed bool, err error)
}

// ObjectReader reads S3 objects for other services (Lambda code from S3).
// It returns ok=false when the bucket or key does not exist.
type ObjectReader interface {
	ReadObject(bucket, key string) (data []byte, ok bool)
}

// LogWriter appends events to a CloudWatch Logs stream, creating the group
// and stream when missing (as the Lambda service does on AWS).
type LogWriter interface {
	WriteLogs(region, group, stream string, events []LogEvent)
}

// LogEvent is one CloudWatch Logs event.
type LogEvent struct {
	Timestamp time.Time
	Message   string
}

// FunctionInvoker invokes Lambda functions for other services (API Gateway,
// S3 notifications, event source mappings, SNS).
type FunctionInvoker interface {
	Invoke(ctx context.Context, req InvokeRequest) (InvokeResult, error)
}

// InvokeRequest names a function (name, partial or full ARN) and its input.
type InvokeRequest struct {
	Region    string
	Function  string
	Qualifier string
	Payload   []byte
	// Async queues the event (InvocationType=Event) and returns at once.
	Async bool
}

// InvokeResult is what a synchronous invocation produced.
type InvokeResult struct {
	Payload []byte
	// FunctionError is "Unhandled" when the handler failed, else empty.
	FunctionError   string
	ExecutedVersion string
	RequestID       string
}

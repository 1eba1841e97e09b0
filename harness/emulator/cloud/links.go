package cloud

import (
	"context"
	"time"
)

// Names under which services publish themselves in Env.Links.
const (
	LinkLogs   = "logs"   // a LogWriter (CloudWatch Logs)
	LinkLambda = "lambda" // a FunctionInvoker (Lambda)
	LinkS3     = "s3"     // an ObjectReader (S3)
)

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

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

// LinkHosts names a HostLauncher: the machines behind EC2 instances.
const LinkHosts = "ec2hosts"

// HostLauncher creates the machine behind an EC2 instance (harness/ec2host
// in the embedded emulator). The EC2 service works without one: its
// instances then change state but run nothing.
type HostLauncher interface {
	Launch(spec HostSpec) (Host, error)
}

// HostSpec is what an instance's machine is launched with.
type HostSpec struct {
	InstanceID string
	// AuthorizedKey is the key pair's public key in authorized_keys form;
	// empty means no key is accepted (an instance launched without KeyName).
	AuthorizedKey string
	// IdleTimeout stops the host after that long with no session; 0 never.
	IdleTimeout time.Duration
	// OnIdle is called (once per idle stop, from the host's goroutine) after
	// the host stopped itself for inactivity, so EC2 can show it stopped.
	OnIdle func()
}

// Host is the machine behind one instance.
type Host interface {
	// Start starts (or restarts) listening, on the previous address when it
	// is still free.
	Start() error
	// Stop closes the listener and every session; running commands are killed.
	Stop() error
	// Addr is "127.0.0.1:port" while running, the last address when stopped.
	Addr() string
	// HostKey is the host's public key in authorized_keys form, fixed for the
	// host's life, so clients can pin it.
	HostKey() string
	// Terminate stops the host for good and removes its files.
	Terminate() error
}

// LinkCredentials names a CredentialIssuer (STS).
const LinkCredentials = "credentials"

// CredentialIssuer issues temporary credentials to code the cloud runs (a
// function's execution role) and tells strict mode's verifier which
// temporary credentials exist.
type CredentialIssuer interface {
	// IssueSession returns credentials of a session of roleARN named
	// sessionName (the account root's when roleARN is empty), valid with
	// their session token until revoke is called.
	IssueSession(roleARN, sessionName string) (c TemporaryCredentials, revoke func(), err error)
	// LookupSession returns temporary credentials the cloud issued (by
	// IssueSession, AssumeRole or GetSessionToken) and their expiry, zero
	// for those valid until revoked.
	LookupSession(accessKey string) (TemporaryCredentials, time.Time, bool)
}

// TemporaryCredentials are an ASIA… access key, its secret and the
// session token that must accompany them.
type TemporaryCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

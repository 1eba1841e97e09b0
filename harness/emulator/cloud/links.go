package cloud

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Names under which services publish themselves in Env.Links.
const (
	LinkLogs   = "logs"   // a LogWriter (CloudWatch Logs)
	LinkLambda = "lambda" // a FunctionInvoker (Lambda)
	LinkS3     = "s3"     // an ObjectReader (S3)
	// LinkDynamoDBStreams names a StreamReader (DynamoDB Streams).
	LinkDynamoDBStreams = "dynamodbstreams"
	LinkSQS             = "sqs" // a Queues (SQS)
	LinkSNS             = "sns" // a Topics (SNS)
	// LinkSigV4 names the edge's RequestVerifier, published only when
	// strict auth is on: data planes that authenticate their own callers
	// (API Gateway's AWS_IAM methods) verify with the emulator's keys.
	LinkSigV4 = "sigv4"
	// LinkIdentities names a CallerIdentities (STS).
	LinkIdentities = "identities"
	// LinkAccessKeys names an AccessKeys (IAM).
	LinkAccessKeys = "accesskeys"
	// LinkAPIGatewayV2 names an ExecuteAPI (API Gateway v2).
	LinkAPIGatewayV2 = "apigatewayv2"
	// LinkOutboundFederation names an OutboundFederation (IAM).
	LinkOutboundFederation = "outboundfederation"
	// LinkInternalEdge names an http.Handler: the account's edge for
	// requests the emulator makes to itself (CloudFormation's resource
	// providers call the services as a client would). It routes as the
	// edge does but never verifies a signature nor injects a fault: only Go
	// code holding the value reaches it, so no client can claim to be it.
	LinkInternalEdge = "edge.internal"
	// LinkAccountEdges names an AccountEdges: the internal edges of the
	// emulator's other accounts (CloudFormation's stack sets deploy stack
	// instances into the accounts they name).
	LinkAccountEdges = "edge.accounts"
)

// AccountEdges finds the internal edge of any account of the emulator,
// starting the account as a request naming it would (and refusing past
// the emulator's account limit).
type AccountEdges interface {
	InternalEdge(account string) (http.Handler, error)
}

// OutboundFederation is IAM's outbound identity federation setting as STS
// reads it (GetWebIdentityToken).
type OutboundFederation interface {
	// OutboundIssuer returns the account's issuer URL, and whether the
	// feature is enabled.
	OutboundIssuer() (string, bool)
}

// ExecuteAPI is API Gateway v2 (HTTP and WebSocket APIs) as API Gateway
// (REST APIs) reaches it. Both sign as "apigateway" and share the
// execute-api invoke URLs, whose edge routes the REST service owns: it hands
// v2 the control plane under /v2/ and the invocations of the API ids v2
// knows.
type ExecuteAPI interface {
	// ServeControlPlane serves a control-plane request (path under /v2/).
	ServeControlPlane(w http.ResponseWriter, r *http.Request)
	// ServeInvocation serves a data-plane request to apiID when apiID is one
	// of v2's APIs (stage is the first path segment after the id, path the
	// escaped rest, host whether the {api}.execute-api host form was used),
	// and reports whether it did; false leaves the request unanswered.
	ServeInvocation(w http.ResponseWriter, r *http.Request, apiID, stage, path string, host bool) bool
}

// Queues is SQS as other services use it in-process: SNS subscriptions and
// S3 notifications send; Lambda event source mappings and destinations
// receive, delete and send. Queues are named by ARN. Errors carry SQS's own
// codes (an *awsproto.Error: QueueDoesNotExist when the queue is gone,
// InvalidParameterValue for a message SQS refuses), so a caller can record
// a delivery failure as AWS words it.
type Queues interface {
	// SendMessage stores a message as SendMessage does (same validation,
	// FIFO ordering and deduplication, consumers woken at once) and returns
	// its message ID.
	SendMessage(queueARN string, m QueueMessage) (messageID string, err error)
	// QueueExists reports whether an ARN names a queue.
	QueueExists(queueARN string) bool
	// QueueInfo describes a queue (for validating an event source mapping).
	QueueInfo(queueARN string) (QueueInfo, error)
	// ReceiveMessages takes up to max (1 to 10) messages, each hidden for
	// the queue's visibility timeout, waiting up to wait for the first
	// without polling (a send wakes the waiter). Cancelling ctx ends the
	// wait with no messages. Messages past the queue's maxReceiveCount go to
	// its dead-letter queue, as with ReceiveMessage.
	ReceiveMessages(ctx context.Context, queueARN string, max int, wait time.Duration) ([]QueueReceived, error)
	// DeleteMessage deletes a received message by its receipt handle.
	DeleteMessage(queueARN, receiptHandle string) error
	// ChangeMessageVisibility hides a received message for d from now
	// (0 makes it visible at once: a retry).
	ChangeMessageVisibility(queueARN, receiptHandle string, d time.Duration) error
	// QueueNotify returns a channel closed when a message is next sent to
	// the queue (or it is deleted), for a consumer that waits on several
	// queues at once instead of calling ReceiveMessages with a wait.
	QueueNotify(queueARN string) (<-chan struct{}, error)
	// OnQueueDeleted registers f, called with a queue's ARN after
	// DeleteQueue removed it (not on a reset of the whole emulator).
	OnQueueDeleted(f func(queueARN string))
}

// Topics is SNS as other services use it in-process: S3 notifications and
// Lambda destinations publish. Topics are named by ARN. Errors carry SNS's
// own codes (NotFound when the topic is gone, InvalidParameter for a
// message SNS refuses).
type Topics interface {
	// TopicExists reports whether an ARN names a topic.
	TopicExists(topicARN string) bool
	// Publish publishes as Publish does (same validation, filter policies,
	// deliveries to SQS done before it returns) and returns the message ID.
	Publish(topicARN string, m TopicMessage) (messageID string, err error)
}

// TopicMessage is a message another service publishes to a topic.
type TopicMessage struct {
	Subject, Message string
	Attributes       map[string]QueueAttributeValue
	// GroupID and DeduplicationID are for FIFO topics.
	GroupID, DeduplicationID string
}

// FunctionLookup tells whether a function exists, for services that
// validate a configuration naming one (S3 notifications, SNS
// subscriptions) before anything invokes it. The Lambda service's
// FunctionInvoker implements it.
type FunctionLookup interface {
	// FunctionExists reports whether arn (a function ARN, optionally
	// qualified with a version or alias) names a function.
	FunctionExists(functionARN string) bool
}

// QueueMessage is a message another service sends to a queue.
type QueueMessage struct {
	Body       string
	Attributes map[string]QueueAttributeValue
	// GroupID and DeduplicationID are for FIFO queues (content-based
	// deduplication applies when DeduplicationID is empty and the queue
	// enables it).
	GroupID, DeduplicationID string
	// DelaySeconds < 0 or 0 uses the queue's own delay.
	DelaySeconds int
	// TraceHeader is the AWSTraceHeader system attribute.
	TraceHeader string
}

// QueueAttributeValue is a message attribute: DataType "String",
// "Number" or "Binary" (optionally with a ".custom" suffix).
type QueueAttributeValue struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// QueueReceived is a received message, with everything Lambda's SQS event
// record (aws-lambda-go's events.SQSMessage) carries.
type QueueReceived struct {
	MessageID, ReceiptHandle, Body    string
	MD5OfBody, MD5OfMessageAttributes string
	// Attributes are the system attributes: ApproximateReceiveCount,
	// SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp, and for
	// FIFO queues MessageGroupId, MessageDeduplicationId, SequenceNumber;
	// AWSTraceHeader when the message has one.
	Attributes        map[string]string
	MessageAttributes map[string]QueueAttributeValue
}

// QueueInfo is what a consumer needs to know of a queue.
type QueueInfo struct {
	ARN, Name, Region string
	FIFO              bool
	VisibilityTimeout time.Duration
	// Visible, InFlight and Delayed count the queue's messages now (its
	// ApproximateNumberOf* attributes): a poller scales with Visible.
	Visible, InFlight, Delayed int
}

// RequestVerifier checks a request's SigV4 signature (awsproto.Verifier).
type RequestVerifier interface {
	VerifyFor(r *http.Request, x awsproto.Expect) error
}

// CallerIdentities says who temporary credentials this emulator issued
// belong to (STS's assumed-role sessions); ok is false for other keys.
type CallerIdentities interface {
	CallerIdentity(accessKey string, now time.Time) (CallerIdentity, bool)
}

// AccessKeys are the long-term access keys of IAM users: strict mode's
// verifier accepts the active ones, STS says whose they are.
type AccessKeys interface {
	// AccessKey returns a key IAM knows, active or not.
	AccessKey(id string) (AccessKey, bool)
	// NoteAccessKeyUse records that a request signed with the key was
	// accepted (GetAccessKeyLastUsed).
	NoteAccessKeyUse(id, service, region string, at time.Time)
}

// AccessKey is an IAM user's access key as the verifier sees it.
type AccessKey struct {
	Secret   string
	Active   bool
	Identity CallerIdentity
}

// CallerIdentity is who signed a request, as GetCallerIdentity says it.
type CallerIdentity struct {
	Account, Arn, UserID string
}

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
// It returns ok=false when the bucket or key does not exist, and the
// object's size without its data when it is larger than limit (an object
// may be gigabytes: a reader never buffers more than it would accept).
type ObjectReader interface {
	ReadObject(bucket, key string, limit int64) (data []byte, size int64, ok bool)
}

// ObjectStore is what the S3 store also offers under LinkS3 besides
// reading: writing objects and listing keys (DynamoDB's exports to S3 and
// imports from S3). ok=false: the bucket does not exist.
type ObjectStore interface {
	ObjectReader
	WriteObject(bucket, key string, data []byte, contentType string, now time.Time) (ok bool, err error)
	ListObjectKeys(bucket, prefix string, limit int) (keys []string, ok bool)
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
	// Fault asks the fault rules targeting PlaneSSH about this host (nil:
	// never). The host asks at each new connection and session, and once a
	// second while connections are open: a drop makes it stop answering, a
	// delay holds each new connection that long. With dropOnly (the checks
	// of open connections and sessions) only rules that drop are asked, so
	// those checks neither count hits on nor use up a rule that delays.
	Fault func(dropOnly bool) *FaultHit
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

// LinkBucketSessions names BucketSessions (S3).
const LinkBucketSessions = "bucket-sessions"

// BucketSessions tells strict mode's verifier which S3 Express One Zone
// sessions (CreateSession) exist: requests signed with one carry its token
// in x-amz-s3session-token rather than x-amz-security-token.
type BucketSessions interface {
	LookupBucketSession(accessKey string) (TemporaryCredentials, time.Time, bool)
}

// TemporaryCredentials are an ASIA… access key, its secret and the
// session token that must accompany them.
type TemporaryCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// LinkMetrics names a Metrics (CloudWatch); LinkClock a Clock (CloudWatch's
// alarm clock, which POST /_groundstack/clock drives).
const (
	LinkMetrics = "metrics"
	LinkClock   = "clock"
)

// Metrics is CloudWatch as in-process emitters use it (Lambda's AWS/Lambda
// metrics): a series is looked up once and then takes values cheaply.
type Metrics interface {
	// Series returns the metric named by region, namespace, name and
	// dimensions (in any order); values added to it are stamped with
	// CloudWatch's clock and aggregated per minute, as AWS's own metrics are.
	Series(region, namespace, name, unit string, dims ...MetricDimension) MetricSeries
}

// MetricSeries takes the values of one metric: Add costs a lock and no
// allocation, so a hot path may call it per request.
type MetricSeries interface {
	Add(value float64)
}

// MetricDimension is a metric's dimension.
type MetricDimension struct{ Name, Value string }

// MetricSampler is a service whose metrics CloudWatch samples, once a
// minute of its clock (SQS's ApproximateNumberOfMessagesVisible): put
// records one value of a metric.
type MetricSampler interface {
	SampleMetrics(put func(region, namespace, name, unit string, value float64, dims ...MetricDimension))
}

// Clock is the clock alarms are evaluated on: the emulator's clock plus an
// offset tests advance. Advancing or setting it evaluates alarms at once.
type Clock interface {
	Now() time.Time
	// Advance moves the clock forward by d (d > 0) and returns the new time.
	Advance(d time.Duration) time.Time
	// Set moves the clock to t (not before now) and returns it.
	Set(t time.Time) (time.Time, error)
}

// LinkMQTT names a MessageBroker: the embedded MQTT broker IoT Core uses.
const LinkMQTT = "mqtt"

// MessageBroker is the MQTT broker as services use it in-process: iot-data
// publishes and reads retained messages; IoT topic rules observe every
// accepted message and republish.
type MessageBroker interface {
	// Publish publishes as a client would, bypassing ACLs (iot-data's
	// Publish is authorised by IAM, not by the broker).
	Publish(m BrokerMessage) error
	// Republish publishes a message derived from another (a rule's
	// republish action); observers see it with ClientID RulesClientID.
	Republish(m BrokerMessage) error
	// Retained returns the retained message of a topic.
	Retained(topic string) (BrokerMessage, bool)
	// RetainedMessages lists every retained message.
	RetainedMessages() []BrokerMessage
	// Observe calls f with every message the broker accepts, on the
	// publisher's goroutine (f must not block for long); remove stops it.
	Observe(f func(BrokerMessage)) (remove func())
	// Address is the broker's TCP host:port ("" when it does not listen).
	Address() string
	// WebSocket serves MQTT over WebSockets (subprotocol "mqtt").
	WebSocket() http.Handler
	// SignedWebSocket serves MQTT over WebSockets to clients whose HTTP
	// request was SigV4-signed (AWS IoT's presigned /mqtt URLs): they
	// connect without a username or password.
	SignedWebSocket() http.Handler
	// ClearRetained removes every retained message (a reset).
	ClearRetained()
}

// RulesClientID is the ClientID of messages IoT rules republish.
const RulesClientID = "groundstack-rules"

// BrokerMessage is one MQTT message.
type BrokerMessage struct {
	Topic   string
	Payload []byte
	QoS     byte
	Retain  bool
	// ClientID and Username are the publishing client's ("" for messages
	// published in-process).
	ClientID, Username string
	Time               time.Time
}

// LinkDynamoDB names an ItemWriter (DynamoDB).
const LinkDynamoDB = "dynamodb"

// ItemWriter writes DynamoDB items for other services (IoT rules'
// dynamoDBv2 action). Errors carry DynamoDB's own codes
// (ResourceNotFoundException for a missing table, ValidationException for
// an item the table refuses).
type ItemWriter interface {
	// PutItem puts item, in DynamoDB JSON ({"id":{"S":"1"}}), as PutItem does.
	PutItem(region, table string, item []byte) error
}

// LinkFaults names the http.Handler of /_groundstack/faults (the
// emulator's fault rules).
const LinkFaults = "faults"

// LinkSnapshots names the http.Handler of /_groundstack/snapshot and
// /_groundstack/snapshot/load (the emulator's saved state).
const LinkSnapshots = "snapshots"

// LinkFaultPlanes names a FaultPlanes: the emulator's fault rules as the
// data planes that are not API operations consult them.
const LinkFaultPlanes = "faultplanes"

// The data planes a fault rule can target besides API operations (its
// "target" member; the default, "api", is every AWS API operation).
const (
	// PlaneColdStart is a Lambda function's new instance starting: latency
	// delays its start, crash makes its process exit before it is ready.
	PlaneColdStart = "cold-start"
	// PlaneInvoke is one invocation in a running Lambda instance: latency
	// delays it, crash makes the process exit mid-invoke.
	PlaneInvoke = "invoke"
	// PlaneDelivery is an event's delivery from S3, SNS, SQS or DynamoDB
	// Streams to its consumer: latency delays it.
	PlaneDelivery = "delivery"
	// PlaneSSH is an EC2 instance's host: drop makes it stop answering
	// (new connections fail, open ones are cut), latency delays each
	// connection.
	PlaneSSH = "ssh"
	// PlaneWebSocket is API Gateway's WebSocket connections: drop closes
	// them, latency delays the messages sent to them.
	PlaneWebSocket = "websocket"
)

// FaultHit is what a fault rule does to one event of a data plane.
type FaultHit struct {
	Rule  string        // the rule's id
	Delay time.Duration // wait this long first
	Drop  bool          // drop the connection, host or message
	Crash bool          // the function's process exits
}

// Sleep waits h's delay, or until ctx ends (then it returns ctx's error).
// A nil h waits nothing.
func (h *FaultHit) Sleep(ctx context.Context) error {
	if h == nil || h.Delay <= 0 {
		return nil
	}
	t := time.NewTimer(h.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FaultPlanes decides faults on the data planes.
type FaultPlanes interface {
	// Fault returns what the first rule targeting plane that matches
	// service, region and one of names (a function's, queue's, host's…
	// names and ARNs) does, or nil when none hits. With no rule set it costs
	// one atomic load.
	Fault(plane, service, region string, names ...string) *FaultHit
	// Dropped asks the same of the rules that drop only, and reports
	// whether one hits: the periodic check of open connections, which must
	// not count hits on (nor use up) the rules that only delay.
	Dropped(plane, service, region string, names ...string) bool
}

// DroppedOn asks the FaultPlanes in l whether a rule that drops hits
// (false when there is none).
func DroppedOn(l *Links, plane, service, region string, names ...string) bool {
	if fp, ok := l.Get(LinkFaultPlanes).(FaultPlanes); ok {
		return fp.Dropped(plane, service, region, names...)
	}
	return false
}

// FaultOn asks the FaultPlanes in l (nil when there is none, as in a
// service built alone in a unit test).
func FaultOn(l *Links, plane, service, region string, names ...string) *FaultHit {
	if fp, ok := l.Get(LinkFaultPlanes).(FaultPlanes); ok {
		return fp.Fault(plane, service, region, names...)
	}
	return nil
}

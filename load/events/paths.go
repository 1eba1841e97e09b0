package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
	"github.com/groundstack/groundstack/harness/deploy"
)

// The paths, in the order a run measures them.
const (
	PathS3Lambda    = "s3-lambda"    // S3 PutObject → notification → Lambda
	PathS3SQS       = "s3-sqs"       // S3 PutObject → notification → SQS (long-polling consumer)
	PathSNSSQS      = "sns-sqs"      // SNS Publish → SQS subscription (long-polling consumer)
	PathSNSLambda   = "sns-lambda"   // SNS Publish → Lambda subscription
	PathSQSLambda   = "sqs-lambda"   // SQS SendMessage → event source mapping → Lambda
	PathDDBLambda   = "ddb-lambda"   // DynamoDB PutItem → stream → event source mapping → Lambda
	PathSQSLongPoll = "sqs-longpoll" // SQS SendMessage → a waiting ReceiveMessage (the long-poll wake-up)
	// PathMQTTLambda is an MQTT publish (QoS 1, acknowledged by PUBACK) →
	// IoT topic rule → Lambda. Not in PathNames: it needs the cloud's
	// broker (Options.MQTT); ask for it with --paths mqtt-lambda.
	PathMQTTLambda = "mqtt-lambda"
)

// ProbeHandler is the probe function's package in the checkout.
const ProbeHandler = "handlers/eventprobe"

// PathNames are every path, in the order a run measures them.
var PathNames = []string{PathS3Lambda, PathS3SQS, PathSNSSQS, PathSNSLambda, PathSQSLambda, PathDDBLambda, PathSQSLongPoll}

// pathRoutes are the routes a path's events are expected through (as the
// probe reports them): a sighting through another is wired wrong.
var pathRoutes = map[string]string{
	PathS3Lambda: "s3", PathS3SQS: "s3>sqs", PathSNSSQS: "sns>sqs", PathSNSLambda: "sns",
	PathSQSLambda: "sqs", PathDDBLambda: "dynamodb", PathSQSLongPoll: "sqs",
	PathMQTTLambda: "", // a rule's SELECT output has no envelope to tell
}

// UsesProbe reports whether path's consumer is the probe function (which
// must reach the collector), rather than a queue consumer here.
func UsesProbe(path string) bool {
	switch path {
	case PathS3Lambda, PathSNSLambda, PathSQSLambda, PathDDBLambda, PathMQTTLambda:
		return true
	}
	return false
}

// Route is the route path's events are expected to be seen through.
func Route(path string) string { return pathRoutes[path] }

// Env is what paths share: the cloud, the run, the book and the collector.
type Env struct {
	Config aws.Config
	// Run names this run's resources and event IDs ([a-z0-9], short).
	Run  string
	Book *Book
	// CollectorURL is where probe functions report.
	CollectorURL string
	// Consumers is the number of long-polling receivers per queue (default 4).
	Consumers int
	// MQTT is the cloud's broker (the mqtt-lambda path).
	MQTT MQTTBroker

	probeOnce sync.Once
	probeZip  string
	probeSHA  string
	probeErr  error
}

// probe builds the probe function's zip once per run.
func (e *Env) probe(ctx context.Context) (zip, sha string, err error) {
	e.probeOnce.Do(func() { e.probeZip, e.probeSHA, e.probeErr = BuildProbe(ctx) })
	return e.probeZip, e.probeSHA, e.probeErr
}

// Path is one way an event travels: Setup creates its resources and
// consumers, Produce makes one event (returning when the producing call is
// acknowledged), Close removes what Setup made.
type Path interface {
	Name() string
	Setup(ctx context.Context, env *Env) error
	Produce(ctx context.Context, id string) error
	Close(ctx context.Context) error
}

// NewPath returns the path of that name.
func NewPath(name string) (Path, error) {
	var setup func(ctx context.Context, p *path) error
	switch name {
	case PathS3Lambda:
		setup = setupS3Lambda
	case PathS3SQS:
		setup = setupS3SQS
	case PathSNSSQS:
		setup = setupSNSSQS
	case PathSNSLambda:
		setup = setupSNSLambda
	case PathSQSLambda:
		setup = setupSQSLambda
	case PathDDBLambda:
		setup = setupDDBLambda
	case PathSQSLongPoll:
		setup = setupSQSLongPoll
	case PathMQTTLambda:
		setup = setupMQTTLambda
	default:
		return nil, fmt.Errorf("unknown path %q (paths: %s, %s)", name, strings.Join(PathNames, ", "), PathMQTTLambda)
	}
	return &path{name: name, setup: setup}, nil
}

// SetupError is a path whose resources could not be made: Step says which
// call failed.
type SetupError struct {
	Step string
	Err  error
}

func (e *SetupError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// path is every path: the setup makes its resources and sets produce.
type path struct {
	name    string
	setup   func(ctx context.Context, p *path) error
	env     *Env
	produce func(ctx context.Context, id string) error
	// cleanups run last first at Close.
	cleanups []func(ctx context.Context) error
	consumer *QueueConsumer
}

func (p *path) Name() string { return p.name }

func (p *path) Setup(ctx context.Context, env *Env) error {
	p.env = env
	return p.setup(ctx, p)
}

func (p *path) Produce(ctx context.Context, id string) error {
	if p.produce == nil {
		return errors.New(p.name + ": not set up")
	}
	return p.produce(ctx, id)
}

func (p *path) Close(ctx context.Context) error {
	if p.consumer != nil {
		p.consumer.Close()
	}
	var errs []error
	for i := len(p.cleanups) - 1; i >= 0; i-- {
		if err := p.cleanups[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	p.cleanups = nil
	return errors.Join(errs...)
}

func (p *path) cleanup(f func(ctx context.Context) error) { p.cleanups = append(p.cleanups, f) }

// resource is the name of one of the path's resources: gsbench-<run>-<path>[-suffix].
func (p *path) resource(suffix string) string {
	n := "gsbench-" + p.env.Run + "-" + p.name
	if suffix != "" {
		n += "-" + suffix
	}
	return n
}

func step(name string, err error) error {
	if err == nil {
		return nil
	}
	return &SetupError{Step: name, Err: err}
}

// function deploys the probe function for this path.
func (p *path) function(ctx context.Context) (arn string, err error) {
	zip, sha, err := p.env.probe(ctx)
	if err != nil {
		return "", err
	}
	name := p.resource("")
	arn, err = DeployProbe(ctx, p.env.Config, ProbeSpec{Name: name, ZipPath: zip, CodeSha256: sha, CollectorURL: p.env.CollectorURL})
	if err != nil {
		return "", err
	}
	lc := lambda.NewFromConfig(p.env.Config)
	p.cleanup(func(ctx context.Context) error {
		_, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: &name})
		return err
	})
	return arn, nil
}

// ProbeSpec is a probe function to deploy.
type ProbeSpec struct {
	Name string
	// ZipPath and CodeSha256 are the built probe (BuildProbe); built when empty.
	ZipPath, CodeSha256 string
	// CollectorURL is where it reports (Collector.URL).
	CollectorURL string
}

// BuildProbe builds the probe function's zip (cached by source hash).
func BuildProbe(ctx context.Context) (zip, sha string, err error) {
	zip, sha, err = deploy.BuildFlowHandler(ctx, ProbeHandler)
	return zip, sha, step("build "+ProbeHandler, err)
}

// DeployProbe creates (or updates) a probe function through the Lambda API
// and returns its ARN.
func DeployProbe(ctx context.Context, cfg aws.Config, s ProbeSpec) (string, error) {
	if s.ZipPath == "" {
		var err error
		if s.ZipPath, s.CodeSha256, err = BuildProbe(ctx); err != nil {
			return "", err
		}
	}
	arn, err := deploy.EnsureFunction(ctx, cfg, deploy.FunctionSpec{
		Name: s.Name, ZipPath: s.ZipPath, CodeSha256: s.CodeSha256, Timeout: 30 * time.Second,
		Environment: map[string]string{trace.EnvCollector: s.CollectorURL},
		Description: "groundstack event-freshness probe",
	})
	return arn, step("deploy the probe function", err)
}

// allowInvoke lets a service principal invoke the function (as AWS needs
// before S3 or SNS will).
func (p *path) allowInvoke(ctx context.Context, function, principal, source string) error {
	_, err := lambda.NewFromConfig(p.env.Config).AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: &function, StatementId: aws.String("gsbench-" + strings.ReplaceAll(principal, ".", "-")),
		Action: aws.String("lambda:InvokeFunction"), Principal: &principal, SourceArn: &source,
	})
	return step("AddPermission for "+principal, err)
}

// queue creates a queue and returns its URL and ARN.
func (p *path) queue(ctx context.Context, suffix string, attrs map[string]string) (url, arn string, err error) {
	c := sqs.NewFromConfig(p.env.Config)
	name := p.resource(suffix)
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
	if err != nil {
		return "", "", step("CreateQueue", err)
	}
	url = aws.ToString(out.QueueUrl)
	p.cleanup(func(ctx context.Context) error {
		_, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url})
		return err
	})
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", "", step("GetQueueAttributes", err)
	}
	return url, got.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
}

// allowSend gives a queue a policy letting a service principal send to it
// from source (an S3 bucket or SNS topic).
func (p *path) allowSend(ctx context.Context, queueURL, queueARN, principal, source string) error {
	policy, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect": "Allow", "Principal": map[string]string{"Service": principal}, "Action": "sqs:SendMessage",
			"Resource": queueARN, "Condition": map[string]any{"ArnEquals": map[string]string{"aws:SourceArn": source}},
		}},
	})
	_, err := sqs.NewFromConfig(p.env.Config).SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: &queueURL, Attributes: map[string]string{"Policy": string(policy)},
	})
	return step("SetQueueAttributes Policy", err)
}

// consume starts the long-polling consumers of a queue.
func (p *path) consume(url string) {
	p.consumer = StartQueueConsumer(p.env.Config, url, p.env.Book, p.env.Consumers)
}

// bucket creates a bucket and returns its name.
func (p *path) bucket(ctx context.Context) (string, error) {
	c := s3.NewFromConfig(p.env.Config)
	name := p.resource("")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		return "", step("CreateBucket", err)
	}
	p.cleanup(func(ctx context.Context) error { return emptyAndDeleteBucket(ctx, c, name) })
	p.produce = func(ctx context.Context, id string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &name, Key: &id, Body: strings.NewReader(id)})
		return err
	}
	return name, nil
}

func emptyAndDeleteBucket(ctx context.Context, c *s3.Client, bucket string) error {
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &bucket})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return err
		}
		if len(page.Contents) == 0 {
			break
		}
		ids := make([]s3types.ObjectIdentifier, len(page.Contents))
		for i, o := range page.Contents {
			ids[i] = s3types.ObjectIdentifier{Key: o.Key}
		}
		if _, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}}); err != nil {
			return err
		}
	}
	_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	return err
}

func (p *path) notify(ctx context.Context, bucket string, nc *s3types.NotificationConfiguration) error {
	_, err := s3.NewFromConfig(p.env.Config).PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: &bucket, NotificationConfiguration: nc,
	})
	return step("PutBucketNotificationConfiguration", err)
}

var objectCreated = []s3types.Event{"s3:ObjectCreated:*"}

func setupS3Lambda(ctx context.Context, p *path) error {
	fn, err := p.function(ctx)
	if err != nil {
		return err
	}
	bucket, err := p.bucket(ctx)
	if err != nil {
		return err
	}
	if err := p.allowInvoke(ctx, fn, "s3.amazonaws.com", "arn:aws:s3:::"+bucket); err != nil {
		return err
	}
	return p.notify(ctx, bucket, &s3types.NotificationConfiguration{
		LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{LambdaFunctionArn: &fn, Events: objectCreated}},
	})
}

func setupS3SQS(ctx context.Context, p *path) error {
	url, arn, err := p.queue(ctx, "", nil)
	if err != nil {
		return err
	}
	bucket, err := p.bucket(ctx)
	if err != nil {
		return err
	}
	if err := p.allowSend(ctx, url, arn, "s3.amazonaws.com", "arn:aws:s3:::"+bucket); err != nil {
		return err
	}
	if err := p.notify(ctx, bucket, &s3types.NotificationConfiguration{
		QueueConfigurations: []s3types.QueueConfiguration{{QueueArn: &arn, Events: objectCreated}},
	}); err != nil {
		return err
	}
	p.consume(url)
	return nil
}

// topic creates a topic and makes Publish the path's producer.
func (p *path) topic(ctx context.Context) (string, error) {
	c := sns.NewFromConfig(p.env.Config)
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(p.resource(""))})
	if err != nil {
		return "", step("CreateTopic", err)
	}
	arn := aws.ToString(out.TopicArn)
	p.cleanup(func(ctx context.Context) error {
		_, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: &arn})
		return err
	})
	p.produce = func(ctx context.Context, id string) error {
		_, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &arn, Message: &id})
		return err
	}
	return arn, nil
}

func (p *path) subscribe(ctx context.Context, topic, protocol, endpoint string) error {
	_, err := sns.NewFromConfig(p.env.Config).Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: &topic, Protocol: &protocol, Endpoint: &endpoint, ReturnSubscriptionArn: true,
	})
	return step("Subscribe "+protocol, err)
}

func setupSNSSQS(ctx context.Context, p *path) error {
	url, arn, err := p.queue(ctx, "", nil)
	if err != nil {
		return err
	}
	topic, err := p.topic(ctx)
	if err != nil {
		return err
	}
	if err := p.allowSend(ctx, url, arn, "sns.amazonaws.com", topic); err != nil {
		return err
	}
	if err := p.subscribe(ctx, topic, "sqs", arn); err != nil {
		return err
	}
	p.consume(url)
	return nil
}

func setupSNSLambda(ctx context.Context, p *path) error {
	fn, err := p.function(ctx)
	if err != nil {
		return err
	}
	topic, err := p.topic(ctx)
	if err != nil {
		return err
	}
	if err := p.allowInvoke(ctx, fn, "sns.amazonaws.com", topic); err != nil {
		return err
	}
	return p.subscribe(ctx, topic, "lambda", fn)
}

// sendTo makes SendMessage to a queue the path's producer.
func (p *path) sendTo(url string) {
	c := sqs.NewFromConfig(p.env.Config)
	p.produce = func(ctx context.Context, id string) error {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &id})
		return err
	}
}

// mapping creates an event source mapping and waits until it is Enabled.
func (p *path) mapping(ctx context.Context, in *lambda.CreateEventSourceMappingInput) error {
	uuid, err := CreateMapping(ctx, p.env.Config, in)
	if uuid != "" {
		c := lambda.NewFromConfig(p.env.Config)
		p.cleanup(func(ctx context.Context) error {
			_, err := c.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: &uuid})
			return err
		})
	}
	return err
}

// CreateMapping creates an event source mapping and waits (up to a minute)
// until it is Enabled; it returns the mapping's UUID, also when the wait
// fails, so the caller can delete it.
func CreateMapping(ctx context.Context, cfg aws.Config, in *lambda.CreateEventSourceMappingInput) (uuid string, err error) {
	c := lambda.NewFromConfig(cfg)
	out, err := c.CreateEventSourceMapping(ctx, in)
	if err != nil {
		return "", step("CreateEventSourceMapping", err)
	}
	uuid = aws.ToString(out.UUID)
	state := aws.ToString(out.State)
	wait := time.NewTimer(time.Minute)
	defer wait.Stop()
	for state != "Enabled" {
		select {
		case <-ctx.Done():
			return uuid, step("wait for the event source mapping", ctx.Err())
		case <-wait.C:
			return uuid, step("wait for the event source mapping", fmt.Errorf("still %s after a minute", state))
		case <-time.After(100 * time.Millisecond):
		}
		got, err := c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: &uuid})
		if err != nil {
			return uuid, step("GetEventSourceMapping", err)
		}
		state = aws.ToString(got.State)
		if state == "Disabled" || strings.HasSuffix(state, "Failed") {
			return uuid, step("wait for the event source mapping", fmt.Errorf("state %s (%s)", state, aws.ToString(got.StateTransitionReason)))
		}
	}
	return uuid, nil
}

func setupSQSLambda(ctx context.Context, p *path) error {
	fn, err := p.function(ctx)
	if err != nil {
		return err
	}
	// the queue's visibility timeout must cover the function's timeout
	url, arn, err := p.queue(ctx, "", map[string]string{"VisibilityTimeout": "60"})
	if err != nil {
		return err
	}
	p.sendTo(url)
	return p.mapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: &fn, EventSourceArn: &arn, BatchSize: aws.Int32(10), MaximumBatchingWindowInSeconds: aws.Int32(0),
	})
}

func setupDDBLambda(ctx context.Context, p *path) error {
	fn, err := p.function(ctx)
	if err != nil {
		return err
	}
	c := dynamodb.NewFromConfig(p.env.Config)
	table := p.resource("")
	out, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            &table,
		AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dtypes.ScalarAttributeTypeS}},
		KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dtypes.KeyTypeHash}},
		BillingMode:          dtypes.BillingModePayPerRequest,
		StreamSpecification:  &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeNewImage},
	})
	if err != nil {
		return step("CreateTable with a stream", err)
	}
	p.cleanup(func(ctx context.Context) error {
		_, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &table})
		return err
	})
	if err := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 2*time.Second
	}).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &table}, 2*time.Minute); err != nil {
		return step("wait for the table", err)
	}
	stream := aws.ToString(out.TableDescription.LatestStreamArn)
	if stream == "" {
		return step("CreateTable with a stream", errors.New("the table has no LatestStreamArn"))
	}
	p.produce = func(ctx context.Context, id string) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]dtypes.AttributeValue{
			"id": &dtypes.AttributeValueMemberS{Value: id},
		}})
		return err
	}
	return p.mapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: &fn, EventSourceArn: &stream, BatchSize: aws.Int32(100), MaximumBatchingWindowInSeconds: aws.Int32(0),
		StartingPosition: ltypes.EventSourcePositionLatest,
	})
}

func setupSQSLongPoll(ctx context.Context, p *path) error {
	url, _, err := p.queue(ctx, "", nil)
	if err != nil {
		return err
	}
	p.sendTo(url)
	p.consume(url)
	return nil
}

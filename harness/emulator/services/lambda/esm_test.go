package lambda_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// esmCloud is an emulator with the clients event source mapping tests use.
type esmCloud struct {
	e   *emulator.Emulator
	fn  *awslambda.Client
	sqs *sqs.Client
	ddb *dynamodb.Client
}

func startESM(t *testing.T) *esmCloud {
	t.Helper()
	e, cfg := emutest.Start(t)
	return &esmCloud{e: e, fn: awslambda.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg), ddb: dynamodb.NewFromConfig(cfg)}
}

// queue creates a queue and returns its URL and ARN.
func (c *esmCloud) queue(t *testing.T, name string, attrs map[string]string) (string, string) {
	t.Helper()
	out, err := c.sqs.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl, "arn:aws:sqs:us-east-1:000000000000:" + name
}

// table creates a table with a NEW_IMAGE stream and returns the stream's ARN.
func (c *esmCloud) table(t *testing.T, name string) string {
	t.Helper()
	out, err := c.ddb.CreateTable(bg, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage},
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.TableDescription.LatestStreamArn
}

// waitState polls GetEventSourceMapping until the mapping is in state.
func (c *esmCloud) waitState(t *testing.T, uuid, state string) *awslambda.GetEventSourceMappingOutput {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, err := c.fn.GetEventSourceMapping(bg, &awslambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.State) == state {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("mapping %s is %s, want %s", uuid, aws.ToString(out.State), state)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEventSourceMappingLifecycle(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	fn := createFn(t, c.fn)
	_, qARN := c.queue(t, "esm-life", nil)

	created, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(fn), EventSourceArn: aws.String(qARN),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.UUID)
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:" + fn
	if aws.ToString(created.State) != "Creating" || aws.ToInt32(created.BatchSize) != 10 || aws.ToString(created.FunctionArn) != fnARN ||
		aws.ToString(created.EventSourceArn) != qARN || aws.ToString(created.StateTransitionReason) != "USER_INITIATED" ||
		aws.ToString(created.EventSourceMappingArn) != "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:"+id ||
		aws.ToInt32(created.MaximumBatchingWindowInSeconds) != 0 || created.LastModified == nil || created.StartingPosition != "" {
		t.Fatalf("created %+v", created)
	}
	c.waitState(t, id, "Enabled")
	esmARN := created.EventSourceMappingArn
	if _, err := c.fn.TagResource(bg, &awslambda.TagResourceInput{Resource: esmARN, Tags: map[string]string{"team": "orders", "tmp": "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.fn.UntagResource(bg, &awslambda.UntagResourceInput{Resource: esmARN, TagKeys: []string{"tmp"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.fn.ListTags(bg, &awslambda.ListTagsInput{Resource: esmARN})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "orders" {
		t.Fatalf("mapping tags: %v %v", err, tags)
	}

	_, err = c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(qARN)})
	wantCode(t, err, "ResourceConflictException", fmt.Sprintf(`An event source mapping with SQS arn (" %s ") and function (" %s ") already exists. Please update or delete the existing mapping with UUID %s`, qARN, fn, id))

	// A second mapping (another queue) for paging and filters.
	_, q2 := c.queue(t, "esm-life-2", nil)
	if _, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fnARN), EventSourceArn: aws.String(q2), BatchSize: aws.Int32(5)}); err != nil {
		t.Fatal(err)
	}
	all, err := c.fn.ListEventSourceMappings(bg, &awslambda.ListEventSourceMappingsInput{FunctionName: aws.String(fn)})
	if err != nil || len(all.EventSourceMappings) != 2 {
		t.Fatalf("list by function: %v %+v", err, all)
	}
	bySource, err := c.fn.ListEventSourceMappings(bg, &awslambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(qARN)})
	if err != nil || len(bySource.EventSourceMappings) != 1 || aws.ToString(bySource.EventSourceMappings[0].UUID) != id {
		t.Fatalf("list by source: %v %+v", err, bySource)
	}
	var paged []string
	pages := awslambda.NewListEventSourceMappingsPaginator(c.fn, &awslambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(1)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range p.EventSourceMappings {
			paged = append(paged, aws.ToString(m.UUID))
		}
	}
	if len(paged) != 2 {
		t.Fatalf("paged %v, want 2 mappings one per page", paged)
	}

	up, err := c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: aws.String(id), Enabled: aws.Bool(false)})
	if err != nil || aws.ToString(up.State) != "Disabling" {
		t.Fatalf("disable: %v %+v", err, up)
	}
	c.waitState(t, id, "Disabled")
	up, err = c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: aws.String(id), Enabled: aws.Bool(true),
		BatchSize: aws.Int32(100), MaximumBatchingWindowInSeconds: aws.Int32(1),
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
		ScalingConfig:         &types.ScalingConfig{MaximumConcurrency: aws.Int32(2)}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.State) != "Enabling" || aws.ToInt32(up.BatchSize) != 100 || len(up.FunctionResponseTypes) != 1 ||
		aws.ToInt32(up.ScalingConfig.MaximumConcurrency) != 2 {
		t.Fatalf("enable: %v %+v", err, up)
	}
	c.waitState(t, id, "Enabled")
	up, err = c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: aws.String(id), BatchSize: aws.Int32(5)})
	if err != nil || aws.ToString(up.State) != "Updating" {
		t.Fatalf("update: %v %+v", err, up)
	}
	_, err = c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: aws.String(id), BatchSize: aws.Int32(20), MaximumBatchingWindowInSeconds: aws.Int32(0)})
	wantCode(t, err, "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")

	del, err := c.fn.DeleteEventSourceMapping(bg, &awslambda.DeleteEventSourceMappingInput{UUID: aws.String(id)})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("delete: %v %v", err, del)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err = c.fn.GetEventSourceMapping(bg, &awslambda.GetEventSourceMappingInput{UUID: aws.String(id)})
		if err != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
	_, err = c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: aws.String(id), Enabled: aws.Bool(true)})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
	_, err = c.fn.DeleteEventSourceMapping(bg, &awslambda.DeleteEventSourceMappingInput{UUID: aws.String(id)})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")

	// A reset deletes every mapping.
	resp, err := http.Post(c.e.URL()+"/_groundstack/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	left, err := c.fn.ListEventSourceMappings(bg, &awslambda.ListEventSourceMappingsInput{})
	if err != nil || len(left.EventSourceMappings) != 0 {
		t.Fatalf("after reset: %v %+v", err, left)
	}
}

func TestEventSourceMappingStreamDefaults(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	fn := createFn(t, c.fn)
	stream := c.table(t, "esm-defaults")
	_, dlq := c.queue(t, "esm-defaults-dlq", nil)
	out, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(fn), EventSourceArn: aws.String(stream), StartingPosition: types.EventSourcePositionTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.BatchSize) != 100 || aws.ToInt32(out.MaximumRetryAttempts) != -1 || aws.ToInt32(out.MaximumRecordAgeInSeconds) != -1 ||
		aws.ToBool(out.BisectBatchOnFunctionError) || aws.ToInt32(out.ParallelizationFactor) != 1 || out.StartingPosition != types.EventSourcePositionTrimHorizon ||
		aws.ToString(out.LastProcessingResult) != "No records processed" || aws.ToString(out.StateTransitionReason) != "User action" ||
		out.DestinationConfig == nil || out.DestinationConfig.OnFailure == nil || aws.ToString(out.State) != "Creating" {
		t.Fatalf("created %+v", out)
	}
	_, err = c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(fn), EventSourceArn: aws.String(stream), StartingPosition: types.EventSourcePositionLatest,
	})
	wantCode(t, err, "ResourceConflictException", fmt.Sprintf(`The event source arn (" %s ") and function (" %s ") provided mapping already exists. Please update or delete the existing mapping with UUID %s`, stream, fn, aws.ToString(out.UUID)))
	up, err := c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: out.UUID, MaximumRetryAttempts: aws.Int32(3),
		BisectBatchOnFunctionError: aws.Bool(true), MaximumRecordAgeInSeconds: aws.Int32(3600),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(dlq)}}})
	if err != nil || aws.ToInt32(up.MaximumRetryAttempts) != 3 || !aws.ToBool(up.BisectBatchOnFunctionError) || aws.ToInt32(up.MaximumRecordAgeInSeconds) != 3600 ||
		aws.ToString(up.DestinationConfig.OnFailure.Destination) != dlq {
		t.Fatalf("update: %v %+v", err, up)
	}
}

func TestEventSourceMappingValidation(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	fn := createFn(t, c.fn)
	_, q := c.queue(t, "esm-valid", nil)
	_, fifo := c.queue(t, "esm-valid.fifo", map[string]string{"FifoQueue": "true"})
	stream := c.table(t, "esm-valid")
	pattern := func(p string) *types.FilterCriteria {
		return &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(p)}}}
	}
	for _, tc := range []struct {
		name      string
		in        awslambda.CreateEventSourceMappingInput
		code, msg string
	}{
		{"missing function", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String("nope"), EventSourceArn: aws.String(q)},
			"InvalidParameterValueException", "Function does not exist"},
		{"missing queue", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(q + "-gone")},
			"InvalidParameterValueException", "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist for this wsdl version."},
		{"missing stream", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(stream + "x"), StartingPosition: types.EventSourcePositionLatest},
			"InvalidParameterValueException", "Stream not found: " + stream + "x"},
		{"batch over 10 without a window", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(q), BatchSize: aws.Int32(11)},
			"InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"},
		{"batch over 10000", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(q), BatchSize: aws.Int32(10001), MaximumBatchingWindowInSeconds: aws.Int32(1)},
			"ValidationException", "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"FIFO batch over 10", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(fifo), BatchSize: aws.Int32(11), MaximumBatchingWindowInSeconds: aws.Int32(1)},
			"InvalidParameterValueException", "Batch size must not exceed 10 for FIFO queues."},
		{"stream without a starting position", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(stream)},
			"InvalidParameterValueException", "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."},
		{"stream at a timestamp", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(stream), StartingPosition: types.EventSourcePositionAtTimestamp, StartingPositionTimestamp: aws.Time(time.Now())},
			"InvalidParameterValueException", "Unsupported starting position for arn type: " + stream},
		{"queue with a starting position", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(q), StartingPosition: types.EventSourcePositionLatest},
			"InvalidParameterValueException", "Unsupported StartingPosition parameter for given event source mapping type."},
		{"queue with a destination", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(q), DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(q)}}},
			"InvalidParameterValueException", "Unsupported DestinationConfig parameter for given event source mapping type."},
		{"stream with OnSuccess", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(stream), StartingPosition: types.EventSourcePositionLatest, DestinationConfig: &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String(q)}}},
			"InvalidParameterValueException", "Unsupported DestinationConfig parameter for given event source mapping type."},
		{"bad filter", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(q), FilterCriteria: pattern(`{"body":"x"}`)},
			"InvalidParameterValueException", "Invalid filter pattern definition."},
		{"maximum concurrency 1", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(q), ScalingConfig: &types.ScalingConfig{MaximumConcurrency: aws.Int32(1)}},
			"ValidationException", "Member must have value greater than or equal to 2"},
		{"bad response type", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(q), FunctionResponseTypes: []types.FunctionResponseType{"Everything"}},
			"ValidationException", "Member must satisfy enum value set: [ReportBatchItemFailures]"},
		{"record age under a minute", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(stream), StartingPosition: types.EventSourcePositionLatest, MaximumRecordAgeInSeconds: aws.Int32(10)},
			"ValidationException", "Member must have value greater than or equal to 60"},
		{"kinesis", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), StartingPosition: types.EventSourcePositionLatest},
			"InvalidParameterValueException", "groundstack does not support kinesis event source mappings"},
		{"unknown source", awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String("arn:aws:s3:::bucket")},
			"InvalidParameterValueException", "Unrecognized event source, must be kinesis, dynamodb stream or sqs."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.fn.CreateEventSourceMapping(bg, &tc.in)
			wantCode(t, err, tc.code, tc.msg)
		})
	}
	_, err := c.fn.GetEventSourceMapping(bg, &awslambda.GetEventSourceMappingInput{UUID: aws.String("6d4f2a4e-0000-4000-8000-000000000000")})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
}

func TestEventSourceMappingCLI(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	fn := createFn(t, c.fn)
	_, q := c.queue(t, "esm-cli", nil)
	out, errOut, code := emutest.CLI(t, c.e.URL(), "lambda", "create-event-source-mapping", "--function-name", fn,
		"--event-source-arn", q, "--batch-size", "5", "--function-response-types", "ReportBatchItemFailures",
		"--filter-criteria", `{"Filters":[{"Pattern":"{\"body\":{\"kind\":[\"order\"]}}"}]}`)
	if code != 0 {
		t.Fatalf("create-event-source-mapping: %d %s", code, errOut)
	}
	var m struct {
		UUID, State, FunctionArn string
		BatchSize                int
		FunctionResponseTypes    []string
		FilterCriteria           struct{ Filters []struct{ Pattern string } }
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.State != "Creating" || m.BatchSize != 5 ||
		len(m.FunctionResponseTypes) != 1 || len(m.FilterCriteria.Filters) != 1 || m.FilterCriteria.Filters[0].Pattern != `{"body":{"kind":["order"]}}` {
		t.Fatalf("create-event-source-mapping: %s", out)
	}
	c.waitState(t, m.UUID, "Enabled")
	_, errOut, code = emutest.CLI(t, c.e.URL(), "lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn", q)
	if code == 0 || !strings.Contains(errOut, "ResourceConflictException") {
		t.Fatalf("second mapping: %d %s", code, errOut)
	}
}

// A deleted queue or function leaves the mapping in place with the
// problem in LastProcessingResult.
func TestEventSourceMappingProblems(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	svc := service(t, c.e)
	svc.TuneEventSources(time.Millisecond)
	waitResult := func(uuid, want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			out, err := c.fn.GetEventSourceMapping(bg, &awslambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.LastProcessingResult) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("LastProcessingResult %q, want %q", aws.ToString(out.LastProcessingResult), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	fn := createFn(t, c.fn)
	qURL, qARN := c.queue(t, "esm-problem", nil)
	m, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(qARN)})
	if err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m.UUID), "Enabled")
	if _, err := c.sqs.DeleteQueue(bg, &sqs.DeleteQueueInput{QueueUrl: aws.String(qURL)}); err != nil {
		t.Fatal(err)
	}
	waitResult(aws.ToString(m.UUID), "PROBLEM: Queue does not exist.")

	gone := createFn(t, c.fn)
	q2URL, q2ARN := c.queue(t, "esm-problem-2", nil)
	m2, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(gone), EventSourceArn: aws.String(q2ARN)})
	if err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m2.UUID), "Enabled")
	if _, err := c.fn.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(gone)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sqs.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(q2URL), MessageBody: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	waitResult(aws.ToString(m2.UUID), "PROBLEM: Function not found.")
	attrs, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q2URL), AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible"}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Fatalf("the message the function never saw must stay in the queue: %v %v", err, attrs.Attributes)
	}
}

// Close stops every poller: a message sent after it stays in the queue.
func TestEventSourceMappingCloseStopsPolling(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	fn := createFn(t, c.fn)
	qURL, qARN := c.queue(t, "esm-close", nil)
	m, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(qARN)})
	if err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m.UUID), "Enabled")
	done := make(chan error, 1)
	go func() { done <- service(t, c.e).Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return: a poller is still running")
	}
	if _, err := c.sqs.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(qURL), MessageBody: aws.String("after close")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	attrs, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(qURL), AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages"}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("a closed service still polls: %v %v", err, attrs.Attributes)
	}
}

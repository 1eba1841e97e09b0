package lambda_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// esmEvents is how many events the end-to-end tests send one at a time
// (raise it to measure freshness: go test -v -run ESMEndToEnd . -args -esm.events=300).
var esmEvents = flag.Int("esm.events", 15, "events each event source mapping end-to-end test sends")

// batchReport is what testfn sends to TESTFN_REPORT_QUEUE per batch.
type batchReport struct {
	Start   int64 `json:"start"`
	Records []struct {
		MessageID string          `json:"messageId"`
		Body      string          `json:"body"`
		Keys      json.RawMessage `json:"keys"`
		EventName string          `json:"eventName"`
	} `json:"records"`
}

// reporter is a function whose handler reports its batches to a queue.
type reporter struct {
	c      *esmCloud
	fn     string
	url    string
	starts map[string][]time.Time // record id → each handler start that saw it
}

func (c *esmCloud) reporter(t *testing.T, name string) *reporter {
	url, _ := c.queue(t, name+"-report", nil)
	fn := createFn(t, c.fn, withSDK, func(in *awslambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"TESTFN_REPORT_QUEUE": url}}
	})
	return &reporter{c: c, fn: fn, url: url, starts: map[string][]time.Time{}}
}

// await reads reports until id was seen (bounded), keyed by idOf.
func (r *reporter) await(t *testing.T, id string, idOf func(rec batchReportRecord) string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(r.starts[id]) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("record %s never reached the handler", id)
		}
		r.read(t, 2, idOf)
	}
}

type batchReportRecord = struct {
	MessageID string          `json:"messageId"`
	Body      string          `json:"body"`
	Keys      json.RawMessage `json:"keys"`
	EventName string          `json:"eventName"`
}

// read receives one round of reports (waiting up to wait seconds).
func (r *reporter) read(t *testing.T, wait int32, idOf func(rec batchReportRecord) string) int {
	t.Helper()
	out, err := r.c.sqs.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: aws.String(r.url), MaxNumberOfMessages: 10, WaitTimeSeconds: wait})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range out.Messages {
		var rep batchReport
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &rep); err != nil {
			t.Fatalf("report %s: %v", aws.ToString(m.Body), err)
		}
		for _, rec := range rep.Records {
			id := idOf(rec)
			r.starts[id] = append(r.starts[id], time.Unix(0, rep.Start))
		}
		r.c.sqs.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: aws.String(r.url), ReceiptHandle: m.ReceiptHandle})
	}
	return len(out.Messages)
}

// freshness logs the percentiles of handler start − acknowledgement.
func freshness(t *testing.T, path string, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("%s → handler start over %d events at idle: p50 %v, p99 %v, max %v", path, len(lat), pct(0.50), pct(0.99), lat[len(lat)-1])
}

func TestESMEndToEndSQS(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	r := c.reporter(t, "e2e-sqs")
	srcURL, srcARN := c.queue(t, "e2e-sqs-src", nil)
	m, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(r.fn), EventSourceArn: aws.String(srcARN)})
	if err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m.UUID), "Enabled")
	byBody := func(rec batchReportRecord) string { return rec.Body }
	send := func(body string) time.Time {
		if _, err := c.sqs.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(srcURL), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
		return time.Now()
	}
	send("warm-up") // the first event starts the function's instance
	r.await(t, "warm-up", byBody)
	var lat []time.Duration
	for i := 0; i < *esmEvents; i++ {
		body := "m" + strconv.Itoa(i)
		acked := send(body)
		r.await(t, body, byBody)
		lat = append(lat, max(0, r.starts[body][0].Sub(acked)))
	}
	// Disabled, the mapping leaves new messages in the queue; enabled
	// again, it delivers them.
	if _, err := c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m.UUID), "Disabled")
	send("while-disabled")
	if r.read(t, 1, byBody) != 0 {
		t.Fatalf("a disabled mapping delivered: %v", r.starts)
	}
	if _, err := c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	r.await(t, "while-disabled", byBody)
	for r.read(t, 1, byBody) > 0 {
	}
	for body, starts := range r.starts {
		if len(starts) != 1 {
			t.Errorf("message %s reached the handler %d times", body, len(starts))
		}
	}
	attrs, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(srcURL), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("source queue after delivery: %v %v", err, attrs.Attributes)
	}
	got, _ := c.fn.GetEventSourceMapping(bg, &awslambda.GetEventSourceMappingInput{UUID: m.UUID})
	if aws.ToString(got.LastProcessingResult) != "OK" {
		t.Errorf("LastProcessingResult %q", aws.ToString(got.LastProcessingResult))
	}
	freshness(t, "SQS SendMessage", lat)
}

// streamMapping makes a table whose stream feeds a reporter function (from
// the trim horizon, ten records a batch) and waits for the mapping to be
// Enabled; put writes an item of that id and answers when its write was
// acknowledged.
func (c *esmCloud) streamMapping(t *testing.T, name string) (*reporter, *awslambda.CreateEventSourceMappingOutput, func(id string) time.Time) {
	t.Helper()
	r := c.reporter(t, name)
	stream := c.table(t, name)
	m, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(r.fn), EventSourceArn: aws.String(stream),
		StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m.UUID), "Enabled")
	put := func(id string) time.Time {
		if _, err := c.ddb.PutItem(bg, &dynamodb.PutItemInput{TableName: aws.String(name),
			Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}}}); err != nil {
			t.Fatal(err)
		}
		return time.Now()
	}
	return r, m, put
}

// recordID is the id key of a stream record a reporter saw.
func recordID(rec batchReportRecord) string {
	var k struct {
		ID struct{ S string } `json:"id"`
	}
	json.Unmarshal(rec.Keys, &k)
	return k.ID.S
}

func TestESMEndToEndDynamoDBStreams(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	r, m, put := c.streamMapping(t, "e2e-ddb")
	byKey := recordID
	put("warm-up")
	r.await(t, "warm-up", byKey)
	var lat []time.Duration
	for i := 0; i < *esmEvents; i++ {
		id := fmt.Sprintf("k%04d", i)
		acked := put(id)
		r.await(t, id, byKey)
		lat = append(lat, max(0, r.starts[id][0].Sub(acked)))
	}
	// Disabled, the mapping keeps its place in the stream; enabled again,
	// it goes on from there.
	if _, err := c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m.UUID), "Disabled")
	put("while-disabled")
	if r.read(t, 1, byKey) != 0 {
		t.Fatalf("a disabled mapping delivered: %v", r.starts)
	}
	if _, err := c.fn.UpdateEventSourceMapping(bg, &awslambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	r.await(t, "while-disabled", byKey)
	for r.read(t, 1, byKey) > 0 {
	}
	for id, starts := range r.starts {
		if len(starts) != 1 {
			t.Errorf("record %s reached the handler %d times", id, len(starts))
		}
	}
	got, _ := c.fn.GetEventSourceMapping(bg, &awslambda.GetEventSourceMappingInput{UUID: m.UUID})
	if aws.ToString(got.LastProcessingResult) != "OK" {
		t.Errorf("LastProcessingResult %q", aws.ToString(got.LastProcessingResult))
	}
	freshness(t, "DynamoDB PutItem", lat)
}

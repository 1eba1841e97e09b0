package lambda_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	lambdasvc "github.com/groundstack/groundstack/harness/emulator/services/lambda"
)

// addFault adds a fault rule through /_groundstack/faults, as a user would.
func addFault(t *testing.T, e *emulator.Emulator, rule string) {
	t.Helper()
	resp, err := http.Post(e.URL()+"/_groundstack/faults", "application/json", strings.NewReader(rule))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("add fault %s: %d %s", rule, resp.StatusCode, b)
	}
}

// faultHits reads how many events the rule id hit.
func faultHits(t *testing.T, e *emulator.Emulator, id string) int {
	t.Helper()
	resp, err := http.Get(e.URL() + "/_groundstack/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Faults []struct {
			ID   string `json:"id"`
			Hits int    `json:"hits"`
		} `json:"faults"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Faults {
		if r.ID == id {
			return r.Hits
		}
	}
	t.Fatalf("no rule %s", id)
	return 0
}

// runtimeExit reads an invocation's error document and checks it is AWS's
// answer for a runtime that exited: 200, Unhandled, Runtime.ExitError.
func runtimeExit(t *testing.T, out *awslambda.InvokeOutput, wantMessage string) {
	t.Helper()
	var doc struct {
		Type    string `json:"errorType"`
		Message string `json:"errorMessage"`
	}
	if err := json.Unmarshal(out.Payload, &doc); err != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || doc.Type != "Runtime.ExitError" ||
		!regexp.MustCompile(wantMessage).MatchString(doc.Message) {
		t.Fatalf("want a runtime exit (%s), got %d %q %s", wantMessage, out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}
}

func tail(in *awslambda.InvokeInput) { in.LogType = types.LogTypeTail }

func decodeTail(t *testing.T, out *awslambda.InvokeOutput) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A cold-start fault's delay is part of the init: the first invocation
// takes at least that long and reports it as Init Duration; the warm one
// after it is not delayed (times: 1).
func TestFaultColdStartDelayed(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	addFault(t, e, `{"id":"slow-init","target":"cold-start","service":"lambda","resource":"`+name+`","latency":"1500ms","times":1}`)
	began := time.Now()
	out := invoke(t, c, name, `{"mode":"echo"}`, tail)
	took := time.Since(began)
	if out.FunctionError != nil || took < 1500*time.Millisecond {
		t.Fatalf("cold start under a 1.5 s fault: %v %s, took %v", aws.ToString(out.FunctionError), out.Payload, took)
	}
	log := decodeTail(t, out)
	m := regexp.MustCompile(`Init Duration: ([0-9.]+) ms`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("no Init Duration in %s", log)
	}
	var ms float64
	fmt.Sscan(m[1], &ms)
	if ms < 1500 {
		t.Fatalf("Init Duration %v ms, want the fault's 1500 ms in it", ms)
	}
	if out := invoke(t, c, name, `{"mode":"echo"}`, tail); strings.Contains(decodeTail(t, out), "Init Duration") {
		t.Fatal("the second invocation started a new instance")
	}
	if n := faultHits(t, e, "slow-init"); n != 1 {
		t.Fatalf("the rule hit %d cold starts, want 1", n)
	}
}

// A cold-start delay counts against the init limit, as a slow init does.
func TestFaultColdStartDelayPastInitTimeout(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	service(t, e).Tune(lambdasvc.Tuning{InitTimeout: time.Second})
	name := createFn(t, c)
	addFault(t, e, `{"target":"cold-start","resource":"`+name+`","latency":"3s","times":1}`)
	out := invoke(t, c, name, `{}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Runtime failed to start") {
		t.Fatalf("want an init timeout, got %q %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if out := invoke(t, c, name, `{"mode":"value","value":"ok"}`); out.FunctionError != nil || string(out.Payload) != `"ok"` {
		t.Fatalf("after the init timeout: %q %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

// A cold-start crash kills the new process before it is ready: the caller
// sees a runtime that exited during init, and the next invocation starts a
// new instance that works.
func TestFaultColdStartCrash(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:" + name
	addFault(t, e, `{"target":"cold-start","service":"lambda","resource":"`+fnARN+`","crash":true,"times":1}`)
	out := invoke(t, c, name, `{}`, tail)
	runtimeExit(t, out, `^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed$`)
	if log := decodeTail(t, out); !strings.Contains(log, "INIT_REPORT Init Duration") || !strings.Contains(log, "Status: error\tError Type: Runtime.ExitError") {
		t.Fatalf("log of the crashed init:\n%s", log)
	}
	if out := invoke(t, c, name, `{"mode":"value","value":"ok"}`); out.FunctionError != nil || string(out.Payload) != `"ok"` {
		t.Fatalf("after the crash: %q %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

// An invoke crash kills the instance's process mid-invoke (SIGKILL): the
// caller sees AWS's runtime exit, the process is gone, and the next call
// starts a new instance.
func TestFaultInvokeCrash(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	var warm struct{ Pid int }
	if err := json.Unmarshal(invoke(t, c, name, `{"mode":"sleep","ms":1}`).Payload, &warm); err != nil || warm.Pid == 0 {
		t.Fatalf("warm-up: %v", err)
	}
	addFault(t, e, `{"id":"crash","target":"invoke","service":"lambda","resource":"`+name+`","crash":true,"times":1}`)
	out := invoke(t, c, name, `{"mode":"sleep","ms":1}`, tail)
	runtimeExit(t, out, `^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed$`)
	if log := decodeTail(t, out); !strings.Contains(log, "Status: error\tError Type: Runtime.ExitError") {
		t.Fatalf("log of the crashed invocation:\n%s", log)
	}
	waitGone(t, warm.Pid)
	out = invoke(t, c, name, `{"mode":"sleep","ms":1}`, tail)
	var next struct{ Pid int }
	if err := json.Unmarshal(out.Payload, &next); err != nil || out.FunctionError != nil || next.Pid == warm.Pid {
		t.Fatalf("after the crash: %q %s (crashed pid %d)", aws.ToString(out.FunctionError), out.Payload, warm.Pid)
	}
	if !strings.Contains(decodeTail(t, out), "Init Duration") {
		t.Fatal("the call after the crash did not cold-start")
	}
	if n := faultHits(t, e, "crash"); n != 1 {
		t.Fatalf("the rule hit %d invocations, want 1", n)
	}
}

// An invoke delay runs on the invocation's clock: it lengthens the
// invocation, and past the function's timeout the invocation times out.
func TestFaultInvokeDelay(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) { in.Timeout = aws.Int32(1) })
	invoke(t, c, name, `{}`) // warm
	addFault(t, e, `{"target":"invoke","resource":"`+name+`","latency":"600ms","times":1}`)
	began := time.Now()
	if out := invoke(t, c, name, `{"mode":"value","value":"late"}`); out.FunctionError != nil || string(out.Payload) != `"late"` || time.Since(began) < 600*time.Millisecond {
		t.Fatalf("delayed invocation: %q %s after %v", aws.ToString(out.FunctionError), out.Payload, time.Since(began))
	}
	addFault(t, e, `{"target":"invoke","resource":"`+name+`","latency":"5s","times":1}`)
	out := invoke(t, c, name, `{}`)
	var doc struct{ ErrorType, ErrorMessage string }
	_ = json.Unmarshal(out.Payload, &doc)
	if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "Sandbox.Timedout" || !strings.HasSuffix(doc.ErrorMessage, "Task timed out after 1.00 seconds") {
		t.Fatalf("invocation delayed past its timeout: %q %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

// An asynchronous invocation whose instance crashes is retried, as any
// function error is, and runs once the rule is spent.
func TestFaultInvokeCrashAsyncRetried(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	r := c.reporter(t, "fault-async")
	addFault(t, c.e, `{"id":"async-crash","target":"invoke","resource":"`+r.fn+`","crash":true,"times":1}`)
	if _, err := c.fn.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(r.fn), InvocationType: types.InvocationTypeEvent,
		Payload: []byte(`{"Records":[{"messageId":"m1","body":"async-after-crash"}]}`)}); err != nil {
		t.Fatal(err)
	}
	r.await(t, "async-after-crash", func(rec batchReportRecord) string { return rec.Body })
	if n := faultHits(t, c.e, "async-crash"); n != 1 {
		t.Fatalf("the rule hit %d invocations, want 1", n)
	}
}

// An SQS event source mapping whose first batch crashes the function does
// not lose it: its messages come back after the visibility timeout and
// every one is processed once the rule is spent.
func TestFaultCrashedSQSBatchRetried(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	r := c.reporter(t, "fault-esm")
	srcURL, srcARN := c.queue(t, "fault-esm-src", map[string]string{"VisibilityTimeout": "2"})
	const n = 8
	for i := range n {
		if _, err := c.sqs.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(srcURL), MessageBody: aws.String(fmt.Sprintf("msg-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	addFault(t, c.e, `{"id":"batch-crash","target":"invoke","resource":"`+r.fn+`","crash":true,"times":1}`)
	m, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(r.fn),
		EventSourceArn: aws.String(srcARN), BatchSize: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m.UUID), "Enabled")
	byBody := func(rec batchReportRecord) string { return rec.Body }
	for i := range n {
		r.await(t, fmt.Sprintf("msg-%d", i), byBody)
	}
	if hits := faultHits(t, c.e, "batch-crash"); hits != 1 {
		t.Fatalf("the rule hit %d invocations, want 1", hits)
	}
	// Processed batches are deleted: the queue drains.
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.sqs.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(srcURL),
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Attributes["ApproximateNumberOfMessages"] == "0" && out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the source queue keeps %v", out.Attributes)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A delivery fault on an SQS mapping holds the batch before the function
// gets it.
func TestFaultDeliverySQSMappingDelayed(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	r := c.reporter(t, "fault-delivery")
	srcURL, srcARN := c.queue(t, "fault-delivery-src", nil)
	m, err := c.fn.CreateEventSourceMapping(bg, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String(r.fn), EventSourceArn: aws.String(srcARN)})
	if err != nil {
		t.Fatal(err)
	}
	c.waitState(t, aws.ToString(m.UUID), "Enabled")
	send := func(body string) time.Time {
		if _, err := c.sqs.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: aws.String(srcURL), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
		return time.Now()
	}
	byBody := func(rec batchReportRecord) string { return rec.Body }
	send("warm-up")
	r.await(t, "warm-up", byBody)
	addFault(t, c.e, `{"id":"slow-delivery","target":"delivery","service":"sqs","resource":"fault-delivery-src","latency":"1s","times":1}`)
	sending := time.Now() // the poller may take the message before SendMessage answers
	send("held")
	r.await(t, "held", byBody)
	if got := r.starts["held"][0].Sub(sending); got < time.Second {
		t.Fatalf("the handler got the delayed batch %v after the send began, want at least 1 s", got)
	}
	if n := faultHits(t, c.e, "slow-delivery"); n != 1 {
		t.Fatalf("the rule hit %d deliveries, want 1", n)
	}
}

// A delivery fault on a DynamoDB Streams mapping, matched by the table's
// name, holds the batch before the function gets it.
func TestFaultDeliveryStreamMappingDelayed(t *testing.T) {
	t.Parallel()
	c := startESM(t)
	r, _, put := c.streamMapping(t, "fault-ddb")
	byKey := recordID
	put("warm-up")
	r.await(t, "warm-up", byKey)
	addFault(t, c.e, `{"id":"slow-stream","target":"delivery","service":"dynamodbstreams","resource":"fault-ddb","latency":"1s","times":1}`)
	writing := time.Now()
	put("held")
	r.await(t, "held", byKey)
	if got := r.starts["held"][0].Sub(writing); got < time.Second {
		t.Fatalf("the handler got the delayed batch %v after the write began, want at least 1 s", got)
	}
	if n := faultHits(t, c.e, "slow-stream"); n != 1 {
		t.Fatalf("the rule hit %d deliveries, want 1", n)
	}
}

package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// The async queue's rules tested against fakes: no function process runs
// (q.invoke is replaced), SQS and SNS are in-memory recorders.

type sentMessage struct {
	arn, body string
	attrs     map[string]cloud.QueueAttributeValue
}

// recorder is a cloud.Queues and cloud.Topics that keeps what it is sent
// (or refuses everything when fail is set).
type recorder struct {
	mu   sync.Mutex
	sent []sentMessage
	fail error
}

func (r *recorder) add(arn, body string, attrs map[string]cloud.QueueAttributeValue) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return "", r.fail
	}
	r.sent = append(r.sent, sentMessage{arn, body, attrs})
	return fmt.Sprint(len(r.sent)), nil
}

func (r *recorder) messages() []sentMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sentMessage(nil), r.sent...)
}

func (r *recorder) SendMessage(arn string, m cloud.QueueMessage) (string, error) {
	return r.add(arn, m.Body, m.Attributes)
}
func (r *recorder) QueueExists(string) bool                     { return true }
func (r *recorder) QueueInfo(string) (cloud.QueueInfo, error)   { return cloud.QueueInfo{}, nil }
func (r *recorder) DeleteMessage(string, string) error          { return nil }
func (r *recorder) QueueNotify(string) (<-chan struct{}, error) { return nil, nil }
func (r *recorder) OnQueueDeleted(func(string))                 {}
func (r *recorder) TopicExists(string) bool                     { return true }
func (r *recorder) Publish(arn string, m cloud.TopicMessage) (string, error) {
	return r.add(arn, m.Message, m.Attributes)
}
func (r *recorder) ChangeMessageVisibility(string, string, time.Duration) error { return nil }
func (r *recorder) ReceiveMessages(context.Context, string, int, time.Duration) ([]cloud.QueueReceived, error) {
	return nil, nil
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// run is one call of the fake invoke.
type run struct {
	function string
	payload  string
}

type asyncRig struct {
	s      *Service
	clock  *clock
	queues *recorder
	topics *recorder
	mu     sync.Mutex
	runs   []run
}

const (
	testQueue = "arn:aws:sqs:us-east-1:000000000000:records"
	testTopic = "arn:aws:sns:us-east-1:000000000000:records"
	testDLQ   = "arn:aws:sqs:us-east-1:000000000000:dlq"
)

// newAsyncRig starts a Lambda service whose invocations call behave
// (run number n from 1) instead of a process.
func newAsyncRig(t *testing.T, behave func(r *asyncRig, fn string, n int) (attemptResult, error)) *asyncRig {
	t.Helper()
	r := &asyncRig{clock: &clock{now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}, queues: &recorder{}, topics: &recorder{}}
	env := cloud.DefaultEnv()
	env.Now = r.clock.Now
	env.Log = slog.New(slog.DiscardHandler)
	env.Links.Set(cloud.LinkSQS, cloud.Queues(r.queues))
	env.Links.Set(cloud.LinkSNS, cloud.Topics(r.topics))
	r.s = New(env)
	t.Cleanup(func() { r.s.Close() })
	r.s.async.setRetryBase(time.Millisecond)
	r.s.async.invoke = func(_ context.Context, ev *asyncEvent, v *Version, f *Function) (attemptResult, error) {
		r.mu.Lock()
		r.runs = append(r.runs, run{f.Name, string(ev.payload)})
		n := 0
		for _, x := range r.runs {
			if x.function == f.Name {
				n++
			}
		}
		r.mu.Unlock()
		return behave(r, f.Name, n)
	}
	return r
}

func (r *asyncRig) create(t *testing.T, name, deadLetter string) {
	t.Helper()
	rt, role, h := "provided.al2023", "arn:aws:iam::000000000000:role/r", "bootstrap"
	ch := ConfigChange{Runtime: &rt, Role: &role, Handler: &h, Code: &Code{Sha256: "x", Hex: "x", Size: 1}}
	if deadLetter != "" {
		ch.DeadLetter = &deadLetter
	}
	if _, _, err := r.s.store.Create("us-east-1", name, ch, nil, false, r.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func (r *asyncRig) configure(t *testing.T, name string, retries, age *int, onSuccess, onFailure string) {
	t.Helper()
	if _, err := r.s.store.PutInvokeConfig("us-east-1", name, "", InvokeConfigChange{MaxRetries: retries, MaxAge: age,
		Destinations: &[2]string{onSuccess, onFailure}}, false, r.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func (r *asyncRig) enqueue(t *testing.T, name, payload, id string) {
	t.Helper()
	if err := r.s.async.enqueue("us-east-1", name, "", []byte(payload), id); err != nil {
		t.Fatal(err)
	}
}

func (r *asyncRig) runsOf(fn string) []run {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []run
	for _, x := range r.runs {
		if x.function == fn {
			out = append(out, x)
		}
	}
	return out
}

// idle waits (bounded) until the queue holds nothing.
func (r *asyncRig) idle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.s.async.mu.Lock()
		n := r.s.async.queued
		r.s.async.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still queued", n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// eventually waits (bounded) until rec holds n messages and returns them.
func eventually(t *testing.T, rec *recorder, n int) []sentMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := rec.messages()
		if len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages, want %d", len(m), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func failing(msg string) attemptResult {
	p := `{"errorMessage":"` + msg + `","errorType":"errorString"}`
	return attemptResult{statusCode: 200, executedVersion: LatestVersion, functionError: "Unhandled", payload: []byte(p), errorMessage: msg}
}

// wireRecord is the invocation record as a destination's reader decodes it.
type wireRecord struct {
	Version        string `json:"version"`
	Timestamp      string `json:"timestamp"`
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponseContext *struct {
		StatusCode      int     `json:"statusCode"`
		ExecutedVersion string  `json:"executedVersion"`
		FunctionError   *string `json:"functionError"`
	} `json:"responseContext"`
	ResponsePayload json.RawMessage `json:"responsePayload"`
}

func decodeRecord(t *testing.T, body string) wireRecord {
	t.Helper()
	var w wireRecord
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatalf("record %q: %v", body, err)
	}
	return w
}

func intp(n int) *int { return &n }

func TestAsyncRetriesThenOnFailure(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 1, 2} {
		t.Run(fmt.Sprint(retries), func(t *testing.T) {
			r := newAsyncRig(t, func(*asyncRig, string, int) (attemptResult, error) { return failing("boom"), nil })
			r.create(t, "f", testDLQ) // OnFailure wins over the dead-letter queue
			r.configure(t, "f", intp(retries), nil, "", testQueue)
			r.enqueue(t, "f", `{"order":7}`, "req-1")
			msgs := eventually(t, r.queues, 1)
			r.idle(t)
			if n := len(r.runsOf("f")); n != retries+1 {
				t.Fatalf("ran %d times, want %d", n, retries+1)
			}
			if len(msgs) != 1 || msgs[0].arn != testQueue || msgs[0].attrs != nil {
				t.Fatalf("sent %+v", msgs)
			}
			w := decodeRecord(t, msgs[0].body)
			rc := w.RequestContext
			if w.Version != "1.0" || rc.RequestID != "req-1" || rc.Condition != "RetriesExhausted" || rc.ApproximateInvokeCount != retries+1 ||
				rc.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST" || string(w.RequestPayload) != `{"order":7}` {
				t.Fatalf("record %s", msgs[0].body)
			}
			if w.Timestamp != "2026-12-07T12:00:00.000Z" {
				t.Fatalf("timestamp %q", w.Timestamp)
			}
			if w.ResponseContext == nil || w.ResponseContext.StatusCode != 200 || w.ResponseContext.ExecutedVersion != "$LATEST" ||
				w.ResponseContext.FunctionError == nil || *w.ResponseContext.FunctionError != "Unhandled" {
				t.Fatalf("responseContext %s", msgs[0].body)
			}
			var errPayload struct{ ErrorMessage, ErrorType string }
			if json.Unmarshal(w.ResponsePayload, &errPayload); errPayload.ErrorMessage != "boom" || errPayload.ErrorType != "errorString" {
				t.Fatalf("responsePayload %s", w.ResponsePayload)
			}
		})
	}
}

func TestAsyncSuccessToOnSuccessTopic(t *testing.T) {
	t.Parallel()
	r := newAsyncRig(t, func(*asyncRig, string, int) (attemptResult, error) {
		return attemptResult{statusCode: 200, executedVersion: LatestVersion, payload: []byte(`"done"`)}, nil
	})
	r.create(t, "f", "")
	r.configure(t, "f", nil, nil, testTopic, testQueue)
	r.enqueue(t, "f", `{"n":1}`, "req-ok")
	msgs := eventually(t, r.topics, 1)
	r.idle(t)
	w := decodeRecord(t, msgs[0].body)
	if msgs[0].arn != testTopic || w.RequestContext.Condition != "Success" || w.RequestContext.ApproximateInvokeCount != 1 ||
		string(w.ResponsePayload) != `"done"` || w.ResponseContext == nil || w.ResponseContext.FunctionError != nil {
		t.Fatalf("record %s", msgs[0].body)
	}
	if len(r.queues.messages()) != 0 {
		t.Fatalf("OnFailure got %+v", r.queues.messages())
	}
}

func TestAsyncDefaultsToDeadLetterQueue(t *testing.T) {
	t.Parallel()
	r := newAsyncRig(t, func(*asyncRig, string, int) (attemptResult, error) {
		return failing("boom " + strings.Repeat("x", 2000)), nil
	})
	r.create(t, "f", testDLQ)
	r.enqueue(t, "f", `{"order":8}`, "req-dlq")
	msgs := eventually(t, r.queues, 1)
	r.idle(t)
	if n := len(r.runsOf("f")); n != 3 {
		t.Fatalf("ran %d times, want 3 (two retries by default)", n)
	}
	m := msgs[0]
	if m.arn != testDLQ || m.body != `{"order":8}` {
		t.Fatalf("dead letter %+v", m)
	}
	if a := m.attrs["RequestID"]; a.DataType != "String" || a.StringValue != "req-dlq" {
		t.Fatalf("RequestID %+v", a)
	}
	if a := m.attrs["ErrorCode"]; a.DataType != "Number" || a.StringValue != "200" {
		t.Fatalf("ErrorCode %+v", a)
	}
	if a := m.attrs["ErrorMessage"]; a.DataType != "String" || len(a.StringValue) != 1024 || !strings.HasPrefix(a.StringValue, "boom x") {
		t.Fatalf("ErrorMessage %q (%d bytes)", a.StringValue, len(a.StringValue))
	}
}

func TestAsyncEventAgeExceeded(t *testing.T) {
	t.Parallel()
	// Each run takes the clock past the event's age: no retry runs.
	r := newAsyncRig(t, func(r *asyncRig, _ string, _ int) (attemptResult, error) {
		r.clock.Advance(61 * time.Second)
		return failing("slow"), nil
	})
	r.create(t, "f", "")
	r.configure(t, "f", intp(2), intp(60), "", testTopic)
	r.enqueue(t, "f", `{}`, "req-old")
	msgs := eventually(t, r.topics, 1)
	r.idle(t)
	if n := len(r.runsOf("f")); n != 1 {
		t.Fatalf("ran %d times, want 1", n)
	}
	w := decodeRecord(t, msgs[0].body)
	if w.RequestContext.Condition != "EventAgeExceeded" || w.RequestContext.ApproximateInvokeCount != 1 || w.ResponseContext == nil {
		t.Fatalf("record %s", msgs[0].body)
	}
}

func TestAsyncThrottledEventsWaitAndRun(t *testing.T) {
	t.Parallel()
	r := newAsyncRig(t, func(_ *asyncRig, _ string, n int) (attemptResult, error) {
		if n <= 3 {
			return attemptResult{}, throttled(reasonReservedConcurrency)
		}
		return attemptResult{statusCode: 200, executedVersion: LatestVersion, payload: []byte(`{}`)}, nil
	})
	r.create(t, "f", "")
	r.configure(t, "f", intp(0), nil, testQueue, "")
	r.enqueue(t, "f", `{}`, "req-t")
	msgs := eventually(t, r.queues, 1)
	w := decodeRecord(t, msgs[0].body)
	// Throttles are not runs of the function, nor retries of it.
	if w.RequestContext.Condition != "Success" || w.RequestContext.ApproximateInvokeCount != 1 {
		t.Fatalf("record %s", msgs[0].body)
	}
}

func TestAsyncLambdaDestinationGetsTheRecord(t *testing.T) {
	t.Parallel()
	r := newAsyncRig(t, func(_ *asyncRig, fn string, _ int) (attemptResult, error) {
		if fn == "producer" {
			return attemptResult{statusCode: 200, executedVersion: LatestVersion, payload: []byte(`{"made":1}`)}, nil
		}
		return attemptResult{statusCode: 200, executedVersion: LatestVersion, payload: []byte(`null`)}, nil
	})
	r.create(t, "producer", "")
	r.create(t, "consumer", "")
	r.configure(t, "producer", nil, nil, "arn:aws:lambda:us-east-1:000000000000:function:consumer", "")
	r.enqueue(t, "producer", `{"x":1}`, "req-l")
	deadline := time.Now().Add(10 * time.Second)
	for len(r.runsOf("consumer")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the destination function never ran")
		}
		time.Sleep(2 * time.Millisecond)
	}
	w := decodeRecord(t, r.runsOf("consumer")[0].payload)
	if w.RequestContext.Condition != "Success" || string(w.RequestPayload) != `{"x":1}` || string(w.ResponsePayload) != `{"made":1}` {
		t.Fatalf("record %+v", w)
	}
}

func TestAsyncUndeliverableRecordsAreCountedNotBlocking(t *testing.T) {
	t.Parallel()
	r := newAsyncRig(t, func(*asyncRig, string, int) (attemptResult, error) {
		return attemptResult{statusCode: 200, executedVersion: LatestVersion, payload: []byte(`{}`)}, nil
	})
	r.queues.fail = errors.New("QueueDoesNotExist")
	r.create(t, "f", "")
	r.create(t, "g", "")
	r.configure(t, "f", nil, nil, testQueue, "")
	r.configure(t, "g", nil, nil, "arn:aws:events:us-east-1:000000000000:event-bus/default", "")
	for i := 0; i < 5; i++ {
		r.enqueue(t, "f", `{}`, fmt.Sprint("f", i))
		r.enqueue(t, "g", `{}`, fmt.Sprint("g", i))
	}
	r.idle(t)
	if n := r.s.DestinationFailures(); n != 10 {
		t.Fatalf("%d failures counted, want 10", n)
	}
	if n, m := len(r.runsOf("f")), len(r.runsOf("g")); n != 5 || m != 5 {
		t.Fatalf("runs %d %d", n, m)
	}
	if got := r.s.Summary()["destinationFailures"]; got != int64(10) {
		t.Fatalf("summary %v", got)
	}
}

func TestAsyncDeletedFunctionIsDropped(t *testing.T) {
	t.Parallel()
	// The function is deleted while its event waits for a retry: the
	// event goes with it, and no record is sent for it.
	r := newAsyncRig(t, func(r *asyncRig, fn string, _ int) (attemptResult, error) {
		if err := r.s.store.Delete("us-east-1", fn, ""); err != nil {
			t.Error(err)
		}
		return failing("x"), nil
	})
	r.create(t, "f", testDLQ)
	r.enqueue(t, "f", `{}`, "req")
	r.idle(t)
	if n := len(r.runsOf("f")); n != 1 || len(r.queues.messages()) != 0 {
		t.Fatalf("runs %d, sent %+v", n, r.queues.messages())
	}
}

// The record of AWS's documentation ("Retaining records of asynchronous
// invocations"), rendered from the same event, is the same JSON.
func TestInvocationRecordMatchesAWSExample(t *testing.T) {
	t.Parallel()
	golden, err := os.ReadFile("testdata/async-record-retries-exhausted.json")
	if err != nil {
		t.Fatal(err)
	}
	env := cloud.DefaultEnv()
	env.Account = "123456789012"
	env.Now = func() time.Time { return time.Date(2019, 11, 14, 18, 16, 5, 568e6, time.UTC) }
	s := New(env)
	t.Cleanup(func() { s.Close() })
	f := &Function{Name: "my-function", ARN: s.store.FunctionARN("us-east-1", "my-function")}
	ev := &asyncEvent{region: "us-east-1", name: "my-function", requestID: "e4b46cbf-b738-xmpl-8880-a18cdf61200e", runs: 3,
		payload: []byte(`{"ORDER_IDS":["9e07af03-ce31-4ff3-xmpl-36dce652cb4f","637de236-e7b2-464e-xmpl-baf57f86bb53","a81ddca6-2c35-45c7-xmpl-c3a03a31ed15"]}`),
		last: &attemptResult{statusCode: 200, executedVersion: LatestVersion, functionError: "Unhandled",
			payload: []byte(`{"errorMessage":"RequestId: e4b46cbf-b738-xmpl-8880-a18cdf61200e Process exited before completing request"}`)}}
	var want, got any
	if err := json.Unmarshal(golden, &want); err != nil {
		t.Fatal(err)
	}
	rec := s.record(ev, f, conditionRetriesExhausted, testQueue)
	if err := json.Unmarshal([]byte(rec), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("record\n%s\nwant\n%s", rec, golden)
	}
}

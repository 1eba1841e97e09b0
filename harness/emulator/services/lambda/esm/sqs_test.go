package esm

import (
	"context"
	"encoding/json"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

const queueARN = "arn:aws:sqs:eu-west-1:000000000000:jobs"

func sqsConfig() Config {
	return Config{UUID: "u", SourceARN: queueARN, FunctionARN: "arn:aws:lambda:eu-west-1:000000000000:function:f", Region: "eu-west-1", BatchSize: 10, MaxConcurrency: 1}
}

func startSQS(t *testing.T, cfg Config, q *fakeQueue, c *calls) *Poller {
	t.Helper()
	p := StartSQS(cfg, Links{Queues: q, Invoke: c.invoke, RetryDelay: time.Millisecond})
	t.Cleanup(func() { p.Kill() })
	return p
}

func delivered(c *calls) []string {
	var ids []string
	for _, b := range c.all() {
		ids = append(ids, b...)
	}
	return ids
}

func TestSQSDeliversEachMessageOnceAndDeletesIt(t *testing.T) {
	q := newFakeQueue(queueARN)
	var want []string
	for i := 0; i < 25; i++ {
		want = append(want, q.add("body", ""))
	}
	c := &calls{}
	startSQS(t, sqsConfig(), q, c)
	eventually(t, "queue drained", func() bool { return q.left() == 0 })
	got := delivered(c)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want each of %v once", got, want)
	}
	for _, b := range c.all() {
		if len(b) > 10 {
			t.Fatalf("batch of %d > BatchSize 10", len(b))
		}
	}
}

func TestSQSRecordShape(t *testing.T) {
	q := newFakeQueue(queueARN)
	id := q.add(`{"a":1}`, "")
	var mu sync.Mutex
	var payload []byte
	p := StartSQS(sqsConfig(), Links{Queues: q, Invoke: func(_ context.Context, b []byte) (cloud.InvokeResult, error) {
		mu.Lock()
		payload = b
		mu.Unlock()
		return cloud.InvokeResult{}, nil
	}})
	defer p.Kill()
	eventually(t, "delivery", func() bool { return q.left() == 0 })
	mu.Lock()
	defer mu.Unlock()
	var ev map[string][]map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	r := ev["Records"][0]
	for k, v := range map[string]any{"messageId": id, "body": `{"a":1}`, "eventSource": "aws:sqs", "eventSourceARN": queueARN, "awsRegion": "eu-west-1", "md5OfBody": "md5"} {
		if r[k] != v {
			t.Errorf("%s = %v, want %v", k, r[k], v)
		}
	}
	if _, ok := r["attributes"].(map[string]any)["ApproximateReceiveCount"]; !ok {
		t.Errorf("attributes lack ApproximateReceiveCount: %v", r["attributes"])
	}
	if _, ok := r["messageAttributes"].(map[string]any); !ok {
		t.Errorf("messageAttributes = %v, want an object", r["messageAttributes"])
	}
}

func TestSQSFunctionErrorLeavesMessagesForTheVisibilityTimeout(t *testing.T) {
	q := newFakeQueue(queueARN)
	id := q.add("x", "")
	c := &calls{handle: func(n int, ids []string) (cloud.InvokeResult, error) {
		if n == 1 {
			return failed(), nil
		}
		return cloud.InvokeResult{}, nil
	}}
	var results []string
	var mu sync.Mutex
	p := StartSQS(sqsConfig(), Links{Queues: q, Invoke: c.invoke, Report: func(r string) { mu.Lock(); results = append(results, r); mu.Unlock() }})
	defer p.Kill()
	eventually(t, "first call", func() bool { return len(c.all()) == 1 })
	time.Sleep(20 * time.Millisecond)
	if q.left() != 1 || len(c.all()) != 1 {
		t.Fatalf("failed message deleted or redelivered before its visibility timeout: left %d, calls %v", q.left(), c.all())
	}
	q.expire()
	eventually(t, "retry through visibility", func() bool { return q.left() == 0 })
	if got := delivered(c); !slices.Equal(got, []string{id, id}) {
		t.Fatalf("deliveries %v, want %s twice", got, id)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(results, ResultFunctionError) || results[len(results)-1] != ResultOK {
		t.Fatalf("LastProcessingResult history %v", results)
	}
}

func TestSQSReportBatchItemFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		response func(ids []string) cloud.InvokeResult
		kept     func(ids []string) []string
	}{
		{"one fails", func(ids []string) cloud.InvokeResult { return partial(ids[1]) }, func(ids []string) []string { return ids[1:2] }},
		{"empty list", func(ids []string) cloud.InvokeResult { return partial() }, func([]string) []string { return nil }},
		{"null response", func([]string) cloud.InvokeResult { return cloud.InvokeResult{Payload: []byte("null")} }, func([]string) []string { return nil }},
		{"unknown identifier fails all", func([]string) cloud.InvokeResult { return partial("nope") }, func(ids []string) []string { return ids }},
		{"empty identifier fails all", func([]string) cloud.InvokeResult { return partial("") }, func(ids []string) []string { return ids }},
		{"not an object fails all", func([]string) cloud.InvokeResult { return cloud.InvokeResult{Payload: []byte(`"ok"`)} }, func(ids []string) []string { return ids }},
		{"malformed JSON fails all", func([]string) cloud.InvokeResult { return cloud.InvokeResult{Payload: []byte(`{"batchItemFailures":`)} }, func(ids []string) []string { return ids }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := newFakeQueue(queueARN)
			ids := []string{q.add("a", ""), q.add("b", ""), q.add("c", "")}
			c := &calls{handle: func(n int, got []string) (cloud.InvokeResult, error) { return tc.response(got), nil }}
			cfg := sqsConfig()
			cfg.ReportItemFailures = true
			startSQS(t, cfg, q, c)
			want := tc.kept(ids)
			eventually(t, "deletions", func() bool { return q.left() == len(want) && len(c.all()) == 1 })
			time.Sleep(10 * time.Millisecond)
			q.mu.Lock()
			var left []string
			for _, m := range q.msgs {
				left = append(left, m.id)
			}
			q.mu.Unlock()
			if !slices.Equal(left, want) {
				t.Fatalf("left in the queue %v, want %v", left, want)
			}
		})
	}
}

func TestSQSFIFOKeepsTheRestOfAFailedGroup(t *testing.T) {
	q := newFakeQueue(queueARN)
	q.fifo = true
	a1, a2, b1 := q.add("a1", "A"), q.add("a2", "A"), q.add("b1", "B")
	c := &calls{handle: func(n int, ids []string) (cloud.InvokeResult, error) {
		if n == 1 {
			return partial(a1), nil
		}
		return cloud.InvokeResult{}, nil
	}}
	cfg := sqsConfig()
	cfg.ReportItemFailures = true
	startSQS(t, cfg, q, c)
	eventually(t, "b1 deleted", func() bool { return q.left() == 2 })
	q.expire()
	eventually(t, "drained", func() bool { return q.left() == 0 })
	got := delivered(c)
	if !slices.Equal(got, []string{a1, a2, b1, a1, a2}) {
		t.Fatalf("deliveries %v: group A must come back in order", got)
	}
}

func TestSQSBatchingWindowFillsTheBatch(t *testing.T) {
	q := newFakeQueue(queueARN)
	for i := 0; i < 15; i++ {
		q.add("m", "")
	}
	c := &calls{}
	cfg := sqsConfig()
	cfg.BatchSize, cfg.Window = 20, 100*time.Millisecond
	startSQS(t, cfg, q, c)
	eventually(t, "drained", func() bool { return q.left() == 0 })
	if b := c.all(); len(b) != 1 || len(b[0]) != 15 {
		t.Fatalf("batches %v, want one of 15 (two receives within the window)", b)
	}
}

func TestSQSScalesWithTheBacklogUpToMaxConcurrency(t *testing.T) {
	q := newFakeQueue(queueARN)
	for i := 0; i < 300; i++ {
		q.add("m", "")
	}
	c := &calls{handle: func(int, []string) (cloud.InvokeResult, error) {
		time.Sleep(5 * time.Millisecond)
		return cloud.InvokeResult{}, nil
	}}
	cfg := sqsConfig()
	cfg.MaxConcurrency = 3
	startSQS(t, cfg, q, c)
	eventually(t, "drained", func() bool { return q.left() == 0 })
	c.mu.Lock()
	peak := c.peak
	c.mu.Unlock()
	if peak > 3 {
		t.Fatalf("%d batches in flight at once, MaxConcurrency is 3", peak)
	}
	if peak < 2 {
		t.Fatalf("peak concurrency %d: the poller did not scale with a backlog of 300", peak)
	}
	if got := len(delivered(c)); got != 300 {
		t.Fatalf("delivered %d messages, want 300 exactly once", got)
	}
}

func TestSQSFilterCriteriaDeletesWhatDoesNotMatch(t *testing.T) {
	q := newFakeQueue(queueARN)
	keep := q.add(`{"kind":"order","total":12}`, "")
	q.add(`{"kind":"refund"}`, "")
	q.add(`not json`, "")
	f, err := ParseFilters([]string{`{"body":{"kind":["order"],"total":[{"numeric":[">",10]}]}}`})
	if err != nil {
		t.Fatal(err)
	}
	c := &calls{}
	cfg := sqsConfig()
	cfg.Filters = f
	startSQS(t, cfg, q, c)
	eventually(t, "drained", func() bool { return q.left() == 0 })
	if got := delivered(c); !slices.Equal(got, []string{keep}) {
		t.Fatalf("delivered %v, want only %s", got, keep)
	}
}

func TestSQSStopResumeLosesNothingAndLeaksNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	q := newFakeQueue(queueARN)
	c := &calls{}
	p := StartSQS(sqsConfig(), Links{Queues: q, Invoke: c.invoke})
	first := q.add("1", "")
	eventually(t, "first", func() bool { return q.left() == 0 })
	p.Stop()
	second := q.add("2", "")
	time.Sleep(20 * time.Millisecond)
	if len(c.all()) != 1 {
		t.Fatalf("a stopped poller delivered: %v", c.all())
	}
	p = StartSQS(sqsConfig(), Links{Queues: q, Invoke: c.invoke})
	eventually(t, "second", func() bool { return q.left() == 0 })
	p.Kill()
	if got := delivered(c); !slices.Equal(got, []string{first, second}) {
		t.Fatalf("delivered %v", got)
	}
	eventually(t, "goroutines back to their count", func() bool { return runtime.NumGoroutine() <= before })
}

func TestSQSMissingQueueIsReported(t *testing.T) {
	q := newFakeQueue(queueARN)
	q.gone = true
	got := make(chan string, 10)
	p := StartSQS(sqsConfig(), Links{Queues: q, Invoke: (&calls{}).invoke, RetryDelay: time.Millisecond,
		Report: func(r string) {
			select {
			case got <- r:
			default:
			}
		}})
	defer p.Kill()
	if r := <-got; r != "PROBLEM: Queue does not exist." {
		t.Fatalf("LastProcessingResult %q", r)
	}
}

func TestSQSInvokeErrorKeepsMessages(t *testing.T) {
	q := newFakeQueue(queueARN)
	q.add("x", "")
	c := &calls{handle: func(int, []string) (cloud.InvokeResult, error) {
		return cloud.InvokeResult{}, &awsproto.Error{Code: "ResourceNotFoundException"}
	}}
	startSQS(t, sqsConfig(), q, c)
	eventually(t, "call", func() bool { return len(c.all()) >= 1 })
	if q.left() != 1 {
		t.Fatal("a message the function never saw was deleted")
	}
}

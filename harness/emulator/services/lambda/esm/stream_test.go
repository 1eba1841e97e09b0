package esm

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

const streamARN = "arn:aws:dynamodb:eu-west-1:000000000000:table/t/stream/2026-01-01T00:00:00.000"

func streamConfig() Config {
	return Config{UUID: "u", SourceARN: streamARN, FunctionARN: "arn:aws:lambda:eu-west-1:000000000000:function:f", Region: "eu-west-1",
		BatchSize: 3, StartingPosition: "TRIM_HORIZON", MaxRetries: -1, ShardID: "shardId-1"}
}

func startStream(t *testing.T, cfg Config, s *fakeStream, c *calls, q *fakeQueue, tp *fakeTopic) *Poller {
	t.Helper()
	l := Links{Streams: s, Invoke: c.invoke, RetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond}
	l.Deliver = func(arn, body string) error {
		switch {
		case strings.HasPrefix(arn, "arn:aws:sqs:") && q != nil:
			_, err := q.SendMessage(arn, cloud.QueueMessage{Body: body})
			return err
		case strings.HasPrefix(arn, "arn:aws:sns:") && tp != nil:
			_, err := tp.Publish(arn, cloud.TopicMessage{Message: body})
			return err
		}
		return errors.New("no such destination")
	}
	p := StartStream(cfg, l)
	t.Cleanup(func() { p.Kill() })
	return p
}

func TestStreamDeliversInOrderInBatches(t *testing.T) {
	s := newFakeStream()
	for i := 0; i < 7; i++ {
		s.put("INSERT", time.Now())
	}
	c := &calls{}
	startStream(t, streamConfig(), s, c, nil, nil)
	eventually(t, "7 records", func() bool { return len(delivered(c)) == 7 })
	want := [][]string{{"100", "101", "102"}, {"103", "104", "105"}, {"106"}}
	if got := c.all(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	s.put("MODIFY", time.Now()) // a later write wakes the poller
	eventually(t, "the new record", func() bool { return len(delivered(c)) == 8 })
}

func TestStreamLatestSkipsWhatWasWritten(t *testing.T) {
	s := newFakeStream()
	s.put("INSERT", time.Now())
	c := &calls{}
	cfg := streamConfig()
	cfg.StartingPosition = "LATEST"
	p := startStream(t, cfg, s, c, nil, nil)
	eventually(t, "poller positioned", func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.position != "" })
	s.put("INSERT", time.Now())
	eventually(t, "the new record", func() bool { return len(delivered(c)) == 1 })
	if got := delivered(c); got[0] != "101" {
		t.Fatalf("delivered %v, want only 101", got)
	}
}

func TestStreamRetriesThenSendsTheFailureRecord(t *testing.T) {
	s := newFakeStream()
	created := time.Now().Add(-time.Minute).Truncate(time.Second)
	s.put("INSERT", created)
	s.put("INSERT", created)
	c := &calls{handle: func(n int, ids []string) (cloud.InvokeResult, error) {
		if ids[0] == "100" {
			return failed(), nil
		}
		return cloud.InvokeResult{}, nil
	}}
	dlq := newFakeQueue("arn:aws:sqs:eu-west-1:000000000000:dlq")
	cfg := streamConfig()
	cfg.MaxRetries = 2
	cfg.OnFailure = dlq.arn
	startStream(t, cfg, s, c, dlq, nil)
	eventually(t, "failure record", func() bool { dlq.mu.Lock(); defer dlq.mu.Unlock(); return len(dlq.sent) == 1 })
	if n := len(c.all()); n != 3 {
		t.Fatalf("%d invocations, want 1 + MaximumRetryAttempts 2", n)
	}
	var rec struct {
		RequestContext struct {
			RequestID, FunctionArn, Condition string
			ApproximateInvokeCount            int
		}
		ResponseContext struct {
			StatusCode                     int
			ExecutedVersion, FunctionError string
		}
		Version, Timestamp string
		DDBStreamBatchInfo struct {
			ShardID, StartSequenceNumber, EndSequenceNumber                 string
			ApproximateArrivalOfFirstRecord, ApproximateArrivalOfLastRecord string
			BatchSize                                                       int
			StreamArn                                                       string
		}
	}
	dlq.mu.Lock()
	body := dlq.sent[0].Body
	dlq.mu.Unlock()
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}
	rc, bi := rec.RequestContext, rec.DDBStreamBatchInfo
	if rc.Condition != "RetryAttemptsExhausted" || rc.ApproximateInvokeCount != 3 || rc.FunctionArn != cfg.FunctionARN || rc.RequestID != "req-3" {
		t.Errorf("requestContext %+v", rc)
	}
	if rec.ResponseContext.StatusCode != 200 || rec.ResponseContext.FunctionError != "Unhandled" || rec.ResponseContext.ExecutedVersion != "$LATEST" {
		t.Errorf("responseContext %+v", rec.ResponseContext)
	}
	if rec.Version != "1.0" || rec.Timestamp == "" {
		t.Errorf("version %q timestamp %q", rec.Version, rec.Timestamp)
	}
	arrival := created.UTC().Format(time.RFC3339)
	if bi.ShardID != "shardId-1" || bi.StartSequenceNumber != "100" || bi.EndSequenceNumber != "101" || bi.BatchSize != 2 ||
		bi.StreamArn != streamARN || bi.ApproximateArrivalOfFirstRecord != arrival || bi.ApproximateArrivalOfLastRecord != arrival {
		t.Errorf("DDBStreamBatchInfo %+v", bi)
	}
	s.put("INSERT", time.Now())
	eventually(t, "the stream moved on", func() bool { return slices.Contains(delivered(c), "102") })
}

func TestStreamBisectIsolatesThePoisonRecord(t *testing.T) {
	s := newFakeStream()
	for i := 0; i < 4; i++ {
		s.put("INSERT", time.Now())
	}
	ok := map[string]int{}
	c := &calls{handle: func(n int, ids []string) (cloud.InvokeResult, error) {
		if slices.Contains(ids, "102") {
			return failed(), nil
		}
		for _, id := range ids {
			ok[id]++ // the handler runs one call at a time for a stream
		}
		return cloud.InvokeResult{}, nil
	}}
	tp := &fakeTopic{}
	cfg := streamConfig()
	cfg.BatchSize, cfg.Bisect, cfg.MaxRetries = 4, true, 0
	cfg.OnFailure = "arn:aws:sns:eu-west-1:000000000000:alerts"
	startStream(t, cfg, s, c, nil, tp)
	eventually(t, "failure record", func() bool { tp.mu.Lock(); defer tp.mu.Unlock(); return len(tp.msgs) == 1 })
	want := [][]string{{"100", "101", "102", "103"}, {"100", "101"}, {"102", "103"}, {"102"}, {"103"}}
	if got := c.all(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	var rec struct {
		DDBStreamBatchInfo struct{ StartSequenceNumber, EndSequenceNumber string }
	}
	tp.mu.Lock()
	_ = json.Unmarshal([]byte(tp.msgs[0].Message), &rec)
	tp.mu.Unlock()
	if rec.DDBStreamBatchInfo.StartSequenceNumber != "102" || rec.DDBStreamBatchInfo.EndSequenceNumber != "102" {
		t.Fatalf("failure record covers %+v, want only 102", rec.DDBStreamBatchInfo)
	}
	for _, id := range []string{"100", "101", "103"} {
		if ok[id] != 1 {
			t.Fatalf("record %s succeeded %d times, want once", id, ok[id])
		}
	}
}

func TestStreamReportBatchItemFailuresResumesAtTheFirstFailure(t *testing.T) {
	s := newFakeStream()
	for i := 0; i < 3; i++ {
		s.put("INSERT", time.Now())
	}
	c := &calls{handle: func(n int, ids []string) (cloud.InvokeResult, error) {
		if n == 1 {
			return partial("102", "101"), nil
		}
		return partial(), nil
	}}
	cfg := streamConfig()
	cfg.ReportItemFailures = true
	startStream(t, cfg, s, c, nil, nil)
	eventually(t, "retry", func() bool { return len(c.all()) == 2 })
	want := [][]string{{"100", "101", "102"}, {"101", "102"}}
	time.Sleep(10 * time.Millisecond)
	if got := c.all(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", got, want)
	}
}

func TestStreamRecordsPastTheirAgeGoToTheDestination(t *testing.T) {
	s := newFakeStream()
	s.put("INSERT", time.Now().Add(-2*time.Hour))
	s.put("INSERT", time.Now())
	c := &calls{}
	dlq := newFakeQueue("arn:aws:sqs:eu-west-1:000000000000:dlq")
	cfg := streamConfig()
	cfg.MaxRecordAge = time.Hour
	cfg.OnFailure = dlq.arn
	startStream(t, cfg, s, c, dlq, nil)
	eventually(t, "young record", func() bool { return len(c.all()) == 1 })
	if got := c.all()[0]; !slices.Equal(got, []string{"101"}) {
		t.Fatalf("invoked with %v, want only the young record", got)
	}
	dlq.mu.Lock()
	defer dlq.mu.Unlock()
	var rec struct{ RequestContext struct{ Condition string } }
	if len(dlq.sent) != 1 || json.Unmarshal([]byte(dlq.sent[0].Body), &rec) != nil || rec.RequestContext.Condition != "RecordAgeExceeded" {
		t.Fatalf("failure records %v", dlq.sent)
	}
}

func TestStreamStopResumeDeliversEachRecordOnce(t *testing.T) {
	s := newFakeStream()
	s.put("INSERT", time.Now())
	c := &calls{}
	p := StartStream(streamConfig(), Links{Streams: s, Invoke: c.invoke})
	eventually(t, "first", func() bool { return len(delivered(c)) == 1 })
	pos := p.Stop()
	s.put("INSERT", time.Now())
	cfg := streamConfig()
	cfg.Resume = pos
	p = StartStream(cfg, Links{Streams: s, Invoke: c.invoke})
	defer p.Kill()
	eventually(t, "second", func() bool { return len(delivered(c)) == 2 })
	time.Sleep(10 * time.Millisecond)
	if got := delivered(c); !slices.Equal(got, []string{"100", "101"}) {
		t.Fatalf("delivered %v", got)
	}
}

func TestStreamFilterOnEventName(t *testing.T) {
	s := newFakeStream()
	s.put("INSERT", time.Now())
	s.put("REMOVE", time.Now())
	s.put("INSERT", time.Now())
	f, err := ParseFilters([]string{`{"eventName":["INSERT"],"dynamodb":{"Keys":{"id":{"S":[{"prefix":"10"}]}}}}`})
	if err != nil {
		t.Fatal(err)
	}
	c := &calls{}
	cfg := streamConfig()
	cfg.Filters = f
	startStream(t, cfg, s, c, nil, nil)
	eventually(t, "delivery", func() bool { return len(c.all()) == 1 })
	if got := c.all()[0]; !slices.Equal(got, []string{"100", "102"}) {
		t.Fatalf("delivered %v, want the INSERTs", got)
	}
}

func TestSplitBySizeKeepsOrder(t *testing.T) {
	rec := func(n int) streamRecord { return streamRecord{raw: make(json.RawMessage, n)} }
	b := []streamRecord{rec(4), rec(4), rec(9), rec(1)}
	got := splitBySize(b, 10)
	var sizes [][]int
	for _, run := range got {
		var s []int
		for _, r := range run {
			s = append(s, len(r.raw))
		}
		sizes = append(sizes, s)
	}
	want := [][]int{{4, 4}, {9}, {1}}
	if !slices.EqualFunc(sizes, want, slices.Equal) {
		t.Fatalf("runs %v, want %v", sizes, want)
	}
}

func TestStreamReadErrors(t *testing.T) {
	s := newFakeStream()
	s.put("INSERT", time.Now())
	s.err = &awsproto.Error{Code: "ResourceNotFoundException"}
	results := make(chan string, 10)
	c := &calls{}
	p := StartStream(streamConfig(), Links{Streams: s, Invoke: c.invoke, RetryDelay: time.Millisecond,
		Report: func(r string) {
			select {
			case results <- r:
			default:
			}
		}})
	defer p.Kill()
	if r := <-results; r != "PROBLEM: Stream not found." {
		t.Fatalf("LastProcessingResult %q", r)
	}
	eventually(t, "delivery once the stream answers", func() bool { return len(c.all()) == 1 })

	// Past retention, the poller goes on from the oldest record kept.
	s.mu.Lock()
	s.err = &awsproto.Error{Code: "TrimmedDataAccessException"}
	s.mu.Unlock()
	s.put("INSERT", time.Now())
	eventually(t, "delivery after trimming", func() bool { return len(delivered(c)) >= 2 })
}

package logs_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// serve replays one prebuilt awsJson request through the edge handler b.N
// times and reports server CPU per operation.
func serve(b *testing.B, h http.Handler, target string, body func(i int) []byte) {
	b.Helper()
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body(i)))
		req.Header.Set("X-Amz-Target", "Logs_20140328."+target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", target, rec.Code, rec.Body.String())
		}
	}
	b.StopTimer()
	m.Report()
}

func benchEmulator(b *testing.B) *emulator.Emulator {
	e := emulator.New()
	b.Cleanup(func() { e.Close() })
	for _, op := range []string{
		`{"logGroupName":"bench"}`,
	} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(op))
		req.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogGroup")
		e.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"logGroupName":"bench","logStreamName":"s"}`))
	req.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogStream")
	e.Handler().ServeHTTP(httptest.NewRecorder(), req)
	return e
}

func batchBody(now int64, n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"logGroupName":"bench","logStreamName":"s","logEvents":[`)
	for j := 0; j < n; j++ {
		if j > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"timestamp":%d,"message":"2026-01-01T00:00:00Z INFO request handled path=/orders/%d status=200 ms=12"}`, now+int64(j), j)
	}
	sb.WriteString("]}")
	return []byte(sb.String())
}

// BenchmarkPutLogEvents10 is one 10-event PutLogEvents batch, server side.
func BenchmarkPutLogEvents10(b *testing.B) {
	e := benchEmulator(b)
	// fresh, increasing timestamps per batch, as a real writer sends them
	now := time.Now().UnixMilli()
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = batchBody(now+int64(i)*10, 10)
	}
	serve(b, e.Handler(), "PutLogEvents", func(i int) []byte { return bodies[i] })
}

// BenchmarkGetLogEvents reads the newest 100 events of a 10k-event stream.
func BenchmarkGetLogEvents(b *testing.B) {
	e := benchEmulator(b)
	now := time.Now().UnixMilli()
	for i := 0; i < 100; i++ {
		serve1(b, e.Handler(), "PutLogEvents", batchBody(now+int64(i*100), 100))
	}
	body := []byte(`{"logGroupName":"bench","logStreamName":"s","limit":100}`)
	serve(b, e.Handler(), "GetLogEvents", func(int) []byte { return body })
}

// BenchmarkFilterLogEvents scans 10k events with a term pattern.
func BenchmarkFilterLogEvents(b *testing.B) {
	e := benchEmulator(b)
	now := time.Now().UnixMilli()
	for i := 0; i < 100; i++ {
		serve1(b, e.Handler(), "PutLogEvents", batchBody(now+int64(i*100), 100))
	}
	body := []byte(`{"logGroupName":"bench","filterPattern":"\"orders/7\" status=200","limit":100}`)
	serve(b, e.Handler(), "FilterLogEvents", func(int) []byte { return body })
}

func serve1(b *testing.B, h http.Handler, target string, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "Logs_20140328."+target)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d %s", target, rec.Code, rec.Body.String())
	}
}

// BenchmarkPutLogEventsSDK goes through aws-sdk-go-v2 (client-bound; see
// PERFORMANCE.md); BENCH_ENDPOINT targets another emulator.
func BenchmarkPutLogEventsSDK(b *testing.B) {
	cfg, _ := emutest.BenchConfig(b)
	c := cwl.NewFromConfig(cfg)
	group := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: &group}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("s")}); err != nil {
		b.Fatal(err)
	}
	evs := make([]types.InputLogEvent, 10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now := time.Now().UnixMilli()
		for j := range evs {
			evs[j] = types.InputLogEvent{Timestamp: aws.Int64(now), Message: aws.String("INFO request handled status=200")}
		}
		if _, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
			b.Fatal(err)
		}
	}
}

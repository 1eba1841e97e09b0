package s3_test

import (
	"bytes"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// BenchmarkNotify measures PUTs on a bucket whose events go to a queue:
// server CPU per notified PutObject (through the edge's handler, as
// BenchmarkHandler does), and the time from PutObject's answer to the
// event's ReceiveMessage returning, both through the SDK (run it with
// -benchtime=1000x for ~1,000 puts; p50/p99/max in µs).
func BenchmarkNotify(b *testing.B) {
	e, cfg := emutest.Start(b)
	c, q := s3.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	url, arn := queue(b, q, "bench-events")
	err := putNotification(c, "bench", types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
		QueueArn: aws.String(arn), Events: eventList("s3:ObjectCreated:*"), Filter: rules("prefix", "k")}}})
	if err != nil {
		b.Fatal(err)
	}
	receive(b, q, url) // the test event
	payload := bytes.Repeat([]byte("x"), 1024)

	b.Run("PutObject1KiBToQueue", func(b *testing.B) {
		h := e.Handler()
		body := &rewindBody{}
		r, _ := http.NewRequest("PUT", "http://127.0.0.1:4566/bench/key-1?x-id=PutObject", body)
		r.ContentLength = int64(len(payload))
		sdkHeaders(r.Header, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
		b.ReportAllocs()
		b.ResetTimer()
		c0 := processCPU()
		for i := 0; i < b.N; i++ {
			body.Reset(payload)
			fresh := *r
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, &fresh)
			if w.status != 0 && w.status != 200 {
				b.Fatalf("status %d", w.status)
			}
		}
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us/op")
		b.StopTimer()
		q.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})
	})

	b.Run("PutToReceive", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for i := 0; i < b.N; i++ {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("k/" + strconv.Itoa(i)), Body: bytes.NewReader(payload)}); err != nil {
				b.Fatal(err)
			}
			acked := time.Now()
			out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 5})
			if err != nil || len(out.Messages) != 1 {
				b.Fatalf("receive: %d messages, %v", len(out.Messages), err)
			}
			lat = append(lat, time.Since(acked))
			q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle})
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		at := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
		b.ReportMetric(at(0.50), "p50-us")
		b.ReportMetric(at(0.99), "p99-us")
		b.ReportMetric(at(1), "max-us")
	})
}

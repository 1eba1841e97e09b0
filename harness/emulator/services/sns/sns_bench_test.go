package sns_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// BenchmarkPublishToSQSLatency: at idle, a consumer waits in a long poll
// (WaitTimeSeconds=20) on a queue subscribed to a topic; each iteration
// publishes one message through the SDK. Figures, in µs: from Publish's
// acknowledgement to the consumer's ReceiveMessage answer (ack-to-recv,
// 0 when the receive answered first: delivery to SQS completes before
// Publish answers), and from Publish being issued to that answer
// (issue-to-recv, an upper bound including Publish's own round trip).
func BenchmarkPublishToSQSLatency(b *testing.B) {
	for _, raw := range []bool{false, true} {
		name := "envelope"
		if raw {
			name = "raw"
		}
		b.Run(name, func(b *testing.B) {
			c := start(b)
			topic := c.topic(b, "lat", nil)
			qurl, qarn := c.queue(b, "lat-q", nil)
			attrs := map[string]string{}
			if raw {
				attrs["RawMessageDelivery"] = "true"
			}
			c.subscribe(b, topic, "sqs", qarn, attrs)
			// Warm up the signing key and the connections.
			if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("warm")}); err != nil {
				b.Fatal(err)
			}
			c.receive(b, qurl, 1)
			ack := make([]time.Duration, 0, b.N)
			issue := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				got := make(chan time.Time, 1)
				go func() {
					out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(qurl), WaitTimeSeconds: 20})
					t := time.Now()
					if err == nil && len(out.Messages) == 1 {
						c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(qurl), ReceiptHandle: out.Messages[0].ReceiptHandle})
					}
					got <- t
				}()
				// Let the receive reach its wait (a benchmark, not a test:
				// the figure is meaningless if the message is already there).
				time.Sleep(2 * time.Millisecond)
				issued := time.Now()
				if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("ping")}); err != nil {
					b.Fatal(err)
				}
				acked := time.Now()
				recv := <-got
				issue = append(issue, recv.Sub(issued))
				ack = append(ack, max(0, recv.Sub(acked)))
			}
			b.StopTimer()
			report(b, ack, "ack-to-recv")
			report(b, issue, "issue-to-recv")
		})
	}
}

func report(b *testing.B, lat []time.Duration, name string) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-"+name+"-us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-"+name+"-us")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-"+name+"-us")
}

// BenchmarkPublishHandler measures the server side alone: Publish of a
// 1 KB message through the edge handler (no network, no SDK) to a topic
// with one SQS subscription, enveloped and signed (SHA1withRSA) or raw.
func BenchmarkPublishHandler(b *testing.B) {
	for _, raw := range []bool{false, true} {
		name := "envelope"
		if raw {
			name = "raw"
		}
		b.Run(name, func(b *testing.B) {
			e := emulator.New()
			b.Cleanup(func() { e.Close() })
			h := e.Handler()
			serve := func(service, body string) *emutest.Discard {
				w := &emutest.Discard{H: http.Header{}}
				req := emutest.BenchRequest(service, "application/x-www-form-urlencoded", "")
				w.Serve(h, req, []byte(body))
				return w
			}
			if w := serve("sns", "Action=CreateTopic&Name=bench"); w.Status != 200 {
				b.Fatalf("create topic: %d", w.Status)
			}
			sq := emutest.BenchRequest("sqs", "application/x-amz-json-1.0", "AmazonSQS.CreateQueue")
			w := &emutest.Discard{H: http.Header{}}
			if s := w.Serve(h, sq, []byte(`{"QueueName":"bench"}`)); s != 200 {
				b.Fatalf("create queue: %d", s)
			}
			topic := "arn:aws:sns:us-east-1:000000000000:bench"
			sub := "Action=Subscribe&Protocol=sqs&TopicArn=" + url.QueryEscape(topic) + "&Endpoint=" + url.QueryEscape("arn:aws:sqs:us-east-1:000000000000:bench")
			if raw {
				sub += "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true"
			}
			if w := serve("sns", sub); w.Status != 200 {
				b.Fatalf("subscribe: %d", w.Status)
			}
			body := []byte("Action=Publish&TopicArn=" + url.QueryEscape(topic) + "&Message=" + strings.Repeat("x", 1024))
			if w := serve("sns", string(body)); w.Status != 200 { // generates the signing key
				b.Fatalf("publish: %d", w.Status)
			}
			b.ReportAllocs()
			m := emutest.StartCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				req := emutest.BenchRequest("sns", "application/x-www-form-urlencoded", "")
				w := &emutest.Discard{H: http.Header{}}
				for pb.Next() {
					if s := w.Serve(h, req, body); s != 200 {
						b.Errorf("publish: %d", s)
						return
					}
				}
			})
			m.Report()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

package sqs_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	sqssvc "github.com/groundstack/groundstack/harness/emulator/services/sqs"
)

var body1KB = strings.Repeat("x", 1024)

func sendBody(queue string) []byte {
	return []byte(`{"QueueUrl":"http://127.0.0.1:4566/000000000000/` + queue + `","MessageBody":"` + body1KB + `"}`)
}

func benchCreate(b *testing.B, h http.Handler, name string) {
	w := &emutest.Discard{H: http.Header{}}
	if s := w.Serve(h, emutest.BenchRequest("sqs", "application/x-amz-json-1.0", "AmazonSQS.CreateQueue"), []byte(`{"QueueName":"`+name+`"}`)); s != 200 {
		b.Fatalf("create: %d", s)
	}
}

// BenchmarkSendMessageHandler measures the server side alone: the edge
// handler with a pre-built 1 KB SendMessage, no network, no SDK.
func BenchmarkSendMessageHandler(b *testing.B) {
	e := emulator.New()
	b.Cleanup(func() { e.Close() })
	h := e.Handler()
	benchCreate(b, h, "bench")
	body := sendBody("bench")
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		req := emutest.BenchRequest("sqs", "application/x-amz-json-1.0", "AmazonSQS.SendMessage")
		w := &emutest.Discard{H: http.Header{}}
		for pb.Next() {
			if s := w.Serve(h, req, body); s != 200 {
				b.Errorf("send: %d", s)
				return
			}
		}
	})
	b.StopTimer()
	m.Report()
}

// rawClient replays one pre-signed, pre-serialised request over keep-alive
// connections (PERFORMANCE.md's light client, ~25-30 µs of CPU per call).
type rawClient struct {
	c      *http.Client
	url    string
	header http.Header
}

func newRawClient(endpoint, target string) *rawClient {
	req := emutest.BenchRequest("sqs", "application/x-amz-json-1.0", target)
	return &rawClient{
		c:      &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}},
		url:    endpoint + "/",
		header: req.Header,
	}
}

func (r *rawClient) do(body []byte) (int, []byte, error) {
	req, _ := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(body))
	req.Header = r.header.Clone()
	resp, err := r.c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, out, nil
}

// BenchmarkSendMessageRawClient: 1 KB SendMessage over loopback HTTP from
// 8 workers with the light client. cpu-us/op is the whole process: the
// server's share plus the client's ~25-30 µs (see the handler benchmark
// for the server's handler alone).
func BenchmarkSendMessageRawClient(b *testing.B) {
	e, _ := emutest.Start(b)
	rc := newRawClient(e.URL(), "AmazonSQS.CreateQueue")
	if s, out, err := rc.do([]byte(`{"QueueName":"raw"}`)); err != nil || s != 200 {
		b.Fatalf("create: %d %s %v", s, out, err)
	}
	rc = newRawClient(e.URL(), "AmazonSQS.SendMessage")
	body := sendBody("raw")
	b.SetParallelism(4) // 8 workers on 2 cores
	m := emutest.StartCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if s, out, err := rc.do(body); err != nil || s != 200 {
				b.Errorf("send: %d %s %v", s, out, err)
				return
			}
		}
	})
	b.StopTimer()
	m.Report()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkSendReceiveDeleteSDK: messages through their whole life with
// aws-sdk-go-v2, 8 workers: single calls (3 per message) and batches of 10
// (3 per 10 messages). BENCH_ENDPOINT points it at another emulator. ops
// here are messages.
func BenchmarkSendReceiveDeleteSDK(b *testing.B) {
	for _, batch := range []int{1, 10} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			cfg, _ := emutest.BenchConfig(b)
			c := sqs.NewFromConfig(cfg)
			name := fmt.Sprintf("sdk-%d-%d", batch, time.Now().UnixNano())
			out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
			if err != nil {
				b.Fatal(err)
			}
			url := out.QueueUrl
			b.Cleanup(func() { _, _ = c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: url}) })
			var rounds atomic.Int64
			b.SetParallelism(4)
			m := emutest.StartCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					// One round moves `batch` messages; b.N counts messages.
					if batch > 1 && rounds.Add(1)%int64(batch) != 0 {
						continue
					}
					if err := lifeOf(c, url, batch); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			m.Report()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func lifeOf(c *sqs.Client, url *string, n int) error {
	if n == 1 {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(body1KB)}); err != nil {
			return err
		}
	} else {
		es := make([]types.SendMessageBatchRequestEntry, n)
		for i := range es {
			es[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body1KB[:200])}
		}
		if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: es}); err != nil {
			return err
		}
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: int32(n)})
	if err != nil {
		return err
	}
	if n == 1 {
		for _, m := range got.Messages {
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(got.Messages) == 0 {
		return nil
	}
	es := make([]types.DeleteMessageBatchRequestEntry, len(got.Messages))
	for i, m := range got.Messages {
		es[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
	}
	_, err = c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: es})
	return err
}

// BenchmarkLongPollWakeup: a ReceiveMessage waiting (WaitTimeSeconds=20)
// over loopback HTTP, then a SendMessage; the figure is the time from the
// send was issued to the waiting receive's answer (p50, p99, max in µs):
// an upper bound on the wake-up, since it includes the send's own round
// trip (the receive's answer often arrives before the send's).
func BenchmarkLongPollWakeup(b *testing.B) {
	e, _ := emutest.Start(b)
	create := newRawClient(e.URL(), "AmazonSQS.CreateQueue")
	if s, out, err := create.do([]byte(`{"QueueName":"wake"}`)); err != nil || s != 200 {
		b.Fatalf("create: %d %s %v", s, out, err)
	}
	send := newRawClient(e.URL(), "AmazonSQS.SendMessage")
	recv := newRawClient(e.URL(), "AmazonSQS.ReceiveMessage")
	del := newRawClient(e.URL(), "AmazonSQS.DeleteMessage")
	queueURL := "http://127.0.0.1:4566/000000000000/wake"
	recvBody := []byte(`{"QueueUrl":"` + queueURL + `","WaitTimeSeconds":20}`)
	sendBody := []byte(`{"QueueUrl":"` + queueURL + `","MessageBody":"ping"}`)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got := make(chan time.Time, 1)
		var handle string
		go func() {
			_, out, _ := recv.do(recvBody)
			t := time.Now()
			if i := bytes.Index(out, []byte(`"ReceiptHandle":"`)); i >= 0 {
				rest := out[i+len(`"ReceiptHandle":"`):]
				handle = string(rest[:bytes.IndexByte(rest, '"')])
			}
			got <- t
		}()
		// Let the receive reach its wait; a message sent earlier would be
		// received at once and measure nothing.
		time.Sleep(2 * time.Millisecond)
		issued := time.Now()
		if s, out, err := send.do(sendBody); err != nil || s != 200 {
			b.Fatalf("send: %d %s %v", s, out, err)
		}
		woke := <-got
		lat = append(lat, woke.Sub(issued))
		b.StopTimer()
		_, _, _ = del.do([]byte(`{"QueueUrl":"` + queueURL + `","ReceiptHandle":"` + handle + `"}`))
		b.StartTimer()
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-wake-us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-wake-us")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-wake-us")
}

// BenchmarkReceiveDepth: ReceiveMessage + DeleteMessage through the handler
// (and one store-level send to keep the depth) with 1,000 and 1,000,000
// 1 KB messages waiting: the cost per op must not grow with the depth. It
// also reports the heap each stored message costs.
func BenchmarkReceiveDepth(b *testing.B) {
	for _, depth := range []int{1000, 1000000} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			e := emulator.New()
			b.Cleanup(func() { e.Close() })
			h := e.Handler()
			benchCreate(b, h, "deep")
			var store *sqssvc.Store
			for _, s := range e.Services() {
				if svc, ok := s.(*sqssvc.Service); ok {
					store = svc.Store()
				}
			}
			q, err := store.Queue("us-east-1", "deep")
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			fill := func(n int) {
				for i := 0; i < n; i++ {
					// A fresh body per message, as a decoded request gives the store.
					in := sqssvc.SendInput{Body: string([]byte(body1KB)), DelaySeconds: -1}
					if _, err := store.Send(q, &in, 0); err != nil {
						b.Fatal(err)
					}
				}
			}
			fill(depth)
			runtime.GC()
			runtime.ReadMemStats(&after)
			perMsg := float64(after.HeapAlloc-before.HeapAlloc) / float64(depth)
			recv := emutest.BenchRequest("sqs", "application/x-amz-json-1.0", "AmazonSQS.ReceiveMessage")
			del := emutest.BenchRequest("sqs", "application/x-amz-json-1.0", "AmazonSQS.DeleteMessage")
			recvBody := []byte(`{"QueueUrl":"deep","VisibilityTimeout":600}`)
			w := &emutest.Discard{H: http.Header{}}
			rec := &capture{}
			b.ReportAllocs()
			m := emutest.StartCPU(b)
			for i := 0; i < b.N; i++ {
				rec.reset()
				recv.Body = io.NopCloser(bytes.NewReader(recvBody))
				recv.ContentLength = int64(len(recvBody))
				h.ServeHTTP(rec, recv)
				handle := rec.handle()
				if handle == "" {
					b.Fatalf("empty receive at depth %d", depth)
				}
				if s := w.Serve(h, del, []byte(`{"QueueUrl":"deep","ReceiptHandle":"`+handle+`"}`)); s != 200 {
					b.Fatalf("delete: %d", s)
				}
				// Keep the depth: one message in for each one out (in the
				// timed loop: StopTimer reads memory statistics, whose cost
				// grows with the heap and would blur the comparison).
				fill(1)
			}
			b.StopTimer()
			m.Report()
			b.ReportMetric(perMsg, "heap-B/msg")
		})
	}
}

// capture keeps a response body (the receipt handle is needed).
type capture struct {
	h    http.Header
	body bytes.Buffer
}

func (c *capture) Header() http.Header {
	if c.h == nil {
		c.h = http.Header{}
	}
	return c.h
}
func (c *capture) Write(p []byte) (int, error) { return c.body.Write(p) }
func (c *capture) WriteHeader(int)             {}
func (c *capture) reset()                      { c.body.Reset() }
func (c *capture) handle() string {
	out := c.body.Bytes()
	i := bytes.Index(out, []byte(`"ReceiptHandle":"`))
	if i < 0 {
		return ""
	}
	rest := out[i+len(`"ReceiptHandle":"`):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// BenchmarkRawClientFloor is the floor the raw client benchmark stands on:
// the same client and requests against a net/http server that reads the
// body and answers a fixed 200. Its cpu-us/op subtracted from
// BenchmarkSendMessageRawClient's is what SQS costs above net/http.
func BenchmarkRawClientFloor(b *testing.B) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"MD5OfMessageBody":"00000000000000000000000000000000","MessageId":"00000000-0000-0000-0000-000000000000"}`))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	rc := newRawClient("http://"+ln.Addr().String(), "AmazonSQS.SendMessage")
	body := sendBody("raw")
	b.SetParallelism(4)
	m := emutest.StartCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if s, _, err := rc.do(body); err != nil || s != 200 {
				b.Errorf("floor: %d %v", s, err)
				return
			}
		}
	})
	b.StopTimer()
	m.Report()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkSendMessageServerProcess measures the figure as
// PERFORMANCE.md defines it: the server in its own process, the light
// client replaying a pre-signed 1 KB SendMessage from 8 workers over
// keep-alive connections, and the server process's user+system CPU (from
// /proc) divided by the operations it served. "groundstack" is `groundstack
// up`; "floor" is a do-nothing net/http server (reads the body, answers a
// fixed 200) measured the same way at the same time, since this machine's
// load moves both. It builds both binaries first.
func BenchmarkSendMessageServerProcess(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "groundstack")
	if out, err := exec.Command("go", "build", "-o", bin, "../../../cmd/groundstack").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	floorSrc := filepath.Join(dir, "floor", "main.go")
	_ = os.MkdirAll(filepath.Dir(floorSrc), 0o755)
	_ = os.WriteFile(floorSrc, []byte(floorServer), 0o644)
	floor := filepath.Join(dir, "floorserver")
	build := exec.Command("go", "build", "-o", floor, floorSrc)
	build.Env = append(os.Environ(), "GO111MODULE=off")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build floor: %v\n%s", err, out)
	}
	for _, tc := range []struct{ name, bin string }{{"groundstack", bin}, {"floor", floor}} {
		b.Run(tc.name, func(b *testing.B) { serverProcessBench(b, tc.bin) })
	}
}

// floorServer is the do-nothing server: PERFORMANCE.md's floor.
const floorServer = `package main

import (
	"io"
	"net/http"
	"os"
)

func main() {
	http.ListenAndServe("127.0.0.1:"+os.Args[3], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Write([]byte(` + "`" + `{"MD5OfMessageBody":"00000000000000000000000000000000","MessageId":"00000000-0000-0000-0000-000000000000"}` + "`" + `))
	}))
}
`

func serverProcessBench(b *testing.B, bin string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "up", "--port", strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	rc := newRawClient(endpoint, "AmazonSQS.CreateQueue")
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, _, err := rc.do([]byte(`{"QueueName":"proc"}`))
		if err == nil && s == 200 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("server did not answer: %d %v", s, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	rc = newRawClient(endpoint, "AmazonSQS.SendMessage")
	body := sendBody("proc")
	before := procCPU(b, cmd.Process.Pid)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if s, out, err := rc.do(body); err != nil || s != 200 {
				b.Errorf("send: %d %s %v", s, out, err)
				return
			}
		}
	})
	b.StopTimer()
	used := procCPU(b, cmd.Process.Pid) - before
	b.ReportMetric(float64(used.Microseconds())/float64(b.N), "server-cpu-us/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// procCPU is a process's user+system CPU from /proc/<pid>/stat.
func procCPU(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Skip("no /proc: " + err.Error())
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticksPerSecond
}

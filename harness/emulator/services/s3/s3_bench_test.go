package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// processCPU is the user+system CPU this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discardWriter is the cheapest ResponseWriter: the benchmark measures the
// service, not a recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }

// rewindBody lets one prebuilt request be served many times.
type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

// sdkHeaders are what aws-sdk-go-v2 sends with a PutObject over HTTP.
func sdkHeaders(h http.Header, payloadHash string) {
	h.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/s3/aws4_request, SignedHeaders=accept-encoding;amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=5e7a8727a689a879ded823dba32d3b86de5132986a16eb732ff2771f6b72fd91")
	h.Set("X-Amz-Date", "20261123T113415Z")
	h.Set("X-Amz-Content-Sha256", payloadHash)
	h.Set("User-Agent", "aws-sdk-go-v2/1.47.7 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/s3#1.114.8 m/e")
	h.Set("Amz-Sdk-Invocation-Id", "4580375f-0e38-4f0d-8179-518de8cee396")
	h.Set("Amz-Sdk-Request", "attempt=1; max=1")
	h.Set("Accept-Encoding", "identity")
}

// BenchmarkHandler measures server CPU per operation through the edge's
// handler with prebuilt requests (no network, no client).
func BenchmarkHandler(b *testing.B) {
	e := emulator.New()
	h := e.Handler()
	payload := bytes.Repeat([]byte("x"), 1024)
	serve := func(r *http.Request) int {
		// A fresh shallow copy each time, as net/http hands every request
		// in new: a service may set path values and wrap the body.
		fresh := *r
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, &fresh)
		if w.status == 0 {
			w.status = 200
		}
		return w.status
	}
	mk, _ := http.NewRequest("PUT", "http://127.0.0.1:4566/bench", nil)
	sdkHeaders(mk.Header, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	if s := serve(mk); s != 200 {
		b.Fatalf("create bucket: %d", s)
	}

	b.Run("PutObject1KiB", func(b *testing.B) {
		body := &rewindBody{}
		r, _ := http.NewRequest("PUT", "http://127.0.0.1:4566/bench/key-1?x-id=PutObject", body)
		r.ContentLength = int64(len(payload))
		sdkHeaders(r.Header, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
		r.Header.Set("Content-Type", "application/octet-stream")
		b.ReportAllocs()
		b.ResetTimer()
		c0 := processCPU()
		for i := 0; i < b.N; i++ {
			body.Reset(payload)
			if s := serve(r); s != 200 {
				b.Fatalf("status %d", s)
			}
		}
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us/op")
	})

	b.Run("PutObject1KiBNewKeys", func(b *testing.B) {
		body := &rewindBody{}
		reqs := make([]*http.Request, 4096)
		for i := range reqs {
			r, _ := http.NewRequest("PUT", "http://127.0.0.1:4566/bench/new/"+strconv.Itoa(i)+"?x-id=PutObject", body)
			r.ContentLength = int64(len(payload))
			sdkHeaders(r.Header, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
			reqs[i] = r
		}
		b.ReportAllocs()
		b.ResetTimer()
		c0 := processCPU()
		for i := 0; i < b.N; i++ {
			body.Reset(payload)
			if s := serve(reqs[i%len(reqs)]); s != 200 {
				b.Fatalf("status %d", s)
			}
		}
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us/op")
	})

	b.Run("GetObject1KiB", func(b *testing.B) {
		r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/bench/key-1?x-id=GetObject", nil)
		sdkHeaders(r.Header, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
		b.ReportAllocs()
		b.ResetTimer()
		c0 := processCPU()
		for i := 0; i < b.N; i++ {
			if s := serve(r); s != 200 {
				b.Fatalf("status %d", s)
			}
		}
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us/op")
	})

	b.Run("ListObjectsV2-100", func(b *testing.B) {
		r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/bench?list-type=2&prefix=new/&max-keys=100", nil)
		sdkHeaders(r.Header, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
		b.ReportAllocs()
		b.ResetTimer()
		c0 := processCPU()
		for i := 0; i < b.N; i++ {
			if s := serve(r); s != 200 {
				b.Fatalf("status %d", s)
			}
		}
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us/op")
	})
}

// benchEndpoint is BENCH_ENDPOINT, or an embedded emulator's URL.
func benchEndpoint(b *testing.B) string {
	if ep := os.Getenv("BENCH_ENDPOINT"); ep != "" {
		return ep
	}
	e, _ := emutest.Start(b)
	return e.URL()
}

// BenchmarkSDK measures throughput of real SDK calls over loopback with 8
// concurrent clients. Embedded, client and server share the CPU: proc-cpu-
// us/op is both together (see PERFORMANCE.md).
func BenchmarkSDK(b *testing.B) {
	const workers = 8
	ep := benchEndpoint(b)
	c := s3.NewFromConfig(emutest.Config(ep))
	ctx := context.Background()
	bucket := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		b.Fatal(err)
	}
	payload := bytes.Repeat([]byte("y"), 1024)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("get-me"), Body: bytes.NewReader(payload)}); err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, op func(i int64) error) {
		var next atomic.Int64
		var wg sync.WaitGroup
		var failed atomic.Value
		b.ResetTimer()
		c0, t0 := processCPU(), time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > int64(b.N) {
						return
					}
					if err := op(i); err != nil {
						failed.Store(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(t0)
		if err := failed.Load(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "proc-cpu-us/op")
	}
	b.Run("PutObject1KiB", func(b *testing.B) {
		run(b, func(i int64) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k/" + strconv.FormatInt(i%1000, 10)), Body: bytes.NewReader(payload)})
			return err
		})
	})
	b.Run("GetObject1KiB", func(b *testing.B) {
		run(b, func(i int64) error {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("get-me")})
			if err != nil {
				return err
			}
			n, err := io.Copy(io.Discard, out.Body)
			out.Body.Close()
			if err == nil && n != int64(len(payload)) {
				err = fmt.Errorf("read %d bytes", n)
			}
			return err
		})
	})
}

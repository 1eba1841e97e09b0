package emutest

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/groundstack/groundstack/harness/emulator/emutest/benchcpu"
)

// EnvBenchEndpoint names another emulator for SDK benchmarks to target.
const EnvBenchEndpoint = "BENCH_ENDPOINT"

// BenchConfig returns an SDK config for the emulator named by BENCH_ENDPOINT,
// or for a freshly started embedded one; the second result says which
// endpoint is measured.
func BenchConfig(b *testing.B) (aws.Config, string) {
	b.Helper()
	if ep := os.Getenv(EnvBenchEndpoint); ep != "" {
		return Config(ep), ep
	}
	e, cfg := Start(b)
	return cfg, e.URL()
}

// ProcessCPU is the user+system CPU this process has used so far.
func ProcessCPU() time.Duration { return benchcpu.Process() }

// CPUMeter reports CPU per operation over a benchmark loop:
//
//	m := emutest.StartCPU(b); for … { … }; m.Report()
//
// It is benchcpu's, which packages below the emulator use directly (they
// cannot import emutest without an import cycle).
type CPUMeter = benchcpu.Meter

// StartCPU starts measuring (and resets the benchmark timer).
func StartCPU(b *testing.B) *CPUMeter { return benchcpu.Start(b) }

// Discard is a ResponseWriter that keeps only the status, for driving a
// handler in a loop without allocating recorders. Reset before reuse.
type Discard struct {
	H      http.Header
	Status int
	Bytes  int
}

func (d *Discard) Header() http.Header {
	if d.H == nil {
		d.H = http.Header{}
	}
	return d.H
}
func (d *Discard) Write(b []byte) (int, error) { d.Bytes += len(b); return len(b), nil }
func (d *Discard) WriteHeader(s int)           { d.Status = s }

// Reset clears the writer for the next request.
func (d *Discard) Reset() {
	for k := range d.H {
		delete(d.H, k)
	}
	d.Status, d.Bytes = 0, 0
}

// BenchRequest is a request for handler benchmarks: POST / with contentType,
// X-Amz-Target when target is set, and a SigV4 Authorization header for
// service that is signed in name only (the emulator accepts any unless
// strict). Serve gives it a body.
func BenchRequest(service, contentType, target string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", nil)
	req.Header.Set("Content-Type", contentType)
	signed := "content-type;host;x-amz-date"
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		signed += ";x-amz-target"
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/"+service+"/aws4_request, SignedHeaders="+signed+", Signature="+strings.Repeat("0", 64))
	req.Header.Set("X-Amz-Date", "20260301T120000Z")
	return req
}

// Serve sends req through h with body, into d (reset first), and returns
// the status the handler wrote.
func (d *Discard) Serve(h http.Handler, req *http.Request, body []byte) int {
	d.Reset()
	d.Status = 200
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	h.ServeHTTP(d, req)
	return d.Status
}

package emutest

import (
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUMeter reports CPU per operation over a benchmark loop:
//
//	m := emutest.StartCPU(b); for … { … }; m.Report()
type CPUMeter struct {
	b     *testing.B
	start time.Duration
}

// StartCPU starts measuring (and resets the benchmark timer).
func StartCPU(b *testing.B) *CPUMeter {
	b.ResetTimer()
	return &CPUMeter{b: b, start: ProcessCPU()}
}

// Report adds the "cpu-us/op" metric for b.N operations.
func (m *CPUMeter) Report() {
	used := ProcessCPU() - m.start
	m.b.ReportMetric(float64(used.Microseconds())/float64(m.b.N), "cpu-us/op")
}

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

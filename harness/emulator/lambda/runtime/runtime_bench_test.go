package runtime_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// procCPU reads utime+stime of /proc/<pid>/stat in µs.
func procCPU(pid string) float64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) * 1e4
}

// BenchmarkPoolInvokeWarm: a warm invocation through the executor alone
// (no edge, no client): cpu-us/op is our side of the Runtime API,
// handler-cpu-us/op the child's (aws-lambda-go's loop and the handler).
func BenchmarkPoolInvokeWarm(b *testing.B) {
	for _, logs := range []bool{false, true} {
		b.Run(map[bool]string{false: "no-logs", true: "cloudwatch"}[logs], func(b *testing.B) {
			cfg := runtime.Config{}
			cfg.Logs = func() cloud.LogWriter { return nil }
			if logs {
				sink := &logSink{}
				cfg.Logs = func() cloud.LogWriter { return sink }
			}
			x := runtime.New(cfg)
			defer x.Close()
			sum, err := x.StoreCode(testfnZip)
			if err != nil {
				b.Fatal(err)
			}
			x.Unpack(sum)
			p := x.NewPool(&runtime.Function{Name: "bench", ARN: "arn:aws:lambda:us-east-1:000000000000:function:bench",
				Version: "$LATEST", Region: "us-east-1", Runtime: "provided.al2023", CodeSHA256: sum, Timeout: 10 * time.Second, MemoryMB: 128})
			payload := []byte(`{"mode":"echo"}`)
			req := &runtime.Request{RequestID: "r", Payload: payload, InvokedARN: "arn", TraceID: "Root=1-0-0"}
			for i := 0; i < 100; i++ {
				r, _ := p.Invoke(context.Background(), req)
				r.Release()
			}
			pid := fmt.Sprint(x.PIDs()[0])
			self, child := procCPU("self"), procCPU(pid)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := p.Invoke(context.Background(), req)
				if err != nil || r.Outcome != runtime.Succeeded {
					b.Fatal(err)
				}
				r.Release()
			}
			b.StopTimer()
			b.ReportMetric((procCPU("self")-self)/float64(b.N), "cpu-us/op")
			b.ReportMetric((procCPU(pid)-child)/float64(b.N), "handler-cpu-us/op")
		})
	}
}

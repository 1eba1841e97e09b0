package secretsmanager_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// BenchmarkGetSecretValueHandler measures the server side alone: the edge
// handler with a pre-built request, no network, no SDK.
func BenchmarkGetSecretValueHandler(b *testing.B) {
	e := emulator.New()
	h := e.Handler()
	w := &emutest.Discard{H: http.Header{}}
	create := []byte(`{"Name":"bench/db","SecretString":"` + strings.Repeat("x", 256) + `","ClientRequestToken":"00000000000000000000000000000001"}`)
	if s := w.Serve(h, emutest.BenchRequest("secretsmanager", "application/x-amz-json-1.1", "secretsmanager.CreateSecret"), create); s != 200 {
		b.Fatalf("create: %d", s)
	}
	get := []byte(`{"SecretId":"bench/db"}`)
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		req := emutest.BenchRequest("secretsmanager", "application/x-amz-json-1.1", "secretsmanager.GetSecretValue")
		w := &emutest.Discard{H: http.Header{}}
		for pb.Next() {
			if s := w.Serve(h, req, get); s != 200 {
				b.Errorf("get: %d", s)
				return
			}
		}
	})
	b.StopTimer()
	m.Report()
}

// BenchmarkGetSecretValueSDK measures end to end through aws-sdk-go-v2 with 8
// concurrent callers; BENCH_ENDPOINT points it at another emulator. The SDK
// itself costs ~75-105 µs of CPU per call here, so ops/s is client-bound
// (see PERFORMANCE.md).
func BenchmarkGetSecretValueSDK(b *testing.B) {
	cfg, _ := emutest.BenchConfig(b)
	c := sm.NewFromConfig(cfg)
	name := "bench/sdk-" + time.Now().Format("150405.000000")
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(strings.Repeat("x", 256))}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_, _ = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)})
	})
	in := &sm.GetSecretValueInput{SecretId: aws.String(name)}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	t0, cpu0 := time.Now(), emutest.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetSecretValue(ctx, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "ops/s")
	// Client and (when embedded) server together: the process's CPU per call.
	b.ReportMetric(float64((emutest.ProcessCPU()-cpu0).Microseconds())/float64(b.N), "process-cpu-us/op")
}

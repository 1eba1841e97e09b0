package emulator_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator"
)

// BenchmarkStartToHealthy measures New + Start until the health endpoint
// answers 200 (target ≤ 50 ms; LocalStack needs seconds).
func BenchmarkStartToHealthy(b *testing.B) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		e := emulator.New()
		if err := e.Start(); err != nil {
			b.Fatal(err)
		}
		resp, err := client.Get(e.URL() + "/_localstack/health")
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("health: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		total += time.Since(start)
		b.StopTimer()
		e.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-to-healthy")
}

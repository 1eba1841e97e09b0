package deploy_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// benchAPI deploys handlers/testfn behind a {proxy+} REST API and returns
// its base URL.
func benchAPI(b *testing.B, cfg aws.Config) deploy.RestAPI {
	zip, sha := buildTestfn(b)
	if _, err := deploy.EnsureFunction(ctx, cfg, deploy.FunctionSpec{Name: "bench-fn", ZipPath: zip, CodeSha256: sha}); err != nil {
		b.Fatal(err)
	}
	api, err := deploy.EnsureRestAPI(ctx, cfg, deploy.RestAPISpec{Name: "bench-api", Routes: []deploy.Route{{Path: "/{proxy+}", Method: "ANY", Function: "bench-fn"}}})
	if err != nil {
		b.Fatal(err)
	}
	return api
}

// BenchmarkRestAPIToLambdaHTTP is a warm GET through API Gateway to a Go
// Lambda and back over loopback HTTP, one request at a time: p50/p99 are
// the latency a test sees. cpu-us/op is this process's CPU (the embedded
// emulator plus the HTTP client; the handler process is not in it).
// BENCH_ENDPOINT targets another emulator.
func BenchmarkRestAPIToLambdaHTTP(b *testing.B) {
	cfg, _ := emutest.BenchConfig(b)
	api := benchAPI(b, cfg)
	url := api.URL + "/orders/42?expand=items"
	for i := 0; i < 20; i++ { // warm the instance and the connection
		if code, _, body := get(b, "GET", url); code != 200 {
			b.Fatalf("warm-up: %d %s", code, body)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	child := handlerCPU()
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if code, _, _ := get(b, "GET", url); code != 200 {
			b.Fatalf("status %d", code)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	m.Report()
	reportLatency(b, lat)
	b.ReportMetric(float64((handlerCPU()-child).Microseconds())/float64(b.N), "handler-cpu-us/op")
}

// BenchmarkRestAPIToLambdaServer serves prebuilt requests through the
// edge handler (no client, no socket on the way in): cpu-us/op is the
// server's CPU per request (gateway, Lambda service, Runtime API), and
// handler-cpu-us/op the Go handler process's.
func BenchmarkRestAPIToLambdaServer(b *testing.B) {
	e, cfg := emutest.Start(b)
	api := benchAPI(b, cfg)
	target := strings.TrimPrefix(api.URL, e.URL()) + "/orders/42?expand=items"
	var w emutest.Discard
	serve := func() {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = "127.0.0.1:40000"
		req.Header.Set("User-Agent", "bench")
		w.Reset()
		e.Handler().ServeHTTP(&w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("status %d", w.Status)
		}
	}
	for i := 0; i < 20; i++ {
		serve()
	}
	lat := make([]time.Duration, 0, b.N)
	child := handlerCPU()
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		serve()
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	m.Report()
	reportLatency(b, lat)
	b.ReportMetric(float64((handlerCPU()-child).Microseconds())/float64(b.N), "handler-cpu-us/op")
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// handlerCPU is the CPU used so far by this process's child processes
// (the Lambda instances), read from /proc; 0 where /proc is missing.
func handlerCPU() time.Duration {
	self := strconv.Itoa(os.Getpid())
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// fields after the ")" that closes the command name: state ppid … utime(14) stime(15)
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 13 || f[1] != self {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ
}

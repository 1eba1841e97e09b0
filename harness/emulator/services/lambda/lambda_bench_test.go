package lambda_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// benchClient returns a Lambda client for BENCH_ENDPOINT, or for an
// embedded emulator.
func benchClient(b *testing.B) *awslambda.Client {
	b.Helper()
	cfg, _ := emutest.BenchConfig(b)
	return awslambda.NewFromConfig(cfg)
}

var benchSeq int

func benchFunction(b *testing.B, c *awslambda.Client, zip []byte) string {
	b.Helper()
	benchSeq++
	name := fmt.Sprintf("bench-%d-%d", time.Now().UnixNano()%1e9, benchSeq)
	_, err := c.CreateFunction(bg, &awslambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Role: aws.String(role),
		Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: zip}, Timeout: aws.Int32(30),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(name)}) })
	return name
}

// procCPU reads utime+stime of a /proc/<pid>/stat file (a child's), in µs.
func procCPU(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) * 1e6 / 100 // USER_HZ is 100 on Linux
}

func percentile(d []time.Duration, p float64) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[int(float64(len(d)-1)*p)]
}

// BenchmarkInvokeWarmSDK: sequential warm invocations of an echo handler
// through aws-sdk-go-v2, with latency percentiles.
func BenchmarkInvokeWarmSDK(b *testing.B) {
	c := benchClient(b)
	name := benchFunction(b, c, testfnZip)
	payload := []byte(`{"mode":"echo"}`)
	in := &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: payload}
	for i := 0; i < 50; i++ {
		c.Invoke(bg, in)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		out, err := c.Invoke(bg, in)
		lat = append(lat, time.Since(t0))
		if err != nil || !bytes.Equal(out.Payload, payload) {
			b.Fatalf("%v %s", err, out.Payload)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds()), "p50-us")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds()), "p99-us")
}

// BenchmarkInvokeWarmSDKParallel: warm invocations from 8 SDK workers;
// invokes/s is the throughput on this machine (client included).
func BenchmarkInvokeWarmSDKParallel(b *testing.B) {
	c := benchClient(b)
	name := benchFunction(b, c, testfnZip)
	payload := []byte(`{"mode":"echo"}`)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ { // warm 8 instances
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"mode":"sleep","ms":100}`)})
		}()
	}
	wg.Wait()
	b.SetParallelism(4) // 4 × GOMAXPROCS (2 here) = 8 workers
	cpu0 := emutest.ProcessCPU()
	t0 := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		in := &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: payload}
		for pb.Next() {
			out, err := c.Invoke(bg, in)
			if err != nil || !bytes.Equal(out.Payload, payload) {
				b.Errorf("%v", err)
				return
			}
		}
	})
	b.StopTimer()
	el := time.Since(t0)
	b.ReportMetric(float64(b.N)/el.Seconds(), "invokes/s")
	b.ReportMetric(float64((emutest.ProcessCPU()-cpu0).Microseconds())/float64(b.N), "client+server-cpu-us/op")
}

// BenchmarkInvokeServerCPU replays a pre-built Invoke request through the
// edge handler (no client, no sockets on the client side): cpu-us/op is
// the emulator's CPU per warm invoke (edge, service, Runtime API), and
// handler-cpu-us/op the child process's.
func BenchmarkInvokeServerCPU(b *testing.B) {
	e, name := embeddedBench(b)
	svc := service(b, e)
	h := e.Handler()
	body := []byte(`{"mode":"echo"}`)
	mk := func() *http.Request {
		return benchRequest("POST", "/2015-03-31/functions/"+name+"/invocations", body, nil)
	}
	for i := 0; i < 100; i++ {
		h.ServeHTTP(httptest.NewRecorder(), mk())
	}
	pids := svc.Executor().PIDs()
	child0 := 0.0
	for _, p := range pids {
		child0 += procCPU(fmt.Sprintf("/proc/%d/stat", p))
	}
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, mk())
		if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), body) {
			b.Fatalf("%d %s", rec.Code, rec.Body.Bytes())
		}
	}
	b.StopTimer()
	m.Report()
	child1 := 0.0
	for _, p := range pids {
		child1 += procCPU(fmt.Sprintf("/proc/%d/stat", p))
	}
	b.ReportMetric((child1-child0)/float64(b.N), "handler-cpu-us/op")
}

var initRE = regexp.MustCompile(`Init Duration: ([0-9.]+) ms`)
var durRE = regexp.MustCompile(`\tDuration: ([0-9.]+) ms`)

// BenchmarkColdStart: the first invocation of a new function. overhead-ms
// is that call's latency minus the bootstrap's own start-up (Init
// Duration: exec to its first /next) and the handler's run (Duration).
// With fresh-code, every function also has new code, which CreateFunction
// unpacks (create-function-ms shows what that costs).
func BenchmarkColdStart(b *testing.B) {
	for _, fresh := range []bool{false, true} {
		b.Run(map[bool]string{false: "cached-code", true: "fresh-code"}[fresh], func(b *testing.B) {
			c := benchClient(b)
			var total, initSum, overhead, create float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				zip := testfnZip
				if fresh {
					zip = withExtraFile(b, testfnZip, i)
				}
				tc := time.Now()
				name := benchFunction(b, c, zip)
				create += float64(time.Since(tc).Microseconds()) / 1000
				b.StartTimer()
				t0 := time.Now()
				out, err := c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`), LogType: types.LogTypeTail})
				el := time.Since(t0)
				b.StopTimer()
				if err != nil || aws.ToString(out.FunctionError) != "" {
					b.Fatalf("%v %s", err, out.Payload)
				}
				tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
				m, d := initRE.FindSubmatch(tail), durRE.FindSubmatch(tail)
				if m == nil || d == nil {
					b.Fatalf("no Init Duration in %s", tail)
				}
				initMs, _ := strconv.ParseFloat(string(m[1]), 64)
				durMs, _ := strconv.ParseFloat(string(d[1]), 64)
				ms := float64(el.Microseconds()) / 1000
				total += ms
				initSum += initMs
				overhead += ms - initMs - durMs
				c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(name)})
				b.StartTimer()
			}
			b.ReportMetric(total/float64(b.N), "first-invoke-ms")
			b.ReportMetric(initSum/float64(b.N), "bootstrap-init-ms")
			b.ReportMetric(overhead/float64(b.N), "overhead-ms")
			b.ReportMetric(create/float64(b.N), "create-function-ms")
		})
	}
}

// withExtraFile returns zip plus one file, so its SHA-256 differs.
func withExtraFile(b *testing.B, zipData []byte, n int) []byte {
	b.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			b.Fatal(err)
		}
	}
	w, _ := zw.Create("extra.txt")
	fmt.Fprintf(w, "build %d %d", n, time.Now().UnixNano())
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDispatchServerCPU replays requests that never reach a function
// through the edge handler: cpu-us/op is what routing, decoding, checking
// and answering one costs the emulator (Invoke with DryRun, and a control
// plane read).
func BenchmarkDispatchServerCPU(b *testing.B) {
	e, name := embeddedBench(b)
	h := e.Handler()
	body := []byte(`{"mode":"echo"}`)
	for _, bc := range []struct {
		name, method, path string
		header             map[string]string
		status             int
	}{
		{"invoke-dryrun", "POST", "/2015-03-31/functions/" + name + "/invocations?Qualifier=%24LATEST", map[string]string{"X-Amz-Invocation-Type": "DryRun", "X-Amz-Log-Type": "None"}, 204},
		{"get-configuration", "GET", "/2015-03-31/functions/" + name + "/configuration", nil, 200},
	} {
		b.Run(bc.name, func(b *testing.B) {
			mk := func() *http.Request { return benchRequest(bc.method, bc.path, body, bc.header) }
			w := &emutest.Discard{}
			b.ReportAllocs()
			m := emutest.StartCPU(b)
			for i := 0; i < b.N; i++ {
				w.Reset()
				h.ServeHTTP(w, mk())
				if w.Status != bc.status {
					b.Fatalf("status %d", w.Status)
				}
			}
			b.StopTimer()
			m.Report()
		})
	}
}

// embeddedBench starts an embedded emulator with one testfn function, for
// the benchmarks that replay requests through its handler.
func embeddedBench(b *testing.B) (*emulator.Emulator, string) {
	b.Helper()
	if os.Getenv(emutest.EnvBenchEndpoint) != "" {
		b.Skip("measures the embedded emulator")
	}
	e, cfg := emutest.Start(b)
	return e, benchFunction(b, awslambda.NewFromConfig(cfg), testfnZip)
}

// benchRequest is a request as the SDK signs it (the embedded emulator
// does not check the signature).
func benchRequest(method, path string, body []byte, header map[string]string) *http.Request {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000")
	r.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

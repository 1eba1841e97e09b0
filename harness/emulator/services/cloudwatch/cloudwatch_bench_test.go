package cloudwatch_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// putBody is a PutMetricData as the SDK sends it: CBOR, one datum with two
// dimensions, a value, a unit and a timestamp (tag 1).
func putBody(b testing.TB) []byte {
	body, err := cbor.Marshal(map[string]any{
		"Namespace": "Bench",
		"MetricData": []any{map[string]any{
			"MetricName": "Latency",
			"Dimensions": []any{map[string]any{"Name": "Service", "Value": "checkout"}, map[string]any{"Name": "Host", "Value": "h1"}},
			"Value":      12.5,
			"Unit":       "Milliseconds",
			"Timestamp":  cbor.Tag{Number: 1, Content: float64(time.Now().Unix())},
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func cborRequest() *http.Request {
	req := emutest.BenchRequest("monitoring", "application/cbor", "")
	req.URL.Path = "/service/GraniteServiceVersion20100801/operation/PutMetricData"
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	return req
}

// BenchmarkPutMetricDataHandler measures the server side alone: the edge
// handler with a pre-built CBOR PutMetricData, no network, no SDK
// (cpu-us/op is the emulator's CPU per call).
func BenchmarkPutMetricDataHandler(b *testing.B) {
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("gzip=%v", gz), func(b *testing.B) {
			e := emulator.New(emulator.WithAlarmEvaluation(-1))
			b.Cleanup(func() { e.Close() })
			h := e.Handler()
			body := putBody(b)
			if gz {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				zw.Write(body)
				zw.Close()
				body = buf.Bytes()
			}
			b.ReportAllocs()
			m := emutest.StartCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				req := cborRequest()
				if gz {
					req.Header.Set("Content-Encoding", "gzip")
				}
				w := &emutest.Discard{H: http.Header{}}
				for pb.Next() {
					if s := w.Serve(h, req, body); s != 200 {
						b.Errorf("put: %d", s)
						return
					}
				}
			})
			b.StopTimer()
			m.Report()
		})
	}
}

// BenchmarkPutMetricDataRaw replays a pre-built request over keep-alive
// loopback connections (PERFORMANCE.md's light client): ops/s, and CPU per
// call of client and server together (the process holds both).
func BenchmarkPutMetricDataRaw(b *testing.B) {
	e := emulator.New(emulator.WithAlarmEvaluation(-1))
	if err := e.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	body := putBody(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	url := e.URL() + "/service/GraniteServiceVersion20100801/operation/PutMetricData"
	header := cborRequest().Header
	b.SetParallelism(4)
	m := emutest.StartCPU(b)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
			req.Header = header.Clone()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
	m.Report()
}

package apigateway_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// benchProxy replays one prebuilt data-plane request through the service's
// handler b.N times and reports server CPU per request. The Lambda behind
// it is the in-process echo fake, so this is API Gateway's own cost:
// routing, the proxy event, the response mapping.
func benchProxy(b *testing.B, method, path string, body string) {
	st := startStandalone(b, true)
	api := proxyAPI(b, st.client, "fn")
	target := "/restapis/" + api + "/prod/_user_request_" + path
	var w emutest.Discard
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "bench")
		w.Reset()
		st.svc.ServeHTTP(&w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("status %d", w.Status)
		}
	}
	b.StopTimer()
	m.Report()
}

func BenchmarkProxyGET(b *testing.B)  { benchProxy(b, "GET", "/orders/42?expand=items", "") }
func BenchmarkProxyPOST(b *testing.B) { benchProxy(b, "POST", "/orders", `{"item":"book","qty":2}`) }

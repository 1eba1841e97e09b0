package s3_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
)

// BenchmarkWebsite measures server CPU per website GET through the edge's
// handler: an object, a folder's index document, and a miss answered with
// the custom error document.
func BenchmarkWebsite(b *testing.B) {
	e := emulator.New()
	h := e.Handler()
	serve := func(r *http.Request) int {
		fresh := *r // as net/http hands every request in new
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, &fresh)
		if w.status == 0 {
			w.status = 200
		}
		return w.status
	}
	put := func(target string, body []byte) {
		r, _ := http.NewRequest("PUT", "http://127.0.0.1:4566"+target, bytes.NewReader(body))
		sdkHeaders(r.Header, "UNSIGNED-PAYLOAD")
		if s := serve(r); s != 200 {
			b.Fatalf("PUT %s: %d", target, s)
		}
	}
	put("/site", nil)
	put("/site/index.html", bytes.Repeat([]byte("<p>x</p>"), 512))
	put("/site/app.js", bytes.Repeat([]byte("x"), 1024))
	put("/site/error.html", []byte("<h1>not found</h1>"))
	put("/site?website", []byte(`<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>error.html</Key></ErrorDocument></WebsiteConfiguration>`))
	for _, bc := range []struct {
		name, url, host string
		status          int
	}{
		{"PathForm1KiB", "http://127.0.0.1:4566/_aws/s3-website/site/app.js", "", 200},
		{"HostFormIndex", "http://127.0.0.1:4566/", "site.s3-website.localhost.localstack.cloud:4566", 200},
		{"ErrorDocument", "http://127.0.0.1:4566/_aws/s3-website/site/missing", "", 404},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r, _ := http.NewRequest("GET", bc.url, nil)
			if bc.host != "" {
				r.Host = bc.host
			}
			r.Header.Set("User-Agent", "Mozilla/5.0")
			b.ReportAllocs()
			b.ResetTimer()
			c0 := processCPU()
			for i := 0; i < b.N; i++ {
				if s := serve(r); s != bc.status {
					b.Fatalf("status %d", s)
				}
			}
			b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us/op")
		})
	}
}

package s3_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestBucketCORS: a bucket's CORS rules answer preflights and decorate the
// requests of the origins they allow.
func TestBucketCORS(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	const bk = "cors-bucket"
	mustCreateBucket(t, c, bk)
	mustPut(t, c, bk, "k", []byte("hi"))
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bk), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"http://localhost:3000"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"x-amz-*", "content-type"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(300)}}}}); err != nil {
		t.Fatal(err)
	}
	do := func(method, origin string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, e.URL()+"/"+bk+"/k", nil)
		req.Header.Set("Origin", origin)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, _ := do("OPTIONS", "http://localhost:3000", map[string]string{"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-A"})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "GET, PUT" || resp.Header.Get("Access-Control-Max-Age") != "300" ||
		resp.Header.Get("Access-Control-Allow-Headers") != "Content-Type, X-Amz-Meta-A" {
		t.Errorf("allowed preflight = %d %v", resp.StatusCode, resp.Header)
	}
	for name, hdr := range map[string]map[string]string{
		"method": {"Access-Control-Request-Method": "DELETE"},
		"header": {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"},
	} {
		resp, body := do("OPTIONS", "http://localhost:3000", hdr)
		if resp.StatusCode != 403 || !strings.Contains(body, "<Code>AccessForbidden</Code>") || !strings.Contains(body, "CORSResponse: This CORS request is not allowed") {
			t.Errorf("preflight refused by %s = %d %s", name, resp.StatusCode, body)
		}
	}
	resp, _ = do("OPTIONS", "http://localhost:4000", map[string]string{"Access-Control-Request-Method": "GET"})
	if resp.StatusCode != 403 {
		t.Errorf("preflight of another origin = %d", resp.StatusCode)
	}
	// A GET from an allowed origin carries the rule's headers; another
	// origin's does not.
	resp, body := do("GET", "http://localhost:3000", nil)
	if resp.StatusCode != 200 || body != "hi" || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || resp.Header.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Errorf("GET with an allowed origin = %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = do("GET", "http://localhost:4000", nil)
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET with another origin has Access-Control-Allow-Origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	// Without a CORS configuration the edge's policy still answers.
	mustCreateBucket(t, c, "no-cors")
	req, _ := http.NewRequest("OPTIONS", e.URL()+"/no-cors/k", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "GET")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 200 || r2.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("preflight to a bucket without CORS = %d %v", r2.StatusCode, r2.Header)
	}
}

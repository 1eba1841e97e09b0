package emulator_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// The attacks: in strict mode, a public data-plane Host with an odd path
// fell through to the full API, unsigned: the API Gateway control plane
// answered on an execute-api host with //restapis, and functions were
// created on a lambda-url host with //2015-03-31/functions.
func TestPublicHostsServeOnlyTheirDataPlane(t *testing.T) {
	e, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	ctx := context.Background()
	if _, err := apigw.NewFromConfig(cfg).CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("secret-api")}); err != nil {
		t.Fatal(err)
	}
	// A redirect is an answer too: the client must not follow it.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, host, path, body string) (int, string) {
		req, _ := http.NewRequest(method, e.URL()+"/", strings.NewReader(body))
		req.URL.Path, req.URL.RawPath = path, path
		req.Host = host
		req.Header.Set("Authorization", "not a signature")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct{ method, host, path, body string }{
		{"GET", "a.b.execute-api.localhost.localstack.cloud", "//restapis", ""},
		{"GET", "abc.execute-api.localhost.localstack.cloud", "//restapis", ""},
		{"GET", "127.0.0.1", "/_aws/execute-api/../../restapis", ""},
		{"POST", "a.b.lambda-url.us-east-1.localhost.localstack.cloud", "//2015-03-31/functions",
			`{"FunctionName":"planted","Runtime":"provided.al2023","Role":"arn:aws:iam::000000000000:role/r","Handler":"bootstrap","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}`},
	} {
		code, body := send(c.method, c.host, c.path, c.body)
		if code < 400 || strings.Contains(body, "secret-api") {
			t.Errorf("%s %s%s unsigned: %d %s", c.method, c.host, c.path, code, body)
		}
	}
	if _, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("planted")}); err == nil {
		t.Fatal("a function was created through a Function URL host")
	}
}

// The attack: with a website Host and any Authorization header, S3 GET and
// PUT worked unsigned in strict mode. A website endpoint serves its website
// and nothing else.
func TestWebsiteHostsServeOnlyTheWebsite(t *testing.T) {
	e, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("site"), Key: aws.String("private.txt"), Body: strings.NewReader("secret")}); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct{ method, path string }{
		{"GET", "/private.txt"}, {"PUT", "/private.txt"}, {"GET", "/site/private.txt"}, {"PUT", "/site/private.txt"},
	} {
		method := c.method
		req, _ := http.NewRequest(method, e.URL()+c.path, strings.NewReader("overwritten"))
		req.Host = "site.s3-website.localhost.localstack.cloud"
		req.Header.Set("Authorization", "anything at all")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || strings.Contains(string(b), "secret") {
			t.Errorf("%s %s on the website host: %d %s", method, c.path, resp.StatusCode, b)
		}
	}
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("site"), Key: aws.String("private.txt")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if string(b) != "secret" {
		t.Fatalf("object overwritten through the website host: %q", b)
	}
}

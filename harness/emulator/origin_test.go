package emulator_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// browserPost sends what any web page can make a browser send without a
// preflight: a POST with a text/plain body, and the page's Origin.
func browserPost(t *testing.T, url, origin, body string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Origin", origin)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The attack: a page on the open web wiped the emulator's state through
// /_groundstack/reset and created a secret (and, the same way, a Lambda
// function it then invoked) with simple requests.
func TestForeignWebPagesCannotDriveTheAPIs(t *testing.T) {
	e, cfg := emutest.Start(t)
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(cfg)
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("kept"), SecretString: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	const evil = "https://evil.example"
	code, body := browserPost(t, e.URL()+"/_groundstack/reset", evil, "", nil)
	if code != http.StatusForbidden || !strings.Contains(body, "may not call groundstack") {
		t.Fatalf("reset from %s: %d %s", evil, code, body)
	}
	code, body = browserPost(t, e.URL()+"/", evil, `{"Name":"planted","SecretString":"x"}`,
		map[string]string{"X-Amz-Target": "secretsmanager.CreateSecret"})
	if code != http.StatusForbidden {
		t.Fatalf("CreateSecret from %s: %d %s", evil, code, body)
	}
	code, body = browserPost(t, e.URL()+"/2015-03-31/functions", evil, `{"FunctionName":"x"}`, nil)
	if code != http.StatusForbidden {
		t.Fatalf("CreateFunction from %s: %d %s", evil, code, body)
	}
	list, err := sm.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	if err != nil || len(list.SecretList) != 1 || *list.SecretList[0].Name != "kept" {
		t.Fatalf("state changed by a foreign page: %v %v", list, err)
	}
	for _, null := range []string{"null", "file://", "http://127.0.0.1.evil.example"} {
		if code, _ := browserPost(t, e.URL()+"/_groundstack/reset", null, "", nil); code != http.StatusForbidden {
			t.Errorf("origin %q: %d", null, code)
		}
	}
}

// The machine's own pages (a local dev server, the emulator's website
// endpoints) may call the APIs and read the answers.
func TestLocalPagesMayCallTheAPIs(t *testing.T) {
	e, _ := emutest.Start(t)
	for _, origin := range []string{"http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]:8080",
		"http://dash.s3-website.localhost.localstack.cloud:4566", "http://app.localhost"} {
		code, body := browserPost(t, e.URL()+"/", origin, `{}`, map[string]string{"X-Amz-Target": "secretsmanager.ListSecrets"})
		if code != 200 {
			t.Errorf("%s: %d %s", origin, code, body)
		}
	}
	req, _ := http.NewRequest("OPTIONS", e.URL()+"/2015-03-31/functions", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,x-amz-date,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		resp.Header.Get("Access-Control-Allow-Headers") != "authorization,x-amz-date,content-type" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

// Data planes answer any origin, as on AWS: their own CORS settings decide.
func TestDataPlanesServeAnyOrigin(t *testing.T) {
	e, cfg := emutest.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("site"), Key: aws.String("index.html"), Body: strings.NewReader("hi")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"),
		WebsiteConfiguration: &s3types.WebsiteConfiguration{IndexDocument: &s3types.IndexDocument{Suffix: aws.String("index.html")}}}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.URL()+"/_aws/s3-website/site/", nil)
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "hi" {
		t.Fatalf("website from another origin: %d %s", resp.StatusCode, b)
	}
}

func TestConfiguredOrigins(t *testing.T) {
	for _, c := range []struct {
		name   string
		opts   []emulator.Option
		origin string
		want   int
	}{
		{"listed", []emulator.Option{emulator.WithAllowedOrigins("https://app.example.com/")}, "https://app.example.com", 200},
		{"not listed", []emulator.Option{emulator.WithAllowedOrigins("https://app.example.com")}, "https://other.example.com", 403},
		{"star", []emulator.Option{emulator.WithAllowedOrigins("*")}, "https://other.example.com", 200},
		{"checks off", []emulator.Option{emulator.WithoutOriginChecks()}, "https://other.example.com", 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, _ := emutest.Start(t, c.opts...)
			code, body := browserPost(t, e.URL()+"/", c.origin, `{}`, map[string]string{"X-Amz-Target": "secretsmanager.ListSecrets"})
			if code != c.want {
				t.Fatalf("%d %s", code, body)
			}
		})
	}
}

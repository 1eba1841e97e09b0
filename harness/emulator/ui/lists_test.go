package ui_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// TestListsAnswer calls each of the console's list calls against a cloud
// with one resource of each kind, and the S3 object calls.
func TestListsAnswer(t *testing.T) {
	e, cfg := emutest.Start(t)
	ctx := context.Background()
	tp, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("news")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: tp.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:inbox")}); err != nil {
		t.Fatal(err)
	}
	api, err := apigatewayv2.NewFromConfig(cfg).CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("httpapi"), ProtocolType: "HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apigatewayv2.NewFromConfig(cfg).CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /items")}); err != nil {
		t.Fatal(err)
	}
	if _, err := apigw.NewFromConfig(cfg).CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("restapi")}); err != nil {
		t.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("files")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{"summary", `"sns"`},
		{"sns/topics", "arn:aws:sqs:us-east-1:000000000000:inbox"},
		{"apigateway/apis", "GET /items"},
		{"apigateway/apis", "restapi"},
		{"lambda/functions", "Functions"},
		{"ec2/instances", "{"},
		{"logs/tail?function=none", `"events":[]`},
		{"s3/buckets", "files"},
		{"dynamodb/items?table=missing", "ResourceNotFoundException"},
		{"nope", "no such console call"},
	} {
		resp, err := http.Get(e.URL() + "/_groundstack/ui/api/" + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), c.want) || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %s, want %q in it", c.path, resp.StatusCode, b, c.want)
		}
	}
	// Upload, download with metadata, delete.
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/_groundstack/ui/api/s3/object?bucket=files&key=dir/a%20b.txt", strings.NewReader("hello"))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := s3c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("files"), Key: aws.String("dir/a b.txt"), CopySource: aws.String("files/dir/a%20b.txt"),
		Metadata: map[string]string{"owner": "me"}, MetadataDirective: "REPLACE"}); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(e.URL() + "/_groundstack/ui/api/s3/object?bucket=files&key=dir/a%20b.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" || resp.Header.Get("X-Amz-Meta-Owner") != "me" || !strings.Contains(resp.Header.Get("Content-Disposition"), "a%20b.txt") {
		t.Errorf("download: %q %v", b, resp.Header)
	}
	var h struct {
		System   map[string]string `json:"system"`
		Metadata map[string]string `json:"metadata"`
	}
	if code := get(t, e.URL(), "s3/head?bucket=files&key=dir/a%20b.txt", &h); code != http.StatusOK || h.Metadata["owner"] != "me" || h.System["content-length"] != "5" {
		t.Errorf("metadata: %d %+v", code, h)
	}
	if code := get(t, e.URL(), "s3/head?bucket=files&key=nope", nil); code != http.StatusNotFound {
		t.Errorf("metadata of a missing object: %d", code)
	}
	var l struct {
		Prefixes []string `json:"prefixes"`
	}
	if get(t, e.URL(), "s3/objects?bucket=files", &l); len(l.Prefixes) != 1 || l.Prefixes[0] != "dir/" {
		t.Errorf("prefixes: %v", l.Prefixes)
	}
	if code := do(t, e.URL(), http.MethodDelete, "s3/object?bucket=files&key=dir/a%20b.txt", "", nil); code != http.StatusOK {
		t.Errorf("delete: %d", code)
	}
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("files"), Key: aws.String("dir/a b.txt")}); err == nil {
		t.Error("the object is still there")
	}
}

// TestForeignPagesCannotChange is the attack from the open web: a page
// elsewhere posts to the console's API (a form needs no CORS) to purge a
// queue or delete an item. The edge refuses the foreign origin.
func TestForeignPagesCannotChange(t *testing.T) {
	e, cfg := emutest.Start(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("keep")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keep"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{http.MethodPost, http.MethodDelete, http.MethodGet} {
		req, _ := http.NewRequest(m, e.URL()+"/_groundstack/ui/api/s3/object?bucket=keep&key=k", strings.NewReader("x"))
		req.Header.Set("Origin", "https://attacker.example")
		req.Header.Set("Content-Type", "text/plain")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s from a foreign page: %d, want 403", m, resp.StatusCode)
		}
	}
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if string(b) != "v" {
		t.Errorf("the object now holds %q", b)
	}
}

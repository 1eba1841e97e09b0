package s3_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func putWebsite(t *testing.T, c *s3.Client, bucket string, cfg *types.WebsiteConfiguration) {
	t.Helper()
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String(bucket), WebsiteConfiguration: cfg}); err != nil {
		t.Fatalf("PutBucketWebsite: %v", err)
	}
}

func TestWebsiteConfiguration(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "site")
	_, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("site")})
	wantAPIError(t, err, "NoSuchWebsiteConfiguration", 404)

	putWebsite(t, c, "site", &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("errors/404.html")},
		RoutingRules: []types.RoutingRule{
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("docs/")}, Redirect: &types.Redirect{ReplaceKeyPrefixWith: aws.String("documents/")}},
			{Condition: &types.Condition{HttpErrorCodeReturnedEquals: aws.String("404")}, Redirect: &types.Redirect{HostName: aws.String("example.com"), Protocol: types.ProtocolHttps, HttpRedirectCode: aws.String("302")}},
		},
	})
	got, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("site")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.IndexDocument.Suffix) != "index.html" || aws.ToString(got.ErrorDocument.Key) != "errors/404.html" || len(got.RoutingRules) != 2 {
		t.Fatalf("got %+v", got)
	}
	r0, r1 := got.RoutingRules[0], got.RoutingRules[1]
	if aws.ToString(r0.Condition.KeyPrefixEquals) != "docs/" || aws.ToString(r0.Redirect.ReplaceKeyPrefixWith) != "documents/" {
		t.Errorf("rule 0: %+v %+v", r0.Condition, r0.Redirect)
	}
	if aws.ToString(r1.Condition.HttpErrorCodeReturnedEquals) != "404" || aws.ToString(r1.Redirect.HostName) != "example.com" ||
		r1.Redirect.Protocol != types.ProtocolHttps || aws.ToString(r1.Redirect.HttpRedirectCode) != "302" {
		t.Errorf("rule 1: %+v %+v", r1.Condition, r1.Redirect)
	}

	putWebsite(t, c, "site", &types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("www.example.com")}})
	got, err = c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("site")})
	if err != nil || aws.ToString(got.RedirectAllRequestsTo.HostName) != "www.example.com" || got.IndexDocument != nil {
		t.Fatalf("redirect-all: %+v %v", got, err)
	}

	for i := 0; i < 2; i++ { // deleting twice is fine, as on AWS
		if _, err := c.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: aws.String("site")}); err != nil {
			t.Fatalf("DeleteBucketWebsite: %v", err)
		}
	}
	_, err = c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("site")})
	wantAPIError(t, err, "NoSuchWebsiteConfiguration", 404)

	_, err = c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("nobucket"), WebsiteConfiguration: &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("i.html")}}})
	wantAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("nobucket")})
	wantAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: aws.String("nobucket")})
	wantAPIError(t, err, "NoSuchBucket", 404)
}

func TestWebsiteConfigurationRefused(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "site")
	idx := &types.IndexDocument{Suffix: aws.String("index.html")}
	cases := []struct {
		name string
		cfg  types.WebsiteConfiguration
		code string
	}{
		{"nothing", types.WebsiteConfiguration{}, "InvalidArgument"},
		{"only an error document", types.WebsiteConfiguration{ErrorDocument: &types.ErrorDocument{Key: aws.String("e.html")}}, "InvalidArgument"},
		{"empty suffix", types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("")}}, "InvalidArgument"},
		{"suffix with a slash", types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("a/index.html")}}, "InvalidArgument"},
		{"redirect-all with an index", types.WebsiteConfiguration{IndexDocument: idx, RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("x.com")}}, "InvalidArgument"},
		{"redirect-all bad protocol", types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("x.com"), Protocol: "ftp"}}, "InvalidArgument"},
		{"both key replacements", types.WebsiteConfiguration{IndexDocument: idx, RoutingRules: []types.RoutingRule{{Redirect: &types.Redirect{ReplaceKeyWith: aws.String("a"), ReplaceKeyPrefixWith: aws.String("b")}}}}, "InvalidArgument"},
		{"redirect code 200", types.WebsiteConfiguration{IndexDocument: idx, RoutingRules: []types.RoutingRule{{Redirect: &types.Redirect{HttpRedirectCode: aws.String("200")}}}}, "InvalidArgument"},
		{"error code 302", types.WebsiteConfiguration{IndexDocument: idx, RoutingRules: []types.RoutingRule{{Condition: &types.Condition{HttpErrorCodeReturnedEquals: aws.String("302")}, Redirect: &types.Redirect{HostName: aws.String("x")}}}}, "InvalidArgument"},
	}
	for _, tc := range cases {
		_, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: aws.String("site"), WebsiteConfiguration: &tc.cfg})
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		wantAPIError(t, err, tc.code, 400)
	}
	_, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("site")})
	wantAPIError(t, err, "NoSuchWebsiteConfiguration", 404)
}

// TestWebsiteConfigurationRawBodies sends documents the SDK would refuse
// to build.
func TestWebsiteConfigurationRawBodies(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "raw")
	for _, tc := range []struct{ name, body, code string }{
		{"not XML", "{", "MalformedXML"},
		{"empty", "", "MalformedXML"},
		{"rule without redirect", `<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition><KeyPrefixEquals>a</KeyPrefixEquals></Condition></RoutingRule></RoutingRules></WebsiteConfiguration>`, "MalformedXML"},
		{"empty rule list", `<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules></RoutingRules></WebsiteConfiguration>`, "MalformedXML"},
		{"redirect-all without host", `<WebsiteConfiguration><RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>`, "MalformedXML"},
		{"empty condition", `<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition></Condition><Redirect><HostName>x</HostName></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>`, "InvalidArgument"},
	} {
		req, _ := http.NewRequest("PUT", e.URL()+"/raw?website", strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || decodeError(t, b).Code != tc.code {
			t.Errorf("%s: %d %s, want %s", tc.name, resp.StatusCode, b, tc.code)
		}
	}
	// ?website on an object is not a website operation.
	req, _ := http.NewRequest("PUT", e.URL()+"/raw/key?website", strings.NewReader("x"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 501 {
		t.Errorf("PUT object?website: %d", resp.StatusCode)
	}
}

type webResponse struct {
	status int
	header http.Header
	body   string
}

// web sends an unsigned request as a browser would; host sets the Host
// header (the website host form) when not empty. Redirects are not followed.
func web(t *testing.T, method, url, host string) webResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return webResponse{resp.StatusCode, resp.Header, string(b)}
}

func putTyped(t *testing.T, c *s3.Client, bucket, key, contentType, body string) {
	t.Helper()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body), ContentType: aws.String(contentType)})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWebsiteServing reads a website through the path form, the
// LocalStack host form and the short *.localhost form.
func TestWebsiteServing(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "site")
	putTyped(t, c, "site", "index.html", "text/html", "<h1>home</h1>")
	putTyped(t, c, "site", "app.js", "text/javascript", "console.log(1)")
	putTyped(t, c, "site", "blog/index.html", "text/html", "<h1>blog</h1>")
	putTyped(t, c, "site", "with space/ñ.txt", "text/plain", "unicode")
	putTyped(t, c, "site", "errors/404.html", "text/html", "<h1>custom not found</h1>")
	putTyped(t, c, "site", "documents/a.txt", "text/plain", "moved")

	// Before the bucket is a website, the endpoint says so.
	r := web(t, "GET", e.URL()+"/_aws/s3-website/site/", "")
	if r.status != 404 || !strings.Contains(r.body, "Code: NoSuchWebsiteConfiguration") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("no website yet: %d %s", r.status, r.body)
	}
	putWebsite(t, c, "site", &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("errors/404.html")},
		RoutingRules: []types.RoutingRule{
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("docs/")}, Redirect: &types.Redirect{ReplaceKeyPrefixWith: aws.String("documents/")}},
			{Condition: &types.Condition{KeyPrefixEquals: aws.String("old/"), HttpErrorCodeReturnedEquals: aws.String("404")}, Redirect: &types.Redirect{HostName: aws.String("archive.example.com"), Protocol: types.ProtocolHttps, HttpRedirectCode: aws.String("302")}},
		},
	})

	_, port, _ := strings.Cut(strings.TrimPrefix(e.URL(), "http://"), ":")
	forms := []struct {
		name, base, host, linkBase string
	}{
		{"path form", e.URL() + "/_aws/s3-website/site", "", "/_aws/s3-website/site/"},
		{"host form", e.URL(), "site.s3-website.localhost.localstack.cloud:" + port, "/"},
		{"short host form", e.URL(), "site.s3-website.localhost:" + port, "/"},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			cases := []struct {
				method, path string
				status       int
				body, ctype  string
				location     string
			}{
				{"GET", "/", 200, "<h1>home</h1>", "text/html", ""},
				{"GET", "/index.html", 200, "<h1>home</h1>", "text/html", ""},
				{"GET", "/app.js", 200, "console.log(1)", "text/javascript", ""},
				{"GET", "/blog/", 200, "<h1>blog</h1>", "text/html", ""},
				{"GET", "/blog", 302, "", "", f.linkBase + "blog/"},
				{"GET", "/with%20space/%C3%B1.txt", 200, "unicode", "text/plain", ""},
				{"GET", "/missing.html", 404, "<h1>custom not found</h1>", "text/html", ""},
				{"HEAD", "/missing.html", 404, "", "text/html", ""},
				{"HEAD", "/app.js", 200, "", "text/javascript", ""},
				{"GET", "/docs/a.txt", 301, "", "", f.linkBase + "documents/a.txt"},
				{"GET", "/old/page.html", 302, "", "", "https://archive.example.com/old/page.html"},
				{"POST", "/index.html", 405, "", "text/html", ""},
				{"PUT", "/index.html", 405, "", "text/html", ""},
			}
			for _, tc := range cases {
				r := web(t, tc.method, f.base+tc.path, f.host)
				if r.status != tc.status {
					t.Errorf("%s %s: %d, want %d (%s)", tc.method, tc.path, r.status, tc.status, r.body)
					continue
				}
				if tc.body != "" && r.body != tc.body {
					t.Errorf("%s %s: body %q", tc.method, tc.path, r.body)
				}
				if tc.method == "HEAD" && r.body != "" {
					t.Errorf("HEAD %s has a body", tc.path)
				}
				if tc.ctype != "" && !strings.HasPrefix(r.header.Get("Content-Type"), tc.ctype) {
					t.Errorf("%s %s: content type %q", tc.method, tc.path, r.header.Get("Content-Type"))
				}
				if r.header.Get("Location") != tc.location {
					t.Errorf("%s %s: location %q, want %q", tc.method, tc.path, r.header.Get("Location"), tc.location)
				}
			}
		})
	}

	// A cached copy is revalidated with its ETag.
	first := web(t, "GET", e.URL()+"/_aws/s3-website/site/app.js", "")
	req, _ := http.NewRequest("GET", e.URL()+"/_aws/s3-website/site/app.js", nil)
	req.Header.Set("If-None-Match", first.header.Get("ETag"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 304 {
		t.Errorf("conditional GET: %d", resp.StatusCode)
	}

	// Without the error document, S3's own page names both failures.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("site"), Key: aws.String("errors/404.html")}); err != nil {
		t.Fatal(err)
	}
	r = web(t, "GET", e.URL()+"/_aws/s3-website/site/missing.html", "")
	if r.status != 404 || !strings.Contains(r.body, "<li>Key: missing.html</li>") ||
		!strings.Contains(r.body, "An Error Occurred While Attempting to Retrieve a Custom Error Document") || !strings.Contains(r.body, "<li>Key: errors/404.html</li>") {
		t.Errorf("missing error document: %d %s", r.status, r.body)
	}
	r = web(t, "GET", e.URL()+"/_aws/s3-website/nobucket/", "")
	if r.status != 404 || !strings.Contains(r.body, "Code: NoSuchBucket") {
		t.Errorf("no bucket: %d %s", r.status, r.body)
	}

	putWebsite(t, c, "site", &types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("www.example.com"), Protocol: types.ProtocolHttps}})
	r = web(t, "GET", e.URL()+"/_aws/s3-website/site/blog/x?y=1", "")
	if r.status != 301 || r.header.Get("Location") != "https://www.example.com/blog/x" {
		t.Errorf("redirect all: %d %v", r.status, r.header.Get("Location"))
	}
}

// TestWebsiteIsPublicUnderStrictAuth: website endpoints serve anonymous
// GETs while the S3 API still refuses unsigned requests.
func TestWebsiteIsPublicUnderStrictAuth(t *testing.T) {
	e, cfg := startEmu(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	c := s3.NewFromConfig(cfg)
	mustCreateBucket(t, c, "pub")
	putTyped(t, c, "pub", "index.html", "text/html", "hi")
	putWebsite(t, c, "pub", &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}})
	_, port, _ := strings.Cut(strings.TrimPrefix(e.URL(), "http://"), ":")
	if r := web(t, "GET", e.URL()+"/_aws/s3-website/pub/", ""); r.status != 200 || r.body != "hi" {
		t.Errorf("path form: %d %s", r.status, r.body)
	}
	if r := web(t, "GET", e.URL()+"/", "pub.s3-website.localhost.localstack.cloud:"+port); r.status != 200 || r.body != "hi" {
		t.Errorf("host form: %d %s", r.status, r.body)
	}
	if r := web(t, "GET", e.URL()+"/pub/index.html", ""); r.status != 403 {
		t.Errorf("unsigned S3 GetObject: %d, want 403", r.status)
	}
}

func TestWebsiteCLI(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "clisite")
	putTyped(t, c, "clisite", "index.html", "text/html", "cli home")
	cli(t, e.URL(), "s3", "website", "s3://clisite", "--index-document", "index.html", "--error-document", "error.html")
	var got struct {
		IndexDocument struct{ Suffix string }
		ErrorDocument struct{ Key string }
	}
	if err := json.Unmarshal([]byte(cli(t, e.URL(), "s3api", "get-bucket-website", "--bucket", "clisite")), &got); err != nil {
		t.Fatal(err)
	}
	if got.IndexDocument.Suffix != "index.html" || got.ErrorDocument.Key != "error.html" {
		t.Errorf("get-bucket-website: %+v", got)
	}
	if r := web(t, "GET", e.URL()+"/_aws/s3-website/clisite/", ""); r.body != "cli home" {
		t.Errorf("served %d %q", r.status, r.body)
	}
	cli(t, e.URL(), "s3api", "delete-bucket-website", "--bucket", "clisite")
	_, errOut, code := emutest.CLI(t, e.URL(), "s3api", "get-bucket-website", "--bucket", "clisite")
	if code == 0 || !strings.Contains(errOut, "NoSuchWebsiteConfiguration") {
		t.Errorf("after delete: exit %d %s", code, errOut)
	}
}

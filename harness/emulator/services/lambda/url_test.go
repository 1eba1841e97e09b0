package lambda_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest/lambdago"
)

// fixtures holds AWS's documented sample events (see its README).
const fixtures = "../../../../fixtures/lambda"

// functionURL creates a URL for name and returns its id and URL.
func functionURL(t *testing.T, c *awslambda.Client, name string, auth types.FunctionUrlAuthType, cors *types.Cors) (string, string) {
	t.Helper()
	out, err := c.CreateFunctionUrlConfig(bg, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: auth, Cors: cors})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(aws.ToString(out.FunctionUrl))
	return strings.SplitN(u.Host, ".", 2)[0], aws.ToString(out.FunctionUrl)
}

// hostRequest is a request for the URL's host form sent to the edge (the
// host name need not resolve: the Host header carries it).
func hostRequest(t *testing.T, e *emulator.Emulator, fnURL, method, pathQuery string, body io.Reader) *http.Request {
	t.Helper()
	u, _ := url.Parse(fnURL)
	req, err := http.NewRequest(method, e.URL()+pathQuery, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = u.Host
	return req
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// sampleRequest mirrors aws-lambda-go's events/testdata/lambda-urls-request.json.
func sampleRequest(t *testing.T, e *emulator.Emulator, fnURL string) *http.Request {
	req := hostRequest(t, e, fnURL, "POST", "/my/path?parameter1=value1&parameter1=value2&parameter2=value", strings.NewReader("Hello from client!"))
	req.Header.Set("User-Agent", "agent")
	req.Header.Set("Header1", "value1")
	req.Header.Add("Header2", "value1")
	req.Header.Add("Header2", "value2")
	req.Header.Set("Cookie", "cookie1; cookie2")
	req.Header.Set("Content-Type", "text/plain")
	return req
}

func TestFunctionURLEvent(t *testing.T) {
	t.Parallel()
	e, c := start(t, emulator.WithClock(func() time.Time { return time.Date(2020, 3, 12, 19, 3, 58, 0, time.UTC) }))
	name := createFn(t, c)
	id, fnURL := functionURL(t, c, name, types.FunctionUrlAuthTypeNone, nil)
	resp, body := do(t, sampleRequest(t, e, fnURL))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// The event decodes into aws-lambda-go's type; the cookies header
	// becomes the cookies array.
	var ev events.LambdaFunctionURLRequest
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Headers["cookie"] != "" || len(ev.RequestContext.RequestID) != 36 || resp.Header.Get("X-Amzn-Requestid") != ev.RequestContext.RequestID {
		t.Errorf("cookie header %q, requestId %q, response id %q", ev.Headers["cookie"], ev.RequestContext.RequestID, resp.Header.Get("X-Amzn-Requestid"))
	}

	var ours map[string]any
	if err := json.Unmarshal(body, &ours); err != nil {
		t.Fatal(err)
	}
	t.Run("matches AWS's documented example", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(fixtures, "function-url-request.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		// The fields where ours must differ from AWS's example, and why;
		// every other field must equal it.
		differs := map[string]documented{
			"requestContext.accountId":      {"anonymous", "a NONE-auth URL has no caller account (AWS's example is AWS_IAM-signed)"},
			"requestContext.authorizer":     {absentOrNull, "only AWS_IAM URLs carry the caller; otherwise null"},
			"requestContext.authentication": {absentOrNull, "function URLs don't use it: null"},
			"pathParameters":                {absentOrNull, "function URLs don't use it: null or excluded"},
			"stageVariables":                {absentOrNull, "function URLs don't use it: null or excluded"},
			"requestContext.apiId":          {id, "the URL's id"},
			"requestContext.domainPrefix":   {id, "the URL's id"},
			"requestContext.domainName":     {id + ".lambda-url.us-east-1.localhost.localstack.cloud", "the emulator's host for the URL"},
			"requestContext.http.sourceIp":  {"127.0.0.1", "the test client's address"},
			"requestContext.requestId":      {resp.Header.Get("X-Amzn-Requestid"), "this invocation's id"},
			"requestContext.timeEpoch":      {float64(1584039838000), "the example's time in ms (its own timeEpoch is of another day)"},
		}
		// A real request carries more headers than the example's two.
		extra := map[string]bool{"headers": true}
		compareDocumented(t, "", doc, ours, differs, extra)
	})
	t.Run("shape matches aws-lambda-go testdata", func(t *testing.T) {
		var sample map[string]any
		if err := json.Unmarshal(lambdago.Sample(t, "lambda-urls-request.json"), &sample); err != nil {
			t.Fatal(err)
		}
		// The sample was made with AWS_IAM auth; a NONE URL has no authorizer.
		delete(sample["requestContext"].(map[string]any), "authorizer")
		compareShape(t, "", sample, ours)
	})
}

// absentOrNull: AWS documents the field as null or left out.
const absentOrNull = "<absent or null>"

// documented is what a field of ours holds instead of AWS's example value.
type documented struct {
	want any
	why  string
}

// compareDocumented compares our event with AWS's example field by field:
// each field of the example must be in ours with the example's value, or
// the value differs names; ours may add fields only under the paths extra
// names.
func compareDocumented(t *testing.T, path string, doc, ours any, differs map[string]documented, extra map[string]bool) {
	t.Helper()
	if d, ok := differs[path]; ok {
		if d.want == absentOrNull {
			if ours != nil {
				t.Errorf("%s = %v, want null or absent (%s)", path, ours, d.why)
			}
		} else if !reflect.DeepEqual(ours, d.want) {
			t.Errorf("%s = %#v, want %#v (%s)", path, ours, d.want, d.why)
		}
		return
	}
	dm, ok := doc.(map[string]any)
	if !ok {
		if !reflect.DeepEqual(ours, doc) {
			t.Errorf("%s = %#v, AWS's example has %#v", path, ours, doc)
		}
		return
	}
	om, ok := ours.(map[string]any)
	if !ok {
		t.Errorf("%s = %#v, AWS's example has an object", path, ours)
		return
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	for k, dv := range dm {
		ov, ok := om[k]
		if !ok && differs[join(k)].want != absentOrNull {
			t.Errorf("%s: missing (AWS's example has %#v)", join(k), dv)
			continue
		}
		compareDocumented(t, join(k), dv, ov, differs, extra)
	}
	if extra[path] {
		return
	}
	for k, ov := range om {
		if _, ok := dm[k]; !ok {
			t.Errorf("%s = %#v: not in AWS's example", join(k), ov)
		}
	}
}

// compareShape checks that every member of want exists in got with the
// same JSON type, recursively (values are the sample's, not ours).
func compareShape(t *testing.T, path string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: want an object, got %T", path, got)
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				t.Errorf("%s.%s: missing", path, k)
				continue
			}
			compareShape(t, path+"."+k, wv, gv)
		}
	case []any:
		if _, ok := got.([]any); !ok {
			t.Errorf("%s: want an array, got %T", path, got)
		}
	default:
		if reflect.TypeOf(want) != reflect.TypeOf(got) {
			t.Errorf("%s: want %T, got %T", path, want, got)
		}
	}
}

func TestFunctionURLResponses(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	id, fnURL := functionURL(t, c, name, types.FunctionUrlAuthTypeNone, nil)
	pathForm := e.URL() + "/_aws/lambda-url/" + id
	cases := []struct {
		name, query string
		status      int
		ctype       string
		body        string
		check       func(t *testing.T, resp *http.Response)
	}{
		{"bare object", "mode=raw", 200, "application/json", `{"hello":"world"}`, nil},
		{"string", "mode=string", 200, "application/json", "hello from testfn", nil},
		{"structured", "mode=status&code=201", 201, "text/plain", "status 201", func(t *testing.T, resp *http.Response) {
			if resp.Header.Get("X-Testfn") != "yes" || strings.Join(resp.Header.Values("Set-Cookie"), "|") != "a=1; Path=/|b=2" {
				t.Fatalf("headers %v", resp.Header)
			}
		}},
		{"binary", "mode=binary", 200, "application/octet-stream", string([]byte{0, 1, 2, 255}), nil},
		{"function error", "mode=error", 502, "", "Internal Server Error", nil},
	}
	for _, tc := range cases {
		for _, form := range []string{"host", "path"} {
			t.Run(tc.name+"/"+form, func(t *testing.T) {
				var req *http.Request
				if form == "host" {
					req = hostRequest(t, e, fnURL, "GET", "/x?"+tc.query, nil)
				} else {
					req, _ = http.NewRequest("GET", pathForm+"/x?"+tc.query, nil)
				}
				resp, body := do(t, req)
				if resp.StatusCode != tc.status || string(body) != tc.body || tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
					t.Fatalf("got %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				if tc.check != nil {
					tc.check(t, resp)
				}
			})
		}
	}
	t.Run("path form event", func(t *testing.T) {
		req, _ := http.NewRequest("PUT", pathForm+"/a/b%20c?q=1", bytes.NewReader([]byte{0xff, 0x00}))
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, body := do(t, req)
		var ev events.LambdaFunctionURLRequest
		json.Unmarshal(body, &ev)
		if resp.StatusCode != 200 || ev.RawPath != "/a/b%20c" || ev.RequestContext.HTTP.Method != "PUT" || !ev.IsBase64Encoded || ev.Body != "/wA=" {
			t.Fatalf("%d %+v", resp.StatusCode, ev)
		}
	})
	t.Run("unknown url", func(t *testing.T) {
		req, _ := http.NewRequest("GET", e.URL()+"/_aws/lambda-url/"+strings.Repeat("z", 32)+"/", nil)
		resp, body := do(t, req)
		if resp.StatusCode != 403 || string(body) != `{"Message":null}` {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
}

func TestFunctionURLAuthAndCORS(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	_, fnURL := functionURL(t, c, name, types.FunctionUrlAuthTypeAwsIam, &types.Cors{
		AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"x-custom"}, MaxAge: aws.Int32(300), ExposeHeaders: []string{"x-testfn"},
	})
	resp, body := do(t, hostRequest(t, e, fnURL, "GET", "/", nil))
	if resp.StatusCode != 403 || string(body) != `{"Message":"Forbidden"}` {
		t.Fatalf("unsigned AWS_IAM: %d %s", resp.StatusCode, body)
	}
	req := hostRequest(t, e, fnURL, "GET", "/signed", nil)
	req.Header.Set("Origin", "https://app.example")
	empty := sha256.Sum256(nil)
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	if err := v4.NewSigner().SignHTTP(bg, creds, req, hex.EncodeToString(empty[:]), "lambda", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, body = do(t, req)
	var ev events.LambdaFunctionURLRequest
	json.Unmarshal(body, &ev)
	if resp.StatusCode != 200 || ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.IAM.AccessKey != "AKIDEXAMPLE" ||
		ev.RequestContext.AccountID != "000000000000" {
		t.Fatalf("signed: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || resp.Header.Get("Access-Control-Expose-Headers") != "x-testfn" {
		t.Fatalf("CORS on the response: %v", resp.Header)
	}
	pre := hostRequest(t, e, fnURL, "OPTIONS", "/anything", nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "x-custom")
	resp, _ = do(t, pre)
	want := map[string]string{
		"Access-Control-Allow-Origin":  "https://app.example",
		"Access-Control-Allow-Methods": "GET,POST",
		"Access-Control-Allow-Headers": "x-custom",
		"Access-Control-Max-Age":       "300",
	}
	for k, v := range want {
		if resp.Header.Get(k) != v {
			t.Errorf("preflight %s = %q, want %q", k, resp.Header.Get(k), v)
		}
	}
	if resp.StatusCode != 200 {
		t.Fatalf("preflight status %d", resp.StatusCode)
	}
	pre.Header.Set("Origin", "https://evil.example")
	resp, _ = do(t, pre)
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight allowed a foreign origin")
	}
}

// TestFunctionURLErrors: what a function URL answers when it cannot run
// the function, in AWS's shapes (a JSON Message, the error type only where
// AWS sends one).
func TestFunctionURLErrors(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c)
	_, fnURL := functionURL(t, c, name, types.FunctionUrlAuthTypeNone, nil)
	cases := []struct {
		name    string
		req     func() *http.Request
		status  int
		errType string
		body    string
	}{
		{"host of another region", func() *http.Request {
			r := hostRequest(t, e, fnURL, "GET", "/", nil)
			r.Host = strings.Replace(r.Host, ".us-east-1.", ".eu-west-1.", 1)
			return r
		}, 403, "AccessDeniedException", `{"Message":null}`},
		{"payload over 6 MB", func() *http.Request {
			return hostRequest(t, e, fnURL, "POST", "/", bytes.NewReader(bytes.Repeat([]byte("a"), 6291457)))
		}, 413, "RequestEntityTooLargeException", `{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, tc.req())
			if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-Errortype") != tc.errType || string(body) != tc.body {
				t.Fatalf("got %d %q %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), body)
			}
		})
	}
	// Throttled: reserved concurrency 0.
	if _, err := c.PutFunctionConcurrency(bg, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, hostRequest(t, e, fnURL, "GET", "/", nil))
	if resp.StatusCode != 429 || resp.Header.Get("X-Amzn-Errortype") != "TooManyRequestsException" || string(body) != `{"Message":"Rate Exceeded."}` {
		t.Fatalf("throttled: %d %q %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), body)
	}
	// A runtime groundstack cannot run: 502 without an error type.
	py := createFn(t, c, func(in *awslambda.CreateFunctionInput) {
		in.Runtime = types.RuntimeJava21
		in.Handler = aws.String("example.Handler::handleRequest")
	})
	_, pyURL := functionURL(t, c, py, types.FunctionUrlAuthTypeNone, nil)
	resp, body = do(t, hostRequest(t, e, pyURL, "GET", "/", nil))
	if resp.StatusCode != 502 || resp.Header.Get("X-Amzn-Errortype") != "" || string(body) != `{"Message":"Internal Server Error"}` {
		t.Fatalf("unrunnable: %d %q %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), body)
	}
	// A code download of a zip that is not stored.
	resp, body = do(t, must(http.NewRequest("GET", e.URL()+"/_aws/lambda-code/"+strings.Repeat("0", 64)+".zip", nil)))
	if resp.StatusCode != 404 || string(body) != "NoSuchKey\n" {
		t.Fatalf("code download: %d %s", resp.StatusCode, body)
	}
}

func must(r *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return r
}

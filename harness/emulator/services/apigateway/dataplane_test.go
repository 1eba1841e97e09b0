package apigateway_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/emutest/lambdago"
	"github.com/groundstack/groundstack/harness/emulator/services/apigateway"
)

// fakeLambda stands in for the Lambda service behind cloud.LinkLambda.
type fakeLambda struct {
	mu    sync.Mutex
	calls []cloud.InvokeRequest
	reply func(ctx context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error)
}

func (f *fakeLambda) Invoke(ctx context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
	f.mu.Lock()
	f.calls = append(f.calls, req)
	reply := f.reply
	f.mu.Unlock()
	return reply(ctx, req)
}

func (f *fakeLambda) last() cloud.InvokeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

func (f *fakeLambda) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeLambda) set(reply func(ctx context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error)) {
	f.mu.Lock()
	f.reply = reply
	f.mu.Unlock()
}

// echo answers with the event it got, as handlers/testfn does.
func echo(_ context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
	resp, _ := json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(req.Payload)})
	return cloud.InvokeResult{Payload: resp}, nil
}

func constant(payload, functionError string) func(context.Context, cloud.InvokeRequest) (cloud.InvokeResult, error) {
	return func(context.Context, cloud.InvokeRequest) (cloud.InvokeResult, error) {
		return cloud.InvokeResult{Payload: []byte(payload), FunctionError: functionError}, nil
	}
}

// standalone serves one API Gateway service, with a fake Lambda wired in
// (nil: not wired), on its own loopback server.
type standalone struct {
	svc    *apigateway.Service
	url    string
	port   string
	client *apigw.Client
	lambda *fakeLambda
}

func startStandalone(t testing.TB, wireLambda bool) *standalone {
	t.Helper()
	env := cloud.DefaultEnv()
	st := &standalone{}
	if wireLambda {
		st.lambda = &fakeLambda{reply: echo}
		env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(st.lambda))
	}
	st.svc = apigateway.New(env)
	srv := httptest.NewServer(edgeHosts(st.svc))
	t.Cleanup(srv.Close)
	env.Host = srv.Listener.Addr().String()
	st.url = srv.URL
	st.port = strings.TrimPrefix(srv.URL[strings.LastIndexByte(srv.URL, ':'):], ":")
	st.client = apigw.NewFromConfig(emutest.Config(srv.URL))
	return st
}

// edgeHosts hands svc what the edge's host matching finds in each request's
// Host, as the emulator's edge does for the service's ByHost routes.
func edgeHosts(svc cloud.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		for _, rt := range svc.Routes() {
			if id := emulator.MatchHost(host, rt.Key); rt.Kind == cloud.ByHost && id != "" {
				r = awsproto.WithHostMatch(r, awsproto.HostMatch{Resource: id})
				break
			}
		}
		svc.ServeHTTP(w, r)
	})
}

// proxyAPI creates an API with ANY on / and on /{proxy+}, both AWS_PROXY to
// fn, deployed to prod with a stage variable; it returns the API id.
func proxyAPI(t testing.TB, c *apigw.Client, fn string, binary ...string) string {
	t.Helper()
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("proxy"), BinaryMediaTypes: binary})).ok(t)
	proxy := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("{proxy+}")})).ok(t)
	for _, rid := range []*string{api.RootResourceId, proxy.Id} {
		must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: rid, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE")})).ok(t)
		must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: rid, HttpMethod: aws.String("ANY"),
			Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaURI(fn))})).ok(t)
	}
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod"),
		Variables: map[string]string{"stageVariableName": "stageVariableValue"}})).ok(t)
	return *api.Id
}

// call sends a request and returns status, headers and body.
func call(t *testing.T, method, url string, body []byte, hdr map[string][]string, host string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// invokeURLs are the three forms of a stage's invoke URL for path.
func invokeURLs(base, port, api, stage, path string) []struct{ name, url, host string } {
	return []struct{ name, url, host string }{
		{"user_request", base + "/restapis/" + api + "/" + stage + "/_user_request_" + path, ""},
		{"execute-api path", base + "/_aws/execute-api/" + api + "/" + stage + path, ""},
		{"execute-api host", base + "/" + stage + path, api + ".execute-api.localhost.localstack.cloud:" + port},
	}
}

// repoRoot is the checkout: go test runs a package's tests in its directory
// (runtime.Caller would name the file by import path under -trimpath).
func repoRoot(t *testing.T) string {
	root, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// compareGolden compares got against want field by field: same keys at
// every level, equal values, except that "*" in want accepts any non-null
// value.
func compareGolden(t *testing.T, path string, want, got any) {
	t.Helper()
	if s, ok := want.(string); ok && s == "*" {
		if got == nil {
			t.Errorf("%s: want a value, got null", path)
		}
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: want object, got %T %v", path, got, got)
			return
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				t.Errorf("%s.%s: missing", path, k)
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				t.Errorf("%s.%s: unexpected (%v)", path, k, g[k])
			}
		}
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				compareGolden(t, path+"."+k, wv, gv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: want %v, got %v", path, w, got)
			return
		}
		for i := range w {
			compareGolden(t, fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
		}
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) || (want == nil) != (got == nil) {
			t.Errorf("%s: want %v, got %v", path, want, got)
		}
	}
}

func TestProxyEventGolden(t *testing.T) {
	st := startStandalone(t, true)
	api := proxyAPI(t, st.client, "echo")
	golden, err := os.ReadFile(filepath.Join(repoRoot(t), "fixtures", "apigateway", "proxy-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(golden, &want); err != nil {
		t.Fatal(err)
	}
	hdr := map[string][]string{
		"Accept": {"*/*"}, "Accept-Encoding": {"gzip, deflate"}, "Content-Type": {"application/json"},
		"User-Agent": {"groundstack-test/1.0"}, "X-Custom": {"one", "two"},
	}
	for _, u := range invokeURLs(st.url, st.port, api, "prod", "/hello/world?name=me&tag=a&tag=b") {
		t.Run(u.name, func(t *testing.T) {
			code, h, body := call(t, "POST", u.url, []byte(`{"a": 1}`), hdr, u.host)
			if code != 200 {
				t.Fatalf("status %d: %s", code, body)
			}
			if h.Get("X-Amzn-Requestid") == "" || h.Get("X-Amz-Apigw-Id") == "" {
				t.Errorf("missing request id headers: %v", h)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			compareGolden(t, "event", want, got)
			rc := got["requestContext"].(map[string]any)
			if rc["apiId"] != api || rc["requestId"] != h.Get("X-Amzn-Requestid") || rc["extendedRequestId"] != h.Get("X-Amz-Apigw-Id") {
				t.Errorf("ids: %v vs headers %v", rc, h)
			}
			if u.host != "" && (rc["domainName"] != u.host || rc["domainPrefix"] != api) {
				t.Errorf("host form domain: %v %v", rc["domainName"], rc["domainPrefix"])
			}
			// the function was named by its ARN, in the region of the ARN
			if l := st.lambda.last(); l.Function != "arn:aws:lambda:us-east-1:000000000000:function:echo" || l.Region != "us-east-1" || l.Qualifier != "" {
				t.Errorf("invoke request %+v", l)
			}
		})
	}
}

// TestProxyEventMatchesLambdaGoTypes cross-checks our event's field names
// against aws-lambda-go's own API Gateway fixture and decodes it into
// events.APIGatewayProxyRequest.
func TestProxyEventMatchesLambdaGoTypes(t *testing.T) {
	st := startStandalone(t, true)
	api := proxyAPI(t, st.client, "echo")
	_, _, body := call(t, "GET", st.url+"/restapis/"+api+"/prod/_user_request_/", nil, map[string][]string{"User-Agent": {"ua"}}, "")
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	// a GET on / with no query: the nulls API Gateway sends
	for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "body"} {
		if v, ok := got[k]; !ok || v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
	if got["resource"] != "/" || got["path"] != "/" {
		t.Errorf("root: resource %v path %v", got["resource"], got["path"])
	}

	var want map[string]any
	if err := json.Unmarshal(lambdago.Sample(t, "apigw-request.json"), &want); err != nil {
		t.Fatal(err)
	}
	// fields only an authorizer or mTLS would fill
	optional := map[string]bool{"authorizer": true, "clientCert": true, "apiKey": true, "apiKeyId": true}
	var missing []string
	var walk func(path string, w, g map[string]any)
	walk = func(path string, w, g map[string]any) {
		for k, wv := range w {
			if optional[k] {
				continue
			}
			gv, ok := g[k]
			if !ok {
				missing = append(missing, path+k)
				continue
			}
			if wm, ok := wv.(map[string]any); ok && (k == "requestContext" || k == "identity") {
				gm, _ := gv.(map[string]any)
				walk(path+k+".", wm, gm)
			}
		}
	}
	walk("", want, got)
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("fields of aws-lambda-go's fixture missing from our event: %v", missing)
	}
	var typed events.APIGatewayProxyRequest
	if err := json.Unmarshal(body, &typed); err != nil {
		t.Fatal(err)
	}
	if typed.RequestContext.APIID != api || typed.RequestContext.Stage != "prod" || typed.HTTPMethod != "GET" ||
		typed.RequestContext.Identity.UserAgent != "ua" || typed.RequestContext.Identity.SourceIP != "127.0.0.1" || typed.Headers["User-Agent"] != "ua" {
		t.Errorf("typed event %+v", typed)
	}
}

func TestProxyResponseMapping(t *testing.T) {
	st := startStandalone(t, true)
	api := proxyAPI(t, st.client, "fn")
	url := st.url + "/restapis/" + api + "/prod/_user_request_/x"
	cases := []struct {
		name      string
		payload   string
		fnErr     string
		status    int
		headers   map[string]string
		multi     map[string][]string
		body      string
		errorType string
	}{
		{name: "plain", payload: `{"statusCode":201,"headers":{"X-One":"1","Content-Type":"text/plain"},"body":"created"}`, status: 201,
			headers: map[string]string{"X-One": "1", "Content-Type": "text/plain"}, body: "created"},
		{name: "default content type", payload: `{"statusCode":200,"body":"{}"}`, status: 200, headers: map[string]string{"Content-Type": "application/json"}, body: "{}"},
		{name: "multi-value headers win", payload: `{"statusCode":200,"headers":{"X-A":"single","X-B":"b"},"multiValueHeaders":{"X-A":["m1","m2"],"Set-Cookie":["a=1","b=2"]},"body":""}`,
			status: 200, headers: map[string]string{"X-B": "b"}, multi: map[string][]string{"X-A": {"m1", "m2"}, "Set-Cookie": {"a=1", "b=2"}}},
		{name: "base64 body", payload: `{"statusCode":200,"headers":{"Content-Type":"image/png"},"isBase64Encoded":true,"body":"` + base64.StdEncoding.EncodeToString([]byte{0x89, 'P', 'N', 'G', 0}) + `"}`,
			status: 200, body: "\x89PNG\x00"},
		{name: "aws-lambda-go zero values", payload: `{"statusCode":404,"headers":null,"multiValueHeaders":null,"body":""}`, status: 404, body: ""},
		{name: "numeric header", payload: `{"statusCode":200,"headers":{"X-N":5},"body":"x"}`, status: 200, headers: map[string]string{"X-N": "5"}, body: "x"},
		{name: "not json", payload: `hello`, status: 502, body: `{"message":"Internal server error"}`, errorType: "InternalServerErrorException"},
		{name: "no statusCode", payload: `{"body":"x"}`, status: 502, body: `{"message":"Internal server error"}`},
		{name: "object body", payload: `{"statusCode":200,"body":{"a":1}}`, status: 502, body: `{"message":"Internal server error"}`},
		{name: "array", payload: `[1]`, status: 502, body: `{"message":"Internal server error"}`},
		{name: "function error", payload: `{"errorMessage":"boom","errorType":"errorString"}`, fnErr: "Unhandled", status: 502, body: `{"message":"Internal server error"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st.lambda.set(constant(tc.payload, tc.fnErr))
			code, h, body := call(t, "GET", url, nil, nil, "")
			if code != tc.status || string(body) != tc.body {
				t.Fatalf("got %d %q, want %d %q", code, body, tc.status, tc.body)
			}
			for k, v := range tc.headers {
				if h.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, h.Get(k), v)
				}
			}
			for k, vs := range tc.multi {
				if got := h.Values(k); strings.Join(got, "|") != strings.Join(vs, "|") {
					t.Errorf("header %s = %q, want %q", k, got, vs)
				}
			}
			if tc.errorType != "" && h.Get("X-Amzn-Errortype") != tc.errorType {
				t.Errorf("error type %q", h.Get("X-Amzn-Errortype"))
			}
			if h.Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}

	t.Run("invoke error is 500", func(t *testing.T) {
		st.lambda.set(func(context.Context, cloud.InvokeRequest) (cloud.InvokeResult, error) {
			return cloud.InvokeResult{}, errors.New("Function not found")
		})
		code, _, body := call(t, "GET", url, nil, nil, "")
		if code != 500 || string(body) != `{"message":"Internal server error"}` {
			t.Fatalf("got %d %s", code, body)
		}
	})

	t.Run("integration timeout is 504", func(t *testing.T) {
		st.svc.SetIntegrationTimeout(150 * time.Millisecond)
		defer st.svc.SetIntegrationTimeout(apigateway.DefaultIntegrationTimeout)
		st.lambda.set(func(ctx context.Context, _ cloud.InvokeRequest) (cloud.InvokeResult, error) {
			select {
			case <-ctx.Done():
				return cloud.InvokeResult{}, ctx.Err()
			case <-time.After(10 * time.Second):
				return cloud.InvokeResult{}, errors.New("not cancelled")
			}
		})
		start := time.Now()
		code, _, body := call(t, "GET", url, nil, nil, "")
		if code != 504 || string(body) != `{"message":"Endpoint request timed out"}` {
			t.Fatalf("got %d %s", code, body)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

func TestBinaryRequestBody(t *testing.T) {
	st := startStandalone(t, true)
	api := proxyAPI(t, st.client, "fn", "image/*")
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2}
	code, _, body := call(t, "POST", st.url+"/restapis/"+api+"/prod/_user_request_/upload", png, map[string][]string{"Content-Type": {"image/png"}}, "")
	var ev events.APIGatewayProxyRequest
	if code != 200 || json.Unmarshal(body, &ev) != nil {
		t.Fatalf("%d %s", code, body)
	}
	if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString(png) {
		t.Fatalf("binary body: base64=%v %q", ev.IsBase64Encoded, ev.Body)
	}
	_, _, body = call(t, "POST", st.url+"/restapis/"+api+"/prod/_user_request_/upload", []byte("text"), map[string][]string{"Content-Type": {"text/plain"}}, "")
	if json.Unmarshal(body, &ev) != nil || ev.IsBase64Encoded || ev.Body != "text" {
		t.Fatalf("text body: %s", body)
	}
}

func TestMissingAuthenticationToken(t *testing.T) {
	st := startStandalone(t, true)
	c := st.client
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("routes")})).ok(t)
	users := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("users")})).ok(t)
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: users.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})).ok(t)
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: users.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaURI("fn"))})).ok(t)
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})).ok(t)
	// a method added after the deployment is not live until the next one
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: users.Id, HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE")})).ok(t)
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: users.Id, HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaURI("fn"))})).ok(t)

	base := st.url + "/restapis/" + *api.Id
	for _, tc := range []struct {
		method, url string
		status      int
	}{
		{"GET", base + "/prod/_user_request_/users", 200},
		{"GET", base + "/prod/_user_request_/users/", 200},
		{"POST", base + "/prod/_user_request_/users", 403},
		{"GET", base + "/prod/_user_request_/nothing", 403},
		{"GET", base + "/prod/_user_request_/", 403},
		{"GET", base + "/staging/_user_request_/users", 403},
		{"GET", st.url + "/restapis/nosuchapi0/prod/_user_request_/users", 403},
		{"GET", st.url + "/_aws/execute-api/" + *api.Id + "/prod/users/1", 403},
	} {
		code, h, body := call(t, tc.method, tc.url, nil, nil, "")
		if code != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.url, code, body, tc.status)
			continue
		}
		if code == 403 && (string(body) != `{"message":"Missing Authentication Token"}` || h.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException") {
			t.Errorf("%s %s: 403 as %s %v", tc.method, tc.url, body, h)
		}
	}
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})).ok(t)
	if code, _, _ := call(t, "POST", base+"/prod/_user_request_/users", nil, nil, ""); code != 200 {
		t.Errorf("POST after redeploy: %d", code)
	}
}

// TestPayloadLimits: API Gateway takes up to 10 MB, Lambda up to 6 MB of
// event. Past 10 MB API Gateway refuses the body itself; in between, Lambda
// refuses the event and the client gets AWS's 413, never a 500. Any other
// failed invoke stays API Gateway's JSON 500.
func TestPayloadLimits(t *testing.T) {
	st := startStandalone(t, true)
	api := proxyAPI(t, st.client, "fn")
	url := st.url + "/restapis/" + api + "/prod/_user_request_/upload"
	const lambdaLimit = 6291456
	st.lambda.set(func(ctx context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
		if len(req.Payload) > lambdaLimit {
			// what the Lambda service returns (services/lambda: ErrRequestTooLarge)
			return cloud.InvokeResult{}, awsproto.Code{Name: "RequestTooLargeException", Status: 413}.Errorf("Request must be smaller than %d bytes for the InvokeFunction operation", lambdaLimit)
		}
		if strings.Contains(string(req.Payload), "lambda-down") {
			return cloud.InvokeResult{}, awsproto.Code{Name: "ServiceException", Status: 500}.New("boom")
		}
		return echo(ctx, req)
	})
	for _, tc := range []struct {
		name     string
		size     int
		status   int
		errType  string
		body     string
		invoked  bool
		contains string
	}{
		{"1 MB", 1 << 20, 200, "", "", true, ""},
		{"just under Lambda's limit once wrapped in the event", lambdaLimit - 4096, 200, "", "", true, ""},
		{"body within 10 MB, event past Lambda's 6 MB", lambdaLimit - 100, 413, "BadRequestException", `{"message":"Request Too Long"}`, true, ""},
		{"8 MB", 8 << 20, 413, "BadRequestException", `{"message":"Request Too Long"}`, true, ""},
		{"exactly 10 MB", 10 << 20, 413, "BadRequestException", `{"message":"Request Too Long"}`, true, ""},
		{"past 10 MB", 10<<20 + 1, 413, "", `{"message":"Request Too Long"}`, false, ""},
	} {
		before := st.lambda.count()
		code, h, body := call(t, "POST", url, bytes.Repeat([]byte("a"), tc.size), map[string][]string{"Content-Type": {"text/plain"}}, "")
		if code != tc.status {
			t.Errorf("%s: %d %.200s, want %d", tc.name, code, body, tc.status)
			continue
		}
		if tc.body != "" && (string(body) != tc.body || h.Get("Content-Type") != "application/json" || h.Get("X-Amzn-Errortype") != tc.errType) {
			t.Errorf("%s: %d %s %v", tc.name, code, body, h)
		}
		if invoked := st.lambda.count() > before; invoked != tc.invoked {
			t.Errorf("%s: Lambda invoked %v, want %v", tc.name, invoked, tc.invoked)
		}
	}
	code, h, body := call(t, "POST", url, []byte("lambda-down"), nil, "")
	if code != 500 || string(body) != `{"message":"Internal server error"}` || h.Get("X-Amzn-Errortype") != "InternalServerErrorException" {
		t.Errorf("another invoke failure: %d %s %v", code, body, h)
	}
}

func TestLambdaNotWired(t *testing.T) {
	st := startStandalone(t, false)
	api := proxyAPI(t, st.client, "fn")
	code, _, body := call(t, "GET", st.url+"/restapis/"+api+"/prod/_user_request_/x", nil, nil, "")
	if code != 500 || string(body) != `{"message":"Internal server error"}` {
		t.Fatalf("%d %s", code, body)
	}
}

func TestStageVariableInURI(t *testing.T) {
	st := startStandalone(t, true)
	c := st.client
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("vars")})).ok(t)
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})).ok(t)
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:000000000000:function:${stageVariables.fn}:live/invocations")})).ok(t)
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod"), Variables: map[string]string{"fn": "orders"}})).ok(t)
	if code, _, body := call(t, "GET", st.url+"/restapis/"+*api.Id+"/prod/_user_request_/", nil, nil, ""); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	l := st.lambda.last()
	if l.Function != "arn:aws:lambda:eu-west-1:000000000000:function:orders" || l.Qualifier != "live" || l.Region != "eu-west-1" {
		t.Fatalf("invoke %+v", l)
	}
}

// TestMockAndCORSThroughEdge configures CORS the way users do on AWS (an
// OPTIONS method with a MOCK integration) and calls it on all three URL
// forms through the emulator's edge.
func TestMockAndCORSThroughEdge(t *testing.T) {
	e, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("cors")})).ok(t)
	items := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("items")})).ok(t)
	put := func(method string, status string, template string, params map[string]string, body string) {
		must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: items.Id, HttpMethod: aws.String(method), AuthorizationType: aws.String("NONE")})).ok(t)
		must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: items.Id, HttpMethod: aws.String(method),
			Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": template}})).ok(t)
		mp := map[string]bool{}
		for k := range params {
			mp[k] = false
		}
		must(c.PutMethodResponse(ctx, &apigw.PutMethodResponseInput{RestApiId: api.Id, ResourceId: items.Id, HttpMethod: aws.String(method), StatusCode: aws.String(status), ResponseParameters: mp})).ok(t)
		must(c.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: items.Id, HttpMethod: aws.String(method), StatusCode: aws.String(status),
			ResponseParameters: params, ResponseTemplates: map[string]string{"application/json": body}})).ok(t)
	}
	put("OPTIONS", "200", `{"statusCode": 200}`, map[string]string{
		"method.response.header.Access-Control-Allow-Origin":  "'*'",
		"method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
		"method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'",
	}, "")
	put("GET", "202", `{"statusCode": 202}`, map[string]string{"method.response.header.X-Mocked": "'true'"}, `{"items":[]}`)
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})).ok(t)

	port := e.URL()[strings.LastIndexByte(e.URL(), ':')+1:]
	for _, u := range invokeURLs(e.URL(), port, *api.Id, "prod", "/items") {
		t.Run(u.name, func(t *testing.T) {
			code, h, body := call(t, "OPTIONS", u.url, nil, map[string][]string{"Origin": {"http://example.com"}, "Access-Control-Request-Method": {"GET"}}, u.host)
			if code != 200 || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "GET,OPTIONS" ||
				h.Get("Access-Control-Allow-Headers") != "Content-Type,Authorization" {
				t.Fatalf("preflight %d %v %s", code, h, body)
			}
			code, h, body = call(t, "GET", u.url, nil, nil, u.host)
			if code != 202 || h.Get("X-Mocked") != "true" || string(body) != `{"items":[]}` || h.Get("X-Amzn-Requestid") == "" {
				t.Fatalf("mock GET %d %v %s", code, h, body)
			}
			code, _, body = call(t, "GET", strings.Replace(u.url, "/items", "/other", 1), nil, nil, u.host)
			if code != 403 || string(body) != `{"message":"Missing Authentication Token"}` {
				t.Fatalf("unknown route %d %s", code, body)
			}
		})
	}
}

func TestHTTPProxyIntegration(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Backend", "yes")
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprintf(w, "%s %s %s %s %s", r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("X-In"), b)
	}))
	t.Cleanup(backend.Close)
	st := startStandalone(t, false)
	c := st.client
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("http")})).ok(t)
	proxy := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("{proxy+}")})).ok(t)
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE"),
		RequestParameters: map[string]bool{"method.request.path.proxy": true}})).ok(t)
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("ANY"), Uri: aws.String(backend.URL + "/base/{proxy}"),
		RequestParameters: map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}})).ok(t)
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")})).ok(t)
	code, h, body := call(t, "PUT", st.url+"/restapis/"+*api.Id+"/v1/_user_request_/a/b?x=1", []byte("payload"), map[string][]string{"X-In": {"in"}}, "")
	if code != http.StatusTeapot || h.Get("X-Backend") != "yes" || string(body) != "PUT /base/a/b x=1 in payload" {
		t.Fatalf("%d %v %q", code, h, body)
	}
}

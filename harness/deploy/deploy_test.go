package deploy_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var ctx = context.Background()

// testfn is built once per test binary.
var testfn struct {
	once     sync.Once
	zip, sha string
	err      error
}

func buildTestfn(t testing.TB) (zip, sha string) {
	t.Helper()
	testfn.once.Do(func() {
		c, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		testfn.zip, testfn.sha, testfn.err = deploy.BuildHandler(c, filepath.Join("..", "..", "handlers", "testfn"))
	})
	if testfn.err != nil {
		t.Fatalf("build handlers/testfn: %v", testfn.err)
	}
	return testfn.zip, testfn.sha
}

// httpClient reaches *.localhost.localstack.cloud hosts on loopback, so the
// host-form URLs the emulator hands out work without DNS.
var httpClient = &http.Client{
	Timeout: 60 * time.Second,
	Transport: &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && strings.HasSuffix(host, ".localhost.localstack.cloud") {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 8,
	},
}

func get(t testing.TB, method, url string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "deploy-test")
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// result lets a two-value call be checked inline: must(f(…)).ok(t).
type result[T any] struct {
	v   T
	err error
}

func must[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) ok(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// TestDoneWhen is the acceptance test, driven by the aws CLI as a
// user's script would: a function from a BuildHandler zip, invoked, put
// behind a REST API ({proxy+}, ANY, prod), reached over HTTP on the
// _user_request_ URL, and the same function through a Function URL.
func TestDoneWhen(t *testing.T) {
	zip, _ := buildTestfn(t)
	e, _ := emutest.Start(t)
	aws := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, code := emutest.CLI(t, e.URL(), args...)
		if code != 0 {
			t.Fatalf("aws %s: %s", strings.Join(args, " "), stderr)
		}
		var v map[string]any
		if s := strings.TrimSpace(out); s != "" {
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				t.Fatalf("aws %s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
		return v
	}
	fn := aws("lambda", "create-function", "--function-name", "testfn", "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", "arn:aws:iam::000000000000:role/lambda-role", "--zip-file", "fileb://"+zip)
	fnARN := fn["FunctionArn"].(string)
	aws("lambda", "wait", "function-active-v2", "--function-name", "testfn")

	outFile := filepath.Join(t.TempDir(), "out.json")
	inv := aws("lambda", "invoke", "--function-name", "testfn",
		"--payload", `{"mode":"echo","message":"hi"}`, outFile)
	if inv["StatusCode"].(float64) != 200 || inv["FunctionError"] != nil {
		t.Fatalf("invoke: %v", inv)
	}
	if b, _ := os.ReadFile(outFile); !strings.Contains(string(b), `"message":"hi"`) {
		t.Fatalf("invoke output %s", b)
	}

	api := aws("apigateway", "create-rest-api", "--name", "done-when")
	id, root := api["id"].(string), api["rootResourceId"].(string)
	proxy := aws("apigateway", "create-resource", "--rest-api-id", id, "--parent-id", root, "--path-part", "{proxy+}")
	pid := proxy["id"].(string)
	aws("apigateway", "put-method", "--rest-api-id", id, "--resource-id", pid, "--http-method", "ANY", "--authorization-type", "NONE")
	aws("apigateway", "put-integration", "--rest-api-id", id, "--resource-id", pid, "--http-method", "ANY", "--type", "AWS_PROXY",
		"--integration-http-method", "POST", "--uri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"+fnARN+"/invocations")
	aws("lambda", "add-permission", "--function-name", "testfn", "--statement-id", "apigw", "--action", "lambda:InvokeFunction",
		"--principal", "apigateway.amazonaws.com", "--source-arn", "arn:aws:execute-api:us-east-1:000000000000:"+id+"/*/*/*")
	aws("apigateway", "create-deployment", "--rest-api-id", id, "--stage-name", "prod")

	code, h, body := get(t, "GET", e.URL()+"/restapis/"+id+"/prod/_user_request_/anything?x=1")
	if code != 200 || h.Get("Content-Type") != "application/json" {
		t.Fatalf("GET via REST API: %d %v %s", code, h, body)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("handler response is not the echoed event: %v: %s", err, body)
	}
	if ev.Path != "/anything" || ev.Resource != "/{proxy+}" || ev.PathParameters["proxy"] != "anything" || ev.HTTPMethod != "GET" ||
		ev.QueryStringParameters["x"] != "1" || ev.RequestContext.APIID != id || ev.RequestContext.Stage != "prod" {
		t.Fatalf("echoed event %+v", ev)
	}
	// the handler's own status, headers and binary bodies come through; its failures are 502s
	if code, h, body := get(t, "GET", e.URL()+"/restapis/"+id+"/prod/_user_request_/s?mode=status&code=418"); code != 418 || h.Get("X-Testfn") != "yes" || string(body) != "status 418" {
		t.Fatalf("status mode: %d %v %s", code, h, body)
	}
	if code, _, body := get(t, "GET", e.URL()+"/restapis/"+id+"/prod/_user_request_/b?mode=binary"); code != 200 || string(body) != "\x00\x01\x02\xff" {
		t.Fatalf("binary mode: %d %q", code, body)
	}
	for _, mode := range []string{"error", "raw"} {
		if code, _, body := get(t, "GET", e.URL()+"/restapis/"+id+"/prod/_user_request_/e?mode="+mode); code != 502 || string(body) != `{"message": "Internal server error"}` && string(body) != `{"message":"Internal server error"}` {
			t.Fatalf("%s mode: %d %s", mode, code, body)
		}
	}

	// the same function through a Function URL
	u := aws("lambda", "create-function-url-config", "--function-name", "testfn", "--auth-type", "NONE")
	furl := u["FunctionUrl"].(string)
	code, _, body = get(t, "GET", strings.TrimSuffix(furl, "/")+"/anything?x=1")
	var v2 events.LambdaFunctionURLRequest
	if code != 200 || json.Unmarshal(body, &v2) != nil || v2.RawPath != "/anything" || v2.QueryStringParameters["x"] != "1" {
		t.Fatalf("GET via function URL %s: %d %s", furl, code, body)
	}
}

// TestEnsureHelpers drives EnsureFunction, EnsureRestAPI and
// EnsureFunctionURL against an embedded emulator, twice each, checking
// that the second run changes nothing.
func TestEnsureHelpers(t *testing.T) {
	zip, sha := buildTestfn(t)
	_, cfg := emutest.Start(t)
	lc := lambda.NewFromConfig(cfg)

	spec := deploy.FunctionSpec{Name: "ensure-fn", ZipPath: zip, CodeSha256: sha, Environment: map[string]string{"STAGE": "one"}, Timeout: 5 * time.Second}
	arn := must(deploy.EnsureFunction(ctx, cfg, spec)).ok(t)
	if !strings.HasSuffix(arn, ":function:ensure-fn") {
		t.Fatalf("arn %s", arn)
	}
	first := must(lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ensure-fn")})).ok(t).Configuration
	if first.State != ltypes.StateActive || *first.CodeSha256 != sha || first.Environment.Variables["STAGE"] != "one" || *first.Timeout != 5 {
		t.Fatalf("created %+v", first)
	}
	time.Sleep(1100 * time.Millisecond) // LastModified has second resolution on some backends
	if again := must(deploy.EnsureFunction(ctx, cfg, spec)).ok(t); again != arn {
		t.Fatalf("second arn %s", again)
	}
	same := must(lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ensure-fn")})).ok(t).Configuration
	if *same.LastModified != *first.LastModified || *same.RevisionId != *first.RevisionId {
		t.Fatalf("an unchanged spec updated the function: %s → %s", *first.RevisionId, *same.RevisionId)
	}
	spec.Environment = map[string]string{"STAGE": "two"}
	must(deploy.EnsureFunction(ctx, cfg, spec)).ok(t)
	changed := must(lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ensure-fn")})).ok(t).Configuration
	if changed.Environment.Variables["STAGE"] != "two" || changed.LastUpdateStatus != ltypes.LastUpdateStatusSuccessful {
		t.Fatalf("configuration not updated: %+v", changed)
	}

	apiSpec := deploy.RestAPISpec{
		Name:       "ensure-api",
		Routes:     []deploy.Route{{Path: "/", Method: "ANY", Function: "ensure-fn"}, {Path: "/{proxy+}", Method: "ANY", Function: "ensure-fn"}},
		CORSOrigin: "*",
	}
	api := must(deploy.EnsureRestAPI(ctx, cfg, apiSpec)).ok(t)
	if api.ID == "" || api.Stage != "prod" || api.URL != api.URLs.UserRequest {
		t.Fatalf("api %+v", api)
	}
	for _, base := range []string{api.URLs.UserRequest, api.URLs.ExecuteAPI, api.URLs.Host} {
		code, _, body := get(t, "GET", base+"/orders/7")
		var ev events.APIGatewayProxyRequest
		if code != 200 || json.Unmarshal(body, &ev) != nil || ev.PathParameters["proxy"] != "orders/7" {
			t.Fatalf("GET %s/orders/7: %d %s", base, code, body)
		}
	}
	if code, h, _ := get(t, "OPTIONS", api.URL+"/orders/7"); code != 200 || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("CORS preflight: %d %v", code, h)
	}
	pol := must(lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("ensure-fn")})).ok(t)
	if !strings.Contains(*pol.Policy, "apigateway.amazonaws.com") || !strings.Contains(*pol.Policy, api.ID) {
		t.Fatalf("policy %s", *pol.Policy)
	}

	ac := apigw.NewFromConfig(cfg)
	deps := must(ac.GetDeployments(ctx, &apigw.GetDeploymentsInput{RestApiId: &api.ID})).ok(t)
	again := must(deploy.EnsureRestAPI(ctx, cfg, apiSpec)).ok(t)
	depsAgain := must(ac.GetDeployments(ctx, &apigw.GetDeploymentsInput{RestApiId: &api.ID})).ok(t)
	if again.ID != api.ID || len(depsAgain.Items) != len(deps.Items) {
		t.Fatalf("second EnsureRestAPI: id %s vs %s, deployments %d → %d", again.ID, api.ID, len(deps.Items), len(depsAgain.Items))
	}
	apis := must(ac.GetRestApis(ctx, &apigw.GetRestApisInput{})).ok(t)
	if len(apis.Items) != 1 {
		t.Fatalf("%d APIs after two runs", len(apis.Items))
	}
	apiSpec.Routes = append(apiSpec.Routes, deploy.Route{Path: "/health", Method: "GET", Function: arn})
	must(deploy.EnsureRestAPI(ctx, cfg, apiSpec)).ok(t)
	if code, _, body := get(t, "GET", api.URL+"/health"); code != 200 || !strings.Contains(string(body), `"resource":"/health"`) {
		t.Fatalf("new route: %d %s", code, body)
	}

	// the function's logs reached CloudWatch Logs through the LogWriter link
	logs := cwl.NewFromConfig(cfg)
	var found []string
	for i := 0; i < 50 && len(found) == 0; i++ {
		out, err := logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/ensure-fn"), FilterPattern: aws.String("REPORT RequestId")})
		if err == nil {
			for _, e := range out.Events {
				found = append(found, *e.Message)
			}
		}
		if len(found) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(found) == 0 || !strings.Contains(found[0], "Duration:") {
		t.Fatalf("no REPORT lines in /aws/lambda/ensure-fn: %q", found)
	}

	furl := must(deploy.EnsureFunctionURL(ctx, cfg, "ensure-fn", ltypes.FunctionUrlAuthTypeNone)).ok(t)
	if furl2 := must(deploy.EnsureFunctionURL(ctx, cfg, "ensure-fn", ltypes.FunctionUrlAuthTypeNone)).ok(t); furl2 != furl {
		t.Fatalf("URL changed: %s → %s", furl, furl2)
	}
	code, _, body := get(t, "GET", furl+"ping")
	var v2 events.LambdaFunctionURLRequest
	if code != 200 || json.Unmarshal(body, &v2) != nil || v2.RawPath != "/ping" {
		t.Fatalf("GET %sping: %d %s", furl, code, body)
	}
}

func TestRestAPIURLsOnAWS(t *testing.T) {
	// without a BaseEndpoint the helpers talk to AWS: only the execute-api URL exists
	cfg := aws.Config{Region: "eu-west-1"}
	api := deploy.RestAPIURLsForTest(cfg, "abc123defg", "prod")
	if api.URL != "https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod" || api.URLs.UserRequest != "" {
		t.Fatalf("%+v", api)
	}
	api = deploy.RestAPIURLsForTest(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:4566")}, "abc123defg", "dev")
	want := deploy.InvokeURLs{
		Host:        "http://abc123defg.execute-api.localhost.localstack.cloud:4566/dev",
		ExecuteAPI:  "http://127.0.0.1:4566/_aws/execute-api/abc123defg/dev",
		UserRequest: "http://127.0.0.1:4566/restapis/abc123defg/dev/_user_request_",
	}
	if api.URLs != want {
		t.Fatalf("%+v", api.URLs)
	}
}

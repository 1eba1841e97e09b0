package apigatewayv2_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// createTestfn deploys handlers/testfn as a function and returns its ARN.
func createTestfn(t *testing.T, c *awslambda.Client, name string) string {
	t.Helper()
	return *must(c.CreateFunction(ctx, createFnInput(name))).ok(t).FunctionArn
}

func createFnInput(name string) *awslambda.CreateFunctionInput {
	return &awslambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: ltypes.RuntimeProvidedal2023, Role: aws.String("arn:aws:iam::000000000000:role/lambda-role"),
		Handler: aws.String("bootstrap"), Code: &ltypes.FunctionCode{ZipFile: testfnZip}, Timeout: aws.Int32(10),
	}
}

func fnURI(arn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations"
}

// do sends a request and returns the status, headers and body.
func do(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func newReq(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestHTTPAPIPayload2WithRealLambda(t *testing.T) {
	e, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	fn := createTestfn(t, awslambda.NewFromConfig(cfg), "httpapi-echo")

	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("shop"), ProtocolType: types.ProtocolTypeHttp})).ok(t)
	id := *api.ApiId
	integ := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: &id, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fnURI(fn)), PayloadFormatVersion: aws.String("2.0")})).ok(t)
	target := aws.String("integrations/" + *integ.IntegrationId)
	for _, k := range []string{"GET /items/{id}", "ANY /files/{proxy+}", "POST /items", "$default"} {
		must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: &id, RouteKey: aws.String(k), Target: target})).ok(t)
	}
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: &id, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true),
		StageVariables: map[string]string{"color": "blue"}})).ok(t)

	base := e.URL() + "/_aws/execute-api/" + id + "/prod"
	req := newReq(t, "GET", base+"/items/42?a=1&a=2&b=x%20y", "")
	req.Header.Set("Cookie", "s=1; t=2")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("User-Agent", "apiv2-test")
	status, h, body := do(t, req)
	if status != 200 || h.Get("Apigw-Requestid") == "" {
		t.Fatalf("%d %v %s", status, h, body)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	rc := ev.RequestContext
	switch {
	case ev.Version != "2.0", ev.RouteKey != "GET /items/{id}", ev.RawPath != "/prod/items/42", ev.RawQueryString != "a=1&a=2&b=x%20y":
		t.Fatalf("event: %s", body)
	case !slices.Equal(ev.Cookies, []string{"s=1", "t=2"}), ev.Headers["x-multi"] != "one,two", ev.Headers["cookie"] != "",
		ev.Headers["user-agent"] != "apiv2-test", ev.Headers["x-forwarded-for"] != "127.0.0.1", ev.Headers["x-amzn-trace-id"] == "":
		t.Fatalf("headers/cookies: %s", body)
	case ev.QueryStringParameters["a"] != "1,2", ev.QueryStringParameters["b"] != "x y", ev.PathParameters["id"] != "42",
		ev.StageVariables["color"] != "blue", ev.Body != "", ev.IsBase64Encoded:
		t.Fatalf("parameters: %s", body)
	case rc.AccountID != "000000000000", rc.APIID != id, rc.Stage != "prod", rc.RouteKey != "GET /items/{id}", rc.RequestID != h.Get("Apigw-Requestid"),
		rc.HTTP.Method != "GET", rc.HTTP.Path != "/prod/items/42", rc.HTTP.Protocol != "HTTP/1.1", rc.HTTP.SourceIP != "127.0.0.1",
		rc.HTTP.UserAgent != "apiv2-test", rc.TimeEpoch == 0, rc.Time == "", rc.DomainName == "", rc.Authorizer != nil:
		t.Fatalf("requestContext: %s", body)
	}

	// greedy path, binary body, the host form
	req = newReq(t, "PUT", e.URL()+"/prod/files/a/b.bin", "\x00\x01\xff")
	req.Host = id + ".execute-api.localhost.localstack.cloud"
	req.Header.Set("Content-Type", "application/octet-stream")
	status, _, body = do(t, req)
	ev = events.APIGatewayV2HTTPRequest{}
	if err := json.Unmarshal([]byte(body), &ev); status != 200 || err != nil {
		t.Fatalf("%d %s", status, body)
	}
	if ev.RouteKey != "ANY /files/{proxy+}" || ev.PathParameters["proxy"] != "a/b.bin" || !ev.IsBase64Encoded ||
		ev.Body != base64.StdEncoding.EncodeToString([]byte("\x00\x01\xff")) || ev.RequestContext.DomainPrefix != id {
		t.Fatalf("greedy: %s", body)
	}
	// JSON body as text; the most specific route wins over $default
	status, _, body = do(t, newReq(t, "POST", base+"/items", `{"n":1}`))
	ev = events.APIGatewayV2HTTPRequest{}
	if json.Unmarshal([]byte(body), &ev); status != 200 || ev.RouteKey != "POST /items" || ev.Body != `{"n":1}` || ev.IsBase64Encoded {
		t.Fatalf("%d %s", status, body)
	}
	status, _, body = do(t, newReq(t, "DELETE", base+"/other/path", ""))
	ev = events.APIGatewayV2HTTPRequest{}
	if json.Unmarshal([]byte(body), &ev); status != 200 || ev.RouteKey != "$default" || ev.PathParameters != nil {
		t.Fatalf("%d %s", status, body)
	}

	// response shapes of payload 2.0
	status, h, body = do(t, newReq(t, "GET", base+"/items/1?mode=raw", ""))
	if status != 200 || body != `{"hello":"world"}` || h.Get("Content-Type") != "application/json" {
		t.Fatalf("raw: %d %v %s", status, h, body)
	}
	status, _, body = do(t, newReq(t, "GET", base+"/items/1?mode=string", ""))
	if status != 200 || body != "hello from testfn" {
		t.Fatalf("string: %d %s", status, body)
	}
	status, h, body = do(t, newReq(t, "GET", base+"/items/1?mode=status&code=418", ""))
	if status != 418 || body != "status 418" || h.Get("X-Testfn") != "yes" || !slices.Equal(h.Values("Set-Cookie"), []string{"a=1; Path=/", "b=2"}) {
		t.Fatalf("status: %d %v %s", status, h, body)
	}
	status, _, body = do(t, newReq(t, "GET", base+"/items/1?mode=binary", ""))
	if status != 200 || body != "\x00\x01\x02\xff" {
		t.Fatalf("binary: %d %q", status, body)
	}
	status, _, body = do(t, newReq(t, "GET", base+"/items/1?mode=error", ""))
	if status != 500 || body != `{"message":"Internal Server Error"}` {
		t.Fatalf("error: %d %s", status, body)
	}
	// unknown stage and API
	if status, _, body = do(t, newReq(t, "GET", e.URL()+"/_aws/execute-api/"+id+"/nostage/items/1", "")); status != 404 || body != `{"message":"Not Found"}` {
		t.Fatalf("unknown stage: %d %s", status, body)
	}
}

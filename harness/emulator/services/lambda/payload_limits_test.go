package lambda_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// TestOversizeRequestsOverHTTP sends bodies around Lambda's 6 MB and API
// Gateway's 10 MB limits to a real function behind a REST API (AWS_PROXY)
// and a function URL, through the embedded emulator's edge, and expects
// AWS's answers: never a bare or JSON-less 5xx.
func TestOversizeRequestsOverHTTP(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	lc := awslambda.NewFromConfig(cfg)
	fn := createFn(t, lc)

	g := apigw.NewFromConfig(cfg)
	api, err := g.CreateRestApi(bg, &apigw.CreateRestApiInput{Name: aws.String("limits")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.PutMethod(bg, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.PutIntegration(bg, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("ANY"),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations")}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateDeployment(bg, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	u, err := lc.CreateFunctionUrlConfig(bg, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(fn), AuthType: types.FunctionUrlAuthTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	urlID, _, _ := strings.Cut(strings.TrimPrefix(aws.ToString(u.FunctionUrl), "http://"), ".")
	restURL := e.URL() + "/restapis/" + aws.ToString(api.Id) + "/prod/_user_request_/"
	fnURL := e.URL() + "/_aws/lambda-url/" + urlID + "/"

	const (
		lambdaLimit = 6291456
		apigwTooBig = `{"message":"Request Too Long"}`
		fnURLTooBig = `{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}`
	)
	for _, tc := range []struct {
		name, url, contentType string
		size                   int
		status                 int
		errType, body          string
	}{
		{"REST API, 1 MB", restURL, "text/plain", 1 << 20, 200, "", ""},
		{"REST API, 7 MB: Lambda refuses the event", restURL, "text/plain", 7 << 20, 413, "BadRequestException", apigwTooBig},
		{"REST API, body under 6 MB, event over", restURL, "text/plain", lambdaLimit - 200, 413, "BadRequestException", apigwTooBig},
		{"REST API, 11 MB: API Gateway refuses the body", restURL, "text/plain", 11 << 20, 413, "", apigwTooBig},
		{"function URL, 1 MB", fnURL, "text/plain", 1 << 20, 200, "", ""},
		{"function URL, 7 MB", fnURL, "text/plain", 7 << 20, 413, "RequestEntityTooLargeException", fnURLTooBig},
		{"function URL, body under 6 MB, event over", fnURL, "text/plain", lambdaLimit - 200, 413, "RequestEntityTooLargeException", fnURLTooBig},
		{"function URL, 5 MB binary: base64 in the event is over", fnURL, "application/octet-stream", 5 << 20, 413, "RequestEntityTooLargeException", fnURLTooBig},
	} {
		resp, err := http.Post(tc.url, tc.contentType, bytes.NewReader(bytes.Repeat([]byte("a"), tc.size)))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %.200s, want %d", tc.name, resp.StatusCode, b, tc.status)
			continue
		}
		if tc.body == "" {
			continue
		}
		if string(b) != tc.body || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Amzn-Errortype") != tc.errType {
			t.Errorf("%s: %d %s %v", tc.name, resp.StatusCode, b, resp.Header)
		}
	}
}

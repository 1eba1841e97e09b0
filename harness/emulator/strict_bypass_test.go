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

package apigatewayv2_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/golang-jwt/jwt/v5"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// routeSetup prepares what a route needs (an authorizer) once the API
// exists, and returns how to change the route.
type routeSetup func(c *apigw.Client, apiID *string) func(*apigw.CreateRouteInput)

// httpAPI makes an HTTP API with GET /items/{id} (AWS_PROXY, payload 2.0)
// to the function uri names on an auto-deployed $default stage.
func httpAPI(tb testing.TB, c *apigw.Client, uri string, setup routeSetup) string {
	tb.Helper()
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("bench"), ProtocolType: types.ProtocolTypeHttp})).ok(tb)
	var route func(*apigw.CreateRouteInput)
	if setup != nil {
		route = setup(c, api.ApiId)
	}
	integ := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(uri), PayloadFormatVersion: aws.String("2.0")})).ok(tb)
	in := &apigw.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /items/{id}"), Target: aws.String("integrations/" + *integ.IntegrationId)}
	if route != nil {
		route(in)
	}
	must(c.CreateRoute(ctx, in)).ok(tb)
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})).ok(tb)
	return *api.ApiId
}

// benchHTTPAPI replays GET /items/42 through the handler the edge hands
// invoke URLs to, with an in-process Lambda that answers a fixed 2.0
// response: the gateway's own cost (routing, authorization, the 2.0 event,
// the response mapping), reported as ns/op and server CPU per request.
func benchHTTPAPI(b *testing.B, setup routeSetup, hdr map[string]string) {
	st := startStandalone(b, func(cloud.InvokeRequest) (cloud.InvokeResult, error) {
		return cloud.InvokeResult{Payload: []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"id\":42}"}`)}, nil
	})
	id := httpAPI(b, st.client, lambdaURI("fn"), setup)
	target := "/_aws/execute-api/" + id + "/items/42?expand=1"
	var w emutest.Discard
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("User-Agent", "bench")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		w.Reset()
		st.h.ServeHTTP(&w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("status %d", w.Status)
		}
	}
	b.StopTimer()
	m.Report()
}

func BenchmarkHTTPAPIGateway(b *testing.B) { benchHTTPAPI(b, nil, nil) }

// The same with a JWT authorizer: signature and claims checked on every
// request (the JWKS is fetched once and cached).
func BenchmarkHTTPAPIGatewayJWT(b *testing.B) {
	is := newIssuer(b)
	tok := is.token(b, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(nil))
	benchHTTPAPI(b, func(c *apigw.Client, api *string) func(*apigw.CreateRouteInput) {
		z := must(c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: api, Name: aws.String("jwt"), AuthorizerType: types.AuthorizerTypeJwt,
			IdentitySource: []string{"$request.header.Authorization"}, JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String(is.url), Audience: []string{"orders-api"}}})).ok(b)
		return func(in *apigw.CreateRouteInput) {
			in.AuthorizationType, in.AuthorizerId = types.AuthorizationTypeJwt, z.AuthorizerId
		}
	}, map[string]string{"Authorization": "Bearer " + tok})
}

// BenchmarkHTTPAPIRealLambda measures the gateway's overhead with a real Go
// function (handlers/testfn) through the edge: the same function invoked
// directly in-process (Lambda's own cost) and through an HTTP API over
// loopback; p50 of each and their difference are reported.
func BenchmarkHTTPAPIRealLambda(b *testing.B) {
	e, cfg := emutest.Start(b)
	fnARN := *must(awslambda.NewFromConfig(cfg).CreateFunction(ctx, createFnInput("bench-echo"))).ok(b).FunctionArn
	id := httpAPI(b, apigw.NewFromConfig(cfg), fnURI(fnARN), nil)
	var inv cloud.FunctionInvoker
	for _, s := range e.Services() {
		if i, ok := s.(cloud.FunctionInvoker); ok {
			inv = i
		}
	}
	if inv == nil {
		b.Fatal("no Lambda service")
	}
	url := e.URL() + "/_aws/execute-api/" + id + "/items/42"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	event := []byte(`{"version":"2.0","routeKey":"GET /items/{id}","rawPath":"/items/42","requestContext":{"http":{"method":"GET"}},"queryStringParameters":{}}`)
	direct := func() {
		if _, err := inv.Invoke(context.Background(), cloud.InvokeRequest{Region: "us-east-1", Function: fnARN, Payload: event}); err != nil {
			b.Fatal(err)
		}
	}
	get()
	direct()
	viaAPI, viaLambda := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		direct()
		t1 := time.Now()
		get()
		viaLambda, viaAPI = append(viaLambda, t1.Sub(t0)), append(viaAPI, time.Since(t1))
	}
	b.StopTimer()
	m.Report()
	p50 := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	la, ap := p50(viaLambda), p50(viaAPI)
	b.ReportMetric(float64(la.Microseconds()), "lambda-p50-us")
	b.ReportMetric(float64(ap.Microseconds()), "httpapi-p50-us")
	b.ReportMetric(float64((ap - la).Microseconds()), "overhead-p50-us")
}

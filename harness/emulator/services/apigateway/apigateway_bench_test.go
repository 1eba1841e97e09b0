package apigateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// benchProxy replays one prebuilt data-plane request through the service's
// handler b.N times and reports server CPU per request. The Lambda behind
// it is the in-process echo fake, so this is API Gateway's own cost:
// routing, the proxy event, the response mapping.
func benchProxy(b *testing.B, method, path string, body string) {
	st := startStandalone(b, true)
	api := proxyAPI(b, st.client, "fn")
	target := "/restapis/" + api + "/prod/_user_request_" + path
	var w emutest.Discard
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "bench")
		w.Reset()
		st.svc.ServeHTTP(&w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("status %d", w.Status)
		}
	}
	b.StopTimer()
	m.Report()
}

func BenchmarkProxyGET(b *testing.B)  { benchProxy(b, "GET", "/orders/42?expand=items", "") }
func BenchmarkProxyPOST(b *testing.B) { benchProxy(b, "POST", "/orders", `{"item":"book","qty":2}`) }

// benchGuarded replays GET /pets of an API protected as auth says, with
// hdr on every request, and reports server CPU per request. setup runs
// once the API exists (to create keys); its result is added to hdr.
func benchGuarded(b *testing.B, auth methodAuth, setup func(st *standalone, api string) map[string]string) {
	st := startStandalone(b, true)
	if auth.authorizer != nil {
		st.lambda.set(func(ctx context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
			if strings.HasSuffix(req.Function, ":authz") {
				return cloud.InvokeResult{Payload: []byte(policyAnswer("Allow", "*", `,"context":{"tenant":"t1"}`))}, nil
			}
			return echo(ctx, req)
		})
	}
	api := guardedAPI(b, st.client, auth)
	hdr := setup(st, api)
	target := "/restapis/" + api + "/prod/_user_request_/pets"
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
		st.svc.ServeHTTP(&w, req)
		if w.Status != http.StatusOK {
			b.Fatalf("status %d", w.Status)
		}
	}
	b.StopTimer()
	m.Report()
}

// The same GET /pets with no protection: the baseline for the two below.
func BenchmarkGuardedNone(b *testing.B) {
	benchGuarded(b, methodAuth{authorizationType: "NONE"}, func(*standalone, string) map[string]string { return nil })
}

// An API key in a usage plan with a throttle and a quota, checked per call.
func BenchmarkGuardedAPIKey(b *testing.B) {
	benchGuarded(b, methodAuth{authorizationType: "NONE", apiKeyRequired: true}, func(st *standalone, api string) map[string]string {
		c := st.client
		k := must(c.CreateApiKey(ctx, &apigw.CreateApiKeyInput{Name: aws.String("bench"), Enabled: true})).ok(b)
		p := must(c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("bench"), ApiStages: []types.ApiStage{{ApiId: &api, Stage: aws.String("prod")}},
			Throttle: &types.ThrottleSettings{BurstLimit: 1 << 30, RateLimit: 1e9}, Quota: &types.QuotaSettings{Limit: 1 << 30, Period: types.QuotaPeriodTypeDay}})).ok(b)
		must(c.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")})).ok(b)
		return map[string]string{"X-Api-Key": *k.Value}
	})
}

// A TOKEN authorizer whose verdict is cached: the policy is evaluated on
// every call, the authorizer Lambda invoked once.
func BenchmarkGuardedCachedAuthorizer(b *testing.B) {
	benchGuarded(b, methodAuth{authorizationType: "CUSTOM", authorizer: &apigw.CreateAuthorizerInput{
		Name: aws.String("tok"), Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(lambdaURI("authz")),
		IdentitySource: aws.String("method.request.header.Authorization")}},
		func(*standalone, string) map[string]string { return map[string]string{"Authorization": "Bearer bench"} })
}

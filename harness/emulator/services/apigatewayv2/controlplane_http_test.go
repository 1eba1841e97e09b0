package apigatewayv2_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

func TestHTTPAPIQuickCreate(t *testing.T) {
	st := startStandalone(t, echoV2)
	c := st.client
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("quick"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("arn:aws:lambda:us-east-1:000000000000:function:app")})).ok(t)
	if *api.RouteSelectionExpression != "$request.method $request.path" || !strings.HasPrefix(*api.ApiEndpoint, "http://"+*api.ApiId+".execute-api.localhost.localstack.cloud:") {
		t.Fatalf("%+v", api)
	}
	routes := must(c.GetRoutes(ctx, &apigw.GetRoutesInput{ApiId: api.ApiId})).ok(t)
	integs := must(c.GetIntegrations(ctx, &apigw.GetIntegrationsInput{ApiId: api.ApiId})).ok(t)
	stages := must(c.GetStages(ctx, &apigw.GetStagesInput{ApiId: api.ApiId})).ok(t)
	if len(routes.Items) != 1 || *routes.Items[0].RouteKey != "$default" || !*routes.Items[0].ApiGatewayManaged ||
		len(integs.Items) != 1 || integs.Items[0].IntegrationType != types.IntegrationTypeAwsProxy || *integs.Items[0].PayloadFormatVersion != "2.0" ||
		len(stages.Items) != 1 || *stages.Items[0].StageName != "$default" || !*stages.Items[0].AutoDeploy || stages.Items[0].DeploymentId == nil {
		t.Fatalf("quick create: %+v %+v %+v", routes.Items, integs.Items, stages.Items)
	}
	// the $default stage is served at the root of both URL forms
	status, _, body := do(t, newReq(t, "GET", st.url+"/_aws/execute-api/"+*api.ApiId+"/any/path?x=1", ""))
	var ev events.APIGatewayV2HTTPRequest
	if json.Unmarshal([]byte(body), &ev); status != 200 || ev.RawPath != "/any/path" || ev.RequestContext.Stage != "$default" || ev.RouteKey != "$default" {
		t.Fatalf("%d %s", status, body)
	}
	// quick create with a route key
	api2 := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("q2"), ProtocolType: types.ProtocolTypeHttp,
		Target: aws.String("arn:aws:lambda:us-east-1:000000000000:function:app"), RouteKey: aws.String("GET /hello")})).ok(t)
	if status, _, _ := do(t, newReq(t, "GET", st.url+"/_aws/execute-api/"+*api2.ApiId+"/other", "")); status != 404 {
		t.Fatalf("unmatched path: %d", status)
	}
	if status, _, _ := do(t, newReq(t, "GET", st.url+"/_aws/execute-api/"+*api2.ApiId+"/hello", "")); status != 200 {
		t.Fatalf("matched path: %d", status)
	}
	// DisableExecuteApiEndpoint closes the invoke URLs at once
	must(c.UpdateApi(ctx, &apigw.UpdateApiInput{ApiId: api2.ApiId, DisableExecuteApiEndpoint: aws.Bool(true)})).ok(t)
	if status, _, body := do(t, newReq(t, "GET", st.url+"/_aws/execute-api/"+*api2.ApiId+"/hello", "")); status != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("disabled endpoint: %d %s", status, body)
	}
	_, err := c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("bad"), ProtocolType: types.ProtocolTypeHttp, Target: aws.String("ftp://x")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("bad"), ProtocolType: types.ProtocolTypeHttp, Target: aws.String("arn:aws:lambda:us-east-1:000000000000:function:app"), RouteKey: aws.String("GET nopath")})
	wantErr[*types.BadRequestException](t, err, 400, "")
}

func TestHTTPAPIRouteKeysAndErrors(t *testing.T) {
	st := startStandalone(t, echoV2)
	c := st.client
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("keys"), ProtocolType: types.ProtocolTypeHttp})).ok(t)
	for _, bad := range []string{"GET", "GET pets", "FETCH /pets", "GET /pets/{id", "GET /{proxy+}/x", "GET /a//b", "get /pets", "$connect", "GET /{a}/{a}", "GET /a{b}"} {
		_, err := c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(bad)})
		wantErr[*types.BadRequestException](t, err, 400, "")
	}
	for _, good := range []string{"GET /", "ANY /{proxy+}", "POST /pets/{id}/toys", "$default", "OPTIONS /a.b/{c-d}"} {
		must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(good)})).ok(t)
	}
	_, err := c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /")})
	wantErr[*types.ConflictException](t, err, 409, "")
	_, err = c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("x"), ProtocolType: types.ProtocolTypeHttp, RouteSelectionExpression: aws.String("$request.body.action")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("x"), ProtocolType: types.ProtocolTypeHttp, ApiKeySelectionExpression: aws.String("$request.header.other")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaURI("f"))})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeMock})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: aws.String("http://127.0.0.1:1"), IntegrationMethod: aws.String("ANY"), TimeoutInMillis: aws.Int32(40000)})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("bad name")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateRouteResponse(ctx, &apigw.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: aws.String("nope"), RouteResponseKey: aws.String("$default")})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid Route identifier specified nope")
	_, err = c.GetStage(ctx, &apigw.GetStageInput{ApiId: api.ApiId, StageName: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid stage identifier specified nope")
	_, err = c.GetIntegration(ctx, &apigw.GetIntegrationInput{ApiId: api.ApiId, IntegrationId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid Integration identifier specified nope")
	_, err = c.GetAuthorizer(ctx, &apigw.GetAuthorizerInput{ApiId: api.ApiId, AuthorizerId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid Authorizer identifier specified nope")
	_, err = c.GetDeployment(ctx, &apigw.GetDeploymentInput{ApiId: api.ApiId, DeploymentId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid Deployment identifier specified nope")
	_, err = c.DeleteApi(ctx, &apigw.DeleteApiInput{ApiId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid API identifier specified 000000000000:nope")
	_, err = c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("x"), ProtocolType: "GRPC"})
	wantErr[*types.BadRequestException](t, err, 400, "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")
}

func TestControlPlaneUpdatesPagingTags(t *testing.T) {
	st := startStandalone(t, echoV2)
	c := st.client
	var ids []string
	for i := range 5 {
		a := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("api" + string(rune('a'+i))), ProtocolType: types.ProtocolTypeHttp})).ok(t)
		ids = append(ids, *a.ApiId)
	}
	// paging with maxResults/nextToken, and the SDK's paginator-free loop
	var seen []string
	var next *string
	for {
		out := must(c.GetApis(ctx, &apigw.GetApisInput{MaxResults: aws.String("2"), NextToken: next})).ok(t)
		if len(out.Items) > 2 {
			t.Fatalf("page of %d", len(out.Items))
		}
		for _, a := range out.Items {
			seen = append(seen, *a.ApiId)
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged %v of %v", seen, ids)
	}
	_, err := c.GetApis(ctx, &apigw.GetApisInput{NextToken: aws.String("bogus")})
	wantErr[*types.BadRequestException](t, err, 400, "")

	id := aws.String(ids[0])
	up := must(c.UpdateApi(ctx, &apigw.UpdateApiInput{ApiId: id, Name: aws.String("renamed"), Description: aws.String("d"),
		CorsConfiguration: &types.Cors{AllowOrigins: []string{"https://a.example"}, AllowMethods: []string{"GET"}}})).ok(t)
	if *up.Name != "renamed" || *up.Description != "d" || up.CorsConfiguration == nil || up.CorsConfiguration.AllowOrigins[0] != "https://a.example" {
		t.Fatalf("%+v", up)
	}
	must(c.DeleteCorsConfiguration(ctx, &apigw.DeleteCorsConfigurationInput{ApiId: id})).ok(t)
	if got := must(c.GetApi(ctx, &apigw.GetApiInput{ApiId: id})).ok(t); got.CorsConfiguration != nil {
		t.Fatalf("cors kept: %+v", got.CorsConfiguration)
	}
	integ := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String("http://127.0.0.1:9/x"), IntegrationMethod: aws.String("ANY")})).ok(t)
	ui := must(c.UpdateIntegration(ctx, &apigw.UpdateIntegrationInput{ApiId: id, IntegrationId: integ.IntegrationId, TimeoutInMillis: aws.Int32(1000)})).ok(t)
	if *ui.TimeoutInMillis != 1000 || *ui.IntegrationUri != "http://127.0.0.1:9/x" {
		t.Fatalf("%+v", ui)
	}
	r := must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /a"), Target: aws.String("integrations/" + *integ.IntegrationId)})).ok(t)
	ur := must(c.UpdateRoute(ctx, &apigw.UpdateRouteInput{ApiId: id, RouteId: r.RouteId, RouteKey: aws.String("GET /b")})).ok(t)
	if *ur.RouteKey != "GET /b" || *ur.Target != "integrations/"+*integ.IntegrationId {
		t.Fatalf("%+v", ur)
	}
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: id, StageName: aws.String("prod"), Tags: map[string]string{"a": "1"}})).ok(t)
	d := must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{ApiId: id, StageName: aws.String("prod"), Description: aws.String("first")})).ok(t)
	_, err = c.DeleteDeployment(ctx, &apigw.DeleteDeploymentInput{ApiId: id, DeploymentId: d.DeploymentId})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "BadRequestException" {
		t.Fatalf("delete a stage's deployment: %v", err)
	}
	ud := must(c.UpdateDeployment(ctx, &apigw.UpdateDeploymentInput{ApiId: id, DeploymentId: d.DeploymentId, Description: aws.String("second")})).ok(t)
	if *ud.Description != "second" {
		t.Fatalf("%+v", ud)
	}
	if got := must(c.GetStage(ctx, &apigw.GetStageInput{ApiId: id, StageName: aws.String("prod")})).ok(t); *got.DeploymentId != *d.DeploymentId || got.Tags["a"] != "1" {
		t.Fatalf("%+v", got)
	}

	// tags on APIs and stages
	arn := "arn:aws:apigateway:us-east-1::/apis/" + *id
	must(c.TagResource(ctx, &apigw.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "x", "env": "dev"}})).ok(t)
	must(c.UntagResource(ctx, &apigw.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}})).ok(t)
	if tags := must(c.GetTags(ctx, &apigw.GetTagsInput{ResourceArn: aws.String(arn)})).ok(t).Tags; len(tags) != 1 || tags["team"] != "x" {
		t.Fatalf("%v", tags)
	}
	if tags := must(c.GetTags(ctx, &apigw.GetTagsInput{ResourceArn: aws.String(arn + "/stages/prod")})).ok(t).Tags; tags["a"] != "1" {
		t.Fatalf("stage tags %v", tags)
	}
	_, err = c.GetTags(ctx, &apigw.GetTagsInput{ResourceArn: aws.String("arn:aws:apigateway:us-east-1::/apis/nope")})
	wantErr[*types.NotFoundException](t, err, 404, "")

	// deletes
	must(c.DeleteRoute(ctx, &apigw.DeleteRouteInput{ApiId: id, RouteId: r.RouteId})).ok(t)
	must(c.DeleteIntegration(ctx, &apigw.DeleteIntegrationInput{ApiId: id, IntegrationId: integ.IntegrationId})).ok(t)
	must(c.DeleteStage(ctx, &apigw.DeleteStageInput{ApiId: id, StageName: aws.String("prod")})).ok(t)
	must(c.DeleteDeployment(ctx, &apigw.DeleteDeploymentInput{ApiId: id, DeploymentId: d.DeploymentId})).ok(t)
	must(c.DeleteApi(ctx, &apigw.DeleteApiInput{ApiId: id})).ok(t)
	_, err = c.GetApi(ctx, &apigw.GetApiInput{ApiId: id})
	wantErr[*types.NotFoundException](t, err, 404, "")
}

func TestHTTPAPICorsPayload1ProxyAndTimeouts(t *testing.T) {
	st := startStandalone(t, func(req cloud.InvokeRequest) (cloud.InvokeResult, error) {
		if strings.HasSuffix(req.Function, ":slow") {
			time.Sleep(300 * time.Millisecond)
		}
		if strings.HasSuffix(req.Function, ":bad") {
			return cloud.InvokeResult{Payload: []byte(`{"statusCode": 200, "body": {"not": "a string"}}`)}, nil
		}
		b, _ := json.Marshal(map[string]any{"statusCode": 201, "headers": map[string]string{"Access-Control-Allow-Origin": "https://evil.example"}, "body": string(req.Payload)})
		return cloud.InvokeResult{Payload: b}, nil
	})
	st.v2.SetIntegrationTimeout(100 * time.Millisecond)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", r.Method+" "+r.URL.RequestURI())
		w.WriteHeader(207)
		w.Write([]byte("from backend"))
	}))
	t.Cleanup(backend.Close)
	c := st.client
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("cors"), ProtocolType: types.ProtocolTypeHttp,
		CorsConfiguration: &types.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "POST"},
			AllowHeaders: []string{"content-type", "x-token"}, MaxAge: aws.Int32(600), AllowCredentials: aws.Bool(true), ExposeHeaders: []string{"x-id"}}})).ok(t)
	id := api.ApiId
	integ := func(in *apigw.CreateIntegrationInput) *string {
		in.ApiId = id
		return aws.String("integrations/" + *must(c.CreateIntegration(ctx, in)).ok(t).IntegrationId)
	}
	v1 := integ(&apigw.CreateIntegrationInput{IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaURI("app")), PayloadFormatVersion: aws.String("1.0")})
	slow := integ(&apigw.CreateIntegrationInput{IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaURI("slow")), PayloadFormatVersion: aws.String("2.0")})
	bad := integ(&apigw.CreateIntegrationInput{IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(lambdaURI("bad")), PayloadFormatVersion: aws.String("2.0")})
	proxy := integ(&apigw.CreateIntegrationInput{IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: aws.String(backend.URL + "/up/{proxy}"), IntegrationMethod: aws.String("ANY")})
	offbox := integ(&apigw.CreateIntegrationInput{IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: aws.String("http://192.0.2.1/x"), IntegrationMethod: aws.String("GET")})
	for key, target := range map[string]*string{"GET /v1/{id}": v1, "GET /slow": slow, "GET /bad": bad, "ANY /proxy/{proxy+}": proxy, "GET /offbox": offbox} {
		must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String(key), Target: target})).ok(t)
	}
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: id, StageName: aws.String("dev"), AutoDeploy: aws.Bool(true), StageVariables: map[string]string{"v": "1"}})).ok(t)
	base := st.url + "/_aws/execute-api/" + *id + "/dev"

	// preflight answered by API Gateway, no OPTIONS route needed
	req := newReq(t, "OPTIONS", base+"/anything", "")
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	status, h, _ := do(t, req)
	if status != 204 || h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Allow-Methods") != "GET,POST" ||
		h.Get("Access-Control-Allow-Headers") != "content-type,x-token" || h.Get("Access-Control-Max-Age") != "600" || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("preflight: %d %v", status, h)
	}
	req.Header.Set("Origin", "https://evil.example")
	if status, h, _ := do(t, req); status != 204 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign preflight: %d %v", status, h)
	}
	// payload 1.0, with the API's CORS headers replacing the function's
	req = newReq(t, "GET", base+"/v1/7?q=a&q=b", "")
	req.Header.Set("Origin", "https://app.example")
	status, h, body := do(t, req)
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal([]byte(body), &ev); status != 201 || err != nil {
		t.Fatalf("1.0: %d %s", status, body)
	}
	var version struct {
		Version string `json:"version"`
	}
	json.Unmarshal([]byte(body), &version)
	if version.Version != "1.0" || ev.Resource != "/v1/{id}" || ev.Path != "/dev/v1/7" || ev.HTTPMethod != "GET" || ev.PathParameters["id"] != "7" ||
		ev.QueryStringParameters["q"] != "b" || len(ev.MultiValueQueryStringParameters["q"]) != 2 || ev.StageVariables["v"] != "1" ||
		ev.RequestContext.Stage != "dev" || ev.RequestContext.APIID != *id || ev.RequestContext.Identity.SourceIP != "127.0.0.1" {
		t.Fatalf("1.0 event: %s", body)
	}
	if h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Expose-Headers") != "x-id" {
		t.Fatalf("cors on answer: %v", h)
	}
	// HTTP_PROXY to a loopback URL, greedy parameter substituted, query kept
	status, h, body = do(t, newReq(t, "POST", base+"/proxy/a/b?z=1", "payload"))
	if status != 207 || body != "from backend" || h.Get("X-Backend") != "POST /up/a/b?z=1" {
		t.Fatalf("proxy: %d %v %s", status, h, body)
	}
	// off-machine integrations are refused
	if status, _, body := do(t, newReq(t, "GET", base+"/offbox", "")); status != 500 || body != `{"message":"Internal Server Error"}` {
		t.Fatalf("offbox: %d %s", status, body)
	}
	// integration timeout, malformed answer
	if status, _, body := do(t, newReq(t, "GET", base+"/slow", "")); status != 503 || body != `{"message":"Service Unavailable"}` {
		t.Fatalf("timeout: %d %s", status, body)
	}
	if status, _, body := do(t, newReq(t, "GET", base+"/bad", "")); status != 500 || body != `{"message":"Internal Server Error"}` {
		t.Fatalf("malformed: %d %s", status, body)
	}
	// no route
	if status, _, body := do(t, newReq(t, "DELETE", base+"/v1/7", "")); status != 404 || body != `{"message":"Not Found"}` {
		t.Fatalf("no route: %d %s", status, body)
	}
}

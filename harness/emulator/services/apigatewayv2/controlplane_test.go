package apigatewayv2_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2"
)

var ctx = context.Background()

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

// wantErr asserts err is the SDK's typed error T with status and message
// (when not empty).
func wantErr[T smithy.APIError](t *testing.T, err error, status int, msg string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("want %T, got %v", target, err)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("%s: want status %d, got %d", target.ErrorCode(), status, re.HTTPStatusCode())
	}
	if msg != "" && target.ErrorMessage() != msg {
		t.Fatalf("%s: want message %q, got %q", target.ErrorCode(), msg, target.ErrorMessage())
	}
}

func lambdaURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations"
}

func v2service(t *testing.T, e *emulator.Emulator) *apigatewayv2.Service {
	t.Helper()
	for _, s := range e.Services() {
		if v2, ok := s.(*apigatewayv2.Service); ok {
			return v2
		}
	}
	t.Fatal("apigatewayv2 is not registered")
	return nil
}

func TestWebSocketControlPlaneAndLookup(t *testing.T) {
	e, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)

	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("chat"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action"), Tags: map[string]string{"team": "a"}})).ok(t)
	if !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(*api.ApiId) || *api.RouteSelectionExpression != "$request.body.action" ||
		*api.ApiKeySelectionExpression != "$request.header.x-api-key" || api.ProtocolType != types.ProtocolTypeWebsocket ||
		!regexp.MustCompile(`^ws://[a-z0-9]{10}\.execute-api\.localhost\.localstack\.cloud:\d+$`).MatchString(*api.ApiEndpoint) ||
		api.Tags["team"] != "a" || api.CreatedDate == nil {
		t.Fatalf("%+v", api)
	}
	id := api.ApiId
	integ := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(lambdaURI("connect")), TimeoutInMillis: aws.Int32(5000)})).ok(t)
	if *integ.IntegrationMethod != "POST" || *integ.PayloadFormatVersion != "1.0" || *integ.TimeoutInMillis != 5000 {
		t.Fatalf("%+v", integ)
	}
	mock := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode":200}`}, TemplateSelectionExpression: aws.String(`\$default`)})).ok(t)
	if *mock.IntegrationResponseSelectionExpression != "${integration.response.statuscode}" {
		t.Fatalf("%+v", mock)
	}
	ir := must(c.CreateIntegrationResponse(ctx, &apigw.CreateIntegrationResponseInput{ApiId: id, IntegrationId: mock.IntegrationId,
		IntegrationResponseKey: aws.String("$default"), ResponseTemplates: map[string]string{"$default": `{"ok":true}`}})).ok(t)

	authz := must(c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: id, AuthorizerType: types.AuthorizerTypeRequest,
		Name: aws.String("tok"), AuthorizerUri: aws.String(lambdaURI("auth")), IdentitySource: []string{"route.request.querystring.token"}})).ok(t)
	connect := must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("$connect"),
		Target: aws.String("integrations/" + *integ.IntegrationId), AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: authz.AuthorizerId})).ok(t)
	echo := must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("echo"),
		Target: aws.String("integrations/" + *mock.IntegrationId), RouteResponseSelectionExpression: aws.String("$default")})).ok(t)
	must(c.CreateRouteResponse(ctx, &apigw.CreateRouteResponseInput{ApiId: id, RouteId: echo.RouteId, RouteResponseKey: aws.String("$default")})).ok(t)

	// errors at create time
	_, err := c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("$connect")})
	wantErr[*types.ConflictException](t, err, 409, "")
	_, err = c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("$bogus")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("x"), Target: aws.String("integrations/nope")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("x"), ProtocolType: types.ProtocolTypeWebsocket, RouteSelectionExpression: aws.String("request.body.action")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("x"), ProtocolType: types.ProtocolTypeWebsocket})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.GetApi(ctx, &apigw.GetApiInput{ApiId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid API identifier specified 000000000000:nope")
	_, err = c.GetRoute(ctx, &apigw.GetRouteInput{ApiId: id, RouteId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid Route identifier specified nope")

	svc := v2service(t, e)
	if _, ok := svc.Store().Lookup(*id, "prod"); ok {
		t.Fatal("a stage that does not exist was found")
	}
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: id, StageName: aws.String("prod"), StageVariables: map[string]string{"env": "p"}})).ok(t)
	d, ok := svc.Store().Lookup(*id, "prod")
	if !ok || d.Snapshot != nil || d.Variables["env"] != "p" {
		t.Fatalf("undeployed stage: %+v %v", d, ok)
	}
	dep := must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{ApiId: id, StageName: aws.String("prod")})).ok(t)
	if dep.DeploymentStatus != types.DeploymentStatusDeployed {
		t.Fatalf("%+v", dep)
	}
	d, _ = svc.Store().Lookup(*id, "prod")
	if d.Snapshot == nil || d.ProtocolType != "WEBSOCKET" || d.RouteSelection.Body() != "action" || d.APIKeySelectionExpression != "$request.header.x-api-key" {
		t.Fatalf("%+v", d)
	}
	cr := d.Routes["$connect"]
	if cr == nil || cr.ID != *connect.RouteId || cr.Integration == nil || cr.Integration.URI != lambdaURI("connect") ||
		cr.Integration.TimeoutInMillis != 5000 || cr.Authorizer == nil || cr.Authorizer.IdentitySource[0] != "route.request.querystring.token" {
		t.Fatalf("$connect: %+v", cr)
	}
	er := d.Routes["echo"]
	if er == nil || er.RouteResponseSelectionExpression != "$default" || er.Responses["$default"] == nil ||
		er.Integration.Type != "MOCK" || er.Integration.Responses["$default"].ID != *ir.IntegrationResponseId ||
		er.Integration.RequestTemplates["$default"] != `{"statusCode":200}` {
		t.Fatalf("echo: %+v", er)
	}
	// a later edit is not served until deployed again
	must(c.DeleteRoute(ctx, &apigw.DeleteRouteInput{ApiId: id, RouteId: echo.RouteId})).ok(t)
	if d, _ := svc.Store().Lookup(*id, "prod"); d.Routes["echo"] == nil {
		t.Fatal("an undeployed edit is served")
	}
	// stage variables apply at once
	must(c.UpdateStage(ctx, &apigw.UpdateStageInput{ApiId: id, StageName: aws.String("prod"), StageVariables: map[string]string{"env": "q"}})).ok(t)
	if d, _ := svc.Store().Lookup(*id, "prod"); d.Variables["env"] != "q" {
		t.Fatalf("%+v", d.Variables)
	}
	// auto-deploy stages follow every edit
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: id, StageName: aws.String("dev"), AutoDeploy: aws.Bool(true)})).ok(t)
	must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("$default"), Target: aws.String("integrations/" + *mock.IntegrationId)})).ok(t)
	if d, _ := svc.Store().Lookup(*id, "dev"); d.Snapshot == nil || d.Routes["$default"] == nil || d.Routes["echo"] != nil {
		t.Fatalf("auto-deploy: %+v", d)
	}
	_ = http.StatusOK
}

func TestResponsesAndAuthorizersCRUD(t *testing.T) {
	e, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("crud"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("${request.body.action}")})).ok(t)
	id := api.ApiId
	integ := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeMock})).ok(t)
	route := must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("ping"), Target: aws.String("integrations/" + *integ.IntegrationId)})).ok(t)

	rr := must(c.CreateRouteResponse(ctx, &apigw.CreateRouteResponseInput{ApiId: id, RouteId: route.RouteId, RouteResponseKey: aws.String("$default")})).ok(t)
	_, err := c.CreateRouteResponse(ctx, &apigw.CreateRouteResponseInput{ApiId: id, RouteId: route.RouteId, RouteResponseKey: aws.String("$default")})
	wantErr[*types.ConflictException](t, err, 409, "")
	_, err = c.CreateRouteResponse(ctx, &apigw.CreateRouteResponseInput{ApiId: id, RouteId: route.RouteId, RouteResponseKey: aws.String("other")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	got := must(c.GetRouteResponse(ctx, &apigw.GetRouteResponseInput{ApiId: id, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId})).ok(t)
	if *got.RouteResponseKey != "$default" {
		t.Fatalf("%+v", got)
	}
	up := must(c.UpdateRouteResponse(ctx, &apigw.UpdateRouteResponseInput{ApiId: id, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId,
		ModelSelectionExpression: aws.String("$request.body.kind")})).ok(t)
	if *up.ModelSelectionExpression != "$request.body.kind" {
		t.Fatalf("%+v", up)
	}
	if l := must(c.GetRouteResponses(ctx, &apigw.GetRouteResponsesInput{ApiId: id, RouteId: route.RouteId})).ok(t); len(l.Items) != 1 {
		t.Fatalf("%+v", l.Items)
	}
	must(c.DeleteRouteResponse(ctx, &apigw.DeleteRouteResponseInput{ApiId: id, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId})).ok(t)
	_, err = c.GetRouteResponse(ctx, &apigw.GetRouteResponseInput{ApiId: id, RouteId: route.RouteId, RouteResponseId: rr.RouteResponseId})
	wantErr[*types.NotFoundException](t, err, 404, "Invalid RouteResponse identifier specified "+*rr.RouteResponseId)

	ir := must(c.CreateIntegrationResponse(ctx, &apigw.CreateIntegrationResponseInput{ApiId: id, IntegrationId: integ.IntegrationId,
		IntegrationResponseKey: aws.String("/2\\d\\d/"), ResponseTemplates: map[string]string{"$default": "ok"}})).ok(t)
	_, err = c.CreateIntegrationResponse(ctx, &apigw.CreateIntegrationResponseInput{ApiId: id, IntegrationId: integ.IntegrationId, IntegrationResponseKey: aws.String("200")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	uir := must(c.UpdateIntegrationResponse(ctx, &apigw.UpdateIntegrationResponseInput{ApiId: id, IntegrationId: integ.IntegrationId,
		IntegrationResponseId: ir.IntegrationResponseId, IntegrationResponseKey: aws.String("$default")})).ok(t)
	if *uir.IntegrationResponseKey != "$default" || uir.ResponseTemplates["$default"] != "ok" {
		t.Fatalf("%+v", uir)
	}
	if l := must(c.GetIntegrationResponses(ctx, &apigw.GetIntegrationResponsesInput{ApiId: id, IntegrationId: integ.IntegrationId})).ok(t); len(l.Items) != 1 {
		t.Fatalf("%+v", l.Items)
	}
	must(c.DeleteIntegrationResponse(ctx, &apigw.DeleteIntegrationResponseInput{ApiId: id, IntegrationId: integ.IntegrationId, IntegrationResponseId: ir.IntegrationResponseId})).ok(t)
	_, err = c.GetIntegrationResponse(ctx, &apigw.GetIntegrationResponseInput{ApiId: id, IntegrationId: integ.IntegrationId, IntegrationResponseId: ir.IntegrationResponseId})
	wantErr[*types.NotFoundException](t, err, 404, "")

	z := must(c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: id, AuthorizerType: types.AuthorizerTypeRequest, Name: aws.String("a"),
		AuthorizerUri: aws.String(lambdaURI("auth")), IdentitySource: []string{"route.request.header.Auth"}})).ok(t)
	_, err = c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: id, AuthorizerType: types.AuthorizerTypeRequest, Name: aws.String("a"),
		AuthorizerUri: aws.String(lambdaURI("auth")), IdentitySource: []string{"route.request.header.Auth"}})
	wantErr[*types.ConflictException](t, err, 409, "")
	_, err = c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: id, AuthorizerType: types.AuthorizerTypeRequest, Name: aws.String("b"),
		AuthorizerUri: aws.String("not-a-lambda"), IdentitySource: []string{"route.request.header.Auth"}})
	wantErr[*types.BadRequestException](t, err, 400, "")
	_, err = c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: id, AuthorizerType: types.AuthorizerTypeRequest, Name: aws.String("c"),
		AuthorizerUri: aws.String(lambdaURI("auth")), IdentitySource: []string{"$request.header.Auth"}})
	wantErr[*types.BadRequestException](t, err, 400, "")
	// IdentitySource is required (an empty list may stand for none), before
	// the API is looked up.
	for _, api := range []*string{id, aws.String("nowhere")} {
		body := strings.NewReader(`{"authorizerType":"REQUEST","name":"d","authorizerUri":"` + lambdaURI("auth") + `"}`)
		req, _ := http.NewRequest(http.MethodPost, e.URL()+"/v2/apis/"+*api+"/authorizers", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+emutest.AccessKey+"/20260301/us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		status, out := resp.StatusCode, string(b)
		if status != 400 || !strings.Contains(out, "IdentitySource is required") {
			t.Fatalf("without IdentitySource (api %s): %d %s", *api, status, out)
		}
	}
	// authorizers go on $connect only for WebSocket APIs
	_, err = c.UpdateRoute(ctx, &apigw.UpdateRouteInput{ApiId: id, RouteId: route.RouteId, AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: z.AuthorizerId})
	wantErr[*types.BadRequestException](t, err, 400, "")
	uz := must(c.UpdateAuthorizer(ctx, &apigw.UpdateAuthorizerInput{ApiId: id, AuthorizerId: z.AuthorizerId, AuthorizerResultTtlInSeconds: aws.Int32(60)})).ok(t)
	if *uz.AuthorizerResultTtlInSeconds != 60 || *uz.Name != "a" {
		t.Fatalf("%+v", uz)
	}
	if l := must(c.GetAuthorizers(ctx, &apigw.GetAuthorizersInput{ApiId: id})).ok(t); len(l.Items) != 1 {
		t.Fatalf("%+v", l.Items)
	}
	must(c.DeleteAuthorizer(ctx, &apigw.DeleteAuthorizerInput{ApiId: id, AuthorizerId: z.AuthorizerId})).ok(t)
	_, err = c.GetAuthorizer(ctx, &apigw.GetAuthorizerInput{ApiId: id, AuthorizerId: z.AuthorizerId})
	wantErr[*types.NotFoundException](t, err, 404, "")

	// a stage turning auto-deploy on is deployed at once
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: id, StageName: aws.String("s")})).ok(t)
	st := must(c.UpdateStage(ctx, &apigw.UpdateStageInput{ApiId: id, StageName: aws.String("s"), AutoDeploy: aws.Bool(true)})).ok(t)
	if st.DeploymentId == nil || !*st.AutoDeploy {
		t.Fatalf("%+v", st)
	}
	if l := must(c.GetDeployments(ctx, &apigw.GetDeploymentsInput{ApiId: id})).ok(t); len(l.Items) != 1 || !*l.Items[0].AutoDeployed {
		t.Fatalf("%+v", l.Items)
	}
	_, err = c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{ApiId: id, StageName: aws.String("s")})
	wantErr[*types.BadRequestException](t, err, 400, "")
	if l := must(c.GetStages(ctx, &apigw.GetStagesInput{ApiId: id})).ok(t); len(l.Items) != 1 {
		t.Fatalf("%+v", l.Items)
	}
}

package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// seedHTTPAPIs builds API Gateway v2 state through the SDK: an HTTP API
// with a proxy route to backend, a JWT authorizer, a model, a stage with
// variables and route settings on a deployment, a route added after it; a
// WebSocket API with a route response and an integration response; a
// domain name with an API mapping, and a VPC link. It returns the HTTP
// API's id.
func seedHTTPAPIs(t *testing.T, cfg aws.Config, backend string) string {
	t.Helper()
	ctx := context.Background()
	c := apigatewayv2.NewFromConfig(cfg)
	api := must(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("shop"), ProtocolType: v2types.ProtocolTypeHttp,
		CorsConfiguration: &v2types.Cors{AllowOrigins: []string{"https://example.com"}}, Tags: map[string]string{"team": "web"}}))
	id := api.ApiId
	in := must(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: id, IntegrationType: v2types.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("GET"), IntegrationUri: aws.String(backend + "/{proxy}"), PayloadFormatVersion: aws.String("1.0")}))
	must(c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: id, Name: aws.String("jwt"), AuthorizerType: v2types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &v2types.JWTConfiguration{Issuer: aws.String("https://issuer.example.com"), Audience: []string{"shop"}}}))
	must(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /items/{proxy+}"), Target: aws.String("integrations/" + *in.IntegrationId)}))
	dep := must(c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: id, Description: aws.String("first")}))
	must(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("prod"), DeploymentId: dep.DeploymentId,
		StageVariables: map[string]string{"v": "1"}, DefaultRouteSettings: &v2types.RouteSettings{ThrottlingBurstLimit: aws.Int32(5)}}))
	must(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /later"), Target: aws.String("integrations/" + *in.IntegrationId)}))

	ws := must(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: v2types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")}))
	mock := must(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: ws.ApiId, IntegrationType: v2types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"$default": `{"statusCode":200}`}, TemplateSelectionExpression: aws.String("\\$default")}))
	must(c.CreateIntegrationResponse(ctx, &apigatewayv2.CreateIntegrationResponseInput{ApiId: ws.ApiId, IntegrationId: mock.IntegrationId,
		IntegrationResponseKey: aws.String("$default")}))
	route := must(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: ws.ApiId, RouteKey: aws.String("ping"), Target: aws.String("integrations/" + *mock.IntegrationId),
		RouteResponseSelectionExpression: aws.String("$default")}))
	must(c.CreateRouteResponse(ctx, &apigatewayv2.CreateRouteResponseInput{ApiId: ws.ApiId, RouteId: route.RouteId, RouteResponseKey: aws.String("$default")}))
	must(c.CreateModel(ctx, &apigatewayv2.CreateModelInput{ApiId: ws.ApiId, Name: aws.String("Ping"), Schema: aws.String(`{"type":"object"}`)}))
	must(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: ws.ApiId, StageName: aws.String("live"), AutoDeploy: aws.Bool(true)}))

	must(c.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
		DomainNameConfigurations: []v2types.DomainNameConfiguration{{CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/c"), EndpointType: v2types.EndpointTypeRegional}}}))
	must(c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"), ApiId: id, Stage: aws.String("prod"), ApiMappingKey: aws.String("shop")}))
	must(c.CreateVpcLink(ctx, &apigatewayv2.CreateVpcLinkInput{Name: aws.String("link"), SubnetIds: []string{"subnet-1"}}))
	return *id
}

// observeHTTPAPIs reads what a client sees of API Gateway v2.
func observeHTTPAPIs(t *testing.T, cfg aws.Config, host string) string {
	t.Helper()
	ctx := context.Background()
	c := apigatewayv2.NewFromConfig(cfg)
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.ReplaceAll(what+" "+string(b), host, "HOST")
		out = append(out, strings.ReplaceAll(line, host[strings.LastIndexByte(host, ':'):], ":PORT"))
	}
	apis := must(c.GetApis(ctx, &apigatewayv2.GetApisInput{})).Items
	add("apis", apis)
	for _, a := range apis {
		id := a.ApiId
		routes := must(c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: id})).Items
		add("routes", routes)
		for _, r := range routes {
			add("route responses", must(c.GetRouteResponses(ctx, &apigatewayv2.GetRouteResponsesInput{ApiId: id, RouteId: r.RouteId})).Items)
		}
		ins := must(c.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: id})).Items
		add("integrations", ins)
		for _, in := range ins {
			add("integration responses", must(c.GetIntegrationResponses(ctx, &apigatewayv2.GetIntegrationResponsesInput{ApiId: id, IntegrationId: in.IntegrationId})).Items)
		}
		add("authorizers", must(c.GetAuthorizers(ctx, &apigatewayv2.GetAuthorizersInput{ApiId: id})).Items)
		add("models", must(c.GetModels(ctx, &apigatewayv2.GetModelsInput{ApiId: id})).Items)
		add("stages", must(c.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: id})).Items)
		add("deployments", must(c.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: id})).Items)
	}
	domains := must(c.GetDomainNames(ctx, &apigatewayv2.GetDomainNamesInput{})).Items
	add("domains", domains)
	for _, d := range domains {
		add("mappings", must(c.GetApiMappings(ctx, &apigatewayv2.GetApiMappingsInput{DomainName: d.DomainName})).Items)
	}
	add("vpc links", must(c.GetVpcLinks(ctx, &apigatewayv2.GetVpcLinksInput{})).Items)
	return strings.Join(out, "\n")
}

// HTTP and WebSocket APIs built through the SDK, saved and loaded into a
// second emulator, read the same through the SDK, and the stage serves the
// routes its deployment froze at the same invoke URL.
func TestSnapshotHTTPAPIRoundTrip(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "backend saw "+r.URL.Path)
	}))
	defer backend.Close()
	a, acfg := emutest.Start(t)
	id := seedHTTPAPIs(t, acfg, backend.URL)
	file := saveSnapshot(t, a.URL())
	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	before, after := observeHTTPAPIs(t, acfg, a.URL()[len("http://"):]), observeHTTPAPIs(t, bcfg, b.URL()[len("http://"):])
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	for _, want := range []string{`"RouteKey":"GET /later"`, `"Issuer":"https://issuer.example.com"`, `"ApiMappingKey":"shop"`, `"RouteResponseKey":"$default"`, `"v":"1"`} {
		if !strings.Contains(after, want) {
			t.Errorf("the loaded state lacks %s:\n%s", want, after)
		}
	}
	for _, path := range []string{"/prod/items/a/b", "/prod/later"} {
		ga, gb := get(t, a.URL()+"/_aws/execute-api/"+id+path), get(t, b.URL()+"/_aws/execute-api/"+id+path)
		if ga != gb {
			t.Errorf("GET %s: %q before, %q after the load", path, ga, gb)
		}
	}
	if got := get(t, b.URL()+"/_aws/execute-api/"+id+"/prod/items/a/b"); !strings.HasPrefix(got, "200 ") || !strings.Contains(got, "backend saw /a/b") {
		t.Errorf("the deployed route after the load: %s", got)
	}
}

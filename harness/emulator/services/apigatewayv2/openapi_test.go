package apigatewayv2_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"gopkg.in/yaml.v3"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// An OpenAPI 3 document as users write them for HTTP APIs (YAML, the
// x-amazon-apigateway-integration extension on each operation).
const shopOpenAPI = `openapi: "3.0.1"
info:
  title: shop
  version: "2024-01-01"
paths:
  /items/{id}:
    parameters:
      - name: id
        in: path
        required: true
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: arn:aws:lambda:us-east-1:000000000000:function:items
        payloadFormatVersion: "2.0"
    delete:
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: arn:aws:lambda:us-east-1:000000000000:function:items
        payloadFormatVersion: "2.0"
  /health:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://127.0.0.1:9/health
        timeoutInMillis: 5000
  /$default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: arn:aws:lambda:us-east-1:000000000000:function:fallback
        payloadFormatVersion: "2.0"
x-amazon-apigateway-cors:
  allowOrigins: ["https://shop.example"]
`

func TestImportExportReimport(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)

	api := must(c.ImportApi(ctx, &apigw.ImportApiInput{Body: aws.String(shopOpenAPI)})).ok(t)
	if *api.Name != "shop" || *api.Version != "2024-01-01" || api.ProtocolType != types.ProtocolTypeHttp ||
		api.CorsConfiguration == nil || api.CorsConfiguration.AllowOrigins[0] != "https://shop.example" || len(api.Warnings) != 0 {
		t.Fatalf("%+v", api)
	}
	routes := must(c.GetRoutes(ctx, &apigw.GetRoutesInput{ApiId: api.ApiId})).ok(t).Items
	keys := map[string]string{}
	for _, r := range routes {
		keys[*r.RouteKey] = aws.ToString(r.Target)
	}
	if len(keys) != 4 || keys["GET /items/{id}"] == "" || keys["GET /items/{id}"] != keys["DELETE /items/{id}"] ||
		keys["ANY /health"] == "" || keys["$default"] == "" {
		t.Fatalf("routes %v", keys)
	}
	integs := must(c.GetIntegrations(ctx, &apigw.GetIntegrationsInput{ApiId: api.ApiId})).ok(t).Items
	if len(integs) != 3 {
		t.Fatalf("%d integrations, want 3 (one shared by two routes)", len(integs))
	}
	for _, in := range integs {
		if in.IntegrationType == types.IntegrationTypeHttpProxy && (*in.IntegrationMethod != "GET" || *in.TimeoutInMillis != 5000) {
			t.Fatalf("%+v", in)
		}
	}

	// export, as JSON and YAML: the same routes and integrations
	for _, out := range []string{"JSON", "YAML"} {
		exp := must(c.ExportApi(ctx, &apigw.ExportApiInput{ApiId: api.ApiId, Specification: aws.String("OAS30"), OutputType: aws.String(out)})).ok(t)
		var doc struct {
			OpenAPI string                               `yaml:"openapi"`
			Info    struct{ Title string }               `yaml:"info"`
			Paths   map[string]map[string]map[string]any `yaml:"paths"`
		}
		if err := yaml.Unmarshal(exp.Body, &doc); err != nil {
			t.Fatalf("%s: %v\n%s", out, err, exp.Body)
		}
		if out == "JSON" && !json.Valid(exp.Body) {
			t.Fatalf("not JSON: %s", exp.Body)
		}
		integ, _ := doc.Paths["/items/{id}"]["get"]["x-amazon-apigateway-integration"].(map[string]any)
		if doc.OpenAPI != "3.0.1" || doc.Info.Title != "shop" || integ["type"] != "aws_proxy" ||
			doc.Paths["/$default"]["x-amazon-apigateway-any-method"] == nil || doc.Paths["/health"]["x-amazon-apigateway-any-method"] == nil {
			t.Fatalf("%s export:\n%s", out, exp.Body)
		}
	}

	// reimport replaces the definition
	small := `{"openapi":"3.0.1","info":{"title":"shop2"},"paths":{"/ping":{"get":{}}}}`
	re := must(c.ReimportApi(ctx, &apigw.ReimportApiInput{ApiId: api.ApiId, Body: aws.String(small)})).ok(t)
	if *re.Name != "shop2" || *re.ApiId != *api.ApiId || len(re.Warnings) != 1 {
		t.Fatalf("%+v", re)
	}
	routes = must(c.GetRoutes(ctx, &apigw.GetRoutesInput{ApiId: api.ApiId})).ok(t).Items
	if len(routes) != 1 || *routes[0].RouteKey != "GET /ping" || routes[0].Target != nil {
		t.Fatalf("%+v", routes)
	}

	ws := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("chat"), ProtocolType: types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})).ok(t)
	bad := strings.Replace(shopOpenAPI, "function:items", "", -1) // no Lambda in the URI
	bad = strings.Replace(bad, "type: aws_proxy", "type: nonsense", 1)
	for _, tc := range []struct {
		name string
		err  error
		want func(t *testing.T, err error)
	}{
		{"not OpenAPI 3", second(c.ImportApi(ctx, &apigw.ImportApiInput{Body: aws.String(`{"swagger":"2.0","info":{"title":"x"}}`)})),
			func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
		{"neither JSON nor YAML", second(c.ImportApi(ctx, &apigw.ImportApiInput{Body: aws.String("{[")})),
			func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
		{"no title", second(c.ImportApi(ctx, &apigw.ImportApiInput{Body: aws.String(`openapi: 3.0.1`)})),
			func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
		{"bad integration", second(c.ImportApi(ctx, &apigw.ImportApiInput{Body: aws.String(bad)})),
			func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
		{"fail on warnings", second(c.ImportApi(ctx, &apigw.ImportApiInput{Body: aws.String(small), FailOnWarnings: aws.Bool(true)})),
			func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
		{"reimport a WebSocket API", second(c.ReimportApi(ctx, &apigw.ReimportApiInput{ApiId: ws.ApiId, Body: aws.String(small)})),
			func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
		{"reimport unknown API", second(c.ReimportApi(ctx, &apigw.ReimportApiInput{ApiId: aws.String("nope"), Body: aws.String(small)})),
			func(t *testing.T, err error) {
				wantErr[*types.NotFoundException](t, err, 404, "Invalid API identifier specified 000000000000:nope")
			}},
		{"export a WebSocket API", second(c.ExportApi(ctx, &apigw.ExportApiInput{ApiId: ws.ApiId, Specification: aws.String("OAS30"), OutputType: aws.String("JSON")})),
			func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
		{"export unknown stage", second(c.ExportApi(ctx, &apigw.ExportApiInput{ApiId: api.ApiId, Specification: aws.String("OAS30"), OutputType: aws.String("JSON"), StageName: aws.String("dev")})),
			func(t *testing.T, err error) { wantErr[*types.NotFoundException](t, err, 404, "") }},
		{"export bad output type", second(c.ExportApi(ctx, &apigw.ExportApiInput{ApiId: api.ApiId, Specification: aws.String("OAS30"), OutputType: aws.String("XML")})),
			func(t *testing.T, err error) { wantErr[*types.BadRequestException](t, err, 400, "") }},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.want(t, tc.err) })
	}
	// a failed import leaves no API behind; a failed reimport changes nothing
	if n := len(must(c.GetApis(ctx, &apigw.GetApisInput{})).ok(t).Items); n != 2 {
		t.Fatalf("%d APIs after failed imports, want 2", n)
	}
	_, err := c.ReimportApi(ctx, &apigw.ReimportApiInput{ApiId: api.ApiId, Body: aws.String(bad)})
	wantErr[*types.BadRequestException](t, err, 400, "")
	if got := must(c.GetApi(ctx, &apigw.GetApiInput{ApiId: api.ApiId})).ok(t); *got.Name != "shop2" {
		t.Fatalf("failed reimport changed the API: %+v", got)
	}
}

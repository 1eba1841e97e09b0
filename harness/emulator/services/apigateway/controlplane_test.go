package apigateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var ctx = context.Background()

// result lets a two-value SDK call be checked inline: must(c.Op(…)).ok(t).
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

// wantErr asserts err is the SDK's typed error T with the message msg (when
// not empty).
func wantErr[T smithy.APIError](t *testing.T, err error, msg string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("want %T, got %v", target, err)
	}
	if msg != "" && target.ErrorMessage() != msg {
		t.Fatalf("%s: want message %q, got %q", target.ErrorCode(), msg, target.ErrorMessage())
	}
}

func lambdaURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations"
}

func TestRestAPILifecycle(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)

	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("orders"), Description: aws.String("d"),
		BinaryMediaTypes: []string{"image/png"}, Tags: map[string]string{"team": "a"}})).ok(t)
	if !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(*api.Id) {
		t.Fatalf("api id %q", *api.Id)
	}
	if api.RootResourceId == nil || api.CreatedDate == nil || api.ApiKeySource != types.ApiKeySourceTypeHeader ||
		len(api.EndpointConfiguration.Types) != 1 || api.EndpointConfiguration.Types[0] != types.EndpointTypeEdge {
		t.Fatalf("api %+v", api)
	}
	res := must(c.GetResources(ctx, &apigw.GetResourcesInput{RestApiId: api.Id})).ok(t)
	if len(res.Items) != 1 || *res.Items[0].Path != "/" || *res.Items[0].Id != *api.RootResourceId || res.Items[0].ParentId != nil {
		t.Fatalf("root resources %+v", res.Items)
	}

	// listing with paging
	for _, n := range []string{"b", "c"} {
		must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String(n)})).ok(t)
	}
	var names []string
	p := apigw.NewGetRestApisPaginator(c, &apigw.GetRestApisInput{Limit: aws.Int32(2)})
	for i := 0; p.HasMorePages() && i < 5; i++ {
		for _, a := range must(p.NextPage(ctx)).ok(t).Items {
			names = append(names, *a.Name)
		}
	}
	if len(names) != 3 {
		t.Fatalf("listed %v", names)
	}

	got := must(c.GetRestApi(ctx, &apigw.GetRestApiInput{RestApiId: api.Id})).ok(t)
	if *got.Name != "orders" || got.Tags["team"] != "a" || got.BinaryMediaTypes[0] != "image/png" {
		t.Fatalf("get %+v", got)
	}
	upd := must(c.UpdateRestApi(ctx, &apigw.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("orders-v2")},
		{Op: types.OpAdd, Path: aws.String("/binaryMediaTypes/application~1octet-stream")},
		{Op: types.OpRemove, Path: aws.String("/binaryMediaTypes/image~1png")},
	}})).ok(t)
	if *upd.Name != "orders-v2" || len(upd.BinaryMediaTypes) != 1 || upd.BinaryMediaTypes[0] != "application/octet-stream" {
		t.Fatalf("update %+v", upd)
	}
	_, err := c.UpdateRestApi(ctx, &apigw.UpdateRestApiInput{RestApiId: api.Id, PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/nope")}}})
	wantErr[*types.BadRequestException](t, err, "")

	must(c.DeleteRestApi(ctx, &apigw.DeleteRestApiInput{RestApiId: api.Id})).ok(t)
	_, err = c.GetRestApi(ctx, &apigw.GetRestApiInput{RestApiId: api.Id})
	wantErr[*types.NotFoundException](t, err, "Invalid API identifier specified 000000000000:"+*api.Id)
	_, err = c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("x"), EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{"BOGUS"}}})
	wantErr[*types.BadRequestException](t, err, "")
}

func TestResourcesMethodsIntegrations(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("shop")})).ok(t)
	root := api.RootResourceId

	pets := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("pets")})).ok(t)
	if *pets.Path != "/pets" || *pets.ParentId != *root || *pets.PathPart != "pets" {
		t.Fatalf("pets %+v", pets)
	}
	id := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: pets.Id, PathPart: aws.String("{id}")})).ok(t)
	if *id.Path != "/pets/{id}" {
		t.Fatalf("id path %s", *id.Path)
	}
	proxy := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("{proxy+}")})).ok(t)

	_, err := c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("pets")})
	wantErr[*types.ConflictException](t, err, "Another resource with the same parent already has this name: pets")
	_, err = c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: aws.String("nope00"), PathPart: aws.String("x")})
	wantErr[*types.NotFoundException](t, err, "Invalid Resource identifier specified")
	_, err = c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: proxy.Id, PathPart: aws.String("x")})
	wantErr[*types.BadRequestException](t, err, "Cannot create a child of a resource with a greedy path variable: {proxy+}")
	_, err = c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: pets.Id, PathPart: aws.String("{other}")})
	wantErr[*types.BadRequestException](t, err, "A sibling ({id}) of this resource already has a variable path part -- only one is allowed")
	_, err = c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("bad part")})
	wantErr[*types.BadRequestException](t, err, "")
	_, err = c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: aws.String("nope"), ParentId: root, PathPart: aws.String("x")})
	wantErr[*types.NotFoundException](t, err, "Invalid API identifier specified 000000000000:nope")

	// methods: stored as given
	m := must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("AWS_IAM"), ApiKeyRequired: true, RequestParameters: map[string]bool{"method.request.path.id": true}})).ok(t)
	if *m.HttpMethod != "GET" || *m.AuthorizationType != "AWS_IAM" || !*m.ApiKeyRequired {
		t.Fatalf("method %+v", m)
	}
	// CUSTOM needs an authorizer of the API
	_, err = c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("CUSTOM"), AuthorizerId: aws.String("auth1")})
	wantErr[*types.BadRequestException](t, err, "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
	z := must(c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("auth1"), Type: types.AuthorizerTypeToken,
		AuthorizerUri: aws.String(lambdaURI("authz")), IdentitySource: aws.String("method.request.header.Authorization")})).ok(t)
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("CUSTOM"), AuthorizerId: z.Id})).ok(t)
	_, err = c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	wantErr[*types.ConflictException](t, err, "Method already exists for this resource")
	_, err = c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: aws.String("FETCH"), AuthorizationType: aws.String("NONE")})
	wantErr[*types.BadRequestException](t, err, "")
	_, err = c.GetMethod(ctx, &apigw.GetMethodInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: aws.String("POST")})
	wantErr[*types.NotFoundException](t, err, "Invalid Method identifier specified")

	// a deployment needs an integration on every method
	_, err = c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})
	wantErr[*types.BadRequestException](t, err, "No integration defined for method")

	// integrations
	_, err = c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeAwsProxy, Uri: aws.String(lambdaURI("fn"))})
	wantErr[*types.BadRequestException](t, err, "Enumeration value for HttpMethod must be non-empty")
	_, err = c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeAwsProxy,
		IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("arn:aws:s3:::bucket")})
	wantErr[*types.BadRequestException](t, err, "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
	integ := must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(lambdaURI("fn"))})).ok(t)
	if integ.Type != types.IntegrationTypeAwsProxy || *integ.HttpMethod != "POST" || *integ.Uri != lambdaURI("fn") || integ.TimeoutInMillis != 29000 || *integ.PassthroughBehavior != "WHEN_NO_MATCH" {
		t.Fatalf("integration %+v", integ)
	}
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})).ok(t)
	_, err = c.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"), StatusCode: aws.String("200")})
	wantErr[*types.NotFoundException](t, err, "Invalid Response status code specified")
	must(c.PutMethodResponse(ctx, &apigw.PutMethodResponseInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"), StatusCode: aws.String("200"),
		ResponseParameters: map[string]bool{"method.response.header.X-Mock": false}})).ok(t)
	ir := must(c.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"), StatusCode: aws.String("200"),
		ResponseParameters: map[string]string{"method.response.header.X-Mock": "'yes'"}, ResponseTemplates: map[string]string{"application/json": `{"mock":true}`}})).ok(t)
	if *ir.StatusCode != "200" || ir.ResponseParameters["method.response.header.X-Mock"] != "'yes'" {
		t.Fatalf("integration response %+v", ir)
	}

	// embedded views
	full := must(c.GetResources(ctx, &apigw.GetResourcesInput{RestApiId: api.Id, Embed: []string{"methods"}})).ok(t)
	var proxyView types.Resource
	for _, r := range full.Items {
		if *r.Path == "/{proxy+}" {
			proxyView = r
		}
	}
	pm := proxyView.ResourceMethods["ANY"]
	if pm.MethodIntegration == nil || pm.MethodIntegration.Type != types.IntegrationTypeMock || pm.MethodResponses["200"].StatusCode == nil ||
		pm.MethodIntegration.IntegrationResponses["200"].ResponseTemplates["application/json"] != `{"mock":true}` || *pm.AuthorizerId != *z.Id {
		t.Fatalf("embedded method %+v", pm)
	}
	paths := []string{}
	p := apigw.NewGetResourcesPaginator(c, &apigw.GetResourcesInput{RestApiId: api.Id, Limit: aws.Int32(2)})
	for i := 0; p.HasMorePages() && i < 5; i++ {
		for _, r := range must(p.NextPage(ctx)).ok(t).Items {
			paths = append(paths, *r.Path)
		}
	}
	if strings.Join(paths, " ") != "/ /pets /pets/{id} /{proxy+}" {
		t.Fatalf("paths %v", paths)
	}

	// deployments and stages
	dep := must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod"), Variables: map[string]string{"v": "1"}, Description: aws.String("first")})).ok(t)
	st := must(c.GetStage(ctx, &apigw.GetStageInput{RestApiId: api.Id, StageName: aws.String("prod")})).ok(t)
	if *st.DeploymentId != *dep.Id || st.Variables["v"] != "1" {
		t.Fatalf("stage %+v", st)
	}
	deps := must(c.GetDeployments(ctx, &apigw.GetDeploymentsInput{RestApiId: api.Id})).ok(t)
	if len(deps.Items) != 1 || *deps.Items[0].Description != "first" {
		t.Fatalf("deployments %+v", deps.Items)
	}
	must(c.CreateStage(ctx, &apigw.CreateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), DeploymentId: dep.Id})).ok(t)
	_, err = c.CreateStage(ctx, &apigw.CreateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), DeploymentId: dep.Id})
	wantErr[*types.ConflictException](t, err, "Stage already exists")
	_, err = c.CreateStage(ctx, &apigw.CreateStageInput{RestApiId: api.Id, StageName: aws.String("qa"), DeploymentId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, "")
	stages := must(c.GetStages(ctx, &apigw.GetStagesInput{RestApiId: api.Id})).ok(t)
	if len(stages.Item) != 2 || *stages.Item[0].StageName != "dev" {
		t.Fatalf("stages %+v", stages.Item)
	}
	us := must(c.UpdateStage(ctx, &apigw.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/variables/alias"), Value: aws.String("live")},
		{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("development")},
		{Op: types.OpReplace, Path: aws.String("/*/*/logging/loglevel"), Value: aws.String("INFO")},
		{Op: types.OpReplace, Path: aws.String("/tracingEnabled"), Value: aws.String("true")},
	}})).ok(t)
	if us.Variables["alias"] != "live" || *us.Description != "development" || *us.MethodSettings["*/*"].LoggingLevel != "INFO" || !us.TracingEnabled {
		t.Fatalf("updated stage %+v", us)
	}
	_, err = c.DeleteDeployment(ctx, &apigw.DeleteDeploymentInput{RestApiId: api.Id, DeploymentId: dep.Id})
	wantErr[*types.BadRequestException](t, err, "Active stages pointing to this deployment must be moved or deleted")
	must(c.DeleteStage(ctx, &apigw.DeleteStageInput{RestApiId: api.Id, StageName: aws.String("dev")})).ok(t)
	_, err = c.GetStage(ctx, &apigw.GetStageInput{RestApiId: api.Id, StageName: aws.String("dev")})
	wantErr[*types.NotFoundException](t, err, "Invalid Stage identifier specified")

	// deletes
	must(c.DeleteMethod(ctx, &apigw.DeleteMethodInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: aws.String("GET")})).ok(t)
	must(c.DeleteResource(ctx, &apigw.DeleteResourceInput{RestApiId: api.Id, ResourceId: pets.Id})).ok(t)
	_, err = c.GetResource(ctx, &apigw.GetResourceInput{RestApiId: api.Id, ResourceId: id.Id})
	wantErr[*types.NotFoundException](t, err, "Invalid Resource identifier specified") // children go with their parent

	// an API with no methods cannot be deployed
	empty := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("empty")})).ok(t)
	_, err = c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: empty.Id, StageName: aws.String("prod")})
	wantErr[*types.BadRequestException](t, err, "The REST API doesn't contain any methods")
}

// TestControlPlaneCLI drives the control plane with the aws CLI the way a
// user's deploy script does, and checks its error output.
func TestControlPlaneCLI(t *testing.T) {
	e, _ := emutest.Start(t)
	cli := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, code := emutest.CLI(t, e.URL(), append([]string{"apigateway"}, args...)...)
		if code != 0 {
			t.Fatalf("aws apigateway %v: %s", args, stderr)
		}
		var v map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
		}
		return v
	}
	api := cli("create-rest-api", "--name", "cli-api")
	id := api["id"].(string)
	root := api["rootResourceId"].(string)
	res := cli("create-resource", "--rest-api-id", id, "--parent-id", root, "--path-part", "{proxy+}")
	cli("put-method", "--rest-api-id", id, "--resource-id", res["id"].(string), "--http-method", "ANY", "--authorization-type", "NONE")
	cli("put-integration", "--rest-api-id", id, "--resource-id", res["id"].(string), "--http-method", "ANY", "--type", "MOCK",
		"--request-templates", `{"application/json":"{\"statusCode\": 200}"}`)
	cli("create-deployment", "--rest-api-id", id, "--stage-name", "prod")
	stages := cli("get-stages", "--rest-api-id", id)
	if items := stages["item"].([]any); len(items) != 1 || items[0].(map[string]any)["stageName"] != "prod" {
		t.Fatalf("stages %v", stages)
	}
	resources := cli("get-resources", "--rest-api-id", id)
	if items := resources["items"].([]any); len(items) != 2 {
		t.Fatalf("resources %v", resources)
	}
	_, stderr, code := emutest.CLI(t, e.URL(), "apigateway", "get-rest-api", "--rest-api-id", "doesnotexist")
	if code == 0 || !strings.Contains(stderr, "NotFoundException") || !strings.Contains(stderr, "Invalid API identifier specified") {
		t.Fatalf("get-rest-api on a missing id: %d %s", code, stderr)
	}
}

// TestCreateRestAPIEnums: CreateRestApi's enum members are checked against
// the model, not passed over (the conformance suite found them accepted).
func TestCreateRestAPIEnums(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	for _, tc := range []struct {
		name string
		in   apigw.CreateRestApiInput
	}{
		{"security policy", apigw.CreateRestApiInput{Name: aws.String("a"), SecurityPolicy: "TLS_9_9"}},
		{"endpoint access mode", apigw.CreateRestApiInput{Name: aws.String("a"), EndpointAccessMode: "LOOSE"}},
		{"ip address type", apigw.CreateRestApiInput{Name: aws.String("a"),
			EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{"REGIONAL"}, IpAddressType: "ipv5"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateRestApi(ctx, &tc.in)
			wantErr[*types.BadRequestException](t, err, "")
		})
	}
	// Values in the enums are accepted.
	must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("ok"), SecurityPolicy: "TLS_1_2", EndpointAccessMode: "BASIC",
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{"REGIONAL"}, IpAddressType: "dualstack"}})).ok(t)
}

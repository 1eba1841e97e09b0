package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// seedRestAPI builds a REST API through the SDK: resources, a MOCK method
// with its responses, a model, a validator, an authorizer, a gateway
// response, documentation, two deployments on two stages (a route added
// after the first), an API key in a usage plan, a domain name with a base
// path mapping, a VPC link and a client certificate. It returns the API id
// and the key's value (a method of prod requires it).
func seedRestAPI(t *testing.T, cfg aws.Config) (string, string) {
	t.Helper()
	ctx := context.Background()
	ag := apigateway.NewFromConfig(cfg)
	api := must(ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets"), Description: aws.String("pet store"),
		BinaryMediaTypes: []string{"image/png"}, Tags: map[string]string{"team": "web"}}))
	id := api.Id
	root := must(ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: id})).Items[0].Id
	pets := must(ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: root, PathPart: aws.String("pets")})).Id
	pet := must(ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: pets, PathPart: aws.String("{id}")})).Id
	must(ag.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: id, Name: aws.String("Pet"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type":"object"}`)}))
	val := must(ag.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: id, Name: aws.String("params"), ValidateRequestParameters: true})).Id
	must(ag.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: id, Name: aws.String("tok"), Type: agtypes.AuthorizerTypeToken,
		AuthorizerUri:                aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"),
		IdentitySource:               aws.String("method.request.header.Authorization"),
		IdentityValidationExpression: aws.String("Bearer .*")}))
	must(ag.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: agtypes.GatewayResponseTypeMissingAuthenticationToken,
		StatusCode: aws.String("404"), ResponseTemplates: map[string]string{"application/json": `{"message":"no such path"}`}}))
	mock := func(resource *string, method string, keyRequired bool) {
		must(ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: resource, HttpMethod: aws.String(method), AuthorizationType: aws.String("NONE"),
			RequestValidatorId: val, RequestParameters: map[string]bool{"method.request.querystring.q": false}, ApiKeyRequired: keyRequired}))
		must(ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: resource, HttpMethod: aws.String(method), Type: agtypes.IntegrationTypeMock,
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
		must(ag.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: id, ResourceId: resource, HttpMethod: aws.String(method), StatusCode: aws.String("200"),
			ResponseModels: map[string]string{"application/json": "Pet"}}))
		must(ag.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: resource, HttpMethod: aws.String(method), StatusCode: aws.String("200"),
			ResponseTemplates: map[string]string{"application/json": `{"from":"` + method + `"}`}}))
	}
	mock(pets, "GET", false)
	private := must(ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: root, PathPart: aws.String("private")})).Id
	mock(private, "GET", true)
	must(ag.CreateDocumentationPart(ctx, &apigateway.CreateDocumentationPartInput{RestApiId: id, Location: &agtypes.DocumentationPartLocation{Type: agtypes.DocumentationPartTypeApi},
		Properties: aws.String(`{"description":"pets"}`)}))
	must(ag.CreateDocumentationVersion(ctx, &apigateway.CreateDocumentationVersionInput{RestApiId: id, DocumentationVersion: aws.String("v1")}))
	must(ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod"), Description: aws.String("first"),
		Variables: map[string]string{"backend": "one"}}))
	mock(pet, "GET", false)
	must(ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("dev")}))
	mock(pets, "POST", false) // in no deployment

	key := must(ag.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("partner"), Enabled: true, Tags: map[string]string{"k": "v"}}))
	plan := must(ag.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("gold"), ApiStages: []agtypes.ApiStage{{ApiId: id, Stage: aws.String("prod")}},
		Throttle: &agtypes.ThrottleSettings{RateLimit: 10, BurstLimit: 20}, Quota: &agtypes.QuotaSettings{Limit: 1000, Period: agtypes.QuotaPeriodTypeDay}}))
	must(ag.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")}))
	must(ag.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
		RegionalCertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/c"), EndpointConfiguration: &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{"REGIONAL"}}}))
	must(ag.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"), RestApiId: id, BasePath: aws.String("v1"), Stage: aws.String("prod")}))
	must(ag.CreateVpcLink(ctx, &apigateway.CreateVpcLinkInput{Name: aws.String("link"), TargetArns: []string{"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/nlb/1"}}))
	must(ag.GenerateClientCertificate(ctx, &apigateway.GenerateClientCertificateInput{Description: aws.String("backend")}))
	return *id, *key.Value
}

// observeRestAPIs reads what a client sees of API Gateway's REST APIs.
func observeRestAPIs(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	ag := apigateway.NewFromConfig(cfg)
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, what+" "+string(b))
	}
	apis := must(ag.GetRestApis(ctx, &apigateway.GetRestApisInput{})).Items
	add("apis", apis)
	for _, a := range apis {
		id := a.Id
		res := must(ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: id, Embed: []string{"methods"}})).Items
		add("resources", res)
		for _, r := range res {
			for _, m := range slices.Sorted(maps.Keys(r.ResourceMethods)) {
				in := must(ag.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: id, ResourceId: r.Id, HttpMethod: aws.String(m)}))
				in.ResultMetadata = agNoMeta
				add("integration", in)
			}
		}
		add("models", must(ag.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: id})).Items)
		add("validators", must(ag.GetRequestValidators(ctx, &apigateway.GetRequestValidatorsInput{RestApiId: id})).Items)
		add("authorizers", must(ag.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: id})).Items)
		add("gateway responses", must(ag.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: id})).Items)
		add("deployments", must(ag.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: id})).Items)
		add("stages", must(ag.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: id})).Item)
		add("doc parts", must(ag.GetDocumentationParts(ctx, &apigateway.GetDocumentationPartsInput{RestApiId: id})).Items)
		add("doc versions", must(ag.GetDocumentationVersions(ctx, &apigateway.GetDocumentationVersionsInput{RestApiId: id})).Items)
	}
	add("keys", must(ag.GetApiKeys(ctx, &apigateway.GetApiKeysInput{IncludeValues: aws.Bool(true)})).Items)
	plans := must(ag.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{})).Items
	add("plans", plans)
	for _, p := range plans {
		add("plan keys", must(ag.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: p.Id})).Items)
	}
	domains := must(ag.GetDomainNames(ctx, &apigateway.GetDomainNamesInput{})).Items
	add("domains", domains)
	for _, d := range domains {
		add("mappings", must(ag.GetBasePathMappings(ctx, &apigateway.GetBasePathMappingsInput{DomainName: d.DomainName})).Items)
	}
	add("vpc links", must(ag.GetVpcLinks(ctx, &apigateway.GetVpcLinksInput{})).Items)
	add("client certs", must(ag.GetClientCertificates(ctx, &apigateway.GetClientCertificatesInput{})).Items)
	return strings.Join(out, "\n")
}

var agNoMeta = apigateway.GetIntegrationOutput{}.ResultMetadata

// get answers a GET of url: its status and body.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status + " " + string(b)
}

// REST APIs built through the SDK, saved and loaded into a second
// emulator, read the same through the SDK, and each stage serves the
// routes its deployment froze at the same invoke URL.
func TestSnapshotRestAPIRoundTrip(t *testing.T) {
	t.Parallel()
	a, acfg := emutest.Start(t)
	id, key := seedRestAPI(t, acfg)
	file := saveSnapshot(t, a.URL())
	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	before, after := observeRestAPIs(t, acfg), observeRestAPIs(t, bcfg)
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	for _, want := range []string{`"Bearer .*"`, `"RateLimit":10`, `"BasePath":"v1"`, `"backend":"one"`, `"Name":"Pet"`} {
		if !strings.Contains(after, want) {
			t.Errorf("the loaded state lacks %s:\n%s", want, after)
		}
	}
	for _, path := range []string{"/prod/_user_request_/pets", "/prod/_user_request_/pets/7", "/dev/_user_request_/pets/7"} {
		ga, gb := get(t, a.URL()+"/restapis/"+id+path), get(t, b.URL()+"/restapis/"+id+path)
		if ga != gb {
			t.Errorf("GET %s: %q before, %q after the load", path, ga, gb)
		}
	}
	if got := get(t, b.URL()+"/restapis/"+id+"/dev/_user_request_/pets/7"); !strings.HasPrefix(got, "200 ") || !strings.Contains(got, `"from":"GET"`) {
		t.Errorf("dev's /pets/{id} after the load: %s", got)
	}
	// The API key and its usage plan still admit it, and only it.
	private := b.URL() + "/restapis/" + id + "/prod/_user_request_/private"
	if got := get(t, private); !strings.HasPrefix(got, "403 ") {
		t.Errorf("a key-protected method without the key after the load: %s", got)
	}
	req, _ := http.NewRequest(http.MethodGet, private, nil)
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a key-protected method with the saved key after the load: %s", resp.Status)
	}
}

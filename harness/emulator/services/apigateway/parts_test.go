package apigateway_test

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// Models, request validators, gateway responses and documentation: the
// parts of an API besides its resources, with AWS's defaults and errors.
func TestAPIParts(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("parts")})).ok(t)
	id := api.Id

	// models: every API starts with Empty and Error
	models := must(c.GetModels(ctx, &apigw.GetModelsInput{RestApiId: id})).ok(t)
	if len(models.Items) != 2 || *models.Items[0].Name != "Empty" || *models.Items[1].Name != "Error" {
		t.Fatalf("default models %+v", models.Items)
	}
	schema := `{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"age":{"type":"integer"}}}`
	m := must(c.CreateModel(ctx, &apigw.CreateModelInput{RestApiId: id, Name: aws.String("Pet"), ContentType: aws.String("application/json"),
		Schema: aws.String(schema)})).ok(t)
	if *m.Name != "Pet" || *m.Schema != schema || m.Id == nil {
		t.Fatalf("model %+v", m)
	}
	_, err := c.CreateModel(ctx, &apigw.CreateModelInput{RestApiId: id, Name: aws.String("Pet"), ContentType: aws.String("application/json")})
	wantErr[*types.ConflictException](t, err, "Model name already exists for this REST API")
	_, err = c.CreateModel(ctx, &apigw.CreateModelInput{RestApiId: id, Name: aws.String("Bad"), ContentType: aws.String("application/json"), Schema: aws.String("{")})
	wantErr[*types.BadRequestException](t, err, "")
	_, err = c.GetModel(ctx, &apigw.GetModelInput{RestApiId: id, ModelName: aws.String("Nope")})
	wantErr[*types.NotFoundException](t, err, "Invalid model name specified")
	tpl := must(c.GetModelTemplate(ctx, &apigw.GetModelTemplateInput{RestApiId: id, ModelName: aws.String("Pet")})).ok(t)
	if !strings.Contains(*tpl.Value, `"name" : "$inputRoot.name"`) || !strings.Contains(*tpl.Value, `"age" : $inputRoot.age`) {
		t.Fatalf("template %s", *tpl.Value)
	}
	um := must(c.UpdateModel(ctx, &apigw.UpdateModelInput{RestApiId: id, ModelName: aws.String("Pet"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("a pet")}}})).ok(t)
	if *um.Description != "a pet" {
		t.Fatalf("updated %+v", um)
	}

	// request validators
	v := must(c.CreateRequestValidator(ctx, &apigw.CreateRequestValidatorInput{RestApiId: id, Name: aws.String("params"),
		ValidateRequestParameters: true})).ok(t)
	if !v.ValidateRequestParameters || v.ValidateRequestBody {
		t.Fatalf("validator %+v", v)
	}
	uv := must(c.UpdateRequestValidator(ctx, &apigw.UpdateRequestValidatorInput{RestApiId: id, RequestValidatorId: v.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/validateRequestBody"), Value: aws.String("true")}}})).ok(t)
	if !uv.ValidateRequestBody {
		t.Fatalf("updated validator %+v", uv)
	}
	if vs := must(c.GetRequestValidators(ctx, &apigw.GetRequestValidatorsInput{RestApiId: id})).ok(t); len(vs.Items) != 1 {
		t.Fatalf("validators %+v", vs.Items)
	}
	_, err = c.GetRequestValidator(ctx, &apigw.GetRequestValidatorInput{RestApiId: id, RequestValidatorId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, "Invalid Request Validator identifier specified")

	// a model a method uses cannot be deleted; a method names validators that exist
	root := api.RootResourceId
	_, err = c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE"),
		RequestValidatorId: aws.String("nope")})
	wantErr[*types.BadRequestException](t, err, "Invalid Request Validator identifier specified")
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE"),
		RequestModels: map[string]string{"application/json": "Pet"}, RequestValidatorId: v.Id})).ok(t)
	_, err = c.DeleteModel(ctx, &apigw.DeleteModelInput{RestApiId: id, ModelName: aws.String("Pet")})
	wantErr[*types.ConflictException](t, err, "Cannot delete model 'Pet', is referenced in method request: //POST")
	must(c.DeleteModel(ctx, &apigw.DeleteModelInput{RestApiId: id, ModelName: aws.String("Error")})).ok(t)
	must(c.DeleteRequestValidator(ctx, &apigw.DeleteRequestValidatorInput{RestApiId: id, RequestValidatorId: v.Id})).ok(t)
	_, err = c.DeleteRequestValidator(ctx, &apigw.DeleteRequestValidatorInput{RestApiId: id, RequestValidatorId: v.Id})
	wantErr[*types.NotFoundException](t, err, "Invalid Request Validator identifier specified")

	// gateway responses: every type listed, defaults until customised
	grs := must(c.GetGatewayResponses(ctx, &apigw.GetGatewayResponsesInput{RestApiId: id, Limit: aws.Int32(500)})).ok(t)
	if len(grs.Items) != 21 || !grs.Items[0].DefaultResponse {
		t.Fatalf("gateway responses %d %+v", len(grs.Items), grs.Items[0])
	}
	gr := must(c.GetGatewayResponse(ctx, &apigw.GetGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeMissingAuthenticationToken})).ok(t)
	if *gr.StatusCode != "403" || !gr.DefaultResponse || gr.ResponseTemplates["application/json"] != `{"message":$context.error.messageString}` {
		t.Fatalf("default %+v", gr)
	}
	put := must(c.PutGatewayResponse(ctx, &apigw.PutGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeMissingAuthenticationToken,
		StatusCode: aws.String("404"), ResponseTemplates: map[string]string{"application/json": `{"error":"no route"}`},
		ResponseParameters: map[string]string{"gatewayresponse.header.x-why": "'missing'"}})).ok(t)
	if put.DefaultResponse || *put.StatusCode != "404" {
		t.Fatalf("put %+v", put)
	}
	upd := must(c.UpdateGatewayResponse(ctx, &apigw.UpdateGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeThrottled,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/statusCode"), Value: aws.String("503")}}})).ok(t)
	if upd.DefaultResponse || *upd.StatusCode != "503" {
		t.Fatalf("update %+v", upd)
	}
	must(c.DeleteGatewayResponse(ctx, &apigw.DeleteGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeThrottled})).ok(t)
	_, err = c.DeleteGatewayResponse(ctx, &apigw.DeleteGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeThrottled})
	wantErr[*types.NotFoundException](t, err, "Invalid gateway response type specified")

	// documentation parts and versions
	part := must(c.CreateDocumentationPart(ctx, &apigw.CreateDocumentationPartInput{RestApiId: id,
		Location:   &types.DocumentationPartLocation{Type: types.DocumentationPartTypeMethod, Path: aws.String("/"), Method: aws.String("POST")},
		Properties: aws.String(`{"summary":"create"}`)})).ok(t)
	_, err = c.CreateDocumentationPart(ctx, &apigw.CreateDocumentationPartInput{RestApiId: id,
		Location:   &types.DocumentationPartLocation{Type: types.DocumentationPartTypeMethod, Path: aws.String("/"), Method: aws.String("POST")},
		Properties: aws.String(`{}`)})
	wantErr[*types.ConflictException](t, err, "")
	imp := must(c.ImportDocumentationParts(ctx, &apigw.ImportDocumentationPartsInput{RestApiId: id, Mode: types.PutModeMerge,
		Body: []byte(`{"swagger":"2.0","x-amazon-apigateway-documentation":{"documentationParts":[` +
			`{"location":{"type":"API"},"properties":{"description":"the API"}},` +
			`{"location":{"type":"METHOD","path":"/","method":"POST"},"properties":{"summary":"make"}}]}}`)})).ok(t)
	if len(imp.Ids) != 2 || imp.Ids[1] != *part.Id {
		t.Fatalf("imported %+v (part %s)", imp.Ids, *part.Id)
	}
	got := must(c.GetDocumentationPart(ctx, &apigw.GetDocumentationPartInput{RestApiId: id, DocumentationPartId: part.Id})).ok(t)
	if *got.Properties != `{"summary":"make"}` {
		t.Fatalf("merged part %+v", *got.Properties)
	}
	if ps := must(c.GetDocumentationParts(ctx, &apigw.GetDocumentationPartsInput{RestApiId: id, Type: types.DocumentationPartTypeApi})).ok(t); len(ps.Items) != 1 {
		t.Fatalf("API parts %+v", ps.Items)
	}
	dv := must(c.CreateDocumentationVersion(ctx, &apigw.CreateDocumentationVersionInput{RestApiId: id, DocumentationVersion: aws.String("1.0")})).ok(t)
	if *dv.Version != "1.0" || dv.CreatedDate == nil {
		t.Fatalf("version %+v", dv)
	}
	_, err = c.CreateDocumentationVersion(ctx, &apigw.CreateDocumentationVersionInput{RestApiId: id, DocumentationVersion: aws.String("1.0")})
	wantErr[*types.ConflictException](t, err, "")
	must(c.DeleteDocumentationPart(ctx, &apigw.DeleteDocumentationPartInput{RestApiId: id, DocumentationPartId: part.Id})).ok(t)
	_, err = c.GetDocumentationPart(ctx, &apigw.GetDocumentationPartInput{RestApiId: id, DocumentationPartId: part.Id})
	wantErr[*types.NotFoundException](t, err, "Invalid Documentation part identifier specified")
	must(c.DeleteDocumentationVersion(ctx, &apigw.DeleteDocumentationVersionInput{RestApiId: id, DocumentationVersion: aws.String("1.0")})).ok(t)
	_, err = c.GetDocumentationVersion(ctx, &apigw.GetDocumentationVersionInput{RestApiId: id, DocumentationVersion: aws.String("1.0")})
	wantErr[*types.NotFoundException](t, err, "Invalid Documentation version identifier specified")

	// parts of an API that does not exist: its not-found error
	_, err = c.GetModels(ctx, &apigw.GetModelsInput{RestApiId: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, "Invalid API identifier specified 000000000000:nope")
}

// Domain names, base path mappings, VPC links, client certificates and the
// account: regional resources stored as AWS keeps them.
func TestRegionalResources(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)

	d := must(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
		RegionalCertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:certificate/x"),
		EndpointConfiguration:  &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}})).ok(t)
	if d.DomainNameStatus != types.DomainNameStatusAvailable || !strings.HasSuffix(*d.RegionalDomainName, ".execute-api.us-east-1.amazonaws.com") ||
		*d.RegionalHostedZoneId != "Z1UJRXOUMOOFQ8" {
		t.Fatalf("domain %+v", d)
	}
	_, err := c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: aws.String("api.example.com")})
	wantErr[*types.ConflictException](t, err, "The domain name you provided already exists.")
	_, err = c.GetDomainName(ctx, &apigw.GetDomainNameInput{DomainName: aws.String("nope.example.com")})
	wantErr[*types.NotFoundException](t, err, "Invalid domain name identifier specified")

	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("mapped")})).ok(t)
	_, err = c.CreateBasePathMapping(ctx, &apigw.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"), RestApiId: aws.String("nope")})
	wantErr[*types.BadRequestException](t, err, "Invalid REST API identifier specified")
	_, err = c.CreateBasePathMapping(ctx, &apigw.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"), RestApiId: api.Id, Stage: aws.String("prod")})
	wantErr[*types.BadRequestException](t, err, "Invalid stage identifier specified")
	bm := must(c.CreateBasePathMapping(ctx, &apigw.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"), RestApiId: api.Id})).ok(t)
	if *bm.BasePath != "(none)" {
		t.Fatalf("mapping %+v", bm)
	}
	ubm := must(c.UpdateBasePathMapping(ctx, &apigw.UpdateBasePathMappingInput{DomainName: aws.String("api.example.com"), BasePath: aws.String("(none)"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/basePath"), Value: aws.String("v1")}}})).ok(t)
	if *ubm.BasePath != "v1" {
		t.Fatalf("moved mapping %+v", ubm)
	}
	if ms := must(c.GetBasePathMappings(ctx, &apigw.GetBasePathMappingsInput{DomainName: aws.String("api.example.com")})).ok(t); len(ms.Items) != 1 || *ms.Items[0].BasePath != "v1" {
		t.Fatalf("mappings %+v", ms.Items)
	}
	_, err = c.GetBasePathMapping(ctx, &apigw.GetBasePathMappingInput{DomainName: aws.String("api.example.com"), BasePath: aws.String("(none)")})
	wantErr[*types.NotFoundException](t, err, "Invalid base path mapping identifier specified")
	must(c.DeleteDomainName(ctx, &apigw.DeleteDomainNameInput{DomainName: aws.String("api.example.com")})).ok(t)
	if ds := must(c.GetDomainNames(ctx, &apigw.GetDomainNamesInput{})).ok(t); len(ds.Items) != 0 {
		t.Fatalf("domains after delete %+v", ds.Items)
	}

	// private domain names and their access associations
	pd := must(c.CreateDomainName(ctx, &apigw.CreateDomainNameInput{DomainName: aws.String("private.example.com"),
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypePrivate}}})).ok(t)
	assoc := must(c.CreateDomainNameAccessAssociation(ctx, &apigw.CreateDomainNameAccessAssociationInput{DomainNameArn: pd.DomainNameArn,
		AccessAssociationSourceType: types.AccessAssociationSourceTypeVpce, AccessAssociationSource: aws.String("vpce-1")})).ok(t)
	if as := must(c.GetDomainNameAccessAssociations(ctx, &apigw.GetDomainNameAccessAssociationsInput{})).ok(t); len(as.Items) != 1 {
		t.Fatalf("associations %+v", as.Items)
	}
	must(c.RejectDomainNameAccessAssociation(ctx, &apigw.RejectDomainNameAccessAssociationInput{
		DomainNameAccessAssociationArn: assoc.DomainNameAccessAssociationArn, DomainNameArn: pd.DomainNameArn})).ok(t)
	_, err = c.DeleteDomainNameAccessAssociation(ctx, &apigw.DeleteDomainNameAccessAssociationInput{DomainNameAccessAssociationArn: assoc.DomainNameAccessAssociationArn})
	wantErr[*types.NotFoundException](t, err, "")

	// VPC links
	l := must(c.CreateVpcLink(ctx, &apigw.CreateVpcLinkInput{Name: aws.String("nlb"),
		TargetArns: []string{"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/n/1"}})).ok(t)
	if l.Status != types.VpcLinkStatusAvailable {
		t.Fatalf("link %+v", l)
	}
	ul := must(c.UpdateVpcLink(ctx, &apigw.UpdateVpcLinkInput{VpcLinkId: l.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("nlb2")}}})).ok(t)
	if *ul.Name != "nlb2" {
		t.Fatalf("renamed %+v", ul)
	}
	must(c.DeleteVpcLink(ctx, &apigw.DeleteVpcLinkInput{VpcLinkId: l.Id})).ok(t)
	_, err = c.GetVpcLink(ctx, &apigw.GetVpcLinkInput{VpcLinkId: l.Id})
	wantErr[*types.NotFoundException](t, err, "Invalid VPC link identifier specified")

	// client certificates: a real PEM
	cert := must(c.GenerateClientCertificate(ctx, &apigw.GenerateClientCertificateInput{Description: aws.String("backend")})).ok(t)
	if b, _ := pem.Decode([]byte(*cert.PemEncodedCertificate)); b == nil || b.Type != "CERTIFICATE" || !cert.ExpirationDate.After(*cert.CreatedDate) {
		t.Fatalf("cert %+v", cert)
	}
	if cs := must(c.GetClientCertificates(ctx, &apigw.GetClientCertificatesInput{})).ok(t); len(cs.Items) != 1 {
		t.Fatalf("certs %+v", cs.Items)
	}
	must(c.DeleteClientCertificate(ctx, &apigw.DeleteClientCertificateInput{ClientCertificateId: cert.ClientCertificateId})).ok(t)
	_, err = c.GetClientCertificate(ctx, &apigw.GetClientCertificateInput{ClientCertificateId: cert.ClientCertificateId})
	wantErr[*types.NotFoundException](t, err, "Invalid Client Certificate identifier specified")

	// the account
	acct := must(c.GetAccount(ctx, &apigw.GetAccountInput{})).ok(t)
	if acct.ThrottleSettings == nil || acct.ThrottleSettings.BurstLimit != 5000 || acct.CloudwatchRoleArn != nil {
		t.Fatalf("account %+v", acct)
	}
	role := "arn:aws:iam::000000000000:role/apigw-logs"
	must(c.UpdateAccount(ctx, &apigw.UpdateAccountInput{PatchOperations: []types.PatchOperation{{Op: types.OpReplace,
		Path: aws.String("/cloudwatchRoleArn"), Value: aws.String(role)}}})).ok(t)
	if acct = must(c.GetAccount(ctx, &apigw.GetAccountInput{})).ok(t); *acct.CloudwatchRoleArn != role {
		t.Fatalf("account %+v", acct)
	}

	// SDK types
	sdks := must(c.GetSdkTypes(ctx, &apigw.GetSdkTypesInput{})).ok(t)
	if len(sdks.Items) != 6 {
		t.Fatalf("sdk types %+v", sdks.Items)
	}
	_, err = c.GetSdkType(ctx, &apigw.GetSdkTypeInput{Id: aws.String("cobol")})
	wantErr[*types.NotFoundException](t, err, "Invalid SDK type specified")
}

// Method and integration responses, usage and API keys imported from CSV.
func TestUpdatesAndImports(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("upd")})).ok(t)
	id, root := api.Id, api.RootResourceId
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})).ok(t)
	must(c.PutMethodResponse(ctx, &apigw.PutMethodResponseInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})).ok(t)
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})).ok(t)
	must(c.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})).ok(t)

	mr := must(c.UpdateMethodResponse(ctx, &apigw.UpdateMethodResponseInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		PatchOperations: []types.PatchOperation{{Op: types.OpAdd, Path: aws.String("/responseParameters/method.response.header.X-A"), Value: aws.String("true")}}})).ok(t)
	if !mr.ResponseParameters["method.response.header.X-A"] {
		t.Fatalf("method response %+v", mr)
	}
	ir := must(c.UpdateIntegrationResponse(ctx, &apigw.UpdateIntegrationResponseInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		PatchOperations: []types.PatchOperation{
			{Op: types.OpAdd, Path: aws.String("/responseParameters/method.response.header.X-A"), Value: aws.String("'a'")},
			{Op: types.OpReplace, Path: aws.String("/selectionPattern"), Value: aws.String("2\\d\\d")}}})).ok(t)
	if ir.ResponseParameters["method.response.header.X-A"] != "'a'" || *ir.SelectionPattern != `2\d\d` {
		t.Fatalf("integration response %+v", ir)
	}
	_, err := c.UpdateMethodResponse(ctx, &apigw.UpdateMethodResponseInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("404")})
	wantErr[*types.NotFoundException](t, err, "Invalid Response status code specified")
	_, err = c.UpdateIntegrationResponse(ctx, &apigw.UpdateIntegrationResponseInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/bogus"), Value: aws.String("x")}}})
	wantErr[*types.BadRequestException](t, err, "Invalid patch path '/bogus' specified for op 'replace'")

	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod")})).ok(t)
	must(c.FlushStageCache(ctx, &apigw.FlushStageCacheInput{RestApiId: id, StageName: aws.String("prod")})).ok(t)
	must(c.FlushStageAuthorizersCache(ctx, &apigw.FlushStageAuthorizersCacheInput{RestApiId: id, StageName: aws.String("prod")})).ok(t)
	_, err = c.FlushStageCache(ctx, &apigw.FlushStageCacheInput{RestApiId: id, StageName: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, "Invalid Stage identifier specified")
	sdk := must(c.GetSdk(ctx, &apigw.GetSdkInput{RestApiId: id, StageName: aws.String("prod"), SdkType: aws.String("javascript")})).ok(t)
	if len(sdk.Body) < 22 || string(sdk.Body[:2]) != "PK" || !strings.Contains(*sdk.ContentDisposition, ".zip") {
		t.Fatalf("sdk %q %v", sdk.Body, sdk.ContentDisposition)
	}
	_, err = c.GetSdk(ctx, &apigw.GetSdkInput{RestApiId: id, StageName: aws.String("prod"), SdkType: aws.String("java")})
	wantErr[*types.BadRequestException](t, err, "Missing required parameter: service.name")

	// API keys from CSV, then their usage set with UpdateUsage
	plan := must(c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("p"),
		Quota: &types.QuotaSettings{Limit: 100, Period: types.QuotaPeriodTypeDay}})).ok(t)
	ids := must(c.ImportApiKeys(ctx, &apigw.ImportApiKeysInput{Format: types.ApiKeysFormatCsv,
		Body: []byte("Name,Key,Enabled,UsagePlanIds\nk1,abcdefghijklmnopqrstuvwxyz0123,true," + *plan.Id + "\n")})).ok(t)
	if len(ids.Ids) != 1 {
		t.Fatalf("imported %+v", ids)
	}
	k := must(c.GetApiKey(ctx, &apigw.GetApiKeyInput{ApiKey: aws.String(ids.Ids[0]), IncludeValue: aws.Bool(true)})).ok(t)
	if *k.Name != "k1" || *k.Value != "abcdefghijklmnopqrstuvwxyz0123" || !k.Enabled {
		t.Fatalf("key %+v", k)
	}
	u := must(c.UpdateUsage(ctx, &apigw.UpdateUsageInput{UsagePlanId: plan.Id, KeyId: aws.String(ids.Ids[0]),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/remaining"), Value: aws.String("40")}}})).ok(t)
	if days := u.Items[ids.Ids[0]]; len(days) != 1 || days[0][1] != 40 {
		t.Fatalf("usage %+v", u.Items)
	}
	_, err = c.UpdateUsage(ctx, &apigw.UpdateUsageInput{UsagePlanId: aws.String("nope"), KeyId: aws.String(ids.Ids[0])})
	wantErr[*types.NotFoundException](t, err, "Invalid Usage Plan ID specified")
}

// The aws CLI accepts the answers of models and validators.
func TestCLIModels(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	api := must(apigw.NewFromConfig(cfg).CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("cli")})).ok(t)
	cli := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, code := emutest.CLI(t, e.URL(), append([]string{"apigateway"}, args...)...)
		if code != 0 {
			t.Fatalf("aws apigateway %v: %d %s", args, code, stderr)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return v
	}
	m := cli("create-model", "--rest-api-id", *api.Id, "--name", "Pet", "--content-type", "application/json", "--schema", `{"type":"object"}`)
	if m["name"] != "Pet" {
		t.Fatalf("%v", m)
	}
	if ms := cli("get-models", "--rest-api-id", *api.Id); len(ms["items"].([]any)) != 3 {
		t.Fatalf("%v", ms)
	}
	v := cli("create-request-validator", "--rest-api-id", *api.Id, "--name", "all", "--validate-request-body", "--validate-request-parameters")
	if v["validateRequestBody"] != true {
		t.Fatalf("%v", v)
	}
	// a stage exported as YAML, which the CLI (unlike the Go SDK) can ask for
	c := apigw.NewFromConfig(cfg)
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})).ok(t)
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeMock})).ok(t)
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})).ok(t)
	file := filepath.Join(t.TempDir(), "api.yaml")
	exp := cli("get-export", "--rest-api-id", *api.Id, "--stage-name", "prod", "--export-type", "oas30", "--accepts", "application/yaml", file)
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), "openapi: 3.0.1") || exp["contentType"] != "application/yaml" {
		t.Fatalf("yaml export %v %v %s", exp, err, b)
	}
	_, stderr, code := emutest.CLI(t, e.URL(), "apigateway", "get-model", "--rest-api-id", *api.Id, "--model-name", "Nope")
	if code == 0 || !strings.Contains(stderr, "NotFoundException") || !strings.Contains(stderr, "Invalid model name specified") {
		t.Fatalf("get-model Nope: %d %s", code, stderr)
	}
}

// A method's request validator refuses requests missing its required
// parameters or whose body does not match its model; gateway responses the
// API customised shape API Gateway's own answers once deployed.
func TestValidatorsAndGatewayResponsesOnInvoke(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("checked")})).ok(t)
	id := api.Id
	res := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})).ok(t)
	must(c.CreateModel(ctx, &apigw.CreateModelInput{RestApiId: id, Name: aws.String("Pet"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1},"age":{"type":"integer","minimum":0}}}`)})).ok(t)
	v := must(c.CreateRequestValidator(ctx, &apigw.CreateRequestValidatorInput{RestApiId: id, Name: aws.String("all"),
		ValidateRequestBody: true, ValidateRequestParameters: true})).ok(t)
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE"),
		RequestValidatorId: v.Id, RequestModels: map[string]string{"application/json": "Pet"},
		RequestParameters: map[string]bool{"method.request.querystring.owner": true, "method.request.header.X-Tenant": true, "method.request.querystring.opt": false}})).ok(t)
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("POST"), Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})).ok(t)
	must(c.PutMethodResponse(ctx, &apigw.PutMethodResponseInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("POST"), StatusCode: aws.String("200")})).ok(t)
	must(c.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("POST"), StatusCode: aws.String("200"),
		ResponseTemplates: map[string]string{"application/json": `{"ok":true}`}})).ok(t)
	must(c.PutGatewayResponse(ctx, &apigw.PutGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeMissingAuthenticationToken,
		StatusCode: aws.String("404"), ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
		ResponseTemplates: map[string]string{"application/json": `{"error":$context.error.messageString,"type":"$context.error.responseType"}`}})).ok(t)
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod")})).ok(t)

	base := e.URL() + "/restapis/" + *id + "/prod/_user_request_"
	jsonOnly := map[string][]string{"Content-Type": {"application/json"}}
	code, h, body := call(t, "POST", base+"/pets", []byte(`{"name":"rex"}`), jsonOnly, "")
	if code != 400 || h.Get("X-Amzn-Errortype") != "BadRequestException" || string(body) != `{"message":"Missing required request parameters: [X-Tenant, owner]"}` {
		t.Fatalf("missing parameters: %d %v %s", code, h, body)
	}
	withParams := map[string][]string{"Content-Type": {"application/json"}, "X-Tenant": {"t1"}}
	for _, bad := range []string{`{"age":3}`, `{"name":"rex","age":-1}`, `{"name":"","age":1}`, `not json`, `[]`} {
		code, _, body = call(t, "POST", base+"/pets?owner=me", []byte(bad), withParams, "")
		if code != 400 || string(body) != `{"message":"Invalid request body"}` {
			t.Fatalf("body %s: %d %s", bad, code, body)
		}
	}
	code, _, body = call(t, "POST", base+"/pets?owner=me", []byte(`{"name":"rex","age":3}`), withParams, "")
	if code != 200 || string(body) != `{"ok":true}` {
		t.Fatalf("valid request: %d %s", code, body)
	}
	code, h, body = call(t, "GET", base+"/nowhere", nil, nil, "")
	if code != 404 || h.Get("Access-Control-Allow-Origin") != "*" || string(body) != `{"error":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN"}` {
		t.Fatalf("customised gateway response: %d %v %s", code, h, body)
	}
}

// TestInvokeMethod runs the method as it is now, undeployed, without
// authorization, and answers its status, body, headers and a log.
func TestTestInvokeMethod(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("ti")})).ok(t)
	id, root := api.Id, api.RootResourceId
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("AWS_IAM")})).ok(t)
	_, err := c.TestInvokeMethod(ctx, &apigw.TestInvokeMethodInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET")})
	wantErr[*types.BadRequestException](t, err, "Execution failed due to configuration error: No integration defined for method")
	must(c.PutIntegration(ctx, &apigw.PutIntegrationInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 201}`}})).ok(t)
	must(c.PutMethodResponse(ctx, &apigw.PutMethodResponseInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("201")})).ok(t)
	must(c.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"), StatusCode: aws.String("201"),
		ResponseParameters: map[string]string{"method.response.header.X-Mock": "'yes'"}, ResponseTemplates: map[string]string{"application/json": `{"made":true}`}})).ok(t)
	out := must(c.TestInvokeMethod(ctx, &apigw.TestInvokeMethodInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("GET"),
		PathWithQueryString: aws.String("/?q=1")})).ok(t)
	if out.Status != 201 || *out.Body != `{"made":true}` || out.Headers["X-Mock"] != "yes" || !strings.Contains(*out.Log, "Method completed with status: 201") {
		t.Fatalf("test invoke %d %q %v %q", out.Status, *out.Body, out.Headers, *out.Log)
	}
	_, err = c.TestInvokeMethod(ctx, &apigw.TestInvokeMethodInput{RestApiId: id, ResourceId: root, HttpMethod: aws.String("POST")})
	wantErr[*types.NotFoundException](t, err, "Invalid Method identifier specified")
}

// ImportRestApi and PutRestApi read Swagger/OpenAPI with API Gateway's
// extensions; GetExport writes a stage back out; an imported API serves.
func TestOpenAPIImportAndExport(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	c := apigw.NewFromConfig(cfg)
	def := `swagger: "2.0"
info: {title: imported, version: "1"}
x-amazon-apigateway-request-validators:
  params: {validateRequestParameters: true, validateRequestBody: false}
definitions:
  Pet: {type: object, properties: {name: {type: string}}}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      x-amazon-apigateway-request-validator: params
      parameters:
        - {name: id, in: path, required: true, type: string}
        - {name: verbose, in: query, required: true, type: string}
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default: {statusCode: "200", responseTemplates: {application/json: '{"pet":"rex"}'}}
`
	api := must(c.ImportRestApi(ctx, &apigw.ImportRestApiInput{Body: []byte(def)})).ok(t)
	if *api.Name != "imported" {
		t.Fatalf("imported %+v", api)
	}
	res := must(c.GetResources(ctx, &apigw.GetResourcesInput{RestApiId: api.Id})).ok(t)
	if len(res.Items) != 3 || *res.Items[2].Path != "/pets/{id}" {
		t.Fatalf("resources %+v", res.Items)
	}
	if ms := must(c.GetModels(ctx, &apigw.GetModelsInput{RestApiId: api.Id})).ok(t); len(ms.Items) != 3 {
		t.Fatalf("models %+v", ms.Items)
	}
	_, err := c.ImportRestApi(ctx, &apigw.ImportRestApiInput{Body: []byte(`{"nothing": true}`)})
	wantErr[*types.BadRequestException](t, err, "")

	// merge adds a path and keeps the others
	must(c.PutRestApi(ctx, &apigw.PutRestApiInput{RestApiId: api.Id, Mode: types.PutModeMerge, Body: []byte(
		`{"openapi":"3.0.1","info":{"title":"x","version":"2"},"paths":{"/health":{"get":{"responses":{"200":{"description":"ok"}},` +
			`"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},` +
			`"responses":{"default":{"statusCode":"200"}}}}}}}`)})).ok(t)
	if res = must(c.GetResources(ctx, &apigw.GetResourcesInput{RestApiId: api.Id})).ok(t); len(res.Items) != 4 {
		t.Fatalf("merged resources %+v", res.Items)
	}
	must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})).ok(t)
	base := e.URL() + "/restapis/" + *api.Id + "/prod/_user_request_"
	if code, _, body := call(t, "GET", base+"/pets/1", nil, nil, ""); code != 400 || !strings.Contains(string(body), "[verbose]") {
		t.Fatalf("validated import: %d %s", code, body)
	}
	if code, _, body := call(t, "GET", base+"/pets/1?verbose=1", nil, nil, ""); code != 200 || string(body) != `{"pet":"rex"}` {
		t.Fatalf("imported mock: %d %s", code, body)
	}

	exp := must(c.GetExport(ctx, &apigw.GetExportInput{RestApiId: api.Id, StageName: aws.String("prod"), ExportType: aws.String("oas30"),
		Parameters: map[string]string{"extensions": "integrations"}})).ok(t)
	var doc map[string]any
	if err := json.Unmarshal(exp.Body, &doc); err != nil || doc["openapi"] != "3.0.1" {
		t.Fatalf("export %v %s", err, exp.Body)
	}
	paths := doc["paths"].(map[string]any)
	get := paths["/pets/{id}"].(map[string]any)["get"].(map[string]any)
	if get["operationId"] != "getPet" || get["x-amazon-apigateway-integration"] == nil || paths["/health"] == nil {
		t.Fatalf("exported paths %v", paths)
	}
	// (the SDK always sends Accept: application/json; the aws CLI can ask for YAML)
	sw := must(c.GetExport(ctx, &apigw.GetExportInput{RestApiId: api.Id, StageName: aws.String("prod"), ExportType: aws.String("swagger")})).ok(t)
	if err := json.Unmarshal(sw.Body, &doc); err != nil || doc["swagger"] != "2.0" || doc["basePath"] != "/prod" || *sw.ContentType != "application/json" {
		t.Fatalf("swagger export %v %s", err, sw.Body)
	}
	_, err = c.GetExport(ctx, &apigw.GetExportInput{RestApiId: api.Id, StageName: aws.String("prod"), ExportType: aws.String("raml")})
	wantErr[*types.BadRequestException](t, err, "")

	// overwrite replaces the resources
	must(c.PutRestApi(ctx, &apigw.PutRestApiInput{RestApiId: api.Id, Mode: types.PutModeOverwrite, Body: []byte(`{"swagger":"2.0","info":{"title":"again"},"paths":{}}`)})).ok(t)
	if res = must(c.GetResources(ctx, &apigw.GetResourcesInput{RestApiId: api.Id})).ok(t); len(res.Items) != 1 {
		t.Fatalf("overwritten resources %+v", res.Items)
	}
}

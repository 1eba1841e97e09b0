package apigateway_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/services/apigateway"
)

// methodAuth is how guardedAPI protects GET /pets.
type methodAuth struct {
	authorizationType string
	apiKeyRequired    bool
	authorizer        *apigw.CreateAuthorizerInput // created first for CUSTOM
	apiKeySource      types.ApiKeySourceType
	integration       types.IntegrationType // AWS_PROXY (to fn "backend") unless set
}

// guardedAPI creates an API whose GET /pets is protected as auth says,
// with an unprotected GET /open beside it, both deployed to "prod" (and
// "dev"); it returns the API id.
func guardedAPI(t testing.TB, c *apigw.Client, auth methodAuth) string {
	t.Helper()
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("guarded"), ApiKeySource: auth.apiKeySource})).ok(t)
	var authorizerID *string
	if auth.authorizer != nil {
		in := *auth.authorizer
		in.RestApiId = api.Id
		authorizerID = must(c.CreateAuthorizer(ctx, &in)).ok(t).Id
	}
	typ := auth.integration
	if typ == "" {
		typ = types.IntegrationTypeAwsProxy
	}
	for _, part := range []string{"pets", "open"} {
		r := must(c.CreateResource(ctx, &apigw.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String(part)})).ok(t)
		pm := &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: r.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}
		if part == "pets" {
			pm.AuthorizationType, pm.ApiKeyRequired, pm.AuthorizerId = aws.String(auth.authorizationType), auth.apiKeyRequired, authorizerID
		}
		must(c.PutMethod(ctx, pm)).ok(t)
		pi := &apigw.PutIntegrationInput{RestApiId: api.Id, ResourceId: r.Id, HttpMethod: aws.String("GET"), Type: typ}
		if typ == types.IntegrationTypeAwsProxy {
			pi.IntegrationHttpMethod, pi.Uri = aws.String("POST"), aws.String(lambdaURI("backend"))
		} else {
			pi.RequestTemplates = map[string]string{"application/json": `{"statusCode": 200}`}
		}
		must(c.PutIntegration(ctx, pi)).ok(t)
		if typ == types.IntegrationTypeMock {
			must(c.PutMethodResponse(ctx, &apigw.PutMethodResponseInput{RestApiId: api.Id, ResourceId: r.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})).ok(t)
			must(c.PutIntegrationResponse(ctx, &apigw.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: r.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
				ResponseTemplates: map[string]string{"application/json": `{"mock":"ok"}`}})).ok(t)
		}
	}
	for _, stage := range []string{"prod", "dev"} {
		must(c.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String(stage)})).ok(t)
	}
	return *api.Id
}

// gatewayAnswer checks a data-plane refusal: status, x-amzn-ErrorType and
// the exact body.
func gatewayAnswer(t *testing.T, what string, status int, h http.Header, body []byte, wantStatus int, wantType, wantBody string) {
	t.Helper()
	if status != wantStatus || h.Get("X-Amzn-Errortype") != wantType || string(body) != wantBody {
		t.Errorf("%s: got %d %q %s, want %d %q %s", what, status, h.Get("X-Amzn-Errortype"), body, wantStatus, wantType, wantBody)
	}
}

// proxyEventOf decodes the event the echo backend answered with.
func proxyEventOf(t *testing.T, body []byte) events.APIGatewayProxyRequest {
	t.Helper()
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("backend answer %s: %v", body, err)
	}
	return ev
}

// --- API keys and usage plans ---------------------------------------------------

// The attack: a method with apiKeyRequired answered anyone. Now only an
// enabled key in a usage plan bound to the stage gets through.
func TestAPIKeyRequiredRefusesCallsWithoutAValidKey(t *testing.T) {
	st := startStandalone(t, true)
	c := st.client
	api := guardedAPI(t, c, methodAuth{authorizationType: "NONE", apiKeyRequired: true})
	url := st.url + "/restapis/" + api + "/prod/_user_request_/pets"
	get := func(key string) (int, http.Header, []byte) {
		hdr := map[string][]string{}
		if key != "" {
			hdr["x-api-key"] = []string{key}
		}
		return call(t, "GET", url, nil, hdr, "")
	}
	forbidden := func(what, key string) {
		t.Helper()
		code, h, b := get(key)
		gatewayAnswer(t, what, code, h, b, 403, "ForbiddenException", `{"message":"Forbidden"}`)
	}
	forbidden("no key", "")
	forbidden("unknown key", "not-a-key-of-this-account-at-all")

	key := must(c.CreateApiKey(ctx, &apigw.CreateApiKeyInput{Name: aws.String("alice"), Enabled: true})).ok(t)
	forbidden("key in no plan", *key.Value)

	other := must(c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("dev only"),
		ApiStages: []types.ApiStage{{ApiId: &api, Stage: aws.String("dev")}}})).ok(t)
	must(c.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: other.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})).ok(t)
	forbidden("key in a plan of another stage", *key.Value)
	if code, _, _ := call(t, "GET", st.url+"/restapis/"+api+"/dev/_user_request_/pets", nil, map[string][]string{"x-api-key": {*key.Value}}, ""); code != 200 {
		t.Fatalf("key on the stage of its plan: %d", code)
	}

	plan := must(c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("prod"),
		ApiStages: []types.ApiStage{{ApiId: &api, Stage: aws.String("prod")}}})).ok(t)
	must(c.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})).ok(t)
	code, _, b := get(*key.Value)
	if code != 200 {
		t.Fatalf("valid key: %d %s", code, b)
	}
	id := proxyEventOf(t, b).RequestContext.Identity
	if id.APIKey != *key.Value || id.APIKeyID != *key.Id {
		t.Errorf("identity apiKey %q apiKeyId %q, want %s %s", id.APIKey, id.APIKeyID, *key.Value, *key.Id)
	}
	// the unprotected method beside it needs nothing
	if code, _, _ := call(t, "GET", st.url+"/restapis/"+api+"/prod/_user_request_/open", nil, nil, ""); code != 200 {
		t.Fatalf("open method: %d", code)
	}

	must(c.UpdateApiKey(ctx, &apigw.UpdateApiKeyInput{ApiKey: key.Id, PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/enabled"), Value: aws.String("false")}}})).ok(t)
	forbidden("disabled key", *key.Value)
	must(c.UpdateApiKey(ctx, &apigw.UpdateApiKeyInput{ApiKey: key.Id, PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/enabled"), Value: aws.String("true")}}})).ok(t)
	if code, _, _ := get(*key.Value); code != 200 {
		t.Fatalf("re-enabled key: %d", code)
	}
	must(c.DeleteUsagePlanKey(ctx, &apigw.DeleteUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id})).ok(t)
	forbidden("key taken out of the plan", *key.Value)
	must(c.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})).ok(t)
	must(c.DeleteApiKey(ctx, &apigw.DeleteApiKeyInput{ApiKey: key.Id})).ok(t)
	forbidden("deleted key", *key.Value)
	// the Lambda behind was reached only by the admitted calls
	if n := st.lambda.count(); n != 4 {
		t.Errorf("backend invoked %d times, want 4", n)
	}
}

func TestUsagePlanThrottleAndQuota(t *testing.T) {
	st := startStandalone(t, true)
	c := st.client
	api := guardedAPI(t, c, methodAuth{authorizationType: "NONE", apiKeyRequired: true})
	newKey := func(plan *apigw.CreateUsagePlanOutput) string {
		k := must(c.CreateApiKey(ctx, &apigw.CreateApiKeyInput{Name: aws.String("k"), Enabled: true})).ok(t)
		must(c.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")})).ok(t)
		return *k.Value
	}
	stage := []types.ApiStage{{ApiId: &api, Stage: aws.String("prod")}}
	get := func(key string) (int, http.Header, []byte) {
		return call(t, "GET", st.url+"/restapis/"+api+"/prod/_user_request_/pets", nil, map[string][]string{"X-API-Key": {key}}, "")
	}

	// a burst of 2 that refills once in ~3 hours: the third call is throttled
	throttled := must(c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("throttled"), ApiStages: stage,
		Throttle: &types.ThrottleSettings{BurstLimit: 2, RateLimit: 0.0001}})).ok(t)
	k1, k2 := newKey(throttled), newKey(throttled)
	for i := 0; i < 2; i++ {
		if code, _, b := get(k1); code != 200 {
			t.Fatalf("call %d within the burst: %d %s", i, code, b)
		}
	}
	code, h, b := get(k1)
	gatewayAnswer(t, "over the burst", code, h, b, 429, "TooManyRequestsException", `{"message":"Too Many Requests"}`)
	// each key has its own bucket
	if code, _, _ := get(k2); code != 200 {
		t.Fatalf("another key of the plan: %d", code)
	}

	// a quota of 3 a day, 1 already used (offset): the third call is over
	quota := must(c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("quota"), ApiStages: stage,
		Quota: &types.QuotaSettings{Limit: 3, Offset: 1, Period: types.QuotaPeriodTypeDay}})).ok(t)
	k3 := newKey(quota)
	for i := 0; i < 2; i++ {
		if code, _, b := get(k3); code != 200 {
			t.Fatalf("call %d within the quota: %d %s", i, code, b)
		}
	}
	code, h, b = get(k3)
	gatewayAnswer(t, "over the quota", code, h, b, 429, "LimitExceededException", `{"message":"Limit Exceeded"}`)

	// GetUsage counts what was served today
	today := time.Now().UTC().Format("2006-01-02")
	u := must(c.GetUsage(ctx, &apigw.GetUsageInput{UsagePlanId: quota.Id, StartDate: &today, EndDate: &today})).ok(t)
	if len(u.Items) != 1 {
		t.Fatalf("usage %+v", u.Items)
	}
	for _, days := range u.Items {
		if len(days) != 1 || days[0][0] != 2 || days[0][1] != 0 {
			t.Errorf("usage today %v, want [[2 0]]", days)
		}
	}

	// raising the quota starts the period's count afresh
	must(c.UpdateUsagePlan(ctx, &apigw.UpdateUsagePlanInput{UsagePlanId: quota.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/quota/limit"), Value: aws.String("10")}}})).ok(t)
	if code, _, _ := get(k3); code != 200 {
		t.Fatalf("after raising the quota: %d", code)
	}

	// a method throttle on the plan's stage overrides the plan's
	must(c.UpdateUsagePlan(ctx, &apigw.UpdateUsagePlanInput{UsagePlanId: quota.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/apiStages/" + api + ":prod/throttle/~1pets~1GET/burstLimit"), Value: aws.String("1")},
		{Op: types.OpReplace, Path: aws.String("/apiStages/" + api + ":prod/throttle/~1pets~1GET/rateLimit"), Value: aws.String("0.0001")}}})).ok(t)
	got := must(c.GetUsagePlan(ctx, &apigw.GetUsagePlanInput{UsagePlanId: quota.Id})).ok(t)
	if th := got.ApiStages[0].Throttle["/pets/GET"]; th.BurstLimit != 1 {
		t.Fatalf("method throttle %+v", got.ApiStages)
	}
	k4 := newKey(quota)
	get(k4)
	code, h, b = get(k4)
	gatewayAnswer(t, "over the method's burst", code, h, b, 429, "TooManyRequestsException", `{"message":"Too Many Requests"}`)
}

func TestAPIKeysAndUsagePlansControlPlane(t *testing.T) {
	st := startStandalone(t, true)
	c := st.client
	api := guardedAPI(t, c, methodAuth{authorizationType: "NONE", apiKeyRequired: true})

	k := must(c.CreateApiKey(ctx, &apigw.CreateApiKeyInput{Name: aws.String("alice"), Description: aws.String("d"), CustomerId: aws.String("cust")})).ok(t)
	if k.Enabled || len(*k.Value) != 40 || len(*k.Id) != 10 || k.CreatedDate == nil {
		t.Fatalf("created key %+v (keys are disabled unless enabled, values 40 characters)", k)
	}
	got := must(c.GetApiKey(ctx, &apigw.GetApiKeyInput{ApiKey: k.Id})).ok(t)
	if got.Value != nil || *got.Name != "alice" || *got.CustomerId != "cust" {
		t.Fatalf("GetApiKey without includeValue %+v", got)
	}
	got = must(c.GetApiKey(ctx, &apigw.GetApiKeyInput{ApiKey: k.Id, IncludeValue: aws.Bool(true)})).ok(t)
	if aws.ToString(got.Value) != *k.Value {
		t.Fatalf("GetApiKey includeValue %+v", got)
	}
	_, err := c.CreateApiKey(ctx, &apigw.CreateApiKeyInput{Name: aws.String("short"), Value: aws.String("too-short")})
	wantErr[*types.BadRequestException](t, err, "API Key value should be at least 20 characters")
	mine := must(c.CreateApiKey(ctx, &apigw.CreateApiKeyInput{Name: aws.String("bob"), Value: aws.String("0123456789abcdefghij-mine"), Enabled: true})).ok(t)
	_, err = c.CreateApiKey(ctx, &apigw.CreateApiKeyInput{Name: aws.String("again"), Value: aws.String("0123456789abcdefghij-mine")})
	wantErr[*types.ConflictException](t, err, "API Key already exists")

	list := must(c.GetApiKeys(ctx, &apigw.GetApiKeysInput{})).ok(t)
	if len(list.Items) != 2 || list.Items[0].Value != nil {
		t.Fatalf("GetApiKeys %+v", list.Items)
	}
	list = must(c.GetApiKeys(ctx, &apigw.GetApiKeysInput{NameQuery: aws.String("bo"), IncludeValues: aws.Bool(true)})).ok(t)
	if len(list.Items) != 1 || *list.Items[0].Value != "0123456789abcdefghij-mine" {
		t.Fatalf("GetApiKeys name=bo includeValues %+v", list.Items)
	}
	up := must(c.UpdateApiKey(ctx, &apigw.UpdateApiKeyInput{ApiKey: k.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("alice2")},
		{Op: types.OpReplace, Path: aws.String("/enabled"), Value: aws.String("true")}}})).ok(t)
	if *up.Name != "alice2" || !up.Enabled {
		t.Fatalf("UpdateApiKey %+v", up)
	}
	_, err = c.UpdateApiKey(ctx, &apigw.UpdateApiKeyInput{ApiKey: k.Id, PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/value"), Value: aws.String("x")}}})
	wantErr[*types.BadRequestException](t, err, "Invalid patch path '/value' specified for op 'replace'")
	_, err = c.GetApiKey(ctx, &apigw.GetApiKeyInput{ApiKey: aws.String("nope")})
	wantErr[*types.NotFoundException](t, err, "Invalid API Key identifier specified")

	// usage plans
	_, err = c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("p"), ApiStages: []types.ApiStage{{ApiId: &api, Stage: aws.String("nostage")}}})
	wantErr[*types.NotFoundException](t, err, "Invalid Stage identifier specified")
	_, err = c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("p"), Quota: &types.QuotaSettings{Limit: 5, Period: "YEAR"}})
	wantErr[*types.BadRequestException](t, err, "")
	p := must(c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("gold"), Description: aws.String("g"),
		ApiStages: []types.ApiStage{{ApiId: &api, Stage: aws.String("prod")}},
		Throttle:  &types.ThrottleSettings{BurstLimit: 10, RateLimit: 5}, Quota: &types.QuotaSettings{Limit: 1000, Period: types.QuotaPeriodTypeMonth}})).ok(t)
	if *p.Name != "gold" || p.Throttle.BurstLimit != 10 || p.Throttle.RateLimit != 5 || p.Quota.Limit != 1000 || p.Quota.Period != types.QuotaPeriodTypeMonth ||
		len(p.ApiStages) != 1 || *p.ApiStages[0].Stage != "prod" {
		t.Fatalf("CreateUsagePlan %+v", p)
	}
	p2 := must(c.UpdateUsagePlan(ctx, &apigw.UpdateUsagePlanInput{UsagePlanId: p.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/throttle/rateLimit"), Value: aws.String("2.5")},
		{Op: types.OpReplace, Path: aws.String("/quota/period"), Value: aws.String("WEEK")},
		{Op: types.OpAdd, Path: aws.String("/apiStages"), Value: aws.String(api + ":dev")},
		{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("platinum")}}})).ok(t)
	if p2.Throttle.RateLimit != 2.5 || p2.Quota.Period != types.QuotaPeriodTypeWeek || len(p2.ApiStages) != 2 || *p2.Name != "platinum" {
		t.Fatalf("UpdateUsagePlan %+v", p2)
	}
	p2 = must(c.UpdateUsagePlan(ctx, &apigw.UpdateUsagePlanInput{UsagePlanId: p.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpRemove, Path: aws.String("/apiStages"), Value: aws.String(api + ":dev")}}})).ok(t)
	if len(p2.ApiStages) != 1 {
		t.Fatalf("remove apiStage %+v", p2.ApiStages)
	}

	pk := must(c.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: mine.Id, KeyType: aws.String("API_KEY")})).ok(t)
	if *pk.Id != *mine.Id || *pk.Type != "API_KEY" || *pk.Value != "0123456789abcdefghij-mine" || *pk.Name != "bob" {
		t.Fatalf("CreateUsagePlanKey %+v", pk)
	}
	_, err = c.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: aws.String("nokey"), KeyType: aws.String("API_KEY")})
	wantErr[*types.NotFoundException](t, err, "Invalid API Key identifier specified")
	// one key, two plans on the same stage: refused
	p3 := must(c.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("silver"), ApiStages: []types.ApiStage{{ApiId: &api, Stage: aws.String("prod")}}})).ok(t)
	_, err = c.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: p3.Id, KeyId: mine.Id, KeyType: aws.String("API_KEY")})
	wantErr[*types.ConflictException](t, err, "")
	keys := must(c.GetUsagePlanKeys(ctx, &apigw.GetUsagePlanKeysInput{UsagePlanId: p.Id})).ok(t)
	if len(keys.Items) != 1 || *keys.Items[0].Id != *mine.Id {
		t.Fatalf("GetUsagePlanKeys %+v", keys.Items)
	}
	must(c.GetUsagePlanKey(ctx, &apigw.GetUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: mine.Id})).ok(t)
	plans := must(c.GetUsagePlans(ctx, &apigw.GetUsagePlansInput{KeyId: mine.Id})).ok(t)
	if len(plans.Items) != 1 || *plans.Items[0].Id != *p.Id {
		t.Fatalf("GetUsagePlans keyId %+v", plans.Items)
	}
	if all := must(c.GetUsagePlans(ctx, &apigw.GetUsagePlansInput{})).ok(t); len(all.Items) != 2 {
		t.Fatalf("GetUsagePlans %+v", all.Items)
	}
	must(c.DeleteUsagePlanKey(ctx, &apigw.DeleteUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: mine.Id})).ok(t)
	_, err = c.GetUsagePlanKey(ctx, &apigw.GetUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: mine.Id})
	wantErr[*types.NotFoundException](t, err, "")
	must(c.DeleteUsagePlan(ctx, &apigw.DeleteUsagePlanInput{UsagePlanId: p.Id})).ok(t)
	_, err = c.GetUsagePlan(ctx, &apigw.GetUsagePlanInput{UsagePlanId: p.Id})
	wantErr[*types.NotFoundException](t, err, "Invalid Usage Plan ID specified")
	must(c.DeleteApiKey(ctx, &apigw.DeleteApiKeyInput{ApiKey: k.Id})).ok(t)
	_, err = c.DeleteApiKey(ctx, &apigw.DeleteApiKeyInput{ApiKey: k.Id})
	wantErr[*types.NotFoundException](t, err, "Invalid API Key identifier specified")
}

// The API key path through the aws CLI, as a user sets it up.
func TestCLIAPIKeyAndUsagePlan(t *testing.T) {
	st := startStandalone(t, true)
	api := guardedAPI(t, st.client, methodAuth{authorizationType: "NONE", apiKeyRequired: true})
	cli := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := emutest.CLI(t, st.url, args...)
		if code != 0 {
			t.Fatalf("aws %v: %d %s", args, code, errOut)
		}
		var v map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("aws %v: %v in %s", args, err, out)
			}
		}
		return v
	}
	key := cli("apigateway", "create-api-key", "--name", "cli-key", "--enabled")
	plan := cli("apigateway", "create-usage-plan", "--name", "cli-plan", "--api-stages", "apiId="+api+",stage=prod",
		"--throttle", "burstLimit=5,rateLimit=10", "--quota", "limit=100,period=DAY")
	cli("apigateway", "create-usage-plan-key", "--usage-plan-id", plan["id"].(string), "--key-id", key["id"].(string), "--key-type", "API_KEY")
	got := cli("apigateway", "get-api-key", "--api-key", key["id"].(string), "--include-value")
	if got["value"] != key["value"] || got["enabled"] != true {
		t.Fatalf("get-api-key %v", got)
	}
	url := st.url + "/restapis/" + api + "/prod/_user_request_/pets"
	if code, _, _ := call(t, "GET", url, nil, nil, ""); code != 403 {
		t.Fatalf("without the key: %d", code)
	}
	if code, _, b := call(t, "GET", url, nil, map[string][]string{"x-api-key": {key["value"].(string)}}, ""); code != 200 {
		t.Fatalf("with the key: %d %s", code, b)
	}
	keys := cli("apigateway", "get-usage-plan-keys", "--usage-plan-id", plan["id"].(string))
	if items, _ := keys["items"].([]any); len(items) != 1 {
		t.Fatalf("get-usage-plan-keys %v", keys)
	}
	cli("apigateway", "update-api-key", "--api-key", key["id"].(string), "--patch-operations", "op=replace,path=/enabled,value=false")
	if code, _, _ := call(t, "GET", url, nil, map[string][]string{"x-api-key": {key["value"].(string)}}, ""); code != 403 {
		t.Fatalf("disabled key: %d", code)
	}
	cli("apigateway", "delete-usage-plan-key", "--usage-plan-id", plan["id"].(string), "--key-id", key["id"].(string))
	cli("apigateway", "delete-usage-plan", "--usage-plan-id", plan["id"].(string))
	cli("apigateway", "delete-api-key", "--api-key", key["id"].(string))
}

// --- AWS_IAM ---------------------------------------------------------------------

func signedRequest(t *testing.T, method, url, body, service, accessKey, secret string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}, req,
		hex.EncodeToString(sum[:]), service, "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func do(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header, []byte(b.String())
}

// The attack: an AWS_IAM method answered unsigned calls. Without strict
// auth a signature must still be there, well formed and for execute-api;
// the signer's identity reaches the integration.
func TestAWSIAMMethodNeedsASignature(t *testing.T) {
	st := startStandalone(t, true)
	api := guardedAPI(t, st.client, methodAuth{authorizationType: "AWS_IAM"})
	for _, u := range invokeURLs(st.url, st.port, api, "prod", "/pets") {
		url := u.url
		code, h, b := call(t, "GET", url, nil, nil, u.host)
		gatewayAnswer(t, u.name+" unsigned", code, h, b, 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
		code, h, _ = call(t, "GET", url, nil, map[string][]string{"Authorization": {"Bearer abc"}}, u.host)
		if code != 403 || h.Get("X-Amzn-Errortype") != "IncompleteSignatureException" {
			t.Errorf("%s bearer token: %d %s", u.name, code, h.Get("X-Amzn-Errortype"))
		}
		req := signedRequest(t, "GET", url, "", "apigateway", "AKIDEXAMPLE", "secret", time.Now())
		if u.host != "" {
			req.Host = u.host
		}
		code, h, b = do(t, req)
		gatewayAnswer(t, u.name+" signed for another service", code, h, b, 403, "InvalidSignatureException", `{"message":"Credential should be scoped to correct service: 'execute-api'. "}`)

		req, _ = http.NewRequest("GET", url, nil)
		if u.host != "" {
			req.Host = u.host
		}
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, req,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "execute-api", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		code, _, b = do(t, req)
		if code != 200 {
			t.Fatalf("%s signed: %d %s", u.name, code, b)
		}
		id := proxyEventOf(t, b).RequestContext.Identity
		if id.AccessKey != "AKIDEXAMPLE" || id.AccountID != "000000000000" || id.UserArn != "arn:aws:iam::000000000000:root" || id.Caller == "" || id.User == "" {
			t.Errorf("%s identity %+v", u.name, id)
		}
	}
	if n := st.lambda.count(); n != 3 {
		t.Errorf("backend invoked %d times, want 3", n)
	}
}

// With strict auth the signature is verified with the emulator's keys.
func TestAWSIAMMethodUnderStrictAuth(t *testing.T) {
	e, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	c := apigw.NewFromConfig(cfg)
	api := guardedAPI(t, c, methodAuth{authorizationType: "AWS_IAM", integration: types.IntegrationTypeMock})
	url := e.URL() + "/restapis/" + api + "/prod/_user_request_/pets"

	code, h, b := call(t, "GET", url, nil, nil, "")
	gatewayAnswer(t, "unsigned", code, h, b, 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
	code, h, b = do(t, signedRequest(t, "GET", url, "", "execute-api", emutest.AccessKey, "wrong-secret", time.Now()))
	if code != 403 || h.Get("X-Amzn-Errortype") != "InvalidSignatureException" || !strings.Contains(string(b), "The request signature we calculated does not match the signature you provided.") {
		t.Errorf("wrong secret: %d %s %s", code, h.Get("X-Amzn-Errortype"), b)
	}
	code, h, b = do(t, signedRequest(t, "GET", url, "", "execute-api", "AKIDUNKNOWN", emutest.SecretKey, time.Now()))
	gatewayAnswer(t, "unknown key", code, h, b, 403, "UnrecognizedClientException", `{"message":"The security token included in the request is invalid."}`)
	code, h, b = do(t, signedRequest(t, "GET", url, "", "execute-api", emutest.AccessKey, emutest.SecretKey, time.Now().Add(-time.Hour)))
	if code != 403 || h.Get("X-Amzn-Errortype") != "InvalidSignatureException" || !strings.Contains(string(b), "Signature expired") {
		t.Errorf("an hour old: %d %s %s", code, h.Get("X-Amzn-Errortype"), b)
	}
	port := e.URL()[strings.LastIndexByte(e.URL(), ':')+1:]
	for _, u := range invokeURLs(e.URL(), port, api, "prod", "/pets") {
		req, _ := http.NewRequest("GET", u.url, nil)
		if u.host != "" {
			req.Host = u.host
		}
		err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: emutest.AccessKey, SecretAccessKey: emutest.SecretKey}, req,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "execute-api", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if code, _, b := do(t, req); code != 200 || string(b) != `{"mock":"ok"}` {
			t.Fatalf("%s signed: %d %s", u.name, code, b)
		}
		code, h, b := call(t, "GET", u.url, nil, nil, u.host)
		gatewayAnswer(t, u.name+" unsigned", code, h, b, 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
	}
	// a presigned URL works too
	req, _ := http.NewRequest("GET", url+"?X-Amz-Expires=300", nil)
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: emutest.AccessKey, SecretAccessKey: emutest.SecretKey}, req,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "execute-api", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code, _, b := call(t, "GET", signed, nil, nil, ""); code != 200 {
		t.Fatalf("presigned: %d %s", code, b)
	}
	// a body other than the one signed is refused
	req = signedRequest(t, "POST", e.URL()+"/restapis/"+api+"/prod/_user_request_/pets", `{"a":1}`, "execute-api", emutest.AccessKey, emutest.SecretKey, time.Now())
	req.Method = "GET"
	req.Body = http.NoBody
	if code, _, _ := do(t, req); code != 403 {
		t.Errorf("tampered request: %d", code)
	}
	// the unprotected method stays public; a signature for execute-api
	// never reaches the control plane
	if code, _, _ := call(t, "GET", e.URL()+"/restapis/"+api+"/prod/_user_request_/open", nil, nil, ""); code != 200 {
		t.Errorf("open method under strict auth: %d", code)
	}
	code, _, b = do(t, signedRequest(t, "GET", e.URL()+"/restapis", "", "execute-api", emutest.AccessKey, emutest.SecretKey, time.Now()))
	if code == 200 || strings.Contains(string(b), "guarded") {
		t.Errorf("control plane reached with an execute-api signature: %d %s", code, b)
	}
}

// --- Lambda authorizers -------------------------------------------------------------

// authorizerLambda answers as the authorizer function "authz" (with
// policy) and echoes as the backend; it counts authorizer invocations.
type authorizerLambda struct {
	calls  atomic.Int32
	events chan []byte
	policy atomic.Value // func(event map[string]any) (payload string, functionError string)
}

func newAuthorizerLambda(st *standalone) *authorizerLambda {
	a := &authorizerLambda{events: make(chan []byte, 100)}
	st.lambda.set(func(ctx context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
		if !strings.HasSuffix(req.Function, ":authz") {
			return echo(ctx, req)
		}
		a.calls.Add(1)
		select {
		case a.events <- req.Payload:
		default:
		}
		var ev map[string]any
		json.Unmarshal(req.Payload, &ev)
		payload, fnErr := a.policy.Load().(func(map[string]any) (string, string))(ev)
		return cloud.InvokeResult{Payload: []byte(payload), FunctionError: fnErr}, nil
	})
	return a
}

func (a *authorizerLambda) answer(f func(ev map[string]any) (string, string)) { a.policy.Store(f) }

func policyAnswer(effect, resource string, extra string) string {
	return `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"` + effect +
		`","Resource":"` + resource + `"}]}` + extra + `}`
}

func TestTokenAuthorizer(t *testing.T) {
	st := startStandalone(t, true)
	authz := newAuthorizerLambda(st)
	api := guardedAPI(t, st.client, methodAuth{authorizationType: "CUSTOM", authorizer: &apigw.CreateAuthorizerInput{
		Name: aws.String("tok"), Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(lambdaURI("authz")),
		IdentitySource: aws.String("method.request.header.Authorization"), IdentityValidationExpression: aws.String("Bearer [a-z]+"),
		AuthorizerResultTtlInSeconds: aws.Int32(0)}})
	url := st.url + "/restapis/" + api + "/prod/_user_request_/pets"
	get := func(token string) (int, http.Header, []byte) {
		hdr := map[string][]string{}
		if token != "" {
			hdr["Authorization"] = []string{token}
		}
		return call(t, "GET", url, nil, hdr, "")
	}
	authz.answer(func(ev map[string]any) (string, string) {
		switch ev["authorizationToken"] {
		case "Bearer allow":
			return policyAnswer("Allow", ev["methodArn"].(string), `,"context":{"role":"admin","level":3,"ok":true}`), ""
		case "Bearer wildcard":
			return policyAnswer("Allow", "arn:aws:execute-api:us-east-1:000000000000:"+api+"/*/GET/*", ""), ""
		case "Bearer elsewhere":
			return policyAnswer("Allow", "arn:aws:execute-api:us-east-1:000000000000:"+api+"/prod/POST/pets", ""), ""
		case "Bearer deny":
			return policyAnswer("Deny", "*", ""), ""
		case "Bearer unauthorized":
			return `{"errorMessage":"Unauthorized","errorType":"errorString"}`, "Unhandled"
		case "Bearer nested":
			return policyAnswer("Allow", "*", `,"context":{"obj":{"a":1}}`), ""
		case "Bearer nopolicy":
			return `{"principalId":"x"}`, ""
		}
		return `{"errorMessage":"boom"}`, "Unhandled"
	})

	code, h, b := get("")
	gatewayAnswer(t, "no token", code, h, b, 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	code, h, b = get("Basic abc")
	gatewayAnswer(t, "token failing the validation expression", code, h, b, 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	if n := authz.calls.Load(); n != 0 {
		t.Fatalf("authorizer invoked %d times for requests without a valid identity", n)
	}

	code, _, b = get("Bearer allow")
	if code != 200 {
		t.Fatalf("allowed: %d %s", code, b)
	}
	ev := <-authz.events
	var tokenEvent events.APIGatewayCustomAuthorizerRequest
	json.Unmarshal(ev, &tokenEvent)
	wantARN := "arn:aws:execute-api:us-east-1:000000000000:" + api + "/prod/GET/pets"
	if tokenEvent.Type != "TOKEN" || tokenEvent.AuthorizationToken != "Bearer allow" || tokenEvent.MethodArn != wantARN {
		t.Errorf("TOKEN event %s", ev)
	}
	auth := proxyEventOf(t, b).RequestContext.Authorizer
	if auth["principalId"] != "user-1" || auth["role"] != "admin" || auth["level"] != "3" || auth["ok"] != "true" {
		t.Errorf("requestContext.authorizer %v", auth)
	}
	if code, _, b := get("Bearer wildcard"); code != 200 {
		t.Errorf("wildcard resource: %d %s", code, b)
	}

	code, h, b = get("Bearer elsewhere")
	gatewayAnswer(t, "allowed another method only", code, h, b, 403, "AccessDeniedException", `{"message":"User is not authorized to access this resource"}`)
	code, h, b = get("Bearer deny")
	gatewayAnswer(t, "denied", code, h, b, 403, "AccessDeniedException", `{"message":"User is not authorized to access this resource with an explicit deny"}`)
	code, h, b = get("Bearer unauthorized")
	gatewayAnswer(t, "Unauthorized error", code, h, b, 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	for _, tok := range []string{"Bearer failing", "Bearer nested", "Bearer nopolicy"} {
		code, h, b = get(tok)
		gatewayAnswer(t, tok, code, h, b, 500, "AuthorizerConfigurationException", `{"message": null}`)
	}
	if n := st.lambda.count() - int(authz.calls.Load()); n != 2 {
		t.Errorf("backend invoked %d times, want 2", n)
	}
}

func TestAuthorizerCache(t *testing.T) {
	st := startStandalone(t, true)
	authz := newAuthorizerLambda(st)
	api := guardedAPI(t, st.client, methodAuth{authorizationType: "CUSTOM", authorizer: &apigw.CreateAuthorizerInput{
		Name: aws.String("cached"), Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(lambdaURI("authz")),
		IdentitySource: aws.String("method.request.header.X-Token")}})
	z := must(st.client.GetAuthorizers(ctx, &apigw.GetAuthorizersInput{RestApiId: &api})).ok(t).Items[0]
	if aws.ToInt32(z.AuthorizerResultTtlInSeconds) != 300 {
		t.Fatalf("default TTL %v, want 300", z.AuthorizerResultTtlInSeconds)
	}
	var verdict atomic.Value
	verdict.Store("Allow")
	authz.answer(func(ev map[string]any) (string, string) {
		return policyAnswer(verdict.Load().(string), "*", ""), ""
	})
	get := func(token string) int {
		code, _, _ := call(t, "GET", st.url+"/restapis/"+api+"/prod/_user_request_/pets", nil, map[string][]string{"X-Token": {token}}, "")
		return code
	}
	for i := 0; i < 3; i++ {
		if code := get("alice"); code != 200 {
			t.Fatalf("call %d: %d", i, code)
		}
	}
	if n := authz.calls.Load(); n != 1 {
		t.Fatalf("authorizer invoked %d times for one identity, want 1 (cached)", n)
	}
	// a Deny is cached too: the authorizer changing its mind later does not
	// let the cached identity in
	verdict.Store("Deny")
	if code := get("mallory"); code != 403 {
		t.Fatalf("denied identity: %d", code)
	}
	verdict.Store("Allow")
	if code := get("mallory"); code != 403 {
		t.Fatalf("cached deny: %d", code)
	}
	if n := authz.calls.Load(); n != 2 {
		t.Fatalf("authorizer invoked %d times, want 2", n)
	}
	// TTL 0 disables the cache (at the next deployment)
	must(st.client.UpdateAuthorizer(ctx, &apigw.UpdateAuthorizerInput{RestApiId: &api, AuthorizerId: z.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/authorizerResultTtlInSeconds"), Value: aws.String("0")}}})).ok(t)
	must(st.client.CreateDeployment(ctx, &apigw.CreateDeploymentInput{RestApiId: &api, StageName: aws.String("prod")})).ok(t)
	get("bob")
	get("bob")
	if n := authz.calls.Load(); n != 4 {
		t.Fatalf("authorizer invoked %d times with TTL 0, want 4", n)
	}
}

func TestRequestAuthorizerWithUsageIdentifierKey(t *testing.T) {
	st := startStandalone(t, true)
	authz := newAuthorizerLambda(st)
	api := guardedAPI(t, st.client, methodAuth{authorizationType: "CUSTOM", apiKeyRequired: true, apiKeySource: types.ApiKeySourceTypeAuthorizer,
		authorizer: &apigw.CreateAuthorizerInput{
			Name: aws.String("req"), Type: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(lambdaURI("authz")),
			IdentitySource: aws.String("method.request.header.X-User, method.request.querystring.tenant")}})
	key := must(st.client.CreateApiKey(ctx, &apigw.CreateApiKeyInput{Name: aws.String("tenant-key"), Enabled: true})).ok(t)
	plan := must(st.client.CreateUsagePlan(ctx, &apigw.CreateUsagePlanInput{Name: aws.String("p"), ApiStages: []types.ApiStage{{ApiId: &api, Stage: aws.String("prod")}}})).ok(t)
	must(st.client.CreateUsagePlanKey(ctx, &apigw.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})).ok(t)
	authz.answer(func(ev map[string]any) (string, string) {
		q, _ := ev["queryStringParameters"].(map[string]any)
		usage := ""
		if q["tenant"] == "acme" {
			usage = `,"usageIdentifierKey":"` + *key.Value + `"`
		}
		return policyAnswer("Allow", "*", usage), ""
	})
	url := st.url + "/restapis/" + api + "/prod/_user_request_/pets"
	code, h, b := call(t, "GET", url+"?tenant=acme", nil, nil, "")
	gatewayAnswer(t, "missing header source", code, h, b, 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	code, h, b = call(t, "GET", url, nil, map[string][]string{"X-User": {"u"}}, "")
	gatewayAnswer(t, "missing query source", code, h, b, 401, "UnauthorizedException", `{"message":"Unauthorized"}`)

	code, _, b = call(t, "GET", url+"?tenant=acme", nil, map[string][]string{"X-User": {"u"}}, "")
	if code != 200 {
		t.Fatalf("authorized with a usage key: %d %s", code, b)
	}
	var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
	raw := <-authz.events
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != "REQUEST" || ev.MethodArn != "arn:aws:execute-api:us-east-1:000000000000:"+api+"/prod/GET/pets" || ev.Headers["X-User"] != "u" ||
		ev.QueryStringParameters["tenant"] != "acme" || ev.Resource != "/pets" || ev.HTTPMethod != "GET" || ev.RequestContext.Stage != "prod" {
		t.Errorf("REQUEST event %s", raw)
	}
	if id := proxyEventOf(t, b).RequestContext.Identity; id.APIKeyID != *key.Id {
		t.Errorf("identity apiKeyId %q, want %s", id.APIKeyID, *key.Id)
	}
	// no usage key from the authorizer: the method's key requirement fails
	code, h, b = call(t, "GET", url+"?tenant=other", nil, map[string][]string{"X-User": {"u"}, "x-api-key": {*key.Value}}, "")
	gatewayAnswer(t, "authorizer gave no key (x-api-key ignored)", code, h, b, 403, "ForbiddenException", `{"message":"Forbidden"}`)
}

func TestAuthorizersControlPlane(t *testing.T) {
	st := startStandalone(t, true)
	authz := newAuthorizerLambda(st)
	authz.answer(func(ev map[string]any) (string, string) {
		if ev["authorizationToken"] == "good" {
			return policyAnswer("Allow", "*", ""), ""
		}
		return `{"errorMessage":"Unauthorized"}`, "Unhandled"
	})
	c := st.client
	api := must(c.CreateRestApi(ctx, &apigw.CreateRestApiInput{Name: aws.String("a")})).ok(t)
	_, err := c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("bad"), Type: types.AuthorizerTypeToken,
		AuthorizerUri: aws.String(lambdaURI("authz")), IdentitySource: aws.String("method.request.querystring.t")})
	wantErr[*types.BadRequestException](t, err, "")
	_, err = c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("bad"), Type: types.AuthorizerTypeToken,
		AuthorizerUri: aws.String("not-an-arn"), IdentitySource: aws.String("method.request.header.A")})
	wantErr[*types.BadRequestException](t, err, "")
	z := must(c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("tok"), Type: types.AuthorizerTypeToken,
		AuthorizerUri: aws.String(lambdaURI("authz")), IdentitySource: aws.String("method.request.header.Authorization"), AuthorizerResultTtlInSeconds: aws.Int32(60)})).ok(t)
	if *z.Name != "tok" || z.Type != types.AuthorizerTypeToken || aws.ToInt32(z.AuthorizerResultTtlInSeconds) != 60 || len(*z.Id) == 0 {
		t.Fatalf("CreateAuthorizer %+v", z)
	}
	got := must(c.GetAuthorizer(ctx, &apigw.GetAuthorizerInput{RestApiId: api.Id, AuthorizerId: z.Id})).ok(t)
	if *got.IdentitySource != "method.request.header.Authorization" {
		t.Fatalf("GetAuthorizer %+v", got)
	}
	up := must(c.UpdateAuthorizer(ctx, &apigw.UpdateAuthorizerInput{RestApiId: api.Id, AuthorizerId: z.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("tok2")}}})).ok(t)
	if *up.Name != "tok2" {
		t.Fatalf("UpdateAuthorizer %+v", up)
	}
	if l := must(c.GetAuthorizers(ctx, &apigw.GetAuthorizersInput{RestApiId: api.Id})).ok(t); len(l.Items) != 1 {
		t.Fatalf("GetAuthorizers %+v", l.Items)
	}

	ti := must(c.TestInvokeAuthorizer(ctx, &apigw.TestInvokeAuthorizerInput{RestApiId: api.Id, AuthorizerId: z.Id, Headers: map[string]string{"Authorization": "good"}})).ok(t)
	if ti.ClientStatus != 200 || aws.ToString(ti.PrincipalId) != "user-1" || !strings.Contains(aws.ToString(ti.Policy), `"Effect":"Allow"`) {
		t.Fatalf("TestInvokeAuthorizer %+v", ti)
	}
	ev := <-authz.events
	if !strings.Contains(string(ev), *api.Id+"/ESTestInvoke-stage/GET/") {
		t.Errorf("test invocation event %s", ev)
	}
	ti = must(c.TestInvokeAuthorizer(ctx, &apigw.TestInvokeAuthorizerInput{RestApiId: api.Id, AuthorizerId: z.Id, Headers: map[string]string{"Authorization": "bad"}})).ok(t)
	if ti.ClientStatus != 401 {
		t.Fatalf("TestInvokeAuthorizer unauthorized %+v", ti)
	}
	ti = must(c.TestInvokeAuthorizer(ctx, &apigw.TestInvokeAuthorizerInput{RestApiId: api.Id, AuthorizerId: z.Id})).ok(t)
	if ti.ClientStatus != 401 {
		t.Fatalf("TestInvokeAuthorizer without identity %+v", ti)
	}

	// an authorizer in use cannot be deleted
	must(c.PutMethod(ctx, &apigw.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("CUSTOM"), AuthorizerId: z.Id})).ok(t)
	_, err = c.DeleteAuthorizer(ctx, &apigw.DeleteAuthorizerInput{RestApiId: api.Id, AuthorizerId: z.Id})
	wantErr[*types.ConflictException](t, err, "")
	must(c.DeleteMethod(ctx, &apigw.DeleteMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET")})).ok(t)
	must(c.DeleteAuthorizer(ctx, &apigw.DeleteAuthorizerInput{RestApiId: api.Id, AuthorizerId: z.Id})).ok(t)
	_, err = c.GetAuthorizer(ctx, &apigw.GetAuthorizerInput{RestApiId: api.Id, AuthorizerId: z.Id})
	wantErr[*types.NotFoundException](t, err, "Invalid Authorizer identifier specified")
}

// A method behind a Cognito user pool is refused, never served unprotected.
func TestCognitoAuthorizerIsRefused(t *testing.T) {
	st := startStandalone(t, true)
	api := guardedAPI(t, st.client, methodAuth{authorizationType: "COGNITO_USER_POOLS", authorizer: &apigw.CreateAuthorizerInput{
		Name: aws.String("pool"), Type: types.AuthorizerTypeCognitoUserPools, ProviderARNs: []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x"},
		IdentitySource: aws.String("method.request.header.Authorization")}})
	code, h, _ := call(t, "GET", st.url+"/restapis/"+api+"/prod/_user_request_/pets", nil, map[string][]string{"Authorization": {"token"}}, "")
	if code != 500 || h.Get("X-Amzn-Errortype") != "AuthorizerConfigurationException" || st.lambda.count() != 0 {
		t.Fatalf("cognito method: %d %s, backend calls %d", code, h.Get("X-Amzn-Errortype"), st.lambda.count())
	}
}

// fakeIdentities stands in for STS behind cloud.LinkIdentities.
type fakeIdentities map[string]cloud.CallerIdentity

func (f fakeIdentities) CallerIdentity(key string, _ time.Time) (cloud.CallerIdentity, bool) {
	id, ok := f[key]
	return id, ok
}

// Credentials of an assumed role show the role's session as the caller.
func TestAWSIAMIdentityOfAnAssumedRole(t *testing.T) {
	env := cloud.DefaultEnv()
	env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(&fakeLambda{reply: echo}))
	env.Links.Set(cloud.LinkIdentities, cloud.CallerIdentities(fakeIdentities{"ASIASESSION": {Account: "000000000000",
		Arn: "arn:aws:sts::000000000000:assumed-role/reader/s1", UserID: "AROAEXAMPLE:s1"}}))
	svc := apigateway.New(env)
	srv := httptest.NewServer(edgeHosts(svc))
	t.Cleanup(srv.Close)
	api := guardedAPI(t, apigw.NewFromConfig(emutest.Config(srv.URL)), methodAuth{authorizationType: "AWS_IAM"})
	code, _, b := do(t, signedRequest(t, "GET", srv.URL+"/restapis/"+api+"/prod/_user_request_/pets", "", "execute-api", "ASIASESSION", "s", time.Now()))
	if code != 200 {
		t.Fatalf("signed: %d %s", code, b)
	}
	id := proxyEventOf(t, b).RequestContext.Identity
	if id.UserArn != "arn:aws:sts::000000000000:assumed-role/reader/s1" || id.Caller != "AROAEXAMPLE:s1" || id.User != "AROAEXAMPLE:s1" || id.AccessKey != "ASIASESSION" {
		t.Errorf("identity %+v", id)
	}
}

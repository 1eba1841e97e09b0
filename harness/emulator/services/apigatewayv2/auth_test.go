package apigatewayv2_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/services/apigateway"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2"
)

// fakeLambda stands in for Lambda behind cloud.LinkLambda.
type fakeLambda struct {
	mu    sync.Mutex
	calls []cloud.InvokeRequest
	reply func(req cloud.InvokeRequest) (cloud.InvokeResult, error)
}

func (f *fakeLambda) Invoke(ctx context.Context, req cloud.InvokeRequest) (cloud.InvokeResult, error) {
	f.mu.Lock()
	f.calls = append(f.calls, req)
	reply := f.reply
	f.mu.Unlock()
	return reply(req)
}

func (f *fakeLambda) count(fn string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if strings.HasSuffix(c.Function, ":"+fn) {
			n++
		}
	}
	return n
}

// standalone is API Gateway v1 and v2 on one loopback server with a fake
// Lambda (v1 owns the shared routes and hands v2 its requests, as on the
// edge).
type standalone struct {
	h      http.Handler // the edge's part: API Gateway v1 dispatching to v2
	url    string
	client *apigw.Client
	lambda *fakeLambda
	v2     *apigatewayv2.Service
}

func startStandalone(t testing.TB, reply func(req cloud.InvokeRequest) (cloud.InvokeResult, error)) *standalone {
	t.Helper()
	env := cloud.DefaultEnv()
	st := &standalone{lambda: &fakeLambda{reply: reply}}
	env.Links.Set(cloud.LinkLambda, cloud.FunctionInvoker(st.lambda))
	v1 := apigateway.New(env)
	st.v2 = apigatewayv2.New(env)
	st.h = v1
	srv := httptest.NewServer(v1)
	t.Cleanup(srv.Close)
	env.Host = srv.Listener.Addr().String()
	st.url = srv.URL
	st.client = apigw.NewFromConfig(emutest.Config(srv.URL))
	return st
}

// echoV2 answers with the event it got.
func echoV2(req cloud.InvokeRequest) (cloud.InvokeResult, error) {
	b, _ := json.Marshal(map[string]any{"statusCode": 200, "body": string(req.Payload)})
	return cloud.InvokeResult{Payload: b}, nil
}

// issuer is an OpenID issuer on loopback with keys generated at test time.
type issuer struct {
	url string
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	is := &issuer{}
	var err error
	if is.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if is.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	ecPoint, err := is.ec.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	is.url = srv.URL
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
			{"kty": "RSA", "kid": "r1", "use": "sig", "alg": "RS256", "n": b64(is.rsa.N.Bytes()), "e": b64(big.NewInt(int64(is.rsa.E)).Bytes())},
			{"kty": "EC", "kid": "e1", "use": "sig", "crv": "P-256", "x": b64(ecPoint[1:33]), "y": b64(ecPoint[33:])},
		}})
	})
	return is
}

func (is *issuer) token(t testing.TB, method jwt.SigningMethod, kid string, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (is *issuer) claims(mut func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"iss": is.url, "aud": "orders-api", "sub": "user-1", "exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix(),
		"scope": "orders:read profile", "groups": []string{"admin", "ops"}}
	if mut != nil {
		mut(c)
	}
	return c
}

func TestJWTAuthorizer(t *testing.T) {
	st := startStandalone(t, echoV2)
	is := newIssuer(t)
	c := st.client
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("jwt"), ProtocolType: types.ProtocolTypeHttp})).ok(t)
	id := api.ApiId
	z := must(c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: id, Name: aws.String("jwt"), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String(is.url), Audience: []string{"other", "orders-api"}}})).ok(t)
	integ := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(lambdaURI("app")), PayloadFormatVersion: aws.String("2.0")})).ok(t)
	must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /orders"), Target: aws.String("integrations/" + *integ.IntegrationId),
		AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: z.AuthorizerId, AuthorizationScopes: []string{"orders:read"}})).ok(t)
	must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String("DELETE /orders"), Target: aws.String("integrations/" + *integ.IntegrationId),
		AuthorizationType: types.AuthorizationTypeJwt, AuthorizerId: z.AuthorizerId, AuthorizationScopes: []string{"orders:admin"}})).ok(t)
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})).ok(t)

	call := func(method, auth string) (int, string) {
		req := newReq(t, method, st.url+"/_aws/execute-api/"+*id+"/orders", "")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		status, _, body := do(t, req)
		return status, body
	}
	good := is.token(t, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(nil))
	status, body := call("GET", "Bearer "+good)
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal([]byte(body), &ev); status != 200 || err != nil {
		t.Fatalf("%d %s", status, body)
	}
	if a := ev.RequestContext.Authorizer; a == nil || a.JWT == nil || a.JWT.Claims["sub"] != "user-1" || a.JWT.Claims["groups"] != "[admin ops]" ||
		a.JWT.Claims["aud"] != "orders-api" || len(a.JWT.Scopes) != 2 || a.JWT.Scopes[0] != "orders:read" {
		t.Fatalf("authorizer context: %s", body)
	}
	// ES256, no Bearer prefix
	if status, body := call("GET", is.token(t, jwt.SigningMethodES256, "e1", is.ec, is.claims(nil))); status != 200 {
		t.Fatalf("ES256: %d %s", status, body)
	}
	// client_id instead of aud (access tokens)
	if status, body := call("GET", is.token(t, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(func(c jwt.MapClaims) { delete(c, "aud"); c["client_id"] = "orders-api" }))); status != 200 {
		t.Fatalf("client_id: %d %s", status, body)
	}
	// a valid token without the route's scope: 403
	if status, body := call("DELETE", good); status != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("scope: %d %s", status, body)
	}

	pubDER, _ := x509.MarshalPKIXPublicKey(&is.rsa.PublicKey)
	unsigned := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, is.claims(nil))
		tok.Header["kid"] = "r1"
		s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		return s
	}()
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, tok := range map[string]string{
		"missing":          "",
		"garbage":          "Bearer abc.def.ghi",
		"alg none":         unsigned,
		"HS256 with pub":   is.token(t, jwt.SigningMethodHS256, "r1", pubDER, is.claims(nil)),
		"HS256 with n":     is.token(t, jwt.SigningMethodHS256, "r1", is.rsa.N.Bytes(), is.claims(nil)),
		"wrong key":        is.token(t, jwt.SigningMethodRS256, "r1", other, is.claims(nil)),
		"unknown kid":      is.token(t, jwt.SigningMethodRS256, "nope", is.rsa, is.claims(nil)),
		"wrong issuer":     is.token(t, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })),
		"wrong audience":   is.token(t, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(func(c jwt.MapClaims) { c["aud"] = "someone-else" })),
		"expired":          is.token(t, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })),
		"no exp":           is.token(t, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(func(c jwt.MapClaims) { delete(c, "exp") })),
		"not yet valid":    is.token(t, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() })),
		"issued in future": is.token(t, jwt.SigningMethodRS256, "r1", is.rsa, is.claims(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() })),
		"EC key as RSA":    is.token(t, jwt.SigningMethodES256, "r1", is.ec, is.claims(nil)),
	} {
		if status, body := call("GET", tok); status != 401 || body != `{"message":"Unauthorized"}` {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	if n := st.lambda.count("app"); n != 3 {
		t.Fatalf("the integration ran %d times, want 3 (refused requests must not reach it)", n)
	}
}

func TestJWTAuthorizerControlPlaneErrors(t *testing.T) {
	st := startStandalone(t, echoV2)
	c := st.client
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("jwt"), ProtocolType: types.ProtocolTypeHttp})).ok(t)
	_, err := c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: api.ApiId, Name: aws.String("j"), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource: []string{"$request.header.Authorization"}, JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String("http://127.0.0.1:1")}})
	wantErr[*types.BadRequestException](t, err, 400, "JwtConfiguration must specify at least one Audience")
	ws := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("ws"), ProtocolType: types.ProtocolTypeWebsocket, RouteSelectionExpression: aws.String("$request.body.action")})).ok(t)
	_, err = c.CreateAuthorizer(ctx, &apigw.CreateAuthorizerInput{ApiId: ws.ApiId, Name: aws.String("j"), AuthorizerType: types.AuthorizerTypeJwt,
		IdentitySource: []string{"$request.header.Authorization"}, JwtConfiguration: &types.JWTConfiguration{Issuer: aws.String("http://x"), Audience: []string{"a"}}})
	wantErr[*types.BadRequestException](t, err, 400, "JWT authorizers are supported only for HTTP APIs")
}

func TestLambdaAuthorizer(t *testing.T) {
	var mu sync.Mutex
	allow := true
	st := startStandalone(t, func(req cloud.InvokeRequest) (cloud.InvokeResult, error) {
		switch {
		case strings.HasSuffix(req.Function, ":simple"):
			var ev events.APIGatewayV2CustomAuthorizerV2Request
			json.Unmarshal(req.Payload, &ev)
			mu.Lock()
			ok := allow && len(ev.IdentitySource) == 1 && ev.IdentitySource[0] == "tok-1" && ev.Type == "REQUEST" && ev.Version == "2.0" &&
				strings.HasSuffix(ev.RouteArn, "/$default/GET/items")
			mu.Unlock()
			b, _ := json.Marshal(map[string]any{"isAuthorized": ok, "context": map[string]any{"user": "u1", "n": 3}})
			return cloud.InvokeResult{Payload: b}, nil
		case strings.HasSuffix(req.Function, ":policy"):
			return cloud.InvokeResult{Payload: []byte(`{"principalId":"p","policyDocument":{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*/*/GET/*"}]},"context":{"role":"reader"}}`)}, nil
		case strings.HasSuffix(req.Function, ":unauthorized"):
			return cloud.InvokeResult{Payload: []byte(`{"errorMessage":"Unauthorized","errorType":"errorString"}`), FunctionError: "Unhandled"}, nil
		}
		return echoV2(req)
	})
	c := st.client
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("la"), ProtocolType: types.ProtocolTypeHttp})).ok(t)
	id := api.ApiId
	integ := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: id, IntegrationType: types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(lambdaURI("app")), PayloadFormatVersion: aws.String("2.0")})).ok(t)
	target := aws.String("integrations/" + *integ.IntegrationId)
	mk := func(name, fn string, simple bool, ttl int32) *string {
		in := &apigw.CreateAuthorizerInput{ApiId: id, Name: aws.String(name), AuthorizerType: types.AuthorizerTypeRequest,
			AuthorizerUri: aws.String(lambdaURI(fn)), AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(simple),
			IdentitySource: []string{"$request.header.X-Token"}, AuthorizerResultTtlInSeconds: aws.Int32(ttl)}
		return must(c.CreateAuthorizer(ctx, in)).ok(t).AuthorizerId
	}
	for key, z := range map[string]*string{"GET /items": mk("simple", "simple", true, 300), "POST /items": mk("policy", "policy", false, 0),
		"GET /denied": mk("unauth", "unauthorized", false, 0)} {
		must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: id, RouteKey: aws.String(key), Target: target,
			AuthorizationType: types.AuthorizationTypeCustom, AuthorizerId: z})).ok(t)
	}
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})).ok(t)
	call := func(method, path, token string) (int, string) {
		req := newReq(t, method, st.url+"/_aws/execute-api/"+*id+path, "")
		if token != "" {
			req.Header.Set("X-Token", token)
		}
		status, _, body := do(t, req)
		return status, body
	}
	status, body := call("GET", "/items", "tok-1")
	var ev events.APIGatewayV2HTTPRequest
	if json.Unmarshal([]byte(body), &ev); status != 200 || ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.Lambda["user"] != "u1" {
		t.Fatalf("%d %s", status, body)
	}
	// cached for its TTL: a second call does not invoke the authorizer
	mu.Lock()
	allow = false
	mu.Unlock()
	if status, _ := call("GET", "/items", "tok-1"); status != 200 || st.lambda.count("simple") != 1 {
		t.Fatalf("cache: %d, %d authorizer calls", status, st.lambda.count("simple"))
	}
	if status, body := call("GET", "/items", "tok-2"); status != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("deny: %d %s", status, body)
	}
	if status, body := call("GET", "/items", ""); status != 401 || body != `{"message":"Unauthorized"}` || st.lambda.count("simple") != 2 {
		t.Fatalf("no identity: %d %s", status, body)
	}
	// ResetAuthorizersCache forgets the verdict
	must(c.ResetAuthorizersCache(ctx, &apigw.ResetAuthorizersCacheInput{ApiId: id, StageName: aws.String("$default")})).ok(t)
	if status, _ := call("GET", "/items", "tok-1"); status != 403 {
		t.Fatalf("after reset: %d", status)
	}
	// IAM policy answers: allowed for GET only
	if status, body := call("POST", "/items", "t"); status != 403 {
		t.Fatalf("policy: %d %s", status, body)
	}
	if status, body := call("GET", "/denied", "t"); status != 401 {
		t.Fatalf("Unauthorized error: %d %s", status, body)
	}
}

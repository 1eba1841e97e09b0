package apigatewayv2_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// In strict mode the /v2/ control plane is signed like every control
// plane, an S3-signed /v2/ path still belongs to S3, the HTTP API data plane is
// public, and AWS_IAM routes demand a valid execute-api signature.
func TestStrictModeRoutesAndIAMRoutes(t *testing.T) {
	e, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	status, _, body := do(t, newReq(t, "POST", e.URL()+"/v2/apis", `{"name":"x","protocolType":"HTTP"}`))
	if status != 403 {
		t.Fatalf("unsigned control plane: %d %s", status, body)
	}
	// an S3-signed /v2/… path stays S3's
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("v2"), Key: aws.String("apis")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || (ae.ErrorCode() != "InvalidBucketName" && ae.ErrorCode() != "NoSuchBucket") {
		t.Fatalf("S3 path /v2/apis: %v", err)
	}

	c := apigw.NewFromConfig(cfg)
	api := must(c.CreateApi(ctx, &apigw.CreateApiInput{Name: aws.String("iam"), ProtocolType: types.ProtocolTypeHttp})).ok(t)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	t.Cleanup(backend.Close)
	integ := must(c.CreateIntegration(ctx, &apigw.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: types.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String(backend.URL), IntegrationMethod: aws.String("GET")})).ok(t)
	for key, auth := range map[string]types.AuthorizationType{"GET /open": types.AuthorizationTypeNone, "GET /iam": types.AuthorizationTypeAwsIam} {
		must(c.CreateRoute(ctx, &apigw.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key), AuthorizationType: auth,
			Target: aws.String("integrations/" + *integ.IntegrationId)})).ok(t)
	}
	must(c.CreateStage(ctx, &apigw.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)})).ok(t)
	base := e.URL() + "/_aws/execute-api/" + *api.ApiId
	if status, _, body := do(t, newReq(t, "GET", base+"/open", "")); status != 200 {
		t.Fatalf("public route: %d %s", status, body)
	}
	if status, _, body := do(t, newReq(t, "GET", base+"/iam", "")); status != 403 || body != `{"message":"Forbidden"}` {
		t.Fatalf("unsigned IAM route: %d %s", status, body)
	}
	sign := func(secret string) *http.Request {
		req := newReq(t, "GET", base+"/iam", "")
		sum := sha256.Sum256(nil)
		err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: emutest.AccessKey, SecretAccessKey: secret}, req,
			hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	if status, _, body := do(t, sign(emutest.SecretKey)); status != 200 {
		t.Fatalf("signed IAM route: %d %s", status, body)
	}
	if status, _, body := do(t, sign("wrong-secret")); status != 403 {
		t.Fatalf("badly signed IAM route: %d %s", status, body)
	}
}

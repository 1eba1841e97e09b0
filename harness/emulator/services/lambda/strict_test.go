package lambda_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// In strict mode each function instance gets its execution role's own
// session (ASIA… key, secret, token) which the emulator accepts with that
// token only, and revokes when the instance is gone: never the emulator's
// keys.
func TestStrictModeFunctionsGetTheirRoleSession(t *testing.T) {
	t.Parallel()
	key, secret := "AKIA"+strings.ToUpper(rand.Text()[:16]), rand.Text()+rand.Text()
	_, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{key: secret}))
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, "")
	cfg.RetryMaxAttempts = 1
	c := awslambda.NewFromConfig(cfg)
	name := createFn(t, c, withSDK)

	// The handler's own SDK calls work, across protocols.
	for _, svc := range []string{"sts", "lambda", "s3", "dynamodb"} {
		out := invoke(t, c, name, `{"mode":"sdk","service":"`+svc+`"}`)
		if aws.ToString(out.FunctionError) != "" {
			t.Fatalf("the handler's %s call under strict mode: %s", svc, out.Payload)
		}
		if svc == "sts" && !strings.Contains(string(out.Payload), `assumed-role/lambda-role/`+name) {
			t.Fatalf("the handler is %s", out.Payload)
		}
	}

	out := invoke(t, c, name, `{"mode":"env","keys":["AWS_ACCESS_KEY_ID","AWS_SECRET_ACCESS_KEY","AWS_SESSION_TOKEN"]}`)
	var env map[string]string
	if err := json.Unmarshal(out.Payload, &env); err != nil {
		t.Fatalf("env: %s", out.Payload)
	}
	id, sec, tok := env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]
	if !strings.HasPrefix(id, "ASIA") || tok == "" || id == key || sec == secret || strings.Contains(string(out.Payload), secret) {
		t.Fatalf("the function got %q / %q / %q", id, sec, tok)
	}

	// Outside the function: the session works with its token, and only so.
	as := func(id, sec, tok string) aws.Config {
		c := cfg.Copy()
		c.Credentials = credentials.NewStaticCredentialsProvider(id, sec, tok)
		return c
	}
	ctx := context.Background()
	if _, err := sts.NewFromConfig(as(id, sec, tok)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the function's session with its token: %v", err)
	}
	_, err := awslambda.NewFromConfig(as(id, sec, "")).ListFunctions(ctx, &awslambda.ListFunctionsInput{})
	wantCode(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	_, err = awslambda.NewFromConfig(as(id, sec, tok+"x")).ListFunctions(ctx, &awslambda.ListFunctionsInput{})
	wantCode(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	_, err = sts.NewFromConfig(as(id, sec, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId", "")
	s3c := func(cfg aws.Config) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	}
	_, err = s3c(as(id, sec, "")).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantCode(t, err, "InvalidAccessKeyId", "")
	_, err = s3c(as(id, sec, strings.ToUpper(tok))).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantCode(t, err, "InvalidToken", "")

	// Once the function is gone (its instances killed), so is the session.
	if _, err := c.DeleteFunction(ctx, &awslambda.DeleteFunctionInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err = sts.NewFromConfig(as(id, sec, tok)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "InvalidClientTokenId" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deleted function's session still works: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

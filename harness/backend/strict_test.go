package backend_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/backend"
)

// GROUNDSTACK_STRICT_AUTH=1 starts the embedded emulator in strict mode:
// its Config signs with keys made at start-up, test credentials are
// refused, and an external connection signs with the keys it is handed.
func TestStrictEmbeddedBackend(t *testing.T) {
	ctx := context.Background()
	t.Setenv(backend.EnvBackend, "embedded")
	t.Setenv(backend.EnvStrictAuth, "1")
	b, err := backend.FromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	creds := checkStrict(t, b)
	ext, err := backend.ConnectExternal(ctx, b.Endpoint(), backend.StartedByThisRun())
	if err != nil {
		t.Fatal(err)
	}
	ext.SignWith(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, ""))
	if err := ext.Reset(ctx); err != nil {
		t.Fatalf("a signed reset through the edge: %v", err)
	}
}

// checkStrict asserts a backend's cloud is strict and its Config signs
// with keys it accepts, and returns those keys.
func checkStrict(t *testing.T, b backend.Backend) aws.Credentials {
	t.Helper()
	ctx := context.Background()
	cfg := b.Config()
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the backend's own config: %v", err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID == "test" {
		t.Fatalf("strict keys: %v %q", err, creds.AccessKeyID)
	}
	test := backend.SDKConfig(b.Endpoint(), "")
	_, err = sts.NewFromConfig(test).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
		t.Fatalf("test credentials on a strict emulator: %v", err)
	}
	return creds
}

package backend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/groundstack/groundstack/harness/backend"
)

func TestFromEnvSelectsBackend(t *testing.T) {
	ctx := context.Background()
	t.Setenv(backend.EnvBackend, "")
	b, err := backend.FromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Name() != "embedded" || !strings.HasPrefix(b.Endpoint(), "http://127.0.0.1:") {
		t.Fatalf("%s at %s", b.Name(), b.Endpoint())
	}

	t.Setenv(backend.EnvBackend, "external")
	t.Setenv(backend.EnvEndpoint, b.Endpoint())
	ext, err := backend.FromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ext.Name() != "external" || ext.Endpoint() != b.Endpoint() {
		t.Fatalf("%s at %s", ext.Name(), ext.Endpoint())
	}
	if err := ext.Reset(ctx); err != nil {
		t.Fatalf("reset through the edge: %v", err)
	}
	// An external groundstack is recognised as one: every feature.
	for _, f := range []backend.Feature{backend.FeatureReset, backend.FeatureHealth, backend.FeaturePathURLs, backend.FeatureWebSocketAPIs} {
		if !ext.Supports(f) || !b.Supports(f) {
			t.Errorf("%s: external %v, embedded %v", f, ext.Supports(f), b.Supports(f))
		}
	}

	for _, bad := range []struct{ kind, endpoint, want string }{
		{"external", "", "GROUNDSTACK_REAL_AWS=1"},
		{"kubernetes", "", "unknown GROUNDSTACK_BACKEND"},
	} {
		t.Setenv(backend.EnvBackend, bad.kind)
		t.Setenv(backend.EnvEndpoint, bad.endpoint)
		t.Setenv(backend.EnvRealAWS, "")
		if _, err := backend.FromEnv(ctx); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v", bad.kind, err)
		}
	}
}

func TestEmbeddedConfigReachesTheEdge(t *testing.T) {
	b, err := backend.StartEmbedded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	out, err := sts.NewFromConfig(b.Config()).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity through the embedded backend: %v", err)
	}
	if *out.Account != "000000000000" {
		t.Fatalf("account %s", *out.Account)
	}
}

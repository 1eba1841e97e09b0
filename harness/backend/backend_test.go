package backend_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/ec2host"
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
	t.Setenv(backend.EnvAllowReset, "1")
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
	// An external groundstack is asked what it serves, and answers as the
	// embedded one knows itself: no service of ours serves WebSocket APIs
	// yet; EC2 hosts run python3 when this machine's stock PATH has it.
	python := exec.Command("/bin/sh", "-c", "python3 -c ''")
	python.Env = []string{"PATH=" + ec2host.CommandPATH}
	hasPython := python.Run() == nil
	for _, tc := range []struct {
		f    backend.Feature
		want bool
	}{
		{backend.FeatureReset, true},
		{backend.FeatureHealth, true},
		{backend.FeaturePathURLs, true},
		{backend.FeatureEC2Hosts, true},
		{backend.FeatureEC2Python, hasPython},
		{backend.FeatureWebSocketAPIs, true}, // apigatewayv2 serves them
	} {
		if ext.Supports(tc.f) != tc.want || b.Supports(tc.f) != tc.want {
			t.Errorf("%s: external %v, embedded %v, want %v", tc.f, ext.Supports(tc.f), b.Supports(tc.f), tc.want)
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

// An external cloud is someone's `groundstack up`: a suite must not wipe
// what they deployed. Reset is refused, and the feature withheld with a
// reason, unless GROUNDSTACK_ALLOW_RESET=1 or the cloud is this run's own.
func TestExternalCloudIsNotResetUnlessAllowed(t *testing.T) {
	ctx := context.Background()
	theirs, err := backend.StartEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	cfg := theirs.Config()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("their-work")}); err != nil {
		t.Fatal(err)
	}
	bucketKept := func() bool {
		_, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("their-work")})
		return err == nil
	}

	t.Setenv(backend.EnvAllowReset, "")
	ext, err := backend.ConnectExternal(ctx, theirs.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	if ext.Supports(backend.FeatureReset) {
		t.Error("an external cloud this run did not start offers reset")
	}
	if err := ext.Reset(ctx); !errors.Is(err, backend.ErrResetUnsupported) || !strings.Contains(err.Error(), backend.EnvAllowReset+"=1") {
		t.Errorf("reset: %v", err)
	}
	if why := ext.Lacks(backend.FeatureReset); !strings.Contains(why, backend.EnvAllowReset+"=1") || !strings.Contains(why, theirs.Endpoint()) {
		t.Errorf("reason: %q", why)
	}
	if !bucketKept() {
		t.Fatal("the refused reset emptied the cloud")
	}

	for _, allowed := range []struct {
		name string
		env  string
		opts []backend.ExternalOption
	}{
		{"GROUNDSTACK_ALLOW_RESET=1", "1", nil},
		{"started by this run", "", []backend.ExternalOption{backend.StartedByThisRun()}},
	} {
		t.Setenv(backend.EnvAllowReset, allowed.env)
		ext, err := backend.ConnectExternal(ctx, theirs.Endpoint(), allowed.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if !ext.Supports(backend.FeatureReset) || ext.Lacks(backend.FeatureReset) != "" {
			t.Errorf("%s: reset not offered", allowed.name)
		}
		if !bucketKept() {
			if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("their-work")}); err != nil {
				t.Fatal(err)
			}
		}
		if err := ext.Reset(ctx); err != nil {
			t.Fatalf("%s: reset: %v", allowed.name, err)
		}
		if bucketKept() {
			t.Errorf("%s: reset left the bucket", allowed.name)
		}
	}
}

// A groundstack's features are what its /_groundstack/health lists, so one
// that serves WebSocket APIs is used for them and one that does not is not.
func TestExternalGroundstackFeaturesAreAsked(t *testing.T) {
	for _, tc := range []struct {
		name, health   string
		ws, reset, any bool
	}{
		{"websocket apis", `{"status":"ok","capabilities":["health","reset","websocket-apis"]}`, true, true, true},
		{"without", `{"status":"ok","capabilities":["health","reset"]}`, false, true, true},
		{"lists nothing", `{"status":"ok"}`, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/_groundstack/health" {
					http.NotFound(w, r)
					return
				}
				w.Write([]byte(tc.health))
			}))
			defer srv.Close()
			b, err := backend.ConnectExternal(context.Background(), srv.URL, backend.StartedByThisRun())
			if err != nil {
				t.Fatal(err)
			}
			if b.Supports(backend.FeatureWebSocketAPIs) != tc.ws || b.Supports(backend.FeatureReset) != tc.reset ||
				b.Supports(backend.FeaturePathURLs) || b.Supports(backend.FeatureEC2Hosts) {
				t.Errorf("websocket %v reset %v path-urls %v ec2 %v", b.Supports(backend.FeatureWebSocketAPIs),
					b.Supports(backend.FeatureReset), b.Supports(backend.FeaturePathURLs), b.Supports(backend.FeatureEC2Hosts))
			}
		})
	}
}

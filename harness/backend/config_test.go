package backend_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"

	"github.com/groundstack/groundstack/harness/backend"
)

// applied runs the customizers over an empty request, as testcontainers-go
// does before creating the container.
func applied(t *testing.T, opts []testcontainers.ContainerCustomizer) (testcontainers.GenericContainerRequest, container.HostConfig) {
	t.Helper()
	req := testcontainers.GenericContainerRequest{ContainerRequest: testcontainers.ContainerRequest{Env: map[string]string{}}}
	for _, o := range opts {
		if err := o.Customize(&req); err != nil {
			t.Fatal(err)
		}
	}
	var hc container.HostConfig
	if req.HostConfigModifier == nil {
		t.Fatal("no host config modifier")
	}
	req.HostConfigModifier(&hc)
	return req, hc
}

func TestLocalStackConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       map[string]string
		wantImage string
		wantToken string
	}{
		{"defaults", nil, "localstack/localstack:4.14.0", ""},
		{"image from the environment", map[string]string{"GROUNDSTACK_LOCALSTACK_IMAGE": " localstack/localstack-pro:2026.1 "}, "localstack/localstack-pro:2026.1", ""},
		{"auth token passed through", map[string]string{"LOCALSTACK_AUTH_TOKEN": "ls-generated-at-test-time"}, "localstack/localstack:4.14.0", "ls-generated-at-test-time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := backend.LocalStackConfigFromEnv(func(k string) string { return tc.env[k] })
			image, timeout, opts := backend.LocalStackRequestForTest(cfg)
			if image != tc.wantImage {
				t.Errorf("image %q, want %q", image, tc.wantImage)
			}
			if timeout < time.Minute {
				t.Errorf("start timeout %s: LocalStack needs longer than our emulator", timeout)
			}
			req, hc := applied(t, opts)
			if got := req.Env["LAMBDA_DOCKER_FLAGS"]; got != "--add-host=host.docker.internal:host-gateway" {
				t.Errorf("LAMBDA_DOCKER_FLAGS=%q", got)
			}
			tok, set := req.Env["LOCALSTACK_AUTH_TOKEN"]
			if tok != tc.wantToken || set != (tc.wantToken != "") {
				t.Errorf("LOCALSTACK_AUTH_TOKEN=%q (set %v), want %q", tok, set, tc.wantToken)
			}
			if req.Labels[backend.LabelRole] != "localstack" || req.Labels[backend.LabelOwner] != backend.OwnerLabelForTest() {
				t.Errorf("labels %v", req.Labels)
			}
			if len(req.ExposedPorts) != 1 || req.ExposedPorts[0] != "4566/tcp" {
				t.Errorf("exposed %v", req.ExposedPorts)
			}
			b := hc.PortBindings[network.MustParsePort("4566/tcp")]
			if len(b) != 1 || b[0].HostIP.String() != "127.0.0.1" || b[0].HostPort != "0" {
				t.Errorf("4566 published as %+v, want 127.0.0.1 at a random port", b)
			}
			if req.WaitingFor == nil {
				t.Error("no wait strategy")
			}
		})
	}
}

func TestLocalStackFeaturesFromHealth(t *testing.T) {
	for _, tc := range []struct {
		code       int
		body       string
		health, ws bool
	}{
		{200, `{"services":{"s3":"available"},"edition":"community","version":"4.14.0"}`, true, false},
		{200, `{"services":{},"edition":"pro","version":"4.14.0"}`, true, true},
		{200, `{"services":{}}`, true, false},
		{200, `not json`, false, false},
		{503, `{"edition":"pro"}`, false, false},
	} {
		fs := backend.LocalStackFeaturesForTest(tc.code, []byte(tc.body))
		if fs.Has(backend.FeatureHealth) != tc.health || fs.Has(backend.FeatureWebSocketAPIs) != tc.ws ||
			fs.Has(backend.FeatureEC2Hosts) != tc.ws || fs.Has(backend.FeatureReset) || fs.Has(backend.FeaturePathURLs) {
			t.Errorf("%d %s: %v", tc.code, tc.body, fs)
		}
	}
}

// A feature is had when every capability it takes is listed.
func TestGroundstackFeaturesFromCapabilities(t *testing.T) {
	all := []backend.Feature{backend.FeatureReset, backend.FeatureHealth, backend.FeaturePathURLs,
		backend.FeatureWebSocketAPIs, backend.FeatureEC2Hosts, backend.FeatureEC2Python}
	for _, tc := range []struct {
		caps []string
		want []backend.Feature
	}{
		{nil, nil},
		{[]string{"reset", "health"}, []backend.Feature{backend.FeatureReset, backend.FeatureHealth}},
		{[]string{"function-url-paths"}, nil},
		{[]string{"function-url-paths", "website-paths"}, []backend.Feature{backend.FeaturePathURLs}},
		{[]string{"websocket-apis"}, []backend.Feature{backend.FeatureWebSocketAPIs}},
		{[]string{"ec2-python"}, nil},
		{[]string{"ec2-hosts"}, []backend.Feature{backend.FeatureEC2Hosts}},
		{[]string{"ec2-hosts", "ec2-python"}, []backend.Feature{backend.FeatureEC2Hosts, backend.FeatureEC2Python}},
		{[]string{"something-new", "reset"}, []backend.Feature{backend.FeatureReset}},
	} {
		fs := backend.GroundstackFeaturesForTest(tc.caps)
		for _, f := range all {
			if fs.Has(f) != slices.Contains(tc.want, f) {
				t.Errorf("%v: %s %v", tc.caps, f, fs.Has(f))
			}
		}
	}
}

func TestEmulatorImage(t *testing.T) {
	tag, archive, err := backend.EmulatorImageForTest([]byte("binary one"))
	if err != nil {
		t.Fatal(err)
	}
	again, _, _ := backend.EmulatorImageForTest([]byte("binary one"))
	other, _, _ := backend.EmulatorImageForTest([]byte("binary two"))
	if !strings.HasPrefix(tag, "groundstack:") || len(tag) != len("groundstack:")+16 || tag != again || tag == other {
		t.Fatalf("tags %s %s %s: want one per binary, stable", tag, again, other)
	}
	tr := tar.NewReader(bytes.NewReader(archive))
	modes := map[string]int64{}
	var first string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if first == "" {
			first = h.Name
		}
		modes[h.Name] = h.Mode
	}
	if first != "Dockerfile" {
		t.Errorf("first entry %s", first)
	}
	for name, want := range map[string]int64{"rootfs/groundstack": 0o755, "rootfs/tmp/": 0o1777} {
		if got, ok := modes[name]; !ok || got != want {
			t.Errorf("%s mode %o (present %v), want %o", name, got, ok, want)
		}
	}
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		if _, ok := modes["rootfs/etc/ssl/certs/ca-certificates.crt"]; !ok {
			t.Error("the host's CA bundle is not in the image")
		}
	}
	df := string(backend.EmulatorDockerfileForTest)
	for _, want := range []string{"FROM scratch", "COPY rootfs/ /", `"--host", "0.0.0.0", "--port", "4566"`, "EXPOSE 4566"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

func TestOwnerLabels(t *testing.T) {
	host, _ := os.Hostname()
	// A process that has ended: its PID is free (until reused).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run true:", err)
	}
	dead := cmd.Process.Pid
	self := backend.OwnerLabelForTest()
	parent := fmt.Sprintf("%s/%d/%s", host, os.Getppid(), backend.ProcessStartForTest(os.Getppid()))
	for _, tc := range []struct {
		label string
		gone  bool
	}{
		{self, false},
		{parent, false},
		{fmt.Sprintf("%s/%d/1", host, dead), true},
		{fmt.Sprintf("%s/%d/%s", host, os.Getpid(), "1"), true}, // our PID, another start time: reused
		{fmt.Sprintf("other-host/%d/1", dead), false},
		{"garbage", false},
		{host + "/notapid/1", false},
		{"", false},
	} {
		if got := backend.OwnerGoneForTest(tc.label); got != tc.gone {
			t.Errorf("ownerGone(%q) = %v, want %v", tc.label, got, tc.gone)
		}
	}
	if !strings.HasPrefix(self, host+"/"+strconv.Itoa(os.Getpid())+"/") {
		t.Errorf("owner label %s", self)
	}
}

func TestFromEnvRefusesRealAWSWithoutConfirmation(t *testing.T) {
	t.Setenv(backend.EnvBackend, "external")
	t.Setenv(backend.EnvEndpoint, "")
	t.Setenv(backend.EnvRealAWS, "")
	_, err := backend.FromEnv(context.Background())
	if err == nil || !strings.Contains(err.Error(), "GROUNDSTACK_REAL_AWS=1") {
		t.Fatalf("err %v", err)
	}
	t.Setenv(backend.EnvRealAWS, "1")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	if _, err := backend.FromEnv(context.Background()); err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Fatalf("no region: %v", err)
	}
}

// A cloud without LocalStack's health check (moto, an S3-only server) is
// still an external cloud: it answers, and lacks what it lacks.
func TestExternalWithoutHealthCheck(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	b, err := backend.ConnectExternal(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []backend.Feature{backend.FeatureHealth, backend.FeatureReset, backend.FeaturePathURLs} {
		if b.Supports(f) {
			t.Errorf("claims %s", f)
		}
	}
	if err := b.Reset(context.Background()); !errors.Is(err, backend.ErrResetUnsupported) {
		t.Fatalf("reset: %v", err)
	}
}

// Bad WebSocket limits stop FromEnv before anything starts, for the
// embedded emulator and the container alike.
func TestFromEnvRefusesBadWebSocketLimits(t *testing.T) {
	for _, tc := range []struct{ kind, key, value string }{
		{"embedded", backend.EnvWSIdleTimeout, "soon"},
		{"embedded", backend.EnvWSMaxLifetime, "0s"},
		{"container", backend.EnvWSIdleTimeout, "-5m"},
	} {
		t.Setenv(backend.EnvBackend, tc.kind)
		t.Setenv(backend.EnvWSIdleTimeout, "")
		t.Setenv(backend.EnvWSMaxLifetime, "")
		t.Setenv(tc.key, tc.value)
		_, err := backend.FromEnv(context.Background())
		if want := tc.key + `="` + tc.value + `": want a positive Go duration`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s %s=%s: %v, want %q", tc.kind, tc.key, tc.value, err, want)
		}
	}
}

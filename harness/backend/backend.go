package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// Environment variables that select and configure a backend.
const (
	EnvBackend  = "GROUNDSTACK_BACKEND" // embedded (default) | container | localstack | external
	EnvEndpoint = "AWS_ENDPOINT_URL"    // for external; unset means real AWS
	EnvRegion   = "AWS_REGION"
	// EnvImage names a pre-built groundstack image for the container
	// backend (nothing is built); EnvBinary a static Linux groundstack
	// binary to build the image from (instead of compiling the checkout).
	EnvImage  = "GROUNDSTACK_IMAGE"
	EnvBinary = "GROUNDSTACK_BINARY"
	// EnvLocalStackImage overrides DefaultLocalStackImage; EnvLocalStackToken
	// is passed through to LocalStack when set.
	EnvLocalStackImage = "GROUNDSTACK_LOCALSTACK_IMAGE"
	EnvLocalStackToken = "LOCALSTACK_AUTH_TOKEN"
	// EnvStrictAuth=1 starts the embedded emulator or the container in
	// strict SigV4 mode, with keys made at start-up (StartStrictEmbedded,
	// WithStrictAuth).
	EnvStrictAuth = "GROUNDSTACK_STRICT_AUTH"
	// EnvWSIdleTimeout and EnvWSMaxLifetime (Go durations) bound WebSocket
	// API connections of the embedded emulator and the container (AWS's 10
	// minutes and 2 hours when unset).
	EnvWSIdleTimeout = "GROUNDSTACK_WS_IDLE_TIMEOUT"
	EnvWSMaxLifetime = "GROUNDSTACK_WS_MAX_LIFETIME"
)

// Backend is a running local cloud.
type Backend interface {
	// Name is the backend kind ("embedded", "external", …).
	Name() string
	// Endpoint is the edge URL ("http://127.0.0.1:4566").
	Endpoint() string
	// Config is an aws-sdk-go-v2 config pointed at the endpoint.
	Config() aws.Config
	// Reset empties every store, when the backend supports it.
	Reset(ctx context.Context) error
	// Supports says whether the cloud has a feature scenarios may need.
	Supports(f Feature) bool
	// Close stops what the backend started (nothing for external).
	Close() error
}

// Diagnoser is a Backend that can say why its cloud stopped answering (a
// container's state and last log lines), so a suite fails with the cause
// instead of timing out spec after spec.
type Diagnoser interface {
	// Diagnose returns nil while the cloud runs, else what became of it.
	Diagnose(ctx context.Context) error
}

// Explainer is a Backend that can say why it lacks a feature when the cloud
// itself has it (an external cloud's reset, refused by default).
type Explainer interface {
	// Lacks returns the reason, or "" when f is simply not there.
	Lacks(f Feature) string
}

// ErrResetUnsupported is returned by Reset on a backend that cannot be reset.
var ErrResetUnsupported = errors.New("backend: this backend cannot be reset")

// FromEnv starts (or connects to) the backend GROUNDSTACK_BACKEND names.
func FromEnv(ctx context.Context) (Backend, error) {
	kind := strings.TrimSpace(os.Getenv(EnvBackend))
	switch kind {
	case "", "embedded":
		start := StartEmbedded
		if os.Getenv(EnvStrictAuth) == "1" {
			start = StartStrictEmbedded
		}
		ws, err := webSocketLimitsFromEnv(os.Getenv)
		if err != nil {
			return nil, err
		}
		acct, err := emulator.AccountOptions(os.Getenv)
		if err != nil {
			return nil, fmt.Errorf("backend: %w", err)
		}
		opts := append([]emulator.Option{ws}, acct...)
		switch hosts := strings.TrimSpace(os.Getenv(EnvEC2Hosts)); hosts {
		case "", "process":
			return start(ctx, opts...)
		case "container":
			var copts []ContainerOption
			if bin := strings.TrimSpace(os.Getenv(EnvBinary)); bin != "" {
				copts = append(copts, WithBinary(bin))
			}
			return start(ctx, append(opts, emulator.WithHostLauncher(&lazyHostContainers{opts: copts}))...)
		default:
			return nil, fmt.Errorf("backend: unknown %s=%q (want process or container)", EnvEC2Hosts, hosts)
		}
	case "external":
		if ep := strings.TrimSpace(os.Getenv(EnvEndpoint)); ep != "" {
			return ConnectExternal(ctx, ep)
		}
		return ConnectAWS(ctx)
	case "container":
		var opts []ContainerOption
		if img := strings.TrimSpace(os.Getenv(EnvImage)); img != "" {
			opts = append(opts, WithImage(img))
		}
		if bin := strings.TrimSpace(os.Getenv(EnvBinary)); bin != "" {
			opts = append(opts, WithBinary(bin))
		}
		if os.Getenv(EnvStrictAuth) == "1" {
			opts = append(opts, WithStrictAuth())
		}
		if _, err := webSocketLimitsFromEnv(os.Getenv); err != nil {
			return nil, err
		}
		// groundstack up in the container reads them as they are
		env := map[string]string{}
		if _, err := emulator.AccountOptions(os.Getenv); err != nil {
			return nil, fmt.Errorf("backend: %w", err)
		}
		for _, k := range []string{EnvWSIdleTimeout, EnvWSMaxLifetime, emulator.EnvAccountID, emulator.EnvMaxAccounts} {
			if v := strings.TrimSpace(os.Getenv(k)); v != "" {
				env[k] = v
			}
		}
		opts = append(opts, WithContainerEnv(env))
		return StartContainer(ctx, opts...)
	case "localstack":
		return StartLocalStack(ctx, LocalStackConfigFromEnv(os.Getenv))
	default:
		return nil, fmt.Errorf("backend: unknown %s=%q (want embedded, container, localstack or external)", EnvBackend, kind)
	}
}

// webSocketLimitsFromEnv reads EnvWSIdleTimeout and EnvWSMaxLifetime.
func webSocketLimitsFromEnv(getenv func(string) string) (emulator.Option, error) {
	var d [2]time.Duration
	for i, k := range []string{EnvWSIdleTimeout, EnvWSMaxLifetime} {
		v := strings.TrimSpace(getenv(k))
		if v == "" {
			continue
		}
		x, err := time.ParseDuration(v)
		if err != nil || x <= 0 {
			return nil, fmt.Errorf("backend: %s=%q: want a positive Go duration such as 90s or 5m", k, v)
		}
		d[i] = x
	}
	return emulator.WithWebSocketLimits(d[0], d[1]), nil
}

// SDKConfig returns an SDK config for endpoint with static test
// credentials; see sdkclient.Config.
func SDKConfig(endpoint, region string) aws.Config { return sdkclient.Config(endpoint, region) }

// WaitHealthy polls endpoint's /_localstack/health until it answers 200 or
// ctx ends.
func WaitHealthy(ctx context.Context, endpoint string) error {
	return waitAnswer(ctx, endpoint, func(code int) bool { return code == http.StatusOK })
}

// waitAnswer polls endpoint's /_localstack/health until ok accepts the
// status it answers with, or ctx ends.
func waitAnswer(ctx context.Context, endpoint string, ok func(status int) bool) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/_localstack/health", nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if ok(resp.StatusCode) {
				return nil
			}
			err = fmt.Errorf("health answered %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("backend: %s not healthy: %w (last: %v)", endpoint, ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// resetOver asks a groundstack edge to empty its stores, signed with cfg's
// credentials (an emulator in strict mode wants a signature for it).
func resetOver(ctx context.Context, endpoint string, cfg aws.Config) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/_groundstack/reset", nil)
	if cfg.Credentials != nil {
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return err
		}
		region := cfg.Region
		if region == "" {
			region = "us-east-1"
		}
		const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, emptySHA256, control.SigningName, region, time.Now()); err != nil {
			return err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode == http.StatusNotFound {
		return ErrResetUnsupported
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("backend: reset answered %s", resp.Status)
	}
	return nil
}

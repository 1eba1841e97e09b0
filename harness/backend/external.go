package backend

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// EnvRealAWS must be "1" for the external backend to reach real AWS (no
// AWS_ENDPOINT_URL): suites create resources, and AWS bills them.
const EnvRealAWS = "GROUNDSTACK_REAL_AWS"

// EnvAllowReset must be "1" for a suite to reset an external cloud it did
// not start: a `groundstack up` someone works with keeps what they deployed.
const EnvAllowReset = "GROUNDSTACK_ALLOW_RESET"

// ErrResetRefused is Reset's answer on an external cloud that could be
// reset but belongs to someone else (see EnvAllowReset).
var ErrResetRefused = fmt.Errorf("%w: the cloud was not started by this run; set %s=1 to let it be emptied", ErrResetUnsupported, EnvAllowReset)

// External is a cloud someone else started: another groundstack, a
// LocalStack, or real AWS.
type External struct {
	endpoint string
	cfg      aws.Config
	features Features
	// resetRefused: the cloud can be reset, but not by us (EnvAllowReset).
	resetRefused bool
}

// ExternalOption tunes ConnectExternal.
type ExternalOption func(*externalOptions)

type externalOptions struct{ ours bool }

// StartedByThisRun says the cloud at the endpoint is one this test run
// started (another Ginkgo process's embedded backend, say), so Reset may
// empty it without EnvAllowReset.
func StartedByThisRun() ExternalOption { return func(o *externalOptions) { o.ours = true } }

// ConnectExternal waits (up to 30 s) for endpoint to answer HTTP and
// returns a backend for it; what the cloud supports is asked of the cloud
// itself. A cloud without LocalStack's health check (moto, an S3-only
// server) is fine: it just lacks FeatureHealth. A cloud someone else
// started is never reset (it lacks FeatureReset) unless EnvAllowReset is
// "1" or StartedByThisRun says it is ours.
func ConnectExternal(ctx context.Context, endpoint string, opts ...ExternalOption) (*External, error) {
	var o externalOptions
	for _, opt := range opts {
		opt(&o)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// 5xx is a cloud still starting (LocalStack answers 503 then).
	if err := waitAnswer(wctx, endpoint, func(code int) bool { return code < 500 }); err != nil {
		return nil, err
	}
	b := &External{endpoint: endpoint, cfg: SDKConfig(endpoint, os.Getenv(EnvRegion)), features: probeFeatures(ctx, endpoint)}
	if b.features.Has(FeatureReset) && !o.ours && os.Getenv(EnvAllowReset) != "1" {
		delete(b.features, FeatureReset)
		b.resetRefused = true
	}
	return b, nil
}

// ConnectAWS returns a backend for real AWS, with the SDK's default
// configuration (credentials chain, AWS_REGION or the profile's region).
// It refuses unless GROUNDSTACK_REAL_AWS=1, so that forgetting
// AWS_ENDPOINT_URL never deploys to an account by accident.
func ConnectAWS(ctx context.Context) (*External, error) {
	if os.Getenv(EnvRealAWS) != "1" {
		return nil, fmt.Errorf("backend: %s=external without %s means real AWS (resources are created and billed): set %s=1 to confirm, or set %s to a local cloud",
			EnvBackend, EnvEndpoint, EnvRealAWS, EnvEndpoint)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("backend: real AWS: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("backend: real AWS: no region: set AWS_REGION")
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return nil, fmt.Errorf("backend: real AWS: no credentials: %w", err)
	}
	return &External{cfg: cfg, features: awsFeatures}, nil
}

// SignWith makes Config (and Reset) sign with creds instead of the test
// credentials: for a cloud in strict mode whose keys the caller was given.
func (b *External) SignWith(creds aws.CredentialsProvider) { b.cfg.Credentials = creds }

func (b *External) Name() string       { return "external" }
func (b *External) Endpoint() string   { return b.endpoint }
func (b *External) Config() aws.Config { return b.cfg.Copy() }
func (b *External) Close() error       { return nil }

// Supports answers from what the cloud said it is when we connected.
func (b *External) Supports(f Feature) bool { return b.features.Has(f) }

// Lacks says why the cloud lacks f when the reason is not the cloud's
// (a reset refused to protect someone's cloud), else "".
func (b *External) Lacks(f Feature) string {
	if f == FeatureReset && b.resetRefused {
		return fmt.Sprintf("would reset the cloud at %s, which this run did not start: set %s=1 to allow it", b.endpoint, EnvAllowReset)
	}
	return ""
}

// Reset uses groundstack's reset endpoint; other clouds answer
// ErrResetUnsupported, and one this run did not start ErrResetRefused.
func (b *External) Reset(ctx context.Context) error {
	if b.resetRefused {
		return ErrResetRefused
	}
	if !b.features.Has(FeatureReset) {
		return ErrResetUnsupported
	}
	return resetOver(ctx, b.endpoint, b.cfg)
}

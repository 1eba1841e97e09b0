package backend

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// External is a cloud someone else started: another groundstack, a
// LocalStack, or any AWS-compatible endpoint.
type External struct {
	endpoint string
	cfg      aws.Config
}

// ConnectExternal waits (up to 30 s) for endpoint's health check and returns
// a backend for it.
func ConnectExternal(ctx context.Context, endpoint string) (*External, error) {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := WaitHealthy(wctx, endpoint); err != nil {
		return nil, err
	}
	return &External{endpoint: endpoint, cfg: SDKConfig(endpoint, "")}, nil
}

func (b *External) Name() string       { return "external" }
func (b *External) Endpoint() string   { return b.endpoint }
func (b *External) Config() aws.Config { return b.cfg.Copy() }
func (b *External) Close() error       { return nil }

// Reset uses groundstack's reset endpoint; other clouds answer
// ErrResetUnsupported.
func (b *External) Reset(ctx context.Context) error { return resetOver(ctx, b.endpoint) }

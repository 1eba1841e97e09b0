// Package scenario is the setup every Ginkgo suite shares: one backend per
// suite run (started by parallel process 1, reached by the others over
// HTTP) and SDK configs for it. Suites reach the cloud only through this,
// harness/backend, harness/deploy and the AWS SDK.
package scenario

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/groundstack/groundstack/harness/backend"
)

// Cloud is the running cloud as one Ginkgo process sees it.
type Cloud struct {
	Backend backend.Backend
	owner   bool
}

// StartOnFirst starts the backend GROUNDSTACK_BACKEND selects; call it from
// the first function of SynchronizedBeforeSuite and hand its endpoint
// (returned bytes) to Connect in the second.
func StartOnFirst(ctx context.Context) (*Cloud, []byte, error) {
	b, err := backend.FromEnv(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &Cloud{Backend: b, owner: true}, []byte(b.Endpoint()), nil
}

// Connect returns first when this process started the cloud, else a
// connection to the endpoint process 1 started.
func Connect(ctx context.Context, first *Cloud, endpoint []byte) (*Cloud, error) {
	if first != nil {
		return first, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := backend.ConnectExternal(ctx, string(endpoint))
	if err != nil {
		return nil, err
	}
	return &Cloud{Backend: b}, nil
}

// Config is an SDK config for the cloud.
func (c *Cloud) Config() aws.Config { return c.Backend.Config() }

// Endpoint is the cloud's edge URL.
func (c *Cloud) Endpoint() string { return c.Backend.Endpoint() }

// Close stops the cloud if this process started it.
func (c *Cloud) Close() error {
	if c == nil || !c.owner {
		return nil
	}
	return c.Backend.Close()
}

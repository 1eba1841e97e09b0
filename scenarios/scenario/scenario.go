// Package scenario is the setup every Ginkgo suite shares: one backend per
// suite run (started by parallel process 1, reached by the others over
// HTTP), SDK configs for it, and the suite-wide guards (Needs labels, and
// failing fast with the backend's own account when the cloud dies). Suites
// reach the cloud only through this, harness/backend, harness/deploy and
// the AWS SDK.
package scenario

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/onsi/ginkgo/v2"

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
	fmt.Fprintf(ginkgo.GinkgoWriter, "cloud: the %s backend at %s\n", b.Name(), b.Endpoint())
	if c, ok := b.(*backend.Container); ok {
		fmt.Fprintf(ginkgo.GinkgoWriter, "cloud: container %.12s from %s, healthy %s after Run\n", c.ID(), c.Image(), c.Startup().Round(time.Millisecond))
	}
	handoff := b.Endpoint()
	if os.Getenv(backend.EnvStrictAuth) == "1" && b.Name() == "embedded" {
		// The other processes sign with the keys strict mode was started with.
		creds, err := b.Config().Credentials.Retrieve(ctx)
		if err != nil {
			b.Close()
			return nil, nil, err
		}
		fmt.Fprintf(ginkgo.GinkgoWriter, "cloud: strict SigV4 mode, access key %s\n", creds.AccessKeyID)
		handoff += "\n" + creds.AccessKeyID + "\n" + creds.SecretAccessKey
	}
	return &Cloud{Backend: b, owner: true}, []byte(handoff), nil
}

// Connect returns first when this process started the cloud, else a
// connection to the endpoint process 1 started (real AWS when it is empty),
// signing with the keys it handed over when the cloud is in strict mode.
func Connect(ctx context.Context, first *Cloud, endpoint []byte) (*Cloud, error) {
	if first != nil {
		return first, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var b backend.Backend
	var err error
	ep, keys, strict := strings.Cut(string(endpoint), "\n")
	if ep == "" {
		b, err = backend.ConnectAWS(ctx)
	} else {
		var opts []backend.ExternalOption
		// process 1 started this cloud unless it too connected to one
		if kind := strings.TrimSpace(os.Getenv(backend.EnvBackend)); kind != "external" {
			opts = append(opts, backend.StartedByThisRun())
		}
		var ext *backend.External
		if ext, err = backend.ConnectExternal(ctx, ep, opts...); err == nil && strict {
			id, secret, _ := strings.Cut(keys, "\n")
			ext.SignWith(credentials.NewStaticCredentialsProvider(id, secret, ""))
		}
		b = ext
	}
	if err != nil {
		return nil, err
	}
	return &Cloud{Backend: b}, nil
}

// Config is an SDK config for the cloud.
func (c *Cloud) Config() aws.Config { return c.Backend.Config() }

// Endpoint is the cloud's edge URL ("" for real AWS).
func (c *Cloud) Endpoint() string { return c.Backend.Endpoint() }

// Supports says whether the cloud has feature f.
func (c *Cloud) Supports(f backend.Feature) bool { return c.Backend.Supports(f) }

// Check returns nil while the cloud answers, else why not: the backend's
// diagnosis (a container's state and last log lines) when it has one.
func (c *Cloud) Check(ctx context.Context) error {
	if c == nil || !c.Backend.Supports(backend.FeatureHealth) {
		return nil // real AWS: nothing to ask
	}
	err := c.health(ctx)
	if err == nil {
		return nil
	}
	if d, ok := c.Backend.(backend.Diagnoser); ok {
		if derr := d.Diagnose(ctx); derr != nil {
			return derr
		}
	}
	return err
}

func (c *Cloud) health(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Endpoint()+"/_localstack/health", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		who := "the process that started it reports why"
		if c.owner {
			who = "its backend says no more"
		}
		return fmt.Errorf("the cloud at %s does not answer (%v); %s", c.Endpoint(), err, who)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the cloud at %s answers its health check with %s", c.Endpoint(), resp.Status)
	}
	return nil
}

// Close stops the cloud if this process started it.
func (c *Cloud) Close() error {
	if c == nil || !c.owner {
		return nil
	}
	return c.Backend.Close()
}

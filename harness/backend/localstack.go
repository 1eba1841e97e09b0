package backend

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/localstack"
)

// DefaultLocalStackImage is the last LocalStack release that starts
// without an auth token.
const DefaultLocalStackImage = "localstack/localstack:4.14.0"

// lambdaDockerFlags lets LocalStack's Lambda containers reach services on
// the host (the fake EC2 host, the MQTT broker) as host.docker.internal.
const lambdaDockerFlags = "--add-host=host.docker.internal:host-gateway"

// LocalStackConfig is what the localstack backend runs.
type LocalStackConfig struct {
	// Image defaults to DefaultLocalStackImage.
	Image string
	// AuthToken is LOCALSTACK_AUTH_TOKEN, passed through when set.
	AuthToken string
	// StartTimeout bounds the wait for the health check (default 120 s:
	// LocalStack starts in seconds, more on a cold machine).
	StartTimeout time.Duration
}

// LocalStackConfigFromEnv reads GROUNDSTACK_LOCALSTACK_IMAGE and
// LOCALSTACK_AUTH_TOKEN through getenv (os.Getenv).
func LocalStackConfigFromEnv(getenv func(string) string) LocalStackConfig {
	return LocalStackConfig{
		Image:     strings.TrimSpace(getenv(EnvLocalStackImage)),
		AuthToken: strings.TrimSpace(getenv(EnvLocalStackToken)),
	}
}

// request is the image and the options StartLocalStack hands the
// testcontainers-go LocalStack module, on top of the module's own (port
// 4566, the Docker socket mounted for Lambda, LOCALSTACK_HOST).
func (c LocalStackConfig) request() (image string, timeout time.Duration, opts []testcontainers.ContainerCustomizer) {
	image = c.Image
	if image == "" {
		image = DefaultLocalStackImage
	}
	timeout = c.StartTimeout
	if timeout <= 0 {
		timeout = 120 * time.Second
	}
	env := map[string]string{"LAMBDA_DOCKER_FLAGS": lambdaDockerFlags}
	if c.AuthToken != "" {
		env["LOCALSTACK_AUTH_TOKEN"] = c.AuthToken
	}
	opts = append(commonCustomizers(timeout),
		testcontainers.WithEnv(env),
		testcontainers.WithLabels(map[string]string{LabelRole: "localstack"}),
	)
	return image, timeout, opts
}

// StartLocalStack starts LocalStack through the testcontainers-go module
// and waits for its health check. Its features are asked of it (the free
// edition lacks WebSocket APIs and running EC2 hosts); Reset is
// unsupported. The image is pulled when missing, so this backend needs a
// registry (or the image loaded beforehand with docker load).
func StartLocalStack(ctx context.Context, cfg LocalStackConfig) (*Container, error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	removeLeftovers(ctx, cli)
	cli.Close()
	image, _, opts := cfg.request()
	start := time.Now()
	ls, err := localstack.Run(ctx, image, opts...)
	if err != nil {
		if ls != nil {
			err = describe(ctx, ls, err)
			ls.Terminate(context.Background(), testcontainers.StopTimeout(time.Second))
		}
		return nil, fmt.Errorf("backend: start localstack from %s (set %s to use another image): %w", image, EnvLocalStackImage, err)
	}
	dc, ok := ls.Container.(*testcontainers.DockerContainer)
	if !ok {
		ls.Terminate(context.Background())
		return nil, errors.New("backend: localstack: not a Docker container")
	}
	endpoint, err := mappedEndpoint(ctx, dc, EdgePort)
	if err != nil {
		ls.Terminate(context.Background())
		return nil, fmt.Errorf("backend: localstack: %w", err)
	}
	c := &Container{kind: "localstack", ctr: dc, endpoint: endpoint, cfg: SDKConfig(endpoint, os.Getenv(EnvRegion)), image: image, startup: time.Since(start)}
	c.features = probeFeatures(ctx, endpoint)
	return c, nil
}

package backend

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// EdgePort is the port the cloud listens on inside its container.
const EdgePort = "4566/tcp"

// Container is a cloud in a Docker container: our emulator image (backend
// "container") or LocalStack (backend "localstack"). Its port is published
// on the host's 127.0.0.1 at a random port.
type Container struct {
	kind     string
	ctr      *testcontainers.DockerContainer
	endpoint string
	cfg      aws.Config
	features Features
	image    string
	startup  time.Duration
	once     sync.Once
	closeErr error
	mqtt     *MQTTEndpoint // the broker of groundstack's own image
}

// ContainerOption configures StartContainer.
type ContainerOption func(*containerConfig)

type containerConfig struct {
	image        string
	binary       string
	dockerfile   []byte
	env          map[string]string
	networks     []string
	aliases      map[string][]string
	startTimeout time.Duration
	tmpfs        bool
	// strictKey, strictSecret: strict SigV4 mode's key pair, made now.
	strictKey, strictSecret string
}

// WithImage runs a pre-built groundstack image (a tag or ID) instead of
// building one.
func WithImage(ref string) ContainerOption { return func(c *containerConfig) { c.image = ref } }

// WithBinary builds the image around this static Linux groundstack binary
// instead of compiling the checkout.
func WithBinary(path string) ContainerOption { return func(c *containerConfig) { c.binary = path } }

// WithContainerEnv adds environment variables for `groundstack up` in the
// container (e.g. GROUNDSTACK_STRICT_AUTH).
func WithContainerEnv(env map[string]string) ContainerOption {
	return func(c *containerConfig) {
		for k, v := range env {
			c.env[k] = v
		}
	}
}

// WithStrictAuth starts groundstack in strict SigV4 mode with a key pair
// made now, which the backend's Config signs with: anything else, test
// credentials included, is refused as AWS refuses it. FromEnv uses it when
// GROUNDSTACK_STRICT_AUTH=1. (The keys travel in the container's
// environment, which only those who can drive the Docker engine, and so
// read the container anyway, can see; groundstack scrubs them from its own
// environment before anything starts.)
func WithStrictAuth() ContainerOption {
	return func(c *containerConfig) {
		c.strictKey, c.strictSecret = "AKIA"+strings.ToUpper(rand.Text()[:16]), rand.Text()+rand.Text()
		c.env[EnvStrictAuth] = "1"
		c.env[envAccessKeys] = c.strictKey + ":" + c.strictSecret
	}
}

// envAccessKeys is groundstack's variable for strict mode's keys.
const envAccessKeys = "GROUNDSTACK_ACCESS_KEYS"

// WithNetwork also attaches the container to a Docker network, where the
// other containers reach it by its aliases.
func WithNetwork(name string, aliases ...string) ContainerOption {
	return func(c *containerConfig) {
		c.networks = append(c.networks, name)
		if len(aliases) > 0 {
			c.aliases[name] = aliases
		}
	}
}

// WithStartTimeout bounds the wait for the health check (default 30 s).
func WithStartTimeout(d time.Duration) ContainerOption {
	return func(c *containerConfig) { c.startTimeout = d }
}

// withDockerfile replaces the image's Dockerfile (tests of build failures).
func withDockerfile(b []byte) ContainerOption { return func(c *containerConfig) { c.dockerfile = b } }

// StartContainer builds (once per binary) and starts the groundstack
// image, waits for its health check and returns the backend. Leftover
// containers of killed runs are removed first. Errors wrap
// ErrDockerUnavailable when no Docker engine answers.
func StartContainer(ctx context.Context, opts ...ContainerOption) (*Container, error) {
	cfg := containerConfig{dockerfile: emulatorDockerfile, env: map[string]string{}, aliases: map[string][]string{},
		startTimeout: 30 * time.Second, tmpfs: true}
	for _, o := range opts {
		o(&cfg)
	}
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	removeLeftovers(ctx, cli)
	image := cfg.image
	if image == "" {
		bin, err := groundstackBinary(ctx, cfg.binary)
		if err != nil {
			return nil, err
		}
		// EC2 hosts run inside the emulator's container: with a shell
		// when a static busybox is at hand, else their commands fail (the
		// emulator inside then declares no ec2-hosts).
		shell, _ := busyboxFiles(ctx)
		if image, err = ensureImage(ctx, cli, emulatorImage(bin, cfg.dockerfile, shell)); err != nil {
			return nil, err
		}
	}
	user, password := newMQTTCredentials()
	cfg.env[EnvMQTTUsername], cfg.env[EnvMQTTPassword] = user, password
	c, err := runContainer(ctx, "container", image, cfg.startTimeout, emulatorCustomizers(cfg)...)
	if err != nil {
		return nil, err
	}
	if ep, err := mappedEndpoint(ctx, c.ctr, MQTTPort); err == nil {
		addr := strings.TrimPrefix(ep, "http://")
		c.mqtt = &MQTTEndpoint{Address: addr, WebSocketURL: "ws://" + strings.TrimPrefix(c.endpoint, "http://") + "/mqtt", Username: user, Password: password}
	}
	if cfg.strictKey != "" {
		c.cfg.Credentials = credentials.NewStaticCredentialsProvider(cfg.strictKey, cfg.strictSecret, "")
	}
	c.features = probeFeatures(ctx, c.endpoint)
	return c, nil
}

// emulatorCustomizers are the request options of the emulator's container.
func emulatorCustomizers(cfg containerConfig) []testcontainers.ContainerCustomizer {
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithEnv(cfg.env),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			// docker-init as PID 1 reaps whatever Lambda children leave.
			init := true
			hc.Init = &init
			if cfg.tmpfs {
				// Lambda code is unpacked and executed from /tmp: memory, not the overlay.
				hc.Tmpfs = map[string]string{"/tmp": "rw,exec,nosuid,mode=1777"}
			}
		}),
		testcontainers.WithLabels(map[string]string{LabelRole: "emulator"}),
		// the MQTT broker, published on the host's loopback like the edge
		testcontainers.WithExposedPorts(MQTTPort),
		testcontainers.WithHostConfigModifier(loopbackPort(MQTTPort)),
	}
	if len(cfg.networks) > 0 {
		opts = append(opts, testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
			req.Networks = append(req.Networks, cfg.networks...)
			if req.NetworkAliases == nil {
				req.NetworkAliases = map[string][]string{}
			}
			for n, a := range cfg.aliases {
				req.NetworkAliases[n] = a
			}
			return nil
		}))
	}
	return opts
}

// runContainer runs image with the options every Docker backend shares
// (owner label, loopback port, health wait) and returns it once healthy;
// on failure the container is removed and the error quotes its logs.
func runContainer(ctx context.Context, kind, image string, timeout time.Duration, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	all := append(commonCustomizers(timeout), opts...)
	start := time.Now()
	ctr, err := testcontainers.Run(ctx, image, all...)
	if err != nil {
		if ctr != nil {
			err = describe(ctx, ctr, err)
			ctr.Terminate(context.Background(), testcontainers.StopTimeout(time.Second))
		}
		return nil, fmt.Errorf("backend: start %s from %s: %w", kind, image, err)
	}
	startup := time.Since(start)
	endpoint, err := mappedEndpoint(ctx, ctr, EdgePort)
	if err != nil {
		ctr.Terminate(context.Background())
		return nil, fmt.Errorf("backend: %s: %w", kind, err)
	}
	return &Container{kind: kind, ctr: ctr, endpoint: endpoint, cfg: SDKConfig(endpoint, os.Getenv(EnvRegion)),
		image: image, startup: startup}, nil
}

// commonCustomizers: every container carries the owner label, publishes
// the edge on 127.0.0.1 only, and is ready when its health check answers.
func commonCustomizers(timeout time.Duration) []testcontainers.ContainerCustomizer {
	return []testcontainers.ContainerCustomizer{
		testcontainers.WithLogger(tclog.NewNoopLogger()),
		testcontainers.WithExposedPorts(EdgePort),
		testcontainers.WithHostConfigModifier(loopbackPort(EdgePort)),
		testcontainers.WithLabels(map[string]string{LabelOwner: ownerLabel()}),
		testcontainers.WithWaitStrategyAndDeadline(timeout+5*time.Second, healthWait(EdgePort, timeout)),
	}
}

func (c *Container) Name() string       { return c.kind }
func (c *Container) Endpoint() string   { return c.endpoint }
func (c *Container) Config() aws.Config { return c.cfg.Copy() }

// Supports answers from what the cloud in the container said it serves
// when it started (groundstack's capabilities, LocalStack's edition).
func (c *Container) Supports(f Feature) bool { return c.features.Has(f) }

// ID is the Docker container ID.
func (c *Container) ID() string { return c.ctr.GetContainerID() }

// Image is the image the container runs.
func (c *Container) Image() string { return c.image }

// Startup is how long the container took from Run to a healthy edge.
func (c *Container) Startup() time.Duration { return c.startup }

// Reset empties groundstack's stores; LocalStack answers ErrResetUnsupported.
func (c *Container) Reset(ctx context.Context) error {
	if !c.features.Has(FeatureReset) {
		return ErrResetUnsupported
	}
	return resetOver(ctx, c.endpoint, c.cfg)
}

// Diagnose returns nil while the container runs and answers its health
// check, else its state and last log lines.
func (c *Container) Diagnose(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := c.ctr.State(ctx)
	if err != nil {
		if isNotFound(err) {
			return fmt.Errorf("the %s backend's container %s is gone (removed by someone else?)", c.kind, shortID(c.ID()))
		}
		return fmt.Errorf("the %s backend's container %s: %w", c.kind, shortID(c.ID()), err)
	}
	if !st.Running {
		return fmt.Errorf("the %s backend stopped: %w", c.kind, describe(ctx, c.ctr, stateError(st)))
	}
	if err := healthOnce(ctx, &http.Client{Timeout: 2 * time.Second}, c.endpoint); err != nil {
		return fmt.Errorf("the %s backend is running but not answering: %w", c.kind, describe(ctx, c.ctr, err))
	}
	return nil
}

// Close stops and removes the container.
func (c *Container) Close() error {
	c.once.Do(func() {
		err := c.ctr.Terminate(context.Background(), testcontainers.StopTimeout(5*time.Second))
		if err != nil && !isNotFound(err) {
			c.closeErr = errors.Join(errors.New("backend: remove container "+shortID(c.ID())), err)
		}
	})
	return c.closeErr
}

// Exec runs a command in the container (tests and diagnosis; the image
// has a shell only when it was built with busybox).
func (c *Container) Exec(ctx context.Context, cmd []string) (int, io.Reader, error) {
	return c.ctr.Exec(ctx, cmd, tcexec.Multiplexed())
}

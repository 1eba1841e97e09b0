// Package groundstack gives another project's tests a local AWS cloud in
// a few lines:
//
//	gs, err := groundstack.Run(ctx, groundstack.WithServices("s3", "dynamodb"))
//	if err != nil { … }
//	defer gs.Close()
//	s3c := s3.NewFromConfig(gs.Config())
//
// By default the cloud is embedded: groundstack's emulator serving in this
// process on a free loopback port, no Docker, no network, no ~/.aws. The
// same tests can run against a groundstack container (import
// github.com/groundstack/groundstack/container and use
// WithBackend("container")) or any running groundstack or LocalStack
// (WithEndpoint). Config never reads the host's AWS settings.
//
// This package imports the emulator and the AWS SDK's core, never a test
// framework: importing it adds no test-only dependency to a project.
package groundstack

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// Backend names (WithBackend).
const (
	Embedded  = "embedded"  // the emulator in this process (default)
	Container = "container" // a groundstack container; needs the container package imported
	External  = "endpoint"  // a cloud already running at WithEndpoint's URL
)

// Defaults of the cloud's settings.
const (
	DefaultRegion  = sdkclient.DefaultRegion // us-east-1
	DefaultAccount = "000000000000"
)

// FaultRule is one injected failure: which calls it matches and what it
// does to them (an AWS error, latency, a dropped connection); see
// docs/faults.md.
type FaultRule = faults.Rule

// Option configures Run, in the manner of testcontainers-go's options.
type Option func(*Settings)

// Settings is what the options chose: a registered backend (RegisterBackend)
// starts its cloud from it. Run fills in the defaults before a backend sees
// it.
type Settings struct {
	Backend    string
	Endpoint   string   // External's URL
	Services   []string // none: every service
	Region     string
	Account    string
	StrictAuth bool
	// AccessKey and SecretKey sign for an External cloud in strict mode.
	AccessKey, SecretKey string
	Port                 int // 0: a free loopback port
	Faults               []FaultRule
	Snapshot             string // a snapshot file loaded at start
	Logs                 io.Writer
	StartTimeout         time.Duration
	// Image is the groundstack image the container backend runs (default:
	// one built from the checkout, or GROUNDSTACK_IMAGE).
	Image string
}

// WithBackend chooses where the cloud runs: Embedded (the default),
// Container or External ("endpoint", which WithEndpoint implies).
func WithBackend(name string) Option { return func(s *Settings) { s.Backend = name } }

// WithEndpoint uses the cloud already serving at url (a groundstack up, a
// LocalStack) instead of starting one; Close leaves it running.
func WithEndpoint(url string) Option {
	return func(s *Settings) { s.Backend, s.Endpoint = External, strings.TrimRight(url, "/") }
}

// WithServices names the services the cloud must serve ("s3", "dynamodb",
// "sqs", "lambda", "logs", "iot-data"…; emulator.ServiceNames lists them).
// The embedded cloud then serves only those and answers calls to any other
// as to a service it does not emulate (UnknownService, 501), which catches
// a dependency the test did not declare; the others still run behind them
// (Lambda still logs to CloudWatch Logs). Against a container or an
// endpoint, Run checks that the cloud serves them.
func WithServices(names ...string) Option {
	return func(s *Settings) { s.Services = append(s.Services, names...) }
}

// WithRegion sets the region of Config and of requests that carry none
// (default us-east-1).
func WithRegion(region string) Option { return func(s *Settings) { s.Region = region } }

// WithAccount sets the default account, twelve digits (default
// 000000000000).
func WithAccount(id string) Option { return func(s *Settings) { s.Account = id } }

// WithStrictAuth makes the cloud verify SigV4 signatures as AWS does,
// against a key pair made at start; Config signs with it, and anything
// else (the usual test/test credentials included) is refused.
func WithStrictAuth() Option { return func(s *Settings) { s.StrictAuth = true } }

// WithCredentials sets the key pair Config signs with against an External
// cloud that verifies signatures.
func WithCredentials(accessKey, secretKey string) Option {
	return func(s *Settings) { s.AccessKey, s.SecretKey = accessKey, secretKey }
}

// WithPort makes the embedded cloud listen on 127.0.0.1:port (default 0: a
// free port, so many clouds can run side by side).
func WithPort(port int) Option { return func(s *Settings) { s.Port = port } }

// WithFaults puts fault rules in force from the start (Faults changes them
// later).
func WithFaults(rules ...FaultRule) Option {
	return func(s *Settings) { s.Faults = append(s.Faults, rules...) }
}

// WithSnapshot loads the snapshot file at path (made by `groundstack
// snapshot save` or POST /_groundstack/snapshot) once the cloud is up.
func WithSnapshot(path string) Option { return func(s *Settings) { s.Snapshot = path } }

// WithLogs writes the embedded cloud's log (requests refused, functions'
// output, hooks) to w as text lines; by default it is discarded.
func WithLogs(w io.Writer) Option { return func(s *Settings) { s.Logs = w } }

// WithImage makes the container backend run this groundstack image
// instead of building one (outside a groundstack checkout it must be
// given, here or in GROUNDSTACK_IMAGE).
func WithImage(ref string) Option { return func(s *Settings) { s.Image = ref } }

// WithStartTimeout bounds how long Run waits for the cloud to answer
// (default 2 minutes; 10 for a container, whose first run builds its
// image).
func WithStartTimeout(d time.Duration) Option { return func(s *Settings) { s.StartTimeout = d } }

// Started is what a registered backend's start function returns.
type Started struct {
	Endpoint string
	// Config signs for the cloud; its endpoint and region are set by Run.
	Config aws.Config
	// Close stops what the backend started.
	Close func() error
}

// StartFunc starts a cloud for a registered backend.
type StartFunc func(ctx context.Context, s Settings) (Started, error)

var (
	registryMu sync.Mutex
	registry   = map[string]StartFunc{}
)

// RegisterBackend makes WithBackend(name) start clouds with start. The
// container package registers Container when imported, so that only
// projects that use containers link testcontainers-go.
func RegisterBackend(name string, start StartFunc) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[name] = start
}

// Cloud is a running local cloud.
type Cloud struct {
	backend  string
	endpoint string
	region   string
	cfg      aws.Config
	emu      *emulator.Emulator // Embedded only
	stop     func() error

	closeOnce sync.Once
	closeErr  error
}

// Run starts a cloud (or connects to one, with WithEndpoint) and returns
// when it answers. On error nothing is left running.
func Run(ctx context.Context, opts ...Option) (*Cloud, error) {
	s := Settings{Backend: Embedded, Region: DefaultRegion}
	for _, o := range opts {
		o(&s)
	}
	if s.Backend == "" {
		s.Backend = Embedded
	}
	if s.Region == "" {
		s.Region = DefaultRegion
	}
	if s.Account != "" && !emulator.IsAccountID(s.Account) {
		return nil, fmt.Errorf("groundstack: account %q is not twelve digits", s.Account)
	}
	if s.Port < 0 || s.Port > 65535 {
		return nil, fmt.Errorf("groundstack: port %d is not a TCP port", s.Port)
	}
	if s.Backend == Embedded || s.Backend == Container { // the same emulator's services
		known := emulator.ServiceNames()
		for _, n := range s.Services {
			if !slices.Contains(known, n) {
				return nil, fmt.Errorf("groundstack: no service named %q (groundstack serves %s)", n, strings.Join(known, ", "))
			}
		}
	}
	if s.StartTimeout <= 0 {
		s.StartTimeout = 2 * time.Minute
		if s.Backend == Container {
			s.StartTimeout = 10 * time.Minute
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.StartTimeout)
	defer cancel()
	c, err := start(ctx, s)
	if err != nil {
		return nil, err
	}
	if err := c.prepare(ctx, s); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func start(ctx context.Context, s Settings) (*Cloud, error) {
	c := &Cloud{backend: s.Backend, region: s.Region, stop: func() error { return nil }}
	switch s.Backend {
	case Embedded:
		eopts := []emulator.Option{
			emulator.WithAddr(net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))),
			emulator.WithRegion(s.Region),
		}
		if len(s.Services) > 0 {
			eopts = append(eopts, emulator.WithServices(s.Services...))
		}
		if s.Account != "" {
			eopts = append(eopts, emulator.WithAccount(s.Account))
		}
		if s.Logs != nil {
			eopts = append(eopts, emulator.WithLogger(slog.New(slog.NewTextHandler(s.Logs, nil))))
		}
		c.cfg = sdkclient.Config("", s.Region)
		if s.StrictAuth {
			id, secret := "AKIA"+strings.ToUpper(rand.Text()[:16]), rand.Text()+rand.Text()
			eopts = append(eopts, emulator.WithStrictAuth(map[string]string{id: secret}))
			c.cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
		}
		e := emulator.New(eopts...)
		if err := e.Start(); err != nil {
			e.Close()
			return nil, fmt.Errorf("groundstack: start the embedded cloud: %w", err)
		}
		c.emu, c.endpoint, c.stop = e, e.URL(), e.Close
	case External:
		if s.Endpoint == "" {
			return nil, errors.New("groundstack: the endpoint backend needs WithEndpoint(url)")
		}
		c.endpoint = s.Endpoint
		c.cfg = sdkclient.Config("", s.Region)
		if s.AccessKey != "" {
			c.cfg.Credentials = credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")
		}
	default:
		registryMu.Lock()
		startFn := registry[s.Backend]
		registryMu.Unlock()
		if startFn == nil {
			if s.Backend == Container {
				return nil, errors.New(`groundstack: the container backend needs import _ "github.com/groundstack/groundstack/container" (it links testcontainers-go)`)
			}
			return nil, fmt.Errorf("groundstack: unknown backend %q (want embedded, container or endpoint)", s.Backend)
		}
		st, err := startFn(ctx, s)
		if err != nil {
			return nil, err
		}
		c.endpoint, c.cfg = strings.TrimRight(st.Endpoint, "/"), st.Config
		if st.Close != nil {
			c.stop = st.Close
		}
		if c.cfg.Credentials == nil {
			c.cfg.Credentials = credentials.NewStaticCredentialsProvider(sdkclient.AccessKey, sdkclient.SecretKey, "")
		}
		if c.cfg.HTTPClient == nil {
			c.cfg.HTTPClient = sdkclient.Config("", s.Region).HTTPClient
		}
	}
	c.cfg.Region = s.Region
	c.cfg.BaseEndpoint = aws.String(c.endpoint)
	return c, nil
}

// prepare waits for the cloud, checks it serves the services asked for,
// then loads the snapshot and puts the fault rules in force.
func (c *Cloud) prepare(ctx context.Context, s Settings) error {
	served, err := c.waitHealthy(ctx)
	if err != nil {
		return err
	}
	for _, n := range s.Services {
		if served != nil && !served[n] {
			return fmt.Errorf("groundstack: the cloud at %s does not serve %s", c.endpoint, n)
		}
	}
	if s.Snapshot != "" {
		b, err := os.ReadFile(s.Snapshot)
		if err != nil {
			return fmt.Errorf("groundstack: snapshot: %w", err)
		}
		if _, err := c.control(ctx, http.MethodPost, control.PathSnapshotLoad, b); err != nil {
			return fmt.Errorf("groundstack: load snapshot %s: %w", s.Snapshot, err)
		}
	}
	if len(s.Faults) > 0 {
		if _, err := c.Faults().Add(ctx, s.Faults...); err != nil {
			return fmt.Errorf("groundstack: fault rules: %w", err)
		}
	}
	return nil
}

// waitHealthy polls the health endpoint until it answers, and returns the
// services it lists (nil when the cloud lists none, as LocalStack's
// health in another shape).
func (c *Cloud) waitHealthy(ctx context.Context) (map[string]bool, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	var last error
	for {
		for _, path := range []string{control.PathHealth, control.PathLocalStackHealth} {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+path, nil)
			resp, err := client.Do(req)
			if err != nil {
				last = err
				break
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				last = fmt.Errorf("%s answered %s", path, resp.Status)
				continue
			}
			return servicesOf(body), nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("groundstack: %s did not answer: %w (last: %v)", c.endpoint, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// servicesOf reads the served services from groundstack's health (a list)
// or LocalStack's (a map of states).
func servicesOf(body []byte) map[string]bool {
	var gs struct {
		Services json.RawMessage `json:"services"`
	}
	if json.Unmarshal(body, &gs) != nil {
		return nil
	}
	var list []string
	if json.Unmarshal(gs.Services, &list) == nil {
		out := map[string]bool{}
		for _, n := range list {
			out[n] = true
		}
		return out
	}
	var states map[string]string
	if json.Unmarshal(gs.Services, &states) == nil {
		out := map[string]bool{}
		for n, st := range states {
			out[n] = st == "running" || st == "available"
		}
		return out
	}
	return nil
}

// Endpoint is the cloud's edge URL ("http://127.0.0.1:43127"); every
// service answers there.
func (c *Cloud) Endpoint() string { return c.endpoint }

// Region is the cloud's default region.
func (c *Cloud) Region() string { return c.region }

// Backend names where the cloud runs (Embedded, Container, External).
func (c *Cloud) Backend() string { return c.backend }

// Config is an aws-sdk-go-v2 config for the cloud: its endpoint and
// region, static test credentials (or strict mode's key pair), the SDK's
// standard retryer. It reads nothing from the host: no ~/.aws, no AWS_*
// variables. Each call returns a copy the caller may change.
func (c *Cloud) Config() aws.Config { return c.cfg.Copy() }

// Reset empties the cloud through its control plane (POST
// /_groundstack/reset): every bucket, table, queue, function and log
// group goes, as if the cloud had just started. Fault rules stay.
func (c *Cloud) Reset(ctx context.Context) error {
	if _, err := c.control(ctx, http.MethodPost, control.PathReset, nil); err != nil {
		return fmt.Errorf("groundstack: reset: %w", err)
	}
	return nil
}

// Faults changes the cloud's fault rules while it runs.
func (c *Cloud) Faults() *faults.Client {
	return &faults.Client{Endpoint: c.endpoint, Credentials: c.cfg.Credentials, Region: c.region}
}

// Emulator is the embedded cloud's emulator (nil for other backends), for
// what the options do not cover.
func (c *Cloud) Emulator() *emulator.Emulator { return c.emu }

// Close stops the cloud and waits for it (an External one is left
// running). It is safe to call more than once; later calls return the
// first's result.
func (c *Cloud) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.stop() })
	return c.closeErr
}

// control calls the control plane, signed with Config's credentials (a
// cloud in strict mode wants a signature), and returns the answer's body.
func (c *Cloud) control(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if c.cfg.Credentials != nil {
		creds, err := c.cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), control.SigningName, c.region, time.Now()); err != nil {
			return nil, err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s answered %s: %s", method, path, resp.Status, strings.TrimSpace(string(out)))
	}
	return out, nil
}

package emulator

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/ec2host"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/mqtt"
)

// Version is groundstack's version, set at link time for releases.
var Version = "0.1.0-dev"

// Option configures an Emulator.
type Option func(*config)

type config struct {
	addr      string
	env       *cloud.Env
	secrets   map[string]string
	initDir   string
	hosts     string // parent of the EC2 hosts' directory
	launch    cloud.HostLauncher
	log       *slog.Logger
	origins   []string
	anyOrigin bool
	body      bodyLimits
	mqtt      []mqtt.Option
}

// WithAddr sets the listen address ("127.0.0.1:4566"); the default is a free
// loopback port.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithClock replaces the wall clock (for deterministic tests).
func WithClock(now func() time.Time) Option { return func(c *config) { c.env.Now = now } }

// WithIDs replaces the random ID source (request IDs, resource IDs).
func WithIDs(newID func() string) Option { return func(c *config) { c.env.NewID = newID } }

// WithAlarmEvaluation sets how often CloudWatch evaluates alarms on its own
// (default every 10 s; a negative d: only when POST /_groundstack/clock
// advances the clock, for tests that drive time themselves).
func WithAlarmEvaluation(d time.Duration) Option {
	return func(c *config) { c.env.AlarmEvaluation = d }
}

// WithRegion sets the region used for requests that carry none.
func WithRegion(region string) Option { return func(c *config) { c.env.Region = region } }

// WithStrictAuth turns on SigV4 verification against the given access key →
// secret key pairs; requests with a wrong signature are refused as AWS does.
func WithStrictAuth(secrets map[string]string) Option {
	return func(c *config) { c.secrets = secrets }
}

// WithInitDir runs the executable files of dir/ready.d once the edge is ready,
// as LocalStack does with /etc/localstack/init.
func WithInitDir(dir string) Option { return func(c *config) { c.initDir = dir } }

// WithHostsDir puts the sandboxes of EC2 instances' hosts in a fresh
// directory under dir (default: the system temp directory), removed by Close.
func WithHostsDir(dir string) Option { return func(c *config) { c.hosts = dir } }

// WithTempDir makes the private temporary directories of services (S3's
// object bodies on disk) under dir (default: the system temp directory,
// $TMPDIR); Close removes them.
func WithTempDir(dir string) Option { return func(c *config) { c.env.TempDir = dir } }

// WithObjectMemory keeps S3 object and part bodies of up to n bytes in
// memory and writes larger ones to disk (default 1 MiB), so memory does not
// grow with object sizes.
func WithObjectMemory(n int64) Option { return func(c *config) { c.env.MaxBodyInMemory = n } }

// WithHostLauncher makes l the machines behind EC2 instances instead of
// in-process hosts (harness/backend's HostContainers runs them in Docker);
// Close closes it when it is an io.Closer.
func WithHostLauncher(l cloud.HostLauncher) Option { return func(c *config) { c.launch = l } }

// WithAllowedOrigins lets web pages of these origins ("https://app.example.com",
// or "*") call the emulator's APIs from a browser, besides the machine's own
// pages (loopback and *.localhost.localstack.cloud origins), which always may.
func WithAllowedOrigins(origins ...string) Option {
	return func(c *config) { c.origins = append(c.origins, origins...) }
}

// WithoutOriginChecks lets any web page call the emulator's APIs from a
// browser (LocalStack's DISABLE_CORS_CHECKS): only for a machine no browser
// on it visits untrusted pages.
func WithoutOriginChecks() Option { return func(c *config) { c.anyOrigin = true } }

// WithBodyTimeouts bounds how slowly a request body may arrive: each read
// must bring bytes within idle, and after grace the body must have come at
// minRate bytes/s on average (defaults: 20 s, 30 s, 1 KiB/s).
func WithBodyTimeouts(idle, grace time.Duration, minRate int64) Option {
	return func(c *config) { c.body = bodyLimits{idle: idle, grace: grace, minRate: max(minRate, 1)} }
}

// WithWebSocketLimits sets how long an API Gateway WebSocket connection may
// stay idle (no data message either way) and how long it may live at all
// before the emulator closes it with 1001 (0 keeps AWS's 10 minutes and 2
// hours).
func WithWebSocketLimits(idle, lifetime time.Duration) Option {
	return func(c *config) { c.env.WebSocketIdleTimeout, c.env.WebSocketMaxLifetime = idle, lifetime }
}

// WithLogger sets the emulator's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// Emulator is one local AWS cloud.
type Emulator struct {
	cfg      config
	env      *cloud.Env
	services []cloud.Service
	hosts    io.Closer // the EC2 instances' machines
	broker   *mqtt.Broker
	control  *control.Plane
	handler  http.Handler

	mu   sync.Mutex
	ln   net.Listener
	srv  *http.Server
	done chan struct{}

	connMu sync.Mutex
	fresh  map[net.Conn]struct{} // accepted, no request yet
}

// New builds an emulator with every service; Start makes it listen.
func New(opts ...Option) *Emulator {
	cfg := config{addr: "127.0.0.1:0", env: cloud.DefaultEnv(), body: defaultBodyLimits}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	cfg.env.Log = cfg.log
	e := &Emulator{cfg: cfg, env: cfg.env}
	hosts := cfg.launch
	if hosts == nil {
		hosts = ec2host.NewLauncher(cfg.hosts, cfg.log)
	}
	e.env.Links.Set(cloud.LinkHosts, hosts)
	e.hosts, _ = hosts.(io.Closer)
	e.broker = mqtt.New(append([]mqtt.Option{mqtt.WithLogger(cfg.log)}, cfg.mqtt...)...)
	e.env.Links.Set(cloud.LinkMQTT, cloud.MessageBroker(brokerLink{e.broker}))
	e.services = builtins(e.env)
	e.control = control.New(e.env, Version, e.services)
	ed := newEdge(e.services, e.control)
	ed.newID = e.env.NewID
	ed.origins = newOriginPolicy(cfg.origins, cfg.anyOrigin)
	if cfg.secrets != nil {
		ed.verifier = &awsproto.Verifier{Secrets: cfg.secrets, Now: e.env.Now}
		// Temporary credentials the cloud issued (STS sessions, functions'
		// execution roles) are accepted with their session token.
		if iss, ok := e.env.Links.Get(cloud.LinkCredentials).(cloud.CredentialIssuer); ok {
			ed.verifier.Sessions = func(key string) (awsproto.Session, bool) {
				c, exp, ok := iss.LookupSession(key)
				return awsproto.Session{Secret: c.SecretAccessKey, Token: c.SessionToken, Expires: exp}, ok
			}
		}
		// IAM users' active access keys sign too.
		if keys, ok := e.env.Links.Get(cloud.LinkAccessKeys).(cloud.AccessKeys); ok {
			ed.verifier.Keys = func(id string) (string, bool) {
				k, ok := keys.AccessKey(id)
				return k.Secret, ok && k.Active
			}
			ed.verifier.KeyUsed = func(id string, sc awsproto.Scope, at time.Time) {
				keys.NoteAccessKeyUse(id, sc.Service, sc.Region, at)
			}
		}
		e.env.Links.Set(cloud.LinkSigV4, cloud.RequestVerifier(ed.verifier))
	}
	e.handler = ed
	return e
}

// IssueSession issues temporary credentials of the account root, which
// this emulator accepts (in strict mode, with their session token) until
// revoke is called: for tools that drive it on its owner's behalf, such as
// `groundstack up` deploying flows, so they never hold its own keys.
func (e *Emulator) IssueSession(name string) (cloud.TemporaryCredentials, func(), error) {
	iss, ok := e.env.Links.Get(cloud.LinkCredentials).(cloud.CredentialIssuer)
	if !ok {
		return cloud.TemporaryCredentials{}, nil, errors.New("emulator: no service issues credentials")
	}
	return iss.IssueSession("", name)
}

// Handler is the edge as an http.Handler (for httptest and benchmarks).
func (e *Emulator) Handler() http.Handler { return e.handler }

// Capabilities are what this emulator serves beyond plain AWS APIs (the
// cloud.Cap* names), as GET /_groundstack/health lists them.
func (e *Emulator) Capabilities() []string { return e.control.Capabilities() }

// Services lists the services this emulator serves.
func (e *Emulator) Services() []cloud.Service { return e.services }

// Start listens and serves in the background; the health endpoint answers as
// soon as Start returns.
func (e *Emulator) Start() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ln != nil {
		return errors.New("emulator: already started")
	}
	ln, err := net.Listen("tcp", e.cfg.addr)
	if err != nil {
		return err
	}
	if err := e.broker.Start(); err != nil {
		ln.Close()
		return err
	}
	e.ln = ln
	e.env.Host = ln.Addr().String()
	e.srv = &http.Server{
		Handler:           withBodyDeadlines(e.handler, e.cfg.body),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(e.cfg.log.Handler(), slog.LevelDebug),
		ConnState:         e.trackConn,
	}
	e.fresh = map[net.Conn]struct{}{}
	srv, done := e.srv, make(chan struct{})
	e.done = done
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	if e.cfg.initDir != "" {
		e.control.StartInitHooks(e.cfg.initDir, "http://"+ln.Addr().String())
	}
	return nil
}

// trackConn remembers connections that have not carried a request yet:
// Shutdown would wait 5 s for them (clients open spare connections), so
// Close drops them at once.
// It has its own lock, and ignores the Idle transition every request
// ends with, so the request path never waits on the emulator's lock.
func (e *Emulator) trackConn(c net.Conn, st http.ConnState) {
	switch st {
	case http.StateIdle:
		return // never new again
	case http.StateNew:
		e.connMu.Lock()
		e.fresh[c] = struct{}{}
		e.connMu.Unlock()
	default:
		e.connMu.Lock()
		delete(e.fresh, c)
		e.connMu.Unlock()
	}
}

// URL is the edge's base URL ("http://127.0.0.1:4566").
func (e *Emulator) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ln == nil {
		return ""
	}
	return "http://" + e.ln.Addr().String()
}

// Addr is the listen address, once started.
func (e *Emulator) Addr() net.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ln == nil {
		return nil
	}
	return e.ln.Addr()
}

// Reset empties every service's state.
func (e *Emulator) Reset() {
	for _, s := range e.services {
		s.Reset()
	}
}

// Close stops serving and releases every service's resources (init hooks,
// child processes, listeners), waiting for what it stops. It is safe to
// call more than once.
func (e *Emulator) Close() error {
	e.mu.Lock()
	srv, done := e.srv, e.done
	e.srv = nil
	e.mu.Unlock()
	// Init hooks first: they are clients of the edge being shut down.
	errs := []error{e.control.Close()}
	if srv != nil {
		srv.SetKeepAlivesEnabled(false)
		e.connMu.Lock()
		for c := range e.fresh {
			c.Close()
		}
		e.connMu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, srv.Close())
		}
		cancel()
		<-done
	}
	for _, s := range e.services {
		if c, ok := s.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	errs = append(errs, e.broker.Close())
	if e.hosts != nil {
		errs = append(errs, e.hosts.Close())
	}
	return errors.Join(errs...)
}

package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/ec2host"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/harness/emulator/persist"
	"github.com/groundstack/groundstack/harness/emulator/ui"
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
	served    map[string]bool // nil: every service

	maxAccounts int

	dataDir string
	fsync   persist.Fsync
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

// WithAccount sets the default account: the one requests signed with a
// key that names no other account are served from (default 000000000000,
// as LocalStack; GROUNDSTACK_ACCOUNT_ID for groundstack up). It must be
// twelve digits; New panics otherwise, as the caller checks
// (IsAccountID).
func WithAccount(id string) Option {
	if !IsAccountID(id) {
		panic(fmt.Sprintf("emulator: account id %q is not twelve digits", id))
	}
	return func(c *config) { c.env.Account = id }
}

// WithMaxAccounts bounds how many accounts the emulator serves at once
// (default DefaultMaxAccounts): a request that would start one more is
// refused with the service's unknown-key error until a reset.
func WithMaxAccounts(n int) Option { return func(c *config) { c.maxAccounts = n } }

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

// WithServices makes the edge serve only the named services (Service.Name:
// "s3", "dynamodb", "dynamodbstreams", "iot-data"…; ServiceNames lists
// them) and answer requests for the others as for a service groundstack
// does not emulate. The others still run behind the served ones (a Lambda
// function still writes its logs to CloudWatch Logs, an S3 notification
// still reaches SQS), and a reset still empties them; only their APIs are
// closed. No names, or no WithServices at all, serves every service. New
// panics on a name it does not know, as the caller checks (ServiceNames).
func WithServices(names ...string) Option {
	known := ServiceNames()
	for _, n := range names {
		if !slices.Contains(known, n) {
			panic(fmt.Sprintf("emulator: no service named %q (want one of %s)", n, strings.Join(known, ", ")))
		}
	}
	return func(c *config) {
		if len(names) == 0 {
			c.served = nil
			return
		}
		c.served = map[string]bool{}
		for _, n := range names {
			c.served[n] = true
		}
	}
}

// ServiceNames lists, sorted, the names of the services an emulator can
// serve (WithServices).
func ServiceNames() []string { return slices.Clone(serviceNames()) }

// serviceNames builds the services once, to ask their names.
var serviceNames = sync.OnceValue(func() []string {
	env := cloud.DefaultEnv()
	env.Log = slog.New(slog.DiscardHandler)
	env.Names = &cloud.Names{}
	var names []string
	for _, s := range builtins(env) {
		names = append(names, s.Name())
		if c, ok := s.(io.Closer); ok {
			_ = c.Close()
		}
	}
	slices.Sort(names)
	return names
})

// WithLogger sets the emulator's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// Emulator is one local AWS cloud.
type Emulator struct {
	cfg          config
	env          *cloud.Env      // the default account's
	services     []cloud.Service // the default account's
	accounts     *accounts
	hostLauncher cloud.HostLauncher
	hosts        io.Closer // the EC2 instances' machines
	broker       *mqtt.Broker
	control      *control.Plane
	verifier     *awsproto.Verifier
	faults       *faults.Engine
	origins      *originPolicy
	handler      http.Handler
	persist      *persistence // nil without a data directory

	// snapshots serialises snapshot loads (and saves with them), so two
	// loads never both find the emulator empty.
	snapshots sync.Mutex

	mu   sync.Mutex
	ln   net.Listener
	srv  *http.Server
	done chan struct{}

	connMu sync.Mutex
	fresh  map[net.Conn]struct{} // accepted, no request yet
}

// New builds an emulator with every service; Start makes it listen.
func New(opts ...Option) *Emulator {
	cfg := config{addr: "127.0.0.1:0", env: cloud.DefaultEnv(), body: defaultBodyLimits, maxAccounts: DefaultMaxAccounts}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	cfg.env.Log = cfg.log
	cfg.env.Names = &cloud.Names{}
	e := &Emulator{cfg: cfg, env: cfg.env}
	hosts := cfg.launch
	if hosts == nil {
		hosts = ec2host.NewLauncher(cfg.hosts, cfg.log)
	}
	e.hostLauncher = hosts
	e.hosts, _ = hosts.(io.Closer)
	e.broker = mqtt.New(append([]mqtt.Option{mqtt.WithLogger(cfg.log)}, cfg.mqtt...)...)
	e.origins = newOriginPolicy(cfg.origins, cfg.anyOrigin)
	if cfg.secrets != nil {
		e.verifier = &awsproto.Verifier{Secrets: cfg.secrets, Now: e.env.Now}
	}
	started := time.Now()
	if cfg.dataDir != "" {
		e.openPersistence()
	}
	e.faults = faults.New(e.env.Now, e.env.NewID)
	e.env.Links.Set(cloud.LinkFaults, http.Handler(e.faults))
	e.env.Links.Set(cloud.LinkSnapshots, http.Handler(snapshotHandler{e}))
	e.accounts = &accounts{max: max(cfg.maxAccounts, 1), build: e.newCell, faults: e.faults}
	e.accounts.def = e.wireCell(e.env, true)
	e.services = e.accounts.def.services
	e.control = e.accounts.def.control
	if e.verifier != nil {
		e.verifyAcrossAccounts()
	}
	e.handler = e.accounts
	if e.persist != nil {
		e.control.OnPersistence(func() any { return e.Persistence() })
		e.restoreAccounts(started)
	}
	return e
}

// newCell builds the cloud of another account than the default: the same
// services, on a copy of the default's environment, its clock where the
// default's is.
func (e *Emulator) newCell(account string) *cell {
	env := *e.env
	env.Account = account
	env.Links = &cloud.Links{}
	c := e.wireCell(&env, false)
	if own, ok := env.Links.Get(linkOwnClock).(cloud.Clock); ok {
		if t := (cellClock{e.accounts}).Now(); t.After(own.Now()) {
			_, _ = own.Set(t)
		}
	}
	return c
}

// wireCell builds one account's services on env and the edge among them;
// the default account's also gets the control plane.
func (e *Emulator) wireCell(env *cloud.Env, isDefault bool) *cell {
	env.Links.Set(cloud.LinkHosts, e.hostLauncher)
	env.Links.Set(cloud.LinkMQTT, cloud.MessageBroker(brokerLink{e.broker}))
	env.Links.Set(cloud.LinkSessions, cloud.SessionDirectory(sessionDirectory{e}))
	env.Links.Set(cloud.LinkFaultPlanes, cloud.FaultPlanes(e.faults))
	if e.verifier != nil {
		env.Links.Set(cloud.LinkSigV4, cloud.RequestVerifier(e.verifier))
	}
	c := &cell{account: env.Account, env: env, services: builtins(env)}
	// The control plane answers from every account's edge (a signed reset
	// is the same reset whoever signs it); it holds the default's services.
	if isDefault {
		c.control = control.New(env, Version, c.services)
		c.control.OnReset(e.resetOthers)
	} else {
		c.control = e.control
	}
	if own, ok := env.Links.Get(cloud.LinkClock).(cloud.Clock); ok {
		env.Links.Set(linkOwnClock, own)
		if isDefault {
			env.Links.Set(cloud.LinkClock, cloud.Clock(cellClock{e.accounts}))
		}
	}
	for _, s := range c.services {
		if cl, ok := s.(cloud.Claimant); ok {
			c.claimants = append(c.claimants, claimant{svc: s, claim: cl})
		}
	}
	routed := c.services
	if e.cfg.served != nil {
		routed = slices.DeleteFunc(slices.Clone(routed), func(s cloud.Service) bool { return !e.cfg.served[s.Name()] })
		if isDefault {
			c.control.Serving(func(name string) bool { return e.cfg.served[name] })
		}
	}
	ed := newEdge(routed, c.control)
	ed.newID = env.NewID
	ed.origins = e.origins
	ed.verifier = e.verifier
	c.edge = ed
	// The internal edge reaches every service of the cell, whichever the
	// public one routes to.
	in := newEdge(c.services, c.control)
	in.newID = env.NewID

	e.persistCell(c)
	// what the internal edge changes is logged as what the public one
	// changes: its answers wait for durability too
	in.durable, in.whole = c.edge.durable, c.edge.whole
	env.Links.Set(cloud.LinkInternalEdge, http.Handler(internalEdge{in}))
	env.Links.Set(cloud.LinkAccountEdges, cloud.AccountEdges(accountEdges{e}))
	if isDefault {
		c.control.Console(ui.New(internalEdge{in}, c.services, env.Region))
	}
	return c
}

// accountEdges finds the internal edge of any account's cell (the
// accounts are read when asked: the default cell is built before them).
type accountEdges struct{ e *Emulator }

func (x accountEdges) InternalEdge(account string) (http.Handler, error) {
	if x.e.accounts == nil {
		return nil, fmt.Errorf("account %s: the emulator has no accounts yet", account)
	}
	c, err := x.e.accounts.cell(account)
	if err != nil {
		return nil, err
	}
	h, _ := c.env.Links.Get(cloud.LinkInternalEdge).(http.Handler)
	if h == nil {
		return nil, fmt.Errorf("account %s has no internal edge", account)
	}
	return h, nil
}

// verifyAcrossAccounts lets strict mode's verifier accept the temporary
// credentials any account's STS issued (STS sessions, functions'
// execution roles), with their session token, and the active access keys
// of any account's IAM users.
func (e *Emulator) verifyAcrossAccounts() {
	e.verifier.Sessions = func(key string) (awsproto.Session, bool) {
		for _, c := range e.accounts.all() {
			if iss, ok := c.env.Links.Get(cloud.LinkCredentials).(cloud.CredentialIssuer); ok {
				if cr, exp, ok := iss.LookupSession(key); ok {
					return awsproto.Session{Secret: cr.SecretAccessKey, Token: cr.SessionToken, Expires: exp}, true
				}
			}
			if bs, ok := c.env.Links.Get(cloud.LinkBucketSessions).(cloud.BucketSessions); ok {
				if cr, exp, ok := bs.LookupBucketSession(key); ok {
					return awsproto.Session{Secret: cr.SecretAccessKey, Token: cr.SessionToken, Expires: exp, TokenHeader: "X-Amz-S3session-Token"}, true
				}
			}
		}
		return awsproto.Session{}, false
	}
	userKey := func(id string) (cloud.AccessKeys, cloud.AccessKey, bool) {
		for _, c := range e.accounts.all() {
			if keys, ok := c.env.Links.Get(cloud.LinkAccessKeys).(cloud.AccessKeys); ok {
				if k, ok := keys.AccessKey(id); ok {
					return keys, k, true
				}
			}
		}
		return nil, cloud.AccessKey{}, false
	}
	e.verifier.Keys = func(id string) (string, bool) {
		_, k, ok := userKey(id)
		return k.Secret, ok && k.Active
	}
	e.verifier.KeyUsed = func(id string, sc awsproto.Scope, at time.Time) {
		if keys, _, ok := userKey(id); ok {
			keys.NoteAccessKeyUse(id, sc.Service, sc.Region, at)
		}
	}
}

// resetOthers is what a reset through the control plane does to the other
// accounts: a whole reset drops them; a reset of named services empties
// those services in every account.
func (e *Emulator) resetOthers(names map[string]bool) {
	if len(names) == 0 {
		dropped := e.accounts.dropOthers()
		if e.persist != nil && e.persist.dir != nil {
			_ = closeLogs(dropped)
			for _, c := range dropped {
				if err := e.persist.dir.RemoveAccount(c.account); err != nil {
					e.cfg.log.Error("persistence: a reset could not remove an account's logs", "account", c.account, "err", err)
				}
			}
		}
		_ = closeCells(dropped)
	} else {
		for _, c := range e.accounts.all()[1:] {
			for _, s := range c.services {
				if names[s.Name()] {
					s.Reset()
				}
			}
		}
	}
	// A reset records nothing: the emptied services' checkpoints replace
	// their logs.
	if err := checkpointCells(e.accounts.all(), names); err != nil {
		e.cfg.log.Error("persistence: a reset could not empty the data directory", "err", err)
	}
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

// Faults are the emulator's fault rules (also served at
// /_groundstack/faults).
func (e *Emulator) Faults() *faults.Engine { return e.faults }

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
	if e.persist != nil && e.persist.err != nil {
		return e.persist.err
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
	for _, c := range e.accounts.all() {
		c.env.Host = ln.Addr().String()
	}
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

// Reset empties every service's state and forgets every account but the
// default.
func (e *Emulator) Reset() {
	for _, s := range e.services {
		s.Reset()
	}
	e.resetOthers(nil)
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
	if e.persist != nil {
		// A clean shutdown compacts: the next start reads checkpoints.
		errs = append(errs, checkpointCells(e.accounts.all(), nil), closeLogs(e.accounts.all()))
		if e.persist.dir != nil {
			errs = append(errs, e.persist.dir.Close())
		}
	}
	errs = append(errs, closeCells(e.accounts.all()))
	errs = append(errs, e.broker.Close())
	if e.hosts != nil {
		errs = append(errs, e.hosts.Close())
	}
	return errors.Join(errs...)
}

package runtime

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Defaults of Config.
const (
	DefaultInitTimeout = 10 * time.Second
	// DefaultMaxInstances is AWS's default account concurrency: the cap
	// of a function version when neither reserved concurrency nor the
	// caller (the lambda service bounds the account's) sets one.
	DefaultMaxInstances = 1000
	DefaultIdleTimeout  = 10 * time.Minute
	// MaxResponseBytes is the largest response a function may return
	// (6 MB plus the 100 bytes AWS allows for framing).
	MaxResponseBytes = 6291556
)

// Errors of Pool.Invoke.
var (
	// ErrRetired means the pool's function version was replaced or deleted
	// while the invocation waited: resolve the function again.
	ErrRetired = errors.New("lambda runtime: function version retired")
	// ErrClosed means the executor is shutting down.
	ErrClosed = errors.New("lambda runtime: executor closed")
)

// Config configures an Executor.
type Config struct {
	// CacheDir holds code zips and unpacked code. By default each
	// executor makes a private one (0700, random name) and removes it on
	// Close; a configured one must be owned by this user and closed to
	// others, and is kept.
	CacheDir string
	// CacheBytes bounds the cache (DefaultCacheBytes when 0): code no pool
	// runs is evicted, least recently used first.
	CacheBytes int64
	// InitTimeout bounds a new instance's start-up (until its first
	// /next); AWS uses 10 s.
	InitTimeout time.Duration
	// MaxInstances caps the instances of one function version when no
	// reserved concurrency is set.
	MaxInstances int
	// IdleTimeout stops instances idle that long.
	IdleTimeout time.Duration
	// Credentials issues each instance its own credentials, as AWS gives
	// each execution environment its execution role's session: valid
	// until revoke, which the executor calls once the instance is gone.
	// Without it, instances get the fixed AccessKeyID, SecretAccessKey and
	// SessionToken ("test" by default).
	Credentials func(fn *Function) (c cloud.TemporaryCredentials, revoke func(), err error)
	// Fixed credentials for instances when Credentials is nil.
	AccessKeyID, SecretAccessKey, SessionToken string
	// EdgeHost returns the edge's host:port, for AWS_ENDPOINT_URL; it is
	// read when an instance starts (the edge may start after us).
	EdgeHost func() string
	// Logs returns the CloudWatch Logs writer, or nil when none is wired.
	Logs func() cloud.LogWriter
	// HostPath is where python3 and node are looked for (the emulator's
	// PATH when empty); instances never see it.
	HostPath string
	// Zygote says how Python instances start (ZygotePreload by default;
	// the emulator's GROUNDSTACK_LAMBDA_ZYGOTE when empty).
	Zygote ZygoteMode
	// NoNamespaces keeps instances out of private mount namespaces even
	// where the machine allows them (SandboxFiles; tests of that mode).
	NoNamespaces bool
	// Fault asks the emulator's fault rules about one event of fn's data
	// plane: plane is cloud.PlaneColdStart (a new instance starts) or
	// cloud.PlaneInvoke (an invocation runs). nil, or a nil answer: no
	// fault.
	Fault func(plane string, fn *Function) *cloud.FaultHit
	Now   func() time.Time
	Log   *slog.Logger
}

// Executor runs function instances as child processes. It is safe for
// concurrent use; Close stops every instance.
type Executor struct {
	cfg         Config
	cache       *codeCache
	initTimeout atomic.Int64 // cfg.InitTimeout, changeable while running

	mu      sync.Mutex
	pools   map[*Pool]struct{}
	closed  bool
	reaping bool // reapIdle runs
	stop    chan struct{}
	janitor sync.WaitGroup
	opts    map[string]*optEntry // extracted layers, by optKey

	interpreters sync.Map // runtime name → *interpreterOnce
	ricOnce      sync.Once
	ricDir       string
	ricErr       error

	zygoteMode ZygoteMode
	zygotes    map[string]*zygoteSlot // by interpreter path; guarded by mu
	// zygoteSandboxOf says which sandbox a forked instance enters (the
	// sandbox's hook; nil: none).
	zygoteSandboxOf func(fn *Function) *zygoteSandbox

	sandboxOnce sync.Once
	sandbox     Sandbox
}

// New returns an Executor.
func New(cfg Config) *Executor {
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = DefaultInitTimeout
	}
	if cfg.MaxInstances <= 0 {
		cfg.MaxInstances = DefaultMaxInstances
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken = "test", "test", "test"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Logs == nil {
		cfg.Logs = func() cloud.LogWriter { return nil }
	}
	if cfg.EdgeHost == nil {
		cfg.EdgeHost = func() string { return "" }
	}
	x := &Executor{cfg: cfg, cache: newCodeCache(cfg.CacheDir, cfg.CacheBytes), pools: map[*Pool]struct{}{}, stop: make(chan struct{}), opts: map[string]*optEntry{}}
	x.initTimeout.Store(int64(cfg.InitTimeout))
	x.zygoteMode = cfg.Zygote
	if x.zygoteMode == "" {
		x.zygoteMode = zygoteModeFromEnv(os.Getenv(EnvZygote))
	}
	// A forked Python instance enters the same sandbox as a started one:
	// it makes its own mount namespace before it runs the function's code.
	x.zygoteSandboxOf = func(fn *Function) *zygoteSandbox {
		if x.Sandbox() != SandboxNamespace {
			return nil
		}
		mb := fn.EphemeralMB
		if mb <= 0 {
			mb = DefaultEphemeralMB
		}
		return &zygoteSandbox{TmpMB: mb, ReadOnly: x.cache.dir}
	}
	return x
}

// SetInitTimeout changes how long new instances may take to start.
func (x *Executor) SetInitTimeout(d time.Duration) {
	if d > 0 {
		x.initTimeout.Store(int64(d))
	}
}

// StoreCode keeps a validated zip and returns its hex SHA-256, the key
// Function.CodeSHA256 refers to.
func (x *Executor) StoreCode(zip []byte) (string, error) { return x.cache.store(zip) }

// OpenCode opens a stored zip (to serve GetFunction's Code.Location).
func (x *Executor) OpenCode(sum string) (*os.File, error) { return x.cache.open(sum) }

// Unpack unpacks stored code now (once per SHA-256), so that the first
// invocation does not pay for it and a broken archive is reported when the
// code is uploaded.
func (x *Executor) Unpack(sum string) error {
	_, err := x.cache.unpack(sum)
	return err
}

// Function is one immutable function version as the executor runs it.
type Function struct {
	Name    string
	ARN     string // unqualified function ARN
	Version string // "$LATEST" or "1", "2", …
	Region  string
	Runtime string // provided.al2023, provided.al2, provided, go1.x, python3.x, nodejsNN.x
	Handler string
	// Role is the execution role's ARN, whose session the instances get.
	Role string
	// CodeSHA256 is the hex SHA-256 of the zip given to StoreCode.
	CodeSHA256 string
	// Layers are the hex SHA-256s of the layers' zips (StoreCode), in the
	// order they are extracted into the function's /opt.
	Layers   []string
	Env      map[string]string
	Timeout  time.Duration
	MemoryMB int
	// EphemeralMB sizes the instance's /tmp (DefaultEphemeralMB when 0).
	EphemeralMB int
	// LogGroup defaults to /aws/lambda/<Name>.
	LogGroup string
	// MaxConcurrency, when set, returns the function's reserved
	// concurrency (≥ 0), which caps the pool, or -1 when none is reserved:
	// then the caller bounds concurrency itself (the account's unreserved
	// pool) and the pool sets no cap of its own. Unset, the pool is capped
	// at Config.MaxInstances.
	MaxConcurrency func() int
}

// NewPool returns the pool of instances of one function version. Retire it
// when the version is replaced or deleted.
func (x *Executor) NewPool(fn *Function) *Pool {
	if fn.LogGroup == "" {
		fn.LogGroup = "/aws/lambda/" + fn.Name
	}
	p := &Pool{x: x, fn: fn, all: map[*instance]struct{}{}}
	x.mu.Lock()
	if x.closed {
		p.retired = true
	} else {
		x.startReaper()
		x.pools[p] = struct{}{}
		x.cache.pin(fn.CodeSHA256)
		x.holdOptLocked(fn.Layers)
		x.prewarmLocked(fn.Runtime)
	}
	x.mu.Unlock()
	return p
}

// forget takes a retired, empty pool off the books (once, however often
// it is called) and lets its code be evicted.
func (x *Executor) forget(p *Pool) {
	x.mu.Lock()
	_, ok := x.pools[p]
	delete(x.pools, p)
	x.mu.Unlock()
	if ok {
		x.cache.unpin(p.fn.CodeSHA256)
		x.releaseOpt(p.fn.Layers)
	}
}

// DropCode says no function refers to the code of sum any more (deleted,
// or its code replaced): it leaves the cache once no instance runs it.
func (x *Executor) DropCode(sum string) { x.cache.drop(sum) }

// scratchDir is where instances get their own /tmp.
func (x *Executor) scratchDir(id string) (string, error) {
	if err := x.cache.ready(); err != nil {
		return "", err
	}
	return filepath.Join(x.cache.dir, "tmp", id), nil
}

// Close kills every instance and waits until each child is reaped.
func (x *Executor) Close() error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return nil
	}
	x.closed = true
	close(x.stop)
	pools := make([]*Pool, 0, len(x.pools))
	for p := range x.pools {
		pools = append(pools, p)
	}
	x.mu.Unlock()
	x.janitor.Wait()
	for _, p := range pools {
		p.Retire(true)
	}
	for _, p := range pools {
		p.wait()
	}
	x.stopZygotes()
	x.cache.close()
	return nil
}

// PIDs lists the process IDs of live instances (for leak tests).
func (x *Executor) PIDs() []int {
	x.mu.Lock()
	pools := make([]*Pool, 0, len(x.pools))
	for p := range x.pools {
		pools = append(pools, p)
	}
	x.mu.Unlock()
	var pids []int
	for _, p := range pools {
		pids = append(pids, p.pids()...)
	}
	return pids
}

// startReaper starts reapIdle with the first pool, not with the emulator,
// which mostly has no function at all; x.mu is held.
func (x *Executor) startReaper() {
	if !x.reaping {
		x.reaping = true
		x.janitor.Add(1)
		go x.reapIdle()
	}
}

// reapIdle stops instances idle longer than IdleTimeout.
func (x *Executor) reapIdle() {
	defer x.janitor.Done()
	tick := time.NewTicker(min(x.cfg.IdleTimeout/2, 30*time.Second))
	defer tick.Stop()
	for {
		select {
		case <-x.stop:
			return
		case <-tick.C:
		}
		x.mu.Lock()
		pools := make([]*Pool, 0, len(x.pools))
		for p := range x.pools {
			pools = append(pools, p)
		}
		x.mu.Unlock()
		cutoff := time.Now().Add(-x.cfg.IdleTimeout)
		for _, p := range pools {
			p.stopIdleSince(cutoff)
		}
	}
}

// Request is one invocation's input.
type Request struct {
	RequestID string
	Payload   []byte
	// InvokedARN is the ARN the caller used (qualified when it was).
	InvokedARN      string
	ClientContext   string // JSON
	CognitoIdentity string // JSON
	TraceID         string
	// Tail asks for the last 4 KB of the invocation's log.
	Tail bool
}

// Outcome says how an invocation ended.
type Outcome int

const (
	Succeeded     Outcome = iota // the runtime posted a response
	FunctionError                // the runtime posted an error
	TimedOut                     // killed at the deadline
	Crashed                      // the process exited mid-invocation
	InitFailed                   // the instance never became ready
	TooLarge                     // the response exceeded MaxResponseBytes

	notStarted Outcome = -1 // internal: the instance died before it saw the request
)

// Result is what an invocation produced.
type Result struct {
	Outcome Outcome
	// Payload is the response, or the error document for every other
	// outcome ({"errorMessage", "errorType", ...}).
	Payload []byte
	// ErrorType is the error's type for outcomes other than Succeeded.
	ErrorType string
	// LogTail is the last 4 KB of the log when Request.Tail was set.
	LogTail      []byte
	Duration     time.Duration
	InitDuration time.Duration // non-zero on a cold start
	// BootstrapStart is how long the child took from exec to its first
	// /next (the runtime's own start-up), on a cold start.
	BootstrapStart time.Duration
	Cold           bool
	release        func()
}

// Release returns the payload buffer to the pool; the Result must not be
// used afterwards.
func (r *Result) Release() {
	if r.release != nil {
		r.release()
		r.release = nil
	}
}

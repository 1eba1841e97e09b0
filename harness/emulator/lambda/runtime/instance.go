package runtime

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// instState is where an instance is in its life; guarded by Pool.mu.
type instState int

const (
	stStarting  instState = iota // spawned, not yet at its first /next
	stIdle                       // parked in /next, in Pool.idle
	stBusy                       // running (or about to be given) an invocation
	stFinishing                  // answered; its /next is on the way
	stStopping                   // taken out of the pool, being killed
)

// instance is one execution environment: a child process plus the Runtime
// API listener it talks to.
type instance struct {
	p       *Pool
	id      string // 32 hex digits, the log stream suffix
	stream  string
	cmd     *exec.Cmd
	pid     int
	wait    func() error // reaps the process: cmd.Wait, or the zygote's word
	srv     *http.Server
	logs    *capture
	pending *logBuffer // lines printed outside any invocation
	scratch string     // its TMPDIR on the host; "" when /tmp is its own tmpfs
	started time.Time
	revoke  func() // the instance's credentials, once it is gone
	release func() // the sandbox's hold on the process (startSandboxed)

	// active is set while the instance starts or runs an invocation: its
	// memory is watched closely then.
	active atomic.Bool
	// oom is set when the instance was killed for using more than its
	// MemorySize.
	oom   atomic.Bool
	woken chan struct{} // deliver wakes the memory guard

	// guarded by p.mu
	state     instState
	idleSince time.Time
	abandoned bool // its spawner stopped waiting for it
	readyAt   time.Time

	invokes    chan *invocation // the next invocation, handed over by the pool
	ready      chan struct{}    // closed at the first /next (for the spawner)
	initFailed chan struct{}    // closed at POST /init/error
	exited     chan struct{}    // closed once the process is reaped
	stopping   chan struct{}    // closed when the instance is being stopped
	stopOnce   sync.Once
	exitErr    error

	mu      sync.Mutex
	current *invocation
	initErr []byte

	memMu sync.Mutex
	memAt time.Time
	memMB int
}

// invocation is one Request travelling through an instance.
type invocation struct {
	req      *Request
	deadline time.Time
	start    time.Time
	// state is 0 queued, 1 delivered, 2 ended; changed under the
	// instance's capture lock so log lines are attributed exactly.
	state atomic.Int32
	done  chan struct{}
	res   Result
	logs  *logBuffer
	// crash is an invoke fault: the process is killed once the runtime
	// has the event, mid-invoke.
	crash   bool
	writing sync.WaitGroup // the /next handler is still writing the payload
}

const (
	invQueued int32 = iota
	invDelivered
	invEnded
)

// spawnError is a failure to start an instance at all (no bootstrap, not
// executable, wrong architecture); it becomes the invocation's init error.
type spawnError struct {
	typ, msg string
}

func (e *spawnError) Error() string { return e.typ + ": " + e.msg }

// spawn starts one instance of p's function.
func (p *Pool) spawn() (*instance, error) {
	x, fn := p.x, p.fn
	root, err := x.cache.unpack(fn.CodeSHA256)
	if err != nil {
		return nil, &spawnError{"Runtime.Unknown", "could not unpack the function's code: " + err.Error()}
	}
	fam := RuntimeFamily(fn.Runtime)
	var interp interpreter
	var args []string
	switch fam {
	case FamilyPython, FamilyNode:
		if interp = x.interpreter(fn.Runtime); interp.err != nil {
			return nil, &spawnError{"Runtime.InvalidEntrypoint", interp.err.Error()}
		}
		ric, err := x.ricPath(fam)
		if err != nil {
			return nil, &spawnError{"Runtime.Unknown", "could not install the runtime interface client: " + err.Error()}
		}
		args = []string{interp.path, ric}
	default:
		exe := "bootstrap"
		if fn.Runtime == "go1.x" {
			exe = fn.Handler
		}
		if err := checkEntrypoint(root, exe, fn.Runtime); err != nil {
			return nil, err
		}
		path := filepath.Join(root, exe)
		args = []string{path}
	}
	opt, err := x.optDir(fn.Layers)
	if err != nil {
		return nil, &spawnError{"Runtime.Unknown", "could not extract the function's layers: " + err.Error()}
	}
	id := newInstanceID()
	inst := &instance{
		p:          p,
		id:         id,
		stream:     x.cfg.Now().UTC().Format("2006/01/02") + "/[" + fn.Version + "]" + id,
		invokes:    make(chan *invocation, 1),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
		stopping:   make(chan struct{}),
		woken:      make(chan struct{}, 1),
	}
	writer := x.cfg.Logs()
	inst.pending = &logBuffer{keep: writer != nil, wantTail: true}
	if writer != nil {
		region, group, stream := fn.Region, fn.LogGroup, inst.stream
		inst.pending.flush = func(ev []cloud.LogEvent) { writer.WriteLogs(region, group, stream, ev) }
	}
	if interp.note != "" {
		inst.pending.addString(x.cfg.Now(), interp.note)
	}
	inst.pending.addString(x.cfg.Now(), "INIT_START Runtime Version: "+runtimeVersion(fn.Runtime, interp.version)+"\tRuntime Version ARN: arn:aws:lambda:"+fn.Region+"::runtime:groundstack")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, &spawnError{"Runtime.Unknown", "could not listen for the Runtime API: " + err.Error()}
	}
	tmpDir := "/tmp" // the instance's own tmpfs
	if x.Sandbox() != SandboxNamespace {
		inst.scratch, err = x.scratchDir(id)
		if err == nil {
			err = os.MkdirAll(inst.scratch, 0o700)
		}
		tmpDir = inst.scratch
	}
	if err != nil {
		ln.Close()
		return nil, &spawnError{"Runtime.Unknown", "could not create the instance's scratch directory: " + err.Error()}
	}
	creds, revoke, err := x.instanceCredentials(fn)
	if err != nil {
		ln.Close()
		os.RemoveAll(inst.scratch)
		return nil, &spawnError{"Runtime.Unknown", "could not issue the execution role's credentials: " + err.Error()}
	}
	r, w, err := newPipe()
	if err != nil {
		ln.Close()
		revoke()
		os.RemoveAll(inst.scratch)
		return nil, &spawnError{"Runtime.Unknown", "could not create the log pipe: " + err.Error()}
	}
	inst.logs, err = newCapture(r, x.cfg.Now, inst.pending)
	if inst.logs != nil {
		// Our runtime interface clients send a multi-line record as one
		// line with \r for its newlines, so that it stays one event.
		inst.logs.records = fam == FamilyPython || fam == FamilyNode
	}
	if err != nil {
		ln.Close()
		r.Close()
		w.Close()
		revoke()
		os.RemoveAll(inst.scratch)
		return nil, &spawnError{"Runtime.Unknown", err.Error()}
	}
	inst.srv = &http.Server{Handler: inst, ErrorLog: log.New(discardWriter{}, "", 0)}
	inst.cmd = &exec.Cmd{
		Path:   args[0],
		Args:   args,
		Dir:    root,
		Env:    x.instanceEnv(fn, creds, instancePlaces{root, tmpDir, opt, interp.version}, ln.Addr().String(), inst.stream),
		Stdout: w,
		Stderr: w,
		// Own process group: a timeout kills the handler and anything it
		// started; Pdeathsig takes the child down if the emulator dies.
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	}
	inst.started = time.Now()
	inst.active.Store(true)
	var startErr error
	forked := fam == FamilyPython && p.forkPython(inst, inst.cmd, w, opt)
	if forked {
		inst.release = func() {} // the forked child made its own sandbox
	} else {
		inst.release, startErr = x.startSandboxed(inst.cmd, fn.EphemeralMB)
	}
	if err := startErr; err != nil {
		ln.Close()
		r.Close()
		w.Close()
		revoke()
		os.RemoveAll(inst.scratch)
		return nil, &spawnError{"Runtime.InvalidEntrypoint", awsExecError(err, filepath.Base(args[0]))}
	}
	w.Close() // the child holds the only write end now
	inst.revoke = revoke
	if !forked {
		inst.pid, inst.wait = inst.cmd.Process.Pid, inst.cmd.Wait
	}
	go inst.logs.run()
	go func() { _ = inst.srv.Serve(ln) }()
	p.mu.Lock()
	p.all[inst] = struct{}{}
	p.mu.Unlock()
	p.reaped.Add(1)
	go inst.watch()
	go inst.guardMemory(fn.MemoryMB)
	return inst, nil
}

// checkEntrypoint looks for the executable inside root only (through an
// os.Root, so a symlink cannot point it elsewhere).
func checkEntrypoint(dir, exe, runtimeName string) error {
	if !filepath.IsLocal(exe) {
		return &spawnError{"Runtime.InvalidEntrypoint", "invalid handler " + strconv.Quote(exe)}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return &spawnError{"Runtime.Unknown", err.Error()}
	}
	defer root.Close()
	fi, err := root.Stat(exe)
	if err == nil && fi.Mode().IsRegular() {
		return nil
	}
	if runtimeName == "go1.x" {
		return &spawnError{"Runtime.InvalidEntrypoint", "fork/exec /var/task/" + exe + ": no such file or directory"}
	}
	return &spawnError{"Runtime.InvalidEntrypoint", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"}
}

// awsExecError words an exec failure as AWS does, with AWS's task root.
func awsExecError(err error, exe string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "fork/exec /var/task/" + exe + ": " + pe.Err.Error()
	}
	return err.Error()
}

func runtimeVersion(rt, interpVersion string) string {
	switch RuntimeFamily(rt) {
	case FamilyPython:
		return "python:" + interpVersion + ".groundstack"
	case FamilyNode:
		return "nodejs:" + strings.TrimPrefix(interpVersion, "v") + ".groundstack"
	}
	switch rt {
	case "provided.al2023":
		return "provided:al2023.groundstack"
	case "provided.al2":
		return "provided:al2.groundstack"
	case "go1.x":
		return "go:1.groundstack"
	default:
		return "provided:groundstack"
	}
}

func newInstanceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// watch reaps the process and takes the instance out of its pool.
func (inst *instance) watch() {
	inst.exitErr = inst.wait()
	inst.release()
	// Anything the handler started dies with it, and so do its credentials.
	_ = syscall.Kill(-inst.pid, syscall.SIGKILL)
	inst.revoke()
	close(inst.exited)
	inst.srv.Close()
	// Give the log reader a moment to see EOF (a grandchild could hold
	// the pipe open; it was just killed).
	select {
	case <-inst.logs.done:
	case <-time.After(200 * time.Millisecond):
	}
	inst.p.gone(inst)
	// Lines printed after the last invocation (or by a failed init that
	// nobody collected) still reach the stream.
	inst.logs.mu.Lock()
	ev := inst.pending.events
	inst.pending.events = nil
	inst.logs.mu.Unlock()
	if inst.pending.flush != nil && len(ev) > 0 {
		inst.pending.flush(ev)
	}
	os.RemoveAll(inst.scratch)
	inst.p.reaped.Done()
}

// kill stops the whole process group now; watch does the rest.
func (inst *instance) kill() {
	inst.stopOnce.Do(func() { close(inst.stopping) })
	_ = syscall.Kill(-inst.pid, syscall.SIGKILL)
}

func (inst *instance) currentInvocation() *invocation {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return inst.current
}

// deliver hands inv to the runtime: from now on the instance's output is
// inv's log. It fails when inv already ended.
func (inst *instance) deliver(inv *invocation) bool {
	c := inst.logs
	c.mu.Lock()
	if !inv.state.CompareAndSwap(invQueued, invDelivered) {
		c.mu.Unlock()
		return false
	}
	inv.writing.Add(1)
	// What the runtime printed before asking for work (its init, or after
	// the previous answer) precedes START.
	c.drainLocked()
	inst.pending.moveTo(inv.logs)
	inv.logs.addString(inst.p.x.cfg.Now(), "START RequestId: "+inv.req.RequestID+" Version: "+inst.p.fn.Version)
	c.sink = inv.logs
	c.mu.Unlock()
	inst.wakeMemoryGuard()
	inst.mu.Lock()
	inst.current = inv
	inst.mu.Unlock()
	return true
}

// complete ends inv with res unless it already ended. It first drains what
// the process wrote, so the lines printed before the answer are inv's.
func (inst *instance) complete(inv *invocation, res Result) bool {
	c := inst.logs
	c.mu.Lock()
	st := inv.state.Load()
	if st == invEnded || !inv.state.CompareAndSwap(st, invEnded) {
		c.mu.Unlock()
		return false
	}
	if st == invDelivered {
		c.drainLocked()
		if c.sink == inv.logs {
			c.sink = inst.pending
		}
	}
	c.mu.Unlock()
	inst.active.Store(false)
	inv.res = res
	close(inv.done)
	return true
}

// exitResult words the end of a process that died while inv was running.
func (inst *instance) exitResult(inv *invocation) Result {
	return errorResult(Crashed, inst.exitErrorType(),
		"RequestId: "+inv.req.RequestID+" Error: Runtime exited with error: "+exitText(inst.exitErr))
}

// exitErrorType is AWS's errorType for a runtime that exited: killed past
// its MemorySize, or anything else.
func (inst *instance) exitErrorType() string {
	if inst.oom.Load() {
		return "Runtime.OutOfMemory"
	}
	return "Runtime.ExitError"
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	return err.Error()
}

// maxMemoryMB is the process's peak RSS, read at most once a second.
func (inst *instance) maxMemoryMB() int {
	if inst.oom.Load() {
		return inst.p.fn.MemoryMB // as AWS reports it
	}
	inst.memMu.Lock()
	defer inst.memMu.Unlock()
	if now := time.Now(); now.Sub(inst.memAt) > time.Second {
		inst.memAt = now
		if mb := peakRSSMB(inst.pid); mb > 0 {
			inst.memMB = mb
		}
	}
	return inst.memMB
}

func peakRSSMB(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	i := bytes.Index(b, []byte("VmHWM:"))
	if i < 0 {
		return 0
	}
	var kb int
	if _, err := fmt.Sscanf(string(b[i+len("VmHWM:"):]), "%d", &kb); err != nil {
		return 0
	}
	return (kb + 1023) / 1024
}

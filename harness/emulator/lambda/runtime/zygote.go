package runtime

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A zygote is one warm Python interpreter per interpreter binary that has
// imported our runtime interface client (and boto3, when that Python has
// it) and forks a child per instance (ric/zygote.py): a cold start costs a
// fork and the handler's own imports instead of an interpreter start and
// boto3's import. Functions the zygote could not run faithfully (their own
// copy of a module it preloaded, variables that act at interpreter start)
// start a fresh interpreter, as does everything when ZygoteOff is chosen.

//go:embed ric/zygote.py
var pythonZygote []byte

// ZygoteMode selects how Python instances start.
type ZygoteMode string

const (
	// ZygotePreload (the default): fork from a zygote that has imported
	// the runtime client and boto3.
	ZygotePreload ZygoteMode = "preload"
	// ZygoteBare: fork from a zygote that has imported the runtime client
	// only.
	ZygoteBare ZygoteMode = "bare"
	// ZygoteOff: every instance is a fresh interpreter (python3
	// bootstrap.py), the way to tell a zygote problem from a function's.
	ZygoteOff ZygoteMode = "off"
)

// EnvZygote is the emulator's environment variable that sets ZygoteMode
// when Config.Zygote is empty: "off" (or "0"), "bare", anything else
// ZygotePreload.
const EnvZygote = "GROUNDSTACK_LAMBDA_ZYGOTE"

func zygoteModeFromEnv(v string) ZygoteMode {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "off", "0", "false", "no", "plain":
		return ZygoteOff
	case "bare":
		return ZygoteBare
	}
	return ZygotePreload
}

type zygote struct {
	path    string          // the interpreter
	modules map[string]bool // top-level modules every child starts with
	cmd     *exec.Cmd
	conn    *net.UnixConn
	exited  chan struct{} // closed once the zygote is reaped
	// answerWithin bounds the wait for a fork's answer.
	answerWithin time.Duration

	mu       sync.Mutex
	nextID   int
	waiting  map[int]chan zygoteAnswer
	children map[int]*zchild
	early    map[int]syscall.WaitStatus // exits read before their fork's answer
	dead     bool
}

type zygoteAnswer struct {
	child *zchild
	pid   int
	err   error
}

// zchild is a process the zygote forked: the zygote reaps it and tells us.
type zchild struct {
	done   chan struct{}
	status syscall.WaitStatus
	lost   bool // the zygote died first (the child died with it)
}

func (c *zchild) wait() error {
	<-c.done
	if c.lost {
		return errors.New("signal: killed")
	}
	if c.status.Exited() && c.status.ExitStatus() == 0 {
		return nil
	}
	return waitStatusError(c.status)
}

// waitStatusError words a wait status as os.ProcessState does ("exit
// status 1", "signal: killed"), as AWS's Runtime.ExitError quotes it.
type waitStatusError syscall.WaitStatus

func (e waitStatusError) Error() string {
	ws := syscall.WaitStatus(e)
	var s string
	switch {
	case ws.Exited():
		s = "exit status " + strconv.Itoa(ws.ExitStatus())
	case ws.Signaled():
		s = "signal: " + ws.Signal().String()
	case ws.Stopped():
		s = "stop signal: " + ws.StopSignal().String()
	default:
		s = "exit status unknown (" + strconv.Itoa(int(ws)) + ")"
	}
	if ws.CoreDump() {
		s += " (core dumped)"
	}
	return s
}

// zygoteSlot holds the zygote of one interpreter binary.
type zygoteSlot struct {
	mu     sync.Mutex
	z      *zygote
	failed error // it could not start: fresh interpreters from now on
}

// zygoteFor returns the live zygote of interp, starting one if needed.
func (x *Executor) zygoteFor(interp string) (*zygote, error) {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return nil, ErrClosed
	}
	if x.zygotes == nil {
		x.zygotes = map[string]*zygoteSlot{}
	}
	s := x.zygotes[interp]
	if s == nil {
		s = &zygoteSlot{}
		x.zygotes[interp] = s
	}
	x.mu.Unlock()
	s.mu.Lock() // the first caller starts it, the others wait for it
	defer s.mu.Unlock()
	if s.failed != nil {
		return nil, s.failed
	}
	if s.z != nil && !s.z.isDead() {
		return s.z, nil
	}
	z, err := x.startZygote(interp)
	if err != nil {
		s.failed = err
		x.cfg.Log.Warn("lambda: the Python zygote did not start; Python instances start fresh interpreters", "interpreter", interp, "err", err)
		return nil, err
	}
	x.mu.Lock()
	closed := x.closed
	x.mu.Unlock()
	if closed {
		z.stop()
		return nil, ErrClosed
	}
	s.z = z
	return z, nil
}

// zygoteEnv is the zygote's own environment: what every instance's
// interpreter has at start and the function cannot change (see
// zygoteFits), and nothing of the host's.
func zygoteEnv(home string) []string {
	return []string{"PATH=" + instancePath, "HOME=" + home, "LANG=en_US.UTF-8", "TZ=:UTC",
		"PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8"}
}

func (x *Executor) startZygote(interp string) (*zygote, error) {
	ric, err := x.ricPath(FamilyPython)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(ric)
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "zygote-ctl"), os.NewFile(uintptr(fds[1]), "zygote-ctl")
	defer theirs.Close()
	fc, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		return nil, err
	}
	conn, ok := fc.(*net.UnixConn)
	if !ok {
		fc.Close()
		return nil, fmt.Errorf("zygote socket is a %T", fc)
	}
	preload := "1"
	if x.zygoteMode == ZygoteBare {
		preload = "0"
	}
	z := &zygote{path: interp, conn: conn, exited: make(chan struct{}), answerWithin: time.Duration(x.initTimeout.Load()),
		waiting: map[int]chan zygoteAnswer{}, children: map[int]*zchild{}, early: map[int]syscall.WaitStatus{}}
	z.cmd = &exec.Cmd{
		Path:       interp,
		Args:       []string{interp, filepath.Join(dir, "zygote.py"), ric, preload},
		Dir:        dir,
		Env:        zygoteEnv(dir),
		ExtraFiles: []*os.File{theirs}, // fd 3
		// Its own group; it dies with the emulator (and its children
		// with it).
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	}
	// Pdeathsig fires when the forking thread ends: fork from a thread
	// that lives as long as the zygote.
	started := make(chan error, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked: the thread ends with the zygote
		if err := z.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = z.cmd.Wait()
		z.die()
		close(z.exited)
	}()
	if err := <-started; err != nil {
		conn.Close()
		return nil, err
	}
	// The handshake: it says which modules it has imported.
	buf := make([]byte, 1<<20)
	conn.SetReadDeadline(time.Now().Add(time.Duration(x.initTimeout.Load())))
	n, _, _, _, err := conn.ReadMsgUnix(buf, nil)
	conn.SetReadDeadline(time.Time{})
	var hello struct {
		Ready   bool
		Modules []string
	}
	if err == nil && n == 0 {
		err = errors.New("it exited")
	}
	if err == nil {
		err = json.Unmarshal(buf[:n], &hello)
	}
	if err == nil && !hello.Ready {
		err = errors.New("no handshake")
	}
	if err != nil {
		z.stop()
		return nil, err
	}
	z.modules = make(map[string]bool, len(hello.Modules))
	for _, m := range hello.Modules {
		z.modules[m] = true
	}
	go z.read(buf)
	return z, nil
}

func (z *zygote) isDead() bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.dead
}

// read dispatches the zygote's messages: fork answers and exits.
func (z *zygote) read(buf []byte) {
	defer z.stop()
	for {
		n, _, _, _, err := z.conn.ReadMsgUnix(buf, nil)
		if err != nil || n == 0 {
			return
		}
		var m struct {
			ID     *int
			Pid    int
			Error  string
			Exit   int
			Status int
		}
		if json.Unmarshal(buf[:n], &m) != nil {
			return // not our zygote any more
		}
		z.mu.Lock()
		switch {
		case m.Exit > 0:
			if c := z.children[m.Exit]; c != nil {
				delete(z.children, m.Exit)
				c.status = syscall.WaitStatus(m.Status)
				close(c.done)
			} else {
				z.early[m.Exit] = syscall.WaitStatus(m.Status)
			}
		case m.ID != nil:
			ch := z.waiting[*m.ID]
			delete(z.waiting, *m.ID)
			a := zygoteAnswer{pid: m.Pid}
			if m.Error != "" || m.Pid <= 0 {
				a.err = errors.New("zygote: " + m.Error)
			} else {
				a.child = &zchild{done: make(chan struct{})}
				if ws, ok := z.early[m.Pid]; ok {
					delete(z.early, m.Pid)
					a.child.status = ws
					close(a.child.done)
				} else {
					z.children[m.Pid] = a.child
				}
			}
			if ch != nil {
				ch <- a
			}
		}
		z.mu.Unlock()
	}
}

// die marks the zygote dead: its children died with it (their parent-death
// signal), and no fork is coming.
func (z *zygote) die() {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.dead {
		return
	}
	z.dead = true
	for pid, c := range z.children {
		c.lost = true
		close(c.done)
		delete(z.children, pid)
	}
	for id, ch := range z.waiting {
		ch <- zygoteAnswer{err: errors.New("zygote exited")}
		delete(z.waiting, id)
	}
}

// stop ends the zygote (its children die with it).
func (z *zygote) stop() {
	z.die()
	z.conn.Close()
	if z.cmd.Process != nil {
		// The zygote alone is in its group; Process.Kill cannot hit a
		// recycled pid once it is reaped.
		_ = z.cmd.Process.Kill()
	}
}

// zygoteSandbox is what a forked child sets up for itself before it
// imports anything of the function's, as the namespace sandbox does for a
// fresh process: a private mount namespace where /tmp is a tmpfs of TmpMB
// MB and ReadOnly (the cache directory: code, layers, clients) is
// read-only. It needs the rights the sandbox needs (CAP_SYS_ADMIN).
type zygoteSandbox struct {
	TmpMB    int    `json:"tmp_mb"`
	ReadOnly string `json:"ro"`
}

// forkSandbox is the sandbox a forked instance of fn must enter; nil when
// instances get none (x.zygoteSandboxOf unset).
func (x *Executor) forkSandbox(fn *Function) *zygoteSandbox {
	if x.zygoteSandboxOf == nil {
		return nil
	}
	return x.zygoteSandboxOf(fn)
}

// fork asks for a child that will run argv (the client's path) in dir with
// env (in sb when not nil), writing to logW; it waits, stopped, until go
// is written.
func (z *zygote) fork(env []string, dir string, argv []string, sb *zygoteSandbox, logW *os.File) (pid int, c *zchild, goW *os.File, err error) {
	goR, goW, err := os.Pipe()
	if err != nil {
		return 0, nil, nil, err
	}
	defer goR.Close()
	ch := make(chan zygoteAnswer, 1)
	z.mu.Lock()
	if z.dead {
		z.mu.Unlock()
		goW.Close()
		return 0, nil, nil, errors.New("zygote exited")
	}
	z.nextID++
	id := z.nextID
	z.waiting[id] = ch
	z.mu.Unlock()
	req, _ := json.Marshal(struct {
		ID      int            `json:"id"`
		Env     []string       `json:"env"`
		Dir     string         `json:"dir"`
		Argv    []string       `json:"argv"`
		Sandbox *zygoteSandbox `json:"sandbox,omitempty"`
	}{id, env, dir, argv, sb})
	rights := syscall.UnixRights(int(logW.Fd()), int(goR.Fd()))
	if _, _, err := z.conn.WriteMsgUnix(req, rights, nil); err != nil {
		z.mu.Lock()
		delete(z.waiting, id)
		z.mu.Unlock()
		goW.Close()
		return 0, nil, nil, err
	}
	// A zygote that does not answer within the init timeout is broken: it
	// goes (and its children with it), and this instance starts fresh.
	t := time.NewTimer(z.answerWithin)
	defer t.Stop()
	var a zygoteAnswer
	select {
	case a = <-ch:
	case <-t.C:
		z.stop()
		if a = <-ch; a.err == nil { // answered as it was stopped: its child dies with it
			_ = syscall.Kill(-a.pid, syscall.SIGKILL)
			a.err = errors.New("zygote: no answer within " + z.answerWithin.String())
		}
	}
	if a.err != nil {
		goW.Close()
		return 0, nil, nil, a.err
	}
	return a.pid, a.child, goW, nil
}

// zygoteFits says whether a function's instance can be forked from z and
// behave as a fresh interpreter would: nothing in its code or layers
// shadows a module the zygote imported (a function that ships its own
// boto3 gets its own), and none of its variables acts at interpreter or
// loader start (PYTHON*, LD_*, LC_*, LANG), nor does a lib directory
// (LD_LIBRARY_PATH is read when a process starts).
func zygoteFits(z *zygote, userEnv map[string]string, env []string, taskRoot, opt string) bool {
	for k := range userEnv {
		if strings.HasPrefix(k, "PYTHON") || strings.HasPrefix(k, "LD_") || strings.HasPrefix(k, "LC_") || k == "LANG" {
			return false
		}
	}
	for _, d := range []string{taskRoot, opt} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "lib")); err == nil {
			return false
		}
	}
	dirs := []string{taskRoot}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PYTHONPATH="); ok {
			dirs = append(dirs, filepath.SplitList(v)...)
			break
		}
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		entries, err := os.ReadDir(d)
		if err != nil {
			continue // not there: nothing to shadow
		}
		for _, e := range entries {
			name := e.Name()
			if i := strings.IndexByte(name, '.'); i > 0 {
				name = name[:i] // app.py, mod.cpython-311-x86_64-linux-gnu.so
			}
			if z.modules[name] {
				return false
			}
		}
	}
	return true
}

// forkPython starts inst from the zygote of its interpreter when that is
// allowed and faithful; false means start cmd as a fresh interpreter.
func (p *Pool) forkPython(inst *instance, cmd *exec.Cmd, logW *os.File, opt string) bool {
	x := p.x
	if x.zygoteMode == ZygoteOff {
		return false
	}
	z, err := x.zygoteFor(cmd.Path)
	if err != nil {
		return false
	}
	p.zfitOnce.Do(func() { p.zfit = zygoteFits(z, p.fn.Env, cmd.Env, cmd.Dir, opt) })
	if !p.zfit {
		return false
	}
	pid, child, goW, err := z.fork(cmd.Env, cmd.Dir, cmd.Args[1:], x.forkSandbox(p.fn), logW)
	if err != nil {
		x.cfg.Log.Warn("lambda: fork from the Python zygote failed; starting a fresh interpreter", "err", err)
		return false
	}
	// The child waits for this go before it runs anything of the
	// function's: where a placement (a cgroup) would go, were there one.
	_, err = goW.Write([]byte{'1'})
	goW.Close()
	if err != nil {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		_ = child.wait()
		return false
	}
	inst.pid = pid
	inst.wait = child.wait
	return true
}

// prewarmLocked starts the zygote of a Python runtime in the background
// when a function of it is created, so that its first invocation finds
// it warm; x.mu is held.
func (x *Executor) prewarmLocked(rt string) {
	if RuntimeFamily(rt) != FamilyPython || x.zygoteMode == ZygoteOff {
		return
	}
	x.janitor.Add(1)
	go func() {
		defer x.janitor.Done()
		if in := x.interpreter(rt); in.err == nil {
			_, _ = x.zygoteFor(in.path)
		}
	}()
}

// stopZygotes ends every zygote and waits until each is reaped.
func (x *Executor) stopZygotes() {
	x.mu.Lock()
	slots := make([]*zygoteSlot, 0, len(x.zygotes))
	for _, s := range x.zygotes {
		slots = append(slots, s)
	}
	x.mu.Unlock()
	for _, s := range slots {
		s.mu.Lock()
		z := s.z
		s.mu.Unlock()
		if z != nil {
			z.stop()
			<-z.exited
		}
	}
}

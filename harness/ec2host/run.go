package ec2host

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// stopWait bounds how long Stop waits for sessions to end after killing
// their processes (a process that escaped its group could hold a pipe).
const stopWait = 5 * time.Second

// run is one Start…Stop period: its own gliderlabs server, listener,
// connections and process groups, so a stopped run can never leak into
// the next one.
type run struct {
	h      *Host
	srv    *ssh.Server
	ln     net.Listener
	addr   string
	served chan struct{}
	// ctx ends when the run shuts down (held connections and the fault
	// watcher stop with it).
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	closed   bool
	watching bool                      // a fault watcher runs (faults.go)
	conns    map[*trackedConn]struct{} // raw TCP conns, handshake included
	groups   map[int]struct{}          // process group ids of running commands
	active   int                       // open sessions
	last     time.Time                 // last activity, for the idle timer
	idle     *time.Timer
	sessions sync.WaitGroup
}

func newRun(h *Host, ln net.Listener) *run {
	r := &run{
		h: h, ln: ln, addr: ln.Addr().String(), served: make(chan struct{}),
		conns: map[*trackedConn]struct{}{}, groups: map[int]struct{}{}, last: time.Now(),
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.srv = &ssh.Server{
		Version:     "OpenSSH_9.6 groundstack-ec2host",
		HostSigners: []ssh.Signer{h.signer},
		PublicKeyHandler: func(_ ssh.Context, key ssh.PublicKey) bool {
			if !h.authorized(key) {
				return false
			}
			r.touch()
			return true
		},
		// Password and keyboard-interactive stay nil: never offered.
		ConnCallback: r.track,
		ConnectionFailedCallback: func(c net.Conn, err error) {
			h.log.Debug("ec2host handshake failed", "remote", c.RemoteAddr().String(), "err", err)
		},
		// Only sessions: no port forwarding, no agent, no X11.
		ChannelHandlers: map[string]ssh.ChannelHandler{
			"session": func(_ *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, _ ssh.Context) {
				r.session(conn, nc)
			},
		},
		RequestHandlers:   map[string]ssh.RequestHandler{},
		SubsystemHandlers: map[string]ssh.SubsystemHandler{},
	}
	if h.cfg.IdleTimeout > 0 {
		r.idle = time.AfterFunc(h.cfg.IdleTimeout, func() { h.idleCheck(r) })
	}
	return r
}

func (r *run) serve() {
	defer close(r.served)
	_ = r.srv.Serve(r.ln)
}

// shutdown closes the listener and every connection, kills every process
// group and waits (bounded) for the sessions to end.
func (r *run) shutdown() {
	r.cancel()
	r.mu.Lock()
	r.closed = true
	if r.idle != nil {
		r.idle.Stop()
	}
	conns := make([]*trackedConn, 0, len(r.conns))
	for c := range r.conns {
		conns = append(conns, c)
	}
	groups := make([]int, 0, len(r.groups))
	for g := range r.groups {
		groups = append(groups, g)
	}
	r.mu.Unlock()
	_ = r.srv.Close()
	_ = r.ln.Close() // Serve may not have registered it with srv yet
	for _, c := range conns {
		_ = c.Close()
	}
	for _, g := range groups {
		killGroup(g, syscall.SIGKILL)
	}
	<-r.served
	done := make(chan struct{})
	go func() { r.sessions.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(stopWait):
		r.h.log.Warn("ec2host: sessions still open after stop", "addr", r.addr)
	}
}

func (r *run) touch() {
	r.mu.Lock()
	r.last = time.Now()
	r.mu.Unlock()
}

// beginSession counts a session open, or refuses it once the run is closing.
func (r *run) beginSession() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.active++
	r.last = time.Now()
	r.sessions.Add(1)
	return true
}

func (r *run) endSession() {
	r.mu.Lock()
	r.active--
	r.last = time.Now()
	r.mu.Unlock()
	r.sessions.Done()
}

// addGroup records a running command's process group; false (and the group
// killed) when the run closed meanwhile.
func (r *run) addGroup(pgid int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		killGroup(pgid, syscall.SIGKILL)
		return false
	}
	r.groups[pgid] = struct{}{}
	return true
}

func (r *run) removeGroup(pgid int) {
	r.mu.Lock()
	delete(r.groups, pgid)
	r.mu.Unlock()
}

// track registers a raw connection before its handshake, so Stop closes
// connections gliderlabs does not know of yet, then lets the host's fault
// rules hold or delay it (admit).
func (r *run) track(_ ssh.Context, c net.Conn) net.Conn {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil // gliderlabs closes it
	}
	tc := &trackedConn{Conn: c, r: r}
	r.conns[tc] = struct{}{}
	watch := r.h.cfg.Fault != nil && !r.watching
	r.watching = r.watching || watch
	r.mu.Unlock()
	if watch {
		go r.watch()
	}
	if !r.admit(tc) {
		_ = tc.Close()
		return nil
	}
	return tc
}

type trackedConn struct {
	net.Conn
	r    *run
	once sync.Once
	held atomic.Bool // held unanswered by an outage (faults.go)
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.r.mu.Lock()
		delete(c.r.conns, c)
		c.r.mu.Unlock()
	})
	return c.Conn.Close()
}

func killGroup(pgid int, sig syscall.Signal) {
	if pgid > 0 {
		_ = syscall.Kill(-pgid, sig)
	}
}

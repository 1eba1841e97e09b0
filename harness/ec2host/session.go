package ec2host

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// drainWait is how long output pipes may stay open after the command's
// main process exited (background children holding them) before the
// process group is killed.
const drainWait = time.Second

// rfcSignals are the signal names of RFC 4254 §6.10, which x/crypto/ssh
// and OpenSSH clients turn into 128+n.
var rfcSignals = map[string]syscall.Signal{
	"ABRT": syscall.SIGABRT, "ALRM": syscall.SIGALRM, "FPE": syscall.SIGFPE,
	"HUP": syscall.SIGHUP, "ILL": syscall.SIGILL, "INT": syscall.SIGINT,
	"KILL": syscall.SIGKILL, "PIPE": syscall.SIGPIPE, "QUIT": syscall.SIGQUIT,
	"SEGV": syscall.SIGSEGV, "TERM": syscall.SIGTERM, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2,
}

func signalName(sig syscall.Signal) (string, bool) {
	for name, s := range rfcSignals {
		if s == sig {
			return name, true
		}
	}
	return "", false
}

// session is one "session" channel: an exec, a shell or the sftp subsystem.
type session struct {
	r    *run
	conn *gossh.ServerConn
	ch   gossh.Channel
	env  []string // accepted LANG / LC_* from the client

	mu   sync.Mutex
	pgid int // running command's process group, 0 when none

	gone chan struct{} // closed when the client closed the channel
}

// session serves one channel; its request loop ends when the client (or
// Stop) closes the channel, which kills whatever still runs.
func (r *run) session(conn *gossh.ServerConn, nc gossh.NewChannel) {
	if r.h.dropped() {
		_ = conn.Close() // the host stopped answering: the connection is cut
		return
	}
	if !r.beginSession() {
		_ = nc.Reject(gossh.ConnectionFailed, "host is stopping")
		return
	}
	defer r.endSession()
	ch, reqs, err := nc.Accept()
	if err != nil {
		return
	}
	s := &session{r: r, conn: conn, ch: ch, gone: make(chan struct{})}
	var work sync.WaitGroup
	started := false
	for req := range reqs {
		ok := false
		var begin func() // started only after the reply: a fast command could close the channel first
		switch req.Type {
		case "exec", "shell", "subsystem":
			if started {
				break
			}
			var arg struct{ Value string }
			if req.Type != "shell" {
				if err := gossh.Unmarshal(req.Payload, &arg); err != nil {
					break
				}
			}
			if req.Type == "subsystem" && arg.Value != "sftp" {
				break
			}
			started, ok = true, true
			begin = func() {
				if req.Type == "subsystem" {
					s.serveSFTP()
				} else {
					s.exec(arg.Value, req.Type == "shell")
				}
			}
		case "env":
			var kv struct{ Name, Value string }
			if gossh.Unmarshal(req.Payload, &kv) == nil && !started && acceptedEnv(kv.Name) {
				s.env = append(s.env, kv.Name+"="+kv.Value)
				ok = true
			}
		case "signal":
			var sig struct{ Signal string }
			if gossh.Unmarshal(req.Payload, &sig) == nil {
				s.signal(sig.Signal)
			}
		}
		// pty-req, x11-req, auth-agent-req and unknown requests are refused.
		if req.WantReply {
			_ = req.Reply(ok, nil)
		}
		if begin != nil {
			work.Go(begin)
		}
	}
	close(s.gone)
	s.kill(syscall.SIGKILL)
	work.Wait()
	_ = ch.Close()
}

// acceptedEnv is sshd's default AcceptEnv (Debian: LANG LC_*).
func acceptedEnv(name string) bool {
	return name == "LANG" || strings.HasPrefix(name, "LC_")
}

func (s *session) signal(name string) {
	if sig, ok := rfcSignals[name]; ok {
		s.kill(sig)
	}
}

func (s *session) kill(sig syscall.Signal) {
	s.mu.Lock()
	pgid := s.pgid
	s.mu.Unlock()
	killGroup(pgid, sig)
}

// environ is the command's clean environment, as sshd builds it.
func (s *session) environ() []string {
	h := s.r.h
	user := s.conn.User()
	env := []string{
		"PATH=" + CommandPATH,
		"HOME=" + h.cfg.Dir,
		"LANG=C.UTF-8",
		"USER=" + user,
		"LOGNAME=" + user,
		"SHELL=" + h.cfg.Shell,
	}
	rh, rp, err1 := net.SplitHostPort(s.conn.RemoteAddr().String())
	lh, lp, err2 := net.SplitHostPort(s.conn.LocalAddr().String())
	if err1 == nil && err2 == nil {
		env = append(env,
			"SSH_CLIENT="+rh+" "+rp+" "+lp,
			"SSH_CONNECTION="+rh+" "+rp+" "+lh+" "+lp)
	}
	return append(env, s.env...) // a client LANG overrides ours (last wins)
}

// exec runs command (or an interactive shell reading stdin) and reports its
// exit status, unless the client went away first.
func (s *session) exec(command string, shell bool) {
	h := s.r.h
	args := []string{"-c", command}
	if shell {
		args = nil // commands come on stdin, as with `ssh -T host`
	}
	cmd := exec.Command(h.cfg.Shell, args...)
	cmd.Dir = h.cfg.Dir
	cmd.Env = s.environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	// Our own pipes, handed over as *os.File, so Wait returns when the
	// process exits and never waits on a client that keeps stdin open.
	var p pipes
	if err := p.open(); err != nil {
		s.fail(err)
		return
	}
	defer p.closeParent()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.inR, p.outW, p.errW
	start := time.Now()
	if err := cmd.Start(); err != nil {
		p.closeChild()
		s.fail(err)
		return
	}
	p.closeChild()
	pgid := cmd.Process.Pid
	s.mu.Lock()
	s.pgid = pgid
	s.mu.Unlock()
	defer s.r.removeGroup(pgid)
	if !s.r.addGroup(pgid) {
		_ = cmd.Wait()
		return
	}
	select {
	case <-s.gone: // closed between the request and the start
		killGroup(pgid, syscall.SIGKILL)
	default:
	}

	go func() {
		_, _ = io.Copy(p.inW, s.ch)
		_ = p.inW.Close()
	}()
	out := &capWriter{w: s.ch, cap: h.cfg.OutputCap}
	errOut := &capWriter{w: s.ch.Stderr(), cap: h.cfg.OutputCap}
	var pumps sync.WaitGroup
	pumps.Go(func() { pump(out, p.outR) })
	pumps.Go(func() { pump(errOut, p.errR) })

	var timedOut bool
	var tmu sync.Mutex
	timer := time.AfterFunc(h.cfg.CommandTimeout, func() {
		tmu.Lock()
		timedOut = true
		tmu.Unlock()
		killGroup(pgid, syscall.SIGKILL)
	})
	waitErr := cmd.Wait()
	timer.Stop()

	// Output still buffered in the pipes is delivered; children that keep
	// them open get drainWait, then the group is killed (a command's
	// processes never outlive its session).
	drained := make(chan struct{})
	go func() { pumps.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(drainWait):
	}
	killGroup(pgid, syscall.SIGKILL)
	select {
	case <-drained:
	case <-time.After(drainWait): // a process left the group and kept a pipe
		p.closeReaders()
		<-drained
	}
	s.mu.Lock()
	s.pgid = 0
	s.mu.Unlock()

	tmu.Lock()
	late := timedOut
	tmu.Unlock()
	select {
	case <-s.gone:
		return // nobody to tell
	default:
	}
	stderr := s.ch.Stderr()
	if out.dropped > 0 {
		fmt.Fprintf(stderr, "\nec2host: stdout truncated: %d bytes over the %d-byte cap were dropped\n", out.dropped, out.cap)
	}
	if errOut.dropped > 0 {
		fmt.Fprintf(stderr, "\nec2host: stderr truncated: %d bytes over the %d-byte cap were dropped\n", errOut.dropped, errOut.cap)
	}
	status := exitStatus{code: -1}
	switch {
	case late:
		fmt.Fprintf(stderr, "ec2host: command timed out after %s\n", h.cfg.CommandTimeout)
		status.code = 124
	default:
		status = statusOf(cmd.ProcessState, waitErr)
	}
	h.log.Debug("ec2host exec", "cmd", command, "exit", status.code, "signal", status.signal, "took", time.Since(start))
	s.finish(status)
}

// fail reports a command that could not start, as sshd does for a missing shell.
func (s *session) fail(err error) {
	fmt.Fprintf(s.ch.Stderr(), "ec2host: %v\n", err)
	s.finish(exitStatus{code: 127})
}

type exitStatus struct {
	code   int
	signal string // RFC 4254 name when the process died of a signal
}

func statusOf(ps *os.ProcessState, err error) exitStatus {
	if ps == nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return exitStatus{code: 255}
		}
		ps = ee.ProcessState
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		if name, known := signalName(ws.Signal()); known {
			return exitStatus{code: 128 + int(ws.Signal()), signal: name}
		}
		return exitStatus{code: 128 + int(ws.Signal())}
	}
	return exitStatus{code: ps.ExitCode()}
}

// finish sends EOF, the exit status (or exit-signal, as sshd does for a
// signal death) and closes the channel.
func (s *session) finish(st exitStatus) {
	_ = s.ch.CloseWrite()
	if st.signal != "" {
		_, _ = s.ch.SendRequest("exit-signal", false, gossh.Marshal(&struct {
			Signal     string
			CoreDumped bool
			Error      string
			Lang       string
		}{Signal: st.signal}))
	} else {
		_, _ = s.ch.SendRequest("exit-status", false, gossh.Marshal(&struct{ Status uint32 }{uint32(st.code)}))
	}
	_ = s.ch.Close()
}

// pump copies r to w until EOF; w keeps counting what it drops so the
// process never blocks on a full pipe.
func pump(w *capWriter, r io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			w.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// capWriter forwards up to cap bytes and counts the rest; once the client
// side fails it only counts.
type capWriter struct {
	w       io.Writer
	cap     int
	sent    int
	dropped int
	broken  bool
}

func (c *capWriter) Write(b []byte) {
	keep := min(len(b), c.cap-c.sent)
	if keep > 0 && !c.broken {
		if _, err := c.w.Write(b[:keep]); err != nil {
			c.broken = true
		}
	}
	c.sent += max(keep, 0)
	c.dropped += len(b) - max(keep, 0)
}

// pipes are a command's stdin/stdout/stderr: child ends go to the process,
// parent ends stay with the session.
type pipes struct {
	inR, inW, outR, outW, errR, errW *os.File
	readersOnce                      sync.Once
}

func (p *pipes) open() error {
	var err error
	if p.inR, p.inW, err = os.Pipe(); err != nil {
		return err
	}
	if p.outR, p.outW, err = os.Pipe(); err != nil {
		p.inR.Close()
		p.inW.Close()
		return err
	}
	if p.errR, p.errW, err = os.Pipe(); err != nil {
		p.inR.Close()
		p.inW.Close()
		p.outR.Close()
		p.outW.Close()
		return err
	}
	return nil
}

func (p *pipes) closeChild() {
	p.inR.Close()
	p.outW.Close()
	p.errW.Close()
}

func (p *pipes) closeReaders() {
	p.readersOnce.Do(func() {
		p.outR.Close()
		p.errR.Close()
	})
}

func (p *pipes) closeParent() {
	p.inW.Close()
	p.closeReaders()
}

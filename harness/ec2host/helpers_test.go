package ec2host_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/ec2host"
)

// fixture is a started host and a client key it accepts.
type fixture struct {
	h      *ec2host.Host
	client gossh.Signer
}

func newKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// start builds and starts a host with a fresh client key; mod may change
// the config first.
func start(t testing.TB, mod func(*ec2host.Config)) *fixture {
	t.Helper()
	client := newKey(t)
	cfg := ec2host.Config{
		Dir:           t.TempDir(),
		AuthorizedKey: ec2host.AuthorizedKeyLine(client.PublicKey()),
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := ec2host.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	return &fixture{h: h, client: client}
}

func (f *fixture) config(user string) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User:            user,
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(f.client)},
		HostKeyCallback: gossh.FixedHostKey(f.h.PublicKey()),
		Timeout:         10 * time.Second,
	}
}

func (f *fixture) dial(t testing.TB) *gossh.Client {
	t.Helper()
	c, err := gossh.Dial("tcp", f.h.Addr(), f.config("ec2-user"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// result is what one exec produced.
type result struct {
	stdout, stderr []byte
	code           int
	signal         string
	err            error // non-exit errors (connection lost, exit missing)
}

func exec(t testing.TB, c *gossh.Client, cmd string, stdin []byte) result {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	if stdin != nil {
		s.Stdin = bytes.NewReader(stdin)
	}
	err = s.Run(cmd)
	res := result{stdout: out.Bytes(), stderr: errb.Bytes()}
	res.code, res.signal, res.err = exitOf(err)
	return res
}

func exitOf(err error) (code int, signal string, other error) {
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return 0, "", nil
	case errors.As(err, &ee):
		return ee.ExitStatus(), ee.Signal(), nil
	default:
		return -1, "", err
	}
}

// waitGone polls until pid no longer runs (or is a zombie nobody reaped).
func waitGone(t testing.TB, pid int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d still alive", pid)
}

func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// state is the field after "(comm)"; Z is a zombie, X dead.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}

// readPID reads the first line of r as a pid.
func readPID(t testing.TB, r io.Reader) int {
	t.Helper()
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if err != nil {
			t.Fatalf("reading pid: %v (got %q)", err, line)
		}
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(line)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

package ec2host_test

import (
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/ec2host"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

var _ cloud.Host = (*ec2host.Host)(nil)

func TestAuth(t *testing.T) {
	f := start(t, nil)
	other := newKey(t)
	pin := gossh.FixedHostKey(f.h.PublicKey())
	cases := []struct {
		name string
		user string
		auth []gossh.AuthMethod
		ok   bool
	}{
		{"authorized key as ec2-user", "ec2-user", []gossh.AuthMethod{gossh.PublicKeys(f.client)}, true},
		{"authorized key as ubuntu", "ubuntu", []gossh.AuthMethod{gossh.PublicKeys(f.client)}, true},
		{"wrong key", "ec2-user", []gossh.AuthMethod{gossh.PublicKeys(other)}, false},
		{"password", "ec2-user", []gossh.AuthMethod{gossh.Password("hunter2")}, false},
		{"keyboard-interactive", "ec2-user", []gossh.AuthMethod{gossh.KeyboardInteractive(
			func(string, string, []string, []bool) ([]string, error) { return []string{"x"}, nil })}, false},
		{"none", "ec2-user", nil, false},
		{"wrong key then right key", "root", []gossh.AuthMethod{gossh.PublicKeys(other, f.client)}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := gossh.Dial("tcp", f.h.Addr(), &gossh.ClientConfig{User: tc.user, Auth: tc.auth, HostKeyCallback: pin})
			if !tc.ok {
				if err == nil {
					c.Close()
					t.Fatal("login accepted")
				}
				if !strings.Contains(err.Error(), "unable to authenticate") {
					t.Fatalf("err = %v, want an authentication failure", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if r := exec(t, c, "echo $USER", nil); string(r.stdout) != tc.user+"\n" {
				t.Fatalf("USER = %q", r.stdout)
			}
		})
	}
}

func TestNoAuthorizedKeyAcceptsNobody(t *testing.T) {
	f := start(t, func(c *ec2host.Config) { c.AuthorizedKey = "" })
	_, err := gossh.Dial("tcp", f.h.Addr(), f.config("ec2-user"))
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("err = %v, want an authentication failure", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]ec2host.Config{
		"no dir":      {},
		"garbage key": {Dir: t.TempDir(), AuthorizedKey: "ssh-ed25519 notbase64!"},
	} {
		if _, err := ec2host.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestHostKeyPinning(t *testing.T) {
	f := start(t, nil)
	// HostKey() is the authorized_keys line of the key the server presents.
	pub, _, _, _, err := gossh.ParseAuthorizedKey([]byte(f.h.HostKey()))
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.config("ec2-user")
	cfg.HostKeyCallback = gossh.FixedHostKey(pub)
	c, err := gossh.Dial("tcp", f.h.Addr(), cfg)
	if err != nil {
		t.Fatalf("pinned host key refused: %v", err)
	}
	c.Close()

	cfg.HostKeyCallback = gossh.FixedHostKey(newKey(t).PublicKey())
	if c, err := gossh.Dial("tcp", f.h.Addr(), cfg); err == nil {
		c.Close()
		t.Fatal("a wrong pinned host key was accepted")
	}

	// The key survives a restart: clients keep their pin.
	before := f.h.HostKey()
	f.h.Stop()
	if err := f.h.Start(); err != nil {
		t.Fatal(err)
	}
	if f.h.HostKey() != before {
		t.Fatal("host key changed across Stop/Start")
	}
	f.dial(t)
}

func TestGivenHostKeyIsUsed(t *testing.T) {
	key := newKey(t)
	f := start(t, func(c *ec2host.Config) { c.HostKey = key })
	if f.h.HostKey() != ec2host.AuthorizedKeyLine(key.PublicKey()) {
		t.Fatalf("HostKey = %q", f.h.HostKey())
	}
	cfg := f.config("ec2-user")
	cfg.HostKeyCallback = gossh.FixedHostKey(key.PublicKey())
	c, err := gossh.Dial("tcp", f.h.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestStopMidCommandFailsClientPromptly(t *testing.T) {
	f := start(t, nil)
	c := f.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := s.StdoutPipe()
	if err := s.Start("sleep 300 & echo $!; wait"); err != nil {
		t.Fatal(err)
	}
	pid := readPID(t, out)
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	if err := f.h.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Wait succeeded after Stop")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("client still waiting 30s after Stop")
	}
	waitGone(t, pid)
	if f.h.Running() {
		t.Fatal("Running after Stop")
	}
	if _, err := net.DialTimeout("tcp", f.h.Addr(), 5*time.Second); err == nil {
		t.Fatal("stopped host still accepts connections")
	}
}

func TestRestartOnSamePort(t *testing.T) {
	f := start(t, nil)
	first := f.h.Addr()
	exec(t, f.dial(t), "true", nil)
	for i := range 3 {
		if err := f.h.Stop(); err != nil {
			t.Fatal(err)
		}
		if f.h.Addr() != first {
			t.Fatalf("stopped Addr = %q, want the last address %q", f.h.Addr(), first)
		}
		if err := f.h.Start(); err != nil {
			t.Fatal(err)
		}
		if f.h.Addr() != first {
			t.Fatalf("restart %d on %s, want %s", i, f.h.Addr(), first)
		}
		if r := exec(t, f.dial(t), "echo again", nil); string(r.stdout) != "again\n" {
			t.Fatalf("after restart: %+v", r)
		}
	}
	if err := f.h.Start(); err != nil { // starting a running host is a no-op
		t.Fatal(err)
	}
}

func TestRestartWhenPortTaken(t *testing.T) {
	f := start(t, nil)
	first := f.h.Addr()
	f.h.Stop()
	squatter, err := net.Listen("tcp", first)
	if err != nil {
		t.Skipf("port taken before the test could hold it: %v", err)
	}
	defer squatter.Close()
	if err := f.h.Start(); err != nil {
		t.Fatal(err)
	}
	if f.h.Addr() == first || !strings.HasPrefix(f.h.Addr(), "127.0.0.1:") {
		t.Fatalf("Addr = %q with %s taken", f.h.Addr(), first)
	}
	exec(t, f.dial(t), "true", nil)
}

func TestIdleStop(t *testing.T) {
	idled := make(chan struct{}, 4)
	var calls atomic.Int32
	f := start(t, func(c *ec2host.Config) {
		c.IdleTimeout = time.Second
		c.OnIdle = func() { calls.Add(1); idled <- struct{}{} }
	})
	addr := f.h.Addr()
	// A session longer than the idle time keeps the host up.
	c := f.dial(t)
	if r := exec(t, c, "sleep 2; echo done", nil); string(r.stdout) != "done\n" || r.code != 0 {
		t.Fatalf("long session: %+v", r)
	}
	select {
	case <-idled:
	case <-time.After(30 * time.Second):
		t.Fatal("no idle stop")
	}
	if f.h.Running() {
		t.Fatal("Running after the idle stop")
	}
	if f.h.Addr() != addr {
		t.Fatalf("Addr after idle stop = %q, want %q", f.h.Addr(), addr)
	}
	if _, err := c.NewSession(); err == nil {
		t.Fatal("the idle stop left a connection open")
	}
	// Restarted, it idles again: OnIdle once per idle stop.
	if err := f.h.Start(); err != nil {
		t.Fatal(err)
	}
	exec(t, f.dial(t), "true", nil)
	select {
	case <-idled:
	case <-time.After(30 * time.Second):
		t.Fatal("no second idle stop")
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("OnIdle called %d times, want 2", n)
	}
}

func TestTerminateRemovesDir(t *testing.T) {
	f := start(t, nil)
	dir := f.h.Dir()
	exec(t, f.dial(t), "echo x > file", nil)
	if err := f.h.Terminate(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("dir after Terminate: %v", err)
	}
	if err := f.h.Start(); err == nil {
		t.Fatal("Start after Terminate succeeded")
	}
	if err := f.h.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

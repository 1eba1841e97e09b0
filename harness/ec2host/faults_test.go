package ec2host_test

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/ec2host"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// outage is a host's fault rules as a test sets them.
type outage struct {
	hit   atomic.Pointer[cloud.FaultHit]
	asked atomic.Int64
}

func (o *outage) fault(dropOnly bool) *cloud.FaultHit {
	o.asked.Add(1)
	if h := o.hit.Load(); h != nil && (h.Drop || !dropOnly) {
		return h
	}
	return nil
}

func (o *outage) set(h *cloud.FaultHit) { o.hit.Store(h) }

// handshake dials addr and runs the SSH handshake under a short deadline,
// as a client with a connect timeout does.
func (f *fixture) handshake(conn net.Conn, limit time.Duration) (*gossh.Client, error) {
	_ = conn.SetDeadline(time.Now().Add(limit))
	c, chans, reqs, err := gossh.NewClientConn(conn, f.h.Addr(), f.config("ec2-user"))
	if err != nil {
		conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return gossh.NewClient(c, chans, reqs), nil
}

func TestOutageHostStopsAnsweringAndComesBack(t *testing.T) {
	var o outage
	f := start(t, func(c *ec2host.Config) { c.Fault = o.fault })
	addr := f.h.Addr()
	before := f.dial(t)
	if r := exec(t, before, "echo up", nil); string(r.stdout) != "up\n" {
		t.Fatalf("before the outage: %+v", r)
	}
	running, err := before.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := running.Start("sleep 60"); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() { ended <- running.Wait() }()

	o.set(&cloud.FaultHit{Rule: "outage", Drop: true})

	// A new session on an open connection: the connection is cut.
	if s, err := before.NewSession(); err == nil {
		s.Close()
		t.Fatal("a session opened during the outage")
	}
	// The session that was running ends with its connection (no exit status).
	select {
	case err := <-ended:
		var exit *gossh.ExitError
		if err == nil || errors.As(err, &exit) {
			t.Fatalf("the running session ended with %v, want a lost connection", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the running session was not cut")
	}

	// A new connection: TCP connects (loopback), but no banner ever comes.
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	n, err := raw.Read(make([]byte, 64))
	var ne net.Error
	if n != 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read %d bytes, %v: want nothing until the deadline", n, err)
	}
	// A client with a short handshake timeout gives up with a timeout.
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := f.handshake(conn, 300*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("handshake succeeded during the outage")
	} else if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("handshake error %v, want a timeout", err)
	}

	// The outage ends: nothing restarted, the held connection proceeds and
	// new ones are served.
	o.set(nil)
	held, err := f.handshake(raw, 20*time.Second)
	if err != nil {
		t.Fatalf("the held connection after the outage: %v", err)
	}
	defer held.Close()
	if r := exec(t, held, "echo held", nil); string(r.stdout) != "held\n" {
		t.Fatalf("held connection: %+v", r)
	}
	if r := exec(t, f.dial(t), "echo back", nil); string(r.stdout) != "back\n" {
		t.Fatalf("after the outage: %+v", r)
	}
	if f.h.Addr() != addr || !f.h.Running() {
		t.Fatalf("host at %s (running %v), was %s", f.h.Addr(), f.h.Running(), addr)
	}
}

func TestOutageLatencyDelaysNewConnections(t *testing.T) {
	var o outage
	f := start(t, func(c *ec2host.Config) { c.Fault = o.fault })
	o.set(&cloud.FaultHit{Rule: "slow", Delay: 50 * time.Millisecond})
	if r := exec(t, f.dial(t), "echo slow", nil); string(r.stdout) != "slow\n" {
		t.Fatalf("with a delay: %+v", r)
	}
	if o.asked.Load() == 0 {
		t.Fatal("the host never asked its fault rules")
	}
}

func TestOutageStopEndsHeldConnections(t *testing.T) {
	var o outage
	f := start(t, func(c *ec2host.Config) { c.Fault = o.fault })
	o.set(&cloud.FaultHit{Rule: "outage", Drop: true})
	raw, err := net.DialTimeout("tcp", f.h.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for o.asked.Load() == 0 { // the host took the connection
		time.Sleep(5 * time.Millisecond)
	}
	if err := f.h.Stop(); err != nil {
		t.Fatal(err)
	}
	_ = raw.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := raw.Read(make([]byte, 64))
	var ne net.Error
	if n != 0 || err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("read %d, %v after Stop: want the connection closed", n, err)
	}
}

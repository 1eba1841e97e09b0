package ec2host_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/ec2host"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

func TestLauncher(t *testing.T) {
	parent := t.TempDir()
	var l cloud.HostLauncher = ec2host.NewLauncher(parent, nil)
	closer := l.(interface{ Close() error })
	defer closer.Close()

	key := newKey(t)
	idled := make(chan struct{}, 1)
	a, err := l.Launch(cloud.HostSpec{
		InstanceID: "i-0123456789abcdef0", AuthorizedKey: ec2host.AuthorizedKeyLine(key.PublicKey()),
		IdleTimeout: time.Hour, OnIdle: func() { idled <- struct{}{} },
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Launch(cloud.HostSpec{InstanceID: "../../i-evil"})
	if err != nil {
		t.Fatal(err)
	}
	ha, hb := a.(*ec2host.Host), b.(*ec2host.Host)
	for _, h := range []*ec2host.Host{ha, hb} {
		if !h.Running() {
			t.Fatal("Launch returned a stopped host")
		}
		if filepath.Dir(filepath.Dir(h.Dir())) != parent {
			t.Fatalf("host dir %s not in a launcher dir under %s", h.Dir(), parent)
		}
	}
	if ha.Dir() == hb.Dir() || !strings.HasPrefix(filepath.Base(ha.Dir()), "i-0123456789abcdef0-") {
		t.Fatalf("dirs %s %s", ha.Dir(), hb.Dir())
	}
	if err := a.Start(); err != nil { // already running: no-op
		t.Fatal(err)
	}

	f := &fixture{h: ha, client: key}
	if r := exec(t, f.dial(t), "echo up", nil); string(r.stdout) != "up\n" {
		t.Fatalf("%+v", r)
	}
	// b was launched without a key: nobody gets in.
	if _, err := gossh.Dial("tcp", b.Addr(), (&fixture{h: hb, client: key}).config("ec2-user")); err == nil {
		t.Fatal("keyless instance accepted a key")
	}

	if err := b.Terminate(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(hb.Dir()); !os.IsNotExist(err) {
		t.Fatalf("terminated host's dir: %v", err)
	}
	base := filepath.Dir(ha.Dir())
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	if ha.Running() {
		t.Fatal("host still running after the launcher closed")
	}
	if _, err := os.Stat(base); !os.IsNotExist(err) {
		t.Fatalf("launcher dir after Close: %v", err)
	}
	if _, err := l.Launch(cloud.HostSpec{InstanceID: "i-late"}); err == nil {
		t.Fatal("Launch after Close succeeded")
	}
	select {
	case <-idled:
		t.Fatal("OnIdle called for a host stopped by Close")
	default:
	}
}

func TestLauncherWithoutLaunchMakesNoDir(t *testing.T) {
	parent := t.TempDir()
	l := ec2host.NewLauncher(parent, nil)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("launcher made %v", entries)
	}
}

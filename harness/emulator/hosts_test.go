package emulator

import (
	"os"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// The emulator publishes a HostLauncher for EC2, and its Close stops every
// host and removes their directories.
func TestEmulatorLaunchesAndClosesHosts(t *testing.T) {
	dir := t.TempDir()
	e := New(WithHostsDir(dir))
	l, ok := e.env.Links.Get(cloud.LinkHosts).(cloud.HostLauncher)
	if !ok {
		t.Fatalf("Links[%q] = %T, want a cloud.HostLauncher", cloud.LinkHosts, e.env.Links.Get(cloud.LinkHosts))
	}
	h, err := l.Launch(cloud.HostSpec{InstanceID: "i-0abc"})
	if err != nil {
		t.Fatal(err)
	}
	if h.Addr() == "" || h.HostKey() == "" {
		t.Fatalf("launched host: addr %q key %q", h.Addr(), h.HostKey())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("hosts dir holds %v, want one launcher directory", entries)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Start(); err == nil {
		t.Fatal("a host outlived its emulator")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("hosts dir after Close holds %v", entries)
	}
}

// recordingLauncher launches nothing and remembers being closed.
type recordingLauncher struct{ launched, closed int }

func (r *recordingLauncher) Launch(cloud.HostSpec) (cloud.Host, error) {
	r.launched++
	return nil, os.ErrPermission
}
func (r *recordingLauncher) Close() error { r.closed++; return nil }

// WithHostLauncher replaces the in-process hosts, and Close closes it.
func TestEmulatorTakesAHostLauncher(t *testing.T) {
	r := &recordingLauncher{}
	e := New(WithHostLauncher(r))
	if l := e.env.Links.Get(cloud.LinkHosts); l != cloud.HostLauncher(r) {
		t.Fatalf("Links[%q] = %T", cloud.LinkHosts, l)
	}
	if err := e.Close(); err != nil || r.closed != 1 {
		t.Fatalf("close: %v, launcher closed %d times", err, r.closed)
	}
}

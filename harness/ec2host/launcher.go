package ec2host

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Launcher is the embedded emulator's cloud.HostLauncher: every instance
// gets a Host whose sandbox is a fresh directory under one per-launcher
// directory, made on the first launch and removed by Close.
type Launcher struct {
	parent string // where the launcher's directory goes ("" = os.TempDir)
	log    *slog.Logger

	mu     sync.Mutex
	base   string
	hosts  map[*Host]struct{}
	closed bool
}

var _ cloud.HostLauncher = (*Launcher)(nil)

// NewLauncher returns a launcher that keeps its hosts' directories under
// parent ("" means the system temp directory).
func NewLauncher(parent string, log *slog.Logger) *Launcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Launcher{parent: parent, log: log, hosts: map[*Host]struct{}{}}
}

// Capabilities are what this machine offers its hosts: a shell (else no
// command runs), and python3 on the commands' PATH (absent from the
// emulator's FROM-scratch image).
func (l *Launcher) Capabilities() []string {
	if !executable(DefaultShell) {
		return nil
	}
	caps := []string{cloud.CapEC2Hosts}
	for _, dir := range filepath.SplitList(CommandPATH) {
		if executable(filepath.Join(dir, "python3")) {
			return append(caps, cloud.CapEC2Python)
		}
	}
	return caps
}

func executable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// Launch creates and starts the host of one instance (Start on it again is
// a no-op).
func (l *Launcher) Launch(spec cloud.HostSpec) (cloud.Host, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, errors.New("ec2host: launcher closed")
	}
	if l.base == "" {
		base, err := os.MkdirTemp(l.parent, "groundstack-ec2hosts-")
		if err != nil {
			l.mu.Unlock()
			return nil, fmt.Errorf("ec2host: %w", err)
		}
		l.base = base
	}
	base := l.base
	l.mu.Unlock()

	dir, err := os.MkdirTemp(base, dirPrefix(spec.InstanceID))
	if err != nil {
		return nil, fmt.Errorf("ec2host: %w", err)
	}
	h, err := New(Config{
		Dir:           dir,
		AuthorizedKey: spec.AuthorizedKey,
		IdleTimeout:   spec.IdleTimeout,
		OnIdle:        spec.OnIdle,
		Fault:         spec.Fault,
		Logger:        l.log.With("instance", spec.InstanceID),
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	h.onTerminate = func() { l.forget(h) }
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		h.Terminate()
		return nil, errors.New("ec2host: launcher closed")
	}
	l.hosts[h] = struct{}{}
	l.mu.Unlock()
	if err := h.Start(); err != nil {
		h.Terminate()
		return nil, err
	}
	return h, nil
}

func (l *Launcher) forget(h *Host) {
	l.mu.Lock()
	delete(l.hosts, h)
	l.mu.Unlock()
}

// Close terminates every host and removes the launcher's directory; later
// launches fail.
func (l *Launcher) Close() error {
	l.mu.Lock()
	l.closed = true
	hosts := make([]*Host, 0, len(l.hosts))
	for h := range l.hosts {
		hosts = append(hosts, h)
	}
	base := l.base
	l.mu.Unlock()
	var errs []error
	for _, h := range hosts {
		errs = append(errs, h.Terminate())
	}
	if base != "" {
		errs = append(errs, os.RemoveAll(base))
	}
	return errors.Join(errs...)
}

// dirPrefix keeps an instance id usable as a directory name prefix.
func dirPrefix(id string) string {
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, id)
	if len(clean) > 64 {
		clean = clean[:64]
	}
	if clean == "" {
		clean = "host"
	}
	return clean + "-"
}

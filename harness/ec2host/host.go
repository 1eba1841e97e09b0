package ec2host

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Defaults for the zero values of Config.
const (
	DefaultAddr           = "127.0.0.1:0"
	DefaultCommandTimeout = 60 * time.Second
	DefaultOutputCap      = 1 << 20
	DefaultShell          = "/bin/sh"
	// CommandPATH is the PATH commands run with, as on a stock instance.
	CommandPATH = "/usr/local/bin:/usr/bin:/bin"
)

// Config describes one host.
type Config struct {
	// Dir is the sandbox: commands run in it, SFTP sees it as "/". Required;
	// created when missing; removed by Close/Terminate.
	Dir string
	// AuthorizedKey holds authorized_keys lines; empty means no key is
	// accepted (an instance launched without a key pair).
	AuthorizedKey string
	// HostKey is the host's private key; nil generates an ed25519 key kept
	// for the Host's life.
	HostKey gossh.Signer
	// Addr is the first listen address (default 127.0.0.1:0).
	Addr string
	// CommandTimeout kills a command's process group and exits 124 (default 60s).
	CommandTimeout time.Duration
	// OutputCap is the most bytes of stdout, and of stderr, a command may
	// send (default 1 MiB); the rest is dropped and said so on stderr.
	OutputCap int
	// IdleTimeout stops the host after that long with no session; 0 never.
	IdleTimeout time.Duration
	// OnIdle is called once per idle stop, after the host stopped.
	OnIdle func()
	// Fault is asked at each new connection and session, and once a second
	// while connections are open (nil: no faults). A drop makes the host
	// stop answering: new connections are held without a byte until the
	// fault ends (then they proceed) or for at most MaxHold, open ones are
	// cut. A delay holds each new connection that long.
	Fault func(dropOnly bool) *cloud.FaultHit
	// Shell runs commands as `Shell -c command` (default /bin/sh).
	Shell string
	// Logger gets connection and command events at debug level (default: discard).
	Logger *slog.Logger
}

// Host is one fake EC2 instance: New, Start, Addr, Stop, Close.
type Host struct {
	cfg     Config
	signer  gossh.Signer
	keys    []gossh.PublicKey
	hostKey string
	log     *slog.Logger

	mu          sync.Mutex
	cur         *run   // nil while stopped
	addr        string // last listen address
	terminated  bool
	onTerminate func() // set by Launcher to forget the host
}

var _ cloud.Host = (*Host)(nil)

// New checks cfg and builds a stopped host; Start makes it listen.
func New(cfg Config) (*Host, error) {
	if cfg.Dir == "" {
		return nil, errors.New("ec2host: Config.Dir is required")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("ec2host: %w", err)
	}
	cfg.Dir = dir
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("ec2host: %w", err)
	}
	keys, err := ParseAuthorizedKeys(cfg.AuthorizedKey)
	if err != nil {
		return nil, fmt.Errorf("ec2host: authorized key: %w", err)
	}
	if cfg.HostKey == nil {
		if cfg.HostKey, err = GenerateHostKey(); err != nil {
			return nil, fmt.Errorf("ec2host: host key: %w", err)
		}
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.CommandTimeout <= 0 {
		cfg.CommandTimeout = DefaultCommandTimeout
	}
	if cfg.OutputCap <= 0 {
		cfg.OutputCap = DefaultOutputCap
	}
	if cfg.Shell == "" {
		cfg.Shell = DefaultShell
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Host{
		cfg:     cfg,
		signer:  cfg.HostKey,
		keys:    keys,
		hostKey: AuthorizedKeyLine(cfg.HostKey.PublicKey()),
		log:     cfg.Logger,
	}, nil
}

// GenerateHostKey returns a fresh in-memory ed25519 signer.
func GenerateHostKey() (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return gossh.NewSignerFromKey(priv)
}

// AuthorizedKeyLine is pub in authorized_keys form, without a newline.
func AuthorizedKeyLine(pub gossh.PublicKey) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub)))
}

// ParseAuthorizedKeys reads every key of an authorized_keys text (blank
// lines and # comments skipped); empty text is no key.
func ParseAuthorizedKeys(text string) ([]gossh.PublicKey, error) {
	var keys []gossh.PublicKey
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		key, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// Dir is the host's sandbox directory.
func (h *Host) Dir() string { return h.cfg.Dir }

// HostKey is the host's public key in authorized_keys form, for pinning.
func (h *Host) HostKey() string { return h.hostKey }

// PublicKey is the host's public key, for ssh.FixedHostKey.
func (h *Host) PublicKey() gossh.PublicKey { return h.signer.PublicKey() }

// Addr is "127.0.0.1:port" while running, the last address when stopped,
// "" before the first Start.
func (h *Host) Addr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.addr
}

// Running says whether the host is listening (false after Stop or an idle stop).
func (h *Host) Running() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur != nil
}

// Start listens (again), on the previous address when it is still free;
// starting a running host does nothing.
func (h *Host) Start() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.terminated {
		return errors.New("ec2host: host terminated")
	}
	if h.cur != nil {
		return nil
	}
	ln, err := h.listen()
	if err != nil {
		return fmt.Errorf("ec2host: %w", err)
	}
	r := newRun(h, ln)
	h.cur = r
	h.addr = ln.Addr().String()
	go r.serve()
	h.log.Debug("ec2host started", "addr", h.addr, "dir", h.cfg.Dir)
	return nil
}

// listen binds the last address when there is one and it is free, else a
// new port on the same interface.
func (h *Host) listen() (net.Listener, error) {
	if h.addr == "" {
		return net.Listen("tcp", h.cfg.Addr)
	}
	ln, err := net.Listen("tcp", h.addr)
	if err == nil || !errors.Is(err, syscall.EADDRINUSE) {
		return ln, err
	}
	host, _, _ := net.SplitHostPort(h.addr)
	return net.Listen("tcp", net.JoinHostPort(host, "0"))
}

// Stop closes the listener and every connection and kills running commands;
// stopping a stopped host does nothing.
func (h *Host) Stop() error {
	h.mu.Lock()
	r := h.cur
	h.cur = nil
	h.mu.Unlock()
	if r != nil {
		r.shutdown()
		h.log.Debug("ec2host stopped", "addr", r.addr)
	}
	return nil
}

// Terminate stops the host for good and removes its directory.
func (h *Host) Terminate() error {
	_ = h.Stop()
	h.mu.Lock()
	first := !h.terminated
	h.terminated = true
	forget := h.onTerminate
	h.mu.Unlock()
	if !first {
		return nil
	}
	if forget != nil {
		forget()
	}
	return os.RemoveAll(h.cfg.Dir)
}

// Close is Terminate (the httptest shape).
func (h *Host) Close() error { return h.Terminate() }

// idleCheck runs from r's idle timer: it re-arms while sessions are open or
// recent, else stops the host and calls OnIdle.
func (h *Host) idleCheck(r *run) {
	h.mu.Lock()
	r.mu.Lock()
	if h.cur != r || r.closed {
		r.mu.Unlock()
		h.mu.Unlock()
		return
	}
	if r.active > 0 {
		r.idle.Reset(h.cfg.IdleTimeout)
		r.mu.Unlock()
		h.mu.Unlock()
		return
	}
	if left := h.cfg.IdleTimeout - time.Since(r.last); left > 0 {
		r.idle.Reset(left)
		r.mu.Unlock()
		h.mu.Unlock()
		return
	}
	r.closed = true // no session may begin from here on
	h.cur = nil
	r.mu.Unlock()
	h.mu.Unlock()
	r.shutdown()
	h.log.Debug("ec2host stopped after idle time", "addr", r.addr, "idle", h.cfg.IdleTimeout)
	if h.cfg.OnIdle != nil {
		h.cfg.OnIdle()
	}
}

// authorized is the public-key check; every user name is accepted.
func (h *Host) authorized(key gossh.PublicKey) bool {
	for _, k := range h.keys {
		if ssh.KeysEqual(k, key) {
			return true
		}
	}
	return false
}

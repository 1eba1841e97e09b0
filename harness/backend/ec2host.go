package backend

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"
	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

//go:embed container/ec2host.Dockerfile
var ec2hostDockerfile []byte

// EnvBusybox names the static busybox the EC2 host image carries (default
// /bin/busybox, from the Debian package busybox-static).
const EnvBusybox = "GROUNDSTACK_BUSYBOX"

// SSHPort is where `groundstack ec2host` listens inside its container.
const SSHPort = "2222/tcp"

// HostContainers is a cloud.HostLauncher whose machines are containers:
// each EC2 instance's host is `groundstack ec2host` in an image FROM scratch
// with a static busybox for a shell, on the launcher's own Docker network
// (where other containers reach it as <instance-id>:2222), its SSH port
// published on the host's 127.0.0.1. Scripts run over SSH then touch
// nothing of the developer's machine. Close removes every host and the
// network.
type HostContainers struct {
	cli     *testcontainers.DockerClient
	image   string
	network string

	mu     sync.Mutex
	hosts  map[*HostContainer]struct{}
	closed bool
}

var _ cloud.HostLauncher = (*HostContainers)(nil)

// StartHostContainers builds the EC2 host image (once per binary and
// busybox) and creates the launcher's network. Options: WithBinary,
// WithImage (a pre-built ec2host image).
func StartHostContainers(ctx context.Context, opts ...ContainerOption) (*HostContainers, error) {
	cfg := containerConfig{dockerfile: ec2hostDockerfile}
	for _, o := range opts {
		o(&cfg)
	}
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	removeLeftovers(ctx, cli)
	image := cfg.image
	if image == "" {
		spec, err := ec2hostImage(ctx, cfg)
		if err == nil {
			image, err = ensureImage(ctx, cli, spec)
		}
		if err != nil {
			cli.Close()
			return nil, err
		}
	}
	name := "groundstack-hosts-" + randomHex(6)
	if _, err := cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{Driver: "bridge",
		Labels: map[string]string{LabelOwner: ownerLabel(), LabelRole: "ec2host"}}); err != nil {
		cli.Close()
		return nil, fmt.Errorf("backend: create the EC2 hosts' network: %w", err)
	}
	return &HostContainers{cli: cli, image: image, network: name, hosts: map[*HostContainer]struct{}{}}, nil
}

// ec2hostImage is the spec of the EC2 host image: the groundstack binary,
// busybox and its applets.
func ec2hostImage(ctx context.Context, cfg containerConfig) (imageSpec, error) {
	bin, err := groundstackBinary(ctx, cfg.binary)
	if err != nil {
		return imageSpec{}, err
	}
	bbFiles, err := busyboxFiles(ctx)
	if err != nil {
		return imageSpec{}, err
	}
	files := []contextFile{
		{name: "rootfs/", mode: 0o755},
		{name: "rootfs/groundstack", mode: 0o755, data: bin},
		{name: "rootfs/tmp/", mode: 0o1777},
		{name: "rootfs/home/", mode: 0o755},
		{name: "rootfs/home/ec2-user/", mode: 0o700},
		{name: "rootfs/etc/", mode: 0o755},
		{name: "rootfs/etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/home/ec2-user:/bin/sh\n")},
		{name: "rootfs/etc/group", mode: 0o644, data: []byte("root:x:0:\n")},
		{name: "rootfs/etc/ec2host/", mode: 0o755},
	}
	files = append(files, bbFiles...)
	for _, f := range caBundleFiles() {
		if f.name != "rootfs/etc/" {
			files = append(files, f)
		}
	}
	return imageSpec{repo: "groundstack-ec2host", role: "ec2host", dockerfile: cfg.dockerfile, files: files, dev: true}, nil
}

// busyboxFiles are a static busybox at /bin/busybox and a symlink to it
// per applet at its usual path (/bin/sh, /usr/bin/env, …), with every
// directory they need.
func busyboxFiles(ctx context.Context) ([]contextFile, error) {
	path := os.Getenv(EnvBusybox)
	if path == "" {
		path = "/bin/busybox"
	}
	if err := checkStaticLinux(path); err != nil {
		return nil, fmt.Errorf("backend: a shell in the image needs a static busybox (Debian package busybox-static; make deps installs it, or set %s): %w", EnvBusybox, err)
	}
	bb, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, path, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("backend: %s --list-full: %w", path, err)
	}
	files := []contextFile{{name: "rootfs/bin/", mode: 0o755}, {name: "rootfs/bin/busybox", mode: 0o755, data: bb}}
	dirs := map[string]bool{"rootfs/": true, "rootfs/bin/": true}
	for _, applet := range strings.Fields(string(out)) {
		applet = strings.TrimPrefix(applet, "/")
		parts := strings.Split(applet, "/")
		if applet == "bin/busybox" || len(parts) < 2 || strings.Contains(applet, "..") {
			continue // linuxrc and the like
		}
		// Every parent directory gets an entry (and so a mode of ours).
		for i := 1; i < len(parts); i++ {
			if d := "rootfs/" + strings.Join(parts[:i], "/") + "/"; !dirs[d] {
				dirs[d] = true
				files = append(files, contextFile{name: d, mode: 0o755})
			}
		}
		files = append(files, contextFile{name: "rootfs/" + applet, link: "/bin/busybox"})
	}
	return files, nil
}

func mustPort(p string) network.Port { return network.MustParsePort(p) }

// Network is the Docker network the hosts are on.
func (l *HostContainers) Network() string { return l.network }

// Image is the image the hosts run.
func (l *HostContainers) Image() string { return l.image }

// Launch creates and starts the container of one instance's machine.
func (l *HostContainers) Launch(spec cloud.HostSpec) (cloud.Host, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, errors.New("backend: EC2 host launcher closed")
	}
	l.mu.Unlock()
	signer, keyPEM, err := newHostKey()
	if err != nil {
		return nil, err
	}
	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	h := &HostContainer{l: l, spec: spec, port: port, hostKey: strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey())))}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var args []string
	if spec.IdleTimeout > 0 {
		args = append(args, "--idle-timeout", spec.IdleTimeout.String())
	}
	ctr, err := testcontainers.Run(ctx, l.image,
		testcontainers.WithLogger(tclog.NewNoopLogger()),
		testcontainers.WithCmdArgs(args...),
		testcontainers.WithExposedPorts(SSHPort),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			loopbackPort(SSHPort)(hc)
			hc.PortBindings[mustPort(SSHPort)][0].HostPort = strconv.Itoa(port) // kept across Stop/Start
			init := true
			hc.Init = &init
			hc.CapDrop = []string{"ALL"}
			hc.SecurityOpt = []string{"no-new-privileges"}
			pids := int64(512)
			hc.PidsLimit = &pids
		}),
		testcontainers.WithLabels(map[string]string{LabelOwner: ownerLabel(), LabelRole: "ec2host", "org.groundstack.instance": spec.InstanceID}),
		testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
			req.Networks = []string{l.network}
			req.NetworkAliases = map[string][]string{l.network: {spec.InstanceID}}
			req.Files = []testcontainers.ContainerFile{
				{Reader: strings.NewReader(spec.AuthorizedKey + "\n"), ContainerFilePath: "/etc/ec2host/authorized_keys", FileMode: 0o644},
				{Reader: strings.NewReader(string(keyPEM)), ContainerFilePath: "/etc/ec2host/host_key", FileMode: 0o600},
			}
			return nil
		}),
		testcontainers.WithWaitStrategyAndDeadline(35*time.Second, sshWait(port, 30*time.Second)),
	)
	if err != nil {
		if ctr != nil {
			err = describe(ctx, ctr, err)
			ctr.Terminate(context.Background(), testcontainers.StopTimeout(time.Second))
		}
		return nil, fmt.Errorf("backend: start the host of %s: %w", spec.InstanceID, err)
	}
	h.ctr = ctr
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		ctr.Terminate(context.Background())
		return nil, errors.New("backend: EC2 host launcher closed")
	}
	l.hosts[h] = struct{}{}
	l.mu.Unlock()
	h.watch()
	return h, nil
}

// Close terminates every host and removes the network.
func (l *HostContainers) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	hosts := make([]*HostContainer, 0, len(l.hosts))
	for h := range l.hosts {
		hosts = append(hosts, h)
	}
	l.mu.Unlock()
	var errs []error
	for _, h := range hosts {
		errs = append(errs, h.Terminate())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := l.cli.NetworkRemove(ctx, l.network, client.NetworkRemoveOptions{}); err != nil && !isNotFound(err) {
		errs = append(errs, err)
	}
	errs = append(errs, l.cli.Close())
	return errors.Join(errs...)
}

// HostContainer is the container of one instance's machine.
type HostContainer struct {
	l       *HostContainers
	spec    cloud.HostSpec
	ctr     *testcontainers.DockerContainer
	port    int
	hostKey string

	mu         sync.Mutex
	stopping   bool // Stop or Terminate asked: an exit is not idleness
	terminated bool
}

var _ cloud.Host = (*HostContainer)(nil)

// Start starts a stopped host again, on the same port.
func (h *HostContainer) Start() error {
	h.mu.Lock()
	if h.terminated {
		h.mu.Unlock()
		return errors.New("backend: host terminated")
	}
	h.stopping = false
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if st, err := h.ctr.State(ctx); err == nil && st.Running {
		return nil
	}
	if err := h.ctr.Start(ctx); err != nil {
		return describe(ctx, h.ctr, err)
	}
	h.watch()
	return nil
}

// Stop stops the container; running commands die with it.
func (h *HostContainer) Stop() error {
	h.mu.Lock()
	h.stopping = true
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d := time.Second
	return h.ctr.Stop(ctx, &d)
}

// Addr is 127.0.0.1:<port>, the same for the host's whole life.
func (h *HostContainer) Addr() string { return "127.0.0.1:" + strconv.Itoa(h.port) }

// NetworkAddr is where containers on the launcher's network reach the host.
func (h *HostContainer) NetworkAddr() string { return h.spec.InstanceID + ":2222" }

// HostKey is the host's public key in authorized_keys form.
func (h *HostContainer) HostKey() string { return h.hostKey }

// ID is the Docker container ID.
func (h *HostContainer) ID() string { return h.ctr.GetContainerID() }

// Terminate removes the container and everything in it.
func (h *HostContainer) Terminate() error {
	h.mu.Lock()
	if h.terminated {
		h.mu.Unlock()
		return nil
	}
	h.terminated, h.stopping = true, true
	h.mu.Unlock()
	h.l.mu.Lock()
	delete(h.l.hosts, h)
	h.l.mu.Unlock()
	err := h.ctr.Terminate(context.Background(), testcontainers.StopTimeout(time.Second))
	if err != nil && isNotFound(err) {
		err = nil
	}
	return err
}

// watch calls the spec's OnIdle when the host exits on its own with status
// 0 (`groundstack ec2host --idle-timeout` stopping), not when we stop it.
func (h *HostContainer) watch() {
	if h.spec.OnIdle == nil || h.spec.IdleTimeout <= 0 {
		return
	}
	res := h.l.cli.ContainerWait(context.Background(), h.ctr.GetContainerID(), client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	go func() {
		select {
		case r := <-res.Result:
			h.mu.Lock()
			ours := h.stopping
			h.mu.Unlock()
			if !ours && r.StatusCode == 0 {
				h.spec.OnIdle()
			}
		case <-res.Error:
		}
	}()
}

// sshWait is ready when the published port greets with an SSH banner.
func sshWait(port int, timeout time.Duration) probeWait {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	return probeWait{notReady: "no SSH banner at " + addr, timeout: timeout, probe: func(ctx context.Context, _ wait.StrategyTarget) error {
		return sshBanner(ctx, addr)
	}}
}

func sshBanner(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "SSH-2.0-") {
		return fmt.Errorf("not an SSH banner: %q", line)
	}
	return nil
}

// newHostKey generates an ed25519 host key: the signer and its OpenSSH PEM.
func newHostKey() (gossh.Signer, []byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, nil, err
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, nil, err
	}
	return signer, pem.EncodeToMemory(block), nil
}

// freeLoopbackPort asks the kernel for a free port on 127.0.0.1.
func freeLoopbackPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// EnvEC2Hosts set to "container" makes the embedded backend run EC2
// instances' machines as containers (HostContainers) instead of in its own
// process; the container backend's hosts run inside its container anyway.
const EnvEC2Hosts = "GROUNDSTACK_EC2_HOSTS"

// lazyHostContainers starts its HostContainers at the first launch, so a
// cloud that never runs an instance never touches Docker.
type lazyHostContainers struct {
	opts []ContainerOption

	mu     sync.Mutex
	l      *HostContainers
	closed bool
}

var _ cloud.HostLauncher = (*lazyHostContainers)(nil)

// Capabilities: busybox hosts run shell commands, not python3.
func (z *lazyHostContainers) Capabilities() []string { return []string{cloud.CapEC2Hosts} }

func (z *lazyHostContainers) Launch(spec cloud.HostSpec) (cloud.Host, error) {
	z.mu.Lock()
	if z.closed {
		z.mu.Unlock()
		return nil, errors.New("backend: EC2 host launcher closed")
	}
	if z.l == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		l, err := StartHostContainers(ctx, z.opts...)
		cancel()
		if err != nil {
			z.mu.Unlock()
			return nil, err
		}
		z.l = l
	}
	l := z.l
	z.mu.Unlock()
	return l.Launch(spec)
}

func (z *lazyHostContainers) Close() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.closed = true
	if z.l == nil {
		return nil
	}
	return z.l.Close()
}

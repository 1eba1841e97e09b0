package backend_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/moby/moby/client"
	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// hostImageOptions builds the groundstack the host image carries (its
// ec2host subcommand is the container's SSH server) and fails the test
// when the image cannot have a shell.
func hostImageOptions(t *testing.T) []backend.ContainerOption {
	t.Helper()
	bin := os.Getenv(backend.EnvBinary)
	if bin == "" {
		var err error
		if bin, err = deploy.BuildBinary(context.Background(), "../cmd/groundstack"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat("/bin/busybox"); err != nil && os.Getenv(backend.EnvBusybox) == "" {
		t.Fatalf("no static busybox for the host image (Debian package busybox-static; make deps installs it, or set %s): %v", backend.EnvBusybox, err)
	}
	return []backend.ContainerOption{backend.WithBinary(bin)}
}

// sshRun runs command on addr as ec2-user with key, pinning hostKey.
func sshRun(t *testing.T, addr, hostKey string, key ed25519.PrivateKey, command string) (string, error) {
	t.Helper()
	pinned, _, _, _, err := gossh.ParseAuthorizedKey([]byte(hostKey))
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := gossh.NewSignerFromKey(key)
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "ec2-user", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.FixedHostKey(pinned), Timeout: 10 * time.Second})
	if err != nil {
		return "", err
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer s.Close()
	var out lockedBuffer
	s.Stdout, s.Stderr = &out, &out
	err = s.Run(command)
	return out.String(), err
}

// lockedBuffer takes stdout and stderr at once (bytes.Buffer alone would
// lose output to the two copying goroutines).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestEC2HostsAsContainers(t *testing.T) {
	needDocker(t)
	opts := hostImageOptions(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l, err := backend.StartHostContainers(ctx, opts...)
	if l != nil {
		t.Cleanup(func() { l.Close() })
	}
	if err != nil {
		t.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := gossh.NewPublicKey(pub)
	authorized := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sshPub)))

	start := time.Now()
	h, err := l.Launch(cloud.HostSpec{InstanceID: "i-0123456789abcdef0", AuthorizedKey: authorized})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image %s, host answering SSH %s after Launch", l.Image(), time.Since(start).Round(time.Millisecond))
	if !strings.HasPrefix(h.Addr(), "127.0.0.1:") || !strings.HasPrefix(h.HostKey(), "ssh-ed25519 ") {
		t.Fatalf("addr %s, host key %s", h.Addr(), h.HostKey())
	}
	out, err := sshRun(t, h.Addr(), h.HostKey(), key, `echo "hello from $(uname -s)"; pwd; ls -d /work /root 2>&1; sh -c 'exit 3'`)
	var exitErr *gossh.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitStatus() != 3 {
		t.Fatalf("exit: %v\n%s", err, out)
	}
	for _, want := range []string{"hello from Linux", "/home/ec2-user", "/work: No such file or directory"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%q", want, out)
		}
	}

	// A wrong key is refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := sshRun(t, h.Addr(), h.HostKey(), other, "true"); err == nil {
		t.Fatal("a key that is not authorized got in")
	}

	// Containers on the launcher's network reach the host by instance ID.
	h2, err := l.Launch(cloud.HostSpec{InstanceID: "i-0fedcba9876543210", AuthorizedKey: authorized})
	if err != nil {
		t.Fatal(err)
	}
	out, err = sshRun(t, h2.Addr(), h2.HostKey(), key, `echo | nc -w 2 i-0123456789abcdef0 2222 | head -c 8`)
	if err != nil || out != "SSH-2.0-" {
		t.Fatalf("from one host to the other: %q %v", out, err)
	}

	// Stop and Start keep the address and the host key; files survive.
	if _, err := sshRun(t, h.Addr(), h.HostKey(), key, "echo kept > note.txt"); err != nil {
		t.Fatal(err)
	}
	addr := h.Addr()
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := sshRun(t, addr, h.HostKey(), key, "true"); err == nil {
		t.Fatal("a stopped host answered")
	}
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	if out, err := sshRun(t, h.Addr(), h.HostKey(), key, "cat note.txt; echo end"); err != nil || h.Addr() != addr || out != "kept\nend\n" {
		t.Fatalf("after restart at %s (was %s): %q %v", h.Addr(), addr, out, err)
	}

	// Terminate removes the container; Close the rest and the network.
	id := h.(interface{ ID() string }).ID()
	if err := h.Terminate(); err != nil {
		t.Fatal(err)
	}
	cli := dockerCLI(t)
	if _, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{}); err == nil {
		t.Fatal("a terminated host's container is still there")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.NetworkInspect(ctx, l.Network(), client.NetworkInspectOptions{}); err == nil {
		t.Fatal("the network outlived Close")
	}
	if _, err := l.Launch(cloud.HostSpec{InstanceID: "i-late"}); err == nil {
		t.Fatal("launched after Close")
	}
}

func TestEC2HostContainerStopsWhenIdle(t *testing.T) {
	needDocker(t)
	opts := hostImageOptions(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l, err := backend.StartHostContainers(ctx, opts...)
	if l != nil {
		t.Cleanup(func() { l.Close() })
	}
	if err != nil {
		t.Fatal(err)
	}
	idle := make(chan struct{}, 2)
	h, err := l.Launch(cloud.HostSpec{InstanceID: "i-idle", IdleTimeout: 500 * time.Millisecond, OnIdle: func() { idle <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-idle:
	case <-time.After(30 * time.Second):
		t.Fatal("OnIdle never came")
	}
	// A stop of ours is not idleness.
	if err := h.Start(); err != nil {
		t.Fatal(err)
	}
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-idle:
		t.Fatal("OnIdle after an explicit Stop")
	case <-time.After(time.Second):
	}
}

func TestEC2HostImageNeedsAStaticBusybox(t *testing.T) {
	needDocker(t)
	opts := hostImageOptions(t)
	script := filepath.Join(t.TempDir(), "busybox")
	os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755)
	t.Setenv(backend.EnvBusybox, script)
	_, err := backend.StartHostContainers(context.Background(), opts...)
	if err == nil || !strings.Contains(err.Error(), "busybox-static") {
		t.Fatalf("err %v", err)
	}
}

// runInstance imports a key pair and runs one instance with it, returning
// the instance's SSH address and host key once it runs.
func runInstance(t *testing.T, cfg aws.Config, authorized string) (addr, hostKey string) {
	t.Helper()
	ctx := context.Background()
	c := ec2.NewFromConfig(cfg)
	name := "k-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String(name), PublicKeyMaterial: []byte(authorized)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), KeyName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Instances[0].InstanceId)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		d, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		in := d.Reservations[0].Instances[0]
		tags := map[string]string{}
		for _, tg := range in.Tags {
			tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		switch in.State.Name {
		case ec2types.InstanceStateNameRunning:
			return aws.ToString(in.PrivateIpAddress) + ":" + tags["groundstack:ssh-port"], tags["groundstack:ssh-host-key"]
		case ec2types.InstanceStateNameStopped, ec2types.InstanceStateNameTerminated:
			t.Fatalf("instance %s: %s (%s)", id, in.State.Name, aws.ToString(in.StateTransitionReason))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("instance %s never ran", id)
	return "", ""
}

func TestEmbeddedBackendRunsEC2HostsAsContainers(t *testing.T) {
	needDocker(t)
	hostImageOptions(t)
	t.Setenv(backend.EnvBackend, "embedded")
	t.Setenv(backend.EnvEC2Hosts, "container")
	b, err := backend.FromEnv(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Busybox hosts: a shell, no python3.
	if !b.Supports(backend.FeatureEC2Hosts) || b.Supports(backend.FeatureEC2Python) {
		t.Errorf("ec2-hosts %v, ec2-python %v: want a shell and no python3", b.Supports(backend.FeatureEC2Hosts), b.Supports(backend.FeatureEC2Python))
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			b.Close()
		}
	})
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := gossh.NewPublicKey(pub)
	addr, hostKey := runInstance(t, b.Config(), strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sshPub))))
	// The script runs in the container: its /etc/passwd, not the developer's.
	out, err := sshRun(t, addr, hostKey, key, "cat /etc/passwd; pwd")
	if err != nil || out != "root:x:0:0:root:/home/ec2-user:/bin/sh\n/home/ec2-user\n" {
		t.Fatalf("over SSH: %q %v", out, err)
	}
	closed = true
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	left, err := dockerCLI(t).ContainerList(context.Background(), client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", backend.LabelOwner+"="+backend.OwnerLabelForTest()).Add("label", backend.LabelRole+"=ec2host")})
	if err != nil || len(left.Items) != 0 {
		t.Fatalf("host containers after Close: %d %v", len(left.Items), err)
	}

	t.Setenv(backend.EnvEC2Hosts, "vm")
	if _, err := backend.FromEnv(context.Background()); err == nil || !strings.Contains(err.Error(), "GROUNDSTACK_EC2_HOSTS") {
		t.Fatalf("unknown hosts kind: %v", err)
	}
}

func TestContainerBackendRunsEC2HostsInside(t *testing.T) {
	needDocker(t)
	hostImageOptions(t)
	c := startContainer(t)
	// The emulator in the container says what its hosts can run: a shell
	// (the image's busybox), no python3.
	if !c.Supports(backend.FeatureEC2Hosts) || c.Supports(backend.FeatureEC2Python) {
		t.Fatalf("ec2-hosts %v, ec2-python %v: want a shell and no python3", c.Supports(backend.FeatureEC2Hosts), c.Supports(backend.FeatureEC2Python))
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := gossh.NewPublicKey(pub)
	addr, _ := runInstance(t, c.Config(), strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sshPub))))
	// The host listens inside the emulator's container, where handlers run;
	// its shell is the image's busybox.
	_, port, _ := strings.Cut(addr, ":")
	code, r, err := c.Exec(context.Background(), []string{"/bin/sh", "-c", "echo | nc -w 2 127.0.0.1 " + port + " | head -c 8"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	if code != 0 || !strings.HasSuffix(string(got), "SSH-2.0-") {
		t.Fatalf("inside the container: exit %d, %q", code, got)
	}
}

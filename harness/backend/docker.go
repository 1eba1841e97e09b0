package backend

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Labels on everything the Docker backends create. The owner label names
// the process that created it, so that a later run can tell the leftovers
// of a killed run (owner gone) from a concurrent run's containers.
const (
	LabelOwner = "org.groundstack.owner" // "<hostname>/<pid>/<process start time>"
	LabelRole  = "org.groundstack.role"  // emulator | localstack | ec2host
	LabelImage = "org.groundstack.image" // on images we build: their role
)

// ErrDockerUnavailable is returned (wrapped) when no Docker engine answers.
var ErrDockerUnavailable = errors.New("backend: no Docker engine is reachable")

// logTailLines is how many of a container's last log lines errors quote.
const logTailLines = 30

// DockerAvailable returns nil when a Docker engine answers, else an error
// wrapping ErrDockerUnavailable (tests skip on it).
func DockerAvailable(ctx context.Context) error {
	cli, err := dockerClient(ctx)
	if err != nil {
		return err
	}
	return cli.Close()
}

// dockerClient connects to the engine testcontainers-go would use
// (DOCKER_HOST, docker context, ~/.testcontainers.properties).
func dockerClient(ctx context.Context) (*testcontainers.DockerClient, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	disableReaper()
	if err := pingDockerHost(ctx); err != nil {
		return nil, fmt.Errorf("%w (%s): start Docker, or use %s=embedded", ErrDockerUnavailable, firstLine(err.Error()), EnvBackend)
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err == nil {
		if _, err = cli.Ping(ctx, client.PingOptions{}); err != nil {
			cli.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w (%s): start Docker, or use %s=embedded", ErrDockerUnavailable, firstLine(err.Error()), EnvBackend)
	}
	return cli, nil
}

// disableReaper turns testcontainers-go's Ryuk reaper off unless the
// environment decided: its image cannot be pulled everywhere, and our own
// cleanup (Close, and the owner label for killed runs) does its job. It
// must run before testcontainers-go reads its configuration (once per
// process).
func disableReaper() {
	if _, set := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !set {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

// pingDockerHost holds DOCKER_HOST to its word, as the docker CLI does:
// when it is set and does not answer, there is no Docker (testcontainers-go
// would quietly fall back to the default socket).
func pingDockerHost(ctx context.Context) error {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		return nil
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("DOCKER_HOST=%s: %w", host, err)
	}
	return nil
}

// ownerLabel identifies this process on this host.
func ownerLabel() string {
	host, _ := os.Hostname()
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + processStart(os.Getpid())
}

// processStart is a process's start time in clock ticks since boot (field
// 22 of /proc/<pid>/stat), which tells a reused PID from the original; ""
// where /proc is not available.
func processStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) may hold spaces; fields resume after ')'.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// ownerGone reports whether the process an owner label names has ended.
// Labels from another host are never taken for leftovers.
func ownerGone(label string) bool {
	parts := strings.Split(label, "/")
	host, _ := os.Hostname()
	if len(parts) != 3 || parts[0] != host {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return parts[2] != processStart(pid)
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	// The PID is alive: it is the owner unless it was reused since.
	start := processStart(pid)
	return start != "" && parts[2] != "" && start != parts[2]
}

// RemoveLeftovers removes the containers and networks of groundstack runs
// on this host whose process has ended (killed before its cleanup ran),
// and returns what it removed.
func RemoveLeftovers(ctx context.Context) ([]string, error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	return removeLeftovers(ctx, cli)
}

func removeLeftovers(ctx context.Context, cli client.APIClient) ([]string, error) {
	var removed []string
	var errs []error
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelOwner)})
	if err != nil {
		return nil, err
	}
	for _, c := range list.Items {
		if !ownerGone(c.Labels[LabelOwner]) {
			continue
		}
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !isNotFound(err) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, "container "+shortID(c.ID))
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("label", LabelOwner)})
	if err != nil {
		return removed, errors.Join(append(errs, err)...)
	}
	for _, n := range nets.Items {
		if !ownerGone(n.Labels[LabelOwner]) {
			continue
		}
		if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !isNotFound(err) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, "network "+n.Name)
	}
	return removed, errors.Join(errs...)
}

func isNotFound(err error) bool {
	return err != nil && strings.Contains(strings.ToLower(err.Error()), "no such")
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// loopbackPort binds a container port to a random port on the host's
// 127.0.0.1 only: the cloud stays private to this machine, and two runs
// never fight over a port.
func loopbackPort(port string) func(*container.HostConfig) {
	return func(hc *container.HostConfig) {
		p := network.MustParsePort(port)
		if hc.PortBindings == nil {
			hc.PortBindings = network.PortMap{}
		}
		hc.PortBindings[p] = []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}
	}
}

// mappedEndpoint is http://127.0.0.1:<host port of port>.
func mappedEndpoint(ctx context.Context, t interface {
	MappedPort(context.Context, string) (network.Port, error)
}, port string) (string, error) {
	p, err := t.MappedPort(ctx, port)
	if err != nil {
		return "", err
	}
	return "http://127.0.0.1:" + strconv.Itoa(int(p.Num())), nil
}

// probeWait is a wait strategy that polls probe until it succeeds; it
// gives up at once when the container exits instead of waiting out its
// deadline.
type probeWait struct {
	notReady string // what the timeout error says: "not healthy"
	timeout  time.Duration
	probe    func(ctx context.Context, t wait.StrategyTarget) error
}

var _ wait.Strategy = probeWait{}

func (w probeWait) WaitUntilReady(ctx context.Context, t wait.StrategyTarget) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	var last error
	for {
		st, err := t.State(ctx)
		if err != nil {
			return err
		}
		if !st.Running {
			return stateError(st)
		}
		if last = w.probe(ctx, t); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s after %s: %v", w.notReady, w.timeout, last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// healthWait is ready when /_localstack/health answers 200 on the
// container's port, published on the loopback.
func healthWait(port string, timeout time.Duration) probeWait {
	client := &http.Client{Timeout: time.Second}
	return probeWait{notReady: "not healthy", timeout: timeout, probe: func(ctx context.Context, t wait.StrategyTarget) error {
		ep, err := mappedEndpoint(ctx, t, port)
		if err != nil {
			return err
		}
		return healthOnce(ctx, client, ep)
	}}
}

func healthOnce(ctx context.Context, c *http.Client, endpoint string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/_localstack/health", nil)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health answered %s", resp.Status)
	}
	return nil
}

func stateError(st *container.State) error {
	msg := fmt.Sprintf("container %s (exit code %d", st.Status, st.ExitCode)
	if st.OOMKilled {
		msg += ", killed: out of memory"
	}
	if st.Error != "" {
		msg += ", " + st.Error
	}
	if st.FinishedAt != "" && !strings.HasPrefix(st.FinishedAt, "0001") {
		msg += ", at " + st.FinishedAt
	}
	return errors.New(msg + ")")
}

// logTail returns a container's last n log lines (stdout and stderr).
func logTail(ctx context.Context, c testcontainers.Container, n int) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rc, err := c.Logs(ctx)
	if err != nil {
		return "(logs unavailable: " + firstLine(err.Error()) + ")"
	}
	defer rc.Close()
	ring := make([]string, 0, n)
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if len(ring) == n {
			ring = append(ring[:0], ring[1:]...)
		}
		ring = append(ring, sc.Text())
	}
	if len(ring) == 0 {
		return "(no log output)"
	}
	return strings.Join(ring, "\n")
}

// describe is a container's state and last log lines, for errors.
func describe(ctx context.Context, c testcontainers.Container, what error) error {
	id := shortID(c.GetContainerID())
	return fmt.Errorf("container %s: %v; its last log lines:\n%s", id, what, indent(logTail(ctx, c, logTailLines)))
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

// BridgeHostIP is the host's address on Docker's default bridge network
// (its gateway, 172.17.0.1 by default). A server the host listens with
// there is reachable both from the host and from the functions inside the
// container backend, which cannot reach the host's 127.0.0.1: the suites'
// fake card gateway (harness/payments) listens there for that backend.
func BridgeHostIP(ctx context.Context) (netip.Addr, error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return netip.Addr{}, err
	}
	defer cli.Close()
	res, err := cli.NetworkInspect(ctx, "bridge", client.NetworkInspectOptions{})
	if err != nil {
		return netip.Addr{}, fmt.Errorf("backend: inspect Docker's bridge network: %w", err)
	}
	for _, c := range res.Network.IPAM.Config {
		switch {
		case c.Gateway.Is4():
			return c.Gateway, nil
		case c.Subnet.Addr().Is4():
			// the default bridge often leaves its gateway out: Docker gives
			// it the subnet's first address
			return c.Subnet.Masked().Addr().Next(), nil
		}
	}
	return netip.Addr{}, errors.New("backend: Docker's bridge network has no IPv4 gateway")
}

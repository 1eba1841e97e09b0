package ec2_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	ec2svc "github.com/groundstack/groundstack/harness/emulator/services/ec2"
)

var ctx = context.Background()

// fixture is an emulator with its EC2 service and an SDK client.
type fixture struct {
	e   *emulator.Emulator
	svc *ec2svc.Service
	c   *ec2.Client
}

func start(t testing.TB, opts ...emulator.Option) fixture {
	t.Helper()
	e, cfg := emutest.Start(t, opts...)
	var svc *ec2svc.Service
	for _, s := range e.Services() {
		if x, ok := s.(*ec2svc.Service); ok {
			svc = x
		}
	}
	if svc == nil {
		t.Fatal("the emulator serves no EC2")
	}
	// Instances without machines: withHosts brings a fake, the scriptrunner
	// suite and harness/emulator's tests the real harness/ec2host.
	svc.SetLauncher(nil)
	return fixture{e, svc, ec2.NewFromConfig(cfg)}
}

// withHosts starts an emulator whose instances get fake machines.
func withHosts(t testing.TB, opts ...emulator.Option) (fixture, *fakeLauncher) {
	t.Helper()
	f := start(t, opts...)
	l := newFakeLauncher()
	f.svc.SetLauncher(l)
	return f, l
}

func wantAPIError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// run launches n instances of a well-formed AMI with optional extras.
func (f fixture) run(t testing.TB, n int32, edit ...func(*ec2.RunInstancesInput)) []types.Instance {
	t.Helper()
	in := &ec2.RunInstancesInput{ImageId: aws.String("ami-0abcdef1234567890"), MinCount: aws.Int32(n), MaxCount: aws.Int32(n)}
	for _, e := range edit {
		e(in)
	}
	out, err := f.c.RunInstances(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return out.Instances
}

func (f fixture) describe(t testing.TB, id string) types.Instance {
	t.Helper()
	out, err := f.c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("describe %s: %+v", id, out.Reservations)
	}
	return out.Reservations[0].Instances[0]
}

func tagsOf(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func ids(ins []types.Instance) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = aws.ToString(in.InstanceId)
	}
	return out
}

// fast makes the SDK's waiters poll every few milliseconds.
func fast[O any](o *O) {
	switch w := any(o).(type) {
	case *ec2.InstanceRunningWaiterOptions:
		w.MinDelay, w.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	case *ec2.InstanceStoppedWaiterOptions:
		w.MinDelay, w.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	case *ec2.InstanceTerminatedWaiterOptions:
		w.MinDelay, w.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	case *ec2.InstanceStatusOkWaiterOptions:
		w.MinDelay, w.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	case *ec2.InstanceExistsWaiterOptions:
		w.MinDelay, w.MaxDelay = 5*time.Millisecond, 20*time.Millisecond
	}
}

const waitFor = 20 * time.Second

func (f fixture) waitRunning(t testing.TB, ids ...string) {
	t.Helper()
	w := ec2.NewInstanceRunningWaiter(f.c, fast)
	if err := w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids}, waitFor); err != nil {
		t.Fatalf("waiting for running: %v", err)
	}
}

func (f fixture) waitStopped(t testing.TB, ids ...string) {
	t.Helper()
	w := ec2.NewInstanceStoppedWaiter(f.c, fast)
	if err := w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids}, waitFor); err != nil {
		t.Fatalf("waiting for stopped: %v", err)
	}
}

// waitSettled polls until a failed launch has left "pending": the SDK's
// stopped and terminated waiters fail on "pending", which a loaded machine
// may still show.
func (f fixture) waitSettled(t testing.TB, id string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for f.describe(t, id).State.Name == types.InstanceStateNamePending && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

func (f fixture) waitTerminated(t testing.TB, ids ...string) {
	t.Helper()
	w := ec2.NewInstanceTerminatedWaiter(f.c, fast)
	if err := w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids}, waitFor); err != nil {
		t.Fatalf("waiting for terminated: %v", err)
	}
}

// ---- a fake machine launcher ----

type fakeLauncher struct {
	mu        sync.Mutex
	hosts     map[string]*fakeHost
	order     []*fakeHost
	nextPort  int
	launchErr error
	startErr  error         // the next Start of any host fails with it (once)
	gate      chan struct{} // when set, Start waits for it to close
}

func newFakeLauncher() *fakeLauncher {
	return &fakeLauncher{hosts: map[string]*fakeHost{}, nextPort: 22000}
}

func (l *fakeLauncher) Launch(spec cloud.HostSpec) (cloud.Host, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.launchErr != nil {
		return nil, l.launchErr
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	l.nextPort++
	h := &fakeHost{l: l, spec: spec, port: l.nextPort,
		hostKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))}
	l.hosts[spec.InstanceID] = h
	l.order = append(l.order, h)
	return h, nil
}

func (l *fakeLauncher) host(t testing.TB, id string) *fakeHost {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hosts[id]
	if h == nil {
		t.Fatalf("no host launched for %s", id)
	}
	return h
}

func (l *fakeLauncher) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.order)
}

type fakeHost struct {
	l       *fakeLauncher
	spec    cloud.HostSpec
	hostKey string

	mu                          sync.Mutex
	port                        int
	running, terminated         bool
	starts, stops, terminations int
}

func (h *fakeHost) Start() error {
	h.l.mu.Lock()
	gate, err := h.l.gate, h.l.startErr
	h.l.startErr = nil
	h.l.mu.Unlock()
	if gate != nil {
		<-gate
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.terminated {
		return errors.New("host terminated")
	}
	if err != nil {
		return err
	}
	h.running = true
	h.starts++
	return nil
}

func (h *fakeHost) Stop() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running = false
	h.stops++
	return nil
}

func (h *fakeHost) Addr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprintf("127.0.0.1:%d", h.port)
}

func (h *fakeHost) HostKey() string { return h.hostKey }

func (h *fakeHost) Terminate() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running, h.terminated = false, true
	h.terminations++
	return nil
}

// idle makes the host stop itself as after its idle timeout.
func (h *fakeHost) idle() {
	h.mu.Lock()
	h.running = false
	h.mu.Unlock()
	h.spec.OnIdle()
}

func (h *fakeHost) counts() (starts, stops, terminations int, running bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.starts, h.stops, h.terminations, h.running
}

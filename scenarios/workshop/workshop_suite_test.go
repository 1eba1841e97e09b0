package workshop_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

func TestWorkshop(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Workshop Suite")
}

// The lab's functions hard-code this endpoint, as such labs do.
const (
	edgeAddr = "127.0.0.1:4566"
	endpoint = "http://" + edgeAddr
	// scriptTimeout bounds one script on a loaded 2-core machine.
	scriptTimeout = 3 * time.Minute
)

var (
	up      *exec.Cmd
	upDone  chan error
	upLog   lockedBuffer
	cfg     aws.Config
	root    string
	labDir  string
	work    string // the scripts' LAB_BUILD_DIR and HOME
	labEnv  []string
	began   time.Time
	figures = map[string]any{}
	figMu   sync.Mutex
	// scriptsCPU is the CPU time of every script run, in seconds.
	scriptsCPU float64
)

func record(name string, v any) {
	figMu.Lock()
	defer figMu.Unlock()
	figures[name] = v
}

var _ = SynchronizedBeforeSuite(func(ctx context.Context) []byte {
	began = time.Now()
	if b := os.Getenv("GROUNDSTACK_BACKEND"); b != "" && b != "embedded" {
		Skip("the workshop suite runs the lab against groundstack up on " + edgeAddr + " (GROUNDSTACK_BACKEND=" + b + " is not that)")
	}
	for _, tool := range []string{"aws", "zip", "python3", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			Skip("the lab's scripts need " + tool + ", which is not installed (make deps installs it)")
		}
	}
	ln, err := net.Listen("tcp", edgeAddr)
	if err != nil {
		Skip(edgeAddr + " is taken (another groundstack up or LocalStack?): the lab's functions hard-code that endpoint")
	}
	ln.Close()

	root, err = deploy.SourceRoot()
	Expect(err).NotTo(HaveOccurred())
	labDir = filepath.Join(root, "fixtures", "workshop")
	t0 := time.Now()
	bin, err := deploy.BuildBinary(ctx, filepath.Join(root, "harness", "cmd", "groundstack"))
	Expect(err).NotTo(HaveOccurred())
	record("build groundstack (s)", time.Since(t0).Seconds())

	work, err = os.MkdirTemp("", "groundstack-workshop-")
	Expect(err).NotTo(HaveOccurred())
	binDir := filepath.Join(work, "bin")
	Expect(os.MkdirAll(binDir, 0o755)).To(Succeed())
	Expect(os.Symlink(bin, filepath.Join(binDir, "awslocal"))).To(Succeed())
	labEnv = cleanEnv(binDir)

	t0 = time.Now()
	startUp(bin)
	record("groundstack up ready (s)", time.Since(t0).Seconds())
	cfg = sdkclient.Config(endpoint, "")
	return nil
}, func(ctx context.Context, _ []byte) {
	if cfg.BaseEndpoint == nil { // another process: the cloud is the first one's
		cfg = sdkclient.Config(endpoint, "")
	}
}, NodeTimeout(10*time.Minute))

var _ = SynchronizedAfterSuite(func() {}, func() {
	if up != nil {
		stopUp()
	}
	if work != "" {
		os.RemoveAll(work)
	}
	if !began.IsZero() {
		record("suite (s)", time.Since(began).Seconds())
		record("scripts' CPU, all (s)", scriptsCPU)
		if b, err := os.ReadFile("/proc/loadavg"); err == nil {
			record("load average", strings.Join(strings.Fields(string(b))[:3], " "))
		}
		AddReportEntry("workshop figures", figures)
		fmt.Fprintf(GinkgoWriter, "workshop figures: %v\n", figures)
	}
})

// cleanEnv is a user's shell with awslocal on the PATH and nothing of this
// machine's AWS set-up: no AWS_* or GROUNDSTACK_* variables, an empty HOME
// (no ~/.aws), so the scripts reach the cloud through awslocal alone.
func cleanEnv(binDir string) []string {
	env := []string{"HOME=" + work, "LAB_BUILD_DIR=" + filepath.Join(work, "lab"), "TMPDIR=" + work,
		"PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH")}
	for _, k := range []string{"LANG", "LC_ALL", "USER", "PYENV_ROOT", "PYENV_VERSION"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// startUp runs `groundstack up` (an empty cloud) on 127.0.0.1:4566 and
// waits for its health answer.
func startUp(bin string) {
	up = exec.Command(bin, "up", "--host", "127.0.0.1", "--port", "4566")
	up.Env = cleanEnv(filepath.Dir(bin))
	up.Stdout, up.Stderr = &upLog, &upLog
	up.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	Expect(up.Start()).To(Succeed())
	upDone = make(chan error, 1)
	go func() { upDone <- up.Wait() }()
	Eventually(func() error {
		select {
		case err := <-upDone:
			upDone <- err
			return StopTrying(fmt.Sprintf("groundstack up ended: %v\n%s", err, upLog.String()))
		default:
		}
		resp, err := http.Get(endpoint + "/_localstack/health")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("health: %s", resp.Status)
		}
		return nil
	}).WithTimeout(time.Minute).WithPolling(100 * time.Millisecond).Should(Succeed())
}

// stopUp stops groundstack up with Ctrl-C, as a user would, and its
// function processes with it.
func stopUp() {
	_ = up.Process.Signal(syscall.SIGINT)
	select {
	case <-upDone:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-up.Process.Pid, syscall.SIGKILL)
		<-upDone
		Fail("groundstack up did not stop within 30 s of Ctrl-C\n" + upLog.String())
	}
}

// scriptRun is one lab script's run: done closes when it has finished.
type scriptRun struct {
	name string
	out  string
	err  error
	took time.Duration
	done chan struct{}
}

// run runs the lab script as a user would (bash, awslocal on the PATH)
// and keeps its output; done closes when it has finished. A script that
// outlives scriptTimeout is killed with its process group.
func (r *scriptRun) run() {
	defer close(r.done)
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(labDir, r.name))
	cmd.Dir, cmd.Env = work, labEnv
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	r.out, r.err, r.took = string(out), err, time.Since(t0)
	if ctx.Err() != nil {
		r.err = fmt.Errorf("still running after %s", scriptTimeout)
	}
	record(r.name+" (s)", r.took.Seconds())
	if cmd.ProcessState != nil { // the script's CPU and its reaped children's: the aws CLIs, zip, python3
		cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		record(r.name+" CPU (s)", cpu)
		figMu.Lock()
		scriptsCPU += cpu
		figMu.Unlock()
	}
}

// notRun marks a script that was not run because the one before it failed.
func (r *scriptRun) notRun(after string) {
	r.err = fmt.Errorf("not run: %s, which it follows, failed", after)
	close(r.done)
}

// succeeded waits for the run and fails the spec, with the script's whole
// output in the report, unless it exited 0.
func (r *scriptRun) succeeded() string {
	GinkgoHelper()
	<-r.done
	if r.err != nil {
		AddReportEntry(r.name+" output", r.out)
		Fail(fmt.Sprintf("%s: %v\n%s", r.name, r.err, tail(r.out, 60)))
	}
	return r.out
}

func tail(s string, lines int) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	var all []string
	for sc.Scan() {
		all = append(all, sc.Text())
	}
	if len(all) > lines {
		all = append([]string{"…"}, all[len(all)-lines:]...)
	}
	return strings.Join(all, "\n")
}

// lockedBuffer is groundstack up's output, written by its process and read
// by a failing spec.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 {
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// limitsPool is a testfn pool with the given memory and /tmp sizes.
func (h *harness) limitsPool(name string, memoryMB, tmpMB int, reserved func() int) *runtime.Pool {
	return h.x.NewPool(&runtime.Function{
		Name: name, ARN: "arn:aws:lambda:us-east-1:000000000000:function:" + name, Version: "$LATEST",
		Region: "us-east-1", Runtime: "provided.al2023", Handler: "bootstrap", CodeSHA256: h.sum,
		Timeout: 60 * time.Second, MemoryMB: memoryMB, EphemeralMB: tmpMB, MaxConcurrency: reserved,
	})
}

type writeReport struct {
	Written int
	Error   string
}

func writeAttack(t *testing.T, p *runtime.Pool, path string, mb int) writeReport {
	t.Helper()
	res := invoke(t, p, fmt.Sprintf(`{"mode":"write","path":%q,"mb":%d}`, path, mb), false)
	var w writeReport
	if res.Outcome != runtime.Succeeded || json.Unmarshal(res.Payload, &w) != nil {
		t.Fatalf("write %s: %v %s", path, res.Outcome, res.Payload)
	}
	return w
}

func envOf(t *testing.T, p *runtime.Pool, keys ...string) map[string]string {
	t.Helper()
	k, _ := json.Marshal(keys)
	res := invoke(t, p, `{"mode":"env","keys":`+string(k)+`}`, false)
	var env map[string]string
	if err := json.Unmarshal(res.Payload, &env); err != nil {
		t.Fatalf("env: %s", res.Payload)
	}
	return env
}

// TestLimits runs the limits' attacks on one executor (unpacking testfn
// costs seconds under -race).
func TestLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, runtime.Config{})
	for name, test := range map[string]func(*testing.T, *harness){
		"NamespaceSandbox": testNamespaceSandbox, "OutOfMemory": testOutOfMemory,
		"HundredConcurrentInvocations": testHundredConcurrentInvocations,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, h)
		})
	}
}

// testNamespaceSandbox: where the machine allows mount namespaces, a
// handler cannot write its code (EROFS, as on AWS), /tmp is its own tmpfs
// of EphemeralStorage's size (ENOSPC past it), invisible to the host and to
// other instances.
func testNamespaceSandbox(t *testing.T, h *harness) {
	if h.x.Sandbox() != runtime.SandboxNamespace {
		t.Skip("no mount namespaces here (needs CAP_SYS_ADMIN); TestFilesSandbox covers this machine")
	}
	p := h.limitsPool("sandboxed", 128, 8, nil)
	env := envOf(t, p, "LAMBDA_TASK_ROOT", "TMPDIR")
	if env["TMPDIR"] != "/tmp" {
		t.Fatalf("TMPDIR %q", env["TMPDIR"])
	}
	for _, target := range []string{filepath.Join(env["LAMBDA_TASK_ROOT"], "planted"), filepath.Join(env["LAMBDA_TASK_ROOT"], "bootstrap")} {
		if w := writeAttack(t, p, target, 0); !strings.Contains(w.Error, "read-only file system") {
			t.Fatalf("write to %s: %+v", target, w)
		}
	}
	if _, err := os.Stat(filepath.Join(env["LAMBDA_TASK_ROOT"], "planted")); err == nil {
		t.Fatal("the handler planted a file in its code")
	}

	name := fmt.Sprintf("/tmp/groundstack-limits-%d", time.Now().UnixNano())
	if w := writeAttack(t, p, name, 1); w.Error != "" || w.Written != 1<<20 {
		t.Fatalf("1 MiB in /tmp: %+v", w)
	}
	if _, err := os.Stat(name); err == nil {
		t.Fatal("the instance's /tmp is the host's")
	}
	w := writeAttack(t, p, name+"-fill", 16)
	if !strings.Contains(w.Error, "no space left on device") || w.Written > 8<<20 {
		t.Fatalf("16 MiB in an 8 MiB /tmp: %+v", w)
	}

	// Another instance has a /tmp of its own.
	hold, holding := make(chan struct{}), make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		holding <- struct{}{}
		<-hold
	}))
	defer srv.Close()
	done := make(chan *runtime.Result, 1)
	go func() {
		res, _ := p.Invoke(context.Background(), &runtime.Request{RequestID: "holder", Payload: []byte(`{"mode":"wait","message":"` + srv.URL + `"}`)})
		done <- res
	}()
	<-holding
	// The first instance (its /tmp full) is busy: a second one serves this.
	other := writeAttack(t, p, name+"-fill", 0)
	close(hold)
	if res := <-done; res == nil || res.Outcome != runtime.Succeeded {
		t.Fatalf("holder: %+v", res)
	}
	if len(p.PIDs()) != 2 {
		t.Fatalf("%d instances", len(p.PIDs()))
	}
	if other.Error != "" {
		t.Fatalf("a fresh instance's /tmp was not empty enough for a byte: %+v", other)
	}
}

// TestFilesSandbox is the mode of machines without mount namespaces (a
// user's laptop, not root): code without write permission, TMPDIR a
// directory of the instance's own, removed when it ends.
func TestFilesSandbox(t *testing.T) {
	t.Parallel()
	h := newHarness(t, runtime.Config{NoNamespaces: true})
	if h.x.Sandbox() != runtime.SandboxFiles {
		t.Fatalf("sandbox %q", h.x.Sandbox())
	}
	p := h.limitsPool("files", 128, 512, nil)
	env := envOf(t, p, "LAMBDA_TASK_ROOT", "TMPDIR")
	root, tmp := env["LAMBDA_TASK_ROOT"], env["TMPDIR"]
	for _, f := range []string{root, filepath.Join(root, "bootstrap")} {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm()&0o222 != 0 {
			t.Fatalf("%s: %v %v", f, fi.Mode(), err)
		}
	}
	w := writeAttack(t, p, filepath.Join(root, "planted"), 0)
	if os.Geteuid() != 0 {
		if !strings.Contains(w.Error, "permission denied") {
			t.Fatalf("write to the code: %+v", w)
		}
	} else {
		t.Log("running as root, which file modes do not stop: the write to the code was", w)
	}
	if tmp == "/tmp" || !strings.HasPrefix(tmp, "/") {
		t.Fatalf("TMPDIR %q", tmp)
	}
	if w := writeAttack(t, p, filepath.Join(tmp, "scratch"), 1); w.Error != "" {
		t.Fatalf("write to TMPDIR: %+v", w)
	}
	p.Retire(true)
	eventually(t, "TMPDIR removed", func() bool { _, err := os.Stat(tmp); return os.IsNotExist(err) })
}

// testfnZipEnv hands testfn's zip to a copy of this test binary.
const testfnZipEnv = "GROUNDSTACK_TEST_TESTFN_ZIP"

// TestFilesSandboxAsNonRoot runs TestFilesSandbox as nobody when this
// machine runs tests as root (which file modes do not stop): there a write
// to the code must fail with EACCES, and the locked code must still be
// removed when the executor closes.
func TestFilesSandboxAsNonRoot(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("not root: TestFilesSandbox itself runs as a non-root user here")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv (Debian package util-linux) to run as nobody")
	}
	// Outside /tmp and its private go-build directories: nobody must reach it.
	dir, err := os.MkdirTemp("/var/tmp", "groundstack-nonroot-")
	if err != nil {
		t.Skip("no /var/tmp:", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin, zip, work := filepath.Join(dir, "runtime.test"), filepath.Join(dir, "testfn.zip"), filepath.Join(dir, "work")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zip, testfnZip, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(work, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
		bin, "-test.run=^TestFilesSandbox$", "-test.v", "-test.count=1")
	cmd.Dir = work
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + work, "TMPDIR=" + work, testfnZipEnv + "=" + zip}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestFilesSandbox") || strings.Contains(string(out), "running as root") {
		t.Fatalf("TestFilesSandbox as nobody: %v\n%s", err, out)
	}
	if left, _ := os.ReadDir(work); len(left) != 0 {
		t.Fatalf("the executor left %d entries in its TMPDIR (locked code not removed?)", len(left))
	}
}

// testOutOfMemory: a Go handler allocating past its MemorySize is killed
// and its invocation ends as AWS ends it, with Runtime.OutOfMemory; the
// next invocation gets a fresh instance.
func testOutOfMemory(t *testing.T, h *harness) {
	p := h.limitsPool("hungry", 128, 512, nil)
	if res := invoke(t, p, `{"mode":"alloc","mb":16}`, false); res.Outcome != runtime.Succeeded {
		t.Fatalf("16 MiB at 128 MB: %v %s", res.Outcome, res.Payload)
	}
	res := invoke(t, p, `{"mode":"alloc","mb":400}`, true)
	var doc struct{ ErrorType, ErrorMessage string }
	json.Unmarshal(res.Payload, &doc)
	if res.Outcome != runtime.Crashed || res.ErrorType != "Runtime.OutOfMemory" || doc.ErrorType != "Runtime.OutOfMemory" ||
		!strings.HasPrefix(doc.ErrorMessage, "RequestId: req-") || !strings.HasSuffix(doc.ErrorMessage, " Error: Runtime exited with error: signal: killed") {
		t.Fatalf("past MemorySize: %v %s", res.Outcome, res.Payload)
	}
	tail := string(res.LogTail)
	for _, want := range []string{"Error: Runtime exited with error: signal: killed\n", "\nRuntime.OutOfMemory\n",
		"Memory Size: 128 MB\tMax Memory Used: 128 MB\t", "Status: error\tError Type: Runtime.OutOfMemory"} {
		if !strings.Contains(tail, want) {
			t.Fatalf("log tail lacks %q:\n%s", want, tail)
		}
	}
	if res := invoke(t, p, `{"mode":"echo"}`, false); res.Outcome != runtime.Succeeded || !res.Cold {
		t.Fatalf("after the OOM: %v cold=%v %s", res.Outcome, res.Cold, res.Payload)
	}
	// What the handler starts counts too.
	if res := invoke(t, p, `{"mode":"spawnalloc","mb":400}`, false); res.ErrorType != "Runtime.OutOfMemory" {
		t.Fatalf("a child past MemorySize: %v %s", res.Outcome, res.Payload)
	}
}

// testHundredConcurrentInvocations: with no reserved concurrency the pool
// has no cap of its own (the account's concurrency bounds it): 100
// invocations held in flight at once run on 100 instances.
func testHundredConcurrentInvocations(t *testing.T, h *harness) {
	const n = 100
	p := h.limitsPool("wide", 128, 512, func() int { return -1 })
	var arrived atomic.Int64
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		<-hold
	}))
	defer srv.Close()
	defer srv.CloseClientConnections()
	var wg sync.WaitGroup
	results := make([]*runtime.Result, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := p.Invoke(context.Background(), &runtime.Request{RequestID: fmt.Sprintf("wide-%d", i),
				Payload: []byte(`{"mode":"wait","message":"` + srv.URL + `"}`)})
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = res
		}()
	}
	released := false
	defer func() {
		if !released {
			close(hold)
		}
	}()
	eventually(t, "100 invocations in flight at once", func() bool { return arrived.Load() == n })
	close(hold)
	released = true
	wg.Wait()
	pids := map[int]bool{}
	for _, res := range results {
		if res == nil || res.Outcome != runtime.Succeeded {
			t.Fatalf("an invocation failed: %+v", res)
		}
		pids[pidOf(t, res)] = true
	}
	if len(pids) != n {
		t.Fatalf("%d instances for %d concurrent invocations", len(pids), n)
	}
}

// eventually polls check for up to two minutes (a loaded machine starts
// processes slowly).
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !check(); {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package runtime_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// testfnZip is handlers/testfn built once per test binary.
var testfnZip []byte

func TestMain(m *testing.M) {
	// A copy of this binary run as another user (limits_test.go) is given
	// the zip: it may not be able to build.
	path := os.Getenv(testfnZipEnv)
	var err error
	if path == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		path, _, err = deploy.BuildHandler(ctx, "../../../../handlers/testfn")
		cancel()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "build testfn:", err)
		os.Exit(1)
	}
	if testfnZip, err = os.ReadFile(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// logSink is a LogWriter that keeps what it is given.
type logSink struct {
	mu     sync.Mutex
	events map[string][]cloud.LogEvent // group + " " + stream
}

func (l *logSink) WriteLogs(region, group, stream string, ev []cloud.LogEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events == nil {
		l.events = map[string][]cloud.LogEvent{}
	}
	l.events[group+" "+stream] = append(l.events[group+" "+stream], ev...)
}

func (l *logSink) all() map[string][]cloud.LogEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string][]cloud.LogEvent{}
	for k, v := range l.events {
		out[k] = append([]cloud.LogEvent(nil), v...)
	}
	return out
}

type harness struct {
	x    *runtime.Executor
	sum  string
	logs *logSink
}

func newHarness(t *testing.T, cfg runtime.Config) *harness {
	t.Helper()
	h := &harness{logs: &logSink{}}
	if cfg.Logs == nil {
		cfg.Logs = func() cloud.LogWriter { return h.logs }
	}
	h.x = runtime.New(cfg)
	t.Cleanup(func() { h.x.Close() })
	sum, err := h.x.StoreCode(testfnZip)
	if err != nil {
		t.Fatal(err)
	}
	h.sum = sum
	return h
}

func (h *harness) pool(name string, timeout time.Duration, env map[string]string) *runtime.Pool {
	return h.x.NewPool(&runtime.Function{
		Name: name, ARN: "arn:aws:lambda:us-east-1:000000000000:function:" + name, Version: "$LATEST",
		Region: "us-east-1", Runtime: "provided.al2023", Handler: "bootstrap", CodeSHA256: h.sum,
		Env: env, Timeout: timeout, MemoryMB: 128,
	})
}

var reqN atomic.Int64

func invoke(t *testing.T, p *runtime.Pool, payload string, tail bool) *runtime.Result {
	t.Helper()
	res, err := p.Invoke(context.Background(), &runtime.Request{
		RequestID: fmt.Sprintf("req-%d", reqN.Add(1)), Payload: []byte(payload),
		InvokedARN: p.Function().ARN, TraceID: "Root=1-00000000-000000000000000000000000;Sampled=0", Tail: tail,
	})
	if err != nil {
		t.Fatalf("invoke %s: %v", payload, err)
	}
	return res
}

func TestWarmInstanceIsReused(t *testing.T) {
	h := newHarness(t, runtime.Config{})
	p := h.pool("warm", 3*time.Second, nil)
	first := invoke(t, p, `{"mode":"ctx"}`, false)
	second := invoke(t, p, `{"mode":"ctx"}`, false)
	if first.Outcome != runtime.Succeeded || !first.Cold || first.InitDuration <= 0 {
		t.Fatalf("first: %+v %s", first, first.Payload)
	}
	t.Logf("cold start: init %v, invocation %v", first.InitDuration, first.Duration)
	if second.Cold || second.InitDuration != 0 {
		t.Fatalf("second was cold")
	}
	if pidOf(t, first) != pidOf(t, second) {
		t.Fatal("a second instance served a sequential invocation")
	}
	if n := len(h.x.PIDs()); n != 1 {
		t.Fatalf("%d instances", n)
	}
}

func pidOf(t *testing.T, r *runtime.Result) int {
	t.Helper()
	var v struct{ Pid int }
	if err := json.Unmarshal(r.Payload, &v); err != nil || v.Pid == 0 {
		t.Fatalf("no pid in %s", r.Payload)
	}
	return v.Pid
}

func TestInitFailures(t *testing.T) {
	// The crash case's limit is generous: its process exits on its own, and
	// on a loaded machine starting it can take longer than the hang case's
	// 0.3 s (it then failed as a timeout).
	cases := []struct {
		init        string
		initTimeout time.Duration
		errType     string
		msg         string
		tail        []string
	}{
		{"hang", 300 * time.Millisecond, "Runtime.Unknown", "Error: Runtime failed to start: the runtime did not ask for an invocation within 0.30 seconds",
			[]string{"INIT_REPORT Init Duration: ", "Phase: init\tStatus: timeout"}},
		{"crash", 30 * time.Second, "Runtime.ExitError", "Error: Runtime exited with error: exit status 3",
			[]string{"init: crashing on purpose", "Status: error\tError Type: Runtime.ExitError", "END RequestId: ", "REPORT RequestId: "}},
	}
	for _, tc := range cases {
		t.Run(tc.init, func(t *testing.T) {
			h := newHarness(t, runtime.Config{InitTimeout: tc.initTimeout})
			p := h.pool("init-"+tc.init, 3*time.Second, map[string]string{"TESTFN_INIT": tc.init})
			r := invoke(t, p, `{}`, true)
			var e struct{ ErrorMessage, ErrorType string }
			json.Unmarshal(r.Payload, &e)
			if r.Outcome != runtime.InitFailed || r.ErrorType != tc.errType || e.ErrorType != tc.errType || !strings.Contains(e.ErrorMessage, tc.msg) {
				t.Fatalf("outcome %v: %s", r.Outcome, r.Payload)
			}
			for _, w := range tc.tail {
				if !strings.Contains(string(r.LogTail), w) {
					t.Errorf("tail lacks %q:\n%s", w, r.LogTail)
				}
			}
			deadline := time.Now().Add(3 * time.Second)
			for len(h.x.PIDs()) > 0 {
				if time.Now().After(deadline) {
					t.Fatalf("failed instances still running: %v", h.x.PIDs())
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

func TestInitLogsPrecedeTheFirstInvocation(t *testing.T) {
	h := newHarness(t, runtime.Config{})
	p := h.pool("init-print", 3*time.Second, map[string]string{"TESTFN_INIT": "print"})
	r := invoke(t, p, `{}`, true)
	lines := strings.Split(string(r.LogTail), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "INIT_START ") || lines[1] != "init: hello from init" || !strings.HasPrefix(lines[2], "START RequestId: ") {
		t.Fatalf("tail:\n%s", r.LogTail)
	}
	var stream string
	for k := range h.logs.all() {
		stream = k
	}
	if !strings.HasPrefix(stream, "/aws/lambda/init-print ") {
		t.Fatalf("stream %q", stream)
	}
}

func TestLogsAreBounded(t *testing.T) {
	h := newHarness(t, runtime.Config{})
	p := h.pool("loud", 30*time.Second, nil)
	// 20 MB of log lines in one invocation.
	r := invoke(t, p, `{"mode":"big","logKB":20480}`, true)
	if r.Outcome != runtime.Succeeded {
		t.Fatalf("outcome %v %s", r.Outcome, r.Payload)
	}
	if len(r.LogTail) != runtime.TailBytes || !strings.Contains(string(r.LogTail), "REPORT RequestId: ") {
		t.Fatalf("tail of %d bytes", len(r.LogTail))
	}
	total, dropped := 0, false
	for _, evs := range h.logs.all() {
		for _, ev := range evs {
			total += len(ev.Message)
			if strings.Contains(ev.Message, "log lines of this invocation were dropped") {
				dropped = true
			}
		}
	}
	if total > 8<<20+64<<10 || total < 8<<20-64<<10 || !dropped {
		t.Fatalf("CloudWatch got %d bytes (dropped marker %v)", total, dropped)
	}
}

func TestPoolRespectsMaxConcurrency(t *testing.T) {
	h := newHarness(t, runtime.Config{})
	p := h.x.NewPool(&runtime.Function{Name: "capped", ARN: "arn:aws:lambda:us-east-1:000000000000:function:capped",
		Version: "$LATEST", Region: "us-east-1", Runtime: "provided.al2023", CodeSHA256: h.sum,
		Timeout: 5 * time.Second, MemoryMB: 128, MaxConcurrency: func() int { return 2 }})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var maxSeen atomic.Int64
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n := int64(len(h.x.PIDs())); n > maxSeen.Load() {
				maxSeen.Store(n)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			invoke(t, p, `{"mode":"sleep","ms":150}`, false)
		}()
	}
	wg.Wait()
	close(stop)
	if maxSeen.Load() > 2 {
		t.Fatalf("%d instances for a cap of 2", maxSeen.Load())
	}
}

func TestRetireLetsTheCurrentInvocationFinish(t *testing.T) {
	h := newHarness(t, runtime.Config{})
	p := h.pool("retire", 5*time.Second, nil)
	invoke(t, p, `{}`, false)
	done := make(chan *runtime.Result)
	go func() { done <- invoke(t, p, `{"mode":"sleep","ms":300}`, false) }()
	time.Sleep(100 * time.Millisecond)
	p.Retire(false)
	r := <-done
	if r.Outcome != runtime.Succeeded {
		t.Fatalf("retired mid-invocation: %s", r.Payload)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(h.x.PIDs()) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the retired instance kept running")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := p.Invoke(context.Background(), &runtime.Request{RequestID: "late", Payload: []byte(`{}`)}); err != runtime.ErrRetired {
		t.Fatalf("invoke on a retired pool: %v", err)
	}
}

func TestBadEntrypoints(t *testing.T) {
	h := newHarness(t, runtime.Config{})
	bootstrap := bootstrapBytes(t)
	cases := []struct {
		name    string
		rt      string
		handler string
		files   map[string]zipEntry
		errType string
		msg     string
	}{
		{"no bootstrap", "provided.al2023", "", map[string]zipEntry{"README": {"hi", 0o644}},
			"Runtime.InvalidEntrypoint", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"},
		{"not executable", "provided.al2", "", map[string]zipEntry{"bootstrap": {"#!/bin/sh\n", 0o644}},
			"Runtime.InvalidEntrypoint", "fork/exec /var/task/bootstrap: permission denied"},
		{"not a program", "provided", "", map[string]zipEntry{"bootstrap": {"just text", 0o755}},
			"Runtime.InvalidEntrypoint", "fork/exec /var/task/bootstrap: exec format error"},
		{"go1.x without its handler", "go1.x", "main", map[string]zipEntry{"bootstrap": {bootstrap, 0o755}},
			"Runtime.InvalidEntrypoint", "fork/exec /var/task/main: no such file or directory"},
		{"go1.x handler outside the task", "go1.x", "../../bin/sh", map[string]zipEntry{"main": {bootstrap, 0o755}},
			"Runtime.InvalidEntrypoint", "invalid handler"},
		{"go1.x", "go1.x", "main", map[string]zipEntry{"main": {bootstrap, 0o755}}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := h.x.StoreCode(makeZip(t, tc.files))
			if err != nil {
				t.Fatal(err)
			}
			p := h.x.NewPool(&runtime.Function{Name: "bad", ARN: "arn:aws:lambda:us-east-1:000000000000:function:bad",
				Version: "$LATEST", Region: "us-east-1", Runtime: tc.rt, Handler: tc.handler, CodeSHA256: sum,
				Timeout: 3 * time.Second, MemoryMB: 128})
			defer p.Retire(true)
			r := invoke(t, p, `{"mode":"echo"}`, false)
			if tc.errType == "" {
				if r.Outcome != runtime.Succeeded || string(r.Payload) != `{"mode":"echo"}` {
					t.Fatalf("%v %s", r.Outcome, r.Payload)
				}
				return
			}
			if r.Outcome != runtime.InitFailed || r.ErrorType != tc.errType || !strings.Contains(string(r.Payload), tc.msg) {
				t.Fatalf("%v %s", r.Outcome, r.Payload)
			}
		})
	}
}

type zipEntry struct {
	content string
	mode    os.FileMode
}

func makeZip(t *testing.T, files map[string]zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range files {
		// stored, not deflated: deflating testfn's 10 MB under -race cost
		// 40 s a case (every other test unzips deflated code)
		hdr := &zip.FileHeader{Name: name, Method: zip.Store}
		hdr.SetMode(f.mode)
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bootstrapBytes is testfn's executable.
func bootstrapBytes(t *testing.T) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(testfnZip), int64(len(testfnZip)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	b.ReadFrom(rc)
	return b.String()
}

func TestCloseReapsEverything(t *testing.T) {
	h := newHarness(t, runtime.Config{})
	var pids []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		p := h.pool(fmt.Sprintf("close-%d", i), 10*time.Second, nil)
		for j := 0; j < 2; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := invoke(t, p, `{"mode":"ctx"}`, false)
				mu.Lock()
				pids = append(pids, pidOf(t, r))
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	// One invocation still running when Close comes.
	busy := h.pool("close-busy", 10*time.Second, nil)
	go busy.Invoke(context.Background(), &runtime.Request{RequestID: "busy", Payload: []byte(`{"mode":"sleep","ms":10000}`)})
	time.Sleep(200 * time.Millisecond)
	all := h.x.PIDs()
	if len(all) < 4 {
		t.Fatalf("only %d instances", len(all))
	}
	if err := h.x.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range append(pids, all...) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(b), ") Z ") {
			t.Errorf("process %d survived Close", pid)
		}
	}
	if n := len(h.x.PIDs()); n != 0 {
		t.Fatalf("executor still tracks %d instances", n)
	}
}

// The attack: the code cache used to live at a predictable shared path and
// trust what it found there, so another local user could plant
// code/<sha>/bootstrap and have it run as the emulator's user.
func TestPlantedCodeAtTheOldSharedPathNeverRuns(t *testing.T) {
	shared := filepath.Join(os.TempDir(), "groundstack-lambda-"+strconv.Itoa(os.Getuid()))
	sum := sha256.Sum256(testfnZip)
	planted := filepath.Join(shared, "code", hex.EncodeToString(sum[:]))
	marker := filepath.Join(t.TempDir(), "planted-ran")
	// Whatever an old build left there goes aside for the test and back after.
	aside := planted + ".aside-" + strconv.Itoa(os.Getpid())
	if err := os.Rename(planted, aside); err == nil {
		t.Cleanup(func() { os.Rename(aside, planted) })
	}
	if err := os.MkdirAll(planted, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(planted) })
	script := "#!/bin/sh\ntouch " + marker + "\nexit 1\n"
	if err := os.WriteFile(filepath.Join(planted, "bootstrap"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, runtime.Config{})
	res := invoke(t, h.pool("planted", 5*time.Second, nil), `{"mode":"ctx"}`, false)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the planted bootstrap ran")
	}
	if res.Outcome != runtime.Succeeded {
		t.Fatalf("the uploaded code did not run: %v %s", res.Outcome, res.Payload)
	}
}

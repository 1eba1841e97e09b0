package runtime_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// testfnZip is handlers/testfn built once per test binary.
var testfnZip []byte

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	path, _, err := deploy.BuildHandler(ctx, "../../../../handlers/testfn")
	cancel()
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
	if cfg.CacheDir == "" {
		cfg.CacheDir = t.TempDir()
	}
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

var reqN int

func invoke(t *testing.T, p *runtime.Pool, payload string, tail bool) *runtime.Result {
	t.Helper()
	reqN++
	res, err := p.Invoke(context.Background(), &runtime.Request{
		RequestID: fmt.Sprintf("req-%d", reqN), Payload: []byte(payload),
		InvokedARN: p.Function().ARN, TraceID: "Root=1-00000000-000000000000000000000000;Sampled=0", Tail: tail,
	})
	if err != nil {
		t.Fatalf("invoke %s: %v", payload, err)
	}
	return res
}

func TestSmoke(t *testing.T) {
	h := newHarness(t, runtime.Config{})
	p := h.pool("smoke", 3*time.Second, nil)
	r := invoke(t, p, `{"mode":"echo","x":1}`, true)
	t.Logf("outcome=%v cold=%v init=%v dur=%v payload=%s tail=\n%s", r.Outcome, r.Cold, r.InitDuration, r.Duration, r.Payload, r.LogTail)
	r2 := invoke(t, p, `{"mode":"ctx"}`, true)
	t.Logf("outcome=%v cold=%v dur=%v payload=%s tail=\n%s", r2.Outcome, r2.Cold, r2.Duration, r2.Payload, r2.LogTail)
	_ = json.Valid
	_ = strings.Contains
	_ = bytes.Contains
	_ = zip.NewWriter
	_ = filepath.Join
}

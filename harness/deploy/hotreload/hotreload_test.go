package hotreload_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/deploy/hotreload"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/emutest/answerfn"
)

var ctx = context.Background()

// fake is a Watcher whose build and update only record what they were asked.
type fake struct {
	mu      sync.Mutex // updates run in parallel
	builds  int
	updates []string
	fail    error // the next builds' error
	reloads []hotreload.Reload
	log     bytes.Buffer
}

func (f *fake) watcher(src string, functions ...string) *hotreload.Watcher {
	w := &hotreload.Watcher{
		Quiet:   150 * time.Millisecond,
		Sources: func(context.Context, string) ([]string, error) { return []string{src}, nil },
		Build: func(context.Context, string) (string, string, error) {
			f.builds++
			return "code.zip", "sha", f.fail
		},
		Update: func(_ context.Context, fn, _ string) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.updates = append(f.updates, fn)
			return nil
		},
		OnReload: func(r hotreload.Reload) { f.reloads = append(f.reloads, r) },
	}
	w.Log = &f.log
	w.Add(hotreload.Handler{PkgDir: filepath.Dir(src), Functions: functions})
	if err := w.Start(ctx); err != nil {
		panic(err)
	}
	return w
}

// touch changes path's content and stamp (the stamp set explicitly: a
// coarse file-system clock must not hide the change).
func touch(t *testing.T, path, data string, at time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

func TestPollDebouncesABurstOfSaves(t *testing.T) {
	src := filepath.Join(t.TempDir(), "main.go")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	touch(t, src, "package main", t0)
	var f fake
	w := f.watcher(src, "api", "worker")
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

	w.Poll(ctx, ms(200))
	if f.builds != 0 {
		t.Fatalf("nothing changed, yet %d builds", f.builds)
	}
	touch(t, src, "package main // 1", ms(1000))
	w.Poll(ctx, ms(400)) // sees the change
	touch(t, src, "package main // 12", ms(2000))
	w.Poll(ctx, ms(600)) // another save of the burst
	w.Poll(ctx, ms(700)) // quiet for 100 ms only
	if f.builds != 0 {
		t.Fatalf("built %d times during the burst", f.builds)
	}
	w.Poll(ctx, ms(800)) // quiet for 200 ms: one build for the burst
	w.Poll(ctx, ms(1000))
	w.Poll(ctx, ms(1200))
	if f.builds != 1 {
		t.Fatalf("builds = %d, want 1 for the burst", f.builds)
	}
	slices.Sort(f.updates)
	if want := []string{"api", "worker"}; !slices.Equal(f.updates, want) {
		t.Fatalf("updated %v, want %v", f.updates, want)
	}
	if len(f.reloads) != 1 || f.reloads[0].Err != nil || !slices.Equal(f.reloads[0].Functions, []string{"api", "worker"}) {
		t.Fatalf("reloads = %+v", f.reloads)
	}
	// A later save is a new change.
	touch(t, src, "package main // 123", ms(3000))
	w.Poll(ctx, ms(1400))
	w.Poll(ctx, ms(1600))
	if f.builds != 2 {
		t.Fatalf("builds = %d after a second save, want 2", f.builds)
	}
}

func TestPollSeesARemovedFile(t *testing.T) {
	src := filepath.Join(t.TempDir(), "extra.go")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	touch(t, src, "package main", t0)
	var f fake
	w := f.watcher(src, "api")
	if err := os.Remove(src); err != nil {
		t.Fatal(err)
	}
	w.Poll(ctx, t0.Add(time.Second))
	w.Poll(ctx, t0.Add(2*time.Second))
	if f.builds != 1 {
		t.Fatalf("builds = %d after a file was removed, want 1", f.builds)
	}
}

func TestBuildFailureKeepsTheOldCode(t *testing.T) {
	src := filepath.Join(t.TempDir(), "main.go")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	touch(t, src, "package main", t0)
	var f fake
	w := f.watcher(src, "api")
	f.fail = errors.New("go build: ./main.go:3:1: syntax error: non-declaration statement outside function body")
	touch(t, src, "package main\n\noops", t0.Add(time.Second))
	w.Poll(ctx, t0.Add(time.Second))
	w.Poll(ctx, t0.Add(2*time.Second))
	if f.builds != 1 || len(f.updates) != 0 {
		t.Fatalf("builds %d, updates %v: a failed build must update nothing", f.builds, f.updates)
	}
	if len(f.reloads) != 1 || f.reloads[0].Err == nil || len(f.reloads[0].Functions) != 0 {
		t.Fatalf("reloads = %+v, want one failed", f.reloads)
	}
	if !strings.Contains(f.log.String(), "syntax error: non-declaration statement") || !strings.Contains(f.log.String(), "keep their code") {
		t.Fatalf("the log does not show the compiler's error:\n%s", f.log.String())
	}
	// Nothing changed since: no retry.
	w.Poll(ctx, t0.Add(3*time.Second))
	if f.builds != 1 {
		t.Fatalf("builds = %d with no new save, want 1", f.builds)
	}
	// The save that mends it is built and deployed.
	f.fail = nil
	touch(t, src, "package main\n\nfunc main() {}", t0.Add(2*time.Second))
	w.Poll(ctx, t0.Add(4*time.Second))
	w.Poll(ctx, t0.Add(5*time.Second))
	if f.builds != 2 || !slices.Equal(f.updates, []string{"api"}) {
		t.Fatalf("builds %d, updates %v after the fix", f.builds, f.updates)
	}
}

func TestGoSourcesListsLocalImportsAndTheModule(t *testing.T) {
	dir := answerfn.Module(t, "v1")
	files, err := hotreload.GoSources(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{filepath.Join(dir, "main.go"), answerfn.AnswerFile(dir), filepath.Join(dir, "go.mod"), filepath.Join(dir, "answer")} {
		if !slices.Contains(files, want) {
			t.Errorf("GoSources lacks %s: %v", want, files)
		}
	}
}

// TestReloadEndToEnd deploys a Go handler on an emulator, runs the watcher,
// edits a file the handler imports, and invokes once the update is in.
func TestReloadEndToEnd(t *testing.T) {
	_, cfg := emutest.Start(t)
	dir := answerfn.Module(t, "v1")
	build, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	zip, sha, err := deploy.BuildHandler(build, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := deploy.EnsureFunction(ctx, cfg, deploy.FunctionSpec{Name: "hot", ZipPath: zip, CodeSha256: sha}); err != nil {
		t.Fatal(err)
	}
	if got := deploy.DeployedHandlers()[dir]; !slices.Equal(got, []string{"hot"}) {
		t.Fatalf("DeployedHandlers()[%s] = %v, want the function deployed from it", dir, got)
	}
	c := lambda.NewFromConfig(cfg)
	if got := invoke(t, c, "hot"); got != `"v1"` {
		t.Fatalf("before the edit: %s", got)
	}

	w := hotreload.New(cfg, hotreload.Handler{PkgDir: dir, Functions: []string{"hot"}})
	var log bytes.Buffer
	w.Log = &log
	// Time the build and the update apart, for the log.
	var buildTook, updateTook time.Duration
	w.Build = func(ctx context.Context, dir string) (string, string, error) {
		start := time.Now()
		defer func() { buildTook = time.Since(start) }()
		return deploy.BuildHandler(ctx, dir)
	}
	update := hotreload.SDKUpdate(cfg)
	w.Update = func(ctx context.Context, fn, zip string) error {
		start := time.Now()
		defer func() { updateTook = time.Since(start) }()
		return update(ctx, fn, zip)
	}
	reloads := make(chan hotreload.Reload, 4)
	w.OnReload = func(r hotreload.Reload) { reloads <- r }
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	if err := w.Start(run); err != nil {
		t.Fatal(err)
	}
	go func() { done <- w.Run(run) }()
	defer func() { stop(); <-done }()

	answerfn.SetAnswer(t, dir, "v2")
	select {
	case r := <-reloads:
		if r.Err != nil {
			t.Fatalf("reload failed: %v\n%s", r.Err, log.String())
		}
		t.Logf("reloaded %v in %s from the poll that saw the save to the update's end: build %s, update %s", r.Functions, r.Took, buildTook, updateTook)
	case <-time.After(3 * time.Minute):
		t.Fatalf("no reload within 3 minutes\n%s", log.String())
	}
	if got := invoke(t, c, "hot"); got != `"v2"` {
		t.Fatalf("after the reload: %s, want \"v2\"", got)
	}
}

func invoke(t *testing.T, c *lambda.Client, name string) string {
	t.Helper()
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), LogType: ltypes.LogTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("invoke %s: %s %s", name, *out.FunctionError, out.Payload)
	}
	return string(out.Payload)
}

// One function whose update fails (deleted meanwhile, say) does not keep
// the package's other functions from their new code.
func TestAFailedUpdateLeavesTheOthersUpdated(t *testing.T) {
	src := filepath.Join(t.TempDir(), "main.go")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	touch(t, src, "package main", t0)
	var f fake
	w := f.watcher(src, "a", "gone", "b")
	w.Update = func(_ context.Context, fn, _ string) error {
		if fn == "gone" {
			return errors.New("update code of gone: ResourceNotFoundException")
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.updates = append(f.updates, fn)
		return nil
	}
	touch(t, src, "package main // 1", t0.Add(time.Second))
	w.Poll(ctx, t0.Add(time.Second))
	w.Poll(ctx, t0.Add(2*time.Second))
	if len(f.reloads) != 1 || f.reloads[0].Err == nil || !slices.Equal(f.reloads[0].Functions, []string{"a", "b"}) {
		t.Fatalf("reloads = %+v, want a and b updated and gone's error", f.reloads)
	}
	if !strings.Contains(f.log.String(), "ResourceNotFoundException") {
		t.Errorf("the log does not name the failed update:\n%s", f.log.String())
	}
}

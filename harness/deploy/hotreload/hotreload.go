// Package hotreload rebuilds Go Lambda handlers when their sources change
// and puts the new code in place with UpdateFunctionCode (`groundstack up
// --watch`). It polls file stamps, needs no file-notification library, and
// must not import the emulator: it drives a cloud from outside, as a user's
// tool would.
package hotreload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/groundstack/groundstack/harness/deploy"
)

// Defaults of a Watcher.
const (
	DefaultInterval = 200 * time.Millisecond
	// DefaultQuiet is how long the files must stay unchanged before a
	// rebuild: an editor's save (write, rename, chmod) lands as one change.
	DefaultQuiet = 150 * time.Millisecond
)

// Handler is a Go handler package and the functions deployed from it.
type Handler struct {
	PkgDir    string
	Functions []string
}

// Reload is the outcome of one rebuild.
type Reload struct {
	PkgDir    string
	Functions []string // the functions updated (none when Err is a build error)
	// Took runs from the poll that saw the change to the last update's answer.
	Took time.Duration
	Err  error
}

// Watcher watches handler packages and reloads their functions. Set the
// hooks before Run; nil ones get the defaults.
type Watcher struct {
	Interval, Quiet time.Duration
	// Build builds a package into a zip (default deploy.BuildHandler).
	Build func(ctx context.Context, pkgDir string) (zipPath, sha string, err error)
	// Update puts a zip in place as function's code.
	Update func(ctx context.Context, function, zipPath string) error
	// Sources lists the files a package's build reads (default: its Go
	// files and those of the packages of its module it imports, go.mod,
	// go.sum, and their directories, so an added file counts).
	Sources func(ctx context.Context, pkgDir string) ([]string, error)
	// Log hears of every reload and every build failure (the compiler's
	// output); nil discards.
	Log io.Writer
	// OnReload, when set, is called after each rebuild.
	OnReload func(Reload)

	pkgs    []*watched
	started bool
}

type watched struct {
	Handler
	stamps map[string]stamp
	dirty  bool
	seen   time.Time // when the pending change was first seen
	last   time.Time // when a file last changed
}

// stamp is what a poll compares: a missing file has the zero stamp.
type stamp struct {
	mtime time.Time
	size  int64
}

// New watches handlers, updating functions through the Lambda API of cfg.
func New(cfg aws.Config, handlers ...Handler) *Watcher {
	w := &Watcher{Update: SDKUpdate(cfg)}
	for _, h := range handlers {
		w.Add(h)
	}
	return w
}

// Add watches one more handler package; call it before Start.
func (w *Watcher) Add(h Handler) { w.pkgs = append(w.pkgs, &watched{Handler: h}) }

// SDKUpdate updates a function's code with UpdateFunctionCode and waits
// until the update has finished.
func SDKUpdate(cfg aws.Config) func(ctx context.Context, function, zipPath string) error {
	c := lambda.NewFromConfig(cfg)
	return func(ctx context.Context, function, zipPath string) error {
		zip, err := os.ReadFile(zipPath)
		if err != nil {
			return err
		}
		if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: &function, ZipFile: zip}); err != nil {
			return fmt.Errorf("update code of %s: %w", function, err)
		}
		wt := lambda.NewFunctionUpdatedV2Waiter(c, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
			o.MinDelay, o.MaxDelay = 50*time.Millisecond, time.Second
		})
		if err := wt.Wait(ctx, &lambda.GetFunctionInput{FunctionName: &function}, time.Minute); err != nil {
			return fmt.Errorf("wait for %s to finish updating: %w", function, err)
		}
		return nil
	}
}

func (w *Watcher) defaults() {
	if w.Interval <= 0 {
		w.Interval = DefaultInterval
	}
	if w.Quiet <= 0 {
		w.Quiet = DefaultQuiet
	}
	if w.Build == nil {
		w.Build = deploy.BuildHandler
	}
	if w.Sources == nil {
		w.Sources = GoSources
	}
	if w.Log == nil {
		w.Log = io.Discard
	}
}

// Run watches until ctx ends, calling Start first unless it was. It
// returns an error only when a package's sources cannot be listed at the
// start.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.started {
		if err := w.Start(ctx); err != nil {
			return err
		}
	}
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			w.Poll(ctx, now)
		}
	}
}

// Start takes the first stamps of every package's sources: changes made
// after it returns are seen.
func (w *Watcher) Start(ctx context.Context) error {
	w.defaults()
	w.started = true
	for _, p := range w.pkgs {
		if err := w.restamp(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// restamp lists p's sources afresh (its imports may have changed) and
// stamps them.
func (w *Watcher) restamp(ctx context.Context, p *watched) error {
	files, err := w.Sources(ctx, p.PkgDir)
	if err != nil {
		return err
	}
	p.stamps = make(map[string]stamp, len(files))
	for _, f := range files {
		p.stamps[f] = stampOf(f)
	}
	return nil
}

func stampOf(path string) stamp {
	st, err := os.Stat(path)
	if err != nil {
		return stamp{}
	}
	return stamp{mtime: st.ModTime(), size: st.Size()}
}

// Poll compares the stamps with the last poll's, and rebuilds the packages
// whose files changed and have then been quiet for w.Quiet. now is the
// poll's time (a parameter so that tests need no clock).
func (w *Watcher) Poll(ctx context.Context, now time.Time) {
	for _, p := range w.pkgs {
		changed := false
		for f, old := range p.stamps {
			if s := stampOf(f); s != old {
				p.stamps[f] = s
				changed = true
			}
		}
		if changed {
			if !p.dirty {
				p.dirty, p.seen = true, now
			}
			p.last = now
			continue
		}
		if p.dirty && now.Sub(p.last) >= w.Quiet {
			p.dirty = false
			w.reload(ctx, p)
		}
	}
}

func (w *Watcher) reload(ctx context.Context, p *watched) {
	r := Reload{PkgDir: p.PkgDir}
	zipPath, _, err := w.Build(ctx, p.PkgDir)
	if err != nil {
		// The functions keep their code; the next save tries again.
		r.Err = err
		fmt.Fprintf(w.Log, "hot reload: %s did not build, the functions keep their code:\n%s\n", p.PkgDir, strings.TrimSpace(err.Error()))
	} else {
		errs := w.updateAll(ctx, p.Functions, zipPath)
		for i, fn := range p.Functions {
			if errs[i] != nil {
				r.Err = errs[i]
				fmt.Fprintf(w.Log, "hot reload: %v\n", errs[i])
				continue
			}
			r.Functions = append(r.Functions, fn)
		}
	}
	r.Took = time.Since(p.seen)
	// Its imports may have changed: list its sources afresh.
	if err := w.restamp(ctx, p); err != nil {
		fmt.Fprintf(w.Log, "hot reload: %s: %v\n", p.PkgDir, err)
	}
	if r.Err == nil {
		fmt.Fprintf(w.Log, "hot reload: %s updated in %s\n", strings.Join(r.Functions, ", "), r.Took.Round(time.Millisecond))
	}
	if w.OnReload != nil {
		w.OnReload(r)
	}
}

// maxParallelUpdates bounds the updates of one package's functions in
// flight: a flow's handler package often serves several functions.
const maxParallelUpdates = 4

// updateAll updates functions to zipPath, a few at a time; errs[i] is
// functions[i]'s outcome.
func (w *Watcher) updateAll(ctx context.Context, functions []string, zipPath string) []error {
	errs := make([]error, len(functions))
	sem := make(chan struct{}, maxParallelUpdates)
	var wg sync.WaitGroup
	for i, fn := range functions {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = w.Update(ctx, fn, zipPath)
		})
	}
	wg.Wait()
	return errs
}

// GoSources lists the files the build of the main package in pkgDir reads
// from its module: the Go and embedded files of every package of the main
// module it depends on (for linux, with the handlers' build tags), those
// packages' directories (a file added or removed changes them), go.mod
// and go.sum. A package that does not compile still lists: a save that
// breaks it is seen, and so is the one that mends it.
func GoSources(ctx context.Context, pkgDir string) ([]string, error) {
	dir, err := filepath.Abs(pkgDir)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-e", "-tags", "lambda.norpc", "-deps",
		"-f", `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{"\t"}}{{.Module.Dir}}{{"\t"}}{{join .GoFiles ","}},{{join .EmbedFiles ","}},{{join .IgnoredGoFiles ","}}{{end}}{{end}}`, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", dir, err, stderr.String())
	}
	var files []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.Split(line, "\t")
		if len(parts) != 3 {
			continue
		}
		files = append(files, parts[0], filepath.Join(parts[1], "go.mod"), filepath.Join(parts[1], "go.sum"))
		for _, f := range strings.Split(parts[2], ",") {
			if f != "" {
				files = append(files, filepath.Join(parts[0], f))
			}
		}
	}
	if len(files) == 0 {
		files = append(files, dir) // not a package yet: its directory, at least
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

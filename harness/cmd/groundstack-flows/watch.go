package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/deploy/hotreload"
)

// envReadyFD names the file descriptor on which `deploy --watch` writes
// "ready" once the flows are deployed and watched: groundstack up goes on
// then, while this process keeps watching.
const envReadyFD = "GROUNDSTACK_READY_FD"

// watchHandlers watches the Go handler packages this process deployed and
// reloads their functions until ctx ends.
func watchHandlers(ctx context.Context, endpoint string, stdout, stderr io.Writer) error {
	handlers := deploy.DeployedHandlers()
	w := hotreload.New(cloudConfig(endpoint))
	w.Log = stdout
	var dirs []string
	for dir := range handlers {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	root, _ := deploy.SourceRoot()
	for _, dir := range dirs {
		w.Add(hotreload.Handler{PkgDir: dir, Functions: handlers[dir]})
		shown := dir
		if rel, err := filepath.Rel(root, dir); err == nil && root != "" && !strings.HasPrefix(rel, "..") {
			shown = rel
		}
		fmt.Fprintf(stdout, "  watching:  %s → %s\n", shown, strings.Join(handlers[dir], ", "))
	}
	if len(dirs) == 0 {
		fmt.Fprintln(stdout, "  watching:  nothing (these flows deployed no Go handler)")
	}
	if err := w.Start(ctx); err != nil {
		return err
	}
	signalReady(stderr)
	return w.Run(ctx)
}

// signalReady tells groundstack up that the deploy is done, when it asked.
func signalReady(stderr io.Writer) {
	v := os.Getenv(envReadyFD)
	if v == "" {
		return
	}
	os.Unsetenv(envReadyFD)
	n, err := strconv.Atoi(v)
	if err != nil || n < 3 {
		fmt.Fprintf(stderr, "groundstack: %s=%q: not a file descriptor\n", envReadyFD, v)
		return
	}
	f := os.NewFile(uintptr(n), "ready")
	fmt.Fprintln(f, "ready")
	f.Close()
}

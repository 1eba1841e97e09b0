// Package clitest builds the groundstack and groundstack-flows binaries once
// per test binary, side by side, for tests that run the CLI as a user does.
// Only the commands' tests import it.
package clitest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Binaries are the two CLI binaries of one test run.
type Binaries struct {
	once sync.Once
	dir  string
	err  error
}

// Dir builds both binaries on first use (from a test in either command's
// directory) and returns the directory that holds them.
func (b *Binaries) Dir(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "groundstack-cli-"); b.err != nil {
			return
		}
		// make build's flags: the binaries users run, and the build cache's
		// packages make build, the handlers and the e2e suites share
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w",
			"-o", b.dir+string(filepath.Separator), "../groundstack", "../groundstack-flows")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.dir
}

// Remove deletes what Dir built (call it from TestMain).
func (b *Binaries) Remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

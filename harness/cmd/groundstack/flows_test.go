package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeFlows writes a groundstack-flows that knows the flows alpha and beta
// and answers deploy with deployScript (sh, "$@" after the endpoint).
func fakeFlows(t *testing.T, deployScript string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), flowsName)
	script := `#!/bin/sh
case "$1" in
list) echo alpha; echo beta ;;
deploy) shift; [ "$1" = --endpoint ] || exit 9; endpoint=$2; shift 2; ` + deployScript + ` ;;
*) exit 9 ;;
esac
`
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// upWithFlows runs `groundstack up --flows spec` with flows as
// groundstack-flows until "Ctrl-C to stop." (or its end), then stops it;
// it returns the output and the exit error.
func upWithFlows(t *testing.T, flows, spec string, flags ...string) (string, error) {
	cmd := exec.Command(buildCLI(t), append([]string{"up", "--port", "0", "--flows", spec}, flags...)...)
	cmd.Env = append(os.Environ(), envFlowsBinary+"="+flows)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var lines []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "Ctrl-C") {
			cmd.Process.Signal(syscall.SIGINT)
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return strings.Join(lines, "\n"), err
	case <-time.After(10 * time.Second):
		t.Fatalf("groundstack up did not end:\n%s", strings.Join(lines, "\n"))
		return "", nil
	}
}

// groundstack up asks groundstack-flows which flows exist and has it
// deploy the chosen ones on the running edge, its output passed through.
func TestUpDeploysFlowsThroughGroundstackFlows(t *testing.T) {
	flows := fakeFlows(t, `echo "deployed $* on $endpoint"`)
	out, err := upWithFlows(t, flows, "all")
	if err != nil {
		t.Fatalf("exit %v:\n%s", err, out)
	}
	if !strings.Contains(out, "deployed alpha beta on http://127.0.0.1:") || strings.Index(out, "deployed") > strings.Index(out, "Ctrl-C") {
		t.Errorf("want both flows deployed on the edge before Ctrl-C:\n%s", out)
	}
	out, err = upWithFlows(t, flows, "beta")
	if err != nil || !strings.Contains(out, "deployed beta on ") {
		t.Errorf("--flows beta: %v\n%s", err, out)
	}
	out, err = upWithFlows(t, flows, "beta", "--no-demo-data")
	if err != nil || !strings.Contains(out, "deployed --no-demo-data beta on ") {
		t.Errorf("--no-demo-data: %v\n%s", err, out)
	}
}

// With --watch, up goes on once groundstack-flows says the flows are
// deployed, and stops it when it stops itself; a deploy that fails before
// then still ends up with status 1.
func TestUpWatchKeepsTheWatcherUntilStopped(t *testing.T) {
	flows := fakeFlows(t, `echo "deployed $*"; trap 'echo "watcher stopped"; exit 0' INT TERM
eval "echo ready >&$`+envReadyFD+`"; while :; do sleep 0.1; done`)
	out, err := upWithFlows(t, flows, "alpha", "--watch")
	if err != nil {
		t.Fatalf("exit %v:\n%s", err, out)
	}
	if !strings.Contains(out, "deployed --watch alpha") || strings.Index(out, "deployed") > strings.Index(out, "Ctrl-C") {
		t.Errorf("want the flow deployed with --watch before Ctrl-C:\n%s", out)
	}
	if !strings.Contains(out, "watcher stopped") {
		t.Errorf("up did not stop the watcher on its way out:\n%s", out)
	}
	flows = fakeFlows(t, `echo "groundstack: deploy: boom" >&2; exit 1`)
	out, err = upWithFlows(t, flows, "alpha", "--watch")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || strings.Contains(out, "Ctrl-C") {
		t.Fatalf("exit %v, want status 1 before ready:\n%s", err, out)
	}
}

// up says how long each phase took, the flows' deploy included: not
// "ready in 0s" when the deploy took a second.
func TestUpPrintsTheTimeOfEachPhase(t *testing.T) {
	flows := fakeFlows(t, `sleep 1; echo "deployed $*"`)
	out, err := upWithFlows(t, flows, "alpha")
	if err != nil {
		t.Fatalf("exit %v:\n%s", err, out)
	}
	var ready string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "ready in ") {
			ready = l
		}
	}
	// "ready in 1.2s (groundstack-flows 3ms, edge 1ms, flows 1.1s)"
	_, phases, ok := strings.Cut(ready, "(")
	if !ok || !strings.Contains(out, "edge ready in ") {
		t.Fatalf("no phase times:\n%s", out)
	}
	total, err1 := time.ParseDuration(strings.Fields(strings.TrimPrefix(ready, "ready in "))[0])
	var deploy time.Duration
	for _, p := range strings.Split(strings.TrimSuffix(phases, ")"), ", ") {
		if d, ok := strings.CutPrefix(p, "flows "); ok {
			deploy, _ = time.ParseDuration(d)
		}
	}
	// the deploy slept a second: both figures include it
	if err1 != nil || deploy < time.Second || total < deploy {
		t.Errorf("ready line %q: total %v, deploy %v", ready, total, deploy)
	}
}

// A failed deploy ends groundstack up with status 1 and
// groundstack-flows' own words, printed once.
func TestUpReportsAFailedDeployOnce(t *testing.T) {
	flows := fakeFlows(t, `echo "groundstack: deploy $1: boom" >&2; exit 1`)
	out, err := upWithFlows(t, flows, "alpha")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1:\n%s", err, out)
	}
	if strings.Count(out, "boom") != 1 || strings.Contains(out, "reported") || strings.Contains(out, "Ctrl-C") {
		t.Errorf("output:\n%s", out)
	}
}

// Away from a checkout, groundstack runs the groundstack-flows beside it;
// `groundstack load` becomes that process, exit status included.
func TestLoadRunsTheGroundstackFlowsBesideIt(t *testing.T) {
	bin := buildCLI(t)
	cmd := exec.Command(bin, "load", "merge")
	cmd.Dir = t.TempDir() // no checkout above
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envFlowsBinary+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "name the shards' summary.json files") {
		t.Fatalf("groundstack load merge: %v\n%s", err, out)
	}
}

func TestCheckoutRootIsTheModule(t *testing.T) {
	root := checkoutRoot()
	if _, err := os.Stat(filepath.Join(root, "harness", "cmd", flowsName, "main.go")); err != nil {
		t.Fatalf("checkoutRoot() = %q: %v", root, err)
	}
}

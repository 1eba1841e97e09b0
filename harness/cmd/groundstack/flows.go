package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// The flows (`up --flows`) and `groundstack load` drive a cloud from
// outside through the AWS SDK. They live in a second binary,
// groundstack-flows (harness/cmd/groundstack-flows), which groundstack runs
// for them: linked here, the SDK's clients, the load generator's charts and
// its Docker client would cost `groundstack up` about 16 MiB of RSS and
// half its start-up in package initialisers alone, whether or not a flow
// is asked for (BenchmarkFootprint).
const (
	flowsName = "groundstack-flows"
	// envFlowsBinary names a groundstack-flows binary to use.
	envFlowsBinary = "GROUNDSTACK_FLOWS_BINARY"
	modulePath     = "github.com/groundstack/groundstack"
)

// flowsBuildArgs are `make build`'s, so that a binary make built is up to
// date for go build and nothing is linked twice.
var flowsBuildArgs = []string{"build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w"}

// flowsBinary finds groundstack-flows: the file GROUNDSTACK_FLOWS_BINARY
// names; in a checkout, bin/groundstack-flows brought up to date by go build
// (a no-op when make build made it); next to this executable; on the PATH.
func flowsBinary(ctx context.Context, stderr io.Writer) (string, error) {
	if p := os.Getenv(envFlowsBinary); p != "" {
		return p, nil
	}
	if root := checkoutRoot(); root != "" {
		if _, err := exec.LookPath("go"); err == nil {
			return buildFlows(ctx, root, stderr)
		}
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), flowsName)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(flowsName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("the flows and `groundstack load` need %s: build both with `make build` (or go build -o bin/ ./harness/cmd/...), run from the checkout, or set %s", flowsName, envFlowsBinary)
}

// buildFlows brings root/bin/groundstack-flows up to date.
func buildFlows(ctx context.Context, root string, stderr io.Writer) (string, error) {
	bin := filepath.Join(root, "bin", flowsName)
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(stderr, "groundstack: building %s from the checkout (once)…\n", filepath.Join("bin", flowsName))
	}
	cmd := exec.CommandContext(ctx, "go", append(flowsBuildArgs, "-o", bin, "./harness/cmd/"+flowsName)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", flowsName, err, out)
	}
	return bin, nil
}

// checkoutRoot is the groundstack module above the working directory or
// this executable, or "".
func checkoutRoot() string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if self, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(self))
	}
	for _, d := range starts {
		for {
			if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
				if bytes.HasPrefix(b, []byte("module "+modulePath+"\n")) || bytes.Contains(b, []byte("\nmodule "+modulePath+"\n")) {
					return d
				}
				break // another module: not ours, nor is anything above it
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return ""
}

// execFlows replaces this process with `groundstack-flows cmd args…`: the
// same process for the shell, signals and exit status, as when the command
// was linked in.
func execFlows(cmd string, args []string) error {
	bin, err := flowsBinary(context.Background(), os.Stderr)
	if err != nil {
		return err
	}
	return syscall.Exec(bin, append([]string{bin, cmd}, args...), os.Environ())
}

// listFlows asks groundstack-flows which flows it deploys.
func listFlows(ctx context.Context, bin string) ([]string, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "list")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s list: %v %s", flowsName, err, strings.TrimSpace(stderr.String()))
	}
	return strings.Fields(string(out)), nil
}

// knownFlowNames lists the flows of a groundstack-flows already at hand
// (GROUNDSTACK_FLOWS_BINARY, the checkout's bin/, next to this executable,
// the PATH), building none: nil when there is none, or it fails.
func knownFlowNames() []string {
	var candidates []string
	if p := os.Getenv(envFlowsBinary); p != "" {
		candidates = append(candidates, p)
	}
	if root := checkoutRoot(); root != "" {
		candidates = append(candidates, filepath.Join(root, "bin", flowsName))
	}
	if self, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(self), flowsName))
	}
	if p, err := exec.LookPath(flowsName); err == nil {
		candidates = append(candidates, p)
	}
	for _, p := range candidates {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		names, err := listFlows(ctx, p)
		cancel()
		if err == nil {
			return names
		}
	}
	return nil
}

// errReported is an error groundstack-flows has already printed.
var errReported = errors.New("reported")

// envCredentialsFD tells groundstack-flows which file descriptor carries
// its credentials (access key, secret and session token, one a line).
const envCredentialsFD = "GROUNDSTACK_CREDENTIALS_FD"

// deployFlows deploys names on the edge at endpoint, with groundstack-flows
// deploy's flags, and with creds when set (handed over a pipe, never in the
// environment or the arguments); groundstack-flows prints what it deploys
// and its errors. Cancelling ctx interrupts it as Ctrl-C would.
func deployFlows(ctx context.Context, bin, endpoint string, flags, names []string, creds *cloud.TemporaryCredentials, stdout, stderr io.Writer) error {
	cmd, closeFiles, err := deployCommand(ctx, bin, endpoint, flags, names, creds, stdout, stderr)
	if err != nil {
		return err
	}
	defer closeFiles()
	return flowsExit(cmd.Run())
}

// envReadyFD names the file descriptor on which `groundstack-flows deploy
// --watch` says "ready" once the flows are deployed; it goes on watching.
const envReadyFD = "GROUNDSTACK_READY_FD"

// deployAndWatch is deployFlows with --watch: it returns once the flows
// are deployed, leaving groundstack-flows to watch their handlers until ctx
// ends; wait waits for it to stop.
func deployAndWatch(ctx context.Context, bin, endpoint string, flags, names []string, creds *cloud.TemporaryCredentials, stdout, stderr io.Writer) (wait func() error, err error) {
	cmd, closeFiles, err := deployCommand(ctx, bin, endpoint, append(flags, "--watch"), names, creds, stdout, stderr)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		closeFiles()
		return nil, err
	}
	defer r.Close()
	cmd.ExtraFiles = append(cmd.ExtraFiles, w)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, envReadyFD+"="+strconv.Itoa(2+len(cmd.ExtraFiles)))
	err = cmd.Start()
	w.Close()
	closeFiles()
	if err != nil {
		return nil, fmt.Errorf("%s deploy: %w", flowsName, err)
	}
	done := make(chan error, 1)
	go func() { done <- flowsExit(cmd.Wait()) }()
	line, _ := bufio.NewReader(r).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		// It stopped before the flows were deployed: its error is printed.
		if err := <-done; err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s deploy --watch stopped before it was ready", flowsName)
	}
	return func() error { return <-done }, nil
}

// deployCommand is the groundstack-flows deploy command; closeFiles closes
// this process's copies of the files it hands over, once it has started.
func deployCommand(ctx context.Context, bin, endpoint string, flags, names []string, creds *cloud.TemporaryCredentials, stdout, stderr io.Writer) (cmd *exec.Cmd, closeFiles func(), err error) {
	args := append(append([]string{"deploy", "--endpoint", endpoint}, flags...), names...)
	cmd = exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	closeFiles = func() {}
	if creds != nil {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, nil, err
		}
		_, err = fmt.Fprintf(w, "%s\n%s\n%s\n", creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
		w.Close()
		if err != nil {
			r.Close()
			return nil, nil, err
		}
		closeFiles = func() { r.Close() }
		cmd.ExtraFiles = []*os.File{r} // fd 3
		cmd.Env = append(os.Environ(), envCredentialsFD+"=3")
	}
	return cmd, closeFiles, nil
}

// flowsExit turns groundstack-flows' exit into groundstack's error: an
// exit status means it printed its error already.
func flowsExit(err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Exited() {
		return errReported
	}
	return fmt.Errorf("%s deploy: %w", flowsName, err)
}

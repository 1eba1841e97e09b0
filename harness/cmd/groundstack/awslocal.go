package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// awslocalName is the name under which this binary acts as `groundstack
// awslocal` (make build links bin/awslocal to it).
const awslocalName = "awslocal"

// The test identity and region awslocal and `up`'s export lines use
// when the environment names none: any credentials are accepted.
const (
	testAccessKey = "test"
	testSecretKey = "test"
	defaultRegion = "us-east-1"
)

// runAWSLocal runs the aws CLI against the local edge, like LocalStack's
// awslocal, in place of this process: arguments are passed through as
// argv, never through a shell. The endpoint is GROUNDSTACK_ENDPOINT, else
// AWS_ENDPOINT_URL (as `up`'s export line sets it), else the
// GROUNDSTACK_PORT (4566) on 127.0.0.1; credentials and region are the
// environment's, else test ones and us-east-1. CLI v2 also gets
// --cli-binary-format raw-in-base64-out, so blobs are given as text as
// with v1.
func runAWSLocal(args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Print(awslocalUsage)
		return nil
	}
	bin, err := exec.LookPath("aws")
	if err != nil {
		return errors.New("the aws CLI is not installed (make deps installs it; on Debian: apt-get install awscli)")
	}
	argv := append([]string{"aws"}, awslocalArgs(os.Getenv, cliMajorVersion(bin), args)...)
	if err := syscall.Exec(bin, argv, awslocalEnv(os.Environ())); err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	return nil // not reached
}

const awslocalUsage = `groundstack awslocal — the aws CLI against the local cloud

Usage:
  groundstack awslocal [aws CLI arguments…]
  awslocal [aws CLI arguments…]          (bin/awslocal, which make build links to groundstack)

Description:
  Runs the installed aws CLI with --endpoint-url set to the local edge, passing
  every argument through (never through a shell). The endpoint is
  GROUNDSTACK_ENDPOINT, else AWS_ENDPOINT_URL, else 127.0.0.1 and
  GROUNDSTACK_PORT (4566); credentials and region are the environment's, else
  test ones and us-east-1. With CLI v2 it adds --cli-binary-format
  raw-in-base64-out, so blobs are given as text as with v1. The aws CLI's own
  help is awslocal help (or awslocal s3 help…).

Examples:
  awslocal s3 mb s3://reports
  awslocal sqs list-queues
  groundstack awslocal lambda invoke --function-name orders out.json

Exit status:
  the aws CLI's; 1 when it is not installed.

Flags:
  none of its own: every argument goes to the aws CLI
`

// awslocalEndpoint is the edge awslocal talks to.
func awslocalEndpoint(getenv func(string) string) string {
	for _, k := range []string{"GROUNDSTACK_ENDPOINT", "AWS_ENDPOINT_URL"} {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
	}
	port := 4566
	if p, err := strconv.Atoi(getenv("GROUNDSTACK_PORT")); err == nil && p > 0 {
		port = p
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// awslocalArgs are the aws CLI's arguments for the user's args.
func awslocalArgs(getenv func(string) string, cliMajor int, args []string) []string {
	out := []string{"--endpoint-url", awslocalEndpoint(getenv)}
	if cliMajor >= 2 {
		out = append(out, "--cli-binary-format", "raw-in-base64-out")
	}
	return append(out, args...)
}

// awslocalEnv is env with test credentials and a region added where it
// has none. A profile the user chose (AWS_PROFILE) counts as credentials.
func awslocalEnv(env []string) []string {
	has := map[string]bool{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && v != "" {
			has[k] = true
		}
	}
	out := append([]string(nil), env...)
	if !has["AWS_ACCESS_KEY_ID"] && !has["AWS_PROFILE"] {
		out = append(out, "AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecretKey)
	}
	if !has["AWS_DEFAULT_REGION"] && !has["AWS_REGION"] {
		out = append(out, "AWS_DEFAULT_REGION="+defaultRegion)
	}
	return out
}

// cliMajorVersion is the aws CLI's major version (1 or 2), from `aws
// --version` ("aws-cli/2.15.0 Python/…"), remembered per binary in the
// user's cache directory: the answer costs a Python start-up. 1 when it
// cannot be told (v1 refuses v2's flags; v2 accepts v1's calls).
func cliMajorVersion(bin string) int {
	key := cliCacheKey(bin)
	cache := ""
	if dir, err := os.UserCacheDir(); err == nil && key != "" {
		cache = filepath.Join(dir, "groundstack", "aws-cli-version")
		if b, err := os.ReadFile(cache); err == nil {
			if k, v, ok := strings.Cut(strings.TrimSpace(string(b)), " "); ok && k == key {
				if n, err := strconv.Atoi(v); err == nil {
					return n
				}
			}
		}
	}
	cmd := exec.Command(bin, "--version")
	cmd.Env = awslocalEnv(os.Environ())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 1
	}
	n := parseCLIMajor(out)
	if cache != "" && n > 0 {
		if os.MkdirAll(filepath.Dir(cache), 0o755) == nil {
			_ = os.WriteFile(cache, []byte(key+" "+strconv.Itoa(n)+"\n"), 0o644)
		}
	}
	if n == 0 {
		return 1
	}
	return n
}

// parseCLIMajor reads the major version from `aws --version`'s output, or 0.
func parseCLIMajor(out []byte) int {
	_, rest, ok := bytes.Cut(out, []byte("aws-cli/"))
	if !ok {
		return 0
	}
	major, _, _ := bytes.Cut(rest, []byte("."))
	n, err := strconv.Atoi(string(major))
	if err != nil {
		return 0
	}
	return n
}

// cliCacheKey names the CLI binary as installed: its resolved path, size
// and modification time, so an upgrade is noticed.
func cliCacheKey(bin string) string {
	p, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return ""
	}
	st, err := os.Stat(p)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s|%d|%s", strings.ReplaceAll(p, " ", "%20"), st.Size(), st.ModTime().UTC().Format(time.RFC3339Nano))
}

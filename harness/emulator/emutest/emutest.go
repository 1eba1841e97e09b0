// Package emutest starts emulators for tests and hands back what real
// clients need: an aws.Config for aws-sdk-go-v2 and a way to run the aws CLI
// against the same endpoint. It is imported by tests only.
package emutest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// Region and credentials the test clients use.
const (
	Region    = sdkclient.DefaultRegion
	AccessKey = sdkclient.AccessKey
	SecretKey = sdkclient.SecretKey
)

// Start starts an emulator on a free loopback port, registers its Close
// with t, and returns it with an SDK config pointed at it.
func Start(t testing.TB, opts ...emulator.Option) (*emulator.Emulator, aws.Config) {
	t.Helper()
	e := emulator.New(opts...)
	if err := e.Start(); err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e, Config(e.URL())
}

// Config returns an SDK config for endpoint with static test credentials
// and no retries (see sdkclient.Config).
func Config(endpoint string) aws.Config {
	cfg := sdkclient.Config(endpoint, Region)
	cfg.RetryMaxAttempts = 1
	return cfg
}

// CLI runs the aws CLI against endpoint with args and returns stdout,
// stderr and the exit code. It skips the test when the CLI is not installed
// (make test installs it, so CI always runs these).
func CLI(t testing.TB, endpoint string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return CLIWithEnv(t, endpoint, nil, args...)
}

// CLIWithEnv is CLI with extra environment variables ("NAME=value") on
// top of CLIEnv, for the CLI's own settings (AWS_S3_DISABLE_EXPRESS_SESSION_AUTH…).
func CLIWithEnv(t testing.TB, endpoint string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	env = append(CLIEnv(), env...)
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed (make test installs it): " + err.Error())
	}
	args = append([]string{"--endpoint-url", endpoint, "--region", Region, "--output", "json"}, args...)
	if pool.usable(bin) {
		a, err := pool.run(args, env)
		if err != nil {
			t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
		return a.Stdout, a.Stderr, a.Code
	}
	stdout, stderr, code, err = runProcess(bin, args, env)
	if err != nil {
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return stdout, stderr, code
}

// CLIEnv is a clean environment for the aws CLI: test credentials, the
// test region, no profile, no CA bundle, no pager.
func CLIEnv() []string {
	env := []string{
		"AWS_ACCESS_KEY_ID=" + AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_PAGER=",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

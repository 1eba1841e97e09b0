package emutest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The CLI's answers through the long-lived workers are the `aws` process's:
// exit code, stdout and stderr, for a success, a service error and a usage
// error.
func TestCLIWorkersAnswerAsTheProcess(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed (make test installs it)")
	}
	// With CLI v1 on the PATH and its awscli importable, the workers run.
	if v, err := exec.Command("aws", "--version").CombinedOutput(); err == nil && strings.HasPrefix(string(v), "aws-cli/1.") &&
		exec.Command("python3", "-c", "import awscli").Run() == nil && os.Getenv("GROUNDSTACK_CLI_PROCESS") != "1" {
		defer func() {
			if !pool.enabled {
				t.Error("aws is CLI v1 and python3 imports awscli, yet commands ran as processes")
			}
		}()
	}
	e, _ := Start(t)
	cases := [][]string{
		{"sts", "get-caller-identity"},
		{"dynamodb", "describe-table", "--table-name", "absent"},
		{"dynamodb", "list-tables", "--no-such-flag"},
		{"s3api", "head-bucket", "--bucket", "absent"},
		{"sts", "get-caller-identity", "--cli-input-json", "file:///dev/stdin"}, // stdin is empty, not the workers' pipe
	}
	for _, args := range cases {
		o1, e1, c1 := CLI(t, e.URL(), args...)
		o2, e2, c2 := processCLI(t, e.URL(), args...)
		if c1 != c2 || o1 != o2 || !sameStderr(e1, e2) {
			t.Errorf("aws %s\nworker:  %d %q %q\nprocess: %d %q %q", strings.Join(args, " "), c1, o1, e1, c2, o2, e2)
		}
	}
}

// sameStderr compares error output, whose request ids differ per call.
func sameStderr(a, b string) bool {
	cut := func(s string) string {
		if i := strings.Index(s, "(RequestId"); i >= 0 {
			return s[:i]
		}
		return s
	}
	return cut(a) == cut(b)
}

func processCLI(t *testing.T, endpoint string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", endpoint, "--region", Region, "--output", "json"}, args...)...)
	cmd.Env = CLIEnv()
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return o.String(), e.String(), code
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeAWS writes an `aws` that answers --version as CLI version major
// would and otherwise prints its arguments (one a line) and the variables
// awslocal sets; it returns the directory to put on the PATH.
func fakeAWS(t *testing.T, major string) string {
	t.Helper()
	dir := t.TempDir()
	script := `#!/bin/sh
if [ "$1" = --version ]; then echo "aws-cli/` + major + `.15.0 Python/3.11.7 Linux/6 botocore/1"; exit 0; fi
for a in "$@"; do echo "arg:$a"; done
echo "env:key=$AWS_ACCESS_KEY_ID secret=$AWS_SECRET_ACCESS_KEY region=$AWS_DEFAULT_REGION profile=$AWS_PROFILE"
exit 7
`
	if err := os.WriteFile(filepath.Join(dir, "aws"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runAWSLocalAs runs the built groundstack under the name awslocal, with
// env as its whole environment.
func runAWSLocalAs(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	link := filepath.Join(t.TempDir(), "awslocal")
	if err := os.Symlink(buildCLI(t), link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestAWSLocalOnAFreshMachine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		major string
		env   []string
		want  []string
		never []string
	}{
		{"v1, nothing configured", "1", nil,
			[]string{"arg:--endpoint-url\narg:http://127.0.0.1:4566\narg:s3\n", "env:key=test secret=test region=us-east-1 profile=\n"},
			[]string{"--cli-binary-format"}},
		{"v2 gets raw-in-base64-out", "2", nil,
			[]string{"arg:--endpoint-url\narg:http://127.0.0.1:4566\narg:--cli-binary-format\narg:raw-in-base64-out\narg:s3\n"}, nil},
		{"the user's endpoint, credentials and region", "1",
			[]string{"AWS_ENDPOINT_URL=http://127.0.0.1:4599", "AWS_ACCESS_KEY_ID=mine", "AWS_SECRET_ACCESS_KEY=s", "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1"},
			[]string{"arg:http://127.0.0.1:4599\n", "env:key=mine secret=s region=eu-west-1"}, nil},
		{"GROUNDSTACK_ENDPOINT first, then a profile is credentials", "1",
			[]string{"GROUNDSTACK_ENDPOINT=http://127.0.0.1:5000", "AWS_ENDPOINT_URL=http://127.0.0.1:4599", "AWS_PROFILE=lab"},
			[]string{"arg:http://127.0.0.1:5000\n", "env:key= secret= region=us-east-1 profile=lab"}, nil},
		{"GROUNDSTACK_PORT", "1", []string{"GROUNDSTACK_PORT=4510"}, []string{"arg:http://127.0.0.1:4510\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := append([]string{"PATH=" + fakeAWS(t, tc.major) + ":/usr/bin:/bin", "HOME=" + t.TempDir()}, tc.env...)
			out, code := runAWSLocalAs(t, env, "s3", "ls", "s3://b/a key; rm -rf $HOME")
			if code != 7 {
				t.Errorf("exit %d, want the CLI's 7", code)
			}
			for _, w := range append(tc.want, "arg:ls\narg:s3://b/a key; rm -rf $HOME\nenv:") {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
	t.Run("no aws CLI", func(t *testing.T) {
		out, code := runAWSLocalAs(t, []string{"PATH=" + t.TempDir(), "HOME=" + t.TempDir()}, "s3", "ls")
		if code != 1 || !strings.Contains(out, "the aws CLI is not installed") {
			t.Errorf("exit %d: %s", code, out)
		}
	})
}

// The CLI's version is asked once per installed binary: a changed binary
// is asked again.
func TestCLIVersionIsCachedPerBinary(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := fakeAWS(t, "2")
	bin := filepath.Join(dir, "aws")
	if got := cliMajorVersion(bin); got != 2 {
		t.Fatalf("major %d", got)
	}
	calls := filepath.Join(dir, "calls")
	counting := "#!/bin/sh\necho x >> " + calls + "\necho aws-cli/1.45.11 Python/3\n"
	if err := os.WriteFile(bin, []byte(counting), 0o755); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got := cliMajorVersion(bin); got != 1 {
			t.Fatalf("after the upgrade: major %d", got)
		}
	}
	b, _ := os.ReadFile(calls)
	if n := strings.Count(string(b), "x"); n != 1 {
		t.Errorf("aws --version ran %d times for one binary", n)
	}
	for out, want := range map[string]int{"aws-cli/2.9.19 Python/3.11.2": 2, "aws-cli/1.29.0": 1, "command not found": 0, "aws-cli/x.1": 0} {
		if got := parseCLIMajor([]byte(out)); got != want {
			t.Errorf("%q: %d, want %d", out, got, want)
		}
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var cli struct {
	once sync.Once
	dir  string
	err  error
}

// buildCLI builds groundstack and groundstack-flows once for this test
// binary, side by side, and returns the directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	cli.once.Do(func() {
		if cli.dir, cli.err = os.MkdirTemp("", "groundstack-cli-"); cli.err != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", cli.dir+string(filepath.Separator), ".", "../groundstack").CombinedOutput()
		if err != nil {
			cli.err = &buildError{err, string(out)}
		}
	})
	if cli.err != nil {
		t.Fatal(cli.err)
	}
	return cli.dir
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// groundstack is a command of the groundstack binary using this package's
// groundstack-flows.
func groundstack(t *testing.T, args ...string) *exec.Cmd {
	dir := buildCLI(t)
	cmd := exec.Command(filepath.Join(dir, "groundstack"), args...)
	cmd.Env = append(os.Environ(), "GROUNDSTACK_FLOWS_BINARY="+filepath.Join(dir, "groundstack-flows"))
	return cmd
}

func TestMain(m *testing.M) {
	code := m.Run()
	if cli.dir != "" {
		os.RemoveAll(cli.dir)
	}
	os.Exit(code)
}

func TestListAndDeployRefusals(t *testing.T) {
	bin := filepath.Join(buildCLI(t), "groundstack-flows")
	out, err := exec.Command(bin, "list").Output()
	if err != nil || strings.Join(strings.Fields(string(out)), ",") != "deliveries,scriptrunner" {
		t.Fatalf("list: %v %q", err, out)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"deploy", "--endpoint", "http://127.0.0.1:1", "nonesuch"}, `unknown flow "nonesuch"`},
		{[]string{"deploy", "deliveries"}, "want --endpoint URL"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, c := range cases {
		out, err := exec.Command(bin, c.args...).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: err=%v out=%s", c.args, err, out)
		}
	}
}

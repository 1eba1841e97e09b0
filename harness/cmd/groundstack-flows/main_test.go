package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/cmd/internal/clitest"
)

var cli clitest.Binaries

// groundstack is a command of the groundstack binary using this package's
// groundstack-flows.
func groundstack(t *testing.T, args ...string) *exec.Cmd {
	dir := cli.Dir(t)
	cmd := exec.Command(filepath.Join(dir, "groundstack"), args...)
	cmd.Env = append(os.Environ(), "GROUNDSTACK_FLOWS_BINARY="+filepath.Join(dir, "groundstack-flows"))
	return cmd
}

func TestMain(m *testing.M) {
	code := m.Run()
	cli.Remove()
	os.Exit(code)
}

func TestListAndDeployRefusals(t *testing.T) {
	bin := filepath.Join(cli.Dir(t), "groundstack-flows")
	out, err := exec.Command(bin, "list").Output()
	if err != nil || strings.Join(strings.Fields(string(out)), ",") != "bondmarket,broadcast,deliveries,scriptrunner,workshop" {
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

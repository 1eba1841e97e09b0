package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A bare make prints the targets and what they do, and starts nothing;
// make help lists every target the Makefile describes with a ## line.
func TestBareMakePrintsHelp(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root := filepath.Join("..", "..", "..")
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var described []string
	for _, m := range regexp.MustCompile(`(?m)^## ([a-zA-Z0-9_-]+): `).FindAllStringSubmatch(string(makefile), -1) {
		described = append(described, m[1])
	}
	if len(described) < 8 {
		t.Fatalf("the Makefile describes %d targets", len(described))
	}
	for _, args := range [][]string{nil, {"help"}} {
		cmd := exec.Command("make", append([]string{"--no-print-directory", "-C", root}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make %v: %v\n%s", args, err, out)
		}
		for _, target := range described {
			if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(target) + ` +\S`).Match(out) {
				t.Errorf("make %v does not list %s:\n%s", args, target, out)
			}
		}
		if strings.Contains(string(out), "go build") || strings.Contains(string(out), "ready in") {
			t.Errorf("make %v built or started something:\n%s", args, out)
		}
	}
}

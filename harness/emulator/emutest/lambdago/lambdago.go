// Package lambdago finds the sample events aws-lambda-go ships in
// events/testdata (AWS's own examples) for tests that compare our events
// with them. It imports nothing of groundstack, so a service's internal
// tests can use it; tests only.
package lambdago

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Module is the module whose samples these are.
const Module = "github.com/aws/aws-lambda-go"

// dir asks the go command once where the version go.mod requires lives.
var dir = sync.OnceValues(func() (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %v: %s", Module, err, strings.TrimSpace(stderr.String()))
	}
	d := strings.TrimSpace(string(out))
	if d == "" {
		return "", fmt.Errorf("go list -m %s: not in the module cache (go mod download %s)", Module, Module)
	}
	return d, nil
})

// Dir is the module's directory; the test fails when it cannot be found.
func Dir(t testing.TB) string {
	t.Helper()
	d, err := dir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Sample reads events/testdata/name; the test fails when it cannot.
func Sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), "events", "testdata", name))
	if err != nil {
		t.Fatalf("aws-lambda-go's sample event: %v", err)
	}
	return b
}

package lambda_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// TestCLI drives the service with the real aws CLI (v1) as a user would.
func TestCLI(t *testing.T) {
	t.Parallel()
	e, _ := start(t)
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, code := emutest.CLI(t, e.URL(), args...)
		if code != 0 {
			t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		return out
	}
	out := cli("lambda", "create-function", "--function-name", "cli-fn", "--runtime", "provided.al2023",
		"--handler", "bootstrap", "--role", role, "--zip-file", "fileb://"+testfnPath, "--timeout", "5")
	var created struct {
		FunctionName, CodeSha256, State string
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.FunctionName != "cli-fn" || created.CodeSha256 != testfnSha || created.State != "Active" {
		t.Fatalf("create-function: %s", out)
	}
	cli("lambda", "wait", "function-active-v2", "--function-name", "cli-fn")

	// aws CLI v1 sends --payload as is (v2 would need --cli-binary-format).
	outFile := filepath.Join(t.TempDir(), "out.json")
	out = cli("lambda", "invoke", "--function-name", "cli-fn", "--payload", `{"mode":"echo","from":"cli"}`, "--log-type", "Tail", outFile)
	var inv struct {
		StatusCode      int
		ExecutedVersion string
		LogResult       string
		FunctionError   string
	}
	json.Unmarshal([]byte(out), &inv)
	got, _ := os.ReadFile(outFile)
	if inv.StatusCode != 200 || inv.ExecutedVersion != "$LATEST" || inv.LogResult == "" || inv.FunctionError != "" || string(got) != `{"mode":"echo","from":"cli"}` {
		t.Fatalf("invoke: %s / %s", out, got)
	}
	out = cli("lambda", "invoke", "--function-name", "cli-fn", "--payload", `{"mode":"error","message":"cli boom"}`, outFile)
	json.Unmarshal([]byte(out), &inv)
	got, _ = os.ReadFile(outFile)
	if inv.FunctionError != "Unhandled" || !strings.Contains(string(got), `"errorMessage":"cli boom"`) {
		t.Fatalf("invoke error: %s / %s", out, got)
	}
	cli("lambda", "create-function", "--function-name", "cli-fn-2", "--runtime", "provided.al2023",
		"--handler", "bootstrap", "--role", role, "--zip-file", "fileb://"+testfnPath)
	out = cli("lambda", "list-functions", "--query", "Functions[].FunctionName")
	var names []string
	if err := json.Unmarshal([]byte(out), &names); err != nil || strings.Join(names, ",") != "cli-fn,cli-fn-2" {
		t.Fatalf("list-functions --query: %s", out)
	}
	cli("lambda", "delete-function", "--function-name", "cli-fn")
	_, errOut, code := emutest.CLI(t, e.URL(), "lambda", "get-function", "--function-name", "cli-fn")
	if code == 0 || !strings.Contains(errOut, "ResourceNotFoundException") || !strings.Contains(errOut, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:cli-fn") {
		t.Fatalf("get-function after delete: %d %s", code, errOut)
	}
	_, errOut, code = emutest.CLI(t, e.URL(), "lambda", "invoke", "--function-name", "cli-fn-2", "--payload", "not json", outFile)
	if code == 0 || !strings.Contains(errOut, "InvalidRequestContentException") {
		t.Fatalf("invoke with a bad payload: %d %s", code, errOut)
	}
}

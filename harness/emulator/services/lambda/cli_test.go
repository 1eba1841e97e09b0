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

// TestCLISettings checks that the aws CLI (v1) reads the answers of the
// settings operations, and reaches ListProvisionedConcurrencyConfigs,
// which only its query (?List=ALL) tells from GetProvisionedConcurrencyConfig.
func TestCLISettings(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name, arn := publishedStub(t, c)
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, code := emutest.CLI(t, e.URL(), args...)
		if code != 0 {
			t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		return out
	}
	cli("lambda", "put-provisioned-concurrency-config", "--function-name", name, "--qualifier", "live", "--provisioned-concurrent-executions", "2")
	out := cli("lambda", "list-provisioned-concurrency-configs", "--function-name", name)
	var list struct {
		ProvisionedConcurrencyConfigs []struct {
			FunctionArn, Status string
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.ProvisionedConcurrencyConfigs) != 1 ||
		list.ProvisionedConcurrencyConfigs[0].FunctionArn != arn+":live" || list.ProvisionedConcurrencyConfigs[0].Status != "READY" {
		t.Fatalf("list-provisioned-concurrency-configs: %s", out)
	}
	out = cli("lambda", "create-code-signing-config", "--allowed-publishers", "SigningProfileVersionArns="+signingProfile)
	var created struct {
		CodeSigningConfig struct{ CodeSigningConfigArn string }
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || !cscARNRE.MatchString(created.CodeSigningConfig.CodeSigningConfigArn) {
		t.Fatalf("create-code-signing-config: %s", out)
	}
}

package cloudformation_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// TestCLIDeploy runs what a user runs: aws cloudformation deploy (change
// sets and their waiters), twice (the second has nothing to change), then
// describe-stacks and delete-stack.
func TestCLIDeploy(t *testing.T) {
	e, _ := emutest.Start(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "app.yml")
	tpl := `
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${AWS::StackName}-${Stage}-jobs"
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
Outputs:
  QueueUrl:
    Value: !Ref Queue
`
	if err := os.WriteFile(file, []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := emutest.CLI(t, e.URL(), "cloudformation", "deploy", "--template-file", file, "--stack-name", "cli-app",
		"--parameter-overrides", "Stage=test")
	if code != 0 {
		t.Fatalf("deploy: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Successfully created/updated stack - cli-app") {
		t.Errorf("deploy said %q", stdout)
	}
	stdout, stderr, code = emutest.CLI(t, e.URL(), "cloudformation", "deploy", "--template-file", file, "--stack-name", "cli-app",
		"--parameter-overrides", "Stage=test", "--no-fail-on-empty-changeset")
	if code != 0 || !strings.Contains(stdout+stderr, "No changes to deploy. Stack cli-app is up to date") {
		t.Fatalf("second deploy: exit %d\n%s\n%s", code, stdout, stderr)
	}
	stdout, stderr, code = emutest.CLI(t, e.URL(), "cloudformation", "describe-stacks", "--stack-name", "cli-app")
	if code != 0 {
		t.Fatalf("describe-stacks: exit %d\n%s", code, stderr)
	}
	var out struct {
		Stacks []struct {
			StackStatus string
			Outputs     []struct{ OutputKey, OutputValue string }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if len(out.Stacks) != 1 || out.Stacks[0].StackStatus != "CREATE_COMPLETE" || len(out.Stacks[0].Outputs) != 1 ||
		!strings.HasSuffix(out.Stacks[0].Outputs[0].OutputValue, "/cli-app-test-jobs") {
		t.Fatalf("describe-stacks: %s", stdout)
	}
	if _, stderr, code = emutest.CLI(t, e.URL(), "cloudformation", "delete-stack", "--stack-name", "cli-app"); code != 0 {
		t.Fatalf("delete-stack: %s", stderr)
	}
	if _, stderr, code = emutest.CLI(t, e.URL(), "cloudformation", "wait", "stack-delete-complete", "--stack-name", "cli-app"); code != 0 {
		t.Fatalf("wait: %s", stderr)
	}
}

package cloudformation_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
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
	stdout, stderr, code = emutest.CLI(t, e.URL(), "cloudformation", "describe-stack-events", "--stack-name", "cli-app",
		"--query", "StackEvents[?LogicalResourceId=='Table'].ResourceStatus")
	if code != 0 || !strings.Contains(stdout, `"CREATE_COMPLETE"`) || !strings.Contains(stdout, `"CREATE_IN_PROGRESS"`) {
		t.Fatalf("describe-stack-events: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, stderr, code = emutest.CLI(t, e.URL(), "cloudformation", "delete-stack", "--stack-name", "cli-app"); code != 0 {
		t.Fatalf("delete-stack: %s", stderr)
	}
	if _, stderr, code = emutest.CLI(t, e.URL(), "cloudformation", "wait", "stack-delete-complete", "--stack-name", "cli-app"); code != 0 {
		t.Fatalf("wait: %s", stderr)
	}
}

// TestCLIPackageAndDeploy: aws cloudformation package uploads a function's
// directory to S3 (its S3 client reads AWS_ENDPOINT_URL, not
// --endpoint-url), deploy creates the function from it, and it runs.
func TestCLIPackageAndDeploy(t *testing.T) {
	e, _ := emutest.Start(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "index.py"), []byte("def handler(event, context):\n    return {\"echo\": event}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tpl := `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: index.handler, Role: !GetAtt Role.Arn, Code: ./src}
Outputs:
  Name: {Value: !Ref Fn}
`
	if err := os.WriteFile(filepath.Join(dir, "t.yml"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"AWS_ENDPOINT_URL=" + e.URL()}
	run := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := emutest.CLIWithEnv(t, e.URL(), env, args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		return stdout
	}
	run("s3", "mb", "s3://artifacts")
	run("cloudformation", "package", "--template-file", filepath.Join(dir, "t.yml"), "--s3-bucket", "artifacts",
		"--output-template-file", filepath.Join(dir, "packaged.yml"))
	run("cloudformation", "deploy", "--template-file", filepath.Join(dir, "packaged.yml"), "--stack-name", "pk", "--capabilities", "CAPABILITY_IAM")
	name := strings.TrimSpace(run("cloudformation", "describe-stacks", "--stack-name", "pk", "--query", "Stacks[0].Outputs[0].OutputValue", "--output", "text"))
	out := filepath.Join(dir, "out.json")
	run("lambda", "invoke", "--function-name", name, "--payload", `{"x":1}`, out)
	got, err := os.ReadFile(out)
	if err != nil || strings.TrimSpace(string(got)) != `{"echo": {"x": 1}}` {
		t.Fatalf("invoke answered %q %v", got, err)
	}
}

// TestCLIPackageAndDeploySAM: a SAM function whose CodeUri is a directory
// goes through aws cloudformation package (which zips it to S3 and writes
// the s3:// URI) and deploy; ValidateTemplate takes the SAM template, and
// the function answers through its API's invoke URL.
func TestCLIPackageAndDeploySAM(t *testing.T) {
	e, _ := emutest.Start(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	code := "import json\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps({\"method\": event[\"httpMethod\"]})}\n"
	if err := os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	tpl := `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Post: {Type: Api, Properties: {Path: /echo, Method: post}}
Outputs:
  ApiId: {Value: !Ref ServerlessRestApi}
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"AWS_ENDPOINT_URL=" + e.URL()}
	run := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := emutest.CLIWithEnv(t, e.URL(), env, args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		return stdout
	}
	run("cloudformation", "validate-template", "--template-body", "file://"+filepath.Join(dir, "template.yaml"))
	run("s3", "mb", "s3://artifacts")
	run("cloudformation", "package", "--template-file", filepath.Join(dir, "template.yaml"), "--s3-bucket", "artifacts",
		"--output-template-file", filepath.Join(dir, "packaged.yaml"))
	packaged, err := os.ReadFile(filepath.Join(dir, "packaged.yaml"))
	if err != nil || !strings.Contains(string(packaged), "CodeUri: s3://artifacts/") {
		t.Fatalf("packaged template: %s %v", packaged, err)
	}
	run("cloudformation", "deploy", "--template-file", filepath.Join(dir, "packaged.yaml"), "--stack-name", "sam-cli", "--capabilities", "CAPABILITY_IAM")
	ids := run("cloudformation", "list-stack-resources", "--stack-name", "sam-cli", "--query", "sort(StackResourceSummaries[].LogicalResourceId)", "--output", "text")
	if got := strings.Join(strings.Fields(ids), " "); !regexp.MustCompile(`^Echo EchoPostPermissionProd EchoRole ServerlessRestApi ServerlessRestApiDeployment[0-9a-f]{10} ServerlessRestApiProdStage$`).MatchString(got) {
		t.Errorf("logical ids %s", got)
	}
	api := strings.TrimSpace(run("cloudformation", "describe-stacks", "--stack-name", "sam-cli", "--query", "Stacks[0].Outputs[0].OutputValue", "--output", "text"))
	resp, err := http.Post(e.URL()+"/restapis/"+api+"/Prod/_user_request_/echo", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"method": "POST"}` {
		t.Fatalf("POST /echo: %d %s", resp.StatusCode, body)
	}
	// Deploying the unpackaged template says what to run.
	_, stderr, code2 := emutest.CLIWithEnv(t, e.URL(), env, "cloudformation", "deploy", "--template-file", filepath.Join(dir, "template.yaml"),
		"--stack-name", "sam-local", "--capabilities", "CAPABILITY_IAM")
	if code2 == 0 || !strings.Contains(stderr, "aws cloudformation package") {
		t.Errorf("deploy of a local CodeUri: exit %d\n%s", code2, stderr)
	}
}

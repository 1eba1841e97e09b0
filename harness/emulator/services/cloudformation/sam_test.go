package cloudformation_test

import (
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// samTemplate: a function behind the implicit REST API, a worker fed by a
// queue that writes into a SimpleTable, and Globals both take.
const samTemplate = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Environment:
      Variables: {GREETING: hello}
Resources:
  Items:
    Type: AWS::Serverless::SimpleTable
  Jobs:
    Type: AWS::SQS::Queue
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        import json, os
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps({"greeting": os.environ["GREETING"], "path": event["path"]})}
      Events:
        HelloApi:
          Type: Api
          Properties: {Path: /hello, Method: get}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      MemorySize: 256
      Environment:
        Variables: {TABLE: !Ref Items}
      Policies:
        - DynamoDBCrudPolicy: {TableName: !Ref Items}
      InlineCode: |
        import os, boto3
        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
        def handler(event, context):
            for r in event["Records"]:
                table.put_item(Item={"id": r["body"], "greeting": os.environ["GREETING"]})
      Events:
        FromJobs:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 1}
Outputs:
  Url: {Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/hello"}
`

func TestSAMFunctionsBehindAnAPIAndAQueue(t *testing.T) {
	if exec.Command("python3", "-c", "import boto3").Run() != nil {
		t.Skip("the machine's python3 has no boto3 (Debian package python3-boto3)")
	}
	e, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	createStack(t, c, "sam", samTemplate)
	ids := physicalIDs(t, c, "sam")

	var names []string
	for k := range ids {
		names = append(names, regexp.MustCompile(`[0-9a-f]{10}$`).ReplaceAllString(k, "<hash>"))
	}
	sort.Strings(names)
	want := []string{"HelloFunction", "HelloFunctionHelloApiPermissionProd", "HelloFunctionRole", "Items", "Jobs",
		"ServerlessRestApi", "ServerlessRestApiDeployment<hash>", "ServerlessRestApiProdStage", "Worker", "WorkerFromJobs", "WorkerRole"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("logical ids\n got %v\nwant %v", names, want)
	}

	// The API answers at its invoke URL, the handler seeing the global variable.
	resp, err := http.Get(e.URL() + "/restapis/" + ids["ServerlessRestApi"] + "/Prod/_user_request_/hello")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"greeting": "hello", "path": "/hello"}` {
		t.Fatalf("GET /hello: %d %s\n%s", resp.StatusCode, body, events(t, c, "sam"))
	}

	// Globals under the function's own values; the role SAM makes.
	lc := lambda.NewFromConfig(cfg)
	fc, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(ids["Worker"])})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(fc.Timeout) != 10 || aws.ToInt32(fc.MemorySize) != 256 || fc.Environment.Variables["GREETING"] != "hello" ||
		fc.Environment.Variables["TABLE"] != ids["Items"] || !strings.HasSuffix(aws.ToString(fc.Role), ":role/"+ids["WorkerRole"]) {
		t.Errorf("worker configuration: timeout %d memory %d env %v role %s", aws.ToInt32(fc.Timeout), aws.ToInt32(fc.MemorySize),
			fc.Environment.Variables, aws.ToString(fc.Role))
	}
	ap, err := iam.NewFromConfig(cfg).ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(ids["WorkerRole"])})
	if err != nil || len(ap.AttachedPolicies) != 2 {
		t.Errorf("worker role's managed policies: %+v %v", ap, err)
	}

	// A message on the queue reaches the worker, which writes the table.
	q := sqs.NewFromConfig(cfg)
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(ids["Jobs"]), MessageBody: aws.String("job-1")}); err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(ids["Items"]),
			Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "job-1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if g, ok := got.Item["greeting"].(*ddbtypes.AttributeValueMemberS); ok && g.Value == "hello" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the worker did not write job-1 into the table")
		}
		time.Sleep(100 * time.Millisecond)
	}

	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("sam")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(ids["Worker"])}); err == nil {
		t.Error("the worker outlived its stack")
	}
}

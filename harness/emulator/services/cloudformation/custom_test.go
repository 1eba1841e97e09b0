package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// customTemplate's function answers as the cfn-response modules do: a PUT
// of its JSON response to the event's ResponseURL (standard library only).
// It fails on Name=fail, and on a Delete whose properties it did not make.
const customTemplate = `
Parameters:
  Name: {Type: String, Default: world}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]}
  Provider:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          import json, urllib.request
          def handler(event, context):
              props = event["ResourceProperties"]
              ok = props.get("Name") != "fail" and props["Count"] == "3"
              if event["RequestType"] == "Delete":
                  ok = event["PhysicalResourceId"] == "greeting-" + props["Name"]
              body = json.dumps({
                  "Status": "SUCCESS" if ok else "FAILED",
                  "Reason": "" if ok else "the name fail is refused",
                  "PhysicalResourceId": "greeting-" + props["Name"],
                  "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
                  "Data": {"Greeting": "hello " + props["Name"], "Count": props["Count"]},
              }).encode()
              req = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
              urllib.request.urlopen(req).read()
  Greeting:
    Type: Custom::Greeting
    Properties:
      ServiceToken: !GetAtt Provider.Arn
      Name: !Ref Name
      Count: 3
Outputs:
  Greeting: {Value: !GetAtt Greeting.Greeting}
  Count: {Value: !GetAtt Greeting.Count}
  Id: {Value: !Ref Greeting}
`

func TestCustomResourceBackedByLambda(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	st := createStack(t, c, "custom", customTemplate)
	out := outputsOf(st)
	if out["Greeting"] != "hello world" || out["Count"] != "3" || out["Id"] != "greeting-world" {
		t.Fatalf("outputs %v", out)
	}
	// A new PhysicalResourceId in the Update's response is a replacement:
	// the old resource gets its Delete (with its own properties) at cleanup.
	_, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("custom"), UsePreviousTemplate: aws.Bool(true),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
		Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("Name"), ParameterValue: aws.String("moon")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("custom")})
	if out := outputsOf(&d.Stacks[0]); d.Stacks[0].StackStatus != cfntypes.StackStatusUpdateComplete || out["Id"] != "greeting-moon" || out["Greeting"] != "hello moon" {
		t.Fatalf("status %s, outputs %v\n%s", d.Stacks[0].StackStatus, out, events(t, c, "custom"))
	}
	ev, _ := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("custom")})
	oldDeleted := false
	for _, e := range ev.StackEvents {
		oldDeleted = oldDeleted || (aws.ToString(e.PhysicalResourceId) == "greeting-world" && e.ResourceStatus == cfntypes.ResourceStatusDeleteComplete)
	}
	if !oldDeleted {
		t.Fatalf("greeting-world not deleted:\n%s", events(t, c, "custom"))
	}
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("custom"), UsePreviousTemplate: aws.Bool(true),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
		Parameters:   []cfntypes.Parameter{{ParameterKey: aws.String("Name"), ParameterValue: aws.String("fail")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("custom")})
	if d.Stacks[0].StackStatus != cfntypes.StackStatusUpdateRollbackComplete ||
		!strings.Contains(events(t, c, "custom"), "Received response status [FAILED] from custom resource. Message returned: the name fail is refused") {
		t.Fatalf("status %s\n%s", d.Stacks[0].StackStatus, events(t, c, "custom"))
	}
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("custom")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("custom")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "custom"))
	}
}

// Inline code gets the cfn-response helpers beside it, as on AWS: a Python
// function imports cfnresponse, a Node.js one requires cfn-response.
func TestInlineCodeAnswersWithTheResponseHelpers(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	st := createStack(t, c, "helpers", `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]}
  Py:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          import cfnresponse
          def handler(event, context):
              cfnresponse.send(event, context, cfnresponse.SUCCESS, {"Lang": "python"}, "py-" + event["LogicalResourceId"])
  Node:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          const response = require("cfn-response");
          exports.handler = async (event, context) => {
            await response.send(event, context, response.SUCCESS, {Lang: "node"}, "node-" + event.LogicalResourceId);
          };
  FromPy: {Type: "Custom::Lang", Properties: {ServiceToken: !GetAtt Py.Arn}}
  FromNode: {Type: "Custom::Lang", Properties: {ServiceToken: !GetAtt Node.Arn}}
Outputs:
  Py: {Value: !Join [":", [!Ref FromPy, !GetAtt FromPy.Lang]]}
  Node: {Value: !Join [":", [!Ref FromNode, !GetAtt FromNode.Lang]]}
`)
	out := outputsOf(st)
	if out["Py"] != "py-FromPy:python" || out["Node"] != "node-FromNode:node" {
		t.Fatalf("outputs %v", out)
	}
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("helpers")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("helpers")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "helpers"))
	}
}

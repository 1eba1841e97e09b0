package cloudformation_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func TestRollbackDeletesWhatWasCreated(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	// The queue depends on the bucket and SQS refuses its attribute, so the
	// bucket is made first and must go again.
	body := `
Resources:
  First:
    Type: AWS::S3::Bucket
    Properties: {BucketName: rollback-first}
  Second:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${First}-queue"
      VisibilityTimeout: 999999
`
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("broken"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	err := cfn.NewStackCreateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("broken")}, waitTime)
	if err == nil {
		t.Fatal("the create completed")
	}
	d, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("broken")})
	if err != nil || d.Stacks[0].StackStatus != cfntypes.StackStatusRollbackComplete {
		t.Fatalf("status %+v %v", d, err)
	}
	ev, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("broken")})
	if err != nil {
		t.Fatal(err)
	}
	var failed *cfntypes.StackEvent
	var firstDeleted bool
	for i := range ev.StackEvents {
		e := &ev.StackEvents[i]
		if aws.ToString(e.LogicalResourceId) == "Second" && e.ResourceStatus == cfntypes.ResourceStatusCreateFailed {
			failed = e
		}
		if aws.ToString(e.LogicalResourceId) == "First" && e.ResourceStatus == cfntypes.ResourceStatusDeleteComplete {
			firstDeleted = true
		}
	}
	if failed == nil || !strings.Contains(aws.ToString(failed.ResourceStatusReason), "VisibilityTimeout") {
		t.Fatalf("no CREATE_FAILED event naming the failure of Second:\n%s", events(t, c, "broken"))
	}
	if !firstDeleted {
		t.Fatalf("First not deleted:\n%s", events(t, c, "broken"))
	}
	reason := ""
	for _, e := range ev.StackEvents {
		if e.ResourceStatus == cfntypes.ResourceStatusRollbackInProgress {
			reason = aws.ToString(e.ResourceStatusReason)
		}
	}
	if !strings.Contains(reason, "The following resource(s) failed to create: [Second]") {
		t.Errorf("rollback reason %q", reason)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("rollback-first")}); err == nil {
		t.Error("the bucket survived the rollback")
	}
	// A rolled-back stack cannot be updated, only deleted.
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("broken"), TemplateBody: aws.String(body)})
	wantAPIError(t, err, "ValidationError", "Stack:"+aws.ToString(d.Stacks[0].StackId)+" is in ROLLBACK_COMPLETE state and can not be updated.")
	_, err = c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("broken"), TemplateBody: aws.String(body)})
	wantAPIError(t, err, "AlreadyExistsException", "Stack [broken] already exists")
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("broken")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("broken")}, waitTime); err != nil {
		t.Fatal(err)
	}
}

func TestUnsupportedTypeFailsTheStackNamingIt(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	body := `{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}, "Net": {"Type": "AWS::Events::Rule", "DependsOn": "Q", "Properties": {"ScheduleExpression": "rate(1 minute)"}}}}`
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("vpc"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("vpc"), LogicalResourceId: aws.String("Net")})
	if err != nil {
		t.Fatal(err)
	}
	if d.StackResourceDetail.ResourceStatus != cfntypes.ResourceStatusCreateFailed ||
		!strings.Contains(aws.ToString(d.StackResourceDetail.ResourceStatusReason), "does not emulate the resource type AWS::Events::Rule") {
		t.Fatalf("resource %+v", d.StackResourceDetail)
	}
	q, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil || len(q.QueueUrls) != 0 {
		t.Fatalf("queues left behind: %v %v", q, err)
	}
	// Types outside AWS:: are refused before anything starts.
	_, err = c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("odd"), TemplateBody: aws.String(`{"Resources": {"X": {"Type": "Acme::Widget"}}}`)})
	wantAPIError(t, err, "ValidationError", "Template format error: Unrecognized resource types: [Acme::Widget]")
}

const tableTemplate = `
Parameters:
  Key: {Type: String, Default: id}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: !Ref Key, AttributeType: S}]
      KeySchema: [{AttributeName: !Ref Key, KeyType: HASH}]
  Kept:
    Type: AWS::SQS::Queue
    DeletionPolicy: Retain
Outputs:
  TableName: {Value: !Ref Table}
`

func TestUpdateReplacesATableWhoseKeyChanges(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	st := createStack(t, c, "tables", tableTemplate)
	before := outputsOf(st)["TableName"]

	// The same template and parameters: nothing to do.
	_, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("tables"), UsePreviousTemplate: aws.Bool(true)})
	wantAPIError(t, err, "ValidationError", "No updates are to be performed.")

	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("tables"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Key"), ParameterValue: aws.String("pk")}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfn.NewStackUpdateCompleteWaiter(c).WaitForOutput(ctx, &cfn.DescribeStacksInput{StackName: aws.String("tables")}, waitTime)
	if err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "tables"))
	}
	after := outputsOf(&out.Stacks[0])["TableName"]
	if after == before || after == "" {
		t.Fatalf("table not replaced: %q → %q", before, after)
	}
	ddb := dynamodb.NewFromConfig(cfg)
	d, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(after)})
	if err != nil || aws.ToString(d.Table.KeySchema[0].AttributeName) != "pk" {
		t.Fatalf("new table %+v %v", d, err)
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(before)}); err == nil {
		t.Error("the replaced table is still there")
	}

	// A custom-named table cannot be replaced: the update rolls back.
	named := strings.Replace(tableTemplate, "BillingMode: PAY_PER_REQUEST", "TableName: fixed\n      BillingMode: PAY_PER_REQUEST", 1)
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("tables"), TemplateBody: aws.String(named)})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("tables")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "tables"))
	}
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("tables"), TemplateBody: aws.String(named),
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Key"), ParameterValue: aws.String("other")}}})
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("tables")})
	if desc.Stacks[0].StackStatus != cfntypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("status %s\n%s", desc.Stacks[0].StackStatus, events(t, c, "tables"))
	}
	if !strings.Contains(events(t, c, "tables"), "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename fixed and update the stack again.") {
		t.Errorf("no replacement refusal:\n%s", events(t, c, "tables"))
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("fixed")}); err != nil {
		t.Errorf("the named table went in the rollback: %v", err)
	}

	// DeletionPolicy Retain keeps the queue after the stack is gone.
	kept := physicalIDs(t, c, "tables")["Kept"]
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("tables")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("tables")}, waitTime); err != nil {
		t.Fatal(err)
	}
	if _, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(kept)}); err != nil {
		t.Errorf("retained queue gone: %v", err)
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("fixed")}); err == nil {
		t.Error("table left behind")
	}
}

func TestChangeSets(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	body := `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}}}}`
	cs, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("sets"), ChangeSetName: aws.String("first"),
		ChangeSetType: cfntypes.ChangeSetTypeCreate, TemplateBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := cfn.NewChangeSetCreateCompleteWaiter(c).WaitForOutput(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: cs.Id}, waitTime)
	if err != nil {
		t.Fatal(err)
	}
	if d.ExecutionStatus != cfntypes.ExecutionStatusAvailable || len(d.Changes) != 1 || d.Changes[0].ResourceChange.Action != cfntypes.ChangeActionAdd {
		t.Fatalf("change set %+v", d)
	}
	st, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("sets")})
	if err != nil || st.Stacks[0].StackStatus != cfntypes.StackStatusReviewInProgress {
		t.Fatalf("stack before execution %+v %v", st, err)
	}
	l, err := c.ListChangeSets(ctx, &cfn.ListChangeSetsInput{StackName: aws.String("sets")})
	if err != nil || len(l.Summaries) != 1 || aws.ToString(l.Summaries[0].ChangeSetName) != "first" {
		t.Fatalf("list %+v %v", l, err)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: aws.String("first"), StackName: aws.String("sets")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("sets")}, waitTime); err != nil {
		t.Fatal(err)
	}
	_, err = c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs.Id})
	wantAPIError(t, err, "InvalidChangeSetStatus", "")

	// No changes: the change set fails with AWS's reason.
	same, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("sets"), ChangeSetName: aws.String("same"), TemplateBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: same.Id})
	if err != nil || ds.Status != cfntypes.ChangeSetStatusFailed ||
		aws.ToString(ds.StatusReason) != "The submitted information didn't contain changes. Submit different information to create a change set." {
		t.Fatalf("empty change set %+v %v", ds, err)
	}
	if _, err := c.DeleteChangeSet(ctx, &cfn.DeleteChangeSetInput{ChangeSetName: same.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: aws.String("same"), StackName: aws.String("sets")})
	wantAPIError(t, err, "ChangeSetNotFound", "ChangeSet [same] does not exist")

	// A modification in place, previewed then run.
	changed := strings.Replace(body, `"DelaySeconds": 1`, `"DelaySeconds": 5`, 1)
	mod, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("sets"), ChangeSetName: aws.String("mod"), TemplateBody: aws.String(changed)})
	if err != nil {
		t.Fatal(err)
	}
	dm, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: mod.Id})
	if err != nil || len(dm.Changes) != 1 || dm.Changes[0].ResourceChange.Action != cfntypes.ChangeActionModify || dm.Changes[0].ResourceChange.Replacement != cfntypes.ReplacementFalse {
		t.Fatalf("modify change set %+v %v", dm, err)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: mod.Id}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("sets")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "sets"))
	}
	url := physicalIDs(t, c, "sets")["Q"]
	a, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"DelaySeconds"}})
	if err != nil || a.Attributes["DelaySeconds"] != "5" {
		t.Fatalf("queue after update %v %v", a, err)
	}
	tpl, err := c.GetTemplate(ctx, &cfn.GetTemplateInput{StackName: aws.String("sets")})
	if err != nil || aws.ToString(tpl.TemplateBody) != changed {
		t.Fatalf("template %v %v", tpl, err)
	}
	_, err = c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("nope"), ChangeSetName: aws.String("x"), TemplateBody: aws.String(body)})
	wantAPIError(t, err, "ValidationError", "Stack with id nope does not exist")
}

func TestLambdaCodeFromS3(t *testing.T) {
	_, cfg := emutest.Start(t)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("code")}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("index.py")
	_, _ = w.Write([]byte("def handler(e, c):\n    return 1\n"))
	_ = zw.Close()
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String("fn.zip"), Body: bytes.NewReader(buf.Bytes())}); err != nil {
		t.Fatal(err)
	}
	// The template itself comes from S3 too.
	body := `
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {S3Bucket: code, S3Key: fn.zip}
  Live:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Fn
      FunctionVersion: !GetAtt V1.Version
      Name: live
  V1:
    Type: AWS::Lambda::Version
    Properties: {FunctionName: !Ref Fn}
  Allow:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Fn
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
  Work:
    Type: AWS::SQS::Queue
  FromWork:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: !Ref Fn, EventSourceArn: !GetAtt Work.Arn, BatchSize: 5, Enabled: false}
  Url:
    Type: AWS::Lambda::Url
    Properties: {TargetFunctionArn: !GetAtt Fn.Arn, AuthType: NONE}
Outputs:
  Url: {Value: !GetAtt Url.FunctionUrl}
  Mapping: {Value: !Ref FromWork}
`
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String("stack.yml"), Body: strings.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	c := cfn.NewFromConfig(cfg)
	_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("fn"), TemplateURL: aws.String("https://code.s3.amazonaws.com/stack.yml")})
	wantAPIError(t, err, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]")
	_, err = c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("fn"), TemplateURL: aws.String("https://code.s3.amazonaws.com/stack.yml"),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("fn")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "fn"))
	}
	ids := physicalIDs(t, c, "fn")
	d, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	out := outputsOf(&d.Stacks[0])
	if !strings.Contains(out["Url"], "lambda-url") {
		t.Errorf("function URL %q", out["Url"])
	}
	m, err := lambda.NewFromConfig(cfg).GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(out["Mapping"])})
	if err != nil || aws.ToInt32(m.BatchSize) != 5 || aws.ToString(m.State) != "Disabled" {
		t.Errorf("mapping %+v %v", m, err)
	}
	al, err := lambda.NewFromConfig(cfg).GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(ids["Fn"]), Name: aws.String("live")})
	if err != nil || aws.ToString(al.FunctionVersion) != "1" {
		t.Fatalf("alias %+v %v", al, err)
	}
	pol, err := lambda.NewFromConfig(cfg).GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(ids["Fn"])})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), "s3.amazonaws.com") {
		t.Fatalf("policy %v %v", pol, err)
	}
}

// Strict mode verifies every client's signature; the stack's own calls to
// the services are the emulator's, and pass.
func TestStrictModeStacks(t *testing.T) {
	e, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	c := cfn.NewFromConfig(cfg)
	createStack(t, c, "strict", `{"Resources": {"B": {"Type": "AWS::S3::Bucket"}, "T": {"Type": "AWS::SNS::Topic"}}}`)
	// A client is still held to its signature: a wrong secret is refused.
	bad := cfg.Copy()
	bad.Credentials = credentials.NewStaticCredentialsProvider(emutest.AccessKey, "wrong", "")
	_, err := cfn.NewFromConfig(bad).CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("forged"), TemplateBody: aws.String(`{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`)})
	wantAPIError(t, err, "SignatureDoesNotMatch", "")
	resp, err := http.Post(e.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=ListStacks&Version=2010-05-15"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned ListStacks: status %d", resp.StatusCode)
	}
}

// A stack's resources are made in the account and region of the request
// that created it.
func TestStacksActInTheirAccountAndRegion(t *testing.T) {
	_, cfg := emutest.Start(t)
	other := cfg.Copy()
	other.Credentials = credentials.NewStaticCredentialsProvider("111111111111", "test", "")
	other.Region = "eu-west-1"
	c := cfn.NewFromConfig(other)
	st := createStack(t, c, "elsewhere", `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "far"}}},
		"Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}}, "Account": {"Value": {"Ref": "AWS::AccountId"}}}}`)
	out := outputsOf(st)
	if out["Arn"] != "arn:aws:sqs:eu-west-1:111111111111:far" || out["Account"] != "111111111111" ||
		!strings.HasPrefix(aws.ToString(st.StackId), "arn:aws:cloudformation:eu-west-1:111111111111:stack/elsewhere/") {
		t.Fatalf("stack %s, outputs %v", aws.ToString(st.StackId), out)
	}
	if _, err := sqs.NewFromConfig(other).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("far")}); err != nil {
		t.Errorf("the queue is not in 111111111111's eu-west-1: %v", err)
	}
	if _, err := sqs.NewFromConfig(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("far")}); err == nil {
		t.Error("the queue is in the default account's us-east-1")
	}
	if _, err := cfn.NewFromConfig(cfg).DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("elsewhere")}); err == nil {
		t.Error("the default account sees the stack")
	}
}

func TestUpdateReplacePolicyRetainKeepsTheOldResource(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	body := `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "UpdateReplacePolicy": "Retain", "Properties": {"QueueName": "v1"}}}}`
	createStack(t, c, "keep", body)
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("keep"), TemplateBody: aws.String(strings.Replace(body, "v1", "v2", 1))}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("keep")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "keep"))
	}
	q := sqs.NewFromConfig(cfg)
	for _, name := range []string{"v1", "v2"} {
		if _, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)}); err != nil {
			t.Errorf("queue %s: %v", name, err)
		}
	}
}

func TestUpdateAddsAndRemovesIndexesInPlace(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	tpl := func(index string) string {
		return `
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}, {AttributeName: ` + index + `, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      GlobalSecondaryIndexes:
        - {IndexName: by-` + index + `, KeySchema: [{AttributeName: ` + index + `, KeyType: HASH}], Projection: {ProjectionType: KEYS_ONLY}}
`
	}
	createStack(t, c, "idx", tpl("email"))
	table := physicalIDs(t, c, "idx")["T"]
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("idx"), TemplateBody: aws.String(tpl("phone"))}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("idx")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "idx"))
	}
	if physicalIDs(t, c, "idx")["T"] != table {
		t.Fatal("the table was replaced")
	}
	d, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil || len(d.Table.GlobalSecondaryIndexes) != 1 || aws.ToString(d.Table.GlobalSecondaryIndexes[0].IndexName) != "by-phone" {
		t.Fatalf("indexes %+v %v", d.Table.GlobalSecondaryIndexes, err)
	}
}

// Stacks created side by side (more than run at once) all complete, and
// updates racing on one stack either run or are refused as busy.
func TestStacksSideBySide(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("side-%d", i)
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String(name),
				TemplateBody: aws.String(`{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}, "T": {"Type": "AWS::SNS::Topic"}}}`)})
			if err == nil {
				err = cfn.NewStackCreateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)}, waitTime)
			}
			errs <- err
		}()
	}
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": %d}}}}`, i+1)
			_, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("side-0"), TemplateBody: aws.String(body)})
			var ae smithy.APIError
			if err != nil && (!errors.As(err, &ae) || ae.ErrorCode() != "ValidationError") {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	l, err := c.ListStacks(ctx, &cfn.ListStacksInput{})
	if err != nil || len(l.StackSummaries) != 12 {
		t.Fatalf("stacks %d %v", len(l.StackSummaries), err)
	}
}

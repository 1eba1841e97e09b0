package cloudformation_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var ctx = context.Background()

func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("error = %s: %q, want %s: %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// waitTime bounds the SDK's waiters; stacks are final at once, so the first
// poll succeeds.
const waitTime = 30 * time.Second

func createStack(t *testing.T, c *cfn.Client, name, body string, params ...cfntypes.Parameter) *cfntypes.Stack {
	t.Helper()
	_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body), Parameters: params,
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam, cfntypes.CapabilityCapabilityAutoExpand}})
	if err != nil {
		t.Fatalf("CreateStack %s: %v", name, err)
	}
	out, err := cfn.NewStackCreateCompleteWaiter(c).WaitForOutput(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)}, waitTime)
	if err != nil {
		t.Fatalf("stack %s: %v\n%s", name, err, events(t, c, name))
	}
	return &out.Stacks[0]
}

// events lists a stack's events, oldest first, for failure messages.
func events(t *testing.T, c *cfn.Client, name string) string {
	out, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String(name)})
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for i := len(out.StackEvents) - 1; i >= 0; i-- {
		e := out.StackEvents[i]
		b.WriteString(aws.ToString(e.LogicalResourceId) + " " + string(e.ResourceStatus) + " " + aws.ToString(e.ResourceStatusReason) + "\n")
	}
	return b.String()
}

func outputsOf(st *cfntypes.Stack) map[string]string {
	m := map[string]string{}
	for _, o := range st.Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return m
}

func physicalIDs(t *testing.T, c *cfn.Client, name string) map[string]string {
	t.Helper()
	out, err := c.ListStackResources(ctx, &cfn.ListStackResourcesInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range out.StackResourceSummaries {
		m[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	return m
}

const appTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Description: an application of every supported kind
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Secret:
    Type: String
    NoEcho: true
    Default: hunter2
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 512}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
      Tags: [{Key: env, Value: !Ref Env}]
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: gsi, AttributeType: S}
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      GlobalSecondaryIndexes:
        - IndexName: byGsi
          KeySchema: [{AttributeName: gsi, KeyType: HASH}]
          Projection: {ProjectionType: ALL}
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 45
  Topic:
    Type: AWS::SNS::Topic
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      RawMessageDelivery: true
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
            Condition: {ArnEquals: {"aws:SourceArn": !Ref Topic}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: read-table
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: "dynamodb:GetItem", Resource: !GetAtt Table.Arn}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${AWS::StackName}-fn
      RetentionInDays: 7
  Function:
    Type: AWS::Lambda::Function
    DependsOn: Logs
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      MemorySize: !FindInMap [Sizes, !Ref Env, Memory]
      Environment:
        Variables:
          TABLE: !Ref Table
          BUCKET: !Ref Bucket
          MODE: !If [IsProd, strict, relaxed]
          OPTIONAL: !If [IsProd, yes, !Ref "AWS::NoValue"]
      Code:
        ZipFile: |
          def handler(event, context):
              return {"ok": True}
  DbSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString:
        SecretStringTemplate: '{"user": "app"}'
        GenerateStringKey: password
        PasswordLength: 20
Outputs:
  BucketName:
    Value: !Ref Bucket
  BucketArn:
    Value: !GetAtt Bucket.Arn
  TableStream:
    Value: !GetAtt Table.StreamArn
  QueueUrl:
    Value: !Ref Queue
  QueueArn:
    Value: !GetAtt Queue.Arn
    Export:
      Name: !Sub ${AWS::StackName}-queue-arn
  TopicArn:
    Value: !Ref Topic
  FunctionArn:
    Value: !GetAtt Function.Arn
  Joined:
    Value: !Join ["-", [!Select [1, !Split [",", "a,b,c"]], !Ref "AWS::Region", !Ref "AWS::AccountId"]]
  Encoded:
    Value: !Base64 hi
  Subnet:
    Value: !Select [1, !Cidr ["10.0.0.0/16", 3, 8]]
  Zone:
    Value: !Select [0, !GetAZs ""]
`

const importerTemplate = `
Resources:
  Reader:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !ImportValue app-queue-arn
        maxReceiveCount: 3
Outputs:
  Imported:
    Value: !ImportValue app-queue-arn
`

func TestStackOfEveryKindWithExportsAndImports(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	st := createStack(t, c, "app", appTemplate)
	if st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("status %s", st.StackStatus)
	}
	out := outputsOf(st)
	ids := physicalIDs(t, c, "app")

	// Every resource exists in its service, as the template says.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(out["BucketName"])}); err != nil {
		t.Fatalf("bucket %s: %v", out["BucketName"], err)
	}
	if !strings.HasPrefix(out["BucketName"], "app-bucket-") || out["BucketArn"] != "arn:aws:s3:::"+out["BucketName"] {
		t.Errorf("bucket outputs %q %q", out["BucketName"], out["BucketArn"])
	}
	v, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(out["BucketName"])})
	if err != nil || v.Status != "Enabled" {
		t.Errorf("versioning %v %v", v, err)
	}
	ddb := dynamodb.NewFromConfig(cfg)
	tbl, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(ids["Table"])})
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Table.GlobalSecondaryIndexes) != 1 || aws.ToString(tbl.Table.LatestStreamArn) != out["TableStream"] || out["TableStream"] == "" {
		t.Errorf("table %+v, stream output %q", tbl.Table, out["TableStream"])
	}
	ttl, err := ddb.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(ids["Table"])})
	if err != nil || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires" {
		t.Errorf("ttl %+v %v", ttl, err)
	}
	sqsc := sqs.NewFromConfig(cfg)
	attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(out["QueueUrl"]), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["VisibilityTimeout"] != "45" || attrs.Attributes["QueueArn"] != out["QueueArn"] || attrs.Attributes["Policy"] == "" {
		t.Errorf("queue attributes %v", attrs.Attributes)
	}
	// The subscription delivers: a message published to the topic arrives raw.
	snsc := sns.NewFromConfig(cfg)
	if _, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(out["TopicArn"]), Message: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	msgs, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(out["QueueUrl"]), WaitTimeSeconds: 1})
	if err != nil || len(msgs.Messages) != 1 || aws.ToString(msgs.Messages[0].Body) != "hello" {
		t.Errorf("delivered %+v %v", msgs, err)
	}
	iamc := iam.NewFromConfig(cfg)
	if _, err := iamc.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(ids["Role"]), PolicyName: aws.String("read-table")}); err != nil {
		t.Errorf("role policy: %v", err)
	}
	fn, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(ids["Function"])})
	if err != nil {
		t.Fatal(err)
	}
	env := fn.Configuration.Environment.Variables
	if env["TABLE"] != ids["Table"] || env["MODE"] != "relaxed" || env["BUCKET"] != out["BucketName"] || aws.ToInt32(fn.Configuration.MemorySize) != 128 {
		t.Errorf("function configuration %+v", fn.Configuration)
	}
	if _, set := env["OPTIONAL"]; set {
		t.Errorf("AWS::NoValue left OPTIONAL set")
	}
	if aws.ToString(fn.Configuration.FunctionArn) != out["FunctionArn"] {
		t.Errorf("function arn %q vs %q", aws.ToString(fn.Configuration.FunctionArn), out["FunctionArn"])
	}
	sec, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ids["DbSecret"])})
	if err != nil || !strings.Contains(aws.ToString(sec.SecretString), `"user":"app"`) || !strings.Contains(aws.ToString(sec.SecretString), `"password":"`) {
		t.Errorf("secret %v %v", sec, err)
	}
	want := map[string]string{"Joined": "b-us-east-1-000000000000", "Encoded": "aGk=", "Subnet": "10.0.1.0/24", "Zone": "us-east-1a"}
	for k, w := range want {
		if out[k] != w {
			t.Errorf("output %s = %q, want %q", k, out[k], w)
		}
	}
	for _, p := range st.Parameters {
		if aws.ToString(p.ParameterKey) == "Secret" && aws.ToString(p.ParameterValue) != "****" {
			t.Errorf("NoEcho parameter shown: %q", aws.ToString(p.ParameterValue))
		}
	}

	// A second stack imports the first's export.
	st2 := createStack(t, c, "reader", importerTemplate)
	if outputsOf(st2)["Imported"] != out["QueueArn"] {
		t.Errorf("imported %q, want %q", outputsOf(st2)["Imported"], out["QueueArn"])
	}
	ex, err := c.ListExports(ctx, &cfn.ListExportsInput{})
	if err != nil || len(ex.Exports) != 1 || aws.ToString(ex.Exports[0].Name) != "app-queue-arn" || aws.ToString(ex.Exports[0].ExportingStackId) != aws.ToString(st.StackId) {
		t.Fatalf("exports %+v %v", ex, err)
	}
	imp, err := c.ListImports(ctx, &cfn.ListImportsInput{ExportName: aws.String("app-queue-arn")})
	if err != nil || len(imp.Imports) != 1 || imp.Imports[0] != "reader" {
		t.Fatalf("imports %+v %v", imp, err)
	}

	// The exporting stack cannot go while the export is imported.
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("app")})
	if err != nil || d.Stacks[0].StackStatus != cfntypes.StackStatusDeleteFailed ||
		aws.ToString(d.Stacks[0].StackStatusReason) != "Export app-queue-arn cannot be deleted as it is in use by reader" {
		t.Fatalf("delete of an imported export: %+v %v", d, err)
	}
	for _, name := range []string{"reader", "app"} {
		if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if err := cfn.NewStackDeleteCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)}, waitTime); err != nil {
			t.Fatalf("delete %s: %v\n%s", name, err, events(t, c, name))
		}
	}
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(out["BucketName"])}); err == nil {
		t.Error("bucket left behind")
	}
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(ids["Table"])}); err == nil {
		t.Error("table left behind")
	}
	if _, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(ids["Role"])}); err == nil {
		t.Error("role left behind")
	}
	_, err = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("app")})
	wantAPIError(t, err, "ValidationError", "Stack with id app does not exist")
	// The deleted stack is still listed, and described by its id.
	d, err = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: st.StackId})
	if err != nil || d.Stacks[0].StackStatus != cfntypes.StackStatusDeleteComplete {
		t.Fatalf("deleted stack by id: %+v %v", d, err)
	}
}

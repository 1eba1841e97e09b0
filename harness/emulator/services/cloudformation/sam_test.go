package cloudformation_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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

	proc, err := c.GetTemplate(ctx, &cfn.GetTemplateInput{StackName: aws.String("sam"), TemplateStage: cfntypes.TemplateStageProcessed})
	if err != nil || !strings.Contains(aws.ToString(proc.TemplateBody), `"ServerlessRestApiProdStage":{`) || strings.Contains(aws.ToString(proc.TemplateBody), "AWS::Serverless") {
		t.Errorf("processed template %v: %.300s", err, aws.ToString(proc.TemplateBody))
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

// samEverythingTemplate: the other event sources, an explicit REST API, an
// HTTP API, a layer, an alias and a function URL, code from S3.
const samEverythingTemplate = `
Transform: [AWS::Serverless-2016-10-31]
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Alerts:
    Type: AWS::SNS::Topic
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: s3://code/layer.zip, CompatibleRuntimes: [python3.12]}
  Shop:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1}
  Http:
    Type: AWS::Serverless::HttpApi
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      CodeUri: {Bucket: code, Key: fn.zip}
      Layers: [!Ref Shared]
      AutoPublishAlias: live
      FunctionUrlConfig: {AuthType: NONE}
      Policies: [AmazonS3ReadOnlyAccess, {SQSSendMessagePolicy: {QueueName: q}}, {Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}]
      Events:
        Upload: {Type: S3, Properties: {Bucket: !Ref Uploads, Events: "s3:ObjectCreated:*"}}
        Alert: {Type: SNS, Properties: {Topic: !Ref Alerts}}
        Stream: {Type: DynamoDB, Properties: {Stream: !GetAtt Orders.StreamArn, StartingPosition: LATEST}}
        List: {Type: Api, Properties: {Path: "/orders/{id}", Method: get, RestApiId: !Ref Shop}}
        Get: {Type: HttpApi, Properties: {Path: /items, Method: GET, ApiId: !Ref Http}}
        Any: {Type: HttpApi}
Outputs:
  Alias: {Value: !Ref Fn.Alias}
  AliasSub: {Value: !Sub "${Fn.Alias} ${Shared}"}
`

func TestSAMEventSourcesAPIsLayersAndAliases(t *testing.T) {
	_, cfg := emutest.Start(t)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("code")}); err != nil {
		t.Fatal(err)
	}
	for key, file := range map[string]string{"fn.zip": "index.py", "layer.zip": "python/shared.py"} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create(file)
		_, _ = w.Write([]byte("def handler(e, c):\n    return 1\n"))
		_ = zw.Close()
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String(key), Body: bytes.NewReader(buf.Bytes())}); err != nil {
			t.Fatal(err)
		}
	}
	c := cfn.NewFromConfig(cfg)
	st := createStack(t, c, "samall", samEverythingTemplate)
	ids := physicalIDs(t, c, "samall")
	var names []string
	for k := range ids {
		names = append(names, regexp.MustCompile(`[0-9a-f]{10}$`).ReplaceAllString(k, "<hash>"))
	}
	sort.Strings(names)
	want := []string{"Alerts", "Fn", "FnAlert", "FnAlertPermission", "FnAliaslive", "FnAnyPermission", "FnGetPermission",
		"FnListPermissionv1", "FnRole", "FnStream", "FnUploadPermission", "FnUrl", "FnUrlPublicPermissions", "FnVersion<hash>",
		"Http", "HttpApiGatewayDefaultStage", "Orders", "ServerlessHttpApi", "ServerlessHttpApiApiGatewayDefaultStage", "Shared<hash>", "Shop", "ShopDeployment<hash>", "Shopv1Stage", "Uploads"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("logical ids\n got %v\nwant %v", names, want)
	}
	if out := outputsOf(st)["Alias"]; !strings.HasSuffix(out, ":function:"+ids["Fn"]+":live") {
		t.Errorf("Ref Fn.Alias = %q", out)
	}
	if out := outputsOf(st)["AliasSub"]; !strings.HasSuffix(out, ":live "+ids[firstWithPrefix(ids, "Shared")]) {
		t.Errorf("!Sub ${Fn.Alias} ${Shared} = %q", out)
	}
	lc := lambda.NewFromConfig(cfg)
	fc, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(ids["Fn"])})
	if err != nil || len(fc.Layers) != 1 {
		t.Fatalf("function layers %+v %v", fc, err)
	}
	// An HttpApi event naming no API goes to the implicit ServerlessHttpApi.
	for api, want := range map[string]string{"Http": "GET /items", "ServerlessHttpApi": "$default"} {
		routes, err := apigatewayv2.NewFromConfig(cfg).GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(ids[api])})
		if err != nil || len(routes.Items) != 1 || aws.ToString(routes.Items[0].RouteKey) != want {
			t.Errorf("%s's routes %+v %v, want %s", api, routes, err, want)
		}
	}
	res, err := apigateway.NewFromConfig(cfg).GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(ids["Shop"])})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range res.Items {
		_, get := r.ResourceMethods["GET"]
		found = found || (aws.ToString(r.Path) == "/orders/{id}" && get)
	}
	if !found {
		t.Errorf("no GET /orders/{id} in the Shop API")
	}
	nc, err := s3c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(ids["Uploads"])})
	if err != nil || len(nc.LambdaFunctionConfigurations) != 1 {
		t.Errorf("bucket notifications %+v %v", nc, err)
	}
	ap, err := iam.NewFromConfig(cfg).ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(ids["FnRole"])})
	if err != nil || strings.Join(ap.PolicyNames, ",") != "FnRolePolicy0,FnRolePolicy1" {
		t.Errorf("role's inline policies %+v %v", ap, err)
	}
}

func TestSAMTemplatesRefused(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	head := "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n"
	cases := []struct{ name, body, msg string }{
		{"event type", head + "      InlineCode: x\n      Events:\n        K: {Type: Kinesis, Properties: {Stream: arn}}\n",
			"Event with id [K] is invalid. groundstack's SAM transform does not support the event type Kinesis"},
		{"property", head + "      InlineCode: x\n      SnapStart: {ApplyOn: PublishedVersions}\n",
			"Resource with id [Fn] is invalid. groundstack's SAM transform does not support the property SnapStart of AWS::Serverless::Function"},
		{"event property", head + "      InlineCode: x\n      Events:\n        A: {Type: Api, Properties: {Path: /, Method: get, Auth: {}}}\n",
			"groundstack's SAM transform does not support the property Auth of Api events"},
		{"local CodeUri", head + "      CodeUri: ./src\n", "Resource with id [Fn] is invalid. 'CodeUri' is not a valid S3 Uri"},
		{"policy template", head + "      InlineCode: x\n      Policies: [{KMSDecryptPolicy: {KeyId: k}}]\n",
			"does not know the policy template KMSDecryptPolicy"},
		{"resource type", "Transform: AWS::Serverless-2016-10-31\nResources:\n  S:\n    Type: AWS::Serverless::StateMachine\n",
			"does not support the resource type AWS::Serverless::StateMachine"},
		{"globals without the transform", "Globals: {Function: {Timeout: 3}}\nResources:\n  A: {Type: AWS::SQS::Queue}\n",
			"Template format error: Invalid template property or properties [Globals]"},
	}
	// CreateStack of a SAM template needs CAPABILITY_AUTO_EXPAND, as on AWS (a change set does not).
	_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("sam"), TemplateBody: aws.String(samTemplate),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
	wantAPIError(t, err, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(tc.body),
				Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityAutoExpand}})
			if err == nil {
				t.Fatal("accepted")
			}
			wantAPIError(t, err, "ValidationError", "")
			if !strings.Contains(errMessage(err), tc.msg) {
				t.Fatalf("message %q, want it to contain %q", errMessage(err), tc.msg)
			}
		})
	}
}

func firstWithPrefix(m map[string]string, prefix string) string {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			return k
		}
	}
	return ""
}

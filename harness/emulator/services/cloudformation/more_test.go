package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iot"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

const apisTemplate = `
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: orders}
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: orders
  GetOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"statusCode": 200}'}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: GetOrders
    Properties: {RestApiId: !Ref Api}
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, DeploymentId: !Ref Deployment, StageName: prod}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: http, ProtocolType: HTTP}
  Backend:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: HTTP_PROXY
      IntegrationMethod: GET
      IntegrationUri: https://example.com
      PayloadFormatVersion: "1.0"
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: GET /items
      Target: !Sub integrations/${Backend}
  Default:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Http, StageName: $default, AutoDeploy: true}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: Errors
      Namespace: AWS/Lambda
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      Dimensions: [{Name: FunctionName, Value: f}]
  Rule:
    Type: AWS::IoT::TopicRule
    Properties:
      TopicRulePayload:
        Sql: SELECT * FROM 'devices/+/telemetry'
        RuleDisabled: false
        Actions: []
  Key:
    Type: AWS::EC2::KeyPair
    Properties: {KeyName: deploy-key}
Outputs:
  Endpoint: {Value: !GetAtt Http.ApiEndpoint}
  AlarmArn: {Value: !GetAtt Alarm.Arn}
  KeyId: {Value: !GetAtt Key.KeyPairId}
`

func TestAPIsAlarmsRulesAndKeys(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	st := createStack(t, c, "apis", apisTemplate)
	ids := physicalIDs(t, c, "apis")
	out := outputsOf(st)

	ag := apigateway.NewFromConfig(cfg)
	res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(ids["Api"])})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range res.Items {
		if aws.ToString(r.Path) == "/orders" {
			_, found = r.ResourceMethods["GET"]
		}
	}
	if !found {
		t.Errorf("no GET /orders: %+v", res.Items)
	}
	if _, err := ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(ids["Api"]), StageName: aws.String("prod")}); err != nil {
		t.Errorf("stage: %v", err)
	}
	routes, err := apigatewayv2.NewFromConfig(cfg).GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(ids["Http"])})
	if err != nil || len(routes.Items) != 1 || aws.ToString(routes.Items[0].Target) != "integrations/"+ids["Backend"] {
		t.Errorf("routes %+v %v", routes, err)
	}
	if out["Endpoint"] == "" {
		t.Error("no ApiEndpoint")
	}
	al, err := cloudwatch.NewFromConfig(cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{ids["Alarm"]}})
	if err != nil || len(al.MetricAlarms) != 1 || aws.ToString(al.MetricAlarms[0].AlarmArn) != out["AlarmArn"] {
		t.Errorf("alarm %+v %v (output %q)", al, err, out["AlarmArn"])
	}
	rule, err := iot.NewFromConfig(cfg).GetTopicRule(ctx, &iot.GetTopicRuleInput{RuleName: aws.String(ids["Rule"])})
	if err != nil || !strings.Contains(aws.ToString(rule.Rule.Sql), "devices/+/telemetry") {
		t.Errorf("rule %+v %v", rule, err)
	}
	keys, err := ec2.NewFromConfig(cfg).DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"deploy-key"}})
	if err != nil || len(keys.KeyPairs) != 1 || aws.ToString(keys.KeyPairs[0].KeyPairId) != out["KeyId"] {
		t.Errorf("key pairs %+v %v", keys, err)
	}

	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("apis")}); err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackDeleteCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("apis")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "apis"))
	}
	if _, err := ag.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(ids["Api"])}); err == nil {
		t.Error("REST API left behind")
	}
	if _, err := iot.NewFromConfig(cfg).GetTopicRule(ctx, &iot.GetTopicRuleInput{RuleName: aws.String(ids["Rule"])}); err == nil {
		t.Error("rule left behind")
	}
}

func TestBucketNotificationsCORSAndUnappliedProperties(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	createStack(t, c, "uploads", `
Resources:
  Inbox:
    Type: AWS::SQS::Queue
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-uploads
      NotificationConfiguration:
        QueueConfigurations:
          - Event: s3:ObjectCreated:*
            Queue: !GetAtt Inbox.Arn
            Filter: {S3Key: {Rules: [{Name: suffix, Value: .csv}]}}
      CorsConfiguration:
        CorsRules: [{AllowedOrigins: ["*"], AllowedMethods: [GET], MaxAge: 60}]
      LifecycleConfiguration:
        Rules: [{Status: Enabled, ExpirationInDays: 1}]
`)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cfn-uploads"), Key: aws.String("a.csv"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	// S3 sends its s3:TestEvent when the configuration is set, then the
	// object's event.
	queue := aws.String(physicalIDs(t, c, "uploads")["Inbox"])
	var bodies []string
	for range 20 { // a long poll ends when a message arrives; 20 s bounds a loaded machine
		msgs, err := sqs.NewFromConfig(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
		if strings.Contains(strings.Join(bodies, "\n"), `"key":"a.csv"`) {
			break
		}
	}
	if !strings.Contains(strings.Join(bodies, "\n"), `"key":"a.csv"`) {
		t.Fatalf("no event for a.csv: %q", bodies)
	}
	cors, err := s3c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cfn-uploads")})
	if err != nil || len(cors.CORSRules) != 1 || aws.ToInt32(cors.CORSRules[0].MaxAgeSeconds) != 60 {
		t.Fatalf("cors %+v %v", cors, err)
	}
	r, err := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("uploads"), LogicalResourceId: aws.String("Uploads")})
	if err != nil || aws.ToString(r.StackResourceDetail.ResourceStatusReason) != "groundstack did not apply these properties: [LifecycleConfiguration]" {
		t.Fatalf("reason %+v %v", r, err)
	}
}

func TestNotificationsAndPlaceholderResources(t *testing.T) {
	_, cfg := emutest.Start(t)
	snsc, sqsc := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("stack-events")})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("stack-events")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:000000000000:stack-events"), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	c := cfn.NewFromConfig(cfg)
	_, err = c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("told"), NotificationARNs: []string{aws.ToString(topic.TopicArn)},
		TemplateBody: aws.String(`{"Resources": {"CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:x"}},
			"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}, "Outputs": {"H": {"Value": {"Ref": "Handle"}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for range 5 {
		m, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Messages) == 0 {
			break
		}
		for _, msg := range m.Messages {
			bodies = append(bodies, aws.ToString(msg.Body))
		}
	}
	all := strings.Join(bodies, "\n")
	if !strings.Contains(all, "LogicalResourceId='told'\n") || !strings.Contains(all, "ResourceStatus='CREATE_COMPLETE'\nResourceStatusReason=''\nResourceType='AWS::CloudFormation::Stack'\n") ||
		!strings.Contains(all, "LogicalResourceId='Handle'") {
		t.Fatalf("notifications:\n%s", all)
	}
	d, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("told")})
	if err != nil || d.Stacks[0].StackStatus != "CREATE_COMPLETE" || !strings.HasPrefix(outputsOf(&d.Stacks[0])["H"], "https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/") {
		t.Fatalf("stack %+v %v", d, err)
	}
}

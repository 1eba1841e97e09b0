package cloudformation

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	ag2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iot"
	iottypes "github.com/aws/aws-sdk-go-v2/service/iot/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func init() {
	registry["AWS::CDK::Metadata"] = placeholder(func(c *call, id string) string { return id })
	registry["AWS::CloudFormation::WaitConditionHandle"] = placeholder(func(c *call, id string) string {
		return "https://cloudformation-waitcondition-" + c.cl.region + ".s3.amazonaws.com/" + url.PathEscape(c.stack.ID) + "/" + id
	})
	registry["AWS::Lambda::LayerVersion"] = &resourceType{
		create: publishLayer,
		delete: func(ctx context.Context, c *call) error {
			name, ver := splitQualified(c.physical)
			n, _ := strconv.ParseInt(ver, 10, 64)
			_, err := c.cl.lambda().DeleteLayerVersion(ctx, &lambda.DeleteLayerVersionInput{LayerName: aws.String(name), VersionNumber: aws.Int64(n)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGateway::RestApi"] = &resourceType{
		create: createRestAPI,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigateway().DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGateway::Resource"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.apigateway().CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: aws.String(c.str("RestApiId")),
				ParentId: aws.String(c.str("ParentId")), PathPart: aws.String(c.str("PathPart"))})
			if err != nil {
				return "", nil, cause(err)
			}
			return aws.ToString(out.Id), map[string]any{"ResourceId": aws.ToString(out.Id)}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigateway().DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: aws.String(c.str("RestApiId")), ResourceId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGateway::Method"] = &resourceType{
		create: putMethod,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigateway().DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: aws.String(c.str("RestApiId")),
				ResourceId: aws.String(c.str("ResourceId")), HttpMethod: aws.String(c.str("HttpMethod"))})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGateway::Deployment"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.apigateway().CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(c.str("RestApiId")),
				StageName: c.strPtr("StageName"), Description: c.strPtr("Description")})
			if err != nil {
				return "", nil, cause(err)
			}
			return aws.ToString(out.Id), map[string]any{"DeploymentId": aws.ToString(out.Id)}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			api := aws.String(c.str("RestApiId"))
			if c.has("StageName") { // the stage the deployment made goes with it
				_, _ = c.cl.apigateway().DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: api, StageName: aws.String(c.str("StageName"))})
			}
			_, err := c.cl.apigateway().DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: api, DeploymentId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGateway::Stage"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			vars := map[string]string{}
			for k, v := range mapOf(c.props["Variables"]) {
				vars[k] = str(v)
			}
			_, err := c.cl.apigateway().CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(c.str("RestApiId")),
				StageName: aws.String(c.str("StageName")), DeploymentId: aws.String(c.str("DeploymentId")), Description: c.strPtr("Description"), Variables: vars})
			if err != nil {
				return "", nil, cause(err)
			}
			return c.str("StageName"), map[string]any{}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigateway().DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String(c.str("RestApiId")), StageName: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGatewayV2::Api"] = &resourceType{
		create: createHTTPAPI,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigatewayv2().DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGatewayV2::Integration"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.apigatewayv2().CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: aws.String(c.str("ApiId")),
				IntegrationType: ag2types.IntegrationType(c.str("IntegrationType")), IntegrationUri: c.strPtr("IntegrationUri"),
				IntegrationMethod: c.strPtr("IntegrationMethod"), PayloadFormatVersion: c.strPtr("PayloadFormatVersion"),
				Description: c.strPtr("Description"), TimeoutInMillis: c.int32Ptr("TimeoutInMillis")})
			if err != nil {
				return "", nil, cause(err)
			}
			return aws.ToString(out.IntegrationId), map[string]any{"IntegrationId": aws.ToString(out.IntegrationId)}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigatewayv2().DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: aws.String(c.str("ApiId")), IntegrationId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGatewayV2::Route"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.apigatewayv2().CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: aws.String(c.str("ApiId")),
				RouteKey: aws.String(c.str("RouteKey")), Target: c.strPtr("Target"), AuthorizationType: ag2types.AuthorizationType(c.str("AuthorizationType")),
				AuthorizerId: c.strPtr("AuthorizerId"), OperationName: c.strPtr("OperationName")})
			if err != nil {
				return "", nil, cause(err)
			}
			return aws.ToString(out.RouteId), map[string]any{"RouteId": aws.ToString(out.RouteId)}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigatewayv2().DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: aws.String(c.str("ApiId")), RouteId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGatewayV2::Stage"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			vars := map[string]string{}
			for k, v := range mapOf(c.props["StageVariables"]) {
				vars[k] = str(v)
			}
			in := &apigatewayv2.CreateStageInput{ApiId: aws.String(c.str("ApiId")), StageName: aws.String(c.str("StageName")),
				DeploymentId: c.strPtr("DeploymentId"), Description: c.strPtr("Description"), StageVariables: vars}
			if c.has("AutoDeploy") {
				in.AutoDeploy = aws.Bool(c.boolean("AutoDeploy"))
			}
			if _, err := c.cl.apigatewayv2().CreateStage(ctx, in); err != nil {
				return "", nil, cause(err)
			}
			return c.str("StageName"), map[string]any{}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigatewayv2().DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: aws.String(c.str("ApiId")), StageName: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::ApiGatewayV2::Deployment"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.apigatewayv2().CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: aws.String(c.str("ApiId")),
				StageName: c.strPtr("StageName"), Description: c.strPtr("Description")})
			if err != nil {
				return "", nil, cause(err)
			}
			return aws.ToString(out.DeploymentId), map[string]any{"DeploymentId": aws.ToString(out.DeploymentId)}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.apigatewayv2().DeleteDeployment(ctx, &apigatewayv2.DeleteDeploymentInput{ApiId: aws.String(c.str("ApiId")), DeploymentId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::CloudWatch::Alarm"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			name := c.name("AlarmName", 255, false)
			if err := putAlarm(ctx, c, name); err != nil {
				return "", nil, err
			}
			return name, map[string]any{"Arn": c.cl.arn("cloudwatch", "alarm:"+name)}, nil
		},
		update: func(ctx context.Context, c *call) (map[string]any, error) {
			return nil, putAlarm(ctx, c, c.physical)
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.cloudwatch().DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{c.physical}})
			return ignoreGone(err)
		},
		replaceOn: []string{"AlarmName"}, nameProps: []string{"AlarmName"},
	}
	registry["AWS::IoT::TopicRule"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			name := c.str("RuleName")
			if name == "" { // rule names allow letters, digits and underscores
				name = strings.NewReplacer("-", "_").Replace(physicalName(c.stack.Name, c.logical, 128, false))
			}
			payload, err := rulePayload(c)
			if err != nil {
				return "", nil, err
			}
			if _, err := c.cl.iot().CreateTopicRule(ctx, &iot.CreateTopicRuleInput{RuleName: aws.String(name), TopicRulePayload: payload}); err != nil {
				return "", nil, cause(err)
			}
			return name, map[string]any{"Arn": c.cl.arn("iot", "rule/"+name)}, nil
		},
		update: func(ctx context.Context, c *call) (map[string]any, error) {
			payload, err := rulePayload(c)
			if err != nil {
				return nil, err
			}
			_, err = c.cl.iot().ReplaceTopicRule(ctx, &iot.ReplaceTopicRuleInput{RuleName: aws.String(c.physical), TopicRulePayload: payload})
			return nil, cause0(err)
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.iot().DeleteTopicRule(ctx, &iot.DeleteTopicRuleInput{RuleName: aws.String(c.physical)})
			return ignoreGone(err)
		},
		replaceOn: []string{"RuleName"}, nameProps: []string{"RuleName"},
	}
	registry["AWS::EC2::KeyPair"] = &resourceType{
		create: createKeyPair,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.ec2().DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String(c.physical)})
			return ignoreGone(err)
		},
		replaceOn: []string{"KeyName", "KeyType", "KeyFormat", "PublicKeyMaterial"},
	}
}

// placeholder is a resource that makes nothing in any service: CDK's
// metadata and wait condition handles, which templates carry for tools.
func placeholder(ref func(c *call, id string) string) *resourceType {
	return &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			return ref(c, physicalName(c.stack.Name, c.logical, 128, false)), map[string]any{}, nil
		},
		update: func(ctx context.Context, c *call) (map[string]any, error) { return nil, nil },
		delete: func(ctx context.Context, c *call) error { return nil },
	}
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func publishLayer(ctx context.Context, c *call) (string, map[string]any, error) {
	content := mapOf(c.props["Content"])
	in := &lambda.PublishLayerVersionInput{LayerName: aws.String(c.name("LayerName", 140, false)), Description: c.strPtr("Description"),
		LicenseInfo: c.strPtr("LicenseInfo"),
		Content:     &lambdatypes.LayerVersionContentInput{S3Bucket: strOrNil(content["S3Bucket"]), S3Key: strOrNil(content["S3Key"]), S3ObjectVersion: strOrNil(content["S3ObjectVersion"])}}
	for _, r := range listOf(c.props["CompatibleRuntimes"]) {
		in.CompatibleRuntimes = append(in.CompatibleRuntimes, lambdatypes.Runtime(str(r)))
	}
	for _, a := range listOf(c.props["CompatibleArchitectures"]) {
		in.CompatibleArchitectures = append(in.CompatibleArchitectures, lambdatypes.Architecture(str(a)))
	}
	out, err := c.cl.lambda().PublishLayerVersion(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	arn := aws.ToString(out.LayerVersionArn)
	return arn, map[string]any{"LayerVersionArn": arn}, nil
}

func createRestAPI(ctx context.Context, c *call) (string, map[string]any, error) {
	in := &apigateway.CreateRestApiInput{Name: aws.String(c.name("Name", 128, false)), Description: c.strPtr("Description")}
	for _, t := range listOf(c.props["BinaryMediaTypes"]) {
		in.BinaryMediaTypes = append(in.BinaryMediaTypes, str(t))
	}
	if ec, ok := c.props["EndpointConfiguration"].(map[string]any); ok {
		in.EndpointConfiguration = &agtypes.EndpointConfiguration{}
		for _, t := range listOf(ec["Types"]) {
			in.EndpointConfiguration.Types = append(in.EndpointConfiguration.Types, agtypes.EndpointType(str(t)))
		}
	}
	if c.has("Policy") {
		in.Policy = aws.String(jsonText(c.props["Policy"]))
	}
	if t := tagsOf(c.props["Tags"]); len(t) > 0 {
		in.Tags = t
	}
	if c.has("BodyS3Location") {
		return "", nil, reasonf("groundstack does not read a RestApi's BodyS3Location yet: give its definition as Body")
	}
	if body, ok := c.props["Body"].(map[string]any); ok { // an OpenAPI definition, as SAM's APIs carry theirs
		out, err := c.cl.apigateway().ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(jsonText(body))})
		if err != nil {
			return "", nil, cause(err)
		}
		id := aws.ToString(out.Id)
		return id, map[string]any{"RestApiId": id, "RootResourceId": aws.ToString(out.RootResourceId)}, nil
	}
	out, err := c.cl.apigateway().CreateRestApi(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	id := aws.ToString(out.Id)
	return id, map[string]any{"RestApiId": id, "RootResourceId": aws.ToString(out.RootResourceId)}, nil
}

func putMethod(ctx context.Context, c *call) (string, map[string]any, error) {
	api, res, method := aws.String(c.str("RestApiId")), aws.String(c.str("ResourceId")), aws.String(c.str("HttpMethod"))
	auth := c.str("AuthorizationType")
	if auth == "" {
		auth = "NONE"
	}
	_, err := c.cl.apigateway().PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api, ResourceId: res, HttpMethod: method,
		AuthorizationType: aws.String(auth), AuthorizerId: c.strPtr("AuthorizerId"), ApiKeyRequired: c.boolean("ApiKeyRequired"), OperationName: c.strPtr("OperationName")})
	if err != nil {
		return "", nil, cause(err)
	}
	if integ, ok := c.props["Integration"].(map[string]any); ok {
		in := &apigateway.PutIntegrationInput{RestApiId: api, ResourceId: res, HttpMethod: method, Type: agtypes.IntegrationType(str(integ["Type"])),
			IntegrationHttpMethod: strOrNil(integ["IntegrationHttpMethod"]), Uri: strOrNil(integ["Uri"]), Credentials: strOrNil(integ["Credentials"]),
			PassthroughBehavior: strOrNil(integ["PassthroughBehavior"])}
		if rt := mapOf(integ["RequestTemplates"]); rt != nil {
			in.RequestTemplates = map[string]string{}
			for k, v := range rt {
				in.RequestTemplates[k] = str(v)
			}
		}
		if _, err := c.cl.apigateway().PutIntegration(ctx, in); err != nil {
			_, _ = c.cl.apigateway().DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: api, ResourceId: res, HttpMethod: method})
			return "", nil, cause(err)
		}
	}
	return physicalName(c.stack.Name, c.logical, 128, false), map[string]any{}, nil
}

func createHTTPAPI(ctx context.Context, c *call) (string, map[string]any, error) {
	if c.has("BodyS3Location") {
		return "", nil, reasonf("groundstack does not read an Api's BodyS3Location yet: give its definition as Body")
	}
	if body, ok := c.props["Body"].(map[string]any); ok { // an OpenAPI 3 definition, as SAM's HTTP APIs carry theirs
		out, err := c.cl.apigatewayv2().ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(jsonText(body))})
		if err != nil {
			return "", nil, cause(err)
		}
		id := aws.ToString(out.ApiId)
		return id, map[string]any{"ApiId": id, "ApiEndpoint": aws.ToString(out.ApiEndpoint)}, nil
	}
	in := &apigatewayv2.CreateApiInput{Name: aws.String(c.name("Name", 128, false)), ProtocolType: ag2types.ProtocolType(c.str("ProtocolType")),
		Description: c.strPtr("Description"), RouteSelectionExpression: c.strPtr("RouteSelectionExpression"), Target: c.strPtr("Target"),
		RouteKey: c.strPtr("RouteKey"), ApiKeySelectionExpression: c.strPtr("ApiKeySelectionExpression")}
	if cors, ok := c.props["CorsConfiguration"]; ok {
		var cc ag2types.Cors
		if err := convert(cors, &cc); err != nil {
			return "", nil, reasonf("Property CorsConfiguration: %v", err)
		}
		in.CorsConfiguration = &cc
	}
	if t := mapOf(c.props["Tags"]); t != nil {
		in.Tags = map[string]string{}
		for k, v := range t {
			in.Tags[k] = str(v)
		}
	}
	out, err := c.cl.apigatewayv2().CreateApi(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	id := aws.ToString(out.ApiId)
	return id, map[string]any{"ApiId": id, "ApiEndpoint": aws.ToString(out.ApiEndpoint)}, nil
}

func putAlarm(ctx context.Context, c *call, name string) error {
	in := &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), AlarmDescription: c.strPtr("AlarmDescription"),
		ComparisonOperator: cwtypes.ComparisonOperator(c.str("ComparisonOperator")), EvaluationPeriods: c.int32Ptr("EvaluationPeriods"),
		DatapointsToAlarm: c.int32Ptr("DatapointsToAlarm"), MetricName: c.strPtr("MetricName"), Namespace: c.strPtr("Namespace"),
		Period: c.int32Ptr("Period"), Statistic: cwtypes.Statistic(c.str("Statistic")), ExtendedStatistic: c.strPtr("ExtendedStatistic"),
		TreatMissingData: c.strPtr("TreatMissingData"), Unit: cwtypes.StandardUnit(c.str("Unit"))}
	if c.has("Threshold") {
		f, err := strconv.ParseFloat(c.str("Threshold"), 64)
		if err != nil {
			return reasonf("Property Threshold: %q is not a number", c.str("Threshold"))
		}
		in.Threshold = aws.Float64(f)
	}
	if c.has("ActionsEnabled") {
		in.ActionsEnabled = aws.Bool(c.boolean("ActionsEnabled"))
	}
	for _, d := range listOf(c.props["Dimensions"]) {
		dm := mapOf(d)
		in.Dimensions = append(in.Dimensions, cwtypes.Dimension{Name: aws.String(str(dm["Name"])), Value: aws.String(str(dm["Value"]))})
	}
	for p, dst := range map[string]*[]string{"AlarmActions": &in.AlarmActions, "OKActions": &in.OKActions, "InsufficientDataActions": &in.InsufficientDataActions} {
		for _, a := range listOf(c.props[p]) {
			*dst = append(*dst, str(a))
		}
	}
	if m, ok := c.props["Metrics"]; ok {
		if err := convert(m, &in.Metrics); err != nil {
			return reasonf("Property Metrics: %v", err)
		}
	}
	_, err := c.cl.cloudwatch().PutMetricAlarm(ctx, in)
	return cause0(err)
}

func rulePayload(c *call) (*iottypes.TopicRulePayload, error) {
	var p iottypes.TopicRulePayload
	if err := convert(c.props["TopicRulePayload"], &p); err != nil {
		return nil, reasonf("Property TopicRulePayload: %v", err)
	}
	return &p, nil
}

func createKeyPair(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.str("KeyName")
	if c.has("PublicKeyMaterial") {
		out, err := c.cl.ec2().ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String(name), PublicKeyMaterial: []byte(c.str("PublicKeyMaterial"))})
		if err != nil {
			return "", nil, cause(err)
		}
		return name, map[string]any{"KeyPairId": aws.ToString(out.KeyPairId), "KeyFingerprint": aws.ToString(out.KeyFingerprint)}, nil
	}
	out, err := c.cl.ec2().CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String(name), KeyType: ec2types.KeyType(c.str("KeyType")),
		KeyFormat: ec2types.KeyFormat(c.str("KeyFormat"))})
	if err != nil {
		return "", nil, cause(err)
	}
	return name, map[string]any{"KeyPairId": aws.ToString(out.KeyPairId), "KeyFingerprint": aws.ToString(out.KeyFingerprint)}, nil
}

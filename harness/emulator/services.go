package emulator

import (
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/apigateway"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2"
	"github.com/groundstack/groundstack/harness/emulator/services/cloudformation"
	"github.com/groundstack/groundstack/harness/emulator/services/cloudwatch"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb"
	"github.com/groundstack/groundstack/harness/emulator/services/ec2"
	"github.com/groundstack/groundstack/harness/emulator/services/iam"
	"github.com/groundstack/groundstack/harness/emulator/services/iot"
	"github.com/groundstack/groundstack/harness/emulator/services/iotdata"
	"github.com/groundstack/groundstack/harness/emulator/services/lambda"
	"github.com/groundstack/groundstack/harness/emulator/services/logs"
	"github.com/groundstack/groundstack/harness/emulator/services/s3"
	"github.com/groundstack/groundstack/harness/emulator/services/secretsmanager"
	"github.com/groundstack/groundstack/harness/emulator/services/sns"
	"github.com/groundstack/groundstack/harness/emulator/services/sqs"
	"github.com/groundstack/groundstack/harness/emulator/services/sts"
)

// builtins constructs every service the emulator serves. Adding a service is
// one line here.
func builtins(env *cloud.Env) []cloud.Service {
	return []cloud.Service{
		iam.New(env),
		dynamodb.New(env), dynamodb.NewStreams(env),
		sts.New(env),
		secretsmanager.New(env),
		sqs.New(env),
		sns.New(env),
		logs.New(env),
		cloudwatch.New(env),
		lambda.New(env),
		apigateway.New(env), apigatewayv2.New(env),
		s3.New(env),
		ec2.New(env),
		iot.New(env), iotdata.New(env), // after every service their rules' actions reach
		cloudformation.New(env),
	}
}

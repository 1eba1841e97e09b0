package cloudformation

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iot"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// clients are the SDK clients one stack operation uses, made on first use.
// An operation runs its resources one at a time, so they need no lock.
type clients struct {
	cfg     aws.Config
	account string
	region  string
	host    string // the edge's address, for URLs functions call back
	newID   func() string
	// invoker and responses run custom resources (custom.go).
	invoker   cloud.FunctionInvoker
	responses *responseBox

	s3c      *s3.Client
	ddb      *dynamodb.Client
	sqsc     *sqs.Client
	snsc     *sns.Client
	iamc     *iam.Client
	lambdac  *lambda.Client
	logsc    *cloudwatchlogs.Client
	secretsc *secretsmanager.Client
	agc      *apigateway.Client
	ag2c     *apigatewayv2.Client
	cwc      *cloudwatch.Client
	iotc     *iot.Client
	ec2c     *ec2.Client
}

func (c *clients) apigateway() *apigateway.Client {
	if c.agc == nil {
		c.agc = apigateway.NewFromConfig(c.cfg)
	}
	return c.agc
}

func (c *clients) apigatewayv2() *apigatewayv2.Client {
	if c.ag2c == nil {
		c.ag2c = apigatewayv2.NewFromConfig(c.cfg)
	}
	return c.ag2c
}

func (c *clients) cloudwatch() *cloudwatch.Client {
	if c.cwc == nil {
		c.cwc = cloudwatch.NewFromConfig(c.cfg)
	}
	return c.cwc
}

func (c *clients) iot() *iot.Client {
	if c.iotc == nil {
		c.iotc = iot.NewFromConfig(c.cfg)
	}
	return c.iotc
}

func (c *clients) ec2() *ec2.Client {
	if c.ec2c == nil {
		c.ec2c = ec2.NewFromConfig(c.cfg)
	}
	return c.ec2c
}

func (c *clients) s3() *s3.Client {
	if c.s3c == nil {
		c.s3c = s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	}
	return c.s3c
}

func (c *clients) dynamodb() *dynamodb.Client {
	if c.ddb == nil {
		c.ddb = dynamodb.NewFromConfig(c.cfg)
	}
	return c.ddb
}

func (c *clients) sqs() *sqs.Client {
	if c.sqsc == nil {
		c.sqsc = sqs.NewFromConfig(c.cfg)
	}
	return c.sqsc
}

func (c *clients) sns() *sns.Client {
	if c.snsc == nil {
		c.snsc = sns.NewFromConfig(c.cfg)
	}
	return c.snsc
}

func (c *clients) iam() *iam.Client {
	if c.iamc == nil {
		c.iamc = iam.NewFromConfig(c.cfg)
	}
	return c.iamc
}

func (c *clients) lambda() *lambda.Client {
	if c.lambdac == nil {
		c.lambdac = lambda.NewFromConfig(c.cfg)
	}
	return c.lambdac
}

func (c *clients) logs() *cloudwatchlogs.Client {
	if c.logsc == nil {
		c.logsc = cloudwatchlogs.NewFromConfig(c.cfg)
	}
	return c.logsc
}

func (c *clients) secrets() *secretsmanager.Client {
	if c.secretsc == nil {
		c.secretsc = secretsmanager.NewFromConfig(c.cfg)
	}
	return c.secretsc
}

// arn builds an ARN in the clients' account and region.
func (c *clients) arn(service, resource string) string {
	return "arn:aws:" + service + ":" + c.region + ":" + c.account + ":" + resource
}

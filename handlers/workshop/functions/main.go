// Command functions is the workshop flow's five Lambda functions in one
// binary (one build instead of five): the function's handler setting
// (_HANDLER) picks which runs: image, logs, notify, router or dashboard.
// Resource names come from the same environment variables as the lab's
// Python handlers (handlers/workshop/lab.SettingsFromEnv); clients from
// the SDK's default chain (AWS_ENDPOINT_URL on an emulator), so it runs
// unchanged on AWS.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/groundstack/groundstack/handlers/sdkhttp"
	"github.com/groundstack/groundstack/handlers/workshop/lab"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	l := &lab.Lab{
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// An emulator's endpoint has no bucket subdomains.
			o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != ""
			o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient)
		}),
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient) }),
		SNS:      sns.NewFromConfig(cfg, func(o *sns.Options) { o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient) }),
		Lambda:   awslambda.NewFromConfig(cfg, func(o *awslambda.Options) { o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient) }),
		Settings: lab.SettingsFromEnv(os.Getenv),
	}
	switch h := os.Getenv("_HANDLER"); h {
	case "image":
		lambda.Start(l.ProcessImages)
	case "logs":
		lambda.Start(l.HandleLogs)
	case "notify":
		lambda.Start(l.HandleNotification)
	case "router":
		lambda.Start(l.Route)
	case "dashboard":
		lambda.Start(l.Dashboard)
	default:
		fmt.Fprintf(os.Stderr, "handler %q: want image, logs, notify, router or dashboard\n", h)
		os.Exit(1)
	}
}

// Command sdk is testfn (package fn) with the AWS SDK: mode "sdk" calls a
// service with the SDK's default configuration, and with
// TESTFN_REPORT_QUEUE every batch of records is reported to that queue.
package main

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/groundstack/groundstack/handlers/testfn/fn"
)

func main() {
	fn.SDK, fn.Send = sdkCall, send
	fn.Main()
}

var (
	sendOnce   sync.Once
	sendClient *sqs.Client
	sendErr    error
)

func send(ctx context.Context, url string, body []byte) error {
	sendOnce.Do(func() {
		var cfg aws.Config
		if cfg, sendErr = config.LoadDefaultConfig(ctx); sendErr == nil {
			sendClient = sqs.NewFromConfig(cfg)
		}
	})
	if sendClient == nil {
		return sendErr
	}
	_, err := sendClient.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(string(body))})
	return err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// sdkCall uses the SDK's default configuration, unmodified, as handler code
// on AWS does: it reaches the emulator only through AWS_ENDPOINT_URL.
func sdkCall(ctx context.Context, service string) (any, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	switch service {
	case "sts":
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, err
		}
		return map[string]string{"account": deref(out.Account), "arn": deref(out.Arn)}, nil
	case "s3":
		out, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			return nil, err
		}
		return map[string]int{"buckets": len(out.Buckets)}, nil
	case "dynamodb":
		out, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
		if err != nil {
			return nil, err
		}
		return map[string]int{"tables": len(out.TableNames)}, nil
	default:
		out, err := awslambda.NewFromConfig(cfg).ListFunctions(ctx, &awslambda.ListFunctionsInput{})
		if err != nil {
			return nil, err
		}
		names := []string{}
		for _, f := range out.Functions {
			names = append(names, deref(f.FunctionName))
		}
		return map[string]any{"functions": names, "region": cfg.Region}, nil
	}
}

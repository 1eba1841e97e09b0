package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TableCase is a flow's name as its tables' prefix: "workshop-go" as
// "WorkshopGo".
func TableCase(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// HasCode reports whether err is an AWS API error with the given code.
func HasCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// Brief is an API error's code and message, without the SDK's wrapping
// (for a deployment's notes); any other error as it is.
func Brief(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

// EnsureBuckets creates the buckets (path-style, in cfg's region) unless
// they are already ours.
func EnsureBuckets(ctx context.Context, cfg aws.Config, buckets ...string) error {
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range buckets {
		in := &s3.CreateBucketInput{Bucket: aws.String(b)}
		if cfg.Region != "" && cfg.Region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(cfg.Region)}
		}
		if _, err := c.CreateBucket(ctx, in); err != nil && !HasCode(err, "BucketAlreadyOwnedByYou") {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	return nil
}

// EnsureTables creates the tables that do not exist yet and waits until
// every one of them is ACTIVE.
func EnsureTables(ctx context.Context, cfg aws.Config, specs []*dynamodb.CreateTableInput) error {
	c := dynamodb.NewFromConfig(cfg)
	for _, in := range specs {
		_, err := c.CreateTable(ctx, in)
		var inUse *dtypes.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return fmt.Errorf("create table %s: %w", aws.ToString(in.TableName), err)
		}
	}
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 2*time.Second
	})
	for _, in := range specs {
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, 2*time.Minute); err != nil {
			return fmt.Errorf("wait for table %s: %w", aws.ToString(in.TableName), err)
		}
	}
	return nil
}

// EnsureQueueTrigger maps a queue (or stream) to a function, once: an
// existing mapping between the two is kept as it is.
func EnsureQueueTrigger(ctx context.Context, cfg aws.Config, function, sourceARN string, batchSize int32) error {
	l := lambda.NewFromConfig(cfg)
	have, err := l.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{
		FunctionName: aws.String(function), EventSourceArn: aws.String(sourceARN)})
	if err != nil {
		return err
	}
	if len(have.EventSourceMappings) > 0 {
		return nil
	}
	_, err = l.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String(function), EventSourceArn: aws.String(sourceARN), BatchSize: aws.Int32(batchSize),
	})
	return err
}

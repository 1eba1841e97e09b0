package s3_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// TestNotificationsToRealFunction: a PUT invokes a real Go function
// (handlers/testfn, built once and cached) exactly once, asynchronously.
// The event's shape is TestNotificationEvents' business; this proves the
// path through the Lambda service.
func TestNotificationsToRealFunction(t *testing.T) {
	t.Parallel()
	zipPath, _, err := deploy.BuildHandler(ctx, "../../../../handlers/testfn")
	if err != nil {
		t.Fatal(err)
	}
	zip, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	_, cfg := emutest.Start(t)
	c, l, logs := s3.NewFromConfig(cfg), awslambda.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg)
	fn, err := l.CreateFunction(ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("on-put"), Runtime: ltypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &ltypes.FunctionCode{ZipFile: zip}})
	if err != nil {
		t.Fatal(err)
	}
	mustCreateBucket(t, c, "to-function")
	err = putNotification(c, "to-function", types.NotificationConfiguration{LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{
		LambdaFunctionArn: fn.FunctionArn, Events: eventList("s3:ObjectCreated:*")}}})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "to-function", "a b.txt", []byte("x"))
	var text string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/on-put")})
		if err != nil {
			continue
		}
		var b strings.Builder
		for _, e := range out.Events {
			b.WriteString(aws.ToString(e.Message))
		}
		if text = b.String(); strings.Contains(text, "REPORT RequestId") {
			break
		}
	}
	if n := strings.Count(text, "START RequestId"); n != 1 || !strings.Contains(text, "REPORT RequestId") {
		t.Fatalf("want one finished invocation, got %d in the logs: %q", n, text)
	}
}

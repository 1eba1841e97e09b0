package lambda_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

const (
	recordsQueue = "arn:aws:sqs:us-east-1:000000000000:records"
	recordsTopic = "arn:aws:sns:us-east-1:000000000000:records"
)

func TestEventInvokeConfigLifecycle(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	arn := "arn:aws:lambda:us-east-1:000000000000:function:" + name
	before := time.Now().Add(-time.Second)
	put, err := c.PutFunctionEventInvokeConfig(bg, &awslambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), MaximumRetryAttempts: aws.Int32(1),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(recordsQueue)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.FunctionArn) != arn+":$LATEST" || aws.ToInt32(put.MaximumRetryAttempts) != 1 || put.MaximumEventAgeInSeconds != nil ||
		aws.ToString(put.DestinationConfig.OnFailure.Destination) != recordsQueue || put.DestinationConfig.OnSuccess.Destination != nil ||
		put.LastModified == nil || put.LastModified.Before(before) {
		t.Fatalf("put: %+v", put)
	}
	// Update changes what it names and keeps the rest.
	upd, err := c.UpdateFunctionEventInvokeConfig(bg, &awslambda.UpdateFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), MaximumEventAgeInSeconds: aws.Int32(120)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(upd.MaximumRetryAttempts) != 1 || aws.ToInt32(upd.MaximumEventAgeInSeconds) != 120 ||
		aws.ToString(upd.DestinationConfig.OnFailure.Destination) != recordsQueue {
		t.Fatalf("update: %+v", upd)
	}
	got, err := c.GetFunctionEventInvokeConfig(bg, &awslambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(arn)})
	if err != nil || aws.ToInt32(got.MaximumEventAgeInSeconds) != 120 || aws.ToString(got.FunctionArn) != arn+":$LATEST" {
		t.Fatalf("get: %+v %v", got, err)
	}
	// Put replaces the whole configuration.
	put, err = c.PutFunctionEventInvokeConfig(bg, &awslambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), MaximumEventAgeInSeconds: aws.Int32(60)})
	if err != nil || put.MaximumRetryAttempts != nil || put.DestinationConfig.OnFailure.Destination != nil {
		t.Fatalf("put again: %+v %v", put, err)
	}

	// An alias has its own.
	ver, err := c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAlias(bg, &awslambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: ver.Version}); err != nil {
		t.Fatal(err)
	}
	put, err = c.PutFunctionEventInvokeConfig(bg, &awslambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name + ":live"),
		DestinationConfig: &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String(recordsTopic)},
			OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")}}})
	if err != nil || aws.ToString(put.FunctionArn) != arn+":live" {
		t.Fatalf("put on alias: %+v %v", put, err)
	}
	list, err := c.ListFunctionEventInvokeConfigs(bg, &awslambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String(name), MaxItems: aws.Int32(1)})
	if err != nil || len(list.FunctionEventInvokeConfigs) != 1 || list.NextMarker == nil ||
		aws.ToString(list.FunctionEventInvokeConfigs[0].FunctionArn) != arn+":$LATEST" {
		t.Fatalf("list page 1: %+v %v", list, err)
	}
	list, err = c.ListFunctionEventInvokeConfigs(bg, &awslambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String(name), Marker: list.NextMarker})
	if err != nil || len(list.FunctionEventInvokeConfigs) != 1 || list.NextMarker != nil ||
		aws.ToString(list.FunctionEventInvokeConfigs[0].DestinationConfig.OnSuccess.Destination) != recordsTopic {
		t.Fatalf("list page 2: %+v %v", list, err)
	}

	if _, err := c.DeleteFunctionEventInvokeConfig(bg, &awslambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunctionEventInvokeConfig(bg, &awslambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	wantExact(t, err, "ResourceNotFoundException", "The function "+arn+":$LATEST doesn't have an EventInvokeConfig")
	_, err = c.DeleteFunctionEventInvokeConfig(bg, &awslambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	wantExact(t, err, "ResourceNotFoundException", "The function "+arn+":$LATEST doesn't have an EventInvokeConfig")
	_, err = c.UpdateFunctionEventInvokeConfig(bg, &awslambda.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String(name), MaximumRetryAttempts: aws.Int32(0)})
	wantExact(t, err, "ResourceNotFoundException", "The function "+arn+":$LATEST doesn't have an EventInvokeConfig")
	// Deleting the alias takes its configuration along.
	if _, err := c.DeleteAlias(bg, &awslambda.DeleteAliasInput{FunctionName: aws.String(name), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	list, err = c.ListFunctionEventInvokeConfigs(bg, &awslambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String(name)})
	if err != nil || len(list.FunctionEventInvokeConfigs) != 0 {
		t.Fatalf("list after deletes: %+v %v", list, err)
	}
}

// wantExact asserts err is an API error with exactly code and message.
func wantExact(t *testing.T, err error, code, msg string) {
	t.Helper()
	wantCode(t, err, code, msg)
	if got := apiMessage(err); got != msg {
		t.Fatalf("message %q, want %q", got, msg)
	}
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func TestEventInvokeConfigErrors(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	other := createStub(t, c)
	put := func(mutate func(*awslambda.PutFunctionEventInvokeConfigInput)) error {
		in := &awslambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(name)}
		mutate(in)
		_, err := c.PutFunctionEventInvokeConfig(bg, in)
		return err
	}
	onFailure := func(d string) func(*awslambda.PutFunctionEventInvokeConfigInput) {
		return func(in *awslambda.PutFunctionEventInvokeConfigInput) {
			in.DestinationConfig = &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(d)}}
		}
	}
	cases := []struct {
		name, code, msg string
		err             error
	}{
		{"nothing", "InvalidParameterValueException", "You must specify at least one of error handling or destination setting.",
			put(func(*awslambda.PutFunctionEventInvokeConfigInput) {})},
		{"retries", "ValidationException", "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2",
			put(func(in *awslambda.PutFunctionEventInvokeConfigInput) { in.MaximumRetryAttempts = aws.Int32(3) })},
		{"age low", "ValidationException", "1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60",
			put(func(in *awslambda.PutFunctionEventInvokeConfigInput) { in.MaximumEventAgeInSeconds = aws.Int32(59) })},
		{"age high", "ValidationException", "1 validation error detected: Value '21601' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 21600",
			put(func(in *awslambda.PutFunctionEventInvokeConfigInput) { in.MaximumEventAgeInSeconds = aws.Int32(21601) })},
		{"s3", "InvalidParameterValueException", "The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=arn:aws:s3:::bucket)) is invalid.",
			put(onFailure("arn:aws:s3:::bucket"))},
		{"itself", "InvalidParameterValueException", "You can't specify the function as a destination for itself.",
			put(onFailure("arn:aws:lambda:us-east-1:000000000000:function:" + name))},
		{"missing function destination", "InvalidParameterValueException", "The destination ARN arn:aws:lambda:us-east-1:000000000000:function:nope is invalid.",
			put(onFailure("arn:aws:lambda:us-east-1:000000000000:function:nope"))},
		{"missing function", "ResourceNotFoundException", "The function doesn't exist.",
			func() error {
				_, err := c.PutFunctionEventInvokeConfig(bg, &awslambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("nope"), MaximumRetryAttempts: aws.Int32(0)})
				return err
			}()},
		{"missing version", "ResourceNotFoundException", "The function doesn't exist.",
			put(func(in *awslambda.PutFunctionEventInvokeConfigInput) {
				in.Qualifier = aws.String("9")
				in.MaximumRetryAttempts = aws.Int32(0)
			})},
		{"list missing function", "ResourceNotFoundException", "The function doesn't exist.",
			func() error {
				_, err := c.ListFunctionEventInvokeConfigs(bg, &awslambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("nope")})
				return err
			}()},
		{"get missing function", "ResourceNotFoundException", "The function arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST doesn't have an EventInvokeConfig",
			func() error {
				_, err := c.GetFunctionEventInvokeConfig(bg, &awslambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("nope")})
				return err
			}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantExact(t, tc.err, tc.code, tc.msg) })
	}
	// A queue, a topic, another function and an event bus are accepted.
	for _, d := range []string{recordsQueue, recordsTopic, "arn:aws:lambda:us-east-1:000000000000:function:" + other,
		"arn:aws:events:us-east-1:000000000000:event-bus/default"} {
		if err := put(onFailure(d)); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	// A malformed ARN breaks the model's pattern.
	err := put(onFailure("not-an-arn"))
	wantCode(t, err, "ValidationException", "at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern")
}

func TestDeadLetterConfig(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c, func(in *awslambda.CreateFunctionInput) {
		in.DeadLetterConfig = &types.DeadLetterConfig{TargetArn: aws.String(recordsQueue)}
	})
	cfg, err := c.GetFunctionConfiguration(bg, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil || cfg.DeadLetterConfig == nil || aws.ToString(cfg.DeadLetterConfig.TargetArn) != recordsQueue {
		t.Fatalf("created: %+v %v", cfg.DeadLetterConfig, err)
	}
	upd, err := c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name),
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String(recordsTopic)}})
	if err != nil || aws.ToString(upd.DeadLetterConfig.TargetArn) != recordsTopic {
		t.Fatalf("updated: %+v %v", upd, err)
	}
	// Publishing locks the dead-letter queue into the version.
	ver, err := c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: aws.String(name)})
	if err != nil || aws.ToString(ver.DeadLetterConfig.TargetArn) != recordsTopic {
		t.Fatalf("version: %+v %v", ver, err)
	}
	// An empty target removes it.
	upd, err = c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name),
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String("")}})
	if err != nil || upd.DeadLetterConfig != nil {
		t.Fatalf("removed: %+v %v", upd.DeadLetterConfig, err)
	}
	_, err = c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name),
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String("arn:aws:s3:::bucket")}})
	wantCode(t, err, "InvalidParameterValueException", "The provided target arn is invalid")
	_, err = c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name),
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String("queue")}})
	wantCode(t, err, "ValidationException", "at 'deadLetterConfig.targetArn' failed to satisfy constraint")
}

// TestCLIEventInvokeConfig: the aws CLI sets, reads and is refused as it
// would be by AWS.
func TestCLIEventInvokeConfig(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createStub(t, c)
	out, errOut, code := emutest.CLI(t, e.URL(), "lambda", "put-function-event-invoke-config", "--function-name", name,
		"--maximum-retry-attempts", "0", "--destination-config", `{"OnFailure":{"Destination":"`+recordsQueue+`"}}`)
	if code != 0 {
		t.Fatalf("put: exit %d %s", code, errOut)
	}
	var put struct {
		FunctionArn          string
		LastModified         float64 // CLI v1 prints the wire's epoch seconds
		MaximumRetryAttempts *int
		DestinationConfig    struct{ OnFailure struct{ Destination string } }
	}
	if err := json.Unmarshal([]byte(out), &put); err != nil || put.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:"+name+":$LATEST" ||
		put.MaximumRetryAttempts == nil || *put.MaximumRetryAttempts != 0 || put.DestinationConfig.OnFailure.Destination != recordsQueue {
		t.Fatalf("put: %s %v", out, err)
	}
	if d := time.Since(time.UnixMilli(int64(put.LastModified * 1000))); d < -time.Minute || d > 5*time.Minute {
		t.Fatalf("LastModified %v (%v ago)", put.LastModified, d)
	}
	if _, errOut, code = emutest.CLI(t, e.URL(), "lambda", "delete-function-event-invoke-config", "--function-name", name); code != 0 {
		t.Fatalf("delete: exit %d %s", code, errOut)
	}
	_, errOut, code = emutest.CLI(t, e.URL(), "lambda", "get-function-event-invoke-config", "--function-name", name)
	want := "An error occurred (ResourceNotFoundException) when calling the GetFunctionEventInvokeConfig operation: The function " + put.FunctionArn + " doesn't have an EventInvokeConfig"
	if code == 0 || !strings.Contains(errOut, want) {
		t.Fatalf("get after delete: exit %d %s", code, errOut)
	}
}

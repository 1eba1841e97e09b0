package lambda_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// httpStatus is the HTTP status of a failed call (0 when none).
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// publishedStub creates a stub function with version 1 and alias "live"
// pointing at it; it returns the function's name and unqualified ARN.
func publishedStub(t *testing.T, c *awslambda.Client) (string, string) {
	t.Helper()
	name := createStub(t, c, func(in *awslambda.CreateFunctionInput) { in.Publish = true })
	if _, err := c.CreateAlias(bg, &awslambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	return name, "arn:aws:lambda:us-east-1:000000000000:function:" + name
}

func TestProvisionedConcurrencyLifecycle(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name, arn := publishedStub(t, c)
	before := time.Now().UTC().Add(-time.Second)
	for _, q := range []struct {
		qualifier string
		n         int32
	}{{"1", 5}, {"live", 3}} {
		put, err := c.PutProvisionedConcurrencyConfig(bg, &awslambda.PutProvisionedConcurrencyConfigInput{
			FunctionName: aws.String(name), Qualifier: aws.String(q.qualifier), ProvisionedConcurrentExecutions: aws.Int32(q.n)})
		if err != nil {
			t.Fatal(err)
		}
		if put.Status != types.ProvisionedConcurrencyStatusEnumReady || aws.ToInt32(put.RequestedProvisionedConcurrentExecutions) != q.n ||
			aws.ToInt32(put.AllocatedProvisionedConcurrentExecutions) != q.n || aws.ToInt32(put.AvailableProvisionedConcurrentExecutions) != q.n {
			t.Fatalf("put %s: %+v", q.qualifier, put)
		}
		if mod, err := time.Parse("2006-01-02T15:04:05-0700", aws.ToString(put.LastModified)); err != nil || mod.Before(before) {
			t.Fatalf("LastModified %q: %v", aws.ToString(put.LastModified), err)
		}
	}
	got, err := c.GetProvisionedConcurrencyConfig(bg, &awslambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String(arn), Qualifier: aws.String("1")})
	if err != nil || aws.ToInt32(got.RequestedProvisionedConcurrentExecutions) != 5 || got.Status != types.ProvisionedConcurrencyStatusEnumReady {
		t.Fatalf("get: %+v %v", got, err)
	}
	// The list pages by qualifier and names each config's qualified ARN.
	list, err := c.ListProvisionedConcurrencyConfigs(bg, &awslambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String(name), MaxItems: aws.Int32(1)})
	if err != nil || len(list.ProvisionedConcurrencyConfigs) != 1 || aws.ToString(list.ProvisionedConcurrencyConfigs[0].FunctionArn) != arn+":1" || list.NextMarker == nil {
		t.Fatalf("list page 1: %+v %v", list, err)
	}
	list, err = c.ListProvisionedConcurrencyConfigs(bg, &awslambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String(name), Marker: list.NextMarker})
	if err != nil || len(list.ProvisionedConcurrencyConfigs) != 1 || aws.ToString(list.ProvisionedConcurrencyConfigs[0].FunctionArn) != arn+":live" ||
		aws.ToInt32(list.ProvisionedConcurrencyConfigs[0].RequestedProvisionedConcurrentExecutions) != 3 || list.NextMarker != nil {
		t.Fatalf("list page 2: %+v %v", list, err)
	}
	// Delete, then Get finds none; a second Delete is no error.
	for range 2 {
		if _, err := c.DeleteProvisionedConcurrencyConfig(bg, &awslambda.DeleteProvisionedConcurrencyConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("1")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.GetProvisionedConcurrencyConfig(bg, &awslambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("1")})
	wantExact(t, err, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function")
	if s := httpStatus(err); s != http.StatusNotFound {
		t.Fatalf("status %d", s)
	}
	// Deleting the alias takes its config along.
	if _, err := c.DeleteAlias(bg, &awslambda.DeleteAliasInput{FunctionName: aws.String(name), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	list, err = c.ListProvisionedConcurrencyConfigs(bg, &awslambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String(name)})
	if err != nil || len(list.ProvisionedConcurrencyConfigs) != 0 {
		t.Fatalf("list after deletes: %+v %v", list, err)
	}
}

func TestProvisionedConcurrencyErrors(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name, arn := publishedStub(t, c)
	reserved, _ := publishedStub(t, c)
	if _, err := c.PutFunctionConcurrency(bg, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String(reserved), ReservedConcurrentExecutions: aws.Int32(4)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutProvisionedConcurrencyConfig(bg, &awslambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String(reserved), Qualifier: aws.String("1"), ProvisionedConcurrentExecutions: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, fn, qualifier string
		n                   int32
		code, msg           string
	}{
		{"latest", name, "$LATEST", 1, "InvalidParameterValueException", "Provisioned Concurrency Configs cannot be applied to unpublished function versions."},
		{"no version", name, "9", 1, "ResourceNotFoundException", "Function not found: " + arn + ":9"},
		{"no function", "nosuchfn", "1", 1, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nosuchfn"},
		{"over reserved", reserved, "live", 2, "InvalidParameterValueException", "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function"},
		{"qualifiers differ", name + ":1", "live", 1, "InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.PutProvisionedConcurrencyConfig(bg, &awslambda.PutProvisionedConcurrencyConfigInput{
				FunctionName: aws.String(tc.fn), Qualifier: aws.String(tc.qualifier), ProvisionedConcurrentExecutions: aws.Int32(tc.n)})
			wantExact(t, err, tc.code, tc.msg)
		})
	}
	_, err := c.GetProvisionedConcurrencyConfig(bg, &awslambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("9")})
	wantExact(t, err, "ResourceNotFoundException", "Function not found: "+arn+":9")
	_, err = c.ListProvisionedConcurrencyConfigs(bg, &awslambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("nosuchfn")})
	wantExact(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nosuchfn")
}

func TestRuntimeManagementConfig(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name, arn := publishedStub(t, c)
	const runtimeARN = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef"
	got, err := c.GetRuntimeManagementConfig(bg, &awslambda.GetRuntimeManagementConfigInput{FunctionName: aws.String(name)})
	if err != nil || got.UpdateRuntimeOn != types.UpdateRuntimeOnAuto || aws.ToString(got.FunctionArn) != arn+":$LATEST" || got.RuntimeVersionArn != nil {
		t.Fatalf("default: %+v %v", got, err)
	}
	put, err := c.PutRuntimeManagementConfig(bg, &awslambda.PutRuntimeManagementConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("1"),
		UpdateRuntimeOn: types.UpdateRuntimeOnManual, RuntimeVersionArn: aws.String(runtimeARN)})
	if err != nil || put.UpdateRuntimeOn != types.UpdateRuntimeOnManual || aws.ToString(put.FunctionArn) != arn+":1" || aws.ToString(put.RuntimeVersionArn) != runtimeARN {
		t.Fatalf("put: %+v %v", put, err)
	}
	got, err = c.GetRuntimeManagementConfig(bg, &awslambda.GetRuntimeManagementConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("1")})
	if err != nil || got.UpdateRuntimeOn != types.UpdateRuntimeOnManual || aws.ToString(got.RuntimeVersionArn) != runtimeARN {
		t.Fatalf("get: %+v %v", got, err)
	}
	// $LATEST keeps its own setting.
	got, err = c.GetRuntimeManagementConfig(bg, &awslambda.GetRuntimeManagementConfigInput{FunctionName: aws.String(name)})
	if err != nil || got.UpdateRuntimeOn != types.UpdateRuntimeOnAuto {
		t.Fatalf("$LATEST: %+v %v", got, err)
	}
	for _, tc := range []struct {
		name      string
		fn, q     string
		on        types.UpdateRuntimeOn
		arn       string
		code, msg string
	}{
		{"manual without arn", name, "", types.UpdateRuntimeOnManual, "", "InvalidParameterValueException", "RuntimeVersionArn must be specified when UpdateRuntimeOn is set to Manual."},
		{"auto with arn", name, "", types.UpdateRuntimeOnAuto, runtimeARN, "InvalidParameterValueException", "RuntimeVersionArn can be specified only when UpdateRuntimeOn is set to Manual."},
		{"bad value", name, "", "Sometimes", "", "ValidationException", "1 validation error detected: Value 'Sometimes' at 'updateRuntimeOn' failed to satisfy constraint: Member must satisfy enum value set: [Auto, Manual, FunctionUpdate]"},
		{"alias", name, "live", types.UpdateRuntimeOnAuto, "", "ResourceNotFoundException", "Function not found: " + arn + ":live"},
		{"no function", "nosuchfn", "", types.UpdateRuntimeOnAuto, "", "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nosuchfn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := &awslambda.PutRuntimeManagementConfigInput{FunctionName: aws.String(tc.fn), UpdateRuntimeOn: tc.on}
			if tc.q != "" {
				in.Qualifier = aws.String(tc.q)
			}
			if tc.arn != "" {
				in.RuntimeVersionArn = aws.String(tc.arn)
			}
			_, err := c.PutRuntimeManagementConfig(bg, in)
			wantExact(t, err, tc.code, tc.msg)
		})
	}
}

func TestFunctionRecursionConfig(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	got, err := c.GetFunctionRecursionConfig(bg, &awslambda.GetFunctionRecursionConfigInput{FunctionName: aws.String(name)})
	if err != nil || got.RecursiveLoop != types.RecursiveLoopTerminate {
		t.Fatalf("default: %+v %v", got, err)
	}
	put, err := c.PutFunctionRecursionConfig(bg, &awslambda.PutFunctionRecursionConfigInput{FunctionName: aws.String(name), RecursiveLoop: types.RecursiveLoopAllow})
	if err != nil || put.RecursiveLoop != types.RecursiveLoopAllow {
		t.Fatalf("put: %+v %v", put, err)
	}
	got, err = c.GetFunctionRecursionConfig(bg, &awslambda.GetFunctionRecursionConfigInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + name)})
	if err != nil || got.RecursiveLoop != types.RecursiveLoopAllow {
		t.Fatalf("get: %+v %v", got, err)
	}
	for _, tc := range []struct {
		name, fn  string
		loop      types.RecursiveLoop
		code, msg string
	}{
		{"no function", "nosuchfn", types.RecursiveLoopAllow, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nosuchfn"},
		{"qualified", name + ":1", types.RecursiveLoopAllow, "ValidationException",
			"1 validation error detected: Value '" + name + ":1' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"},
		{"bad value", name, "Sometimes", "ValidationException", "1 validation error detected: Value 'Sometimes' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: [Allow, Terminate]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.PutFunctionRecursionConfig(bg, &awslambda.PutFunctionRecursionConfigInput{FunctionName: aws.String(tc.fn), RecursiveLoop: tc.loop})
			wantExact(t, err, tc.code, tc.msg)
		})
	}
}

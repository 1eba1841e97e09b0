package lambda_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func createProvider(t *testing.T, c *awslambda.Client, name string) string {
	t.Helper()
	out, err := c.CreateCapacityProvider(bg, &awslambda.CreateCapacityProviderInput{
		CapacityProviderName: aws.String(name),
		VpcConfig:            &types.CapacityProviderVpcConfig{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{"sg-1"}},
		PermissionsConfig:    &types.CapacityProviderPermissionsConfig{CapacityProviderOperatorRoleArn: aws.String(role)},
		Tags:                 map[string]string{"team": "a"},
	})
	if err != nil {
		t.Fatalf("create provider %s: %v", name, err)
	}
	return aws.ToString(out.CapacityProvider.CapacityProviderArn)
}

func TestCapacityProviderLifecycle(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	arn := createProvider(t, c, "cp-one")
	if arn != "arn:aws:lambda:us-east-1:000000000000:capacity-provider:cp-one" {
		t.Fatalf("arn %s", arn)
	}
	createProvider(t, c, "cp-two")
	_, err := c.CreateCapacityProvider(bg, &awslambda.CreateCapacityProviderInput{
		CapacityProviderName: aws.String("cp-one"),
		VpcConfig:            &types.CapacityProviderVpcConfig{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{}},
		PermissionsConfig:    &types.CapacityProviderPermissionsConfig{CapacityProviderOperatorRoleArn: aws.String(role)},
	})
	wantCode(t, err, "ResourceConflictException", "already exists")
	if s := httpStatus(err); s != http.StatusConflict {
		t.Fatalf("status %d", s)
	}

	got, err := c.GetCapacityProvider(bg, &awslambda.GetCapacityProviderInput{CapacityProviderName: aws.String(arn)})
	if err != nil || got.CapacityProvider.State != types.CapacityProviderStateActive ||
		aws.ToString(got.CapacityProvider.PermissionsConfig.CapacityProviderOperatorRoleArn) != role ||
		strings.Join(got.CapacityProvider.VpcConfig.SubnetIds, ",") != "subnet-1" {
		t.Fatalf("get: %+v %v", got, err)
	}
	up, err := c.UpdateCapacityProvider(bg, &awslambda.UpdateCapacityProviderInput{CapacityProviderName: aws.String("cp-one"),
		CapacityProviderScalingConfig: &types.CapacityProviderScalingConfig{MaxVCpuCount: aws.Int32(64), ScalingMode: types.CapacityProviderScalingModeManual,
			ScalingPolicies: []types.TargetTrackingScalingPolicy{{PredefinedMetricType: types.CapacityProviderPredefinedMetricTypeLambdaCapacityProviderAverageCPUUtilization, TargetValue: aws.Float64(60)}}}})
	if err != nil || aws.ToInt32(up.CapacityProvider.CapacityProviderScalingConfig.MaxVCpuCount) != 64 ||
		up.CapacityProvider.CapacityProviderScalingConfig.ScalingMode != types.CapacityProviderScalingModeManual {
		t.Fatalf("update: %+v %v", up, err)
	}
	list, err := c.ListCapacityProviders(bg, &awslambda.ListCapacityProvidersInput{MaxItems: aws.Int32(1)})
	if err != nil || len(list.CapacityProviders) != 1 || aws.ToString(list.NextMarker) == "" {
		t.Fatalf("list page 1: %+v %v", list, err)
	}
	list, err = c.ListCapacityProviders(bg, &awslambda.ListCapacityProvidersInput{Marker: list.NextMarker})
	if err != nil || len(list.CapacityProviders) != 1 || !strings.HasSuffix(aws.ToString(list.CapacityProviders[0].CapacityProviderArn), ":cp-two") {
		t.Fatalf("list page 2: %+v %v", list, err)
	}

	// A function on the provider: listed by it, and it holds the provider.
	name := createStub(t, c, func(in *awslambda.CreateFunctionInput) {
		in.CapacityProviderConfig = &types.CapacityProviderConfig{LambdaManagedInstancesCapacityProviderConfig: &types.LambdaManagedInstancesCapacityProviderConfig{
			CapacityProviderArn: aws.String(arn), PerExecutionEnvironmentMaxConcurrency: aws.Int32(8)}}
		in.Publish = true
	})
	fn, err := c.GetFunctionConfiguration(bg, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil || fn.CapacityProviderConfig == nil || aws.ToString(fn.CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig.CapacityProviderArn) != arn {
		t.Fatalf("function config: %+v %v", fn, err)
	}
	vs, err := c.ListFunctionVersionsByCapacityProvider(bg, &awslambda.ListFunctionVersionsByCapacityProviderInput{CapacityProviderName: aws.String("cp-one")})
	if err != nil || aws.ToString(vs.CapacityProviderArn) != arn || len(vs.FunctionVersions) != 2 ||
		!strings.HasSuffix(aws.ToString(vs.FunctionVersions[0].FunctionArn), name+":$LATEST") {
		t.Fatalf("versions by provider: %+v %v", vs, err)
	}
	_, err = c.DeleteCapacityProvider(bg, &awslambda.DeleteCapacityProviderInput{CapacityProviderName: aws.String("cp-one")})
	wantCode(t, err, "ResourceConflictException", "in use")

	// Scaling configs: a published version (or $LATEST.PUBLISHED) of a
	// function on a provider.
	_, err = c.PutFunctionScalingConfig(bg, &awslambda.PutFunctionScalingConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("1"),
		FunctionScalingConfig: &types.FunctionScalingConfig{MinExecutionEnvironments: aws.Int32(2), MaxExecutionEnvironments: aws.Int32(5)}})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := c.GetFunctionScalingConfig(bg, &awslambda.GetFunctionScalingConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("1")})
	if err != nil || aws.ToInt32(sc.RequestedFunctionScalingConfig.MaxExecutionEnvironments) != 5 ||
		aws.ToInt32(sc.AppliedFunctionScalingConfig.MinExecutionEnvironments) != 2 || !strings.HasSuffix(aws.ToString(sc.FunctionArn), name+":1") {
		t.Fatalf("get scaling: %+v %v", sc, err)
	}
	_, err = c.GetFunctionScalingConfig(bg, &awslambda.GetFunctionScalingConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("9")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found")
	_, err = c.PutFunctionScalingConfig(bg, &awslambda.PutFunctionScalingConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("1"),
		FunctionScalingConfig: &types.FunctionScalingConfig{MinExecutionEnvironments: aws.Int32(6), MaxExecutionEnvironments: aws.Int32(5)}})
	wantCode(t, err, "InvalidParameterValueException", "MinExecutionEnvironments")
	plain := createStub(t, c, func(in *awslambda.CreateFunctionInput) { in.Publish = true })
	_, err = c.PutFunctionScalingConfig(bg, &awslambda.PutFunctionScalingConfigInput{FunctionName: aws.String(plain), Qualifier: aws.String("1")})
	wantCode(t, err, "InvalidParameterValueException", "capacity provider")

	// A provider that does not exist.
	_, err = c.CreateFunction(bg, &awslambda.CreateFunctionInput{FunctionName: aws.String("on-missing"), Role: aws.String(role),
		Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: zipOf(t, map[string]string{"bootstrap": "x"})},
		CapacityProviderConfig: &types.CapacityProviderConfig{LambdaManagedInstancesCapacityProviderConfig: &types.LambdaManagedInstancesCapacityProviderConfig{
			CapacityProviderArn: aws.String("arn:aws:lambda:us-east-1:000000000000:capacity-provider:nope")}}})
	wantCode(t, err, "InvalidParameterValueException", "Capacity provider not found")

	if _, err := c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteCapacityProvider(bg, &awslambda.DeleteCapacityProviderInput{CapacityProviderName: aws.String("cp-one")})
	if err != nil || del.CapacityProvider.State != types.CapacityProviderStateDeleting {
		t.Fatalf("delete: %+v %v", del, err)
	}
	_, err = c.GetCapacityProvider(bg, &awslambda.GetCapacityProviderInput{CapacityProviderName: aws.String("cp-one")})
	wantCode(t, err, "ResourceNotFoundException", "Capacity provider not found: "+arn)
	if s := httpStatus(err); s != http.StatusNotFound {
		t.Fatalf("status %d", s)
	}
	_, err = c.UpdateCapacityProvider(bg, &awslambda.UpdateCapacityProviderInput{CapacityProviderName: aws.String("cp-one")})
	wantCode(t, err, "ResourceNotFoundException", "")
	_, err = c.ListFunctionVersionsByCapacityProvider(bg, &awslambda.ListFunctionVersionsByCapacityProviderInput{CapacityProviderName: aws.String("cp-one")})
	wantCode(t, err, "ResourceNotFoundException", "")
}

func TestCapacityProviderValidation(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	for _, tc := range []struct{ body, want string }{
		{`{"CapacityProviderName":"x","PermissionsConfig":{"CapacityProviderOperatorRoleArn":"` + role + `"}}`, "Value 'null' at 'vpcConfig'"},
		{`{"CapacityProviderName":"bad name","VpcConfig":{"SubnetIds":["s"],"SecurityGroupIds":[]},"PermissionsConfig":{"CapacityProviderOperatorRoleArn":"` + role + `"}}`, "'capacityProviderName'"},
		{`{"CapacityProviderName":"x","VpcConfig":{"SubnetIds":[],"SecurityGroupIds":[]},"PermissionsConfig":{"CapacityProviderOperatorRoleArn":"` + role + `"}}`, "'vpcConfig.subnetIds'"},
		{`{"CapacityProviderName":"x","VpcConfig":{"SubnetIds":["s"],"SecurityGroupIds":[]},"PermissionsConfig":{"CapacityProviderOperatorRoleArn":"` + role + `"},"CapacityProviderScalingConfig":{"MaxVCpuCount":1}}`, "'capacityProviderScalingConfig.maxVCpuCount'"},
	} {
		status, code, body := raw(t, e, "POST", "/2025-11-30/capacity-providers", []byte(tc.body), nil)
		if status != http.StatusBadRequest || code != "ValidationException" || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s %s", tc.body, status, code, body)
		}
	}
	status, code, _ := raw(t, e, "GET", "/2025-11-30/capacity-providers?MaxItems=51", nil, nil)
	if status != http.StatusBadRequest || code != "ValidationException" {
		t.Errorf("MaxItems 51: %d %s", status, code)
	}
	_, err := c.GetFunctionScalingConfig(bg, &awslambda.GetFunctionScalingConfigInput{FunctionName: aws.String("f"), Qualifier: aws.String("$LATEST")})
	wantCode(t, err, "ValidationException", "'qualifier'")
}

// TestCLICapacityProvider creates and reads a capacity provider with the
// aws CLI (v1).
func TestCLICapacityProvider(t *testing.T) {
	t.Parallel()
	e, _ := start(t)
	_, errOut, code := emutest.CLI(t, e.URL(), "lambda", "create-capacity-provider", "--capacity-provider-name", "cli-cp",
		"--vpc-config", "SubnetIds=subnet-1,SecurityGroupIds=sg-1",
		"--permissions-config", "CapacityProviderOperatorRoleArn="+role)
	if code != 0 {
		t.Fatalf("create-capacity-provider: %d %s", code, errOut)
	}
	out, errOut, code := emutest.CLI(t, e.URL(), "lambda", "list-capacity-providers")
	var list struct {
		CapacityProviders []struct{ CapacityProviderArn, State string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list.CapacityProviders) != 1 ||
		list.CapacityProviders[0].CapacityProviderArn != "arn:aws:lambda:us-east-1:000000000000:capacity-provider:cli-cp" || list.CapacityProviders[0].State != "Active" {
		t.Fatalf("list-capacity-providers: %d %s %s", code, out, errOut)
	}
	_, errOut, code = emutest.CLI(t, e.URL(), "lambda", "get-capacity-provider", "--capacity-provider-name", "nope")
	if code == 0 || !strings.Contains(errOut, "ResourceNotFoundException") {
		t.Fatalf("get-capacity-provider nope: %d %s", code, errOut)
	}
}

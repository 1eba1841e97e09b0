package lambda_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The ARNs the control plane answers with, as AWS (and moto) give them:
// CreateFunction with Publish answers version 1 under the unqualified ARN,
// which callers pass back to unqualified calls; listings of versions
// qualify every ARN, $LATEST's too; the plain listing qualifies none.
func TestFunctionARNsInAnswers(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := "fn-arns-publish"
	out, err := c.CreateFunction(bg, &awslambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Role: aws.String(role),
		Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: testfnZip}, Publish: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:lambda:us-east-1:000000000000:function:" + name
	if aws.ToString(out.FunctionArn) != arn || aws.ToString(out.Version) != "1" {
		t.Fatalf("CreateFunction Publish: FunctionArn %s Version %s, want %s and 1", aws.ToString(out.FunctionArn), aws.ToString(out.Version), arn)
	}
	if _, err := c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: out.FunctionArn, Description: aws.String("d")}); err != nil {
		t.Fatalf("UpdateFunctionConfiguration with the ARN CreateFunction gave: %v", err)
	}
	arnsOf := func(fs []types.FunctionConfiguration) map[string]string {
		m := map[string]string{}
		for _, f := range fs {
			if aws.ToString(f.FunctionName) == name {
				m[aws.ToString(f.Version)] = aws.ToString(f.FunctionArn)
			}
		}
		return m
	}
	all, err := c.ListFunctions(bg, &awslambda.ListFunctionsInput{FunctionVersion: types.FunctionVersionAll})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := c.ListVersionsByFunction(bg, &awslambda.ListVersionsByFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := c.ListFunctions(bg, &awslambda.ListFunctionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		got  map[string]string
		want map[string]string
	}{
		{"ListFunctions ALL", arnsOf(all.Functions), map[string]string{"$LATEST": arn + ":$LATEST", "1": arn + ":1"}},
		{"ListVersionsByFunction", arnsOf(vs.Versions), map[string]string{"$LATEST": arn + ":$LATEST", "1": arn + ":1"}},
		{"ListFunctions", arnsOf(plain.Functions), map[string]string{"$LATEST": arn}},
	} {
		if len(tc.got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
		for v, want := range tc.want {
			if tc.got[v] != want {
				t.Errorf("%s: version %s has ARN %q, want %q", tc.name, v, tc.got[v], want)
			}
		}
	}
}

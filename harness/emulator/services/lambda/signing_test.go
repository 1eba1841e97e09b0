package lambda_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const signingProfile = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/Profile/abcdef0123"

var cscARNRE = regexp.MustCompile(`^arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-[a-z0-9]{17}$`)

func createCSC(t *testing.T, c *awslambda.Client, mutate ...func(*awslambda.CreateCodeSigningConfigInput)) *types.CodeSigningConfig {
	t.Helper()
	in := &awslambda.CreateCodeSigningConfigInput{AllowedPublishers: &types.AllowedPublishers{SigningProfileVersionArns: []string{signingProfile}}}
	for _, m := range mutate {
		m(in)
	}
	out, err := c.CreateCodeSigningConfig(bg, in)
	if err != nil {
		t.Fatal(err)
	}
	return out.CodeSigningConfig
}

func TestCodeSigningConfigLifecycle(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	cfg := createCSC(t, c, func(in *awslambda.CreateCodeSigningConfigInput) {
		in.Description = aws.String("signed")
		in.Tags = map[string]string{"team": "a"}
	})
	arn := aws.ToString(cfg.CodeSigningConfigArn)
	if !cscARNRE.MatchString(arn) || arn[len(arn)-21:] != aws.ToString(cfg.CodeSigningConfigId) || aws.ToString(cfg.Description) != "signed" ||
		cfg.CodeSigningPolicies.UntrustedArtifactOnDeployment != types.CodeSigningPolicyWarn ||
		len(cfg.AllowedPublishers.SigningProfileVersionArns) != 1 || aws.ToString(cfg.LastModified) == "" {
		t.Fatalf("create: %+v", cfg)
	}
	got, err := c.GetCodeSigningConfig(bg, &awslambda.GetCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	if err != nil || aws.ToString(got.CodeSigningConfig.CodeSigningConfigId) != aws.ToString(cfg.CodeSigningConfigId) {
		t.Fatalf("get: %+v %v", got, err)
	}
	upd, err := c.UpdateCodeSigningConfig(bg, &awslambda.UpdateCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn),
		CodeSigningPolicies: &types.CodeSigningPolicies{UntrustedArtifactOnDeployment: types.CodeSigningPolicyEnforce}})
	if err != nil || upd.CodeSigningConfig.CodeSigningPolicies.UntrustedArtifactOnDeployment != types.CodeSigningPolicyEnforce ||
		aws.ToString(upd.CodeSigningConfig.Description) != "signed" {
		t.Fatalf("update: %+v %v", upd, err)
	}
	tags, err := c.ListTags(bg, &awslambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil || tags.Tags["team"] != "a" {
		t.Fatalf("tags: %+v %v", tags, err)
	}
	list, err := c.ListCodeSigningConfigs(bg, &awslambda.ListCodeSigningConfigsInput{})
	if err != nil || len(list.CodeSigningConfigs) != 1 || aws.ToString(list.CodeSigningConfigs[0].CodeSigningConfigArn) != arn {
		t.Fatalf("list: %+v %v", list, err)
	}

	// Attaching it to a function.
	name := createStub(t, c)
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:" + name
	fget, err := c.GetFunctionCodeSigningConfig(bg, &awslambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String(name)})
	if err != nil || aws.ToString(fget.CodeSigningConfigArn) != "" || aws.ToString(fget.FunctionName) != name {
		t.Fatalf("get unset: %+v %v", fget, err)
	}
	put, err := c.PutFunctionCodeSigningConfig(bg, &awslambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String(fnARN), CodeSigningConfigArn: aws.String(arn)})
	if err != nil || aws.ToString(put.CodeSigningConfigArn) != arn || aws.ToString(put.FunctionName) != name {
		t.Fatalf("put: %+v %v", put, err)
	}
	fget, err = c.GetFunctionCodeSigningConfig(bg, &awslambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String(name)})
	if err != nil || aws.ToString(fget.CodeSigningConfigArn) != arn {
		t.Fatalf("get: %+v %v", fget, err)
	}
	fns, err := c.ListFunctionsByCodeSigningConfig(bg, &awslambda.ListFunctionsByCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	if err != nil || len(fns.FunctionArns) != 1 || fns.FunctionArns[0] != fnARN {
		t.Fatalf("functions: %+v %v", fns, err)
	}
	// A config in use cannot be deleted.
	_, err = c.DeleteCodeSigningConfig(bg, &awslambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	wantExact(t, err, "ResourceConflictException", "The code signing configuration cannot be deleted because it is used by one or more functions.")
	if _, err := c.DeleteFunctionCodeSigningConfig(bg, &awslambda.DeleteFunctionCodeSigningConfigInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	fns, err = c.ListFunctionsByCodeSigningConfig(bg, &awslambda.ListFunctionsByCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	if err != nil || len(fns.FunctionArns) != 0 {
		t.Fatalf("functions after detach: %+v %v", fns, err)
	}
	if _, err := c.DeleteCodeSigningConfig(bg, &awslambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetCodeSigningConfig(bg, &awslambda.GetCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	wantExact(t, err, "ResourceNotFoundException", "The code signing configuration cannot be found. Check that the provided configuration is not deleted: "+arn+".")
	if s := httpStatus(err); s != http.StatusNotFound {
		t.Fatalf("status %d", s)
	}
}

func TestCodeSigningConfigErrors(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	const missing = "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdefg"
	notFound := "The code signing configuration cannot be found. Check that the provided configuration is not deleted: " + missing + "."
	for _, tc := range []struct {
		name      string
		call      func() error
		code, msg string
		status    int
	}{
		{"get missing", func() error {
			_, err := c.GetCodeSigningConfig(bg, &awslambda.GetCodeSigningConfigInput{CodeSigningConfigArn: aws.String(missing)})
			return err
		}, "ResourceNotFoundException", notFound, 404},
		{"update missing", func() error {
			_, err := c.UpdateCodeSigningConfig(bg, &awslambda.UpdateCodeSigningConfigInput{CodeSigningConfigArn: aws.String(missing), Description: aws.String("x")})
			return err
		}, "ResourceNotFoundException", notFound, 404},
		{"delete missing", func() error {
			_, err := c.DeleteCodeSigningConfig(bg, &awslambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(missing)})
			return err
		}, "ResourceNotFoundException", notFound, 404},
		{"functions of missing", func() error {
			_, err := c.ListFunctionsByCodeSigningConfig(bg, &awslambda.ListFunctionsByCodeSigningConfigInput{CodeSigningConfigArn: aws.String(missing)})
			return err
		}, "ResourceNotFoundException", notFound, 404},
		{"attach missing", func() error {
			_, err := c.PutFunctionCodeSigningConfig(bg, &awslambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String(name), CodeSigningConfigArn: aws.String(missing)})
			return err
		}, "CodeSigningConfigNotFoundException", notFound, 404},
		{"attach to missing function", func() error {
			_, err := c.PutFunctionCodeSigningConfig(bg, &awslambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String("nosuchfn"), CodeSigningConfigArn: aws.String(missing)})
			return err
		}, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nosuchfn", 404},
		{"bad arn", func() error {
			_, err := c.GetCodeSigningConfig(bg, &awslambda.GetCodeSigningConfigInput{CodeSigningConfigArn: aws.String("csc-1")})
			return err
		}, "ValidationException", "1 validation error detected: Value 'csc-1' at 'codeSigningConfigArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
			`arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}:code-signing-config:csc-[a-z0-9]{17}`, 400},
		{"no publishers", func() error {
			_, err := c.CreateCodeSigningConfig(bg, &awslambda.CreateCodeSigningConfigInput{AllowedPublishers: &types.AllowedPublishers{SigningProfileVersionArns: []string{}}})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'allowedPublishers.signingProfileVersionArns' failed to satisfy constraint: Member must have length greater than or equal to 1", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call()
			wantExact(t, err, tc.code, tc.msg)
			if s := httpStatus(err); s != tc.status {
				t.Fatalf("status %d, want %d", s, tc.status)
			}
		})
	}
}

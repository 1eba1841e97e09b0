package lambda_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func TestCreateGetDelete(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) {
		in.Description = aws.String("a test function")
		in.Environment = &types.Environment{Variables: map[string]string{"GREETING": "hi"}}
		in.Tags = map[string]string{"team": "qa"}
	})
	if err := awslambda.NewFunctionActiveV2Waiter(c).Wait(bg, &awslambda.GetFunctionInput{FunctionName: aws.String(name)}, 10*time.Second); err != nil {
		t.Fatalf("active waiter: %v", err)
	}
	out, err := c.GetFunction(bg, &awslambda.GetFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := out.Configuration
	arn := "arn:aws:lambda:us-east-1:000000000000:function:" + name
	checks := []struct {
		field     string
		got, want any
	}{
		{"FunctionArn", aws.ToString(cfg.FunctionArn), arn},
		{"Runtime", cfg.Runtime, types.RuntimeProvidedal2023},
		{"Handler", aws.ToString(cfg.Handler), "bootstrap"},
		{"Role", aws.ToString(cfg.Role), role},
		{"Timeout", aws.ToInt32(cfg.Timeout), int32(10)},
		{"MemorySize", aws.ToInt32(cfg.MemorySize), int32(128)},
		{"CodeSha256", aws.ToString(cfg.CodeSha256), testfnSha},
		{"CodeSize", cfg.CodeSize, int64(len(testfnZip))},
		{"Version", aws.ToString(cfg.Version), "$LATEST"},
		{"State", cfg.State, types.StateActive},
		{"LastUpdateStatus", cfg.LastUpdateStatus, types.LastUpdateStatusSuccessful},
		{"PackageType", cfg.PackageType, types.PackageTypeZip},
		{"Description", aws.ToString(cfg.Description), "a test function"},
		{"Env", cfg.Environment.Variables["GREETING"], "hi"},
		{"Architectures", cfg.Architectures[0], types.ArchitectureX8664},
		{"LogGroup", aws.ToString(cfg.LoggingConfig.LogGroup), "/aws/lambda/" + name},
		{"Tags", out.Tags["team"], "qa"},
		{"RepositoryType", aws.ToString(out.Code.RepositoryType), "S3"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.field, ck.got, ck.want)
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000-0700", aws.ToString(cfg.LastModified)); err != nil {
		t.Errorf("LastModified %q: %v", aws.ToString(cfg.LastModified), err)
	}
	// Code.Location serves the zip itself.
	resp, err := http.Get(aws.ToString(out.Code.Location))
	if err != nil {
		t.Fatal(err)
	}
	zipBytes, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(zipBytes, testfnZip) {
		t.Fatalf("Code.Location %s: status %d, %d bytes (want %d)", aws.ToString(out.Code.Location), resp.StatusCode, len(zipBytes), len(testfnZip))
	}
	_ = e
	gc, err := c.GetFunctionConfiguration(bg, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(arn)})
	if err != nil || aws.ToString(gc.FunctionName) != name {
		t.Fatalf("GetFunctionConfiguration by ARN: %v %v", gc, err)
	}
	if _, err := c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunction(bg, &awslambda.GetFunctionInput{FunctionName: aws.String(name)})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: "+arn)
	_, err = c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: "+arn)
}

func TestCreateFunctionErrors(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	existing := createStub(t, c)
	noBootstrap := zipOf(t, map[string]string{"README": "no bootstrap here"})
	stub := zipOf(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 1\n"})
	cases := []struct {
		name   string
		mutate func(*awslambda.CreateFunctionInput)
		code   string
		msg    string
	}{
		{"duplicate", func(in *awslambda.CreateFunctionInput) { in.FunctionName = aws.String(existing) },
			"ResourceConflictException", "Function already exist: " + existing},
		{"not a zip", func(in *awslambda.CreateFunctionInput) { in.Code.ZipFile = []byte("hello, not a zip") },
			"InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"bad role", func(in *awslambda.CreateFunctionInput) { in.Role = aws.String("lambda-role") },
			"ValidationException", "Value 'lambda-role' at 'role' failed to satisfy constraint"},
		{"reserved env", func(in *awslambda.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"AWS_REGION": "eu-west-1"}}
		}, "InvalidParameterValueException", "Reserved keys used in this request: AWS_REGION"},
		{"env too big", func(in *awslambda.CreateFunctionInput) {
			in.Environment = &types.Environment{Variables: map[string]string{"BIG": strings.Repeat("x", 5000)}}
		}, "InvalidParameterValueException", "exceeded the 4KB limit"},
		{"timeout too long", func(in *awslambda.CreateFunctionInput) { in.Timeout = aws.Int32(901) },
			"ValidationException", "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"memory too small", func(in *awslambda.CreateFunctionInput) { in.MemorySize = aws.Int32(64) },
			"ValidationException", "at 'memorySize'"},
		{"unknown runtime", func(in *awslambda.CreateFunctionInput) { in.Runtime = "cobol85" },
			"InvalidParameterValueException", "Value cobol85 at 'runtime' failed to satisfy constraint"},
		{"no code", func(in *awslambda.CreateFunctionInput) { in.Code = &types.FunctionCode{} },
			"InvalidParameterValueException", "Please provide a source for function code."},
		{"missing S3 object", func(in *awslambda.CreateFunctionInput) {
			in.Code = &types.FunctionCode{S3Bucket: aws.String("no-such-bucket"), S3Key: aws.String("fn.zip")}
		}, "InvalidParameterValueException", "Error occurred while GetObject."},
		{"bad name", func(in *awslambda.CreateFunctionInput) { in.FunctionName = aws.String("bad name!") },
			"ValidationException", "at 'functionName' failed to satisfy constraint"},
		{"bad architecture", func(in *awslambda.CreateFunctionInput) { in.Architectures = []types.Architecture{"sparc"} },
			"ValidationException", "at 'architectures'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &awslambda.CreateFunctionInput{
				FunctionName: aws.String("err-" + strings.ReplaceAll(tc.name, " ", "-")),
				Runtime:      types.RuntimeProvidedal2023, Role: aws.String(role), Handler: aws.String("bootstrap"),
				Code: &types.FunctionCode{ZipFile: stub}, // every case fails before or after the code
			}
			tc.mutate(in)
			_, err := c.CreateFunction(bg, in)
			wantCode(t, err, tc.code, tc.msg)
		})
	}
	// AWS accepts a zip without bootstrap; invoking it fails like AWS.
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) { in.Code.ZipFile = noBootstrap })
	out := invoke(t, c, name, `{}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorType":"Runtime.InvalidEntrypoint"`) ||
		!strings.Contains(string(out.Payload), "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]") {
		t.Fatalf("no bootstrap: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

func TestCreateFunctionTooLarge(t *testing.T) {
	t.Parallel()
	e, _ := start(t)
	// A 50 MB zip is about 70 MB of JSON; the edge refuses it from the
	// Content-Length without reading it.
	body := io.LimitReader(zeroReader{}, 69905068)
	req, _ := http.NewRequest("POST", e.URL()+"/2015-03-31/functions", body)
	req.ContentLength = 69905068
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || resp.Header.Get("X-Amzn-Errortype") != "RequestEntityTooLargeException" ||
		!strings.Contains(string(b), "Request must be smaller than 69905067 bytes for the CreateFunction operation") {
		t.Fatalf("got %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), b)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func TestListFunctionsPaging(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	var names []string
	for i := 0; i < 5; i++ {
		names = append(names, createStub(t, c))
	}
	// ListFunctions pages in name order; the names' sequence numbers may
	// cross a power of ten (fn-…-99, fn-…-100) when other tests create
	// functions too.
	sort.Strings(names)
	var got []string
	pages := 0
	p := awslambda.NewListFunctionsPaginator(c, &awslambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Functions) > 2 {
			t.Fatalf("page of %d", len(out.Functions))
		}
		for _, f := range out.Functions {
			got = append(got, aws.ToString(f.FunctionName))
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("pages=%d got %v want %v", pages, got, names)
	}
	_, err := c.ListFunctions(bg, &awslambda.ListFunctionsInput{MaxItems: aws.Int32(0)})
	if err == nil {
		t.Fatal("MaxItems 0 accepted")
	}
}

func TestUpdateCodeAndConfiguration(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"STAGE": "one"}}
	})
	first := ctxReport(t, c, name, "")
	if first.env["STAGE"] != "one" {
		t.Fatalf("env: %v", first.env)
	}
	up, err := c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name),
		Environment:  &types.Environment{Variables: map[string]string{"STAGE": "two"}},
		MemorySize:   aws.Int32(256),
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.LastUpdateStatus != types.LastUpdateStatusSuccessful || aws.ToInt32(up.MemorySize) != 256 {
		t.Fatalf("update: %v %v", up.LastUpdateStatus, aws.ToInt32(up.MemorySize))
	}
	if err := awslambda.NewFunctionUpdatedV2Waiter(c).Wait(bg, &awslambda.GetFunctionInput{FunctionName: aws.String(name)}, 10*time.Second); err != nil {
		t.Fatalf("updated waiter: %v", err)
	}
	second := ctxReport(t, c, name, "")
	if second.env["STAGE"] != "two" || second.memory != 256 {
		t.Fatalf("after update: %+v", second)
	}
	if second.pid == first.pid {
		t.Fatal("the new configuration ran on the old instance")
	}
	waitGone(t, first.pid)
	// New code (a zip with a different sha) and publish in one call.
	other := zipOf(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 7\n"})
	uc, err := c.UpdateFunctionCode(bg, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: other, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(uc.Version) != "1" || aws.ToString(uc.CodeSha256) == testfnSha {
		t.Fatalf("update code: version %s sha %s", aws.ToString(uc.Version), aws.ToString(uc.CodeSha256))
	}
	out := invoke(t, c, name, `{}`)
	if !strings.Contains(string(out.Payload), "Runtime exited with error: exit status 7") {
		t.Fatalf("new code did not run: %s", out.Payload)
	}
	waitGone(t, second.pid)
	// RevisionId guards concurrent updates.
	_, err = c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name), Description: aws.String("x"), RevisionId: aws.String("stale")})
	wantCode(t, err, "PreconditionFailedException", "")
	// An unknown runtime is AWS's InvalidParameterValueException, not the
	// model's ValidationException (a runtime may also be an ARN).
	_, err = c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Runtime: "PYTHON3.9"})
	wantCode(t, err, "InvalidParameterValueException", "Value PYTHON3.9 at 'runtime' failed to satisfy constraint")
	_ = e
}

type ctxInfo struct {
	pid     int
	memory  int
	version string
	env     map[string]string
}

// ctxReport invokes mode ctx and env on name (with a qualifier).
func ctxReport(t *testing.T, c *awslambda.Client, name, qualifier string) ctxInfo {
	t.Helper()
	q := func(in *awslambda.InvokeInput) {
		if qualifier != "" {
			in.Qualifier = aws.String(qualifier)
		}
	}
	out := invoke(t, c, name, `{"mode":"ctx"}`, q)
	var r struct {
		Pid             int    `json:"pid"`
		MemoryLimitMB   int    `json:"memoryLimitMB"`
		FunctionVersion string `json:"functionVersion"`
	}
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("ctx: %s", out.Payload)
	}
	envOut := invoke(t, c, name, `{"mode":"env","keys":["STAGE"]}`, q)
	var env map[string]string
	json.Unmarshal(envOut.Payload, &env)
	return ctxInfo{pid: r.Pid, memory: r.MemoryLimitMB, version: r.FunctionVersion, env: env}
}

func TestVersionsAndAliases(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"STAGE": "v1"}}
	})
	v1, err := c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: aws.String(name)})
	if err != nil || aws.ToString(v1.Version) != "1" || !strings.HasSuffix(aws.ToString(v1.FunctionArn), ":"+name+":1") {
		t.Fatalf("publish 1: %v %v", v1, err)
	}
	// Publishing an unchanged $LATEST returns the same version.
	again, _ := c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: aws.String(name)})
	if aws.ToString(again.Version) != "1" {
		t.Fatalf("republish gave version %s", aws.ToString(again.Version))
	}
	c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name), Environment: &types.Environment{Variables: map[string]string{"STAGE": "v2"}}})
	v2, err := c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: aws.String(name), Description: aws.String("second")})
	if err != nil || aws.ToString(v2.Version) != "2" {
		t.Fatalf("publish 2: %v", err)
	}
	vs, err := c.ListVersionsByFunction(bg, &awslambda.ListVersionsByFunctionInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs.Versions {
		got = append(got, aws.ToString(v.Version))
	}
	if strings.Join(got, ",") != "$LATEST,1,2" {
		t.Fatalf("versions %v", got)
	}
	alias, err := c.CreateAlias(bg, &awslambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	if err != nil || !strings.HasSuffix(aws.ToString(alias.AliasArn), ":"+name+":live") {
		t.Fatalf("create alias: %v %v", alias, err)
	}
	_, err = c.CreateAlias(bg, &awslambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	wantCode(t, err, "ResourceConflictException", "Alias already exists")
	_, err = c.CreateAlias(bg, &awslambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("bad"), FunctionVersion: aws.String("9")})
	wantCode(t, err, "ResourceNotFoundException", "")

	// Invoke by name:alias, by Qualifier, by version: each runs its own configuration.
	for _, tc := range []struct{ fn, qualifier, stage, version string }{
		{name + ":live", "", "v1", "1"},
		{name, "live", "v1", "1"},
		{name, "2", "v2", "2"},
		{name, "$LATEST", "v2", "$LATEST"},
	} {
		out := invoke(t, c, tc.fn, `{"mode":"env","keys":["STAGE","AWS_LAMBDA_FUNCTION_VERSION"]}`, func(in *awslambda.InvokeInput) {
			if tc.qualifier != "" {
				in.Qualifier = aws.String(tc.qualifier)
			}
		})
		var env map[string]string
		json.Unmarshal(out.Payload, &env)
		if env["STAGE"] != tc.stage || env["AWS_LAMBDA_FUNCTION_VERSION"] != tc.version || aws.ToString(out.ExecutedVersion) != tc.version {
			t.Errorf("%s q=%s: env %v executed %s", tc.fn, tc.qualifier, env, aws.ToString(out.ExecutedVersion))
		}
	}
	if _, err := c.UpdateAlias(bg, &awslambda.UpdateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	ga, _ := c.GetAlias(bg, &awslambda.GetAliasInput{FunctionName: aws.String(name), Name: aws.String("live")})
	if aws.ToString(ga.FunctionVersion) != "2" {
		t.Fatalf("alias points at %s", aws.ToString(ga.FunctionVersion))
	}
	la, _ := c.ListAliases(bg, &awslambda.ListAliasesInput{FunctionName: aws.String(name)})
	if len(la.Aliases) != 1 {
		t.Fatalf("aliases %v", la.Aliases)
	}
	_, err = c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(name), Qualifier: aws.String("2")})
	wantCode(t, err, "ResourceConflictException", "aliases reference it: [live]")
	if _, err := c.DeleteFunction(bg, &awslambda.DeleteFunctionInput{FunctionName: aws.String(name), Qualifier: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String("1")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:"+name+":1")
	if _, err := c.DeleteAlias(bg, &awslambda.DeleteAliasInput{FunctionName: aws.String(name), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAlias(bg, &awslambda.GetAliasInput{FunctionName: aws.String(name), Name: aws.String("live")})
	wantCode(t, err, "ResourceNotFoundException", "Alias not found")
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	out, err := c.AddPermission(bg, &awslambda.AddPermissionInput{
		FunctionName: aws.String(name), StatementId: aws.String("apigw"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String("arn:aws:execute-api:us-east-1:000000000000:abc/*"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.Statement)), &st); err != nil {
		t.Fatalf("statement %q: %v", aws.ToString(out.Statement), err)
	}
	if st["Sid"] != "apigw" || st["Effect"] != "Allow" || st["Principal"].(map[string]any)["Service"] != "apigateway.amazonaws.com" {
		t.Fatalf("statement %v", st)
	}
	_, err = c.AddPermission(bg, &awslambda.AddPermissionInput{
		FunctionName: aws.String(name), StatementId: aws.String("apigw"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("s3.amazonaws.com"),
	})
	wantCode(t, err, "ResourceConflictException", "The statement id (apigw) provided already exists")
	pol, err := c.GetPolicy(bg, &awslambda.GetPolicyInput{FunctionName: aws.String(name)})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Sid":"apigw"`) || aws.ToString(pol.RevisionId) == "" {
		t.Fatalf("policy %v %v", pol, err)
	}
	if _, err := c.RemovePermission(bg, &awslambda.RemovePermissionInput{FunctionName: aws.String(name), StatementId: aws.String("apigw")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(bg, &awslambda.GetPolicyInput{FunctionName: aws.String(name)})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
	_, err = c.RemovePermission(bg, &awslambda.RemovePermissionInput{FunctionName: aws.String(name), StatementId: aws.String("apigw")})
	wantCode(t, err, "ResourceNotFoundException", "Statement apigw is not found in resource policy.")
}

func TestConcurrencySettings(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	got, err := c.GetFunctionConcurrency(bg, &awslambda.GetFunctionConcurrencyInput{FunctionName: aws.String(name)})
	if err != nil || got.ReservedConcurrentExecutions != nil {
		t.Fatalf("unset: %v %v", got, err)
	}
	if _, err := c.PutFunctionConcurrency(bg, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(5)}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetFunctionConcurrency(bg, &awslambda.GetFunctionConcurrencyInput{FunctionName: aws.String(name)})
	if aws.ToInt32(got.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("reserved %v", got.ReservedConcurrentExecutions)
	}
	fn, _ := c.GetFunction(bg, &awslambda.GetFunctionInput{FunctionName: aws.String(name)})
	if fn.Concurrency == nil || aws.ToInt32(fn.Concurrency.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("GetFunction concurrency %v", fn.Concurrency)
	}
	_, err = c.PutFunctionConcurrency(bg, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(950)})
	wantCode(t, err, "InvalidParameterValueException", "below its minimum value of [100]")
	settings, err := c.GetAccountSettings(bg, &awslambda.GetAccountSettingsInput{})
	if err != nil || settings.AccountLimit.UnreservedConcurrentExecutions == nil || *settings.AccountLimit.UnreservedConcurrentExecutions != 995 {
		t.Fatalf("account settings %+v %v", settings.AccountLimit, err)
	}
	if _, err := c.DeleteFunctionConcurrency(bg, &awslambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetFunctionConcurrency(bg, &awslambda.GetFunctionConcurrencyInput{FunctionName: aws.String(name)})
	if got.ReservedConcurrentExecutions != nil {
		t.Fatalf("still reserved: %v", *got.ReservedConcurrentExecutions)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c, func(in *awslambda.CreateFunctionInput) { in.Tags = map[string]string{"a": "1"} })
	arn := aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + name)
	if _, err := c.TagResource(bg, &awslambda.TagResourceInput{Resource: arn, Tags: map[string]string{"b": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(bg, &awslambda.UntagResourceInput{Resource: arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListTags(bg, &awslambda.ListTagsInput{Resource: arn})
	if err != nil || len(out.Tags) != 1 || out.Tags["b"] != "2" {
		t.Fatalf("tags %v %v", out.Tags, err)
	}
	_, err = c.ListTags(bg, &awslambda.ListTagsInput{Resource: aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope")})
	wantCode(t, err, "ResourceNotFoundException", "")
}

var urlRE = regexp.MustCompile(`^http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost\.localstack\.cloud:\d+/$`)

func TestFunctionURLConfig(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	out, err := c.CreateFunctionUrlConfig(bg, &awslambda.CreateFunctionUrlConfigInput{
		FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone,
		Cors: &types.Cors{AllowOrigins: []string{"https://example.com"}, AllowMethods: []string{"GET"}, MaxAge: aws.Int32(60)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !urlRE.MatchString(aws.ToString(out.FunctionUrl)) || out.AuthType != types.FunctionUrlAuthTypeNone ||
		out.InvokeMode != types.InvokeModeBuffered || aws.ToInt32(out.Cors.MaxAge) != 60 {
		t.Fatalf("create url: %s %v %v %+v", aws.ToString(out.FunctionUrl), out.AuthType, out.InvokeMode, out.Cors)
	}
	_, err = c.CreateFunctionUrlConfig(bg, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone})
	wantCode(t, err, "ResourceConflictException", "FunctionUrlConfig exists for this Lambda function")
	up, err := c.UpdateFunctionUrlConfig(bg, &awslambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeAwsIam})
	if err != nil || up.AuthType != types.FunctionUrlAuthTypeAwsIam || aws.ToString(up.FunctionUrl) != aws.ToString(out.FunctionUrl) {
		t.Fatalf("update url: %v %v", up, err)
	}
	get, err := c.GetFunctionUrlConfig(bg, &awslambda.GetFunctionUrlConfigInput{FunctionName: aws.String(name)})
	if err != nil || get.AuthType != types.FunctionUrlAuthTypeAwsIam || aws.ToString(get.LastModifiedTime) == "" {
		t.Fatalf("get url: %v %v", get, err)
	}
	list, err := c.ListFunctionUrlConfigs(bg, &awslambda.ListFunctionUrlConfigsInput{FunctionName: aws.String(name)})
	if err != nil || len(list.FunctionUrlConfigs) != 1 {
		t.Fatalf("list urls: %v %v", list, err)
	}
	if _, err := c.DeleteFunctionUrlConfig(bg, &awslambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetFunctionUrlConfig(bg, &awslambda.GetFunctionUrlConfigInput{FunctionName: aws.String(name)})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
	_, err = c.CreateFunctionUrlConfig(bg, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone, Qualifier: aws.String("1")})
	wantCode(t, err, "ValidationException", "")
}

// TestPartialUpdates: an update changes what it names and keeps the rest
// (the store applies the change under the function's lock).
func TestPartialUpdates(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) {
		in.Environment = &types.Environment{Variables: map[string]string{"STAGE": "one"}}
		in.MemorySize = aws.Int32(256)
		in.Description = aws.String("first")
		in.EphemeralStorage = &types.EphemeralStorage{Size: aws.Int32(1024)}
	})
	up, err := c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Description: aws.String("second")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(up.Description) != "second" || up.Environment.Variables["STAGE"] != "one" || aws.ToInt32(up.MemorySize) != 256 ||
		aws.ToInt32(up.Timeout) != 10 || aws.ToInt32(up.EphemeralStorage.Size) != 1024 || aws.ToString(up.Role) != role {
		t.Fatalf("description only: %+v", up)
	}
	// An Environment without variables clears them.
	up, err = c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Environment: &types.Environment{}})
	if err != nil || up.Environment != nil || aws.ToString(up.Description) != "second" {
		t.Fatalf("empty environment: %+v %v", up, err)
	}
	code, err := c.UpdateFunctionCode(bg, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: testfnZip,
		Architectures: []types.Architecture{types.ArchitectureArm64}})
	if err != nil || code.Architectures[0] != types.ArchitectureArm64 || aws.ToString(code.Description) != "second" ||
		aws.ToInt32(code.MemorySize) != 256 || aws.ToString(code.CodeSha256) != testfnSha {
		t.Fatalf("code update: %+v %v", code, err)
	}
	// go1.x needs a handler: the one the function has will do.
	c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Runtime: types.RuntimeGo1x})
	cfg, _ := c.GetFunctionConfiguration(bg, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if cfg.Runtime != types.RuntimeGo1x || aws.ToString(cfg.Handler) != "bootstrap" {
		t.Fatalf("runtime only: %v %s", cfg.Runtime, aws.ToString(cfg.Handler))
	}
	_, err = c.CreateFunction(bg, &awslambda.CreateFunctionInput{FunctionName: aws.String(name + "-go"), Runtime: types.RuntimeGo1x,
		Role: aws.String(role), Code: &types.FunctionCode{ZipFile: testfnZip}})
	wantCode(t, err, "InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages.")

	// Function URL: AuthType only keeps the CORS configuration.
	if _, err := c.CreateFunctionUrlConfig(bg, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone,
		Cors: &types.Cors{AllowOrigins: []string{"https://a.example"}, MaxAge: aws.Int32(60)}}); err != nil {
		t.Fatal(err)
	}
	u, err := c.UpdateFunctionUrlConfig(bg, &awslambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeAwsIam})
	if err != nil || u.AuthType != types.FunctionUrlAuthTypeAwsIam || u.Cors == nil || aws.ToInt32(u.Cors.MaxAge) != 60 || u.InvokeMode != types.InvokeModeBuffered {
		t.Fatalf("url auth only: %+v %v", u, err)
	}

	// Alias: a RoutingConfig without weights clears them; no RoutingConfig keeps them.
	v1, _ := c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: aws.String(name)})
	c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Description: aws.String("third")})
	v2, _ := c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: aws.String(name)})
	if _, err := c.CreateAlias(bg, &awslambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: v1.Version,
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{aws.ToString(v2.Version): 0.25}}}); err != nil {
		t.Fatal(err)
	}
	a, err := c.UpdateAlias(bg, &awslambda.UpdateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), Description: aws.String("d")})
	if err != nil || a.RoutingConfig == nil || a.RoutingConfig.AdditionalVersionWeights["2"] != 0.25 || aws.ToString(a.FunctionVersion) != "1" {
		t.Fatalf("alias description only: %+v %v", a, err)
	}
	a, err = c.UpdateAlias(bg, &awslambda.UpdateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), RoutingConfig: &types.AliasRoutingConfiguration{}})
	if err != nil || a.RoutingConfig != nil || aws.ToString(a.Description) != "d" {
		t.Fatalf("alias routing cleared: %+v %v", a, err)
	}
}

// TestPermissionStatements: the statement AddPermission adds, as GetPolicy
// shows it, for each kind of principal and condition.
func TestPermissionStatements(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	fnARN := "arn:aws:lambda:us-east-1:000000000000:function:" + name
	cases := []struct {
		in   awslambda.AddPermissionInput
		want string
	}{
		{awslambda.AddPermissionInput{StatementId: aws.String("any"), Action: aws.String("lambda:*"), Principal: aws.String("*")},
			`{"Action":"lambda:*","Effect":"Allow","Principal":"*","Resource":"` + fnARN + `","Sid":"any"}`},
		{awslambda.AddPermissionInput{StatementId: aws.String("account"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("123456789012"),
			FunctionUrlAuthType: types.FunctionUrlAuthTypeAwsIam, SourceAccount: aws.String("123456789012")},
			`{"Action":"lambda:InvokeFunction","Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012","lambda:FunctionUrlAuthType":"AWS_IAM"}},` +
				`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Resource":"` + fnARN + `","Sid":"account"}`},
		{awslambda.AddPermissionInput{StatementId: aws.String("org"), Action: aws.String("lambda:GetFunction"), Principal: aws.String("arn:aws:iam::123456789012:role/r"),
			PrincipalOrgID: aws.String("o-abcdefghij"), SourceArn: aws.String("arn:aws:s3:::bucket")},
			`{"Action":"lambda:GetFunction","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"},"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}},` +
				`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/r"},"Resource":"` + fnARN + `","Sid":"org"}`},
	}
	var all []string
	for _, tc := range cases {
		in := tc.in
		in.FunctionName = aws.String(name)
		out, err := c.AddPermission(bg, &in)
		if err != nil || aws.ToString(out.Statement) != tc.want {
			t.Fatalf("%s: %v\n got %s\nwant %s", aws.ToString(in.StatementId), err, aws.ToString(out.Statement), tc.want)
		}
		all = append(all, tc.want)
	}
	pol, err := c.GetPolicy(bg, &awslambda.GetPolicyInput{FunctionName: aws.String(name)})
	if want := `{"Id":"default","Statement":[` + strings.Join(all, ",") + `],"Version":"2012-10-17"}`; err != nil || aws.ToString(pol.Policy) != want {
		t.Fatalf("policy %v\n got %s\nwant %s", err, aws.ToString(pol.Policy), want)
	}
	// A stale revision is refused; the current one is accepted.
	_, err = c.RemovePermission(bg, &awslambda.RemovePermissionInput{FunctionName: aws.String(name), StatementId: aws.String("any"), RevisionId: aws.String("stale")})
	wantCode(t, err, "PreconditionFailedException", "")
	if _, err := c.RemovePermission(bg, &awslambda.RemovePermissionInput{FunctionName: aws.String(name), StatementId: aws.String("any"), RevisionId: pol.RevisionId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AddPermission(bg, &awslambda.AddPermissionInput{FunctionName: aws.String(name), Qualifier: aws.String("nope"),
		StatementId: aws.String("q"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+":nope")
}

// TestListVersionsPaging: versions, aliases and FunctionVersion=ALL page
// like functions do.
func TestListVersionsPaging(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := createStub(t, c)
	for i := 0; i < 3; i++ {
		c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Description: aws.String(strings.Repeat("x", i+1))})
		if _, err := c.PublishVersion(bg, &awslambda.PublishVersionInput{FunctionName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	p := awslambda.NewListVersionsByFunctionPaginator(c, &awslambda.ListVersionsByFunctionInput{FunctionName: aws.String(name), MaxItems: aws.Int32(3)})
	for p.HasMorePages() {
		out, err := p.NextPage(bg)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range out.Versions {
			got = append(got, aws.ToString(v.Version))
		}
	}
	if strings.Join(got, ",") != "$LATEST,1,2,3" {
		t.Fatalf("versions %v", got)
	}
	for _, a := range []struct{ name, version string }{{"b", "1"}, {"a", "2"}, {"c", "2"}} {
		if _, err := c.CreateAlias(bg, &awslambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String(a.name), FunctionVersion: aws.String(a.version)}); err != nil {
			t.Fatal(err)
		}
	}
	la, err := c.ListAliases(bg, &awslambda.ListAliasesInput{FunctionName: aws.String(name), FunctionVersion: aws.String("2"), MaxItems: aws.Int32(1)})
	if err != nil || len(la.Aliases) != 1 || aws.ToString(la.Aliases[0].Name) != "a" || aws.ToString(la.NextMarker) != "c" {
		t.Fatalf("aliases of version 2: %+v %v", la, err)
	}
	all, err := c.ListFunctions(bg, &awslambda.ListFunctionsInput{FunctionVersion: types.FunctionVersionAll})
	if err != nil || len(all.Functions) != 4 || aws.ToString(all.Functions[3].Version) != "3" {
		t.Fatalf("ListFunctions ALL: %d %v", len(all.Functions), err)
	}
}

package emulator_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// zipFiles is a zip of the files named.
func zipFiles(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// seedLambda builds Lambda state through the SDK: a layer with a
// permission, a function on it with versions (one deleted), an alias with
// routing, policies, a URL, an event invoke config, provisioned, reserved
// and runtime settings, recursion, a code signing config, a second
// function sharing its code, a capacity provider with a function on it and
// its scaling config, a stub function and a disabled SQS mapping.
// An enabled SQS mapping feeds the second function. It returns the
// function URL.
func seedLambda(t *testing.T, cfg aws.Config, code []byte) string {
	t.Helper()
	ctx := context.Background()
	lc := awslambda.NewFromConfig(cfg)
	layer := must(lc.PublishLayerVersion(ctx, &awslambda.PublishLayerVersionInput{LayerName: aws.String("shared"),
		Content:            &ltypes.LayerVersionContentInput{ZipFile: zipFiles(t, map[string]string{"lib/data.txt": "layer one"})},
		CompatibleRuntimes: []ltypes.Runtime{ltypes.RuntimeProvidedal2023}, Description: aws.String("data")}))
	must(lc.AddLayerVersionPermission(ctx, &awslambda.AddLayerVersionPermissionInput{LayerName: aws.String("shared"),
		VersionNumber: &layer.Version, StatementId: aws.String("all"), Action: aws.String("lambda:GetLayerVersion"), Principal: aws.String("*")}))
	csc := must(lc.CreateCodeSigningConfig(ctx, &awslambda.CreateCodeSigningConfigInput{Description: aws.String("signed"),
		AllowedPublishers: &ltypes.AllowedPublishers{SigningProfileVersionArns: []string{"arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/v1"}}}))

	role := aws.String("arn:aws:iam::000000000000:role/lambda-role")
	must(lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("api"), Runtime: ltypes.RuntimeProvidedal2023,
		Role: role, Handler: aws.String("bootstrap"), Code: &ltypes.FunctionCode{ZipFile: code}, Timeout: aws.Int32(10),
		Description: aws.String("the api"), Layers: []string{*layer.LayerVersionArn},
		Environment: &ltypes.Environment{Variables: map[string]string{"STAGE": "one"}}, Tags: map[string]string{"team": "web"}, Publish: true}))
	must(lc.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("api"),
		Environment: &ltypes.Environment{Variables: map[string]string{"STAGE": "two"}}}))
	waitUpdated(t, lc, "api")
	must(lc.PublishVersion(ctx, &awslambda.PublishVersionInput{FunctionName: aws.String("api"), Description: aws.String("second")}))
	must(lc.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("api"), MemorySize: aws.Int32(256)}))
	waitUpdated(t, lc, "api")
	must(lc.PublishVersion(ctx, &awslambda.PublishVersionInput{FunctionName: aws.String("api")}))
	must(lc.DeleteFunction(ctx, &awslambda.DeleteFunctionInput{FunctionName: aws.String("api"), Qualifier: aws.String("3")}))
	must(lc.CreateAlias(ctx, &awslambda.CreateAliasInput{FunctionName: aws.String("api"), Name: aws.String("live"), FunctionVersion: aws.String("1"),
		RoutingConfig: &ltypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.25}}}))
	must(lc.AddPermission(ctx, &awslambda.AddPermissionInput{FunctionName: aws.String("api"), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::bucket")}))
	must(lc.AddPermission(ctx, &awslambda.AddPermissionInput{FunctionName: aws.String("api"), Qualifier: aws.String("live"), StatementId: aws.String("url"),
		Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: ltypes.FunctionUrlAuthTypeNone}))
	url := must(lc.CreateFunctionUrlConfig(ctx, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("api"), AuthType: ltypes.FunctionUrlAuthTypeNone,
		Cors: &ltypes.Cors{AllowOrigins: []string{"https://example.com"}, MaxAge: aws.Int32(60)}}))
	must(lc.PutFunctionEventInvokeConfig(ctx, &awslambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("api"), Qualifier: aws.String("live"),
		MaximumRetryAttempts: aws.Int32(1), MaximumEventAgeInSeconds: aws.Int32(600)}))
	must(lc.PutFunctionConcurrency(ctx, &awslambda.PutFunctionConcurrencyInput{FunctionName: aws.String("api"), ReservedConcurrentExecutions: aws.Int32(20)}))
	must(lc.PutProvisionedConcurrencyConfig(ctx, &awslambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("api"), Qualifier: aws.String("live"),
		ProvisionedConcurrentExecutions: aws.Int32(2)}))
	must(lc.PutRuntimeManagementConfig(ctx, &awslambda.PutRuntimeManagementConfigInput{FunctionName: aws.String("api"), UpdateRuntimeOn: ltypes.UpdateRuntimeOnFunctionUpdate}))
	must(lc.PutFunctionRecursionConfig(ctx, &awslambda.PutFunctionRecursionConfigInput{FunctionName: aws.String("api"), RecursiveLoop: ltypes.RecursiveLoopAllow}))
	must(lc.PutFunctionCodeSigningConfig(ctx, &awslambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String("api"), CodeSigningConfigArn: csc.CodeSigningConfig.CodeSigningConfigArn}))

	must(lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("twin"), Runtime: ltypes.RuntimeProvidedal2023,
		Role: role, Handler: aws.String("bootstrap"), Code: &ltypes.FunctionCode{ZipFile: code}}))
	must(lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("stub"), Runtime: ltypes.RuntimeProvidedal2023,
		Role: role, Handler: aws.String("bootstrap"), Code: &ltypes.FunctionCode{ZipFile: zipFiles(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 1\n"})}}))
	cp := must(lc.CreateCapacityProvider(ctx, &awslambda.CreateCapacityProviderInput{CapacityProviderName: aws.String("fleet"),
		VpcConfig:         &ltypes.CapacityProviderVpcConfig{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{}},
		PermissionsConfig: &ltypes.CapacityProviderPermissionsConfig{CapacityProviderOperatorRoleArn: role}})).CapacityProvider
	must(lc.CreateFunction(ctx, &awslambda.CreateFunctionInput{FunctionName: aws.String("managed"), Runtime: ltypes.RuntimeProvidedal2023,
		Role: role, Handler: aws.String("bootstrap"), Code: &ltypes.FunctionCode{ZipFile: code}, Publish: true,
		CapacityProviderConfig: &ltypes.CapacityProviderConfig{LambdaManagedInstancesCapacityProviderConfig: &ltypes.LambdaManagedInstancesCapacityProviderConfig{
			CapacityProviderArn: cp.CapacityProviderArn, PerExecutionEnvironmentMaxConcurrency: aws.Int32(8)}}}))
	must(lc.PutFunctionScalingConfig(ctx, &awslambda.PutFunctionScalingConfigInput{FunctionName: aws.String("managed"), Qualifier: aws.String("1"),
		FunctionScalingConfig: &ltypes.FunctionScalingConfig{MinExecutionEnvironments: aws.Int32(2), MaxExecutionEnvironments: aws.Int32(5)}}))
	q := sqs.NewFromConfig(cfg)
	qu := must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work")})).QueueUrl
	qa := must(q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qu, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}}))
	must(lc.CreateEventSourceMapping(ctx, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String("stub"), EventSourceArn: aws.String(qa.Attributes["QueueArn"]),
		Enabled: aws.Bool(false), BatchSize: aws.Int32(5), Tags: map[string]string{"k": "v"}}))
	ju := must(q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")})).QueueUrl
	ja := must(q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: ju, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}}))
	must(lc.CreateEventSourceMapping(ctx, &awslambda.CreateEventSourceMappingInput{FunctionName: aws.String("twin"), EventSourceArn: aws.String(ja.Attributes["QueueArn"])}))
	settledMappings(t, lc)
	return *url.FunctionUrl
}

// waitUpdated waits for a function's last update to finish.
func waitUpdated(t *testing.T, lc *awslambda.Client, name string) {
	t.Helper()
	w := awslambda.NewFunctionUpdatedV2Waiter(lc)
	if err := w.Wait(context.Background(), &awslambda.GetFunctionInput{FunctionName: aws.String(name)}, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// settledMappings waits until no mapping is in a transient state (a
// loaded mapping starts as a new one does) and returns them.
func settledMappings(t *testing.T, lc *awslambda.Client) []ltypes.EventSourceMappingConfiguration {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ms := must(lc.ListEventSourceMappings(context.Background(), &awslambda.ListEventSourceMappingsInput{})).EventSourceMappings
		settled := true
		for _, m := range ms {
			settled = settled && (*m.State == "Enabled" || *m.State == "Disabled")
		}
		if settled || time.Now().After(deadline) {
			return ms
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// observeLambda reads what a client sees of Lambda, without changing
// anything; host is replaced so two emulators compare.
func observeLambda(t *testing.T, cfg aws.Config, host string) string {
	t.Helper()
	ctx := context.Background()
	lc := awslambda.NewFromConfig(cfg)
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.ReplaceAll(what+" "+string(b), host, "HOST")
		out = append(out, strings.ReplaceAll(line, host[strings.LastIndexByte(host, ':'):]+"/", ":PORT/"))
	}
	errOf := func(err error) string {
		if err == nil {
			return ""
		}
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		t.Fatal(err)
		return ""
	}
	fns := must(lc.ListFunctions(ctx, &awslambda.ListFunctionsInput{})).Functions
	add("functions", fns)
	for _, f := range fns {
		n := f.FunctionName
		g := must(lc.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: n}))
		add("function", []any{g.Configuration, g.Code, g.Concurrency, g.Tags})
		add("versions", must(lc.ListVersionsByFunction(ctx, &awslambda.ListVersionsByFunctionInput{FunctionName: n})).Versions)
		aliases := must(lc.ListAliases(ctx, &awslambda.ListAliasesInput{FunctionName: n})).Aliases
		add("aliases", aliases)
		for _, q := range append([]string{""}, "live") {
			in := &awslambda.GetPolicyInput{FunctionName: n}
			if q != "" {
				in.Qualifier = aws.String(q)
			}
			p, err := lc.GetPolicy(ctx, in)
			if err == nil {
				add("policy "+q, []any{p.Policy, p.RevisionId})
			} else {
				add("policy "+q, errOf(err))
			}
		}
		urls := must(lc.ListFunctionUrlConfigs(ctx, &awslambda.ListFunctionUrlConfigsInput{FunctionName: n})).FunctionUrlConfigs
		add("urls", urls)
		add("invoke configs", must(lc.ListFunctionEventInvokeConfigs(ctx, &awslambda.ListFunctionEventInvokeConfigsInput{FunctionName: n})).FunctionEventInvokeConfigs)
		add("provisioned", must(lc.ListProvisionedConcurrencyConfigs(ctx, &awslambda.ListProvisionedConcurrencyConfigsInput{FunctionName: n})).ProvisionedConcurrencyConfigs)
		rc := must(lc.GetRuntimeManagementConfig(ctx, &awslambda.GetRuntimeManagementConfigInput{FunctionName: n}))
		add("runtime", []any{rc.UpdateRuntimeOn, rc.RuntimeVersionArn, rc.FunctionArn})
		add("recursion", must(lc.GetFunctionRecursionConfig(ctx, &awslambda.GetFunctionRecursionConfigInput{FunctionName: n})).RecursiveLoop)
		cs := must(lc.GetFunctionCodeSigningConfig(ctx, &awslambda.GetFunctionCodeSigningConfigInput{FunctionName: n}))
		add("code signing", cs.CodeSigningConfigArn)
	}
	providers := must(lc.ListCapacityProviders(ctx, &awslambda.ListCapacityProvidersInput{})).CapacityProviders
	add("capacity providers", providers)
	if len(providers) > 0 {
		sc := must(lc.GetFunctionScalingConfig(ctx, &awslambda.GetFunctionScalingConfigInput{FunctionName: aws.String("managed"), Qualifier: aws.String("1")}))
		add("scaling", []any{sc.FunctionArn, sc.RequestedFunctionScalingConfig, sc.AppliedFunctionScalingConfig})
	}
	add("code signing configs", must(lc.ListCodeSigningConfigs(ctx, &awslambda.ListCodeSigningConfigsInput{})).CodeSigningConfigs)
	layers := must(lc.ListLayers(ctx, &awslambda.ListLayersInput{})).Layers
	add("layers", layers)
	for _, l := range layers {
		vs := must(lc.ListLayerVersions(ctx, &awslambda.ListLayerVersionsInput{LayerName: l.LayerName})).LayerVersions
		add("layer versions", vs)
		for _, v := range vs {
			g := must(lc.GetLayerVersion(ctx, &awslambda.GetLayerVersionInput{LayerName: l.LayerName, VersionNumber: aws.Int64(v.Version)}))
			add("layer version", []any{g.Content, g.CreatedDate, g.Description})
			p, err := lc.GetLayerVersionPolicy(ctx, &awslambda.GetLayerVersionPolicyInput{LayerName: l.LayerName, VersionNumber: aws.Int64(v.Version)})
			if err == nil {
				add("layer policy", []any{p.Policy, p.RevisionId})
			} else {
				add("layer policy", errOf(err))
			}
		}
	}
	ms := settledMappings(t, lc)
	add("mappings", ms)
	for _, m := range ms {
		add("mapping tags", must(lc.ListTags(ctx, &awslambda.ListTagsInput{Resource: m.EventSourceMappingArn})).Tags)
	}
	return strings.Join(out, "\n")
}

// Lambda's state built through the SDK, saved and loaded into a second
// emulator, reads the same through the SDK; the loaded functions invoke
// (their code came with the snapshot, once per zip), their URL answers at
// the same address, and version numbers go on where they were.
func TestSnapshotLambdaRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	zipPath, _, err := deploy.BuildHandler(ctx, "../../handlers/testfn")
	if err != nil {
		t.Fatal(err)
	}
	code, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	a, acfg := emutest.Start(t)
	urlA := seedLambda(t, acfg, code)
	file := saveSnapshot(t, a.URL())
	var parsed struct {
		Accounts []struct {
			Services map[string]struct {
				State struct {
					Codes []struct {
						SHA256 string `json:"sha256"`
					} `json:"codes"`
				} `json:"state"`
			} `json:"services"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(file[bytes.IndexByte(file, '\n'):], &parsed); err != nil {
		t.Fatal(err)
	}
	if n := len(parsed.Accounts[0].Services["lambda"].State.Codes); n != 3 {
		t.Errorf("the snapshot holds %d zips, want 3 (the shared one once, the stub's, the layer's)", n)
	}

	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	before, after := observeLambda(t, acfg, a.URL()[len("http://"):]), observeLambda(t, bcfg, b.URL()[len("http://"):])
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	for _, want := range []string{`"Version":"1"`, `"Version":"2"`, `"AdditionalVersionWeights":{"2":0.25}`, `"ReservedConcurrentExecutions":20`,
		`recursion "Allow"`, "lambda:InvokeFunctionUrl", `"State":"Disabled"`, `"STAGE":"two"`,
		`"MaxExecutionEnvironments":5`, "capacity-provider:fleet"} {
		if !strings.Contains(after, want) {
			t.Errorf("the loaded state lacks %s:\n%s", want, after)
		}
	}

	lc := awslambda.NewFromConfig(bcfg)
	for _, q := range []string{"", "1", "live"} {
		in := &awslambda.InvokeInput{FunctionName: aws.String("api"), Payload: []byte(`{"mode":"env"}`)}
		if q != "" {
			in.Qualifier = aws.String(q)
		}
		res := must(lc.Invoke(ctx, in))
		if res.FunctionError != nil || !strings.Contains(string(res.Payload), "STAGE") {
			t.Errorf("invoke %q after the load: %s %s", q, aws.ToString(res.FunctionError), res.Payload)
		}
	}
	res := must(lc.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("twin"), Payload: []byte(`{"mode":"echo","n":1}`)}))
	if res.FunctionError != nil || !strings.Contains(string(res.Payload), `"n":1`) {
		t.Errorf("invoke twin after the load: %s %s", aws.ToString(res.FunctionError), res.Payload)
	}
	// The enabled mapping polls again: a message sent after the load is
	// consumed by the loaded function.
	qb := sqs.NewFromConfig(bcfg)
	jobs := must(qb.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")})).QueueUrl
	must(qb.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: jobs, MessageBody: aws.String(`{"n":2}`)}))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		attrs := must(qb.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: jobs,
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})).Attributes
		if attrs["ApproximateNumberOfMessages"] == "0" && attrs["ApproximateNumberOfMessagesNotVisible"] == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the loaded mapping did not consume the message: %v", attrs)
		}
	}
	// The URL keeps its id: the same path answers on the copy.
	id, _, _ := strings.Cut(strings.TrimPrefix(urlA, "http://"), ".")
	resp, err := http.Get(b.URL() + "/_aws/lambda-url/" + id + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the function URL after the load: %d %s", resp.StatusCode, body)
	}
	// Publishing goes on from the saved number (3 was deleted).
	must(lc.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("api"), Timeout: aws.Int32(11)}))
	waitUpdated(t, lc, "api")
	if v := must(lc.PublishVersion(ctx, &awslambda.PublishVersionInput{FunctionName: aws.String("api")})); *v.Version != "4" {
		t.Errorf("published version %s after the load, want 4", *v.Version)
	}
}

// A Lambda state whose zip does not hash to the SHA-256 it is filed under,
// or whose function refers to a zip it does not hold, is refused (400)
// and leaves the emulator empty.
func TestSnapshotLambdaLoadRefusesBadCode(t *testing.T) {
	t.Parallel()
	e, _ := emutest.Start(t)
	// An empty zip archive: its end-of-central-directory record only.
	empty := "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="
	for want, state := range map[string]string{
		"its zip's SHA-256 is": `{"codes":[{"sha256":"00","unzipped":0,"zip":"` + empty + `"}],"functions":[]}`,
		`no code with SHA-256 \"ab\"`: `{"codes":[],"functions":[{"region":"us-east-1","name":"f","arn":"x","nextVersion":1,
			"latest":{"name":"$LATEST","timeout":3,"memorySize":128,"ephemeralStorage":512,"code":"ab","lastModified":"2026-01-01T00:00:00Z","revisionId":"r"}}]}`,
		"not a zip archive": `{"codes":[{"sha256":"00","unzipped":0,"zip":"aGVsbG8="}],"functions":[]}`,
	} {
		file := "groundstack-snapshot v1\n" + `{"format":"groundstack-snapshot","version":1,"saved":["lambda"],"notSaved":[],` +
			`"accounts":[{"account":"000000000000","services":{"lambda":{"version":1,"state":` + state + `}}}]}`
		status, body := snapshotCall(t, e.URL(), "/_groundstack/snapshot/load", []byte(file))
		if status != http.StatusBadRequest || !strings.Contains(string(body), want) {
			t.Errorf("want 400 and %s: %d %s", want, status, body)
		}
	}
	lc := awslambda.NewFromConfig(emutest.Config(e.URL()))
	if fns := must(lc.ListFunctions(context.Background(), &awslambda.ListFunctionsInput{})).Functions; len(fns) != 0 {
		t.Errorf("a refused load left %d functions", len(fns))
	}
}

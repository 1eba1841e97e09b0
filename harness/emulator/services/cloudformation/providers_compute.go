package cloudformation

import (
	"archive/zip"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func init() {
	registry["AWS::IAM::Role"] = &resourceType{
		create: createRole, update: updateRole, delete: deleteRole,
		replaceOn: []string{"RoleName", "Path"}, nameProps: []string{"RoleName"},
		applied: []string{"RoleName", "AssumeRolePolicyDocument", "Path", "Description", "MaxSessionDuration", "Tags",
			"ManagedPolicyArns", "Policies"},
	}
	registry["AWS::IAM::Policy"] = &resourceType{
		create: putInlinePolicy,
		update: func(ctx context.Context, c *call) (map[string]any, error) {
			if err := deleteInlinePolicy(ctx, &call{cl: c.cl, props: c.old, physical: c.physical}); err != nil {
				return nil, err
			}
			_, attrs, err := putInlinePolicy(ctx, c)
			return attrs, err
		},
		delete: deleteInlinePolicy,
	}
	registry["AWS::IAM::ManagedPolicy"] = &resourceType{
		create: createManagedPolicy, delete: deleteManagedPolicy,
		replaceOn: []string{"ManagedPolicyName", "Path"}, nameProps: []string{"ManagedPolicyName"},
	}
	registry["AWS::Lambda::Function"] = &resourceType{
		create: createFunction, update: updateFunction, delete: deleteFunction,
		replaceOn: []string{"FunctionName", "PackageType"}, nameProps: []string{"FunctionName"},
		applied: []string{"FunctionName", "Role", "Code", "Runtime", "Handler", "Description", "Timeout", "MemorySize",
			"Environment", "PackageType", "Tags", "Architectures", "Layers"},
	}
	registry["AWS::Lambda::Permission"] = &resourceType{
		create: addPermission, delete: removePermission,
	}
	registry["AWS::Lambda::Version"] = &resourceType{
		create: publishVersion,
		delete: func(ctx context.Context, c *call) error {
			fn, q := splitQualified(c.physical)
			_, err := c.cl.lambda().DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(fn), Qualifier: aws.String(q)})
			return ignoreGone(err)
		},
	}
	registry["AWS::Lambda::Alias"] = &resourceType{
		create: createAlias, update: updateAlias,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.lambda().DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String(c.str("FunctionName")), Name: aws.String(c.str("Name"))})
			return ignoreGone(err)
		},
		replaceOn: []string{"FunctionName", "Name"},
	}
	registry["AWS::Lambda::EventSourceMapping"] = &resourceType{
		create: createEventSourceMapping,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.lambda().DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::Lambda::Url"] = &resourceType{
		create: createFunctionURL,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.lambda().DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String(c.str("TargetFunctionArn")), Qualifier: c.strPtr("Qualifier")})
			return ignoreGone(err)
		},
	}
	registry["AWS::Logs::LogGroup"] = &resourceType{
		create: createLogGroup, update: updateLogGroup,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.logs().DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(c.physical)})
			return ignoreGone(err)
		},
		replaceOn: []string{"LogGroupName", "LogGroupClass"}, nameProps: []string{"LogGroupName"},
	}
	registry["AWS::SecretsManager::Secret"] = &resourceType{
		create: createSecret, update: updateSecret,
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.secrets().DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(c.physical), ForceDeleteWithoutRecovery: aws.Bool(true)})
			return ignoreGone(err)
		},
		replaceOn: []string{"Name"}, nameProps: []string{"Name"},
	}
}

// ---- IAM ----

func createRole(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("RoleName", 64, false)
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(jsonText(c.props["AssumeRolePolicyDocument"])),
		Path: c.strPtr("Path"), Description: c.strPtr("Description"), MaxSessionDuration: c.int32Ptr("MaxSessionDuration")}
	for k, v := range tagsOf(c.props["Tags"]) {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := c.cl.iam().CreateRole(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	c.physical = name
	if err := roleAttachments(ctx, c, nil); err != nil {
		_ = deleteRole(ctx, c)
		return "", nil, err
	}
	return name, map[string]any{"Arn": aws.ToString(out.Role.Arn), "RoleId": aws.ToString(out.Role.RoleId)}, nil
}

// roleAttachments brings a role's managed policies and inline Policies to
// the properties (old: what it had).
func roleAttachments(ctx context.Context, c *call, old map[string]any) error {
	want := map[string]bool{}
	for _, a := range listOf(c.props["ManagedPolicyArns"]) {
		want[str(a)] = true
	}
	had := map[string]bool{}
	for _, a := range listOf(old["ManagedPolicyArns"]) {
		had[str(a)] = true
	}
	for _, a := range sortedKeys(want) {
		if !had[a] {
			if _, err := c.cl.iam().AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(c.physical), PolicyArn: aws.String(a)}); err != nil {
				return cause(err)
			}
		}
	}
	for _, a := range sortedKeys(had) {
		if !want[a] {
			if _, err := c.cl.iam().DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(c.physical), PolicyArn: aws.String(a)}); err != nil && !notFound(err) {
				return cause(err)
			}
		}
	}
	inline := map[string]string{}
	for _, p := range listOf(c.props["Policies"]) {
		pm, _ := p.(map[string]any)
		inline[str(pm["PolicyName"])] = jsonText(pm["PolicyDocument"])
	}
	for _, n := range sortedKeys(inline) {
		if _, err := c.cl.iam().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(c.physical), PolicyName: aws.String(n), PolicyDocument: aws.String(inline[n])}); err != nil {
			return cause(err)
		}
	}
	for _, p := range listOf(old["Policies"]) {
		pm, _ := p.(map[string]any)
		if n := str(pm["PolicyName"]); inline[n] == "" {
			if _, err := c.cl.iam().DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(c.physical), PolicyName: aws.String(n)}); err != nil && !notFound(err) {
				return cause(err)
			}
		}
	}
	return nil
}

func updateRole(ctx context.Context, c *call) (map[string]any, error) {
	if canonical(c.old["AssumeRolePolicyDocument"]) != canonical(c.props["AssumeRolePolicyDocument"]) {
		if _, err := c.cl.iam().UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(c.physical), PolicyDocument: aws.String(jsonText(c.props["AssumeRolePolicyDocument"]))}); err != nil {
			return nil, cause(err)
		}
	}
	if canonical(c.old["Description"]) != canonical(c.props["Description"]) || canonical(c.old["MaxSessionDuration"]) != canonical(c.props["MaxSessionDuration"]) {
		if _, err := c.cl.iam().UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(c.physical), Description: aws.String(c.str("Description")), MaxSessionDuration: c.int32Ptr("MaxSessionDuration")}); err != nil {
			return nil, cause(err)
		}
	}
	return nil, roleAttachments(ctx, c, c.old)
}

func deleteRole(ctx context.Context, c *call) error {
	// A role goes with its attachments, as CloudFormation removes them.
	c.props, c.old = map[string]any{}, c.props
	if err := roleAttachments(ctx, c, c.old); err != nil && !notFound(err) {
		return err
	}
	_, err := c.cl.iam().DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(c.physical)})
	return ignoreGone(err)
}

func putInlinePolicy(ctx context.Context, c *call) (string, map[string]any, error) {
	name, doc := c.str("PolicyName"), jsonText(c.props["PolicyDocument"])
	for _, r := range listOf(c.props["Roles"]) {
		if _, err := c.cl.iam().PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(str(r)), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			return "", nil, cause(err)
		}
	}
	for _, u := range listOf(c.props["Users"]) {
		if _, err := c.cl.iam().PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(str(u)), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			return "", nil, cause(err)
		}
	}
	for _, g := range listOf(c.props["Groups"]) {
		if _, err := c.cl.iam().PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String(str(g)), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			return "", nil, cause(err)
		}
	}
	return physicalName(c.stack.Name, c.logical, 64, false), map[string]any{}, nil
}

func deleteInlinePolicy(ctx context.Context, c *call) error {
	name := c.str("PolicyName")
	for _, r := range listOf(c.props["Roles"]) {
		if _, err := c.cl.iam().DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(str(r)), PolicyName: aws.String(name)}); ignoreGone(err) != nil {
			return cause(err)
		}
	}
	for _, u := range listOf(c.props["Users"]) {
		if _, err := c.cl.iam().DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(str(u)), PolicyName: aws.String(name)}); ignoreGone(err) != nil {
			return cause(err)
		}
	}
	for _, g := range listOf(c.props["Groups"]) {
		if _, err := c.cl.iam().DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String(str(g)), PolicyName: aws.String(name)}); ignoreGone(err) != nil {
			return cause(err)
		}
	}
	return nil
}

func createManagedPolicy(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("ManagedPolicyName", 128, false)
	out, err := c.cl.iam().CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(jsonText(c.props["PolicyDocument"])),
		Path: c.strPtr("Path"), Description: c.strPtr("Description")})
	if err != nil {
		return "", nil, cause(err)
	}
	arn := aws.ToString(out.Policy.Arn)
	for _, r := range listOf(c.props["Roles"]) {
		if _, err := c.cl.iam().AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(str(r)), PolicyArn: aws.String(arn)}); err != nil {
			_ = deleteManagedPolicy(ctx, &call{cl: c.cl, props: c.props, physical: arn})
			return "", nil, cause(err)
		}
	}
	return arn, map[string]any{"PolicyArn": arn, "PolicyId": aws.ToString(out.Policy.PolicyId)}, nil
}

func deleteManagedPolicy(ctx context.Context, c *call) error {
	for _, r := range listOf(c.props["Roles"]) {
		_, _ = c.cl.iam().DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(str(r)), PolicyArn: aws.String(c.physical)})
	}
	_, err := c.cl.iam().DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(c.physical)})
	return ignoreGone(err)
}

// ---- Lambda ----

// inlineFileName is the file CloudFormation writes a ZipFile's source to.
func inlineFileName(runtime string) string {
	switch {
	case strings.HasPrefix(runtime, "python"):
		return "index.py"
	case strings.HasPrefix(runtime, "nodejs"):
		return "index.js"
	}
	return "index"
}

// The response helpers CloudFormation puts beside inline Python and
// Node.js code, for custom resources (inline/).
var (
	//go:embed inline/cfnresponse.py
	cfnResponsePython []byte
	//go:embed inline/node_modules/cfn-response/index.js
	cfnResponseNode []byte
)

// zipSource zips inline code as the file the runtime's handler names,
// with the runtime's cfn-response helper beside it.
func zipSource(name, source string) []byte {
	files := map[string][]byte{name: []byte(source)}
	switch name {
	case "index.py":
		files["cfnresponse.py"] = cfnResponsePython
	case "index.js":
		files["node_modules/cfn-response/index.js"] = cfnResponseNode
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range sortedKeys(files) {
		w, _ := zw.Create(n)
		_, _ = w.Write(files[n])
	}
	_ = zw.Close()
	return buf.Bytes()
}

func functionCode(c *call) (*lambdatypes.FunctionCode, error) {
	code, _ := c.props["Code"].(map[string]any)
	switch {
	case code == nil:
		return nil, reasonf("Property Code cannot be empty.")
	case code["ZipFile"] != nil:
		return &lambdatypes.FunctionCode{ZipFile: zipSource(inlineFileName(c.str("Runtime")), str(code["ZipFile"]))}, nil
	case code["S3Bucket"] != nil:
		return &lambdatypes.FunctionCode{S3Bucket: aws.String(str(code["S3Bucket"])), S3Key: aws.String(str(code["S3Key"])), S3ObjectVersion: strOrNil(code["S3ObjectVersion"])}, nil
	case code["ImageUri"] != nil:
		return &lambdatypes.FunctionCode{ImageUri: aws.String(str(code["ImageUri"]))}, nil
	}
	return nil, reasonf("Property Code: one of ZipFile, S3Bucket and S3Key, or ImageUri is required")
}

func strOrNil(v any) *string {
	if v == nil {
		return nil
	}
	return aws.String(str(v))
}

func functionEnv(c *call) *lambdatypes.Environment {
	env, _ := c.props["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	out := &lambdatypes.Environment{Variables: map[string]string{}}
	for k, v := range vars {
		out.Variables[k] = str(v)
	}
	return out
}

func functionAttrs(arn string) map[string]any {
	return map[string]any{"Arn": arn}
}

func createFunction(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("FunctionName", 64, false)
	code, err := functionCode(c)
	if err != nil {
		return "", nil, err
	}
	in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(c.str("Role")), Code: code,
		Runtime: lambdatypes.Runtime(c.str("Runtime")), Handler: c.strPtr("Handler"), Description: c.strPtr("Description"),
		Timeout: c.int32Ptr("Timeout"), MemorySize: c.int32Ptr("MemorySize"), Environment: functionEnv(c),
		PackageType: lambdatypes.PackageType(c.str("PackageType")), Tags: tagsOf(c.props["Tags"])}
	for _, a := range listOf(c.props["Architectures"]) {
		in.Architectures = append(in.Architectures, lambdatypes.Architecture(str(a)))
	}
	for _, l := range listOf(c.props["Layers"]) {
		in.Layers = append(in.Layers, str(l))
	}
	if len(in.Tags) == 0 {
		in.Tags = nil
	}
	out, err := c.cl.lambda().CreateFunction(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	return name, functionAttrs(aws.ToString(out.FunctionArn)), nil
}

func updateFunction(ctx context.Context, c *call) (map[string]any, error) {
	if canonical(c.old["Code"]) != canonical(c.props["Code"]) {
		code, err := functionCode(c)
		if err != nil {
			return nil, err
		}
		if _, err := c.cl.lambda().UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(c.physical),
			ZipFile: code.ZipFile, S3Bucket: code.S3Bucket, S3Key: code.S3Key, S3ObjectVersion: code.S3ObjectVersion, ImageUri: code.ImageUri}); err != nil {
			return nil, cause(err)
		}
	}
	in := &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(c.physical), Role: c.strPtr("Role"),
		Runtime: lambdatypes.Runtime(c.str("Runtime")), Handler: c.strPtr("Handler"), Description: aws.String(c.str("Description")),
		Timeout: c.int32Ptr("Timeout"), MemorySize: c.int32Ptr("MemorySize"), Environment: functionEnv(c)}
	for _, l := range listOf(c.props["Layers"]) {
		in.Layers = append(in.Layers, str(l))
	}
	out, err := c.cl.lambda().UpdateFunctionConfiguration(ctx, in)
	if err != nil {
		return nil, cause(err)
	}
	return functionAttrs(aws.ToString(out.FunctionArn)), nil
}

func deleteFunction(ctx context.Context, c *call) error {
	_, err := c.cl.lambda().DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(c.physical)})
	return ignoreGone(err)
}

func addPermission(ctx context.Context, c *call) (string, map[string]any, error) {
	sid := physicalName(c.stack.Name, c.logical, 100, false)
	_, err := c.cl.lambda().AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(c.str("FunctionName")), StatementId: aws.String(sid),
		Action: aws.String(c.str("Action")), Principal: aws.String(c.str("Principal")), SourceArn: c.strPtr("SourceArn"),
		SourceAccount: c.strPtr("SourceAccount"), EventSourceToken: c.strPtr("EventSourceToken"),
		FunctionUrlAuthType: lambdatypes.FunctionUrlAuthType(c.str("FunctionUrlAuthType")), PrincipalOrgID: c.strPtr("PrincipalOrgID")})
	if err != nil {
		return "", nil, cause(err)
	}
	return sid, map[string]any{}, nil
}

func removePermission(ctx context.Context, c *call) error {
	_, err := c.cl.lambda().RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(c.str("FunctionName")), StatementId: aws.String(c.physical)})
	return ignoreGone(err)
}

func splitQualified(arn string) (string, string) {
	i := strings.LastIndexByte(arn, ':')
	if i < 0 {
		return arn, ""
	}
	return arn[:i], arn[i+1:]
}

func publishVersion(ctx context.Context, c *call) (string, map[string]any, error) {
	out, err := c.cl.lambda().PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(c.str("FunctionName")), Description: c.strPtr("Description")})
	if err != nil {
		return "", nil, cause(err)
	}
	arn := aws.ToString(out.FunctionArn)
	return arn, map[string]any{"Version": aws.ToString(out.Version), "FunctionArn": arn}, nil
}

func aliasInput(c *call) (*string, *string, *string) {
	return aws.String(c.str("FunctionName")), aws.String(c.str("Name")), aws.String(c.str("FunctionVersion"))
}

func createAlias(ctx context.Context, c *call) (string, map[string]any, error) {
	fn, name, ver := aliasInput(c)
	out, err := c.cl.lambda().CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: fn, Name: name, FunctionVersion: ver, Description: c.strPtr("Description")})
	if err != nil {
		return "", nil, cause(err)
	}
	arn := aws.ToString(out.AliasArn)
	return arn, map[string]any{"AliasArn": arn}, nil
}

func updateAlias(ctx context.Context, c *call) (map[string]any, error) {
	fn, name, ver := aliasInput(c)
	_, err := c.cl.lambda().UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: fn, Name: name, FunctionVersion: ver, Description: c.strPtr("Description")})
	return nil, cause0(err)
}

func createEventSourceMapping(ctx context.Context, c *call) (string, map[string]any, error) {
	in := &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(c.str("FunctionName")), EventSourceArn: c.strPtr("EventSourceArn"),
		BatchSize: c.int32Ptr("BatchSize"), MaximumBatchingWindowInSeconds: c.int32Ptr("MaximumBatchingWindowInSeconds"),
		StartingPosition: lambdatypes.EventSourcePosition(c.str("StartingPosition"))}
	if c.has("Enabled") {
		in.Enabled = aws.Bool(c.boolean("Enabled"))
	}
	if fc, ok := c.props["FilterCriteria"]; ok {
		var f lambdatypes.FilterCriteria
		if err := convert(fc, &f); err != nil {
			return "", nil, reasonf("Property FilterCriteria: %v", err)
		}
		in.FilterCriteria = &f
	}
	out, err := c.cl.lambda().CreateEventSourceMapping(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	id := aws.ToString(out.UUID)
	if err := mappingSettled(ctx, c, id); err != nil {
		return "", nil, err
	}
	return id, map[string]any{"Id": id, "EventSourceMappingArn": aws.ToString(out.EventSourceMappingArn)}, nil
}

// mappingSettled waits until a new mapping leaves Creating (Lambda starts
// it in the background), as AWS's handler waits for the mapping to
// stabilise before the resource is CREATE_COMPLETE: a stack that completed
// answers Enabled or Disabled, not Creating.
func mappingSettled(ctx context.Context, c *call, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		m, err := c.cl.lambda().GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(id)})
		if err != nil {
			return cause(err)
		}
		switch aws.ToString(m.State) {
		case "Creating", "Enabling", "Disabling", "Updating":
		default:
			return nil
		}
		select {
		case <-ctx.Done():
			return reasonf("the event source mapping %s did not leave state %s", id, aws.ToString(m.State))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func createFunctionURL(ctx context.Context, c *call) (string, map[string]any, error) {
	in := &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(c.str("TargetFunctionArn")), Qualifier: c.strPtr("Qualifier"),
		AuthType: lambdatypes.FunctionUrlAuthType(c.str("AuthType")), InvokeMode: lambdatypes.InvokeMode(c.str("InvokeMode"))}
	if cors, ok := c.props["Cors"]; ok {
		var cc lambdatypes.Cors
		if err := convert(cors, &cc); err != nil {
			return "", nil, reasonf("Property Cors: %v", err)
		}
		in.Cors = &cc
	}
	out, err := c.cl.lambda().CreateFunctionUrlConfig(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	arn := aws.ToString(out.FunctionArn)
	return arn, map[string]any{"FunctionArn": arn, "FunctionUrl": aws.ToString(out.FunctionUrl)}, nil
}

// ---- CloudWatch Logs ----

func createLogGroup(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("LogGroupName", 512, false)
	in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}
	if t := tagsOf(c.props["Tags"]); len(t) > 0 {
		in.Tags = t
	}
	if _, err := c.cl.logs().CreateLogGroup(ctx, in); err != nil {
		return "", nil, cause(err)
	}
	if _, err := updateLogGroup(ctx, &call{cl: c.cl, props: c.props, physical: name}); err != nil {
		_, _ = c.cl.logs().DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
		return "", nil, err
	}
	return name, map[string]any{"Arn": c.cl.arn("logs", "log-group:"+name+":*")}, nil
}

func updateLogGroup(ctx context.Context, c *call) (map[string]any, error) {
	if canonical(c.old["RetentionInDays"]) == canonical(c.props["RetentionInDays"]) {
		return nil, nil
	}
	var err error
	if r := c.int32Ptr("RetentionInDays"); r != nil {
		_, err = c.cl.logs().PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(c.physical), RetentionInDays: r})
	} else {
		_, err = c.cl.logs().DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(c.physical)})
	}
	return nil, cause0(err)
}

// ---- Secrets Manager ----

// secretValue is SecretString, or one GenerateSecretString makes.
func secretValue(ctx context.Context, c *call) (string, error) {
	if c.has("SecretString") {
		return c.str("SecretString"), nil
	}
	g, ok := c.props["GenerateSecretString"].(map[string]any)
	if !ok {
		return "", nil
	}
	in := &secretsmanager.GetRandomPasswordInput{ExcludeCharacters: strOrNil(g["ExcludeCharacters"])}
	for k, p := range map[string]**bool{"ExcludeLowercase": &in.ExcludeLowercase, "ExcludeNumbers": &in.ExcludeNumbers,
		"ExcludePunctuation": &in.ExcludePunctuation, "ExcludeUppercase": &in.ExcludeUppercase, "IncludeSpace": &in.IncludeSpace,
		"RequireEachIncludedType": &in.RequireEachIncludedType} {
		if v, ok := g[k]; ok {
			*p = aws.Bool(str(v) == "true")
		}
	}
	if v, ok := g["PasswordLength"]; ok {
		var n int64
		_, _ = fmt.Sscan(str(v), &n)
		in.PasswordLength = aws.Int64(n)
	}
	out, err := c.cl.secrets().GetRandomPassword(ctx, in)
	if err != nil {
		return "", cause(err)
	}
	pw := aws.ToString(out.RandomPassword)
	tmpl, key := str(g["SecretStringTemplate"]), str(g["GenerateStringKey"])
	if tmpl == "" && key == "" {
		return pw, nil
	}
	if tmpl == "" || key == "" {
		return "", reasonf("Property GenerateSecretString: SecretStringTemplate and GenerateStringKey must be given together")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(tmpl), &doc); err != nil {
		return "", reasonf("Property GenerateSecretString: SecretStringTemplate is not a JSON object")
	}
	doc[key] = pw
	b, _ := json.Marshal(doc)
	return string(b), nil
}

func createSecret(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("Name", 512, false)
	value, err := secretValue(ctx, c)
	if err != nil {
		return "", nil, err
	}
	in := &secretsmanager.CreateSecretInput{Name: aws.String(name), Description: c.strPtr("Description"), KmsKeyId: c.strPtr("KmsKeyId")}
	if value != "" {
		in.SecretString = aws.String(value)
	}
	out, err := c.cl.secrets().CreateSecret(ctx, in)
	if err != nil {
		return "", nil, cause(err)
	}
	arn := aws.ToString(out.ARN)
	return arn, map[string]any{"Id": arn}, nil
}

func updateSecret(ctx context.Context, c *call) (map[string]any, error) {
	in := &secretsmanager.UpdateSecretInput{SecretId: aws.String(c.physical), Description: c.strPtr("Description")}
	if canonical(c.old["SecretString"]) != canonical(c.props["SecretString"]) || canonical(c.old["GenerateSecretString"]) != canonical(c.props["GenerateSecretString"]) {
		v, err := secretValue(ctx, c)
		if err != nil {
			return nil, err
		}
		if v != "" {
			in.SecretString = aws.String(v)
		}
	}
	_, err := c.cl.secrets().UpdateSecret(ctx, in)
	return nil, cause0(err)
}

package cloudformation

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// The AWS::Serverless-2016-10-31 transform rewrites SAM's resource types
// into the CloudFormation resources SAM makes, under the logical ids SAM
// gives them, so ListStackResources reads as it does on AWS.

const samTransformName = "AWS::Serverless-2016-10-31"

func init() { transforms[samTransformName] = samTransform }

// samError is a template the transform refuses, worded as AWS words it.
func samError(format string, args ...any) error {
	return &templateError{"Transform " + samTransformName + " failed with: " + fmt.Sprintf(format, args...)}
}

// samProps lists, per SAM type, the properties the transform understands;
// any other is refused by name rather than dropped.
var samProps = map[string][]string{
	"AWS::Serverless::Function": {"CodeUri", "InlineCode", "ImageUri", "PackageType", "Handler", "Runtime", "MemorySize", "Timeout",
		"Environment", "Policies", "Role", "Layers", "AutoPublishAlias", "FunctionUrlConfig", "Events", "Description",
		"FunctionName", "Architectures", "Tags", "ReservedConcurrentExecutions", "EphemeralStorage", "VpcConfig", "KmsKeyArn",
		"Tracing", "DeadLetterQueue"},
	"AWS::Serverless::Api": {"StageName", "DefinitionBody", "Name", "Description", "Variables", "EndpointConfiguration",
		"BinaryMediaTypes", "Tags"},
	"AWS::Serverless::HttpApi":      {"StageName", "DefinitionBody", "Name", "Description", "StageVariables", "Tags"},
	"AWS::Serverless::SimpleTable":  {"PrimaryKey", "ProvisionedThroughput", "TableName", "Tags", "SSESpecification"},
	"AWS::Serverless::LayerVersion": {"ContentUri", "LayerName", "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo", "RetentionPolicy"},
}

// samEventProps lists the properties of each event source type.
var samEventProps = map[string][]string{
	"Api":             {"Path", "Method", "RestApiId"},
	"HttpApi":         {"Path", "Method", "ApiId", "PayloadFormatVersion", "TimeoutInMillis"},
	"S3":              {"Bucket", "Events", "Filter"},
	"SQS":             {"Queue", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes", "ScalingConfig"},
	"SNS":             {"Topic", "FilterPolicy", "FilterPolicyScope"},
	"DynamoDB":        {"Stream", "StartingPosition", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes", "MaximumRetryAttempts", "BisectBatchOnFunctionError", "ParallelizationFactor"},
	"Schedule":        {"Schedule", "Input", "Enabled", "State", "Name", "Description"},
	"CloudWatchEvent": {"Pattern", "EventBusName", "Input", "InputPath", "State"},
}

// samGlobals are the Globals sections, by the SAM type they apply to.
var samGlobals = map[string]string{
	"Function": "AWS::Serverless::Function", "Api": "AWS::Serverless::Api", "HttpApi": "AWS::Serverless::HttpApi",
	"SimpleTable": "AWS::Serverless::SimpleTable", "LayerVersion": "AWS::Serverless::LayerVersion",
}

// samState is one run of the transform.
type samState struct {
	in, out map[string]any // the template's resources, and what they become
	globals map[string]map[string]any
	refs    map[string]string // Ref rewrites: a layer's id, Fn.Alias, Fn.Version
	// apis collects the events' routes per API logical id; implicit ones are
	// made when an event names no API.
	rest, http map[string]*samAPI
}

// samAPI is an API and the routes events add to it.
type samAPI struct {
	logical  string
	explicit map[string]any // the Serverless::Api's properties; nil for the implicit API
	paths    map[string]any
}

func samTransform(raw map[string]any) (map[string]any, error) {
	rs, ok := raw["Resources"].(map[string]any)
	if !ok {
		return nil, formatErr("At least one Resources member must be defined.")
	}
	s := &samState{in: rs, out: map[string]any{}, globals: map[string]map[string]any{}, refs: map[string]string{},
		rest: map[string]*samAPI{}, http: map[string]*samAPI{}}
	if g, ok := raw["Globals"]; ok {
		gm, ok := g.(map[string]any)
		if !ok {
			return nil, samError("'Globals' section is invalid. Globals must be an object.")
		}
		for k, v := range gm {
			typ, ok := samGlobals[k]
			if !ok {
				return nil, samError("'Globals' section is invalid. '%s' is not supported. Must be one of the following values - %s", k, strings.Join(sortedKeys(samGlobals), ", "))
			}
			vm, ok := v.(map[string]any)
			if !ok {
				return nil, samError("'Globals' section is invalid. '%s' must be an object.", k)
			}
			s.globals[typ] = vm
		}
	}
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		if k != "Globals" {
			out[k] = v
		}
	}
	// Plain resources first (an S3 event edits its bucket), then layers,
	// APIs and tables, then functions, whose events reach into the others.
	var funcs []string
	for _, name := range sortedKeys(rs) {
		def, _ := rs[name].(map[string]any)
		typ, _ := def["Type"].(string)
		if !strings.HasPrefix(typ, "AWS::Serverless::") {
			s.out[name] = rs[name]
		}
	}
	for _, name := range sortedKeys(rs) {
		def, _ := rs[name].(map[string]any)
		typ, _ := def["Type"].(string)
		if !strings.HasPrefix(typ, "AWS::Serverless::") {
			continue
		}
		allowed, ok := samProps[typ]
		if !ok {
			return nil, samError("Resource with id [%s] is invalid. groundstack's SAM transform does not support the resource type %s", name, typ)
		}
		props, err := s.properties(name, typ, def, allowed)
		if err != nil {
			return nil, err
		}
		switch typ {
		case "AWS::Serverless::Function":
			funcs = append(funcs, name)
		case "AWS::Serverless::LayerVersion":
			if err := s.layer(name, def, props); err != nil {
				return nil, err
			}
		case "AWS::Serverless::SimpleTable":
			if err := s.table(name, def, props); err != nil {
				return nil, err
			}
		case "AWS::Serverless::Api":
			if _, ok := props["StageName"]; !ok {
				return nil, samError("Resource with id [%s] is invalid. Missing required property 'StageName'.", name)
			}
			s.rest[name] = &samAPI{logical: name, explicit: props, paths: map[string]any{}}
		case "AWS::Serverless::HttpApi":
			s.http[name] = &samAPI{logical: name, explicit: props, paths: map[string]any{}}
		}
	}
	for _, name := range funcs {
		def := rs[name].(map[string]any)
		props, _ := s.properties(name, "AWS::Serverless::Function", def, samProps["AWS::Serverless::Function"])
		if err := s.function(name, def, props); err != nil {
			return nil, err
		}
	}
	for _, name := range sortedKeys(s.rest) {
		if err := s.restAPI(s.rest[name]); err != nil {
			return nil, err
		}
	}
	for _, name := range sortedKeys(s.http) {
		s.httpAPI(s.http[name])
	}
	for name, def := range s.out {
		s.out[name] = s.rewriteRefs(def)
	}
	out["Resources"] = s.out
	if o, ok := out["Outputs"]; ok {
		out["Outputs"] = s.rewriteRefs(o)
	}
	return out, nil
}

// properties checks a SAM resource's properties against what the transform
// knows and merges its Globals into them.
func (s *samState) properties(name, typ string, def map[string]any, allowed []string) (map[string]any, error) {
	props := map[string]any{}
	if p, ok := def["Properties"]; ok && p != nil {
		pm, ok := p.(map[string]any)
		if !ok {
			return nil, samError("Resource with id [%s] is invalid. Properties must be an object.", name)
		}
		props = pm
	}
	if g := s.globals[typ]; g != nil {
		props = mergeGlobals(g, props).(map[string]any)
	}
	for _, k := range sortedKeys(props) {
		if !containsStr(allowed, k) {
			return nil, samError("Resource with id [%s] is invalid. groundstack's SAM transform does not support the property %s of %s", name, k, typ)
		}
	}
	return props, nil
}

// mergeGlobals applies a Globals section under a resource's own values:
// maps merge key by key, lists are the global items then the resource's,
// and any other value of the resource wins.
func mergeGlobals(global, local any) any {
	switch g := global.(type) {
	case map[string]any:
		l, ok := local.(map[string]any)
		if !ok {
			if local == nil {
				return g
			}
			return local
		}
		if isIntrinsic(g) || isIntrinsic(l) {
			return local
		}
		m := make(map[string]any, len(g)+len(l))
		for k, v := range g {
			m[k] = v
		}
		for k, v := range l {
			if gv, ok := g[k]; ok {
				m[k] = mergeGlobals(gv, v)
			} else {
				m[k] = v
			}
		}
		return m
	case []any:
		if l, ok := local.([]any); ok {
			return append(append([]any{}, g...), l...)
		}
	}
	if local == nil {
		return global
	}
	return local
}

func isIntrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func containsStr(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

// emit adds a generated resource carrying over the SAM resource's
// Condition and DependsOn (and, for the main resource, its policies).
func (s *samState) emit(name, typ string, props map[string]any, from map[string]any, main bool) map[string]any {
	r := map[string]any{"Type": typ, "Properties": props}
	if from != nil {
		for _, k := range []string{"Condition", "DependsOn", "Metadata"} {
			if v, ok := from[k]; ok && (k != "Metadata" || main) {
				r[k] = v
			}
		}
		if main {
			for _, k := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
				if v, ok := from[k]; ok {
					r[k] = v
				}
			}
		}
	}
	s.out[name] = r
	return r
}

// shortHash is the 10 hex digits SAM-style ids end with, of a value's JSON.
func shortHash(v ...any) string {
	h := sha1.New()
	for _, e := range v {
		h.Write([]byte(canonical(e)))
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}

// samCodeLocation reads CodeUri or ContentUri: an s3:// URI or {Bucket, Key,
// Version}. A local path means the template was not packaged.
func samCodeLocation(name, prop string, v any) (map[string]any, error) {
	switch x := v.(type) {
	case string:
		rest, ok := strings.CutPrefix(x, "s3://")
		bucket, key, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || bucket == "" || key == "" {
			return nil, samError("Resource with id [%s] is invalid. '%s' is not a valid S3 Uri of the form 's3://bucket/key'. "+
				"A local path is uploaded by `aws cloudformation package` (or `sam package`/`sam deploy`): deploy the template it writes.", name, prop)
		}
		return map[string]any{"S3Bucket": bucket, "S3Key": key}, nil
	case map[string]any:
		if isIntrinsic(x) {
			break
		}
		if x["Bucket"] == nil || x["Key"] == nil {
			return nil, samError("Resource with id [%s] is invalid. '%s' requires Bucket and Key properties to be specified.", name, prop)
		}
		loc := map[string]any{"S3Bucket": x["Bucket"], "S3Key": x["Key"]}
		if ver, ok := x["Version"]; ok {
			loc["S3ObjectVersion"] = ver
		}
		return loc, nil
	}
	return nil, samError("Resource with id [%s] is invalid. '%s' must be an S3 URI or an object with Bucket and Key.", name, prop)
}

func (s *samState) layer(name string, def, props map[string]any) error {
	content, err := samCodeLocation(name, "ContentUri", props["ContentUri"])
	if err != nil {
		return err
	}
	p := map[string]any{"Content": content, "LayerName": name}
	for _, k := range []string{"LayerName", "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"} {
		if v, ok := props[k]; ok {
			p[k] = v
		}
	}
	id := name + shortHash(p)
	r := s.emit(id, "AWS::Lambda::LayerVersion", p, def, true)
	if _, ok := def["DeletionPolicy"]; !ok {
		r["DeletionPolicy"] = "Retain"
		if strings.EqualFold(str(props["RetentionPolicy"]), "Delete") {
			r["DeletionPolicy"] = "Delete"
		}
	}
	s.refs[name] = id
	return nil
}

func (s *samState) table(name string, def, props map[string]any) error {
	pk := map[string]any{"Name": "id", "Type": "String"}
	if v, ok := props["PrimaryKey"].(map[string]any); ok {
		pk = v
	}
	types := map[string]string{"String": "S", "Number": "N", "Binary": "B"}
	at, ok := types[str(pk["Type"])]
	if !ok || str(pk["Name"]) == "" {
		return samError("Resource with id [%s] is invalid. PrimaryKey needs a Name and a Type of String, Number or Binary.", name)
	}
	p := map[string]any{
		"AttributeDefinitions": []any{map[string]any{"AttributeName": pk["Name"], "AttributeType": at}},
		"KeySchema":            []any{map[string]any{"AttributeName": pk["Name"], "KeyType": "HASH"}},
	}
	if pt, ok := props["ProvisionedThroughput"]; ok {
		p["ProvisionedThroughput"] = pt
	} else {
		p["BillingMode"] = "PAY_PER_REQUEST"
	}
	for _, k := range []string{"TableName", "SSESpecification"} {
		if v, ok := props[k]; ok {
			p[k] = v
		}
	}
	if t := samTags(props["Tags"], false); t != nil {
		p["Tags"] = t
	}
	s.emit(name, "AWS::DynamoDB::Table", p, def, true)
	return nil
}

// samTags turns SAM's tag map into CloudFormation's list, adding SAM's own.
func samTags(v any, createdBy bool) []any {
	m, _ := v.(map[string]any)
	var out []any
	if createdBy {
		out = append(out, map[string]any{"Key": "lambda:createdBy", "Value": "SAM"})
	}
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{"Key": k, "Value": m[k]})
	}
	return out
}

// funcRefs are how a function's generated resources name it: through its
// alias when it publishes one.
type funcRefs struct {
	name    string
	ref     any // FunctionName for permissions and mappings
	arn     any // the ARN integrations and subscriptions invoke
	managed []any
	ownRole bool // the function names its Role: none is generated
}

func (s *samState) function(name string, def, props map[string]any) error {
	p := map[string]any{}
	for _, k := range []string{"Handler", "Runtime", "MemorySize", "Timeout", "Environment", "Layers", "Description", "FunctionName",
		"Architectures", "ReservedConcurrentExecutions", "EphemeralStorage", "VpcConfig", "KmsKeyArn", "PackageType"} {
		if v, ok := props[k]; ok {
			p[k] = v
		}
	}
	if t, ok := props["Tracing"]; ok {
		p["TracingConfig"] = map[string]any{"Mode": t}
	}
	if d, ok := props["DeadLetterQueue"].(map[string]any); ok {
		p["DeadLetterConfig"] = map[string]any{"TargetArn": d["TargetArn"]}
	}
	switch {
	case props["InlineCode"] != nil:
		p["Code"] = map[string]any{"ZipFile": props["InlineCode"]}
	case props["ImageUri"] != nil:
		p["Code"] = map[string]any{"ImageUri": props["ImageUri"]}
		p["PackageType"] = "Image"
	case props["CodeUri"] != nil:
		loc, err := samCodeLocation(name, "CodeUri", props["CodeUri"])
		if err != nil {
			return err
		}
		p["Code"] = loc
	default:
		return samError("Resource with id [%s] is invalid. Only one of 'InlineCode', 'CodeUri' or 'ImageUri' can be set, and one must be.", name)
	}
	p["Tags"] = samTags(props["Tags"], true)
	fr := &funcRefs{name: name, ref: map[string]any{"Ref": name}, arn: map[string]any{"Fn::GetAtt": []any{name, "Arn"}}}
	_, fr.ownRole = props["Role"]
	if alias, ok := props["AutoPublishAlias"]; ok {
		an := str(alias)
		if !regexp.MustCompile(`^[A-Za-z0-9]+$`).MatchString(an) {
			return samError("Resource with id [%s] is invalid. AutoPublishAlias must be alphanumeric: %q", name, an)
		}
		ver := name + "Version" + shortHash(p)
		s.emit(ver, "AWS::Lambda::Version", map[string]any{"FunctionName": map[string]any{"Ref": name}}, def, false)["DeletionPolicy"] = "Retain"
		al := name + "Alias" + an
		s.emit(al, "AWS::Lambda::Alias", map[string]any{"Name": an, "FunctionName": map[string]any{"Ref": name},
			"FunctionVersion": map[string]any{"Fn::GetAtt": []any{ver, "Version"}}}, def, false)
		s.refs[name+".Alias"], s.refs[name+".Version"] = al, ver
		fr.ref = map[string]any{"Ref": al}
		fr.arn = map[string]any{"Ref": al}
	}
	if ev, ok := props["Events"]; ok {
		em, ok := ev.(map[string]any)
		if !ok {
			return samError("Resource with id [%s] is invalid. Events must be an object.", name)
		}
		for _, en := range sortedKeys(em) {
			if err := s.event(fr, def, en, em[en]); err != nil {
				return err
			}
		}
	}
	if role, ok := props["Role"]; ok {
		p["Role"] = role
	} else {
		if err := s.role(name, def, props, fr.managed); err != nil {
			return err
		}
		p["Role"] = map[string]any{"Fn::GetAtt": []any{name + "Role", "Arn"}}
	}
	if u, ok := props["FunctionUrlConfig"].(map[string]any); ok {
		up := map[string]any{"TargetFunctionArn": map[string]any{"Ref": name}, "AuthType": u["AuthType"]}
		for _, k := range []string{"Cors", "InvokeMode"} {
			if v, ok := u[k]; ok {
				up[k] = v
			}
		}
		perm := map[string]any{"Action": "lambda:InvokeFunctionUrl", "FunctionName": map[string]any{"Ref": name}, "Principal": "*", "FunctionUrlAuthType": "NONE"}
		if a, ok := props["AutoPublishAlias"]; ok {
			up["Qualifier"] = a
			perm["FunctionName"] = fr.ref
		}
		ur := s.emit(name+"Url", "AWS::Lambda::Url", up, def, false)
		if a, ok := props["AutoPublishAlias"]; ok { // the qualifier names the alias, not a reference to it
			ur["DependsOn"] = appendDepends(ur["DependsOn"], name+"Alias"+str(a))
		}
		if str(u["AuthType"]) == "NONE" {
			s.emit(name+"UrlPublicPermissions", "AWS::Lambda::Permission", perm, def, false)
		}
	}
	s.emit(name, "AWS::Lambda::Function", p, def, true)
	return nil
}

// role makes <Function>Role: the basic execution role, what the events
// need, and the function's Policies.
func (s *samState) role(name string, def, props map[string]any, eventPolicies []any) error {
	managed := []any{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
	for _, m := range eventPolicies {
		if !containsAny(managed, m) {
			managed = append(managed, m)
		}
	}
	var inline []any
	var policies []any
	switch x := props["Policies"].(type) {
	case nil:
	case string:
		policies = []any{x}
	case []any:
		policies = x
	case map[string]any:
		policies = []any{x}
	default:
		return samError("Resource with id [%s] is invalid. Type of property 'Policies' is invalid.", name)
	}
	for _, pol := range policies {
		switch x := pol.(type) {
		case string:
			if !strings.HasPrefix(x, "arn:") {
				x = "arn:aws:iam::aws:policy/" + x
			}
			managed = append(managed, x)
		case map[string]any:
			switch {
			case isIntrinsic(x):
				managed = append(managed, x)
			case x["Statement"] != nil:
				inline = append(inline, x)
			default:
				doc, err := policyTemplate(name, x)
				if err != nil {
					return err
				}
				inline = append(inline, doc)
			}
		default:
			return samError("Resource with id [%s] is invalid. Type of property 'Policies' is invalid.", name)
		}
	}
	rp := map[string]any{
		"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Action": []any{"sts:AssumeRole"}, "Principal": map[string]any{"Service": []any{"lambda.amazonaws.com"}}}}},
		"ManagedPolicyArns": managed,
		"Tags":              samTags(nil, true),
	}
	if len(inline) > 0 {
		var ps []any
		for i, doc := range inline {
			ps = append(ps, map[string]any{"PolicyName": fmt.Sprintf("%sRolePolicy%d", name, i), "PolicyDocument": doc})
		}
		rp["Policies"] = ps
	}
	s.emit(name+"Role", "AWS::IAM::Role", rp, def, false)
	return nil
}

func containsAny(l []any, v any) bool {
	for _, e := range l {
		if canonical(e) == canonical(v) {
			return true
		}
	}
	return false
}

// samPolicyTemplates are SAM's policy templates the transform knows: the
// parameter they take, the actions they grant and the resources, as
// Fn::Sub strings over that parameter.
var samPolicyTemplates = map[string]struct {
	param     string
	actions   []string
	resources []string
}{
	"DynamoDBCrudPolicy": {"TableName", []string{"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
		"dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"},
		[]string{"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}", "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*"}},
	"DynamoDBReadPolicy": {"TableName", []string{"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"},
		[]string{"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}", "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*"}},
	"S3ReadPolicy": {"BucketName", []string{"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"},
		[]string{"arn:${AWS::Partition}:s3:::${BucketName}", "arn:${AWS::Partition}:s3:::${BucketName}/*"}},
	"S3CrudPolicy": {"BucketName", []string{"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject",
		"s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"},
		[]string{"arn:${AWS::Partition}:s3:::${BucketName}", "arn:${AWS::Partition}:s3:::${BucketName}/*"}},
	"SQSSendMessagePolicy": {"QueueName", []string{"sqs:SendMessage*"},
		[]string{"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"}},
	"SQSPollerPolicy": {"QueueName", []string{"sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
		"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
		[]string{"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"}},
	"SNSPublishMessagePolicy": {"TopicName", []string{"sns:Publish"},
		[]string{"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}"}},
	"LambdaInvokePolicy": {"FunctionName", []string{"lambda:InvokeFunction"},
		[]string{"arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}*"}},
	"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn", []string{"secretsmanager:GetSecretValue"}, []string{"${SecretArn}"}},
}

func policyTemplate(fn string, x map[string]any) (map[string]any, error) {
	if len(x) != 1 {
		return nil, samError("Resource with id [%s] is invalid. A policy template is an object with one key, the template's name.", fn)
	}
	for name, arg := range x {
		t, ok := samPolicyTemplates[name]
		if !ok {
			return nil, samError("Resource with id [%s] is invalid. groundstack's SAM transform does not know the policy template %s; "+
				"it knows %s", fn, name, strings.Join(sortedKeys(samPolicyTemplates), ", "))
		}
		am, _ := arg.(map[string]any)
		val, ok := am[t.param]
		if !ok {
			return nil, samError("Resource with id [%s] is invalid. Missing required parameter '%s' of policy template %s.", fn, t.param, name)
		}
		var res []any
		for _, r := range t.resources {
			res = append(res, map[string]any{"Fn::Sub": []any{r, map[string]any{t.param: val}}})
		}
		var acts []any
		for _, a := range t.actions {
			acts = append(acts, a)
		}
		return map[string]any{"Statement": []any{map[string]any{"Effect": "Allow", "Action": acts, "Resource": res}}}, nil
	}
	return nil, nil
}

// event adds one event source's resources.
func (s *samState) event(fr *funcRefs, def map[string]any, en string, v any) error {
	em, ok := v.(map[string]any)
	typ, _ := em["Type"].(string)
	if !ok || typ == "" {
		return samError("Resource with id [%s] is invalid. Event with id [%s] is invalid. Type is required.", fr.name, en)
	}
	allowed, ok := samEventProps[typ]
	if !ok {
		return samError("Resource with id [%s] is invalid. Event with id [%s] is invalid. groundstack's SAM transform does not support the event type %s; it supports %s",
			fr.name, en, typ, strings.Join(sortedKeys(samEventProps), ", "))
	}
	props, _ := em["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	for _, k := range sortedKeys(props) {
		if !containsStr(allowed, k) {
			return samError("Resource with id [%s] is invalid. Event with id [%s] is invalid. groundstack's SAM transform does not support the property %s of %s events",
				fr.name, en, k, typ)
		}
	}
	id := fr.name + en
	perm := func(suffix, principal string, extra map[string]any) {
		p := map[string]any{"Action": "lambda:InvokeFunction", "FunctionName": fr.ref, "Principal": principal}
		for k, v := range extra {
			p[k] = v
		}
		s.emit(id+"Permission"+suffix, "AWS::Lambda::Permission", p, def, false)
	}
	copyProps := func(dst map[string]any, keys ...string) {
		for _, k := range keys {
			if v, ok := props[k]; ok {
				dst[k] = v
			}
		}
	}
	switch typ {
	case "Api", "HttpApi":
		path, method := str(props["Path"]), strings.ToLower(str(props["Method"]))
		apiProp, apis, implicit := "RestApiId", s.rest, "ServerlessRestApi"
		if typ == "HttpApi" {
			apiProp, apis, implicit = "ApiId", s.http, "ServerlessHttpApi"
			if path == "" && method == "" {
				path, method = "$default", "any"
			}
		}
		if path == "" || method == "" {
			return samError("Resource with id [%s] is invalid. Event with id [%s] is invalid. Path and Method are required.", fr.name, en)
		}
		apiName := implicit
		if ref, ok := props[apiProp]; ok {
			rm, _ := ref.(map[string]any)
			apiName, _ = rm["Ref"].(string)
			if _, known := apis[apiName]; !known {
				return samError("Resource with id [%s] is invalid. Event with id [%s] is invalid. %s must be a Ref to an AWS::Serverless::%s of this template.",
					fr.name, en, apiProp, strings.TrimPrefix(typ, "Http")+map[bool]string{true: "HttpApi", false: ""}[typ == "HttpApi"])
			}
		}
		api := apis[apiName]
		if api == nil {
			api = &samAPI{logical: apiName, paths: map[string]any{}}
			apis[apiName] = api
		}
		verb := method
		if method == "any" {
			verb = "x-amazon-apigateway-any-method"
		}
		integ := map[string]any{"type": "aws_proxy", "httpMethod": "POST",
			"uri": map[string]any{"Fn::Sub": []any{"arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Target}/invocations",
				map[string]any{"Target": fr.arn}}}}
		if typ == "HttpApi" {
			integ["payloadFormatVersion"] = "2.0"
			copyProps(integ, "PayloadFormatVersion")
			if v, ok := integ["PayloadFormatVersion"]; ok {
				integ["payloadFormatVersion"] = v
				delete(integ, "PayloadFormatVersion")
			}
		}
		ops, _ := api.paths[path].(map[string]any)
		if ops == nil {
			ops = map[string]any{}
			api.paths[path] = ops
		}
		if _, dup := ops[verb]; dup {
			return samError("Resource with id [%s] is invalid. Event with id [%s] is invalid. API method %q defined multiple times for path %q.", fr.name, en, method, path)
		}
		ops[verb] = map[string]any{"x-amazon-apigateway-integration": integ, "responses": map[string]any{}}
		arnPath := regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(path, "*")
		arnVerb := strings.ToUpper(method)
		if method == "any" {
			arnVerb = "*"
		}
		if path == "$default" {
			arnPath = "/*"
		}
		src := map[string]any{"Fn::Sub": []any{"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/" + arnVerb + arnPath,
			map[string]any{"__ApiId__": map[string]any{"Ref": apiName}, "__Stage__": "*"}}}
		suffix := ""
		if typ == "Api" {
			suffix = "Prod"
			if api.explicit != nil {
				suffix = alnum(str(api.explicit["StageName"]))
			}
		}
		perm(suffix, "apigateway.amazonaws.com", map[string]any{"SourceArn": src})
	case "SQS", "DynamoDB":
		p := map[string]any{"FunctionName": fr.ref}
		if typ == "SQS" {
			p["EventSourceArn"] = props["Queue"]
			fr.managed = append(fr.managed, "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
			copyProps(p, "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes", "ScalingConfig")
		} else {
			p["EventSourceArn"] = props["Stream"]
			fr.managed = append(fr.managed, "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole")
			copyProps(p, "StartingPosition", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FilterCriteria", "FunctionResponseTypes",
				"MaximumRetryAttempts", "BisectBatchOnFunctionError", "ParallelizationFactor")
		}
		if p["EventSourceArn"] == nil {
			return samError("Resource with id [%s] is invalid. Event with id [%s] is invalid. Missing required property '%s'.", fr.name, en, map[string]string{"SQS": "Queue", "DynamoDB": "Stream"}[typ])
		}
		// The mapping needs the role's permissions to poll.
		r := s.emit(id, "AWS::Lambda::EventSourceMapping", p, def, false)
		if !fr.ownRole {
			r["DependsOn"] = appendDepends(r["DependsOn"], fr.name+"Role")
		}
	case "SNS":
		p := map[string]any{"Endpoint": fr.arn, "Protocol": "lambda", "TopicArn": props["Topic"]}
		copyProps(p, "FilterPolicy", "FilterPolicyScope")
		s.emit(id, "AWS::SNS::Subscription", p, def, false)
		perm("", "sns.amazonaws.com", map[string]any{"SourceArn": props["Topic"]})
	case "S3":
		ref, _ := props["Bucket"].(map[string]any)
		bucket, _ := ref["Ref"].(string)
		bdef, _ := s.out[bucket].(map[string]any)
		if bdef == nil || bdef["Type"] != "AWS::S3::Bucket" {
			return samError("Resource with id [%s] is invalid. Event with id [%s] is invalid. S3 events must reference an S3 bucket in the same template.", fr.name, en)
		}
		perm("", "s3.amazonaws.com", map[string]any{"SourceAccount": map[string]any{"Ref": "AWS::AccountId"}})
		events := props["Events"]
		if s, ok := events.(string); ok {
			events = []any{s}
		}
		bprops, _ := bdef["Properties"].(map[string]any)
		if bprops == nil {
			bprops = map[string]any{}
		}
		nc, _ := bprops["NotificationConfiguration"].(map[string]any)
		if nc == nil {
			nc = map[string]any{}
		}
		lcs, _ := nc["LambdaConfigurations"].([]any)
		for _, e := range listOf(events) {
			lc := map[string]any{"Event": e, "Function": fr.arn}
			if f, ok := props["Filter"]; ok {
				lc["Filter"] = f
			}
			lcs = append(lcs, lc)
		}
		nc["LambdaConfigurations"] = lcs
		bprops["NotificationConfiguration"] = nc
		nb := map[string]any{}
		for k, v := range bdef {
			nb[k] = v
		}
		nb["Properties"] = bprops
		nb["DependsOn"] = appendDepends(bdef["DependsOn"], id+"Permission")
		s.out[bucket] = nb
	case "Schedule", "CloudWatchEvent":
		// groundstack has no EventBridge: the rule is made as SAM makes it and
		// its stack fails naming AWS::Events::Rule.
		target := map[string]any{"Arn": fr.arn, "Id": id + "LambdaTarget"}
		for _, k := range []string{"Input", "InputPath"} {
			if v, ok := props[k]; ok {
				target[k] = v
			}
		}
		p := map[string]any{"Targets": []any{target}}
		if typ == "Schedule" {
			p["ScheduleExpression"] = props["Schedule"]
			p["State"] = "ENABLED"
			if e, ok := props["Enabled"].(bool); ok && !e {
				p["State"] = "DISABLED"
			}
			copyProps(p, "State", "Name", "Description")
		} else {
			p["EventPattern"] = props["Pattern"]
			copyProps(p, "EventBusName", "State")
		}
		s.emit(id, "AWS::Events::Rule", p, def, false)
		perm("", "events.amazonaws.com", map[string]any{"SourceArn": map[string]any{"Fn::GetAtt": []any{id, "Arn"}}})
	}
	return nil
}

func appendDepends(v any, name string) any {
	switch x := v.(type) {
	case string:
		return []any{x, name}
	case []any:
		return append(append([]any{}, x...), name)
	}
	return name
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]`)

func alnum(s string) string { return nonAlnum.ReplaceAllString(s, "") }

// restAPI makes a REST API, its deployment (named by a hash of the
// definition, so a changed API is deployed anew) and its stage.
func (s *samState) restAPI(api *samAPI) error {
	stage := "Prod"
	var body any
	p := map[string]any{}
	var from map[string]any
	if api.explicit != nil {
		stage = str(api.explicit["StageName"])
		body = api.explicit["DefinitionBody"]
		for _, k := range []string{"Name", "Description", "EndpointConfiguration", "BinaryMediaTypes"} {
			if v, ok := api.explicit[k]; ok {
				p[k] = v
			}
		}
		if ec, ok := p["EndpointConfiguration"].(string); ok {
			p["EndpointConfiguration"] = map[string]any{"Types": []any{ec}}
		}
		if t := samTags(api.explicit["Tags"], false); t != nil {
			p["Tags"] = t
		}
		from, _ = s.in[api.logical].(map[string]any)
	}
	if body == nil {
		title := any(map[string]any{"Ref": "AWS::StackName"})
		if n, ok := p["Name"]; ok {
			title = n
		}
		body = map[string]any{"swagger": "2.0", "info": map[string]any{"version": "1.0", "title": title}, "paths": api.paths}
	}
	p["Body"] = body
	s.emit(api.logical, "AWS::ApiGateway::RestApi", p, from, true)
	dep := api.logical + "Deployment" + shortHash(body)
	s.emit(dep, "AWS::ApiGateway::Deployment", map[string]any{"RestApiId": map[string]any{"Ref": api.logical},
		"Description": "RestApi deployment id: " + dep[len(dep)-10:], "StageName": "Stage"}, from, false)
	sp := map[string]any{"RestApiId": map[string]any{"Ref": api.logical}, "DeploymentId": map[string]any{"Ref": dep}, "StageName": stage}
	if api.explicit != nil {
		if v, ok := api.explicit["Variables"]; ok {
			sp["Variables"] = v
		}
	}
	s.emit(api.logical+alnum(stage)+"Stage", "AWS::ApiGateway::Stage", sp, from, false)
	return nil
}

// httpAPI makes an HTTP API from its OpenAPI 3 definition and its stage,
// $default unless StageName says otherwise.
func (s *samState) httpAPI(api *samAPI) {
	stage := "$default"
	var body any
	p := map[string]any{}
	var from map[string]any
	if api.explicit != nil {
		if v, ok := api.explicit["StageName"]; ok {
			stage = str(v)
		}
		body = api.explicit["DefinitionBody"]
		from, _ = s.in[api.logical].(map[string]any)
		if t, ok := api.explicit["Tags"]; ok {
			p["Tags"] = t
		}
	}
	if body == nil {
		title := any(map[string]any{"Ref": "AWS::StackName"})
		if api.explicit != nil && api.explicit["Name"] != nil {
			title = api.explicit["Name"]
		}
		body = map[string]any{"openapi": "3.0.1", "info": map[string]any{"version": "1.0", "title": title}, "paths": api.paths}
	}
	p["Body"] = body
	s.emit(api.logical, "AWS::ApiGatewayV2::Api", p, from, true)
	sp := map[string]any{"ApiId": map[string]any{"Ref": api.logical}, "StageName": stage, "AutoDeploy": true}
	if api.explicit != nil {
		if v, ok := api.explicit["StageVariables"]; ok {
			sp["StageVariables"] = v
		}
	}
	id := api.logical + "ApiGatewayDefaultStage"
	if stage != "$default" {
		id = api.logical + alnum(stage) + "Stage"
	}
	s.emit(id, "AWS::ApiGatewayV2::Stage", sp, from, false)
}

// rewriteRefs points references at what the transform made of them: a
// layer's Ref at its version, Fn.Alias and Fn.Version at the alias and
// the version.
func (s *samState) rewriteRefs(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["Ref"].(string); ok && len(x) == 1 {
			if to, ok := s.refs[r]; ok {
				return map[string]any{"Ref": to}
			}
			return x
		}
		if sub, ok := x["Fn::Sub"]; ok && len(x) == 1 {
			switch y := sub.(type) {
			case string:
				return map[string]any{"Fn::Sub": s.rewriteSub(y)}
			case []any:
				if len(y) == 2 {
					if text, ok := y[0].(string); ok {
						return map[string]any{"Fn::Sub": []any{s.rewriteSub(text), s.rewriteRefs(y[1])}}
					}
				}
			}
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(x) == 1 && len(ga) == 2 {
			if to, ok := s.refs[str(ga[0])]; ok {
				return map[string]any{"Fn::GetAtt": []any{to, ga[1]}}
			}
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = s.rewriteRefs(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = s.rewriteRefs(e)
		}
		return l
	}
	return v
}

// rewriteSub does rewriteRefs' work in a Fn::Sub string's ${Name}s.
func (s *samState) rewriteSub(text string) string {
	for from, to := range s.refs {
		text = strings.ReplaceAll(text, "${"+from+"}", "${"+to+"}")
	}
	return text
}

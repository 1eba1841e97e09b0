package cloudformation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func TestTemplatesRefused(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	cases := []struct {
		name, body, msg string
	}{
		{"yaml", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: [a, b}\n", "Template format error: YAML not well-formed. (line 4): did not find expected ',' or ']'"},
		{"json", `{"Resources": {"A": }}`, "Template format error: JSON not well-formed. (line 1, column 21)"},
		{"no resources", `{"Description": "x"}`, "Template format error: At least one Resources member must be defined."},
		{"missing ref", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !Ref Nowhere}\n",
			"Template format error: Unresolved resource dependencies [Nowhere] in the Resources block of the template"},
		{"missing getatt", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt Nowhere.Arn}\n",
			"Template error: instance of Fn::GetAtt references undefined resource Nowhere"},
		{"cycle", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n  B:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt A.QueueName}\n",
			"Circular dependency between resources: [A, B]"},
		{"unknown function", `{"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Frobnicate": "x"}}}}}`,
			"Template format error: Encountered unsupported function: Fn::Frobnicate Supported functions are: ["},
		{"unknown tag", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !Frob x}\n", "Template format error: YAML not well-formed. (line 4, column 29): unknown tag !Frob"},
		{"missing output ref", "Resources:\n  A: {Type: AWS::SQS::Queue}\nOutputs:\n  O: {Value: !Ref Gone}\n",
			"Template format error: Unresolved resource dependencies [Gone] in the Outputs block of the template"},
		{"transform", "Transform: MyMacro\nResources:\n  A: {Type: AWS::SQS::Queue}\n",
			"groundstack does not run the template transform MyMacro yet: deploy the template it expands to"},
		{"missing import", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !ImportValue nobody-exports-this}\n",
			"No export named nobody-exports-this found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(tc.body)})
			if err == nil {
				t.Fatal("accepted")
			}
			wantAPIError(t, err, "ValidationError", "")
			if !strings.HasPrefix(errMessage(err), tc.msg) {
				t.Fatalf("message %q, want it to start %q", errMessage(err), tc.msg)
			}
		})
	}
	if _, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("bad")}); err == nil {
		t.Error("a refused template left a stack")
	}
	// ValidateTemplate answers the same.
	_, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateBody: aws.String(cases[3].body)})
	wantAPIError(t, err, "ValidationError", cases[3].msg)
}

func TestParameters(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	body := `
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Description: where}
  Count: {Type: Number, Default: 3, MinValue: 1, MaxValue: 5}
  Token: {Type: String, NoEcho: true, Default: s3cret}
  Names: {Type: CommaDelimitedList, Default: "a,b"}
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Join ["-", [!Ref Env, !Select [1, !Ref Names]]]
Outputs:
  Name: {Value: !GetAtt Q.QueueName}
`
	param := func(k, v string) cfntypes.Parameter {
		return cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
	}
	for _, tc := range []struct {
		params []cfntypes.Parameter
		msg    string
	}{
		{nil, "Parameters: [Env] must have values"},
		{[]cfntypes.Parameter{param("Env", "test")}, "Parameter 'Env' must be one of AllowedValues"},
		{[]cfntypes.Parameter{param("Env", "dev"), param("Count", "9")}, "Parameter 'Count' must be a number not greater than 5"},
		{[]cfntypes.Parameter{param("Env", "dev"), param("Count", "x")}, "Parameter 'Count' must be a number."},
		{[]cfntypes.Parameter{param("Env", "dev"), param("Extra", "1")}, "Parameters: [Extra] do not exist in the template"},
	} {
		_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("p"), TemplateBody: aws.String(body), Parameters: tc.params})
		wantAPIError(t, err, "ValidationError", tc.msg)
	}
	st := createStack(t, c, "p", body, param("Env", "prod"))
	if outputsOf(st)["Name"] != "prod-b" {
		t.Errorf("outputs %v", outputsOf(st))
	}
	got := map[string]string{}
	for _, p := range st.Parameters {
		got[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	if got["Token"] != "****" || got["Count"] != "3" || got["Env"] != "prod" {
		t.Errorf("parameters %v", got)
	}
	_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("ssm"), TemplateBody: aws.String(
		"Parameters:\n  Ami: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /ami}\nResources:\n  Q: {Type: AWS::SQS::Queue}\n")})
	wantAPIError(t, err, "ValidationError", "Parameter 'Ami' is of type AWS::SSM::Parameter::Value<String>: groundstack does not resolve SSM parameter types; declare it as String and pass the value")

	sum, err := c.GetTemplateSummary(ctx, &cfn.GetTemplateSummaryInput{TemplateBody: aws.String(body)})
	if err != nil || len(sum.Parameters) != 4 || len(sum.ResourceTypes) != 1 || sum.ResourceTypes[0] != "AWS::SQS::Queue" {
		t.Fatalf("summary %+v %v", sum, err)
	}
	v, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateBody: aws.String(body)})
	if err != nil || len(v.Parameters) != 4 {
		t.Fatalf("validate %+v %v", v, err)
	}
}

func TestStackOperationErrors(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("bad_name"), TemplateBody: aws.String(`{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}`)})
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value 'bad_name' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*")
	_, err = c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("none")})
	wantAPIError(t, err, "ValidationError", "Either Template URL or Template Body must be specified.")
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("none"), UsePreviousTemplate: aws.Bool(true)})
	wantAPIError(t, err, "ValidationError", "Stack with id none does not exist")
	_, err = c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("none")})
	wantAPIError(t, err, "ValidationError", "Stack with id none does not exist")
	_, err = c.ListStackResources(ctx, &cfn.ListStackResourcesInput{StackName: aws.String("none")})
	wantAPIError(t, err, "ValidationError", "Stack with id none does not exist")
	_, err = c.GetTemplate(ctx, &cfn.GetTemplateInput{StackName: aws.String("none")})
	wantAPIError(t, err, "ValidationError", "Stack with id none does not exist")
	_, err = c.ListImports(ctx, &cfn.ListImportsInput{ExportName: aws.String("nothing")})
	wantAPIError(t, err, "ValidationError", "Export 'nothing' is not imported by any stack.")
	// Deleting a stack that does not exist succeeds, as on AWS.
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("none")}); err != nil {
		t.Fatal(err)
	}
	createStack(t, c, "one", `{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}`)
	if _, err := c.UpdateTerminationProtection(ctx, &cfn.UpdateTerminationProtectionInput{StackName: aws.String("one"), EnableTerminationProtection: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("one")})
	wantAPIError(t, err, "ValidationError", "Stack [one] cannot be deleted while TerminationProtection is enabled")
	if _, err := c.UpdateTerminationProtection(ctx, &cfn.UpdateTerminationProtectionInput{StackName: aws.String("one"), EnableTerminationProtection: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("one"), LogicalResourceId: aws.String("Nope")})
	wantAPIError(t, err, "ValidationError", "Resource Nope does not exist for stack one")
	r, err := c.DescribeStackResources(ctx, &cfn.DescribeStackResourcesInput{StackName: aws.String("one")})
	if err != nil || len(r.StackResources) != 1 || r.StackResources[0].ResourceStatus != cfntypes.ResourceStatusCreateComplete {
		t.Fatalf("resources %+v %v", r, err)
	}
	byPhys, err := c.DescribeStackResources(ctx, &cfn.DescribeStackResourcesInput{PhysicalResourceId: r.StackResources[0].PhysicalResourceId})
	if err != nil || len(byPhys.StackResources) != 1 {
		t.Fatalf("by physical id %+v %v", byPhys, err)
	}
	ls, err := c.ListStacks(ctx, &cfn.ListStacksInput{StackStatusFilter: []cfntypes.StackStatus{cfntypes.StackStatusCreateComplete}})
	if err != nil || len(ls.StackSummaries) != 1 || aws.ToString(ls.StackSummaries[0].StackName) != "one" {
		t.Fatalf("list %+v %v", ls, err)
	}
}

func errMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

func TestExportNameTakenFailsTheStack(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	body := `{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"U": {"Value": {"Ref": "Q"}, "Export": {"Name": "shared-url"}}}}`
	createStack(t, c, "first", body)
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("second"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("second")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Stacks[0].StackStatus != cfntypes.StackStatusRollbackComplete {
		t.Fatalf("status %s", d.Stacks[0].StackStatus)
	}
	if !strings.Contains(events(t, c, "second"), "Export with name shared-url is already exported by stack first") {
		t.Fatalf("events:\n%s", events(t, c, "second"))
	}
}

package cloudformation_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

const setTemplate = `
Parameters:
  Name: {Type: String, Default: jobs}
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Ref Name}
`

func TestStackSetsDeployRealStacksIntoAccountsAndRegions(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	other := cfg.Copy()
	other.Credentials = credentials.NewStaticCredentialsProvider("111111111111", "test", "")

	id, err := c.CreateStackSet(ctx, &cfn.CreateStackSetInput{StackSetName: aws.String("fleet"), TemplateBody: aws.String(setTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateStackSet(ctx, &cfn.CreateStackSetInput{StackSetName: aws.String("fleet"), TemplateBody: aws.String(setTemplate)})
	wantAPIError(t, err, "NameAlreadyExistsException", "StackSet fleet already exists")

	op, err := c.CreateStackInstances(ctx, &cfn.CreateStackInstancesInput{StackSetName: aws.String("fleet"),
		Accounts: []string{"000000000000", "111111111111"}, Regions: []string{"us-east-1", "eu-west-1"},
		ParameterOverrides: []cfntypes.Parameter{{ParameterKey: aws.String("Name"), ParameterValue: aws.String("fleet-jobs")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStackSetOperation(ctx, &cfn.DescribeStackSetOperationInput{StackSetName: aws.String("fleet"), OperationId: op.OperationId})
	if err != nil || d.StackSetOperation.Status != cfntypes.StackSetOperationStatusSucceeded || d.StackSetOperation.Action != cfntypes.StackSetOperationActionCreate {
		t.Fatalf("operation %+v %v", d, err)
	}
	res, err := c.ListStackSetOperationResults(ctx, &cfn.ListStackSetOperationResultsInput{StackSetName: aws.String("fleet"), OperationId: op.OperationId})
	if err != nil || len(res.Summaries) != 4 {
		t.Fatalf("results %+v %v", res, err)
	}
	// The queue is real, in the other account and region.
	otherEU := other.Copy()
	otherEU.Region = "eu-west-1"
	q, err := sqs.NewFromConfig(otherEU).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("fleet-jobs")})
	if err != nil {
		t.Fatalf("queue in 111111111111/eu-west-1: %v", err)
	}
	_ = q
	inst, err := c.DescribeStackInstance(ctx, &cfn.DescribeStackInstanceInput{StackSetName: aws.String("fleet"),
		StackInstanceAccount: aws.String("111111111111"), StackInstanceRegion: aws.String("eu-west-1")})
	if err != nil || inst.StackInstance.Status != cfntypes.StackInstanceStatusCurrent || aws.ToString(inst.StackInstance.StackId) == "" {
		t.Fatalf("instance %+v %v", inst, err)
	}
	st, err := cfn.NewFromConfig(otherEU).DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: inst.StackInstance.StackId})
	if err != nil || st.Stacks[0].StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("instance stack %+v %v", st, err)
	}
	li, err := c.ListStackInstances(ctx, &cfn.ListStackInstancesInput{StackSetName: aws.String("fleet"), StackInstanceRegion: aws.String("us-east-1")})
	if err != nil || len(li.Summaries) != 2 {
		t.Fatalf("instances %+v %v", li, err)
	}

	// Updating the set brings every instance to the new template.
	up, err := c.UpdateStackSet(ctx, &cfn.UpdateStackSetInput{StackSetName: aws.String("fleet"), UsePreviousTemplate: aws.Bool(true),
		Description: aws.String("v2")})
	if err != nil {
		t.Fatal(err)
	}
	ops, err := c.ListStackSetOperations(ctx, &cfn.ListStackSetOperationsInput{StackSetName: aws.String("fleet")})
	if err != nil || len(ops.Summaries) != 2 || aws.ToString(ops.Summaries[0].OperationId) != aws.ToString(up.OperationId) ||
		ops.Summaries[0].Status != cfntypes.StackSetOperationStatusSucceeded {
		t.Fatalf("operations %+v %v", ops, err)
	}
	ds, err := c.DescribeStackSet(ctx, &cfn.DescribeStackSetInput{StackSetName: aws.String("fleet")})
	if err != nil || aws.ToString(ds.StackSet.Description) != "v2" || aws.ToString(ds.StackSet.StackSetId) != aws.ToString(id.StackSetId) || len(ds.StackSet.Regions) != 2 {
		t.Fatalf("set %+v %v", ds, err)
	}
	_, err = c.StopStackSetOperation(ctx, &cfn.StopStackSetOperationInput{StackSetName: aws.String("fleet"), OperationId: up.OperationId})
	wantAPIError(t, err, "InvalidOperationException", "")
	_, err = c.DescribeStackSetOperation(ctx, &cfn.DescribeStackSetOperationInput{StackSetName: aws.String("fleet"), OperationId: aws.String("nope")})
	wantAPIError(t, err, "OperationNotFoundException", "Operation nope not found")

	// A set with instances cannot go; deleting them deletes their stacks.
	_, err = c.DeleteStackSet(ctx, &cfn.DeleteStackSetInput{StackSetName: aws.String("fleet")})
	wantAPIError(t, err, "StackSetNotEmptyException", "")
	if _, err := c.DeleteStackInstances(ctx, &cfn.DeleteStackInstancesInput{StackSetName: aws.String("fleet"), RetainStacks: aws.Bool(false),
		Accounts: []string{"000000000000", "111111111111"}, Regions: []string{"us-east-1", "eu-west-1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sqs.NewFromConfig(otherEU).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("fleet-jobs")}); err == nil {
		t.Fatal("the instance's queue is still there")
	}
	_, err = c.DescribeStackInstance(ctx, &cfn.DescribeStackInstanceInput{StackSetName: aws.String("fleet"),
		StackInstanceAccount: aws.String("111111111111"), StackInstanceRegion: aws.String("eu-west-1")})
	wantAPIError(t, err, "StackInstanceNotFoundException", "")
	if _, err := c.DeleteStackSet(ctx, &cfn.DeleteStackSetInput{StackSetName: aws.String("fleet")}); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListStackSets(ctx, &cfn.ListStackSetsInput{})
	if err != nil || len(l.Summaries) != 0 {
		t.Fatalf("sets %+v %v", l, err)
	}
	_, err = c.DescribeStackSet(ctx, &cfn.DescribeStackSetInput{StackSetName: aws.String("fleet")})
	wantAPIError(t, err, "StackSetNotFoundException", "StackSet fleet not found")
	_, err = c.ListStackSetAutoDeploymentTargets(ctx, &cfn.ListStackSetAutoDeploymentTargetsInput{StackSetName: aws.String("fleet")})
	wantAPIError(t, err, "StackSetNotFoundException", "")
}

func TestStackInstanceThatFailsIsOutdated(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	body := `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 999999}}}}`
	if _, err := c.CreateStackSet(ctx, &cfn.CreateStackSetInput{StackSetName: aws.String("bad"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	op, err := c.CreateStackInstances(ctx, &cfn.CreateStackInstancesInput{StackSetName: aws.String("bad"), Accounts: []string{"000000000000"}, Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStackSetOperation(ctx, &cfn.DescribeStackSetOperationInput{StackSetName: aws.String("bad"), OperationId: op.OperationId})
	if err != nil || d.StackSetOperation.Status != cfntypes.StackSetOperationStatusFailed {
		t.Fatalf("operation %+v %v", d, err)
	}
	inst, err := c.DescribeStackInstance(ctx, &cfn.DescribeStackInstanceInput{StackSetName: aws.String("bad"),
		StackInstanceAccount: aws.String("000000000000"), StackInstanceRegion: aws.String("us-east-1")})
	if err != nil || inst.StackInstance.Status != cfntypes.StackInstanceStatusOutdated || aws.ToString(inst.StackInstance.StatusReason) == "" {
		t.Fatalf("instance %+v %v", inst, err)
	}
	_, err = c.CreateStackInstances(ctx, &cfn.CreateStackInstancesInput{StackSetName: aws.String("nope"), Accounts: []string{"000000000000"}, Regions: []string{"us-east-1"}})
	wantAPIError(t, err, "StackSetNotFoundException", "StackSet nope not found")
	_, err = c.CreateStackSet(ctx, &cfn.CreateStackSetInput{StackSetName: aws.String("org"), TemplateBody: aws.String(body), PermissionModel: cfntypes.PermissionModelsServiceManaged})
	wantAPIError(t, err, "ValidationError", "")
}

func TestStackSetDriftImportAndOrganizations(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	o, err := c.DescribeOrganizationsAccess(ctx, &cfn.DescribeOrganizationsAccessInput{})
	if err != nil || o.Status != cfntypes.OrganizationStatusDisabled {
		t.Fatalf("organizations %+v %v", o, err)
	}
	_, err = c.ActivateOrganizationsAccess(ctx, &cfn.ActivateOrganizationsAccessInput{})
	wantAPIError(t, err, "InvalidOperationException", "")
	if _, err := c.DeactivateOrganizationsAccess(ctx, &cfn.DeactivateOrganizationsAccessInput{}); err != nil {
		t.Fatal(err)
	}

	own := createStack(t, c, "standalone", setTemplate)
	if _, err := c.CreateStackSet(ctx, &cfn.CreateStackSetInput{StackSetName: aws.String("adopt"), TemplateBody: aws.String(setTemplate)}); err != nil {
		t.Fatal(err)
	}
	imp, err := c.ImportStacksToStackSet(ctx, &cfn.ImportStacksToStackSetInput{StackSetName: aws.String("adopt"), StackIds: []string{aws.ToString(own.StackId)}})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := c.DescribeStackInstance(ctx, &cfn.DescribeStackInstanceInput{StackSetName: aws.String("adopt"),
		StackInstanceAccount: aws.String("000000000000"), StackInstanceRegion: aws.String("us-east-1")})
	if err != nil || aws.ToString(inst.StackInstance.StackId) != aws.ToString(own.StackId) || aws.ToString(inst.StackInstance.LastOperationId) != aws.ToString(imp.OperationId) {
		t.Fatalf("imported instance %+v %v", inst, err)
	}
	_, err = c.ImportStacksToStackSet(ctx, &cfn.ImportStacksToStackSetInput{StackSetName: aws.String("adopt"),
		StackIds: []string{"arn:aws:cloudformation:us-east-1:000000000000:stack/gone/0000"}})
	wantAPIError(t, err, "StackNotFoundException", "")

	dr, err := c.DetectStackSetDrift(ctx, &cfn.DetectStackSetDriftInput{StackSetName: aws.String("adopt")})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := c.ListStackInstanceResourceDrifts(ctx, &cfn.ListStackInstanceResourceDriftsInput{StackSetName: aws.String("adopt"),
		StackInstanceAccount: aws.String("000000000000"), StackInstanceRegion: aws.String("us-east-1"), OperationId: dr.OperationId})
	if err != nil || len(rd.Summaries) != 1 || aws.ToString(rd.Summaries[0].LogicalResourceId) != "Q" || rd.Summaries[0].StackResourceDriftStatus != cfntypes.StackResourceDriftStatusInSync {
		t.Fatalf("instance drifts %+v %v", rd, err)
	}
	_, err = c.ListStackInstanceResourceDrifts(ctx, &cfn.ListStackInstanceResourceDriftsInput{StackSetName: aws.String("adopt"),
		StackInstanceAccount: aws.String("222222222222"), StackInstanceRegion: aws.String("us-east-1"), OperationId: dr.OperationId})
	wantAPIError(t, err, "StackInstanceNotFoundException", "")
	_, err = c.DetectStackSetDrift(ctx, &cfn.DetectStackSetDriftInput{StackSetName: aws.String("nope")})
	wantAPIError(t, err, "StackSetNotFoundException", "")
	auto, err := c.ListStackSetAutoDeploymentTargets(ctx, &cfn.ListStackSetAutoDeploymentTargetsInput{StackSetName: aws.String("adopt")})
	if err != nil || len(auto.Summaries) != 0 {
		t.Fatalf("auto deployment targets %+v %v", auto, err)
	}
	up, err := c.UpdateStackInstances(ctx, &cfn.UpdateStackInstancesInput{StackSetName: aws.String("adopt"), Accounts: []string{"000000000000"},
		Regions: []string{"us-east-1"}, ParameterOverrides: []cfntypes.Parameter{{ParameterKey: aws.String("Name"), ParameterValue: aws.String("renamed")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStackSetOperation(ctx, &cfn.DescribeStackSetOperationInput{StackSetName: aws.String("adopt"), OperationId: up.OperationId})
	if err != nil || d.StackSetOperation.Status != cfntypes.StackSetOperationStatusSucceeded {
		t.Fatalf("update instances %+v %v", d, err)
	}
	if _, err := sqs.NewFromConfig(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("renamed")}); err != nil {
		t.Fatalf("the override did not reach the stack: %v", err)
	}
	_, err = c.UpdateStackInstances(ctx, &cfn.UpdateStackInstancesInput{StackSetName: aws.String("adopt"), Accounts: []string{"333333333333"}, Regions: []string{"us-east-1"}})
	wantAPIError(t, err, "StackInstanceNotFoundException", "")
}

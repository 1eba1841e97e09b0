package cloudformation_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

const twoQueues = `
Parameters:
  Timeout: {Type: Number, Default: 30}
Resources:
  Guarded:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: !Ref Timeout}
  Free:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 30}
`

const denyGuarded = `{"Statement": [
  {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
  {"Effect": "Deny", "Action": "Update:*", "Principal": "*", "Resource": "LogicalResourceId/Guarded"}]}`

func TestStackPolicyDeniesAnUpdate(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	createStack(t, c, "guarded", twoQueues)
	g, err := c.GetStackPolicy(ctx, &cfn.GetStackPolicyInput{StackName: aws.String("guarded")})
	if err != nil || g.StackPolicyBody != nil {
		t.Fatalf("policy before any: %+v %v", g, err)
	}
	if _, err := c.SetStackPolicy(ctx, &cfn.SetStackPolicyInput{StackName: aws.String("guarded"), StackPolicyBody: aws.String(denyGuarded)}); err != nil {
		t.Fatal(err)
	}
	g, err = c.GetStackPolicy(ctx, &cfn.GetStackPolicyInput{StackName: aws.String("guarded")})
	if err != nil || aws.ToString(g.StackPolicyBody) != denyGuarded {
		t.Fatalf("policy: %+v %v", g, err)
	}

	// Changing the guarded queue is denied: the stack rolls back.
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("guarded"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Timeout"), ParameterValue: aws.String("60")}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("guarded")})
	if err != nil || d.Stacks[0].StackStatus != cfntypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("stack %+v %v\n%s", d, err, events(t, c, "guarded"))
	}
	if ev := events(t, c, "guarded"); !strings.Contains(ev, "Guarded UPDATE_FAILED Action denied by stack policy: Statement [#2] does not allow [Update:Modify] for resource [LogicalResourceId/Guarded].") {
		t.Fatalf("events:\n%s", ev)
	}
	ids := physicalIDs(t, c, "guarded")
	attrs, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(ids["Guarded"]),
		AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
	if err != nil || attrs.Attributes["VisibilityTimeout"] != "30" {
		t.Fatalf("guarded queue changed: %v %v", attrs, err)
	}

	// A policy for this update alone lets it through.
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("guarded"), UsePreviousTemplate: aws.Bool(true),
		Parameters:                  []cfntypes.Parameter{{ParameterKey: aws.String("Timeout"), ParameterValue: aws.String("60")}},
		StackPolicyDuringUpdateBody: aws.String(`{"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackUpdateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("guarded")}, waitTime); err != nil {
		t.Fatalf("%v\n%s", err, events(t, c, "guarded"))
	}

	// Errors: a malformed policy, both body and URL, a stack that is not.
	_, err = c.SetStackPolicy(ctx, &cfn.SetStackPolicyInput{StackName: aws.String("guarded"), StackPolicyBody: aws.String("{")})
	wantAPIError(t, err, "ValidationError", "Error validating stack policy: Invalid stack policy: malformed JSON")
	_, err = c.SetStackPolicy(ctx, &cfn.SetStackPolicyInput{StackName: aws.String("guarded"), StackPolicyBody: aws.String(denyGuarded), StackPolicyURL: aws.String("https://x/y")})
	wantAPIError(t, err, "ValidationError", "You cannot specify both StackPolicyURL and StackPolicyBody")
	_, err = c.SetStackPolicy(ctx, &cfn.SetStackPolicyInput{StackName: aws.String("nope"), StackPolicyBody: aws.String(denyGuarded)})
	wantAPIError(t, err, "ValidationError", "Stack with id nope does not exist")
	_, err = c.GetStackPolicy(ctx, &cfn.GetStackPolicyInput{StackName: aws.String("nope")})
	wantAPIError(t, err, "ValidationError", "Stack with id nope does not exist")
}

func TestDefaultDenyOfAStackPolicySetAtCreate(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("locked"), TemplateBody: aws.String(twoQueues),
		StackPolicyBody: aws.String(`{"Statement": [{"Effect": "Allow", "Action": "Update:Modify", "Principal": "*", "Resource": "LogicalResourceId/Free"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfn.NewStackCreateCompleteWaiter(c).Wait(ctx, &cfn.DescribeStacksInput{StackName: aws.String("locked")}, waitTime); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("locked"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Timeout"), ParameterValue: aws.String("90")}}})
	if err != nil {
		t.Fatal(err)
	}
	if ev := events(t, c, "locked"); !strings.Contains(ev, "Action denied by stack policy: Default Deny") {
		t.Fatalf("events:\n%s", ev)
	}
}

func TestDriftDetection(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	createStack(t, c, "drifty", twoQueues)
	d, err := c.DetectStackDrift(ctx, &cfn.DetectStackDriftInput{StackName: aws.String("drifty")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.DescribeStackDriftDetectionStatus(ctx, &cfn.DescribeStackDriftDetectionStatusInput{StackDriftDetectionId: d.StackDriftDetectionId})
	if err != nil || st.DetectionStatus != cfntypes.StackDriftDetectionStatusDetectionComplete || st.StackDriftStatus != cfntypes.StackDriftStatusInSync ||
		aws.ToInt32(st.DriftedStackResourceCount) != 0 || st.Timestamp == nil {
		t.Fatalf("status %+v %v", st, err)
	}
	rd, err := c.DescribeStackResourceDrifts(ctx, &cfn.DescribeStackResourceDriftsInput{StackName: aws.String("drifty"), MaxResults: aws.Int32(1)})
	if err != nil || len(rd.StackResourceDrifts) != 1 || rd.NextToken == nil {
		t.Fatalf("drifts %+v %v", rd, err)
	}
	rd2, err := c.DescribeStackResourceDrifts(ctx, &cfn.DescribeStackResourceDriftsInput{StackName: aws.String("drifty"), NextToken: rd.NextToken})
	if err != nil || len(rd2.StackResourceDrifts) != 1 || rd2.NextToken != nil ||
		aws.ToString(rd2.StackResourceDrifts[0].LogicalResourceId) != "Guarded" || rd2.StackResourceDrifts[0].StackResourceDriftStatus != cfntypes.StackResourceDriftStatusInSync {
		t.Fatalf("drifts page 2 %+v %v", rd2, err)
	}
	one, err := c.DetectStackResourceDrift(ctx, &cfn.DetectStackResourceDriftInput{StackName: aws.String("drifty"), LogicalResourceId: aws.String("Free")})
	if err != nil || aws.ToString(one.StackResourceDrift.PhysicalResourceId) == "" || !strings.Contains(aws.ToString(one.StackResourceDrift.ExpectedProperties), "VisibilityTimeout") {
		t.Fatalf("resource drift %+v %v", one, err)
	}
	ds, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("drifty")})
	if err != nil || ds.Stacks[0].DriftInformation.StackDriftStatus != cfntypes.StackDriftStatusInSync {
		t.Fatalf("stack drift %+v %v", ds, err)
	}

	_, err = c.DescribeStackDriftDetectionStatus(ctx, &cfn.DescribeStackDriftDetectionStatusInput{StackDriftDetectionId: aws.String("no-such-id")})
	wantAPIError(t, err, "ValidationError", "Drift detection with id no-such-id does not exist")
	_, err = c.DetectStackResourceDrift(ctx, &cfn.DetectStackResourceDriftInput{StackName: aws.String("drifty"), LogicalResourceId: aws.String("Nope")})
	wantAPIError(t, err, "ValidationError", "Resource Nope does not exist for stack drifty")
	_, err = c.DetectStackDrift(ctx, &cfn.DetectStackDriftInput{StackName: aws.String("nope")})
	wantAPIError(t, err, "ValidationError", "Stack with id nope does not exist")
	_, err = c.DescribeStackResourceDrifts(ctx, &cfn.DescribeStackResourceDriftsInput{StackName: aws.String("drifty"), NextToken: aws.String("zz")})
	wantAPIError(t, err, "ValidationError", "Invalid NextToken")
}

func TestSignalsCancelContinueAndRollback(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	createStack(t, c, "calm", twoQueues)
	_, err := c.SignalResource(ctx, &cfn.SignalResourceInput{StackName: aws.String("calm"), LogicalResourceId: aws.String("Free"),
		UniqueId: aws.String("i-1"), Status: cfntypes.ResourceSignalStatusSuccess})
	wantAPIError(t, err, "ValidationError", "Resource Free is in CREATE_COMPLETE state and cannot be signaled")
	_, err = c.SignalResource(ctx, &cfn.SignalResourceInput{StackName: aws.String("nope"), LogicalResourceId: aws.String("Free"),
		UniqueId: aws.String("i-1"), Status: cfntypes.ResourceSignalStatusSuccess})
	wantAPIError(t, err, "ValidationError", "Stack with id nope does not exist")
	_, err = c.CancelUpdateStack(ctx, &cfn.CancelUpdateStackInput{StackName: aws.String("calm")})
	wantAPIError(t, err, "ValidationError", "CancelUpdateStack cannot be called from current stack status")
	_, err = c.ContinueUpdateRollback(ctx, &cfn.ContinueUpdateRollbackInput{StackName: aws.String("calm")})
	wantAPIError(t, err, "ValidationError", "")
	_, err = c.RollbackStack(ctx, &cfn.RollbackStackInput{StackName: aws.String("calm")})
	wantAPIError(t, err, "ValidationError", "")

	// A failed create kept by DisableRollback rolls back on request.
	body := `
Resources:
  Made: {Type: AWS::SQS::Queue}
  Broken:
    Type: AWS::SQS::Queue
    DependsOn: Made
    Properties: {VisibilityTimeout: 999999}
`
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("kept"), TemplateBody: aws.String(body), DisableRollback: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("kept")})
	if err != nil || d.Stacks[0].StackStatus != cfntypes.StackStatusCreateFailed {
		t.Fatalf("stack %+v %v", d, err)
	}
	r, err := c.RollbackStack(ctx, &cfn.RollbackStackInput{StackName: aws.String("kept")})
	if err != nil || aws.ToString(r.StackId) != aws.ToString(d.Stacks[0].StackId) {
		t.Fatalf("rollback %+v %v", r, err)
	}
	d, err = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("kept")})
	if err != nil || d.Stacks[0].StackStatus != cfntypes.StackStatusRollbackComplete {
		t.Fatalf("stack %+v %v\n%s", d, err, events(t, c, "kept"))
	}
	q, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("kept-")})
	if err != nil || len(q.QueueUrls) != 0 {
		t.Fatalf("queues left: %v %v", q, err)
	}
}

func TestAccountLimitsCostAndHooks(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := cfn.NewFromConfig(cfg)
	l, err := c.DescribeAccountLimits(ctx, &cfn.DescribeAccountLimitsInput{})
	if err != nil || len(l.AccountLimits) == 0 || aws.ToString(l.AccountLimits[0].Name) != "StackLimit" {
		t.Fatalf("limits %+v %v", l, err)
	}
	e, err := c.EstimateTemplateCost(ctx, &cfn.EstimateTemplateCostInput{TemplateBody: aws.String(twoQueues)})
	if err != nil || !strings.HasPrefix(aws.ToString(e.Url), "https://calculator.aws/#/estimate?id=") {
		t.Fatalf("estimate %+v %v", e, err)
	}
	_, err = c.EstimateTemplateCost(ctx, &cfn.EstimateTemplateCostInput{TemplateBody: aws.String(`{"Resources": {}}`)})
	wantAPIError(t, err, "ValidationError", "")
	_, err = c.EstimateTemplateCost(ctx, &cfn.EstimateTemplateCostInput{})
	wantAPIError(t, err, "ValidationError", "Either Template URL or Template Body must be specified.")

	h, err := c.ListHookResults(ctx, &cfn.ListHookResultsInput{TargetType: cfntypes.ListHookResultsTargetTypeStack, TargetId: aws.String("calm")})
	if err != nil || len(h.HookResults) != 0 {
		t.Fatalf("hook results %+v %v", h, err)
	}
	_, err = c.GetHookResult(ctx, &cfn.GetHookResultInput{HookResultId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantAPIError(t, err, "HookResultNotFound", "")

	createStack(t, c, "hooked", twoQueues)
	cs, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("hooked"), ChangeSetName: aws.String("more"),
		UsePreviousTemplate: aws.Bool(true), Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Timeout"), ParameterValue: aws.String("45")}}})
	if err != nil {
		t.Fatal(err)
	}
	hk, err := c.DescribeChangeSetHooks(ctx, &cfn.DescribeChangeSetHooksInput{ChangeSetName: cs.Id})
	if err != nil || hk.Status != cfntypes.ChangeSetHooksStatusUnavailable || len(hk.Hooks) != 0 || aws.ToString(hk.StackName) != "hooked" {
		t.Fatalf("hooks %+v %v", hk, err)
	}
	_, err = c.DescribeChangeSetHooks(ctx, &cfn.DescribeChangeSetHooksInput{ChangeSetName: aws.String("nope"), StackName: aws.String("hooked")})
	wantAPIError(t, err, "ChangeSetNotFound", "ChangeSet [nope] does not exist")
}

package iam_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// The aws CLI's documented example (awscli/examples/iam/simulate-custom-policy.rst):
// a policy allowing DynamoDB after a date, simulated on either side of it.
const afterDate = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

func TestSimulateCustomPolicyAsTheCLIExample(t *testing.T) {
	t.Parallel()
	run := func(when string) map[string]any {
		out, errOut, code := emutest.CLI(t, shared.e.URL(), "iam", "simulate-custom-policy", "--policy-input-list", afterDate,
			"--action-names", "dynamodb:CreateBackup", "--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='"+when+"',ContextKeyType=date")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		return m["EvaluationResults"].([]any)[0].(map[string]any)
	}
	r := run("2019-04-25T11:00:00Z")
	st := r["MatchedStatements"].([]any)[0].(map[string]any)
	if r["EvalDecision"] != "allowed" || r["EvalResourceName"] != "*" || st["SourcePolicyId"] != "PolicyInputList.1" ||
		st["StartPosition"].(map[string]any)["Column"] != 38.0 || st["EndPosition"].(map[string]any)["Column"] != 167.0 {
		t.Fatalf("allowed: %v", r)
	}
	if r := run("2014-04-25T11:00:00Z"); r["EvalDecision"] != "implicitDeny" || len(r["MatchedStatements"].([]any)) != 0 {
		t.Fatalf("before the date: %v", r)
	}
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	t.Parallel()
	c := shared.c
	u := mustUser(t, c, "sim-ana")
	if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("sim-readers")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("sim-readers"), UserName: aws.String("sim-ana")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("sim-readers"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3Read)}); err != nil {
		t.Fatal(err)
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::bucket/secret/*"}]}`
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("sim-ana"), PolicyName: aws.String("no-secrets"), PolicyDocument: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: u.Arn,
		ActionNames:  []string{"s3:GetObject", "s3:PutObject"},
		ResourceArns: []string{"arn:aws:s3:::bucket/a", "arn:aws:s3:::bucket/secret/b"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.EvaluationResults {
		got = append(got, aws.ToString(r.EvalActionName)+" "+aws.ToString(r.EvalResourceName)+" "+string(r.EvalDecision))
		if len(r.ResourceSpecificResults) != 1 || r.ResourceSpecificResults[0].EvalResourceDecision != r.EvalDecision {
			t.Errorf("resource-specific results %+v", r.ResourceSpecificResults)
		}
	}
	want := []string{"s3:GetObject arn:aws:s3:::bucket/a allowed", "s3:GetObject arn:aws:s3:::bucket/secret/b explicitDeny",
		"s3:PutObject arn:aws:s3:::bucket/a implicitDeny", "s3:PutObject arn:aws:s3:::bucket/secret/b explicitDeny"}
	if !slices.Equal(got, want) {
		t.Fatalf("decisions %q", got)
	}
	if m := out.EvaluationResults[0].MatchedStatements; len(m) != 1 || aws.ToString(m[0].SourcePolicyId) != "read" || m[0].SourcePolicyType != types.PolicySourceTypeGroup {
		t.Fatalf("allowed by %+v", m)
	}
	if m := out.EvaluationResults[1].MatchedStatements; len(m) != 1 || aws.ToString(m[0].SourcePolicyId) != "no-secrets" || m[0].SourcePolicyType != types.PolicySourceTypeUser {
		t.Fatalf("denied by %+v", m)
	}

	// Pages of two, then the rest.
	page, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: u.Arn, MaxItems: aws.Int32(3),
		ActionNames: []string{"s3:GetObject", "s3:PutObject"}, ResourceArns: []string{"arn:aws:s3:::bucket/a", "arn:aws:s3:::bucket/secret/b"}})
	if err != nil || !page.IsTruncated || len(page.EvaluationResults) != 3 {
		t.Fatalf("page: %v %+v", err, page)
	}
	rest, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: u.Arn, Marker: page.Marker,
		ActionNames: []string{"s3:GetObject", "s3:PutObject"}, ResourceArns: []string{"arn:aws:s3:::bucket/a", "arn:aws:s3:::bucket/secret/b"}})
	if err != nil || rest.IsTruncated || len(rest.EvaluationResults) != 1 || rest.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny {
		t.Fatalf("rest: %v %+v", err, rest)
	}

	// A permissions boundary that does not allow S3 takes the allowance away.
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`
	b, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: u.Arn, ActionNames: []string{"s3:GetObject"},
		ResourceArns: []string{"arn:aws:s3:::bucket/a"}, PermissionsBoundaryPolicyInputList: []string{boundary}})
	if err != nil || b.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny ||
		b.EvaluationResults[0].PermissionsBoundaryDecisionDetail == nil || b.EvaluationResults[0].PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Fatalf("boundary: %v %+v", err, b)
	}

	// A condition key the context lacks is reported missing.
	cond := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`
	m, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: u.Arn, ActionNames: []string{"sqs:SendMessage"}, PolicyInputList: []string{cond}})
	if err != nil || m.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny ||
		!slices.Equal(m.EvaluationResults[0].MissingContextValues, []string{"aws:SecureTransport"}) {
		t.Fatalf("missing: %v %+v", err, m)
	}

	_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::000000000000:user/sim-nobody"), ActionNames: []string{"s3:GetObject"}})
	wantAPIError(t, err, "NoSuchEntity", 404, "The user with name sim-nobody cannot be found.")
}

func TestSimulateCustomPolicyWithAResourcePolicy(t *testing.T) {
	t.Parallel()
	c := shared.c
	rp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	nothing := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`
	for _, cs := range []struct {
		caller, want string
	}{{"arn:aws:iam::000000000000:user/bob", "allowed"}, {"arn:aws:iam::000000000000:user/eve", "implicitDeny"}} {
		out, err := c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{nothing}, ResourcePolicy: aws.String(rp),
			CallerArn: aws.String(cs.caller), ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::b/k"}})
		if err != nil || string(out.EvaluationResults[0].EvalDecision) != cs.want {
			t.Fatalf("%s: %v %+v", cs.caller, err, out)
		}
		if cs.want == "allowed" && out.EvaluationResults[0].MatchedStatements[0].SourcePolicyType != types.PolicySourceTypeResource {
			t.Fatalf("matched %+v", out.EvaluationResults[0].MatchedStatements)
		}
	}
	_, err := c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{"{"}, ActionNames: []string{"s3:GetObject"}})
	wantAPIError(t, err, "InvalidInput", 400, "Invalid policy document: the policy contains invalid JSON.")
	_, err = c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{nothing}, ActionNames: []string{"sqs:SendMessage"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:EpochTime"), ContextKeyType: types.ContextKeyTypeEnumNumeric, ContextKeyValues: []string{"soon"}}}})
	wantAPIError(t, err, "InvalidInput", 400, "Invalid value soon for context key aws:EpochTime of type numeric.")
}

package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestAccountAliasAndSummary(t *testing.T) {
	t.Parallel()
	_, c := start(t) // the alias and the counts are the account's
	mustUser(t, c, "sum-user")
	for _, a := range []string{"lab-one", "lab-two"} { // a new alias replaces the old
		if _, err := c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(a)}); err != nil {
			t.Fatal(err)
		}
	}
	aliases, err := c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	if err != nil || len(aliases.AccountAliases) != 1 || aliases.AccountAliases[0] != "lab-two" {
		t.Fatalf("aliases: %v %+v", err, aliases)
	}
	sum, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["Users"] != 1 || sum.SummaryMap["UsersQuota"] != 5000 || sum.SummaryMap["AccessKeysPerUserQuota"] != 2 {
		t.Fatalf("summary: %v %+v", err, sum.SummaryMap)
	}
	cases := []struct {
		name, alias, code string
		status            int
		msg               string
	}{
		{"double hyphen", "lab--x", "ValidationError", 400,
			"1 validation error detected: Value 'lab--x' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"},
		{"upper case", "Lab", "ValidationError", 400,
			"1 validation error detected: Value 'Lab' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"},
		{"not the alias", "lab-one", "NoSuchEntity", 404, "The account alias lab-one cannot be found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.code == "ValidationError" {
				_, err = c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(tc.alias)})
			} else {
				_, err = c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String(tc.alias)})
			}
			wantAPIError(t, err, tc.code, tc.status, tc.msg)
		})
	}
	if _, err := c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("lab-two")}); err != nil {
		t.Fatal(err)
	}
}

func TestServiceLinkedRoles(t *testing.T) {
	t.Parallel()
	c := shared.c
	cases := []struct{ service, suffix, name, path string }{
		{"autoscaling.amazonaws.com", "", "AWSServiceRoleForAutoScaling", "/aws-service-role/autoscaling.amazonaws.com/"},
		{"autoscaling.amazonaws.com", "fleet", "AWSServiceRoleForAutoScaling_fleet", "/aws-service-role/autoscaling.amazonaws.com/"},
		{"ecs.amazonaws.com", "", "AWSServiceRoleForECS", "/aws-service-role/ecs.amazonaws.com/"},
		{"batch.amazonaws.com", "", "AWSServiceRoleForBatch", "/aws-service-role/batch.amazonaws.com/"},
	}
	for _, tc := range cases {
		in := &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service), Description: aws.String("for " + tc.service)}
		if tc.suffix != "" {
			in.CustomSuffix = aws.String(tc.suffix)
		}
		out, err := c.CreateServiceLinkedRole(ctx, in)
		if err != nil || aws.ToString(out.Role.RoleName) != tc.name || aws.ToString(out.Role.Path) != tc.path ||
			aws.ToString(out.Role.Arn) != "arn:aws:iam::000000000000:role"+tc.path+tc.name {
			t.Fatalf("%s: %v %+v", tc.name, err, out)
		}
	}
	_, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	wantAPIError(t, err, "InvalidInput", 400, "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	wantAPIError(t, err, "UnmodifiableEntity", 400, "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS")

	del, err := c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
	if err != nil || st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("deletion status: %v %+v", err, st)
	}
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForECS")})
	wantAPIError(t, err, "NoSuchEntity", 404, "The role with name AWSServiceRoleForECS cannot be found.")
	createRole(t, c, "slr-plain")
	_, err = c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("slr-plain")})
	wantAPIError(t, err, "InvalidInput", 400, "Role slr-plain is not a service-linked role.")
}

package iam_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestBoundariesAndProfileTags(t *testing.T) {
	t.Parallel()
	c := shared.c
	createRole(t, c, "b-role")
	mustUser(t, c, "b-user")
	if _, err := c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("b-role"), PermissionsBoundary: aws.String(basicExec)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("b-user"), PermissionsBoundary: aws.String(basicExec)}); err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("b-role")})
	if err != nil || r.Role.PermissionsBoundary == nil || aws.ToString(r.Role.PermissionsBoundary.PermissionsBoundaryArn) != basicExec {
		t.Fatalf("role boundary: %v %+v", err, r)
	}
	u, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("b-user")})
	if err != nil || u.User.PermissionsBoundary == nil {
		t.Fatalf("user boundary: %v %+v", err, u)
	}
	if _, err := c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("b-user")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("b-role")}); err != nil {
		t.Fatal(err)
	}
	r, _ = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("b-role")})
	if r.Role.PermissionsBoundary != nil {
		t.Fatalf("boundary still there: %+v", r.Role.PermissionsBoundary)
	}
	missing := "arn:aws:iam::000000000000:policy/nope"
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("b-role"), PermissionsBoundary: aws.String(missing)})
	wantAPIError(t, err, "NoSuchEntity", 404, "Scope ARN: "+missing+" does not exist or is not attachable.")

	if _, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("b-profile")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("b-profile"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("b-profile"), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("b-profile")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "b" {
		t.Fatalf("profile tags: %v %+v", err, tags)
	}
	_, err = c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nope")})
	wantAPIError(t, err, "NoSuchEntity", 404, "Instance Profile nope cannot be found.")
}

func TestCredentialReportAndSTSPreferences(t *testing.T) {
	t.Parallel()
	_, c := start(t) // the report and the preferences are the account's
	_, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantAPIError(t, err, "ReportNotPresent", 410, "Credential report not present")
	mustUser(t, c, "rep-kim")
	if _, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("rep-kim")}); err != nil {
		t.Fatal(err)
	}
	gen, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	if err != nil || gen.State != types.ReportStateTypeStarted {
		t.Fatalf("generate: %v %+v", err, gen)
	}
	if gen, err = c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}); err != nil || gen.State != types.ReportStateTypeComplete {
		t.Fatalf("generate again: %v %+v", err, gen)
	}
	rep, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil || rep.ReportFormat != types.ReportFormatTypeTextCsv || rep.GeneratedTime == nil {
		t.Fatalf("report: %v %+v", err, rep)
	}
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "user" || len(rows[0]) != 22 || rows[1][0] != "<root_account>" ||
		rows[2][0] != "rep-kim" || rows[2][8] != "true" || rows[2][13] != "false" {
		t.Fatalf("report rows: %v %q", err, rows)
	}

	if _, err := c.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil || sum.SummaryMap["GlobalEndpointTokenVersion"] != 2 {
		t.Fatalf("summary: %v %+v", err, sum.SummaryMap)
	}
}

func TestGetAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	_, c := start(t) // the whole account is listed
	mustUser(t, c, "ad-ola")
	createRole(t, c, "ad-role")
	if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ad-group")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ad-group"), UserName: aws.String("ad-ola")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ad-ola"), PolicyName: aws.String("read"), PolicyDocument: aws.String(s3Read)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ad-role"), PolicyArn: aws.String(basicExec)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ad-local"), PolicyDocument: aws.String(s3Read)}); err != nil {
		t.Fatal(err)
	}
	all, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	if err != nil || len(all.UserDetailList) != 1 || len(all.GroupDetailList) != 1 || len(all.RoleDetailList) != 1 || len(all.Policies) != 2 {
		t.Fatalf("details: %v %+v", err, all)
	}
	u := all.UserDetailList[0]
	if len(u.GroupList) != 1 || u.GroupList[0] != "ad-group" || len(u.UserPolicyList) != 1 || aws.ToString(u.UserPolicyList[0].PolicyName) != "read" {
		t.Fatalf("user detail %+v", u)
	}
	if r := all.RoleDetailList[0]; len(r.AttachedManagedPolicies) != 1 || aws.ToString(r.AttachedManagedPolicies[0].PolicyArn) != basicExec {
		t.Fatalf("role detail %+v", r)
	}
	if p := all.Policies[0]; aws.ToString(p.PolicyName) != "ad-local" || len(p.PolicyVersionList) != 1 || !p.PolicyVersionList[0].IsDefaultVersion {
		t.Fatalf("policy detail %+v", p)
	}
	page, err := c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeUser}, MaxItems: aws.Int32(1)})
	if err != nil || len(page.UserDetailList) != 1 || len(page.RoleDetailList) != 0 || !page.IsTruncated {
		t.Fatalf("first page: %v %+v", err, page)
	}
	page, err = c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeUser}, Marker: page.Marker})
	if err != nil || len(page.RoleDetailList) != 1 || len(page.GroupDetailList) != 0 || page.IsTruncated {
		t.Fatalf("second page: %v %+v", err, page)
	}
}

func TestOutboundWebIdentityFederation(t *testing.T) {
	t.Parallel()
	_, c := start(t) // the feature is the account's
	_, err := c.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	wantAPIError(t, err, "FeatureDisabled", 404, "Outbound web identity federation is not enabled for this account.")
	on, err := c.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	if err != nil || !strings.HasPrefix(aws.ToString(on.IssuerIdentifier), "https://") || !strings.HasSuffix(aws.ToString(on.IssuerIdentifier), ".tokens.sts.global.api.aws") {
		t.Fatalf("enable: %v %+v", err, on)
	}
	_, err = c.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	wantAPIError(t, err, "FeatureEnabled", 409, "Outbound web identity federation is already enabled for this account.")
	info, err := c.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	if err != nil || !info.JwtVendingEnabled || aws.ToString(info.IssuerIdentifier) != aws.ToString(on.IssuerIdentifier) {
		t.Fatalf("info: %v %+v", err, info)
	}
	if _, err := c.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{})
	wantAPIError(t, err, "FeatureDisabled", 404, "Outbound web identity federation is not enabled for this account.")
}

package iam_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var ctx = context.Background()

const trust = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}`

const s3Read = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::bucket/*"}]}`

const basicExec = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

func start(t *testing.T, opts ...emulator.Option) (*emulator.Emulator, *iam.Client) {
	t.Helper()
	e, cfg := emutest.Start(t, opts...)
	return e, iam.NewFromConfig(cfg)
}

// wantAPIError asserts err is an AWS error with code, HTTP status and (when
// non-empty) message.
func wantAPIError(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
	var hs interface{ HTTPStatusCode() int }
	if !errors.As(err, &hs) || hs.HTTPStatusCode() != status {
		t.Fatalf("%s: want HTTP %d, got %v", code, status, err)
	}
}

func createRole(t *testing.T, c *iam.Client, name string) *types.Role {
	t.Helper()
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Role
}

func TestCreateAndGetRole(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	_, c := start(t, emulator.WithClock(func() time.Time { return now }))
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("lab-runner"), Path: aws.String("/service-role/"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("runs labs"), MaxSessionDuration: aws.Int32(7200),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("edu")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.Arn) != "arn:aws:iam::000000000000:role/service-role/lab-runner" || aws.ToString(r.Path) != "/service-role/" ||
		!regexp.MustCompile(`^AROA[A-Z2-7]{17}$`).MatchString(aws.ToString(r.RoleId)) || !r.CreateDate.Equal(now) ||
		aws.ToString(r.Description) != "runs labs" || aws.ToInt32(r.MaxSessionDuration) != 7200 || len(r.Tags) != 1 {
		t.Fatalf("created role %+v", r)
	}
	// AWS returns the trust policy URL-encoded, exactly as it was sent.
	doc := aws.ToString(r.AssumeRolePolicyDocument)
	if !strings.HasPrefix(doc, "%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C") {
		t.Fatalf("document not URL-encoded like AWS: %s", doc)
	}
	if dec, err := url.QueryUnescape(doc); err != nil || dec != trust {
		t.Fatalf("decoded document %q %v", dec, err)
	}
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("LAB-RUNNER")}) // names are case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Role.RoleId) != aws.ToString(r.RoleId) || aws.ToString(got.Role.AssumeRolePolicyDocument) != doc ||
		aws.ToString(got.Role.RoleName) != "lab-runner" || got.Role.RoleLastUsed == nil || aws.ToString(got.Role.Tags[0].Value) != "edu" {
		t.Fatalf("get role %+v", got.Role)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Lab-Runner"), AssumeRolePolicyDocument: aws.String(trust)})
	var ex *types.EntityAlreadyExistsException
	if !errors.As(err, &ex) {
		t.Fatalf("duplicate: %v", err)
	}
	wantAPIError(t, err, "EntityAlreadyExists", 409, "Role with name Lab-Runner already exists.")
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ghost")})
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("missing: %v", err)
	}
	wantAPIError(t, err, "NoSuchEntity", 404, "The role with name ghost cannot be found.")

	if _, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("lab-runner"), Description: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("lab-runner"), PolicyDocument: aws.String(newTrust)}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("lab-runner")})
	if dec, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); dec != newTrust || aws.ToString(got.Role.Description) != "new" {
		t.Fatalf("after update: %q %q", dec, aws.ToString(got.Role.Description))
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("lab-runner")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("lab-runner")})
	wantAPIError(t, err, "NoSuchEntity", 404, "The role with name lab-runner cannot be found.")
}

func TestListRolesPaging(t *testing.T) {
	_, c := start(t)
	var want []string
	for i := 0; i < 25; i++ {
		n := fmt.Sprintf("role-%02d", i)
		if i%2 == 0 {
			if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
				t.Fatal(err)
			}
		} else {
			createRole(t, c, n)
		}
		want = append(want, n)
	}
	var got []string
	var marker *string
	pages := 0
	for {
		out, err := c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(10), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Roles {
			got = append(got, aws.ToString(r.RoleName))
			if r.AssumeRolePolicyDocument == nil {
				t.Fatal("ListRoles shows each role's trust policy")
			}
		}
		if out.IsTruncated != (out.Marker != nil) {
			t.Fatalf("IsTruncated %v with marker %v", out.IsTruncated, out.Marker)
		}
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages: %v", pages, got)
	}
	n := 0
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{PathPrefix: aws.String("/app/"), MaxItems: aws.Int32(4)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Roles)
	}
	if n != 13 {
		t.Fatalf("PathPrefix /app/: %d roles, want 13", n)
	}
	_, err := c.ListRoles(ctx, &iam.ListRolesInput{Marker: aws.String("not-a-marker!")})
	wantAPIError(t, err, "ValidationError", 400, "")
}

func TestManagedPolicyVersions(t *testing.T) {
	_, c := start(t)
	out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-bucket"), Path: aws.String("/app/"),
		PolicyDocument: aws.String(s3Read), Description: aws.String("reads the bucket")})
	if err != nil {
		t.Fatal(err)
	}
	p := out.Policy
	arn := aws.ToString(p.Arn)
	if arn != "arn:aws:iam::000000000000:policy/app/read-bucket" || aws.ToString(p.DefaultVersionId) != "v1" ||
		!regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`).MatchString(aws.ToString(p.PolicyId)) || !p.IsAttachable || aws.ToInt32(p.AttachmentCount) != 0 {
		t.Fatalf("created policy %+v", p)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-bucket"), PolicyDocument: aws.String(s3Read)})
	wantAPIError(t, err, "EntityAlreadyExists", 409, "A policy called read-bucket already exists. Duplicate names are not allowed.")
	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || aws.ToString(got.Policy.Description) != "reads the bucket" {
		t.Fatalf("get policy: %v %+v", err, got)
	}
	for i := 2; i <= 5; i++ {
		v, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3Read), SetAsDefault: i == 3})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(v.PolicyVersion.VersionId) != fmt.Sprintf("v%d", i) || v.PolicyVersion.IsDefaultVersion != (i == 3) {
			t.Fatalf("version %d: %+v", i, v.PolicyVersion)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3Read)})
	wantAPIError(t, err, "LimitExceeded", 409, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	got, _ = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if aws.ToString(got.Policy.DefaultVersionId) != "v3" {
		t.Fatalf("default %s, want v3", aws.ToString(got.Policy.DefaultVersionId))
	}
	v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if dec, _ := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document)); dec != s3Read || v.PolicyVersion.IsDefaultVersion {
		t.Fatalf("v1: %q default=%v", dec, v.PolicyVersion.IsDefaultVersion)
	}
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete the default version of a policy.")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantAPIError(t, err, "DeleteConflict", 409, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, id := range []string{"v1", "v2", "v4", "v5"} {
		if _, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	vs, _ := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if len(vs.Versions) != 1 || aws.ToString(vs.Versions[0].VersionId) != "v3" {
		t.Fatalf("versions left: %+v", vs.Versions)
	}
	if _, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	wantAPIError(t, err, "NoSuchEntity", 404, "Policy "+arn+" was not found.")
}

func TestAttachAndDetach(t *testing.T) {
	_, c := start(t)
	createRole(t, c, "fn")
	local, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read-bucket"), PolicyDocument: aws.String(s3Read)})
	if err != nil {
		t.Fatal(err)
	}
	localARN := aws.ToString(local.Policy.Arn)
	for _, arn := range []string{basicExec, localARN, basicExec} { // attaching twice is a no-op
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatalf("attach %s: %v", arn, err)
		}
	}
	att, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	if len(att.AttachedPolicies) != 2 || aws.ToString(att.AttachedPolicies[0].PolicyName) != "AWSLambdaBasicExecutionRole" ||
		aws.ToString(att.AttachedPolicies[0].PolicyArn) != basicExec || aws.ToString(att.AttachedPolicies[1].PolicyArn) != localARN {
		t.Fatalf("attached %+v", att.AttachedPolicies)
	}
	awsPol, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(basicExec)})
	if err != nil || aws.ToInt32(awsPol.Policy.AttachmentCount) != 1 || aws.ToString(awsPol.Policy.Path) != "/service-role/" {
		t.Fatalf("AWS managed policy: %v %+v", err, awsPol)
	}
	doc, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(basicExec), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if dec, _ := url.QueryUnescape(aws.ToString(doc.PolicyVersion.Document)); !strings.Contains(dec, "logs:PutLogEvents") {
		t.Fatalf("AWSLambdaBasicExecutionRole document: %s", dec)
	}
	onlyAWS, _ := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true})
	onlyLocal, _ := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if len(onlyAWS.Policies) != 1 || aws.ToString(onlyAWS.Policies[0].Arn) != basicExec || len(onlyLocal.Policies) != 1 || aws.ToString(onlyLocal.Policies[0].Arn) != localARN {
		t.Fatalf("ListPolicies scopes: AWS %+v, Local %+v", onlyAWS.Policies, onlyLocal.Policies)
	}

	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")})
	var dc *types.DeleteConflictException
	if !errors.As(err, &dc) {
		t.Fatalf("delete attached role: %v", err)
	}
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(localARN)})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")

	cases := []struct {
		name, role, arn, code string
		status                int
		msg                   string
	}{
		{"wrong path for an AWS policy", "fn", "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole", "NoSuchEntity", 404,
			"Policy arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole does not exist or is not attachable."},
		{"never created", "fn", "arn:aws:iam::000000000000:policy/nope", "NoSuchEntity", 404,
			"Policy arn:aws:iam::000000000000:policy/nope does not exist or is not attachable."},
		{"not an ARN", "fn", "arn:aws:s3:::bucket/policy-thing", "InvalidInput", 400, "ARN arn:aws:s3:::bucket/policy-thing is not valid."},
		{"missing role", "ghost", basicExec, "NoSuchEntity", 404, "The role with name ghost cannot be found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(tc.role), PolicyArn: aws.String(tc.arn)})
			wantAPIError(t, err, tc.code, tc.status, tc.msg)
		})
	}
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantAPIError(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/AdministratorAccess was not found.")
	for _, arn := range []string{basicExec, localARN} {
		if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(localARN)})
	if aws.ToInt32(got.Policy.AttachmentCount) != 0 {
		t.Fatalf("attachment count after detach: %d", aws.ToInt32(got.Policy.AttachmentCount))
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")}); err != nil {
		t.Fatalf("delete detached role: %v", err)
	}
}

func TestAttachQuota(t *testing.T) {
	_, c := start(t)
	createRole(t, c, "busy")
	for i := 0; i < 10; i++ {
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("busy"), PolicyArn: aws.String(fmt.Sprintf("arn:aws:iam::aws:policy/Custom%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("busy"), PolicyArn: aws.String(basicExec)})
	wantAPIError(t, err, "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10")
	page, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("busy"), MaxItems: aws.Int32(4)})
	if err != nil || len(page.AttachedPolicies) != 4 || !page.IsTruncated {
		t.Fatalf("first page: %v %+v", err, page)
	}
	rest, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("busy"), Marker: page.Marker, MaxItems: aws.Int32(100)})
	if err != nil || len(rest.AttachedPolicies) != 6 || rest.IsTruncated || aws.ToString(rest.AttachedPolicies[0].PolicyName) != "Custom4" {
		t.Fatalf("second page: %v %+v", err, rest)
	}
}

func TestInlineRolePolicies(t *testing.T) {
	_, c := start(t)
	createRole(t, c, "fn")
	for _, n := range []string{"zeta", "alpha"} {
		if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String(n), PolicyDocument: aws.String(s3Read)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("alpha")})
	if err != nil {
		t.Fatal(err)
	}
	if dec, _ := url.QueryUnescape(aws.ToString(got.PolicyDocument)); dec != s3Read || aws.ToString(got.RoleName) != "fn" {
		t.Fatalf("inline: %q %+v", dec, got)
	}
	names, _ := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("fn")})
	if strings.Join(names.PolicyNames, ",") != "alpha,zeta" {
		t.Fatalf("names %v", names.PolicyNames)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	_, err = c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("beta")})
	wantAPIError(t, err, "NoSuchEntity", 404, "The role policy with name beta cannot be found.")
	for _, n := range []string{"zeta", "alpha"} {
		if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("alpha")})
	wantAPIError(t, err, "NoSuchEntity", 404, "The role policy with name alpha cannot be found.")
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}
}

func TestMalformedPolicyDocuments(t *testing.T) {
	_, c := start(t)
	createRole(t, c, "fn")
	cases := []struct {
		name, doc, msg string
		trust          bool
	}{
		{"not JSON", `{"Version":`, "This policy contains invalid Json", false},
		{"not an object", `["Statement"]`, "Syntax errors in policy.", false},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`, "Syntax errors in policy.", false},
		{"no action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Policy statement must contain actions.", false},
		{"no resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, "Policy statement must contain resources.", false},
		{"principal in identity policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "Policy document should not specify a principal.", false},
		{"old version", `{"Version":"2001-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "Policy document must be version 2012-10-17 or greater.", false},
		{"resource in trust policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`, "Has prohibited field Resource", true},
		{"trust policy without principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, "Missing required field Principal", true},
		// IAM's words as Terraform users quote them for a misspelt operator in a trust policy.
		{"unknown condition operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringMatch":{"x:sub":"y"}}}]}`, "Invalid Condition type : StringMatch", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.trust {
				_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(tc.doc)})
			} else {
				_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.doc)})
			}
			var mp *types.MalformedPolicyDocumentException
			if !errors.As(err, &mp) {
				t.Fatalf("want MalformedPolicyDocumentException, got %v", err)
			}
			wantAPIError(t, err, "MalformedPolicyDocument", 400, tc.msg)
		})
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Repeat("s3:GetObject\",\"", 500) + `s3:X"],"Resource":"*"}]}`
	_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("huge"), PolicyDocument: aws.String(big)})
	wantAPIError(t, err, "LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144")
}

func TestValidationErrors(t *testing.T) {
	_, c := start(t)
	cases := []struct {
		name string
		in   iam.CreateRoleInput
		msg  string
	}{
		{"bad name", iam.CreateRoleInput{RoleName: aws.String("a b"), AssumeRolePolicyDocument: aws.String(trust)},
			`1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"long name", iam.CreateRoleInput{RoleName: aws.String(strings.Repeat("r", 65)), AssumeRolePolicyDocument: aws.String(trust)},
			"1 validation error detected: Value '" + strings.Repeat("r", 65) + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"bad path", iam.CreateRoleInput{RoleName: aws.String("r"), Path: aws.String("no-slashes"), AssumeRolePolicyDocument: aws.String(trust)},
			`1 validation error detected: Value 'no-slashes' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
		{"short session", iam.CreateRoleInput{RoleName: aws.String("r"), MaxSessionDuration: aws.Int32(60), AssumeRolePolicyDocument: aws.String(trust)},
			"1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateRole(ctx, &tc.in)
			wantAPIError(t, err, "ValidationError", 400, tc.msg)
		})
	}
	_, err := c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1001)})
	wantAPIError(t, err, "ValidationError", 400, "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
}

// TestModelConstraints checks members against the constraints of IAM's
// model (botocore's iam/2010-05-08): every failure is reported at once, in
// the model's member order, with the model's spelling of its patterns.
func TestModelConstraints(t *testing.T) {
	e, c := start(t)
	createRole(t, c, "fn")
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("a b"), Path: aws.String("no-slashes"),
		AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(60)})
	wantAPIError(t, err, "ValidationError", 400, "3 validation errors detected: "+
		`Value 'no-slashes' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F); `+
		`Value 'a b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; `+
		"Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600")

	// a document outside the model's character set is refused before its JSON is read
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::bucket-✓"}]}`
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("fn"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	wantAPIError(t, err, "ValidationError", 400, "1 validation error detected: Value '"+doc+
		`' at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)

	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"scope enum", func() error {
			_, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Everything"})
			return err
		}, "ValidationError", "1 validation error detected: Value 'Everything' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"},
		{"version id pattern", func() error {
			_, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(basicExec), VersionId: aws.String("1")})
			return err
		}, "ValidationError", "1 validation error detected: Value '1' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"},
		{"short policy ARN", func() error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("fn"), PolicyArn: aws.String("arn:aws:iam::x")})
			return err
		}, "ValidationError", "1 validation error detected: Value 'arn:aws:iam::x' at 'policyArn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"boundary is not a policy ARN", func() error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("b"), AssumeRolePolicyDocument: aws.String(trust),
				PermissionsBoundary: aws.String("arn:aws:s3:::some-bucket-name")})
			return err
		}, "InvalidInput", "ARN arn:aws:s3:::some-bucket-name is not valid."},
		{"policy path", func() error {
			_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), Path: aws.String("/no-trailing-slash"), PolicyDocument: aws.String(s3Read)})
			return err
		}, "ValidationError", "1 validation error detected: Value '/no-trailing-slash' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"},
		{"tag key pattern", func() error {
			_, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("fn"), Tags: []types.Tag{{Key: aws.String("a!b"), Value: aws.String("v")}}})
			return err
		}, "ValidationError", "1 validation error detected: Value 'a!b' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"},
		{"user name of a managed-policy operation (userNameType: 64)", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(strings.Repeat("u", 65)), PolicyArn: aws.String(basicExec)})
			return err
		}, "ValidationError", "1 validation error detected: Value '" + strings.Repeat("u", 65) + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"description length", func() error {
			_, err := c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("fn"), Description: aws.String(strings.Repeat("d", 1001))})
			return err
		}, "ValidationError", "1 validation error detected: Value '" + strings.Repeat("d", 1001) + "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, 400, tc.msg) })
	}

	// what the SDK would refuse to send, as a raw form
	raw := []struct {
		name string
		form url.Values
		msg  string
	}{
		{"tag without a value", url.Values{"Action": {"TagRole"}, "RoleName": {"fn"}, "Tags.member.1.Key": {"a"}},
			"1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"},
		{"nothing at all", url.Values{"Action": {"AttachRolePolicy"}},
			"2 validation errors detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'policyArn' failed to satisfy constraint: Member must not be null"},
		{"empty name", url.Values{"Action": {"GetInstanceProfile"}, "InstanceProfileName": {""}},
			"1 validation error detected: Value '' at 'instanceProfileName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tc := range raw {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postForm(t, e.URL(), tc.form)
			var qe queryError
			if err := xml.Unmarshal([]byte(body), &qe); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if status != 400 || qe.Code != "ValidationError" || qe.Message != tc.msg {
				t.Fatalf("got %d %+v\nwant %s", status, qe, tc.msg)
			}
		})
	}
}

func TestRoleTags(t *testing.T) {
	_, c := start(t)
	createRole(t, c, "tagged")
	if _, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagged"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("tagged"), TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("tagged")})
	if err != nil || len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "b" {
		t.Fatalf("tags: %v %+v", err, out)
	}
}

func TestInstanceProfiles(t *testing.T) {
	_, c := start(t)
	createRole(t, c, "ec2-role")
	createRole(t, c, "other")
	p, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p.InstanceProfile.Arn) != "arn:aws:iam::000000000000:instance-profile/web" || !strings.HasPrefix(aws.ToString(p.InstanceProfile.InstanceProfileId), "AIPA") {
		t.Fatalf("profile %+v", p.InstanceProfile)
	}
	if _, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("ec2-role")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("other")})
	wantAPIError(t, err, "LimitExceeded", 409, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	got, _ := c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	if len(got.InstanceProfile.Roles) != 1 || aws.ToString(got.InstanceProfile.Roles[0].RoleName) != "ec2-role" {
		t.Fatalf("roles %+v", got.InstanceProfile.Roles)
	}
	forRole, _ := c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ec2-role")})
	if len(forRole.InstanceProfiles) != 1 {
		t.Fatalf("profiles for role: %+v", forRole.InstanceProfiles)
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("ec2-role")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	_, err = c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	if _, err := c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("ec2-role")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantAPIError(t, err, "NoSuchEntity", 404, "Instance Profile web cannot be found.")
}

func TestIAMIsGlobal(t *testing.T) {
	_, cfg := emutest.Start(t)
	east := iam.NewFromConfig(cfg)
	west := iam.NewFromConfig(cfg, func(o *iam.Options) { o.Region = "eu-west-1" })
	createRole(t, east, "everywhere")
	if _, err := west.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("everywhere")}); err != nil {
		t.Fatalf("IAM is global: %v", err)
	}
}

// postForm sends a query-protocol form to the edge, signed (in name only) for IAM.
func postForm(t *testing.T, endpoint string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type queryError struct {
	Type    string `xml:"Error>Type"`
	Code    string `xml:"Error>Code"`
	Message string `xml:"Error>Message"`
}

func TestRawQueryProtocol(t *testing.T) {
	e, _ := start(t)
	cases := []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"unknown action", url.Values{"Action": {"CreateUnicorn"}, "Version": {"2010-05-08"}}, 400, "InvalidAction"},
		{"missing role name", url.Values{"Action": {"GetRole"}, "Version": {"2010-05-08"}}, 400, "ValidationError"},
		{"non-numeric MaxItems", url.Values{"Action": {"ListRoles"}, "MaxItems": {"lots"}}, 400, "ValidationError"},
		{"missing role", url.Values{"Action": {"GetRole"}, "RoleName": {"ghost"}}, 404, "NoSuchEntity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postForm(t, e.URL(), tc.form)
			var qe queryError
			if err := xml.Unmarshal([]byte(body), &qe); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if status != tc.status || qe.Code != tc.code || qe.Type != "Sender" {
				t.Fatalf("got %d %+v, want %d %s", status, qe, tc.status, tc.code)
			}
		})
	}
	status, body := postForm(t, e.URL(), url.Values{"Action": {"ListRoles"}, "Version": {"2010-05-08"}})
	if status != 200 || !strings.Contains(body, `<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`) || !strings.Contains(body, "<Roles></Roles>") {
		t.Fatalf("empty ListRoles: %d %s", status, body)
	}
}

func TestCLI(t *testing.T) {
	e, _ := start(t)
	dir := t.TempDir()
	trustFile := filepath.Join(dir, "trust.json")
	if err := os.WriteFile(trustFile, []byte(trust), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := emutest.CLI(t, e.URL(), args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		var m map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("aws %v: %v: %s", args, err, out)
			}
		}
		return m
	}
	created := run("iam", "create-role", "--role-name", "lambda-exec", "--assume-role-policy-document", "file://"+trustFile)
	role := created["Role"].(map[string]any)
	if role["Arn"] != "arn:aws:iam::000000000000:role/lambda-exec" {
		t.Fatalf("create-role: %v", created)
	}
	// botocore URL-decodes and parses the document: proof it was encoded as AWS does.
	doc, ok := role["AssumeRolePolicyDocument"].(map[string]any)
	if !ok || doc["Version"] != "2012-10-17" {
		t.Fatalf("AssumeRolePolicyDocument as the CLI shows it: %#v", role["AssumeRolePolicyDocument"])
	}
	run("iam", "attach-role-policy", "--role-name", "lambda-exec", "--policy-arn", basicExec)
	listed := run("iam", "list-attached-role-policies", "--role-name", "lambda-exec")
	pols := listed["AttachedPolicies"].([]any)
	if len(pols) != 1 || pols[0].(map[string]any)["PolicyArn"] != basicExec || pols[0].(map[string]any)["PolicyName"] != "AWSLambdaBasicExecutionRole" {
		t.Fatalf("list-attached-role-policies: %v", listed)
	}
	_, errOut, code := emutest.CLI(t, e.URL(), "iam", "delete-role", "--role-name", "lambda-exec")
	if code == 0 || !strings.Contains(errOut, "DeleteConflict") {
		t.Fatalf("delete-role with a policy attached: exit %d: %s", code, errOut)
	}
}

func TestDefaultVersionDescriptionAndProfilesList(t *testing.T) {
	_, c := start(t)
	createRole(t, c, "r")
	out, err := c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("r"), Description: aws.String("described")})
	if err != nil || aws.ToString(out.Role.Description) != "described" {
		t.Fatalf("UpdateRoleDescription: %v %+v", err, out)
	}
	p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(s3Read)})
	if err != nil {
		t.Fatal(err)
	}
	arn := p.Policy.Arn
	if _, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(s3Read)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	if aws.ToString(got.Policy.DefaultVersionId) != "v2" {
		t.Fatalf("default %s", aws.ToString(got.Policy.DefaultVersionId))
	}
	_, err = c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v9")})
	wantAPIError(t, err, "NoSuchEntity", 404, "Policy "+aws.ToString(arn)+" version v9 does not exist or is not attachable.")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantAPIError(t, err, "AccessDenied", 403, "")

	for _, n := range []string{"b", "a", "c"} {
		if _, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(n), Path: aws.String("/ec2/")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("A")})
	wantAPIError(t, err, "EntityAlreadyExists", 409, "Instance Profile A already exists.")
	list, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/ec2/"), MaxItems: aws.Int32(2)})
	if err != nil || len(list.InstanceProfiles) != 2 || !list.IsTruncated || aws.ToString(list.InstanceProfiles[0].InstanceProfileName) != "a" {
		t.Fatalf("profiles page: %v %+v", err, list)
	}
}

func TestStateAndReset(t *testing.T) {
	e, c := start(t)
	createRole(t, c, "r")
	resp, err := http.Get(e.URL() + "/_groundstack/state")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Services map[string]map[string]any `json:"services"`
	}
	err = json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	if err != nil || fmt.Sprint(state.Services["iam"]["roles"]) != "1" {
		t.Fatalf("state: %v %v", err, state.Services["iam"])
	}
	e.Reset()
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	wantAPIError(t, err, "NoSuchEntity", 404, "")
}

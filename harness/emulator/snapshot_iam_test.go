package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// seedIAM builds IAM state through the SDK: users in a group (joined in
// an order that is not the names'), inline and attached policies, a
// customer policy with two versions, an AWS managed policy attached to a
// role, an instance profile, an access key, a login profile, an OIDC
// provider, an account alias and a password policy. It returns the access
// key.
func seedIAM(t *testing.T, cfg aws.Config) iamtypes.AccessKey {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	for _, u := range []string{"zed", "amy"} {
		must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}))
		must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)}))
	}
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("amy"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}))
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}))
	pol := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("app"), PolicyDocument: aws.String(doc), Description: aws.String("the app")})).Policy
	must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Arn, PolicyDocument: aws.String(strings.Replace(doc, "GetObject", "PutObject", 1)), SetAsDefault: true}))
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("amy"), PolicyArn: pol.Arn}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("lambda-role"), Description: aws.String("runs functions"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("lambda-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}))
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("lambda-role"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)}))
	must(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	must(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("lambda-role")}))
	key := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("amy")})).AccessKey
	must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("amy"), Password: aws.String("Correct-horse-battery-9"), PasswordResetRequired: true}))
	must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}}))
	must(c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("shop-dev")}))
	must(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(12), RequireSymbols: true}))
	return *key
}

// observeIAM reads what a client sees of IAM.
func observeIAM(t *testing.T, cfg aws.Config) string {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	var out []string
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, what+" "+string(b))
	}
	d := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))
	add("users", d.UserDetailList)
	add("groups", d.GroupDetailList)
	add("roles", d.RoleDetailList)
	add("policies", d.Policies)
	for _, u := range d.UserDetailList {
		add("keys", must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u.UserName})).AccessKeyMetadata)
		if lp, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: u.UserName}); err == nil {
			add("login", lp.LoginProfile)
		}
	}
	for _, g := range d.GroupDetailList {
		add("members", must(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: g.GroupName})).Users)
	}
	add("profiles", must(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{})).InstanceProfiles)
	for _, p := range must(c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList {
		o := must(c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.Arn}))
		add("oidc", []any{o.Url, o.ClientIDList, o.ThumbprintList, o.CreateDate, o.Tags})
	}
	add("aliases", must(c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).AccountAliases)
	add("password policy", must(c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy)
	return strings.Join(out, "\n")
}

// IAM built through the SDK, saved and loaded into a second emulator,
// reads the same through the SDK, and the saved access key still signs as
// its user.
func TestSnapshotIAMRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, acfg := emutest.Start(t)
	key := seedIAM(t, acfg)
	file := saveSnapshot(t, a.URL())
	b, bcfg := emutest.Start(t)
	if status, body := snapshotCall(t, b.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	before, after := observeIAM(t, acfg), observeIAM(t, bcfg)
	if d := lineDiff(before, after); d != "" {
		t.Errorf("observed state differs after load:\n%s", d)
	}
	for _, want := range []string{`"UserName":"zed"`, "AWSLambdaBasicExecutionRole", `"VersionId":"v2"`, `"shop-dev"`, `"PasswordResetRequired":true`} {
		if !strings.Contains(after, want) {
			t.Errorf("the loaded state lacks %s:\n%s", want, after)
		}
	}
	members := after[strings.Index(after, "\nmembers "):]
	if zed, amy := strings.Index(members, `"zed"`), strings.Index(members, `"amy"`); zed < 0 || amy < zed {
		t.Errorf("the group's members are not in the order they joined:\n%s", members)
	}
	kcfg := bcfg.Copy()
	kcfg.Credentials = credentials.NewStaticCredentialsProvider(*key.AccessKeyId, *key.SecretAccessKey, "")
	id := must(sts.NewFromConfig(kcfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if !strings.HasSuffix(*id.Arn, ":user/amy") {
		t.Errorf("the saved access key signs as %s", *id.Arn)
	}
}

package iam_test

import (
	"crypto/rand"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// shared is one emulator for the tests of this file, which name their
// entities apart so they run in parallel.
var shared struct {
	e *emulator.Emulator
	c *iam.Client
}

func TestMain(m *testing.M) {
	e := emulator.New()
	if err := e.Start(); err != nil {
		panic(err)
	}
	shared.e, shared.c = e, iam.NewFromConfig(emutest.Config(e.URL()))
	code := m.Run()
	e.Close()
	os.Exit(code)
}

func mustUser(t *testing.T, c *iam.Client, name string) *types.User {
	t.Helper()
	out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.User
}

func TestUsers(t *testing.T) {
	t.Parallel()
	c := shared.c
	out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u-alice"), Path: aws.String("/eng/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("edu")}}})
	if err != nil {
		t.Fatal(err)
	}
	u := out.User
	if aws.ToString(u.Arn) != "arn:aws:iam::000000000000:user/eng/u-alice" || !regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`).MatchString(aws.ToString(u.UserId)) ||
		len(u.Tags) != 1 || u.CreateDate == nil {
		t.Fatalf("created %+v", u)
	}
	mustUser(t, c, "u-bob")
	got, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("U-ALICE")}) // names are case-insensitive
	if err != nil || aws.ToString(got.User.UserId) != aws.ToString(u.UserId) || len(got.User.Tags) != 1 {
		t.Fatalf("get: %v %+v", err, got)
	}
	list, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/eng/")})
	if err != nil || len(list.Users) != 1 || aws.ToString(list.Users[0].UserName) != "u-alice" || list.Users[0].Tags != nil {
		t.Fatalf("list: %v %+v", err, list)
	}
	if _, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("u-alice"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("lab")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("u-alice"), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("u-alice")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	if _, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("u-alice"), NewUserName: aws.String("u-alice2"), NewPath: aws.String("/ops/")}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u-alice2")})
	if err != nil || aws.ToString(got.User.Arn) != "arn:aws:iam::000000000000:user/ops/u-alice2" || aws.ToString(got.User.UserId) != aws.ToString(u.UserId) {
		t.Fatalf("renamed: %v %+v", err, got)
	}

	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"duplicate", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("U-BOB")})
			return err
		},
			"EntityAlreadyExists", 409, "User with name U-BOB already exists."},
		{"missing", func() error { _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u-alice")}); return err },
			"NoSuchEntity", 404, "The user with name u-alice cannot be found."},
		{"rename onto another", func() error {
			_, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("u-bob"), NewUserName: aws.String("u-alice2")})
			return err
		}, "EntityAlreadyExists", 409, "User with name u-alice2 already exists."},
		{"name too long", func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("n", 65))})
			return err
		}, "ValidationError", 400, "1 validation error detected: Value '" + strings.Repeat("n", 65) + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"tag a missing user", func() error {
			_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("nobody"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "NoSuchEntity", 404, "The user with name nobody cannot be found."},
		{"delete missing", func() error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("nobody")})
			return err
		},
			"NoSuchEntity", 404, "The user with name nobody cannot be found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("u-bob")}); err != nil {
		t.Fatal(err)
	}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	c := shared.c
	g, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g-devs"), Path: aws.String("/teams/")})
	if err != nil || aws.ToString(g.Group.Arn) != "arn:aws:iam::000000000000:group/teams/g-devs" || !strings.HasPrefix(aws.ToString(g.Group.GroupId), "AGPA") {
		t.Fatalf("create: %v %+v", err, g)
	}
	mustUser(t, c, "g-carol")
	mustUser(t, c, "g-dan")
	for _, u := range []string{"g-carol", "g-dan", "g-dan"} { // adding twice is a no-op
		if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g-devs"), UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("g-devs"), MaxItems: aws.Int32(1)})
	if err != nil || len(got.Users) != 1 || !got.IsTruncated || aws.ToString(got.Users[0].UserName) != "g-carol" {
		t.Fatalf("get page 1: %v %+v", err, got)
	}
	got, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("g-devs"), Marker: got.Marker})
	if err != nil || len(got.Users) != 1 || got.IsTruncated || aws.ToString(got.Users[0].UserName) != "g-dan" {
		t.Fatalf("get page 2: %v %+v", err, got)
	}
	forUser, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("g-dan")})
	if err != nil || len(forUser.Groups) != 1 || aws.ToString(forUser.Groups[0].GroupName) != "g-devs" {
		t.Fatalf("groups for user: %v %+v", err, forUser)
	}
	if _, err := c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("g-devs"), NewGroupName: aws.String("g-builders")}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/teams/")})
	if err != nil || len(list.Groups) != 1 || aws.ToString(list.Groups[0].Arn) != "arn:aws:iam::000000000000:group/teams/g-builders" {
		t.Fatalf("list: %v %+v", err, list)
	}

	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"duplicate", func() error {
			_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("G-BUILDERS")})
			return err
		},
			"EntityAlreadyExists", 409, "Group with name G-BUILDERS already exists."},
		{"missing", func() error {
			_, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("g-devs")})
			return err
		},
			"NoSuchEntity", 404, "The group with name g-devs cannot be found."},
		{"add a missing user", func() error {
			_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g-builders"), UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity", 404, "The user with name nobody cannot be found."},
		{"delete with members", func() error {
			_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("g-builders")})
			return err
		},
			"DeleteConflict", 409, "Cannot delete entity, must remove users from group first."},
		{"delete a member", func() error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("g-dan")})
			return err
		},
			"DeleteConflict", 409, "Cannot delete entity, must remove user from all groups first."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	for _, u := range []string{"g-carol", "g-dan"} {
		if _, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("g-builders"), UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("g-builders")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("g-dan")}); err != nil {
		t.Fatal(err)
	}
}

func TestAccessKeys(t *testing.T) {
	t.Parallel()
	c := shared.c
	mustUser(t, c, "k-erin")
	var ids []string
	for range 2 {
		k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("k-erin")})
		if err != nil {
			t.Fatal(err)
		}
		a := k.AccessKey
		if !regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(aws.ToString(a.AccessKeyId)) || len(aws.ToString(a.SecretAccessKey)) != 40 ||
			a.Status != types.StatusTypeActive || aws.ToString(a.UserName) != "k-erin" {
			t.Fatalf("key %+v", a)
		}
		ids = append(ids, aws.ToString(a.AccessKeyId))
	}
	_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("k-erin")})
	wantAPIError(t, err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")

	if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("k-erin"), AccessKeyId: aws.String(ids[0]), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("k-erin")})
	if err != nil || len(list.AccessKeyMetadata) != 2 || list.AccessKeyMetadata[0].Status != types.StatusTypeInactive || aws.ToString(list.AccessKeyMetadata[1].AccessKeyId) != ids[1] {
		t.Fatalf("list: %v %+v", err, list)
	}
	last, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(ids[1])})
	if err != nil || aws.ToString(last.UserName) != "k-erin" || aws.ToString(last.AccessKeyLastUsed.ServiceName) != "N/A" || last.AccessKeyLastUsed.LastUsedDate != nil {
		t.Fatalf("last used: %v %+v", err, last)
	}

	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"delete the user first", func() error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("k-erin")})
			return err
		},
			"DeleteConflict", 409, "Cannot delete entity, must delete access keys first."},
		{"another user's key", func() error {
			mustUser(t, c, "k-frank")
			_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("k-frank"), AccessKeyId: aws.String(ids[0])})
			return err
		}, "NoSuchEntity", 404, "The Access Key with id " + ids[0] + " cannot be found."},
		{"bad status", func() error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(ids[0]), Status: "Paused"})
			return err
		}, "ValidationError", 400, "1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]"},
		{"short key id", func() error {
			_, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIA")})
			return err
		}, "ValidationError", 400, "1 validation error detected: Value 'AKIA' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	for _, id := range ids {
		if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("k-erin"), AccessKeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("k-erin")}); err != nil {
		t.Fatal(err)
	}
}

func TestLoginProfilesAndPasswordPolicy(t *testing.T) {
	t.Parallel()
	// Its own emulator: the password policy is the account's.
	e, c := start(t)
	mustUser(t, c, "p-gina")
	_, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("p-gina"), Password: aws.String("short")})
	wantAPIError(t, err, "PasswordPolicyViolation", 400, "Password should have a minimum length of 8")
	_, err = c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	wantAPIError(t, err, "NoSuchEntity", 404, "The Password Policy with domain name 000000000000 cannot be found.")

	if _, err := c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(10),
		RequireNumbers: true, RequireUppercaseCharacters: true, RequireSymbols: true, PasswordReusePrevention: aws.Int32(2), AllowUsersToChangePassword: true}); err != nil {
		t.Fatal(err)
	}
	pol, err := c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil || aws.ToInt32(pol.PasswordPolicy.MinimumPasswordLength) != 10 || !pol.PasswordPolicy.RequireNumbers || pol.PasswordPolicy.RequireLowercaseCharacters ||
		aws.ToInt32(pol.PasswordPolicy.PasswordReusePrevention) != 2 || pol.PasswordPolicy.ExpirePasswords {
		t.Fatalf("policy: %v %+v", err, pol)
	}
	violations := []struct{ password, msg string }{
		{"abcdefghi", "Password should have a minimum length of 10"},
		{"abcdefghij", "Password should have at least one uppercase letter"},
		{"Abcdefghij", "Password should have at least one number"},
		{"Abcdefghij1", "Password should have at least one symbol"},
	}
	for _, v := range violations {
		_, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("p-gina"), Password: aws.String(v.password)})
		wantAPIError(t, err, "PasswordPolicyViolation", 400, v.msg)
	}
	const first = "Abcdefghij1!"
	lp, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("p-gina"), Password: aws.String(first), PasswordResetRequired: true})
	if err != nil || aws.ToString(lp.LoginProfile.UserName) != "p-gina" || !lp.LoginProfile.PasswordResetRequired {
		t.Fatalf("create: %v %+v", err, lp)
	}
	_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("p-gina"), Password: aws.String(first)})
	wantAPIError(t, err, "EntityAlreadyExists", 409, "Login Profile for user p-gina already exists.")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("p-gina")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete login profile first.")

	// ChangePassword is the user's own: sign as them.
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("p-gina")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := emutest.Config(e.URL())
	cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	gina := iam.NewFromConfig(cfg)
	_, err = gina.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("wrong"), NewPassword: aws.String("Zyxwvutsrq2@")})
	wantAPIError(t, err, "AccessDenied", 403, "The old password is incorrect.")
	_, err = gina.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(first), NewPassword: aws.String(first)})
	wantAPIError(t, err, "PasswordPolicyViolation", 400, "Password was used previously and cannot be reused.")
	if _, err := gina.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(first), NewPassword: aws.String("Zyxwvutsrq2@")}); err != nil {
		t.Fatal(err)
	}
	lpGot, err := gina.GetLoginProfile(ctx, &iam.GetLoginProfileInput{}) // the caller's own
	if err != nil || lpGot.LoginProfile.PasswordResetRequired {
		t.Fatalf("after the change: %v %+v", err, lpGot)
	}
	_, err = c.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(first), NewPassword: aws.String("Zyxwvutsrq3@")})
	wantAPIError(t, err, "InvalidUserType", 400, "Only IAM Users can change their own password.")

	if _, err := c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("p-gina"), PasswordResetRequired: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("p-gina")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("p-gina")})
	wantAPIError(t, err, "NoSuchEntity", 404, "Login Profile for User p-gina cannot be found.")
	if _, err := c.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	wantAPIError(t, err, "NoSuchEntity", 404, "The account policy with name PasswordPolicy cannot be found.")
}

// In strict mode a user's access key signs requests to any service as that
// user; an inactive or deleted one is refused as AWS refuses it.
func TestStrictModeUserKeysSign(t *testing.T) {
	t.Parallel()
	key, secret := "AKIA"+strings.ToUpper(rand.Text()[:16]), rand.Text()+rand.Text()
	_, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{key: secret}))
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, "")
	admin := iam.NewFromConfig(cfg)
	u := mustUser(t, admin, "signer")
	k, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("signer")})
	if err != nil {
		t.Fatal(err)
	}
	as := cfg.Copy()
	as.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	who, err := sts.NewFromConfig(as).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != aws.ToString(u.Arn) || aws.ToString(who.UserId) != aws.ToString(u.UserId) || aws.ToString(who.Account) != "000000000000" {
		t.Fatalf("caller: %v %+v", err, who)
	}
	if _, err := s3.NewFromConfig(as, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("S3 as the user: %v", err)
	}
	if _, err := dynamodb.NewFromConfig(as).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("DynamoDB as the user: %v", err)
	}
	info, err := sts.NewFromConfig(cfg).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: k.AccessKey.AccessKeyId})
	if err != nil || aws.ToString(info.Account) != "000000000000" {
		t.Fatalf("GetAccessKeyInfo: %v %+v", err, info)
	}
	last, err := admin.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKey.AccessKeyId})
	if err != nil || last.AccessKeyLastUsed.LastUsedDate == nil || aws.ToString(last.AccessKeyLastUsed.ServiceName) != "dynamodb" ||
		aws.ToString(last.AccessKeyLastUsed.Region) != emutest.Region {
		t.Fatalf("last used: %v %+v", err, last)
	}
	// The user's own key answers GetUser and CreateAccessKey for them.
	self, err := iam.NewFromConfig(as).GetUser(ctx, &iam.GetUserInput{})
	if err != nil || aws.ToString(self.User.UserName) != "signer" {
		t.Fatalf("GetUser as the user: %v %+v", err, self)
	}

	id := k.AccessKey.AccessKeyId
	if _, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("signer"), AccessKeyId: id, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = sts.NewFromConfig(as).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantAPIError(t, err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")
	_, err = s3.NewFromConfig(as, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.")

	if _, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("signer"), AccessKeyId: id, Status: types.StatusTypeActive}); err != nil {
		t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(as).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("reactivated key: %v", err)
	}
	if _, err := admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("signer"), AccessKeyId: id}); err != nil {
		t.Fatal(err)
	}
	_, err = s3.NewFromConfig(as, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.")
}

func TestUsersCLI(t *testing.T) {
	t.Parallel()
	url := shared.e.URL()
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := emutest.CLI(t, url, args...)
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
	created := run("iam", "create-user", "--user-name", "cli-hana", "--tags", "Key=team,Value=edu")
	if created["User"].(map[string]any)["Arn"] != "arn:aws:iam::000000000000:user/cli-hana" {
		t.Fatalf("create-user: %v", created)
	}
	key := run("iam", "create-access-key", "--user-name", "cli-hana")["AccessKey"].(map[string]any)
	if key["Status"] != "Active" || len(key["SecretAccessKey"].(string)) != 40 {
		t.Fatalf("create-access-key: %v", key)
	}
	keys := run("iam", "list-access-keys", "--user-name", "cli-hana")["AccessKeyMetadata"].([]any)
	if len(keys) != 1 || keys[0].(map[string]any)["AccessKeyId"] != key["AccessKeyId"] {
		t.Fatalf("list-access-keys: %v", keys)
	}
	_, errOut, code := emutest.CLI(t, url, "iam", "delete-user", "--user-name", "cli-hana")
	if code == 0 || !strings.Contains(errOut, "DeleteConflict") {
		t.Fatalf("delete-user with a key: exit %d: %s", code, errOut)
	}
}

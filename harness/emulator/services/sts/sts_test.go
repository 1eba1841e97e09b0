package sts_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

var ctx = context.Background()

func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func TestGetCallerIdentityIsRoot(t *testing.T) {
	_, cfg := emutest.Start(t)
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "000000000000" || aws.ToString(out.Arn) != "arn:aws:iam::000000000000:root" || aws.ToString(out.UserId) != "000000000000" {
		t.Fatalf("identity %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
}

func TestAssumeRoleCredentialsAndIdentity(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	_, cfg := emutest.Start(t, emulator.WithClock(func() time.Time { return now }))
	c := sts.NewFromConfig(cfg)
	out, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::000000000000:role/service-role/lab-runner"), RoleSessionName: aws.String("ci@job-1"),
		DurationSeconds: aws.Int32(900), ExternalId: aws.String("ext-123"),
	})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(aws.ToString(cr.AccessKeyId)) || len(aws.ToString(cr.SecretAccessKey)) != 40 ||
		len(aws.ToString(cr.SessionToken)) < 100 || !cr.Expiration.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("credentials not shaped like AWS's: %+v", cr)
	}
	u := out.AssumedRoleUser
	if aws.ToString(u.Arn) != "arn:aws:sts::000000000000:assumed-role/lab-runner/ci@job-1" ||
		!regexp.MustCompile(`^AROA[A-Z2-7]{17}:ci@job-1$`).MatchString(aws.ToString(u.AssumedRoleId)) {
		t.Fatalf("assumed role user %s %s", aws.ToString(u.Arn), aws.ToString(u.AssumedRoleId))
	}
	again, _ := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/service-role/lab-runner"), RoleSessionName: aws.String("other")})
	if strings.Split(aws.ToString(again.AssumedRoleUser.AssumedRoleId), ":")[0] != strings.Split(aws.ToString(u.AssumedRoleId), ":")[0] {
		t.Fatal("a role's ID must not change between sessions")
	}
	if aws.ToString(again.Credentials.AccessKeyId) == aws.ToString(cr.AccessKeyId) {
		t.Fatal("two sessions got the same access key")
	}

	// Calls signed with the session's credentials are that role's.
	roleCfg := cfg.Copy()
	roleCfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	rc := sts.NewFromConfig(roleCfg)
	id, err := rc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != aws.ToString(u.Arn) || aws.ToString(id.UserId) != aws.ToString(u.AssumedRoleId) {
		t.Fatalf("caller identity under the role: %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId))
	}
	_, err = rc.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantAPIError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	info, err := c.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: cr.AccessKeyId})
	if err != nil || aws.ToString(info.Account) != "000000000000" {
		t.Fatalf("access key info: %v %v", err, info)
	}

	// Once expired, the key is nobody's in particular again: the account root.
	now = now.Add(16 * time.Minute)
	id, _ = rc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if aws.ToString(id.Arn) != "arn:aws:iam::000000000000:root" {
		t.Fatalf("expired session still identifies as %s", aws.ToString(id.Arn))
	}
}

func TestAssumeRoleCrossAccountARN(t *testing.T) {
	_, cfg := emutest.Start(t)
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/Deployer"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/Deployer/s1" {
		t.Fatalf("arn %s", aws.ToString(out.AssumedRoleUser.Arn))
	}
}

func TestGetSessionToken(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	_, cfg := emutest.Start(t, emulator.WithClock(func() time.Time { return now }))
	c := sts.NewFromConfig(cfg)
	out, err := c.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Credentials.Expiration.Equal(now.Add(12*time.Hour)) || !strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") {
		t.Fatalf("default session: %+v", out.Credentials)
	}
	out, err = c.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(3600)})
	if err != nil || !out.Credentials.Expiration.Equal(now.Add(time.Hour)) {
		t.Fatalf("1h session: %v %+v", err, out)
	}
}

func TestValidationErrors(t *testing.T) {
	_, cfg := emutest.Start(t)
	c := sts.NewFromConfig(cfg)
	role := aws.String("arn:aws:iam::000000000000:role/r")
	cases := []struct {
		name string
		in   sts.AssumeRoleInput
		code string
		msg  string
	}{
		{"session name too short", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("x")}, "ValidationError",
			"1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"session name bad chars", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("a b")}, "ValidationError",
			`1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"external id bad chars", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"), ExternalId: aws.String("a b")}, "ValidationError",
			`1 validation error detected: Value 'a b' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`},
		{"duration too short", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"), DurationSeconds: aws.Int32(60)}, "ValidationError",
			"1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"not a role ARN", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:s3:::some-bucket-name"), RoleSessionName: aws.String("ok")}, "ValidationError",
			"arn:aws:s3:::some-bucket-name is invalid"},
		{"policy not JSON", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"), Policy: aws.String("{nope")}, "MalformedPolicyDocument", ""},
		// The members below are checked against STS's model though not applied.
		{"policy ARN too short", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"),
			PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::x")}}}, "ValidationError", "1 validation error detected: Value 'arn:aws:iam::x' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"51 tags", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"), Tags: tags(51)}, "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"tag key too long", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"),
			Tags: []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}}, "ValidationError", "1 validation error detected: Value '" + strings.Repeat("k", 129) + "' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"token code of 5 digits", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"), TokenCode: aws.String("12345")}, "ValidationError", "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{"serial number too short", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"), SerialNumber: aws.String("12345678")}, "ValidationError", "1 validation error detected: Value '12345678' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9"},
		{"6 provided contexts", sts.AssumeRoleInput{RoleArn: role, RoleSessionName: aws.String("ok"),
			ProvidedContexts: contexts(6)}, "ValidationError", "1 validation error detected: Value at 'providedContexts' failed to satisfy constraint: Member must have length less than or equal to 5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.AssumeRole(ctx, &tc.in)
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
}

// The federated calls check their policy ARNs against the model before
// the token or assertion is read.
func TestFederatedPolicyArnsAreValidated(t *testing.T) {
	t.Parallel()
	_, cfg := emutest.Start(t)
	c := sts.NewFromConfig(cfg)
	role := aws.String("arn:aws:iam::000000000000:role/r")
	short := []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::x")}}
	const msg = "1 validation error detected: Value 'arn:aws:iam::x' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20"
	_, err := c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: role, RoleSessionName: aws.String("ok"),
		WebIdentityToken: aws.String("not-a-token"), PolicyArns: short})
	wantAPIError(t, err, "ValidationError", msg)
	_, err = c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: role, PrincipalArn: aws.String("arn:aws:iam::000000000000:saml-provider/p"),
		SAMLAssertion: aws.String("not-an-assertion"), PolicyArns: short})
	wantAPIError(t, err, "ValidationError", msg)
}

// tags returns n distinct session tags.
func tags(n int) []types.Tag {
	out := make([]types.Tag, n)
	for i := range out {
		out[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	return out
}

// contexts returns n provided contexts.
func contexts(n int) []types.ProvidedContext {
	out := make([]types.ProvidedContext, n)
	for i := range out {
		out[i] = types.ProvidedContext{ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter"), ContextAssertion: aws.String("assertion")}
	}
	return out
}

// postForm sends a query-protocol form signed (in name only) for STS.
func postForm(t *testing.T, endpoint string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// errorMessage decodes the <Message> of a query-protocol error.
func errorMessage(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Message string `xml:"Error>Message"`
	}
	if err := xml.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return e.Message
}

func TestRawQueryProtocol(t *testing.T) {
	e, _ := emutest.Start(t)
	status, body := postForm(t, e.URL(), url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
	if status != 200 || !strings.Contains(body, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`) ||
		!strings.Contains(body, "<Arn>arn:aws:iam::000000000000:root</Arn>") || !strings.Contains(body, "<RequestId>") {
		t.Fatalf("GetCallerIdentity: %d %s", status, body)
	}
	status, body = postForm(t, e.URL(), url.Values{"Action": {"BecomeRoot"}, "Version": {"2011-06-15"}})
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") || !strings.Contains(body, "<Type>Sender</Type>") {
		t.Fatalf("unknown action: %d %s", status, body)
	}
	status, body = postForm(t, e.URL(), url.Values{"Action": {"AssumeRole"}, "RoleSessionName": {"ok"}})
	if status != 400 || !strings.Contains(body, "<Code>ValidationError</Code>") || !strings.Contains(errorMessage(t, body), "Value null at 'roleArn'") {
		t.Fatalf("missing RoleArn: %d %s", status, body)
	}
	status, body = postForm(t, e.URL(), url.Values{"Action": {"AssumeRole"}, "RoleArn": {"arn:aws:iam::000000000000:role/r"}, "RoleSessionName": {"ok"}, "DurationSeconds": {"soon"}})
	if status != 400 || !strings.Contains(body, "<Code>ValidationError</Code>") {
		t.Fatalf("non-numeric duration: %d %s", status, body)
	}
}

func TestCLIGetCallerIdentity(t *testing.T) {
	e, _ := emutest.Start(t)
	out, errOut, code := emutest.CLI(t, e.URL(), "sts", "get-caller-identity")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var id map[string]string
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if id["Account"] != "000000000000" || id["Arn"] != "arn:aws:iam::000000000000:root" || id["UserId"] == "" {
		t.Fatalf("get-caller-identity: %v", id)
	}
	out, errOut, code = emutest.CLI(t, e.URL(), "sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/lab", "--role-session-name", "cli")
	if code != 0 || !strings.Contains(out, `"Arn": "arn:aws:sts::000000000000:assumed-role/lab/cli"`) {
		t.Fatalf("assume-role: exit %d: %s %s", code, out, errOut)
	}
}

func TestResetForgetsSessions(t *testing.T) {
	e, cfg := emutest.Start(t)
	c := sts.NewFromConfig(cfg)
	out, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	roleCfg := cfg.Copy()
	roleCfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
	e.Reset()
	id, err := sts.NewFromConfig(roleCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::000000000000:root" {
		t.Fatalf("after reset: %v %v", err, aws.ToString(id.Arn))
	}
}

// AssumeRoleWithWebIdentity travels unsigned (the CLI and SDKs send no
// Authorization): it reaches STS, not S3 path-style's 405.
func TestUnsignedWebIdentityReachesSTS(t *testing.T) {
	e, _ := emutest.Start(t)
	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::000000000000:role/r"}, "RoleSessionName": {"s"}, "WebIdentityToken": {"token"}}
	resp, err := http.Post(e.URL(), "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`) {
		t.Fatalf("unsigned AssumeRoleWithWebIdentity: %d %s", resp.StatusCode, b)
	}
}

func TestGetFederationTokenAndAssumeRoot(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	_, cfg := emutest.Start(t, emulator.WithClock(func() time.Time { return now }))
	c := sts.NewFromConfig(cfg)
	fed, err := c.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob@ci"),
		Policy:     aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
		PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(fed.FederatedUser.Arn) != "arn:aws:sts::000000000000:federated-user/bob@ci" || aws.ToString(fed.FederatedUser.FederatedUserId) != "000000000000:bob@ci" ||
		!fed.Credentials.Expiration.Equal(now.Add(time.Hour)) {
		t.Fatalf("federation token: %+v %+v", fed.FederatedUser, fed.Credentials)
	}
	as := cfg.Copy()
	cr := fed.Credentials
	as.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	who, err := sts.NewFromConfig(as).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::000000000000:federated-user/bob@ci" {
		t.Fatalf("caller: %v %+v", err, who)
	}
	_, err = sts.NewFromConfig(as).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	wantAPIError(t, err, "AccessDenied", "Cannot call GetFederationToken with session credentials")
	_, err = c.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String("{")})
	wantAPIError(t, err, "MalformedPolicyDocument", "The policy is not in the valid JSON format.")

	root, err := c.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("111122223333"),
		TaskPolicyArn: &types.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}})
	if err != nil || !root.Credentials.Expiration.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("AssumeRoot: %v %+v", err, root)
	}
	as.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(root.Credentials.AccessKeyId), aws.ToString(root.Credentials.SecretAccessKey), aws.ToString(root.Credentials.SessionToken))
	who, err = sts.NewFromConfig(as).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::111122223333:root" || aws.ToString(who.Account) != "111122223333" {
		t.Fatalf("root session: %v %+v", err, who)
	}
	_, err = c.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("111122223333"),
		TaskPolicyArn: &types.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}})
	wantAPIError(t, err, "ValidationError", "arn:aws:iam::aws:policy/AdministratorAccess is not a valid task policy ARN.")
	_, err = c.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("111122223333"), DurationSeconds: aws.Int32(3600),
		TaskPolicyArn: &types.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}})
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value '3600' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900")
}

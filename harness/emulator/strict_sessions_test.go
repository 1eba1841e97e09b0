package emulator_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// strictKeys makes a long-term key pair at test time, AWS-shaped.
func strictKeys(t testing.TB) (id, secret string) {
	t.Helper()
	return "AKIA" + strings.ToUpper(rand.Text()[:16]), rand.Text() + rand.Text()
}

// callEach calls one read-only operation of each protocol's service with
// cfg and returns the error code each answered ("" for success).
func callEach(cfg aws.Config) map[string]string {
	ctx := context.Background()
	codes := map[string]string{}
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		if err != nil {
			return err.Error()
		}
		return ""
	}
	cfg.RetryMaxAttempts = 1
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	codes["sts"] = code(err)
	_, err = dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	codes["dynamodb"] = code(err)
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	codes["s3"] = code(err)
	_, err = lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
	codes["lambda"] = code(err)
	_, err = ec2.NewFromConfig(cfg).DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	codes["ec2"] = code(err)
	return codes
}

func withCreds(cfg aws.Config, id, secret, token string) aws.Config {
	c := cfg.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(id, secret, token)
	return c
}

// Strict mode accepts the temporary credentials the cloud issued (STS's
// AssumeRole and GetSessionToken) only together with their own session
// token, and refuses them as each service does on AWS otherwise.
func TestStrictModeTemporaryCredentials(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	key, secret := strictKeys(t)
	_, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{key: secret}), emulator.WithClock(func() time.Time { return clock() }))
	cfg = withCreds(cfg, key, secret, "")
	ctx := context.Background()
	stsc := sts.NewFromConfig(cfg)
	role, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/ci"), RoleSessionName: aws.String("job"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := stsc.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	ok := map[string]string{"sts": "", "dynamodb": "", "s3": "", "lambda": "", "ec2": ""}
	unknown := map[string]string{"sts": "InvalidClientTokenId", "dynamodb": "UnrecognizedClientException", "s3": "InvalidAccessKeyId",
		"lambda": "UnrecognizedClientException", "ec2": "AuthFailure"}
	badToken := map[string]string{"sts": "InvalidClientTokenId", "dynamodb": "UnrecognizedClientException", "s3": "InvalidToken",
		"lambda": "UnrecognizedClientException", "ec2": "AuthFailure"}
	expired := map[string]string{"sts": "ExpiredToken", "dynamodb": "ExpiredTokenException", "s3": "ExpiredToken",
		"lambda": "ExpiredTokenException", "ec2": "RequestExpired"}
	for _, c := range []struct {
		name    string
		creds   aws.Config
		want    map[string]string
		expires bool
	}{
		{"long-term key", cfg, ok, false},
		{"long-term key with a session token", withCreds(cfg, key, secret, *role.Credentials.SessionToken), badToken, false},
		{"AssumeRole's", withCreds(cfg, *role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *role.Credentials.SessionToken), ok, true},
		{"GetSessionToken's", withCreds(cfg, *st.Credentials.AccessKeyId, *st.Credentials.SecretAccessKey, *st.Credentials.SessionToken), ok, true},
		{"AssumeRole's without its token", withCreds(cfg, *role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, ""), unknown, false},
		{"AssumeRole's with another session's token", withCreds(cfg, *role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *st.Credentials.SessionToken), badToken, false},
		{"a made-up temporary key", withCreds(cfg, "ASIAAAAAAAAAAAAAAAAA", secret, *st.Credentials.SessionToken), unknown, false},
	} {
		if got := callEach(c.creds); !equalCodes(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	id, err := sts.NewFromConfig(withCreds(cfg, *role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *role.Credentials.SessionToken)).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::000000000000:assumed-role/ci/job" {
		t.Fatalf("caller identity with the role's session: %v %v", err, id)
	}
	// Past their expiry, the sessions are refused as expired (before
	// the signing time is judged).
	later := now.Add(16 * time.Minute)
	clock = func() time.Time { return later }
	for _, c := range []struct {
		name  string
		creds aws.Config
	}{
		{"AssumeRole's", withCreds(cfg, *role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *role.Credentials.SessionToken)},
		{"GetSessionToken's", withCreds(cfg, *st.Credentials.AccessKeyId, *st.Credentials.SecretAccessKey, *st.Credentials.SessionToken)},
	} {
		if got := callEach(c.creds); !equalCodes(got, expired) {
			t.Errorf("expired %s: got %v, want %v", c.name, got, expired)
		}
	}
}

func equalCodes(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

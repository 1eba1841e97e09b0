package emulator_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// sessionOf hands the SDK fixed S3 Express session credentials instead of
// calling CreateSession.
type sessionOf struct{ aws.Credentials }

func (s sessionOf) Retrieve(context.Context, string) (aws.Credentials, error) {
	return s.Credentials, nil
}

// Strict mode verifies requests signed with an S3 Express One Zone
// session (CreateSession) with the session's secret, and takes its token
// from x-amz-s3session-token alone.
func TestStrictModeS3ExpressSessions(t *testing.T) {
	key, secret := strictKeys(t)
	_, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{key: secret}))
	cfg = withCreds(cfg, key, secret, "")
	cfg.RetryMaxAttempts = 1
	ctx := context.Background()
	c := s3.NewFromConfig(cfg)
	const bucket = "strict--use1-az4--x-s3"
	// At a custom endpoint the SDK would sign CreateBucket with a session
	// of the bucket it creates: it is signed with the caller's key instead.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), CreateBucketConfiguration: &types.CreateBucketConfiguration{
		Location: &types.LocationInfo{Type: types.LocationTypeAvailabilityZone, Name: aws.String("use1-az4")},
		Bucket:   &types.BucketInfo{Type: types.BucketTypeDirectory, DataRedundancy: types.DataRedundancySingleAvailabilityZone},
	}}, func(o *s3.Options) { o.DisableS3ExpressSessionAuth = aws.Bool(true) }); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	// The SDK opens a session and signs with it.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("strict")}); err != nil {
		t.Fatalf("PutObject with the SDK's session: %v", err)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("GetObject with the SDK's session: %v", err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(b) != "strict" {
		t.Errorf("GetObject = %q", b)
	}

	out, err := c.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	sess := aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken: aws.ToString(out.Credentials.SessionToken), CanExpire: true, Expires: aws.ToTime(out.Credentials.Expiration)}
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
	get := func(express aws.Credentials, plain aws.Config) string {
		_, err := s3.NewFromConfig(plain, func(o *s3.Options) { o.ExpressCredentials = sessionOf{express} }).
			GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
		return code(err)
	}
	wrongSecret, forged := sess, sess
	wrongSecret.SecretAccessKey = secret
	forged.SessionToken = "forged"
	for _, tc := range []struct {
		name    string
		express aws.Credentials
		plain   aws.Config
		want    string
	}{
		{"the session", sess, cfg, ""},
		{"the session signed with another secret", wrongSecret, cfg, "SignatureDoesNotMatch"},
		{"the session with another token", forged, cfg, "InvalidToken"},
	} {
		if got := get(tc.express, tc.plain); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	// The session's key with its token as a security token (the header of
	// STS's sessions) is not a session AWS knows.
	_, err = s3.NewFromConfig(withCreds(cfg, sess.AccessKeyID, sess.SecretAccessKey, sess.SessionToken), func(o *s3.Options) { o.UsePathStyle = true }).
		ListBuckets(ctx, &s3.ListBucketsInput{})
	if got := code(err); got == "" {
		t.Errorf("ListBuckets with the session's key and x-amz-security-token: success, want a refusal")
	}
}

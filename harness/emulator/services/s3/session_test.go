package s3_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

const dirBucket = "photos--use1-az4--x-s3"

// controlAuth: at a custom endpoint, the SDK's endpoint rules sign every
// request naming a directory bucket with the bucket's session, CreateBucket
// too, and ListDirectoryBuckets (which names none) fails for want of a
// bucket. A bucket that does not exist yet has no session, so these are
// signed as on S3 Express's control endpoint, with the caller's own
// credentials.
func controlAuth(o *s3.Options) { o.DisableS3ExpressSessionAuth = aws.Bool(true) }

func directoryConfig(zone string) *types.CreateBucketConfiguration {
	return &types.CreateBucketConfiguration{
		Location: &types.LocationInfo{Type: types.LocationTypeAvailabilityZone, Name: aws.String(zone)},
		Bucket:   &types.BucketInfo{Type: types.BucketTypeDirectory, DataRedundancy: types.DataRedundancySingleAvailabilityZone},
	}
}

// countingTransport counts the requests the SDK sends with an S3 Express
// session token and the CreateSession calls it makes.
type countingTransport struct {
	base              aws.HTTPClient
	sessions, withTok atomic.Int32
}

func (ct *countingTransport) Do(r *http.Request) (*http.Response, error) {
	if _, ok := r.URL.Query()["session"]; ok {
		ct.sessions.Add(1)
	}
	if r.Header.Get("X-Amz-S3session-Token") != "" {
		ct.withTok.Add(1)
	}
	return ct.base.Do(r)
}

// TestDirectoryBucketThroughTheSDK: the SDK creates a directory bucket,
// opens a session on it with CreateSession (by itself), and puts, gets,
// lists and deletes objects signed with the session's credentials.
func TestDirectoryBucketThroughTheSDK(t *testing.T) {
	_, cfg := startEmu(t)
	ct := &countingTransport{base: cfg.HTTPClient}
	cfg.HTTPClient = ct
	c := s3.NewFromConfig(cfg)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dirBucket), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("a/b.txt"), Body: strings.NewReader("hello express")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "hello express" {
		t.Errorf("GetObject = %q", body)
	}
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(dirBucket)})
	if err != nil || len(lo.Contents) != 1 || aws.ToString(lo.Contents[0].Key) != "a/b.txt" {
		t.Fatalf("ListObjectsV2 = %v, %v", lo, err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("a/b.txt")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	// One session served every call; each data call carried its token.
	if n := ct.sessions.Load(); n != 1 {
		t.Errorf("CreateSession called %d times, want 1", n)
	}
	if n := ct.withTok.Load(); n < 4 {
		t.Errorf("%d requests carried x-amz-s3session-token, want 4", n)
	}

	// ListDirectoryBuckets lists it; ListBuckets lists general purpose
	// buckets alone.
	mustCreateBucket(t, c, "general")
	dl, err := c.ListDirectoryBuckets(ctx, &s3.ListDirectoryBucketsInput{}, controlAuth)
	if err != nil || len(dl.Buckets) != 1 || aws.ToString(dl.Buckets[0].Name) != dirBucket || aws.ToString(dl.Buckets[0].BucketRegion) != "us-east-1" ||
		aws.ToString(dl.Buckets[0].BucketArn) != "arn:aws:s3express:us-east-1:000000000000:bucket/"+dirBucket {
		t.Fatalf("ListDirectoryBuckets = %+v, %v", dl, err)
	}
	bl, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(bl.Buckets) != 1 || aws.ToString(bl.Buckets[0].Name) != "general" {
		t.Fatalf("ListBuckets = %+v, %v", bl, err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(dirBucket)}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
}

// TestCreateSession: the session's credentials, its mode, and what a
// request carrying a token it did not get from CreateSession is answered.
func TestCreateSession(t *testing.T) {
	var skew atomic.Int64
	_, cfg := startEmu(t, emulator.WithClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }))
	c := s3.NewFromConfig(cfg)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dirBucket), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	mustCreateBucket(t, c, "general")
	before := time.Now()
	out, err := c.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String(dirBucket)})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	cr := out.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || aws.ToString(cr.SecretAccessKey) == "" || aws.ToString(cr.SessionToken) == "" {
		t.Errorf("credentials = %+v", cr)
	}
	if exp := aws.ToTime(cr.Expiration); exp.Before(before.Add(4*time.Minute)) || exp.After(before.Add(6*time.Minute)) {
		t.Errorf("Expiration = %v, want five minutes on", exp)
	}
	if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("ServerSideEncryption = %q", out.ServerSideEncryption)
	}

	// A general purpose bucket, or none: NoSuchBucket.
	for _, b := range []string{"general", "nothing--use1-az4--x-s3"} {
		_, err := c.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String(b)})
		wantAPIError(t, err, "NoSuchBucket", 404)
	}

	// Clients signing with the session's credentials, as the SDK does when
	// given them.
	withSession := func(cr *types.SessionCredentials) *s3.Client {
		o := cfg.Copy()
		o.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
		return s3.NewFromConfig(o, func(o *s3.Options) {
			o.ExpressCredentials = staticExpress{cr}
		})
	}
	rw := withSession(cr)
	if _, err := rw.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatalf("PutObject with a ReadWrite session: %v", err)
	}

	ro, err := c.CreateSession(ctx, &s3.CreateSessionInput{Bucket: aws.String(dirBucket), SessionMode: types.SessionModeReadOnly})
	if err != nil {
		t.Fatalf("CreateSession ReadOnly: %v", err)
	}
	roc := withSession(ro.Credentials)
	if _, err := roc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("k")}); err != nil {
		t.Errorf("GetObject with a ReadOnly session: %v", err)
	}
	_, err = roc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("k2"), Body: strings.NewReader("v")})
	wantAPIError(t, err, "AccessDenied", 403)

	// A token CreateSession never issued, or another key's.
	forged := *cr
	forged.SessionToken = aws.String("forged")
	_, err = withSession(&forged).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("k")})
	wantAPIError(t, err, "InvalidToken", 400)
	other := *ro.Credentials
	other.AccessKeyId = cr.AccessKeyId
	_, err = withSession(&other).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("k")})
	wantAPIError(t, err, "InvalidToken", 400)

	// The session is the bucket's alone.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("other--use1-az4--x-s3"), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	_, err = rw.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("other--use1-az4--x-s3"), Key: aws.String("k")},
		func(o *s3.Options) { o.ExpressCredentials = staticExpress{cr} })
	wantAPIError(t, err, "AccessDenied", 403)

	// Past five minutes the session has expired.
	skew.Store(int64(6 * time.Minute))
	_, err = rw.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("k")})
	wantAPIError(t, err, "ExpiredToken", 400)
}

// staticExpress hands the SDK given session credentials instead of
// calling CreateSession.
type staticExpress struct{ cr *types.SessionCredentials }

func (s staticExpress) Retrieve(_ context.Context, _ string) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: aws.ToString(s.cr.AccessKeyId), SecretAccessKey: aws.ToString(s.cr.SecretAccessKey),
		SessionToken: aws.ToString(s.cr.SessionToken), CanExpire: true, Expires: aws.ToTime(s.cr.Expiration)}, nil
}

// TestCreateDirectoryBucketRefusals: a directory bucket's name holds the
// zone its configuration names; a --x-s3 name is a directory bucket's.
func TestCreateDirectoryBucketRefusals(t *testing.T) {
	_, c := start(t)
	for _, tc := range []struct {
		name string
		conf *types.CreateBucketConfiguration
	}{
		{"photos--use1-az4--x-s3", nil},                                             // no configuration
		{"photos--use1-az4--x-s3", directoryConfig("use1-az5")},                     // another zone
		{"photos--x-s3", directoryConfig("use1-az4")},                               // no zone
		{"photos", directoryConfig("use1-az4")},                                     // no suffix
		{"ph.otos--use1-az4--x-s3", directoryConfig("use1-az4")},                    // a period
		{"-photos--use1-az4--x-s3", directoryConfig("use1-az4")},                    // a leading hyphen
		{strings.Repeat("p", 50) + "--use1-az4--x-s3", directoryConfig("use1-az4")}, // past 63
	} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(tc.name), CreateBucketConfiguration: tc.conf}, controlAuth)
		wantAPIError(t, err, "InvalidBucketName", 400)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dirBucket), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dirBucket), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth)
	wantAPIError(t, err, "BucketAlreadyOwnedByYou", 409)
}

// TestCreateSessionWithTheCLI: aws s3api create-session prints the
// session's credentials.
func TestCreateSessionWithTheCLI(t *testing.T) {
	e, _ := start(t)
	// At a custom endpoint botocore signs create-bucket with a session of
	// the bucket, as the Go SDK does (controlAuth): without
	// AWS_S3_DISABLE_EXPRESS_SESSION_AUTH it asks for a session of a bucket
	// that does not exist yet.
	create := []string{"s3api", "create-bucket", "--bucket", dirBucket, "--create-bucket-configuration",
		"Location={Type=AvailabilityZone,Name=use1-az4},Bucket={Type=Directory,DataRedundancy=SingleAvailabilityZone}"}
	if _, stderr, code := emutest.CLI(t, e.URL(), create...); code == 0 || !strings.Contains(stderr, "(NoSuchBucket) when calling the CreateSession operation") {
		t.Errorf("create-bucket with session auth: exit %d, %s", code, stderr)
	}
	if out, stderr, code := emutest.CLIWithEnv(t, e.URL(), []string{"AWS_S3_DISABLE_EXPRESS_SESSION_AUTH=true"}, create...); code != 0 {
		t.Fatalf("create-bucket: exit %d: %s %s", code, out, stderr)
	}
	if out := cli(t, e.URL(), "s3api", "list-directory-buckets"); !strings.Contains(out, `"Name": "`+dirBucket+`"`) {
		t.Errorf("list-directory-buckets: %s", out)
	}
	out := cli(t, e.URL(), "s3api", "create-session", "--bucket", dirBucket)
	for _, w := range []string{`"AccessKeyId": "ASIA`, `"SecretAccessKey"`, `"SessionToken"`, `"Expiration"`} {
		if !strings.Contains(out, w) {
			t.Errorf("create-session printed %s, want %s in it", out, w)
		}
	}
	// The CLI opens its own session for object calls, as the SDK does.
	src := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(src, []byte("from the cli"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, e.URL(), "s3api", "put-object", "--bucket", dirBucket, "--key", "k", "--body", src)
	dst := filepath.Join(t.TempDir(), "out.txt")
	cli(t, e.URL(), "s3api", "get-object", "--bucket", dirBucket, "--key", "k", dst)
	if b, _ := os.ReadFile(dst); string(b) != "from the cli" {
		t.Errorf("get-object wrote %q", b)
	}
}

// TestRenameObjectInADirectoryBucket: RenameObject moves an object within
// a directory bucket (body, metadata, ETag), under its conditions.
func TestRenameObjectInADirectoryBucket(t *testing.T) {
	_, c := start(t)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dirBucket), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("old name"), Body: strings.NewReader("moving"),
		Metadata: map[string]string{"mood": "restless"}})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	mustPut(t, c, dirBucket, "taken", []byte("occupied"))
	rename := func(in *s3.RenameObjectInput) error {
		in.Bucket = aws.String(dirBucket)
		_, err := c.RenameObject(ctx, in)
		return err
	}
	src := aws.String(dirBucket + "/old%20name")
	wantAPIError(t, rename(&s3.RenameObjectInput{Key: aws.String("new"), RenameSource: src, SourceIfMatch: aws.String(`"nope"`)}), "PreconditionFailed", 412)
	wantAPIError(t, rename(&s3.RenameObjectInput{Key: aws.String("taken"), RenameSource: src, DestinationIfNoneMatch: aws.String("*")}), "PreconditionFailed", 412)
	wantAPIError(t, rename(&s3.RenameObjectInput{Key: aws.String("new"), RenameSource: aws.String(dirBucket + "/absent")}), "NoSuchKey", 404)
	wantAPIError(t, rename(&s3.RenameObjectInput{Key: aws.String("new"), RenameSource: aws.String("elsewhere/old%20name")}), "InvalidRequest", 400)
	if err := rename(&s3.RenameObjectInput{Key: aws.String("taken"), RenameSource: src, SourceIfMatch: put.ETag}); err != nil {
		t.Fatalf("RenameObject: %v", err)
	}
	body, out := mustGet(t, c, dirBucket, "taken")
	if string(body) != "moving" || aws.ToString(out.ETag) != aws.ToString(put.ETag) || out.Metadata["mood"] != "restless" {
		t.Errorf("renamed object = %q %s %v", body, aws.ToString(out.ETag), out.Metadata)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("old name")})
	wantAPIError(t, err, "NotFound", 404)
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(dirBucket)})
	if err != nil || len(lo.Contents) != 1 || aws.ToString(lo.Contents[0].Key) != "taken" {
		t.Fatalf("ListObjectsV2 after the rename = %+v, %v", lo, err)
	}
}

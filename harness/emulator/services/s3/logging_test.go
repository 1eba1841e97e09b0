package s3_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	s3svc "github.com/groundstack/groundstack/harness/emulator/services/s3"
)

// accessLogFields matches one line of S3's server access log, field by
// field as AWS documents them (the first 17 are the ones every line has).
var accessLogFields = regexp.MustCompile(`^[0-9a-f]{64} (\S+) \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] \S+ (\S+) \S+ (REST\.[A-Z]+\.[A-Z_]+) (\S+) "([^"]*)" (\d{3}) (\S+) (\S+) (\S+) (\S+|-) (\S+|-) "[^"]*" "[^"]*" - - (\S+) - (\S+) (\S+) - - -$`)

// readAccessLogs polls the target bucket until its log objects hold n
// lines, and returns them.
func readAccessLogs(t *testing.T, c *s3.Client, bucket, prefix string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var lines []string
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$`).MatchString(aws.ToString(o.Key)) {
				t.Fatalf("log object key %q", aws.ToString(o.Key))
			}
			got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(got.Body)
			got.Body.Close()
			lines = append(lines, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
		}
		if len(lines) >= n || time.Now().After(deadline) {
			return lines
		}
		time.Sleep(100 * time.Millisecond) // polling the bucket, not waiting out a delay
	}
}

// Requests to a bucket with PutBucketLogging land in its target bucket as
// access-log lines in AWS's format.
func TestServerAccessLogging(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	for _, b := range []string{"logged", "access-logs"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	// errors first
	_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logged"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("no-such-target"), TargetPrefix: aws.String("x/")}}})
	wantAPIError(t, err, "InvalidTargetBucketForLogging", 400)
	_, err = c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("no-such-source"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("access-logs"), TargetPrefix: aws.String("x/")}}})
	wantAPIError(t, err, "NoSuchBucket", 404)
	got, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("logged")})
	if err != nil || got.LoggingEnabled != nil {
		t.Fatalf("logging before it is set: %+v %v", got, err)
	}

	if _, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logged"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("access-logs"), TargetPrefix: aws.String("logged/")}}}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("logged")})
	if err != nil || got.LoggingEnabled == nil || aws.ToString(got.LoggingEnabled.TargetBucket) != "access-logs" || aws.ToString(got.LoggingEnabled.TargetPrefix) != "logged/" {
		t.Fatalf("GetBucketLogging %+v %v", got, err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logged"), Key: aws.String("a b.txt"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logged"), Key: aws.String("missing")}); err == nil {
		t.Fatal("missing key found")
	}
	resp, err := http.Get(e.URL() + "/logged/a%20b.txt") // unsigned, path-style
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// requests to the target bucket itself are not logged
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("access-logs")}); err != nil {
		t.Fatal(err)
	}

	lines := readAccessLogs(t, c, "access-logs", "logged/", 4)
	type want struct{ op, key, status, errCode, sig, auth string }
	wants := []want{
		{"REST.GET.LOGGING_STATUS", "-", "200", "-", "SigV4", "AuthHeader"},
		{"REST.PUT.OBJECT", "a%20b.txt", "200", "-", "SigV4", "AuthHeader"},
		{"REST.GET.OBJECT", "missing", "404", "NoSuchKey", "SigV4", "AuthHeader"},
		{"REST.GET.OBJECT", "a%20b.txt", "200", "-", "-", "-"},
	}
	if len(lines) != len(wants) {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), len(wants), strings.Join(lines, "\n"))
	}
	// Lines come in request order within a log object; objects may split
	// them, so each expected line is looked up.
	find := func(w want) []string {
		for _, l := range lines {
			if m := accessLogFields.FindStringSubmatch(l); m != nil && m[3] == w.op && m[4] == w.key && m[6] == w.status {
				return m
			}
		}
		t.Fatalf("no %+v line in:\n%s", w, strings.Join(lines, "\n"))
		return nil
	}
	for _, w := range wants {
		m := find(w)
		if m[1] != "logged" || m[7] != w.errCode || m[12] != w.sig || m[13] != w.auth {
			t.Errorf("%s\nwant %+v", m[0], w)
		}
		if w.auth == "-" && m[2] != "-" {
			t.Errorf("an unsigned request's requester is %q", m[2])
		}
	}
	if m := find(wants[1]); m[5] != "PUT /logged/a%20b.txt?x-id=PutObject HTTP/1.1" {
		t.Errorf("request-URI %q", m[5])
	}
	if m := find(wants[3]); m[8] != "5" || m[9] != "5" {
		t.Errorf("bytes sent %s, object size %s, want 5 and 5", m[8], m[9])
	}

	// An empty BucketLoggingStatus turns logging off.
	if _, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logged"), BucketLoggingStatus: &types.BucketLoggingStatus{}}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("logged")}); err != nil || got.LoggingEnabled != nil {
		t.Fatalf("after disabling: %+v %v", got, err)
	}
}

func FuzzParseLogging(f *testing.F) {
	for _, seed := range []string{
		`<BucketLoggingStatus xmlns="http://doc.s3.amazonaws.com/2006-03-01"/>`,
		`<BucketLoggingStatus><LoggingEnabled><TargetBucket>b</TargetBucket><TargetPrefix>p/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
		`<BucketLoggingStatus><LoggingEnabled><TargetBucket></TargetBucket></LoggingEnabled></BucketLoggingStatus>`,
		`<BucketLoggingStatus><LoggingEnabled><TargetBucket>b</TargetBucket><TargetPrefix>p/</TargetPrefix><TargetGrants><Grant><Grantee><ID>x</ID></Grantee></Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>`,
		`<Other/>`, ``, `<`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		got, err := s3svc.ParseLogging(doc)
		if err == nil && got != nil && got.Bucket == "" {
			t.Fatalf("accepted a target without a bucket: %q", doc)
		}
	})
}

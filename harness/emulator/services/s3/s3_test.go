package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
)

var ctx = context.Background()

// start runs an emulator and returns an S3 client for it.
func start(t *testing.T, opts ...emulator.Option) (*emulator.Emulator, *s3.Client) {
	t.Helper()
	e, cfg := startEmu(t, opts...)
	return e, s3.NewFromConfig(cfg)
}

// wantAPIError asserts err is an S3 error with code and HTTP status.
func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s (%d), got success", code, status)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Errorf("code = %q, want %q (%v)", ae.ErrorCode(), code, err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("no HTTP response in %v", err)
	}
	if re.HTTPStatusCode() != status {
		t.Errorf("status = %d, want %d (%v)", re.HTTPStatusCode(), status, err)
	}
}

func mustCreateBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

func mustPut(t *testing.T, c *s3.Client, bucket, key string, data []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return out
}

func mustGet(t *testing.T, c *s3.Client, bucket, key string) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, out
}

func md5ETag(data []byte) string {
	s := md5.Sum(data)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func TestBuckets(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "alpha")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String("beta.eu"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1},
	}); err != nil {
		t.Fatal(err)
	}

	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || b.CreationDate.IsZero() {
			t.Errorf("bucket %s has no creation date", aws.ToString(b.Name))
		}
	}
	if fmt.Sprint(names) != "[alpha beta.eu]" {
		t.Errorf("ListBuckets = %v", names)
	}
	if list.Owner == nil || aws.ToString(list.Owner.ID) == "" {
		t.Errorf("ListBuckets has no owner")
	}

	for bucket, want := range map[string]types.BucketLocationConstraint{"alpha": "", "beta.eu": "eu-west-1"} {
		loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatal(err)
		}
		if loc.LocationConstraint != want {
			t.Errorf("GetBucketLocation(%s) = %q, want %q", bucket, loc.LocationConstraint, want)
		}
	}
	head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("beta.eu")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.BucketRegion) != "eu-west-1" {
		t.Errorf("HeadBucket region = %q", aws.ToString(head.BucketRegion))
	}

	// ListBuckets paging and filters.
	page, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	if err != nil || len(page.Buckets) != 1 || aws.ToString(page.ContinuationToken) == "" {
		t.Fatalf("ListBuckets page 1: %v %v", page, err)
	}
	page, err = c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1), ContinuationToken: page.ContinuationToken})
	if err != nil || len(page.Buckets) != 1 || aws.ToString(page.Buckets[0].Name) != "beta.eu" || page.ContinuationToken != nil {
		t.Errorf("ListBuckets page 2: %+v %v", page, err)
	}
	page, err = c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String("be")})
	if err != nil || len(page.Buckets) != 1 || aws.ToString(page.Buckets[0].BucketRegion) != "eu-west-1" {
		t.Errorf("ListBuckets prefix: %+v %v", page, err)
	}
	page, err = c.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("us-east-1")})
	if err != nil || len(page.Buckets) != 1 || aws.ToString(page.Buckets[0].Name) != "alpha" {
		t.Errorf("ListBuckets region: %+v %v", page, err)
	}
	ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("alpha")})
	if err != nil || ver.Status != "" {
		t.Errorf("GetBucketVersioning: %+v %v", ver, err)
	}

	mustPut(t, c, "alpha", "k", []byte("x"))
	errorCases := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"create existing elsewhere", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha"),
				CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}})
			return err
		}, "BucketAlreadyOwnedByYou", 409},
		{"invalid name upper", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Upper")})
			return err
		}, "InvalidBucketName", 400},
		{"invalid name short", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ab")})
			return err
		}, "InvalidBucketName", 400},
		{"invalid name ip", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("192.168.5.4")})
			return err
		}, "InvalidBucketName", 400},
		{"invalid name dots", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("a..b")})
			return err
		}, "InvalidBucketName", 400},
		{"location us-east-1", func() error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gamma"),
				CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
			return err
		}, "InvalidLocationConstraint", 400},
		{"delete non-empty", func() error {
			_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
			return err
		}, "BucketNotEmpty", 409},
		{"delete missing", func() error {
			_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("nope-bucket")})
			return err
		}, "NoSuchBucket", 404},
		{"head missing", func() error {
			_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nope-bucket")})
			return err
		}, "NotFound", 404}, // HEAD carries no body, so the SDK names it by status
		{"location missing", func() error {
			_, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("nope-bucket")})
			return err
		}, "NoSuchBucket", 404},
		{"list missing", func() error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("nope-bucket")})
			return err
		}, "NoSuchBucket", 404},
		{"put into missing", func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("nope-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
			return err
		}, "NoSuchBucket", 404},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status) })
	}

	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("beta.eu")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("beta.eu")})
	wantAPIError(t, err, "NotFound", 404)
}

func TestBucketRegionEndpoint(t *testing.T) {
	e, cfg := startEmu(t)
	_ = e
	cfg.Region = "eu-central-1"
	c := s3.NewFromConfig(cfg)
	// A regional endpoint with no LocationConstraint is refused, as on AWS.
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("regional")})
	wantAPIError(t, err, "IllegalLocationConstraintException", 400)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("regional"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "eu-central-1"}}); err != nil {
		t.Fatal(err)
	}
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("regional")})
	if err != nil || loc.LocationConstraint != "eu-central-1" {
		t.Fatalf("location = %v, %v", loc, err)
	}
}

func TestObjects(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "objs")
	data := []byte("hello, groundstack")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:             aws.String("objs"),
		Key:                aws.String("dir/hello.txt"),
		Body:               bytes.NewReader(data),
		ContentType:        aws.String("text/plain; charset=utf-8"),
		ContentDisposition: aws.String(`attachment; filename="hello.txt"`),
		ContentLanguage:    aws.String("en"),
		CacheControl:       aws.String("max-age=60"),
		Metadata:           map[string]string{"Owner": "ana", "purpose": "test value"},
		StorageClass:       types.StorageClassStandardIa,
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != md5ETag(data) {
		t.Errorf("PutObject ETag = %s, want %s", aws.ToString(put.ETag), md5ETag(data))
	}

	got, out := mustGet(t, c, "objs", "dir/hello.txt")
	if !bytes.Equal(got, data) {
		t.Fatalf("GetObject body = %q", got)
	}
	checks := map[string][2]string{
		"ETag":               {aws.ToString(out.ETag), md5ETag(data)},
		"ContentType":        {aws.ToString(out.ContentType), "text/plain; charset=utf-8"},
		"ContentDisposition": {aws.ToString(out.ContentDisposition), `attachment; filename="hello.txt"`},
		"ContentLanguage":    {aws.ToString(out.ContentLanguage), "en"},
		"CacheControl":       {aws.ToString(out.CacheControl), "max-age=60"},
		"meta owner":         {out.Metadata["owner"], "ana"},
		"meta purpose":       {out.Metadata["purpose"], "test value"},
		"StorageClass":       {string(out.StorageClass), "STANDARD_IA"},
		"AcceptRanges":       {aws.ToString(out.AcceptRanges), "bytes"},
	}
	for name, v := range checks {
		if v[0] != v[1] {
			t.Errorf("GetObject %s = %q, want %q", name, v[0], v[1])
		}
	}
	if aws.ToInt64(out.ContentLength) != int64(len(data)) {
		t.Errorf("ContentLength = %d", aws.ToInt64(out.ContentLength))
	}
	if out.LastModified == nil || time.Since(*out.LastModified) > time.Minute {
		t.Errorf("LastModified = %v", out.LastModified)
	}

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objs"), Key: aws.String("dir/hello.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(data)) || aws.ToString(head.ETag) != md5ETag(data) || head.Metadata["owner"] != "ana" {
		t.Errorf("HeadObject = len %d etag %s meta %v", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), head.Metadata)
	}

	// Default content type when none is given.
	mustPut(t, c, "objs", "plain", []byte("p"))
	_, out = mustGet(t, c, "objs", "plain")
	if ct := aws.ToString(out.ContentType); ct == "" {
		t.Errorf("no default content type")
	}

	// Overwrite replaces.
	mustPut(t, c, "objs", "plain", []byte("second"))
	if got, _ := mustGet(t, c, "objs", "plain"); string(got) != "second" {
		t.Errorf("overwrite: %q", got)
	}

	// Empty object.
	mustPut(t, c, "objs", "empty", nil)
	if got, out := mustGet(t, c, "objs", "empty"); len(got) != 0 || aws.ToString(out.ETag) != md5ETag(nil) {
		t.Errorf("empty object: %q %s", got, aws.ToString(out.ETag))
	}

	// Delete, then NoSuchKey with the key in the error.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objs"), Key: aws.String("plain")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("objs"), Key: aws.String("plain")})
	wantAPIError(t, err, "NoSuchKey", 404)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("objs"), Key: aws.String("plain")})
	wantAPIError(t, err, "NotFound", 404)
	// Deleting a missing key succeeds, as on S3.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objs"), Key: aws.String("never")}); err != nil {
		t.Errorf("DeleteObject of a missing key: %v", err)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("nope-bucket"), Key: aws.String("k")})
	wantAPIError(t, err, "NoSuchBucket", 404)
}

func TestKeysRoundTrip(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "keys")
	keys := []string{
		"with space.txt", "plus+sign", "percent%20literal", "unicode/ñandú-日本語.txt", "a/b/c/d",
		"question?mark", "hash#tag", "amp&and=eq", "tilde~star*", "semi;colon", "quote'\"", "trailing/",
		"//double-leading", "comma,key", "brackets[]{}", "dollar$at@", "<angle>&amp;", "caret^pipe|back\\slash",
	}
	for i, k := range keys {
		mustPut(t, c, "keys", k, []byte(fmt.Sprint(i)))
	}
	for i, k := range keys {
		got, _ := mustGet(t, c, "keys", k)
		if string(got) != fmt.Sprint(i) {
			t.Errorf("key %q: got %q", k, got)
		}
	}
	// Listing returns exactly the keys, with and without url encoding.
	for _, enc := range []types.EncodingType{"", types.EncodingTypeUrl} {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("keys"), EncodingType: enc})
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, o := range out.Contents {
			k := aws.ToString(o.Key)
			if enc == types.EncodingTypeUrl {
				k = unquotePlus(t, k)
			}
			listed = append(listed, k)
		}
		want := append([]string(nil), keys...)
		sort.Strings(want)
		if fmt.Sprint(listed) != fmt.Sprint(want) {
			t.Errorf("encoding %q: listed %q\nwant %q", enc, listed, want)
		}
	}
}

func TestRangesAndConditions(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "ranges")
	data := []byte("0123456789abcdefghij") // 20 bytes
	put := mustPut(t, c, "ranges", "r", data)
	cases := []struct {
		rng, body, contentRange string
	}{
		{"bytes=0-4", "01234", "bytes 0-4/20"},
		{"bytes=10-", "abcdefghij", "bytes 10-19/20"},
		{"bytes=-3", "hij", "bytes 17-19/20"},
		{"bytes=15-100", "fghij", "bytes 15-19/20"},
		{"bytes=-100", string(data), "bytes 0-19/20"},
		{"bytes=19-19", "j", "bytes 19-19/20"},
	}
	for _, tc := range cases {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), Range: aws.String(tc.rng)})
		if err != nil {
			t.Fatalf("%s: %v", tc.rng, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != tc.body || aws.ToString(out.ContentRange) != tc.contentRange || aws.ToInt64(out.ContentLength) != int64(len(tc.body)) {
			t.Errorf("%s: body %q range %q len %d; want %q %q", tc.rng, b, aws.ToString(out.ContentRange), aws.ToInt64(out.ContentLength), tc.body, tc.contentRange)
		}
	}
	for _, rng := range []string{"bytes=20-", "bytes=25-30", "bytes=-0"} {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), Range: aws.String(rng)})
		wantAPIError(t, err, "InvalidRange", 416)
	}
	// A range S3 does not understand is ignored: whole object.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), Range: aws.String("items=1-2")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(out.Body); string(b) != string(data) {
		t.Errorf("ignored range: %q", b)
	}

	etag := aws.ToString(put.ETag)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), IfMatch: aws.String(`"nope"`)})
	wantAPIError(t, err, "PreconditionFailed", 412)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), IfNoneMatch: aws.String(etag)})
	wantAPIError(t, err, "NotModified", 304)
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), IfMatch: aws.String(etag)}); err != nil {
		t.Errorf("If-Match with the right ETag: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
	wantAPIError(t, err, "NotModified", 304)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), IfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))})
	wantAPIError(t, err, "PreconditionFailed", 412)

	// Conditional writes.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
	wantAPIError(t, err, "PreconditionFailed", 412)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ranges"), Key: aws.String("r"), Body: strings.NewReader("x"), IfMatch: aws.String(`"0000"`)})
	wantAPIError(t, err, "PreconditionFailed", 412)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ranges"), Key: aws.String("new"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")}); err != nil {
		t.Errorf("If-None-Match * on a new key: %v", err)
	}
}

func TestCopyObject(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "src-bucket")
	mustCreateBucket(t, c, "dst-bucket")
	data := []byte("copy me")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src-bucket"), Key: aws.String("a b+c.txt"), Body: bytes.NewReader(data),
		ContentType: aws.String("text/x-src"), Metadata: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	// COPY directive keeps metadata and content type.
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-bucket"), Key: aws.String("copied"), CopySource: aws.String("src-bucket/a%20b%2Bc.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CopyObjectResult.ETag) != md5ETag(data) || out.CopyObjectResult.LastModified == nil {
		t.Errorf("CopyObjectResult = %+v", out.CopyObjectResult)
	}
	got, g := mustGet(t, c, "dst-bucket", "copied")
	if string(got) != string(data) || aws.ToString(g.ContentType) != "text/x-src" || g.Metadata["k"] != "v" {
		t.Errorf("copy: %q %s %v", got, aws.ToString(g.ContentType), g.Metadata)
	}
	// REPLACE takes the request's metadata.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-bucket"), Key: aws.String("replaced"), CopySource: aws.String("/src-bucket/a%20b%2Bc.txt"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/new"), Metadata: map[string]string{"n": "1"}}); err != nil {
		t.Fatal(err)
	}
	_, g = mustGet(t, c, "dst-bucket", "replaced")
	if aws.ToString(g.ContentType) != "text/new" || g.Metadata["n"] != "1" || g.Metadata["k"] != "" {
		t.Errorf("replace: %s %v", aws.ToString(g.ContentType), g.Metadata)
	}
	// Copy onto itself needs REPLACE.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src-bucket"), Key: aws.String("a b+c.txt"), CopySource: aws.String("src-bucket/a%20b%2Bc.txt")})
	wantAPIError(t, err, "InvalidRequest", 400)
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src-bucket"), Key: aws.String("a b+c.txt"), CopySource: aws.String("src-bucket/a%20b%2Bc.txt"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"fresh": "yes"}}); err != nil {
		t.Errorf("self copy with REPLACE: %v", err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-bucket"), Key: aws.String("x"), CopySource: aws.String("src-bucket/missing")})
	wantAPIError(t, err, "NoSuchKey", 404)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-bucket"), Key: aws.String("x"), CopySource: aws.String("no-such-src/k")})
	wantAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-bucket"), Key: aws.String("x"), CopySource: aws.String("justbucket")})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-bucket"), Key: aws.String("x"), CopySource: aws.String("src-bucket/a%20b%2Bc.txt"), CopySourceIfMatch: aws.String(`"bad"`)})
	wantAPIError(t, err, "PreconditionFailed", 412)
}

func TestListObjects(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "list")
	keys := []string{"a.txt", "b/1", "b/2", "b/c/3", "c/4", "d", "e/5", "e/6"}
	for _, k := range keys {
		mustPut(t, c, "list", k, []byte(k))
	}
	type page struct{ keys, prefixes string }
	render := func(o *s3.ListObjectsV2Output) page {
		var ks, ps []string
		for _, x := range o.Contents {
			ks = append(ks, aws.ToString(x.Key))
		}
		for _, x := range o.CommonPrefixes {
			ps = append(ps, aws.ToString(x.Prefix))
		}
		return page{strings.Join(ks, ","), strings.Join(ps, ",")}
	}
	cases := []struct {
		name string
		in   s3.ListObjectsV2Input
		want page
	}{
		{"all", s3.ListObjectsV2Input{}, page{strings.Join(keys, ","), ""}},
		{"prefix", s3.ListObjectsV2Input{Prefix: aws.String("b/")}, page{"b/1,b/2,b/c/3", ""}},
		{"delimiter", s3.ListObjectsV2Input{Delimiter: aws.String("/")}, page{"a.txt,d", "b/,c/,e/"}},
		{"prefix+delimiter", s3.ListObjectsV2Input{Prefix: aws.String("b/"), Delimiter: aws.String("/")}, page{"b/1,b/2", "b/c/"}},
		{"start-after", s3.ListObjectsV2Input{StartAfter: aws.String("b/2")}, page{"b/c/3,c/4,d,e/5,e/6", ""}},
		{"no match", s3.ListObjectsV2Input{Prefix: aws.String("zzz")}, page{"", ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = aws.String("list")
			out, err := c.ListObjectsV2(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(out); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			n := len(out.Contents) + len(out.CommonPrefixes)
			if aws.ToInt32(out.KeyCount) != int32(n) || aws.ToBool(out.IsTruncated) {
				t.Errorf("KeyCount %d (want %d), truncated %v", aws.ToInt32(out.KeyCount), n, aws.ToBool(out.IsTruncated))
			}
		})
	}

	// Paging with max-keys and continuation tokens, with and without a
	// delimiter, visits every entry exactly once.
	for _, delim := range []string{"", "/"} {
		var got []string
		var token *string
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			in := &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(2), ContinuationToken: token}
			if delim != "" {
				in.Delimiter = aws.String(delim)
			}
			out, err := c.ListObjectsV2(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			p := render(out)
			got = append(got, p.keys, p.prefixes)
			if aws.ToInt32(out.KeyCount) > 2 {
				t.Errorf("KeyCount %d > max-keys", aws.ToInt32(out.KeyCount))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			token = out.NextContinuationToken
		}
		joined := strings.Join(strings.FieldsFunc(strings.Join(got, ","), func(r rune) bool { return r == ',' }), ",")
		want := strings.Join(keys, ",")
		if delim != "" {
			want = "a.txt,b/,c/,d,e/"
		}
		if sortedCSV(joined) != sortedCSV(want) {
			t.Errorf("delimiter %q paging visited %s, want %s", delim, joined, want)
		}
	}

	// The SDK paginator agrees.
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(3)})
	n := 0
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Contents)
	}
	if n != len(keys) {
		t.Errorf("paginator saw %d keys", n)
	}

	// ListObjects (v1) with markers.
	var v1 []string
	marker := ""
	for pages := 0; pages < 20; pages++ {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list"), MaxKeys: aws.Int32(3), Marker: aws.String(marker)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			v1 = append(v1, aws.ToString(o.Key))
			if o.Owner == nil {
				t.Errorf("v1 entry without owner")
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
	}
	if strings.Join(v1, ",") != strings.Join(keys, ",") {
		t.Errorf("ListObjects v1 paging = %v", v1)
	}

	// max-keys 0 answers an empty, untruncated page.
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(0)})
	if err != nil || len(out.Contents) != 0 || aws.ToInt32(out.KeyCount) != 0 {
		t.Errorf("max-keys 0: %v %v", out, err)
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), ContinuationToken: aws.String("!!not-a-token")})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(-1)})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), EncodingType: "base64"})
	wantAPIError(t, err, "InvalidArgument", 400)

	// Deleted keys disappear from listings; re-created ones come back once.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("list"), Key: aws.String("d")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "list", "b/1", []byte("again"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("list"), Key: aws.String("c/4")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "list", "c/4", []byte("again"))
	all, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list")})
	if err != nil {
		t.Fatal(err)
	}
	if got := render(all).keys; got != "a.txt,b/1,b/2,b/c/3,c/4,e/5,e/6" {
		t.Errorf("after delete/re-put: %s", got)
	}
}

func unquotePlus(t *testing.T, s string) string {
	t.Helper()
	v, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatalf("unquote %q: %v", s, err)
	}
	return v
}

func sortedCSV(s string) string {
	parts := strings.Split(s, ",")
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func TestDeleteObjects(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "multi")
	for _, k := range []string{"x", "y", "z w"} {
		mustPut(t, c, "multi", k, []byte(k))
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("x")}, {Key: aws.String("z w")}, {Key: aws.String("never-existed")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
	}
	if fmt.Sprint(deleted) != "[x z w never-existed]" || len(out.Errors) != 0 {
		t.Errorf("Deleted = %q, Errors = %v", deleted, out.Errors)
	}
	list, _ := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("multi")})
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "y" {
		t.Errorf("left after delete: %v", list.Contents)
	}
	quiet, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("y")}}, Quiet: aws.Bool(true),
	}})
	if err != nil || len(quiet.Deleted) != 0 {
		t.Errorf("quiet delete: %v %v", quiet, err)
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("nope-bucket"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("y")}}}})
	wantAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{}}})
	wantAPIError(t, err, "MalformedXML", 400)
	many := make([]types.ObjectIdentifier, 1001)
	for i := range many {
		many[i] = types.ObjectIdentifier{Key: aws.String(fmt.Sprint(i))}
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{Objects: many}})
	wantAPIError(t, err, "MalformedXML", 400)
}

func TestMultipartUpload(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "mpu")
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big file"),
		ContentType: aws.String("application/x-big"), Metadata: map[string]string{"m": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	id := create.UploadId
	part1 := bytes.Repeat([]byte{'a'}, 5<<20)
	part2 := bytes.Repeat([]byte{'b'}, 5<<20)
	part3 := []byte("tail")
	var etags []string
	for i, p := range [][]byte{part1, part2, part3} {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big file"), UploadId: id,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ETag) != md5ETag(p) {
			t.Errorf("part %d ETag %s", i+1, aws.ToString(out.ETag))
		}
		etags = append(etags, aws.ToString(out.ETag))
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big file"), UploadId: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Parts) != 3 || aws.ToInt64(parts.Parts[2].Size) != 4 || aws.ToString(parts.Parts[0].ETag) != etags[0] {
		t.Errorf("ListParts = %+v", parts.Parts)
	}
	paged, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big file"), UploadId: id, MaxParts: aws.Int32(2)})
	if err != nil || len(paged.Parts) != 2 || !aws.ToBool(paged.IsTruncated) || aws.ToString(paged.NextPartNumberMarker) != "2" {
		t.Errorf("ListParts paged = %+v, %v", paged, err)
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
	if err != nil || len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != aws.ToString(id) || aws.ToString(ups.Uploads[0].Key) != "big file" {
		t.Errorf("ListMultipartUploads = %+v, %v", ups, err)
	}

	completed := func(nums ...int32) *types.CompletedMultipartUpload {
		var ps []types.CompletedPart
		for _, n := range nums {
			ps = append(ps, types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(etags[n-1])})
		}
		return &types.CompletedMultipartUpload{Parts: ps}
	}
	errorCases := []struct {
		name   string
		in     *s3.CompleteMultipartUploadInput
		code   string
		status int
	}{
		{"order", &s3.CompleteMultipartUploadInput{MultipartUpload: completed(2, 1, 3)}, "InvalidPartOrder", 400},
		{"no parts", &s3.CompleteMultipartUploadInput{MultipartUpload: &types.CompletedMultipartUpload{}}, "MalformedXML", 400},
		{"wrong etag", &s3.CompleteMultipartUploadInput{MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: aws.String(`"00000000000000000000000000000000"`)}}}}, "InvalidPart", 400},
		{"missing part", &s3.CompleteMultipartUploadInput{MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(9), ETag: aws.String(etags[0])}}}}, "InvalidPart", 400},
		{"unknown upload", &s3.CompleteMultipartUploadInput{UploadId: aws.String("nope"), MultipartUpload: completed(1)}, "NoSuchUpload", 404},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key = aws.String("mpu"), aws.String("big file")
			if in.UploadId == nil {
				in.UploadId = id
			}
			_, err := c.CompleteMultipartUpload(ctx, in)
			wantAPIError(t, err, tc.code, tc.status)
		})
	}
	// A small part anywhere but last: EntityTooSmall (part 3 is 4 bytes).
	small, _ := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small")})
	for i, p := range [][]byte{[]byte("tiny"), []byte("tail")} {
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: small.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: small.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: aws.String(md5ETag([]byte("tiny")))}, {PartNumber: aws.Int32(2), ETag: aws.String(md5ETag([]byte("tail")))}}}})
	wantAPIError(t, err, "EntityTooSmall", 400)

	// Complete for real: ETag is md5 of the parts' md5s, suffixed -N.
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big file"), UploadId: id, MultipartUpload: completed(1, 2, 3)})
	if err != nil {
		t.Fatal(err)
	}
	var sums []byte
	for _, p := range [][]byte{part1, part2, part3} {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	whole := md5.Sum(sums)
	wantETag := `"` + hex.EncodeToString(whole[:]) + `-3"`
	if aws.ToString(done.ETag) != wantETag {
		t.Errorf("multipart ETag %s, want %s", aws.ToString(done.ETag), wantETag)
	}
	got, out := mustGet(t, c, "mpu", "big file")
	want := append(append(append([]byte(nil), part1...), part2...), part3...)
	if !bytes.Equal(got, want) || aws.ToString(out.ContentType) != "application/x-big" || out.Metadata["m"] != "1" || aws.ToString(out.ETag) != wantETag {
		t.Errorf("assembled object: %d bytes, type %s, meta %v", len(got), aws.ToString(out.ContentType), out.Metadata)
	}
	// GetObject by part number.
	pout, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big file"), PartNumber: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(pout.Body); string(b) != "tail" || aws.ToInt32(pout.PartsCount) != 3 {
		t.Errorf("part 3 = %q, parts count %d", b, aws.ToInt32(pout.PartsCount))
	}
	// The upload is gone.
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big file"), UploadId: id})
	wantAPIError(t, err, "NoSuchUpload", 404)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("big file"), UploadId: id, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantAPIError(t, err, "NoSuchUpload", 404)

	// Abort.
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: small.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("small"), UploadId: small.UploadId})
	wantAPIError(t, err, "NoSuchUpload", 404)
	ups, _ = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpu")})
	if len(ups.Uploads) != 0 {
		t.Errorf("uploads left: %v", ups.Uploads)
	}

	// UploadPartCopy with a range.
	cp, _ := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("copy")})
	pc, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpu"), Key: aws.String("copy"), UploadId: cp.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("mpu/big%20file"), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", len(want)-6, len(want)-1))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("copy"), UploadId: cp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pc.CopyPartResult.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := mustGet(t, c, "mpu", "copy"); string(got) != "bbtail" {
		t.Errorf("UploadPartCopy object = %q", got)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpu"), Key: aws.String("copy"), UploadId: cp.UploadId, PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	wantAPIError(t, err, "InvalidArgument", 400)
}

func TestSummaryResetAndReader(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "sum-a")
	mustCreateBucket(t, c, "sum-b")
	mustPut(t, c, "sum-a", "k1", []byte("12345"))
	mustPut(t, c, "sum-b", "k2", []byte("123"))
	mustPut(t, c, "sum-b", "k2", []byte("1234567")) // overwrite counts once
	var summary map[string]any
	for _, s := range e.Services() {
		if s.Name() == "s3" {
			summary = s.(interface{ Summary() map[string]any }).Summary()
		}
	}
	if fmt.Sprint(summary) != "map[buckets:2 bytes:12 objects:2]" {
		t.Errorf("Summary = %v", summary)
	}
	resp, err := http.Get(e.URL() + "/_groundstack/state")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Services map[string]map[string]any `json:"services"`
	}
	err = json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	if err != nil || fmt.Sprint(state.Services["s3"]) != "map[buckets:2 bytes:12 objects:2]" {
		t.Errorf("state shows S3 as %v (%v)", state.Services["s3"], err)
	}
	e.Reset()
	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(list.Buckets) != 0 {
		t.Errorf("after reset: %v %v", list.Buckets, err)
	}
}

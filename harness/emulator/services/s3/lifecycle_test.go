package s3_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/emulator"
)

// TestLifecycleExpiration: lifecycle rules expire objects, noncurrent
// versions, delete markers and uploads on the emulator's clock.
func TestLifecycleExpiration(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC)
	var skew atomic.Int64
	_, c := start(t, emulator.WithClock(func() time.Time { return base.Add(time.Duration(skew.Load())) }))
	b := aws.String
	days := func(n int) { skew.Store(int64(time.Duration(n) * 24 * time.Hour)) }

	mustCreateBucket(t, c, "lc-plain")
	mustPut(t, c, "lc-plain", "logs/a", []byte("a"))
	mustPut(t, c, "lc-plain", "keep/b", []byte("b"))
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("lc-plain"), Key: b("tagged/c"), Body: strings.NewReader("c"), Tagging: b("tmp=yes")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "lc-plain", "tagged/d", []byte("d"))
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b("lc-plain"), Key: b("logs/big")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b("lc-plain"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: b("logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: b("logs/")},
				Expiration:                     &types.LifecycleExpiration{Days: aws.Int32(2)},
				AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}},
			{ID: b("tmp"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: b("tmp"), Value: b("yes")}},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
		}}}); err != nil {
		t.Fatal(err)
	}
	// x-amz-expiration: written 15:00, two days, then the next midnight.
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b("lc-plain"), Key: b("logs/a")})
	if err != nil || !strings.Contains(aws.ToString(h.Expiration), `expiry-date="Mon, 04 May 2026 00:00:00 GMT", rule-id="logs"`) {
		t.Errorf("HeadObject Expiration = %q, %v", aws.ToString(h.Expiration), err)
	}
	exists := func(key string) bool {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b("lc-plain"), Key: b(key)})
		return err == nil
	}
	days(2) // 3 May 15:00: the tagged object and the upload are due
	if exists("tagged/c") || !exists("tagged/d") || !exists("logs/a") {
		t.Errorf("after 2 days: tagged/c %v tagged/d %v logs/a %v", exists("tagged/c"), exists("tagged/d"), exists("logs/a"))
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: b("lc-plain"), Key: b("logs/big"), UploadId: up.UploadId})
	wantAPIError(t, err, "NoSuchUpload", 404)
	days(3)
	if exists("logs/a") || !exists("keep/b") {
		t.Errorf("after 3 days: logs/a %v keep/b %v", exists("logs/a"), exists("keep/b"))
	}

	// Versioned: noncurrent versions and the delete markers left alone.
	days(0)
	mustCreateBucket(t, c, "lc-versioned")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b("lc-versioned"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "lc-versioned", "k", []byte("1"))
	mustPut(t, c, "lc-versioned", "k", []byte("2"))
	mustPut(t, c, "lc-versioned", "gone", []byte("x"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b("lc-versioned"), Key: b("gone")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b("lc-versioned"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: b("old"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: b("")},
				NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)},
				Expiration:                  &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}},
		}}}); err != nil {
		t.Fatal(err)
	}
	days(10)
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b("lc-versioned")})
	if err != nil {
		t.Fatal(err)
	}
	// k keeps its current version; gone's noncurrent version went, then
	// its lone delete marker.
	if len(out.Versions) != 1 || aws.ToString(out.Versions[0].Key) != "k" || len(out.DeleteMarkers) > 1 {
		t.Errorf("versions after 10 days: %d versions, %d markers", len(out.Versions), len(out.DeleteMarkers))
	}
	days(11)
	out, _ = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b("lc-versioned")})
	if len(out.DeleteMarkers) != 0 {
		t.Errorf("expired delete marker kept: %d markers", len(out.DeleteMarkers))
	}
}

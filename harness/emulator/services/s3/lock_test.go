package s3_test

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/emulator"
)

// TestObjectLock runs object lock, retention and legal holds against one
// emulator whose clock the test moves.
func TestObjectLock(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var skew atomic.Int64
	e, c := start(t, emulator.WithClock(func() time.Time { return base.Add(time.Duration(skew.Load())) }))
	b := aws.String
	const bk = "locked"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b(bk), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	mustCreateBucket(t, c, "unlocked")

	// A bucket created with object lock is versioned, for good.
	if v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b(bk)}); err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning of a lock bucket = %q, %v", v.Status, err)
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b(bk),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantAPIError(t, err, "InvalidBucketState", 409)

	conf, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b(bk)})
	if err != nil || conf.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled || conf.ObjectLockConfiguration.Rule != nil {
		t.Fatalf("GetObjectLockConfiguration = %+v, %v", conf.ObjectLockConfiguration, err)
	}
	_, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b("unlocked")})
	wantAPIError(t, err, "ObjectLockConfigurationNotFoundError", 404)
	// An unversioned bucket cannot get a configuration.
	_, err = c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b("unlocked"),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
	wantAPIError(t, err, "InvalidBucketState", 409)
	// Bad default retentions.
	for _, d := range []*types.DefaultRetention{
		{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1), Years: aws.Int32(1)},
		{Days: aws.Int32(1)},
		{Mode: types.ObjectLockRetentionModeGovernance},
	} {
		_, err = c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b(bk),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled, Rule: &types.ObjectLockRule{DefaultRetention: d}}})
		wantAPIError(t, err, "MalformedXML", 400)
	}
	_, err = c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b(bk),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(0)}}}})
	wantAPIError(t, err, "InvalidArgument", 400)

	put := func(t *testing.T, key string, mut func(*s3.PutObjectInput)) string {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: b(bk), Key: b(key), Body: bytes.NewReader([]byte("data"))}
		if mut != nil {
			mut(in)
		}
		out, err := c.PutObject(ctx, in)
		if err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
		return aws.ToString(out.VersionId)
	}
	del := func(key, version string, bypass bool) error {
		in := &s3.DeleteObjectInput{Bucket: b(bk), Key: b(key), VersionId: b(version)}
		if bypass {
			in.BypassGovernanceRetention = aws.Bool(true)
		}
		_, err := c.DeleteObject(ctx, in)
		return err
	}

	t.Run("retention headers and compliance", func(t *testing.T) {
		until := base.Add(48 * time.Hour)
		v := put(t, "comp", func(in *s3.PutObjectInput) {
			in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeCompliance, aws.Time(until)
		})
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b(bk), Key: b("comp")})
		if err != nil || h.ObjectLockMode != types.ObjectLockModeCompliance || !aws.ToTime(h.ObjectLockRetainUntilDate).Equal(until) {
			t.Fatalf("HeadObject lock = %q %v, %v", h.ObjectLockMode, h.ObjectLockRetainUntilDate, err)
		}
		r, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b(bk), Key: b("comp"), VersionId: b(v)})
		if err != nil || r.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(r.Retention.RetainUntilDate).Equal(until) {
			t.Fatalf("GetObjectRetention = %+v, %v", r.Retention, err)
		}
		// Locked: the version stays, even with bypass; a delete without a
		// version ID only adds a delete marker.
		wantAPIError(t, del("comp", v, false), "AccessDenied", 403)
		wantAPIError(t, del("comp", v, true), "AccessDenied", 403)
		out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b(bk), Key: b("comp")})
		if err != nil || !aws.ToBool(out.DeleteMarker) {
			t.Fatalf("delete without version = %+v, %v", out, err)
		}
		// Compliance retention only lengthens.
		_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b(bk), Key: b("comp"), VersionId: b(v),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(until.Add(-time.Hour))}})
		wantAPIError(t, err, "AccessDenied", 403)
		_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b(bk), Key: b("comp"), VersionId: b(v), BypassGovernanceRetention: aws.Bool(true),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(until.Add(time.Hour))}})
		wantAPIError(t, err, "AccessDenied", 403)
		if _, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b(bk), Key: b("comp"), VersionId: b(v),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(until.Add(time.Hour))}}); err != nil {
			t.Fatalf("lengthening compliance: %v", err)
		}
	})

	t.Run("governance, bypass and the clock", func(t *testing.T) {
		v := put(t, "gov", func(in *s3.PutObjectInput) {
			in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, aws.Time(base.Add(time.Hour))
		})
		wantAPIError(t, del("gov", v, false), "AccessDenied", 403)
		// Shortening governance needs bypass.
		shorter := &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(base.Add(30 * time.Minute))}
		_, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b(bk), Key: b("gov"), VersionId: b(v), Retention: shorter})
		wantAPIError(t, err, "AccessDenied", 403)
		if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b(bk), Key: b("gov"), VersionId: b(v), Retention: shorter,
			BypassGovernanceRetention: aws.Bool(true)}); err != nil {
			t.Fatalf("shortening with bypass: %v", err)
		}
		v2 := put(t, "gov2", func(in *s3.PutObjectInput) {
			in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, aws.Time(base.Add(time.Hour))
		})
		if err := del("gov2", v2, true); err != nil {
			t.Fatalf("delete with bypass: %v", err)
		}
		// Past its retain-until date on the emulator's clock, a version goes.
		skew.Store(int64(31 * time.Minute))
		defer skew.Store(0)
		if err := del("gov", v, false); err != nil {
			t.Fatalf("delete after retention: %v", err)
		}
	})

	t.Run("legal hold", func(t *testing.T) {
		v := put(t, "held", func(in *s3.PutObjectInput) { in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn })
		h, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: b(bk), Key: b("held")})
		if err != nil || h.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
			t.Fatalf("GetObjectLegalHold = %+v, %v", h, err)
		}
		wantAPIError(t, del("held", v, true), "AccessDenied", 403)
		// DeleteObjects answers the locked version as an error entry.
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b(bk), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: b("held"), VersionId: b(v)}}}})
		if err != nil || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" || len(out.Deleted) != 0 {
			t.Fatalf("DeleteObjects of a held version = %+v, %v", out, err)
		}
		if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: b(bk), Key: b("held"), VersionId: b(v),
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
			t.Fatal(err)
		}
		if err := del("held", v, false); err != nil {
			t.Fatalf("delete after the hold: %v", err)
		}
		mustPut(t, c, bk, "plain", []byte("x"))
		_, err = c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: b(bk), Key: b("plain")})
		wantAPIError(t, err, "NoSuchObjectLockConfiguration", 404)
		_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b(bk), Key: b("plain")})
		wantAPIError(t, err, "NoSuchObjectLockConfiguration", 404)
	})

	t.Run("default retention", func(t *testing.T) {
		if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b("locked"),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeCompliance, Days: aws.Int32(2)}}}}); err != nil {
			t.Fatal(err)
		}
		defer c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b("locked"),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
		v := put(t, "dflt", nil)
		r, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b(bk), Key: b("dflt"), VersionId: b(v)})
		if err != nil || r.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(r.Retention.RetainUntilDate).Equal(base.AddDate(0, 0, 2)) {
			t.Fatalf("default retention = %+v, %v", r.Retention, err)
		}
		wantAPIError(t, del("dflt", v, true), "AccessDenied", 403)
	})

	t.Run("bad requests", func(t *testing.T) {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("unlocked"), Key: b("k"), Body: strings.NewReader("x"),
			ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
		wantAPIError(t, err, "InvalidRequest", 400)
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b(bk), Key: b("k"), Body: strings.NewReader("x"),
			ObjectLockMode: types.ObjectLockModeGovernance})
		wantAPIError(t, err, "InvalidArgument", 400)
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b(bk), Key: b("k"), Body: strings.NewReader("x"),
			ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(base.Add(-time.Hour))})
		wantAPIError(t, err, "InvalidArgument", 400)
		_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: b("unlocked"), Key: b("k"),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(base.Add(time.Hour))}})
		wantAPIError(t, err, "InvalidRequest", 400)
		_, err = c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: b(bk), Key: b("absent"),
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
		wantAPIError(t, err, "NoSuchKey", 404)
	})

	t.Run("cli", func(t *testing.T) {
		ep := e.URL()
		cli(t, ep, "s3api", "create-bucket", "--bucket", "cli-locked", "--object-lock-enabled-for-bucket")
		cli(t, ep, "s3api", "put-object-lock-configuration", "--bucket", "cli-locked", "--object-lock-configuration",
			`{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":1}}}`)
		if out := cli(t, ep, "s3api", "get-object-lock-configuration", "--bucket", "cli-locked"); !strings.Contains(out, `"GOVERNANCE"`) {
			t.Errorf("get-object-lock-configuration: %s", out)
		}
		cli(t, ep, "s3api", "put-object", "--bucket", "cli-locked", "--key", "k")
		cli(t, ep, "s3api", "put-object-retention", "--bucket", "cli-locked", "--key", "k", "--retention",
			`{"Mode":"COMPLIANCE","RetainUntilDate":"2027-01-01T00:00:00Z"}`)
		if out := cli(t, ep, "s3api", "get-object-retention", "--bucket", "cli-locked", "--key", "k"); !strings.Contains(out, `"COMPLIANCE"`) || !strings.Contains(out, "2027-01-01") {
			t.Errorf("get-object-retention: %s", out)
		}
	})
}

package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// saverOf is the emulator's S3 service as a state saver (default account).
func saverOf(t *testing.T, e *emulator.Emulator) cloud.StateSaver {
	t.Helper()
	for _, s := range e.Services() {
		if s.Name() == "s3" {
			ss, ok := s.(cloud.StateSaver)
			if !ok {
				t.Fatal("s3 is not a cloud.StateSaver")
			}
			return ss
		}
	}
	t.Fatal("no s3 service")
	return nil
}

// savedJSON is the service's SaveState, encoded.
func savedJSON(t *testing.T, ss cloud.StateSaver) string {
	t.Helper()
	v, err := ss.SaveState()
	if err != nil {
		t.Fatalf("SaveState: %v", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustDo[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// seedS3 builds, through the SDK, state of every kind the service saves.
func seedS3(t *testing.T, c *s3.Client) {
	t.Helper()
	ok := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s := aws.String
	// A plain bucket with configurations, small and spilled objects, a
	// completed multipart object and an upload in progress.
	mustCreateBucket(t, c, "plain")
	ok(c.PutObject(ctx, &s3.PutObjectInput{Bucket: s("plain"), Key: s("docs/a.txt"), Body: strings.NewReader("hello"),
		ContentType: s("text/plain"), CacheControl: s("max-age=60"), Metadata: map[string]string{"owner": "me"},
		Tagging: s("k=v&x=y"), StorageClass: types.StorageClassStandardIa, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	big := bytes.Repeat([]byte("0123456789abcdef"), 80<<10) // 1.25 MiB: on disk
	mustPut(t, c, "plain", "big.bin", big)
	mustPut(t, c, "plain", "empty", nil)
	ok(c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: s("plain"), OwnershipControls: &types.OwnershipControls{
		Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}))
	ok(c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: s("plain"), Key: s("empty"), ACL: types.ObjectCannedACLPublicRead}))
	ok(c.PutObject(ctx, &s3.PutObjectInput{Bucket: s("plain"), Key: s("cold"), Body: strings.NewReader("ice"), StorageClass: types.StorageClassGlacier}))
	ok(c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: s("plain"), Key: s("cold"), RestoreRequest: &types.RestoreRequest{Days: aws.Int32(2)}}))
	mp := mustDo[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: s("plain"), Key: s("parts"), ContentType: s("video/mp4")}))
	p1 := bytes.Repeat([]byte{'a'}, 5<<20)
	e1 := mustDo[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: s("plain"), Key: s("parts"), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(p1)}))
	e2 := mustDo[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: s("plain"), Key: s("parts"), UploadId: mp.UploadId, PartNumber: aws.Int32(2), Body: strings.NewReader("tail")}))
	ok(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: s("plain"), Key: s("parts"), UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: e1.ETag}, {PartNumber: aws.Int32(2), ETag: e2.ETag}}}}))
	open := mustDo[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: s("plain"), Key: s("pending"),
		Metadata: map[string]string{"m": "1"}, ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ServerSideEncryption: types.ServerSideEncryptionAwsKms}))
	// Objects written with SSE-KMS and DSSE, a key, a context and a bucket key.
	ok(c.PutObject(ctx, &s3.PutObjectInput{Bucket: s("plain"), Key: s("sealed"), Body: strings.NewReader("kms"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKmsDsse, SSEKMSKeyId: s("1234abcd-12ab-34cd-56ef-1234567890ab"),
		SSEKMSEncryptionContext: s("eyJhIjoiYiJ9"), BucketKeyEnabled: aws.Bool(true)}))
	ok(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: s("plain"), Key: s("pending"), UploadId: open.UploadId, PartNumber: aws.Int32(3), Body: strings.NewReader("part three"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256}))
	ok(c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: s("plain"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: s("team"), Value: s("web")}}}}))
	ok(c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: s("plain"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{
		AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://example.com"}, MaxAgeSeconds: aws.Int32(30)}}}}))
	ok(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: s("plain"), Policy: s(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::plain/docs/*"}]}`)}))
	ok(c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: s("plain"), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: s("index.html")}, ErrorDocument: &types.ErrorDocument{Key: s("404.html")},
		RoutingRules: []types.RoutingRule{{Condition: &types.Condition{KeyPrefixEquals: s("old/")}, Redirect: &types.Redirect{ReplaceKeyPrefixWith: s("new/")}}}}}))
	ok(c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: s("plain"), LifecycleConfiguration: &types.BucketLifecycleConfiguration{
		Rules: []types.LifecycleRule{{ID: s("tmp"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: s("tmp/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(3)}}}}}))
	ok(c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: s("plain"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}}))
	ok(c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: s("plain"), SkipDestinationValidation: aws.Bool(true),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{Id: s("q"),
			QueueArn: s("arn:aws:sqs:us-east-1:000000000000:events"), Events: []types.Event{"s3:ObjectCreated:*"},
			Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{{Name: types.FilterRuleNameSuffix, Value: s(".jpg")}}}}}}}}))
	ok(c.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: s("plain"), Id: s("all"),
		MetricsConfiguration: &types.MetricsConfiguration{Id: s("all")}}))
	// Logging from a bucket observeS3 leaves alone: a request to it would
	// deliver a log object a while later, into one emulator or the other.
	mustCreateBucket(t, c, "logs")
	mustCreateBucket(t, c, "logsrc")
	ok(c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: s("logsrc"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: s("logs"), TargetPrefix: s("plain/")}}}))

	// A versioned bucket in another region: versions, a delete marker, a
	// null version from before versioning, replication to a third bucket.
	ok(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: s("versioned"), CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}))
	mustPut(t, c, "versioned", "before", []byte("null version"))
	ok(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: s("versioned"), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	mustPut(t, c, "versioned", "k", []byte("v1"))
	mustPut(t, c, "versioned", "k", []byte("v2"))
	mustPut(t, c, "versioned", "gone", []byte("x"))
	ok(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: s("versioned"), Key: s("gone")}))
	mustCreateBucket(t, c, "replica")
	ok(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: s("replica"), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	ok(c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: s("versioned"), ReplicationConfiguration: &types.ReplicationConfiguration{
		Role: s("arn:aws:iam::000000000000:role/r"), Rules: []types.ReplicationRule{{ID: s("all"), Status: types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1),
			Filter: &types.ReplicationRuleFilter{Prefix: s("rep/")}, DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
			Destination: &types.Destination{Bucket: s("arn:aws:s3:::replica")}}}}}))

	// Object lock: a default retention, a legal hold.
	ok(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: s("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	ok(c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: s("locked"), ObjectLockConfiguration: &types.ObjectLockConfiguration{
		ObjectLockEnabled: types.ObjectLockEnabledEnabled, Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}}))
	mustPut(t, c, "locked", "held", []byte("keep me"))
	ok(c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: s("locked"), Key: s("held"), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}))
}

// observeS3 reads through the SDK what a client sees of every bucket.
func observeS3(t *testing.T, c *s3.Client) string {
	t.Helper()
	var out []string
	add := func(what string, v any, err error) {
		t.Helper()
		if err != nil {
			out = append(out, what+": "+errorCodeOf(err))
			return
		}
		b, jerr := json.Marshal(v)
		if jerr != nil {
			t.Fatal(jerr)
		}
		out = append(out, what+": "+string(b))
	}
	bl, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	add("buckets", bl.Buckets, nil)
	for _, bk := range bl.Buckets {
		b := bk.Name
		if *b == "logsrc" {
			continue // its configuration is compared in the saved state
		}
		v := func(out any, err error) (any, error) { return out, err }
		for _, q := range []struct {
			what string
			call func() (any, error)
		}{
			{"versioning", func() (any, error) { return v(c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})) }},
			{"location", func() (any, error) { return v(c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})) }},
			{"tagging", func() (any, error) { return v(c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})) }},
			{"cors", func() (any, error) { return v(c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})) }},
			{"policy", func() (any, error) { return v(c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})) }},
			{"website", func() (any, error) { return v(c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: b})) }},
			{"lifecycle", func() (any, error) {
				return v(c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b}))
			}},
			{"encryption", func() (any, error) { return v(c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})) }},
			{"notification", func() (any, error) {
				return v(c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b}))
			}},
			{"metrics", func() (any, error) {
				return v(c.ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: b}))
			}},
			{"logging", func() (any, error) { return v(c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b})) }},
			{"replication", func() (any, error) { return v(c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: b})) }},
			{"lock", func() (any, error) {
				return v(c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b}))
			}},
			{"acl", func() (any, error) { return v(c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})) }},
			{"versions", func() (any, error) { return v(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})) }},
			{"objects", func() (any, error) { return v(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})) }},
			{"uploads", func() (any, error) { return v(c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})) }},
		} {
			r, err := q.call()
			add(*b+" "+q.what, r, err)
		}
		ups, _ := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
		if ups != nil {
			for _, u := range ups.Uploads {
				r, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: u.Key, UploadId: u.UploadId})
				add(*b+" parts of "+*u.Key, r, err)
			}
		}
		vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		for _, ov := range vs.Versions {
			id := *b + "/" + *ov.Key + "@" + aws.ToString(ov.VersionId)
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: ov.Key, VersionId: ov.VersionId, ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				add(id+" get", nil, err)
				continue
			}
			data, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			g.Body = nil
			add(id+" get", g, nil)
			out = append(out, fmt.Sprintf("%s body: %d bytes %x", id, len(data), md5.Sum(data)))
			tg, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: ov.Key, VersionId: ov.VersionId})
			add(id+" tags", tg, err)
			acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: ov.Key, VersionId: ov.VersionId})
			add(id+" acl", acl, err)
			lh, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: b, Key: ov.Key, VersionId: ov.VersionId})
			add(id+" hold", lh, err)
			rt, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: b, Key: ov.Key, VersionId: ov.VersionId})
			add(id+" retention", rt, err)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func errorCodeOf(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

// TestStateRoundTrip saves S3's state (as a snapshot does), loads it into
// another emulator, and compares what clients see there: buckets and
// their configurations, every version with its headers, tags, ACL and
// lock, bodies byte for byte, uploads in progress and their parts.
func TestStateRoundTrip(t *testing.T) {
	clock := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	now := func() time.Time { return clock }
	e1, c1 := start(t, emulator.WithClock(now))
	seedS3(t, c1)
	before := observeS3(t, c1)
	saved := savedJSON(t, saverOf(t, e1))

	var snap bytes.Buffer
	if err := e1.SaveSnapshot(&snap, true); err != nil {
		t.Fatal(err)
	}
	e2, c2 := start(t, emulator.WithClock(now))
	res, err := e2.LoadSnapshot(&snap, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Loaded, ","), "s3") {
		t.Fatalf("loaded %v, want s3 among them", res.Loaded)
	}
	if after := observeS3(t, c2); after != before {
		t.Errorf("what clients see differs after the load:\n%s", lineDiff(before, after))
	}
	if again := savedJSON(t, saverOf(t, e2)); again != saved {
		t.Errorf("the loaded state saves differently:\n%s", lineDiff(saved, again))
	}

	// The loaded emulator goes on: the upload completes, the versioned
	// bucket versions, the bucket names are taken.
	ups := mustDo[*s3.ListMultipartUploadsOutput](t)(c2.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("plain")}))
	if len(ups.Uploads) != 1 {
		t.Fatalf("uploads after load: %d", len(ups.Uploads))
	}
	parts := mustDo[*s3.ListPartsOutput](t)(c2.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("plain"), Key: aws.String("pending"), UploadId: ups.Uploads[0].UploadId}))
	if _, err := c2.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("plain"), Key: aws.String("pending"), UploadId: ups.Uploads[0].UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(3), ETag: parts.Parts[0].ETag}}}}); err != nil {
		t.Fatalf("completing a loaded upload: %v", err)
	}
	if got, _ := mustGet(t, c2, "plain", "pending"); string(got) != "part three" {
		t.Errorf("completed loaded upload = %q", got)
	}
	mustPut(t, c2, "versioned", "k", []byte("v3"))
	vs := mustDo[*s3.ListObjectVersionsOutput](t)(c2.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("versioned"), Prefix: aws.String("k")}))
	if len(vs.Versions) != 3 {
		t.Errorf("versions of k after a put on the loaded bucket: %d, want 3", len(vs.Versions))
	}
	if _, err := c2.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: aws.String("held")}); err != nil {
		t.Fatal(err) // a delete marker: the held version stays
	}
	_, err = c2.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("versioned"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	wantAPIError(t, err, "BucketAlreadyOwnedByYou", 409)
}

// lineDiff lists the lines of a and b that the other lacks.
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ia, ib := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !ib[l] {
			out = append(out, "- "+trunc(l))
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ia[l] {
			out = append(out, "+ "+trunc(l))
		}
	}
	return strings.Join(out, "\n")
}

func trunc(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

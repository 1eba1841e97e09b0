package emulator_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// The committed S3 fixture (S3's state v1, written once by
// go run ./harness/emulator/snapshot/mkfixture -s3) loads into a fresh
// emulator and reads back through the SDK; it must keep loading.
func TestSnapshotFixtureS3V1Loads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file, err := os.ReadFile("../../fixtures/snapshots/s3-v1.snapshot")
	if err != nil {
		t.Fatal(err)
	}
	epoch := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e, cfg := emutest.Start(t, emulator.WithClock(func() time.Time { return epoch.Add(time.Minute) }))
	if status, body := snapshotCall(t, e.URL(), "/_groundstack/snapshot/load", file); status != http.StatusOK {
		t.Fatalf("load: %d %s", status, body)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	s := aws.String

	g := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: s("fixture-site"), Key: s("index.html")}))
	body, _ := io.ReadAll(g.Body)
	g.Body.Close()
	if string(body) != "<h1>hello</h1>" || aws.ToString(g.ContentType) != "text/html" || aws.ToString(g.CacheControl) != "max-age=60" ||
		g.Metadata["owner"] != "fixture" || aws.ToString(g.ETag) != `"a01618fc9b714c0e530f525e1bd6b123"` ||
		!aws.ToTime(g.LastModified).Equal(epoch) || aws.ToInt32(g.TagCount) != 1 {
		t.Errorf("index.html: %q %+v", body, g)
	}
	if w := must(c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: s("fixture-site")})); aws.ToString(w.IndexDocument.Suffix) != "index.html" {
		t.Errorf("website: %+v", w)
	}
	if cors := must(c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: s("fixture-site")})); len(cors.CORSRules) != 1 || cors.CORSRules[0].AllowedOrigins[0] != "https://example.com" {
		t.Errorf("cors: %+v", cors)
	}
	if tags := must(c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: s("fixture-site")})); len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Value) != "web" {
		t.Errorf("bucket tags: %+v", tags)
	}
	a := must(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: s("fixture-site"), Key: s("assembled"), PartNumber: aws.Int32(1)}))
	if aws.ToString(a.ETag) != `"496e3d87d1723822c46f1ffe2e15c1a6-1"` || aws.ToInt32(a.PartsCount) != 1 || aws.ToInt64(a.ContentLength) != 8 {
		t.Errorf("assembled: %+v", a)
	}

	ups := must(c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: s("fixture-site")}))
	if len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != "00000000000040008000000000000011" {
		t.Fatalf("uploads: %+v", ups.Uploads)
	}
	parts := must(c.ListParts(ctx, &s3.ListPartsInput{Bucket: s("fixture-site"), Key: s("pending"), UploadId: ups.Uploads[0].UploadId}))
	if len(parts.Parts) != 1 || aws.ToInt32(parts.Parts[0].PartNumber) != 2 || aws.ToInt64(parts.Parts[0].Size) != 11 {
		t.Fatalf("parts: %+v", parts.Parts)
	}
	must(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: s("fixture-site"), Key: s("pending"), UploadId: ups.Uploads[0].UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(2), ETag: parts.Parts[0].ETag}}}}))
	p := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: s("fixture-site"), Key: s("pending")}))
	pb, _ := io.ReadAll(p.Body)
	p.Body.Close()
	if string(pb) != "second part" || aws.ToString(p.ContentType) != "text/plain" {
		t.Errorf("the loaded upload completed as %q %q", pb, aws.ToString(p.ContentType))
	}

	vs := must(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: s("fixture-history")}))
	if len(vs.Versions) != 3 || len(vs.DeleteMarkers) != 1 || aws.ToString(vs.DeleteMarkers[0].VersionId) != "1886caf21c9632000000000000000004" {
		t.Fatalf("versions: %+v %+v", vs.Versions, vs.DeleteMarkers)
	}
	old := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: s("fixture-history"), Key: s("k"), VersionId: s("1886caf21c9632000000000000000001")}))
	ob, _ := io.ReadAll(old.Body)
	old.Body.Close()
	if string(ob) != "v1" {
		t.Errorf("k's first version: %q", ob)
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: s("fixture-history"), Key: s("gone")}); err == nil {
		t.Error("a key under a delete marker reads")
	}

	hold := must(c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: s("fixture-locked"), Key: s("held")}))
	if hold.LegalHold.Status != s3types.ObjectLockLegalHoldStatusOn {
		t.Errorf("legal hold: %+v", hold.LegalHold)
	}
	held := must(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: s("fixture-locked"), Key: s("held")}))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: s("fixture-locked"), Key: s("held"), VersionId: held.VersionId}); err == nil {
		t.Error("a version under legal hold was deleted after the load")
	}
}

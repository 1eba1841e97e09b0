package s3_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestReplication configures replication between two buckets (the
// destination in another region) and checks that new versions, and delete
// markers where asked, reach the destination.
func TestReplication(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String
	mustCreateBucket(t, c, "repl-src")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b("repl-dst"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	mustCreateBucket(t, c, "repl-plain")
	cfg := func(dst string, filter *types.ReplicationRuleFilter, markers types.DeleteMarkerReplicationStatus) *types.ReplicationConfiguration {
		return &types.ReplicationConfiguration{Role: b("arn:aws:iam::000000000000:role/replication"), Rules: []types.ReplicationRule{{
			ID: b("r1"), Priority: aws.Int32(1), Status: types.ReplicationRuleStatusEnabled, Filter: filter,
			DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: markers},
			Destination:             &types.Destination{Bucket: b("arn:aws:s3:::" + dst)}}}}
	}
	put := func(bucket string, rc *types.ReplicationConfiguration) error {
		_, err := c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: b(bucket), ReplicationConfiguration: rc})
		return err
	}
	logs := &types.ReplicationRuleFilter{Prefix: b("logs/")}

	// The source must be versioned, and the destination exist and be versioned.
	err := put("repl-src", cfg("repl-dst", logs, types.DeleteMarkerReplicationStatusEnabled))
	wantAPIError(t, err, "InvalidRequest", 400)
	wantMessage(t, err, "Versioning must be 'Enabled' on the bucket to apply a replication configuration")
	for _, name := range []string{"repl-src", "repl-plain"} {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b(name),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
	}
	err = put("repl-src", cfg("repl-dst", logs, types.DeleteMarkerReplicationStatusEnabled))
	wantAPIError(t, err, "InvalidRequest", 400)
	wantMessage(t, err, "Destination bucket must have versioning enabled.")
	err = put("repl-src", cfg("repl-nowhere", logs, types.DeleteMarkerReplicationStatusEnabled))
	wantAPIError(t, err, "InvalidRequest", 400)
	wantMessage(t, err, "Destination bucket must exist.")
	_, err = c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: b("repl-src")})
	wantAPIError(t, err, "ReplicationConfigurationNotFoundError", 404)
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b("repl-dst"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	tagged := &types.ReplicationRuleFilter{Tag: &types.Tag{Key: b("k"), Value: b("v")}}
	err = put("repl-src", cfg("repl-dst", tagged, types.DeleteMarkerReplicationStatusEnabled))
	wantAPIError(t, err, "InvalidArgument", 400)
	if err := put("repl-src", cfg("repl-dst", logs, types.DeleteMarkerReplicationStatusEnabled)); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: b("repl-src")})
	if err != nil || len(got.ReplicationConfiguration.Rules) != 1 || aws.ToString(got.ReplicationConfiguration.Rules[0].Destination.Bucket) != "arn:aws:s3:::repl-dst" {
		t.Fatalf("GetBucketReplication = %+v, %v", got, err)
	}

	// A matching object reaches the destination with its version ID.
	pv, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("repl-src"), Key: b("logs/a.txt"), Body: strings.NewReader("hello"),
		ContentType: b("text/plain"), Metadata: map[string]string{"m": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	src, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b("repl-src"), Key: b("logs/a.txt")})
	if err != nil || src.ReplicationStatus != types.ReplicationStatusCompleted {
		t.Fatalf("source HeadObject = %v, %v", src.ReplicationStatus, err)
	}
	rep, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b("repl-dst"), Key: b("logs/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rep.Body)
	rep.Body.Close()
	if string(body) != "hello" || rep.ReplicationStatus != types.ReplicationStatusReplica || aws.ToString(rep.VersionId) != aws.ToString(pv.VersionId) ||
		aws.ToString(rep.ContentType) != "text/plain" || rep.Metadata["m"] != "1" {
		t.Errorf("replica: %q status %v version %v (source %v) type %v meta %v", body, rep.ReplicationStatus,
			aws.ToString(rep.VersionId), aws.ToString(pv.VersionId), aws.ToString(rep.ContentType), rep.Metadata)
	}
	// A key outside the filter stays where it is.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("repl-src"), Key: b("other.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b("repl-dst"), Key: b("other.txt")})
	wantAPIError(t, err, "NotFound", 404)
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b("repl-src"), Key: b("other.txt")}); err != nil || h.ReplicationStatus != "" {
		t.Errorf("unreplicated source status = %q, %v", h.ReplicationStatus, err)
	}
	// A delete marker is replicated.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b("repl-src"), Key: b("logs/a.txt")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b("repl-dst"), Key: b("logs/a.txt")})
	wantAPIError(t, err, "NoSuchKey", 404)

	// Through the CLI: the configuration as users read it, then deleted.
	if out := cli(t, e.URL(), "s3api", "get-bucket-replication", "--bucket", "repl-src"); !strings.Contains(out, `"Bucket": "arn:aws:s3:::repl-dst"`) {
		t.Errorf("get-bucket-replication: %s", out)
	}
	if _, err := c.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: b("repl-src")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: b("repl-src")})
	wantAPIError(t, err, "ReplicationConfigurationNotFoundError", 404)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("repl-src"), Key: b("logs/b.txt"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b("repl-dst"), Key: b("logs/b.txt")})
	wantAPIError(t, err, "NotFound", 404)

	// The sub-resource belongs to buckets.
	req, _ := http.NewRequest(http.MethodGet, e.URL()+"/repl-src/logs/a.txt?replication", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("object ?replication = %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestMetadataConfigurations runs the S3 Metadata (V1 and V2) and ABAC
// operations against one emulator.
func TestMetadataConfigurations(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String

	t.Run("v2", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "md-v2")
		_, err := c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: b("md-v2")})
		wantAPIError(t, err, "MetadataConfigurationNotFound", 404)
		cfg := &types.MetadataConfiguration{JournalTableConfiguration: &types.JournalTableConfiguration{
			RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateEnabled, Days: aws.Int32(30)}}}
		if _, err := c.CreateBucketMetadataConfiguration(ctx, &s3.CreateBucketMetadataConfigurationInput{Bucket: b("md-v2"), MetadataConfiguration: cfg}); err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateBucketMetadataConfiguration(ctx, &s3.CreateBucketMetadataConfigurationInput{Bucket: b("md-v2"), MetadataConfiguration: cfg})
		wantAPIError(t, err, "InvalidRequest", 400)
		got, err := c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: b("md-v2")})
		if err != nil {
			t.Fatal(err)
		}
		r := got.GetBucketMetadataConfigurationResult.MetadataConfigurationResult
		if r.DestinationResult.TableBucketType != types.S3TablesBucketTypeAws || aws.ToString(r.JournalTableConfigurationResult.TableStatus) != "ACTIVE" ||
			aws.ToInt32(r.JournalTableConfigurationResult.RecordExpiration.Days) != 30 || r.InventoryTableConfigurationResult.ConfigurationState != types.InventoryConfigurationStateDisabled {
			t.Errorf("GetBucketMetadataConfiguration = %+v", r)
		}
		// V1's Get does not read a V2 configuration.
		_, err = c.GetBucketMetadataTableConfiguration(ctx, &s3.GetBucketMetadataTableConfigurationInput{Bucket: b("md-v2")})
		wantAPIError(t, err, "MethodNotAllowed", 405)
		if _, err := c.UpdateBucketMetadataInventoryTableConfiguration(ctx, &s3.UpdateBucketMetadataInventoryTableConfigurationInput{Bucket: b("md-v2"),
			InventoryTableConfiguration: &types.InventoryTableConfigurationUpdates{ConfigurationState: types.InventoryConfigurationStateEnabled}}); err != nil {
			t.Fatal(err)
		}
		_, err = c.UpdateBucketMetadataJournalTableConfiguration(ctx, &s3.UpdateBucketMetadataJournalTableConfigurationInput{Bucket: b("md-v2"),
			JournalTableConfiguration: &types.JournalTableConfigurationUpdates{RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateEnabled, Days: aws.Int32(1)}}})
		wantAPIError(t, err, "InvalidArgument", 400)
		if _, err := c.UpdateBucketMetadataJournalTableConfiguration(ctx, &s3.UpdateBucketMetadataJournalTableConfigurationInput{Bucket: b("md-v2"),
			JournalTableConfiguration: &types.JournalTableConfigurationUpdates{RecordExpiration: &types.RecordExpiration{Expiration: types.ExpirationStateDisabled}}}); err != nil {
			t.Fatal(err)
		}
		got, err = c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: b("md-v2")})
		if err != nil {
			t.Fatal(err)
		}
		r = got.GetBucketMetadataConfigurationResult.MetadataConfigurationResult
		if r.InventoryTableConfigurationResult.ConfigurationState != types.InventoryConfigurationStateEnabled ||
			r.JournalTableConfigurationResult.RecordExpiration.Expiration != types.ExpirationStateDisabled {
			t.Errorf("after the updates: %+v %+v", r.InventoryTableConfigurationResult, r.JournalTableConfigurationResult.RecordExpiration)
		}
		if _, err := c.DeleteBucketMetadataConfiguration(ctx, &s3.DeleteBucketMetadataConfigurationInput{Bucket: b("md-v2")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DeleteBucketMetadataConfiguration(ctx, &s3.DeleteBucketMetadataConfigurationInput{Bucket: b("md-v2")})
		wantAPIError(t, err, "MetadataConfigurationNotFound", 404)
	})

	t.Run("v1", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "md-v1")
		dst := &types.MetadataTableConfiguration{S3TablesDestination: &types.S3TablesDestination{
			TableBucketArn: b("arn:aws:s3tables:us-east-1:000000000000:bucket/meta"), TableName: b("md_v1")}}
		if _, err := c.CreateBucketMetadataTableConfiguration(ctx, &s3.CreateBucketMetadataTableConfigurationInput{Bucket: b("md-v1"), MetadataTableConfiguration: dst}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetBucketMetadataTableConfiguration(ctx, &s3.GetBucketMetadataTableConfigurationInput{Bucket: b("md-v1")})
		if err != nil || aws.ToString(got.GetBucketMetadataTableConfigurationResult.Status) != "ACTIVE" ||
			aws.ToString(got.GetBucketMetadataTableConfigurationResult.MetadataTableConfigurationResult.S3TablesDestinationResult.TableName) != "md_v1" {
			t.Fatalf("GetBucketMetadataTableConfiguration = %+v, %v", got, err)
		}
		// V2's Get reads V1 configurations too.
		if _, err := c.GetBucketMetadataConfiguration(ctx, &s3.GetBucketMetadataConfigurationInput{Bucket: b("md-v1")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteBucketMetadataTableConfiguration(ctx, &s3.DeleteBucketMetadataTableConfigurationInput{Bucket: b("md-v1")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketMetadataTableConfiguration(ctx, &s3.GetBucketMetadataTableConfigurationInput{Bucket: b("md-v1")})
		wantAPIError(t, err, "MetadataConfigurationNotFound", 404)
		_, err = c.CreateBucketMetadataTableConfiguration(ctx, &s3.CreateBucketMetadataTableConfigurationInput{Bucket: b("md-missing"), MetadataTableConfiguration: dst})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})

	t.Run("abac", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "md-abac")
		got, err := c.GetBucketAbac(ctx, &s3.GetBucketAbacInput{Bucket: b("md-abac")})
		if err != nil || got.AbacStatus.Status != types.BucketAbacStatusDisabled {
			t.Fatalf("GetBucketAbac of a new bucket = %+v, %v", got, err)
		}
		if _, err := c.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: b("md-abac"), AbacStatus: &types.AbacStatus{Status: types.BucketAbacStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		if out := cli(t, e.URL(), "s3api", "get-bucket-abac", "--bucket", "md-abac"); !strings.Contains(out, `"Status": "Enabled"`) {
			t.Errorf("get-bucket-abac: %s", out)
		}
		_, err = c.PutBucketAbac(ctx, &s3.PutBucketAbacInput{Bucket: b("md-abac"), AbacStatus: &types.AbacStatus{Status: "On"}})
		wantAPIError(t, err, "MalformedXML", 400)
	})
}

// TestListDirectoryBuckets: the list (signed for s3express, as the CLI
// signs it) holds directory buckets alone, and ListBuckets the others.
// (The Go SDK signs it with a session at a custom endpoint: see controlAuth.)
func TestListDirectoryBuckets(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	mustCreateBucket(t, c, "gp-bucket")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dirBucket), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if got := cli(t, e.URL(), "s3api", "list-directory-buckets"); strings.Contains(got, "gp-bucket") || !strings.Contains(got, dirBucket) {
		t.Errorf("list-directory-buckets: %s", got)
	}
	all, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(all.Buckets) != 1 {
		t.Fatalf("ListBuckets = %+v, %v", all, err)
	}
}

package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestDirectoryBucketRefusesWhatItLacks: on a directory bucket, the
// operations of features such buckets lack answer NotImplemented, and a
// storage class other than EXPRESS_ONEZONE is refused; the same calls on a
// general purpose bucket are served.
func TestDirectoryBucketRefusesWhatItLacks(t *testing.T) {
	t.Parallel()
	_, cfg := startEmu(t)
	c := s3.NewFromConfig(cfg)
	b := aws.String
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b(dirBucket), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	mustCreateBucket(t, c, "general")
	for _, bucket := range []string{dirBucket, "general"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b(bucket), Key: b("k"), Body: strings.NewReader("x")}); err != nil {
			t.Fatalf("PutObject %s: %v", bucket, err)
		}
	}
	calls := map[string]func(bucket string) error{
		"PutBucketVersioning": func(bk string) error {
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b(bk), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
			return err
		},
		"PutObjectTagging": func(bk string) error {
			_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b(bk), Key: b("k"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: b("a"), Value: b("b")}}}})
			return err
		},
		"GetObjectAcl": func(bk string) error {
			_, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b(bk), Key: b("k")})
			return err
		},
		"PutBucketWebsite": func(bk string) error {
			_, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: b(bk), WebsiteConfiguration: &types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: b("index.html")}}})
			return err
		},
		"PutBucketRequestPayment": func(bk string) error {
			_, err := c.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: b(bk), RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}})
			return err
		},
		"PutBucketOwnershipControls": func(bk string) error {
			_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b(bk), OwnershipControls: &types.OwnershipControls{
				Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}})
			return err
		},
		"GetObjectLockConfiguration": func(bk string) error {
			_, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b(bk)})
			if bk == "general" && err != nil && errorCodeOf(err) == "ObjectLockConfigurationNotFoundError" {
				return nil // served: the bucket has none
			}
			return err
		},
	}
	for name, call := range calls {
		wantAPIError(t, call(dirBucket), "NotImplemented", 501)
		if err := call("general"); err != nil {
			t.Errorf("%s on a general purpose bucket: %v", name, err)
		}
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b(dirBucket), Key: b("std"), StorageClass: types.StorageClassStandard, Body: strings.NewReader("x")})
	wantAPIError(t, err, "InvalidStorageClass", 400)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b(dirBucket), Key: b("express"), StorageClass: types.StorageClassExpressOnezone, Body: strings.NewReader("x")}); err != nil {
		t.Errorf("EXPRESS_ONEZONE: %v", err)
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b(dirBucket), Key: b("mpu"), StorageClass: types.StorageClassGlacier})
	wantAPIError(t, err, "InvalidStorageClass", 400)

	// Without a session (the escape hatch the docs give for custom
	// endpoints), data requests are served as the caller's own.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b(dirBucket), Key: b("tokenless"), Body: strings.NewReader("x")}, controlAuth); err != nil {
		t.Errorf("PutObject without a session: %v", err)
	}
}

package s3_test

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestServerSideEncryptionIsKept: a write's encryption headers, or the
// bucket's default encryption, stay with the object and are answered on
// PUT, HEAD, GET and copies; a torrent of an SSE-KMS object is refused.
func TestServerSideEncryptionIsKept(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	b := aws.String
	mustCreateBucket(t, c, "sse")
	const key = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	put := func(in *s3.PutObjectInput) *s3.PutObjectOutput {
		t.Helper()
		in.Bucket, in.Body = b("sse"), bytes.NewReader([]byte("x"))
		out, err := c.PutObject(ctx, in)
		if err != nil {
			t.Fatalf("PutObject %s: %v", aws.ToString(in.Key), err)
		}
		return out
	}
	// Every object is SSE-S3 unless told otherwise, as on AWS since 2023.
	if out := put(&s3.PutObjectInput{Key: b("plain")}); out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("plain PUT: %q", out.ServerSideEncryption)
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b("sse"), Key: b("plain")}); err != nil || h.ServerSideEncryption != types.ServerSideEncryptionAes256 || h.SSEKMSKeyId != nil {
		t.Errorf("plain HEAD: %v %q", err, h.ServerSideEncryption)
	}
	context := base64.StdEncoding.EncodeToString([]byte(`{"project":"x"}`))
	out := put(&s3.PutObjectInput{Key: b("kms"), ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: b(key),
		SSEKMSEncryptionContext: b(context), BucketKeyEnabled: aws.Bool(true)})
	if out.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) != key ||
		aws.ToString(out.SSEKMSEncryptionContext) != context || !aws.ToBool(out.BucketKeyEnabled) {
		t.Errorf("KMS PUT: %+v", out)
	}
	_, got := mustGet(t, c, "sse", "kms")
	if got.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(got.SSEKMSKeyId) != key || !aws.ToBool(got.BucketKeyEnabled) {
		t.Errorf("KMS GET: %q %q %v", got.ServerSideEncryption, aws.ToString(got.SSEKMSKeyId), got.BucketKeyEnabled)
	}
	// A key ID becomes its ARN; no key is the account's aws/s3 key.
	out = put(&s3.PutObjectInput{Key: b("kms-id"), ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: b("1234abcd-12ab-34cd-56ef-1234567890ab")})
	if aws.ToString(out.SSEKMSKeyId) != key {
		t.Errorf("key ID: %q", aws.ToString(out.SSEKMSKeyId))
	}
	a := put(&s3.PutObjectInput{Key: b("managed1"), ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	m := put(&s3.PutObjectInput{Key: b("managed2"), ServerSideEncryption: types.ServerSideEncryptionAwsKmsDsse})
	if k := aws.ToString(a.SSEKMSKeyId); len(k) != len(key) || k != aws.ToString(m.SSEKMSKeyId) || m.ServerSideEncryption != types.ServerSideEncryptionAwsKmsDsse {
		t.Errorf("AWS managed key: %q %q %q", k, aws.ToString(m.SSEKMSKeyId), m.ServerSideEncryption)
	}

	// A copy is encrypted as its request, or its bucket, says.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b("sse"), Key: b("copy"), CopySource: b("sse/kms")})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAes256 || cp.SSEKMSKeyId != nil {
		t.Errorf("copy: %v %+v", err, cp)
	}
	cp, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b("sse"), Key: b("plain"), CopySource: b("sse/plain"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: b(key)})
	if err != nil || aws.ToString(cp.SSEKMSKeyId) != key {
		t.Errorf("copy in place to KMS: %v %+v", err, cp)
	}

	// The bucket's default encryption applies to new objects.
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b("sse"), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{BucketKeyEnabled: aws.Bool(true), ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{
			SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: b(key)}}}}}); err != nil {
		t.Fatal(err)
	}
	if out := put(&s3.PutObjectInput{Key: b("defaulted")}); aws.ToString(out.SSEKMSKeyId) != key || !aws.ToBool(out.BucketKeyEnabled) {
		t.Errorf("bucket default: %+v", out)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b("sse"), Key: b("mpu")})
	if err != nil || aws.ToString(up.SSEKMSKeyId) != key {
		t.Fatalf("multipart: %v %+v", err, up)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b("sse"), Key: b("mpu"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("p"))})
	if err != nil {
		t.Fatal(err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b("sse"), Key: b("mpu"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	if err != nil || aws.ToString(done.SSEKMSKeyId) != key || done.ServerSideEncryption != types.ServerSideEncryptionAwsKms {
		t.Errorf("complete: %v %+v", err, done)
	}

	// What S3 refuses.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("sse"), Key: b("bad"), ServerSideEncryption: "ROT13", Body: bytes.NewReader(nil)})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("sse"), Key: b("bad"), SSEKMSKeyId: b(key), Body: bytes.NewReader(nil)})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("sse"), Key: b("bad"), ServerSideEncryption: types.ServerSideEncryptionAwsKms,
		SSEKMSEncryptionContext: b("not base64 JSON"), Body: bytes.NewReader(nil)})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: b("sse"), Key: b("kms")})
	wantAPIError(t, err, "InvalidRequest", 400)
}

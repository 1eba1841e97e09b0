package s3_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestObjectAttributes covers GetObjectAttributes, UpdateObjectEncryption,
// RenameObject, conditional CompleteMultipartUpload and sub-resources not
// served.
func TestObjectAttributes(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String
	const bk = "attrs"
	mustCreateBucket(t, c, bk)
	data := []byte("hello attributes")
	mustPut(t, c, bk, "one", data)

	t.Run("GetObjectAttributes", func(t *testing.T) {
		out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b(bk), Key: b("one"),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize,
				types.ObjectAttributesStorageClass, types.ObjectAttributesChecksum}})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ETag) != strings.Trim(md5ETag(data), `"`) || aws.ToInt64(out.ObjectSize) != int64(len(data)) ||
			out.StorageClass != types.StorageClassStandard || out.Checksum == nil || aws.ToString(out.Checksum.ChecksumCRC64NVME) == "" {
			t.Errorf("GetObjectAttributes = etag %q size %d class %q checksum %+v", aws.ToString(out.ETag), aws.ToInt64(out.ObjectSize), out.StorageClass, out.Checksum)
		}
		_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b(bk), Key: b("absent"),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b(bk), Key: b("one"),
			ObjectAttributes: []types.ObjectAttributes{"Colour"}})
		wantAPIError(t, err, "InvalidArgument", 400)

		// A multipart object lists its parts.
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b(bk), Key: b("mp")})
		if err != nil {
			t.Fatal(err)
		}
		part1 := bytes.Repeat([]byte("a"), 5<<20)
		p1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b(bk), Key: b("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(part1)})
		if err != nil {
			t.Fatal(err)
		}
		p2, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b(bk), Key: b("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(2), Body: strings.NewReader("tail")})
		if err != nil {
			t.Fatal(err)
		}
		parts := &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.ETag}}}
		// If-None-Match: * refuses to complete over the existing key...
		mustPut(t, c, bk, "mp", []byte("already"))
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b(bk), Key: b("mp"), UploadId: up.UploadId,
			MultipartUpload: parts, IfNoneMatch: b("*")})
		wantAPIError(t, err, "PreconditionFailed", 412)
		// ...and the upload is still there to complete with If-Match.
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b(bk), Key: b("mp"), UploadId: up.UploadId,
			MultipartUpload: parts, IfMatch: b(`"0000"`)})
		wantAPIError(t, err, "PreconditionFailed", 412)
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b(bk), Key: b("mp"), UploadId: up.UploadId,
			MultipartUpload: parts, IfMatch: b(md5ETag([]byte("already")))}); err != nil {
			t.Fatalf("complete with a matching If-Match: %v", err)
		}
		out, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b(bk), Key: b("mp"), MaxParts: aws.Int32(1),
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectParts}})
		if err != nil {
			t.Fatal(err)
		}
		if p := out.ObjectParts; p == nil || aws.ToInt32(p.TotalPartsCount) != 2 || len(p.Parts) != 1 || !aws.ToBool(p.IsTruncated) ||
			aws.ToInt64(p.Parts[0].Size) != 5<<20 || aws.ToString(p.NextPartNumberMarker) != "1" {
			t.Errorf("ObjectParts = %+v", out.ObjectParts)
		}
	})

	t.Run("UpdateObjectEncryption", func(t *testing.T) {
		const arn = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		if _, err := c.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{Bucket: b(bk), Key: b("one"),
			ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: b(arn)}}}); err != nil {
			t.Fatal(err)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b(bk), Key: b("one")})
		if err != nil || h.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != arn {
			t.Errorf("HeadObject after UpdateObjectEncryption = %q %q, %v", h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), err)
		}
		_, err = c.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{Bucket: b(bk), Key: b("absent"),
			ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: b(arn)}}})
		wantAPIError(t, err, "NoSuchKey", 404)
	})

	t.Run("RenameObject", func(t *testing.T) {
		_, err := c.RenameObject(ctx, &s3.RenameObjectInput{Bucket: b(bk), Key: b("two"), RenameSource: b(bk + "/one")})
		wantAPIError(t, err, "InvalidRequest", 400)
	})

	t.Run("sub-resources are never listings", func(t *testing.T) {
		// ?abac is a sub-resource of S3's model (GetBucketAbac): never a
		// listing.
		resp, err := http.Get(e.URL() + "/" + bk + "?abac")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "ListBucketResult") {
			t.Errorf("GET ?abac = %d %s, want GetBucketAbac's answer", resp.StatusCode, body)
		}
		// Listing parameters still list.
		resp, err = http.Get(e.URL() + "/" + bk + "?prefix=o&max-keys=5")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET ?prefix = %d, want 200", resp.StatusCode)
		}
	})
}

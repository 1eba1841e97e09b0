package s3_test

import (
	"crypto/sha256"
	"encoding/base64"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// CopyObject with x-amz-checksum-algorithm gives the copy that checksum:
// in CopyObjectResult, and on GetObject/HeadObject in checksum mode (the
// SDK validates the body against it).
func TestCopyObjectChecksum(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	mustCreateBucket(t, c, "copy-sum")
	data := []byte("checksummed copy")
	mustPut(t, c, "copy-sum", "src", data)
	sha := sha256.Sum256(data)
	crc := crc32.ChecksumIEEE(data)
	wantSHA := base64.StdEncoding.EncodeToString(sha[:])
	wantCRC := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	cases := []struct {
		alg  types.ChecksumAlgorithm
		want string
		got  func(*types.CopyObjectResult) *string
		head func(*s3.HeadObjectOutput) *string
	}{
		{types.ChecksumAlgorithmSha256, wantSHA, func(r *types.CopyObjectResult) *string { return r.ChecksumSHA256 }, func(h *s3.HeadObjectOutput) *string { return h.ChecksumSHA256 }},
		{types.ChecksumAlgorithmCrc32, wantCRC, func(r *types.CopyObjectResult) *string { return r.ChecksumCRC32 }, func(h *s3.HeadObjectOutput) *string { return h.ChecksumCRC32 }},
	}
	for _, tc := range cases {
		key := "dst-" + strings.ToLower(string(tc.alg))
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copy-sum"), Key: aws.String(key),
			CopySource: aws.String("copy-sum/src"), ChecksumAlgorithm: tc.alg})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(tc.got(out.CopyObjectResult)); got != tc.want || out.CopyObjectResult.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("%s: CopyObjectResult checksum %q type %q, want %q FULL_OBJECT", tc.alg, got, out.CopyObjectResult.ChecksumType, tc.want)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("copy-sum"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(tc.head(h)); got != tc.want {
			t.Errorf("%s: HeadObject checksum %q, want %q", tc.alg, got, tc.want)
		}
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("copy-sum"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(g.Body) // the SDK checks the body against the checksum as it reads
		g.Body.Close()
		if err != nil || string(b) != string(data) {
			t.Errorf("%s: GetObject %q %v", tc.alg, b, err)
		}
	}
}

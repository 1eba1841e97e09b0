package s3_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// S3 gives an object uploaded without a checksum a CRC64NVME one, and
// returns it in checksum mode, which aws-sdk-go-v2 asks for on every
// GetObject: without it the SDK logged "Response has no supported checksum.
// Not validating response payload." on each read (the scriptrunner
// function's logs were full of it).
func TestObjectsUploadedWithoutChecksumGetCRC64NVME(t *testing.T) {
	e, cfg := emutest.Start(t)
	cfg = withDefaultChecksums(cfg)
	log := emutest.CaptureSDKLog(&cfg)
	c := s3.NewFromConfig(cfg)
	mustCreateBucket(t, c, "plain")

	// a PUT with no checksum at all, as curl, the aws CLI v1 or a browser form send it
	req, _ := http.NewRequest("PUT", e.URL()+"/plain/check", strings.NewReader("123456789"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// CRC-64/NVME's check value (the CRC of "123456789"), big-endian, base64
	var check [8]byte
	binary.BigEndian.PutUint64(check[:], 0xae8b14860a799888)
	want := base64.StdEncoding.EncodeToString(check[:])
	if got := resp.Header.Get("X-Amz-Checksum-Crc64nvme"); resp.StatusCode != 200 || got != want || resp.Header.Get("X-Amz-Checksum-Type") != "FULL_OBJECT" {
		t.Errorf("PUT: HTTP %d, x-amz-checksum-crc64nvme %q (want %q), type %q", resp.StatusCode, got, want, resp.Header.Get("X-Amz-Checksum-Type"))
	}

	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("plain"), Key: aws.String("check")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(b, []byte("123456789")) {
		t.Fatalf("GetObject: %q %v", b, err)
	}
	if aws.ToString(out.ChecksumCRC64NVME) != want {
		t.Errorf("GetObject in checksum mode: crc64nvme %q, want %q", aws.ToString(out.ChecksumCRC64NVME), want)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("plain"), Key: aws.String("check")}); err != nil {
		t.Fatal(err)
	}
	for _, l := range log.Lines() {
		if strings.Contains(strings.ToLower(l), "checksum") {
			t.Errorf("the SDK complained: %s", l)
		}
	}

	// without checksum mode, no checksum header (as on AWS)
	resp, err = http.Get(e.URL() + "/plain/check")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if h := resp.Header.Get("X-Amz-Checksum-Crc64nvme"); h != "" {
		t.Errorf("plain GET carries x-amz-checksum-crc64nvme %q", h)
	}
}

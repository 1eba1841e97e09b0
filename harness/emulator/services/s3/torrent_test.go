package s3_test

import (
	"bytes"
	"crypto/sha1"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// bdecode decodes one bencoded value (BEP 3) at the start of b: strings,
// integers, lists and dictionaries; it fails the test on anything else.
func bdecode(t *testing.T, b []byte) (any, []byte) {
	t.Helper()
	if len(b) == 0 {
		t.Fatal("bencode: unexpected end")
	}
	switch c := b[0]; {
	case c == 'i':
		end := bytes.IndexByte(b, 'e')
		n, err := strconv.ParseInt(string(b[1:end]), 10, 64)
		if err != nil {
			t.Fatalf("bencode integer: %v", err)
		}
		return n, b[end+1:]
	case c == 'l':
		var l []any
		b = b[1:]
		for len(b) > 0 && b[0] != 'e' {
			var v any
			v, b = bdecode(t, b)
			l = append(l, v)
		}
		return l, b[1:]
	case c == 'd':
		d := map[string]any{}
		b = b[1:]
		last := ""
		for len(b) > 0 && b[0] != 'e' {
			var k, v any
			k, b = bdecode(t, b)
			if k.(string) <= last && last != "" {
				t.Errorf("bencode: key %q after %q: keys must be sorted", k, last)
			}
			last = k.(string)
			v, b = bdecode(t, b)
			d[last] = v
		}
		return d, b[1:]
	case c >= '0' && c <= '9':
		colon := bytes.IndexByte(b, ':')
		n, err := strconv.Atoi(string(b[:colon]))
		if err != nil {
			t.Fatalf("bencode string length: %v", err)
		}
		return string(b[colon+1 : colon+1+n]), b[colon+1+n:]
	}
	t.Fatalf("bencode: unexpected %q", b[0])
	return nil, nil
}

// TestGetObjectTorrent: the torrent of an object describes it (size, name,
// the SHA-1 of each 256 KiB piece) and names its bucket and key.
func TestGetObjectTorrent(t *testing.T) {
	_, c := start(t)
	mustCreateBucket(t, c, "seeds")
	data := make([]byte, 600<<10) // two whole pieces and a short one
	for i := range data {
		data[i] = byte(i * 7)
	}
	mustPut(t, c, "seeds", "dir/big.bin", data)
	out, err := c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: aws.String("seeds"), Key: aws.String("dir/big.bin")})
	if err != nil {
		t.Fatalf("GetObjectTorrent: %v", err)
	}
	raw, _ := io.ReadAll(out.Body)
	out.Body.Close()
	v, rest := bdecode(t, raw)
	if len(rest) != 0 {
		t.Errorf("%d bytes after the torrent", len(rest))
	}
	meta := v.(map[string]any)
	if a, _ := meta["announce"].(string); a == "" {
		t.Errorf("announce = %v", meta["announce"])
	}
	info := meta["info"].(map[string]any)
	var want []byte
	for off := 0; off < len(data); off += 256 << 10 {
		sum := sha1.Sum(data[off:min(off+256<<10, len(data))])
		want = append(want, sum[:]...)
	}
	for k, w := range map[string]any{"length": int64(len(data)), "name": "big.bin", "piece length": int64(256 << 10),
		"pieces": string(want), "x-amz-bucket": "seeds", "x-amz-key": "dir/big.bin"} {
		if info[k] != w {
			t.Errorf("info[%q] = %.80q, want %.80q", k, info[k], w)
		}
	}

	// An empty object has no pieces.
	mustPut(t, c, "seeds", "empty", nil)
	out, err = c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: aws.String("seeds"), Key: aws.String("empty")})
	if err != nil {
		t.Fatalf("GetObjectTorrent of an empty object: %v", err)
	}
	raw, _ = io.ReadAll(out.Body)
	out.Body.Close()
	v, _ = bdecode(t, raw)
	if info := v.(map[string]any)["info"].(map[string]any); info["length"] != int64(0) || info["pieces"] != "" {
		t.Errorf("empty object's info = %v", info)
	}

	// What S3 refuses.
	_, err = c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: aws.String("seeds"), Key: aws.String("none")})
	wantAPIError(t, err, "NoSuchKey", 404)
	_, err = c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
	wantAPIError(t, err, "NoSuchBucket", 404)
	mustPut(t, c, "seeds", "secret", []byte("x"))
	if _, err := c.UpdateObjectEncryption(ctx, &s3.UpdateObjectEncryptionInput{Bucket: aws.String("seeds"), Key: aws.String("secret"),
		ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{
			KMSKeyArn: aws.String("arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab")}}}); err != nil {
		t.Fatalf("UpdateObjectEncryption: %v", err)
	}
	_, err = c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: aws.String("seeds"), Key: aws.String("secret")})
	wantAPIError(t, err, "InvalidRequest", 400)

	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dirBucket), CreateBucketConfiguration: directoryConfig("use1-az4")}, controlAuth); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(dirBucket), Key: aws.String("k"), Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	_, err = c.GetObjectTorrent(ctx, &s3.GetObjectTorrentInput{Bucket: aws.String(dirBucket), Key: aws.String("k")})
	wantAPIError(t, err, "NotImplemented", 501)
}

// TestGetObjectTorrentWithTheCLI: aws s3api get-object-torrent writes the
// torrent to the file named.
func TestGetObjectTorrentWithTheCLI(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "seeds")
	mustPut(t, c, "seeds", "song.ogg", []byte("la la la"))
	dst := filepath.Join(t.TempDir(), "song.torrent")
	cli(t, e.URL(), "s3api", "get-object-torrent", "--bucket", "seeds", "--key", "song.ogg", dst)
	raw, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := bdecode(t, raw)
	sum := sha1.Sum([]byte("la la la"))
	if info := v.(map[string]any)["info"].(map[string]any); info["name"] != "song.ogg" || info["pieces"] != string(sum[:]) {
		t.Errorf("torrent info = %q", info)
	}
}

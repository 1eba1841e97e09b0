package s3_test

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// cli runs the aws CLI and fails the test on a non-zero exit.
func cli(t *testing.T, endpoint string, args ...string) string {
	t.Helper()
	out, errOut, code := emutest.CLI(t, endpoint, args...)
	if code != 0 {
		t.Fatalf("aws %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func TestCLI(t *testing.T) {
	e, c := start(t)
	ep := e.URL()
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(readme, []byte("# groundstack\nlocal cloud\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	if out := cli(t, ep, "s3", "mb", "s3://cli-bucket"); !strings.Contains(out, "make_bucket: cli-bucket") {
		t.Errorf("mb: %q", out)
	}
	// In us-east-1 making a bucket you own again succeeds, as on AWS.
	if out := cli(t, ep, "s3", "mb", "s3://cli-bucket"); !strings.Contains(out, "make_bucket: cli-bucket") {
		t.Errorf("second mb: %q", out)
	}
	if out := cli(t, ep, "s3", "ls"); !strings.Contains(out, "cli-bucket") {
		t.Errorf("ls buckets: %q", out)
	}
	cli(t, ep, "s3", "cp", readme, "s3://cli-bucket/")
	if out := cli(t, ep, "s3", "ls", "s3://cli-bucket"); !strings.Contains(out, " 26 README.md") {
		t.Errorf("ls: %q", out)
	}
	if out := cli(t, ep, "s3", "cp", "s3://cli-bucket/README.md", "-"); out != "# groundstack\nlocal cloud\n" {
		t.Errorf("cp to stdout: %q", out)
	}
	// Keys with spaces and unicode through the CLI.
	cli(t, ep, "s3", "cp", readme, "s3://cli-bucket/odd names/ñandú + más.md")
	if out := cli(t, ep, "s3", "ls", "s3://cli-bucket/odd names/"); !strings.Contains(out, "ñandú + más.md") {
		t.Errorf("ls odd names: %q", out)
	}
	if out := cli(t, ep, "s3", "cp", "s3://cli-bucket/odd names/ñandú + más.md", "-"); !strings.HasPrefix(out, "# groundstack") {
		t.Errorf("cp odd name: %q", out)
	}

	// sync a small tree, then again (nothing to do), then with one change.
	tree := filepath.Join(dir, "site")
	files := map[string]string{"index.html": "<h1>hi</h1>", "css/site.css": "body{}", "img/a b.txt": "space", "deep/x/y/z.txt": "deep"}
	for name, body := range files {
		p := filepath.Join(tree, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
		// S3 keeps whole seconds: files older than the upload do not look
		// newer than their copies to sync.
		old := time.Now().Add(-time.Hour)
		os.Chtimes(p, old, old)
	}
	out := cli(t, ep, "s3", "sync", tree, "s3://cli-bucket/site")
	if n := strings.Count(out, "upload:"); n != len(files) {
		t.Errorf("first sync uploaded %d files: %q", n, out)
	}
	if out := cli(t, ep, "s3", "sync", tree, "s3://cli-bucket/site"); strings.Contains(out, "upload:") {
		t.Errorf("second sync uploaded again: %q", out)
	}
	os.WriteFile(filepath.Join(tree, "index.html"), []byte("<h1>changed!</h1>"), 0o644)
	if out := cli(t, ep, "s3", "sync", tree, "s3://cli-bucket/site"); strings.Count(out, "upload:") != 1 {
		t.Errorf("third sync: %q", out)
	}
	for name, body := range files {
		if name == "index.html" {
			body = "<h1>changed!</h1>"
		}
		if got, _ := mustGet(t, c, "cli-bucket", "site/"+name); string(got) != body {
			t.Errorf("synced %s = %q", name, got)
		}
	}
	// sync back down.
	back := filepath.Join(dir, "back")
	cli(t, ep, "s3", "sync", "s3://cli-bucket/site", back)
	if b, _ := os.ReadFile(filepath.Join(back, "img", "a b.txt")); string(b) != "space" {
		t.Errorf("sync down: %q", b)
	}

	// s3api list-objects-v2 with prefix and delimiter.
	var listed struct {
		Contents       []struct{ Key string }
		CommonPrefixes []struct{ Prefix string }
		KeyCount       int
	}
	raw := cli(t, ep, "s3api", "list-objects-v2", "--bucket", "cli-bucket", "--prefix", "site/", "--delimiter", "/", "--no-paginate")
	if err := json.Unmarshal([]byte(raw), &listed); err != nil {
		t.Fatalf("list-objects-v2 output: %v\n%s", err, raw)
	}
	var prefixes []string
	for _, p := range listed.CommonPrefixes {
		prefixes = append(prefixes, p.Prefix)
	}
	sort.Strings(prefixes)
	if len(listed.Contents) != 1 || listed.Contents[0].Key != "site/index.html" || strings.Join(prefixes, ",") != "site/css/,site/deep/,site/img/" || listed.KeyCount != 4 {
		t.Errorf("list-objects-v2: %+v", listed)
	}

	// rm one, then rm --recursive (DeleteObjects).
	if out := cli(t, ep, "s3", "rm", "s3://cli-bucket/README.md"); !strings.Contains(out, "delete: s3://cli-bucket/README.md") {
		t.Errorf("rm: %q", out)
	}
	cli(t, ep, "s3", "rm", "--recursive", "s3://cli-bucket/site")
	left, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("cli-bucket")})
	if err != nil || len(left.Contents) != 1 || aws.ToString(left.Contents[0].Key) != "odd names/ñandú + más.md" {
		t.Errorf("after rm: %v %v", left, err)
	}
	if _, errOut, code := emutest.CLI(t, ep, "s3", "rb", "s3://cli-bucket"); code == 0 || !strings.Contains(errOut, "BucketNotEmpty") {
		t.Errorf("rb of a non-empty bucket: exit %d %q", code, errOut)
	}
	cli(t, ep, "s3", "rb", "--force", "s3://cli-bucket")
	if out := cli(t, ep, "s3", "ls"); strings.Contains(out, "cli-bucket") {
		t.Errorf("bucket still listed: %q", out)
	}
}

// TestCLIMultipart: the CLI switches to multipart uploads (and ranged
// downloads) at 8 MiB.
func TestCLIMultipart(t *testing.T) {
	e, c := start(t)
	ep := e.URL()
	dir := t.TempDir()
	data := make([]byte, 20<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	src := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cli(t, ep, "s3", "mb", "s3://cli-big")
	cli(t, ep, "s3", "cp", src, "s3://cli-big/big.bin")
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cli-big"), Key: aws.String("big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if etag := aws.ToString(head.ETag); !strings.HasSuffix(etag, `-3"`) || aws.ToInt64(head.ContentLength) != int64(len(data)) {
		t.Errorf("CLI upload: etag %s, length %d (want a 3-part multipart object)", etag, aws.ToInt64(head.ContentLength))
	}
	if got, _ := mustGet(t, c, "cli-big", "big.bin"); !bytes.Equal(got, data) {
		t.Fatalf("multipart object differs from the file (%d bytes)", len(got))
	}
	dst := filepath.Join(dir, "down.bin")
	cli(t, ep, "s3", "cp", "s3://cli-big/big.bin", dst)
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) {
		t.Errorf("ranged download differs (%d bytes)", len(got))
	}
	// Server-side copy of a large object (UploadPartCopy under the CLI).
	cli(t, ep, "s3", "cp", "s3://cli-big/big.bin", "s3://cli-big/copy.bin")
	if got, _ := mustGet(t, c, "cli-big", "copy.bin"); !bytes.Equal(got, data) {
		t.Errorf("server-side copy differs (%d bytes)", len(got))
	}
	ups, _ := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("cli-big")})
	if len(ups.Uploads) != 0 {
		t.Errorf("uploads left open: %d", len(ups.Uploads))
	}
}

// TestCLIPresign: `aws s3 presign` makes SigV2 query-string URLs; they work
// until they expire.
func TestCLIPresign(t *testing.T) {
	var skew atomic.Int64
	e, c := start(t, emulator.WithClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }))
	mustCreateBucket(t, c, "cli-presign")
	mustPut(t, c, "cli-presign", "doc name.txt", []byte("presigned by the CLI"))
	u := strings.TrimSpace(cli(t, e.URL(), "s3", "presign", "s3://cli-presign/doc name.txt", "--expires-in", "60"))
	get := func() (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || body != "presigned by the CLI" {
		t.Fatalf("GET %s: %d %q", u, code, body)
	}
	skew.Store(int64(2 * time.Minute))
	if code, body := get(); code != 403 || !strings.Contains(body, "<Message>Request has expired</Message>") {
		t.Errorf("expired: %d %s", code, body)
	}
}

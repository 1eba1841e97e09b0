package s3_test

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// bodiesOnDisk makes the emulators of this package's tests keep every
// body of more than one byte on disk (TestBehaviourWithBodiesOnDisk).
var bodiesOnDisk atomic.Bool

// startEmu is emutest.Start, with bodies on disk when bodiesOnDisk is set.
func startEmu(t *testing.T, opts ...emulator.Option) (*emulator.Emulator, aws.Config) {
	t.Helper()
	if bodiesOnDisk.Load() {
		dir := t.TempDir()
		opts = append(opts, emulator.WithObjectMemory(1), emulator.WithTempDir(dir))
		// Registered before the emulator's Close, so it runs after it.
		t.Cleanup(func() {
			if n := filesIn(dir); n != 0 {
				t.Errorf("%d files left under the emulator's temp dir after Close", n)
			}
		})
	}
	e, cfg := emutest.Start(t, opts...)
	if journaledBodies.Load() {
		journaledOf(t, e).SetJournal(newMemJournal(t, t.TempDir()))
	}
	return e, cfg
}

// filesIn counts regular files below dir.
func filesIn(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// journaledBodies makes the emulators of this package's tests persist
// S3 to a journal in memory (TestBehaviourWithJournal).
var journaledBodies atomic.Bool

// TestBehaviourWithJournal runs the object tests again with a journal:
// every body, however small, is then a file of its blob directory, and
// every change is recorded (the journal checks each record names only
// synced files). Clients must see no difference.
func TestBehaviourWithJournal(t *testing.T) {
	journaledBodies.Store(true)
	defer journaledBodies.Store(false)
	for _, tc := range behaviourTests() {
		t.Run(tc.name, tc.run)
	}
}

// TestBehaviourWithBodiesOnDisk runs the object tests again with every
// body on disk: where bytes are kept must not change what clients see
// (ETags, checksums, ranges, parts, copies, conditions, website routes).
func TestBehaviourWithBodiesOnDisk(t *testing.T) {
	bodiesOnDisk.Store(true)
	defer bodiesOnDisk.Store(false)
	for _, tc := range behaviourTests() {
		t.Run(tc.name, tc.run)
	}
}

// behaviourTests are the object tests that must pass wherever bodies are.
func behaviourTests() []struct {
	name string
	run  func(*testing.T)
} {
	return []struct {
		name string
		run  func(*testing.T)
	}{
		{"Objects", TestObjects},
		{"KeysRoundTrip", TestKeysRoundTrip},
		{"RangesAndConditions", TestRangesAndConditions},
		{"CopyObject", TestCopyObject},
		{"DeleteObjects", TestDeleteObjects},
		{"MultipartUpload", TestMultipartUpload},
		{"SummaryResetAndReader", TestSummaryResetAndReader},
		{"AWSChunkedUploads", TestAWSChunkedUploads},
		{"ChecksumsOverHTTP", TestChecksumsOverHTTP},
		{"SignedStreamingRaw", TestSignedStreamingRaw},
		{"ResponseOverrides", TestResponseOverrides},
		{"WebsiteServing", TestWebsiteServing},
	}
}

// patternBytes is n bytes that differ from offset to offset.
func patternBytes(n int, seed byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(i*31) ^ seed ^ byte(i>>10)
	}
	return out
}

// A GET streaming an object on disk while the key is overwritten, deleted
// and the cloud reset returns the old object whole; once every reader is
// done nothing is left on disk.
func TestGetDuringOverwriteAndDelete(t *testing.T) {
	dir := t.TempDir()
	e, cfg := emutest.Start(t, emulator.WithObjectMemory(1<<10), emulator.WithTempDir(dir))
	c := s3.NewFromConfig(cfg)
	mustCreateBucket(t, c, "race")
	// A multipart object: its parts are files of their own, opened one
	// after the other as the body streams. It is larger than loopback
	// socket buffers hold, so readers are mid-body when they wait.
	old := patternBytes(24<<20, 1)
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("race"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, off := range []int{0, 5 << 20, 10 << 20} {
		end := min(off+5<<20, len(old))
		if i == 2 {
			end = len(old)
		}
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("race"), Key: aws.String("k"), UploadId: create.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(old[off:end])})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("race"), Key: aws.String("k"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	newer := patternBytes(3<<20, 2)

	const readers = 3
	var wg sync.WaitGroup
	started := make(chan struct{}, readers)
	release := make(chan struct{}) // lets the readers finish
	errs := make(chan error, readers)
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(e.URL() + "/race/k")
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			h := md5.New()
			if _, err := io.CopyN(h, resp.Body, 1<<20); err != nil {
				errs <- err
				return
			}
			started <- struct{}{}
			<-release
			if _, err := io.Copy(h, resp.Body); err != nil {
				errs <- err
				return
			}
			if want := md5.Sum(old); !bytes.Equal(h.Sum(nil), want[:]) {
				errs <- errors.New("a reader got bytes that are not the old object")
			}
		}()
	}
	for i := 0; i < readers; i++ {
		select {
		case <-started:
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(60 * time.Second):
			t.Fatal("readers did not start")
		}
	}
	// While they wait mid-body: overwrite, read the new version, delete,
	// put again, reset.
	mustPut(t, c, "race", "k", newer)
	if got, _ := mustGet(t, c, "race", "k"); !bytes.Equal(got, newer) {
		t.Fatalf("a new GET read %d bytes, not the new version", len(got))
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("race"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "race", "k", newer)
	e.Reset()
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The server releases the old body when its handlers return, just
	// after the clients read their last byte.
	deadline := time.Now().Add(30 * time.Second)
	for filesIn(dir) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := filesIn(dir); n != 0 {
		t.Fatalf("%d files left on disk after reset and every reader done", n)
	}
}

// When the emulator cannot write bodies to disk, a large PUT gets S3's
// InternalError (500) and stores nothing, and small objects, in memory,
// still work.
func TestBodiesWithoutADisk(t *testing.T) {
	blocked := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, cfg := emutest.Start(t, emulator.WithObjectMemory(1<<10), emulator.WithTempDir(blocked))
	c := s3.NewFromConfig(cfg)
	mustCreateBucket(t, c, "nodisk")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("nodisk"), Key: aws.String("big"), Body: bytes.NewReader(patternBytes(4<<10, 1))})
	wantAPIError(t, err, "InternalError", http.StatusInternalServerError)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("nodisk"), Key: aws.String("big")})
	wantAPIError(t, err, "NotFound", http.StatusNotFound)
	small := patternBytes(1<<10, 2)
	mustPut(t, c, "nodisk", "small", small)
	if got, _ := mustGet(t, c, "nodisk", "small"); !bytes.Equal(got, small) {
		t.Fatal("a small object did not round-trip")
	}
}

// CopyObject of a multipart object on disk: the copy is one object whose
// ETag is the MD5 of all its bytes (read back from the parts' files), as
// S3 gives a copy made in one request.
func TestCopyOfMultipartObjectOnDisk(t *testing.T) {
	_, cfg := emutest.Start(t, emulator.WithObjectMemory(1<<10), emulator.WithTempDir(t.TempDir()))
	c := s3.NewFromConfig(cfg)
	mustCreateBucket(t, c, "copies")
	whole := patternBytes(5<<20+777, 3)
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("copies"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, p := range [][]byte{whole[:5<<20], whole[5<<20:]} {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("copies"), Key: aws.String("mp"), UploadId: create.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("copies"), Key: aws.String("mp"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copies"), Key: aws.String("copy"), CopySource: aws.String("copies/mp")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.CopyObjectResult.ETag); got != md5ETag(whole) {
		t.Errorf("copy's ETag %s, want the MD5 of the bytes %s", got, md5ETag(whole))
	}
	if got, _ := mustGet(t, c, "copies", "copy"); !bytes.Equal(got, whole) {
		t.Errorf("copy reads %d bytes, not the object's", len(got))
	}
}

// A body cut short (the client stops sending before Content-Length) is
// refused with IncompleteBody, and the part of it already on disk goes.
func TestCutBodyLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	e, cfg := emutest.Start(t, emulator.WithObjectMemory(1<<10), emulator.WithTempDir(dir))
	mustCreateBucket(t, s3.NewFromConfig(cfg), "cut")
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PUT /cut/k HTTP/1.1\r\nHost: %s\r\nContent-Length: 100000\r\nX-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\n"+
		"Authorization: AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n\r\n", strings.TrimPrefix(e.URL(), "http://"))
	conn.Write(patternBytes(50000, 4))
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>IncompleteBody</Code>") {
		t.Fatalf("cut body: %d %s", resp.StatusCode, body)
	}
	if n := filesIn(dir); n != 0 {
		t.Fatalf("%d files left after a refused body", n)
	}
}

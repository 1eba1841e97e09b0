package s3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	s3svc "github.com/groundstack/groundstack/harness/emulator/services/s3"
)

// memJournal is a cloud.Journal keeping records in memory and bodies in
// a directory. It checks the contract's order on the way: every body file
// a record names was synced before the record was made.
type memJournal struct {
	t      *testing.T
	dir    string
	mu     sync.Mutex
	recs   []json.RawMessage
	synced map[string]bool
}

func newMemJournal(t *testing.T, dir string) *memJournal {
	return &memJournal{t: t, dir: dir, synced: map[string]bool{}}
}

func (j *memJournal) BlobDir() string { return j.dir }

func (j *memJournal) SyncBlob(f *os.File) error {
	if filepath.Dir(f.Name()) != j.dir {
		j.t.Errorf("SyncBlob of %s, outside the blob directory %s", f.Name(), j.dir)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	j.mu.Lock()
	j.synced[filepath.Base(f.Name())] = true
	j.mu.Unlock()
	return nil
}

func (j *memJournal) Record(_ context.Context, rec any) {
	raw, err := json.Marshal(rec)
	if err != nil {
		j.t.Errorf("a record does not encode: %v", err)
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, f := range filesNamed(raw) {
		if !j.synced[f] {
			j.t.Errorf("record names body file %s, never synced: %s", f, trunc(string(raw)))
		}
	}
	j.recs = append(j.recs, raw)
}

func (j *memJournal) records() []json.RawMessage {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]json.RawMessage(nil), j.recs...)
}

// filesNamed lists the "file" values anywhere in a JSON document.
func filesNamed(raw []byte) []string {
	var v any
	json.Unmarshal(raw, &v)
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "file" {
					out = append(out, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// journaledOf is the emulator's S3 service as a cloud.Journaled.
func journaledOf(t *testing.T, e *emulator.Emulator) cloud.Journaled {
	t.Helper()
	j, ok := saverOf(t, e).(cloud.Journaled)
	if !ok {
		t.Fatal("s3 is not cloud.Journaled")
	}
	return j
}

func checkpointJSON(t *testing.T, j cloud.Journaled) json.RawMessage {
	t.Helper()
	cp, err := j.Checkpoint()
	if err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	raw, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// storm runs n random S3 operations through the SDK: puts, copies,
// deletes (versions and markers), tags, ACLs, multipart uploads completed,
// aborted or left open, bucket configurations, object lock, buckets made
// and deleted. Errors are part of the game (a key already deleted, a
// locked version): the state they leave is what is compared.
func storm(t *testing.T, c *s3.Client, rng *rand.Rand, n int, after func(i int)) {
	t.Helper()
	s := aws.String
	buckets := []string{"b-plain", "b-versioned", "b-locked"}
	for _, b := range buckets {
		in := &s3.CreateBucketInput{Bucket: s(b), ObjectOwnership: types.ObjectOwnershipObjectWriter}
		if b == "b-locked" {
			in.ObjectLockEnabledForBucket = aws.Bool(true)
		}
		if _, err := c.CreateBucket(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: s("b-versioned"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	bucket := func() *string { return s(buckets[rng.IntN(len(buckets))]) }
	key := func() *string { return s(fmt.Sprintf("k%d", rng.IntN(6))) }
	body := func() []byte {
		sizes := []int{0, 1, 17, 4096, 70000}
		b := make([]byte, sizes[rng.IntN(len(sizes))])
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	}
	version := func(b, k *string) *string {
		vs, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b, Prefix: k})
		if err != nil {
			return nil
		}
		var ids []*string
		for _, v := range vs.Versions {
			ids = append(ids, v.VersionId)
		}
		for _, m := range vs.DeleteMarkers {
			ids = append(ids, m.VersionId)
		}
		if len(ids) == 0 {
			return nil
		}
		return ids[rng.IntN(len(ids))]
	}
	var uploads [][3]*string // bucket, key, id
	for i := range n {
		b, k := bucket(), key()
		switch op := rng.IntN(16); op {
		case 0, 1, 2:
			c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: bytes.NewReader(body()), ContentType: s("x/" + fmt.Sprint(i)),
				Metadata: map[string]string{"i": fmt.Sprint(i)}, Tagging: s("t=" + fmt.Sprint(i%3))})
		case 3:
			c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket(), Key: key(), CopySource: s(*b + "/" + *k)})
		case 4:
			c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k})
		case 5:
			c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k, VersionId: version(b, k)})
		case 6:
			c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: k}, {Key: key()}}}})
		case 7:
			c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b, Key: k, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: s("n"), Value: s(fmt.Sprint(i))}}}})
		case 8:
			c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPublicRead})
		case 9:
			mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k, Metadata: map[string]string{"mp": fmt.Sprint(i)}})
			if err == nil {
				uploads = append(uploads, [3]*string{b, k, mp.UploadId})
			}
		case 10:
			if len(uploads) > 0 {
				u := uploads[rng.IntN(len(uploads))]
				c.UploadPart(ctx, &s3.UploadPartInput{Bucket: u[0], Key: u[1], UploadId: u[2], PartNumber: aws.Int32(int32(1 + rng.IntN(2))), Body: bytes.NewReader(body())})
			}
		case 11:
			if len(uploads) > 0 {
				j := rng.IntN(len(uploads))
				u := uploads[j]
				uploads = append(uploads[:j], uploads[j+1:]...)
				parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: u[0], Key: u[1], UploadId: u[2]})
				if err != nil || len(parts.Parts) == 0 || rng.IntN(4) == 0 {
					c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: u[0], Key: u[1], UploadId: u[2]})
					continue
				}
				p := parts.Parts[len(parts.Parts)-1] // one part: any size will do
				c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: u[0], Key: u[1], UploadId: u[2],
					MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: p.PartNumber, ETag: p.ETag}}}})
			}
		case 12:
			c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: s("i"), Value: s(fmt.Sprint(i))}}}})
		case 13:
			if rng.IntN(2) == 0 {
				c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{
					AllowedMethods: []string{"GET"}, AllowedOrigins: []string{fmt.Sprintf("https://%d.example", i)}}}}})
			} else {
				c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b})
			}
		case 14:
			c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: s("b-locked"), Key: k, VersionId: version(s("b-locked"), k),
				LegalHold: &types.ObjectLockLegalHold{Status: []types.ObjectLockLegalHoldStatus{types.ObjectLockLegalHoldStatusOn, types.ObjectLockLegalHoldStatusOff}[rng.IntN(2)]}})
		case 15:
			// A bucket made, given an object and deleted (or not).
			nb := s(fmt.Sprintf("tmp-%d", rng.IntN(3)))
			c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: nb})
			if rng.IntN(2) == 0 {
				c.PutObject(ctx, &s3.PutObjectInput{Bucket: nb, Key: s("x"), Body: bytes.NewReader(body())})
				c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: nb, Key: s("x")})
			}
			if rng.IntN(2) == 0 {
				c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: nb})
			}
		}
		if after != nil {
			after(i)
		}
	}
}

// TestJournalReplay runs random operations on a journaled S3, takes a
// checkpoint early on, and rebuilds a second S3 from that checkpoint and
// every record (those the checkpoint already holds too): it must save the
// same state, bodies byte for byte, and show clients the same.
func TestJournalReplay(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			blobs := t.TempDir()
			e1, c1 := start(t)
			live := journaledOf(t, e1)
			mj := newMemJournal(t, blobs)
			live.SetJournal(mj)
			var early json.RawMessage
			storm(t, c1, rand.New(rand.NewPCG(seed, 7)), 240, func(i int) {
				if i == 60 {
					early = checkpointJSON(t, live)
				}
			})
			recs := mj.records()
			if len(recs) < 100 {
				t.Fatalf("only %d records", len(recs))
			}

			e2, c2 := start(t)
			replayed := journaledOf(t, e2)
			replayed.SetJournal(newMemJournal(t, blobs))
			if err := replayed.LoadCheckpoint(replayed.StateVersion(), early); err != nil {
				t.Fatalf("LoadCheckpoint: %v", err)
			}
			for i, r := range recs {
				if err := replayed.ApplyRecord(replayed.StateVersion(), r); err != nil {
					t.Fatalf("ApplyRecord %d: %v\n%s", i, err, trunc(string(r)))
				}
			}
			want, got := savedJSON(t, live), savedJSON(t, replayed)
			if got != want {
				t.Fatalf("replayed state differs:\n%s", lineDiff(indentJSON(want), indentJSON(got)))
			}
			if a, b := observeS3(t, c1), observeS3(t, c2); a != b {
				t.Errorf("clients see the replayed store differently:\n%s", lineDiff(a, b))
			}
			// Replaying the records again changes nothing.
			for _, r := range recs {
				if err := replayed.ApplyRecord(replayed.StateVersion(), r); err != nil {
					t.Fatal(err)
				}
			}
			if again := savedJSON(t, replayed); again != want {
				t.Errorf("records replayed twice:\n%s", lineDiff(indentJSON(want), indentJSON(again)))
			}
		})
	}
}

func indentJSON(s string) string {
	var b bytes.Buffer
	json.Indent(&b, []byte(s), "", " ")
	return b.String()
}

// TestJournalBodiesAreFiles: with a journal, every body, small ones too,
// is a file of the blob directory, and the checkpoint names them.
func TestJournalBodiesAreFiles(t *testing.T) {
	blobs := t.TempDir()
	e, c := start(t)
	j := journaledOf(t, e)
	mj := newMemJournal(t, blobs)
	j.SetJournal(mj)
	mustCreateBucket(t, c, "bkt")
	mustPut(t, c, "bkt", "tiny", []byte("x"))
	mustPut(t, c, "bkt", "empty", nil)
	var st s3svc.State
	if err := json.Unmarshal(checkpointJSON(t, j), &st); err != nil {
		t.Fatal(err)
	}
	objs := st.Buckets[0].Objects
	if len(objs) != 2 || objs[0].Key != "empty" || len(objs[0].Extents) != 0 || len(objs[1].Extents) != 1 || objs[1].Extents[0].File == "" || objs[1].Body != nil {
		t.Fatalf("checkpoint objects: %+v", objs)
	}
	data, err := os.ReadFile(filepath.Join(blobs, objs[1].Extents[0].File))
	if err != nil || string(data) != "x" {
		t.Fatalf("body file: %q %v", data, err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(blobs, objs[1].Extents[0].File)); err != nil {
		t.Errorf("closing the emulator removed a journaled body: %v", err)
	}
	for _, r := range mj.records() {
		if strings.Contains(string(r), `"reset"`) {
			t.Errorf("closing the emulator recorded a reset: %s", r)
		}
	}
}

// TestJournalMissingOrTornBody: a checkpoint naming a body file that is
// gone, or shorter than its extents, is refused with an error naming the
// file; nothing panics.
func TestJournalMissingOrTornBody(t *testing.T) {
	blobs := t.TempDir()
	e1, c1 := start(t)
	j1 := journaledOf(t, e1)
	j1.SetJournal(newMemJournal(t, blobs))
	mustCreateBucket(t, c1, "bkt")
	mustPut(t, c1, "bkt", "k", []byte("some bytes"))
	cp := checkpointJSON(t, j1)
	files := filesNamed(cp)
	if len(files) != 1 {
		t.Fatalf("files named: %v", files)
	}
	path := filepath.Join(blobs, files[0])
	for _, tc := range []struct {
		name, want string
		damage     func() error
	}{
		{"torn", "torn", func() error { return os.Truncate(path, 4) }},
		{"missing", "missing", func() error { return os.Remove(path) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.damage(); err != nil {
				t.Fatal(err)
			}
			e2, _ := start(t)
			j2 := journaledOf(t, e2)
			j2.SetJournal(newMemJournal(t, blobs))
			err := j2.LoadCheckpoint(j2.StateVersion(), cp)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), files[0]) {
				t.Fatalf("LoadCheckpoint = %v, want an error saying %q and naming %s", err, tc.want, files[0])
			}
		})
	}
}

// TestJournalRemovesDeadBodies: a body file nothing uses is removed only
// once two checkpoints were asked for since (no durable checkpoint or
// record may name it then), and a stray file of the directory too.
func TestJournalRemovesDeadBodies(t *testing.T) {
	blobs := t.TempDir()
	stray := filepath.Join(blobs, "body-stray")
	if err := os.WriteFile(stray, []byte("left by a crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, c := start(t)
	j := journaledOf(t, e)
	j.SetJournal(newMemJournal(t, blobs))
	mustCreateBucket(t, c, "bkt")
	mustPut(t, c, "bkt", "k", []byte("one"))
	first := filesNamed(checkpointJSON(t, j)) // #1: the stray file is doomed
	mustPut(t, c, "bkt", "k", []byte("two"))  // "one" dies
	exists := func(name string) bool { _, err := os.Stat(filepath.Join(blobs, name)); return err == nil }
	checkpointJSON(t, j) // #2: the stray file goes; "one" is doomed
	if exists("body-stray") {
		t.Error("a stray file survived two checkpoints")
	}
	if !exists(first[0]) {
		t.Fatal("a body removed at the first checkpoint after it died: the previous checkpoint may still be the durable one")
	}
	last := filesNamed(checkpointJSON(t, j)) // #3
	if exists(first[0]) {
		t.Error("a dead body survived two checkpoints")
	}
	if len(last) != 1 || !exists(last[0]) {
		t.Errorf("the live body: %v", last)
	}
}

// replayAll rebuilds a fresh journaled S3 from records alone.
func replayAll(t *testing.T, blobs string, recs []json.RawMessage) (cloud.Journaled, *s3.Client) {
	t.Helper()
	e, c := start(t)
	j := journaledOf(t, e)
	j.SetJournal(newMemJournal(t, blobs))
	for i, r := range recs {
		if err := j.ApplyRecord(j.StateVersion(), r); err != nil {
			t.Fatalf("ApplyRecord %d: %v\n%s", i, err, trunc(string(r)))
		}
	}
	return j, c
}

// TestJournalRecordsResetsAndLoads: a reset of the emulator and a snapshot
// loaded into a journaled S3 are recorded like any change: records alone
// rebuild what they left.
func TestJournalRecordsResetsAndLoads(t *testing.T) {
	blobs := t.TempDir()
	e1, c1 := start(t)
	j1 := journaledOf(t, e1)
	mj := newMemJournal(t, blobs)
	j1.SetJournal(mj)
	mustCreateBucket(t, c1, "before-reset")
	mustPut(t, c1, "before-reset", "k", []byte("old"))
	e1.Reset()
	mustCreateBucket(t, c1, "after-reset")
	mustPut(t, c1, "after-reset", "k", []byte("new"))
	j2, c2 := replayAll(t, blobs, mj.records())
	if want, got := savedJSON(t, j1), savedJSON(t, j2); got != want {
		t.Fatalf("after a reset:\n%s", lineDiff(indentJSON(want), indentJSON(got)))
	}
	if list := mustDo[*s3.ListBucketsOutput](t)(c2.ListBuckets(ctx, &s3.ListBucketsInput{})); len(list.Buckets) != 1 {
		t.Errorf("buckets after replaying a reset: %d", len(list.Buckets))
	}

	// A snapshot (bodies inline) loaded into a journaled emulator.
	src, sc := start(t)
	seedS3(t, sc)
	var snap bytes.Buffer
	if err := src.SaveSnapshot(&snap, false); err != nil {
		t.Fatal(err)
	}
	e3, _ := start(t)
	j3 := journaledOf(t, e3)
	mj3 := newMemJournal(t, blobs)
	j3.SetJournal(mj3)
	if _, err := e3.LoadSnapshot(&snap, false); err != nil {
		t.Fatal(err)
	}
	j4, _ := replayAll(t, blobs, mj3.records())
	if want, got := savedJSON(t, saverOf(t, src)), savedJSON(t, j4); got != want {
		t.Fatalf("a loaded snapshot, replayed:\n%s", lineDiff(indentJSON(want), indentJSON(got)))
	}
}

// TestJournalCheckpointWhileServing takes a checkpoint while operations
// run: whatever it caught of them, it and the records rebuild the store.
func TestJournalCheckpointWhileServing(t *testing.T) {
	blobs := t.TempDir()
	e1, c1 := start(t)
	live := journaledOf(t, e1)
	mj := newMemJournal(t, blobs)
	live.SetJournal(mj)
	var cp json.RawMessage
	var cpErr error
	var wg sync.WaitGroup
	storm(t, c1, rand.New(rand.NewPCG(42, 1)), 200, func(i int) {
		if i == 40 {
			wg.Add(1)
			go func() { // runs alongside the operations that follow
				defer wg.Done()
				var v any
				if v, cpErr = live.Checkpoint(); cpErr == nil {
					cp, cpErr = json.Marshal(v)
				}
			}()
		}
	})
	wg.Wait()
	if cpErr != nil {
		t.Fatal(cpErr)
	}
	e2, _ := start(t)
	replayed := journaledOf(t, e2)
	replayed.SetJournal(newMemJournal(t, blobs))
	if err := replayed.LoadCheckpoint(replayed.StateVersion(), cp); err != nil {
		t.Fatal(err)
	}
	for i, r := range mj.records() {
		if err := replayed.ApplyRecord(replayed.StateVersion(), r); err != nil {
			t.Fatalf("ApplyRecord %d: %v", i, err)
		}
	}
	if want, got := savedJSON(t, live), savedJSON(t, replayed); got != want {
		t.Fatalf("replayed state differs:\n%s", lineDiff(indentJSON(want), indentJSON(got)))
	}
}

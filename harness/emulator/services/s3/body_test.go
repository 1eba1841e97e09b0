package s3

import (
	"bytes"
	"crypto/md5"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// spillStore is a store whose bodies past 64 bytes go to a directory
// under a test temp dir.
func spillStore(t *testing.T) (*Store, string) {
	t.Helper()
	parent := t.TempDir()
	s := NewStoreAt(parent, 64)
	t.Cleanup(func() { s.Close() })
	if err := s.CreateBucket(bg, "b", "us-east-1", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	return s, parent
}

// filesUnder counts regular files below dir.
func filesUnder(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// writeBody writes data through a writer of s, as a request body is.
func writeBody(t *testing.T, s *Store, data []byte) *Body {
	t.Helper()
	w, err := s.bodies.newWriter(int64(len(data)), "CRC32")
	if err != nil {
		t.Fatal(err)
	}
	if err := readPlain(bytes.NewReader(data), int64(len(data)), w); err != nil {
		t.Fatal(err)
	}
	b, err := w.finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func putBody(t *testing.T, s *Store, key string, b *Body) *Object {
	t.Helper()
	o := &Object{Key: key, Body: b}
	if err := o.Seal(time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutObject(bg, "b", o, PutCondition{}, "Put"); err != nil {
		t.Fatal(err)
	}
	return o
}

// pattern is n bytes that differ from offset to offset.
func pattern(n int, seed byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(i*7) ^ seed ^ byte(i>>8)
	}
	return out
}

// A body past the threshold is a file in a private directory, with the
// MD5 and checksum of its bytes; one at the threshold stays in memory.
func TestBodiesSpillPastThreshold(t *testing.T) {
	s, parent := spillStore(t)
	small := writeBody(t, s, pattern(64, 1))
	if small.spilled() || filesUnder(t, parent) != 0 {
		t.Fatalf("a 64-byte body went to disk")
	}
	data := pattern(1000, 2)
	big := writeBody(t, s, data)
	defer big.Release()
	if !big.spilled() || filesUnder(t, parent) != 1 {
		t.Fatalf("a 1000-byte body is not one file (spilled %v, files %d)", big.spilled(), filesUnder(t, parent))
	}
	dirs, _ := os.ReadDir(parent)
	if len(dirs) != 1 {
		t.Fatalf("%d entries under the parent, want the store's directory", len(dirs))
	}
	if fi, _ := os.Stat(filepath.Join(parent, dirs[0].Name())); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
	}
	if got := bodyBytes(big); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, not what was written", len(got))
	}
	if sum, _ := big.MD5(); sum != md5.Sum(data) {
		t.Errorf("MD5 %x, want %x", sum, md5.Sum(data))
	}
	if got, _ := bodyChecksum("CRC32", big); got != computeChecksum("CRC32", data) {
		t.Errorf("CRC32 %s, want %s", got, computeChecksum("CRC32", data))
	}
}

// Slices and concatenations of bodies in memory and on disk read as the
// same operations on their bytes, through Read and WriteTo alike.
func TestBodySliceConcat(t *testing.T) {
	s, _ := spillStore(t)
	a, b, c := pattern(300, 1), pattern(40, 2), pattern(500, 3)
	ba, bb, bc := writeBody(t, s, a), writeBody(t, s, b), writeBody(t, s, c)
	defer ba.Release()
	defer bb.Release()
	defer bc.Release()
	all := Concat([]*Body{ba, bb, bc, ba})
	defer all.Release()
	want := bytes.Join([][]byte{a, b, c, a}, nil)
	if all.Size() != int64(len(want)) || !bytes.Equal(bodyBytes(all), want) {
		t.Fatalf("concat reads %d bytes, want %d equal", len(bodyBytes(all)), len(want))
	}
	for _, r := range [][2]int64{{0, 1}, {299, 2}, {310, 400}, {0, int64(len(want))}, {339, 1}, {840, 300}, {1139, 1}} {
		off, n := r[0], r[1]
		sl := all.Slice(off, n)
		if got := bodyBytes(sl); !bytes.Equal(got, want[off:off+n]) {
			t.Errorf("slice %d+%d reads wrong bytes", off, n)
		}
		var buf bytes.Buffer
		rd := all.NewReader(off, n)
		if _, err := io.Copy(&buf, rd); err != nil || !bytes.Equal(buf.Bytes(), want[off:off+n]) {
			t.Errorf("WriteTo %d+%d: %v", off, n, err)
		}
		rd.Close()
		if sum, _ := sl.MD5(); sum != md5.Sum(want[off:off+n]) {
			t.Errorf("slice %d+%d MD5 wrong", off, n)
		}
		sl.Release()
	}
}

// An object's file stays while a reader that opened it streams, whatever
// happens to the key meanwhile, and goes with the last reference.
func TestOpenBodySurvivesOverwriteAndDelete(t *testing.T) {
	s, parent := spillStore(t)
	old := pattern(4096, 9)
	putBody(t, s, "k", writeBody(t, s, old))
	o, err := s.Open("b", "k")
	if err != nil {
		t.Fatal(err)
	}
	r := o.Body.NewReader(0, o.Size())
	first := make([]byte, 100)
	if _, err := io.ReadFull(r, first); err != nil {
		t.Fatal(err)
	}
	putBody(t, s, "k", writeBody(t, s, pattern(4096, 10)))            // overwrite
	s.DeleteObjects(bg, "b", []ObjectID{{Key: "k"}}, time.Unix(0, 0)) // and delete
	s.Reset(bg)
	rest, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(append(first, rest...), old) {
		t.Fatalf("reader saw %d bytes (%v), not the old object", len(first)+len(rest), err)
	}
	if n := filesUnder(t, parent); n != 1 {
		t.Fatalf("%d files while the reader holds the old body, want 1", n)
	}
	o.Body.Release()
	if n := filesUnder(t, parent); n != 0 || s.SpilledFiles() != 0 {
		t.Fatalf("%d files (%d counted) after the last release", n, s.SpilledFiles())
	}
}

// Every way a body leaves the store removes its file: overwrite, delete,
// part replaced, abort, complete (parts not listed too), DeleteBucket with
// uploads in progress, Reset, and Close removes the directory.
func TestBodiesLeaveNoFiles(t *testing.T) {
	s, parent := spillStore(t)
	now := time.Unix(0, 0)
	check := func(step string, want int) {
		t.Helper()
		if n := filesUnder(t, parent); n != want || s.SpilledFiles() != int64(want) {
			t.Fatalf("after %s: %d files (%d counted), want %d", step, n, s.SpilledFiles(), want)
		}
	}
	putBody(t, s, "k", writeBody(t, s, pattern(100, 1)))
	check("put", 1)
	putBody(t, s, "k", writeBody(t, s, pattern(100, 2)))
	check("overwrite", 1)
	src, _ := s.Open("b", "k")
	putBody(t, s, "copy", src.Body) // CopyObject shares the body
	check("copy", 1)
	s.DeleteObjects(bg, "b", []ObjectID{{Key: "k"}}, now)
	check("delete of a shared body", 1)
	s.DeleteObjects(bg, "b", []ObjectID{{Key: "copy"}}, now)
	check("delete", 0)

	part := func(id string, n int, data []byte) {
		t.Helper()
		p, err := NewPart(n, writeBody(t, s, data), Checksum{}, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutPart(bg, "b", "mp", id, p); err != nil {
			t.Fatal(err)
		}
	}
	s.CreateUpload(bg, "b", &Upload{ID: "u1", Key: "mp", Template: &Object{}})
	part("u1", 1, pattern(100, 1))
	part("u1", 1, pattern(100, 2)) // replaced
	part("u1", 2, pattern(100, 3))
	check("parts", 2)
	s.AbortUpload(bg, "b", "mp", "u1")
	check("abort", 0)

	s.CreateUpload(bg, "b", &Upload{ID: "u2", Key: "mp", Template: &Object{}})
	big := pattern(MinPartSize, 4)
	part("u2", 1, big)
	part("u2", 2, pattern(100, 5))
	part("u2", 3, pattern(100, 6)) // not listed: dropped by Complete
	p1, _ := NewPart(1, BytesBody(big), Checksum{}, now)
	p2, _ := NewPart(2, BytesBody(pattern(100, 5)), Checksum{}, now)
	obj, err := s.CompleteUpload(bg, "b", "mp", "u2", []PartRef{{1, p1.ETag}, {2, p2.ETag}}, now)
	if err != nil {
		t.Fatal(err)
	}
	check("complete", 2)
	if got := bodyBytes(obj.Body); !bytes.Equal(got, append(append([]byte(nil), big...), pattern(100, 5)...)) {
		t.Fatalf("completed object reads %d wrong bytes", len(got))
	}
	s.DeleteObjects(bg, "b", []ObjectID{{Key: "mp"}}, now)
	check("delete of a multipart object", 0)

	s.CreateUpload(bg, "b", &Upload{ID: "u3", Key: "mp", Template: &Object{}})
	part("u3", 1, pattern(100, 7))
	if err := s.DeleteBucket(bg, "b"); err != nil {
		t.Fatal(err)
	}
	check("DeleteBucket with an upload in progress", 0)

	s.CreateBucket(bg, "b", "us-east-1", now)
	putBody(t, s, "k", writeBody(t, s, pattern(100, 8)))
	s.CreateUpload(bg, "b", &Upload{ID: "u4", Key: "mp", Template: &Object{}})
	part("u4", 1, pattern(100, 9))
	check("before Reset", 2)
	s.Reset(bg)
	check("Reset", 0)

	s.CreateBucket(bg, "b", "us-east-1", now)
	putBody(t, s, "k", writeBody(t, s, pattern(100, 8)))
	s.Close()
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("Close left %d entries", len(entries))
	}
	if _, err := s.bodies.newWriter(1000, ""); err == nil {
		t.Fatal("a closed store took a body")
	}
}

// A write refused by the store (a failed condition, a missing bucket or
// upload) releases the body it was given.
func TestRefusedWritesReleaseBodies(t *testing.T) {
	s, parent := spillStore(t)
	now := time.Unix(0, 0)
	putBody(t, s, "k", writeBody(t, s, pattern(100, 1)))
	o := &Object{Key: "k", Body: writeBody(t, s, pattern(100, 2))}
	o.Seal(now)
	if err := s.PutObject(bg, "b", o, PutCondition{IfNoneMatchAny: true}, "Put"); codeOf(err) != "PreconditionFailed" {
		t.Fatalf("conditional put: %v", err)
	}
	o = &Object{Key: "k", Body: writeBody(t, s, pattern(100, 3))}
	o.Seal(now)
	if err := s.PutObject(bg, "nob", o, PutCondition{}, "Put"); codeOf(err) != "NoSuchBucket" {
		t.Fatalf("put to a missing bucket: %v", err)
	}
	p, _ := NewPart(1, writeBody(t, s, pattern(100, 4)), Checksum{}, now)
	if err := s.PutPart(bg, "b", "k", "nope", p); codeOf(err) != "NoSuchUpload" {
		t.Fatalf("part of a missing upload: %v", err)
	}
	if n := filesUnder(t, parent); n != 1 {
		t.Fatalf("%d files, want only the stored object's", n)
	}
}

// Readers, overwrites, copies, deletes and resets racing on spilled
// bodies: every read sees one whole version, and nothing is left on disk.
func TestBodiesConcurrent(t *testing.T) {
	s, parent := spillStore(t)
	versions := [][]byte{pattern(3000, 1), pattern(5000, 2), pattern(200, 3)}
	putBody(t, s, "k", writeBody(t, s, versions[0]))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				o, err := s.Open("b", "k")
				if err != nil {
					continue // deleted or reset for a moment
				}
				got := bodyBytes(o.Body)
				o.Body.Release()
				ok := false
				for _, v := range versions {
					ok = ok || bytes.Equal(got, v)
				}
				if !ok {
					t.Errorf("read %d bytes that are no version", len(got))
					return
				}
			}
		}()
	}
	for i := 0; i < 300; i++ {
		switch i % 5 {
		case 0, 1, 2:
			putBody(t, s, "k", writeBody(t, s, versions[i%3]))
		case 3:
			if src, err := s.Open("b", "k"); err == nil {
				putBody(t, s, "copy", src.Body)
			}
		case 4:
			s.DeleteObjects(bg, "b", []ObjectID{{Key: "k"}, {Key: "copy"}}, time.Unix(0, 0))
		}
	}
	close(stop)
	wg.Wait()
	s.Reset(bg)
	if n := filesUnder(t, parent); n != 0 {
		t.Fatalf("%d files left", n)
	}
}

// A range copy of a multipart object that would take too many extents is
// copied to a file of its own; the result reads the same either way.
func TestCopyRangeBoundsExtents(t *testing.T) {
	svc := New(testEnv(t, 64))
	t.Cleanup(func() { svc.Close() })
	s := svc.store
	s.CreateBucket(bg, "b", "us-east-1", time.Unix(0, 0))
	parts := make([]*Body, 3*maxPartExtents)
	var want []byte
	for i := range parts {
		d := pattern(100, byte(i))
		parts[i] = writeBody(t, s, d)
		want = append(want, d...)
	}
	all := Concat(parts)
	for _, p := range parts {
		p.Release()
	}
	putBody(t, s, "mp", all)
	src, _ := s.Open("b", "mp")
	defer src.Body.Release()
	few, err := svc.copyRange(src, "bytes=150-449")
	if err != nil || len(few.exts) != 4 || !bytes.Equal(bodyBytes(few), want[150:450]) {
		t.Fatalf("short range: %v, %d extents", err, len(few.exts))
	}
	few.Release()
	many, err := svc.copyRange(src, "")
	if err != nil || len(many.exts) > maxPartExtents || !bytes.Equal(bodyBytes(many), want) {
		t.Fatalf("whole object: %v, %d extents", err, len(many.exts))
	}
	many.Release()
}

func testEnv(t *testing.T, inMemory int64) *cloud.Env {
	env := cloud.DefaultEnv()
	env.TempDir = t.TempDir()
	env.MaxBodyInMemory = inMemory
	return env
}

// FuzzBodySlice: any slice of any concatenation of bodies in memory and on
// disk reads as the same slice of their bytes, and releasing everything
// leaves no file.
func FuzzBodySlice(f *testing.F) {
	f.Add([]byte{10, 200, 3, 90}, uint16(5), uint16(100))
	f.Add([]byte{65, 1}, uint16(0), uint16(66))
	f.Add([]byte{255, 255, 255}, uint16(700), uint16(65))
	f.Fuzz(func(t *testing.T, sizes []byte, off, n uint16) {
		if len(sizes) > 8 {
			return
		}
		s, parent := spillStore(t)
		var parts []*Body
		var want []byte
		for i, sz := range sizes {
			d := pattern(int(sz)+int(i)*37%90, byte(i))
			parts = append(parts, writeBody(t, s, d))
			want = append(want, d...)
		}
		all := Concat(parts)
		for _, p := range parts {
			p.Release()
		}
		o, k := int64(off), int64(n)
		if o > int64(len(want)) {
			o = int64(len(want))
		}
		k = min(k, int64(len(want))-o)
		sl := all.Slice(o, k)
		all.Release()
		if got := bodyBytes(sl); !bytes.Equal(got, want[o:o+k]) {
			t.Fatalf("slice %d+%d of %v reads wrong bytes", o, k, sizes)
		}
		sl.Release()
		if n := filesUnder(t, parent); n != 0 {
			t.Fatalf("%d files left", n)
		}
	})
}

// CompleteUpload racing AbortUpload and Reset: whoever wins, the parts'
// files are released exactly once (the count never goes wrong) and none
// is left behind.
func TestCompleteRacingAbortAndReset(t *testing.T) {
	s, parent := spillStore(t)
	now := time.Unix(0, 0)
	big, tail := pattern(MinPartSize, 1), pattern(100, 2)
	e1, _ := NewPart(1, BytesBody(big), Checksum{}, now)
	e2, _ := NewPart(2, BytesBody(tail), Checksum{}, now)
	refs := []PartRef{{1, e1.ETag}, {2, e2.ETag}}
	for i := 0; i < 50; i++ {
		s.CreateBucket(bg, "b", "us-east-1", now)
		if err := s.CreateUpload(bg, "b", &Upload{ID: "u", Key: "mp", Template: &Object{}}); err != nil {
			t.Fatal(err)
		}
		for n, d := range [][]byte{big, tail} {
			p, _ := NewPart(n+1, writeBody(t, s, d), Checksum{}, now)
			s.PutPart(bg, "b", "mp", "u", p)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); s.CompleteUpload(bg, "b", "mp", "u", refs, now) }()
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				s.AbortUpload(bg, "b", "mp", "u")
			} else {
				s.Reset(bg)
			}
		}()
		wg.Wait()
		s.Reset(bg)
		if n, c := filesUnder(t, parent), s.SpilledFiles(); n != 0 || c != 0 {
			t.Fatalf("iteration %d: %d files, %d counted after Reset", i, n, c)
		}
	}
}

package s3

import (
	"crypto/md5"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// This file keeps object and part bytes without whole-object buffers: a body
// up to a threshold lives in memory, a larger one in a file of a private
// directory, and a completed multipart object is the list of its parts'
// extents, never a copy. Bodies are immutable and reference-counted, so a
// GET streaming an object that is overwritten or deleted meanwhile still
// reads every byte of the old one; a file is removed when the last body
// that uses it is released.

// DefaultMaxBodyInMemory is the size above which a body goes to disk.
const DefaultMaxBodyInMemory = 1 << 20

// maxPartExtents bounds the extents of one part copied from a range of a
// multipart object: past it the range is copied into a file of its own, so
// objects built from copies of copies cannot multiply their extent lists.
const maxPartExtents = 32

// copyBufSize is the buffer bodies stream through, in and out.
const copyBufSize = 256 << 10

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// errClosed is a write to the bodies of a closed store.
var errClosed = errors.New("s3: store closed")

// diskError is a failure to write a body's file (the emulator's fault, not
// the request's).
type diskError struct{ err error }

func (e diskError) Error() string { return "s3: writing a body: " + e.err.Error() }
func (e diskError) Unwrap() error { return e.err }

// bodies is where a store's bodies live: the memory threshold, and the
// directory of spilled bodies, created on first need (an emulator that
// stores no large object touches no disk) and removed by close.
type bodies struct {
	parent   string // where the directory is made; "" is os.TempDir()
	inMemory int64  // bodies up to this size stay in memory

	mu     sync.Mutex
	dir    string
	closed bool
	files  atomic.Int64 // live files, for tests and the state summary
	// blobs is set when the bodies live in a journal's blob directory
	// (journal.go): then every body is a file, and files outlive their
	// last reference until no checkpoint or record may name them.
	blobs *blobs
}

func newBodies(parent string, inMemory int64) *bodies {
	if inMemory <= 0 {
		inMemory = DefaultMaxBodyInMemory
	}
	return &bodies{parent: parent, inMemory: inMemory}
}

// create makes a new file for a body (0600, in the private directory).
func (bs *bodies) create() (*bodyFile, *os.File, error) {
	bs.mu.Lock()
	if bs.closed {
		bs.mu.Unlock()
		return nil, nil, errClosed
	}
	if bs.dir == "" && bs.blobs == nil {
		dir, err := os.MkdirTemp(bs.parent, "groundstack-s3-") // 0700
		if err != nil {
			bs.mu.Unlock()
			return nil, nil, err
		}
		bs.dir = dir
	}
	dir := bs.dir
	bs.mu.Unlock()
	f, err := os.CreateTemp(dir, "body-")
	if err != nil {
		return nil, nil, err
	}
	bs.files.Add(1)
	bf := &bodyFile{path: f.Name(), owner: bs, size: -1}
	bf.refs.Store(1)
	if bs.blobs != nil {
		bs.mu.Lock()
		bs.blobs.byName[bf.name()] = bf
		bs.mu.Unlock()
	}
	return bf, f, nil
}

// close removes the directory and every file in it; later writes fail.
// Readers still streaming a spilled body get an error.
func (bs *bodies) close() error {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.closed = true
	if bs.dir == "" || bs.blobs != nil { // a journal's bodies outlive the process
		return nil
	}
	err := os.RemoveAll(bs.dir)
	bs.dir = ""
	return err
}

// bodyFile is one spilled file, removed when its last extent is released.
type bodyFile struct {
	path  string
	owner *bodies
	refs  atomic.Int64
	size  int64 // as found when loaded; -1 for files written here
}

func (f *bodyFile) retain() { f.refs.Add(1) }

func (f *bodyFile) release() {
	if f.refs.Add(-1) == 0 {
		if f.owner.blobs != nil {
			f.owner.retire(f)
			return
		}
		os.Remove(f.path)
		f.owner.files.Add(-1)
	}
}

// name is the file's name in its directory (how records name it).
func (f *bodyFile) name() string { return filepath.Base(f.path) }

// extent is a run of a body's bytes: in memory, or n bytes at off of a file.
type extent struct {
	mem    []byte
	file   *bodyFile
	off, n int64
}

func (e *extent) size() int64 {
	if e.file == nil {
		return int64(len(e.mem))
	}
	return e.n
}

// Body is the bytes of an object or a part, immutable once made. A body
// in memory is one byte slice (and needs no reference counting); a spilled
// or assembled one is a list of extents holding references on their files.
//
// Every owner of a body holds a reference: the store one per object or part
// that has it, a reader one for as long as it reads (Retain while the
// store's lock guarantees another reference, Release when done).
type Body struct {
	size   int64
	mem    []byte   // a body in memory (exts nil)
	exts   []extent // otherwise
	refs   atomic.Int64
	md5    [16]byte
	hasMD5 bool
}

// BytesBody is a body in memory holding b (which must not change after).
func BytesBody(b []byte) *Body { return &Body{size: int64(len(b)), mem: b} }

// Size is the body's length in bytes.
func (b *Body) Size() int64 { return b.size }

// spilled reports whether the body is counted (not a plain byte slice).
func (b *Body) spilled() bool { return b.exts != nil }

// Retain adds a reference (the caller must already hold one, or hold the
// lock of the store that does) and returns b.
func (b *Body) Retain() *Body {
	if b != nil && b.spilled() {
		b.refs.Add(1)
	}
	return b
}

// Release drops a reference; the last one releases the body's files.
func (b *Body) Release() {
	if b == nil || !b.spilled() {
		return
	}
	if b.refs.Add(-1) == 0 {
		for i := range b.exts {
			if f := b.exts[i].file; f != nil {
				f.release()
			}
		}
	}
}

// newBodyOf makes a counted body of exts, retaining their files.
func newBodyOf(exts []extent) *Body {
	b := &Body{exts: exts}
	for i := range exts {
		b.size += exts[i].size()
		if f := exts[i].file; f != nil {
			f.retain()
		}
	}
	b.refs.Store(1)
	return b
}

// extents is the body's extents, a body in memory being one.
func (b *Body) extents() []extent {
	if b.exts != nil {
		return b.exts
	}
	return []extent{{mem: b.mem}}
}

// Slice returns the n bytes at off as a body that shares b's memory and
// files (the whole of b is b itself, retained). The caller owns the result.
func (b *Body) Slice(off, n int64) *Body {
	if off == 0 && n == b.size {
		return b.Retain()
	}
	if !b.spilled() {
		return BytesBody(b.mem[off : off+n])
	}
	var out []extent
	for _, e := range b.exts {
		sz := e.size()
		if off >= sz {
			off -= sz
			continue
		}
		take := min(sz-off, n)
		if e.file == nil {
			out = append(out, extent{mem: e.mem[off : off+take]})
		} else {
			out = append(out, extent{file: e.file, off: e.off + off, n: take})
		}
		n -= take
		off = 0
		if n == 0 {
			break
		}
	}
	if len(out) == 1 && out[0].file == nil {
		return BytesBody(out[0].mem)
	}
	return newBodyOf(out)
}

// Concat returns the bodies one after the other, sharing their memory and
// files. The caller owns the result; the parts keep their own references.
func Concat(parts []*Body) *Body {
	n := 0
	for _, p := range parts {
		n += len(p.extents())
	}
	exts := make([]extent, 0, n)
	for _, p := range parts {
		for _, e := range p.extents() {
			if e.size() > 0 {
				exts = append(exts, e)
			}
		}
	}
	switch {
	case len(exts) == 0:
		return BytesBody(nil)
	case len(exts) == 1 && exts[0].file == nil:
		return BytesBody(exts[0].mem)
	}
	return newBodyOf(exts)
}

// MD5 is the MD5 of the body: known when it was written, else computed by
// reading it (a slice or an assembly).
func (b *Body) MD5() ([16]byte, error) {
	if !b.spilled() {
		return md5.Sum(b.mem), nil
	}
	if b.hasMD5 {
		return b.md5, nil
	}
	h := md5.New()
	if err := b.hash(h); err != nil {
		return [16]byte{}, err
	}
	var out [16]byte
	h.Sum(out[:0])
	return out, nil
}

// hash writes the whole body to h.
func (b *Body) hash(h hash.Hash) error {
	if !b.spilled() {
		h.Write(b.mem)
		return nil
	}
	r := b.NewReader(0, b.size)
	defer r.Close()
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	_, err := io.CopyBuffer(onlyWriter{h}, r, *buf)
	return err
}

// onlyWriter hides other methods of a writer (io.CopyBuffer must use the
// buffer it is given, not a ReaderFrom).
type onlyWriter struct{ io.Writer }

// Bytes returns the whole body in a new slice (for Lambda code from S3).
func (b *Body) Bytes() ([]byte, error) {
	if !b.spilled() {
		return append([]byte(nil), b.mem...), nil
	}
	out := make([]byte, b.size)
	r := b.NewReader(0, b.size)
	defer r.Close()
	_, err := io.ReadFull(r, out)
	return out, err
}

// NewReader reads n bytes of the body from off. The caller holds a
// reference on b until Close.
func (b *Body) NewReader(off, n int64) *BodyReader {
	return &BodyReader{exts: b.extents(), off: off, left: n}
}

// BodyReader streams part of a body: extents in memory as they are, files
// through one open descriptor at a time.
type BodyReader struct {
	exts []extent
	off  int64 // in exts[0]
	left int64
	cur  *bodyFile
	f    *os.File
}

// next skips to the extent holding the next byte: its bytes from off on,
// at most left of them.
func (r *BodyReader) next() (e extent, off, n int64, ok bool) {
	for len(r.exts) > 0 {
		sz := r.exts[0].size()
		if r.off < sz {
			return r.exts[0], r.off, min(sz-r.off, r.left), r.left > 0
		}
		r.off -= sz
		r.exts = r.exts[1:]
	}
	return extent{}, 0, 0, false
}

// file returns an open descriptor of bf (kept while consecutive extents
// are in the same file).
func (r *BodyReader) file(bf *bodyFile) (*os.File, error) {
	if r.cur == bf {
		return r.f, nil
	}
	if r.f != nil {
		r.f.Close()
		r.f, r.cur = nil, nil
	}
	f, err := os.Open(bf.path)
	if err != nil {
		return nil, err
	}
	r.f, r.cur = f, bf
	return f, nil
}

func (r *BodyReader) advance(k int64) {
	r.off += k
	r.left -= k
}

// Read implements io.Reader.
func (r *BodyReader) Read(p []byte) (int, error) {
	e, off, n, ok := r.next()
	if !ok {
		return 0, io.EOF
	}
	n = min(n, int64(len(p)))
	if e.file == nil {
		copy(p, e.mem[off:off+n])
		r.advance(n)
		return int(n), nil
	}
	f, err := r.file(e.file)
	if err != nil {
		return 0, err
	}
	k, err := f.ReadAt(p[:n], e.off+off)
	r.advance(int64(k))
	if err == io.EOF && int64(k) == n {
		err = nil
	} else if err == io.EOF {
		err = io.ErrUnexpectedEOF // a file shorter than its extent
	}
	return k, err
}

// WriteTo implements io.WriterTo: memory is written as it is, file ranges
// through w's ReadFrom (sendfile where w is a network connection) or one
// pooled buffer.
func (r *BodyReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		e, off, n, ok := r.next()
		if !ok {
			return total, nil
		}
		if e.file == nil {
			k, err := w.Write(e.mem[off : off+n])
			total += int64(k)
			r.advance(int64(k))
			if err != nil {
				return total, err
			}
			continue
		}
		f, err := r.file(e.file)
		if err != nil {
			return total, err
		}
		if _, err := f.Seek(e.off+off, io.SeekStart); err != nil {
			return total, err
		}
		var k int64
		if rf, ok := w.(io.ReaderFrom); ok {
			k, err = rf.ReadFrom(io.LimitReader(f, n))
		} else {
			// One pooled buffer, not io.Copy's 32 KiB per extent.
			buf := copyBufs.Get().(*[]byte)
			k, err = io.CopyBuffer(w, io.LimitReader(f, n), *buf)
			copyBufs.Put(buf)
		}
		total += k
		r.advance(k)
		if err != nil {
			return total, err
		}
		if k < n {
			return total, io.ErrUnexpectedEOF
		}
	}
}

// Close closes the open file, if any.
func (r *BodyReader) Close() error {
	if r.f != nil {
		err := r.f.Close()
		r.f, r.cur = nil, nil
		return err
	}
	return nil
}

// bodyWriter receives a body of a declared size as it arrives: into memory
// up to the threshold, else into a new file, hashing MD5 (the ETag) and a
// checksum algorithm named up front while it writes. Its buf/wrote pair
// lets decoders read straight into the body's memory.
type bodyWriter struct {
	bs   *bodies
	want int64

	mem []byte // in memory: grows as bytes arrive, up to want

	file    *bodyFile // spilled: the file, its descriptor, and the buffer
	f       *os.File  // bytes are read into
	scratch *[]byte
	n       int64
	md5     hash.Hash
	sumAlg  string
	sum     hash.Hash
}

// eagerAlloc bounds what a declared length may allocate before its bytes
// arrive (only matters for thresholds set past it).
const eagerAlloc = 32 << 20

// newWriter prepares for want bytes; alg is a checksum algorithm to hash on
// the way when the body goes to disk ("" for none).
func (bs *bodies) newWriter(want int64, alg string) (*bodyWriter, error) {
	w := &bodyWriter{}
	if err := bs.startWriter(w, want, alg); err != nil {
		return nil, err
	}
	return w, nil
}

// startWriter is newWriter into w (which the caller may keep on its stack:
// one allocation less on every PUT).
func (bs *bodies) startWriter(w *bodyWriter, want int64, alg string) error {
	*w = bodyWriter{bs: bs, want: want}
	if want <= bs.inMemory || want == 0 {
		w.mem = make([]byte, 0, min(want, eagerAlloc))
		return nil
	}
	file, f, err := bs.create()
	if err != nil {
		return err
	}
	w.file, w.f = file, f
	w.scratch = copyBufs.Get().(*[]byte)
	w.md5 = md5.New()
	if h := newChecksumHash(alg); h != nil {
		w.sumAlg, w.sum = alg, h
	}
	return nil
}

// buf returns room for up to n more bytes, to be filled and then
// confirmed with wrote. It may offer fewer than n.
func (w *bodyWriter) buf(n int) []byte {
	if w.f != nil {
		return (*w.scratch)[:min(n, len(*w.scratch))]
	}
	l := len(w.mem)
	if l+n > cap(w.mem) {
		nb := make([]byte, l, max(min(2*cap(w.mem), int(w.want)), l+n))
		copy(nb, w.mem)
		w.mem = nb
	}
	return w.mem[l : l+n]
}

// wrote confirms that the first n bytes of the last buf hold data.
func (w *bodyWriter) wrote(n int) error {
	if w.f == nil {
		w.mem = w.mem[:len(w.mem)+n]
		return nil
	}
	p := (*w.scratch)[:n]
	if _, err := w.f.Write(p); err != nil {
		return diskError{err}
	}
	w.md5.Write(p)
	if w.sum != nil {
		w.sum.Write(p)
	}
	w.n += int64(n)
	return nil
}

// written is how many bytes the body holds so far.
func (w *bodyWriter) written() int64 {
	if w.f == nil {
		return int64(len(w.mem))
	}
	return w.n
}

// finish returns the body, which the caller owns.
func (w *bodyWriter) finish() (*Body, error) { return w.finishInto(nil) }

// finishInto makes the body in b, a new Body that nobody uses yet (nil:
// allocate one), and returns it.
func (w *bodyWriter) finishInto(b *Body) (*Body, error) {
	if b == nil {
		b = &Body{}
	}
	if w.f == nil {
		b.size, b.mem = int64(len(w.mem)), w.mem
		return b, nil
	}
	copyBufs.Put(w.scratch)
	w.scratch = nil
	var err error
	if w.bs.blobs != nil { // durable before any record names it
		err = w.bs.blobs.sync(w.f)
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err != nil {
		w.file.release()
		return nil, err
	}
	b.size, b.exts, b.hasMD5 = w.n, []extent{{file: w.file, n: w.n}}, true
	w.md5.Sum(b.md5[:0])
	b.refs.Store(1)
	return b, nil
}

// checksum is the checksum hashed on the way, if it was alg's.
func (w *bodyWriter) checksum(alg string) ([]byte, bool) {
	if w.sum == nil || w.sumAlg != alg {
		return nil, false
	}
	return w.sum.Sum(nil), true
}

// abort drops what was written.
func (w *bodyWriter) abort() {
	if w.f != nil {
		copyBufs.Put(w.scratch)
		w.scratch = nil
		w.f.Close()
		w.f = nil
		w.file.release()
	}
	w.mem = nil
}

// copyBody writes n bytes of src from off into a new body of bs (a copy,
// not a share: for ranges whose extents would be too many).
func (bs *bodies) copyBody(src *Body, off, n int64) (*Body, error) {
	w, err := bs.newWriter(n, "")
	if err != nil {
		return nil, err
	}
	r := src.NewReader(off, n)
	defer r.Close()
	for w.written() < n {
		p := w.buf(int(min(n-w.written(), copyBufSize)))
		if _, err := io.ReadFull(r, p); err != nil {
			w.abort()
			return nil, err
		}
		if err := w.wrote(len(p)); err != nil {
			w.abort()
			return nil, err
		}
	}
	return w.finish()
}

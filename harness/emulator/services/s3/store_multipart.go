package s3

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits S3 enforces on multipart uploads.
const (
	MinPartSize   = 5 << 20 // every part but the last
	MaxPartNumber = 10000
)

// Upload is an in-progress multipart upload.
type Upload struct {
	ID        string
	Key       string
	Initiated time.Time
	// Template carries the headers, metadata and storage class the final
	// object gets (CreateMultipartUpload's headers).
	Template          *Object
	ChecksumAlgorithm string

	mu    sync.Mutex
	parts map[int]*Part
	done  bool // completed or aborted: no part may be added any more
}

// Part is one uploaded part.
type Part struct {
	Number       int
	Body         *Body
	ETag         string // quoted
	LastModified time.Time
	Checksum     Checksum
	md5          [16]byte
}

// NewPart builds a part of body (which it takes: released if the MD5
// cannot be read back).
func NewPart(number int, body *Body, sum Checksum, now time.Time) (*Part, error) {
	p := &Part{Number: number, Body: body, Checksum: sum, LastModified: now.UTC().Truncate(time.Second)}
	var err error
	if p.md5, err = body.MD5(); err != nil {
		body.Release()
		return nil, err
	}
	p.ETag = quoteHex(p.md5[:])
	return p, nil
}

// Size is the part's length in bytes.
func (p *Part) Size() int64 { return p.Body.Size() }

// close ends an upload (no part may be added any more) and releases its
// parts' bodies.
func (u *Upload) close() {
	u.mu.Lock()
	u.done = true
	parts := u.parts
	u.parts = map[int]*Part{}
	u.mu.Unlock()
	for _, p := range parts {
		p.Body.Release()
	}
}

// CreateUpload starts a multipart upload.
func (s *Store) CreateUpload(ctx context.Context, bucketName string, u *Upload) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	u.parts = map[int]*Part{}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return noSuchBucket(bucketName)
	}
	b.uploads[u.ID] = u
	if s.journaled() {
		us, _ := u.state(false) // names files: cannot fail
		s.record(ctx, &Record{Bucket: b.Name, Uploads: []UploadState{us}})
	}
	return nil
}

// upload finds an upload of key in a bucket.
func (s *Store) upload(bucketName, key, id string) (*bucket, *Upload, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, nil, err
	}
	b.mu.RLock()
	u := b.uploads[id]
	b.mu.RUnlock()
	if u == nil || u.Key != key {
		return nil, nil, noSuchUpload(id)
	}
	return b, u, nil
}

// UploadOf returns an upload (for its template).
func (s *Store) UploadOf(bucketName, key, id string) (*Upload, error) {
	_, u, err := s.upload(bucketName, key, id)
	return u, err
}

// PutPart stores (or replaces) one part of an upload.
func (s *Store) PutPart(ctx context.Context, bucketName, key, id string, p *Part) error {
	b, u, err := s.upload(bucketName, key, id)
	if err != nil {
		p.Body.Release()
		return err
	}
	if p.Body, err = s.durable(p.Body); err != nil {
		return err
	}
	u.mu.Lock()
	if u.done {
		u.mu.Unlock()
		p.Body.Release()
		return noSuchUpload(id)
	}
	old := u.parts[p.Number]
	u.parts[p.Number] = p
	if s.journaled() {
		ps, _ := partState(p, false) // names files: cannot fail
		s.record(ctx, &Record{Bucket: b.Name, Part: &PartRecord{UploadID: id, Part: ps}})
	}
	u.mu.Unlock()
	if old != nil {
		old.Body.Release()
	}
	return nil
}

// Parts returns an upload (for its template) and its parts in order.
func (s *Store) Parts(bucketName, key, id string) (*Upload, []*Part, error) {
	_, u, err := s.upload(bucketName, key, id)
	if err != nil {
		return nil, nil, err
	}
	u.mu.Lock()
	out := make([]*Part, 0, len(u.parts))
	for _, p := range u.parts {
		out = append(out, p)
	}
	u.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return u, out, nil
}

// Uploads lists a bucket's uploads by key, then initiation time.
func (s *Store) Uploads(bucketName string) ([]*Upload, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	out := make([]*Upload, 0, len(b.uploads))
	for _, u := range b.uploads {
		out = append(out, u)
	}
	b.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		if !out[i].Initiated.Equal(out[j].Initiated) {
			return out[i].Initiated.Before(out[j].Initiated)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// AbortUpload discards an upload and its parts.
func (s *Store) AbortUpload(ctx context.Context, bucketName, key, id string) error {
	b, u, err := s.upload(bucketName, key, id)
	if err != nil {
		return err
	}
	b.mu.Lock()
	if b.uploads[id] == u {
		delete(b.uploads, id)
		s.record(ctx, &Record{Bucket: b.Name, DropUploads: []string{id}})
	}
	b.mu.Unlock()
	u.close()
	return nil
}

// PartRef is one entry of a CompleteMultipartUpload request.
type PartRef struct {
	Number int
	ETag   string
}

// CompleteUpload assembles the listed parts into the upload's object. The
// parts are validated and the upload closed under the upload's lock; the
// object is the list of the parts' extents (no byte is copied), and every
// part, listed or not, is released.
func (s *Store) CompleteUpload(ctx context.Context, bucketName, key, id string, refs []PartRef, now time.Time) (*Object, error) {
	return s.CompleteUploadIf(ctx, bucketName, key, id, refs, now, PutCondition{})
}

// CompleteUploadIf is CompleteUpload of a conditional write (If-None-Match,
// If-Match): the condition is checked before the upload is closed, so an
// upload refused with PreconditionFailed may be completed later, and again
// when the object is stored.
func (s *Store) CompleteUploadIf(ctx context.Context, bucketName, key, id string, refs []PartRef, now time.Time, cond PutCondition) (*Object, error) {
	b, u, err := s.upload(bucketName, key, id)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, malformedXML()
	}
	if cond != (PutCondition{}) {
		b.mu.RLock()
		err := cond.check(key, b.objects[key])
		b.mu.RUnlock()
		if err != nil {
			return nil, err
		}
	}
	u.mu.Lock()
	if u.done {
		u.mu.Unlock()
		return nil, noSuchUpload(id)
	}
	parts := make([]*Part, len(refs))
	for i, ref := range refs {
		if i > 0 && ref.Number <= refs[i-1].Number {
			u.mu.Unlock()
			return nil, errInvalidPartOrder.New("The list of parts was not in ascending order. Parts must be ordered by part number.").With("UploadId", id)
		}
		p := u.parts[ref.Number]
		if p == nil || !ETagMatches(ref.ETag, p.ETag) {
			u.mu.Unlock()
			return nil, errInvalidPart.New("One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.").
				With("UploadId", id).With("PartNumber", ref.Number).With("ETag", strings.Trim(ref.ETag, `"`))
		}
		if i < len(refs)-1 && p.Size() < MinPartSize {
			u.mu.Unlock()
			return nil, errEntityTooSmall.New("Your proposed upload is smaller than the minimum allowed object size.").
				With("ProposedSize", p.Size()).With("MinSizeAllowed", MinPartSize).
				With("PartNumber", ref.Number).With("ETag", strings.Trim(p.ETag, `"`))
		}
		parts[i] = p
	}
	// The object takes its references on the parts' files before the
	// upload is closed: an abort or a Reset racing this call releases
	// the parts only once it is done.
	bodies := make([]*Body, len(parts))
	for i, p := range parts {
		bodies[i] = p.Body
	}
	body := Concat(bodies)
	u.done = true
	u.mu.Unlock()

	sums := make([]byte, 0, 16*len(parts))
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		sums = append(sums, p.md5[:]...)
		sizes[i] = p.Size()
	}
	sum := md5.Sum(sums)
	obj := *u.Template
	obj.Key, obj.Body, obj.PartSizes = key, body, sizes
	obj.ETag = `"` + hex.EncodeToString(sum[:]) + "-" + strconv.Itoa(len(parts)) + `"`
	obj.Checksum = Checksum{}
	obj.Seal(now) // the ETag is set: nothing to read back
	u.close()     // the object holds what it needs of the parts

	b.mu.Lock()
	if b.deleted {
		b.mu.Unlock()
		obj.Body.Release()
		return nil, noSuchBucket(bucketName)
	}
	old := b.objects[key]
	if err := cond.check(key, old); err != nil {
		b.mu.Unlock()
		obj.Body.Release()
		return nil, err
	}
	if err := b.applyLock(&obj); err != nil {
		b.mu.Unlock()
		obj.Body.Release()
		return nil, err
	}
	delete(b.uploads, id)
	gone := b.put(&obj, old)
	if s.journaled() { // one record: the object and the upload's end
		s.record(ctx, &Record{Bucket: b.Name, Keys: b.keyStates([]string{key}), DropUploads: []string{id}})
	}
	b.mu.Unlock()
	gone.release()
	s.emit(ObjectEvent{Kind: ObjectCreated, Name: "CompleteMultipartUpload", Bucket: b.Name, Region: b.Region, Key: key, Size: obj.Size(), ETag: obj.ETag, Time: obj.LastModified})
	return &obj, nil
}

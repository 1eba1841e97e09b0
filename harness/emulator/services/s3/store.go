package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits S3 enforces on multipart uploads.
const (
	MinPartSize   = 5 << 20 // every part but the last
	MaxPartNumber = 10000
)

// Store errors; api.go maps them to S3 error codes.
var (
	errNoSuchBucket   = errors.New("no such bucket")
	errBucketExists   = errors.New("bucket already exists")
	errBucketNotEmpty = errors.New("bucket not empty")
	errNoSuchKey      = errors.New("no such key")
	errNoSuchUpload   = errors.New("no such upload")
	errPrecondition   = errors.New("precondition failed")
	errNoParts        = errors.New("no parts given")
)

// PartError says which part of a CompleteMultipartUpload request was wrong.
type PartError struct {
	Kind       PartErrorKind
	PartNumber int
	ETag       string
	Size       int64
}

// PartErrorKind tells the ways a part list can be wrong apart.
type PartErrorKind int

const (
	PartMissing  PartErrorKind = iota // not uploaded, or its ETag differs
	PartOrder                         // part numbers not ascending
	PartTooSmall                      // a non-last part under MinPartSize
)

func (e *PartError) Error() string { return "invalid part " + strconv.Itoa(e.PartNumber) }

// Headers are the standard HTTP headers S3 stores with an object and returns
// on GET and HEAD.
type Headers struct {
	ContentType, ContentEncoding, ContentDisposition, ContentLanguage, CacheControl, Expires string
}

// Checksum is a flexible checksum a client sent with an object or part
// (x-amz-checksum-crc32 and friends), kept to be returned in checksum mode.
type Checksum struct {
	Algorithm string // "CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"
	Value     string // base64, as on the wire
}

// Object is one stored object. It is immutable once stored, so readers use it
// without holding any lock.
type Object struct {
	Key          string
	Data         []byte
	ETag         string // quoted, as on the wire
	LastModified time.Time
	Headers      Headers
	Meta         map[string]string // user metadata, names lower-case without x-amz-meta-
	Checksum     Checksum
	StorageClass string
	PartSizes    []int64 // sizes of the parts of a CompleteMultipartUpload object

	lastModifiedHTTP string // precomputed: Last-Modified is on every GET
	lastModifiedXML  string // and LastModified in every listing
}

// Size is the object's length in bytes.
func (o *Object) Size() int64 { return int64(len(o.Data)) }

// LastModifiedHTTP is LastModified in the HTTP date format.
func (o *Object) LastModifiedHTTP() string { return o.lastModifiedHTTP }

// httpTimeFormat is net/http's TimeFormat (the store must not import net/http).
const httpTimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// Seal finishes an object before it is stored: ETag from its data (unless
// already set, as for multipart objects) and the precomputed dates.
func (o *Object) Seal(now time.Time) {
	if o.ETag == "" {
		sum := md5.Sum(o.Data)
		o.ETag = quoteHex(sum[:])
	}
	o.LastModified = now.UTC().Truncate(time.Second)
	o.lastModifiedHTTP = o.LastModified.Format(httpTimeFormat)
	o.lastModifiedXML = o.LastModified.Format("2006-01-02T15:04:05.000Z")
	if o.StorageClass == "" {
		o.StorageClass = "STANDARD"
	}
}

func quoteHex(b []byte) string {
	out := make([]byte, 2+hex.EncodedLen(len(b)))
	out[0] = '"'
	hex.Encode(out[1:], b)
	out[len(out)-1] = '"'
	return string(out)
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Region  string
	Created time.Time
}

// EventKind is what happened to an object.
type EventKind int

const (
	ObjectCreated EventKind = iota
	ObjectRemoved
)

// ObjectEvent is the store's hook point for bucket notifications: it is
// emitted after every committed object change, outside all locks. Name is the
// event's AWS suffix ("Put", "Copy", "CompleteMultipartUpload", "Delete").
type ObjectEvent struct {
	Kind   EventKind
	Name   string
	Bucket string
	Region string
	Key    string
	Size   int64
	ETag   string
	Time   time.Time
}

// Store holds every bucket. The bucket map has its own lock; each bucket
// has another, so traffic on one bucket never waits for another.
type Store struct {
	mu       sync.RWMutex
	buckets  map[string]*bucket
	observer atomic.Pointer[func(ObjectEvent)]
}

// bucket is one bucket's state behind its own lock.
type bucket struct {
	BucketInfo

	mu      sync.RWMutex
	deleted bool // set by DeleteBucket: writers holding a stale pointer must not land here
	objects map[string]*Object
	index   keyIndex
	bytes   int64
	uploads map[string]*Upload
	// config holds the bucket's sub-resource documents (website,
	// notification, …) by sub-resource name, for features built on top.
	config map[string][]byte
	// website is the static website configuration (nil: not a website).
	website *Website
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{buckets: map[string]*bucket{}} }

// Reset drops every bucket.
func (s *Store) Reset() {
	s.mu.Lock()
	s.buckets = map[string]*bucket{}
	s.mu.Unlock()
}

// OnObjectEvent sets the function called after every object change (bucket
// notifications hang here).
func (s *Store) OnObjectEvent(fn func(ObjectEvent)) { s.observer.Store(&fn) }

func (s *Store) emit(ev ObjectEvent) {
	if fn := s.observer.Load(); fn != nil && *fn != nil {
		(*fn)(ev)
	}
}

func (s *Store) bucket(name string) (*bucket, error) {
	s.mu.RLock()
	b := s.buckets[name]
	s.mu.RUnlock()
	if b == nil {
		return nil, errNoSuchBucket
	}
	return b, nil
}

// CreateBucket adds a bucket; errBucketExists when the name is taken.
func (s *Store) CreateBucket(name, region string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[name] != nil {
		return errBucketExists
	}
	s.buckets[name] = &bucket{
		BucketInfo: BucketInfo{Name: name, Region: region, Created: now.UTC().Truncate(time.Millisecond)},
		objects:    map[string]*Object{},
		uploads:    map[string]*Upload{},
		config:     map[string][]byte{},
	}
	return nil
}

// DeleteBucket removes an empty bucket.
func (s *Store) DeleteBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[name]
	if b == nil {
		return errNoSuchBucket
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.objects) > 0 {
		return errBucketNotEmpty
	}
	b.deleted = true
	delete(s.buckets, name)
	return nil
}

// Bucket describes one bucket.
func (s *Store) Bucket(name string) (BucketInfo, error) {
	b, err := s.bucket(name)
	if err != nil {
		return BucketInfo{}, err
	}
	return b.BucketInfo, nil
}

// Buckets lists every bucket by name.
func (s *Store) Buckets() []BucketInfo {
	s.mu.RLock()
	out := make([]BucketInfo, 0, len(s.buckets))
	for _, b := range s.buckets {
		out = append(out, b.BucketInfo)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SetBucketConfig stores (doc != nil) or removes a sub-resource document.
func (s *Store) SetBucketConfig(name, subresource string, doc []byte) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if doc == nil {
		delete(b.config, subresource)
	} else {
		b.config[subresource] = bytes.Clone(doc)
	}
	return nil
}

// BucketConfig returns a sub-resource document, nil when unset.
func (s *Store) BucketConfig(name, subresource string) ([]byte, error) {
	b, err := s.bucket(name)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.config[subresource], nil
}

// PutCondition is a conditional write (If-None-Match: *, If-Match: etag).
type PutCondition struct {
	IfNoneMatchAny bool
	IfMatch        string // quoted or bare ETag
}

// PutObject stores a sealed object, replacing any object with its key.
// event names the notification ("Put", "Copy").
func (s *Store) PutObject(bucketName string, obj *Object, cond PutCondition, event string) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	old := b.objects[obj.Key]
	switch {
	case b.deleted:
		b.mu.Unlock()
		return errNoSuchBucket
	case cond.IfNoneMatchAny && old != nil:
		b.mu.Unlock()
		return errPrecondition
	case cond.IfMatch != "" && old == nil:
		b.mu.Unlock()
		return errNoSuchKey
	case cond.IfMatch != "" && !ETagMatches(cond.IfMatch, old.ETag):
		b.mu.Unlock()
		return errPrecondition
	}
	b.put(obj, old)
	b.mu.Unlock()
	s.emit(ObjectEvent{Kind: ObjectCreated, Name: event, Bucket: b.Name, Region: b.Region, Key: obj.Key, Size: obj.Size(), ETag: obj.ETag, Time: obj.LastModified})
	return nil
}

// put stores obj in place of old; b.mu is held.
func (b *bucket) put(obj, old *Object) {
	if old == nil {
		b.index.added(obj.Key)
	} else {
		b.bytes -= old.Size()
	}
	b.objects[obj.Key] = obj
	b.bytes += obj.Size()
}

// Object returns the object under key.
func (s *Store) Object(bucketName, key string) (*Object, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	o := b.objects[key]
	b.mu.RUnlock()
	if o == nil {
		return nil, errNoSuchKey
	}
	return o, nil
}

// DeleteObjects removes keys (missing ones are no error, as on S3) and
// reports which existed.
func (s *Store) DeleteObjects(bucketName string, keys []string, now time.Time) ([]bool, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	existed := make([]bool, len(keys))
	b.mu.Lock()
	for i, k := range keys {
		if o := b.objects[k]; o != nil {
			delete(b.objects, k)
			b.bytes -= o.Size()
			b.index.removed()
			existed[i] = true
		}
	}
	b.mu.Unlock()
	for i, k := range keys {
		if existed[i] {
			s.emit(ObjectEvent{Kind: ObjectRemoved, Name: "Delete", Bucket: b.Name, Region: b.Region, Key: k, Time: now})
		}
	}
	return existed, nil
}

// ETagMatches compares an ETag from a request header (quoted or not, or "*")
// with a stored quoted ETag.
func ETagMatches(want, have string) bool {
	want = strings.TrimSpace(want)
	if want == "*" {
		return true
	}
	for _, w := range strings.Split(want, ",") {
		w = strings.TrimPrefix(strings.TrimSpace(w), "W/")
		if strings.Trim(w, `"`) == strings.Trim(have, `"`) {
			return true
		}
	}
	return false
}

// keyIndex keeps a bucket's keys sorted for listing without paying for it on
// every put: new keys wait in pending until the next list merges them in;
// deleted keys stay in sorted (skipped while listing) until a merge.
type keyIndex struct {
	sorted  []string
	pending []string
	stale   int
}

func (x *keyIndex) added(key string) { x.pending = append(x.pending, key) }
func (x *keyIndex) removed()         { x.stale++ }

// dirty reports whether a list must merge first.
func (x *keyIndex) dirty() bool {
	return len(x.pending) > 0 || (x.stale > 1024 && x.stale > len(x.sorted)/2)
}

// merge folds pending keys into sorted and drops keys no longer present.
func (x *keyIndex) merge(live map[string]*Object) {
	sort.Strings(x.pending)
	out := make([]string, 0, len(live))
	i, j := 0, 0
	last := ""
	push := func(k string) {
		if (len(out) == 0 || k != last) && live[k] != nil {
			out = append(out, k)
			last = k
		}
	}
	for i < len(x.sorted) || j < len(x.pending) {
		if j >= len(x.pending) || (i < len(x.sorted) && x.sorted[i] <= x.pending[j]) {
			push(x.sorted[i])
			i++
		} else {
			push(x.pending[j])
			j++
		}
	}
	x.sorted, x.pending, x.stale = out, nil, 0
}

// ListQuery selects a page of a bucket's keys.
type ListQuery struct {
	Prefix    string
	Delimiter string
	// After is exclusive: keys <= After are skipped. When After is itself a
	// common prefix (it ends in the delimiter), its whole group is skipped.
	After   string
	MaxKeys int
}

// ListPage is one page of keys and common prefixes in key order.
type ListPage struct {
	Objects        []*Object
	CommonPrefixes []string
	Truncated      bool
	// Last is the last key or common prefix on the page (the next After).
	Last string
}

// List returns a page of the bucket's keys.
func (s *Store) List(bucketName string, q ListQuery) (ListPage, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return ListPage{}, err
	}
	b.mu.RLock()
	if b.index.dirty() {
		b.mu.RUnlock()
		b.mu.Lock()
		if b.index.dirty() {
			b.index.merge(b.objects)
		}
		defer b.mu.Unlock()
	} else {
		defer b.mu.RUnlock()
	}
	return b.list(q), nil
}

// list walks the sorted index; the caller holds b.mu.
func (b *bucket) list(q ListQuery) ListPage {
	var page ListPage
	keys := b.index.sorted
	start := q.Prefix
	if q.After > start {
		start = q.After
	}
	i := sort.SearchStrings(keys, start)
	if i < len(keys) && keys[i] == q.After {
		i++
	}
	if q.Delimiter != "" && strings.HasPrefix(q.After, q.Prefix) && q.After != q.Prefix {
		// After names a whole common prefix when its first delimiter past the
		// prefix is at its end: that group was already returned.
		rest := q.After[len(q.Prefix):]
		if j := strings.Index(rest, q.Delimiter); j >= 0 && j+len(q.Delimiter) == len(rest) {
			i = skipGroup(keys, i, q.After)
		}
	}
	for i < len(keys) {
		k := keys[i]
		if !strings.HasPrefix(k, q.Prefix) {
			break
		}
		obj := b.objects[k]
		if obj == nil {
			i++
			continue
		}
		if len(page.Objects)+len(page.CommonPrefixes) >= q.MaxKeys {
			page.Truncated = q.MaxKeys > 0
			break
		}
		if q.Delimiter != "" {
			if j := strings.Index(k[len(q.Prefix):], q.Delimiter); j >= 0 {
				cp := k[:len(q.Prefix)+j+len(q.Delimiter)]
				page.CommonPrefixes = append(page.CommonPrefixes, cp)
				page.Last = cp
				i = skipGroup(keys, i, cp)
				continue
			}
		}
		page.Objects = append(page.Objects, obj)
		page.Last = k
		i++
	}
	return page
}

// skipGroup returns the first index at or after i whose key does not start
// with prefix (keys sharing a prefix are contiguous once sorted).
func skipGroup(keys []string, i int, prefix string) int {
	return i + sort.Search(len(keys)-i, func(j int) bool {
		k := keys[i+j]
		return k > prefix && !strings.HasPrefix(k, prefix)
	})
}

// Summary counts buckets, objects and stored bytes.
func (s *Store) Summary() (buckets, objects int, size int64) {
	s.mu.RLock()
	bs := make([]*bucket, 0, len(s.buckets))
	for _, b := range s.buckets {
		bs = append(bs, b)
	}
	s.mu.RUnlock()
	for _, b := range bs {
		b.mu.RLock()
		objects += len(b.objects)
		size += b.bytes
		b.mu.RUnlock()
	}
	return len(bs), objects, size
}

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
	Data         []byte
	ETag         string // quoted
	LastModified time.Time
	Checksum     Checksum
	md5          [16]byte
}

// NewPart builds a part from its data.
func NewPart(number int, data []byte, sum Checksum, now time.Time) *Part {
	p := &Part{Number: number, Data: data, Checksum: sum, LastModified: now.UTC().Truncate(time.Second)}
	p.md5 = md5.Sum(data)
	p.ETag = quoteHex(p.md5[:])
	return p
}

// CreateUpload starts a multipart upload.
func (s *Store) CreateUpload(bucketName string, u *Upload) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	u.parts = map[int]*Part{}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return errNoSuchBucket
	}
	b.uploads[u.ID] = u
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
		return nil, nil, errNoSuchUpload
	}
	return b, u, nil
}

// UploadOf returns an upload (for its template).
func (s *Store) UploadOf(bucketName, key, id string) (*Upload, error) {
	_, u, err := s.upload(bucketName, key, id)
	return u, err
}

// PutPart stores (or replaces) one part of an upload.
func (s *Store) PutPart(bucketName, key, id string, p *Part) error {
	_, u, err := s.upload(bucketName, key, id)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return errNoSuchUpload
	}
	u.parts[p.Number] = p
	return nil
}

// Parts lists an upload's parts in order.
func (s *Store) Parts(bucketName, key, id string) ([]*Part, error) {
	_, u, err := s.upload(bucketName, key, id)
	if err != nil {
		return nil, err
	}
	u.mu.Lock()
	out := make([]*Part, 0, len(u.parts))
	for _, p := range u.parts {
		out = append(out, p)
	}
	u.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, nil
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
func (s *Store) AbortUpload(bucketName, key, id string) error {
	b, u, err := s.upload(bucketName, key, id)
	if err != nil {
		return err
	}
	u.mu.Lock()
	u.done = true
	u.mu.Unlock()
	b.mu.Lock()
	delete(b.uploads, id)
	b.mu.Unlock()
	return nil
}

// PartRef is one entry of a CompleteMultipartUpload request.
type PartRef struct {
	Number int
	ETag   string
}

// CompleteUpload assembles the listed parts into the upload's object. The
// parts are validated and the upload closed under the upload's lock; the
// (possibly large) copy happens outside every lock.
func (s *Store) CompleteUpload(bucketName, key, id string, refs []PartRef, now time.Time) (*Object, error) {
	b, u, err := s.upload(bucketName, key, id)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, errNoParts
	}
	u.mu.Lock()
	if u.done {
		u.mu.Unlock()
		return nil, errNoSuchUpload
	}
	parts := make([]*Part, len(refs))
	var total int64
	for i, ref := range refs {
		if i > 0 && ref.Number <= refs[i-1].Number {
			u.mu.Unlock()
			return nil, &PartError{Kind: PartOrder, PartNumber: ref.Number}
		}
		p := u.parts[ref.Number]
		if p == nil || !ETagMatches(ref.ETag, p.ETag) {
			u.mu.Unlock()
			return nil, &PartError{Kind: PartMissing, PartNumber: ref.Number, ETag: ref.ETag}
		}
		if i < len(refs)-1 && len(p.Data) < MinPartSize {
			u.mu.Unlock()
			return nil, &PartError{Kind: PartTooSmall, PartNumber: ref.Number, ETag: p.ETag, Size: int64(len(p.Data))}
		}
		parts[i] = p
		total += int64(len(p.Data))
	}
	u.done = true
	u.mu.Unlock()

	data := make([]byte, 0, total)
	sums := make([]byte, 0, 16*len(parts))
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		data = append(data, p.Data...)
		sums = append(sums, p.md5[:]...)
		sizes[i] = int64(len(p.Data))
	}
	sum := md5.Sum(sums)
	obj := *u.Template
	obj.Key, obj.Data, obj.PartSizes = key, data, sizes
	obj.ETag = `"` + hex.EncodeToString(sum[:]) + "-" + strconv.Itoa(len(parts)) + `"`
	obj.Checksum = Checksum{}
	obj.Seal(now)

	b.mu.Lock()
	if b.deleted {
		b.mu.Unlock()
		return nil, errNoSuchBucket
	}
	delete(b.uploads, id)
	b.put(&obj, b.objects[key])
	b.mu.Unlock()
	s.emit(ObjectEvent{Kind: ObjectCreated, Name: "CompleteMultipartUpload", Bucket: b.Name, Region: b.Region, Key: key, Size: obj.Size(), ETag: obj.ETag, Time: obj.LastModified})
	return &obj, nil
}

// ReadObject implements cloud.ObjectReader (Lambda code from S3). It returns
// a copy: stored data is shared and must never be written to.
func (s *Store) ReadObject(bucketName, key string) ([]byte, bool) {
	o, err := s.Object(bucketName, key)
	if err != nil {
		return nil, false
	}
	return bytes.Clone(o.Data), true
}

package s3

import (
	"bytes"
	"context"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The store's errors carry S3's codes (errors.go): NoSuchBucket with the
// bucket's name, NoSuchKey with the key, and so on, as AWS words them.

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
// without holding any lock; a reader of its body retains the body (Open).
type Object struct {
	Key          string
	Body         *Body
	ETag         string // quoted, as on the wire
	LastModified time.Time
	Headers      Headers
	Meta         map[string]string // user metadata, names lower-case without x-amz-meta-
	Checksum     Checksum
	StorageClass string
	PartSizes    []int64 // sizes of the parts of a CompleteMultipartUpload object
	Tags         []Tag   // the object's tag set, in the order it was given
	ACL          []byte  // the object's AccessControlPolicy document (nil: the owner's full control)
	// VersionID is "" in a bucket that was never versioned, "null" for
	// the null version, S3's opaque ID otherwise.
	VersionID string
	// DeleteMarker: a delete marker of a versioned bucket (no body).
	DeleteMarker bool
	// ReplicationStatus is x-amz-replication-status: COMPLETED or FAILED
	// on a source version a replication rule matched, REPLICA on its copy
	// ("" otherwise: store_replication.go).
	ReplicationStatus string
	// Protect is the version's object lock and SSE-KMS key (nil: none;
	// store_lock.go). A change replaces the stored object with a copy
	// holding a new Protection: copies share the old one.
	Protect *Protection

	// restoredUntil is when the restored copy of an archived object
	// (RestoreObject) expires, in Unix seconds; 0 while none was asked for.
	// The one field that changes once stored, hence atomic; Seal gives each
	// object its own.
	restoredUntil *atomic.Int64

	lastModifiedHTTP string // precomputed: Last-Modified is on every GET
	lastModifiedXML  string // and LastModified in every listing
}

// Archived reports whether the object's storage class keeps it out of
// reach until it is restored (GLACIER, DEEP_ARCHIVE).
func (o *Object) Archived() bool {
	return o.StorageClass == "GLACIER" || o.StorageClass == "DEEP_ARCHIVE"
}

// RestoredUntil is when the restored copy of an archived object expires;
// zero when none was restored.
func (o *Object) RestoredUntil() time.Time {
	if o.restoredUntil == nil {
		return time.Time{}
	}
	if u := o.restoredUntil.Load(); u != 0 {
		return time.Unix(u, 0).UTC()
	}
	return time.Time{}
}

// Readable reports whether GetObject may read the object's bytes at now.
func (o *Object) Readable(now time.Time) bool {
	return !o.Archived() || now.Before(o.RestoredUntil())
}

// Restore makes a restored copy of an archived object readable for days
// (at once: no retrieval delay here), until midnight UTC after that, as
// S3 rounds the expiry. It reports whether a restored copy already existed
// (S3 then answers 200 rather than 202), and refuses objects that are not
// archived.
func (o *Object) Restore(days int, now time.Time) (already bool, err error) {
	if !o.Archived() || o.restoredUntil == nil {
		return false, errInvalidObjectState.New("Restore is not allowed for the object's current storage class")
	}
	exp := now.UTC().AddDate(0, 0, days+1).Truncate(24 * time.Hour)
	prev := o.restoredUntil.Swap(exp.Unix())
	return prev != 0 && now.Before(time.Unix(prev, 0)), nil
}

// Size is the object's length in bytes.
func (o *Object) Size() int64 {
	if o.Body == nil { // a delete marker
		return 0
	}
	return o.Body.Size()
}

// LastModifiedHTTP is LastModified in the HTTP date format.
func (o *Object) LastModifiedHTTP() string { return o.lastModifiedHTTP }

// httpTimeFormat is net/http's TimeFormat (the store must not import net/http).
const httpTimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// Seal finishes an object before it is stored: ETag from its data (unless
// already set, as for multipart objects) and the precomputed dates. It
// fails only when a body on disk cannot be read back for its MD5.
func (o *Object) Seal(now time.Time) error {
	if o.ETag == "" {
		sum, err := o.Body.MD5()
		if err != nil {
			return err
		}
		o.ETag = quoteHex(sum[:])
	}
	o.stamp(now)
	o.restoredUntil = new(atomic.Int64)
	if o.StorageClass == "" {
		o.StorageClass = "STANDARD"
	}
	return nil
}

// stamp sets LastModified and its precomputed forms.
func (o *Object) stamp(now time.Time) {
	o.LastModified = now.UTC().Truncate(time.Second)
	o.lastModifiedHTTP = o.LastModified.Format(httpTimeFormat)
	o.lastModifiedXML = o.LastModified.Format("2006-01-02T15:04:05.000Z")
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
	// Directory: an S3 Express One Zone directory bucket, in Zone (an
	// Availability Zone or Local Zone ID such as use1-az4).
	Directory bool
	Zone      string
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
//
// Methods that take an object or a part take its body with it: stored, or
// released when they fail. Bodies leave the store released (overwrite,
// delete, abort, complete, Reset), so a body's files go when its last
// reader is done.
type Store struct {
	mu       sync.RWMutex
	buckets  map[string]*bucket
	observer atomic.Pointer[func(ObjectEvent)]
	bodies   *bodies
	// notifying counts buckets with a notification configuration: while it
	// is 0, a write looks no further for destinations (notify.go).
	notifying atomic.Int64
	// logging counts buckets with server access logging: while it is 0,
	// a request looks no further for a log target (logging.go).
	logging atomic.Int64
	// replicating is set once a bucket was given a replication
	// configuration: until then a write looks no further for rules.
	replicating atomic.Bool
	// guarded counts buckets with a bucket policy or a public access block
	// put: while it is 0, an unsigned request looks no further for a
	// decision on anonymous access (anonymous.go).
	guarded atomic.Int64
	// lifecycles counts buckets with a lifecycle configuration: while it
	// is 0, the lifecycle sweep has nothing to do (lifecycle.go).
	lifecycles atomic.Int64
	// sessions are the S3 Express sessions CreateSession opened
	// (store_session.go).
	sessions sessions
	// journal records every change, when the store persists (journal.go).
	journal atomic.Pointer[journalRef]
}

// counterOf is the store's count of buckets having a sub-resource, for
// the sub-resources counted (nil: not counted).
func (s *Store) counterOf(sub string) *atomic.Int64 {
	switch sub {
	case "policy", "publicAccessBlock":
		return &s.guarded
	case "lifecycle":
		return &s.lifecycles
	}
	return nil
}

// forgetConfigs drops a bucket's configurations from the store's counts
// and from the bucket; b.mu is held.
func (s *Store) forgetConfigs(b *bucket) {
	for sub := range b.config {
		if c := s.counterOf(sub); c != nil {
			c.Add(-1)
		}
	}
	b.config = map[string][]byte{}
}

// BucketsWith lists the buckets that have a sub-resource document.
func (s *Store) BucketsWith(sub string) []string {
	s.mu.RLock()
	bs := make([]*bucket, 0, len(s.buckets))
	for _, b := range s.buckets {
		bs = append(bs, b)
	}
	s.mu.RUnlock()
	var out []string
	for _, b := range bs {
		b.mu.RLock()
		if _, ok := b.config[sub]; ok && !b.deleted {
			out = append(out, b.Name)
		}
		b.mu.RUnlock()
	}
	return out
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
	// replication is the bucket's replication configuration (nil: none).
	replication *ReplicationConfig
	// idConfigs holds the configurations kept by id (analytics, metrics,
	// inventory, intelligent-tiering): family, then id (store_config.go).
	idConfigs map[string]map[string][]byte
	// website is the static website configuration (nil: not a website).
	website *Website
	// notify is the event notification configuration (nil: none).
	notify *NotificationConfig
	// logging is where the bucket's server access logs go (nil: nowhere).
	logging *LoggingTarget
	// versioning is "" (never versioned), "Enabled" or "Suspended".
	versioning string
	// lock is the bucket's object lock configuration (nil: object lock
	// not enabled).
	lock *LockConfig
	// versions holds, once versioning was enabled, every version of a key
	// newest first, delete markers included (store_versions.go); the
	// current version is also in objects unless it is a delete marker.
	// Keys written before versioning have no entry until they change.
	versions map[string][]*Object
}

// NewStore returns an empty store keeping bodies up to
// DefaultMaxBodyInMemory in memory and larger ones under os.TempDir().
func NewStore() *Store { return NewStoreAt("", 0) }

// NewStoreAt returns an empty store keeping bodies up to inMemory bytes
// (0: DefaultMaxBodyInMemory) in memory and larger ones in a private
// directory it creates under dir ("" is os.TempDir()) when first needed.
func NewStoreAt(dir string, inMemory int64) *Store {
	return &Store{buckets: map[string]*bucket{}, bodies: newBodies(dir, inMemory)}
}

// Reset drops every bucket and releases their bodies. A journal records
// the reset of a store holding buckets (one already empty changes nothing).
func (s *Store) Reset(ctx context.Context) { s.reset(ctx, true) }

// reset is Reset, recorded or not (a replayed reset is not).
func (s *Store) reset(ctx context.Context, record bool) {
	s.mu.Lock()
	old := s.buckets
	s.buckets = map[string]*bucket{}
	if len(old) > 0 && record {
		s.record(ctx, &Record{Reset: true})
	}
	s.mu.Unlock()
	s.sessions.reset()
	s.replicating.Store(false)
	for _, b := range old {
		b.mu.Lock()
		s.forgetConfigs(b)
		b.mu.Unlock()
		hadNotify, hadLogging := b.drop()
		if hadNotify {
			s.notifying.Add(-1)
		}
		if hadLogging {
			s.logging.Add(-1)
		}
	}
}

// Close drops everything and removes the directory of spilled bodies
// (readers still streaming from it fail). A journal's bodies stay, and it
// records nothing: the state persists past the process.
func (s *Store) Close() error {
	s.reset(context.Background(), false)
	return s.bodies.close()
}

// drop marks a bucket deleted (writers holding it fail from now on),
// forgets its notification and logging configurations (reporting whether
// it had them) and releases every body in it.
func (b *bucket) drop() (hadNotify, hadLogging bool) {
	b.mu.Lock()
	b.deleted = true
	hadNotify, b.notify = b.notify != nil, nil
	hadLogging, b.logging = b.logging != nil, nil
	objects, uploads, versions := b.objects, b.uploads, b.versions
	b.objects, b.uploads, b.versions = map[string]*Object{}, map[string]*Upload{}, nil
	b.bytes = 0
	b.index = keyIndex{}
	b.mu.Unlock()
	for k, o := range objects {
		if versions[k] == nil {
			o.Body.Release()
		}
	}
	for _, vs := range versions {
		for _, v := range vs {
			v.release()
		}
	}
	for _, u := range uploads {
		u.close()
	}
	return hadNotify, hadLogging
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
		return nil, noSuchBucket(name)
	}
	return b, nil
}

// CreateBucket adds a bucket; BucketAlreadyOwnedByYou when the name is
// taken, except in us-east-1, where creating a bucket you already own
// there succeeds and changes nothing (S3's legacy behaviour).
func (s *Store) CreateBucket(ctx context.Context, name, region string, now time.Time) error {
	return s.createBucket(ctx, BucketInfo{Name: name, Region: region}, now, false)
}

// CreateLockedBucket is CreateBucket with object lock enabled
// (x-amz-bucket-object-lock-enabled), and so versioning, in one change.
// A bucket of the name that exists already is left as it is.
func (s *Store) CreateLockedBucket(ctx context.Context, name, region string, now time.Time) error {
	return s.createBucket(ctx, BucketInfo{Name: name, Region: region}, now, true)
}

// CreateDirectoryBucket makes an S3 Express One Zone directory bucket in
// zone.
func (s *Store) CreateDirectoryBucket(ctx context.Context, name, region, zone string, now time.Time) error {
	return s.createBucket(ctx, BucketInfo{Name: name, Region: region, Directory: true, Zone: zone}, now, false)
}

func (s *Store) createBucket(ctx context.Context, info BucketInfo, now time.Time, locked bool) error {
	name := info.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buckets[name]; b != nil {
		if !info.Directory && info.Region == "us-east-1" && b.Region == "us-east-1" {
			return nil
		}
		return errBucketAlreadyOwnedByYou.New("Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", name)
	}
	info.Created = now.UTC().Truncate(time.Millisecond)
	b := &bucket{
		BucketInfo: info,
		objects:    map[string]*Object{},
		uploads:    map[string]*Upload{},
		config:     map[string][]byte{},
	}
	if locked {
		b.versioning, b.versions, b.lock = VersioningEnabled, map[string][]*Object{}, &LockConfig{}
	}
	s.buckets[name] = b
	s.recordBucket(ctx, b)
	return nil
}

// DeleteBucket removes an empty bucket.
func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[name]
	if b == nil {
		return noSuchBucket(name)
	}
	b.mu.Lock()
	if len(b.objects) > 0 || len(b.versions) > 0 {
		b.mu.Unlock()
		return errBucketNotEmpty.New("The bucket you tried to delete is not empty").With("BucketName", name)
	}
	b.deleted = true
	s.forgetConfigs(b)
	uploads := b.uploads
	b.uploads = map[string]*Upload{}
	if b.notify != nil {
		b.notify = nil
		s.notifying.Add(-1)
	}
	if b.logging != nil {
		b.logging = nil
		s.logging.Add(-1)
	}
	s.record(ctx, &Record{Bucket: name, DropBucket: true})
	b.mu.Unlock()
	delete(s.buckets, name)
	for _, u := range uploads {
		u.close()
	}
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
func (s *Store) SetBucketConfig(ctx context.Context, name, subresource string, doc []byte) error {
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return noSuchBucket(name)
	}
	_, had := b.config[subresource]
	if doc == nil {
		delete(b.config, subresource)
	} else {
		b.config[subresource] = bytes.Clone(doc)
	}
	if c := s.counterOf(subresource); c != nil && had != (doc != nil) {
		if had {
			c.Add(-1)
		} else {
			c.Add(1)
		}
	}
	s.recordBucket(ctx, b)
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

// check reports whether the condition holds with old as key's current
// object (nil: none).
func (cond PutCondition) check(key string, old *Object) error {
	switch {
	case cond.IfNoneMatchAny && old != nil:
		return preconditionFailed("If-None-Match")
	case cond.IfMatch != "" && old == nil:
		return noSuchKey(key)
	case cond.IfMatch != "" && !ETagMatches(cond.IfMatch, old.ETag):
		return preconditionFailed("If-Match")
	}
	return nil
}

// PutObject stores a sealed object, replacing any object with its key, if
// cond holds at that moment. event names the notification ("Put", "Copy").
func (s *Store) PutObject(ctx context.Context, bucketName string, obj *Object, cond PutCondition, event string) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		obj.Body.Release()
		return err
	}
	if obj.Body, err = s.durable(obj.Body); err != nil {
		return err
	}
	b.mu.Lock()
	old := b.objects[obj.Key]
	if b.deleted {
		err = noSuchBucket(bucketName)
	} else if err = cond.check(obj.Key, old); err == nil {
		err = b.applyLock(obj)
	}
	if err != nil {
		b.mu.Unlock()
		obj.Body.Release()
		return err
	}
	gone := b.put(obj, old)
	s.recordKeys(ctx, b, obj.Key)
	b.mu.Unlock()
	gone.release()
	s.emit(ObjectEvent{Kind: ObjectCreated, Name: event, Bucket: b.Name, Region: b.Region, Key: obj.Key, Size: obj.Size(), ETag: obj.ETag, Time: obj.LastModified})
	return nil
}

// put stores obj in place of old (the current object, or nil); b.mu is
// held. It returns the version no longer stored (old when the bucket is
// not versioned), whose body the caller releases once b.mu is not held.
func (b *bucket) put(obj, old *Object) (gone *Object) {
	gone = old
	if b.versioning != "" {
		gone = b.addVersion(obj)
	}
	if old == nil {
		b.index.added(obj.Key)
	} else {
		b.bytes -= old.Size()
	}
	b.objects[obj.Key] = obj
	b.bytes += obj.Size()
	return gone
}

// release gives back a version's reference on its body (nil, and delete
// markers, have none).
func (o *Object) release() {
	if o != nil && o.Body != nil {
		o.Body.Release()
	}
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
		return nil, noSuchKey(key)
	}
	return o, nil
}

// Open returns the object under key with its body retained: the caller
// reads it, then releases obj.Body. An overwrite or a delete meanwhile
// leaves what it reads whole.
func (s *Store) Open(bucketName, key string) (*Object, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	o := b.objects[key]
	if o != nil {
		o.Body.Retain()
	}
	b.mu.RUnlock()
	if o == nil {
		return nil, noSuchKey(key)
	}
	return o, nil
}

// find returns the object under key, nil when the bucket or the key is
// missing: for lookups that need no error (the website endpoint's tries).
// With open, its body is retained as by Open.
func (s *Store) find(bucketName, key string, open bool) *Object {
	s.mu.RLock()
	b := s.buckets[bucketName]
	s.mu.RUnlock()
	if b == nil {
		return nil
	}
	b.mu.RLock()
	o := b.objects[key]
	if o != nil && open {
		o.Body.Retain()
	}
	b.mu.RUnlock()
	return o
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

// ReadObject implements cloud.ObjectReader (Lambda code from S3). It returns
// a copy: stored data is shared and must never be written to.
func (s *Store) ReadObject(bucketName, key string, limit int64) ([]byte, int64, bool) {
	o, err := s.Open(bucketName, key)
	if err != nil {
		return nil, 0, false
	}
	defer o.Body.Release()
	size := o.Body.Size()
	if size > limit {
		return nil, size, true
	}
	data, err := o.Body.Bytes()
	return data, size, err == nil
}

// SpilledFiles counts the files of bodies on disk (live, or still being
// read): what the store holds outside memory.
func (s *Store) SpilledFiles() int64 { return s.bodies.files.Load() }

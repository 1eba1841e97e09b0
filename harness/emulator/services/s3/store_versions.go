package s3

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Versioning: a bucket's versioning state, the versions of its keys, delete
// markers, and deletes and reads by version ID.

// Versioning states.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
	nullVersion         = "null"
)

var versionSeq atomic.Uint64

// newVersionID returns a version ID unique in the process: S3's are opaque
// strings of 32 URL-safe characters.
func newVersionID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	binary.BigEndian.PutUint64(b[8:], versionSeq.Add(1))
	return hex.EncodeToString(b[:])
}

// versionOf is a version's ID as S3 names it ("null" for objects written
// before versioning).
func versionOf(o *Object) string {
	if o.VersionID == "" {
		return nullVersion
	}
	return o.VersionID
}

// SetVersioning sets a bucket's versioning state (Enabled or Suspended).
func (s *Store) SetVersioning(ctx context.Context, bucketName, state string) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lock != nil && state != VersioningEnabled {
		return errInvalidBucketState.New("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
	}
	b.versioning = state
	if b.versions == nil {
		// Objects written before are null versions from now on (a copy
		// takes over each one's body: readers keep what they hold).
		b.versions = map[string][]*Object{}
		for k, o := range b.objects {
			n := *o
			n.VersionID = nullVersion
			b.objects[k] = &n
		}
	}
	s.recordBucket(ctx, b)
	return nil
}

// Versioning is a bucket's versioning state ("" when never versioned).
func (s *Store) Versioning(bucketName string) (string, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return "", err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.versioning, nil
}

// history is key's versions, newest first, starting from its object when
// it has only the one written before versioning; b.mu is held.
func (b *bucket) history(key string) []*Object {
	vs := b.versions[key]
	if vs == nil {
		if o := b.objects[key]; o != nil {
			vs = []*Object{o}
		}
	}
	return vs
}

// addVersion records obj as key's newest version in a versioned bucket and
// returns the version it replaces for good (a suspended bucket's null
// version), if any; b.mu is held.
func (b *bucket) addVersion(obj *Object) (gone *Object) {
	vs := b.history(obj.Key)
	if b.versioning == VersioningEnabled {
		if obj.ReplicationStatus != replicaStatus || obj.VersionID == "" || obj.VersionID == nullVersion {
			obj.VersionID = newVersionID(obj.LastModified) // replicas keep their source's
		}
	} else {
		obj.VersionID = nullVersion
		vs, gone = withoutNull(vs)
	}
	b.versions[obj.Key] = append([]*Object{obj}, vs...)
	return gone
}

// withoutNull removes the null version from vs.
func withoutNull(vs []*Object) ([]*Object, *Object) {
	for i, v := range vs {
		if versionOf(v) == nullVersion {
			return append(vs[:i:i], vs[i+1:]...), v
		}
	}
	return vs, nil
}

// ObjectID names an object, or one of its versions.
type ObjectID struct {
	Key       string
	VersionID string // "": the current version
	// BypassGovernance: x-amz-bypass-governance-retention, which lets a
	// delete remove a version under governance retention.
	BypassGovernance bool
}

// Deleted is what deleting an ObjectID did.
type Deleted struct {
	Existed bool // something was removed (an object, a version, a marker)
	// DeleteMarker: a delete marker was created (no version ID asked) or
	// removed (its version ID asked).
	DeleteMarker bool
	VersionID    string // the marker created, or the version removed
	// Err: the version is locked (store_lock.go) and stays.
	Err error
}

// DeleteObjects deletes objects or versions as S3 does: without a version
// ID, a versioned bucket gets a delete marker; with one, that version goes
// for good (a missing one is no error, as on S3).
func (s *Store) DeleteObjects(ctx context.Context, bucketName string, ids []ObjectID, now time.Time) ([]Deleted, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	out := make([]Deleted, len(ids))
	var gone []*Object
	b.mu.Lock()
	for i, id := range ids {
		var g *Object
		out[i], g = b.delete(id, now)
		if g != nil {
			gone = append(gone, g)
		}
	}
	if s.journaled() {
		s.recordKeys(ctx, b, sortedKeys(ids)...) // one record: DeleteObjects is one change
	}
	b.mu.Unlock()
	for _, o := range gone {
		o.release()
	}
	for i, id := range ids {
		if out[i].Existed && !out[i].DeleteMarker && out[i].Err == nil {
			s.emit(ObjectEvent{Kind: ObjectRemoved, Name: "Delete", Bucket: b.Name, Region: b.Region, Key: id.Key, Time: now})
		}
	}
	return out, nil
}

// delete deletes one object or version; b.mu is held. It returns the
// version whose body the caller releases.
func (b *bucket) delete(id ObjectID, now time.Time) (Deleted, *Object) {
	cur := b.objects[id.Key]
	if b.versioning == "" {
		if id.VersionID != "" && id.VersionID != nullVersion {
			return Deleted{}, nil
		}
		if cur == nil {
			return Deleted{}, nil
		}
		b.unsetCurrent(id.Key, cur)
		return Deleted{Existed: true}, cur
	}
	vs := b.history(id.Key)
	if id.VersionID == "" {
		m := &Object{Key: id.Key, DeleteMarker: true}
		m.stamp(now)
		var gone *Object
		if b.versioning == VersioningEnabled {
			m.VersionID = newVersionID(now)
		} else {
			m.VersionID = nullVersion
			vs, gone = withoutNull(vs)
		}
		b.versions[id.Key] = append([]*Object{m}, vs...)
		if cur != nil {
			b.unsetCurrent(id.Key, cur)
		}
		return Deleted{Existed: true, DeleteMarker: true, VersionID: m.VersionID}, gone
	}
	for i, v := range vs {
		if versionOf(v) != id.VersionID {
			continue
		}
		if b.lock != nil {
			if err := v.locked(now, id.BypassGovernance); err != nil {
				return Deleted{VersionID: id.VersionID, Err: err}, nil
			}
		}
		rest := append(vs[:i:i], vs[i+1:]...)
		if len(rest) == 0 {
			delete(b.versions, id.Key)
		} else {
			b.versions[id.Key] = rest
		}
		if i == 0 {
			if cur != nil {
				b.unsetCurrent(id.Key, cur)
			}
			if len(rest) > 0 && !rest[0].DeleteMarker {
				b.objects[id.Key] = rest[0]
				b.index.added(id.Key)
				b.bytes += rest[0].Size()
			}
		}
		return Deleted{Existed: true, DeleteMarker: v.DeleteMarker, VersionID: id.VersionID}, v
	}
	return Deleted{VersionID: id.VersionID}, nil
}

// unsetCurrent removes key's current object from the listing.
func (b *bucket) unsetCurrent(key string, cur *Object) {
	delete(b.objects, key)
	b.bytes -= cur.Size()
	b.index.removed()
}

// OpenVersion returns one version of key with its body retained, as Open
// does ("" or the current version's ID: the current object). A delete
// marker is returned as such, without a body.
func (s *Store) OpenVersion(bucketName, key, versionID string, open bool) (*Object, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	var o *Object
	if versionID == "" {
		o = b.objects[key]
		if o == nil {
			return nil, noSuchKey(key)
		}
	} else {
		for _, v := range b.history(key) {
			if versionOf(v) == versionID {
				o = v
				break
			}
		}
		if o == nil {
			return nil, noSuchVersion(key, versionID)
		}
	}
	if open && o.Body != nil {
		o.Body.Retain()
	}
	return o, nil
}

// VersionQuery selects a page of a bucket's versions.
type VersionQuery struct {
	Prefix, Delimiter string
	KeyMarker         string
	VersionIDMarker   string
	MaxKeys           int
}

// VersionEntry is one version in a listing.
type VersionEntry struct {
	*Object
	IsLatest bool
}

// VersionPage is a page of versions and common prefixes.
type VersionPage struct {
	Versions                     []VersionEntry
	CommonPrefixes               []string
	Truncated                    bool
	NextKeyMarker, NextVersionID string
}

// ListVersions returns a page of a bucket's versions, keys in order and
// each key's versions newest first.
func (s *Store) ListVersions(bucketName string, q VersionQuery) (VersionPage, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return VersionPage{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	keys := make([]string, 0, len(b.objects)+len(b.versions))
	for k := range b.objects {
		if b.versions[k] == nil && strings.HasPrefix(k, q.Prefix) {
			keys = append(keys, k)
		}
	}
	for k := range b.versions {
		if strings.HasPrefix(k, q.Prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var page VersionPage
	count := 0
	lastPrefix := ""
	i := sort.SearchStrings(keys, q.KeyMarker)
	for ; i < len(keys); i++ {
		k := keys[i]
		if q.KeyMarker != "" && k == q.KeyMarker && q.VersionIDMarker == "" {
			continue
		}
		if q.Delimiter != "" {
			if j := strings.Index(k[len(q.Prefix):], q.Delimiter); j >= 0 {
				cp := k[:len(q.Prefix)+j+len(q.Delimiter)]
				if cp == lastPrefix || (q.KeyMarker != "" && cp <= q.KeyMarker && strings.HasPrefix(q.KeyMarker, cp)) {
					continue
				}
				if count >= q.MaxKeys {
					page.Truncated = true
					return page, nil
				}
				page.CommonPrefixes = append(page.CommonPrefixes, cp)
				page.NextKeyMarker, page.NextVersionID = cp, ""
				lastPrefix = cp
				count++
				continue
			}
		}
		vs := b.history(k)
		start := 0
		if k == q.KeyMarker && q.VersionIDMarker != "" {
			start = len(vs)
			for j, v := range vs {
				if versionOf(v) == q.VersionIDMarker {
					start = j + 1
					break
				}
			}
		}
		for j := start; j < len(vs); j++ {
			if count >= q.MaxKeys {
				page.Truncated = true
				return page, nil
			}
			page.Versions = append(page.Versions, VersionEntry{Object: vs[j], IsLatest: j == 0})
			page.NextKeyMarker, page.NextVersionID = k, versionOf(vs[j])
			count++
		}
	}
	return page, nil
}

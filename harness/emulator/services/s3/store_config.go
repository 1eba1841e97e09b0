package s3

import (
	"bytes"
	"context"
	"slices"
)

// Per-object and per-bucket settings that are not object data: tags, and
// the bucket sub-resource documents stored with SetBucketConfig.

// Tag is one key and value of an object's or a bucket's tag set.
type Tag struct {
	Key, Value string
}

// SetObjectTags replaces the tag set of the object under key (nil: none).
// Objects are immutable: the object is replaced by a copy with the new
// tags, which takes over its body and keeps its LastModified, as S3 does.
func (s *Store) SetObjectTags(ctx context.Context, bucketName, key string, tags []Tag) error {
	return s.updateObject(ctx, bucketName, key, func(o *Object) { o.Tags = tags })
}

// updateObject replaces the object under key by a copy changed by fn
// (which must leave its body and data alone).
func (s *Store) updateObject(ctx context.Context, bucketName, key string, fn func(*Object)) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return noSuchBucket(bucketName)
	}
	o := b.objects[key]
	if o == nil {
		return noSuchKey(key)
	}
	n := *o
	fn(&n)
	b.objects[key] = &n
	if vs := b.versions[key]; len(vs) > 0 && vs[0] == o {
		vs[0] = &n
	}
	s.recordKeys(ctx, b, key)
	return nil
}

// maxIDConfigs is how many configurations of one family (analytics,
// metrics, inventory, intelligent-tiering) a bucket holds, as on S3.
const maxIDConfigs = 1000

// SetIDConfig stores (doc non-nil) or deletes (nil) the configuration id of
// a family kept by id. A new id past maxIDConfigs answers
// TooManyConfigurations; deleting an id the bucket lacks answers
// NoSuchConfiguration.
func (s *Store) SetIDConfig(ctx context.Context, bucketName, family, id string, doc []byte) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return noSuchBucket(bucketName)
	}
	m := b.idConfigs[family]
	if doc == nil {
		if _, ok := m[id]; !ok {
			return noSuchConfiguration()
		}
		delete(m, id)
		s.recordBucket(ctx, b)
		return nil
	}
	if m == nil {
		if b.idConfigs == nil {
			b.idConfigs = map[string]map[string][]byte{}
		}
		m = map[string][]byte{}
		b.idConfigs[family] = m
	}
	if _, ok := m[id]; !ok && len(m) >= maxIDConfigs {
		return errTooManyConfigurations.New("You are attempting to create a new configuration but have already reached the 1,000-configuration limit.")
	}
	m[id] = bytes.Clone(doc)
	s.recordBucket(ctx, b)
	return nil
}

// IDConfig is the configuration id of a family; NoSuchConfiguration when
// the bucket has none.
func (s *Store) IDConfig(bucketName, family, id string) ([]byte, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	d, ok := b.idConfigs[family][id]
	if !ok {
		return nil, noSuchConfiguration()
	}
	return d, nil
}

// IDConfigs returns up to limit configurations of a family in id order,
// from the first id after after, and whether more follow.
func (s *Store) IDConfigs(bucketName, family, after string, limit int) (ids []string, docs [][]byte, more bool, err error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, nil, false, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	m := b.idConfigs[family]
	for id := range m {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) > limit {
		ids, more = ids[:limit], true
	}
	for _, id := range ids {
		docs = append(docs, m[id])
	}
	return ids, docs, more, nil
}

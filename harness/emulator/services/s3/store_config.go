package s3

// Per-object and per-bucket settings that are not object data: tags, and
// the bucket sub-resource documents stored with SetBucketConfig.

// Tag is one key and value of an object's or a bucket's tag set.
type Tag struct {
	Key, Value string
}

// SetObjectTags replaces the tag set of the object under key (nil: none).
// Objects are immutable: the object is replaced by a copy with the new
// tags, which takes over its body and keeps its LastModified, as S3 does.
func (s *Store) SetObjectTags(bucketName, key string, tags []Tag) error {
	return s.updateObject(bucketName, key, func(o *Object) { o.Tags = tags })
}

// updateObject replaces the object under key by a copy changed by fn
// (which must leave its body and data alone).
func (s *Store) updateObject(bucketName, key string, fn func(*Object)) error {
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
	return nil
}

package s3

import (
	"context"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

var _ cloud.ObjectStore = (*Store)(nil)

// WriteObject stores an object for another service (DynamoDB's exports),
// as a PutObject would, notifications included.
func (s *Store) WriteObject(bucket, key string, data []byte, contentType string, now time.Time) (bool, error) {
	if _, err := s.bucket(bucket); err != nil {
		return false, nil
	}
	obj := &Object{Key: key, Body: BytesBody(data), Headers: Headers{ContentType: contentType}}
	if err := obj.Seal(now); err != nil {
		return true, err
	}
	return true, s.PutObject(context.Background(), bucket, obj, PutCondition{}, "Put")
}

// ListObjectKeys returns up to limit keys under prefix, in key order.
func (s *Store) ListObjectKeys(bucket, prefix string, limit int) ([]string, bool) {
	page, err := s.List(bucket, ListQuery{Prefix: prefix, MaxKeys: limit})
	if err != nil {
		return nil, false
	}
	keys := make([]string, len(page.Objects))
	for i, o := range page.Objects {
		keys[i] = o.Key
	}
	return keys, true
}

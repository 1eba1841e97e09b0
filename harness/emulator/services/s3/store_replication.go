package s3

import (
	"bytes"
	"context"
	"strings"
	"time"
)

// Replication between the buckets of this store: a bucket's replication
// configuration (validated by api_replication.go), the rules a new version
// matches, and the replicas written into destination buckets with their
// source's version ID.

// Replication statuses, as x-amz-replication-status carries them.
const (
	replicaStatus    = "REPLICA"
	replicaCompleted = "COMPLETED"
	replicaFailed    = "FAILED"
)

// ReplicationConfig is a bucket's replication configuration, validated;
// immutable once stored.
type ReplicationConfig struct {
	Role  string
	Rules []ReplicationRule
}

// ReplicationRule is one rule of a replication configuration.
type ReplicationRule struct {
	ID       string
	Priority int
	Enabled  bool
	// Prefix and Tags are the rule's filter (legacy Prefix, Filter's
	// Prefix, Tag or And): a key must start with Prefix and the object
	// carry every tag.
	Prefix string
	Tags   []Tag
	// Bucket is the destination bucket's name, StorageClass the replicas'
	// ("": the source's).
	Bucket, StorageClass string
	DeleteMarkers        bool // DeleteMarkerReplication is Enabled
}

func (r *ReplicationRule) matches(key string, tags []Tag) bool {
	if !r.Enabled || !strings.HasPrefix(key, r.Prefix) {
		return false
	}
	for _, want := range r.Tags {
		found := false
		for _, t := range tags {
			if t == want {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Destinations are the rules that replicate a version of key with tags
// (a delete marker: deleteMarker), one per destination bucket: of the
// rules matching it for the same destination, the one of highest
// priority, as S3 picks.
func (c *ReplicationConfig) Destinations(key string, tags []Tag, deleteMarker bool) []*ReplicationRule {
	var out []*ReplicationRule
	for i := range c.Rules {
		r := &c.Rules[i]
		if !r.matches(key, tags) || (deleteMarker && !r.DeleteMarkers) {
			continue
		}
		dup := false
		for j, o := range out {
			if o.Bucket == r.Bucket {
				dup = true
				if r.Priority > o.Priority {
					out[j] = r
				}
			}
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// SetReplication stores a bucket's replication configuration and its
// document (nil, nil: deletes it).
func (s *Store) SetReplication(ctx context.Context, bucketName string, cfg *ReplicationConfig, doc []byte) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.deleted {
		return noSuchBucket(bucketName)
	}
	b.replication = cfg
	if cfg == nil {
		delete(b.config, "replication")
	} else {
		b.config["replication"] = bytes.Clone(doc)
		s.replicating.Store(true)
	}
	s.recordBucket(ctx, b)
	return nil
}

// Replication is a bucket's replication configuration (nil: none).
func (s *Store) Replication(bucketName string) (*ReplicationConfig, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.replication, nil
}

// Replicating reports whether any bucket was given a replication
// configuration (one atomic load on every write).
func (s *Store) Replicating() bool { return s.replicating.Load() }

// PutReplica stores a copy of src in bucketName as the replica of rule r:
// the same key, body, metadata, tags and version ID, with the status
// REPLICA.
func (s *Store) PutReplica(ctx context.Context, bucketName string, src *Object, r *ReplicationRule, now time.Time) error {
	rep := *src
	rep.ReplicationStatus = replicaStatus
	rep.Body = src.Body.Retain()
	if r.StorageClass != "" {
		rep.StorageClass = r.StorageClass
	}
	if err := rep.Seal(now); err != nil {
		rep.Body.Release()
		return err
	}
	return s.PutObject(ctx, bucketName, &rep, PutCondition{}, "Put")
}

// SetReplicationStatus sets the replication status of the version
// versionID of key ("": the current one), if it is still there.
func (s *Store) SetReplicationStatus(ctx context.Context, bucketName, key, versionID, status string) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.objects[key]
	var o *Object
	switch {
	case cur != nil && (versionID == "" || cur.VersionID == versionID):
		o = cur
	default:
		for _, v := range b.history(key) {
			if v.VersionID == versionID {
				o = v
				break
			}
		}
	}
	if o == nil || o.DeleteMarker {
		return
	}
	n := *o
	n.ReplicationStatus = status
	if cur == o {
		b.objects[key] = &n
	}
	vs := b.versions[key]
	for i, v := range vs {
		if v == o {
			vs[i] = &n
		}
	}
	s.recordKeys(ctx, b, key)
}

package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// S3 as a cloud.Journaled service: with a journal (groundstack up
// --data-dir), every body is a file of the journal's blob directory
// (blobs.go), synced before the record naming it is made, and every change
// is recorded under the lock that orders it, as absolute values: a key's
// whole history of versions, a bucket's whole configuration, an upload or
// one part. A checkpoint is the State (state.go) naming body files instead
// of holding bytes.

var _ cloud.Journaled = (*Service)(nil)

// Record is one change in the journal (of the service's stateVersion). Its
// parts are applied in field order; each holds values as they were once
// the change was made, so a record replayed twice, or on a checkpoint
// that already holds its change, changes nothing. A key's record holds
// all its versions (their metadata and body file names, not bytes): a
// change to a key of many versions records them all.
type Record struct {
	// Reset: every bucket is gone (POST /_groundstack/reset).
	Reset bool `json:"reset,omitempty"`
	// Bucket is the bucket every other part is about.
	Bucket string `json:"bucket,omitempty"`
	// Config is the bucket as it is now, configuration included (Objects
	// and Uploads empty): made when missing.
	Config *BucketState `json:"config,omitempty"`
	// DropBucket: the bucket is deleted.
	DropBucket bool `json:"dropBucket,omitempty"`
	// Keys are keys' whole histories, newest version first (none: the
	// key is gone).
	Keys []KeyState `json:"keys,omitempty"`
	// Uploads are uploads as they are now, parts included.
	Uploads []UploadState `json:"uploads,omitempty"`
	// Part is one part uploaded (or uploaded again).
	Part *PartRecord `json:"part,omitempty"`
	// DropUploads are uploads completed or aborted.
	DropUploads []string `json:"dropUploads,omitempty"`
}

// KeyState is one key's versions, newest first.
type KeyState struct {
	Key      string        `json:"key"`
	Versions []ObjectState `json:"versions,omitempty"`
}

// PartRecord is a part of an upload.
type PartRecord struct {
	UploadID string    `json:"uploadId"`
	Part     PartState `json:"part"`
}

// journalRef holds the journal (an atomic pointer: the lifecycle sweep
// may record while SetJournal runs).
type journalRef struct{ j cloud.Journal }

// SetJournal gives the service its journal before it serves and before
// it holds anything (bodies stored before stay where they were): from
// then on bodies go to its blob directory, and changes are recorded.
func (s *Service) SetJournal(j cloud.Journal) {
	if j == nil {
		s.store.journal.Store(nil)
		return
	}
	s.store.bodies.useBlobs(j.BlobDir(), j.SyncBlob)
	s.store.journal.Store(&journalRef{j})
}

// Checkpoint is the store's state naming body files. Its housekeeping
// first removes the files dead since before the previous checkpoint
// (blobs.go): that one is durable by now, since a checkpoint is asked for
// only once the previous compaction is done.
func (s *Service) Checkpoint() (any, error) {
	s.store.bodies.collect()
	return s.store.saveState(false)
}

// LoadCheckpoint restores a Checkpoint into the emptied service: bodies
// are the files it names, which must be there and long enough (a missing
// or torn file is an error naming it).
func (s *Service) LoadCheckpoint(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.loadState(st, false)
}

// ApplyRecord replays one Record.
func (s *Service) ApplyRecord(version int, raw json.RawMessage) error {
	r, err := cloud.DecodeState[Record](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.applyRecord(&r)
}

func (s *Service) applyRecord(r *Record) error {
	if r.Reset {
		s.store.reset(context.Background(), false)
		s.env.Names.ReleaseAll(nameKind, s.env.Account)
	}
	if r.Bucket == "" {
		return nil
	}
	if c := r.Config; c != nil {
		if c.Name != r.Bucket {
			return fmt.Errorf("a record of bucket %q configures %q", r.Bucket, c.Name)
		}
		if _, err := s.setBucket(BucketInfo{Name: c.Name, Region: c.Region, Created: c.Created, Directory: c.Directory, Zone: c.Zone}, &c.BucketConfigState); err != nil {
			return fmt.Errorf("bucket %q: %w", r.Bucket, err)
		}
	}
	if r.DropBucket {
		s.dropBucket(r.Bucket)
		return nil
	}
	s.store.mu.RLock()
	b := s.store.buckets[r.Bucket]
	s.store.mu.RUnlock()
	if b == nil {
		// Changes to a bucket deleted later: the record of its deletion
		// was in the checkpoint, or comes next.
		return nil
	}
	for _, k := range r.Keys {
		if err := s.setKey(b, k.Key, k.Versions, true); err != nil {
			return fmt.Errorf("bucket %q: %w", r.Bucket, err)
		}
	}
	for i := range r.Uploads {
		if err := s.setUpload(b, &r.Uploads[i]); err != nil {
			return fmt.Errorf("bucket %q: %w", r.Bucket, err)
		}
	}
	if p := r.Part; p != nil {
		b.mu.RLock()
		u := b.uploads[p.UploadID]
		b.mu.RUnlock()
		if u != nil { // else completed or aborted later
			part, err := s.store.bodies.part(&p.Part)
			if err != nil {
				return fmt.Errorf("bucket %q, upload %q: %w", r.Bucket, p.UploadID, err)
			}
			u.mu.Lock()
			old := u.parts[part.Number]
			u.parts[part.Number] = part
			u.mu.Unlock()
			if old != nil {
				old.Body.Release()
			}
		}
	}
	for _, id := range r.DropUploads {
		b.mu.Lock()
		u := b.uploads[id]
		delete(b.uploads, id)
		b.mu.Unlock()
		if u != nil {
			u.close()
		}
	}
	return nil
}

// dropBucket removes a bucket, empty or not, and gives its name back.
func (s *Service) dropBucket(name string) {
	st := s.store
	st.mu.Lock()
	b := st.buckets[name]
	delete(st.buckets, name)
	st.mu.Unlock()
	if b == nil {
		return
	}
	b.mu.Lock()
	st.forgetConfigs(b)
	b.mu.Unlock()
	hadNotify, hadLogging := b.drop()
	if hadNotify {
		st.notifying.Add(-1)
	}
	if hadLogging {
		st.logging.Add(-1)
	}
	s.env.Names.Release(nameKind, name, s.env.Account)
}

// ----- recording (the live side)

// journaled reports whether changes are recorded.
func (s *Store) journaled() bool { return s.journal.Load() != nil }

// record records r, if there is a journal.
func (s *Store) record(ctx context.Context, r *Record) {
	if j := s.journal.Load(); j != nil {
		j.j.Record(ctx, r)
	}
}

// recordKeys records keys' histories in b; b.mu is held.
func (s *Store) recordKeys(ctx context.Context, b *bucket, keys ...string) {
	if !s.journaled() {
		return
	}
	s.record(ctx, &Record{Bucket: b.Name, Keys: b.keyStates(keys)})
}

// keyStates are keys' histories; b.mu is held.
func (b *bucket) keyStates(keys []string) []KeyState {
	out := make([]KeyState, 0, len(keys))
	for _, k := range keys {
		ks := KeyState{Key: k}
		for _, o := range b.history(k) {
			st, _ := objectState(o, false) // names files: cannot fail
			ks.Versions = append(ks.Versions, st)
		}
		out = append(out, ks)
	}
	return out
}

// RecordRestore records key's history after RestoreObject changed when
// its restored copy expires (the one change made to a stored object in
// place).
func (s *Store) RecordRestore(ctx context.Context, bucketName, key string) {
	if !s.journaled() {
		return
	}
	b, err := s.bucket(bucketName)
	if err != nil {
		return
	}
	b.mu.Lock()
	s.recordKeys(ctx, b, key)
	b.mu.Unlock()
}

// recordBucket records b's configuration; b.mu is held (or b is new).
func (s *Store) recordBucket(ctx context.Context, b *bucket) {
	if !s.journaled() {
		return
	}
	s.record(ctx, &Record{Bucket: b.Name, Config: &BucketState{Name: b.Name, Region: b.Region, Created: b.Created,
		Directory: b.Directory, Zone: b.Zone, BucketConfigState: b.configState()}})
}

// recordLoaded records a bucket just loaded from a snapshot, whole.
func (s *Store) recordLoaded(b *bucket) error {
	if !s.journaled() {
		return nil
	}
	st, ok, err := b.state(false)
	if err != nil || !ok {
		return err
	}
	r := &Record{Bucket: b.Name, Config: &st, Uploads: st.Uploads}
	keys := make([]KeyState, 0)
	for i := 0; i < len(st.Objects); {
		j := i + 1
		for j < len(st.Objects) && st.Objects[j].Key == st.Objects[i].Key {
			j++
		}
		keys = append(keys, KeyState{Key: st.Objects[i].Key, Versions: st.Objects[i:j]})
		i = j
	}
	r.Keys = keys
	cfg := *r.Config
	cfg.Objects, cfg.Uploads = nil, nil
	r.Config = &cfg
	s.record(context.Background(), r)
	return nil
}

// durable returns body as files of the blob directory when the store has
// a journal (bytes in memory are written out and synced): a record may
// name only files. It takes body, and releases it when it fails.
func (s *Store) durable(body *Body) (*Body, error) {
	if body == nil || !s.journaled() || !body.inMemory() {
		return body, nil
	}
	nb, err := s.bodies.copyBody(body, 0, body.Size())
	body.Release()
	return nb, err
}

// inMemory reports whether some of the body's bytes are in memory.
func (b *Body) inMemory() bool {
	if !b.spilled() {
		return len(b.mem) > 0
	}
	for i := range b.exts {
		if b.exts[i].file == nil && len(b.exts[i].mem) > 0 {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of ids, once each, in order.
func sortedKeys(ids []ObjectID) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id.Key] {
			seen[id.Key] = true
			out = append(out, id.Key)
		}
	}
	sort.Strings(out)
	return out
}

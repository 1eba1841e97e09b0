package s3

import (
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is S3's saved state (version 1): every bucket of the account, in
// every region, with its configuration, every version of every object,
// and the multipart uploads in progress with their parts. Decoupled from
// the store's structs, it changes only with stateVersion.
//
// In a snapshot (SaveState) every body is inline (Body, base64 in JSON):
// the whole state, bodies included, is held in memory while it is written
// or read, and a snapshot file is refused past 1 GiB, so a snapshot suits
// seeded test data, not a bucket of large media. A checkpoint of the
// write-ahead log (Checkpoint, journal.go) names body files instead
// (Extents), and its bodies stay where they are.
//
// Not saved: S3 Express sessions (CreateSession's credentials last five
// minutes: a client asks for new ones; directory buckets themselves are
// saved), server access-log lines gathered but not yet delivered as a log
// object, and event notifications or replications queued but not yet
// done. Bucket names are claimed again in the emulator's shared namespace
// on load.
type State struct {
	Buckets []BucketState `json:"buckets"`
}

// BucketState is one bucket: what CreateBucket made, its configuration,
// its objects and its multipart uploads.
type BucketState struct {
	Name    string    `json:"name"`
	Region  string    `json:"region"`
	Created time.Time `json:"created"`
	// Directory: an S3 Express One Zone directory bucket, in Zone.
	Directory bool   `json:"directory,omitempty"`
	Zone      string `json:"zone,omitempty"`
	BucketConfigState
	// Objects are every key's versions, keys in order and each key's
	// versions newest first, delete markers included. In a bucket never
	// versioned each key has one (VersionID ""); in a versioned one a
	// key's first version is its current object unless it is a delete
	// marker.
	Objects []ObjectState `json:"objects,omitempty"`
	Uploads []UploadState `json:"uploads,omitempty"`
}

// BucketConfigState is a bucket's configuration: what its Put…
// operations set.
type BucketConfigState struct {
	// Versioning is "" (never versioned), Enabled or Suspended.
	Versioning string     `json:"versioning,omitempty"`
	ObjectLock *LockState `json:"objectLock,omitempty"`
	// Configs are the sub-resource documents (bytes, base64 in JSON:
	// kept byte for byte) as S3 returns them, by
	// sub-resource: policy, cors, lifecycle, tagging, encryption,
	// publicAccessBlock, ownershipControls, acl, accelerate,
	// requestPayment, replication, metadata tables, abac, …
	Configs map[string][]byte `json:"configs,omitempty"`
	// IDConfigs are the configurations kept by id (analytics, metrics,
	// inventory, intelligent-tiering): family, then id, then document.
	IDConfigs map[string]map[string][]byte `json:"idConfigs,omitempty"`
	// Website and Notification are the GetBucketWebsite and
	// GetBucketNotificationConfiguration documents (XML).
	Website      []byte            `json:"website,omitempty"`
	Notification []byte            `json:"notification,omitempty"`
	Logging      *LoggingState     `json:"logging,omitempty"`
	Replication  *ReplicationState `json:"replication,omitempty"`
}

// LockState is a bucket's object lock configuration (object lock is
// enabled when it is present): its default retention, if any.
type LockState struct {
	Mode  string `json:"mode,omitempty"`
	Days  int    `json:"days,omitempty"`
	Years int    `json:"years,omitempty"`
}

// LoggingState is where a bucket's server access logs go.
type LoggingState struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix,omitempty"`
}

// ReplicationState is a bucket's replication configuration as validated
// (its document is Configs["replication"]).
type ReplicationState struct {
	Role  string                 `json:"role"`
	Rules []ReplicationRuleState `json:"rules"`
}

// ReplicationRuleState is one replication rule.
type ReplicationRuleState struct {
	ID            string     `json:"id,omitempty"`
	Priority      int        `json:"priority,omitempty"`
	Enabled       bool       `json:"enabled"`
	Prefix        string     `json:"prefix,omitempty"`
	Tags          []TagState `json:"tags,omitempty"`
	Bucket        string     `json:"bucket"`
	StorageClass  string     `json:"storageClass,omitempty"`
	DeleteMarkers bool       `json:"deleteMarkers,omitempty"`
}

// TagState is one tag.
type TagState struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ObjectState is one version of an object (or a delete marker), or the
// template of a multipart upload (no body). Times are RFC 3339; a zero
// time is omitted.
type ObjectState struct {
	Key          string    `json:"key"`
	VersionID    string    `json:"versionId,omitempty"`
	DeleteMarker bool      `json:"deleteMarker,omitempty"`
	LastModified time.Time `json:"lastModified,omitzero"` // none on an upload's template
	ETag         string    `json:"etag,omitempty"`        // quoted, as on the wire
	Size         int64     `json:"size"`
	HeadersState
	Meta              map[string]string `json:"meta,omitempty"` // user metadata, names lower-case
	ChecksumAlgorithm string            `json:"checksumAlgorithm,omitempty"`
	ChecksumValue     string            `json:"checksumValue,omitempty"`
	StorageClass      string            `json:"storageClass,omitempty"`
	// PartSizes are the sizes of a completed multipart object's parts.
	PartSizes         []int64          `json:"partSizes,omitempty"`
	Tags              []TagState       `json:"tags,omitempty"`
	ACL               []byte           `json:"acl,omitempty"` // the AccessControlPolicy document (none: the owner's full control)
	ReplicationStatus string           `json:"replicationStatus,omitempty"`
	Protection        *ProtectionState `json:"protection,omitempty"`
	// RestoredUntil is when the restored copy of an archived object
	// expires.
	RestoredUntil *time.Time `json:"restoredUntil,omitempty"`
	// Body is the object's bytes (snapshots); Extents name them in body
	// files instead (checkpoints and log records). Neither: empty.
	Body    []byte        `json:"body,omitempty"`
	Extents []ExtentState `json:"extents,omitempty"`
}

// HeadersState are the standard headers stored with an object.
type HeadersState struct {
	ContentType        string `json:"contentType,omitempty"`
	ContentEncoding    string `json:"contentEncoding,omitempty"`
	ContentDisposition string `json:"contentDisposition,omitempty"`
	ContentLanguage    string `json:"contentLanguage,omitempty"`
	CacheControl       string `json:"cacheControl,omitempty"`
	Expires            string `json:"expires,omitempty"`
}

// ProtectionState is a version's object lock and SSE-KMS key.
type ProtectionState struct {
	LockMode         string     `json:"lockMode,omitempty"`
	LockUntil        *time.Time `json:"lockUntil,omitempty"`
	LegalHold        string     `json:"legalHold,omitempty"`
	KMSKeyID         string     `json:"kmsKeyId,omitempty"`
	BucketKeyEnabled bool       `json:"bucketKeyEnabled,omitempty"`
	DSSE             bool       `json:"dsse,omitempty"`
	KMSContext       string     `json:"kmsContext,omitempty"`
}

// ExtentState is a run of a body's bytes: Size bytes at Offset of File (a
// file of the journal's blob directory, by name), or Data itself. A
// completed multipart object is its parts' extents, as in memory.
type ExtentState struct {
	File   string `json:"file,omitempty"`
	Offset int64  `json:"offset,omitempty"`
	Size   int64  `json:"size"`
	Data   []byte `json:"data,omitempty"`
}

// UploadState is a multipart upload in progress.
type UploadState struct {
	ID                string      `json:"id"`
	Key               string      `json:"key"`
	Initiated         time.Time   `json:"initiated"`
	ChecksumAlgorithm string      `json:"checksumAlgorithm,omitempty"`
	Template          ObjectState `json:"template"` // the headers, metadata, … the object will get
	Parts             []PartState `json:"parts,omitempty"`
}

// PartState is one uploaded part.
type PartState struct {
	Number            int           `json:"number"`
	ETag              string        `json:"etag"`
	LastModified      time.Time     `json:"lastModified"`
	ChecksumAlgorithm string        `json:"checksumAlgorithm,omitempty"`
	ChecksumValue     string        `json:"checksumValue,omitempty"`
	Size              int64         `json:"size"`
	Body              []byte        `json:"body,omitempty"`
	Extents           []ExtentState `json:"extents,omitempty"`
}

// StateVersion, SaveState and LoadState make S3 a cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

// SaveState is the whole store with bodies inline, read bucket by bucket
// under each bucket's lock.
func (s *Service) SaveState() (any, error) { return s.store.saveState(true) }

// LoadState restores a SaveState (or a Checkpoint: both are State) into
// the emptied service.
func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.loadState(st, true)
}

// ----- saving

// liveBuckets is every bucket, by name.
func (s *Store) liveBuckets() []*bucket {
	s.mu.RLock()
	bs := make([]*bucket, 0, len(s.buckets))
	for _, b := range s.buckets {
		bs = append(bs, b)
	}
	s.mu.RUnlock()
	sort.Slice(bs, func(i, j int) bool { return bs[i].Name < bs[j].Name })
	return bs
}

// saveState copies every bucket; inline puts bodies' bytes in the state,
// otherwise their files are named.
func (s *Store) saveState(inline bool) (State, error) {
	out := State{Buckets: []BucketState{}}
	for _, b := range s.liveBuckets() {
		st, ok, err := b.state(inline)
		if err != nil {
			return State{}, fmt.Errorf("bucket %s: %w", b.Name, err)
		}
		if ok {
			out.Buckets = append(out.Buckets, st)
		}
	}
	return out, nil
}

// state is the bucket's state (false: it was deleted meanwhile).
func (b *bucket) state(inline bool) (BucketState, bool, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.deleted {
		return BucketState{}, false, nil
	}
	out := BucketState{Name: b.Name, Region: b.Region, Created: b.Created, Directory: b.Directory, Zone: b.Zone,
		BucketConfigState: b.configState()}
	for _, k := range b.keys() {
		for _, o := range b.history(k) {
			st, err := objectState(o, inline)
			if err != nil {
				return BucketState{}, false, fmt.Errorf("object %s: %w", k, err)
			}
			out.Objects = append(out.Objects, st)
		}
	}
	ups := make([]*Upload, 0, len(b.uploads))
	for _, u := range b.uploads {
		ups = append(ups, u)
	}
	sortUploads(ups)
	for _, u := range ups {
		st, err := u.state(inline)
		if err != nil {
			return BucketState{}, false, fmt.Errorf("upload %s: %w", u.ID, err)
		}
		out.Uploads = append(out.Uploads, st)
	}
	return out, true, nil
}

// keys is every key with a version, in order; b.mu is held.
func (b *bucket) keys() []string {
	keys := make([]string, 0, len(b.objects)+len(b.versions))
	for k := range b.objects {
		if b.versions[k] == nil {
			keys = append(keys, k)
		}
	}
	for k := range b.versions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortUploads(out []*Upload) {
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		if !out[i].Initiated.Equal(out[j].Initiated) {
			return out[i].Initiated.Before(out[j].Initiated)
		}
		return out[i].ID < out[j].ID
	})
}

// configState is the bucket's configuration; b.mu is held. Stored
// documents are never changed in place, so they are shared.
func (b *bucket) configState() BucketConfigState {
	c := BucketConfigState{Versioning: b.versioning}
	if b.lock != nil {
		c.ObjectLock = &LockState{Mode: b.lock.Mode, Days: b.lock.Days, Years: b.lock.Years}
	}
	if len(b.config) > 0 {
		c.Configs = make(map[string][]byte, len(b.config))
		for k, v := range b.config {
			c.Configs[k] = v
		}
	}
	for fam, m := range b.idConfigs {
		if len(m) == 0 {
			continue
		}
		if c.IDConfigs == nil {
			c.IDConfigs = map[string]map[string][]byte{}
		}
		cm := make(map[string][]byte, len(m))
		for id, d := range m {
			cm[id] = d
		}
		c.IDConfigs[fam] = cm
	}
	if b.website != nil {
		c.Website, _ = xml.Marshal(websiteWire(b.website)) // plain strings: cannot fail
	}
	if b.notify != nil {
		c.Notification, _ = xml.Marshal(notificationWire(b.notify))
	}
	if b.logging != nil {
		c.Logging = &LoggingState{Bucket: b.logging.Bucket, Prefix: b.logging.Prefix}
	}
	if r := b.replication; r != nil {
		c.Replication = &ReplicationState{Role: r.Role, Rules: make([]ReplicationRuleState, len(r.Rules))}
		for i, rule := range r.Rules {
			c.Replication.Rules[i] = ReplicationRuleState{ID: rule.ID, Priority: rule.Priority, Enabled: rule.Enabled, Prefix: rule.Prefix,
				Tags: tagStates(rule.Tags), Bucket: rule.Bucket, StorageClass: rule.StorageClass, DeleteMarkers: rule.DeleteMarkers}
		}
	}
	return c
}

func tagStates(ts []Tag) []TagState {
	if ts == nil {
		return nil
	}
	out := make([]TagState, len(ts))
	for i, t := range ts {
		out[i] = TagState(t) // a conversion: a field added to Tag must be added here too
	}
	return out
}

func tagsOf(ts []TagState) []Tag {
	if ts == nil {
		return nil
	}
	out := make([]Tag, len(ts))
	for i, t := range ts {
		out[i] = Tag(t)
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

// objectState is one version (or a template, without body).
func objectState(o *Object, inline bool) (ObjectState, error) {
	st := ObjectState{
		Key: o.Key, VersionID: o.VersionID, DeleteMarker: o.DeleteMarker, LastModified: o.LastModified, ETag: o.ETag,
		HeadersState: HeadersState(o.Headers), Meta: o.Meta, ChecksumAlgorithm: o.Checksum.Algorithm, ChecksumValue: o.Checksum.Value,
		StorageClass: o.StorageClass, PartSizes: o.PartSizes, Tags: tagStates(o.Tags), ACL: o.ACL, ReplicationStatus: o.ReplicationStatus,
		RestoredUntil: timePtr(o.RestoredUntil()),
	}
	if p := o.Protect; p != nil {
		st.Protection = &ProtectionState{LockMode: p.LockMode, LockUntil: timePtr(p.LockUntil), LegalHold: p.LegalHold,
			KMSKeyID: p.KMSKeyID, BucketKeyEnabled: p.BucketKeyEnabled, DSSE: p.DSSE, KMSContext: p.KMSContext}
	}
	if o.Body != nil {
		var err error
		st.Size = o.Body.Size()
		st.Body, st.Extents, err = bodyState(o.Body, inline)
		if err != nil {
			return ObjectState{}, err
		}
	}
	return st, nil
}

// bodyState is a body's bytes (inline) or its extents.
func bodyState(b *Body, inline bool) ([]byte, []ExtentState, error) {
	if b.Size() == 0 {
		return nil, nil, nil
	}
	if inline {
		data, err := b.Bytes()
		return data, nil, err
	}
	exts := b.extents()
	out := make([]ExtentState, 0, len(exts))
	for _, e := range exts {
		if e.file == nil {
			out = append(out, ExtentState{Size: int64(len(e.mem)), Data: e.mem})
		} else {
			out = append(out, ExtentState{File: e.file.name(), Offset: e.off, Size: e.n})
		}
	}
	return nil, out, nil
}

// state is the upload and its parts, in order.
func (u *Upload) state(inline bool) (UploadState, error) {
	tmpl, err := objectState(u.Template, false)
	if err != nil {
		return UploadState{}, err
	}
	out := UploadState{ID: u.ID, Key: u.Key, Initiated: u.Initiated, ChecksumAlgorithm: u.ChecksumAlgorithm, Template: tmpl}
	u.mu.Lock()
	parts := make([]*Part, 0, len(u.parts))
	for _, p := range u.parts {
		parts = append(parts, p)
	}
	u.mu.Unlock()
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	for _, p := range parts {
		ps, err := partState(p, inline)
		if err != nil {
			return UploadState{}, fmt.Errorf("part %d: %w", p.Number, err)
		}
		out.Parts = append(out.Parts, ps)
	}
	return out, nil
}

func partState(p *Part, inline bool) (PartState, error) {
	ps := PartState{Number: p.Number, ETag: p.ETag, LastModified: p.LastModified, ChecksumAlgorithm: p.Checksum.Algorithm,
		ChecksumValue: p.Checksum.Value, Size: p.Size()}
	var err error
	ps.Body, ps.Extents, err = bodyState(p.Body, inline)
	return ps, err
}

// ----- loading

// loadState adds a saved state's buckets to the (emptied) service; with
// record, each bucket is recorded whole in the journal, if there is one.
func (s *Service) loadState(st State, record bool) error {
	seen := make(map[string]bool, len(st.Buckets))
	for i := range st.Buckets {
		bs := &st.Buckets[i]
		if seen[bs.Name] {
			return fmt.Errorf("bucket %q appears twice", bs.Name)
		}
		seen[bs.Name] = true
		if err := s.loadBucket(bs, record); err != nil {
			return fmt.Errorf("bucket %q: %w", bs.Name, err)
		}
	}
	return nil
}

// loadBucket makes one saved bucket, with its objects and uploads.
func (s *Service) loadBucket(bs *BucketState, record bool) error {
	b, err := s.setBucket(BucketInfo{Name: bs.Name, Region: bs.Region, Created: bs.Created, Directory: bs.Directory, Zone: bs.Zone}, &bs.BucketConfigState)
	if err != nil {
		return err
	}
	for i := 0; i < len(bs.Objects); {
		j := i + 1
		for j < len(bs.Objects) && bs.Objects[j].Key == bs.Objects[i].Key {
			j++
		}
		if err := s.setKey(b, bs.Objects[i].Key, bs.Objects[i:j], false); err != nil {
			return err
		}
		i = j
	}
	for i := range bs.Uploads {
		if err := s.setUpload(b, &bs.Uploads[i]); err != nil {
			return err
		}
	}
	if record {
		return s.store.recordLoaded(b)
	}
	return nil
}

// setBucket makes the bucket info names unless it exists, claiming its
// name, and sets its configuration to c: loads and the log's replay.
func (s *Service) setBucket(info BucketInfo, c *BucketConfigState) (*bucket, error) {
	if !validBucketName(info.Name) && !(info.Directory && strings.HasSuffix(info.Name, directoryBucketSuffix)) {
		return nil, errors.New("not a valid bucket name")
	}
	if info.Region == "" {
		return nil, errors.New("no region")
	}
	cfg, err := parseConfig(c)
	if err != nil {
		return nil, err
	}
	if owner, ok := s.env.Names.Claim(nameKind, info.Name, s.env.Account); !ok {
		return nil, fmt.Errorf("the name is held by account %s", owner)
	}
	st := s.store
	st.mu.Lock()
	b := st.buckets[info.Name]
	if b == nil {
		b = &bucket{BucketInfo: info, objects: map[string]*Object{}, uploads: map[string]*Upload{}, config: map[string][]byte{}}
		st.buckets[info.Name] = b
	}
	st.mu.Unlock()
	b.mu.Lock()
	st.setConfig(b, cfg)
	b.mu.Unlock()
	return b, nil
}

// bucketSettings is a BucketConfigState parsed into the store's values.
type bucketSettings struct {
	versioning string
	lock       *LockConfig
	configs    map[string][]byte
	idConfigs  map[string]map[string][]byte
	website    *Website
	notify     *NotificationConfig
	logging    *LoggingTarget
	repl       *ReplicationConfig
}

func parseConfig(c *BucketConfigState) (*bucketSettings, error) {
	out := &bucketSettings{versioning: c.Versioning, configs: map[string][]byte{}}
	switch c.Versioning {
	case "", VersioningEnabled, VersioningSuspended:
	default:
		return nil, fmt.Errorf("versioning %q", c.Versioning)
	}
	if l := c.ObjectLock; l != nil {
		out.lock = &LockConfig{Mode: l.Mode, Days: l.Days, Years: l.Years}
	}
	for k, v := range c.Configs {
		if v == nil {
			v = []byte{}
		}
		out.configs[k] = v
	}
	if len(c.IDConfigs) > 0 {
		out.idConfigs = make(map[string]map[string][]byte, len(c.IDConfigs))
		for fam, m := range c.IDConfigs {
			cm := make(map[string][]byte, len(m))
			for id, d := range m {
				cm[id] = d
			}
			out.idConfigs[fam] = cm
		}
	}
	var err error
	if len(c.Website) > 0 {
		if out.website, err = parseWebsite(c.Website); err != nil {
			return nil, fmt.Errorf("website: %w", err)
		}
	}
	if len(c.Notification) > 0 {
		if out.notify, err = ParseNotification(c.Notification, func() string { return "" }); err != nil {
			return nil, fmt.Errorf("notification: %w", err)
		}
		if out.notify.empty() {
			out.notify = nil
		}
	}
	if l := c.Logging; l != nil {
		out.logging = &LoggingTarget{Bucket: l.Bucket, Prefix: l.Prefix}
	}
	if r := c.Replication; r != nil {
		out.repl = &ReplicationConfig{Role: r.Role, Rules: make([]ReplicationRule, len(r.Rules))}
		for i, rule := range r.Rules {
			out.repl.Rules[i] = ReplicationRule{ID: rule.ID, Priority: rule.Priority, Enabled: rule.Enabled, Prefix: rule.Prefix,
				Tags: tagsOf(rule.Tags), Bucket: rule.Bucket, StorageClass: rule.StorageClass, DeleteMarkers: rule.DeleteMarkers}
		}
	}
	return out, nil
}

// setConfig gives b the configuration c, keeping the store's counts of
// configured buckets; b.mu is held.
func (s *Store) setConfig(b *bucket, c *bucketSettings) {
	if c.versioning != "" && b.versions == nil {
		b.versions = map[string][]*Object{}
		for k, o := range b.objects { // as SetVersioning does
			n := *o
			n.VersionID = nullVersion
			b.objects[k] = &n
		}
	}
	b.versioning = c.versioning
	b.lock = c.lock
	for sub := range b.config {
		if _, ok := c.configs[sub]; !ok {
			if n := s.counterOf(sub); n != nil {
				n.Add(-1)
			}
		}
	}
	for sub := range c.configs {
		if _, ok := b.config[sub]; !ok {
			if n := s.counterOf(sub); n != nil {
				n.Add(1)
			}
		}
	}
	b.config = c.configs
	b.idConfigs = c.idConfigs
	b.website = c.website
	switch {
	case b.notify == nil && c.notify != nil:
		s.notifying.Add(1)
	case b.notify != nil && c.notify == nil:
		s.notifying.Add(-1)
	}
	b.notify = c.notify
	switch {
	case b.logging == nil && c.logging != nil:
		s.logging.Add(1)
	case b.logging != nil && c.logging == nil:
		s.logging.Add(-1)
	}
	b.logging = c.logging
	b.replication = c.repl
	if c.repl != nil {
		s.replicating.Store(true)
	}
}

// setKey replaces key's whole history in b by vs (newest first; none: the
// key is gone). A replay is lenient: versions in a bucket not versioned
// are a record of a bucket deleted and made again, whose records follow.
func (s *Service) setKey(b *bucket, key string, vs []ObjectState, replay bool) error {
	objs := make([]*Object, 0, len(vs))
	release := func() {
		for _, o := range objs {
			o.release()
		}
	}
	for i := range vs {
		o, err := s.store.bodies.object(&vs[i], false)
		if err != nil {
			release()
			return fmt.Errorf("object %q: %w", key, err)
		}
		objs = append(objs, o)
	}
	b.mu.Lock()
	if b.versions == nil && replay && (len(objs) > 1 || (len(objs) == 1 && objs[0].DeleteMarker)) {
		b.versions = map[string][]*Object{}
	}
	if b.versions == nil && (len(objs) > 1 || (len(objs) == 1 && objs[0].DeleteMarker)) {
		b.mu.Unlock()
		release()
		return fmt.Errorf("object %q: versions in a bucket never versioned", key)
	}
	gone := b.setHistory(key, objs)
	b.mu.Unlock()
	for _, o := range gone {
		o.release()
	}
	return nil
}

// setHistory makes vs key's history (newest first) and returns the
// versions it replaces, whose bodies the caller releases; b.mu is held.
func (b *bucket) setHistory(key string, vs []*Object) (gone []*Object) {
	gone = b.history(key)
	if cur := b.objects[key]; cur != nil {
		b.unsetCurrent(key, cur)
	}
	if b.versions != nil {
		if len(vs) == 0 {
			delete(b.versions, key)
		} else {
			b.versions[key] = vs
		}
	}
	if len(vs) > 0 && !vs[0].DeleteMarker {
		b.objects[key] = vs[0]
		b.index.added(key)
		b.bytes += vs[0].Size()
	}
	return gone
}

// setUpload makes (or replaces) an upload with its parts.
func (s *Service) setUpload(b *bucket, us *UploadState) error {
	if us.ID == "" {
		return errors.New("an upload without an id")
	}
	u, err := s.store.bodies.upload(us)
	if err != nil {
		return fmt.Errorf("upload %q: %w", us.ID, err)
	}
	b.mu.Lock()
	old := b.uploads[u.ID]
	b.uploads[u.ID] = u
	b.mu.Unlock()
	if old != nil {
		old.close()
	}
	return nil
}

// upload builds an upload of a saved one.
func (bs *bodies) upload(us *UploadState) (*Upload, error) {
	tmpl, err := bs.object(&us.Template, true)
	if err != nil {
		return nil, err
	}
	u := &Upload{ID: us.ID, Key: us.Key, Initiated: us.Initiated, ChecksumAlgorithm: us.ChecksumAlgorithm, Template: tmpl, parts: map[int]*Part{}}
	for i := range us.Parts {
		p, err := bs.part(&us.Parts[i])
		if err != nil {
			u.close()
			return nil, err
		}
		if old := u.parts[p.Number]; old != nil {
			old.Body.Release()
		}
		u.parts[p.Number] = p
	}
	return u, nil
}

// part builds a part of a saved one.
func (bs *bodies) part(ps *PartState) (*Part, error) {
	if ps.Number < 1 || ps.Number > MaxPartNumber {
		return nil, fmt.Errorf("part number %d", ps.Number)
	}
	body, err := bs.body(ps.Size, ps.Body, ps.Extents)
	if err != nil {
		return nil, fmt.Errorf("part %d: %w", ps.Number, err)
	}
	p := &Part{Number: ps.Number, Body: body, ETag: ps.ETag, LastModified: ps.LastModified,
		Checksum: Checksum{Algorithm: ps.ChecksumAlgorithm, Value: ps.ChecksumValue}}
	if sum, err := hex.DecodeString(strings.Trim(ps.ETag, `"`)); err == nil && len(sum) == 16 {
		copy(p.md5[:], sum)
	} else {
		body.Release()
		return nil, fmt.Errorf("part %d: ETag %q is not an MD5", ps.Number, ps.ETag)
	}
	return p, nil
}

// object builds a version (or, template, an upload's template: no body)
// of a saved one.
func (bs *bodies) object(st *ObjectState, template bool) (*Object, error) {
	var sum int64
	for _, n := range st.PartSizes {
		if n < 0 {
			return nil, errors.New("a negative part size")
		}
		sum += n
	}
	if len(st.PartSizes) > 0 && sum != st.Size {
		return nil, errors.New("part sizes do not add up to the size")
	}
	o := &Object{
		Key: st.Key, ETag: st.ETag, Headers: Headers(st.HeadersState), Meta: st.Meta,
		Checksum:     Checksum{Algorithm: st.ChecksumAlgorithm, Value: st.ChecksumValue},
		StorageClass: st.StorageClass, PartSizes: st.PartSizes, Tags: tagsOf(st.Tags), ACL: st.ACL,
		VersionID: st.VersionID, DeleteMarker: st.DeleteMarker, ReplicationStatus: st.ReplicationStatus,
	}
	if p := st.Protection; p != nil {
		o.Protect = &Protection{LockMode: p.LockMode, LockUntil: timeOf(p.LockUntil), LegalHold: p.LegalHold, KMSKeyID: p.KMSKeyID, BucketKeyEnabled: p.BucketKeyEnabled,
			DSSE: p.DSSE, KMSContext: p.KMSContext}
	}
	if !template && !st.DeleteMarker {
		body, err := bs.body(st.Size, st.Body, st.Extents)
		if err != nil {
			return nil, err
		}
		o.Body = body
	}
	if !template && !st.DeleteMarker && o.StorageClass == "" {
		o.StorageClass = "STANDARD"
	}
	o.stamp(st.LastModified)
	o.restoredUntil = new(atomic.Int64)
	if st.RestoredUntil != nil {
		o.restoredUntil.Store(st.RestoredUntil.Unix())
	}
	return o, nil
}

// body builds a body of size bytes: data inline, or extents of files of
// the blob directory (which must be there, whole).
func (bs *bodies) body(size int64, data []byte, exts []ExtentState) (*Body, error) {
	if size < 0 {
		return nil, errors.New("a negative size")
	}
	if len(exts) > 0 {
		return bs.bodyOfExtents(size, exts)
	}
	if int64(len(data)) != size {
		return nil, fmt.Errorf("a body of %d bytes, and its size says %d", len(data), size)
	}
	if size <= bs.inMemory {
		return BytesBody(data), nil
	}
	w, err := bs.newWriter(size, "")
	if err != nil {
		return nil, err
	}
	for len(data) > 0 {
		p := w.buf(len(data))
		n := copy(p, data)
		if err := w.wrote(n); err != nil {
			w.abort()
			return nil, err
		}
		data = data[n:]
	}
	return w.finish()
}

package secretsmanager

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Staging labels Secrets Manager moves by itself.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
)

// maxVersions is how many versions a secret keeps before Secrets Manager
// drops its oldest deprecated (unlabelled) ones.
const maxVersions = 100

// errNotFound is the answer for a secret that does not exist (or no longer).
var errNotFound = errResourceNotFound.New(msgSecretNotFound)

// Value is a secret's payload: a string or bytes, never both.
type Value struct {
	String   string
	Binary   []byte
	IsBinary bool
}

func (v Value) equal(o Value) bool {
	if v.IsBinary != o.IsBinary {
		return false
	}
	if v.IsBinary {
		return bytes.Equal(v.Binary, o.Binary)
	}
	return v.String == o.String
}

// Tag is a secret's tag.
type Tag struct{ Key, Value string }

// version is one immutable value of a secret plus its (mutable) labels.
type version struct {
	id      string
	value   Value
	created time.Time
	stages  []string // guarded by the secret's mu
}

// secret is one secret with its versions. Everything below mu is guarded by it.
type secret struct {
	arn, name string
	created   time.Time
	// lastRead is the Unix day of the last GetSecretValue (0: never), kept
	// apart so reads do not take the write lock.
	lastRead atomic.Int64

	mu           sync.RWMutex
	description  string
	kmsKeyID     string
	typ          string // the secret's Type (a managed external secret's kind); stored and shown, nothing more
	tags         []Tag
	lastChanged  time.Time
	deletedAt    time.Time // when DeleteSecret was called (zero: not scheduled)
	deletionDate time.Time // when the recovery window ends
	gone         bool      // removed from its region: every later call misses
	versions     map[string]*version
	order        []*version // oldest first
	stages       map[string]*version
	policy       string   // resource policy JSON ("" none)
	rotation     Rotation // rotation configuration
	// primaryRegion is set on a replica: the region of its primary.
	primaryRegion string
	replicas      []*replicaLink // a primary's replica regions
}

// alive says whether the secret still exists at now; the caller holds mu.
func (s *secret) alive(now time.Time) bool {
	return !s.gone && (s.deletionDate.IsZero() || now.Before(s.deletionDate))
}

// scheduled says whether the secret is marked for deletion; the caller holds mu.
func (s *secret) scheduled() bool { return !s.deletedAt.IsZero() }

// moveStage gives label to v, taking it from whichever version held it.
func (s *secret) moveStage(label string, v *version) {
	if old := s.stages[label]; old != nil {
		if old == v {
			return
		}
		old.stages = slices.DeleteFunc(old.stages, func(l string) bool { return l == label })
	}
	v.stages = append(v.stages, label)
	s.stages[label] = v
}

// addVersion stores a new version labelled with stages; AWSCURRENT moving
// away from a version leaves AWSPREVIOUS on it.
func (s *secret) addVersion(id string, val Value, stages []string, now time.Time) *version {
	v := &version{id: id, value: val, created: now}
	if slices.Contains(stages, stageCurrent) {
		if cur := s.stages[stageCurrent]; cur != nil {
			s.moveStage(stagePrevious, cur)
		}
	}
	for _, l := range stages {
		s.moveStage(l, v)
	}
	s.versions[id] = v
	s.order = append(s.order, v)
	for len(s.order) > maxVersions {
		i := slices.IndexFunc(s.order, func(v *version) bool { return len(v.stages) == 0 })
		if i < 0 {
			break
		}
		delete(s.versions, s.order[i].id)
		s.order = slices.Delete(s.order, i, i+1)
	}
	return v
}

// putValue adds a version unless token names one already: the same value is
// an idempotent retry, another value a conflict. The caller holds mu.
func (s *secret) putValue(token string, val Value, stages []string, now time.Time) (*version, error) {
	if v := s.versions[token]; v != nil {
		if v.value.equal(val) {
			return v, nil
		}
		return nil, errResourceExists.New("You can't use ClientRequestToken " + token + " because that value is already in use for a version of secret " + s.arn + ".")
	}
	return s.addVersion(token, val, stages, now), nil
}

func (s *secret) setTags(tags []Tag) {
	for _, t := range tags {
		i := slices.IndexFunc(s.tags, func(x Tag) bool { return x.Key == t.Key })
		if i >= 0 {
			s.tags[i].Value = t.Value
		} else {
			s.tags = append(s.tags, t)
		}
	}
}

// regionSecrets is one region's secrets by name.
type regionSecrets struct {
	mu     sync.RWMutex
	byName map[string]*secret
}

// find resolves a SecretId: a name, a full ARN, or an ARN without the random
// suffix. The caller holds mu.
func (r *regionSecrets) find(id string) *secret {
	if s := r.byName[id]; s != nil {
		return s
	}
	const marker = ":secret:"
	if !strings.HasPrefix(id, "arn:") {
		return nil
	}
	i := strings.Index(id, marker)
	if i < 0 {
		return nil
	}
	rest := id[i+len(marker):]
	if s := r.byName[rest]; s != nil && len(s.arn) == len(id)+7 && strings.HasPrefix(s.arn, id) {
		return s
	}
	if n := len(rest) - 7; n > 0 && rest[n] == '-' {
		if s := r.byName[rest[:n]]; s != nil && s.arn == id {
			return s
		}
	}
	return nil
}

// Store holds every region's secrets. Regions are locked apart, and each
// secret has its own lock, so reads of one secret never wait on another.
type Store struct {
	suffix func() string // the 6 random characters ending an ARN
	// repl serialises changes to replication, which touch several regions.
	repl sync.Mutex

	mu      sync.RWMutex
	regions map[string]*regionSecrets
}

// NewStore returns an empty store; suffix makes the ARN's random ending.
func NewStore(suffix func() string) *Store {
	return &Store{suffix: suffix, regions: map[string]*regionSecrets{}}
}

// Reset forgets every secret.
func (st *Store) Reset() {
	st.mu.Lock()
	st.regions = map[string]*regionSecrets{}
	st.mu.Unlock()
}

func (st *Store) region(name string, create bool) *regionSecrets {
	st.mu.RLock()
	r := st.regions[name]
	st.mu.RUnlock()
	if r != nil || !create {
		return r
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if r = st.regions[name]; r == nil {
		r = &regionSecrets{byName: map[string]*secret{}}
		st.regions[name] = r
	}
	return r
}

// lookup finds a live secret; one whose recovery window has ended is purged.
func (st *Store) lookup(region, id string, now time.Time) *secret {
	r := st.region(region, false)
	if r == nil {
		return nil
	}
	r.mu.RLock()
	s := r.find(id)
	r.mu.RUnlock()
	if s == nil {
		return nil
	}
	s.mu.RLock()
	alive := s.alive(now)
	s.mu.RUnlock()
	if !alive {
		st.purge(r, s)
		return nil
	}
	return s
}

// purge removes s from its region for good.
func (st *Store) purge(r *regionSecrets, s *secret) {
	r.mu.Lock()
	if r.byName[s.name] == s {
		delete(r.byName, s.name)
	}
	r.mu.Unlock()
	s.mu.Lock()
	s.gone = true
	s.mu.Unlock()
}

// Ref names a secret and, when one was made or matched, a version.
type Ref struct {
	ARN, Name, VersionID string
	Stages               []string
}

// CreateInput is a CreateSecret request, validated.
type CreateInput struct {
	Name, Description, KmsKeyID string
	Type                        string
	Token                       string // the first version's id
	Value                       *Value // nil: a secret with no version yet
	Tags                        []Tag
}

// Create makes a secret. A retry with the token and value of the existing
// secret's version answers as the first call did.
func (st *Store) Create(region, arnPrefix string, in CreateInput, now time.Time) (Ref, error) {
	r := st.region(region, true)
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.byName[in.Name]; old != nil {
		old.mu.Lock()
		defer old.mu.Unlock()
		switch {
		case !old.alive(now):
			delete(r.byName, in.Name)
			old.gone = true
		case old.scheduled():
			return Ref{}, errInvalidRequest.New("You can't create this secret because a secret with this name is already scheduled for deletion.")
		case in.Value != nil && old.versions[in.Token] != nil:
			v, err := old.putValue(in.Token, *in.Value, nil, now)
			if err != nil {
				return Ref{}, err
			}
			return Ref{ARN: old.arn, Name: old.name, VersionID: v.id}, nil
		default:
			return Ref{}, errResourceExists.New("The operation failed because the secret " + in.Name + " already exists.")
		}
	}
	s := &secret{
		arn: arnPrefix + in.Name + "-" + st.suffix(), name: in.Name, created: now,
		description: in.Description, kmsKeyID: in.KmsKeyID, typ: in.Type, lastChanged: now,
		versions: map[string]*version{}, stages: map[string]*version{},
	}
	s.setTags(in.Tags)
	ref := Ref{ARN: s.arn, Name: s.name}
	if in.Value != nil {
		ref.VersionID = s.addVersion(in.Token, *in.Value, []string{stageCurrent}, now).id
	}
	r.byName[in.Name] = s
	return ref, nil
}

// SecretValue is what GetSecretValue answers.
type SecretValue struct {
	ARN, Name, VersionID string
	Value                Value
	Stages               []string
	Created              time.Time
}

// GetValue reads one version: by id, by label, or AWSCURRENT.
func (st *Store) GetValue(region, id, versionID, stage string, now time.Time) (SecretValue, error) {
	s := st.lookup(region, id, now)
	if s == nil {
		return SecretValue{}, errNotFound
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.alive(now) {
		return SecretValue{}, errNotFound
	}
	if s.scheduled() {
		return SecretValue{}, errInvalidRequest.New(msgMarkedForDelete)
	}
	var v *version
	switch {
	case versionID != "":
		if v = s.versions[versionID]; v == nil {
			return SecretValue{}, errResourceNotFound.New("Secrets Manager can't find the specified secret value for VersionId: " + versionID)
		}
		if stage != "" && !slices.Contains(v.stages, stage) {
			return SecretValue{}, errInvalidRequest.New("You provided a VersionStage that is not associated to the provided VersionId.")
		}
	default:
		if stage == "" {
			stage = stageCurrent
		}
		if v = s.stages[stage]; v == nil {
			return SecretValue{}, errResourceNotFound.New("Secrets Manager can't find the specified secret value for staging label: " + stage)
		}
	}
	day := now.UTC().Truncate(24 * time.Hour).Unix()
	if s.lastRead.Load() != day {
		s.lastRead.Store(day)
	}
	return SecretValue{ARN: s.arn, Name: s.name, VersionID: v.id, Value: v.value, Stages: slices.Clone(v.stages), Created: v.created}, nil
}

// PutValue adds a version; stages default to AWSCURRENT.
func (st *Store) PutValue(region, id, token string, val Value, stages []string, now time.Time) (Ref, error) {
	if len(stages) == 0 {
		stages = []string{stageCurrent}
	}
	var ref Ref
	err := st.mutate(region, id, now, func(s *secret) error {
		v, err := s.putValue(token, val, stages, now)
		if err != nil {
			return err
		}
		ref = Ref{ARN: s.arn, Name: s.name, VersionID: v.id, Stages: slices.Clone(v.stages)}
		return nil
	})
	return ref, err
}

// UpdateInput is an UpdateSecret request; nil fields are left alone.
type UpdateInput struct {
	Description, KmsKeyID *string
	Type                  *string
	Token                 string
	Value                 *Value
}

// Update changes metadata and, with a value, adds an AWSCURRENT version.
func (st *Store) Update(region, id string, in UpdateInput, now time.Time) (Ref, error) {
	var ref Ref
	err := st.mutate(region, id, now, func(s *secret) error {
		r := Ref{ARN: s.arn, Name: s.name}
		if in.Value != nil {
			v, err := s.putValue(in.Token, *in.Value, []string{stageCurrent}, now)
			if err != nil {
				return err
			}
			r.VersionID = v.id
		}
		if in.Description != nil {
			s.description = *in.Description
		}
		if in.KmsKeyID != nil {
			s.kmsKeyID = *in.KmsKeyID
		}
		if in.Type != nil {
			s.typ = *in.Type
		}
		ref = r
		return nil
	})
	return ref, err
}

// Deletion is what DeleteSecret answers.
type Deletion struct {
	ARN, Name    string
	DeletionDate time.Time
}

// Delete schedules the secret's deletion after windowDays, or, forced,
// removes it at once (also when it is already scheduled, or missing).
func (st *Store) Delete(region, arnPrefix, id string, windowDays int, force bool, now time.Time) (Deletion, error) {
	r := st.region(region, true)
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.find(id)
	if s != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.alive(now) {
			delete(r.byName, s.name)
			s.gone = true
			s = nil
		}
	}
	if s == nil {
		if force && !strings.HasPrefix(id, "arn:") {
			// AWS answers a forced delete of a missing secret with success.
			return Deletion{ARN: arnPrefix + id + "-" + st.suffix(), Name: id, DeletionDate: now}, nil
		}
		return Deletion{}, errNotFound
	}
	if s.primaryRegion != "" {
		return Deletion{}, errInvalidParameter.New(msgReplica)
	}
	if len(s.replicas) > 0 {
		regions := make([]string, len(s.replicas))
		for i, l := range s.replicas {
			regions[i] = l.region
		}
		return Deletion{}, errInvalidRequest.New("You can't delete secret " + s.arn + " that still has replica regions [" + strings.Join(regions, ", ") + "]")
	}
	if force {
		delete(r.byName, s.name)
		s.gone = true
		return Deletion{ARN: s.arn, Name: s.name, DeletionDate: now}, nil
	}
	if s.scheduled() {
		return Deletion{}, errInvalidRequest.New(msgAlreadyScheduled)
	}
	s.deletedAt = now
	s.deletionDate = now.Add(time.Duration(windowDays) * 24 * time.Hour)
	s.lastChanged = now
	return Deletion{ARN: s.arn, Name: s.name, DeletionDate: s.deletionDate}, nil
}

// Restore cancels a scheduled deletion.
func (st *Store) Restore(region, id string, now time.Time) (Ref, error) {
	s := st.lookup(region, id, now)
	if s == nil {
		return Ref{}, errNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.alive(now) {
		return Ref{}, errNotFound
	}
	if s.scheduled() {
		s.deletedAt, s.deletionDate = time.Time{}, time.Time{}
		s.lastChanged = now
	}
	return Ref{ARN: s.arn, Name: s.name}, nil
}

// Tag adds or replaces tags.
func (st *Store) Tag(region, id string, tags []Tag, now time.Time) error {
	return st.mutate(region, id, now, func(s *secret) error {
		if len(mergeKeys(s.tags, tags)) > maxTags {
			return errInvalidParameter.New("Number of tags exceeds the limit of 50 for a secret.")
		}
		s.setTags(tags)
		return nil
	})
}

// Untag removes tags by key.
func (st *Store) Untag(region, id string, keys []string, now time.Time) error {
	return st.mutate(region, id, now, func(s *secret) error {
		s.tags = slices.DeleteFunc(s.tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
		return nil
	})
}

// maxTags is the number of tags a secret may carry.
const maxTags = 50

func mergeKeys(have, add []Tag) map[string]bool {
	keys := make(map[string]bool, len(have)+len(add))
	for _, t := range have {
		keys[t.Key] = true
	}
	for _, t := range add {
		keys[t.Key] = true
	}
	return keys
}

// mutate runs f on a live secret under its write lock and marks it changed
// when f succeeds; changing a secret marked for deletion is refused, as AWS
// does.
func (st *Store) mutate(region, id string, now time.Time, f func(*secret) error) error {
	s := st.lookup(region, id, now)
	if s == nil {
		return errNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.alive(now) {
		return errNotFound
	}
	if s.scheduled() {
		return errInvalidRequest.New(msgMarkedForDelete)
	}
	if s.primaryRegion != "" {
		return errInvalidParameter.New(msgReplica)
	}
	if err := f(s); err != nil {
		return err
	}
	s.lastChanged = now
	s.syncReplicas()
	return nil
}

// Count reports how many live secrets each region holds.
func (st *Store) Count() map[string]int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := map[string]int{}
	for name, r := range st.regions {
		r.mu.RLock()
		if n := len(r.byName); n > 0 {
			out[name] = n
		}
		r.mu.RUnlock()
	}
	return out
}

package s3

import (
	"context"
	"time"
)

// Object lock: a bucket's object lock configuration, the retention and
// legal hold of each version, and the deletes they forbid.

// Protection is what object lock and UpdateObjectEncryption add to a
// version: its retention mode (GOVERNANCE, COMPLIANCE; "" none) and date,
// its legal hold ("ON", "OFF"; "" never set), and the SSE-KMS key it was
// written or updated with ("": SSE-S3), with DSSE for aws:kms:dsse and the
// encryption context (base64 JSON) it was written with.
type Protection struct {
	LockMode         string
	LockUntil        time.Time
	LegalHold        string
	KMSKeyID         string
	BucketKeyEnabled bool
	DSSE             bool
	KMSContext       string
}

// protection is o's protection (zero: none).
func (o *Object) protection() Protection {
	if o.Protect == nil {
		return Protection{}
	}
	return *o.Protect
}

// protect changes o's protection through f, on a new Protection (copies
// of o share its old one).
func (o *Object) protect(f func(*Protection)) {
	p := o.protection()
	f(&p)
	o.Protect = &p
}

// Retention modes and legal hold statuses.
const (
	LockGovernance = "GOVERNANCE"
	LockCompliance = "COMPLIANCE"
	LegalHoldOn    = "ON"
	LegalHoldOff   = "OFF"
)

// LockConfig is a bucket's object lock configuration: enabled, with an
// optional default retention for new versions.
type LockConfig struct {
	Mode        string // default retention mode ("": no default rule)
	Days, Years int    // one of them, with Mode
}

// until is when the default retention of a version written at t ends.
func (c *LockConfig) until(t time.Time) time.Time {
	if c.Years > 0 {
		return t.AddDate(c.Years, 0, 0)
	}
	return t.AddDate(0, 0, c.Days)
}

func missingLockConfig() error {
	return errInvalidRequest.New("Bucket is missing Object Lock Configuration")
}

func lockedAccessDenied() error {
	return errAccessDenied.New("Access Denied because object protected by object lock.")
}

// EnableObjectLock turns object lock on for a bucket (CreateBucket with
// x-amz-bucket-object-lock-enabled): versioning is enabled with it and can
// no longer be suspended.
func (s *Store) EnableObjectLock(ctx context.Context, bucketName string) error {
	if err := s.SetVersioning(ctx, bucketName, VersioningEnabled); err != nil {
		return err
	}
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	if b.lock == nil {
		b.lock = &LockConfig{}
	}
	s.recordBucket(ctx, b)
	b.mu.Unlock()
	return nil
}

// SetLockConfig sets a bucket's object lock configuration
// (PutObjectLockConfiguration). A bucket without object lock gets it when
// its versioning is enabled, as on S3 since 2023.
func (s *Store) SetLockConfig(ctx context.Context, bucketName string, conf LockConfig) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lock == nil && b.versioning != VersioningEnabled {
		return errInvalidBucketState.New("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
	}
	b.lock = &conf
	s.recordBucket(ctx, b)
	return nil
}

// LockConfigOf is a bucket's object lock configuration;
// ObjectLockConfigurationNotFoundError when object lock is not enabled.
func (s *Store) LockConfigOf(bucketName string) (LockConfig, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return LockConfig{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.lock == nil {
		return LockConfig{}, errNoObjectLockConfig.New("Object Lock configuration does not exist for this bucket").With("BucketName", bucketName)
	}
	return *b.lock, nil
}

// applyLock checks a new version's lock against its bucket and gives it
// the bucket's default retention when it asks for none; b.mu is held.
func (b *bucket) applyLock(obj *Object) error {
	if b.lock == nil {
		if p := obj.protection(); p.LockMode != "" || p.LegalHold != "" {
			return missingLockConfig()
		}
		return nil
	}
	if obj.protection().LockMode == "" && b.lock.Mode != "" {
		obj.protect(func(p *Protection) { p.LockMode, p.LockUntil = b.lock.Mode, b.lock.until(obj.LastModified) })
	}
	return nil
}

// locked reports why v may not be deleted at now (nil: it may): a legal
// hold, a compliance retention, or a governance retention without bypass.
func (v *Object) locked(now time.Time, bypass bool) error {
	p := v.protection()
	if p.LegalHold == LegalHoldOn {
		return lockedAccessDenied()
	}
	if p.LockMode != "" && now.Before(p.LockUntil) && (p.LockMode == LockCompliance || !bypass) {
		return lockedAccessDenied()
	}
	return nil
}

// Retention is a version's retention as PutObjectRetention sets it (Mode
// "": remove it, which governance mode allows with bypass).
type Retention struct {
	Mode  string
	Until time.Time
}

// lockedVersion finds one version of key for a lock change; b.mu is held.
func (b *bucket) lockedVersion(key, versionID string) (int, *Object, error) {
	if b.lock == nil {
		return 0, nil, missingLockConfig()
	}
	return b.findVersion(key, versionID)
}

// findVersion finds one version of key ("": the current one) and its
// index in key's history; b.mu is held.
func (b *bucket) findVersion(key, versionID string) (int, *Object, error) {
	vs := b.history(key)
	for i, v := range vs {
		if (versionID == "" && i == 0) || versionOf(v) == versionID {
			if v.DeleteMarker && versionID == "" {
				return 0, nil, noSuchKey(key)
			}
			if v.DeleteMarker {
				return 0, nil, methodNotAllowed("PUT", "DeleteMarker")
			}
			return i, v, nil
		}
	}
	if versionID == "" {
		return 0, nil, noSuchKey(key)
	}
	return 0, nil, noSuchVersion(key, versionID)
}

// replaceVersion stores n in place of key's version i (and as the current
// object when it is the newest); b.mu is held. n shares the old version's
// body, whose reference it takes over.
func (b *bucket) replaceVersion(key string, i int, n *Object) {
	if vs := b.versions[key]; vs != nil {
		vs[i] = n
	}
	if i == 0 && b.objects[key] != nil {
		b.objects[key] = n
	}
}

// SetRetention changes a version's retention as S3 allows: a compliance
// retention only ever lengthens; a governance one is shortened, changed
// or removed only with bypass.
func (s *Store) SetRetention(ctx context.Context, bucketName, key, versionID string, r Retention, bypass bool, now time.Time) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	i, v, err := b.lockedVersion(key, versionID)
	if err != nil {
		return err
	}
	if p := v.protection(); p.LockMode != "" && now.Before(p.LockUntil) {
		weaker := r.Mode == "" || r.Until.Before(p.LockUntil) || (p.LockMode == LockCompliance && r.Mode != LockCompliance)
		if weaker && (p.LockMode == LockCompliance || !bypass) {
			return lockedAccessDenied()
		}
	}
	n := *v
	n.protect(func(p *Protection) { p.LockMode, p.LockUntil = r.Mode, r.Until })
	b.replaceVersion(key, i, &n)
	s.recordKeys(ctx, b, key)
	return nil
}

// SetLegalHold puts a legal hold on a version, or takes it off.
func (s *Store) SetLegalHold(ctx context.Context, bucketName, key, versionID, status string) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	i, v, err := b.lockedVersion(key, versionID)
	if err != nil {
		return err
	}
	n := *v
	n.protect(func(p *Protection) { p.LegalHold = status })
	b.replaceVersion(key, i, &n)
	s.recordKeys(ctx, b, key)
	return nil
}

// LockOf is a version's lock state, for GetObjectRetention and
// GetObjectLegalHold.
func (s *Store) LockOf(bucketName, key, versionID string) (*Object, error) {
	b, err := s.bucket(bucketName)
	if err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, v, err := b.lockedVersion(key, versionID)
	return v, err
}

// SetEncryption records a version's SSE-KMS key (UpdateObjectEncryption).
func (s *Store) SetEncryption(ctx context.Context, bucketName, key, versionID, kmsKey string, bucketKey bool) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	i, v, err := b.findVersion(key, versionID)
	if err != nil {
		return err
	}
	n := *v
	n.protect(func(p *Protection) {
		p.KMSKeyID, p.BucketKeyEnabled, p.DSSE, p.KMSContext = kmsKey, bucketKey, false, ""
	})
	b.replaceVersion(key, i, &n)
	s.recordKeys(ctx, b, key)
	return nil
}

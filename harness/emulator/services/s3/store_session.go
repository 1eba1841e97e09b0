package s3

import (
	"context"
	"sync"
	"time"
)

// What directory buckets (S3 Express One Zone) have of their own: sessions
// (CreateSession hands out temporary credentials scoped to one directory
// bucket for five minutes; requests to the bucket then carry the session
// token in x-amz-s3session-token) and renames (RenameObject).

// SessionTTL is how long S3 Express session credentials last.
const SessionTTL = 5 * time.Minute

// Session modes (x-amz-create-session-mode).
const (
	SessionReadWrite = "ReadWrite"
	SessionReadOnly  = "ReadOnly"
)

// Session is one CreateSession's credentials.
type Session struct {
	Bucket          string
	Mode            string // SessionReadWrite or SessionReadOnly
	AccessKeyID     string
	SecretAccessKey string
	Token           string
	Expires         time.Time
}

// sessions are the open sessions by token.
type sessions struct {
	mu      sync.Mutex
	byToken map[string]Session
	byKey   map[string]string // access key → token
	swept   int               // the number of sessions after the last sweep of expired ones
}

func (ss *sessions) reset() {
	ss.mu.Lock()
	ss.byToken, ss.byKey, ss.swept = nil, nil, 0
	ss.mu.Unlock()
}

// OpenSession records a session for an existing directory bucket; any
// other bucket is NoSuchBucket, as the zonal endpoint knows no other.
func (s *Store) OpenSession(sess Session, now time.Time) error {
	b, err := s.bucket(sess.Bucket)
	if err != nil {
		return err
	}
	if !b.Directory {
		return noSuchBucket(sess.Bucket)
	}
	ss := &s.sessions
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.byToken == nil {
		ss.byToken, ss.byKey = map[string]Session{}, map[string]string{}
	}
	// Sweep the expired sessions whenever their number has doubled since
	// the last sweep: a sweep's cost is spread over the sessions opened.
	if len(ss.byToken) >= 2*ss.swept+64 {
		for t, old := range ss.byToken {
			if !now.Before(old.Expires) {
				delete(ss.byToken, t)
				delete(ss.byKey, old.AccessKeyID)
			}
		}
		ss.swept = len(ss.byToken)
	}
	ss.byToken[sess.Token] = sess
	ss.byKey[sess.AccessKeyID] = sess.Token
	return nil
}

// SessionOf returns the session of an access key CreateSession issued
// (expired or not).
func (s *Store) SessionOf(accessKey string) (Session, bool) {
	ss := &s.sessions
	ss.mu.Lock()
	defer ss.mu.Unlock()
	sess, ok := ss.byToken[ss.byKey[accessKey]]
	return sess, ok && sess.AccessKeyID == accessKey
}

// CheckSession decides a request to bucket made with a session token: the
// token must be one CreateSession issued, to accessKey, for bucket, not
// expired, and a ReadOnly session may only read.
func (s *Store) CheckSession(token, accessKey, bucket string, write bool, now time.Time) error {
	ss := &s.sessions
	ss.mu.Lock()
	sess, ok := ss.byToken[token]
	ss.mu.Unlock()
	switch {
	case !ok || (accessKey != "" && sess.AccessKeyID != accessKey):
		return errInvalidToken.New(msgInvalidToken)
	case !now.Before(sess.Expires):
		return errExpiredToken.New(msgExpiredToken)
	case sess.Bucket != bucket || (write && sess.Mode == SessionReadOnly):
		return errAccessDenied.New("Access Denied")
	}
	return nil
}

// RenameCondition is what a rename must find: at the source (If-Match and
// If-None-Match against its ETag) and at the destination (the destination
// object's, as for a conditional write).
type RenameCondition struct {
	SourceIfMatch, SourceIfNoneMatch string
	Destination                      PutCondition
}

// RenameObject moves the object at src to dst in a directory bucket, in
// place of any object there, if cond holds at that moment: its body,
// metadata and ETag go with it.
func (s *Store) RenameObject(ctx context.Context, bucketName, src, dst string, cond RenameCondition) error {
	b, err := s.bucket(bucketName)
	if err != nil {
		return err
	}
	b.mu.Lock()
	old, dstOld := b.objects[src], b.objects[dst]
	switch {
	case b.deleted:
		err = noSuchBucket(bucketName)
	case !b.Directory || b.versioning != "":
		err = errInvalidRequest.New("RenameObject is only supported for objects in directory buckets.")
	case old == nil:
		err = noSuchKey(src)
	case cond.SourceIfMatch != "" && !ETagMatches(cond.SourceIfMatch, old.ETag):
		err = preconditionFailed("x-amz-rename-source-if-match")
	case cond.SourceIfNoneMatch != "" && ETagMatches(cond.SourceIfNoneMatch, old.ETag):
		err = preconditionFailed("x-amz-rename-source-if-none-match")
	default:
		err = cond.Destination.check(dst, dstOld)
	}
	if err != nil || src == dst {
		b.mu.Unlock()
		return err
	}
	moved := *old
	moved.Key = dst
	b.unsetCurrent(src, old)
	gone := b.put(&moved, dstOld)
	s.recordKeys(ctx, b, src, dst)
	b.mu.Unlock()
	gone.release() // the replaced destination's body (the source's now belongs to moved)
	return nil
}

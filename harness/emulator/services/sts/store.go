package sts

import (
	"sync"
	"time"
)

// Identity is who a set of credentials belongs to, as GetCallerIdentity says it.
type Identity struct {
	Account, Arn, UserID string
	// AssumedRole is true for role session credentials, Federated for a
	// federated user's (GetFederationToken).
	AssumedRole, Federated bool
}

// Credentials are temporary credentials: an ASIA… access key, its secret
// and the session token that must accompany it.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

type session struct {
	Identity
	Credentials
	expires time.Time // zero: until revoked
}

// maxSessions bounds the sessions remembered; past it, expired ones are swept.
const maxSessions = 10000

// Store remembers the temporary credentials this cloud issued: whose they
// are (GetCallerIdentity answers with the assumed role, as AWS does) and
// their secret and token (strict mode verifies requests signed with them).
// Sessions of AssumeRole and GetSessionToken expire; those issued to
// running code (a function instance's execution role) last until revoked.
type Store struct {
	mu    sync.RWMutex
	byKey map[string]session
	held  map[string]session // revoked by their holder, never swept nor reset
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{byKey: map[string]session{}, held: map[string]session{}} }

// Reset forgets every expiring session; credentials held by running code
// stay valid until their holder revokes them (the code keeps running).
func (s *Store) Reset() {
	s.mu.Lock()
	s.byKey = map[string]session{}
	s.mu.Unlock()
}

// Remember records credentials issued to id, valid until expires.
func (s *Store) Remember(c Credentials, id Identity, expires, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byKey) >= maxSessions {
		for k, v := range s.byKey {
			if !now.Before(v.expires) {
				delete(s.byKey, k)
			}
		}
		// Still full of live sessions: forget an arbitrary one rather than grow without bound.
		for k := range s.byKey {
			if len(s.byKey) < maxSessions {
				break
			}
			delete(s.byKey, k)
		}
	}
	s.byKey[c.AccessKeyID] = session{id, c, expires}
}

// Hold records credentials issued to id that stay valid until the
// returned revoke is called (once is enough; more are harmless).
func (s *Store) Hold(c Credentials, id Identity) (revoke func()) {
	s.mu.Lock()
	s.held[c.AccessKeyID] = session{Identity: id, Credentials: c}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.held, c.AccessKeyID)
		s.mu.Unlock()
	}
}

// Lookup returns the identity of a temporary access key that has not expired.
func (s *Store) Lookup(accessKey string, now time.Time) (Identity, bool) {
	v, ok := s.session(accessKey)
	if !ok || !v.expires.IsZero() && !now.Before(v.expires) {
		return Identity{}, false
	}
	return v.Identity, true
}

// Secret returns a temporary access key's credentials and expiry (zero
// for held ones), expired or not, while the store remembers them.
func (s *Store) Secret(accessKey string) (Credentials, time.Time, bool) {
	v, ok := s.session(accessKey)
	return v.Credentials, v.expires, ok
}

func (s *Store) session(accessKey string) (session, bool) {
	s.mu.RLock()
	v, ok := s.held[accessKey]
	if !ok {
		v, ok = s.byKey[accessKey]
	}
	s.mu.RUnlock()
	return v, ok
}

// Count is the number of sessions remembered.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byKey) + len(s.held)
}

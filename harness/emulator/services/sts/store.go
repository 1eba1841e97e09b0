package sts

import (
	"sync"
	"time"
)

// Identity is who a set of credentials belongs to, as GetCallerIdentity says it.
type Identity struct {
	Account, Arn, UserID string
	// AssumedRole is true for role session credentials.
	AssumedRole bool
}

type session struct {
	Identity
	expires time.Time
}

// maxSessions bounds the sessions remembered; past it, expired ones are swept.
const maxSessions = 10000

// Store remembers which temporary access key belongs to which identity, so
// GetCallerIdentity answers with the assumed role like AWS does.
type Store struct {
	mu    sync.RWMutex
	byKey map[string]session
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{byKey: map[string]session{}} }

// Reset forgets every session.
func (s *Store) Reset() {
	s.mu.Lock()
	s.byKey = map[string]session{}
	s.mu.Unlock()
}

// Remember records that accessKey belongs to id until expires.
func (s *Store) Remember(accessKey string, id Identity, expires, now time.Time) {
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
	s.byKey[accessKey] = session{id, expires}
}

// Lookup returns the identity of a temporary access key that has not expired.
func (s *Store) Lookup(accessKey string, now time.Time) (Identity, bool) {
	s.mu.RLock()
	v, ok := s.byKey[accessKey]
	s.mu.RUnlock()
	if !ok || !now.Before(v.expires) {
		return Identity{}, false
	}
	return v.Identity, true
}

// Count is the number of sessions remembered.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byKey)
}

package dynamodb

import (
	"sync"
	"time"
)

// tokenCache remembers successful TransactWriteItems by ClientRequestToken
// for ten minutes, as AWS does, so a retried request is not applied twice.
// Tokens expire from the front of an insertion-order queue: the SDK sends a
// token with every call, and sweeping the whole map on each store made a
// sustained 800 tx/s degrade within half a minute.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]tokenEntry
	order   []tokenAge // insertion order; order[head:] are live
	head    int
}

type tokenEntry struct {
	hash [32]byte
	at   time.Time
	resp []byte
}

type tokenAge struct {
	token string
	at    time.Time
}

// maxTokens bounds the cache's memory under sustained load; past it the
// oldest tokens go early (a retry comes seconds after its call, not minutes).
const maxTokens = 100_000

// lookup returns a previous response for token; mismatch reports the
// token was used with a different request.
func (tc *tokenCache) lookup(token string, hash [32]byte, now time.Time) (resp []byte, mismatch bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.entries[token]
	if !ok || now.Sub(e.at) > tokenLifetimeSecs*time.Second {
		return nil, false
	}
	if e.hash != hash {
		return nil, true
	}
	return e.resp, false
}

func (tc *tokenCache) store(token string, hash [32]byte, now time.Time, resp []byte) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.entries == nil {
		tc.entries = map[string]tokenEntry{}
	}
	for tc.head < len(tc.order) {
		a := tc.order[tc.head]
		if now.Sub(a.at) <= tokenLifetimeSecs*time.Second && len(tc.order)-tc.head < maxTokens {
			break
		}
		// A token stored again since has a newer entry: keep that one.
		if e, ok := tc.entries[a.token]; ok && e.at.Equal(a.at) {
			delete(tc.entries, a.token)
		}
		tc.order[tc.head] = tokenAge{}
		tc.head++
	}
	if tc.head > 1024 && tc.head*2 > len(tc.order) {
		tc.order = append(tc.order[:0], tc.order[tc.head:]...)
		tc.head = 0
	}
	tc.entries[token] = tokenEntry{hash: hash, at: now, resp: resp}
	tc.order = append(tc.order, tokenAge{token: token, at: now})
}

package apigatewayv2

import (
	"sync"
	"time"
)

// authCache remembers authorizer verdicts for their TTL, keyed by API,
// stage, authorizer and identity values. It is bounded: past maxEntries it
// drops expired entries, then everything (a cache may always forget).
type authCache struct {
	mu      sync.Mutex
	entries map[string]authEntry
}

const maxAuthEntries = 10000

type authEntry struct {
	expires time.Time
	value   any
}

func newAuthCache() authCache { return authCache{entries: map[string]authEntry{}} }

func (c *authCache) reset() {
	c.mu.Lock()
	c.entries = map[string]authEntry{}
	c.mu.Unlock()
}

func (c *authCache) get(key string, now time.Time) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		return nil, false
	}
	return e.value, true
}

func (c *authCache) put(key string, v any, ttl time.Duration, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxAuthEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxAuthEntries {
			c.entries = map[string]authEntry{}
		}
	}
	c.entries[key] = authEntry{expires: now.Add(ttl), value: v}
}

// clear forgets an API stage's verdicts (ResetAuthorizersCache).
func (c *authCache) clear(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			delete(c.entries, k)
		}
	}
}

// authCachePrefix starts every cache key of an API stage.
func authCachePrefix(apiID, stage string) string { return apiID + "\x00" + stage + "\x00" }

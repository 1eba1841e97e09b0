package dynamodb

import (
	"fmt"
	"testing"
	"time"
)

func TestTokenCacheExpiresInOrder(t *testing.T) {
	var tc tokenCache
	t0 := time.Unix(1_700_000_000, 0)
	h1, h2 := [32]byte{1}, [32]byte{2}
	for i := range 3000 {
		tc.store(fmt.Sprint("tok-", i), h1, t0.Add(time.Duration(i)*time.Second), []byte("{}"))
	}
	now := t0.Add(3000 * time.Second)
	// Within ten minutes: remembered, and a different request is a mismatch.
	if resp, mismatch := tc.lookup("tok-2999", h1, now); string(resp) != "{}" || mismatch {
		t.Fatalf("recent token: %q %v", resp, mismatch)
	}
	if _, mismatch := tc.lookup("tok-2999", h2, now); !mismatch {
		t.Fatal("a reused token with another request is not a mismatch")
	}
	if resp, _ := tc.lookup("tok-100", h1, now); resp != nil {
		t.Fatal("a token older than ten minutes answered")
	}
	// Storing drops what expired: about ten minutes' worth stay.
	if n := len(tc.entries); n > tokenLifetimeSecs+2 {
		t.Fatalf("%d entries kept, want at most %d", n, tokenLifetimeSecs+2)
	}
	if live := len(tc.order) - tc.head; live != len(tc.entries) {
		t.Fatalf("queue %d live, map %d", live, len(tc.entries))
	}
}

func TestTokenCacheStoredAgainKeepsTheNewerEntry(t *testing.T) {
	var tc tokenCache
	t0 := time.Unix(1_700_000_000, 0)
	tc.store("same", [32]byte{1}, t0, []byte("old"))
	tc.store("same", [32]byte{1}, t0.Add(9*time.Minute), []byte("new"))
	// The first queue entry expires; the token's newer entry must survive it.
	tc.store("other", [32]byte{2}, t0.Add(11*time.Minute), []byte("x"))
	if resp, _ := tc.lookup("same", [32]byte{1}, t0.Add(11*time.Minute)); string(resp) != "new" {
		t.Fatalf("got %q", resp)
	}
}

func TestTokenCacheIsBounded(t *testing.T) {
	var tc tokenCache
	t0 := time.Unix(1_700_000_000, 0)
	for i := range maxTokens + 500 {
		tc.store(fmt.Sprint(i), [32]byte{}, t0, nil)
	}
	if len(tc.entries) > maxTokens {
		t.Fatalf("%d entries, bound %d", len(tc.entries), maxTokens)
	}
}

// BenchmarkTokenCacheStore is the cost per TransactWriteItems of
// remembering its token with a full ten-minute window behind it.
func BenchmarkTokenCacheStore(b *testing.B) {
	var tc tokenCache
	t0 := time.Unix(1_700_000_000, 0)
	const perSec = 900 // the load generator's capacity figure
	for i := range perSec * tokenLifetimeSecs {
		tc.store(fmt.Sprint("warm-", i), [32]byte{}, t0.Add(time.Duration(i)*time.Second/perSec), nil)
	}
	tokens := make([]string, b.N)
	for i := range tokens {
		tokens[i] = fmt.Sprint("tok-", i)
	}
	b.ResetTimer()
	for i := range b.N {
		tc.store(tokens[i], [32]byte{}, t0.Add(time.Duration(perSec*tokenLifetimeSecs+i)*time.Second/perSec), nil)
	}
}

package dynamodb

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// TTL sweeping: AWS deletes expired items in the background, some time
// after they expire. The sweeper does the same on a ticker, examining a
// bounded number of items per tick so a huge table never stalls writers.
const (
	sweepInterval = 5 * time.Second
	sweepBudget   = 20000 // items examined per table per tick
	sweepBatch    = 256   // items examined per lock hold
	// ttlMaxAge: AWS ignores expiry times more than five years in the past.
	ttlMaxAge = 5 * 365 * 24 * time.Hour
)

// ttlOf returns the expiry time (epoch seconds) an item's TTL attribute
// holds, or 0 when it holds none (missing or not a number).
func ttlOf(it attr.Item, name string) int64 {
	v, ok := it[name]
	if !ok || v.Type() != attr.N {
		return 0
	}
	f, err := strconv.ParseFloat(v.N(), 64)
	if err != nil || f <= 0 || f > math.MaxInt64/2 {
		return 0
	}
	return int64(f)
}

// isExpired applies AWS's rule: due, but not more than five years ago.
func isExpired(expires int64, now time.Time) bool {
	if expires <= 0 {
		return false
	}
	n := now.Unix()
	return expires <= n && expires >= now.Add(-ttlMaxAge).Unix()
}

// sweeper runs the store's TTL sweeps on a ticker once some table has
// TTL enabled; Close stops it.
type sweeper struct {
	store *Store
	mu    sync.Mutex
	stop  chan struct{}
	done  chan struct{}
}

// ensure starts the ticker goroutine if it is not running.
func (w *sweeper) ensure() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop != nil {
		return
	}
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	stop, done := w.stop, w.done
	go func() {
		defer close(done)
		tick := time.NewTicker(sweepInterval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				w.store.sweepTTL(sweepBudget)
			}
		}
	}()
}

// close stops the ticker goroutine and waits for it.
func (w *sweeper) close() {
	w.mu.Lock()
	stop, done := w.stop, w.done
	w.stop, w.done = nil, nil
	w.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// sweepTTL examines up to budget items of every table with TTL enabled
// (budget <= 0: all of them) and deletes the expired ones; it returns how
// many it deleted.
func (s *Store) sweepTTL(budget int) int {
	deleted := 0
	for _, r := range s.allRegions() {
		r.mu.RLock()
		tables := make([]*table, 0, len(r.tables))
		for _, t := range r.tables {
			tables = append(tables, t)
		}
		r.mu.RUnlock()
		for _, t := range tables {
			deleted += t.sweep(budget)
		}
	}
	return deleted
}

// sweep examines up to budget items from where the last sweep stopped,
// taking the lock in small batches.
func (t *table) sweep(budget int) int {
	deleted := 0
	examined := 0
	for budget <= 0 || examined < budget {
		n, d, wrapped := t.sweepBatch()
		examined += n
		deleted += d
		if wrapped || n == 0 {
			break
		}
	}
	return deleted
}

// sweepBatch examines one batch under the write lock; wrapped reports that
// the batch reached the end of the table (the next sweep starts over).
func (t *table) sweepBatch() (examined, deleted int, wrapped bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted || t.ttlAttr == "" {
		return 0, 0, true
	}
	now := t.now()
	var due []*entry
	start := t.sweepAfter
	visit := func(e *entry) bool {
		if start != nil && !lessEntry(start, e) {
			return true // the resume point itself
		}
		examined++
		if isExpired(e.expires, now) {
			due = append(due, e)
		}
		t.sweepAfter = e
		return examined < sweepBatch
	}
	if start == nil {
		t.items.Ascend(visit)
	} else {
		t.items.AscendGreaterOrEqual(start, visit)
	}
	if examined < sweepBatch {
		wrapped = true
		t.sweepAfter = nil
	}
	for _, e := range due {
		old := mustDecode(e.data)
		k := itemKey{hh: e.hh, hk: e.hk, rk: e.rk, attrs: keyAttrs(old, t.key)}
		t.apply(k, e, write{kind: writeDelete, old: old, byTTL: true})
		t.logWrite(context.Background(), k, writeDelete, nil)
		deleted++
	}
	return examined, deleted, wrapped
}

// keyAttrs returns the key attributes of an item.
func keyAttrs(it attr.Item, k keyDef) attr.Item {
	out := make(attr.Item, 2)
	if v, ok := it[k.hash]; ok {
		out[k.hash] = v
	}
	if k.rng != "" {
		if v, ok := it[k.rng]; ok {
			out[k.rng] = v
		}
	}
	return out
}

// setTTL turns TTL on (name != "") or off, and computes every item's
// expiry when turning it on (table write-locked).
func (t *table) setTTL(name string) {
	t.ttlAttr = name
	t.sweepAfter = nil
	if name == "" {
		return
	}
	t.items.Ascend(func(e *entry) bool {
		e.expires = ttlOf(mustDecode(e.data), name)
		return true
	})
}

package dynamodb

import (
	"math/bits"
	"strings"
)

// keyRange is a Query's key condition in order bytes: one partition and an
// optional range predicate.
type keyRange struct {
	hh             uint64
	hk             string
	lo, hi         string
	loSet, hiSet   bool
	loIncl, hiIncl bool
	prefix         string
	prefixSet      bool
	forward        bool
}

// admits reports where rk lies against the range predicate: -1 before it,
// 0 inside, +1 after it (in ascending order).
func (r *keyRange) admits(rk string) int {
	if r.loSet {
		if rk < r.lo || (rk == r.lo && !r.loIncl) {
			return -1
		}
	}
	if r.hiSet {
		if rk > r.hi || (rk == r.hi && !r.hiIncl) {
			return 1
		}
	}
	if r.prefixSet && !strings.HasPrefix(rk, r.prefix) {
		if rk < r.prefix {
			return -1
		}
		return 1
	}
	return 0
}

// startRK returns the pivot range bytes and bound for the first item of
// the range in the walk's direction.
func (r *keyRange) startRK() (string, int8) {
	// A bound and a prefix are both set only for a multi-attribute key,
	// whose bounds lie within the prefix.
	if r.forward {
		switch {
		case r.loSet:
			return r.lo, 0
		case r.prefixSet:
			return r.prefix, 0
		}
		return "", -1
	}
	switch {
	case r.hiSet:
		return r.hi, 0
	case r.prefixSet:
		if s, ok := prefixSuccessor(r.prefix); ok {
			return s, 0
		}
		return "", 1
	}
	return "", 1
}

// prefixSuccessor returns the smallest string greater than every string
// with prefix p, if there is one.
func prefixSuccessor(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// queryTable reads one page of a partition of the table.
func (t *table) queryTable(r *keyRange, after *entry, lim pageLimits) (readPage, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return readPage{}, tableNotFound()
	}
	c := collector{pageLimits: lim}
	visit := func(e *entry) bool {
		if e.hh != r.hh || e.hk != r.hk {
			return false
		}
		if after != nil && e.rk == after.rk && e.hk == after.hk {
			return true // the exclusive start itself
		}
		switch r.admits(e.rk) {
		case 0:
			return c.add(e, nil, int(e.size))
		case -1:
			return r.forward
		default:
			return !r.forward
		}
	}
	pivot := after
	if pivot == nil {
		rk, bound := r.startRK()
		pivot = &entry{hh: r.hh, hk: r.hk, rk: rk, bound: bound}
	}
	if r.forward {
		t.items.AscendGreaterOrEqual(pivot, visit)
	} else {
		t.items.DescendLessOrEqual(pivot, visit)
	}
	return c.page, nil
}

// queryIndex reads one page of a partition of a secondary index.
func (t *table) queryIndex(ix *index, r *keyRange, after *ientry, lim pageLimits) (readPage, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return readPage{}, tableNotFound()
	}
	c := collector{pageLimits: lim}
	visit := func(ie *ientry) bool {
		if ie.hh != r.hh || ie.hk != r.hk {
			return false
		}
		if after != nil && !lessIEntry(ie, after) && !lessIEntry(after, ie) {
			return true
		}
		switch r.admits(ie.rk) {
		case 0:
			return c.add(ie.e, ie, int(ie.psize))
		case -1:
			return r.forward
		default:
			return !r.forward
		}
	}
	pivot := after
	if pivot == nil {
		rk, bound := r.startRK()
		pivot = &ientry{hh: r.hh, hk: r.hk, rk: rk, bound: bound}
		if bound == 0 && !r.forward {
			pivot.e = tieAfter // descending from rk includes every item with rk
		}
	}
	if r.forward {
		ix.tree.AscendGreaterOrEqual(pivot, visit)
	} else {
		ix.tree.DescendLessOrEqual(pivot, visit)
	}
	return c.page, nil
}

// segment is the slice of partition-hash space a parallel scan segment
// covers: [lo, hi], inclusive, so the last segment reaches the top.
type segment struct{ lo, hi uint64 }

// segmentOf splits the 64-bit hash space into total equal slices.
func segmentOf(seg, total int) segment {
	if total <= 1 {
		return segment{0, ^uint64(0)}
	}
	lo, _ := bits.Div64(uint64(seg), 0, uint64(total))
	if seg == total-1 {
		return segment{lo, ^uint64(0)}
	}
	hi, _ := bits.Div64(uint64(seg+1), 0, uint64(total))
	return segment{lo, hi - 1}
}

// scanTable reads one page of the table in partition-hash order.
func (t *table) scanTable(seg segment, after *entry, lim pageLimits) (readPage, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return readPage{}, tableNotFound()
	}
	c := collector{pageLimits: lim}
	pivot := &entry{hh: seg.lo, bound: -1}
	if after != nil && after.hh >= seg.lo {
		pivot = after
	}
	t.items.AscendGreaterOrEqual(pivot, func(e *entry) bool {
		if e.hh > seg.hi {
			return false
		}
		if after != nil && !lessEntry(e, after) && !lessEntry(after, e) {
			return true
		}
		return c.add(e, nil, int(e.size))
	})
	return c.page, nil
}

// scanIndex reads one page of an index in its partition-hash order.
func (t *table) scanIndex(ix *index, seg segment, after *ientry, lim pageLimits) (readPage, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return readPage{}, tableNotFound()
	}
	c := collector{pageLimits: lim}
	pivot := &ientry{hh: seg.lo, bound: -1}
	if after != nil && after.hh >= seg.lo {
		pivot = after
	}
	ix.tree.AscendGreaterOrEqual(pivot, func(ie *ientry) bool {
		if ie.hh > seg.hi {
			return false
		}
		if after != nil && !lessIEntry(ie, after) && !lessIEntry(after, ie) {
			return true
		}
		return c.add(ie.e, ie, int(ie.psize))
	})
	return c.page, nil
}

// index returns the table's index of that name, or nil. What a read uses
// of it (name, kind, key, projection) never changes once it exists.
func (t *table) index(name string) *index {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.indexNamed(name)
}

package dynamodb

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/btree"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Store holds every region's tables and streams. Each region has its own
// lock for its table map; each table has its own lock for its items, so
// writers to different tables never wait for each other.
type Store struct {
	env *cloud.Env
	// seq numbers stream records across all tables (monotonic, as AWS's are
	// within a shard).
	seq atomic.Uint64

	mu      sync.RWMutex
	regions map[string]*regionState

	// journal logs every change (groundstack up --data-dir), or is nil.
	journal cloud.Journal

	sweeper sweeper
	globals globals
	io      ioRecords // exports and imports
}

// regionState is one region's tables, streams and transaction tokens.
type regionState struct {
	name    string
	mu      sync.RWMutex
	tables  map[string]*table
	streams map[string]*stream // by ARN; disabled ones stay readable for 24 h

	tokens tokenCache

	backups *backups // on-demand backups, made on first use
}

// NewStore returns an empty store on env's clock.
func NewStore(env *cloud.Env) *Store {
	s := &Store{env: env, regions: map[string]*regionState{}}
	s.sweeper.store = s
	return s
}

// Reset drops every table and stream.
func (s *Store) Reset() {
	s.mu.Lock()
	s.regions = map[string]*regionState{}
	s.mu.Unlock()
	s.globals.mu.Lock()
	s.globals.tables = nil
	s.globals.mu.Unlock()
	s.io.mu.Lock()
	s.io.exports, s.io.imports = nil, nil
	s.io.mu.Unlock()
}

// region returns the state of a region, creating it on first use.
func (s *Store) region(name string) *regionState {
	s.mu.RLock()
	r := s.regions[name]
	s.mu.RUnlock()
	if r != nil {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r = s.regions[name]; r == nil {
		r = &regionState{name: name, tables: map[string]*table{}, streams: map[string]*stream{}}
		s.regions[name] = r
	}
	return r
}

// allRegions returns a snapshot of the regions in use.
func (s *Store) allRegions() []*regionState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*regionState, 0, len(s.regions))
	for _, r := range s.regions {
		out = append(out, r)
	}
	return out
}

// table returns a region's table by name.
func (r *regionState) table(name string) *table {
	r.mu.RLock()
	t := r.tables[name]
	r.mu.RUnlock()
	return t
}

// tableNames returns the region's table names in order.
func (r *regionState) tableNames() []string {
	r.mu.RLock()
	names := make([]string, 0, len(r.tables))
	for n := range r.tables {
		names = append(names, n)
	}
	r.mu.RUnlock()
	sort.Strings(names)
	return names
}

// tableByARN finds a table by its ARN.
func (r *regionState) tableByARN(arn string) *table {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, t := range r.tables {
		if t.arn == arn {
			return t
		}
	}
	return nil
}

// entry is one stored item: its key in table order and its canonical JSON.
// Entries are immutable once in the tree, except expires (under the table
// write lock), so readers may keep using data after releasing the lock.
type entry struct {
	hh      uint64 // partition hash: Scan order and parallel scan segments
	hk      string // order bytes of the hash key
	rk      string // order bytes of the range key ("" without one)
	data    []byte // the item as DynamoDB JSON (attr.AppendItem)
	expires int64  // TTL epoch seconds; 0 = none
	size    int32  // item size by DynamoDB's rules
	bound   int8   // pivots only: -1 before / +1 after every rk of the partition
}

func lessEntry(a, b *entry) bool {
	if a.hh != b.hh {
		return a.hh < b.hh
	}
	if a.hk != b.hk {
		return a.hk < b.hk
	}
	if a.bound != 0 || b.bound != 0 {
		return a.bound < b.bound
	}
	return a.rk < b.rk
}

// ientry is one item in a secondary index: the index key, then the table
// entry (whose key breaks ties between items with equal index keys).
type ientry struct {
	hh    uint64
	hk    string
	rk    string
	e     *entry
	psize int32 // size of the projected item
	bound int8  // pivots only, as in entry
}

func lessIEntry(a, b *ientry) bool {
	if a.hh != b.hh {
		return a.hh < b.hh
	}
	if a.hk != b.hk {
		return a.hk < b.hk
	}
	if a.bound != 0 || b.bound != 0 {
		return a.bound < b.bound
	}
	if a.rk != b.rk {
		return a.rk < b.rk
	}
	switch {
	case a.e == b.e:
		return false
	case a.e == nil || b.e == tieAfter:
		return true
	case b.e == nil || a.e == tieAfter:
		return false
	}
	return lessEntry(a.e, b.e)
}

// tieAfter, as the entry of an index pivot, sorts after every item with the
// pivot's index key (a nil entry sorts before them).
var tieAfter = &entry{}

// itemKey identifies an item of a table: its order bytes and the key
// attributes themselves (for stream records and messages).
type itemKey struct {
	hh     uint64
	hk, rk string
	attrs  attr.Item
}

func (k itemKey) pivot() *entry { return &entry{hh: k.hh, hk: k.hk, rk: k.rk} }

// table is one DynamoDB table. mu guards everything below it.
type table struct {
	store   *Store
	region  string
	name    string
	arn     string
	id      string
	created time.Time
	key     keyDef

	mu         sync.RWMutex
	deleted    bool
	meta       tableMeta
	items      *btree.BTreeG[*entry]
	bytes      int64
	indexes    []*index
	stream     *stream         // the enabled stream, or nil
	ttlAttr    string          // "" when TTL is off
	sweepAfter *entry          // TTL sweeper's resume point
	pitr       *pitrLog        // nil when point-in-time recovery is off
	restored   *restoreSummary // where a restored table came from
	extras     tableExtras     // stored settings: policies, insights, Kinesis
	peers      []*table        // the other replicas of its global table
}

// tableMeta is the part of a table's description that UpdateTable changes.
type tableMeta struct {
	attrDefs           []attrDef
	billing            string // PROVISIONED or PAY_PER_REQUEST
	rcu, wcu           int64
	billingChanged     time.Time
	streamEnabled      bool
	streamViewType     string
	latestStreamARN    string
	latestStreamLabel  string
	tags               []tag
	deletionProtection bool
	tableClass         string
	replicas           []string // regions of the other replicas (version 2019.11.21)
}

type attrDef struct {
	name string
	typ  attr.Type
}

type tag struct{ key, value string }

// index is a global or local secondary index. Its name, kind, key and
// projection never change once made (readers use them without the table
// lock); rcu, wcu, tree and bytes change under the table lock.
type index struct {
	name       string
	global     bool
	key        keyDef
	projection string // KEYS_ONLY, INCLUDE or ALL
	include    []string
	rcu, wcu   int64
	arn        string
	status     string // CREATING, ACTIVE, DELETING (as reported once)
	tree       *btree.BTreeG[*ientry]
	bytes      int64
}

func newIndexTree() *btree.BTreeG[*ientry] { return btree.NewG(32, lessIEntry) }
func newItemTree() *btree.BTreeG[*entry]   { return btree.NewG(32, lessEntry) }

func (t *table) now() time.Time { return t.store.env.Now() }

// projects reports whether attribute name is part of the index's items.
func (ix *index) projects(name string, tableKey keyDef) bool {
	switch ix.projection {
	case "ALL":
		return true
	}
	if tableKey.has(name) || ix.key.has(name) {
		return true
	}
	if ix.projection == "INCLUDE" {
		for _, n := range ix.include {
			if n == name {
				return true
			}
		}
	}
	return false
}

// project returns the item as the index stores it.
func (ix *index) project(it attr.Item, tableKey keyDef) attr.Item {
	if ix.projection == "ALL" {
		return it
	}
	out := make(attr.Item, 4)
	for k, v := range it {
		if ix.projects(k, tableKey) {
			out[k] = v
		}
	}
	return out
}

// ientryFor returns the index entry for an item, or nil when the item lacks
// the index key (indexes are sparse).
func (ix *index) ientryFor(it attr.Item, e *entry, tableKey keyDef) *ientry {
	if ix.key.multi != nil {
		return ix.multiEntryFor(it, e, tableKey)
	}
	hv, ok := it[ix.key.hash]
	if !ok || hv.Type() != ix.key.hashT {
		return nil
	}
	ie := &ientry{hk: orderBytes(hv), e: e}
	ie.hh = fnv64(ie.hk)
	if ix.key.rng != "" {
		rv, ok := it[ix.key.rng]
		if !ok || rv.Type() != ix.key.rngT {
			return nil
		}
		ie.rk = orderBytes(rv)
	}
	if ix.projection == "ALL" {
		ie.psize = e.size
	} else {
		ie.psize = int32(ix.project(it, tableKey).Size())
	}
	return ie
}

// multiEntryFor is ientryFor for an index with a multi-attribute key.
func (ix *index) multiEntryFor(it attr.Item, e *entry, tableKey keyDef) *ientry {
	hk, rk, ok := ix.key.multi.orderKeys(it)
	if !ok {
		return nil
	}
	ie := &ientry{hh: fnv64(hk), hk: hk, rk: rk, e: e}
	if ix.projection == "ALL" {
		ie.psize = e.size
	} else {
		ie.psize = int32(ix.project(it, tableKey).Size())
	}
	return ie
}

// writeKind says what a write does to the item under its key.
type writeKind uint8

const (
	writeKeep writeKind = iota
	writePut
	writeDelete
)

// write is what a writeFn decided.
type write struct {
	kind writeKind
	item attr.Item // the new item (writePut)
	ent  *entry    // its entry, built by newEntry
	// old is the decoded old item when the writeFn already decoded it (it
	// spares a second decode for index maintenance and stream images).
	old attr.Item
	// byTTL marks deletions by the TTL sweeper (their stream records carry
	// the dynamodb.amazonaws.com service identity).
	byTTL bool
	// replica marks writes copied from another replica of a global table
	// (not copied again).
	replica bool
}

// writeFn decides, with the table locked, what becomes of the item under a
// key; old is nil when there is no item.
type writeFn func(old *entry) (write, error)

// newEntry builds the stored form of an item whose key is k (with or
// without the table lock: its expiry is set by apply, under the lock).
func newEntry(k itemKey, it attr.Item, size int) *entry {
	e := &entry{hh: k.hh, hk: k.hk, rk: k.rk, size: int32(size)}
	e.data = attr.AppendItem(make([]byte, 0, size+size/4+16), it)
	return e
}

// get returns the entry under k, or nil.
func (t *table) get(k itemKey) (*entry, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return nil, tableNotFound()
	}
	e, _ := t.items.Get(k.pivot())
	return e, nil
}

// written is what a single-item write did, as its response needs it.
type written struct {
	old              *entry    // the item before, or nil
	oldItem, newItem attr.Item // decoded images, when the write decoded them
	consumed         *consumed // the write's capacity, when asked for
	hasLSI           bool      // the table has local secondary indexes
}

// write runs fn on the item under k and applies its decision, in one
// critical section: conditional writes and updates read and write the item
// under the same lock. withCapacity computes the capacity the write used.
func (t *table) write(ctx context.Context, k itemKey, fn writeFn, withCapacity bool) (written, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return written{}, tableNotFound()
	}
	old, _ := t.items.Get(k.pivot())
	w, err := fn(old)
	if err != nil {
		return written{old: old}, err
	}
	res := written{old: old, hasLSI: t.hasLSI()}
	if withCapacity {
		oldSize, newSize := 0, 0
		if old != nil {
			oldSize = int(old.size)
			if w.old == nil && len(t.indexes) > 0 {
				w.old = mustDecode(old.data) // which indexes the old item was in
			}
		}
		if w.kind == writePut {
			if w.ent == nil {
				w.ent = newEntry(k, w.item, w.item.Size())
			}
			newSize = int(w.ent.size)
		}
		res.consumed = t.writeConsumed(oldSize, newSize, w.old, w.item, 1)
	}
	res.oldItem, res.newItem = w.old, w.item
	next := t.apply(k, old, w)
	if w.kind != writeDelete || old != nil {
		t.logWrite(ctx, k, w.kind, next)
	}
	return res, nil
}

// hasLSI reports whether the table has local secondary indexes (table
// locked).
func (t *table) hasLSI() bool {
	for _, ix := range t.indexes {
		if !ix.global {
			return true
		}
	}
	return false
}

// writeConsumed computes a write's capacity (table locked: indexes).
func (t *table) writeConsumed(oldSize, newSize int, oldItem, newItem attr.Item, factor float64) *consumed {
	size := max(oldSize, newSize)
	c := &consumed{table: t.name, units: writeUnits(size) * factor}
	for _, ix := range t.indexes {
		if (oldItem != nil && ix.key.in(oldItem)) || (newItem != nil && ix.key.in(newItem)) {
			c.indexes = append(c.indexes, indexUnits{name: ix.name, global: ix.global, units: writeUnits(size) * factor})
		}
	}
	return c
}

// precheckIndexKeys checks an item's secondary index keys before a batch
// or transaction writes anything (the write checks again under its lock).
func (t *table) precheckIndexKeys(it attr.Item) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.checkIndexKeys(it, false)
}

// apply performs a write decided under the table lock; it returns the new
// entry (nil after a delete or a keep).
func (t *table) apply(k itemKey, old *entry, w write) *entry {
	switch w.kind {
	case writeKeep:
		return nil
	case writeDelete:
		if old == nil {
			return nil
		}
	}
	var oldItem attr.Item
	needOld := old != nil && (len(t.indexes) > 0 || t.stream != nil)
	if needOld {
		oldItem = w.old
		if oldItem == nil {
			oldItem = mustDecode(old.data)
		}
	}
	var next *entry
	if w.kind == writePut {
		next = w.ent
		if next == nil {
			next = newEntry(k, w.item, w.item.Size())
		}
		next.expires = 0
		if t.ttlAttr != "" {
			next.expires = ttlOf(w.item, t.ttlAttr)
		}
		t.items.ReplaceOrInsert(next)
		t.bytes += int64(next.size)
	} else {
		t.items.Delete(old)
	}
	if old != nil {
		t.bytes -= int64(old.size)
	}
	for _, ix := range t.indexes {
		if old != nil {
			if ie := ix.ientryFor(oldItem, old, t.key); ie != nil {
				if got, ok := ix.tree.Delete(ie); ok {
					ix.bytes -= int64(got.psize)
				}
			}
		}
		if next != nil {
			if ie := ix.ientryFor(w.item, next, t.key); ie != nil {
				ix.tree.ReplaceOrInsert(ie)
				ix.bytes += int64(ie.psize)
			}
		}
	}
	if t.stream != nil {
		t.record(k, old, oldItem, next, w)
	}
	if t.pitr != nil {
		t.pitr.note(t.now(), k, old)
	}
	if len(t.peers) > 0 && !w.replica {
		r := replication{peers: t.peers, k: k}
		if next != nil {
			r.data, r.size = next.data, next.size
		}
		t.store.globals.replicate(r)
	}
	return next
}

// record appends the stream record of a write, unless the write changed
// nothing (AWS writes no record then).
func (t *table) record(k itemKey, old *entry, oldItem attr.Item, next *entry, w write) {
	var kind eventKind
	switch {
	case old == nil && next != nil:
		kind = eventInsert
	case old != nil && next != nil:
		if string(old.data) == string(next.data) || oldItem.Equal(w.item) {
			return
		}
		kind = eventModify
	case old != nil && next == nil:
		kind = eventRemove
	default:
		return
	}
	rec := &streamRecord{
		kind:  kind,
		at:    t.now(),
		byTTL: w.byTTL,
		keys:  attr.AppendItem(nil, k.attrs),
	}
	vt := t.stream.viewType
	if next != nil && (vt == "NEW_IMAGE" || vt == "NEW_AND_OLD_IMAGES") {
		rec.newImage = next.data
		rec.size += int(next.size)
	}
	if old != nil && (vt == "OLD_IMAGE" || vt == "NEW_AND_OLD_IMAGES") {
		rec.oldImage = old.data
		rec.size += int(old.size)
	}
	rec.size += k.attrs.Size()
	rec.seq = t.store.seq.Add(1)
	rec.eventID = eventID(t.store.env.NewID())
	t.stream.append(rec, rec.at)
}

// mustDecode decodes stored item JSON, which was encoded by attr and so is
// always valid.
func mustDecode(data []byte) attr.Item {
	it, err := attr.DecodeItem(data)
	if err != nil {
		panic("dynamodb: stored item does not decode: " + err.Error())
	}
	return it
}

// lockTables write-locks distinct tables in a fixed order (by ARN) so
// concurrent transactions never deadlock, and returns the unlock.
func lockTables(ts []*table) func() {
	uniq := make([]*table, 0, len(ts))
	seen := map[*table]bool{}
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			uniq = append(uniq, t)
		}
	}
	sort.Slice(uniq, func(i, j int) bool { return uniq[i].arn < uniq[j].arn })
	for _, t := range uniq {
		t.mu.Lock()
	}
	return func() {
		for i := len(uniq) - 1; i >= 0; i-- {
			uniq[i].mu.Unlock()
		}
	}
}

// txOp is one action of a transaction.
type txOp struct {
	t  *table
	k  itemKey
	fn writeFn
}

// transact runs every op's writeFn with all tables locked; only when none
// fails are the writes applied, so a transaction is all or nothing. errs
// has one entry per op (nil for those that passed); err is a table deleted
// meanwhile, which fails the whole request.
func transact(ctx context.Context, ops []txOp) (errs []error, failed bool, err error) {
	ts := make([]*table, len(ops))
	for i, op := range ops {
		ts[i] = op.t
	}
	unlock := lockTables(ts)
	defer unlock()
	for _, op := range ops {
		if op.t.deleted {
			return nil, false, tableNotFound()
		}
	}
	errs = make([]error, len(ops))
	writes := make([]write, len(ops))
	olds := make([]*entry, len(ops))
	for i, op := range ops {
		olds[i], _ = op.t.items.Get(op.k.pivot())
		w, err := op.fn(olds[i])
		if err != nil {
			errs[i] = err
			failed = true
			continue
		}
		writes[i] = w
	}
	if failed {
		return errs, true, nil
	}
	var rec []byte
	for i, op := range ops {
		next := op.t.apply(op.k, olds[i], writes[i])
		if j := op.t.store.journal; j != nil && writes[i].kind != writeKeep && (writes[i].kind != writeDelete || olds[i] != nil) {
			if rec == nil {
				rec = append(rec, `{"op":"tx","w":[`...)
			} else {
				rec = append(rec, ',')
			}
			rec = appendWriteRecord(rec, op.t, op.k, next)
		}
	}
	if rec != nil {
		// One record: a transaction replays all or nothing.
		ops[0].t.store.journal.Record(ctx, cloud.RawRecord(append(rec, ']', '}')))
	}
	return errs, false, nil
}

// itemRef names one item of one table.
type itemRef struct {
	t *table
	k itemKey
}

// getConsistent reads items of several tables as one snapshot: every
// table is locked while reading (TransactGetItems).
func getConsistent(refs []itemRef) ([]*entry, error) {
	ts := make([]*table, len(refs))
	for i, r := range refs {
		ts[i] = r.t
	}
	unlock := lockTables(ts)
	defer unlock()
	ents := make([]*entry, len(refs))
	for i, r := range refs {
		if r.t.deleted {
			return nil, tableNotFound()
		}
		ents[i], _ = r.t.items.Get(r.k.pivot())
	}
	return ents, nil
}

// readPage is what a Query or Scan read under the table lock: entries in
// order, with their sizes as the page limit counts them.
type readPage struct {
	ents  []*entry
	ients []*ientry // parallel to ents when reading an index
	// more reports that the read stopped at a limit with items left, so the
	// page needs a LastEvaluatedKey.
	more bool
}

// pageLimits bounds one page: at most limit items (0 = no limit) and the
// first item that takes the read past maxBytes ends the page.
type pageLimits struct {
	limit    int
	maxBytes int
}

// collector applies pageLimits while walking a tree.
type collector struct {
	pageLimits
	page  readPage
	bytes int
}

// add takes one item; it returns false once the page is full. As on AWS,
// a page that ends at a limit has a LastEvaluatedKey even when no items
// are left, and the item that crosses the byte limit is part of the page.
func (c *collector) add(e *entry, ie *ientry, size int) bool {
	c.page.ents = append(c.page.ents, e)
	if ie != nil {
		c.page.ients = append(c.page.ients, ie)
	}
	c.bytes += size
	if (c.limit > 0 && len(c.page.ents) >= c.limit) || (c.maxBytes > 0 && c.bytes >= c.maxBytes) {
		c.page.more = true
		return false
	}
	return true
}

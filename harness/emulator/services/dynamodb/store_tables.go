package dynamodb

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// The table lifecycle: every read-modify-write of a table's definition
// (create with its stream, update, delete, tags, TTL) happens here, in one
// critical section each.

// capacity is provisioned read and write capacity units.
type capacity struct{ r, w int64 }

// indexSpec is a validated index definition.
type indexSpec struct {
	name       string
	global     bool
	key        keyDef
	projection string
	include    []string
	rcu, wcu   int64
	// tp is the throughput a request gave for a global index, settled
	// against the table's billing mode by settleThroughput.
	tp *capacity
}

// tableSpec is a validated CreateTable request.
type tableSpec struct {
	name               string
	key                keyDef
	defs               []attrDef
	billing            string
	rcu, wcu           int64
	indexes            []indexSpec
	streamView         string // "" when the table has no stream
	tags               []tag
	deletionProtection bool
	tableClass         string
}

// createTable adds a table to a region and registers its stream in the
// same critical section, so no request sees the table without its stream.
func (s *Store) createTable(ctx context.Context, region string, sp tableSpec) (tableInfo, error) {
	now := s.env.Now()
	t := &table{
		store:   s,
		region:  region,
		name:    sp.name,
		arn:     fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, s.env.Account, sp.name),
		id:      s.env.NewID(),
		created: now,
		key:     sp.key,
		items:   newItemTree(),
		meta: tableMeta{
			attrDefs: sp.defs, billing: sp.billing, rcu: sp.rcu, wcu: sp.wcu, billingChanged: now,
			tags: sp.tags, deletionProtection: sp.deletionProtection, tableClass: sp.tableClass,
		},
	}
	for _, ix := range sp.indexes {
		t.indexes = append(t.indexes, newIndex(t, ix, "ACTIVE"))
	}
	if sp.streamView != "" {
		t.enableStream(sp.streamView, now)
	}
	r := s.region(region)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tables[t.name] != nil {
		return tableInfo{}, errResourceInUse.Errorf("Table already exists: %s", t.name)
	}
	r.tables[t.name] = t
	if t.stream != nil {
		r.streams[t.stream.arn] = t.stream
	}
	// Logged under the region's lock: no write to the table can be
	// logged before it.
	s.logTable(ctx, t, false)
	return t.infoLocked(), nil // t is not yet visible to anyone else
}

// deleteTable drops t unless it is protected against deletion. It marks t
// deleted first, so in-flight writers that already hold it fail instead of
// writing into a dropped table, and disables its stream.
func (s *Store) deleteTable(ctx context.Context, t *table) (tableInfo, error) {
	t.mu.Lock()
	if t.deleted {
		t.mu.Unlock()
		return tableInfo{}, errResourceNotFound.Errorf("Requested resource not found: Table: %s not found", t.name)
	}
	if t.meta.deletionProtection {
		t.mu.Unlock()
		return tableInfo{}, validationf("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	info := t.infoLocked()
	t.deleted = true
	if t.stream != nil {
		t.stream.disable(t.now())
		t.stream = nil
	}
	t.mu.Unlock()
	r := s.region(t.region)
	r.mu.Lock()
	if r.tables[t.name] == t {
		delete(r.tables, t.name)
		s.logDrop(ctx, t)
	}
	r.mu.Unlock()
	return info, nil
}

// tableInfo is a consistent copy of what DescribeTable shows of a table.
type tableInfo struct {
	name, arn, id string
	created       time.Time
	key           keyDef
	meta          tableMeta
	items         int
	bytes         int64
	indexes       []indexInfo
	restored      *restoreSummary
}

// indexInfo is a copy of an index's description.
type indexInfo struct {
	name, arn, status string
	global            bool
	key               keyDef
	projection        string
	include           []string
	rcu, wcu          int64
	items             int
	bytes             int64
}

// info returns a consistent copy of the table's description.
func (t *table) info() (tableInfo, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return tableInfo{}, tableNotFound()
	}
	return t.infoLocked(), nil
}

// infoLocked is info with the table at least read-locked. meta's slices
// are replaced, never changed in place, so the copy may share them.
func (t *table) infoLocked() tableInfo {
	in := tableInfo{name: t.name, arn: t.arn, id: t.id, created: t.created, key: t.key, meta: t.meta, items: t.items.Len(), bytes: t.bytes, restored: t.restored}
	for _, ix := range t.indexes {
		in.indexes = append(in.indexes, ix.info())
	}
	return in
}

func (ix *index) info() indexInfo {
	return indexInfo{name: ix.name, arn: ix.arn, status: ix.status, global: ix.global, key: ix.key, projection: ix.projection,
		include: ix.include, rcu: ix.rcu, wcu: ix.wcu, items: ix.tree.Len(), bytes: ix.bytes}
}

// stats returns the table's item count and size (for the state summary).
func (t *table) stats() (items int, bytes int64) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.items.Len(), t.bytes
}

// tableChange is a validated UpdateTable request; (*table).change checks
// what depends on the table's current state and applies it.
type tableChange struct {
	billing            string    // "" keeps the billing mode
	throughput         *capacity // the table's, as requested
	streamSet          bool      // the request has a StreamSpecification
	streamView         string    // with streamSet: "" turns the stream off
	deletionProtection *bool
	tableClass         string
	defs               map[string]attr.Type // AttributeDefinitions, nil when not given
	creates            []indexSpec          // key types resolved against the merged definitions
	deletes            []string
	updates            map[string]capacity
}

// changed is what UpdateTable reports: the table after the change, and the
// global indexes being deleted or created.
type changed struct {
	info     tableInfo
	dropped  []indexInfo
	creating map[string]bool
}

// change validates ch against the table's state and, only if all of it is
// valid, applies it: one critical section for the whole read-modify-write.
func (t *table) change(ch tableChange) (changed, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return changed{}, tableNotFound()
	}
	now := t.now()
	m := t.meta // changes apply only if everything validates
	billing := m.billing
	if ch.billing != "" {
		billing = ch.billing
	}
	switch {
	case billing == "PROVISIONED" && ch.throughput != nil:
		m.rcu, m.wcu = ch.throughput.r, ch.throughput.w
	case billing == "PROVISIONED" && m.billing == "PAY_PER_REQUEST":
		return changed{}, validationf("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
	case billing == "PAY_PER_REQUEST" && ch.throughput != nil:
		return changed{}, validationf("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	}
	if billing != m.billing {
		m.billing = billing
		m.billingChanged = now
		if billing == "PAY_PER_REQUEST" {
			m.rcu, m.wcu = 0, 0
		}
	}
	if ch.deletionProtection != nil {
		m.deletionProtection = *ch.deletionProtection
	}
	if ch.tableClass != "" {
		m.tableClass = ch.tableClass
	}
	if ch.streamSet {
		if ch.streamView != "" && t.stream != nil {
			return changed{}, validationf("Table already has an enabled stream: TableName: %s", t.name)
		}
		if ch.streamView == "" && t.stream == nil {
			return changed{}, validationf("Table has no stream to disable: TableName: %s", t.name)
		}
	}
	defs := map[string]attr.Type{}
	for _, d := range m.attrDefs {
		defs[d.name] = d.typ
	}
	for n, ty := range ch.defs {
		if old, ok := defs[n]; ok && old != ty {
			return changed{}, validationf("Cannot change the type of an attribute already defined. Attribute: %s", n)
		}
		defs[n] = ty
	}
	creates := make([]indexSpec, len(ch.creates))
	for i, sp := range ch.creates {
		for _, n := range sp.key.names() {
			if _, ok := defs[n]; !ok {
				if ch.defs == nil { // the request has no AttributeDefinitions (a catalogue of live answers)
					return changed{}, validationf("One or more parameter values were invalid: AttributeDefinitions is not specified for index: %s", sp.name)
				}
				return changed{}, validationf("One or more parameter values were invalid: Global Secondary Index range key not specified in Attribute Definitions.Type unknown.")
			}
		}
		sp.key = sp.key.typed(defs)
		if err := sp.settleThroughput(billing, throughputMustBeSpecified); err != nil {
			return changed{}, err
		}
		if t.indexNamed(sp.name) != nil {
			return changed{}, validationf("Attempting to create an index which already exists")
		}
		creates[i] = sp
	}
	deletes := map[string]bool{}
	for _, name := range ch.deletes {
		if ix := t.indexNamed(name); ix == nil || !ix.global {
			return changed{}, errResourceNotFound.Errorf("Requested resource not found: Requested index %s not found", name)
		}
		deletes[name] = true
	}
	for name := range ch.updates {
		if ix := t.indexNamed(name); ix == nil || !ix.global {
			return changed{}, errResourceNotFound.Errorf("Requested resource not found: Requested index %s not found", name)
		}
	}
	if len(creates) > 1 || len(creates)+len(deletes) > 1 && len(creates) > 0 {
		return changed{}, errLimitExceeded.New("Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
	}
	ngsi := 0
	for _, ix := range t.indexes {
		if ix.global {
			ngsi++
		}
	}
	if ngsi+len(creates) > maxGSIs {
		return changed{}, errLimitExceeded.Errorf("Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of %d", maxGSIs)
	}
	// Everything validated: apply.
	if ch.defs != nil || len(creates) > 0 || len(deletes) > 0 {
		m.attrDefs = usedDefs(defs, t.key, t.indexes, creates, deletes)
	}
	t.meta = m
	out := changed{creating: map[string]bool{}}
	kept := t.indexes[:0:0]
	for _, ix := range t.indexes {
		if deletes[ix.name] {
			out.dropped = append(out.dropped, ix.info())
			continue
		}
		if u, ok := ch.updates[ix.name]; ok {
			ix.rcu, ix.wcu = u.r, u.w
		}
		kept = append(kept, ix)
	}
	t.indexes = kept
	for _, sp := range creates {
		ix := newIndex(t, sp, "ACTIVE")
		t.backfill(ix)
		t.indexes = append(t.indexes, ix)
		out.creating[ix.name] = true
	}
	if ch.streamSet {
		if ch.streamView != "" {
			t.enableStream(ch.streamView, now)
			r := t.store.region(t.region)
			r.mu.Lock()
			r.streams[t.stream.arn] = t.stream
			r.mu.Unlock()
		} else {
			t.stream.disable(now)
			t.stream = nil
			t.meta.streamEnabled = false
			t.meta.streamViewType = ""
		}
	}
	out.info = t.infoLocked()
	return out, nil
}

// usedDefs keeps the attribute definitions the table's keys still use.
func usedDefs(defs map[string]attr.Type, key keyDef, indexes []*index, creates []indexSpec, deletes map[string]bool) []attrDef {
	used := map[string]bool{}
	for _, n := range key.names() {
		used[n] = true
	}
	for _, ix := range indexes {
		if !deletes[ix.name] {
			for _, n := range ix.key.names() {
				used[n] = true
			}
		}
	}
	for _, sp := range creates {
		for _, n := range sp.key.names() {
			used[n] = true
		}
	}
	var out []attrDef
	for n, ty := range defs {
		if used[n] {
			out = append(out, attrDef{name: n, typ: ty})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// indexNamed returns the table's index of that name (table locked).
func (t *table) indexNamed(name string) *index {
	for _, ix := range t.indexes {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// backfill fills a new index from the table's items (table write-locked).
func (t *table) backfill(ix *index) {
	t.items.Ascend(func(e *entry) bool {
		it := mustDecode(e.data)
		if ie := ix.ientryFor(it, e, t.key); ie != nil {
			ix.tree.ReplaceOrInsert(ie)
			ix.bytes += int64(ie.psize)
		}
		return true
	})
}

// newIndex builds an index for t from its spec.
func newIndex(t *table, sp indexSpec, status string) *index {
	return &index{
		name: sp.name, global: sp.global, key: sp.key, projection: sp.projection, include: sp.include,
		rcu: sp.rcu, wcu: sp.wcu, arn: t.arn + "/index/" + sp.name, status: status, tree: newIndexTree(),
	}
}

// enableStream starts a new stream (with the table locked or not yet
// shared).
func (t *table) enableStream(viewType string, now time.Time) {
	st := newStream(t, viewType, now, t.store.seq.Load()+1)
	t.stream = st
	t.meta.streamEnabled = true
	t.meta.streamViewType = viewType
	t.meta.latestStreamARN = st.arn
	t.meta.latestStreamLabel = st.label
}

// streamARN returns the ARN of the table's enabled stream.
func (t *table) streamARN() (string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.stream == nil {
		return "", false
	}
	return t.stream.arn, true
}

// ttlAttribute returns the attribute TTL reads ("" when TTL is off).
func (t *table) ttlAttribute() (string, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return "", tableNotFound()
	}
	return t.ttlAttr, nil
}

// updateTTL turns TTL on for attribute name, or off, unless it already is.
func (t *table) updateTTL(enabled bool, name string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.deleted:
		return tableNotFound()
	case enabled && t.ttlAttr != "":
		return validationf("TimeToLive is already enabled")
	case !enabled && t.ttlAttr == "":
		return validationf("TimeToLive is already disabled")
	case !enabled && t.ttlAttr != name:
		return validationf("TimeToLive is active on a different AttributeName: current AttributeName is %s", t.ttlAttr)
	}
	if !enabled {
		name = ""
	}
	t.setTTL(name)
	return nil
}

// maxTags is how many tags a table may carry.
const maxTags = 50

// addTags adds tags to the table, replacing the values of keys it has.
func (t *table) addTags(tags []tag) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	next := append([]tag(nil), t.meta.tags...)
	for _, nt := range tags {
		replaced := false
		for i := range next {
			if next[i].key == nt.key {
				next[i].value = nt.value
				replaced = true
			}
		}
		if !replaced {
			next = append(next, nt)
		}
	}
	if len(next) > maxTags {
		// A ValidationException, not LimitExceeded (the catalogue of live answers).
		return validationf("Number of Tags exceed the current limit for the provided ResourceArn")
	}
	t.meta.tags = next
	return nil
}

// removeTags drops the tags with these keys.
func (t *table) removeTags(keys []string) {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[k] = true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var kept []tag
	for _, tg := range t.meta.tags {
		if !drop[tg.key] {
			kept = append(kept, tg)
		}
	}
	t.meta.tags = kept
}

// tagList returns the table's tags.
func (t *table) tagList() []tag {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.meta.tags
}

// liveStreams returns a region's streams in ARN order, dropping those
// disabled over 24 hours ago (gone, as on AWS).
func (s *Store) liveStreams(region string) []*stream {
	r := s.region(region)
	now := s.env.Now()
	r.mu.Lock()
	all := make([]*stream, 0, len(r.streams))
	for arn, x := range r.streams {
		if x.expired(now) {
			delete(r.streams, arn)
			continue
		}
		all = append(all, x)
	}
	r.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].arn < all[j].arn })
	return all
}

// streamByARN finds a stream (enabled, or disabled within retention).
func (s *Store) streamByARN(arn string) *stream {
	region, _, ok := parseTableARN(arn)
	if !ok {
		return nil
	}
	r := s.region(region)
	r.mu.RLock()
	x := r.streams[arn]
	r.mu.RUnlock()
	if x == nil || x.expired(s.env.Now()) {
		return nil
	}
	return x
}

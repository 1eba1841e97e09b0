package dynamodb

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// On-demand backups and point-in-time recovery. A backup is a snapshot of
// a table's definition and items; point-in-time recovery keeps a change
// log (one entry per write: when, which key, the item before) for the
// retention window, and rebuilds the table at a time by undoing, on a copy
// of today's items, every change made after it. Stored item bytes are
// immutable, so snapshots and the log share them with the table: a backup
// costs one pointer per item, the log one small record per write.

// snapshot is a table's definition and items at one moment.
type snapshot struct {
	name, arn, id string
	created       time.Time
	key           keyDef
	meta          tableMeta
	ttlAttr       string
	indexes       []indexSpec
	ents          []*entry // in table order; shared, never changed
	bytes         int64
}

// snapshotLocked copies the table's definition and item pointers (table
// at least read-locked).
func (t *table) snapshotLocked() *snapshot {
	sn := &snapshot{name: t.name, arn: t.arn, id: t.id, created: t.created, key: t.key, meta: t.meta,
		ttlAttr: t.ttlAttr, bytes: t.bytes, ents: make([]*entry, 0, t.items.Len())}
	for _, ix := range t.indexes {
		sn.indexes = append(sn.indexes, indexSpec{name: ix.name, global: ix.global, key: ix.key,
			projection: ix.projection, include: ix.include, rcu: ix.rcu, wcu: ix.wcu})
	}
	t.items.Ascend(func(e *entry) bool {
		sn.ents = append(sn.ents, e)
		return true
	})
	return sn
}

// pitrDefaultDays is the recovery period when the request names none.
const pitrDefaultDays = 35

// pitrLog is a table's change log while point-in-time recovery is on.
type pitrLog struct {
	since   time.Time // when recovery was turned on
	days    int
	changes []pitrChange // in time order; head is the oldest kept
	head    int
}

// pitrChange is one write: the item under key before it (nil: none).
type pitrChange struct {
	at  time.Time
	key *entry // a pivot: the key's order bytes only
	old *entry
}

// note logs a write (table write-locked) and drops changes older than the
// recovery window.
func (p *pitrLog) note(at time.Time, k itemKey, old *entry) {
	p.changes = append(p.changes, pitrChange{at: at, key: k.pivot(), old: old})
	cut := at.Add(-time.Duration(p.days) * 24 * time.Hour)
	for p.head < len(p.changes) && p.changes[p.head].at.Before(cut) {
		p.changes[p.head] = pitrChange{}
		p.head++
	}
	if p.head > 1024 && p.head > len(p.changes)/2 {
		p.changes = append([]pitrChange(nil), p.changes[p.head:]...)
		p.head = 0
	}
}

// window returns the earliest and latest restorable times at now.
func (p *pitrLog) window(now time.Time) (earliest, latest time.Time) {
	earliest = now.Add(-time.Duration(p.days) * 24 * time.Hour)
	if p.since.After(earliest) {
		earliest = p.since
	}
	return earliest, now
}

// continuousBackups is what DescribeContinuousBackups shows.
type continuousBackups struct {
	enabled          bool
	days             int
	earliest, latest time.Time
}

// continuousBackups reports the table's point-in-time recovery state.
func (t *table) continuousBackups() (continuousBackups, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return continuousBackups{}, errTableNotFound.Errorf("Table not found: %s", t.name)
	}
	if t.pitr == nil {
		return continuousBackups{}, nil
	}
	e, l := t.pitr.window(t.now())
	return continuousBackups{enabled: true, days: t.pitr.days, earliest: e, latest: l}, nil
}

// setPITR turns point-in-time recovery on (days > 0) or off. Turning it
// on again only changes the period: the log is kept.
func (t *table) setPITR(enabled bool, days int) (continuousBackups, error) {
	t.mu.Lock()
	if t.deleted {
		t.mu.Unlock()
		return continuousBackups{}, errTableNotFound.Errorf("Table not found: %s", t.name)
	}
	switch {
	case !enabled:
		t.pitr = nil
	case t.pitr == nil:
		t.pitr = &pitrLog{since: t.now(), days: days}
	default:
		t.pitr.days = days
	}
	t.mu.Unlock()
	return t.continuousBackups()
}

// snapshotAt rebuilds the table as it was at time at, which must lie in the
// recovery window; latest asks for the latest restorable time.
func (t *table) snapshotAt(at time.Time, latest bool) (*snapshot, time.Time, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return nil, at, errTableNotFound.Errorf("Table not found: %s", t.name)
	}
	if t.pitr == nil {
		return nil, at, errPITRUnavailable.Errorf("Point in time recovery is not enabled for table '%s'", t.name)
	}
	earliest, last := t.pitr.window(t.now())
	if latest {
		at = last
	}
	if at.Before(earliest) || at.After(last) {
		return nil, at, errInvalidRestoreTime.New(msgInvalidRestoreTime)
	}
	sn := t.snapshotLocked()
	var undo []pitrChange
	for i := len(t.pitr.changes) - 1; i >= t.pitr.head && t.pitr.changes[i].at.After(at); i-- {
		undo = append(undo, t.pitr.changes[i]) // newest first
	}
	if len(undo) == 0 {
		return sn, at, nil
	}
	tree := newItemTree()
	for _, e := range sn.ents {
		tree.ReplaceOrInsert(e)
	}
	for _, c := range undo { // newest first: the last undo leaves the oldest image
		if c.old == nil {
			tree.Delete(c.key)
		} else {
			tree.ReplaceOrInsert(c.old)
		}
	}
	sn.ents, sn.bytes = sn.ents[:0:0], 0
	tree.Ascend(func(e *entry) bool {
		sn.ents = append(sn.ents, e)
		sn.bytes += int64(e.size)
		return true
	})
	return sn, at, nil
}

// msgInvalidRestoreTime is the model's description of the error.
const msgInvalidRestoreTime = "Invalid restore time specified. RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime."

// backup is one on-demand backup.
type backup struct {
	arn, name string
	created   time.Time
	region    string
	snap      *snapshot
}

// backups is a region's on-demand backups.
type backups struct {
	mu   sync.Mutex
	byID map[string]*backup // by ARN
}

// createBackup snapshots a table.
func (s *Store) createBackup(t *table, name string) (*backup, error) {
	t.mu.RLock()
	if t.deleted {
		t.mu.RUnlock()
		return nil, errTableNotFound.Errorf("Table not found: %s", t.name)
	}
	sn := t.snapshotLocked()
	t.mu.RUnlock()
	now := s.env.Now()
	b := &backup{
		arn:  fmt.Sprintf("%s/backup/%013d-%s", t.arn, now.UnixMilli(), s.env.NewID()[:8]),
		name: name, created: now, region: t.region, snap: sn,
	}
	bs := s.backupsOf(t.region)
	bs.mu.Lock()
	bs.byID[b.arn] = b
	bs.mu.Unlock()
	return b, nil
}

// backupsOf returns a region's backups.
func (s *Store) backupsOf(region string) *backups {
	r := s.region(region)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.backups == nil {
		r.backups = &backups{byID: map[string]*backup{}}
	}
	return r.backups
}

// backupByARN finds a backup.
func (s *Store) backupByARN(arn string) (*backup, error) {
	region, _, ok := parseTableARN(arn)
	if ok {
		bs := s.backupsOf(region)
		bs.mu.Lock()
		b := bs.byID[arn]
		bs.mu.Unlock()
		if b != nil {
			return b, nil
		}
	}
	return nil, errBackupNotFound.Errorf("Backup not found: %s", arn)
}

// deleteBackup removes a backup and returns it.
func (s *Store) deleteBackup(arn string) (*backup, error) {
	b, err := s.backupByARN(arn)
	if err != nil {
		return nil, err
	}
	bs := s.backupsOf(b.region)
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.byID[arn] != b {
		return nil, errBackupNotFound.Errorf("Backup not found: %s", arn)
	}
	delete(bs.byID, arn)
	return b, nil
}

// listBackups returns a region's backups in creation order.
func (s *Store) listBackups(region string) []*backup {
	bs := s.backupsOf(region)
	bs.mu.Lock()
	out := make([]*backup, 0, len(bs.byID))
	for _, b := range bs.byID {
		out = append(out, b)
	}
	bs.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].created.Equal(out[j].created) {
			return out[i].created.Before(out[j].created)
		}
		return out[i].arn < out[j].arn
	})
	return out
}

// restoreSummary records where a restored table came from.
type restoreSummary struct {
	backupARN, tableARN string
	at                  time.Time
}

// restoreSpec is how a restore differs from the snapshot.
type restoreSpec struct {
	billing string    // "" keeps the snapshot's
	tp      *capacity // provisioned throughput override
	gsis    []indexSpec
	gsisSet bool
	lsis    []indexSpec
	lsisSet bool
	from    restoreSummary
	target  string // the new table's name
}

// restoreTable creates a table from a snapshot: its key schema, indexes,
// billing and items, as AWS restores them. Streams, TTL, tags, deletion
// protection and recovery settings are not restored (AWS leaves them to
// be set again).
func (s *Store) restoreTable(ctx context.Context, region string, sn *snapshot, rs restoreSpec) (tableInfo, error) {
	r := s.region(region)
	if r.table(rs.target) != nil {
		return tableInfo{}, errTableAlreadyExists.Errorf("Table already exists: %s", rs.target)
	}
	now := s.env.Now()
	meta := tableMeta{attrDefs: sn.meta.attrDefs, billing: sn.meta.billing, rcu: sn.meta.rcu, wcu: sn.meta.wcu,
		billingChanged: now, tableClass: sn.meta.tableClass}
	if rs.billing != "" && rs.billing != meta.billing {
		meta.billing = rs.billing
		if rs.billing == "PAY_PER_REQUEST" {
			meta.rcu, meta.wcu = 0, 0
		}
	}
	if rs.tp != nil {
		meta.rcu, meta.wcu = rs.tp.r, rs.tp.w
	}
	if meta.billing == "PROVISIONED" && meta.rcu == 0 {
		return tableInfo{}, validationf(msgThroughputRequired)
	}
	t := &table{
		store: s, region: region, name: rs.target, id: s.env.NewID(), created: now, key: sn.key,
		arn:   fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, s.env.Account, rs.target),
		items: newItemTree(), meta: meta, restored: &rs.from,
	}
	var specs []indexSpec
	for _, sp := range sn.indexes {
		if sp.global && !rs.gsisSet || !sp.global && !rs.lsisSet {
			specs = append(specs, sp)
		}
	}
	specs = append(specs, rs.gsis...)
	specs = append(specs, rs.lsis...)
	if rs.gsisSet || rs.lsisSet {
		defs := map[string]attr.Type{}
		for _, d := range meta.attrDefs {
			defs[d.name] = d.typ
		}
		t.meta.attrDefs = usedDefs(defs, t.key, nil, specs, nil)
	}
	for _, sp := range specs {
		if sp.global && meta.billing == "PAY_PER_REQUEST" {
			sp.rcu, sp.wcu = 0, 0
		} else if sp.global && sp.rcu == 0 {
			sp.rcu, sp.wcu = meta.rcu, meta.wcu
		}
		t.indexes = append(t.indexes, newIndex(t, sp, "ACTIVE"))
	}
	for _, e := range sn.ents {
		c := &entry{hh: e.hh, hk: e.hk, rk: e.rk, data: e.data, size: e.size}
		t.items.ReplaceOrInsert(c)
		t.bytes += int64(c.size)
	}
	for _, ix := range t.indexes {
		t.backfill(ix)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tables[t.name] != nil {
		return tableInfo{}, errTableAlreadyExists.Errorf("Table already exists: %s", t.name)
	}
	r.tables[t.name] = t
	s.logTable(ctx, t, true)
	return t.infoLocked(), nil
}

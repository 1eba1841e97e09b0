package dynamodb

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
)

// Global tables (version 2017.11.29): a global table joins same-named
// tables of several regions of this emulator. A write to one replica is
// copied to the others in the background, after the write returns, as
// AWS replicates: eventually, last writer wins.

// globalTable is one global table.
type globalTable struct {
	name, arn string
	created   time.Time
	regions   []string // sorted
}

// globals holds the account's global tables (their names are account-wide)
// and the replication queue.
type globals struct {
	mu     sync.Mutex
	tables map[string]*globalTable

	qmu   sync.Mutex
	queue []replication
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

// replication is one write to copy to a table's peers.
type replication struct {
	peers []*table
	k     itemKey
	data  []byte // the new item, nil for a delete
	size  int32
}

func (g *globals) init() {
	if g.tables == nil {
		g.tables = map[string]*globalTable{}
	}
}

// createGlobalTable joins the tables named name in regions. Each must
// exist, be empty and stream new and old images, as AWS requires.
func (s *Store) createGlobalTable(name string, regions []string) (*globalTable, error) {
	g := &s.globals
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	if g.tables[name] != nil {
		return nil, errGlobalTableExists.New("Global table with this name already exists")
	}
	regions = uniqSorted(regions)
	var ts []*table
	for _, r := range regions {
		t := s.region(r).table(name)
		if t == nil {
			return nil, errTableNotFound.Errorf("Table not found: %s in region %s", name, r)
		}
		if err := t.checkReplica(); err != nil {
			return nil, err
		}
		if len(ts) > 0 && ts[0].key != t.key {
			return nil, validationf("One or more parameter values were invalid: Table %s in region %s has a different key schema", name, r)
		}
		ts = append(ts, t)
	}
	gt := &globalTable{name: name, arn: fmt.Sprintf("arn:aws:dynamodb::%s:global-table/%s", s.env.Account, name),
		created: s.env.Now(), regions: regions}
	g.tables[name] = gt
	s.linkReplicas(ts)
	return gt, nil
}

// checkReplica checks a table can join a global table.
func (t *table) checkReplica() error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	switch {
	case t.deleted:
		return tableNotFound()
	case t.stream == nil || t.stream.viewType != "NEW_AND_OLD_IMAGES":
		return validationf("One or more parameter values were invalid: Table %s in region %s does not have streams enabled with NEW_AND_OLD_IMAGES", t.name, t.region)
	case t.items.Len() > 0:
		return validationf("One or more parameter values were invalid: Table %s in region %s is not empty", t.name, t.region)
	}
	return nil
}

// linkReplicas makes every table replicate to the others (globals locked).
func (s *Store) linkReplicas(ts []*table) {
	for _, t := range ts {
		var peers []*table
		for _, o := range ts {
			if o != t {
				peers = append(peers, o)
			}
		}
		t.mu.Lock()
		t.peers = peers
		t.mu.Unlock()
	}
	s.globals.start(s)
}

// updateGlobalTable adds and removes replicas.
func (s *Store) updateGlobalTable(name string, add, remove []string) (*globalTable, error) {
	g := &s.globals
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	gt := g.tables[name]
	if gt == nil {
		return nil, errGlobalTableNotFound.New("Global table not found")
	}
	regions := slices.Clone(gt.regions)
	for _, r := range add {
		if slices.Contains(regions, r) {
			return nil, errReplicaExists.Errorf("Replica already exists in region %s", r)
		}
		t := s.region(r).table(name)
		if t == nil {
			return nil, errTableNotFound.Errorf("Table not found: %s in region %s", name, r)
		}
		if err := t.checkReplica(); err != nil {
			return nil, err
		}
		regions = append(regions, r)
	}
	for _, r := range remove {
		i := slices.Index(regions, r)
		if i < 0 {
			return nil, errReplicaNotFound.Errorf("Replica not found in region %s", r)
		}
		regions = slices.Delete(regions, i, i+1)
		if t := s.region(r).table(name); t != nil {
			t.mu.Lock()
			t.peers = nil
			t.mu.Unlock()
		}
	}
	sort.Strings(regions)
	var ts []*table
	for _, r := range regions {
		if t := s.region(r).table(name); t != nil {
			ts = append(ts, t)
		}
	}
	s.linkReplicas(ts)
	next := *gt
	next.regions = regions
	g.tables[name] = &next
	return &next, nil
}

// globalTable returns a global table by name.
func (s *Store) globalTable(name string) (*globalTable, error) {
	g := &s.globals
	g.mu.Lock()
	defer g.mu.Unlock()
	if gt := g.tables[name]; gt != nil {
		return gt, nil
	}
	return nil, errGlobalTableNotFound.New("Global table not found")
}

// globalTableList returns the global tables in name order.
func (s *Store) globalTableList() []*globalTable {
	g := &s.globals
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*globalTable, 0, len(g.tables))
	for _, gt := range g.tables {
		out = append(out, gt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func uniqSorted(ss []string) []string {
	out := slices.Clone(ss)
	sort.Strings(out)
	return slices.Compact(out)
}

// replicate queues a write for the table's peers (table write-locked).
func (g *globals) replicate(r replication) {
	g.qmu.Lock()
	g.queue = append(g.queue, r)
	g.qmu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// start runs the replication worker if it is not running.
func (g *globals) start(s *Store) {
	g.qmu.Lock()
	defer g.qmu.Unlock()
	if g.stop != nil {
		return
	}
	g.wake, g.stop, g.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	wake, stop, done := g.wake, g.stop, g.done
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-wake:
			}
			for {
				g.qmu.Lock()
				batch := g.queue
				g.queue = nil
				g.qmu.Unlock()
				if len(batch) == 0 {
					break
				}
				for _, r := range batch {
					for _, p := range r.peers {
						p.applyReplica(r)
					}
				}
			}
		}
	}()
}

// close stops the replication worker.
func (g *globals) close() {
	g.qmu.Lock()
	stop, done := g.stop, g.done
	g.stop, g.done = nil, nil
	g.qmu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// applyReplica applies a replicated write; it is not replicated again.
func (t *table) applyReplica(r replication) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return
	}
	old, _ := t.items.Get(r.k.pivot())
	w := write{kind: writeDelete, replica: true}
	if r.data != nil {
		w = write{kind: writePut, replica: true, item: mustDecode(r.data),
			ent: &entry{hh: r.k.hh, hk: r.k.hk, rk: r.k.rk, data: r.data, size: r.size}}
	}
	next := t.apply(r.k, old, w)
	if w.kind == writePut || old != nil {
		t.logWrite(context.Background(), r.k, w.kind, next)
	}
}

// Replicas of version 2019.11.21, made and removed by UpdateTable's
// ReplicaUpdates: the table itself is the global table.

// replicaGroup returns t and its replicas (t first).
func (t *table) replicaGroup() []*table {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]*table{t}, t.peers...)
}

// relink makes every table of group replicate to the others and record
// the group's regions (tables locked).
func relink(group []*table) {
	for _, g := range group {
		var peers []*table
		var regions []string
		for _, o := range group {
			if o != g {
				peers = append(peers, o)
				regions = append(regions, o.region)
			}
		}
		sort.Strings(regions)
		g.peers, g.meta.replicas = peers, regions
	}
}

// addReplica copies t (definition and items) to region and links the copy
// with t's replication group. As AWS requires, t must stream new and old
// images.
func (s *Store) addReplica(t *table, region string) error {
	group := t.replicaGroup()
	unlock := lockTables(group)
	defer unlock()
	if t.deleted {
		return tableNotFound()
	}
	for _, g := range group {
		if g.region == region {
			return validationf("One or more parameter values were invalid: Replica already exists in region %s", region)
		}
	}
	if t.stream == nil || t.stream.viewType != "NEW_AND_OLD_IMAGES" {
		return validationf("One or more parameter values were invalid: Table %s must have DynamoDB Streams enabled with StreamViewType NEW_AND_OLD_IMAGES to add replicas", t.name)
	}
	sn := t.snapshotLocked()
	if s.region(region).table(t.name) != nil {
		return errResourceInUse.Errorf("Table already exists: %s", t.name)
	}
	if _, err := s.restoreTable(context.Background(), region, sn, restoreSpec{target: t.name}); err != nil {
		return err
	}
	nt := s.region(region).table(t.name)
	nt.mu.Lock()
	nt.restored = nil
	nt.enableStream("NEW_AND_OLD_IMAGES", s.env.Now())
	r := s.region(region)
	r.mu.Lock()
	r.streams[nt.stream.arn] = nt.stream
	r.mu.Unlock()
	relink(append(group, nt))
	nt.mu.Unlock()
	s.globals.start(s)
	return nil
}

// removeReplica unlinks and deletes t's replica in region.
func (s *Store) removeReplica(t *table, region string) error {
	group := t.replicaGroup()
	var gone *table
	var kept []*table
	for _, g := range group {
		if g.region == region && g != t {
			gone = g
		} else {
			kept = append(kept, g)
		}
	}
	if gone == nil {
		return validationf("One or more parameter values were invalid: Replica does not exist in region %s", region)
	}
	unlock := lockTables(group)
	relink(kept)
	gone.peers, gone.meta.replicas = nil, nil
	unlock()
	_, err := s.deleteTable(context.Background(), gone)
	return err
}

// replicaRegions returns the regions of t's other replicas.
func (t *table) replicaRegions() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.meta.replicas
}

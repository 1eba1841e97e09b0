package dynamodb

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is DynamoDB's saved state (version 1): every region's tables with
// their settings, indexes and items. Not saved: stream records (a loaded
// table's stream, same ARN and label, starts empty), the point-in-time
// recovery log (recovery stays on, from its saved start, but a restore to
// a time before the load sees the loaded items), on-demand backups,
// global tables' replication, exports and imports, resource policies,
// Contributor Insights and Kinesis destinations.
type State struct {
	Tables []TableState `json:"tables"`
}

// TableState is one table.
type TableState struct {
	Region  string    `json:"region"`
	Name    string    `json:"name"`
	ID      string    `json:"id"` // TableId
	Created time.Time `json:"created"`
	Key     KeyState  `json:"key"`
	// AttributeDefinitions name → S, N or B.
	AttributeDefinitions []AttributeState `json:"attributeDefinitions"`
	BillingMode          string           `json:"billingMode"` // PROVISIONED or PAY_PER_REQUEST
	ReadCapacity         int64            `json:"readCapacity,omitempty"`
	WriteCapacity        int64            `json:"writeCapacity,omitempty"`
	BillingChanged       time.Time        `json:"billingChanged"`
	Indexes              []IndexState     `json:"indexes,omitempty"`
	// Stream is the enabled stream, or the last one (Enabled false).
	Stream             *StreamState `json:"stream,omitempty"`
	TTLAttribute       string       `json:"ttlAttribute,omitempty"` // "" when TTL is off
	PITR               *PITRState   `json:"pointInTimeRecovery,omitempty"`
	Tags               []TagState   `json:"tags,omitempty"`
	DeletionProtection bool         `json:"deletionProtection,omitempty"`
	TableClass         string       `json:"tableClass,omitempty"`
	// Items in DynamoDB JSON ({"id":{"S":"1"}}), in key order.
	Items []json.RawMessage `json:"items"`
}

// KeyState is a key schema: the partition key and the sort key ("" none)
// with their types.
type KeyState struct {
	Hash      string `json:"hash"`
	HashType  string `json:"hashType"`
	Range     string `json:"range,omitempty"`
	RangeType string `json:"rangeType,omitempty"`
	// Partitions and Sorts list every attribute of a global index's
	// multi-attribute key (Hash and Range then name the first of each).
	Partitions []KeyPartState `json:"partitions,omitempty"`
	Sorts      []KeyPartState `json:"sorts,omitempty"`
}

// KeyPartState is one attribute of a multi-attribute key.
type KeyPartState struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// AttributeState is an attribute definition.
type AttributeState struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// IndexState is a global or local secondary index.
type IndexState struct {
	Name          string   `json:"name"`
	Global        bool     `json:"global"`
	Key           KeyState `json:"key"`
	Projection    string   `json:"projection"` // KEYS_ONLY, INCLUDE or ALL
	Include       []string `json:"include,omitempty"`
	ReadCapacity  int64    `json:"readCapacity,omitempty"`
	WriteCapacity int64    `json:"writeCapacity,omitempty"`
	Status        string   `json:"status"`
}

// StreamState is a table's stream settings.
type StreamState struct {
	Enabled  bool   `json:"enabled"`
	ViewType string `json:"viewType"`
	ARN      string `json:"arn"`
	Label    string `json:"label"`
}

// PITRState is point-in-time recovery, on.
type PITRState struct {
	Since time.Time `json:"since"`
	Days  int       `json:"days"`
}

// TagState is a tag.
type TagState struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// StateVersion, SaveState and LoadState make DynamoDB a cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) { return s.store.saveState(), nil }

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.store.loadState(st)
}

func keyState(k keyDef) KeyState {
	ks := KeyState{Hash: k.hash, HashType: k.hashT.String(), Range: k.rng, RangeType: k.rngT.String()}
	if k.multi != nil {
		for _, p := range k.multi.hashes {
			ks.Partitions = append(ks.Partitions, KeyPartState{Name: p.name, Type: p.typ.String()})
		}
		for _, p := range k.multi.ranges {
			ks.Sorts = append(ks.Sorts, KeyPartState{Name: p.name, Type: p.typ.String()})
		}
	}
	return ks
}

// multiDef reads the parts of a multi-attribute key; they must agree with
// Hash and Range, which name the first of each.
func (k KeyState) multiDef(out keyDef) (keyDef, error) {
	if len(k.Partitions) == 0 || len(k.Partitions) > maxKeyParts || len(k.Sorts) > maxKeyParts ||
		k.Partitions[0].Name != k.Hash || (len(k.Sorts) > 0) != (k.Range != "") || (len(k.Sorts) > 0 && k.Sorts[0].Name != k.Range) {
		return out, fmt.Errorf("multi-attribute key %q does not agree with its first attributes", k.Hash)
	}
	m := &multiKey{}
	seen := map[string]bool{}
	for i, list := range [][]KeyPartState{k.Partitions, k.Sorts} {
		for _, p := range list {
			t, ok := attr.ParseType(p.Type)
			if !ok || p.Name == "" || !isKeyType(t) || seen[p.Name] {
				return out, fmt.Errorf("key attribute %q of type %q", p.Name, p.Type)
			}
			seen[p.Name] = true
			if i == 0 {
				m.hashes = append(m.hashes, keyPart{name: p.Name, typ: t})
			} else {
				m.ranges = append(m.ranges, keyPart{name: p.Name, typ: t})
			}
		}
	}
	out.multi = m
	return out, nil
}

func (k KeyState) def() (keyDef, error) {
	var out keyDef
	var ok bool
	if out.hashT, ok = attr.ParseType(k.HashType); !ok || k.Hash == "" || !isKeyType(out.hashT) {
		return out, fmt.Errorf("key %q of type %q", k.Hash, k.HashType)
	}
	out.hash = k.Hash
	if k.Range != "" {
		if out.rngT, ok = attr.ParseType(k.RangeType); !ok || !isKeyType(out.rngT) {
			return out, fmt.Errorf("sort key %q of type %q", k.Range, k.RangeType)
		}
		out.rng = k.Range
	}
	if len(k.Partitions) > 0 || len(k.Sorts) > 0 {
		return k.multiDef(out)
	}
	return out, nil
}

func isKeyType(t attr.Type) bool {
	s := t.String()
	return s == "S" || s == "N" || s == "B"
}

func (s *Store) saveState() State {
	out := State{Tables: []TableState{}}
	for _, r := range s.allRegions() {
		for _, name := range r.tableNames() {
			if t := r.table(name); t != nil {
				if ts, ok := t.state(); ok {
					out.Tables = append(out.Tables, ts)
				}
			}
		}
	}
	sort.Slice(out.Tables, func(i, j int) bool {
		a, b := out.Tables[i], out.Tables[j]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Name < b.Name
	})
	return out
}

func (t *table) state() (TableState, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.deleted {
		return TableState{}, false
	}
	m := t.meta
	out := TableState{
		Region: t.region, Name: t.name, ID: t.id, Created: t.created, Key: keyState(t.key),
		BillingMode: m.billing, ReadCapacity: m.rcu, WriteCapacity: m.wcu, BillingChanged: m.billingChanged,
		TTLAttribute: t.ttlAttr, DeletionProtection: m.deletionProtection, TableClass: m.tableClass, Items: []json.RawMessage{},
	}
	for _, d := range m.attrDefs {
		out.AttributeDefinitions = append(out.AttributeDefinitions, AttributeState{Name: d.name, Type: d.typ.String()})
	}
	for _, ix := range t.indexes {
		out.Indexes = append(out.Indexes, IndexState{Name: ix.name, Global: ix.global, Key: keyState(ix.key), Projection: ix.projection,
			Include: ix.include, ReadCapacity: ix.rcu, WriteCapacity: ix.wcu, Status: ix.status})
	}
	if m.latestStreamARN != "" {
		out.Stream = &StreamState{Enabled: m.streamEnabled, ViewType: m.streamViewType, ARN: m.latestStreamARN, Label: m.latestStreamLabel}
	}
	if t.pitr != nil {
		out.PITR = &PITRState{Since: t.pitr.since, Days: t.pitr.days}
	}
	for _, tg := range m.tags {
		out.Tags = append(out.Tags, TagState{Key: tg.key, Value: tg.value})
	}
	t.items.Ascend(func(e *entry) bool {
		out.Items = append(out.Items, json.RawMessage(e.data))
		return true
	})
	return out, true
}

// decodedItem is a saved item decoded, keyed and encoded for the store.
type decodedItem struct {
	it  attr.Item
	k   itemKey
	ent *entry
}

// decodeItems decodes saved items on every core (a restart's longest
// step: a million items take seconds on one).
func (t *table) decodeItems(raws []json.RawMessage, stored bool) ([]decodedItem, error) {
	out := make([]decodedItem, len(raws))
	workers := min(runtime.GOMAXPROCS(0), 1+len(raws)/1024)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(raws); i += workers {
				it, err := attr.DecodeItem(raws[i])
				if err != nil {
					errs[w] = fmt.Errorf("an item: %w", err)
					return
				}
				k, err := t.keyOfItem(it)
				if err != nil {
					errs[w] = fmt.Errorf("an item without the table's key: %s", raws[i])
					return
				}
				var ent *entry
				if stored {
					ent = &entry{hh: k.hh, hk: k.hk, rk: k.rk, size: int32(it.Size()), data: append([]byte(nil), raws[i]...)}
				} else {
					ent = newEntry(k, it, it.Size())
				}
				out[i] = decodedItem{it: it, k: k, ent: ent}
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// loadState adds the saved tables to the (empty) store.
func (s *Store) loadState(in State) error {
	ttl := false
	for i := range in.Tables {
		ts := &in.Tables[i]
		if err := s.loadTable(ts, false); err != nil {
			return fmt.Errorf("table %s: %w", ts.Name, err)
		}
		ttl = ttl || ts.TTLAttribute != ""
	}
	if ttl {
		s.sweeper.ensure()
	}
	return nil
}

// loadTable adds a saved table. stored says its items are bytes this
// store encoded (a checkpoint's), kept as they are instead of encoded
// again.
func (s *Store) loadTable(ts *TableState, stored bool) error {
	if _, err := checkTableName(&ts.Name, "TableName"); err != nil || ts.Region == "" {
		return fmt.Errorf("not a valid table name and region")
	}
	key, err := ts.Key.def()
	if err != nil {
		return err
	}
	t := &table{
		store: s, region: ts.Region, name: ts.Name,
		arn: fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", ts.Region, s.env.Account, ts.Name),
		id:  ts.ID, created: ts.Created, key: key, items: newItemTree(),
		meta: tableMeta{billing: ts.BillingMode, rcu: ts.ReadCapacity, wcu: ts.WriteCapacity, billingChanged: ts.BillingChanged,
			deletionProtection: ts.DeletionProtection, tableClass: ts.TableClass},
	}
	if t.meta.billing != "PROVISIONED" && t.meta.billing != "PAY_PER_REQUEST" {
		return fmt.Errorf("billing mode %q", t.meta.billing)
	}
	for _, d := range ts.AttributeDefinitions {
		typ, ok := attr.ParseType(d.Type)
		if !ok || !isKeyType(typ) {
			return fmt.Errorf("attribute %s of type %q", d.Name, d.Type)
		}
		t.meta.attrDefs = append(t.meta.attrDefs, attrDef{name: d.Name, typ: typ})
	}
	for _, tg := range ts.Tags {
		t.meta.tags = append(t.meta.tags, tag{key: tg.Key, value: tg.Value})
	}
	for _, is := range ts.Indexes {
		k, err := is.Key.def()
		if err != nil {
			return fmt.Errorf("index %s: %w", is.Name, err)
		}
		switch is.Projection {
		case "KEYS_ONLY", "INCLUDE", "ALL":
		default:
			return fmt.Errorf("index %s: projection %q", is.Name, is.Projection)
		}
		if is.Name == "" || t.indexNamed(is.Name) != nil {
			return fmt.Errorf("index %q: no name, or twice", is.Name)
		}
		ix := newIndex(t, indexSpec{name: is.Name, global: is.Global, key: k, projection: is.Projection, include: is.Include,
			rcu: is.ReadCapacity, wcu: is.WriteCapacity}, is.Status)
		if ix.status == "" {
			ix.status = "ACTIVE"
		}
		t.indexes = append(t.indexes, ix)
	}
	t.ttlAttr = ts.TTLAttribute
	// In chunks: the decoded items of a whole large table at once would
	// double its memory.
	for start := 0; start < len(ts.Items); start += 1 << 16 {
		chunk := ts.Items[start:min(start+1<<16, len(ts.Items))]
		decoded, err := t.decodeItems(chunk, stored)
		if err != nil {
			return err
		}
		for i, d := range decoded {
			if old, _ := t.items.Get(d.k.pivot()); old != nil {
				return fmt.Errorf("two items with the same key: %s", chunk[i])
			}
			t.apply(d.k, nil, write{kind: writePut, item: d.it, ent: d.ent})
		}
	}
	// Streams and recovery after the items: loading writes no records.
	if st := ts.Stream; st != nil {
		switch st.ViewType {
		case "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES":
		default:
			return fmt.Errorf("stream view type %q", st.ViewType)
		}
		if st.Enabled {
			t.enableStream(st.ViewType, s.env.Now())
			t.stream.arn, t.stream.label = st.ARN, st.Label
		}
		t.meta.streamEnabled, t.meta.streamViewType = st.Enabled, st.ViewType
		t.meta.latestStreamARN, t.meta.latestStreamLabel = st.ARN, st.Label
	}
	if p := ts.PITR; p != nil {
		t.pitr = &pitrLog{since: p.Since, days: p.Days}
	}
	r := s.region(ts.Region)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tables[t.name] != nil {
		return fmt.Errorf("saved twice")
	}
	r.tables[t.name] = t
	if t.stream != nil {
		r.streams[t.stream.arn] = t.stream
	}
	return nil
}

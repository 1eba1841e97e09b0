package dynamodb

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Record is one change in DynamoDB's write-ahead log (groundstack up
// --data-dir), of state version 1. Every record is absolute:
//
//   - put: Item is the item's new full image (DynamoDB JSON);
//   - del: Item is the deleted item's key (a tombstone);
//   - tx: Writes are the puts and dels of one TransactWriteItems, all
//     or nothing;
//   - table: State is a table's settings as they are now (created,
//     updated, TTL, tags, recovery); its Items only when the change made
//     them (a restore), else the table keeps the items it has;
//   - drop: the table was deleted.
//
// BatchWriteItem, which AWS does not apply atomically, logs one put or
// del per item, as a sequence of single writes would.
type Record struct {
	Op     string          `json:"op"`
	Region string          `json:"r,omitempty"`
	Table  string          `json:"t,omitempty"`
	Item   json.RawMessage `json:"i,omitempty"`
	Writes []Record        `json:"w,omitempty"`
	State  *TableState     `json:"s,omitempty"`
}

// SetJournal makes DynamoDB log its changes (nil: none).
func (s *Service) SetJournal(j cloud.Journal) { s.store.journal = j }

// Checkpoint is the saved state in a layout of one item a line (still
// JSON): a restart splits the items at newlines, which item JSON never
// holds, instead of scanning a gigabyte of JSON to find them.
//
//	{"lines":1,"tables":[
//	{"table":{…TableState, "items":null…},"count":2,"items":[
//	{item}
//	,{item}
//	]}
//	,{"table":…
//	]}
func (s *Service) Checkpoint() (any, error) {
	st := s.store.saveState()
	size := 64
	for _, t := range st.Tables {
		for _, it := range t.Items {
			size += len(it) + 2
		}
	}
	b := make([]byte, 0, size)
	b = append(b, linesHeader...)
	for i := range st.Tables {
		ts := st.Tables[i]
		items := ts.Items
		ts.Items = nil
		head, err := json.Marshal(checkpointTable{Table: ts, Count: len(items)})
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, head[:len(head)-1]...) // without its closing brace
		b = append(b, `,"items":[`...)
		for j, it := range items {
			b = append(b, '\n')
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, it...)
		}
		b = append(b, "\n]}\n"...)
	}
	b = append(b, "]}"...)
	return cloud.RawRecord(b), nil
}

const linesHeader = "{\"lines\":1,\"tables\":[\n"

// checkpointTable heads a table's items in a checkpoint.
type checkpointTable struct {
	Table TableState `json:"table"`
	Count int        `json:"count"`
}

// LoadCheckpoint restores a checkpoint into the empty service (or a
// saved State, which a checkpoint also may be).
func (s *Service) LoadCheckpoint(version int, state json.RawMessage) error {
	rest, ok := bytes.CutPrefix(state, []byte(linesHeader))
	if !ok {
		return s.LoadState(version, state)
	}
	if version != stateVersion {
		return fmt.Errorf("checkpoint version %d, want %d", version, stateVersion)
	}
	next := func() []byte {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			line := rest
			rest = nil
			return line
		}
		line := rest[:i]
		rest = rest[i+1:]
		return line
	}
	ttl := false
	for {
		line := next()
		if string(line) == "]}" && len(rest) == 0 {
			break
		}
		line = bytes.TrimPrefix(line, []byte{','})
		head, ok := bytes.CutSuffix(line, []byte(`,"items":[`))
		if !ok {
			return fmt.Errorf("checkpoint: a table line without its items: %.80s", line)
		}
		var ct checkpointTable
		if err := json.Unmarshal(append(append([]byte(nil), head...), '}'), &ct); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if ct.Count < 0 || ct.Count > len(rest) {
			return fmt.Errorf("checkpoint: table %s of %d items", ct.Table.Name, ct.Count)
		}
		ct.Table.Items = make([]json.RawMessage, ct.Count)
		for i := range ct.Table.Items {
			ct.Table.Items[i] = bytes.TrimPrefix(next(), []byte{','})
		}
		if string(next()) != "]}" {
			return fmt.Errorf("checkpoint: table %s holds more items than it says", ct.Table.Name)
		}
		if err := s.store.loadTable(&ct.Table, true); err != nil {
			return fmt.Errorf("table %s: %w", ct.Table.Name, err)
		}
		ttl = ttl || ct.Table.TTLAttribute != ""
		if len(rest) == 0 {
			return fmt.Errorf("checkpoint: cut short")
		}
	}
	if ttl {
		s.store.sweeper.ensure()
	}
	return nil
}

// ApplyRecord replays one record.
func (s *Service) ApplyRecord(version int, raw json.RawMessage) error {
	if version != stateVersion {
		return fmt.Errorf("record version %d, want %d", version, stateVersion)
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return err
	}
	return s.store.replay(rec)
}

func (s *Store) replay(rec Record) error {
	switch rec.Op {
	case "put", "del":
		t := s.region(rec.Region).table(rec.Table)
		if t == nil {
			return fmt.Errorf("a %s in table %s of %s, which does not exist", rec.Op, rec.Table, rec.Region)
		}
		it, err := attr.DecodeItem(rec.Item)
		if err != nil {
			return err
		}
		k, err := t.keyOfItem(it)
		if err != nil {
			return fmt.Errorf("a %s without the table's key: %w", rec.Op, err)
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		old, _ := t.items.Get(k.pivot())
		if rec.Op == "put" {
			t.apply(k, old, write{kind: writePut, item: it})
		} else {
			t.apply(k, old, write{kind: writeDelete})
		}
	case "tx":
		for _, w := range rec.Writes {
			if err := s.replay(w); err != nil {
				return err
			}
		}
	case "table":
		if rec.State == nil {
			return fmt.Errorf("a table record without the table")
		}
		ts := *rec.State
		r := s.region(ts.Region)
		if old := r.table(ts.Name); old != nil {
			if ts.Items == nil {
				old.mu.RLock()
				old.items.Ascend(func(e *entry) bool {
					ts.Items = append(ts.Items, json.RawMessage(e.data))
					return true
				})
				old.mu.RUnlock()
			}
			r.mu.Lock()
			delete(r.tables, ts.Name)
			r.mu.Unlock()
		}
		if err := s.loadTable(&ts, false); err != nil {
			return fmt.Errorf("table %s: %w", ts.Name, err)
		}
		if ts.TTLAttribute != "" {
			s.sweeper.ensure()
		}
	case "drop":
		r := s.region(rec.Region)
		r.mu.Lock()
		if t := r.tables[rec.Table]; t != nil {
			t.mu.Lock()
			t.deleted = true
			t.mu.Unlock()
			delete(r.tables, rec.Table)
		}
		r.mu.Unlock()
	default:
		return fmt.Errorf("a record of unknown op %q", rec.Op)
	}
	return nil
}

// appendWriteRecord appends the raw record of one item write: its new
// image (the stored bytes, already DynamoDB JSON) or its key.
func appendWriteRecord(b []byte, t *table, k itemKey, next *entry) []byte {
	op := `{"op":"put","r":`
	if next == nil {
		op = `{"op":"del","r":`
	}
	b = append(b, op...)
	// Region and table names are letters, digits, '_', '-' and '.': no
	// escaping.
	b = append(append(append(b, '"'), t.region...), '"')
	b = append(b, `,"t":"`...)
	b = append(append(b, t.name...), '"')
	b = append(b, `,"i":`...)
	if next != nil {
		b = append(b, next.data...)
	} else {
		b = attr.AppendItem(b, k.attrs)
	}
	return append(b, '}')
}

// logWrite records one applied item write (table locked).
func (t *table) logWrite(ctx context.Context, k itemKey, kind writeKind, next *entry) {
	j := t.store.journal
	if j == nil || kind == writeKeep {
		return
	}
	size := 64 + len(t.region) + len(t.name)
	if next != nil {
		size += len(next.data)
	}
	j.Record(ctx, cloud.RawRecord(appendWriteRecord(make([]byte, 0, size), t, k, next)))
}

// logTable records t's settings as they are now, with its items when
// withItems (a restore made them).
func (s *Store) logTable(ctx context.Context, t *table, withItems bool) {
	if s.journal == nil || t == nil {
		return
	}
	ts, ok := t.state()
	if !ok {
		return
	}
	if !withItems {
		ts.Items = nil
	}
	s.journal.Record(ctx, Record{Op: "table", State: &ts})
}

// logDrop records a deleted table.
func (s *Store) logDrop(ctx context.Context, t *table) {
	if s.journal != nil {
		s.journal.Record(ctx, Record{Op: "drop", Region: t.region, Table: t.name})
	}
}

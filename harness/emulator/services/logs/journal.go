package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// CloudWatch Logs is cloud.Journaled. Events are recorded as they are
// stored, a batch a record, with their sequence numbers and ingestion
// times: by PutLogEvents (its answer waits for the record) and by other
// services' LogWriter (a Lambda function's logs: nobody waits, they are
// durable within one group commit). Everything else (a group with its
// settings, filters, policies and its streams' names; the account's
// policies, destinations and query definitions) is recorded as one
// entity, compared with what was last recorded before a changing
// request's answer leaves. Retention needs no record: it only rejects
// events as they are put.

// Record is one journal record (version 1, like State).
type Record struct {
	// Key names the entity: "group/REGION/NAME" (a GroupState without
	// events, sequence number or event times) or "account" (a State
	// without groups).
	Key string `json:"key,omitempty"`
	// Value is the entity's state; absent: deleted.
	Value json.RawMessage `json:"value,omitempty"`
	// Events is a batch of events stored in a stream.
	Events *EventsRecord `json:"events,omitempty"`
	// Reset empties the service.
	Reset bool `json:"reset,omitempty"`
}

// EventsRecord is a batch of events stored in one stream, which it
// creates (with its group) when missing, as a LogWriter does.
type EventsRecord struct {
	Region        string       `json:"region"`
	Group         string       `json:"group"`
	GroupCreated  int64        `json:"groupCreated"`
	Stream        string       `json:"stream"`
	StreamCreated int64        `json:"streamCreated"`
	Events        []EventState `json:"events"`
}

type journalRef struct{ j cloud.Journal }

// logsJournal is what was last recorded of each entity.
type logsJournal struct {
	mu   sync.Mutex
	last map[string][]byte
}

// SetJournal makes the service record its changes in j (nil: none).
func (s *Service) SetJournal(j cloud.Journal) {
	s.journal.mu.Lock()
	defer s.journal.mu.Unlock()
	if j == nil {
		s.store.journal.Store(nil)
		return
	}
	s.journal.last = s.store.entities()
	s.store.journal.Store(&journalRef{j})
}

// Checkpoint is the whole state, events included.
func (s *Service) Checkpoint() (any, error) { return s.store.saveState(), nil }

// LoadCheckpoint restores a Checkpoint.
func (s *Service) LoadCheckpoint(version int, raw json.RawMessage) error {
	s.store.Reset()
	return s.LoadState(version, raw)
}

// recordEvents records a batch stored in st (g's lock held).
func (s *Store) recordEvents(ctx context.Context, g *Group, st *Stream, batch []Event) {
	ref := s.journal.Load()
	if ref == nil || len(batch) == 0 {
		return
	}
	evs := make([]EventState, len(batch))
	for i, e := range batch {
		evs[i] = EventState(e)
	}
	ref.j.Record(ctx, Record{Events: &EventsRecord{Region: g.Region, Group: g.Name, GroupCreated: g.Created, Stream: st.Name,
		StreamCreated: st.Created, Events: evs}})
}

// entities is every entity but events, encoded, by key.
func (s *Store) entities() map[string][]byte {
	s.mu.RLock()
	groups := slices.Collect(maps.Values(s.groups))
	s.mu.RUnlock()
	out := map[string][]byte{}
	for _, g := range groups {
		g.mu.RLock()
		if !g.deleted {
			gs := g.stateWith(false)
			gs.Seq = 0
			b, _ := json.Marshal(gs)
			out["group/"+g.Region+"/"+g.Name] = b
		}
		g.mu.RUnlock()
	}
	acct := s.saveAccount()
	b, _ := json.Marshal(acct)
	out["account"] = b
	return out
}

// saveAccount is the saved state without groups.
func (s *Store) saveAccount() State {
	st := State{}
	s.saveAccountInto(&st)
	return st
}

// journalChanges records the entities that differ from what was last
// recorded.
func (s *Service) journalChanges(ctx context.Context) {
	ref := s.store.journal.Load()
	if ref == nil {
		return
	}
	lj := &s.journal
	lj.mu.Lock()
	defer lj.mu.Unlock()
	now := s.store.entities()
	for _, k := range slices.Sorted(maps.Keys(now)) {
		if !bytes.Equal(lj.last[k], now[k]) {
			ref.j.Record(ctx, Record{Key: k, Value: now[k]})
		}
	}
	for k := range lj.last {
		if _, ok := now[k]; !ok {
			ref.j.Record(ctx, Record{Key: k})
		}
	}
	lj.last = now
}

func (s *Service) recordReset() {
	ref := s.store.journal.Load()
	if ref == nil {
		return
	}
	s.journal.mu.Lock()
	defer s.journal.mu.Unlock()
	ref.j.Record(context.Background(), Record{Reset: true})
	s.journal.last = map[string][]byte{}
}

// ApplyRecord replays a Record.
func (s *Service) ApplyRecord(version int, raw json.RawMessage) error {
	r, err := cloud.DecodeState[Record](version, stateVersion, raw)
	if err != nil {
		return err
	}
	st := s.store
	switch {
	case r.Key == "" && r.Events == nil && !r.Reset:
		// A whole State, as a data directory written before Logs logged
		// its changes holds.
		var probe struct {
			Groups json.RawMessage `json:"groups"`
		}
		if json.Unmarshal(raw, &probe) != nil || probe.Groups == nil {
			return fmt.Errorf("a record of nothing known")
		}
		return s.LoadCheckpoint(version, raw)
	case r.Reset:
		st.Reset()
	case r.Events != nil:
		return st.applyEvents(*r.Events)
	case r.Key == "account":
		var a State
		if err := json.Unmarshal(r.Value, &a); err != nil {
			return err
		}
		st.acct.mu.Lock()
		st.acct.resPolicies, st.acct.acctPolicies, st.acct.destinations, st.acct.queryDefs = nil, nil, nil, nil
		st.acct.mu.Unlock()
		return st.loadState(State{ResourcePolicies: a.ResourcePolicies, AccountPolicies: a.AccountPolicies,
			Destinations: a.Destinations, QueryDefinitions: a.QueryDefinitions})
	case strings.HasPrefix(r.Key, "group/"):
		region, name, _ := strings.Cut(strings.TrimPrefix(r.Key, "group/"), "/")
		if len(r.Value) == 0 {
			st.mu.Lock()
			if g := st.groups[groupKey{region, name}]; g != nil {
				g.mu.Lock()
				g.deleted = true
				g.mu.Unlock()
				delete(st.groups, groupKey{region, name})
			}
			st.mu.Unlock()
			return nil
		}
		var gs GroupState
		if err := json.Unmarshal(r.Value, &gs); err != nil {
			return err
		}
		return st.upsertGroup(gs)
	default:
		return fmt.Errorf("a record of nothing known (key %q)", r.Key)
	}
	return nil
}

// upsertGroup replaces a group's settings and stream list, keeping the
// events of the streams it keeps.
func (s *Store) upsertGroup(gs GroupState) error {
	g, err := s.loadGroup(gs)
	if err != nil {
		return fmt.Errorf("log group %s: %w", gs.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := groupKey{g.Region, g.Name}
	if old := s.groups[k]; old != nil {
		old.mu.Lock()
		g.seq = old.seq
		for name, st := range g.streams {
			if o := old.streams[name]; o != nil {
				o.Created = st.Created
				g.streams[name] = o
			}
		}
		old.deleted = true
		old.mu.Unlock()
	}
	s.groups[k] = g
	return nil
}

// applyEvents replays a batch: the events the stream holds already (by
// the group's sequence number) are skipped.
func (s *Store) applyEvents(r EventsRecord) error {
	if r.Region == "" || r.Group == "" || r.Stream == "" {
		return fmt.Errorf("an events record without a region, group or stream")
	}
	g := s.groupOrNew(r.Region, r.Group)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seq == 0 && len(g.streams) == 0 && r.GroupCreated != 0 {
		g.Created = r.GroupCreated
	}
	st := g.streams[r.Stream]
	if st == nil {
		st = &Stream{Name: r.Stream, Created: r.StreamCreated}
		g.streams[r.Stream] = st
	}
	batch := make([]Event, 0, len(r.Events))
	for _, e := range r.Events {
		if e.Seq > g.seq {
			batch = append(batch, Event(e))
		}
	}
	for _, e := range batch {
		g.seq = max(g.seq, e.Seq)
	}
	st.insertBatch(batch)
	st.trim(s.MaxEventsPerStream, s.MaxBytesPerStream)
	return nil
}

// changesSettings says whether a request may change more than events:
// not a read, not PutLogEvents (whose events are recorded as stored).
func changesSettings(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	op := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	for _, p := range []string{"Get", "List", "Describe", "Filter", "Test", "PutLogEvents", "StartQuery", "StopQuery", "StartLiveTail"} {
		if strings.HasPrefix(op, p) {
			return false
		}
	}
	return true
}

// journaledWriter records the request's changes before its answer goes.
type journaledWriter struct {
	http.ResponseWriter
	s       *Service
	ctx     context.Context
	written bool
}

func (w *journaledWriter) flush() {
	if !w.written {
		w.written = true
		w.s.journalChanges(w.ctx)
	}
}

func (w *journaledWriter) WriteHeader(code int) { w.flush(); w.ResponseWriter.WriteHeader(code) }

func (w *journaledWriter) Write(b []byte) (int, error) { w.flush(); return w.ResponseWriter.Write(b) }

func (w *journaledWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

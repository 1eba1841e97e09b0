package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Lambda is cloud.Journaled: each code zip is a file of the journal's
// BlobDir, named by its SHA-256 and written once; a record holds one
// entity (a function with its versions, aliases, policies, URLs and
// settings; a layer with its versions; an event source mapping; a code
// signing config; a capacity provider) as it is after a request changed
// it, naming the zip files it uses, never their bytes. A request that
// changes something records only what it changed: the entities are
// compared with what was last recorded before the answer leaves.

// Record is one journal record (version 1, like State).
type Record struct {
	// Key names the entity: "function/REGION/NAME", "layer/REGION/NAME",
	// "mapping/UUID", "csc/ARN" or "capacity/REGION/NAME".
	Key string `json:"key,omitempty"`
	// Value is its state (a FunctionState, LayerState, MappingState,
	// CodeSigningState or CapacityProviderState); absent: deleted.
	Value json.RawMessage `json:"value,omitempty"`
	// Codes are the zip files Value uses.
	Codes []CodeFile `json:"codes,omitempty"`
	// Reset empties the service.
	Reset bool `json:"reset,omitempty"`
}

// CodeFile is a zip kept as a file of the journal's BlobDir.
type CodeFile struct {
	File     string `json:"file"`
	SHA256   string `json:"sha256"`
	Unzipped int64  `json:"unzipped"`
}

// Checkpoint is Lambda's checkpoint: every entity as a record would
// hold it.
type Checkpoint struct {
	Entities []Record `json:"entities"`
}

// lambdaJournal is the service's journal and what it last recorded.
type lambdaJournal struct {
	mu sync.Mutex
	j  cloud.Journal
	// last is each entity's value as last recorded (or restored).
	last map[string][]byte
	// written are the zips whose files are in BlobDir, synced;
	// lastUse is the checkpoint generation that last named each file.
	written map[string]bool
	lastUse map[string]int
	gen     int
	// pending is a replay in progress (LoadCheckpoint, ApplyRecord),
	// loaded into the store at once when the service is next used.
	pending map[string]Record
}

func codeFileName(sum string) string { return sum + ".zip" }

// SetJournal makes Lambda record its changes in j (nil: record nothing).
func (s *Service) SetJournal(j cloud.Journal) {
	lj := &s.journal
	lj.mu.Lock()
	defer lj.mu.Unlock()
	lj.j = j
	if lj.written == nil {
		lj.written, lj.lastUse = map[string]bool{}, map[string]int{}
	}
	if j == nil {
		return
	}
	if names, err := os.ReadDir(j.BlobDir()); err == nil {
		for _, n := range names {
			if sum, ok := strings.CutSuffix(n.Name(), ".zip"); ok {
				if _, seen := lj.lastUse[sum]; !seen {
					lj.lastUse[sum] = lj.gen
				}
			}
		}
	}
	if err := s.finishReplayLocked(); err != nil {
		s.env.Log.Error("lambda: restoring the journal failed", "err", err)
	}
	lj.last = map[string][]byte{}
	for k, r := range s.entitiesLocked() {
		lj.last[k] = r.Value
	}
}

// entitiesLocked is the store as records, by key.
func (s *Service) entitiesLocked() map[string]Record {
	st := s.store.saveState()
	st.EventSourceMappings = s.esm.saveState()
	unzipped := map[string]int64{}
	for _, c := range st.Codes {
		unzipped[c.SHA256] = c.Unzipped
	}
	codes := func(sums ...string) []CodeFile {
		sort.Strings(sums)
		var out []CodeFile
		for i, sum := range sums {
			if sum == "" || (i > 0 && sums[i-1] == sum) {
				continue
			}
			out = append(out, CodeFile{File: codeFileName(sum), SHA256: sum, Unzipped: unzipped[sum]})
		}
		return out
	}
	out := map[string]Record{}
	add := func(key string, v any, c []CodeFile) {
		b, _ := json.Marshal(v)
		out[key] = Record{Key: key, Value: b, Codes: c}
	}
	for _, f := range st.Functions {
		var sums []string
		for _, v := range append([]VersionState{f.Latest}, f.Versions...) {
			sums = append(sums, v.Code)
			for _, l := range v.Layers {
				sums = append(sums, l.Code)
			}
		}
		add("function/"+f.Region+"/"+f.Name, f, codes(sums...))
	}
	for _, l := range st.Layers {
		var sums []string
		for _, v := range l.Versions {
			sums = append(sums, v.Code)
		}
		add("layer/"+l.Region+"/"+l.Name, l, codes(sums...))
	}
	for _, m := range st.EventSourceMappings {
		add("mapping/"+m.UUID, m, nil)
	}
	for _, c := range st.CodeSigningConfigs {
		add("csc/"+c.ARN, c, nil)
	}
	for _, c := range st.CapacityProviders {
		add("capacity/"+c.Region+"/"+c.Name, c, nil)
	}
	return out
}

// journalChanges records every entity that differs from what was last
// recorded: called before a changing request's answer is written.
func (s *Service) journalChanges(ctx context.Context) {
	lj := &s.journal
	lj.mu.Lock()
	defer lj.mu.Unlock()
	if lj.j == nil {
		return
	}
	if err := s.finishReplayLocked(); err != nil {
		s.env.Log.Error("lambda: restoring the journal failed", "err", err)
	}
	now := s.entitiesLocked()
	keys := make([]string, 0, len(now))
	for k := range now {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r := now[k]
		if bytes.Equal(lj.last[k], r.Value) {
			continue
		}
		if err := s.writeCodesLocked(r.Codes); err != nil {
			s.env.Log.Error("lambda: a code zip could not be persisted: the change is not recorded", "key", k, "err", err)
			continue
		}
		lj.j.Record(ctx, r)
		lj.last[k] = r.Value
	}
	for k := range lj.last {
		if _, ok := now[k]; !ok {
			lj.j.Record(ctx, Record{Key: k})
			delete(lj.last, k)
		}
	}
}

// writeCodesLocked makes sure each zip is a synced file of BlobDir.
func (s *Service) writeCodesLocked(codes []CodeFile) error {
	lj := &s.journal
	for _, c := range codes {
		lj.lastUse[c.SHA256] = lj.gen
		if lj.written[c.SHA256] {
			continue
		}
		if err := s.writeCode(c.SHA256); err != nil {
			return err
		}
		lj.written[c.SHA256] = true
	}
	return nil
}

func (s *Service) writeCode(sum string) error {
	r, err := s.exec.OpenCode(sum)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.OpenFile(filepath.Join(s.journal.j.BlobDir(), codeFileName(sum)), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err = io.Copy(f, r); err == nil {
		err = s.journal.j.SyncBlob(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Checkpoint is every entity, naming the zip files. It deletes the zip
// files no record or checkpoint named since before the previous
// checkpoint began: no replay reads them again.
func (s *Service) Checkpoint() (any, error) {
	lj := &s.journal
	lj.mu.Lock()
	defer lj.mu.Unlock()
	if err := s.finishReplayLocked(); err != nil {
		return nil, err
	}
	lj.gen++
	now := s.entitiesLocked()
	cp := Checkpoint{Entities: make([]Record, 0, len(now))}
	for _, r := range now {
		if lj.j != nil {
			if err := s.writeCodesLocked(r.Codes); err != nil {
				return nil, err
			}
		}
		cp.Entities = append(cp.Entities, r)
	}
	sort.Slice(cp.Entities, func(i, j int) bool { return cp.Entities[i].Key < cp.Entities[j].Key })
	if lj.j != nil {
		for sum, g := range lj.lastUse {
			if g <= lj.gen-2 {
				os.Remove(filepath.Join(lj.j.BlobDir(), codeFileName(sum)))
				delete(lj.lastUse, sum)
				delete(lj.written, sum)
			}
		}
	}
	return cp, nil
}

// LoadCheckpoint starts a replay from a Checkpoint.
func (s *Service) LoadCheckpoint(version int, raw json.RawMessage) error {
	if wholeState(raw) {
		return s.loadWhole(version, raw)
	}
	cp, err := cloud.DecodeState[Checkpoint](version, stateVersion, raw)
	if err != nil {
		return err
	}
	lj := &s.journal
	lj.mu.Lock()
	defer lj.mu.Unlock()
	lj.pending = map[string]Record{}
	for _, r := range cp.Entities {
		if r.Key == "" || len(r.Value) == 0 {
			return fmt.Errorf("a checkpoint entity without a key or a value")
		}
		lj.pending[r.Key] = r
	}
	return nil
}

// ApplyRecord replays a Record on top of the replay in progress (or of
// the store as it is).
func (s *Service) ApplyRecord(version int, raw json.RawMessage) error {
	if wholeState(raw) {
		return s.loadWhole(version, raw)
	}
	r, err := cloud.DecodeState[Record](version, stateVersion, raw)
	if err != nil {
		return err
	}
	lj := &s.journal
	lj.mu.Lock()
	defer lj.mu.Unlock()
	if lj.pending == nil {
		lj.pending = s.entitiesLocked()
	}
	switch {
	case r.Reset:
		clear(lj.pending)
	case r.Key == "":
		return fmt.Errorf("a record without a key")
	case len(r.Value) == 0:
		delete(lj.pending, r.Key)
	default:
		lj.pending[r.Key] = r
	}
	return nil
}

// wholeState says whether raw is a whole State (zips in base64), as a
// data directory written before Lambda logged its changes holds.
func wholeState(raw json.RawMessage) bool {
	var probe struct {
		Functions json.RawMessage `json:"functions"`
	}
	return json.Unmarshal(raw, &probe) == nil && probe.Functions != nil
}

// loadWhole replaces the service's state with a whole State.
func (s *Service) loadWhole(version int, raw json.RawMessage) error {
	lj := &s.journal
	lj.mu.Lock()
	defer lj.mu.Unlock()
	lj.pending = nil
	s.reset()
	return s.LoadState(version, raw)
}

// finishReplayLocked loads the replay in progress into the emptied
// store, reading the zips from BlobDir.
func (s *Service) finishReplayLocked() error {
	lj := &s.journal
	if lj.pending == nil {
		return nil
	}
	pending := lj.pending
	lj.pending = nil
	var st State
	codes := map[string]CodeFile{}
	for _, r := range pending {
		var err error
		kind, _, _ := strings.Cut(r.Key, "/")
		switch kind {
		case "function":
			var v FunctionState
			err = json.Unmarshal(r.Value, &v)
			st.Functions = append(st.Functions, v)
		case "layer":
			var v LayerState
			err = json.Unmarshal(r.Value, &v)
			st.Layers = append(st.Layers, v)
		case "mapping":
			var v MappingState
			err = json.Unmarshal(r.Value, &v)
			st.EventSourceMappings = append(st.EventSourceMappings, v)
		case "csc":
			var v CodeSigningState
			err = json.Unmarshal(r.Value, &v)
			st.CodeSigningConfigs = append(st.CodeSigningConfigs, v)
		case "capacity":
			var v CapacityProviderState
			err = json.Unmarshal(r.Value, &v)
			st.CapacityProviders = append(st.CapacityProviders, v)
		default:
			err = fmt.Errorf("unknown kind")
		}
		if err != nil {
			return fmt.Errorf("entity %s: %w", r.Key, err)
		}
		for _, c := range r.Codes {
			codes[c.SHA256] = c
		}
	}
	s.reset()
	if len(codes) > 0 && lj.j == nil {
		return fmt.Errorf("the journal's code files cannot be read without the journal")
	}
	for sum, c := range codes {
		if c.File != codeFileName(sum) {
			return fmt.Errorf("code %s: file %q is not its name", sum, c.File)
		}
		data, err := os.ReadFile(filepath.Join(lj.j.BlobDir(), c.File))
		if err != nil {
			return fmt.Errorf("code file %s: %w", c.File, err)
		}
		st.Codes = append(st.Codes, CodeState{SHA256: sum, Unzipped: c.Unzipped, Zip: ZipData{data: data}})
		lj.written[sum] = true
		lj.lastUse[sum] = lj.gen
	}
	if err := s.loadState(st); err != nil {
		s.reset()
		return err
	}
	return nil
}

// recordReset records a Reset of the service.
func (s *Service) recordReset() {
	lj := &s.journal
	lj.mu.Lock()
	defer lj.mu.Unlock()
	lj.pending = nil
	if lj.j != nil && len(lj.last) > 0 {
		lj.j.Record(context.Background(), Record{Reset: true})
	}
	clear(lj.last)
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

package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/snapshot"
)

// ErrNotEmpty refuses to load a snapshot into an emulator that holds
// resources (unless asked to replace them).
var ErrNotEmpty = errors.New("this emulator holds resources: a snapshot loads only into an empty one; reset it first (POST /_groundstack/reset) or load with ?replace=true (groundstack snapshot load --replace), which resets it")

// SaveSnapshot writes the state of every account's services that can save
// theirs (cloud.StateSaver) as a snapshot (docs/snapshots.md); the file's
// header lists the services it does not hold. Each service is read under
// its own locks, one after the other: take it while nothing writes.
func (e *Emulator) SaveSnapshot(w io.Writer, gzip bool) error {
	e.snapshots.Lock()
	defer e.snapshots.Unlock()
	f := snapshot.File{CreatedAt: e.env.Now().UTC(), EmulatorVersion: Version, Saved: []string{}, NotSaved: []string{}}
	for _, s := range e.services {
		if _, ok := s.(cloud.StateSaver); ok {
			f.Saved = append(f.Saved, s.Name())
		} else {
			f.NotSaved = append(f.NotSaved, s.Name())
		}
	}
	sort.Strings(f.Saved)
	sort.Strings(f.NotSaved)
	for _, c := range e.accounts.all() {
		a := snapshot.Account{ID: c.account, Services: map[string]snapshot.Section{}}
		for _, s := range c.services {
			ss, ok := s.(cloud.StateSaver)
			if !ok {
				continue
			}
			v, err := ss.SaveState()
			if err != nil {
				return fmt.Errorf("snapshot: account %s: %s: %w", c.account, s.Name(), err)
			}
			raw, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("snapshot: account %s: %s: %w", c.account, s.Name(), err)
			}
			a.Services[s.Name()] = snapshot.Section{Version: ss.StateVersion(), State: raw}
		}
		f.Accounts = append(f.Accounts, a)
	}
	return snapshot.Write(w, &f, gzip)
}

// LoadResult is what loading a snapshot did.
type LoadResult struct {
	Accounts []string `json:"accounts"`
	Loaded   []string `json:"loaded"`
	// NotSaved are the services the snapshot says it does not hold: their
	// resources, if the saving emulator had any, are not restored.
	NotSaved []string `json:"notSaved"`
	Message  string   `json:"message"`
}

// LoadSnapshot loads a snapshot into this emulator, which must hold no
// resources unless replace is set (then it is reset first). A snapshot it
// cannot read (corrupt, of a newer format, naming a service this emulator
// cannot load) changes nothing; one that fails while loading leaves the
// emulator reset.
func (e *Emulator) LoadSnapshot(r io.Reader, replace bool) (LoadResult, error) {
	f, err := snapshot.Read(r)
	if err != nil {
		return LoadResult{}, err
	}
	if err := e.checkSnapshot(f); err != nil {
		return LoadResult{}, err
	}
	e.snapshots.Lock()
	defer e.snapshots.Unlock()
	if replace {
		e.Reset()
	} else if !e.empty() {
		return LoadResult{}, ErrNotEmpty
	}
	res := LoadResult{Accounts: []string{}, Loaded: []string{}, NotSaved: append([]string{}, f.NotSaved...)}
	loaded := map[string]bool{}
	for _, a := range f.Accounts {
		c, err := e.accounts.cell(a.ID)
		if err != nil {
			e.Reset()
			return LoadResult{}, err
		}
		res.Accounts = append(res.Accounts, a.ID)
		for _, s := range c.services {
			sec, ok := a.Services[s.Name()]
			if !ok {
				continue
			}
			if err := s.(cloud.StateSaver).LoadState(sec.Version, sec.State); err != nil {
				e.Reset()
				return LoadResult{}, fmt.Errorf("snapshot: account %s: %s: %w (the emulator was reset)", a.ID, s.Name(), err)
			}
			loaded[s.Name()] = true
		}
	}
	for n := range loaded {
		res.Loaded = append(res.Loaded, n)
	}
	sort.Strings(res.Loaded)
	res.Message = fmt.Sprintf("loaded %s into %d account(s)", orNone(res.Loaded), len(res.Accounts))
	if e.persist != nil {
		// Loading records nothing: checkpoints make it durable.
		if err := checkpointCells(e.accounts.all(), nil); err != nil {
			return res, fmt.Errorf("snapshot: loaded, but not saved to the data directory: %w", err)
		}
	}
	if len(res.NotSaved) > 0 {
		res.Message += "; not in the snapshot, so not restored: " + strings.Join(res.NotSaved, ", ")
	}
	return res, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "no service"
	}
	return strings.Join(names, ", ")
}

// checkSnapshot refuses, before anything changes, a snapshot naming a
// service this emulator cannot load or one in a newer format.
func (e *Emulator) checkSnapshot(f *snapshot.File) error {
	savers := map[string]cloud.StateSaver{}
	for _, s := range e.services {
		if ss, ok := s.(cloud.StateSaver); ok {
			savers[s.Name()] = ss
		}
	}
	if n := len(f.Accounts); n > e.accounts.max {
		return fmt.Errorf("snapshot: it holds %d accounts, and this emulator serves at most %d (GROUNDSTACK_MAX_ACCOUNTS)", n, e.accounts.max)
	}
	for _, a := range f.Accounts {
		for name, sec := range a.Services {
			ss, ok := savers[name]
			if !ok {
				return fmt.Errorf("snapshot: account %s holds %s state, which this groundstack cannot load", a.ID, name)
			}
			if sec.Version > ss.StateVersion() {
				return &snapshot.NewerError{What: name + " state", Have: sec.Version, Read: ss.StateVersion()}
			}
		}
	}
	return nil
}

// empty reports whether no account holds resources, as the services'
// summaries (GET /_groundstack/state) count them.
func (e *Emulator) empty() bool {
	for _, c := range e.accounts.all() {
		for _, s := range c.services {
			if sm, ok := s.(cloud.Summarizer); ok && !zeroSummary(reflect.ValueOf(sm.Summary())) {
				return false
			}
		}
	}
	return true
}

// zeroSummary reports whether a summary counts nothing: every number zero,
// every list and map empty or holding only such values (strings and
// booleans describe, they do not count: CloudWatch's clock).
func zeroSummary(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Interface, reflect.Pointer:
		return v.IsNil() || zeroSummary(v.Elem())
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if !zeroSummary(it.Value()) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if !zeroSummary(v.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range v.NumField() {
			if !zeroSummary(v.Field(i)) {
				return false
			}
		}
		return true
	case reflect.String, reflect.Bool:
		return true
	default:
		return v.IsZero()
	}
}

// snapshotHandler serves /_groundstack/snapshot (POST: the snapshot) and
// /_groundstack/snapshot/load (POST, body: a snapshot; ?replace=true
// resets a non-empty emulator first).
type snapshotHandler struct{ e *Emulator }

func (h snapshotHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeSnapshotError(w, http.StatusMethodNotAllowed, errors.New(path+" takes POST"))
		return
	}
	q := r.URL.Query()
	switch path {
	case control.PathSnapshot:
		var buf strings.Builder
		if err := h.e.SaveSnapshot(&buf, q.Get("gzip") == "true"); err != nil {
			writeSnapshotError(w, http.StatusInternalServerError, err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="groundstack.snapshot"`)
		_, _ = io.WriteString(w, buf.String())
	case control.PathSnapshotLoad:
		replace := q.Get("replace")
		if replace != "" && replace != "true" && replace != "false" {
			writeSnapshotError(w, http.StatusBadRequest, errors.New("replace must be true or false"))
			return
		}
		res, err := h.e.LoadSnapshot(http.MaxBytesReader(w, r.Body, snapshot.MaxSize+1<<10), replace == "true")
		var newer *snapshot.NewerError
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, ErrNotEmpty):
			writeSnapshotError(w, http.StatusConflict, err)
		case errors.As(err, &tooBig):
			writeSnapshotError(w, http.StatusRequestEntityTooLarge, err)
		case errors.As(err, &newer), err != nil:
			writeSnapshotError(w, http.StatusBadRequest, err)
		default:
			b, _ := json.Marshal(res)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(append(b, '\n'))
		}
	}
}

func writeSnapshotError(w http.ResponseWriter, status int, err error) {
	b, _ := json.Marshal(map[string]string{"error": err.Error()})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// WithDataDir persists every service's state in dir across restarts
// (groundstack up --data-dir): a write-ahead log per account and service,
// made durable under the fsync policy before a change is acknowledged,
// and restored when the emulator is built (docs/persistence.md). An
// emulator whose directory cannot be opened or restored fails Start.
func WithDataDir(dir string, fsync persist.Fsync) Option {
	return func(c *config) { c.dataDir, c.fsync = dir, fsync }
}

// persistence is an emulator's data directory and the logs open in it.
type persistence struct {
	dir  *persist.Dir
	opts persist.Options

	mu        sync.Mutex
	err       error // opening or restoring failed: Start refuses
	report    PersistenceReport
	notLogged map[string]bool
}

// PersistenceReport is what GET /_groundstack/state says of persistence.
type PersistenceReport struct {
	DataDir  string `json:"dataDir"`
	Fsync    string `json:"fsync"`
	Restored struct {
		Accounts    int     `json:"accounts"`
		Services    int     `json:"services"`
		Checkpoints int     `json:"checkpoints"`
		Records     int     `json:"records"`
		Seconds     float64 `json:"seconds"`
	} `json:"restored"`
	// TornTails are the log tails cut on open (a write torn by a crash).
	TornTails    []TornTail `json:"tornTails"`
	NotPersisted []string   `json:"notPersisted"`
	Failed       []string   `json:"failed,omitempty"`
}

// TornTail is a torn end of a log that was cut off when it was opened.
type TornTail struct {
	File  string `json:"file"`
	At    int64  `json:"at"`
	Bytes int64  `json:"bytes"`
}

// openPersistence opens the data directory, before any cell is built.
func (e *Emulator) openPersistence() {
	opts := persist.Options{Fsync: e.cfg.fsync, Log: e.cfg.log}
	p := &persistence{opts: opts, notLogged: map[string]bool{}}
	p.report.DataDir, p.report.Fsync = e.cfg.dataDir, e.cfg.fsync.String()
	p.report.TornTails, p.report.NotPersisted = []TornTail{}, []string{}
	e.persist = p
	d, err := persist.OpenDir(e.cfg.dataDir, opts)
	if err != nil {
		p.err = err
		return
	}
	p.dir = d
}

// persistCell opens the logs of a cell's services, restoring what they
// hold, and gives each service its journal; services that save nothing
// are listed as not persisted.
func (e *Emulator) persistCell(c *cell) {
	p := e.persist
	if p == nil || p.dir == nil {
		return
	}
	ed := c.edge
	ed.durable = true
	ed.whole = map[cloud.Service]*persist.Log{}
	for _, s := range c.services {
		if err := p.openService(c, s); err != nil {
			p.fail(fmt.Errorf("persistence: account %s: %s: %w", c.account, s.Name(), err))
		}
	}
}

func (p *persistence) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
	p.report.Failed = append(p.report.Failed, err.Error())
}

func (p *persistence) openService(c *cell, s cloud.Service) error {
	ss, ok := s.(cloud.StateSaver)
	if !ok {
		p.mu.Lock()
		if !p.notLogged[s.Name()] {
			p.notLogged[s.Name()] = true
			p.report.NotPersisted = append(p.report.NotPersisted, s.Name())
			sort.Strings(p.report.NotPersisted)
		}
		p.mu.Unlock()
		return nil
	}
	dir := p.dir.ServiceDir(c.account, s.Name())
	var restorer persist.Restorer
	var whole *wholeRestorer
	jr, journaled := s.(cloud.Journaled)
	if journaled {
		restorer = jr
	} else {
		whole = &wholeRestorer{svc: s, ss: ss}
		restorer = whole
	}
	blobs := filepath.Join(dir, "blobs")
	if journaled {
		// Records and checkpoints name files of the blob directory:
		// the service knows it before replay.
		if err := os.MkdirAll(blobs, 0o700); err != nil {
			return err
		}
		jr.SetJournal(&persist.Journal{Version: ss.StateVersion(), Blobs: blobs, Logger: c.env.Log})
	}
	start := time.Now()
	l, res, err := persist.OpenLog(filepath.Join(dir, "log"), p.opts, restorer)
	if err == nil && whole != nil {
		if err = whole.finish(); err != nil {
			l.Close()
		}
	}
	if err != nil {
		return err
	}
	p.note(res, start)
	if journaled {
		jr.SetJournal(&persist.Journal{Log: l, Version: ss.StateVersion(), Blobs: blobs, Logger: c.env.Log})
		l.SetCheckpointer(func() (int, []byte, error) {
			st, err := jr.Checkpoint()
			if err != nil {
				return 0, nil, err
			}
			if raw, ok := st.(cloud.RawRecord); ok {
				return ss.StateVersion(), raw, nil
			}
			b, err := json.Marshal(st)
			return ss.StateVersion(), b, err
		})
	} else {
		save := func() (int, []byte, error) {
			st, err := ss.SaveState()
			if err != nil {
				return 0, nil, err
			}
			b, err := json.Marshal(st)
			return ss.StateVersion(), b, err
		}
		l.SetWhole(save)
		l.SetCheckpointer(save)
		c.edge.whole[s] = l
	}
	c.logs = append(c.logs, l)
	return nil
}

func (p *persistence) note(res persist.Restored, start time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &p.report.Restored
	if res.Checkpoint || res.Records > 0 {
		r.Services++
	}
	if res.Checkpoint {
		r.Checkpoints++
	}
	r.Records += res.Records
	r.Seconds += time.Since(start).Seconds()
	if res.Truncated > 0 {
		p.report.TornTails = append(p.report.TornTails, TornTail{File: res.TruncatedFile, At: res.TruncatedAt, Bytes: res.Truncated})
		p.opts.Log.Warn("persistence: a torn log tail was cut off (a write a crash interrupted, never acknowledged)",
			"file", res.TruncatedFile, "at", res.TruncatedAt, "bytes", res.Truncated)
	}
}

// wholeRestorer restores a service persisted whole: its checkpoint and
// each of its records are its whole state, so only the last one is loaded
// (loading each would make a replay quadratic).
type wholeRestorer struct {
	svc     cloud.Service
	ss      cloud.StateSaver
	version int
	last    json.RawMessage
}

func (w *wholeRestorer) LoadCheckpoint(v int, st json.RawMessage) error {
	w.version, w.last = v, st
	return nil
}

func (w *wholeRestorer) ApplyRecord(v int, rec json.RawMessage) error {
	w.version, w.last = v, append(w.last[:0:0], rec...) // the segment's buffer is not kept
	return nil
}

// finish loads the last state replay found.
func (w *wholeRestorer) finish() error {
	if w.last == nil {
		return nil
	}
	w.svc.Reset()
	return w.ss.LoadState(w.version, w.last)
}

// restoreAccounts builds the cells of every account the data directory
// holds (the default's is built already), restoring them, and says so.
func (e *Emulator) restoreAccounts(start time.Time) {
	p := e.persist
	if p == nil || p.dir == nil || p.err != nil {
		return
	}
	accts, err := p.dir.Accounts()
	if err != nil {
		p.fail(err)
		return
	}
	n := 0
	for _, a := range accts {
		if a == e.env.Account {
			n++
			continue
		}
		if !IsAccountID(a) {
			continue
		}
		if _, err := e.accounts.cell(a); err != nil {
			p.fail(fmt.Errorf("persistence: account %s: %w", a, err))
			return
		}
		n++
	}
	p.mu.Lock()
	p.report.Restored.Accounts = n
	p.report.Restored.Seconds = time.Since(start).Seconds()
	r := p.report
	p.mu.Unlock()
	if p.err != nil {
		return
	}
	e.cfg.log.Info(fmt.Sprintf("persistence: data directory %s (fsync %s): restored %d service(s) of %d account(s) from %d checkpoint(s) and %d record(s) in %.2fs",
		r.DataDir, r.Fsync, r.Restored.Services, n, r.Restored.Checkpoints, r.Restored.Records, r.Restored.Seconds),
		"tornTails", len(r.TornTails), "notPersisted", strings.Join(r.NotPersisted, ","))
}

// Persistence reports what the data directory restored (nil without one).
func (e *Emulator) Persistence() *PersistenceReport {
	if e.persist == nil {
		return nil
	}
	e.persist.mu.Lock()
	defer e.persist.mu.Unlock()
	r := e.persist.report
	r.TornTails = append([]TornTail{}, r.TornTails...)
	r.NotPersisted = append([]string{}, r.NotPersisted...)
	return &r
}

// checkpointCells compacts the logs of cells (all of them: nil names),
// or of the services named: after a reset or a snapshot load, which
// change state without records, and on a clean shutdown.
func checkpointCells(cells []*cell, names map[string]bool) error {
	var errs []error
	for _, c := range cells {
		for _, l := range c.logs {
			if len(names) > 0 && !names[filepath.Base(filepath.Dir(l.Dir()))] {
				continue
			}
			errs = append(errs, l.Checkpoint(context.Background()))
		}
	}
	return errors.Join(errs...)
}

// closeLogs closes the logs of cells.
func closeLogs(cells []*cell) error {
	var errs []error
	for _, c := range cells {
		for _, l := range c.logs {
			errs = append(errs, l.Close())
		}
		c.logs = nil
	}
	return errors.Join(errs...)
}

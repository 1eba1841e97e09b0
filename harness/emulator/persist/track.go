package persist

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"sync"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Tracker is a request's durability debt: the groups of each log its
// records went to, which the edge waits for before it answers.
// The zero Tracker is ready; one that is part of a larger struct (the
// edge's response writer) and carried by its own context (Bind) costs a
// request no allocation of its own.
type Tracker struct {
	mu     sync.Mutex
	marks  []mark
	inline [1]mark // marks' first backing: a request mostly writes to one log
	err    error
	ctx    trackerCtx
}

type mark struct {
	l *Log
	g uint64
}

type trackerKey struct{}

// trackerCtx is a context carrying a tracker (context.WithValue's, without
// its allocation).
type trackerCtx struct {
	context.Context
	t *Tracker
}

func (c *trackerCtx) Value(key any) any {
	if key == (trackerKey{}) {
		return c.t
	}
	return c.Context.Value(key)
}

// WithTracker returns ctx carrying a new tracker.
func WithTracker(ctx context.Context) (context.Context, *Tracker) {
	t := &Tracker{}
	return t.Bind(ctx), t
}

// Bind returns ctx carrying t, a zero Tracker; once per tracker.
func (t *Tracker) Bind(ctx context.Context) context.Context {
	t.ctx = trackerCtx{Context: ctx, t: t}
	return &t.ctx
}

// TrackerOf is ctx's tracker, or nil.
func TrackerOf(ctx context.Context) *Tracker {
	t, _ := ctx.Value(trackerKey{}).(*Tracker)
	return t
}

// Note adds group g of l to what the request waits for.
func (t *Tracker) Note(l *Log, g uint64) {
	t.mu.Lock()
	for i := range t.marks {
		if t.marks[i].l == l {
			t.marks[i].g = max(t.marks[i].g, g)
			t.mu.Unlock()
			return
		}
	}
	if t.marks == nil {
		t.marks = t.inline[:0]
	}
	t.marks = append(t.marks, mark{l, g})
	t.mu.Unlock()
}

// Fail makes the request's answer an error: a record of it could not be
// logged.
func (t *Tracker) Fail(err error) {
	t.mu.Lock()
	if t.err == nil {
		t.err = err
	}
	t.mu.Unlock()
}

// Pending reports whether the request logged anything or failed to.
func (t *Tracker) Pending() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.marks) > 0 || t.err != nil
}

// Wait returns once every record the request made is durable, or the
// first failure.
func (t *Tracker) Wait(ctx context.Context) error {
	var local [len(Tracker{}.inline)]mark
	t.mu.Lock()
	// Copied: a Note after this reuses inline.
	marks, err := append(local[:0], t.marks...), t.err
	t.marks = nil
	t.mu.Unlock()
	if err != nil {
		return err
	}
	for _, m := range marks {
		if err := m.l.Wait(ctx, m.g); err != nil {
			t.Fail(err)
			return err
		}
	}
	return nil
}

// Journal is a cloud.Journal on a Log: a Journaled service's records, of
// its StateVersion. One without a Log is the journal a service has while
// its log replays: it gives the blob directory, whose files replayed
// records and checkpoints name, and records nothing (a replayed change
// is in the log already).
type Journal struct {
	Log     *Log
	Version int
	Blobs   string
	Logger  *slog.Logger
}

var _ cloud.Journal = (*Journal)(nil)

// Record logs rec and notes it in ctx's tracker; a record that cannot be
// logged fails the request (or, outside one, is logged as an error).
func (j *Journal) Record(ctx context.Context, rec any) {
	if j.Log == nil {
		return
	}
	var data []byte
	var err error
	if raw, ok := rec.(cloud.RawRecord); ok {
		data = raw
	} else {
		data, err = json.Marshal(rec)
	}
	var g uint64
	if err == nil {
		g, err = j.Log.Append(j.Version, data)
	}
	t := TrackerOf(ctx)
	switch {
	case err != nil && t != nil:
		t.Fail(err)
	case err != nil:
		if j.Logger != nil && !errors.Is(err, ErrClosed) {
			j.Logger.Error("persistence: a change could not be logged", "dir", j.Log.Dir(), "err", err)
		}
	case t != nil:
		t.Note(j.Log, g)
	}
}

// BlobDir is the service's directory of bodies.
func (j *Journal) BlobDir() string { return j.Blobs }

// SyncBlob fsyncs f unless the policy is off.
func (j *Journal) SyncBlob(f *os.File) error {
	if j.Log == nil || j.Log.opts.Fsync == FsyncOff {
		return nil
	}
	return f.Sync()
}

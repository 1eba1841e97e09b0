package persist

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Position is a place in a log: the count of bytes logged before it, over
// every segment since the log began.
type Position int64

// Restorer is what a log replays into on open: a cloud.Journaled service,
// or an adapter of a service persisted whole.
type Restorer interface {
	LoadCheckpoint(version int, state json.RawMessage) error
	ApplyRecord(version int, rec json.RawMessage) error
}

// Restored is what opening a log found.
type Restored struct {
	Checkpoint bool     // a checkpoint was loaded
	From       Position // where replay began
	Records    int      // records replayed
	// Truncated is the torn tail cut from the last segment (0: none), at
	// TruncatedAt in TruncatedFile.
	Truncated     int64
	TruncatedFile string
	TruncatedAt   int64
}

// ErrClosed is a record appended to a closed log.
var ErrClosed = errors.New("the write-ahead log is closed")

// Log is one service's write-ahead log (of one account): records are
// appended to memory at once and written and fsynced by one goroutine,
// a group at a time; a request waits for its group (Wait).
type Log struct {
	dir  string
	opts Options

	mu       sync.Mutex
	buf      []byte        // appended, not yet written
	spare    []byte        // the last group's buffer, for the next
	end      Position      // after the last appended record
	group    uint64        // the group records appended now belong to
	synced   uint64        // groups before this one are durable
	done     chan struct{} // closed when the group open now is durable
	inflight chan struct{} // closed when the group being written is
	err      error         // sticky: the log failed (disk full, I/O error)
	closed   bool
	closing  bool // Close began: no compaction starts
	rotate   bool
	whole    func() (int, []byte, error) // the state of a service persisted whole
	dirty    bool                        // whole is due
	kick     chan struct{}
	stop     chan struct{}
	stopped  chan struct{}
	lastSync time.Time

	// Written by the syncer only.
	f        *os.File
	segStart Position
	segSize  int64
	written  Position

	cpMu      sync.Mutex // one checkpoint at a time
	since     int64      // bytes logged since the last checkpoint (mu)
	compactor func() (int, []byte, error)
	compactWG sync.WaitGroup
	compactOn bool // a background compaction runs (mu)
}

func segName(p Position) string { return fmt.Sprintf("seg-%016x.wal", int64(p)) }
func cpName(p Position) string  { return fmt.Sprintf("checkpoint-%016x.json", int64(p)) }

func parseName(name, prefix, suffix string) (Position, bool) {
	s, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, suffix)
	if !ok || len(s) != 16 {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 16, 64)
	return Position(v), err == nil && v >= 0
}

// checkpointHeader is a checkpoint file's first line; the state follows.
type checkpointHeader struct {
	From    Position `json:"from"`
	Version int      `json:"version"`
	Size    int      `json:"size"`
	CRC     uint32   `json:"crc32c"`
	Written string   `json:"written"`
}

// OpenLog opens the log in dir (creating it), restores the latest
// checkpoint and replays the records after it into r, cutting a torn tail
// off the last segment, and starts the log's writer.
func OpenLog(dir string, opts Options, r Restorer) (*Log, Restored, error) {
	opts.defaults()
	var res Restored
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, res, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, res, err
	}
	var segs, cps []Position
	for _, e := range ents {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") {
			os.Remove(filepath.Join(dir, name)) // a checkpoint a crash interrupted
			continue
		}
		if p, ok := parseName(name, "seg-", ".wal"); ok {
			segs = append(segs, p)
		} else if p, ok := parseName(name, "checkpoint-", ".json"); ok {
			cps = append(cps, p)
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i] < segs[j] })
	sort.Slice(cps, func(i, j int) bool { return cps[i] > cps[j] })
	var from Position
	for i, p := range cps {
		h, state, err := readCheckpoint(filepath.Join(dir, cpName(p)), p)
		if err != nil {
			if i == len(cps)-1 || len(cps) == 1 {
				return nil, res, fmt.Errorf("%s: %w", dir, err)
			}
			opts.Log.Warn("persistence: skipping an unreadable checkpoint", "dir", dir, "err", err)
			continue
		}
		if err := r.LoadCheckpoint(h.Version, state); err != nil {
			return nil, res, fmt.Errorf("%s: checkpoint %s: %w", dir, cpName(p), err)
		}
		from, res.Checkpoint = p, true
		break
	}
	res.From = from
	end := from
	lastStart, lastEnd := Position(-1), Position(-1)
	for i, start := range segs {
		last := i == len(segs)-1
		if !last && segs[i+1] <= from {
			continue // wholly before the checkpoint
		}
		path := filepath.Join(dir, segName(start))
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, res, err
		}
		off := 0
		for off < len(b) {
			v, data, n, err := readFrame(b[off:], opts.MaxRecord)
			if err != nil {
				if !last {
					return nil, res, fmt.Errorf("%s: segment %s is corrupt at byte %d and later segments follow it: the log cannot be replayed past it (move the directory aside to start empty)", dir, segName(start), off)
				}
				res.Truncated, res.TruncatedFile, res.TruncatedAt = int64(len(b)-off), path, int64(off)
				if err := os.Truncate(path, int64(off)); err != nil {
					return nil, res, err
				}
				break
			}
			if at := start + Position(off); at >= from {
				if err := r.ApplyRecord(v, data); err != nil {
					return nil, res, fmt.Errorf("%s: record at %d: %w", dir, at, err)
				}
				res.Records++
			}
			off += n
		}
		if start+Position(off) > end {
			end = start + Position(off)
		}
		lastStart, lastEnd = start, start+Position(off)
	}
	l := &Log{dir: dir, opts: opts, end: end, written: end, done: make(chan struct{}), kick: make(chan struct{}, 1),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	if lastEnd == end {
		f, err := os.OpenFile(filepath.Join(dir, segName(lastStart)), os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, res, err
		}
		l.f, l.segStart, l.segSize = f, lastStart, int64(end-lastStart)
	} else if err := l.openSegment(end); err != nil {
		return nil, res, err
	}
	if res.Truncated > 0 {
		if err := l.f.Sync(); err != nil {
			return nil, res, err
		}
	}
	l.removeBefore(from)
	go l.run()
	return l, res, nil
}

func readCheckpoint(path string, p Position) (checkpointHeader, json.RawMessage, error) {
	var h checkpointHeader
	b, err := os.ReadFile(path)
	if err != nil {
		return h, nil, err
	}
	line, state, ok := bytes.Cut(b, []byte{'\n'})
	if !ok || json.Unmarshal(line, &h) != nil || h.From != p || h.Size != len(state) || crc32.Checksum(state, castagnoli) != h.CRC {
		return h, nil, fmt.Errorf("checkpoint %s is damaged", filepath.Base(path))
	}
	return h, state, nil
}

// openSegment starts a new segment file at p (syncer, or before it runs).
func (l *Log) openSegment(p Position) error {
	if l.f != nil {
		if err := l.f.Close(); err != nil {
			return err
		}
		l.f = nil
	}
	f, err := os.OpenFile(filepath.Join(l.dir, segName(p)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if err := syncDir(l.dir); err != nil {
		f.Close()
		return err
	}
	l.f, l.segStart, l.segSize = f, p, 0
	return nil
}

// removeBefore deletes segments wholly before p and checkpoints older than
// the one at p.
func (l *Log) removeBefore(p Position) {
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return
	}
	var segs []Position
	for _, e := range ents {
		if s, ok := parseName(e.Name(), "seg-", ".wal"); ok {
			segs = append(segs, s)
		} else if c, ok := parseName(e.Name(), "checkpoint-", ".json"); ok && c < p {
			os.Remove(filepath.Join(l.dir, e.Name()))
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i] < segs[j] })
	for i := 0; i+1 < len(segs); i++ {
		if segs[i+1] <= p {
			os.Remove(filepath.Join(l.dir, segName(segs[i])))
		}
	}
}

// Append logs one record (the service's state version, its JSON) and
// returns the group to wait for.
func (l *Log) Append(version int, data []byte) (uint64, error) {
	if len(data) > l.opts.MaxRecord {
		return 0, fmt.Errorf("a record of %d bytes: the write-ahead log takes records of at most %d", len(data), l.opts.MaxRecord)
	}
	l.mu.Lock()
	if err := l.failed(); err != nil {
		l.mu.Unlock()
		return 0, err
	}
	before := len(l.buf)
	l.buf = appendFrame(l.buf, version, data)
	n := len(l.buf) - before
	l.end += Position(n)
	l.since += int64(n)
	g := l.group
	l.mu.Unlock()
	l.wake()
	return g, nil
}

func (l *Log) failed() error {
	if l.closed {
		return ErrClosed
	}
	return l.err
}

func (l *Log) wake() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// SetWhole makes the log persist a service whole: MarkDirty asks that the
// next group holds save's state as one record.
func (l *Log) SetWhole(save func() (int, []byte, error)) {
	l.mu.Lock()
	l.whole = save
	l.mu.Unlock()
}

// MarkDirty says the service persisted whole has changed; the returned
// group holds its state as it is after the change.
func (l *Log) MarkDirty() (uint64, error) {
	l.mu.Lock()
	if err := l.failed(); err != nil {
		l.mu.Unlock()
		return 0, err
	}
	l.dirty = true
	g := l.group
	l.mu.Unlock()
	l.wake()
	return g, nil
}

// Wait returns once group g is durable under the fsync policy (at once
// under FsyncOff), or the log failed, or ctx ended.
func (l *Log) Wait(ctx context.Context, g uint64) error {
	if l.opts.Fsync == FsyncOff {
		return nil
	}
	l.mu.Lock()
	for l.synced <= g {
		if err := l.failed(); err != nil {
			l.mu.Unlock()
			return err
		}
		ch := l.groupDone(g)
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		l.mu.Lock()
	}
	err := l.err
	l.mu.Unlock()
	return err
}

// groupDone is the channel closed once group g is durable (mu held; g
// not durable yet).
func (l *Log) groupDone(g uint64) chan struct{} {
	if g < l.group {
		return l.inflight
	}
	return l.done
}

// Sync makes everything appended so far durable (even under FsyncOff).
func (l *Log) Sync(ctx context.Context) error {
	l.mu.Lock()
	g := l.group
	err := l.failed()
	l.mu.Unlock()
	if err != nil {
		return err
	}
	l.wake()
	l.mu.Lock()
	for l.synced <= g && l.err == nil && !l.closed {
		ch := l.groupDone(g)
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		l.mu.Lock()
	}
	err = l.err
	if err == nil && l.synced <= g {
		err = ErrClosed
	}
	l.mu.Unlock()
	return err
}

// run is the writer: one group at a time, it writes what was appended and
// fsyncs it (FsyncBatch: at most once per window).
func (l *Log) run() {
	defer close(l.stopped)
	for {
		stopping := false
		select {
		case <-l.kick:
		case <-l.stop:
			stopping = true
		}
		if !stopping && l.opts.Fsync != FsyncAlways {
			if wait := l.opts.Window - time.Since(l.lastSync); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-l.stop:
					stopping = true
				}
				t.Stop()
			}
		}
		l.commit(stopping)
		if stopping {
			return
		}
	}
}

// commit writes and fsyncs one group.
func (l *Log) commit(final bool) {
	l.mu.Lock()
	if l.dirty && l.whole != nil && l.err == nil {
		// Under mu: a MarkDirty after this belongs to the next group, so
		// the state saved here holds every change marked in this one.
		l.dirty = false
		if v, data, err := l.whole(); err != nil {
			l.err = fmt.Errorf("saving the state to log: %w", err)
		} else if len(data) > l.opts.MaxRecord {
			l.err = fmt.Errorf("the state is %d bytes, over the write-ahead log's %d per record", len(data), l.opts.MaxRecord)
		} else {
			before := len(l.buf)
			l.buf = appendFrame(l.buf, v, data)
			l.end += Position(len(l.buf) - before)
			l.since += int64(len(l.buf) - before)
		}
	}
	g := l.group
	l.group++
	buf := l.buf
	l.buf, l.spare = l.spare[:0], nil
	done := l.done
	l.inflight = done
	l.done = make(chan struct{})
	rotate := l.rotate
	l.rotate = false
	failed := l.err
	compact := l.compactor != nil && !l.compactOn && l.since >= l.opts.CompactBytes && !final && !l.closing
	if compact {
		l.compactOn = true
	}
	l.mu.Unlock()
	l.lastSync = time.Now()
	var err error
	if failed == nil {
		if (rotate || l.segSize >= l.opts.SegmentBytes) && l.segSize > 0 {
			err = l.openSegment(l.written)
		}
		if err == nil && len(buf) > 0 {
			_, err = l.f.Write(buf)
			if err == nil {
				l.written += Position(len(buf))
				l.segSize += int64(len(buf))
				if l.opts.Fsync != FsyncOff || final {
					err = l.f.Sync()
				}
			}
		}
	}
	l.mu.Lock()
	if err != nil && l.err == nil {
		l.err = fmt.Errorf("the write-ahead log in %s failed: %w", l.dir, err)
		l.opts.Log.Error("persistence: the write-ahead log failed; writes are refused until groundstack restarts", "dir", l.dir, "err", err)
	}
	l.synced = g + 1
	close(done)
	if cap(buf) <= 64<<20 {
		l.spare = buf // reused: the buffer need not grow again each group
	}
	l.mu.Unlock()
	if compact {
		l.compactWG.Add(1)
		go func() {
			defer l.compactWG.Done()
			if err := l.Checkpoint(context.Background()); err != nil {
				l.opts.Log.Error("persistence: compaction failed (the log keeps growing; the previous checkpoint stays)", "dir", l.dir, "err", err)
			}
			l.mu.Lock()
			l.compactOn = false
			l.mu.Unlock()
		}()
	}
}

// SetCheckpointer gives the log what a compaction saves: the service's
// state version and its checkpoint's JSON. Without one the log never
// compacts.
func (l *Log) SetCheckpointer(take func() (int, []byte, error)) {
	l.mu.Lock()
	l.compactor = take
	l.mu.Unlock()
}

// Checkpoint compacts the log: it notes where the log ends, takes the
// service's state (while it serves: changes after the mark are replayed
// on top), waits until every record appended so far is durable, writes
// the checkpoint atomically and deletes what it replaces. A checkpoint
// failing halfway leaves the previous one and the whole log in place.
func (l *Log) Checkpoint(ctx context.Context) error {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	l.mu.Lock()
	take := l.compactor
	from := l.end
	since := l.since
	err := l.failed()
	l.mu.Unlock()
	if err != nil {
		return err
	}
	if take == nil {
		return nil
	}
	v, state, err := take()
	if err != nil {
		return err
	}
	// Every change the state holds was recorded before it was read: once
	// those records are durable, no state a crash would undo is in it.
	if err := l.Sync(ctx); err != nil {
		return err
	}
	h := checkpointHeader{From: from, Version: v, Size: len(state), CRC: crc32.Checksum(state, castagnoli), Written: time.Now().UTC().Format(time.RFC3339)}
	line, _ := json.Marshal(h)
	data := make([]byte, 0, len(line)+1+len(state))
	data = append(append(append(data, line...), '\n'), state...)
	if err := writeAtomic(filepath.Join(l.dir, cpName(from)), data); err != nil {
		return err
	}
	l.mu.Lock()
	l.since -= since
	l.rotate = true
	l.mu.Unlock()
	l.wake()
	_ = l.Sync(ctx) // the rotation, so the old segments can go
	l.removeBefore(from)
	return nil
}

// Err is the log's failure, if it failed.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Dir is the log's directory.
func (l *Log) Dir() string { return l.dir }

// Close writes and fsyncs what was appended and stops the writer; records
// appended later are refused.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed || l.closing {
		l.mu.Unlock()
		return nil
	}
	l.closing = true
	l.mu.Unlock()
	l.compactWG.Wait()
	close(l.stop)
	<-l.stopped
	l.mu.Lock()
	l.closed = true
	err := l.err
	close(l.done) // wakes whoever waits for a group that will never be written
	l.mu.Unlock()
	if l.f != nil {
		if cerr := l.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

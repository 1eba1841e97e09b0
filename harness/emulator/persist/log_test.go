package persist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

// kv is a service of keys and values: records set one key (absolute
// values, as the contract wants), a checkpoint is the whole map.
type kv struct {
	mu sync.Mutex
	m  map[string]int
}

type kvRecord struct {
	K string `json:"k"`
	V int    `json:"v"`
}

func newKV() *kv { return &kv{m: map[string]int{}} }

func (s *kv) LoadCheckpoint(v int, state json.RawMessage) error {
	if v != 1 {
		return fmt.Errorf("version %d", v)
	}
	return json.Unmarshal(state, &s.m)
}

func (s *kv) ApplyRecord(v int, rec json.RawMessage) error {
	var r kvRecord
	if err := json.Unmarshal(rec, &r); err != nil {
		return err
	}
	s.m[r.K] = r.V
	return nil
}

func (s *kv) set(l *Log, k string, v int) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	data, _ := json.Marshal(kvRecord{k, v})
	g, err := l.Append(1, data)
	if err != nil {
		panic(err)
	}
	return g
}

func (s *kv) checkpoint() (int, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.m)
	return 1, b, err
}

func open(t *testing.T, dir string, opts Options) (*Log, *kv, Restored) {
	t.Helper()
	s := newKV()
	l, res, err := OpenLog(dir, opts, s)
	if err != nil {
		t.Fatal(err)
	}
	l.SetCheckpointer(s.checkpoint)
	t.Cleanup(func() { l.Close() })
	return l, s, res
}

func TestAppendWaitReopen(t *testing.T) {
	for _, policy := range []Fsync{FsyncAlways, FsyncBatch, FsyncOff} {
		t.Run(policy.String(), func(t *testing.T) {
			dir := t.TempDir()
			l, s, _ := open(t, dir, Options{Fsync: policy})
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 50 {
						g := s.set(l, fmt.Sprintf("k%d-%d", w, i), i)
						if err := l.Wait(context.Background(), g); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			wg.Wait()
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l2, s2, res := open(t, dir, Options{Fsync: policy})
			defer l2.Close()
			if res.Records != 200 || !reflect.DeepEqual(s.m, s2.m) {
				t.Fatalf("replayed %d records, %d keys; want 200 and %d", res.Records, len(s2.m), len(s.m))
			}
		})
	}
}

// lastSegment returns the path of the log's only segment.
func lastSegment(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "seg-*.wal"))
	if len(m) == 0 {
		t.Fatal("no segment")
	}
	return m[len(m)-1]
}

func TestTornTailAtEveryByte(t *testing.T) {
	src := t.TempDir()
	l, s, _ := open(t, src, Options{Fsync: FsyncAlways})
	s.set(l, "a", 1)
	s.set(l, "b", 2)
	if err := l.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(lastSegment(t, src))
	s.set(l, "c", 3)
	l.Close()
	full, err := os.ReadFile(lastSegment(t, src))
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(lastSegment(t, src))
	for cut := before.Size(); cut < int64(len(full)); cut++ {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		l, s, res := open(t, dir, Options{})
		want := map[string]int{"a": 1, "b": 2}
		if !reflect.DeepEqual(s.m, want) || res.Records != 2 {
			t.Fatalf("cut at %d: %v (%d records), want %v", cut, s.m, res.Records, want)
		}
		if wantCut := cut - before.Size(); res.Truncated != wantCut || (wantCut > 0 && res.TruncatedAt != before.Size()) {
			t.Fatalf("cut at %d: truncated %d at %d, want %d at %d", cut, res.Truncated, res.TruncatedAt, wantCut, before.Size())
		}
		// The log goes on after the cut, and a reopening sees both.
		l.Wait(context.Background(), s.set(l, "d", 4))
		l.Close()
		_, s2, res2 := open(t, dir, Options{})
		if s2.m["d"] != 4 || s2.m["b"] != 2 || res2.Truncated != 0 {
			t.Fatalf("cut at %d, then a write: %v, truncated %d", cut, s2.m, res2.Truncated)
		}
	}
}

func TestCorruptByteTruncatesTheTail(t *testing.T) {
	dir := t.TempDir()
	l, s, _ := open(t, dir, Options{Fsync: FsyncAlways})
	s.set(l, "a", 1)
	s.set(l, "b", 2)
	s.set(l, "c", 3)
	l.Close()
	seg := lastSegment(t, dir)
	b, _ := os.ReadFile(seg)
	b[len(b)/2] ^= 0x40 // inside the second record
	os.WriteFile(seg, b, 0o600)
	l, s, res := open(t, dir, Options{})
	defer l.Close()
	if !reflect.DeepEqual(s.m, map[string]int{"a": 1}) || res.Truncated == 0 {
		t.Fatalf("%v, truncated %d; want only a, and a truncation", s.m, res.Truncated)
	}
}

func TestCorruptionBeforeTheLastSegmentIsRefused(t *testing.T) {
	dir := t.TempDir()
	l, s, _ := open(t, dir, Options{Fsync: FsyncAlways, SegmentBytes: 1})
	for i := range 5 {
		l.Wait(context.Background(), s.set(l, fmt.Sprint(i), i))
	}
	l.Close()
	m, _ := filepath.Glob(filepath.Join(dir, "seg-*.wal"))
	if len(m) < 3 {
		t.Fatalf("%d segments, want several", len(m))
	}
	b, _ := os.ReadFile(m[0])
	b[len(b)-1] ^= 1
	os.WriteFile(m[0], b, 0o600)
	if _, _, err := OpenLog(dir, Options{}, newKV()); err == nil {
		t.Fatal("a corrupt segment followed by others opened")
	}
}

func TestCheckpointThenReplay(t *testing.T) {
	dir := t.TempDir()
	l, s, _ := open(t, dir, Options{Fsync: FsyncBatch, SegmentBytes: 200})
	for i := range 100 {
		s.set(l, fmt.Sprint(i%10), i)
	}
	if err := l.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		s.set(l, fmt.Sprint(i), 1000+i)
	}
	l.Close()
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.wal"))
	cps, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*.json"))
	if len(cps) != 1 || len(segs) > 2 {
		t.Fatalf("%d checkpoints, %d segments after compaction: %v", len(cps), len(segs), segs)
	}
	_, s2, res := open(t, dir, Options{})
	if !res.Checkpoint || res.Records != 7 || !reflect.DeepEqual(s.m, s2.m) {
		t.Fatalf("checkpoint %v, %d records replayed, %v; want %v", res.Checkpoint, res.Records, s2.m, s.m)
	}
}

func TestCompactionRunsBySize(t *testing.T) {
	dir := t.TempDir()
	l, s, _ := open(t, dir, Options{Fsync: FsyncAlways, CompactBytes: 500, SegmentBytes: 300})
	for i := range 300 {
		l.Wait(context.Background(), s.set(l, fmt.Sprint(i%7), i))
	}
	l.Close() // waits for a compaction under way
	cps, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*.json"))
	if len(cps) != 1 {
		t.Fatalf("%d checkpoints, want 1", len(cps))
	}
	_, s2, res := open(t, dir, Options{})
	if !reflect.DeepEqual(s.m, s2.m) || res.Records >= 300 {
		t.Fatalf("%v after %d records, want %v from a checkpoint", s2.m, res.Records, s.m)
	}
}

func TestWholeStateCoalesces(t *testing.T) {
	dir := t.TempDir()
	s := newKV()
	l, _, err := OpenLog(dir, Options{Fsync: FsyncBatch}, s)
	if err != nil {
		t.Fatal(err)
	}
	saves := 0
	l.SetWhole(func() (int, []byte, error) {
		saves++
		_, b, err := s.checkpoint()
		return 1, b, err
	})
	for i := range 20 {
		s.mu.Lock()
		s.m["k"] = i
		s.mu.Unlock()
		g, _ := l.MarkDirty()
		if i%5 == 4 {
			l.Wait(context.Background(), g)
		}
	}
	l.Close()
	if saves == 0 || saves > 20 {
		t.Fatalf("%d saves", saves)
	}
	whole := &wholeKV{kv: newKV()}
	if _, _, err := OpenLog(dir, Options{}, whole); err != nil {
		t.Fatal(err)
	}
	if whole.m["k"] != 19 {
		t.Fatalf("restored %v", whole.m)
	}
}

// wholeKV replays records that are the whole map.
type wholeKV struct{ *kv }

func (w *wholeKV) ApplyRecord(v int, rec json.RawMessage) error {
	w.m = map[string]int{}
	return w.LoadCheckpoint(v, rec)
}

func TestNewerFormatIsRefused(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDir(dir, Options{}); err == nil {
		t.Fatal("a second open of a held directory succeeded")
	}
	d.Close()
	os.WriteFile(filepath.Join(dir, "FORMAT"), []byte(fmt.Sprintln(FormatVersion+1)), 0o600)
	_, err = OpenDir(dir, Options{})
	var ne *NewerError
	if !errors.As(err, &ne) || ne.Have != FormatVersion+1 {
		t.Fatalf("opened a newer directory: %v", err)
	}
}

func TestOversizedRecordAndClosedLog(t *testing.T) {
	dir := t.TempDir()
	l, _, _ := open(t, dir, Options{MaxRecord: 10})
	if _, err := l.Append(1, make([]byte, 11)); err == nil {
		t.Fatal("an oversized record was taken")
	}
	l.Close()
	if _, err := l.Append(1, []byte("{}")); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
}

func TestParseFsync(t *testing.T) {
	for in, want := range map[string]Fsync{"": FsyncBatch, "batch": FsyncBatch, "ALWAYS": FsyncAlways, "off": FsyncOff} {
		if got, err := ParseFsync(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseFsync("sometimes"); err == nil {
		t.Error("sometimes parsed")
	}
}

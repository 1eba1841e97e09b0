package s3

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The blob directory of a journal (cloud.Journal.BlobDir): with a journal,
// every object and part body is a file there, named by the checkpoints and
// records that hold it. A file no body uses any more is not removed at
// once: a durable record or checkpoint may still name it, and a crash then
// would replay it. It waits two checkpoints instead (Service.Checkpoint):
// one taken after it died names it no more, and once the next is asked
// for, that one is durable and the records before it are gone.

// blobs is the bookkeeping of a blob directory; bodies.mu guards it.
type blobs struct {
	sync func(*os.File) error
	// byName is every file a body of this process uses or used: written
	// here, or named by a loaded checkpoint or record.
	byName map[string]*bodyFile
	// dead are files released since the last checkpoint; doomed those
	// released before it, removed at the next one.
	dead, doomed []*bodyFile
	// swept: the directory was scanned for files nothing names.
	swept bool
}

// useBlobs makes dir (a journal's blob directory) where every body of the
// store goes from now on, synced with sync; before the store serves. Given
// the directory it uses already (the journal of a replay, then the one it
// serves with), it changes only sync, keeping the files replay loaded.
func (bs *bodies) useBlobs(dir string, sync func(*os.File) error) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.blobs != nil && bs.dir == dir {
		bs.blobs.sync = sync
		return
	}
	bs.dir = dir
	bs.inMemory = -1
	bs.blobs = &blobs{sync: sync, byName: map[string]*bodyFile{}}
}

// retire notes that nothing uses f any more.
func (bs *bodies) retire(f *bodyFile) {
	bs.mu.Lock()
	bs.blobs.dead = append(bs.blobs.dead, f)
	bs.mu.Unlock()
}

// collect is a checkpoint's housekeeping: it removes the files that died
// before the previous checkpoint and are still unused, and dooms those
// that died since. The first time, files of the directory that nothing
// names (written by a process that crashed before recording them, or
// dead when it stopped) are doomed too. It returns how many it removed.
func (bs *bodies) collect() int {
	bs.mu.Lock()
	bl := bs.blobs
	if bl == nil {
		bs.mu.Unlock()
		return 0
	}
	doomed := bl.doomed
	bl.doomed, bl.dead = bl.dead, nil
	var orphans []string
	if !bl.swept {
		bl.swept = true
		if ents, err := os.ReadDir(bs.dir); err == nil {
			for _, e := range ents {
				if _, ok := bl.byName[e.Name()]; !ok && e.Type().IsRegular() {
					orphans = append(orphans, e.Name())
				}
			}
		}
		for _, f := range bl.byName {
			if f.refs.Load() == 0 { // named by a record, never used after
				bl.doomed = append(bl.doomed, f)
			}
		}
	}
	removed := 0
	for _, f := range doomed {
		// A file loaded again since it died (a replayed record) is live.
		if f.refs.Load() == 0 && bl.byName[f.name()] == f {
			delete(bl.byName, f.name())
			os.Remove(f.path)
			bs.files.Add(-1)
			removed++
		}
	}
	for _, name := range orphans {
		f := &bodyFile{path: filepath.Join(bs.dir, name), owner: bs, size: -1}
		bl.byName[name] = f
		bs.files.Add(1)
		bl.doomed = append(bl.doomed, f)
	}
	bs.mu.Unlock()
	return removed
}

// errNoBlobs is a body naming files in a store without a journal.
var errNoBlobs = errors.New("a body in files, and no journal's blob directory to find them in")

// fileNamed is the file name of the blob directory, which must hold at
// least end bytes: the one bodies already use, or the file as found.
func (bs *bodies) fileNamed(name string, end int64) (*bodyFile, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("body file %q: not a file name", name)
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.blobs == nil {
		return nil, errNoBlobs
	}
	f := bs.blobs.byName[name]
	if f == nil {
		fi, err := os.Stat(filepath.Join(bs.dir, name))
		if err != nil {
			return nil, fmt.Errorf("body file %s is missing: %w", name, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("body file %s is not a file", name)
		}
		f = &bodyFile{path: filepath.Join(bs.dir, name), owner: bs, size: fi.Size()}
		bs.blobs.byName[name] = f
		bs.files.Add(1)
	}
	if f.size >= 0 && f.size < end {
		return nil, fmt.Errorf("body file %s holds %d bytes, fewer than the %d its bodies need (torn)", name, f.size, end)
	}
	return f, nil
}

// bodyOfExtents builds a body of size bytes from saved extents.
func (bs *bodies) bodyOfExtents(size int64, exts []ExtentState) (*Body, error) {
	out := make([]extent, 0, len(exts))
	var total int64
	for _, e := range exts {
		if e.Size < 0 || e.Offset < 0 || e.Offset > 1<<62 || e.Size > 1<<62 {
			return nil, errors.New("an extent out of range")
		}
		total += e.Size
		if total > 1<<62 {
			return nil, errors.New("an extent out of range")
		}
		if e.File == "" {
			if int64(len(e.Data)) != e.Size {
				return nil, fmt.Errorf("an extent of %d bytes, and its size says %d", len(e.Data), e.Size)
			}
			if e.Size > 0 {
				out = append(out, extent{mem: e.Data})
			}
			continue
		}
		f, err := bs.fileNamed(e.File, e.Offset+e.Size)
		if err != nil {
			return nil, err
		}
		if e.Size > 0 {
			out = append(out, extent{file: f, off: e.Offset, n: e.Size})
		}
	}
	if total != size {
		return nil, fmt.Errorf("extents of %d bytes, and the size says %d", total, size)
	}
	switch {
	case len(out) == 0:
		return BytesBody(nil), nil
	case len(out) == 1 && out[0].file == nil:
		return BytesBody(out[0].mem), nil
	}
	return newBodyOf(out), nil
}

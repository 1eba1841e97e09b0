package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// A function's layers are extracted, in order (a later layer's files
// replace an earlier one's), into one directory per combination of layers:
// the function's /opt. Pools running the combination hold it; the last one
// to go removes it.

type optEntry struct {
	refs  int
	done  chan struct{}
	dir   string
	err   error
	build bool // someone started building it
}

func optKey(layers []string) string {
	h := sha256.Sum256([]byte(strings.Join(layers, ",")))
	return hex.EncodeToString(h[:])
}

// holdOpt counts one more pool using the layers (x.mu held).
func (x *Executor) holdOptLocked(layers []string) {
	if len(layers) == 0 {
		return
	}
	for _, l := range layers {
		x.cache.pin(l)
	}
	k := optKey(layers)
	e := x.opts[k]
	if e == nil {
		e = &optEntry{done: make(chan struct{})}
		x.opts[k] = e
	}
	e.refs++
}

// releaseOpt undoes holdOpt; the directory goes with its last pool.
func (x *Executor) releaseOpt(layers []string) {
	if len(layers) == 0 {
		return
	}
	k := optKey(layers)
	x.mu.Lock()
	e := x.opts[k]
	var remove string
	if e != nil {
		e.refs--
		if e.refs <= 0 {
			delete(x.opts, k)
			if e.build {
				remove = filepath.Join(x.cache.dir, "opt", k)
			}
		}
	}
	x.mu.Unlock()
	for _, l := range layers {
		x.cache.unpin(l)
	}
	if remove != "" {
		// A spawn still building it finishes first.
		<-e.done
		removeTree(remove)
	}
}

// optDir returns the extracted layers of a function ("" without layers),
// building the directory on first use; concurrent spawns share the work.
func (x *Executor) optDir(layers []string) (string, error) {
	if len(layers) == 0 {
		return "", nil
	}
	k := optKey(layers)
	x.mu.Lock()
	e := x.opts[k]
	if e == nil {
		x.mu.Unlock()
		return "", ErrRetired
	}
	first := !e.build
	e.build = true
	x.mu.Unlock()
	if !first {
		<-e.done
		return e.dir, e.err
	}
	e.dir, e.err = x.extractLayers(k, layers)
	close(e.done)
	return e.dir, e.err
}

func (x *Executor) extractLayers(key string, layers []string) (string, error) {
	if err := x.cache.usable(); err != nil {
		return "", err
	}
	dst := filepath.Join(x.cache.dir, "opt", key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", err
	}
	tmp := dst + ".tmp-" + randomSuffix()
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return "", err
	}
	for _, sum := range layers {
		if !isHexSum(sum) || !fileHasSum(x.cache.zipPath(sum), sum) {
			os.RemoveAll(tmp)
			return "", os.ErrNotExist
		}
		if _, err := unzipInto(x.cache.zipPath(sum), tmp); err != nil {
			os.RemoveAll(tmp)
			return "", err
		}
	}
	removeTree(dst) // not ours to trust (see unpackOnce)
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	// /opt is read-only to the function, as on AWS.
	if err := lockTree(dst); err != nil {
		return "", err
	}
	return dst, nil
}

// KeepCode holds stored code (a layer version's) in the cache until
// ReleaseCode: it is never evicted meanwhile.
func (x *Executor) KeepCode(sum string) { x.cache.pin(sum) }

// ReleaseCode undoes KeepCode and lets the code go once no pool runs it.
func (x *Executor) ReleaseCode(sum string) {
	x.cache.unpin(sum)
	x.cache.drop(sum)
}

// UnzippedSize is the size a stored zip unpacks to, by its headers (the
// figure AWS checks against MaxUnzippedSize).
func (x *Executor) UnzippedSize(sum string) (int64, error) {
	f, err := x.cache.open(sum)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return zipSize(f)
}

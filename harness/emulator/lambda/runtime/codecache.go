package runtime

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Code size limits, as AWS enforces them.
const (
	// MaxUnzippedSize is the largest a function's unpacked code may be.
	MaxUnzippedSize = 262144000
	// maxSymlinkTarget bounds a symlink entry's target (it is read into memory).
	maxSymlinkTarget = 4096
)

// Errors the code cache reports; the service maps them to AWS errors.
var (
	ErrNotZip       = errors.New("not a zip archive")
	ErrUnzippedSize = fmt.Errorf("unzipped size must be smaller than %d bytes", MaxUnzippedSize)
)

// codeCache keeps function zips by SHA-256 under dir/zips and unpacks each
// one once under dir/code/<sha>. The directory is private: by default a
// fresh one (mode 0700, random name) that close removes; a configured one
// must be a real directory owned by this user and closed to everyone else,
// and nothing found in it is trusted until its content is checked. Entries
// that no pool runs are evicted, least recently used first, past maxBytes.
type codeCache struct {
	configured string // the configured directory, "" for a private one
	maxBytes   int64

	initOnce sync.Once
	initErr  error
	dir      string

	mu       sync.Mutex
	unpacked map[string]*unpacking
	entries  map[string]*cacheEntry
	total    int64
	tick     uint64
	closed   bool
}

type unpacking struct {
	done chan struct{}
	root string
	err  error
}

// cacheEntry is what the cache knows of one code SHA-256.
type cacheEntry struct {
	zipBytes  int64
	codeBytes int64 // 0 until unpacked
	lastUse   uint64
	pins      int  // pools running this code
	dropped   bool // its functions are gone: evict once unpinned
	stored    time.Time
}

// dropGrace keeps code stored a moment ago through a drop: a function being
// created with the same code as one being deleted must not lose it between
// its upload and its registration.
const dropGrace = time.Minute

// DefaultCacheBytes bounds a code cache's zips and unpacked code.
const DefaultCacheBytes = 4 << 30

func newCodeCache(dir string, maxBytes int64) *codeCache {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &codeCache{configured: dir, maxBytes: maxBytes, unpacked: map[string]*unpacking{}, entries: map[string]*cacheEntry{}}
}

// ErrUnsafeCacheDir is a configured cache directory another user could
// write to: code planted there would run as us.
var ErrUnsafeCacheDir = errors.New("lambda code cache directory is not private")

// ready creates (or checks) the directory on first use, so an emulator that
// runs no function touches no disk.
func (c *codeCache) ready() error {
	c.initOnce.Do(func() {
		if c.configured == "" {
			c.dir, c.initErr = os.MkdirTemp("", "groundstack-lambda-")
			return
		}
		if _, err := os.Lstat(c.configured); os.IsNotExist(err) {
			if err := os.MkdirAll(c.configured, 0o700); err != nil {
				c.initErr = err
				return
			}
		}
		c.initErr = checkPrivateDir(c.configured)
		c.dir = c.configured
	})
	return c.initErr
}

// usable is ready, and not closed (a closed private cache is gone).
func (c *codeCache) usable() error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return c.ready()
}

// checkPrivateDir accepts a directory (not a symlink to one) owned by this
// user, and closes it to group and others if it was open: nothing found in
// it is trusted anyway, but nobody else may write (or read) there.
func checkPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%w: %s is not a directory", ErrUnsafeCacheDir, dir)
	case !ok || int(st.Uid) != os.Getuid():
		return fmt.Errorf("%w: %s belongs to another user", ErrUnsafeCacheDir, dir)
	case fi.Mode().Perm()&0o077 != 0:
		return os.Chmod(dir, 0o700)
	}
	return nil
}

func (c *codeCache) zipPath(sum string) string  { return filepath.Join(c.dir, "zips", sum+".zip") }
func (c *codeCache) rootPath(sum string) string { return filepath.Join(c.dir, "code", sum) }

// CheckZip validates data as a Lambda deployment package: a readable zip
// whose declared unpacked size is within the limit.
func CheckZip(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ErrNotZip
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total >= MaxUnzippedSize {
			return ErrUnzippedSize
		}
	}
	return nil
}

// store writes data under its hex SHA-256 (unless a file with that content
// is already there) and returns that sum.
func (c *codeCache) store(data []byte) (string, error) {
	if err := c.usable(); err != nil {
		return "", err
	}
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	dst := c.zipPath(sum)
	if !fileHasSum(dst, sum) {
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return "", err
		}
		tmp := dst + ".tmp-" + randomSuffix()
		if err := os.WriteFile(tmp, data, 0o600); err != nil {
			os.Remove(tmp)
			return "", err
		}
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return "", err
		}
	}
	c.mu.Lock()
	e := c.entry(sum)
	c.total += int64(len(data)) - e.zipBytes
	e.zipBytes, e.dropped, e.stored = int64(len(data)), false, time.Now()
	victims := c.evictLocked()
	c.mu.Unlock()
	c.remove(victims)
	return sum, nil
}

// fileHasSum reports whether the file at path exists and hashes to sum.
func fileHasSum(path, sum string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == sum
}

// entry returns sum's entry, creating it, and marks it used (c.mu held).
func (c *codeCache) entry(sum string) *cacheEntry {
	e := c.entries[sum]
	if e == nil {
		e = &cacheEntry{}
		c.entries[sum] = e
	}
	c.tick++
	e.lastUse = c.tick
	return e
}

// open returns the stored zip of sum.
func (c *codeCache) open(sum string) (*os.File, error) {
	if !isHexSum(sum) || c.ready() != nil {
		return nil, fs.ErrNotExist
	}
	return os.Open(c.zipPath(sum))
}

// unpack returns the directory holding the unpacked code of sum, unpacking
// it on first use; concurrent callers share one unpacking.
func (c *codeCache) unpack(sum string) (string, error) {
	if err := c.usable(); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.entry(sum)
	u, ok := c.unpacked[sum]
	if !ok {
		u = &unpacking{done: make(chan struct{})}
		c.unpacked[sum] = u
		c.mu.Unlock()
		var n int64
		u.root, n, u.err = c.unpackOnce(sum)
		close(u.done)
		c.mu.Lock()
		if u.err != nil {
			delete(c.unpacked, sum) // let a later call retry
		} else {
			e := c.entry(sum)
			c.total += n - e.codeBytes
			e.codeBytes = n
		}
		victims := c.evictLocked()
		c.mu.Unlock()
		c.remove(victims)
		return u.root, u.err
	}
	c.mu.Unlock()
	<-u.done
	return u.root, u.err
}

// unpackOnce unpacks sum's zip after checking it still hashes to sum. A
// directory already at the destination is not ours to trust (this cache
// unpacks each sum once, through unpacked): it is replaced.
func (c *codeCache) unpackOnce(sum string) (string, int64, error) {
	if !isHexSum(sum) {
		return "", 0, fs.ErrNotExist
	}
	if !fileHasSum(c.zipPath(sum), sum) {
		return "", 0, fs.ErrNotExist
	}
	dst := c.rootPath(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, err
	}
	tmp := dst + ".tmp-" + randomSuffix()
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return "", 0, err
	}
	n, err := unzipInto(c.zipPath(sum), tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return "", 0, err
	}
	if err := removeTree(dst); err != nil {
		os.RemoveAll(tmp)
		return "", 0, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		return "", 0, err
	}
	// The function's code is read-only to it, as on AWS.
	if err := lockTree(dst); err != nil {
		return "", 0, err
	}
	return dst, n, nil
}

// pin marks sum as run by a pool: it is not evicted until unpinned.
func (c *codeCache) pin(sum string) {
	c.mu.Lock()
	c.entry(sum).pins++
	c.mu.Unlock()
}

func (c *codeCache) unpin(sum string) {
	c.mu.Lock()
	if e := c.entries[sum]; e != nil && e.pins > 0 {
		e.pins--
	}
	victims := c.evictLocked()
	c.mu.Unlock()
	c.remove(victims)
}

// drop says no function uses sum any more: it goes as soon as no pool runs it.
func (c *codeCache) drop(sum string) {
	c.mu.Lock()
	if e := c.entries[sum]; e != nil {
		e.dropped = true
	}
	victims := c.evictLocked()
	c.mu.Unlock()
	c.remove(victims)
}

// evictLocked takes out of the books what must go (dropped entries no pool
// runs, then the least recently used unpinned ones while over maxBytes) and
// returns their sums; the caller removes the files without holding c.mu.
func (c *codeCache) evictLocked() []string {
	var victims []string
	evict := func(sum string, e *cacheEntry) {
		c.total -= e.zipBytes + e.codeBytes
		delete(c.entries, sum)
		delete(c.unpacked, sum)
		victims = append(victims, sum)
	}
	now := time.Now()
	for sum, e := range c.entries {
		if e.dropped && e.pins == 0 && now.Sub(e.stored) > dropGrace {
			evict(sum, e)
		}
	}
	for c.total > c.maxBytes {
		var oldest string
		var oe *cacheEntry
		for sum, e := range c.entries {
			if e.pins == 0 && (oe == nil || e.lastUse < oe.lastUse) {
				oldest, oe = sum, e
			}
		}
		if oe == nil {
			break // everything left is running
		}
		evict(oldest, oe)
	}
	return victims
}

func (c *codeCache) remove(sums []string) {
	for _, sum := range sums {
		os.Remove(c.zipPath(sum))
		removeTree(c.rootPath(sum))
	}
}

// size is what the cache holds on disk, by its books (tests).
func (c *codeCache) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// close removes a private cache directory; a configured one stays, as a
// data directory should.
func (c *codeCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	if c.configured == "" && c.dir != "" {
		removeTree(c.dir)
	}
}

// unzipInto unpacks the zip at src into dir. Every write goes through an
// os.Root, so no entry (absolute, "..", or through a symlink) can land
// outside dir; symlinks whose targets would leave dir are skipped.
func unzipInto(src, dir string) (int64, error) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return 0, ErrNotZip
	}
	defer zr.Close()
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	var budget int64 = MaxUnzippedSize
	for _, f := range zr.File {
		name := path.Clean(strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/"))
		if name == "." || !filepath.IsLocal(name) {
			continue
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := root.MkdirAll(name, 0o755); err != nil {
				return 0, err
			}
		case mode&fs.ModeSymlink != 0:
			target, err := readSmall(f, maxSymlinkTarget)
			if err != nil {
				return 0, err
			}
			if path.IsAbs(target) || !filepath.IsLocal(path.Join(path.Dir(name), target)) {
				continue
			}
			if err := mkParent(root, name); err != nil {
				return 0, err
			}
			root.Remove(name)
			if err := root.Symlink(target, name); err != nil {
				return 0, err
			}
		case mode.IsRegular():
			if err := mkParent(root, name); err != nil {
				return 0, err
			}
			n, err := copyEntry(root, name, f, budget)
			if err != nil {
				return 0, err
			}
			budget -= n
		}
	}
	return MaxUnzippedSize - budget, nil
}

func mkParent(root *os.Root, name string) error {
	if d := path.Dir(name); d != "." {
		return root.MkdirAll(d, 0o755)
	}
	return nil
}

// copyEntry writes one regular file, keeping its permission bits (the
// executable bit of bootstrap matters) and refusing to exceed budget bytes
// whatever the header claims.
func copyEntry(root *os.Root, name string, f *zip.File, budget int64) (int64, error) {
	perm := f.Mode().Perm() | 0o400
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return 0, err
	}
	rc, err := f.Open()
	if err != nil {
		out.Close()
		return 0, ErrNotZip
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	rc.Close()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if n > budget {
		return n, ErrUnzippedSize
	}
	// OpenFile's perm is filtered by the umask; set the bits the zip asked for.
	if err := root.Chmod(name, perm); err != nil {
		return n, err
	}
	return n, nil
}

func readSmall(f *zip.File, limit int64) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", ErrNotZip
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit))
	if err != nil {
		return "", ErrNotZip
	}
	return string(b), nil
}

func isHexSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// zipSize sums a zip's declared unpacked sizes.
func zipSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return 0, ErrNotZip
	}
	var total uint64
	for _, e := range zr.File {
		total += e.UncompressedSize64
	}
	return int64(min(total, 1<<62)), nil
}

// UnzippedSizeOf sums the declared unpacked sizes of a zip's entries.
func UnzippedSizeOf(data []byte) (int64, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, ErrNotZip
	}
	var total uint64
	for _, e := range zr.File {
		total += e.UncompressedSize64
	}
	return int64(min(total, 1<<62)), nil
}

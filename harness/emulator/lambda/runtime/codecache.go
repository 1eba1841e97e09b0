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
// one once under dir/code/<sha>. Entries are content-addressed and written
// through a temporary name and a rename, so several emulators (even in
// several processes) can share one cache.
type codeCache struct {
	dir string

	mu       sync.Mutex
	unpacked map[string]*unpacking
}

type unpacking struct {
	done chan struct{}
	root string
	err  error
}

func newCodeCache(dir string) *codeCache {
	return &codeCache{dir: dir, unpacked: map[string]*unpacking{}}
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

// store writes data under its hex SHA-256 (unless already there) and returns
// that sum.
func (c *codeCache) store(data []byte) (string, error) {
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	dst := c.zipPath(sum)
	if _, err := os.Stat(dst); err == nil {
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	tmp := dst + ".tmp-" + randomSuffix()
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return sum, nil
}

// open returns the stored zip of sum.
func (c *codeCache) open(sum string) (*os.File, error) {
	if !isHexSum(sum) {
		return nil, fs.ErrNotExist
	}
	return os.Open(c.zipPath(sum))
}

// unpack returns the directory holding the unpacked code of sum, unpacking
// it on first use; concurrent callers share one unpacking.
func (c *codeCache) unpack(sum string) (string, error) {
	c.mu.Lock()
	u, ok := c.unpacked[sum]
	if !ok {
		u = &unpacking{done: make(chan struct{})}
		c.unpacked[sum] = u
		c.mu.Unlock()
		u.root, u.err = c.unpackOnce(sum)
		close(u.done)
		if u.err != nil {
			c.mu.Lock()
			delete(c.unpacked, sum) // let a later call retry
			c.mu.Unlock()
		}
		return u.root, u.err
	}
	c.mu.Unlock()
	<-u.done
	return u.root, u.err
}

func (c *codeCache) unpackOnce(sum string) (string, error) {
	if !isHexSum(sum) {
		return "", fs.ErrNotExist
	}
	dst := c.rootPath(sum)
	if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	tmp := dst + ".tmp-" + randomSuffix()
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return "", err
	}
	if err := unzipInto(c.zipPath(sum), tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		if fi, serr := os.Stat(dst); serr == nil && fi.IsDir() {
			return dst, nil // another process won the race
		}
		return "", err
	}
	return dst, nil
}

// unzipInto unpacks the zip at src into dir. Every write goes through an
// os.Root, so no entry (absolute, "..", or through a symlink) can land
// outside dir; symlinks whose targets would leave dir are skipped.
func unzipInto(src, dir string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return ErrNotZip
	}
	defer zr.Close()
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
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
				return err
			}
		case mode&fs.ModeSymlink != 0:
			target, err := readSmall(f, maxSymlinkTarget)
			if err != nil {
				return err
			}
			if path.IsAbs(target) || !filepath.IsLocal(path.Join(path.Dir(name), target)) {
				continue
			}
			if err := mkParent(root, name); err != nil {
				return err
			}
			root.Remove(name)
			if err := root.Symlink(target, name); err != nil {
				return err
			}
		case mode.IsRegular():
			if err := mkParent(root, name); err != nil {
				return err
			}
			n, err := copyEntry(root, name, f, budget)
			if err != nil {
				return err
			}
			budget -= n
		}
	}
	return nil
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

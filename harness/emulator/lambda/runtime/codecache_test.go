package runtime

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func zipOf(t *testing.T, name, content string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: name, Method: zip.Store}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(content))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sumOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// The attack: a predictable shared cache path let another local user plant
// code/<sha>/bootstrap, which then ran as the emulator's user. A default
// cache is private (0700, unpredictable) and gone after close.
func TestDefaultCacheIsPrivateAndRemoved(t *testing.T) {
	predictable := filepath.Join(os.TempDir(), "groundstack-lambda-"+strconv.Itoa(os.Getuid()))
	c := newCodeCache("", 0)
	sum, err := c.store(zipOf(t, "bootstrap", "real"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := c.unpack(sum)
	if err != nil {
		t.Fatal(err)
	}
	if c.dir == predictable || filepath.Dir(filepath.Dir(root)) != c.dir {
		t.Fatalf("cache at %s (code at %s), want a fresh private directory", c.dir, root)
	}
	fi, err := os.Stat(c.dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache dir mode %v %v, want 0700", fi.Mode().Perm(), err)
	}
	c.close()
	if _, err := os.Stat(c.dir); !os.IsNotExist(err) {
		t.Fatalf("cache dir still there after close: %v", err)
	}
	if _, err := c.store([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("store after close: %v", err)
	}
}

// Whatever sits in a configured cache before we unpack is not trusted:
// planted code is replaced by the zip's content, and a zip file whose
// content does not match its name is rewritten.
func TestConfiguredCacheTrustsNothingItFinds(t *testing.T) {
	dir := t.TempDir()
	data := zipOf(t, "bootstrap", "real")
	sum := sumOf(data)
	planted := filepath.Join(dir, "code", sum)
	os.MkdirAll(planted, 0o700)
	os.WriteFile(filepath.Join(planted, "bootstrap"), []byte("planted"), 0o755)
	os.MkdirAll(filepath.Join(dir, "zips"), 0o700)
	os.WriteFile(filepath.Join(dir, "zips", sum+".zip"), zipOf(t, "bootstrap", "planted"), 0o600)

	c := newCodeCache(dir, 0)
	if _, err := c.store(data); err != nil {
		t.Fatal(err)
	}
	root, err := c.unpack(sum)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "bootstrap")); string(b) != "real" {
		t.Fatalf("bootstrap is %q, want the uploaded code", b)
	}
	c.close()
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("a configured cache must outlive close: %v", err)
	}
}

func TestConfiguredCacheMustBePrivate(t *testing.T) {
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(t.TempDir(), link)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	others := t.TempDir()
	if os.Getuid() == 0 {
		os.Chown(others, 65534, 65534) // nobody's
	}
	cases := map[string]string{"symlink": link, "not a directory": file}
	if os.Getuid() == 0 {
		cases["another user's"] = others
	}
	for name, dir := range cases {
		t.Run(name, func(t *testing.T) {
			c := newCodeCache(dir, 0)
			if _, err := c.store(zipOf(t, "bootstrap", "x")); !errors.Is(err, ErrUnsafeCacheDir) {
				t.Fatalf("stored code in %s: %v", name, err)
			}
		})
	}
	t.Run("ours but open to others is closed", func(t *testing.T) {
		open := t.TempDir()
		os.Chmod(open, 0o777)
		if _, err := newCodeCache(open, 0).store(zipOf(t, "bootstrap", "x")); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(open); fi.Mode().Perm() != 0o700 {
			t.Fatalf("mode %04o, want 0700", fi.Mode().Perm())
		}
	})
}

// A 205 KB upload once left 200 MB behind after delete, reset and
// shutdown: code nobody runs is evicted.
func TestCacheEvicts(t *testing.T) {
	dir := t.TempDir()
	a, b, cz := zipOf(t, "bootstrap", "aaaa"), zipOf(t, "bootstrap", "bbbb"), zipOf(t, "bootstrap", "cccc")
	c := newCodeCache(dir, int64(2*len(a)+2*4)) // two zips and their code
	sa, _ := c.store(a)
	c.unpack(sa)
	c.pin(sa)
	sb, _ := c.store(b)
	c.unpack(sb)
	sc, _ := c.store(cz) // over the cap: b is the least recently used unpinned entry
	exists := func(sum string) bool {
		_, err := os.Stat(filepath.Join(dir, "zips", sum+".zip"))
		return err == nil
	}
	if !exists(sa) || exists(sb) || !exists(sc) {
		t.Fatalf("after eviction: a %v b %v c %v, want a (pinned) and c", exists(sa), exists(sb), exists(sc))
	}
	c.entries[sa].stored = time.Now().Add(-2 * dropGrace) // uploaded a while ago
	c.drop(sa)                                            // its function was deleted, but an instance still runs it
	if !exists(sa) {
		t.Fatal("dropped code evicted while a pool runs it")
	}
	c.unpin(sa)
	if exists(sa) {
		t.Fatal("dropped code kept after its last pool went")
	}
	if _, err := os.Stat(filepath.Join(dir, "code", sa)); !os.IsNotExist(err) {
		t.Fatalf("unpacked code of dropped sum kept: %v", err)
	}
	if got := c.size(); got != int64(len(cz)) {
		t.Fatalf("cache books %d bytes, want %d", got, len(cz))
	}
	c.drop(sc) // just uploaded: a function may be on its way to use it
	if !exists(sc) {
		t.Fatal("code stored a moment ago was dropped")
	}
}

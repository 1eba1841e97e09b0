package persist

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadFrame: any bytes decode to frames or stop at a torn one, never
// past the input.
func FuzzReadFrame(f *testing.F) {
	f.Add(appendFrame(nil, 1, []byte(`{"k":"a","v":1}`)))
	f.Add(appendFrame(appendFrame(nil, 3, []byte(`{}`)), 1, []byte(`[]`))[:20])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		off := 0
		for off < len(b) {
			_, _, n, err := readFrame(b[off:], 1<<20)
			if err != nil {
				break
			}
			if n <= frameHeader || off+n > len(b) {
				t.Fatalf("frame of %d bytes at %d of %d", n, off, len(b))
			}
			off += n
		}
	})
}

// FuzzOpenLog: any segment opens (its valid prefix replayed, the rest cut
// off), never a panic.
func FuzzOpenLog(f *testing.F) {
	f.Add(appendFrame(nil, 1, []byte(`{"k":"a","v":1}`)))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, segName(0)), b, 0o600); err != nil {
			t.Fatal(err)
		}
		l, res, err := OpenLog(dir, Options{}, newKV())
		if err != nil {
			return // a record the service refuses
		}
		defer l.Close()
		if res.Truncated < 0 || res.Truncated > int64(len(b)) {
			t.Fatalf("truncated %d of %d", res.Truncated, len(b))
		}
	})
}

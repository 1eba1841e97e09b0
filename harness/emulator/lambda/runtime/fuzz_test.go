package runtime

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"

	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime/ziptest"
)

// zipWith builds a zip from entries; a mode with ModeSymlink makes the
// content the link target.
func zipWith(t testing.TB, entries []struct {
	name    string
	content string
	mode    fs.FileMode
}) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.content))
	}
	zw.Close()
	return buf.Bytes()
}

type entry = struct {
	name    string
	content string
	mode    fs.FileMode
}

var hostileZip = []entry{
	{"../escape.txt", "x", 0o644},
	{"/abs.txt", "x", 0o644},
	{"a/../../escape2.txt", "x", 0o644},
	{"..\\escape3.txt", "x", 0o644},
	{"link", "/etc", fs.ModeSymlink | 0o777},
	{"link/passwd", "x", 0o644},
	{"up", "../..", fs.ModeSymlink | 0o777},
	{"up/escape4.txt", "x", 0o644},
	{"dir/", "", fs.ModeDir | 0o755},
	{"dir/inner.txt", "inside", 0o600},
	{"ok", "bootstrap", fs.ModeSymlink | 0o777},
	{"bootstrap", "#!/bin/sh\n", 0o755},
}

func TestUnzipStaysInside(t *testing.T) {
	outer := t.TempDir()
	src := filepath.Join(t.TempDir(), "code.zip")
	os.WriteFile(src, zipWith(t, hostileZip), 0o644)
	root := filepath.Join(outer, "root")
	os.Mkdir(root, 0o755)
	if _, err := unzipInto(src, root); err != nil {
		t.Fatal(err)
	}
	checkContained(t, outer, root)
	if b, err := os.ReadFile(filepath.Join(root, "dir", "inner.txt")); err != nil || string(b) != "inside" {
		t.Fatalf("inner file: %q %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(root, "bootstrap")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("bootstrap mode: %v %v", fi, err)
	}
	if target, err := os.Readlink(filepath.Join(root, "ok")); err != nil || target != "bootstrap" {
		t.Fatalf("a symlink inside the task was dropped: %q %v", target, err)
	}
	for _, escaped := range []string{"link", "up"} {
		if fi, err := os.Lstat(filepath.Join(root, escaped)); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			t.Errorf("symlink %s (pointing outside) was created", escaped)
		}
	}
}

// checkContained fails if outer holds anything but root, or if a symlink
// under root resolves outside it.
func checkContained(t testing.TB, outer, root string) {
	t.Helper()
	ents, _ := os.ReadDir(outer)
	for _, e := range ents {
		if e.Name() != filepath.Base(root) {
			t.Fatalf("%s was written outside the task root", e.Name())
		}
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, _ := os.Readlink(p)
		resolved := filepath.Clean(filepath.Join(filepath.Dir(p), target))
		if filepath.IsAbs(target) || !strings.HasPrefix(resolved, root) {
			t.Fatalf("symlink %s -> %s leaves the root", p, target)
		}
		return nil
	})
}

func TestUnzipBudget(t *testing.T) {
	src := filepath.Join(t.TempDir(), "bomb.zip")
	b := zeroBomb(t, MaxUnzippedSize>>20+1)
	os.WriteFile(src, b, 0o644)
	if err := CheckZip(b); err != ErrUnzippedSize {
		t.Fatalf("CheckZip: %v", err)
	}
	if _, err := unzipInto(src, t.TempDir()); err != ErrUnzippedSize {
		t.Fatalf("unzip: %v", err)
	}
}

// zeroBomb is a zip of one entry of 64 KiB + mib MiB of zeros (see
// ziptest.Zeros: a MiB to build, not minutes of deflate).
func zeroBomb(t *testing.T, mib int) []byte {
	t.Helper()
	b, err := ziptest.Zeros("big", mib)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzUnzip: whatever the archive, nothing lands outside the task root.
func FuzzUnzip(f *testing.F) {
	f.Add(zipWith(f, hostileZip))
	f.Add(zipWith(f, []entry{{"bootstrap", "x", 0o755}}))
	f.Add([]byte("PK\x03\x04not really"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmp := t.TempDir()
		src := filepath.Join(tmp, "in.zip")
		os.WriteFile(src, data, 0o644)
		outer := filepath.Join(tmp, "out")
		root := filepath.Join(outer, "root")
		os.MkdirAll(root, 0o755)
		_ = CheckZip(data)
		_, _ = unzipInto(src, root)
		checkContained(t, outer, root)
	})
}

// fuzzInstance is an instance with no process behind it, for driving the
// Runtime API handler directly.
func fuzzInstance(t testing.TB) *instance {
	x := &Executor{cfg: Config{Now: time.Now, Logs: func() cloud.LogWriter { return nil }}}
	p := &Pool{x: x, fn: &Function{Name: "f", Version: "$LATEST", Timeout: time.Second}, all: map[*instance]struct{}{}}
	r, w, err := newPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	inst := &instance{p: p, invokes: make(chan *invocation, 1), ready: make(chan struct{}), initFailed: make(chan struct{}),
		exited: make(chan struct{}), stopping: make(chan struct{}), pending: &logBuffer{}, state: stStopping}
	inst.logs, _ = newCapture(r, time.Now, inst.pending)
	go inst.logs.run()
	return inst
}

// FuzzRuntimeAPI sends arbitrary requests to an instance's Runtime API:
// it must answer every one with a Runtime API status, never panic, and
// end the current invocation at most once.
func FuzzRuntimeAPI(f *testing.F) {
	f.Add("GET", "/2018-06-01/runtime/invocation/next", "", "", []byte(nil))
	f.Add("POST", "/2018-06-01/runtime/invocation/req-1/response", "", "", []byte(`{"ok":true}`))
	f.Add("POST", "/2018-06-01/runtime/invocation/req-1/error", "Lambda-Runtime-Function-Error-Type", "Runtime.Err", []byte(`{"errorMessage":"x","errorType":"y"}`))
	f.Add("POST", "/2018-06-01/runtime/invocation/req-1/error", "", "", []byte(`not json`))
	f.Add("POST", "/2018-06-01/runtime/init/error", "Lambda-Runtime-Function-Error-Type", "Init", []byte(`{}`))
	f.Add("POST", "/2018-06-01/runtime/invocation/other/response", "", "", []byte(`{}`))
	f.Add("PUT", "/2018-06-01/runtime/invocation//response", "", "", []byte(nil))
	f.Add("GET", "/2018-06-01/runtime/invocation/req-1/response/extra", "", "", []byte(nil))
	inst := fuzzInstance(f)
	allowed := map[int]bool{200: true, 202: true, 400: true, 403: true, 404: true, 405: true, 413: true, 500: true}
	f.Fuzz(func(t *testing.T, method, path, hk, hv string, body []byte) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " #?%") || len(path) > 1000 {
			return
		}
		if _, err := url.ParseRequestURI(path); err != nil {
			return // not something an HTTP client could send
		}
		switch method {
		case "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH":
		default:
			return
		}
		inv := &invocation{req: &Request{RequestID: "req-1", Payload: []byte(`{}`)}, done: make(chan struct{}), logs: &logBuffer{}}
		inv.state.Store(invDelivered)
		inst.mu.Lock()
		inst.current = inv
		inst.mu.Unlock()
		req := httptest.NewRequest(method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if hk != "" && httpHeaderName(hk) {
			req.Header.Set(hk, strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f {
					return -1
				}
				return r
			}, hv))
		}
		rec := httptest.NewRecorder()
		inst.ServeHTTP(rec, req)
		if !allowed[rec.Code] {
			t.Fatalf("%s %s: status %d", method, path, rec.Code)
		}
		select {
		case <-inv.done:
			if inv.res.Outcome == FunctionError && !strings.HasPrefix(strings.TrimSpace(string(inv.res.Payload)), "{") {
				t.Fatalf("error payload is not an object: %q", inv.res.Payload)
			}
			inv.res.Release()
		default:
		}
		if rec.Code == http.StatusAccepted && path != pathInitError && inv.state.Load() != invEnded {
			t.Fatalf("202 without ending the invocation")
		}
	})
}

func httpHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// FuzzUnzipEntries builds archives from fuzzed names and link targets
// (random bytes rarely form a zip): a symlink, a file through it, a file.
func FuzzUnzipEntries(f *testing.F) {
	f.Add("link", "../..", "link/escape", "../x")
	f.Add("a/b", "/etc", "a/b/passwd", "a\\..\\..\\y")
	f.Add("ok", "bootstrap", "dir/../bootstrap", "./z")
	f.Fuzz(func(t *testing.T, link, target, through, plain string) {
		data := zipWith(t, []entry{
			{link, target, fs.ModeSymlink | 0o777},
			{through, "through", 0o644},
			{plain, "plain", 0o755},
		})
		tmp := t.TempDir()
		src := filepath.Join(tmp, "in.zip")
		os.WriteFile(src, data, 0o644)
		outer := filepath.Join(tmp, "out")
		root := filepath.Join(outer, "root")
		os.MkdirAll(root, 0o755)
		_, _ = unzipInto(src, root)
		checkContained(t, outer, root)
	})
}

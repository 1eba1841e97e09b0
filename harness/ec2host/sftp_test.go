package ec2host_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pkg/sftp"
)

func newSFTP(t *testing.T, f *fixture) *sftp.Client {
	t.Helper()
	c, err := sftp.NewClient(f.dial(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSFTPOperations(t *testing.T) {
	f := start(t, nil)
	c := newSFTP(t, f)
	dir := f.h.Dir()

	if wd, err := c.Getwd(); err != nil || wd != "/" {
		t.Fatalf("Getwd = %q, %v", wd, err)
	}
	data := make([]byte, 200<<10)
	rand.Read(data)
	w, err := c.Create("script.sh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "script.sh")); !bytes.Equal(got, data) {
		t.Fatal("put: file on disk differs")
	}
	r, err := c.Open("/script.sh")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("get: %d bytes, %v", len(got), err)
	}
	fi, err := c.Stat("script.sh")
	if err != nil || fi.Size() != int64(len(data)) || fi.IsDir() {
		t.Fatalf("Stat = %v, %v", fi, err)
	}
	if err := c.Chmod("script.sh", 0o755); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "script.sh")); fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode on disk = %v", fi.Mode())
	}
	if err := c.Mkdir("scripts"); err != nil {
		t.Fatal(err)
	}
	if err := c.MkdirAll("deep/er/est"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "deep/er/est")); err != nil || !fi.IsDir() {
		t.Fatalf("MkdirAll: %v", err)
	}
	if err := c.Rename("script.sh", "scripts/run.sh"); err != nil {
		t.Fatal(err)
	}
	// SFTP v3 rename does not replace (as OpenSSH); PosixRename does.
	if err := writeFile(c, "other.sh", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename("other.sh", "scripts/run.sh"); err == nil {
		t.Fatal("Rename replaced an existing file")
	}
	if err := c.PosixRename("other.sh", "scripts/run.sh"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "scripts/run.sh")); string(b) != "x" {
		t.Fatalf("after PosixRename: %q", b)
	}
	entries, err := c.ReadDir("/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) != 2 || names[0] != "deep" || names[1] != "scripts" {
		t.Fatalf("ReadDir = %v", names)
	}
	if err := c.Remove("scripts/run.sh"); err != nil {
		t.Fatal(err)
	}
	if err := c.Remove("scripts"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stat("scripts"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat removed dir: %v", err)
	}
	if _, err := c.Open("missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open missing: %v", err)
	}
	// The exec side sees what SFTP wrote, by the same relative name.
	writeFile(c, "hello.sh", []byte("echo hello from $0\n"))
	if r := exec(t, f.dial(t), "sh hello.sh", nil); string(r.stdout) != "hello from hello.sh\n" {
		t.Fatalf("%+v", r)
	}
}

func writeFile(c *sftp.Client, name string, data []byte) error {
	w, err := c.Create(name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	return w.Close()
}

func TestSFTPConfinedToDir(t *testing.T) {
	f := start(t, nil)
	c := newSFTP(t, f)
	dir := f.h.Dir()
	// A secret next to the sandbox, and links that try to reach out.
	outside := filepath.Join(filepath.Dir(dir), "outside-secret")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(outside) })
	for link, target := range map[string]string{
		"etclink":    "/etc",
		"up":         "..",
		"secretlink": "../outside-secret",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Symlink("/etc/passwd", "passwd"); err != nil { // creating is allowed…
		t.Fatal(err)
	}

	cases := []struct {
		name string
		do   func() error
		want error
	}{
		{"get ../../etc/passwd", func() error { return get(c, "../../etc/passwd") }, fs.ErrNotExist},
		{"get /etc/passwd", func() error { return get(c, "/etc/passwd") }, fs.ErrNotExist},
		{"get ../outside-secret", func() error { return get(c, "../outside-secret") }, fs.ErrNotExist},
		{"get through symlink to /etc", func() error { return get(c, "etclink/passwd") }, fs.ErrPermission},
		{"get symlink to ..", func() error { return get(c, "up/outside-secret") }, fs.ErrPermission},
		{"get symlink to a file outside", func() error { return get(c, "secretlink") }, fs.ErrPermission},
		{"get sftp-made symlink to /etc/passwd", func() error { return get(c, "passwd") }, fs.ErrPermission},
		{"stat symlink to /etc", func() error { _, err := c.Stat("etclink"); return err }, fs.ErrPermission},
		{"list symlink to /etc", func() error { _, err := c.ReadDir("etclink"); return err }, fs.ErrPermission},
		{"list symlink to ..", func() error { _, err := c.ReadDir("up"); return err }, fs.ErrPermission},
		{"put through symlink to ..", func() error { return writeFile(c, "up/planted", []byte("x")) }, fs.ErrPermission},
		{"mkdir through symlink to ..", func() error { return c.Mkdir("up/planted-dir") }, fs.ErrPermission},
		{"chmod through symlink", func() error { return c.Chmod("secretlink", 0o777) }, fs.ErrPermission},
		{"rename out through symlink", func() error { return c.Rename("hello", "up/moved") }, nil /* any error */},
		{"remove through symlink", func() error { return c.Remove("up/outside-secret") }, fs.ErrPermission},
	}
	writeFile(c, "hello", []byte("x"))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if err == nil {
				t.Fatal("allowed")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// "../x" and "/x" stay inside, as in an OpenSSH chroot.
	if err := writeFile(c, "../../x", []byte("in")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "x")); err != nil || string(b) != "in" {
		t.Fatalf("../../x not written inside the sandbox: %q %v", b, err)
	}
	for _, p := range []string{filepath.Join(filepath.Dir(dir), "x"), filepath.Join(filepath.Dir(dir), "planted"), filepath.Join(filepath.Dir(dir), "moved")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s written outside the sandbox", p)
		}
	}
	if b, _ := os.ReadFile(outside); string(b) != "secret" {
		t.Fatal("outside file changed")
	}
	if fi, _ := os.Stat(outside); fi.Mode().Perm() != 0o600 {
		t.Fatal("outside file's mode changed")
	}
	// Lstat and Readlink of the links themselves are fine: they are inside.
	if fi, err := c.Lstat("etclink"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat link: %v %v", fi, err)
	}
	if target, err := c.ReadLink("etclink"); err != nil || target != "/etc" {
		t.Fatalf("ReadLink = %q, %v", target, err)
	}
}

func get(c *sftp.Client, name string) error {
	r, err := c.Open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.ReadAll(r)
	return err
}

package deploy

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestBuildHandlerZipAndCache(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	path, sum, err := BuildHandler(ctx, "../../handlers/testfn")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filepath.ToSlash(path), "/build/lambda-cache/handlers-testfn-") {
		t.Fatalf("zip at %s", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	if sum != base64.StdEncoding.EncodeToString(h[:]) {
		t.Fatalf("sha %s is not the zip's", sum)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 {
		t.Fatalf("zip entries: %v", zr.File)
	}
	rc, _ := zr.File[0].Open()
	bin, _ := io.ReadAll(rc)
	rc.Close()
	ef, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("bootstrap is not an ELF binary: %v", err)
	}
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH]
	if want != 0 && ef.Machine != want {
		t.Fatalf("bootstrap is for %v", ef.Machine)
	}
	if ef.Section(".interp") != nil {
		t.Fatal("bootstrap is dynamically linked (CGO_ENABLED=0 expected)")
	}
	fi, _ := os.Stat(path)

	// A second build is a cache hit: same zip, untouched.
	path2, sum2, err := BuildHandler(ctx, "../../handlers/testfn")
	if err != nil || path2 != path || sum2 != sum {
		t.Fatalf("second build: %s %s %v", path2, sum2, err)
	}
	if fi2, _ := os.Stat(path); !fi2.ModTime().Equal(fi.ModTime()) {
		t.Fatal("the cached zip was rewritten")
	}
}

// tempModule writes a tiny main package in its own module.
func tempModule(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/tiny\n\ngo 1.22\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "cmd", "fn"), 0o755)
	os.WriteFile(filepath.Join(dir, "cmd", "fn", "main.go"), []byte(src), 0o644)
	return dir
}

func TestBuildHandlerRebuildsWhenSourcesChange(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	mod := tempModule(t, "package main\n\nfunc main() { println(1) }\n")
	pkg := filepath.Join(mod, "cmd", "fn")
	p1, s1, err := BuildHandler(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(p1) != filepath.Join(mod, "build", "lambda-cache") {
		t.Fatalf("cache outside the module: %s", p1)
	}
	os.WriteFile(filepath.Join(pkg, "main.go"), []byte("package main\n\nfunc main() { println(2) }\n"), 0o644)
	p2, s2, err := BuildHandler(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if p2 == p1 || s2 == s1 {
		t.Fatal("a source change did not rebuild")
	}
	if _, err := os.Stat(p1); !os.IsNotExist(err) {
		t.Fatal("the stale zip was kept")
	}
	// The same sources give the same zip, byte for byte.
	os.RemoveAll(filepath.Join(mod, "build"))
	p3, s3, err := BuildHandler(ctx, pkg)
	if err != nil || p3 != p2 || s3 != s2 {
		t.Fatalf("rebuild is not reproducible: %s %s %v", p3, s3, err)
	}
}

func TestBuildHandlerErrors(t *testing.T) {
	ctx := context.Background()
	lib := tempModule(t, "package fn\n\nfunc F() {}\n")
	if _, _, err := BuildHandler(ctx, filepath.Join(lib, "cmd", "fn")); err == nil || !strings.Contains(err.Error(), "not a main package") {
		t.Fatalf("library package: %v", err)
	}
	broken := tempModule(t, "package main\n\nfunc main() { undefined() }\n")
	if _, _, err := BuildHandler(ctx, filepath.Join(broken, "cmd", "fn")); err == nil || !strings.Contains(err.Error(), "undefined") {
		t.Fatalf("broken package: %v", err)
	}
	if _, _, err := BuildHandler(ctx, t.TempDir()); err == nil {
		t.Fatal("a directory outside any module built")
	}
}

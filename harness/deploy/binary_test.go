package deploy

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBuildBinaryStaticAndCached(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := tempModule(t, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"tiny\") }\n")
	bin, err := BuildBinary(ctx, filepath.Join(dir, "cmd", "fn"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filepath.ToSlash(bin), "/build/bin-cache/cmd-fn-") {
		t.Fatalf("binary at %s", bin)
	}
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("not an ELF binary: %v", err)
	}
	if ef.Section(".interp") != nil {
		t.Fatal("dynamically linked (CGO_ENABLED=0 expected)")
	}
	ef.Close()
	if out, err := exec.Command(bin).Output(); err != nil || string(out) != "tiny\n" {
		t.Fatalf("run: %q %v", out, err)
	}
	fi, _ := os.Stat(bin)

	again, err := BuildBinary(ctx, filepath.Join(dir, "cmd", "fn"))
	if err != nil || again != bin {
		t.Fatalf("second build: %s %v", again, err)
	}
	if fi2, _ := os.Stat(bin); !fi2.ModTime().Equal(fi.ModTime()) {
		t.Fatal("the cached binary was rewritten")
	}

	// A change of source is a new binary; the old one is pruned.
	os.WriteFile(filepath.Join(dir, "cmd", "fn", "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	changed, err := BuildBinary(ctx, filepath.Join(dir, "cmd", "fn"))
	if err != nil || changed == bin {
		t.Fatalf("after a change: %s %v", changed, err)
	}
	if _, err := os.Stat(bin); !os.IsNotExist(err) {
		t.Fatalf("old binary kept: %v", err)
	}

	if _, err := BuildBinary(ctx, filepath.Join(dir, "cmd")); err == nil {
		t.Fatal("a directory without a main package built")
	}
}

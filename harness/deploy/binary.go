package deploy

import (
	"context"
	"os"
	"path/filepath"
)

// binCacheDirName is where static binaries are kept, under the module root.
const binCacheDirName = "build/bin-cache"

// BuildBinary builds the main package in pkgDir as a static Linux binary
// (CGO_ENABLED=0, the host's architecture, the handlers' flags) and returns
// its path. Binaries are cached under <module root>/build/bin-cache by the
// same source hash as BuildHandler's zips, so an unchanged package is never
// compiled twice; the container backend puts the result in its image.
func BuildBinary(ctx context.Context, pkgDir string) (string, error) {
	t, err := resolveTarget(ctx, pkgDir, binCacheDirName)
	if err != nil {
		return "", err
	}
	cacheDir, prefix, bin := t.cacheDir, t.prefix, t.entry
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	unlock := lockKey(bin)
	defer unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(cacheDir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	tmp := filepath.Join(work, filepath.Base(bin))
	if err := goBuild(ctx, t.dir, t.env, tmp); err != nil {
		return "", err
	}
	// The rename is atomic, so a concurrent process sees the whole binary or none.
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	pruneOldBinaries(cacheDir, prefix, filepath.Base(bin))
	return bin, nil
}

// pruneOldBinaries keeps one binary per package.
func pruneOldBinaries(cacheDir, prefix, keep string) {
	entries, err := os.ReadDir(cacheDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if n == keep || e.IsDir() || len(n) != len(prefix)+1+24 || n[:len(prefix)+1] != prefix+"-" {
			continue
		}
		os.Remove(filepath.Join(cacheDir, n))
	}
}

package deploy

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Build settings of every handler: a static linux binary named bootstrap
// for the provided.al2023 runtime, without aws-lambda-go's RPC mode.
const (
	buildTags    = "lambda.norpc"
	buildLDFlags = "-s -w"
	// cacheDirName is where zips are kept, under the module root.
	cacheDirName = "build/lambda-cache"
	// cacheSchema changes when what goes into a zip changes.
	cacheSchema = "groundstack-lambda-build/1"
)

// zipEpoch is the timestamp of every zip entry, so the same binary always
// gives the same zip (and the same CodeSha256).
var zipEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// BuildHandler builds the Go Lambda handler package in pkgDir into a zip
// holding one executable "bootstrap" (mode 0755) for the host's
// architecture, and returns the zip's path and its base64 SHA-256 (the
// form of Lambda's CodeSha256). Zips are cached under
// <module root>/build/lambda-cache by a hash of the package's sources, the
// sources of the module's packages it imports, go.mod, go.sum and the Go
// version, so building an unchanged handler again runs no compiler.
func BuildHandler(ctx context.Context, pkgDir string) (zipPath, sha string, err error) {
	t, err := resolveTarget(ctx, pkgDir, cacheDirName)
	if err != nil {
		return "", "", err
	}
	dir, env, cacheDir, prefix := t.dir, t.env, t.cacheDir, t.prefix
	zipPath = t.entry + ".zip"
	defer func() {
		if err == nil {
			recordBuild(zipPath, dir)
		}
	}()
	if sha, err := os.ReadFile(zipPath + ".sha256"); err == nil {
		if _, err := os.Stat(zipPath); err == nil {
			return zipPath, strings.TrimSpace(string(sha)), nil
		}
	}
	unlock := lockKey(zipPath)
	defer unlock()
	if sha, err := os.ReadFile(zipPath + ".sha256"); err == nil {
		if _, err := os.Stat(zipPath); err == nil {
			return zipPath, strings.TrimSpace(string(sha)), nil
		}
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", "", err
	}
	work, err := os.MkdirTemp(cacheDir, "build-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "bootstrap")
	if err := goBuild(ctx, dir, env, bin); err != nil {
		return "", "", err
	}
	tmpZip := filepath.Join(work, "bootstrap.zip")
	sum, err := zipBootstrap(bin, tmpZip)
	if err != nil {
		return "", "", err
	}
	if err := os.Rename(tmpZip, zipPath); err != nil {
		return "", "", err
	}
	if err := writeFileAtomic(zipPath+".sha256", []byte(sum+"\n")); err != nil {
		return "", "", err
	}
	pruneOld(cacheDir, prefix, filepath.Base(zipPath))
	return zipPath, sum, nil
}

// buildTarget is a package to build and where its cached result goes.
type buildTarget struct {
	dir, cacheDir, prefix string
	env                   []string
	// entry is the cache path without extension: prefix-<24 hex of the source key>.
	entry string
}

// resolveTarget finds pkgDir's module, hashes its sources (see sourceKey)
// and names its entry in the cache directory cacheRel of the module.
func resolveTarget(ctx context.Context, pkgDir, cacheRel string) (buildTarget, error) {
	dir, err := filepath.Abs(pkgDir)
	if err != nil {
		return buildTarget{}, err
	}
	modRoot, err := moduleRoot(dir)
	if err != nil {
		return buildTarget{}, err
	}
	t := buildTarget{dir: dir, env: buildEnv(), cacheDir: filepath.Join(modRoot, filepath.FromSlash(cacheRel)), prefix: cachePrefix(modRoot, dir)}
	key, err := sourceKey(ctx, dir, modRoot, t.env)
	if err != nil {
		return buildTarget{}, err
	}
	t.entry = filepath.Join(t.cacheDir, t.prefix+"-"+key[:24])
	return t, nil
}

// goBuild compiles the main package in dir to out with the handlers'
// flags; a failure carries the compiler's output.
func goBuild(ctx context.Context, dir string, env []string, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", buildTags, "-trimpath", "-buildvcs=false",
		"-ldflags", buildLDFlags, "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = env
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", dir, err, output.String())
	}
	return nil
}

// buildEnv is the host's environment with the cross-compilation settings
// forced: the handler must run on Lambda's Linux, without cgo.
func buildEnv() []string {
	env := make([]string, 0, len(os.Environ())+3)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOOS", "GOARCH", "CGO_ENABLED":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
}

func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		d = parent
	}
}

// cachePrefix names a package's zips after its path in the module
// ("handlers-testfn").
func cachePrefix(modRoot, dir string) string {
	rel, err := filepath.Rel(modRoot, dir)
	if err != nil || rel == "." {
		rel = filepath.Base(dir)
	}
	return strings.NewReplacer(string(filepath.Separator), "-", ".", "_").Replace(rel)
}

// sourceKey hashes everything the build reads from this module: the files
// of every package of the main module the handler depends on (as go list
// sees them for linux with the build tags), go.mod, go.sum, the Go version
// and the build settings. Dependencies outside the module are pinned by
// go.sum.
func sourceKey(ctx context.Context, dir, modRoot string, env []string) (string, error) {
	goVersion, err := goVersion(ctx, env)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-tags", buildTags, "-deps",
		"-f", `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{"\t"}}{{.Name}}{{"\t"}}{{join .GoFiles ","}}{{"\t"}}{{join .EmbedFiles ","}}{{end}}{{end}}`, ".")
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %v\n%s", dir, err, stderr.String())
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%s\n%s\n", cacheSchema, goVersion, runtime.GOARCH, buildTags, buildLDFlags)
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := hashFile(h, modRoot, filepath.Join(modRoot, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	lines := strings.Split(strings.TrimRight(string(out), "\r\n"), "\n")
	sort.Strings(lines)
	isMain := false
	for _, line := range lines {
		if line == "" {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 4 {
			return "", fmt.Errorf("go list: unexpected line %q", line)
		}
		pkgDir, name := parts[0], parts[1]
		if pkgDir == dir && name == "main" {
			isMain = true
		}
		var files []string
		for _, group := range parts[2:] {
			if group != "" {
				files = append(files, strings.Split(group, ",")...)
			}
		}
		sort.Strings(files)
		for _, f := range files {
			if err := hashFile(h, modRoot, filepath.Join(pkgDir, f)); err != nil {
				return "", err
			}
		}
	}
	if !isMain {
		return "", fmt.Errorf("%s is not a main package", dir)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(h io.Writer, modRoot, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rel, _ := filepath.Rel(modRoot, path)
	fh := sha256.New()
	if _, err := io.Copy(fh, f); err != nil {
		return err
	}
	fmt.Fprintf(h, "%s %x\n", filepath.ToSlash(rel), fh.Sum(nil))
	return nil
}

var (
	goVersionMu  sync.Mutex
	goVersionStr string
)

// goVersion asks the go command in PATH (the one that builds) once per
// process.
func goVersion(ctx context.Context, env []string) (string, error) {
	goVersionMu.Lock()
	defer goVersionMu.Unlock()
	if goVersionStr != "" {
		return goVersionStr, nil
	}
	cmd := exec.CommandContext(ctx, "go", "env", "GOVERSION")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env GOVERSION: %v", err)
	}
	goVersionStr = strings.TrimSpace(string(out))
	return goVersionStr, nil
}

// zipBootstrap writes a deterministic zip holding bin as "bootstrap" with
// mode 0755, and returns its base64 SHA-256.
func zipBootstrap(bin, dst string) (string, error) {
	in, err := os.Open(bin)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	zw := zip.NewWriter(io.MultiWriter(out, h))
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipEpoch}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = io.Copy(w, in)
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// pruneOld removes the package's earlier zips: the cache keeps one per
// package.
func pruneOld(cacheDir, prefix, keep string) {
	entries, err := os.ReadDir(cacheDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".zip") || n == keep || !strings.HasPrefix(n, prefix+"-") {
			continue
		}
		// Only names made of prefix + "-" + 24 hex digits are ours.
		if k := strings.TrimSuffix(strings.TrimPrefix(n, prefix+"-"), ".zip"); len(k) != 24 || strings.Contains(k, "-") {
			continue
		}
		os.Remove(filepath.Join(cacheDir, n))
		os.Remove(filepath.Join(cacheDir, n+".sha256"))
	}
}

var (
	keyLocksMu sync.Mutex
	keyLocks   = map[string]*sync.Mutex{}
)

// lockKey serialises builds of one zip within this process.
func lockKey(k string) func() {
	keyLocksMu.Lock()
	m, ok := keyLocks[k]
	if !ok {
		m = &sync.Mutex{}
		keyLocks[k] = m
	}
	keyLocksMu.Unlock()
	m.Lock()
	return m.Unlock
}

// SourceRoot finds the groundstack checkout: from the working directory
// up, else from this source file's location.
func SourceRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, d := range starts {
		for {
			if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/groundstack/groundstack\n")) {
				return d, nil
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return "", errors.New("the groundstack sources (go.mod) are not above the working directory; run from the checkout")
}

// BuildFlowHandler builds the handler package pkg ("handlers/scriptrunner/api")
// of the groundstack checkout; see BuildHandler.
func BuildFlowHandler(ctx context.Context, pkg string) (zipPath, sha string, err error) {
	root, err := SourceRoot()
	if err != nil {
		return "", "", err
	}
	return BuildHandler(ctx, filepath.Join(root, filepath.FromSlash(pkg)))
}

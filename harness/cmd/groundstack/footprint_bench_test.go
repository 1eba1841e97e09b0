package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/groundstack/groundstack/harness/backend"
)

// The footprint of `groundstack up` (no flows, every service registered),
// measured as PERFORMANCE.md says peers publish theirs:
//   - ready: from starting the process to the first 200 from /_localstack/health;
//   - RSS: VmRSS of /proc/<pid>/status one second after ready;
//   - the binary's size, built as `make build` and the image build it;
//   - the container image's size, when a Docker engine answers.
//
// The figures of the previous version are printed beside ours. It is the
// merge-base of HEAD with main, built from `git archive` in a temporary
// directory (FOOTPRINT_BASE=<rev> picks another revision); on main itself,
// in a shallow clone or when that build fails, the figures recorded in
// testdata/footprint-baseline.json stand in (FOOTPRINT_BASE=recorded asks
// for them, FOOTPRINT_BASE=none for no comparison). FOOTPRINT_RECORD=1
// writes this run's figures to that file.
//
//	go test -run '^$' -bench Footprint -benchtime 5x ./harness/cmd/groundstack
const (
	envFootprintBase   = "FOOTPRINT_BASE"
	envFootprintRecord = "FOOTPRINT_RECORD"
	footprintBaseline  = "testdata/footprint-baseline.json"
	// footprintSettle is how long after ready RSS is read.
	footprintSettle = time.Second
)

// buildFlags are `make build`'s, which the container image uses too.
var buildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// footprint is one version's figures; medians over the starts measured.
type footprint struct {
	Rev      string  `json:"rev"`
	Note     string  `json:"note,omitempty"`
	ReadyMS  float64 `json:"ready_ms"`
	RSSMiB   float64 `json:"rss_mib"`
	BinaryMB float64 `json:"binary_mb"`
	ImageMB  float64 `json:"image_mb,omitempty"`
	// ContainerReadyMS is docker run to a healthy edge (the backend's wait).
	ContainerReadyMS float64 `json:"container_ready_ms,omitempty"`
}

func BenchmarkFootprint(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("footprint: RSS is read from /proc (Linux only)")
	}
	root := footprintRoot(b)
	cur := footprint{Rev: "HEAD"}
	if rev, err := git(root, "rev-parse", "--short", "HEAD"); err == nil {
		cur.Rev = rev
	}
	if dirty, _ := git(root, "status", "--porcelain", "--untracked-files=no"); dirty != "" {
		cur.Rev += "+changes"
	}
	curBin := buildGroundstack(b, root, "current")
	base, baseBin := footprintBase(b, root)

	b.Run("process=current", func(b *testing.B) { measureProcess(b, curBin, &cur) })
	if baseBin != "" {
		b.Run("process=base", func(b *testing.B) { measureProcess(b, baseBin, &base) })
	}
	// The base first: the image built last keeps the groundstack:dev tag.
	if baseBin != "" {
		b.Run("image=base", func(b *testing.B) { measureImage(b, baseBin, &base) })
	}
	b.Run("image=current", func(b *testing.B) { measureImage(b, curBin, &cur) })
	// On stdout: a parent benchmark's b.Log is not shown.
	fmt.Print(footprintTable(base, cur))
	if os.Getenv(envFootprintRecord) == "1" {
		cur.Note = fmt.Sprintf("recorded by BenchmarkFootprint, %s, %s/%s, %d CPUs, %s", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
		out, _ := json.MarshalIndent(cur, "", "  ")
		if err := os.WriteFile(filepath.Join(root, "harness", "cmd", "groundstack", footprintBaseline), append(out, '\n'), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// measureProcess starts bin b.N times and reports the median figures.
func measureProcess(b *testing.B, bin string, f *footprint) {
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	var ready, rss []float64
	for i := 0; i < b.N; i++ {
		r, kib := startOnce(b, bin)
		ready = append(ready, float64(r.Microseconds())/1000)
		rss = append(rss, float64(kib)/1024)
	}
	f.ReadyMS, f.RSSMiB, f.BinaryMB = median(ready), median(rss), float64(st.Size())/1e6
	b.ReportMetric(f.ReadyMS, "ready-ms")
	b.ReportMetric(f.RSSMiB, "rss-MiB")
	b.ReportMetric(f.BinaryMB, "binary-MB")
}

// startOnce runs `bin up` on a free port, times it to the first healthy
// answer, reads its RSS a second later and stops it.
func startOnce(b *testing.B, bin string) (time.Duration, int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	health := fmt.Sprintf("http://127.0.0.1:%d/_localstack/health", port)
	// A fresh connection per poll: the first 200 is the measure, not a
	// connection accepted early.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "up", "--port", strconv.Itoa(port))
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()
	var ready time.Duration
	for {
		resp, err := client.Get(health)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = time.Since(start)
				break
			}
		}
		select {
		case err := <-exited:
			b.Fatalf("%s up exited before it was healthy: %v\n%s", bin, err, stderr.String())
		default:
		}
		if time.Since(start) > 30*time.Second {
			b.Fatalf("%s up: not healthy after 30 s (%v)\n%s", bin, err, stderr.String())
		}
		// Short enough not to hide milliseconds, long enough to leave the
		// starting process a core of its own.
		time.Sleep(200 * time.Microsecond)
	}
	time.Sleep(footprintSettle)
	kib, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	return ready, kib
}

// vmRSS reads VmRSS (KiB) from /proc/<pid>/status.
func vmRSS(pid int) (int, error) {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(s), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			return strconv.Atoi(f[1])
		}
	}
	return 0, errors.New("no VmRSS in /proc/<pid>/status")
}

// measureImage builds the container backend's image around bin (busybox
// and the CA bundle included when the host has them), runs it b.N times
// and reports its size and the container's run-to-healthy time.
func measureImage(b *testing.B, bin string, f *footprint) {
	ctx := context.Background()
	tclog.SetDefault(tclog.NewNoopLogger()) // its "Connected to docker" banner
	if err := backend.DockerAvailable(ctx); err != nil {
		// On stdout too: a skipped benchmark's message is not shown.
		fmt.Printf("footprint: no image figures: %v\n", err)
		b.Skipf("no image figures: %v", err)
	}
	var ready []float64
	image := ""
	for i := 0; i < b.N; i++ {
		c, err := backend.StartContainer(ctx, backend.WithBinary(bin))
		if err != nil {
			b.Fatal(err)
		}
		ready = append(ready, float64(c.Startup().Microseconds())/1000)
		image = c.Image()
		if err := c.Close(); err != nil {
			b.Fatal(err)
		}
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		b.Fatal(err)
	}
	defer cli.Close()
	img, err := cli.ImageInspect(ctx, image)
	if err != nil {
		b.Fatal(err)
	}
	f.ImageMB, f.ContainerReadyMS = float64(img.Size)/1e6, median(ready)
	b.ReportMetric(f.ImageMB, "image-MB")
	b.ReportMetric(f.ContainerReadyMS, "container-ready-ms")
}

// footprintBase picks the version to compare with: a revision built here,
// or the recorded figures (then the binary is "").
func footprintBase(b *testing.B, root string) (footprint, string) {
	spec := strings.TrimSpace(os.Getenv(envFootprintBase))
	recorded := func(why string) (footprint, string) {
		var f footprint
		raw, err := os.ReadFile(filepath.Join(root, "harness", "cmd", "groundstack", footprintBaseline))
		if err == nil {
			err = json.Unmarshal(raw, &f)
		}
		if err != nil {
			fmt.Printf("footprint: no base figures (%s; %s: %v)\n", why, footprintBaseline, err)
			return footprint{}, ""
		}
		f.Rev, f.Note = "recorded "+f.Rev, fmt.Sprintf("%s (%s), %s", footprintBaseline, why, f.Note)
		return f, ""
	}
	var rev string
	switch spec {
	case "none":
		return footprint{}, ""
	case "recorded":
		return recorded(envFootprintBase + "=recorded")
	case "":
		head, err := git(root, "rev-parse", "HEAD")
		if err != nil {
			return recorded("no git history: " + err.Error())
		}
		if rev, err = git(root, "merge-base", "HEAD", "main"); err != nil {
			return recorded("no merge-base with main")
		}
		if rev == head {
			return recorded("HEAD is on main")
		}
	default:
		var err error
		if rev, err = git(root, "rev-parse", "--verify", spec+"^{commit}"); err != nil {
			b.Fatalf("%s=%s: %v", envFootprintBase, spec, err)
		}
	}
	short, _ := git(root, "rev-parse", "--short", rev)
	bin, err := buildRevision(b, root, rev)
	if err != nil {
		if spec != "" {
			b.Fatalf("build %s: %v", spec, err)
		}
		return recorded(fmt.Sprintf("building %s failed: %v", short, firstLines(err.Error(), 3)))
	}
	return footprint{Rev: short}, bin
}

// buildRevision extracts rev with git archive and builds its groundstack.
func buildRevision(b *testing.B, root, rev string) (string, error) {
	src := filepath.Join(b.TempDir(), "src")
	cmd := exec.Command("git", "archive", "--format=tar", rev)
	cmd.Dir = root
	tarball, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git archive %s: %w", rev, err)
	}
	if err := untar(bytes.NewReader(tarball), src); err != nil {
		return "", err
	}
	return goBuildGroundstack(src, b.TempDir())
}

func buildGroundstack(b *testing.B, root, name string) string {
	bin, err := goBuildGroundstack(root, filepath.Join(b.TempDir(), name))
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// goBuildGroundstack builds src's ./harness/cmd/groundstack into dir as a
// static Linux binary with buildFlags.
func goBuildGroundstack(src, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "groundstack")
	args := append([]string{"build", "-buildvcs=false"}, buildFlags...)
	cmd := exec.Command("go", append(args, "-o", bin, "./harness/cmd/groundstack")...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in %s: %v\n%s", src, err, out)
	}
	return bin, nil
}

func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(name, filepath.Clean(dir)+string(filepath.Separator)) {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(name, 0o755)
		case tar.TypeReg:
			err = writeTarFile(name, tr, os.FileMode(h.Mode)&0o777)
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, name)
		}
		if err != nil {
			return err
		}
	}
}

func writeTarFile(name string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

// footprintTable prints base and current side by side.
func footprintTable(base, cur footprint) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "footprint of `groundstack up` (no flows)\n%-28s %14s %14s %9s\n", "", "base", "current", "delta")
	row := func(name string, a, c float64, unit string) {
		cell := func(v float64) string {
			if v == 0 {
				return "—"
			}
			return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
		}
		delta := ""
		if a != 0 && c != 0 {
			delta = fmt.Sprintf("%+.0f%%", (c-a)/a*100)
		}
		fmt.Fprintf(&sb, "%-28s %14s %14s %9s\n", name, cell(a), cell(c), delta)
	}
	fmt.Fprintf(&sb, "%-28s %14s %14s\n", "revision", orDash(base.Rev), cur.Rev)
	row("start to healthy", base.ReadyMS, cur.ReadyMS, "ms")
	row("idle RSS (1 s after ready)", base.RSSMiB, cur.RSSMiB, "MiB")
	row("binary", base.BinaryMB, cur.BinaryMB, "MB")
	row("container image", base.ImageMB, cur.ImageMB, "MB")
	row("container run to healthy", base.ContainerReadyMS, cur.ContainerReadyMS, "ms")
	if base.Note != "" {
		fmt.Fprintf(&sb, "base: %s\n", base.Note)
	}
	return sb.String()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// footprintRoot is the module root above the test's directory.
func footprintRoot(b *testing.B) string {
	d, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			b.Fatal("no go.mod above the test's directory")
		}
		d = parent
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " ")
}

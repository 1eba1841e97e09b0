package backend

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/groundstack/groundstack/harness/deploy"
)

//go:embed container/Dockerfile
var emulatorDockerfile []byte

// hostCABundle is where Debian-like hosts keep the CA bundle the image
// copies (handlers that call HTTPS endpoints need one).
const hostCABundle = "/etc/ssl/certs/ca-certificates.crt"

// keepImages is how many earlier images of a role stay after a build.
const keepImages = 2

// contextFile is one entry of a build context; a name ending in "/" is a
// directory, an entry with a link a symbolic link.
type contextFile struct {
	name string
	mode int64
	data []byte
	link string
}

// imageSpec is an image built FROM scratch out of files we hand Docker.
type imageSpec struct {
	repo       string // "groundstack"
	role       string // value of LabelImage
	dockerfile []byte
	files      []contextFile
	// dev also tags the image <repo>:dev (not for tests' variants).
	dev bool
}

// tag names the image by a hash of everything in its context, so an
// unchanged binary finds its image and builds nothing.
func (s imageSpec) tag() string {
	h := sha256.New()
	fmt.Fprintf(h, "Dockerfile %x\n", sha256.Sum256(s.dockerfile))
	files := append([]contextFile(nil), s.files...)
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	for _, f := range files {
		fmt.Fprintf(h, "%s %o %x %s\n", f.name, f.mode, sha256.Sum256(f.data), f.link)
	}
	return s.repo + ":" + hex.EncodeToString(h.Sum(nil))[:16]
}

// archive is the build context as a tar, Dockerfile first; modes come
// from the spec, not from the host's umask.
func (s imageSpec) archive() ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	write := func(f contextFile) error {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, ModTime: epoch, Typeflag: tar.TypeReg, Size: int64(len(f.data))}
		switch {
		case strings.HasSuffix(f.name, "/"):
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		case f.link != "":
			hdr.Typeflag, hdr.Size, hdr.Linkname, hdr.Mode = tar.TypeSymlink, 0, f.link, 0o777
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(f.data)
		return err
	}
	if err := write(contextFile{name: "Dockerfile", mode: 0o644, data: s.dockerfile}); err != nil {
		return nil, err
	}
	// Parents before children, so every directory has the mode we chose.
	files := append([]contextFile(nil), s.files...)
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	for _, f := range files {
		if err := write(f); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// emulatorImage is the spec of the emulator's image around binary; shell
// (busyboxFiles, or none) is what EC2 instances' hosts, which run inside
// the emulator, get to run commands with.
func emulatorImage(binary []byte, dockerfile []byte, shell []contextFile) imageSpec {
	files := []contextFile{
		{name: "rootfs/", mode: 0o755},
		{name: "rootfs/groundstack", mode: 0o755, data: binary},
		{name: "rootfs/tmp/", mode: 0o1777},
	}
	files = append(files, caBundleFiles()...)
	files = append(files, shell...)
	role, dev := "emulator", true
	if !bytes.Equal(dockerfile, emulatorDockerfile) {
		role, dev = "emulator-custom", false // tests' variants never prune nor retag the real image
	}
	return imageSpec{repo: "groundstack", role: role, dockerfile: dockerfile, files: files, dev: dev}
}

// caBundleFiles copies the host's CA bundle when it has one.
func caBundleFiles() []contextFile {
	b, err := os.ReadFile(hostCABundle)
	if err != nil {
		return nil
	}
	return []contextFile{
		{name: "rootfs/etc/", mode: 0o755},
		{name: "rootfs/etc/ssl/", mode: 0o755},
		{name: "rootfs/etc/ssl/certs/", mode: 0o755},
		{name: "rootfs/etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: b},
	}
}

// groundstackBinary reads the static Linux binary the image carries: the
// one given, or the checkout's harness/cmd/groundstack built (and cached)
// by harness/deploy.
func groundstackBinary(ctx context.Context, path string) ([]byte, error) {
	if path == "" {
		root, err := deploy.SourceRoot()
		if err != nil {
			return nil, fmt.Errorf("backend: the container backend builds groundstack from the checkout (or set %s or %s): %w", EnvBinary, EnvImage, err)
		}
		if path, err = deploy.BuildBinary(ctx, filepath.Join(root, "harness", "cmd", "groundstack")); err != nil {
			return nil, fmt.Errorf("backend: build groundstack for the image: %w", err)
		}
	}
	if err := checkStaticLinux(path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// checkStaticLinux refuses what cannot run FROM scratch.
func checkStaticLinux(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("backend: %s is not a Linux binary (build it with CGO_ENABLED=0 GOOS=linux): %w", path, err)
	}
	defer f.Close()
	if f.Section(".interp") != nil {
		return fmt.Errorf("backend: %s is dynamically linked and cannot run FROM scratch: build it with CGO_ENABLED=0", path)
	}
	return nil
}

var (
	buildLocksMu sync.Mutex
	buildLocks   = map[string]*sync.Mutex{}
)

// ensureImage builds spec's image unless Docker already has it, and
// returns its tag. A build's failure carries the build's last lines.
func ensureImage(ctx context.Context, cli client.APIClient, spec imageSpec) (string, error) {
	tag := spec.tag()
	if _, err := cli.ImageInspect(ctx, tag); err == nil {
		return tag, nil
	}
	buildLocksMu.Lock()
	mu, ok := buildLocks[tag]
	if !ok {
		mu = &sync.Mutex{}
		buildLocks[tag] = mu
	}
	buildLocksMu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	if _, err := cli.ImageInspect(ctx, tag); err == nil {
		return tag, nil
	}
	archive, err := spec.archive()
	if err != nil {
		return "", err
	}
	provider, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(tclog.NewNoopLogger()))
	if err != nil {
		return "", fmt.Errorf("%w (%s)", ErrDockerUnavailable, firstLine(err.Error()))
	}
	defer provider.Close()
	repo, version, _ := strings.Cut(tag, ":")
	var buildLog bytes.Buffer
	req := &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		ContextArchive: bytes.NewReader(archive),
		Dockerfile:     "Dockerfile",
		Repo:           repo,
		Tag:            version,
		KeepImage:      true,
		BuildLogWriter: &buildLog,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			o.Labels = map[string]string{LabelImage: spec.role}
			if spec.dev {
				o.Tags = append(o.Tags, repo+":dev")
			}
		},
	}}
	if _, err := provider.BuildImage(ctx, req); err != nil {
		return "", fmt.Errorf("backend: building image %s failed: %v; the build's last lines:\n%s",
			tag, firstLine(err.Error()), indent(lastLines(buildLog.String(), 20)))
	}
	pruneImages(ctx, cli, spec.role, tag)
	return tag, nil
}

// pruneImages removes all but the newest few images of a role; images a
// container still uses stay (Docker refuses without force).
func pruneImages(ctx context.Context, cli client.APIClient, role, keep string) {
	list, err := cli.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("label", LabelImage+"="+role)})
	if err != nil {
		return
	}
	imgs := list.Items
	sort.Slice(imgs, func(i, j int) bool { return imgs[i].Created > imgs[j].Created })
	kept := 0
	for _, img := range imgs {
		mine := false
		for _, t := range img.RepoTags {
			mine = mine || t == keep
		}
		if mine || kept < keepImages {
			if !mine {
				kept++
			}
			continue
		}
		for _, t := range img.RepoTags {
			cli.ImageRemove(ctx, t, client.ImageRemoveOptions{})
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, "\n")
	if strings.TrimSpace(out) == "" {
		return "(no build output)"
	}
	return out
}

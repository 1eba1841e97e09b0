package runtime

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"sync"
	"syscall"
)

// Sandbox says how an instance is kept to its own files, as far as this
// machine allows.
type Sandbox string

const (
	// SandboxNamespace: each instance runs in a private mount namespace
	// where the code, layers and runtime clients (the whole cache
	// directory) are a read-only bind mount (writes fail with EROFS, as on
	// AWS) and /tmp is the instance's own tmpfs of EphemeralStorage's size
	// (writes past it fail with ENOSPC), gone with the instance. Needs
	// CAP_SYS_ADMIN (root).
	SandboxNamespace Sandbox = "namespace"
	// SandboxFiles: the code and layers are unpacked without write
	// permission (EACCES for a non-root handler; root ignores file modes)
	// and TMPDIR is a per-instance directory, removed with the instance,
	// whose size is not enforced.
	SandboxFiles Sandbox = "files"
)

// Sandbox reports the isolation this executor gives instances (decided
// once, by trying).
func (x *Executor) Sandbox() Sandbox {
	x.sandboxOnce.Do(func() {
		x.sandbox = SandboxFiles
		if !x.cfg.NoNamespaces && probeMountNamespace() == nil {
			x.sandbox = SandboxNamespace
		}
	})
	return x.sandbox
}

// probeMountNamespace tries, on a thread thrown away afterwards, what every
// namespaced start does first.
func probeMountNamespace() error {
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread ends with this goroutine, taking its
		// namespace with it.
		lockOtherThanMain()
		errc <- enterPrivateMountNamespace()
	}()
	return <-errc
}

// lockOtherThanMain locks the goroutine to its thread, trying not to take
// the main thread: Go cannot end that one when the goroutine ends locked
// (it parks it for good), and a thread in a namespace of its own must end.
func lockOtherThanMain() {
	for range 100 {
		goruntime.LockOSThread()
		if syscall.Gettid() != syscall.Getpid() {
			return
		}
		goruntime.UnlockOSThread()
		goruntime.Gosched()
	}
	// Stuck on the main thread: go on; what the namespace holds is
	// unmounted before the goroutine ends (see startSandboxed).
	goruntime.LockOSThread()
}

// enterPrivateMountNamespace moves the calling thread into a mount
// namespace of its own whose mounts never propagate back to the host.
func enterPrivateMountNamespace() error {
	if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
		return err
	}
	return syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, "")
}

// startSandboxed starts cmd with the instance's view of the filesystem.
// release must be called once the process is reaped: in namespace mode the
// child was forked from a thread of its own, which must live as long as
// the child (Pdeathsig fires when the forking thread ends).
func (x *Executor) startSandboxed(cmd *exec.Cmd, tmpMB int) (release func(), err error) {
	if x.Sandbox() != SandboxNamespace {
		return func() {}, cmd.Start()
	}
	dir := x.cache.dir
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		// Never unlocked: the thread's namespace is not the emulator's,
		// so it must end with this goroutine.
		lockOtherThanMain()
		entered, err := mountSandbox(dir, tmpMB)
		if entered {
			// The tmpfs is freed now, even on a thread that cannot end.
			defer unmountSandbox(dir)
		}
		if err != nil {
			errc <- err
			return
		}
		err = cmd.Start()
		errc <- err
		if err == nil {
			<-done
		}
	}()
	if err := <-errc; err != nil {
		return nil, err
	}
	return sync.OnceFunc(func() { close(done) }), nil
}

// mountSandbox builds, in a new mount namespace for the calling (locked)
// thread, what a child forked from it sees: a tmpfs of tmpMB MB on /tmp
// and the cache directory (code, layers, runtime clients) read-only at its
// usual path, even when it lies under /tmp.
// entered reports whether the thread is in a namespace of its own (only
// then may anything be unmounted).
func mountSandbox(cacheDir string, tmpMB int) (entered bool, err error) {
	if err := enterPrivateMountNamespace(); err != nil {
		return false, err
	}
	fd, err := syscall.Open(cacheDir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return true, err
	}
	defer syscall.Close(fd)
	if tmpMB <= 0 {
		tmpMB = DefaultEphemeralMB
	}
	if err := syscall.Mount("tmpfs", "/tmp", "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV,
		"size="+strconv.Itoa(tmpMB)+"m,mode=1777"); err != nil {
		return true, err
	}
	// Hidden by the tmpfs when it lay under /tmp: bring it back, through
	// the descriptor opened before.
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return true, err
	}
	if err := syscall.Mount("/proc/thread-self/fd/"+strconv.Itoa(fd), cacheDir, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return true, err
	}
	return true, syscall.Mount("", cacheDir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, "")
}

// unmountSandbox undoes mountSandbox, in the thread's own namespace only.
func unmountSandbox(cacheDir string) {
	_ = syscall.Unmount(cacheDir, syscall.MNT_DETACH)
	_ = syscall.Unmount("/tmp", syscall.MNT_DETACH)
}

// DefaultEphemeralMB is the /tmp of a function that sets no
// EphemeralStorage (AWS's default).
const DefaultEphemeralMB = 512

// lockTree takes the write permission off a directory tree we unpacked
// (code, layers): a handler running as a non-root user cannot change its
// code, as on AWS. Directories keep their owner's search bit.
func lockTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		mode := fi.Mode().Perm() &^ 0o222
		if d.IsDir() {
			mode |= 0o500
		}
		return os.Chmod(p, mode)
	})
}

// removeTree removes what lockTree locked (RemoveAll needs write
// permission on every directory it empties).
func removeTree(dir string) error {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	err := os.RemoveAll(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

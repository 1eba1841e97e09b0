package ec2host

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"
	"time"

	"github.com/pkg/sftp"
)

// serveSFTP serves the sftp subsystem with Dir as "/", through an os.Root
// so neither "..", absolute symlinks nor symlinks leading out can escape.
func (s *session) serveSFTP() {
	root, err := os.OpenRoot(s.r.h.cfg.Dir)
	if err != nil {
		s.fail(err)
		return
	}
	defer root.Close()
	fsys := &sandboxFS{root: root}
	srv := sftp.NewRequestServer(s.ch, sftp.Handlers{FileGet: fsys, FilePut: fsys, FileCmd: fsys, FileList: fsys})
	err = srv.Serve()
	if err != nil && !errors.Is(err, io.EOF) {
		s.r.h.log.Debug("ec2host sftp ended", "err", err)
	}
	s.finish(exitStatus{code: 0}) // as sshd does when sftp-server exits
}

// sandboxPath turns an SFTP path (already cleaned to an absolute path by
// the request server) into a name relative to the root: "/" is ".", and
// whatever the input, the result never starts with "/" or "..".
func sandboxPath(p string) string {
	p = path.Clean("/" + p)
	if p == "/" {
		return "."
	}
	return p[1:]
}

// sandboxFS implements pkg/sftp's request handlers on an os.Root.
type sandboxFS struct {
	root *os.Root
}

// fsErr maps an os.Root error to what OpenSSH's sftp-server answers, and
// never leaks the host path: escapes are "permission denied".
func fsErr(err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return sftp.ErrSSHFxNoSuchFile
	case errors.Is(err, fs.ErrPermission):
		return sftp.ErrSSHFxPermissionDenied
	case errors.As(err, &errno):
		return fmt.Errorf("%w: %s", sftp.ErrSSHFxFailure, errno.Error())
	default: // os.Root's "path escapes from parent" and the like
		return sftp.ErrSSHFxPermissionDenied
	}
}

func (f *sandboxFS) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	file, err := f.root.Open(sandboxPath(r.Filepath))
	if err != nil {
		return nil, fsErr(err)
	}
	return file, nil
}

func (f *sandboxFS) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	return f.OpenFile(r)
}

func (f *sandboxFS) OpenFile(r *sftp.Request) (sftp.WriterAtReaderAt, error) {
	pf := r.Pflags()
	flag := os.O_WRONLY
	if pf.Read {
		flag = os.O_RDWR
	}
	if pf.Creat {
		flag |= os.O_CREATE
	}
	if pf.Trunc {
		flag |= os.O_TRUNC
	}
	if pf.Excl {
		flag |= os.O_EXCL
	}
	// No O_APPEND: WriteAt refuses it, and clients send offsets anyway.
	perm := os.FileMode(0o644)
	if r.AttrFlags().Permissions {
		perm = r.Attributes().FileMode().Perm()
	}
	file, err := f.root.OpenFile(sandboxPath(r.Filepath), flag, perm)
	if err != nil {
		return nil, fsErr(err)
	}
	return file, nil
}

func (f *sandboxFS) Filecmd(r *sftp.Request) error {
	name := sandboxPath(r.Filepath)
	switch r.Method {
	case "Setstat":
		return f.setstat(name, r)
	case "Rename":
		// SFTP v3 rename never replaces (OpenSSH): PosixRename does.
		if _, err := f.root.Lstat(sandboxPath(r.Target)); err == nil {
			return fmt.Errorf("%w: target exists", sftp.ErrSSHFxFailure)
		}
		return fsErr(f.root.Rename(name, sandboxPath(r.Target)))
	case "Rmdir":
		fi, err := f.root.Lstat(name)
		if err != nil {
			return fsErr(err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("%w: not a directory", sftp.ErrSSHFxFailure)
		}
		return fsErr(f.root.Remove(name))
	case "Remove":
		fi, err := f.root.Lstat(name)
		if err != nil {
			return fsErr(err)
		}
		if fi.IsDir() {
			return fmt.Errorf("%w: is a directory", sftp.ErrSSHFxFailure)
		}
		return fsErr(f.root.Remove(name))
	case "Mkdir":
		perm := os.FileMode(0o755)
		if r.AttrFlags().Permissions {
			perm = r.Attributes().FileMode().Perm()
		}
		return fsErr(f.root.Mkdir(name, perm))
	case "Link":
		return fsErr(f.root.Link(name, sandboxPath(r.Target)))
	case "Symlink":
		// Filepath is the link's target, kept as given: os.Root refuses to
		// follow it out of the sandbox later.
		return fsErr(f.root.Symlink(r.Filepath, sandboxPath(r.Target)))
	}
	return sftp.ErrSSHFxOpUnsupported
}

// PosixRename replaces the target, as rename(2) does.
func (f *sandboxFS) PosixRename(r *sftp.Request) error {
	return fsErr(f.root.Rename(sandboxPath(r.Filepath), sandboxPath(r.Target)))
}

func (f *sandboxFS) setstat(name string, r *sftp.Request) error {
	flags, attrs := r.AttrFlags(), r.Attributes()
	if flags.Size {
		file, err := f.root.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return fsErr(err)
		}
		err = file.Truncate(int64(attrs.Size))
		file.Close()
		if err != nil {
			return fsErr(err)
		}
	}
	if flags.Permissions {
		if err := f.root.Chmod(name, attrs.FileMode().Perm()); err != nil {
			return fsErr(err)
		}
	}
	if flags.Acmodtime {
		if err := f.root.Chtimes(name, time.Unix(int64(attrs.Atime), 0), time.Unix(int64(attrs.Mtime), 0)); err != nil {
			return fsErr(err)
		}
	}
	if flags.UidGid {
		if err := f.root.Chown(name, int(attrs.UID), int(attrs.GID)); err != nil {
			return fsErr(err)
		}
	}
	return nil
}

func (f *sandboxFS) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	name := sandboxPath(r.Filepath)
	switch r.Method {
	case "List":
		dir, err := f.root.Open(name)
		if err != nil {
			return nil, fsErr(err)
		}
		defer dir.Close()
		entries, err := dir.ReadDir(-1)
		if err != nil {
			return nil, fsErr(err)
		}
		infos := make(listerAt, 0, len(entries))
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				infos = append(infos, fi)
			}
		}
		return infos, nil
	case "Stat":
		fi, err := f.root.Stat(name)
		if err != nil {
			return nil, fsErr(err)
		}
		return listerAt{fi}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

func (f *sandboxFS) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	fi, err := f.root.Lstat(sandboxPath(r.Filepath))
	if err != nil {
		return nil, fsErr(err)
	}
	return listerAt{fi}, nil
}

func (f *sandboxFS) Readlink(p string) (string, error) {
	target, err := f.root.Readlink(sandboxPath(p))
	return target, fsErr(err)
}

// listerAt is a directory listing served in pages.
type listerAt []os.FileInfo

func (l listerAt) ListAt(out []os.FileInfo, offset int64) (int, error) {
	if offset >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[offset:])
	if n < len(out) {
		return n, io.EOF
	}
	return n, nil
}

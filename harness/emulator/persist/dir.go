package persist

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FormatVersion is the version of the data directory's layout and record
// framing, written to its FORMAT file. A directory of a newer version is
// refused: an older groundstack would misread it.
const FormatVersion = 1

// formatFile names the data directory's version file.
const formatFile = "FORMAT"

// Fsync is when the log makes what it appended durable.
type Fsync int

const (
	// FsyncBatch fsyncs at most once per window (10 ms by default), covering
	// every record appended meanwhile; a request is answered once its
	// records are durable.
	FsyncBatch Fsync = iota
	// FsyncAlways fsyncs as soon as records are waiting (records that
	// arrive during one fsync share the next); a request is answered once
	// its records are durable.
	FsyncAlways
	// FsyncOff writes records (every window) but never fsyncs, and answers
	// at once: a crash of the process loses nothing the kernel was given,
	// a crash of the machine may lose the last seconds.
	FsyncOff
)

// ParseFsync reads "always", "batch" or "off" ("" is batch).
func ParseFsync(s string) (Fsync, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "batch":
		return FsyncBatch, nil
	case "always":
		return FsyncAlways, nil
	case "off":
		return FsyncOff, nil
	}
	return 0, fmt.Errorf("fsync policy %q: want always, batch or off", s)
}

func (f Fsync) String() string {
	switch f {
	case FsyncAlways:
		return "always"
	case FsyncOff:
		return "off"
	}
	return "batch"
}

// Options tune a data directory's logs.
type Options struct {
	Fsync Fsync
	// Window is FsyncBatch's group-commit window (default and at most
	// 10 ms), and how often FsyncOff writes.
	Window time.Duration
	// SegmentBytes starts a new segment file once one passes it (default
	// 64 MiB).
	SegmentBytes int64
	// CompactBytes compacts a log into a checkpoint once this much was
	// logged since the last one (default 256 MiB).
	CompactBytes int64
	// MaxRecord bounds one record (default 64 MiB): a larger one fails its
	// request instead of being logged.
	MaxRecord int
	Log       *slog.Logger
}

func (o *Options) defaults() {
	if o.Window <= 0 || o.Window > 10*time.Millisecond {
		o.Window = 10 * time.Millisecond
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = 64 << 20
	}
	if o.CompactBytes <= 0 {
		o.CompactBytes = 256 << 20
	}
	if o.MaxRecord <= 0 {
		o.MaxRecord = 64 << 20
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Dir is a data directory: FORMAT, then accounts/<account>/<service>/
// holding each log's segments, checkpoints and blobs.
type Dir struct {
	path string
	opts Options
	lock *os.File
}

// NewerError refuses a data directory written by a newer groundstack.
type NewerError struct {
	Path      string
	Have, Max int
}

func (e *NewerError) Error() string {
	return fmt.Sprintf("data directory %s is of format %d, written by a newer groundstack; this one reads format %d at most: upgrade groundstack, or use another --data-dir", e.Path, e.Have, e.Max)
}

// OpenDir opens (creating it if need be) a data directory, refusing one of
// a newer format or one another process holds.
func OpenDir(path string, opts Options) (*Dir, error) {
	opts.defaults()
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	fp := filepath.Join(path, formatFile)
	b, err := os.ReadFile(fp)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := writeAtomic(fp, []byte(strconv.Itoa(FormatVersion)+"\n")); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("data directory: %w", err)
	default:
		v, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("data directory %s: its FORMAT file holds %q, not a format version: is it a groundstack data directory?", path, strings.TrimSpace(string(b)))
		}
		if v > FormatVersion {
			return nil, &NewerError{Path: path, Have: v, Max: FormatVersion}
		}
	}
	lock, err := lockDir(path)
	if err != nil {
		return nil, err
	}
	return &Dir{path: path, opts: opts, lock: lock}, nil
}

// Path is the directory.
func (d *Dir) Path() string { return d.path }

// Options are the options the directory's logs open with.
func (d *Dir) Options() Options { return d.opts }

// Close releases the directory's lock (close its logs first).
func (d *Dir) Close() error {
	if d.lock == nil {
		return nil
	}
	err := d.lock.Close()
	d.lock = nil
	return err
}

// ServiceDir is where account's service keeps its log.
func (d *Dir) ServiceDir(account, service string) string {
	return filepath.Join(d.path, "accounts", account, service)
}

// AccountDir is where account's services keep theirs.
func (d *Dir) AccountDir(account string) string {
	return filepath.Join(d.path, "accounts", account)
}

// Accounts lists the accounts the directory holds logs of.
func (d *Dir) Accounts() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(d.path, "accounts"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// RemoveAccount deletes an account's logs (close them first).
func (d *Dir) RemoveAccount(account string) error {
	if err := os.RemoveAll(d.AccountDir(account)); err != nil {
		return err
	}
	return syncDir(filepath.Join(d.path, "accounts"))
}

// writeAtomic writes a file whole or not at all: a temporary file,
// fsynced, renamed over the name, and the directory fsynced.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

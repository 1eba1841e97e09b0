// Package snapshot is the file format of an emulator's saved state: a
// first line naming the format and its version, then one JSON document
// (optionally gzipped) holding every account's services' states, each in
// its service's own versioned format (cloud.StateSaver). It knows nothing
// of the emulator: it writes and parses, and refuses what it cannot read.
// docs/snapshots.md describes the format.
package snapshot

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Format is the name on a snapshot's first line and in its body.
const Format = "groundstack-snapshot"

// Version is the newest format version this code writes and reads.
const Version = 1

// Header is the first line of a snapshot of this version.
var Header = Format + " v" + strconv.Itoa(Version)

// MaxSize bounds a snapshot's body once decompressed (a gzip bomb is
// refused, not inflated).
const MaxSize = 1 << 30

// File is a snapshot's body (format version 1).
type File struct {
	// Format is always "groundstack-snapshot"; Version the format version,
	// the same as the first line's.
	Format  string `json:"format"`
	Version int    `json:"version"`
	// CreatedAt is when the snapshot was taken (the emulator's clock);
	// EmulatorVersion the groundstack version that took it.
	CreatedAt       time.Time `json:"createdAt"`
	EmulatorVersion string    `json:"emulatorVersion,omitempty"`
	// Saved are the services whose state the snapshot holds; NotSaved the
	// services the emulator that took it served but could not save (their
	// resources are not in the file: loading it does not restore them).
	Saved    []string `json:"saved"`
	NotSaved []string `json:"notSaved"`
	// Accounts are every account's services, the default account's first.
	Accounts []Account `json:"accounts"`
}

// Account is one account's saved services.
type Account struct {
	ID string `json:"account"`
	// Services maps a service's name (as in /_groundstack/health) to its
	// state.
	Services map[string]Section `json:"services"`
}

// Section is one service's state in its own format.
type Section struct {
	// Version is the service's state format version (cloud.StateSaver's
	// StateVersion when it was saved).
	Version int             `json:"version"`
	State   json.RawMessage `json:"state"`
}

// Write writes f as a snapshot: the header line, then its JSON, gzipped
// when zip is set.
func Write(w io.Writer, f *File, zip bool) error {
	f.Format, f.Version = Format, Version
	if _, err := io.WriteString(w, Header+"\n"); err != nil {
		return err
	}
	body := w
	var zw *gzip.Writer
	if zip {
		zw = gzip.NewWriter(w)
		body = zw
	}
	enc := json.NewEncoder(body)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}

// ErrNotSnapshot is a file that is not a groundstack snapshot at all.
var ErrNotSnapshot = errors.New("not a groundstack snapshot: its first line must be \"" + Header + "\"")

// NewerError is a snapshot, or a service's section of one, in a format
// newer than this emulator reads.
type NewerError struct {
	What       string // "snapshot format" or "sqs state"
	Have, Read int
}

func (e *NewerError) Error() string {
	return fmt.Sprintf("%s v%d is newer than this groundstack reads (v%d): load it with a groundstack at least as new as the one that saved it", e.What, e.Have, e.Read)
}

// Read parses a snapshot: its header line, then its JSON (plain or
// gzipped). It checks the framing, not the services' states: each service
// checks its own section when it loads it.
func Read(r io.Reader) (*File, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxSize+int64(len(Header))+2))
	line, err := br.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		if err == io.EOF {
			return nil, ErrNotSnapshot
		}
		return nil, err
	}
	v, err := headerVersion(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return nil, err
	}
	if v > Version {
		return nil, &NewerError{What: "snapshot format", Have: v, Read: Version}
	}
	var body io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("snapshot: gzipped body: %w", err)
		}
		body = zr
	}
	raw, err := io.ReadAll(io.LimitReader(body, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("snapshot: reading its body: %w", err)
	}
	if len(raw) > MaxSize {
		return nil, fmt.Errorf("snapshot: body larger than %d bytes", MaxSize)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("snapshot: corrupt body: %w", err)
	}
	if dec.More() {
		return nil, errors.New("snapshot: corrupt body: data after its JSON document")
	}
	switch {
	case f.Format != Format:
		return nil, fmt.Errorf("snapshot: corrupt body: format %q, want %q", f.Format, Format)
	case f.Version != v:
		return nil, fmt.Errorf("snapshot: corrupt body: version %d, but its first line says v%d", f.Version, v)
	}
	seen := map[string]bool{}
	for _, a := range f.Accounts {
		if !isAccountID(a.ID) {
			return nil, fmt.Errorf("snapshot: corrupt body: account %q is not twelve digits", a.ID)
		}
		if seen[a.ID] {
			return nil, fmt.Errorf("snapshot: corrupt body: account %s appears twice", a.ID)
		}
		seen[a.ID] = true
		for name, s := range a.Services {
			if s.Version < 1 {
				return nil, fmt.Errorf("snapshot: corrupt body: account %s: %s state has version %d", a.ID, name, s.Version)
			}
			if len(s.State) == 0 {
				return nil, fmt.Errorf("snapshot: corrupt body: account %s: %s has no state", a.ID, name)
			}
		}
	}
	return &f, nil
}

// headerVersion reads "groundstack-snapshot vN".
func headerVersion(line string) (int, error) {
	rest, ok := strings.CutPrefix(line, Format+" v")
	if !ok {
		return 0, ErrNotSnapshot
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || strconv.Itoa(n) != rest {
		return 0, ErrNotSnapshot
	}
	return n, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

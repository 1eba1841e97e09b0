package cloud

import (
	"encoding/json"
	"fmt"
)

// StateSaver is a service whose whole state (every region of its account)
// can be saved and loaded back: snapshots (POST /_groundstack/snapshot)
// write it, and later a write-ahead log's compaction will.
//
// The state is a JSON value, not a stream: the service returns its own
// documented, versioned structs (never its store's internal ones, so the
// format outlives refactorings of the store), the snapshot writer frames
// them (header, accounts, gzip or not) and each service decodes only its
// own section, after checking its version. A value keeps the services out
// of framing and lets one file hold every service of every account; the
// cost is holding one service's state in memory while it is written, which
// a first format (S3 bodies inline) accepts.
type StateSaver interface {
	// StateVersion is the version of the service's state format: it grows
	// when the format changes in a way an older reader would misread.
	StateVersion() int
	// SaveState returns the service's whole state as a value that encodes
	// as JSON; it reads under the store's locks and changes nothing.
	SaveState() (any, error)
	// LoadState restores a state SaveState made, at version (at most
	// StateVersion), into the service, which the caller has emptied. It
	// restores what a client can observe: ids, ARNs, timestamps, versions.
	// A state it cannot read is an error, and the service may then hold
	// part of it (the caller resets it).
	LoadState(version int, state json.RawMessage) error
}

// DecodeState decodes a service's saved state of version into T, for a
// service whose only readable version is want (the usual LoadState's first
// step, before a migration exists).
func DecodeState[T any](version, want int, raw json.RawMessage) (T, error) {
	var st T
	if version != want {
		return st, fmt.Errorf("state version %d, want %d", version, want)
	}
	err := json.Unmarshal(raw, &st)
	return st, err
}

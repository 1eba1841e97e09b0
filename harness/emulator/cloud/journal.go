package cloud

import (
	"context"
	"encoding/json"
	"os"
)

// This file is the contract between a service and the emulator's
// persistence (groundstack up --data-dir): a write-ahead log per service of
// each account, compacted from time to time into a checkpoint of the
// service's whole state. A service that implements Journaled persists
// every change it records; a StateSaver that does not is persisted whole
// (its full state re-saved after the requests that change it), which suits
// only services whose state is small and rarely written.

// Journal is one service's write-ahead log (of one account).
type Journal interface {
	// Record appends one change: a value that encodes as JSON, of the
	// service's own documented record types (versioned with its
	// StateVersion, like its saved state).
	//
	// Records are redo records holding absolute values (the item as it is
	// now, the message's visibility deadline, the object's metadata and
	// body file), never increments: replaying a record whose change a
	// checkpoint already holds, or replaying it twice, changes nothing.
	// That is what lets a checkpoint be taken while the service serves.
	//
	// Call it once the change is applied and can no longer fail, while
	// holding the lock that orders changes to what it touches (two writes
	// to one item are recorded in the order they were applied). One
	// change that must be all or nothing (a transaction, a batch AWS
	// applies atomically) is one record.
	//
	// Record does not wait for the disk: the edge holds the answer to the
	// request ctx belongs to until every record that request made is
	// durable under the fsync policy. A change no request made (TTL
	// expiry, a lifecycle rule, a delivery, a timer) passes a context of
	// its own, and nobody waits.
	Record(ctx context.Context, rec any)
	// BlobDir is the directory (created, private, kept across restarts)
	// where the service keeps bodies too large for records: S3 object and
	// part bodies, Lambda code. The service names its files itself;
	// records and checkpoints refer to them by name, relative to BlobDir.
	BlobDir() string
	// SyncBlob makes a file of BlobDir durable under the fsync policy,
	// before the record that names it is made (under "off" it returns at
	// once; under "batch" it may wait for a group commit).
	SyncBlob(f *os.File) error
}

// Journaled is a StateSaver that records every change in a Journal.
type Journaled interface {
	StateSaver
	// SetJournal gives the service its journal before it serves (nil:
	// no persistence, record nothing).
	SetJournal(j Journal)
	// Checkpoint is the state a compaction writes: SaveState's, except
	// that it may refer to files of the journal's BlobDir by name instead
	// of holding their bytes. It is taken while the service serves:
	// changes made meanwhile may or may not be in it, and their records
	// are replayed on top of it.
	//
	// A call means the previous checkpoint is durable and the records
	// made before it began will not be replayed again: a service may then
	// delete BlobDir files that only those named (S3 deletes a body file
	// at the second Checkpoint after nothing used it). Compactions are
	// therefore one at a time, each asking for its checkpoint only once
	// the previous one is written.
	Checkpoint() (any, error)
	// LoadCheckpoint restores a Checkpoint of version (at most
	// StateVersion) into the service, which the caller has emptied; its
	// BlobDir files are there. (A service with a journal records a Reset
	// of its non-empty state like any change: empty it before SetJournal,
	// or while it is empty.) A file a checkpoint or record names that is
	// missing or short is an error naming it, not a panic.
	LoadCheckpoint(version int, state json.RawMessage) error
	// ApplyRecord replays one record, in the order they were recorded, on
	// top of the checkpoint LoadCheckpoint restored (or an empty
	// service); version is the service's StateVersion when the record was
	// made. Records of changes the checkpoint already holds are replayed
	// too (records are absolute: see Journal.Record).
	ApplyRecord(version int, rec json.RawMessage) error
}

// RawRecord is a record already encoded as JSON, which a Journal logs as
// it is: for hot paths that hold their change's bytes already (a
// DynamoDB item), so nothing is encoded twice. It must be valid JSON. A
// Checkpoint that returns one is written as it is too (its layout, such
// as one item a line, survives for LoadCheckpoint to read fast).
type RawRecord []byte

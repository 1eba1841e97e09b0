// Package persist is groundstack's write-ahead log (groundstack up
// --data-dir): per account and service, segment files of length- and
// CRC32C-framed records made durable by group commit, and checkpoints of
// a service's whole state that compaction writes while the service serves.
// It knows nothing of HTTP or of any service; it imports only the standard
// library and the cloud contract.
package persist

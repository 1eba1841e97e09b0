// Package crash holds groundstack's crash-consistency test of persistence
// (groundstack up --data-dir): an emulator child process killed with
// SIGKILL during a write storm, restarted, and checked for every
// acknowledged write and for no partial transaction. It has no API.
package crash

// Package emulator is groundstack's local AWS cloud: one edge listener that
// routes each request to an emulated service. It is a library with no global
// state (many emulators may run in one process on random ports) and must not
// import handlers, scenarios, load, harness/deploy or harness/backend.
package emulator

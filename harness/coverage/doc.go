// Package coverage compares what groundstack serves with AWS's models: per
// service, every operation of the model and whether the emulator serves it
// (docs/coverage.md, groundstack coverage). It must not start an emulator.
package coverage

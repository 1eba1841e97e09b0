// Package conformance runs groundstack against cases generated from AWS's own
// service models (driver.py, botocore) and judges the answers; results.go reads
// what the driver prints. It imports nothing of the emulator but in its tests.
package conformance

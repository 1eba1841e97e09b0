// Package profile describes load shapes: the named growth profiles of the
// deliveries flow (baseline, year1, year2, ramp) and custom ones read from
// YAML/JSON (rate over time, mix of writes and dashboard reads). It is
// data and arithmetic only: it imports no network, flow or harness code.
package profile

// Package benchcpu measures this process's CPU per benchmark operation
// (the "cpu-us/op" metric). It imports nothing of the emulator, so the
// packages the emulator is built from can use it in their own tests;
// emutest re-exports it for everyone else.
package benchcpu

import (
	"syscall"
	"testing"
	"time"
)

// Process is the user+system CPU this process has used so far.
func Process() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Meter reports CPU per operation over a benchmark loop:
//
//	m := benchcpu.Start(b); for … { … }; m.Report()
type Meter struct {
	b     *testing.B
	start time.Duration
}

// Start starts measuring (and resets the benchmark timer).
func Start(b *testing.B) *Meter {
	b.ResetTimer()
	return &Meter{b: b, start: Process()}
}

// Report adds the "cpu-us/op" metric for b.N operations.
func (m *Meter) Report() {
	used := Process() - m.start
	m.b.ReportMetric(float64(used.Microseconds())/float64(m.b.N), "cpu-us/op")
}

package scenario

import (
	"encoding/json"
	"os"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
)

// Figures collects what a suite measured (freshness, latencies, wall
// times) for its report: each one is a Ginkgo report entry as it comes, and
// Flush prints them all, and writes them as JSON where an environment
// variable names a file.
type Figures struct {
	mu      sync.Mutex
	values  map[string]any
	started time.Time
}

// NewFigures starts collecting; the suite's wall time counts from here.
func NewFigures() *Figures { return &Figures{values: map[string]any{}, started: time.Now()} }

// Record keeps a measured figure.
func (f *Figures) Record(name string, v any) {
	f.mu.Lock()
	f.values[name] = v
	f.mu.Unlock()
	ginkgo.AddReportEntry(name, v)
}

// Flush adds the suite's wall time, prints every figure under title and
// writes them to the file the environment variable outVar names, if set.
func (f *Figures) Flush(title, outVar string) error {
	f.mu.Lock()
	f.values["suite_seconds"] = time.Since(f.started).Seconds()
	b, err := json.MarshalIndent(f.values, "", "  ")
	f.mu.Unlock()
	if err != nil {
		return err
	}
	ginkgo.GinkgoWriter.Printf("%s figures:\n%s\n", title, b)
	if out := os.Getenv(outVar); out != "" {
		return os.WriteFile(out, b, 0o644)
	}
	return nil
}

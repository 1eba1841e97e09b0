package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// stepResult is what one reporter run of a step found; a step (e2e) may
// write several, one per suite.
type stepResult struct {
	Step     string   `json:"step"`
	Counts   counts   `json:"counts"`
	Failures []string `json:"failures,omitempty"`
	Skips    []string `json:"skips,omitempty"` // a whole step or suite not run, and why
	Slowest  []string `json:"slowest,omitempty"`
	Seconds  float64  `json:"seconds"`
}

// writeStepResult adds r to dir (one file per reporter run).
func writeStepResult(dir string, r stepResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s--%d-%d.json", safeName(r.Step), time.Now().UnixNano(), os.Getpid())
	return os.WriteFile(filepath.Join(dir, name), b, 0o644)
}

// readStepResults reads every result in dir, by step.
func readStepResults(dir string) (map[string][]stepResult, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	out := map[string][]stepResult{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var r stepResult
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		out[r.Step] = append(out[r.Step], r)
	}
	return out, nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

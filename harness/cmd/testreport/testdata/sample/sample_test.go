// Package sample is a fixture: its tests pass, fail and skip so that
// testreport's tests read real `go test -json` output (sample.jsonl).
package sample

import (
	"os"
	"testing"
)

func TestPasses(t *testing.T) {}

func TestFails(t *testing.T) {
	t.Log("the state before the failure")
	if os.Getenv("SAMPLE_PASS") == "" {
		t.Fatal("want 4, got 5")
	}
}

func TestSkips(t *testing.T) {
	t.Skip("no Docker engine answers")
}

func TestTable(t *testing.T) {
	for _, name := range []string{"one", "two", "three"} {
		t.Run(name, func(t *testing.T) {
			if name == "two" && os.Getenv("SAMPLE_PASS") == "" {
				t.Errorf("case %s broke", name)
			}
		})
	}
}

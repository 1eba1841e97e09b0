// Package broken is a fixture: it does not compile, so that testreport's
// tests read a real build failure in `go test -json` (broken.jsonl).
package broken

import "testing"

func TestNeverRuns(t *testing.T) {
	var n int = "four"
	_ = n
}

package conformance

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// Environment the suite reads: make conformance sets both.
const (
	// EnvSample is the share of the non-valid cases to run, picked by a hash
	// of each case's name (the same cases every run); 1 runs them all.
	EnvSample = "CONFORMANCE_SAMPLE"
	// EnvReport names the per-service counts file (build/reports/conformance.json).
	EnvReport = "CONFORMANCE_REPORT"
)

// boundedSample keeps make test's run near 20 s on a loaded 2-core machine:
// every operation's valid case plus this share of the rest.
const boundedSample = 0.10

// TestConformance sends the driver's generated cases to an embedded
// emulator and fails naming each case whose answer is wrong, unless
// known-failures.txt lists it; in a full run an entry whose cases all pass
// now fails too, so the list only ever holds live defects.
func TestConformance(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed to run the conformance driver (make deps installs the aws CLI, which brings it): %v", err)
	}
	known := readKnown(t)
	sample := boundedSample
	if s := os.Getenv(EnvSample); s != "" {
		if sample, err = strconv.ParseFloat(s, 64); err != nil || sample <= 0 || sample > 1 {
			t.Fatalf("%s=%q: want a share in (0, 1]", EnvSample, s)
		}
	}
	e, _ := emutest.Start(t)
	args := []string{"driver.py", "--endpoint", e.URL(), "--sample", strconv.FormatFloat(sample, 'f', -1, 64), "--all-results"}
	if report := os.Getenv(EnvReport); report != "" {
		if err := os.MkdirAll(filepath.Dir(report), 0o755); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--report", report)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Env = append(emutest.CLIEnv(), "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	results, err := ReadResults(&stdout)
	if runErr != nil || err != nil {
		t.Fatalf("driver: %v, %v\n%s", runErr, err, tail(stderr.String(), 3000))
	}
	if len(results) == 0 || !results[len(results)-1].Done {
		t.Fatalf("driver ended before its last line\n%s", tail(stderr.String(), 3000))
	}

	used := make([]bool, len(known))
	passedUnder := make([]bool, len(known)) // a case an entry names passed
	var unexpected []Result
	for _, r := range results {
		switch {
		case r.Summary != "":
			t.Logf("%-16s operations %4d  served %4d  cases %5d  passed %5d", r.Summary, r.Operations, r.Served, r.Cases, r.Passed)
		case r.Service == "":
		case r.OK:
			for i, k := range known {
				if k.Matches(r) {
					passedUnder[i] = true
				}
			}
		default:
			found := false
			for i, k := range known {
				if k.Matches(r) {
					used[i], found = true, true
					break
				}
			}
			if !found {
				unexpected = append(unexpected, r)
			}
		}
	}
	t.Logf("sample %.2f: %d results in %s", sample, len(results), time.Since(start).Round(time.Second))
	sort.Slice(unexpected, func(i, j int) bool { return unexpected[i].String() < unexpected[j].String() })
	for _, r := range unexpected {
		t.Errorf("%s: %s: want %s, got %s", r, r.Kind, r.Expected, r.Got)
	}
	// Stale entries only in a full run: a sample changes what the valid
	// cases find stored, so an entry's case may pass there by luck.
	for i, k := range known {
		if sample == 1 && !used[i] && passedUnder[i] {
			t.Errorf("known-failures.txt:%d (%s | %s | %s) passes now: remove the entry", k.Line, k.Service, k.Operation, k.Case)
		}
	}
}

func readKnown(t *testing.T) []Known {
	t.Helper()
	f, err := os.Open("known-failures.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, err := ReadKnown(f)
	if err != nil {
		t.Fatalf("known-failures.txt: %v", err)
	}
	return k
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return strings.TrimSpace(s)
}

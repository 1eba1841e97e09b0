package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures are real output: testdata/*.jsonl is `go test -json` of the
// packages under testdata (sample: tests that pass, fail and skip; broken:
// a package that does not compile; suite: a Ginkgo suite run with
// -ginkgo.label-filter=smoke, whose -ginkgo.json-report is suite.json).

func readGo(t *testing.T, fixture string, args ...string) (code int, out string, results string) {
	t.Helper()
	in, err := os.Open(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	results = t.TempDir()
	var stdout, stderr bytes.Buffer
	code = runGo(append([]string{"--results", results}, args...), in, &stdout, &stderr)
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	return code, stdout.String(), results
}

func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func oneResult(t *testing.T, dir, step string) stepResult {
	t.Helper()
	all, err := readStepResults(dir)
	if err != nil || len(all[step]) != 1 {
		t.Fatalf("results of %s: %v %v", step, all, err)
	}
	return all[step][0]
}

func TestUnitTestsCountedWithSkipsAndFailures(t *testing.T) {
	code, out, dir := readGo(t, "sample.jsonl", "--step", "unit")
	if code != 1 {
		t.Errorf("exit %d, want 1 for a failed test", code)
	}
	wantLines(t, out,
		"FAIL harness/cmd/testreport/testdata/sample",
		// TestTable counts as its three cases, not as a fourth test
		"3 passed, 2 failed, 1 skipped",
		"skip TestSkips: sample_test.go:20: no Docker engine answers",
		// each failure with the test's own output, before the failing line too
		"--- TestFails failed:", "the state before the failure", "want 4, got 5",
		"--- TestTable/two failed:", "case two broke",
		"unit: 3 passed, 2 failed, 1 skipped",
	)
	if strings.Contains(out, "--- TestTable failed") || strings.Contains(out, "=== RUN") {
		t.Errorf("the parent of a failed subtest, or go test's framing, is shown:\n%s", out)
	}
	r := oneResult(t, dir, "unit")
	if r.Counts != (counts{Passed: 3, Failed: 2, Skipped: 1}) || len(r.Failures) != 2 {
		t.Errorf("result %+v", r)
	}
}

func TestBuildFailureShowsTheCompilerAndTheOthers(t *testing.T) {
	code, out, dir := readGo(t, "broken.jsonl", "--step", "unit")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	wantLines(t, out,
		"FAIL harness/cmd/testreport/testdata/broken",
		"broken_test.go:8:14: cannot use \"four\"",
		// the package that built still reports
		"FAIL harness/cmd/testreport/testdata/sample",
		"unit: 3 passed, 3 failed, 1 skipped",
	)
	if r := oneResult(t, dir, "unit"); r.Counts.Failed != 3 {
		t.Errorf("result %+v", r)
	}
}

func TestGinkgoSuiteCountsSpecsSkipsAndFigures(t *testing.T) {
	code, out, dir := readGo(t, "suite.jsonl", "--step", "e2e", "--ginkgo-json", filepath.Join("testdata", "suite.json"))
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	wantLines(t, out,
		"Fixture Suite: 1 specs passed, 1 failed, 2 skipped, 1 pending",
		"skip a flow skips: set FIXTURE_FIGURES=1 to run the 60 s runs",
		`skip 1 specs: not selected by the label filter "smoke"`,
		"pending a flow waits for a feature",
		"figure freshness p99 (ms) (a flow passes): 42.5",
		"FAILED a flow fails", "orders counted", "<int>: 5",
		"e2e: 1 passed, 1 failed, 2 skipped, 1 pending",
	)
	// the suite's specs, not the one Go test that runs them
	r := oneResult(t, dir, "e2e")
	if r.Counts != (counts{Passed: 1, Failed: 1, Skipped: 2, Pending: 1}) || len(r.Failures) != 1 || !strings.Contains(r.Failures[0], "a flow fails") {
		t.Errorf("result %+v", r)
	}
}

func TestGinkgoSuiteWithoutItsReportFallsBackToGoTest(t *testing.T) {
	// a suite that crashed wrote no report: its go test output is all there is
	code, out, _ := readGo(t, "suite.jsonl", "--step", "e2e", "--ginkgo-json", filepath.Join(t.TempDir(), "none.json"))
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	wantLines(t, out, "--- TestSuite failed:", "orders counted")
}

func TestEmptyStreamFails(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runGo(nil, strings.NewReader(""), &stdout, &stderr); code != 1 || !strings.Contains(stdout.String(), "no packages") {
		t.Errorf("exit %d: %s", code, stdout.String())
	}
}

// runSteps runs every step although one fails, and its summary names it.
func TestStepsRunEveryStepAndNameTheFailed(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results")
	// a stand-in for make: "unit" records counts and fails, the others pass
	fake := filepath.Join(dir, "make")
	script := `#!/bin/sh
echo "ran $2" >> "` + filepath.Join(dir, "ran") + `"
case "$2" in
unit) mkdir -p "` + results + `"; printf '{"step":"unit","counts":{"passed":7,"failed":1,"skipped":2},"failures":["pkg TestX"]}' > "` + results + `/unit--1.json"; exit 3 ;;
e2e) mkdir -p "` + results + `"; printf '{"step":"e2e","counts":{"passed":5,"failed":0,"skipped":1}}' > "` + results + `/e2e--1.json" ;;
esac
exit 0
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(results, 0o755)
	os.WriteFile(filepath.Join(results, "stale--1.json"), []byte(`{"step":"unit","counts":{"passed":100}}`), 0o644)
	var stdout, stderr bytes.Buffer
	code := runSteps([]string{"--results", results, "--make", fake, "lint", "unit", "e2e"}, &stdout, &stderr)
	out := stdout.String()
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	ran, _ := os.ReadFile(filepath.Join(dir, "ran"))
	if string(ran) != "ran lint\nran unit\nran e2e\n" {
		t.Errorf("steps run: %q", ran)
	}
	wantLines(t, out, "== make unit: FAILED (exit 3)", "failed unit: pkg TestX",
		"FAILED: 12 passed, 1 failed, 3 skipped", "failed steps: unit")
	if strings.Contains(out, "107 passed") {
		t.Errorf("a previous run's results counted:\n%s", out)
	}
}

func TestSkipIsRecorded(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := runSkip([]string{"--step", "e2e-container", "--results", dir, "no Docker engine answers"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d %s", code, stderr.String())
	}
	if r := oneResult(t, dir, "e2e-container"); len(r.Skips) != 1 || r.Skips[0] != "no Docker engine answers" {
		t.Errorf("%+v", r)
	}
	var sum bytes.Buffer
	all, _ := readStepResults(dir)
	printSteps(&sum, []stepRun{{name: "e2e-container", ran: true}}, all, 0, false)
	wantLines(t, sum.String(), "skipped: no Docker engine answers", "PASSED: 0 passed, 0 failed, 0 skipped")
}

// Command testreport makes `make test` say what happened: it reads `go
// test -json` and prints each package's counts, its skips with their
// reasons, a Ginkgo suite's specs and recorded figures, and the whole
// output of what failed; and it runs make's steps one after another so
// that one failure still reports the others, ending with one summary line.
// It is a tool of the Makefile, not of the product: it imports nothing of
// groundstack.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const usage = `testreport — the test output of make test and make e2e

Usage:
  go test -json … | testreport go [--step NAME] [--results DIR] [--ginkgo-json FILE]… [-v]
      print each package as it ends (counts, skips and why, a Ginkgo suite's specs and
      figures, the failing tests' output) and a summary line; exit 1 if anything failed
  testreport skip --step NAME [--results DIR] REASON…
      record that a step (or suite) did not run, and why
  testreport total --step NAME [--results DIR]
      one line adding up what the step's reporter runs recorded
  testreport steps [--results DIR] [--make make] STEP…
      run make STEP for each in turn, whatever failed before, then print every step's
      time and counts and one line for all; exit 1 naming the failed steps
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var code int
	switch os.Args[1] {
	case "go":
		code = runGo(os.Args[2:], os.Stdin, os.Stdout, os.Stderr)
	case "skip":
		code = runSkip(os.Args[2:], os.Stdout, os.Stderr)
	case "total":
		code = runTotal(os.Args[2:], os.Stdout, os.Stderr)
	case "steps":
		code = runSteps(os.Args[2:], os.Stdout, os.Stderr)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "testreport: unknown command %q\n\n%s", os.Args[1], usage)
		code = 2
	}
	os.Exit(code)
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// parse parses fs, printing usage and returning the exit status on error.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

func runGo(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("go", flag.ContinueOnError)
	step := fs.String("step", "test", "the step's name in the results")
	results := fs.String("results", "", "directory to add this run's result to (for steps/total)")
	var ginkgo listFlag
	fs.Var(&ginkgo, "ginkgo-json", "a suite's -ginkgo.json-report file (repeatable)")
	verbose := fs.Bool("v", false, "print the output of passed packages' tests too")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	start := time.Now()
	r := newGoTestReader(stdout, newSuiteReports(ginkgo))
	r.verbose = *verbose
	if err := r.read(stdin); err != nil {
		fmt.Fprintln(stderr, "testreport: reading go test's output:", err)
		return 1
	}
	res := stepResult{Step: *step, Counts: r.total, Failures: r.failures, Slowest: r.slowest(5), Seconds: time.Since(start).Seconds()}
	if r.noTests > 0 {
		fmt.Fprintf(stdout, "     (%d packages have no tests)\n", r.noTests)
	}
	if len(r.pkgs) == 0 && len(r.nonJSON) == 0 {
		fmt.Fprintln(stdout, "testreport: go test reported no packages")
	}
	line := fmt.Sprintf("%s: %s in %s", *step, r.total, round(time.Since(start)))
	if len(res.Slowest) > 0 && len(r.pkgs) > 1 {
		line += "; slowest: " + strings.Join(res.Slowest, ", ")
	}
	fmt.Fprintln(stdout, line)
	if *results != "" {
		if err := writeStepResult(*results, res); err != nil {
			fmt.Fprintln(stderr, "testreport:", err)
			return 1
		}
	}
	if r.failedAny() || len(r.pkgs) == 0 {
		return 1
	}
	return 0
}

func runSkip(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("skip", flag.ContinueOnError)
	step := fs.String("step", "", "the step's name")
	results := fs.String("results", "", "directory to add the record to")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	why := strings.Join(fs.Args(), " ")
	if *step == "" || why == "" {
		fmt.Fprintln(stderr, "testreport skip: want --step NAME and a reason")
		return 2
	}
	fmt.Fprintf(stdout, "skip %s: %s\n", *step, why)
	if *results == "" {
		return 0
	}
	if err := writeStepResult(*results, stepResult{Step: *step, Skips: []string{why}}); err != nil {
		fmt.Fprintln(stderr, "testreport:", err)
		return 1
	}
	return 0
}

func runTotal(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("total", flag.ContinueOnError)
	step := fs.String("step", "", "the step's name")
	results := fs.String("results", "", "directory of the results")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	all, err := readStepResults(*results)
	if err != nil {
		fmt.Fprintln(stderr, "testreport:", err)
		return 1
	}
	var c counts
	var secs float64
	rs := all[*step]
	for _, r := range rs {
		c.add(r.Counts)
		secs += r.Seconds
	}
	fmt.Fprintf(stdout, "%s: %s (%d runs, %s)\n", *step, c, len(rs), round(time.Duration(secs*float64(time.Second))))
	for _, r := range rs {
		for _, f := range r.Failures {
			fmt.Fprintf(stdout, "  failed: %s\n", f)
		}
	}
	return 0
}

// round keeps a duration readable: 950ms, 12.3s, 4m05s.
func round(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

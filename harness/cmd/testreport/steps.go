package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// stepRun is one make step as run by runSteps.
type stepRun struct {
	name    string
	ran     bool
	err     error
	elapsed time.Duration
}

// runSteps runs `make STEP` for each step, each whatever happened to the
// ones before, and ends with a table of steps and one line for all.
func runSteps(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("steps", flag.ContinueOnError)
	results := fs.String("results", "build/reports/steps", "directory the steps' reporters add their results to (emptied first)")
	makeCmd := fs.String("make", envOr("MAKE", "make"), "the make to run the steps with")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "testreport steps: name the make targets to run")
		return 2
	}
	if err := clearResults(*results); err != nil {
		fmt.Fprintln(stderr, "testreport:", err)
		return 1
	}
	// Ctrl-C reaches make and its children (same process group); the steps
	// left are not started, and the summary says what ran.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	var runs []stepRun
	for _, name := range fs.Args() {
		run := stepRun{name: name}
		if ctx.Err() == nil {
			fmt.Fprintf(stdout, "\n== make %s\n", name)
			t0 := time.Now()
			cmd := exec.Command(*makeCmd, "--no-print-directory", name)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
			run.err = cmd.Run()
			run.ran, run.elapsed = true, time.Since(t0)
			fmt.Fprintf(stdout, "== make %s: %s in %s\n", name, verdict(run.err), round(run.elapsed))
		}
		runs = append(runs, run)
	}
	all, err := readStepResults(*results)
	if err != nil {
		fmt.Fprintln(stderr, "testreport:", err)
	}
	return printSteps(stdout, runs, all, time.Since(start), ctx.Err() != nil)
}

func verdict(err error) string {
	if err == nil {
		return "ok"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Sprintf("FAILED (exit %d)", ee.ExitCode())
	}
	return "FAILED (" + err.Error() + ")"
}

// printSteps prints the table and the final line; it returns the exit
// status: 1 when a step failed, 130 when interrupted.
func printSteps(w io.Writer, runs []stepRun, results map[string][]stepResult, total time.Duration, interrupted bool) int {
	fmt.Fprintln(w, "\n== summary")
	var sum counts
	var failedSteps, failures []string
	for _, r := range runs {
		var c counts
		var skips []string
		for _, res := range results[r.name] {
			c.add(res.Counts)
			skips = append(skips, res.Skips...)
			for _, f := range res.Failures {
				failures = append(failures, r.name+": "+f)
			}
		}
		sum.add(c)
		state := "ok"
		switch {
		case !r.ran:
			state = "not run"
		case r.err != nil:
			state = "FAILED"
			failedSteps = append(failedSteps, r.name)
		}
		detail := ""
		if c != (counts{}) {
			detail = c.String()
		}
		for _, s := range skips {
			if detail != "" {
				detail += "; "
			}
			detail += "skipped: " + s
		}
		elapsed := ""
		if r.ran {
			elapsed = round(r.elapsed)
		}
		fmt.Fprintf(w, "   %-15s %-8s %8s   %s\n", r.name, state, elapsed, detail)
		for _, res := range results[r.name] {
			if len(res.Slowest) > 0 && len(results[r.name]) == 1 {
				fmt.Fprintf(w, "   %-15s slowest: %s\n", "", strings.Join(res.Slowest, ", "))
			}
		}
	}
	for _, f := range failures {
		fmt.Fprintf(w, "   failed %s\n", f)
	}
	line := fmt.Sprintf("%s in %s", sum, round(total))
	switch {
	case interrupted:
		fmt.Fprintf(w, "INTERRUPTED: %s\n", line)
		return 130
	case len(failedSteps) > 0:
		fmt.Fprintf(w, "FAILED: %s; failed steps: %s\n", line, strings.Join(failedSteps, ", "))
		return 1
	}
	fmt.Fprintf(w, "PASSED: %s\n", line)
	return 0
}

// clearResults empties dir of a previous run's results.
func clearResults(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

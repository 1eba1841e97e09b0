package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
	ImportPath  string // build-output and build-fail
}

// testCase is one test (or subtest) of a package, as the stream told it.
type testCase struct {
	name   string
	result string // pass, fail, skip; "" while running
	output []string
}

// pkgRun is one package of the stream.
type pkgRun struct {
	path    string
	result  string // pass, fail, skip (no test files)
	elapsed float64
	tests   map[string]*testCase
	order   []string
	output  []string // the package's own lines (Test == "")
	failed  string   // FailedBuild: the package whose build failed
	started time.Time
}

func (p *pkgRun) test(name string) *testCase {
	tc := p.tests[name]
	if tc == nil {
		tc = &testCase{name: name}
		p.tests[name] = tc
		p.order = append(p.order, name)
	}
	return tc
}

// counts of tests or specs by outcome.
type counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	Pending int `json:"pending,omitempty"`
}

func (c *counts) add(o counts) {
	c.Passed += o.Passed
	c.Failed += o.Failed
	c.Skipped += o.Skipped
	c.Pending += o.Pending
}

func (c counts) String() string {
	s := fmt.Sprintf("%d passed, %d failed, %d skipped", c.Passed, c.Failed, c.Skipped)
	if c.Pending > 0 {
		s += fmt.Sprintf(", %d pending", c.Pending)
	}
	return s
}

// tally counts p's tests by their leaves: a test with subtests is the sum
// of them, and counts itself only when it failed with none of them failing.
func (p *pkgRun) tally() counts {
	parents := map[string]bool{}
	for _, name := range p.order {
		if i := strings.LastIndexByte(name, '/'); i > 0 {
			parents[name[:i]] = true
		}
	}
	var c counts
	for _, name := range p.order {
		tc := p.tests[name]
		if parents[name] && (tc.result != "fail" || hasFailedChild(p, name)) {
			continue
		}
		switch tc.result {
		case "pass":
			c.Passed++
		case "fail":
			c.Failed++
		case "skip":
			c.Skipped++
		}
	}
	return c
}

// goTestReader folds a `go test -json` stream into packages and prints
// each as it ends: one line, its skips with their reasons, a Ginkgo
// suite's specs and figures, and the full output of what failed.
type goTestReader struct {
	out      io.Writer
	pkgs     map[string]*pkgRun
	order    []string
	builds   map[string][]string // build-output by import path
	suites   *suiteReports
	nonJSON  []string
	noTests  int
	total    counts
	failures []string // failed tests and packages, "pkg TestName"
	started  time.Time
	verbose  bool
}

func newGoTestReader(out io.Writer, suites *suiteReports) *goTestReader {
	return &goTestReader{out: out, pkgs: map[string]*pkgRun{}, builds: map[string][]string{}, suites: suites, started: time.Now()}
}

func (r *goTestReader) pkg(path string) *pkgRun {
	p := r.pkgs[path]
	if p == nil {
		p = &pkgRun{path: path, tests: map[string]*testCase{}}
		r.pkgs[path] = p
		r.order = append(r.order, path)
	}
	return p
}

// read consumes the stream to its end.
func (r *goTestReader) read(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			// go vet's or the linker's own words, a panic before test2json:
			// shown as they come, they are someone's only clue
			fmt.Fprintln(r.out, string(line))
			r.nonJSON = append(r.nonJSON, string(line))
			continue
		}
		r.handle(ev)
	}
	// packages the stream never finished (go test killed): say so
	for _, path := range r.order {
		if p := r.pkgs[path]; p.result == "" {
			p.result = "fail"
			p.output = append(p.output, "(the stream ended before this package did: go test was killed or timed out)\n")
			r.finish(p)
		}
	}
	return sc.Err()
}

func (r *goTestReader) handle(ev event) {
	switch ev.Action {
	case "build-output":
		r.builds[ev.ImportPath] = append(r.builds[ev.ImportPath], ev.Output)
		return
	case "build-fail":
		return // reported with the package that needed it
	}
	if ev.Package == "" {
		return
	}
	p := r.pkg(ev.Package)
	if ev.Action == "start" {
		p.started = ev.Time
	}
	if ev.FailedBuild != "" {
		p.failed = ev.FailedBuild
	}
	if ev.Test == "" {
		switch ev.Action {
		case "output":
			p.output = append(p.output, ev.Output)
		case "pass", "fail", "skip":
			p.result, p.elapsed = ev.Action, ev.Elapsed
			r.finish(p)
		}
		return
	}
	tc := p.test(ev.Test)
	switch ev.Action {
	case "output":
		tc.output = append(tc.output, ev.Output)
	case "pass", "fail", "skip":
		tc.result = ev.Action
	}
}

// finish prints a package that has ended.
func (r *goTestReader) finish(p *pkgRun) {
	name := shortPkg(p.path)
	c := p.tally()
	suite := r.suites.forPackage(p)
	if suite != nil {
		c = suite.counts()
	}
	if p.result == "skip" && len(p.tests) == 0 {
		r.noTests++
		return
	}
	if p.result == "fail" && c.Failed == 0 {
		// the package failed outside any test: build, TestMain, a crash
		c.Failed++
		r.failures = append(r.failures, name)
	}
	r.total.add(c)
	mark := "ok  "
	if p.result == "fail" {
		mark = "FAIL"
	}
	what := c.String()
	if suite != nil {
		what = suite.headline()
	}
	fmt.Fprintf(r.out, "%s %-44s %7.1fs  %s\n", mark, name, p.elapsed, what)

	if suite != nil {
		suite.print(r.out, "       ")
	} else {
		printSkips(r.out, p)
	}
	if p.result != "fail" && !r.verbose {
		return
	}
	if suite != nil {
		// the suite's report holds each failure with its spec's output
		fails := suite.failed()
		for _, f := range fails {
			r.failures = append(r.failures, name+" "+f)
		}
		if len(fails) > 0 || p.result != "fail" {
			return
		}
	}
	// the failing tests' own output; a parent's only when no subtest of
	// it failed, so the cause leads
	shown := 0
	for _, tname := range p.order {
		tc := p.tests[tname]
		if !(tc.result == "fail" || (p.result == "fail" && tc.result == "")) || hasFailedChild(p, tname) {
			continue
		}
		r.failures = append(r.failures, name+" "+tname)
		state := "failed"
		if tc.result == "" {
			state = "did not finish"
		}
		fmt.Fprintf(r.out, "    --- %s %s:\n", tname, state)
		for _, l := range tc.output {
			if !isFraming(l) {
				fmt.Fprint(r.out, indent(l, "    "))
			}
		}
		shown++
	}
	if b := r.builds[p.failed]; len(b) > 0 {
		fmt.Fprintf(r.out, "    --- build of %s failed:\n", shortPkg(strings.SplitN(p.failed, " ", 2)[0]))
		for _, l := range b {
			fmt.Fprint(r.out, indent(l, "    "))
		}
		shown++
	}
	if shown == 0 {
		// a crash, a timeout or TestMain: the package's own words
		for _, l := range p.output {
			fmt.Fprint(r.out, indent(l, "    "))
		}
	}
}

// hasFailedChild tells whether a subtest of name failed (its output is
// then shown instead of the parent's).
func hasFailedChild(p *pkgRun, name string) bool {
	for _, o := range p.order {
		if strings.HasPrefix(o, name+"/") && p.tests[o].result == "fail" {
			return true
		}
	}
	return false
}

// isFraming is go test's own bookkeeping around a test's output.
func isFraming(line string) bool {
	t := strings.TrimSpace(line)
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// printSkips prints p's skipped tests with their reasons, those skipped
// for the same reason on one line.
func printSkips(w io.Writer, p *pkgRun) {
	var reasons []string
	names := map[string][]string{}
	for _, tname := range p.order {
		if tc := p.tests[tname]; tc.result == "skip" {
			why := skipReason(tc.output)
			if names[why] == nil {
				reasons = append(reasons, why)
			}
			names[why] = append(names[why], tname)
		}
	}
	for _, why := range reasons {
		n := names[why]
		if len(n) == 1 {
			fmt.Fprintf(w, "       skip %s: %s\n", n[0], why)
			continue
		}
		list := strings.Join(n[:min(len(n), 3)], ", ")
		if len(n) > 3 {
			list += ", …"
		}
		fmt.Fprintf(w, "       skip %d tests (%s): %s\n", len(n), list, why)
	}
}

// skipReason is what a skipped test said, on one line.
func skipReason(output []string) string {
	var parts []string
	for _, l := range output {
		t := strings.TrimSpace(l)
		if t == "" || isFraming(l) || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		// "file_test.go:26: reason": the reason, where it was said
		// (unless several tests skip in one place, for one reason)
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	s := strings.Join(parts, " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func indent(s, pre string) string {
	if s == "" {
		return ""
	}
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		b.WriteString(pre)
		b.WriteString(l)
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

// shortPkg drops the module path.
func shortPkg(p string) string {
	return strings.TrimPrefix(p, modulePath+"/")
}

const modulePath = "github.com/groundstack/groundstack"

// slowest are the n packages that took longest, "name 12.3s".
func (r *goTestReader) slowest(n int) []string {
	var ps []*pkgRun
	for _, p := range r.pkgs {
		if len(p.tests) > 0 {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].elapsed > ps[j].elapsed })
	var out []string
	for i := 0; i < len(ps) && i < n; i++ {
		out = append(out, fmt.Sprintf("%s %.0fs", shortPkg(ps[i].path), ps[i].elapsed))
	}
	return out
}

// failedAny tells whether anything in the stream failed.
func (r *goTestReader) failedAny() bool {
	for _, p := range r.pkgs {
		if p.result == "fail" {
			return true
		}
	}
	return r.total.Failed > 0
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// suiteReports are the Ginkgo JSON reports (-ginkgo.json-report) of the
// suites a stream runs, matched to their packages by directory. The caller
// removes a previous run's files first: a suite that crashed writes none.
type suiteReports struct {
	files   []string
	byDir   map[string]*suite
	loadErr map[string]error
}

func newSuiteReports(files []string) *suiteReports {
	return &suiteReports{files: files}
}

// load reads the report files there are.
func (s *suiteReports) load() {
	s.byDir, s.loadErr = map[string]*suite{}, map[string]error{}
	for _, f := range s.files {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // the suite did not get that far
		}
		if err != nil {
			s.loadErr[f] = err
			continue
		}
		var reports []types.Report
		if err := json.Unmarshal(b, &reports); err != nil {
			s.loadErr[f] = fmt.Errorf("%s: %v", f, err)
			continue
		}
		for i := range reports {
			s.byDir[filepath.Clean(reports[i].SuitePath)] = &suite{report: reports[i], file: f}
		}
	}
}

// forPackage is p's suite report, or nil when p is no Ginkgo suite (or
// ended before writing one).
func (s *suiteReports) forPackage(p *pkgRun) *suite {
	if s == nil || len(s.files) == 0 {
		return nil
	}
	s.load()
	// the suite's directory ends with the package's path in the module
	rel := strings.TrimPrefix(p.path, modulePath)
	for dir, su := range s.byDir {
		if rel != p.path && strings.HasSuffix(filepath.ToSlash(dir), rel) {
			return su
		}
	}
	if len(s.byDir) == 1 && len(s.files) == 1 {
		for _, su := range s.byDir {
			return su // one suite, one report: a module under another path
		}
	}
	return nil
}

// suite is one Ginkgo suite's report.
type suite struct {
	report types.Report
	file   string
}

// specs are the report's specs proper (It), without the suite's set-up nodes.
func (s *suite) specs() []types.SpecReport {
	var out []types.SpecReport
	for _, r := range s.report.SpecReports {
		if r.LeafNodeType.Is(types.NodeTypeIt) {
			out = append(out, r)
		}
	}
	return out
}

func (s *suite) counts() counts {
	var c counts
	for _, r := range s.specs() {
		switch {
		case r.State == types.SpecStatePassed:
			c.Passed++
		case r.State == types.SpecStatePending:
			c.Pending++
		case r.State == types.SpecStateSkipped:
			c.Skipped++
		case r.State.Is(types.SpecStateFailureStates):
			c.Failed++
		}
	}
	// a failed BeforeSuite or AfterSuite fails the suite, not a spec
	for _, r := range s.report.SpecReports {
		if !r.LeafNodeType.Is(types.NodeTypeIt) && r.State.Is(types.SpecStateFailureStates) {
			c.Failed++
		}
	}
	return c
}

func (s *suite) headline() string {
	c := s.counts()
	h := fmt.Sprintf("%s: %d specs passed, %d failed, %d skipped", s.report.SuiteDescription, c.Passed, c.Failed, c.Skipped)
	if c.Pending > 0 {
		h += fmt.Sprintf(", %d pending", c.Pending)
	}
	return h
}

// failed names the failed specs (and suite nodes).
func (s *suite) failed() []string {
	var out []string
	for _, r := range s.report.SpecReports {
		if r.State.Is(types.SpecStateFailureStates) {
			out = append(out, specName(r))
		}
	}
	return out
}

func specName(r types.SpecReport) string {
	if r.LeafNodeType.Is(types.NodeTypeIt) {
		return strings.TrimSpace(r.FullText())
	}
	return "[" + r.LeafNodeType.String() + "]"
}

// print writes the suite's skips with their reasons, pending specs, the
// figures its specs recorded (AddReportEntry) and its failures, each line
// under pre.
func (s *suite) print(w io.Writer, pre string) {
	var filtered int
	for _, r := range s.specs() {
		switch r.State {
		case types.SpecStateSkipped:
			if r.Failure.Message == "" {
				filtered++ // not selected: label filter, focus, or an earlier ordered spec's failure
				continue
			}
			fmt.Fprintf(w, "%sskip %s: %s\n", pre, specName(r), oneLine(r.Failure.Message, 300))
		case types.SpecStatePending:
			fmt.Fprintf(w, "%spending %s\n", pre, specName(r))
		}
	}
	if filtered > 0 {
		why := "not selected"
		if f := s.report.SuiteConfig.LabelFilter; f != "" {
			why = fmt.Sprintf("not selected by the label filter %q", f)
		}
		fmt.Fprintf(w, "%sskip %d specs: %s\n", pre, filtered, why)
	}
	for _, r := range s.report.SpecReports {
		for _, e := range r.ReportEntries {
			if e.Visibility == types.ReportEntryVisibilityNever {
				continue
			}
			v := e.Value.Representation
			if v == "" {
				v = e.Value.AsJSON
			}
			where := specName(r)
			fmt.Fprintf(w, "%sfigure %s (%s): %s\n", pre, e.Name, where, oneLine(v, 400))
		}
	}
	for _, r := range s.report.SpecReports {
		if !r.State.Is(types.SpecStateFailureStates) {
			continue
		}
		fmt.Fprintf(w, "%s%s %s (%s)\n", pre, strings.ToUpper(r.State.String()), specName(r), relative(r.Failure.Location.String()))
		fmt.Fprint(w, indent(strings.TrimRight(r.Failure.Message, "\n"), pre+"  "))
		if r.Failure.ForwardedPanic != "" {
			fmt.Fprint(w, indent("panic: "+r.Failure.ForwardedPanic, pre+"  "))
		}
		for _, out := range []struct{ what, text string }{
			{"its output (GinkgoWriter)", r.CapturedGinkgoWriterOutput},
			{"its stdout and stderr", r.CapturedStdOutErr},
		} {
			if strings.TrimSpace(out.text) == "" {
				continue
			}
			fmt.Fprintf(w, "%s  %s:\n", pre, out.what)
			fmt.Fprint(w, indent(tail(out.text, maxFailureLines), pre+"    "))
		}
	}
	for _, why := range s.report.SpecialSuiteFailureReasons {
		fmt.Fprintf(w, "%ssuite: %s\n", pre, why)
	}
	if slow := s.slowSpecs(3); len(slow) > 0 {
		fmt.Fprintf(w, "%sslowest: %s\n", pre, strings.Join(slow, "; "))
	}
}

// slowSpecs are the n slowest specs, for the time budget.
func (s *suite) slowSpecs(n int) []string {
	sp := s.specs()
	sort.Slice(sp, func(i, j int) bool { return sp[i].RunTime > sp[j].RunTime })
	var out []string
	for i := 0; i < len(sp) && i < n; i++ {
		if sp[i].RunTime < time.Second {
			break
		}
		out = append(out, fmt.Sprintf("%s %.0fs", specName(sp[i]), sp[i].RunTime.Seconds()))
	}
	return out
}

// oneLine squeezes s onto one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// maxFailureLines bounds the output shown per failed spec (its end, where
// the cause usually is); the JSON report keeps it all.
const maxFailureLines = 300

// tail is s's last n lines, saying how many were left out.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "\n") + "\n"
	}
	return fmt.Sprintf("(%d earlier lines in the JSON report)\n", len(lines)-n) + strings.Join(lines[len(lines)-n:], "\n") + "\n"
}

// relative is a path under the working directory without it.
func relative(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, ok := strings.CutPrefix(p, wd+string(filepath.Separator)); ok {
			return rel
		}
	}
	return p
}

package coverage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/awsmodel"
	"github.com/groundstack/groundstack/harness/coverage"
)

// root is the repository's root, two levels up from this package.
const root = "../.."

// TestCoverageDocIsFresh regenerates docs/coverage.md as make coverage
// does and fails when the checked-in one differs in what is served. The
// conformance column is as of the last make coverage (the full suite takes
// too long for make test), and the page is for the botocore it names: with
// another version installed the comparison is skipped.
func TestCoverageDocIsFresh(t *testing.T) {
	t.Parallel()
	lib, err := awsmodel.Default()
	if err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	rep, err := coverage.Build(lib, coverage.Served(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := rep.WriteMarkdown(&want); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "docs", "coverage.md"))
	if err != nil {
		t.Fatalf("%v: run make coverage", err)
	}
	if m := modelsLine.Find(got); m != nil && rep.Botocore != "" && string(m) != "Models: botocore "+rep.Botocore+"." {
		t.Skipf("docs/coverage.md says %q; this machine has botocore %s: make coverage on a machine with that version", m, rep.Botocore)
	}
	got = conformanceColumn.ReplaceAll(got, []byte("${1}—${2}"))
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("docs/coverage.md is stale (models: botocore %s in %s): run make coverage\n%s", rep.Botocore, lib.Dir, firstDiff(string(got), want.String()))
	}
}

var (
	modelsLine = regexp.MustCompile(`(?m)^Models: botocore [^ ]+\.$`)
	// conformanceColumn is a table row's last cell when it is a pass rate
	// (served counts are plain numbers).
	conformanceColumn = regexp.MustCompile(`(?m)^(\|.*\| )(?:\d+/\d+|—)( \|)$`)
)

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "first difference, line " + itoa(i+1) + ":\n  checked in: " + x + "\n  generated:  " + y
		}
	}
	return ""
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	lib, err := awsmodel.Default()
	if err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	served := map[string]map[string]bool{"sts": {"GetCallerIdentity": true, "NotAnOperation": true}}
	conf := &coverage.Conformance{Services: map[string]map[string]coverage.Rate{"sts": {"GetCallerIdentity": {Passed: 3, Total: 4}}}}
	rep, err := coverage.Build(lib, served, conf)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Services) != 1 || rep.Services[0].ServedCount() != 1 {
		t.Fatalf("report = %+v, want sts with one served operation", rep.Services)
	}
	if got := rep.Services[0].Extra; len(got) != 1 || got[0] != "NotAnOperation" {
		t.Errorf("extra = %v, want [NotAnOperation]", got)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| GetCallerIdentity | yes | 3/4 |", "| AssumeRole |  | — |", "| [sts](#sts) |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestReadConformance(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if c, err := coverage.ReadConformance(filepath.Join(dir, "absent.json")); c != nil || err != nil {
		t.Errorf("absent file: %v, %v; want no report and no error", c, err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o600)
	if _, err := coverage.ReadConformance(bad); err == nil {
		t.Error("a broken report was accepted")
	}
}

// The freshness check ignores pass rates only: a served count or mark that
// changes still makes the page stale.
func TestConformanceColumnMask(t *testing.T) {
	for in, want := range map[string]string{
		"| PutObject | yes | 12/13 |":                            "| PutObject | yes | — |",
		"| ListBucketAnalyticsConfigurations |  | — |":           "| ListBucketAnalyticsConfigurations |  | — |",
		"| [s3](#s3) | 2006-03-01 | rest-xml | 64 | 111 | 3/4 |": "| [s3](#s3) | 2006-03-01 | rest-xml | 64 | 111 | — |",
		"| **all** | | | **596** | **1963** | 8563/9069 |":       "| **all** | | | **596** | **1963** | — |",
		"| [s3](#s3) | 2006-03-01 | rest-xml | 64 | 111 |":       "| [s3](#s3) | 2006-03-01 | rest-xml | 64 | 111 |",
	} {
		if got := string(conformanceColumn.ReplaceAll([]byte(in), []byte("${1}—${2}"))); got != want {
			t.Errorf("%q masked to %q, want %q", in, got, want)
		}
	}
}

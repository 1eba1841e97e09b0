package conformance

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Result is one line the driver prints: a case's verdict, a service's
// summary, or the run's end.
type Result struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Case      string `json:"case"`
	OK        bool   `json:"ok"`
	Kind      string `json:"kind"` // server-error, wrong-code, silent-success, shape
	Expected  string `json:"expected"`
	Got       string `json:"got"`

	Summary    string   `json:"summary"` // the service a summary line counts
	Operations int      `json:"operations"`
	Served     int      `json:"served"`
	Cases      int      `json:"cases"`
	Passed     int      `json:"passed"`
	Unserved   []string `json:"unserved"`

	Done    bool    `json:"done"`
	Seconds float64 `json:"seconds"`
}

// String names a case as the known-failures list does.
func (r Result) String() string { return r.Service + " | " + r.Operation + " | " + r.Case }

// ReadResults reads the driver's JSON lines; a line that is not JSON is an error.
func ReadResults(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var res Result
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			return out, fmt.Errorf("line %d: %v: %.120q", n, err, line)
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// Known is one entry of known-failures.txt: a defect the suite finds and
// nobody has fixed yet.
type Known struct {
	Service, Operation, Case string // Operation "*" matches any; Case ending in "*" is a prefix
	Reason                   string
	Line                     int
}

// Matches says whether r is the failure k describes.
func (k Known) Matches(r Result) bool {
	if k.Service != r.Service || (k.Operation != "*" && k.Operation != r.Operation) {
		return false
	}
	if p, ok := strings.CutSuffix(k.Case, "*"); ok {
		return strings.HasPrefix(r.Case, p)
	}
	return k.Case == r.Case
}

// ReadKnown reads the known-failures list: "service | operation | case | reason"
// per line; blank lines and lines starting with # are comments. Every entry
// must give its reason.
func ReadKnown(r io.Reader) ([]Known, error) {
	var out []Known
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "|", 4)
		if len(f) != 4 {
			return out, fmt.Errorf("line %d: want service | operation | case | reason, got %q", n, line)
		}
		k := Known{Line: n}
		for i, p := range []*string{&k.Service, &k.Operation, &k.Case, &k.Reason} {
			*p = strings.TrimSpace(f[i])
			if *p == "" {
				return out, fmt.Errorf("line %d: field %d is empty", n, i+1)
			}
		}
		out = append(out, k)
	}
	return out, sc.Err()
}

package esm

import (
	"bytes"
	"encoding/json"

	"github.com/groundstack/groundstack/harness/emulator/eventpattern"
)

// Filters are a mapping's FilterCriteria: event patterns (package
// eventpattern) matched against each record (an SQS record's body as JSON
// when it is JSON); a record passes when any pattern matches it.
type Filters struct {
	patterns []*eventpattern.Pattern
}

// MaxFilters is the most patterns a mapping takes (AWS's default quota).
const MaxFilters = 5

// MsgInvalidPattern is AWS's message for a pattern it cannot use.
const MsgInvalidPattern = "Invalid filter pattern definition."

// ErrInvalidPattern is any pattern ParseFilters cannot use; its text is
// AWS's message (Lambda does not say why, unlike SNS).
var ErrInvalidPattern error = patternError{}

type patternError struct{}

func (patternError) Error() string { return MsgInvalidPattern }

// ParseFilters compiles the patterns of FilterCriteria.Filters; nil when
// there are none.
func ParseFilters(patterns []string) (*Filters, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	f := &Filters{}
	for _, p := range patterns {
		c, err := eventpattern.Parse(p, eventpattern.Options{Nested: true})
		if err != nil {
			return nil, ErrInvalidPattern
		}
		f.patterns = append(f.patterns, c)
	}
	return f, nil
}

// Match reports whether a record (decoded JSON) passes the filters; nil
// filters pass everything.
func (f *Filters) Match(record map[string]any) bool {
	if f == nil {
		return true
	}
	for _, p := range f.patterns {
		if p.MatchObject(record) {
			return true
		}
	}
	return false
}

// decodeJSON decodes JSON keeping numbers exact (json.Number).
func decodeJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// decodeRecord decodes a record's JSON for matching, the body of an SQS
// record as JSON when it is an object or array.
func decodeRecord(raw []byte) map[string]any {
	var m map[string]any
	if err := decodeJSON(raw, &m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// sqsBody is the body as filters see it: decoded JSON when it is JSON, else
// the string.
func sqsBody(body string) any {
	b := bytes.TrimSpace([]byte(body))
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') && json.Valid(b) {
		var v any
		if decodeJSON(b, &v) == nil {
			return v
		}
	}
	return body
}

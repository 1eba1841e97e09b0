package esm

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Filters are a mapping's FilterCriteria: EventBridge-style patterns
// matched against each record (an SQS record's body as JSON when it is
// JSON); a record passes when any pattern matches it.
type Filters struct {
	patterns []object
}

// MaxFilters is the most patterns a mapping takes (AWS's default quota).
const MaxFilters = 5

// MsgInvalidPattern is AWS's message for a pattern it cannot use.
const MsgInvalidPattern = "Invalid filter pattern definition."

// ErrInvalidPattern is any pattern ParseFilters cannot use; its text is
// AWS's message.
var ErrInvalidPattern error = patternError{}

type patternError struct{}

func (patternError) Error() string { return MsgInvalidPattern }

// object is one level of a pattern: a key's matchers, or a nested level.
type object map[string]field

type field struct {
	nested   object
	matchers []matcher
}

type matcher struct {
	kind    string // "exact", "prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case"
	value   any    // exact: string, float64, bool or nil
	str     string
	not     []any  // anything-but values
	notPref string // anything-but prefix
	exists  bool
	ops     []numOp
}

type numOp struct {
	op string
	n  float64
}

// ParseFilters compiles the patterns of FilterCriteria.Filters; nil when
// there are none.
func ParseFilters(patterns []string) (*Filters, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	f := &Filters{}
	for _, p := range patterns {
		dec := json.NewDecoder(strings.NewReader(p))
		dec.UseNumber()
		var v map[string]any
		if err := dec.Decode(&v); err != nil || v == nil || dec.More() {
			return nil, ErrInvalidPattern
		}
		o, err := parseObject(v, 0)
		if err != nil {
			return nil, err
		}
		f.patterns = append(f.patterns, o)
	}
	return f, nil
}

func parseObject(v map[string]any, depth int) (object, error) {
	if len(v) == 0 || depth > 10 {
		return nil, ErrInvalidPattern
	}
	o := object{}
	for k, x := range v {
		switch x := x.(type) {
		case map[string]any:
			n, err := parseObject(x, depth+1)
			if err != nil {
				return nil, err
			}
			o[k] = field{nested: n}
		case []any:
			if len(x) == 0 {
				return nil, ErrInvalidPattern
			}
			var ms []matcher
			for _, e := range x {
				m, err := parseMatcher(e)
				if err != nil {
					return nil, err
				}
				ms = append(ms, m)
			}
			o[k] = field{matchers: ms}
		default:
			// Values must be in arrays: {"a": "b"} is refused, as on AWS.
			return nil, ErrInvalidPattern
		}
	}
	return o, nil
}

func parseMatcher(e any) (matcher, error) {
	switch e := e.(type) {
	case nil, bool, string:
		return matcher{kind: "exact", value: e}, nil
	case json.Number:
		n, err := e.Float64()
		if err != nil {
			return matcher{}, ErrInvalidPattern
		}
		return matcher{kind: "exact", value: n}, nil
	case map[string]any:
		if len(e) != 1 {
			return matcher{}, ErrInvalidPattern
		}
		for k, v := range e {
			switch k {
			case "prefix", "suffix", "equals-ignore-case":
				s, ok := v.(string)
				if !ok {
					return matcher{}, ErrInvalidPattern
				}
				return matcher{kind: k, str: s}, nil
			case "exists":
				b, ok := v.(bool)
				if !ok {
					return matcher{}, ErrInvalidPattern
				}
				return matcher{kind: k, exists: b}, nil
			case "anything-but":
				m := matcher{kind: k}
				switch v := v.(type) {
				case []any:
					for _, x := range v {
						x, ok := scalar(x)
						if !ok {
							return matcher{}, ErrInvalidPattern
						}
						m.not = append(m.not, x)
					}
				case map[string]any:
					p, ok := v["prefix"].(string)
					if len(v) != 1 || !ok {
						return matcher{}, ErrInvalidPattern
					}
					m.notPref = p
				default:
					x, ok := scalar(v)
					if !ok {
						return matcher{}, ErrInvalidPattern
					}
					m.not = []any{x}
				}
				return m, nil
			case "numeric":
				return parseNumeric(v)
			}
		}
	}
	return matcher{}, ErrInvalidPattern
}

func scalar(x any) (any, bool) {
	switch x := x.(type) {
	case string, bool:
		return x, true
	case json.Number:
		n, err := x.Float64()
		return n, err == nil
	}
	return nil, false
}

func parseNumeric(v any) (matcher, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 || len(list) > 4 || len(list)%2 != 0 {
		return matcher{}, ErrInvalidPattern
	}
	m := matcher{kind: "numeric"}
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		num, ok2 := list[i+1].(json.Number)
		if !ok || !ok2 {
			return matcher{}, ErrInvalidPattern
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return matcher{}, ErrInvalidPattern
		}
		n, err := num.Float64()
		if err != nil {
			return matcher{}, ErrInvalidPattern
		}
		m.ops = append(m.ops, numOp{op, n})
	}
	return m, nil
}

// Match reports whether a record (decoded JSON) passes the filters; nil
// filters pass everything.
func (f *Filters) Match(record map[string]any) bool {
	if f == nil {
		return true
	}
	for _, p := range f.patterns {
		if p.match(record) {
			return true
		}
	}
	return false
}

func (o object) match(v map[string]any) bool {
	for k, f := range o {
		x, present := v[k]
		if f.nested != nil {
			m, ok := x.(map[string]any)
			if !ok || !f.nested.match(m) {
				return false
			}
			continue
		}
		if !f.matchValue(x, present) {
			return false
		}
	}
	return true
}

func (f field) matchValue(x any, present bool) bool {
	for _, m := range f.matchers {
		if m.kind == "exists" {
			if m.exists == present {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		if list, ok := x.([]any); ok {
			for _, e := range list {
				if m.matches(e) {
					return true
				}
			}
			continue
		}
		if m.matches(x) {
			return true
		}
	}
	return false
}

func (m matcher) matches(x any) bool {
	switch m.kind {
	case "exact":
		return equal(m.value, x)
	case "prefix":
		s, ok := x.(string)
		return ok && strings.HasPrefix(s, m.str)
	case "suffix":
		s, ok := x.(string)
		return ok && strings.HasSuffix(s, m.str)
	case "equals-ignore-case":
		s, ok := x.(string)
		return ok && strings.EqualFold(s, m.str)
	case "anything-but":
		if m.notPref != "" {
			s, ok := x.(string)
			return ok && !strings.HasPrefix(s, m.notPref)
		}
		for _, n := range m.not {
			if equal(n, x) {
				return false
			}
		}
		return x != nil
	case "numeric":
		n, ok := number(x)
		if !ok {
			return false
		}
		for _, op := range m.ops {
			var pass bool
			switch op.op {
			case "=":
				pass = n == op.n
			case "<":
				pass = n < op.n
			case "<=":
				pass = n <= op.n
			case ">":
				pass = n > op.n
			case ">=":
				pass = n >= op.n
			}
			if !pass {
				return false
			}
		}
		return true
	}
	return false
}

func equal(want, x any) bool {
	if wn, ok := want.(float64); ok {
		n, ok := number(x)
		return ok && n == wn
	}
	return want == x
}

func number(x any) (float64, bool) {
	switch x := x.(type) {
	case float64:
		return x, true
	case json.Number:
		n, err := x.Float64()
		return n, err == nil
	}
	return 0, false
}

// decodeRecord decodes a record's JSON for matching, the body of an SQS
// record as JSON when it is an object or array.
func decodeRecord(raw []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
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
		if json.Unmarshal(b, &v) == nil {
			return v
		}
	}
	return body
}

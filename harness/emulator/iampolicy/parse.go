package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Position is a place in a document as IAM's simulator reports it: the
// line (from 1) and the column just past the brace that opens or closes a
// statement (columns counted in characters from 1).
type Position struct{ Line, Column int }

// Document is a parsed policy.
type Document struct {
	Statements []Statement
}

// Statement is one statement of a policy. A nil list means the element is
// absent; Action and NotAction (and the resource pair) exclude each other.
type Statement struct {
	Sid                     string
	Effect                  string // Allow or Deny
	Principal, NotPrincipal Principals
	Action, NotAction       []string
	Resource, NotResource   []string
	Conditions              []Condition
	Start, End              Position
}

// Principals maps a principal type (AWS, Service, Federated,
// CanonicalUser, or "*" for the bare wildcard) to its values; nil when the
// element is absent.
type Principals map[string][]string

// Condition is one key of one operator of a Condition block.
type Condition struct {
	Operator string // as written, e.g. ForAnyValue:StringLikeIfExists
	base     string // the operator without its set prefix and IfExists
	set      string // "", ForAnyValue or ForAllValues
	ifExists bool
	Key      string
	Values   []string
}

// UnknownOperatorError is the error for a Condition operator IAM does not
// know.
type UnknownOperatorError struct{ Operator string }

func (e *UnknownOperatorError) Error() string { return "unknown condition operator " + e.Operator }

// Parse reads a policy document: its Statement (one or a list) with the
// elements IAM evaluates, and where each statement starts and ends. It
// checks the shapes evaluation needs, not every rule a service applies
// when it stores a policy.
func Parse(doc string) (*Document, error) {
	var top struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, fmt.Errorf("the policy is not valid JSON")
	}
	raw := bytes.TrimSpace(top.Statement)
	var raws []json.RawMessage
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, fmt.Errorf("the policy has no Statement")
	case raw[0] == '{':
		raws = []json.RawMessage{raw}
	default:
		if err := json.Unmarshal(raw, &raws); err != nil {
			return nil, fmt.Errorf("the policy's Statement is not a list of objects")
		}
	}
	spans := statementSpans(doc)
	out := &Document{}
	for i, r := range raws {
		st, err := parseStatement(r)
		if err != nil {
			return nil, err
		}
		if i < len(spans) {
			st.Start, st.End = spans[i][0], spans[i][1]
		}
		out.Statements = append(out.Statements, st)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var w struct {
		Sid                                      string
		Effect                                   string
		Principal, NotPrincipal                  json.RawMessage
		Action, NotAction, Resource, NotResource json.RawMessage
		Condition                                map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return Statement{}, fmt.Errorf("a statement is not a valid object")
	}
	st := Statement{Sid: w.Sid, Effect: w.Effect}
	var err error
	for _, f := range []struct {
		raw json.RawMessage
		to  *[]string
	}{{w.Action, &st.Action}, {w.NotAction, &st.NotAction}, {w.Resource, &st.Resource}, {w.NotResource, &st.NotResource}} {
		if *f.to, err = strings1(f.raw); err != nil {
			return Statement{}, err
		}
	}
	if st.Principal, err = principals(w.Principal); err != nil {
		return Statement{}, err
	}
	if st.NotPrincipal, err = principals(w.NotPrincipal); err != nil {
		return Statement{}, err
	}
	for op, keys := range w.Condition {
		base, set, ifExists := splitOperator(op)
		if !knownOperators[strings.ToLower(base)] {
			return Statement{}, &UnknownOperatorError{op}
		}
		for k, v := range keys {
			vals, err := conditionValues(v)
			if err != nil {
				return Statement{}, err
			}
			st.Conditions = append(st.Conditions, Condition{Operator: op, base: strings.ToLower(base), set: set, ifExists: ifExists, Key: k, Values: vals})
		}
	}
	return st, nil
}

// strings1 reads an element that is one string or a list of strings.
func strings1(raw json.RawMessage) ([]string, error) {
	if raw == nil {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("an element is neither a string nor a list of strings")
	}
	if many == nil {
		many = []string{}
	}
	return many, nil
}

func principals(raw json.RawMessage) (Principals, error) {
	if raw == nil {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one != "*" {
			return nil, fmt.Errorf("invalid principal %q", one)
		}
		return Principals{"*": {"*"}}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("a principal is neither \"*\" nor an object")
	}
	p := Principals{}
	for k, v := range m {
		vals, err := strings1(v)
		if err != nil {
			return nil, err
		}
		p[k] = vals
	}
	return p, nil
}

// conditionValues reads a condition's values: strings, numbers or
// booleans, one or a list, all compared as their text.
func conditionValues(raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(t, &list); err != nil {
			return nil, fmt.Errorf("a condition's values are not valid")
		}
	} else {
		list = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out = append(out, s)
			continue
		}
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return nil, fmt.Errorf("a condition's values are not valid")
		}
		switch x.(type) {
		case float64, bool:
			out = append(out, string(bytes.TrimSpace(v)))
		default:
			return nil, fmt.Errorf("a condition's value is neither a string, a number nor a boolean")
		}
	}
	return out, nil
}

// statementSpans finds where each statement object of a document starts
// and ends, in document order (the document is valid JSON). It walks the
// text, not the decoded value, since only the text has lines and columns.
func statementSpans(doc string) [][2]Position {
	type frame struct {
		kind      byte // '{' or '['
		keyNext   bool // in an object: the next string is a key
		statement bool // this object is a statement
	}
	var stack []frame
	line, col := 1, 0
	inString, escaped, isKey := false, false, false
	var key strings.Builder
	topKey := "" // the last key of the document's own object
	var spans [][2]Position
	var open Position
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRuneInString(doc[i:])
		i += size
		if r == '\n' {
			line, col = line+1, 0
			continue
		}
		col++
		if inString {
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString = false
				if isKey {
					stack[len(stack)-1].keyNext = false
					if len(stack) == 1 {
						topKey = key.String()
					}
				}
			default:
				if isKey {
					key.WriteRune(r)
				}
			}
			continue
		}
		switch r {
		case '"':
			inString, escaped = true, false
			isKey = len(stack) > 0 && stack[len(stack)-1].kind == '{' && stack[len(stack)-1].keyNext
			key.Reset()
		case ',':
			if n := len(stack); n > 0 && stack[n-1].kind == '{' {
				stack[n-1].keyNext = true
			}
		case '{':
			st := topKey == "Statement" && (len(stack) == 1 || len(stack) == 2 && stack[1].kind == '[')
			if st {
				open = Position{line, col + 1}
			}
			stack = append(stack, frame{kind: '{', keyNext: true, statement: st})
		case '[':
			stack = append(stack, frame{kind: '['})
		case '}', ']':
			if n := len(stack); n > 0 {
				if stack[n-1].statement {
					spans = append(spans, [2]Position{open, {line, col + 1}})
				}
				stack = stack[:n-1]
			}
		}
	}
	return spans
}

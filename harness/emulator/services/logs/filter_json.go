package logs

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// JSON patterns of the filter-pattern language (see filter.go):
// { $.level = "ERROR" && ($.ms > 100 || $.user.id = "u*") }.

type jsonExpr func(doc any) bool

type jsonParser struct {
	s     string
	i     int
	depth int
}

func parseJSONPattern(s string) (func(string) bool, error) {
	if s[len(s)-1] != '}' {
		return nil, errBadPattern
	}
	p := &jsonParser{s: s[1 : len(s)-1]}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.i != len(p.s) {
		return nil, errBadPattern
	}
	return func(msg string) bool {
		doc, ok := decodeJSONDoc(msg)
		return ok && e(doc)
	}, nil
}

// decodeJSONDoc reads an event's message as a JSON object or array
// (numbers kept as json.Number).
func decodeJSONDoc(msg string) (any, bool) {
	m := strings.TrimSpace(msg)
	if m == "" || m[0] != '{' && m[0] != '[' {
		return nil, false
	}
	var doc any
	d := json.NewDecoder(strings.NewReader(m))
	d.UseNumber()
	if d.Decode(&doc) != nil {
		return nil, false
	}
	return doc, true
}

func (p *jsonParser) skip() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
}

func (p *jsonParser) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

// eatWord consumes a case-insensitive keyword followed by a non-word byte.
func (p *jsonParser) eatWord(w string) bool {
	p.skip()
	if len(p.s)-p.i < len(w) || !strings.EqualFold(p.s[p.i:p.i+len(w)], w) {
		return false
	}
	if j := p.i + len(w); j < len(p.s) && isWordByte(p.s[j]) {
		return false
	}
	p.i += len(w)
	return true
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func (p *jsonParser) or() (jsonExpr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxPatternDepth {
		return nil, errBadPattern
	}
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.eat("||") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(d any) bool { return a(d) || b(d) }
	}
	return l, nil
}

func (p *jsonParser) and() (jsonExpr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.eat("&&") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(d any) bool { return a(d) && b(d) }
	}
	return l, nil
}

func (p *jsonParser) unary() (jsonExpr, error) {
	if p.eat("(") {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, errBadPattern
		}
		return e, nil
	}
	return p.comparison()
}

// selector is a parsed $.a.b[0] path.
type selector []selStep

type selStep struct {
	key   string
	index int // -1 for a key step
}

func (p *jsonParser) selector() (selector, error) {
	p.skip()
	if p.i >= len(p.s) || p.s[p.i] != '$' {
		return nil, errBadPattern
	}
	p.i++
	var sel selector
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '.':
			p.i++
			j := p.i
			for j < len(p.s) && (isWordByte(p.s[j]) || p.s[j] == '-' || p.s[j] == '@' || p.s[j] == '$') {
				j++
			}
			if j == p.i {
				return nil, errBadPattern
			}
			sel = append(sel, selStep{key: p.s[p.i:j], index: -1})
			p.i = j
		case '[':
			j := strings.IndexByte(p.s[p.i:], ']')
			if j < 0 {
				return nil, errBadPattern
			}
			n, err := strconv.Atoi(p.s[p.i+1 : p.i+j])
			if err != nil || n < 0 {
				return nil, errBadPattern
			}
			sel = append(sel, selStep{index: n})
			p.i += j + 1
		default:
			if len(sel) == 0 {
				return nil, errBadPattern
			}
			return sel, nil
		}
	}
	if len(sel) == 0 {
		return nil, errBadPattern
	}
	return sel, nil
}

// resolve walks doc along sel; ok=false when a step is missing.
func (sel selector) resolve(doc any) (any, bool) {
	v := doc
	for _, st := range sel {
		if st.index >= 0 {
			arr, ok := v.([]any)
			if !ok || st.index >= len(arr) {
				return nil, false
			}
			v = arr[st.index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[st.key]; !ok {
			return nil, false
		}
	}
	return v, true
}

func (p *jsonParser) comparison() (jsonExpr, error) {
	sel, err := p.selector()
	if err != nil {
		return nil, err
	}
	if p.eatWord("IS") {
		switch {
		case p.eatWord("TRUE"):
			return func(d any) bool { v, ok := sel.resolve(d); b, isB := v.(bool); return ok && isB && b }, nil
		case p.eatWord("FALSE"):
			return func(d any) bool { v, ok := sel.resolve(d); b, isB := v.(bool); return ok && isB && !b }, nil
		case p.eatWord("NULL"):
			return func(d any) bool { v, ok := sel.resolve(d); return ok && v == nil }, nil
		}
		return nil, errBadPattern
	}
	if p.eatWord("NOT") {
		if !p.eatWord("EXISTS") {
			return nil, errBadPattern
		}
		return func(d any) bool { _, ok := sel.resolve(d); return !ok }, nil
	}
	var op string
	for _, o := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if p.eat(o) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, errBadPattern
	}
	val, err := p.value()
	if err != nil {
		return nil, err
	}
	cmp := val.comparator(op)
	if cmp == nil {
		return nil, errBadPattern
	}
	return func(d any) bool {
		v, ok := sel.resolve(d)
		return ok && cmp(v)
	}, nil
}

// patternValue is the right-hand side of a comparison.
type patternValue struct {
	str   string
	num   float64
	isNum bool
	re    *regexp.Regexp
}

func (p *jsonParser) value() (patternValue, error) {
	p.skip()
	if p.i >= len(p.s) {
		return patternValue{}, errBadPattern
	}
	switch p.s[p.i] {
	case '"':
		j := strings.IndexByte(p.s[p.i+1:], '"')
		if j < 0 {
			return patternValue{}, errBadPattern
		}
		v := patternValue{str: p.s[p.i+1 : p.i+1+j]}
		p.i += j + 2
		return v, nil
	case '%':
		j := strings.IndexByte(p.s[p.i+1:], '%')
		if j < 0 {
			return patternValue{}, errBadPattern
		}
		re, err := compileRegex(p.s[p.i+1 : p.i+1+j])
		if err != nil {
			return patternValue{}, err
		}
		p.i += j + 2
		return patternValue{re: re}, nil
	}
	j := p.i
	for j < len(p.s) && !isSpace(p.s[j]) && p.s[j] != ')' && p.s[j] != '&' && p.s[j] != '|' {
		j++
	}
	if j == p.i {
		return patternValue{}, errBadPattern
	}
	tok := p.s[p.i:j]
	p.i = j
	if f, err := strconv.ParseFloat(tok, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return patternValue{str: tok, num: f, isNum: true}, nil
	}
	return patternValue{str: tok}, nil
}

// comparator returns the test of a JSON value against v with op, or nil when
// op does not apply to v (a string with <).
func (v patternValue) comparator(op string) func(any) bool {
	switch {
	case v.re != nil:
		if op != "=" && op != "!=" {
			return nil
		}
		return func(x any) bool {
			s, ok := scalarString(x)
			return ok && v.re.MatchString(s) == (op == "=")
		}
	case v.isNum:
		return func(x any) bool {
			n, ok := x.(json.Number)
			if !ok {
				return false
			}
			f, err := n.Float64()
			if err != nil {
				return false
			}
			return compareNum(f, op, v.num)
		}
	default:
		if op != "=" && op != "!=" {
			return nil
		}
		return func(x any) bool {
			s, ok := scalarString(x)
			return ok && globMatch(v.str, s) == (op == "=")
		}
	}
}

func scalarString(x any) (string, bool) {
	switch t := x.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

func compareNum(a float64, op string, b float64) bool {
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	default:
		return a >= b
	}
}

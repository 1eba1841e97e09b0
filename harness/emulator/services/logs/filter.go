package logs

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// This file is CloudWatch Logs' filter-pattern language, as FilterLogEvents
// (and metric/subscription filters) use it:
//
//	""                              every event
//	ERROR Exception                 both terms (substring, case-sensitive)
//	"Internal Server Error"         an exact phrase
//	?ERROR ?WARN                    either term
//	ERROR -Exiting                  ERROR but not Exiting
//	%ERR[0-9]+%                     a regular expression
//	{ $.level = "ERROR" && $.ms > 100 }   JSON events (=, !=, <, <=, >, >=,
//	                                IS TRUE|FALSE|NULL, NOT EXISTS, *, %re%)
//	[ip, user, ..., status = 4*, size > 1000]   space-delimited fields

// Pattern is a compiled filter pattern.
type Pattern struct {
	match func(msg string) bool
}

// Match reports whether msg matches the pattern.
func (p *Pattern) Match(msg string) bool {
	if p == nil || p.match == nil {
		return true
	}
	return p.match(msg)
}

// errBadPattern is what a pattern that does not parse comes back as.
var errBadPattern error = errInvalidParameter.New("Invalid filter pattern")

// limits that keep a hostile pattern cheap to compile and evaluate.
const (
	maxPatternLen   = 1024
	maxPatternDepth = 32
)

// CompilePattern parses a filter pattern.
func CompilePattern(src string) (*Pattern, error) {
	if len(src) > maxPatternLen {
		return nil, errBadPattern
	}
	s := strings.TrimSpace(src)
	switch {
	case s == "":
		return &Pattern{}, nil
	case s[0] == '{':
		e, err := parseJSONPattern(s)
		if err != nil {
			return nil, err
		}
		return &Pattern{match: e}, nil
	case s[0] == '[':
		m, err := parseDelimitedPattern(s)
		if err != nil {
			return nil, err
		}
		return &Pattern{match: m}, nil
	case len(s) >= 2 && s[0] == '%' && s[len(s)-1] == '%' && strings.Count(s, "%") == 2:
		re, err := compileRegex(s[1 : len(s)-1])
		if err != nil {
			return nil, err
		}
		return &Pattern{match: re.MatchString}, nil
	}
	return parseTerms(s)
}

func compileRegex(src string) (*regexp.Regexp, error) {
	if src == "" {
		return nil, errBadPattern
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, errBadPattern
	}
	return re, nil
}

// --- terms -----------------------------------------------------------------

// parseTerms compiles the unstructured form: plain terms all match, at least
// one of the ?terms matches (when any), and no -term matches.
func parseTerms(s string) (*Pattern, error) {
	var all, anyOf, none []string
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		kind := byte(0)
		if c == '?' || c == '-' {
			kind = c
			i++
			if i >= len(s) || isSpace(s[i]) {
				return nil, errBadPattern
			}
		}
		var term string
		if s[i] == '"' {
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, errBadPattern
			}
			term = s[i+1 : i+1+j]
			i += j + 2
			if i < len(s) && !isSpace(s[i]) {
				return nil, errBadPattern
			}
		} else {
			j := i
			for j < len(s) && !isSpace(s[j]) && s[j] != '"' {
				j++
			}
			if j < len(s) && s[j] == '"' {
				return nil, errBadPattern
			}
			term = s[i:j]
			i = j
		}
		if term == "" {
			continue
		}
		switch kind {
		case '?':
			anyOf = append(anyOf, term)
		case '-':
			none = append(none, term)
		default:
			all = append(all, term)
		}
	}
	return &Pattern{match: func(msg string) bool {
		for _, t := range all {
			if !strings.Contains(msg, t) {
				return false
			}
		}
		for _, t := range none {
			if strings.Contains(msg, t) {
				return false
			}
		}
		if len(anyOf) == 0 {
			return true
		}
		for _, t := range anyOf {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return false
	}}, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// --- JSON patterns -----------------------------------------------------------

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
		m := strings.TrimSpace(msg)
		if m == "" || m[0] != '{' && m[0] != '[' {
			return false
		}
		var doc any
		d := json.NewDecoder(strings.NewReader(m))
		d.UseNumber()
		if d.Decode(&doc) != nil {
			return false
		}
		return e(doc)
	}, nil
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

// globMatch matches s against pattern, in which '*' stands for any run of
// bytes (linear time, no backtracking blow-up).
func globMatch(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, last)
}

// --- space-delimited patterns ------------------------------------------------

// field is one slot of a [a, b=1, ...] pattern.
type field struct {
	ellipsis bool
	test     func(tok string) bool // nil: any token
}

func parseDelimitedPattern(s string) (func(string) bool, error) {
	if s[len(s)-1] != ']' {
		return nil, errBadPattern
	}
	body := s[1 : len(s)-1]
	if strings.TrimSpace(body) == "" {
		return nil, errBadPattern
	}
	parts := splitFields(body)
	if len(parts) > 100 {
		return nil, errBadPattern
	}
	fields := make([]field, 0, len(parts))
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, errBadPattern
		}
		if part == "..." {
			fields = append(fields, field{ellipsis: true})
			continue
		}
		f, err := parseField(part)
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
	}
	return func(msg string) bool { return matchFields(fields, tokenize(msg)) }, nil
}

// splitFields splits on commas outside double quotes.
func splitFields(s string) []string {
	var out []string
	inQ, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQ = !inQ
		case ',':
			if !inQ {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func parseField(part string) (field, error) {
	// a bare name matches any token
	i := 0
	for i < len(part) && (isWordByte(part[i]) || part[i] == '-' || part[i] == '.') {
		i++
	}
	name, rest := part[:i], strings.TrimSpace(part[i:])
	if rest == "" {
		if name == "" {
			return field{}, errBadPattern
		}
		return field{}, nil
	}
	if name == "" {
		// a literal value in the slot
		lit := unquote(rest)
		return field{test: func(tok string) bool { return globMatch(lit, tok) }}, nil
	}
	p := &jsonParser{s: rest}
	var op string
	for _, o := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if p.eat(o) {
			op = o
			break
		}
	}
	if op == "" {
		return field{}, errBadPattern
	}
	v, err := p.value()
	if err != nil {
		return field{}, err
	}
	p.skip()
	if p.i != len(p.s) {
		return field{}, errBadPattern
	}
	switch {
	case v.re != nil:
		if op != "=" && op != "!=" {
			return field{}, errBadPattern
		}
		return field{test: func(tok string) bool { return v.re.MatchString(tok) == (op == "=") }}, nil
	case v.isNum:
		return field{test: func(tok string) bool {
			f, err := strconv.ParseFloat(tok, 64)
			return err == nil && compareNum(f, op, v.num)
		}}, nil
	default:
		if op != "=" && op != "!=" {
			return field{}, errBadPattern
		}
		return field{test: func(tok string) bool { return globMatch(v.str, tok) == (op == "=") }}, nil
	}
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// tokenize splits a log line on spaces, keeping "quoted" and [bracketed]
// runs as one token (without their delimiters), as CloudWatch does.
func tokenize(msg string) []string {
	var toks []string
	for i := 0; i < len(msg); {
		if isSpace(msg[i]) {
			i++
			continue
		}
		var closer byte
		switch msg[i] {
		case '"':
			closer = '"'
		case '[':
			closer = ']'
		}
		if closer != 0 {
			if j := strings.IndexByte(msg[i+1:], closer); j >= 0 {
				toks = append(toks, msg[i+1:i+1+j])
				i += j + 2
				continue
			}
		}
		j := i
		for j < len(msg) && !isSpace(msg[j]) {
			j++
		}
		toks = append(toks, msg[i:j])
		i = j
	}
	return toks
}

// matchFields matches fields against toks; "..." absorbs any number of
// tokens. Dynamic programming keeps it O(fields × tokens).
func matchFields(fields []field, toks []string) bool {
	n := len(toks)
	next := make([]bool, n+1) // row for fields[i+1:]
	cur := make([]bool, n+1)
	next[n] = true // no fields left, no tokens left
	for i := len(fields) - 1; i >= 0; i-- {
		f := fields[i]
		for j := n; j >= 0; j-- {
			switch {
			case f.ellipsis:
				cur[j] = next[j] || (j < n && cur[j+1])
			case j == n:
				cur[j] = false
			default:
				cur[j] = next[j+1] && (f.test == nil || f.test(toks[j]))
			}
		}
		cur, next = next, cur
	}
	return next[0]
}

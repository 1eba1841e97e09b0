package logs

import (
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
	// names are the named slots of a space-delimited pattern, at their
	// position from the start (pos >= 0) or from the end (pos < 0: -1 is
	// the last token); unknown positions (between two ellipses) are absent.
	names []slotName
}

type slotName struct {
	name string
	pos  int
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
		m, names, err := parseDelimitedPattern(s)
		if err != nil {
			return nil, err
		}
		return &Pattern{match: m, names: names}, nil
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

func parseDelimitedPattern(s string) (func(string) bool, []slotName, error) {
	if s[len(s)-1] != ']' {
		return nil, nil, errBadPattern
	}
	body := s[1 : len(s)-1]
	if strings.TrimSpace(body) == "" {
		return nil, nil, errBadPattern
	}
	parts := splitFields(body)
	if len(parts) > 100 {
		return nil, nil, errBadPattern
	}
	fields := make([]field, 0, len(parts))
	var named []string // per field, its name ("" for none)
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, nil, errBadPattern
		}
		if part == "..." {
			fields = append(fields, field{ellipsis: true})
			named = append(named, "")
			continue
		}
		f, err := parseField(part)
		if err != nil {
			return nil, nil, err
		}
		fields = append(fields, f)
		i := 0
		for i < len(part) && (isWordByte(part[i]) || part[i] == '-' || part[i] == '.') {
			i++
		}
		named = append(named, part[:i])
	}
	// a slot's token is known before the first ellipsis (from the start)
	// and after the last one (from the end)
	first, last := len(fields), -1
	for i, f := range fields {
		if f.ellipsis {
			first = min(first, i)
			last = i
		}
	}
	var names []slotName
	for i, n := range named {
		switch {
		case n == "":
		case i < first:
			names = append(names, slotName{n, i})
		case i > last:
			names = append(names, slotName{n, i - len(fields)})
		}
	}
	return func(msg string) bool { return matchFields(fields, tokenize(msg)) }, names, nil
}

// Extract returns the values a matching msg gives the pattern's named
// fields, keyed as metric filters name them: "$status" for a slot of a
// space-delimited pattern. Other patterns extract nothing.
func (p *Pattern) Extract(msg string) map[string]string {
	if p == nil || len(p.names) == 0 {
		return nil
	}
	toks := tokenize(msg)
	out := make(map[string]string, len(p.names))
	for _, n := range p.names {
		i := n.pos
		if i < 0 {
			i += len(toks)
		}
		if i >= 0 && i < len(toks) {
			out["$"+n.name] = toks[i]
		}
	}
	return out
}

// FieldValue resolves a metric filter's value or dimension expression
// against an event: "$.a.b" reads the event as JSON, "$name" a slot of a
// space-delimited pattern; anything else is a literal. ok=false: the
// event has no such field.
func (p *Pattern) FieldValue(msg, expr string, extracted map[string]string) (string, bool) {
	if !strings.HasPrefix(expr, "$") {
		return expr, true
	}
	if strings.HasPrefix(expr, "$.") || strings.HasPrefix(expr, "$[") {
		jp := &jsonParser{s: expr}
		sel, err := jp.selector()
		if err != nil || jp.i != len(expr) {
			return "", false
		}
		doc, ok := decodeJSONDoc(msg)
		if !ok {
			return "", false
		}
		v, ok := sel.resolve(doc)
		if !ok {
			return "", false
		}
		return scalarString(v)
	}
	if extracted == nil {
		extracted = p.Extract(msg)
	}
	v, ok := extracted[expr]
	return v, ok
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

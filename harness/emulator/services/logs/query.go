package logs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file parses the subset of the CloudWatch Logs Insights query
// language the emulator runs (query_exec.go runs it):
//
//	fields @timestamp, @message, level as lvl
//	| filter level = "ERROR" and (ms > 100 or @message like /timeout/) and ispresent(user)
//	| parse @message "user=* action=*" as user, action
//	| parse @message /(?<code>\d{3})/
//	| stats count(*) as n, avg(ms), sum(bytes), min(ms), max(ms) by level, bin(5m)
//	| sort n desc | limit 20 | display level, n
//
// Anything else is a MalformedQueryException naming the position.

// qtok is a token of a query.
type qtok struct {
	kind byte // 'i' ident, 's' string, 'n' number, 'd' duration, 'r' regex, 'p' punctuation, 0 end
	text string
	pos  int // byte offset in the query
}

// maxQueryCommands and maxExprDepth keep a hostile query cheap to parse.
const (
	maxQueryCommands = 100
	maxExprDepth     = 32
)

func malformed(q string, pos int, what string) error {
	line, col := 1, pos+1
	if pos > len(q) {
		pos = len(q)
	}
	if i := strings.LastIndexByte(q[:pos], '\n'); i >= 0 {
		line = strings.Count(q[:pos], "\n") + 1
		col = pos - i
	}
	return errMalformedQuery.Errorf("unexpected symbol found %s at line %d and position %d", what, line, col)
}

func lexQuery(q string) ([]qtok, error) {
	var toks []qtok
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#': // a comment to the end of the line
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case c == '\'' || c == '"':
			j := i + 1
			var sb strings.Builder
			for j < len(q) && q[j] != c {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				sb.WriteByte(q[j])
				j++
			}
			if j >= len(q) {
				return nil, malformed(q, i, string(c))
			}
			toks = append(toks, qtok{'s', sb.String(), i})
			i = j + 1
		case c == '`':
			j := strings.IndexByte(q[i+1:], '`')
			if j < 0 {
				return nil, malformed(q, i, "`")
			}
			toks = append(toks, qtok{'i', q[i+1 : i+1+j], i})
			i += j + 2
		case c == '/':
			j := i + 1
			for j < len(q) && q[j] != '/' {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				j++
			}
			if j >= len(q) {
				return nil, malformed(q, i, "/")
			}
			toks = append(toks, qtok{'r', q[i+1 : j], i})
			i = j + 1
		case '0' <= c && c <= '9':
			j := i
			for j < len(q) && ('0' <= q[j] && q[j] <= '9' || q[j] == '.') {
				j++
			}
			k := j
			for k < len(q) && ('a' <= q[k] && q[k] <= 'z' || 'A' <= q[k] && q[k] <= 'Z') {
				k++
			}
			if k > j {
				toks = append(toks, qtok{'d', q[i:k], i})
			} else {
				toks = append(toks, qtok{'n', q[i:j], i})
			}
			i = k
		case c == '@' || c == '_' || c == '$' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			j := i + 1
			for j < len(q) && (isWordByte(q[j]) || q[j] == '.' || q[j] == '@' || q[j] == '$') {
				j++
			}
			toks = append(toks, qtok{'i', q[i:j], i})
			i = j
		default:
			two := ""
			if i+1 < len(q) {
				two = q[i : i+2]
			}
			switch two {
			case "!=", "<=", ">=", "=~", "==":
				toks = append(toks, qtok{'p', two, i})
				i += 2
				continue
			}
			if strings.IndexByte("|,()[]=<>*-+!", c) < 0 {
				return nil, malformed(q, i, string(c))
			}
			toks = append(toks, qtok{'p', string(c), i})
			i++
		}
	}
	return append(toks, qtok{pos: len(q)}), nil
}

// ---- the parsed query ----

// Query commands.
type qcmd struct {
	kind   string // fields, display, filter, parse, stats, sort, limit, dedup
	fields []qfield
	cond   qexpr
	// parse
	src    string
	glob   []string // literal parts around the * of a glob pattern
	re     *regexp.Regexp
	names  []string
	aggs   []qagg
	by     []qfield
	sorts  []qsort
	limit  int
	source string // the command's text, for naming
}

// qfield is a field reference (or bin()) with its output name.
type qfield struct {
	name string
	bin  int64 // ms, for bin(…)
	as   string
}

func (f qfield) outName() string {
	if f.as != "" {
		return f.as
	}
	return f.name
}

type qagg struct {
	fn, arg, as, text string
}

func (a qagg) outName() string {
	if a.as != "" {
		return a.as
	}
	return a.text
}

type qsort struct {
	field string
	desc  bool
}

// qexpr is a filter expression.
type qexpr struct {
	op    string // and, or, not, cmp, like, notlike, in, ispresent, isempty, lit
	l, r  *qexpr
	field string   // cmp/like/in/ispresent: the field
	cmp   string   // =, !=, <, <=, >, >=
	val   string   // literal
	num   *float64 // literal as a number
	re    *regexp.Regexp
	list  []string
}

// parsedQuery is a parsed query.
type parsedQuery struct {
	cmds []qcmd
}

type qparser struct {
	q     string
	toks  []qtok
	i     int
	depth int
}

func (p *qparser) peek() qtok { return p.toks[p.i] }
func (p *qparser) next() qtok {
	t := p.toks[p.i]
	if t.kind != 0 {
		p.i++
	}
	return t
}

func (p *qparser) fail(t qtok) error {
	what := t.text
	if t.kind == 0 {
		what = "<EOF>"
	}
	return malformed(p.q, t.pos, what)
}

func (p *qparser) isWord(w string) bool {
	t := p.peek()
	return t.kind == 'i' && strings.EqualFold(t.text, w)
}

func (p *qparser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == 'p' && t.text == s
}

func (p *qparser) expectPunct(s string) error {
	if !p.isPunct(s) {
		return p.fail(p.peek())
	}
	p.next()
	return nil
}

// ParseQuery parses an Insights query.
func ParseQuery(q string) (*parsedQuery, error) {
	toks, err := lexQuery(q)
	if err != nil {
		return nil, err
	}
	p := &qparser{q: q, toks: toks}
	pq := &parsedQuery{}
	if p.peek().kind == 0 {
		return pq, nil
	}
	for {
		if len(pq.cmds) == maxQueryCommands {
			return nil, p.fail(p.peek())
		}
		start := p.peek().pos
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		c.source = strings.TrimSpace(q[start:p.peek().pos])
		pq.cmds = append(pq.cmds, c)
		if p.peek().kind == 0 {
			return pq, nil
		}
		if err := p.expectPunct("|"); err != nil {
			return nil, err
		}
	}
}

func (p *qparser) command() (qcmd, error) {
	t := p.next()
	if t.kind != 'i' {
		return qcmd{}, p.fail(t)
	}
	c := qcmd{kind: strings.ToLower(t.text)}
	var err error
	switch c.kind {
	case "fields", "display", "dedup":
		c.fields, err = p.fieldList(c.kind == "fields")
	case "filter":
		var e *qexpr
		e, err = p.or()
		if e != nil {
			c.cond = *e
		}
	case "parse":
		err = p.parse(&c)
	case "stats":
		err = p.stats(&c)
	case "sort":
		err = p.sortList(&c)
	case "limit":
		n := p.next()
		v, e := strconv.Atoi(n.text)
		if n.kind != 'n' || e != nil || v < 1 || v > 10000 {
			return c, p.fail(n)
		}
		c.limit = v
	default:
		return c, p.fail(t)
	}
	return c, err
}

// field parses a field reference.
func (p *qparser) field() (string, error) {
	t := p.next()
	if t.kind != 'i' {
		return "", p.fail(t)
	}
	return t.text, nil
}

func (p *qparser) fieldList(aliases bool) ([]qfield, error) {
	var out []qfield
	for {
		name, err := p.field()
		if err != nil {
			return nil, err
		}
		f := qfield{name: name}
		if aliases && p.isWord("as") {
			p.next()
			if f.as, err = p.field(); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
		if !p.isPunct(",") {
			return out, nil
		}
		p.next()
	}
}

func (p *qparser) parse(c *qcmd) error {
	src := "@message"
	if p.peek().kind == 'i' {
		src = p.next().text
	}
	c.src = src
	t := p.next()
	switch t.kind {
	case 's':
		c.glob = strings.Split(t.text, "*")
		if len(c.glob) < 2 || len(c.glob) > 101 {
			return p.fail(t)
		}
		if !p.isWord("as") {
			return p.fail(p.peek())
		}
		p.next()
		for {
			n, err := p.field()
			if err != nil {
				return err
			}
			c.names = append(c.names, n)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		if len(c.names) != len(c.glob)-1 {
			return malformed(p.q, t.pos, t.text)
		}
	case 'r':
		re, err := regexp.Compile(strings.ReplaceAll(t.text, "(?<", "(?P<"))
		if err != nil {
			return malformed(p.q, t.pos, t.text)
		}
		c.re = re
		for _, n := range re.SubexpNames() {
			if n != "" {
				c.names = append(c.names, n)
			}
		}
		if len(c.names) == 0 {
			return malformed(p.q, t.pos, t.text)
		}
	default:
		return p.fail(t)
	}
	return nil
}

var aggFuncs = map[string]bool{"count": true, "count_distinct": true, "sum": true, "avg": true, "min": true, "max": true}

func (p *qparser) stats(c *qcmd) error {
	for {
		t := p.next()
		fn := strings.ToLower(t.text)
		if t.kind != 'i' || !aggFuncs[fn] {
			return p.fail(t)
		}
		if err := p.expectPunct("("); err != nil {
			return err
		}
		a := qagg{fn: fn}
		if p.isPunct("*") {
			p.next()
			a.arg = "*"
			if fn != "count" {
				return p.fail(p.toks[p.i-1])
			}
		} else if fn == "count" && p.isPunct(")") {
			a.arg = "*"
		} else {
			var err error
			if a.arg, err = p.field(); err != nil {
				return err
			}
		}
		end := p.peek()
		if err := p.expectPunct(")"); err != nil {
			return err
		}
		a.text = p.q[t.pos : end.pos+1]
		if p.isWord("as") {
			p.next()
			var err error
			if a.as, err = p.field(); err != nil {
				return err
			}
		}
		c.aggs = append(c.aggs, a)
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	if !p.isWord("by") {
		return nil
	}
	p.next()
	for {
		var f qfield
		if p.isWord("bin") {
			t := p.next()
			if err := p.expectPunct("("); err != nil {
				return err
			}
			d := p.next()
			ms, ok := durationMS(d)
			if !ok {
				return p.fail(d)
			}
			end := p.peek()
			if err := p.expectPunct(")"); err != nil {
				return err
			}
			f = qfield{name: p.q[t.pos : end.pos+1], bin: ms}
		} else {
			n, err := p.field()
			if err != nil {
				return err
			}
			f = qfield{name: n}
		}
		if p.isWord("as") {
			p.next()
			var err error
			if f.as, err = p.field(); err != nil {
				return err
			}
		}
		c.by = append(c.by, f)
		if !p.isPunct(",") {
			return nil
		}
		p.next()
	}
}

// durationMS reads bin()'s period: 30s, 5m, 1h, 1d (ms, s, m, h, d, w).
func durationMS(t qtok) (int64, bool) {
	if t.kind != 'd' {
		return 0, false
	}
	i := 0
	for i < len(t.text) && '0' <= t.text[i] && t.text[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(t.text[:i], 10, 64)
	if err != nil || n <= 0 || n > 1<<20 {
		return 0, false
	}
	unit := map[string]int64{"ms": 1, "s": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}[t.text[i:]]
	if unit == 0 {
		return 0, false
	}
	return n * unit, true
}

func (p *qparser) sortList(c *qcmd) error {
	for {
		n, err := p.field()
		if err != nil {
			return err
		}
		s := qsort{field: n}
		switch {
		case p.isWord("desc"):
			p.next()
			s.desc = true
		case p.isWord("asc"):
			p.next()
		}
		c.sorts = append(c.sorts, s)
		if !p.isPunct(",") {
			return nil
		}
		p.next()
	}
}

// ---- filter expressions ----

func (p *qparser) enter() error {
	p.depth++
	if p.depth > maxExprDepth {
		return p.fail(p.peek())
	}
	return nil
}

func (p *qparser) or() (*qexpr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") || p.isPunct("||") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &qexpr{op: "or", l: l, r: r}
	}
	return l, nil
}

func (p *qparser) and() (*qexpr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &qexpr{op: "and", l: l, r: r}
	}
	return l, nil
}

func (p *qparser) unary() (*qexpr, error) {
	if p.isWord("not") || p.isPunct("!") {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		e, err := p.unary()
		p.depth--
		if err != nil {
			return nil, err
		}
		return &qexpr{op: "not", l: e}, nil
	}
	if p.isPunct("(") {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		return e, p.expectPunct(")")
	}
	if p.isWord("ispresent") || p.isWord("isempty") || p.isWord("isblank") {
		op := strings.ToLower(p.next().text)
		if op == "isblank" {
			op = "isempty"
		}
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		f, err := p.field()
		if err != nil {
			return nil, err
		}
		return &qexpr{op: op, field: f}, p.expectPunct(")")
	}
	f, err := p.field()
	if err != nil {
		return nil, err
	}
	e := &qexpr{field: f}
	t := p.next()
	switch {
	case t.kind == 'i' && strings.EqualFold(t.text, "like"):
		e.op = "like"
	case t.kind == 'i' && strings.EqualFold(t.text, "not") && p.isWord("like"):
		p.next()
		e.op = "notlike"
	case t.kind == 'i' && strings.EqualFold(t.text, "in"):
		e.op = "in"
		if err := p.expectPunct("["); err != nil {
			return nil, err
		}
		for {
			v := p.next()
			if v.kind != 's' && v.kind != 'n' {
				return nil, p.fail(v)
			}
			e.list = append(e.list, v.text)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		return e, p.expectPunct("]")
	case t.kind == 'p' && t.text == "=~":
		e.op = "like"
	case t.kind == 'p' && (t.text == "=" || t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		e.op, e.cmp = "cmp", strings.TrimPrefix(t.text, "=")
		if t.text == "=" || t.text == "==" {
			e.cmp = "="
		}
	default:
		return nil, p.fail(t)
	}
	v := p.next()
	switch {
	case e.op == "like" && v.kind == 'r', e.op == "notlike" && v.kind == 'r':
		re, err := regexp.Compile(strings.ReplaceAll(v.text, "(?<", "(?P<"))
		if err != nil {
			return nil, malformed(p.q, v.pos, v.text)
		}
		e.re = re
	case e.op == "like" || e.op == "notlike":
		if v.kind != 's' {
			return nil, p.fail(v)
		}
		e.re = regexp.MustCompile(regexp.QuoteMeta(v.text))
	case v.kind == 's':
		e.val = v.text
	case v.kind == 'n':
		f, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			return nil, p.fail(v)
		}
		e.val, e.num = v.text, &f
	case v.kind == 'p' && v.text == "-" && p.peek().kind == 'n':
		n := p.next()
		f, err := strconv.ParseFloat(n.text, 64)
		if err != nil {
			return nil, p.fail(n)
		}
		f = -f
		e.val, e.num = "-"+n.text, &f
	case v.kind == 'i' && (strings.EqualFold(v.text, "true") || strings.EqualFold(v.text, "false")):
		e.val = strings.ToLower(v.text)
	default:
		return nil, p.fail(v)
	}
	return e, nil
}

// String renders a command kind list (for debugging and tests).
func (pq *parsedQuery) String() string {
	var parts []string
	for _, c := range pq.cmds {
		parts = append(parts, fmt.Sprintf("%s(%s)", c.kind, c.source))
	}
	return strings.Join(parts, " | ")
}

package s3

import (
	"strconv"
	"strings"
)

// The SQL subset SelectObjectContent answers:
//
//	SELECT * | COUNT(*) | expr [AS name], … FROM S3Object [[AS] alias]
//	[WHERE condition] [LIMIT n]
//
// where an expression is a column (s._3, s.name, s."a b", name), a string
// ('x') or a number, and a condition compares expressions (=, !=, <>, <,
// <=, >, >=), tests IS [NOT] NULL, and combines with AND, OR, NOT and
// parentheses. Anything else is answered with S3 Select's parse errors.

// sqlQuery is a parsed query.
type sqlQuery struct {
	star  bool
	count bool
	cols  []sqlExpr
	names []string // output names of cols ("" when unnamed)
	where *sqlCond
	limit int // -1: none
}

// sqlExpr is a column (index ≥ 1, or name) or a literal.
type sqlExpr struct {
	index int
	name  string
	isCol bool
	lit   sqlValue
}

// sqlValue is a value: a string, a number, or null.
type sqlValue struct {
	s     string
	n     float64
	isNum bool
	null  bool
}

type sqlCond struct {
	op   string // "and", "or", "not", "cmp", "isnull"
	a, b *sqlCond
	cmp  string
	l, r sqlExpr
	neg  bool // IS NOT NULL
}

// sqlError is a parse error, with S3 Select's code.
type sqlError struct{ code, msg string }

func (e *sqlError) Error() string { return e.code + ": " + e.msg }

type sqlToken struct {
	kind byte // 'i' identifier, 'q' quoted identifier, 's' string, 'n' number, 'p' punctuation, 0 end
	text string
	pos  int
}

func sqlLex(src string) ([]sqlToken, error) {
	var out []sqlToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			j := i + 1
			var sb strings.Builder
			for {
				if j >= len(src) {
					return nil, &sqlError{"LexerInvalidLiteral", "Invalid literal at line 1, column " + strconv.Itoa(i+1) + "."}
				}
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c { // doubled quote
						sb.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(src[j])
				j++
			}
			kind := byte('s')
			if c == '"' {
				kind = 'q'
			}
			out = append(out, sqlToken{kind, sb.String(), i})
			i = j + 1
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			out = append(out, sqlToken{'n', src[i:j], i})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, sqlToken{'i', src[i:j], i})
			i = j
		default:
			for _, p := range []string{"<=", ">=", "<>", "!=", "=", "<", ">", "*", ",", ".", "(", ")"} {
				if strings.HasPrefix(src[i:], p) {
					out = append(out, sqlToken{'p', p, i})
					i += len(p)
					goto next
				}
			}
			return nil, &sqlError{"LexerInvalidChar", "Invalid character at line 1, column " + strconv.Itoa(i+1) + "."}
		next:
		}
	}
	return append(out, sqlToken{pos: len(src)}), nil
}

type sqlParser struct {
	toks  []sqlToken
	i     int
	alias string
}

func (p *sqlParser) peek() sqlToken { return p.toks[p.i] }
func (p *sqlParser) next() sqlToken {
	t := p.toks[p.i]
	if t.kind != 0 {
		p.i++
	}
	return t
}

// back undoes next (which does not move past the end).
func (p *sqlParser) back(t sqlToken) {
	if t.kind != 0 {
		p.i--
	}
}

func (p *sqlParser) keyword(k string) bool {
	if t := p.peek(); t.kind == 'i' && strings.EqualFold(t.text, k) {
		p.i++
		return true
	}
	return false
}

func (p *sqlParser) punct(s string) bool {
	if t := p.peek(); t.kind == 'p' && t.text == s {
		p.i++
		return true
	}
	return false
}

func (p *sqlParser) unexpected() error {
	t := p.peek()
	if t.kind == 0 && t.text == "" {
		return &sqlError{"ParseUnexpectedTerm", "Unexpected end of the SQL expression."}
	}
	return &sqlError{"ParseUnexpectedToken", "Unexpected token found " + t.text + " at line 1, column " + strconv.Itoa(t.pos+1) + "."}
}

var sqlReserved = map[string]bool{"select": true, "from": true, "where": true, "and": true, "or": true, "not": true,
	"limit": true, "as": true, "is": true, "null": true}

// parseSQL parses a query of the subset.
func parseSQL(src string) (*sqlQuery, error) {
	toks, err := sqlLex(src)
	if err != nil {
		return nil, err
	}
	p := &sqlParser{toks: toks}
	q := &sqlQuery{limit: -1}
	if !p.keyword("select") {
		return nil, &sqlError{"ParseExpectedKeyword", "Did not find the expected keyword SELECT at line 1, column 1."}
	}
	// The projection is read after FROM (it may name the alias).
	start := p.i
	depth := 0
	for t := p.peek(); t.kind != 0 && !(depth == 0 && t.kind == 'i' && strings.EqualFold(t.text, "from")); t = p.peek() {
		if t.kind == 'p' && t.text == "(" {
			depth++
		} else if t.kind == 'p' && t.text == ")" {
			depth--
		}
		p.next()
	}
	end := p.i
	if !p.keyword("from") {
		return nil, &sqlError{"ParseSelectMissingFrom", "Select is missing the FROM clause."}
	}
	if t := p.next(); t.kind != 'i' || !strings.EqualFold(t.text, "s3object") {
		p.back(t)
		return nil, p.unexpected()
	}
	p.keyword("as")
	if t := p.peek(); t.kind == 'i' && !sqlReserved[strings.ToLower(t.text)] {
		p.alias = t.text
		p.next()
	}
	if p.keyword("where") {
		if q.where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if p.keyword("limit") {
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != 'n' || err != nil || n < 0 {
			p.back(t)
			return nil, p.unexpected()
		}
		q.limit = n
	}
	if p.peek().kind != 0 {
		return nil, p.unexpected()
	}
	// The projection.
	rest := p.i
	p.toks = append(append([]sqlToken{}, toks[start:end]...), sqlToken{text: toks[end].text, pos: toks[end].pos}) // ends at FROM
	p.i = 0
	defer func() { p.i = rest }()
	switch {
	case p.punct("*"):
		q.star = true
	case p.keyword("count"):
		if !p.punct("(") || !p.punct("*") || !p.punct(")") {
			return nil, &sqlError{"UnsupportedSyntax", "Only COUNT(*) is supported."}
		}
		q.count = true
	default:
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			name := ""
			if p.keyword("as") {
				t := p.next()
				if t.kind != 'i' && t.kind != 'q' {
					p.back(t)
					return nil, p.unexpected()
				}
				name = t.text
			}
			q.cols, q.names = append(q.cols, e), append(q.names, name)
			if !p.punct(",") {
				break
			}
		}
	}
	if p.peek().kind != 0 {
		return nil, p.unexpected()
	}
	return q, nil
}

func (p *sqlParser) or() (*sqlCond, error) {
	a, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		b, err := p.and()
		if err != nil {
			return nil, err
		}
		a = &sqlCond{op: "or", a: a, b: b}
	}
	return a, nil
}

func (p *sqlParser) and() (*sqlCond, error) {
	a, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		b, err := p.not()
		if err != nil {
			return nil, err
		}
		a = &sqlCond{op: "and", a: a, b: b}
	}
	return a, nil
}

func (p *sqlParser) not() (*sqlCond, error) {
	if p.keyword("not") {
		a, err := p.not()
		if err != nil {
			return nil, err
		}
		return &sqlCond{op: "not", a: a}, nil
	}
	if p.punct("(") {
		a, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.punct(")") {
			return nil, p.unexpected()
		}
		return a, nil
	}
	l, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.keyword("is") {
		neg := p.keyword("not")
		if !p.keyword("null") {
			return nil, p.unexpected()
		}
		return &sqlCond{op: "isnull", l: l, neg: neg}, nil
	}
	t := p.next()
	switch {
	case t.kind == 'p' && (t.text == "=" || t.text == "!=" || t.text == "<>" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
	default:
		p.back(t)
		return nil, p.unexpected()
	}
	r, err := p.expr()
	if err != nil {
		return nil, err
	}
	return &sqlCond{op: "cmp", cmp: t.text, l: l, r: r}, nil
}

// expr reads a column or a literal.
func (p *sqlParser) expr() (sqlExpr, error) {
	t := p.next()
	switch t.kind {
	case 's':
		return sqlExpr{lit: sqlValue{s: t.text}}, nil
	case 'n':
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			p.back(t)
			return sqlExpr{}, p.unexpected()
		}
		return sqlExpr{lit: sqlValue{s: t.text, n: n, isNum: true}}, nil
	case 'q':
		return column(t.text), nil
	case 'i':
		if strings.EqualFold(t.text, "null") {
			return sqlExpr{lit: sqlValue{null: true}}, nil
		}
		if sqlReserved[strings.ToLower(t.text)] {
			break
		}
		if p.punct("(") {
			return sqlExpr{}, &sqlError{"UnsupportedSyntax", "Function " + t.text + " is not supported by groundstack."}
		}
		if p.punct(".") {
			if p.alias == "" || !strings.EqualFold(t.text, p.alias) {
				return sqlExpr{}, &sqlError{"ParseInvalidPathComponent", "Invalid Path component, expecting the alias " + p.alias + "."}
			}
			c := p.next()
			if c.kind != 'i' && c.kind != 'q' {
				p.back(c)
				return sqlExpr{}, p.unexpected()
			}
			return column(c.text), nil
		}
		return column(t.text), nil
	}
	p.back(t)
	return sqlExpr{}, p.unexpected()
}

// column names a column: _N is the N-th (from 1).
func column(name string) sqlExpr {
	if len(name) > 1 && name[0] == '_' {
		if n, err := strconv.Atoi(name[1:]); err == nil && n > 0 {
			return sqlExpr{isCol: true, index: n, name: name}
		}
	}
	return sqlExpr{isCol: true, name: name}
}

// sqlRecord is one input record: CSV fields (with the header's names) or
// a JSON object.
type sqlRecord interface {
	field(e *sqlExpr) sqlValue
}

func (e *sqlExpr) eval(r sqlRecord) sqlValue {
	if !e.isCol {
		return e.lit
	}
	return r.field(e)
}

func (c *sqlCond) eval(r sqlRecord) bool {
	switch c.op {
	case "and":
		return c.a.eval(r) && c.b.eval(r)
	case "or":
		return c.a.eval(r) || c.b.eval(r)
	case "not":
		return !c.a.eval(r)
	case "isnull":
		return c.l.eval(r).null != c.neg
	}
	l, rv := c.l.eval(r), c.r.eval(r)
	if l.null || rv.null {
		return false
	}
	var d int
	ln, lok := l.num()
	rn, rok := rv.num()
	switch {
	case (l.isNum || rv.isNum) && lok && rok:
		switch {
		case ln < rn:
			d = -1
		case ln > rn:
			d = 1
		}
	default:
		d = strings.Compare(l.s, rv.s)
	}
	switch c.cmp {
	case "=":
		return d == 0
	case "!=", "<>":
		return d != 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	}
	return d >= 0
}

func (v sqlValue) num() (float64, bool) {
	if v.isNum {
		return v.n, true
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
	return n, err == nil
}

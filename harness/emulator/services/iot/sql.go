package iot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/groundstack/groundstack/harness/mqtt"
)

// query is a parsed IoT SQL statement:
// SELECT <* | expr [AS name], …> FROM '<topic filter>' [WHERE <condition>].
type query struct {
	star   bool   // SELECT * (possibly with more fields)
	starAs string // SELECT * AS name: the whole payload under name
	fields []field
	topic  string
	where  expr
}

type field struct {
	e    expr
	name string
}

// message is what a statement is evaluated against. Its payload is
// looked at only as far as a rule needs: whether it is JSON (SELECT *
// passes it on as it is), its document (attributes in WHERE or SELECT).
// One engine worker evaluates a message's rules: no locking.
type message struct {
	topic    string
	clientID string
	payload  []byte
	time     time.Time

	checked, parsed bool
	valid           bool // the payload is JSON (once checked)
	doc             any  // the payload's document (once parsed)
}

func newMessage(topic, clientID string, payload []byte, at time.Time) *message {
	return &message{topic: topic, clientID: clientID, payload: payload, time: at}
}

// isJSON reports whether the payload is a JSON document.
func (m *message) isJSON() bool {
	if !m.checked {
		m.checked, m.valid = true, json.Valid(m.payload)
	}
	return m.valid
}

// document is the payload decoded (numbers as json.Number); ok is false
// when it is not JSON.
func (m *message) document() (doc any, ok bool) {
	if !m.parsed {
		m.parsed = true
		if m.checked && !m.valid {
			return nil, false
		}
		// one pass: a single document and nothing after it is JSON
		d := json.NewDecoder(bytes.NewReader(m.payload))
		d.UseNumber()
		var rest json.RawMessage
		ok := d.Decode(&m.doc) == nil && d.Decode(&rest) == io.EOF
		if !ok {
			m.doc = nil
		}
		m.checked, m.valid = true, ok
	}
	return m.doc, m.valid
}

// undefined is IoT SQL's Undefined: a missing attribute, or the result of
// an operation on mismatched types. Selected fields that are Undefined are
// left out; a WHERE clause that is Undefined does not match.
type undefinedValue struct{}

var undefined any = undefinedValue{}

// sqlError is a statement AWS's parser refuses.
type sqlError struct {
	msg string
	pos int
}

func (e *sqlError) Error() string { return fmt.Sprintf("%s at 1:%d", e.msg, e.pos+1) }

// parseSQL parses a statement; errors are *sqlError.
func parseSQL(s string) (*query, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q, err := p.statement()
	if err != nil {
		return nil, err
	}
	return q, nil
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			// 'string'; "quoted identifier" (an attribute with odd characters)
			j, b := i+1, strings.Builder{}
			for {
				if j >= len(s) {
					return nil, &sqlError{"Unterminated string literal", i}
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c { // '' escapes '
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			k := tString
			if c == '"' {
				k = tIdent
			}
			out = append(out, token{k, b.String(), i})
			i = j + 1
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '-' || s[j] == '+') && j > i && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			if _, err := strconv.ParseFloat(s[i:j], 64); err != nil {
				return nil, &sqlError{fmt.Sprintf("Invalid number %q", s[i:j]), i}
			}
			out = append(out, token{tNumber, s[i:j], i})
			i = j
		case c == '_' || c == '$' || c < 0x80 && unicode.IsLetter(rune(c)):
			j := i
			for j < len(s) && (s[j] == '$' || isIdentByte(s[j])) {
				j++
			}
			out = append(out, token{tIdent, s[i:j], i})
			i = j
		default:
			for _, op := range []string{"<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", ",", ".", "*", "+", "-", "/", "%", "[", "]"} {
				if strings.HasPrefix(s[i:], op) {
					out = append(out, token{tOp, op, i})
					i += len(op)
					goto next
				}
			}
			return nil, &sqlError{fmt.Sprintf("Unexpected character '%c'", c), i}
		next:
		}
	}
	return append(out, token{tEOF, "", len(s)}), nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

type parser struct {
	toks  []token
	i     int
	depth int
}

// peek and next read past the end as the final EOF token, so that
// p.i-- always steps back over what next returned.
func (p *parser) peek() token { return p.toks[min(p.i, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.peek()
	p.i++
	return t
}

func (p *parser) keyword(k string) bool {
	t := p.peek()
	if t.kind == tIdent && strings.EqualFold(t.text, k) {
		p.i++
		return true
	}
	return false
}

func (p *parser) op(o string) bool {
	t := p.peek()
	if t.kind == tOp && t.text == o {
		p.i++
		return true
	}
	return false
}

func (p *parser) fail(msg string) error {
	t := p.peek()
	if t.kind == tEOF {
		return &sqlError{msg + ", found the end of the statement", t.pos}
	}
	return &sqlError{fmt.Sprintf("%s, found '%s'", msg, t.text), t.pos}
}

var reserved = map[string]bool{"select": true, "from": true, "where": true, "as": true, "and": true, "or": true, "not": true}

func (p *parser) statement() (*query, error) {
	q := &query{}
	if !p.keyword("select") {
		return nil, p.fail("Expected SELECT")
	}
	for {
		if p.op("*") {
			if q.star {
				return nil, p.fail("Expected an expression")
			}
			q.star = true
			if p.keyword("as") {
				t := p.next()
				if t.kind != tIdent || reserved[strings.ToLower(t.text)] {
					p.i--
					return nil, p.fail("Expected a name after AS")
				}
				q.starAs = t.text
			}
		} else {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			f := field{e: e, name: defaultName(e)}
			if p.keyword("as") {
				t := p.next()
				if t.kind != tIdent || reserved[strings.ToLower(t.text)] {
					p.i--
					return nil, p.fail("Expected a name after AS")
				}
				f.name = t.text
			} else if f.name == "" {
				f.name = fmt.Sprintf("_%d", len(q.fields)+1)
			}
			q.fields = append(q.fields, f)
		}
		if !p.op(",") {
			break
		}
	}
	if !p.keyword("from") {
		return nil, p.fail("Expected FROM")
	}
	t := p.next()
	if t.kind != tString {
		p.i--
		return nil, p.fail("Expected a topic filter in single quotes after FROM")
	}
	if !mqtt.ValidFilter(t.text) {
		return nil, &sqlError{fmt.Sprintf("Invalid topic filter '%s'", t.text), t.pos}
	}
	q.topic = t.text
	if p.keyword("where") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		q.where = e
	}
	if p.peek().kind != tEOF {
		return nil, p.fail("Expected the end of the statement")
	}
	return q, nil
}

// Expressions, loosest first: OR, AND, NOT, comparison, + -, * / %, unary -.
type expr interface{ eval(m *message) any }

const maxDepth = 64

func (p *parser) expr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.fail("Expression nested too deeply")
	}
	return p.or()
}

func (p *parser) or() (expr, error) {
	l, err := p.and()
	for err == nil && p.keyword("or") {
		var r expr
		if r, err = p.and(); err == nil {
			l = logic{l, r, true}
		}
	}
	return l, err
}

func (p *parser) and() (expr, error) {
	l, err := p.not()
	for err == nil && p.keyword("and") {
		var r expr
		if r, err = p.not(); err == nil {
			l = logic{l, r, false}
		}
	}
	return l, err
}

func (p *parser) not() (expr, error) {
	if p.keyword("not") {
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, p.fail("Expression nested too deeply")
		}
		e, err := p.not()
		return notExpr{e}, err
	}
	return p.cmp()
}

func (p *parser) cmp() (expr, error) {
	l, err := p.add()
	if err != nil {
		return nil, err
	}
	for _, o := range []string{"=", "<>", "!=", "<=", ">=", "<", ">"} {
		if p.op(o) {
			r, err := p.add()
			if err != nil {
				return nil, err
			}
			return compare{l, r, o}, nil
		}
	}
	return l, nil
}

func (p *parser) add() (expr, error) {
	l, err := p.mul()
	for err == nil {
		o := p.peek()
		if o.kind != tOp || o.text != "+" && o.text != "-" {
			break
		}
		p.i++
		var r expr
		if r, err = p.mul(); err == nil {
			l = arith{l, r, o.text[0]}
		}
	}
	return l, err
}

func (p *parser) mul() (expr, error) {
	l, err := p.unary()
	for err == nil {
		o := p.peek()
		if o.kind != tOp || o.text != "*" && o.text != "/" && o.text != "%" {
			break
		}
		p.i++
		var r expr
		if r, err = p.unary(); err == nil {
			l = arith{l, r, o.text[0]}
		}
	}
	return l, err
}

func (p *parser) unary() (expr, error) {
	if p.op("-") {
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, p.fail("Expression nested too deeply")
		}
		e, err := p.unary()
		return arith{literal{json.Number("0")}, e, '-'}, err
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		return literal{json.Number(t.text)}, nil
	case tString:
		return literal{t.text}, nil
	case tOp:
		if t.text == "(" {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			if !p.op(")") {
				return nil, p.fail("Expected ')'")
			}
			return e, nil
		}
	case tIdent:
		low := strings.ToLower(t.text)
		switch {
		case low == "true" || low == "false":
			return literal{low == "true"}, nil
		case low == "null":
			return literal{nil}, nil
		case reserved[low] && t.text[0] != '"':
			p.i--
			return nil, p.fail("Expected an expression")
		}
		if p.op("(") {
			return p.call(t)
		}
		path := []string{t.text}
		for {
			if p.op(".") {
				n := p.next()
				if n.kind != tIdent {
					p.i--
					return nil, p.fail("Expected an attribute name after '.'")
				}
				path = append(path, n.text)
				continue
			}
			if p.op("[") {
				n := p.next()
				idx, err := strconv.Atoi(n.text)
				if n.kind != tNumber || err != nil || idx < 0 {
					p.i--
					return nil, p.fail("Expected an array index")
				}
				if !p.op("]") {
					return nil, p.fail("Expected ']'")
				}
				path = append(path, "["+n.text)
				continue
			}
			return attr{path}, nil
		}
	}
	p.i--
	return nil, p.fail("Expected an expression")
}

// functions IoT SQL knows here, with their argument counts.
var functions = map[string][2]int{"topic": {0, 1}, "timestamp": {0, 0}, "clientid": {0, 0}}

func (p *parser) call(name token) (expr, error) {
	var args []expr
	if !p.op(")") {
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			args = append(args, e)
			if p.op(")") {
				break
			}
			if !p.op(",") {
				return nil, p.fail("Expected ',' or ')'")
			}
		}
	}
	fn := strings.ToLower(name.text)
	n, ok := functions[fn]
	if !ok {
		return nil, &sqlError{fmt.Sprintf("Unknown function '%s'", name.text), name.pos}
	}
	if len(args) < n[0] || len(args) > n[1] {
		return nil, &sqlError{fmt.Sprintf("Function '%s' takes %d to %d arguments, got %d", name.text, n[0], n[1], len(args)), name.pos}
	}
	return call{fn, args}, nil
}

// defaultName is the key an unaliased SELECT item gets: an attribute's
// last name, a function's name.
func defaultName(e expr) string {
	switch x := e.(type) {
	case attr:
		for i := len(x.path) - 1; i >= 0; i-- {
			if !strings.HasPrefix(x.path[i], "[") {
				return x.path[i]
			}
		}
	case call:
		return x.fn
	}
	return ""
}

type literal struct{ v any }

func (l literal) eval(*message) any { return l.v }

type attr struct{ path []string }

func (a attr) eval(m *message) any {
	v, ok := m.document()
	if !ok {
		return undefined
	}
	for _, k := range a.path {
		if strings.HasPrefix(k, "[") {
			arr, ok := v.([]any)
			i, _ := strconv.Atoi(k[1:])
			if !ok || i >= len(arr) {
				return undefined
			}
			v = arr[i]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return undefined
		}
		if v, ok = obj[k]; !ok {
			return undefined
		}
	}
	return v
}

type call struct {
	fn   string
	args []expr
}

func (c call) eval(m *message) any {
	switch c.fn {
	case "topic":
		if len(c.args) == 0 {
			return m.topic
		}
		n, ok := number(c.args[0].eval(m))
		if !ok || n < 1 || n != math.Trunc(n) {
			return undefined
		}
		levels := strings.Split(m.topic, "/")
		if int(n) > len(levels) {
			return undefined
		}
		return levels[int(n)-1]
	case "timestamp":
		return json.Number(strconv.FormatInt(m.time.UnixMilli(), 10))
	case "clientid":
		if m.clientID == "" {
			return undefined
		}
		return m.clientID
	}
	return undefined
}

type logic struct {
	l, r expr
	or   bool
}

func (x logic) eval(m *message) any {
	l, lok := x.l.eval(m).(bool)
	r, rok := x.r.eval(m).(bool)
	if x.or {
		if lok && l || rok && r {
			return true
		}
		if lok && rok {
			return false
		}
		return undefined
	}
	if lok && !l || rok && !r {
		return false
	}
	if lok && rok {
		return true
	}
	return undefined
}

type notExpr struct{ e expr }

func (x notExpr) eval(m *message) any {
	if b, ok := x.e.eval(m).(bool); ok {
		return !b
	}
	return undefined
}

type compare struct {
	l, r expr
	op   string
}

func (c compare) eval(m *message) any {
	l, r := c.l.eval(m), c.r.eval(m)
	if l == undefined || r == undefined {
		return undefined
	}
	var d int
	if ln, ok := number(l); ok {
		rn, ok := number(r)
		if !ok {
			return c.mismatch()
		}
		d = cmpFloat(ln, rn)
	} else {
		switch lv := l.(type) {
		case string:
			rv, ok := r.(string)
			if !ok {
				return c.mismatch()
			}
			d = strings.Compare(lv, rv)
		case bool:
			rv, ok := r.(bool)
			if !ok || c.op != "=" && c.op != "<>" && c.op != "!=" {
				return undefined
			}
			if lv != rv {
				d = 1
			}
		case nil:
			if c.op != "=" && c.op != "<>" && c.op != "!=" {
				return undefined
			}
			if r != nil {
				d = 1
			}
		default: // objects and arrays: equality of their JSON
			if c.op != "=" && c.op != "<>" && c.op != "!=" {
				return undefined
			}
			lb, _ := json.Marshal(l)
			rb, _ := json.Marshal(r)
			if !bytes.Equal(lb, rb) {
				d = 1
			}
		}
	}
	switch c.op {
	case "=":
		return d == 0
	case "<>", "!=":
		return d != 0
	case "<":
		return d < 0
	case ">":
		return d > 0
	case "<=":
		return d <= 0
	default:
		return d >= 0
	}
}

// mismatch is a comparison of values of different types: never equal,
// and not ordered.
func (c compare) mismatch() any {
	switch c.op {
	case "=":
		return false
	case "<>", "!=":
		return true
	}
	return undefined
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type arith struct {
	l, r expr
	op   byte
}

func (a arith) eval(m *message) any {
	l, r := a.l.eval(m), a.r.eval(m)
	if a.op == '+' {
		if ls, ok := l.(string); ok {
			if rs, ok := r.(string); ok {
				return ls + rs
			}
		}
	}
	ln, lok := number(l)
	rn, rok := number(r)
	if !lok || !rok {
		return undefined
	}
	var v float64
	switch a.op {
	case '+':
		v = ln + rn
	case '-':
		v = ln - rn
	case '*':
		v = ln * rn
	case '/':
		if rn == 0 {
			return undefined
		}
		v = ln / rn
	case '%':
		if rn == 0 {
			return undefined
		}
		v = math.Mod(ln, rn)
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return undefined
	}
	return json.Number(strconv.FormatFloat(v, 'g', -1, 64))
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}

// matches reports whether the message passes the WHERE clause.
func (q *query) matches(m *message) bool {
	if q.where == nil {
		return true
	}
	b, ok := q.where.eval(m).(bool)
	return ok && b
}

// project builds what the rule's actions receive. ok is false when the
// result is not JSON: SELECT * of a payload that is not, which passes the
// payload through as it is.
func (q *query) project(m *message) (out []byte, isJSON bool) {
	if q.star && q.starAs == "" && len(q.fields) == 0 {
		return m.payload, m.isJSON()
	}
	obj := map[string]any{}
	if q.star {
		var whole any = undefined
		if doc, ok := m.document(); ok {
			whole = doc
		} else if len(q.fields) == 0 || q.starAs != "" {
			// a binary payload under a name: base64, as AWS encodes it
			whole = m.payload
		}
		if q.starAs != "" {
			if whole != undefined {
				obj[q.starAs] = whole
			}
		} else if doc, ok := whole.(map[string]any); ok {
			for k, v := range doc {
				obj[k] = v
			}
		}
	}
	for _, f := range q.fields {
		if v := f.e.eval(m); v != undefined {
			obj[f.name] = v
		}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return []byte("{}"), true
	}
	return b, true
}

package expr

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// language selects the keywords an expression kind reserves for syntax.
type language uint8

const (
	langCondition language = iota
	langUpdate
	langProjection
)

// rawElem is a path element as written: an identifier, a #placeholder or
// a list index.
type rawElem struct {
	text  string
	index int // ≥ 0 for [n]
	isRef bool
}

type operandKind uint8

const (
	oPath operandKind = iota
	oValue
	oCall
)

// operand is a path, a :value or a function call, as parsed and, after
// checking, resolved.
type operand struct {
	kind   operandKind
	raw    []rawElem
	path   Path
	name   string // :value placeholder
	value  attr.Value
	fn     string // function name as written
	fnID   funcID
	args   []*operand
	parens int // enclosing parentheses
}

// parser is a recursive-descent parser over a token slice; it backtracks
// only where the grammar is ambiguous on '(' and remembers the farthest
// token it failed at, which is what a syntax error reports.
type parser struct {
	src  string
	toks []token
	pos  int
	far  int
	lang language
}

func newParser(src string, lang language) *parser {
	return &parser{src: src, toks: lex(src, make([]token, 0, len(src)/3+2)), lang: lang}
}

func (p *parser) tok() token          { return p.toks[p.pos] }
func (p *parser) text(t token) string { return p.src[t.start:t.end] }
func (p *parser) atEOF() bool         { return p.toks[p.pos].kind == tEOF }
func (p *parser) punctAt(i int) string {
	if t := p.toks[i]; t.kind == tPunct {
		return p.src[t.start:t.end]
	}
	return ""
}

// fail records a failure at the current token.
func (p *parser) fail() bool {
	if p.pos > p.far {
		p.far = p.pos
	}
	return false
}

// punct reports whether the current token is the punctuation s.
func (p *parser) punct(s string) bool { return p.punctAt(p.pos) == s }

// expect consumes punctuation s or fails.
func (p *parser) expect(s string) bool {
	if p.punct(s) {
		p.pos++
		return true
	}
	return p.fail()
}

// keyword reports whether the current token is keyword kw (any case).
func (p *parser) keyword(kw string) bool {
	t := p.tok()
	return t.kind == tIdent && strings.EqualFold(p.text(t), kw)
}

// isSyntaxKeyword reports whether identifier text is one of the words the
// language itself uses (never an attribute name, even aliased).
func (p *parser) isSyntaxKeyword(text string) bool {
	switch p.lang {
	case langCondition:
		for _, k := range [...]string{"AND", "OR", "NOT", "BETWEEN", "IN"} {
			if strings.EqualFold(text, k) {
				return true
			}
		}
	case langUpdate:
		for _, k := range [...]string{"SET", "REMOVE", "ADD", "DELETE"} {
			if strings.EqualFold(text, k) {
				return true
			}
		}
	}
	return false
}

// syntaxError reports the farthest failure as DynamoDB does:
// Syntax error; token: "x", near: "prev x next".
func (p *parser) syntaxError(label string) error {
	i := p.far
	if i >= len(p.toks) {
		i = len(p.toks) - 1
	}
	t := p.toks[i]
	tokText := "<EOF>"
	if t.kind != tEOF {
		tokText = p.text(t)
	}
	start, end := t.start, t.end
	if i > 0 {
		start = p.toks[i-1].start
	}
	if t.kind != tEOF && i+1 < len(p.toks) && p.toks[i+1].kind != tEOF {
		end = p.toks[i+1].end
	}
	return awsproto.ErrValidation.New("Invalid " + label + ": Syntax error; token: \"" + tokText + "\", near: \"" + p.src[start:end] + "\"")
}

// path parses a document path: a name followed by .name and [n] elements.
func (p *parser) path() ([]rawElem, bool) {
	t := p.tok()
	var head rawElem
	switch {
	case t.kind == tIdent && !p.isSyntaxKeyword(p.text(t)):
		head = rawElem{text: p.text(t), index: -1}
	case t.kind == tName:
		head = rawElem{text: p.text(t), index: -1, isRef: true}
	default:
		return nil, p.fail()
	}
	p.pos++
	return p.pathTail(append(make([]rawElem, 0, 4), head))
}

// pathTail parses the .name and [n] elements after a path's head.
func (p *parser) pathTail(elems []rawElem) ([]rawElem, bool) {
	for {
		switch {
		case p.punct("."):
			p.pos++
			t := p.tok()
			switch {
			case t.kind == tIdent && !p.isSyntaxKeyword(p.text(t)):
				elems = append(elems, rawElem{text: p.text(t), index: -1})
			case t.kind == tName:
				elems = append(elems, rawElem{text: p.text(t), index: -1, isRef: true})
			default:
				return nil, p.fail()
			}
			p.pos++
		case p.punct("["):
			p.pos++
			t := p.tok()
			if t.kind != tNumber {
				return nil, p.fail()
			}
			elems = append(elems, rawElem{index: parseIndex(p.text(t))})
			p.pos++
			if !p.expect("]") {
				return nil, false
			}
		default:
			return elems, true
		}
	}
}

// parseIndex converts list index digits, saturating far past any list.
func parseIndex(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<30 {
			return 1 << 30
		}
	}
	return n
}

// operand parses a path, :value or function call, with any parentheses.
func (p *parser) operand() (*operand, bool) {
	if p.punct("(") {
		save := p.pos
		p.pos++
		o, ok := p.operand()
		if !ok || !p.expect(")") {
			p.pos = save
			return nil, false
		}
		if o.kind == oPath && p.lang == langCondition && (p.punct(".") || p.punct("[")) {
			// A parenthesised path head continued outside: (a).b
			elems, ok := p.pathTail(o.raw)
			if !ok {
				return nil, false
			}
			return &operand{kind: oPath, raw: elems}, true
		}
		o.parens++
		return o, true
	}
	t := p.tok()
	switch t.kind {
	case tValue:
		p.pos++
		return &operand{kind: oValue, name: p.text(t)}, true
	case tIdent:
		if p.isSyntaxKeyword(p.text(t)) {
			return nil, p.fail()
		}
		if p.punctAt(p.pos+1) == "(" {
			p.pos += 2
			call := &operand{kind: oCall, fn: p.text(t)}
			for {
				a, ok := p.operand()
				if !ok {
					return nil, false
				}
				call.args = append(call.args, a)
				if p.punct(",") {
					p.pos++
					continue
				}
				if !p.expect(")") {
					return nil, false
				}
				return call, true
			}
		}
	}
	elems, ok := p.path()
	if !ok {
		return nil, false
	}
	return &operand{kind: oPath, raw: elems}, true
}

// ---- conditions ----

type condKind uint8

const (
	cAnd condKind = iota
	cOr
	cNot
	cCompare
	cBetween
	cIn
	cCall
)

type cmpOp uint8

const (
	opEQ cmpOp = iota
	opNE
	opLT
	opLE
	opGT
	opGE
)

var cmpText = [...]string{"=", "<>", "<", "<=", ">", ">="}

func cmpOf(s string) (cmpOp, bool) {
	for i, t := range cmpText {
		if t == s {
			return cmpOp(i), true
		}
	}
	return 0, false
}

// cond is a node of a condition expression.
type cond struct {
	kind   condKind
	op     cmpOp
	kids   []*cond
	args   []*operand // comparison, BETWEEN, IN: first is the subject; call: its arguments
	fn     string
	fnID   funcID
	parens int
}

// condition parses a whole condition expression.
func (p *parser) condition() (*cond, bool) {
	c, ok := p.or()
	if !ok {
		return nil, false
	}
	if !p.atEOF() {
		return nil, p.fail()
	}
	return c, true
}

func (p *parser) or() (*cond, bool) {
	l, ok := p.and()
	if !ok {
		return nil, false
	}
	for p.keyword("OR") {
		p.pos++
		r, ok := p.and()
		if !ok {
			return nil, false
		}
		l = &cond{kind: cOr, kids: []*cond{l, r}}
	}
	return l, true
}

func (p *parser) and() (*cond, bool) {
	l, ok := p.not()
	if !ok {
		return nil, false
	}
	for p.keyword("AND") {
		p.pos++
		r, ok := p.not()
		if !ok {
			return nil, false
		}
		l = &cond{kind: cAnd, kids: []*cond{l, r}}
	}
	return l, true
}

func (p *parser) not() (*cond, bool) {
	if p.keyword("NOT") {
		p.pos++
		c, ok := p.primary()
		if !ok {
			return nil, false
		}
		return &cond{kind: cNot, kids: []*cond{c}}, true
	}
	return p.primary()
}

// primary parses a comparison, a function condition or a parenthesised
// condition. '(' may open either an operand or a condition: the operand
// reading is tried first.
func (p *parser) primary() (*cond, bool) {
	if !p.punct("(") {
		return p.comparison()
	}
	save := p.pos
	if c, ok := p.comparison(); ok {
		return c, true
	}
	p.pos = save + 1
	c, ok := p.or()
	if !ok || !p.expect(")") {
		return nil, false
	}
	c.parens++
	return c, true
}

func (p *parser) comparison() (*cond, bool) {
	l, ok := p.operand()
	if !ok {
		return nil, false
	}
	if op, isCmp := cmpOf(p.punctAt(p.pos)); isCmp {
		p.pos++
		r, ok := p.operand()
		if !ok {
			return nil, false
		}
		return &cond{kind: cCompare, op: op, args: []*operand{l, r}}, true
	}
	switch {
	case p.keyword("BETWEEN"):
		p.pos++
		lo, ok := p.operand()
		if !ok {
			return nil, false
		}
		if !p.keyword("AND") {
			return nil, p.fail()
		}
		p.pos++
		hi, ok := p.operand()
		if !ok {
			return nil, false
		}
		return &cond{kind: cBetween, args: []*operand{l, lo, hi}}, true
	case p.keyword("IN"):
		p.pos++
		if !p.expect("(") {
			return nil, false
		}
		args := []*operand{l}
		for {
			a, ok := p.operand()
			if !ok {
				return nil, false
			}
			args = append(args, a)
			if p.punct(",") {
				p.pos++
				continue
			}
			if !p.expect(")") {
				return nil, false
			}
			return &cond{kind: cIn, args: args}, true
		}
	}
	if l.kind == oCall && l.parens == 0 {
		return &cond{kind: cCall, fn: l.fn, args: l.args}, true
	}
	return nil, p.fail()
}

// Package partiql parses the PartiQL subset DynamoDB runs (SELECT, INSERT,
// UPDATE, DELETE on one table) into statements the dynamodb package
// compiles to its own expressions. It imports nothing of the emulator.
package partiql

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Kind is a statement's verb.
type Kind int

const (
	Select Kind = iota + 1
	Insert
	Update
	Delete
)

// Statement is one parsed statement.
type Statement struct {
	Kind       Kind
	Table      string
	Index      string // SELECT … FROM "table"."index"
	Projection []Path // nil: *
	Where      *Cond  // nil: none
	Item       *Value // INSERT's VALUE
	Sets       []Set  // UPDATE … SET
	Removes    []Path // UPDATE … REMOVE
	Params     int    // how many ? the statement has
}

// Set is one assignment of an UPDATE.
type Set struct {
	Path  Path
	Value Operand
}

// PathElem is one step of a path: a name or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is an attribute path (a, a.b, a[0]).
type Path []PathElem

// Value is a literal (as DynamoDB JSON) or a parameter.
type Value struct {
	JSON  json.RawMessage // nil for a parameter
	Param int             // 0-based ? index
}

// Operand is a path, a value, a function call or arithmetic.
type Operand struct {
	Path  Path
	Value *Value
	Func  string // begins_with, contains, size, attribute_type, list_append, if_not_exists…
	Args  []Operand
	Op    byte // '+' or '-' for arithmetic on Args[0], Args[1]
}

// Cond is a WHERE condition.
type Cond struct {
	Op    string // AND, OR, NOT, CMP, BETWEEN, IN, IS, FUNC
	L, R  *Cond
	Cmp   string // = <> < <= > >=
	X     Operand
	Args  []Operand // CMP: [rhs]; BETWEEN: [lo, hi]; IN: list
	IsNot bool      // IS NOT …
	What  string    // IS: MISSING or NULL
}

// Error is a statement that is not well formed.
type Error struct{ Detail string }

func (e *Error) Error() string { return e.Detail }

type parser struct {
	toks []token
	pos  int
	n    int // parameters seen
}

// Parse parses one statement.
func Parse(src string) (st *Statement, err error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			st, err = nil, pe
		}
	}()
	st = p.statement()
	if t := p.peek(); t.kind != tEOF {
		p.fail("Unexpected token: %s", t.text)
	}
	st.Params = p.n
	return st, nil
}

func (p *parser) fail(format string, args ...any) { panic(&Error{fmt.Sprintf(format, args...)}) }

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// keyword reports (and consumes) a keyword, case-insensitively.
func (p *parser) keyword(kw string) bool {
	t := p.peek()
	if t.kind == tIdent && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expectKeyword(kw string) {
	if !p.keyword(kw) {
		p.fail("Expected %s, found %s", kw, p.peek().desc())
	}
}

func (p *parser) punct(s string) bool {
	if t := p.peek(); t.kind == tPunct && t.text == s {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expectPunct(s string) {
	if !p.punct(s) {
		p.fail("Expected %s, found %s", s, p.peek().desc())
	}
}

func (p *parser) statement() *Statement {
	switch {
	case p.keyword("SELECT"):
		st := &Statement{Kind: Select}
		if !p.punct("*") {
			for {
				st.Projection = append(st.Projection, p.path())
				if !p.punct(",") {
					break
				}
			}
		}
		p.expectKeyword("FROM")
		st.Table = p.name()
		if p.punct(".") {
			st.Index = p.name()
		}
		if p.keyword("WHERE") {
			st.Where = p.or()
		}
		return st
	case p.keyword("INSERT"):
		p.expectKeyword("INTO")
		st := &Statement{Kind: Insert, Table: p.name()}
		p.expectKeyword("VALUE")
		v := p.value()
		if v.JSON != nil && !strings.HasPrefix(string(v.JSON), `{"M"`) {
			p.fail("Unsupported VALUE: an item must be a tuple {…}")
		}
		st.Item = v
		return st
	case p.keyword("UPDATE"):
		st := &Statement{Kind: Update, Table: p.name()}
		for {
			switch {
			case p.keyword("SET"):
				for {
					path := p.path()
					p.expectPunct("=")
					st.Sets = append(st.Sets, Set{Path: path, Value: p.arith()})
					if !p.punct(",") {
						break
					}
					if t := p.peek(); t.kind == tIdent && (strings.EqualFold(t.text, "SET") || strings.EqualFold(t.text, "REMOVE")) {
						break
					}
				}
				continue
			case p.keyword("REMOVE"):
				st.Removes = append(st.Removes, p.path())
				for p.punct(",") {
					st.Removes = append(st.Removes, p.path())
				}
				continue
			}
			break
		}
		if len(st.Sets) == 0 && len(st.Removes) == 0 {
			p.fail("Expected SET or REMOVE, found %s", p.peek().desc())
		}
		p.expectKeyword("WHERE")
		st.Where = p.or()
		return st
	case p.keyword("DELETE"):
		p.expectKeyword("FROM")
		st := &Statement{Kind: Delete, Table: p.name()}
		p.expectKeyword("WHERE")
		st.Where = p.or()
		return st
	}
	p.fail("Unexpected keyword: %s", p.peek().desc())
	return nil
}

// name reads a table or index name: "quoted" or bare.
func (p *parser) name() string {
	t := p.next()
	if t.kind != tIdent && t.kind != tQuoted {
		p.fail("Expected a name, found %s", t.desc())
	}
	return t.text
}

func (p *parser) path() Path {
	path := Path{{Name: p.name()}}
	for {
		switch {
		case p.punct("."):
			path = append(path, PathElem{Name: p.name()})
		case p.punct("["):
			t := p.next()
			n, err := strconv.Atoi(t.text)
			if t.kind != tNumber || err != nil || n < 0 {
				p.fail("Expected a list index, found %s", t.desc())
			}
			p.expectPunct("]")
			path = append(path, PathElem{Index: n, IsIndex: true})
		default:
			return path
		}
	}
}

func (p *parser) or() *Cond {
	c := p.and()
	for p.keyword("OR") {
		c = &Cond{Op: "OR", L: c, R: p.and()}
	}
	return c
}

func (p *parser) and() *Cond {
	c := p.not()
	for p.keyword("AND") {
		c = &Cond{Op: "AND", L: c, R: p.not()}
	}
	return c
}

func (p *parser) not() *Cond {
	if p.keyword("NOT") {
		return &Cond{Op: "NOT", L: p.not()}
	}
	return p.predicate()
}

var condFuncs = map[string]bool{"begins_with": true, "contains": true, "attribute_type": true, "exists": true, "missing": true}

func (p *parser) predicate() *Cond {
	if p.punct("(") {
		c := p.or()
		p.expectPunct(")")
		return c
	}
	if t := p.peek(); t.kind == tIdent && condFuncs[strings.ToLower(t.text)] && p.toks[p.pos+1].text == "(" {
		op := p.operand()
		return &Cond{Op: "FUNC", X: op}
	}
	x := p.arith()
	switch t := p.peek(); {
	case t.kind == tPunct && (t.text == "=" || t.text == "<>" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.pos++
		cmp := t.text
		if cmp == "!=" {
			cmp = "<>"
		}
		return &Cond{Op: "CMP", Cmp: cmp, X: x, Args: []Operand{p.arith()}}
	case p.keyword("BETWEEN"):
		lo := p.arith()
		p.expectKeyword("AND")
		return &Cond{Op: "BETWEEN", X: x, Args: []Operand{lo, p.arith()}}
	case p.keyword("IN"):
		open, close := "[", "]"
		if p.peek().text == "(" {
			open, close = "(", ")"
		}
		p.expectPunct(open)
		var list []Operand
		for {
			list = append(list, p.arith())
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(close)
		return &Cond{Op: "IN", X: x, Args: list}
	case p.keyword("IS"):
		c := &Cond{Op: "IS", X: x, IsNot: p.keyword("NOT")}
		switch {
		case p.keyword("MISSING"):
			c.What = "MISSING"
		case p.keyword("NULL"):
			c.What = "NULL"
		default:
			p.fail("Expected MISSING or NULL, found %s", p.peek().desc())
		}
		return c
	}
	p.fail("Expected a comparison, found %s", p.peek().desc())
	return nil
}

// arith reads an operand, with + or - between two operands (UPDATE SET).
func (p *parser) arith() Operand {
	x := p.operand()
	for {
		t := p.peek()
		if t.kind != tPunct || (t.text != "+" && t.text != "-") {
			return x
		}
		p.pos++
		x = Operand{Op: t.text[0], Args: []Operand{x, p.operand()}}
	}
}

func (p *parser) operand() Operand {
	t := p.peek()
	if t.kind == tIdent && p.toks[p.pos+1].text == "(" && !isValueKeyword(t.text) {
		p.pos += 2
		op := Operand{Func: strings.ToLower(t.text)}
		if !p.punct(")") {
			for {
				op.Args = append(op.Args, p.arith())
				if !p.punct(",") {
					break
				}
			}
			p.expectPunct(")")
		}
		return op
	}
	if t.kind == tIdent && !isValueKeyword(t.text) || t.kind == tQuoted {
		return Operand{Path: p.path()}
	}
	return Operand{Value: p.value()}
}

func isValueKeyword(s string) bool {
	switch strings.ToUpper(s) {
	case "TRUE", "FALSE", "NULL", "MISSING":
		return true
	}
	return false
}

// value reads a literal or a parameter.
func (p *parser) value() *Value {
	if p.punct("?") {
		p.n++
		return &Value{Param: p.n - 1}
	}
	return &Value{JSON: p.literal()}
}

// literal reads a literal as DynamoDB JSON.
func (p *parser) literal() json.RawMessage {
	t := p.next()
	switch {
	case t.kind == tString:
		return attrJSON("S", t.text)
	case t.kind == tNumber:
		return attrJSON("N", t.text)
	case t.kind == tIdent && strings.EqualFold(t.text, "TRUE"):
		return json.RawMessage(`{"BOOL":true}`)
	case t.kind == tIdent && strings.EqualFold(t.text, "FALSE"):
		return json.RawMessage(`{"BOOL":false}`)
	case t.kind == tIdent && strings.EqualFold(t.text, "NULL"):
		return json.RawMessage(`{"NULL":true}`)
	case t.kind == tPunct && t.text == "{":
		var b strings.Builder
		b.WriteString(`{"M":{`)
		seen := map[string]bool{}
		for i := 0; !p.punct("}"); i++ {
			if i > 0 {
				p.expectPunct(",")
			}
			k := p.next()
			if k.kind != tString {
				p.fail("Expected a string key, found %s", k.desc())
			}
			if seen[k.text] {
				p.fail("Duplicate key in tuple: %s", k.text)
			}
			seen[k.text] = true
			p.expectPunct(":")
			v := p.literal()
			if i > 0 {
				b.WriteByte(',')
			}
			kj, _ := json.Marshal(k.text)
			b.Write(kj)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteString("}}")
		return json.RawMessage(b.String())
	case t.kind == tPunct && t.text == "[":
		var parts []string
		for i := 0; !p.punct("]"); i++ {
			if i > 0 {
				p.expectPunct(",")
			}
			parts = append(parts, string(p.literal()))
		}
		return json.RawMessage(`{"L":[` + strings.Join(parts, ",") + `]}`)
	case t.kind == tPunct && t.text == "<<":
		var strs, nums []string
		for i := 0; !p.punct(">>"); i++ {
			if i > 0 {
				p.expectPunct(",")
			}
			e := p.next()
			switch e.kind {
			case tString:
				strs = append(strs, e.text)
			case tNumber:
				nums = append(nums, e.text)
			default:
				p.fail("Unsupported set element: %s", e.desc())
			}
		}
		switch {
		case len(strs) > 0 && len(nums) > 0, len(strs)+len(nums) == 0:
			p.fail("A set must hold strings or numbers, one kind")
		case len(strs) > 0:
			b, _ := json.Marshal(map[string][]string{"SS": strs})
			return b
		}
		b, _ := json.Marshal(map[string][]string{"NS": nums})
		return b
	}
	p.fail("Unexpected token: %s", t.desc())
	return nil
}

func attrJSON(typ, v string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{typ: v})
	return b
}

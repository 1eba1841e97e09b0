package expr

import (
	"strings"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Condition is a parsed condition or filter expression, evaluated per item
// without re-parsing. It is immutable and safe for concurrent use.
type Condition struct {
	root *cond
}

// ParseCondition parses a condition (or filter) expression; label names the
// parameter in messages ("ConditionExpression", "FilterExpression", …).
func ParseCondition(label, src string, names Names, values Values, u *Usage) (*Condition, error) {
	root, r, err := parseCondition(label, src, names, values)
	if err != nil {
		return nil, err
	}
	r.commit(u)
	return &Condition{root: root}, nil
}

// parseCondition parses and checks a condition; the caller commits the
// returned resolver's usage once the expression is accepted.
func parseCondition(label, src string, names Names, values Values) (*cond, *resolver, error) {
	if err := checkSource(label, src); err != nil {
		return nil, nil, err
	}
	p := newParser(src, langCondition)
	root, ok := p.condition()
	if !ok {
		return nil, nil, p.syntaxError(label)
	}
	ck := condChecker{resolver: resolver{names: names, values: values}}
	if root.kind == cCall && root.fn == "size" {
		setOnce(&ck.misusedFn, "The function is not allowed to be used this way in an expression; function: size")
	}
	ck.cond(root)
	if msg := ck.result(); msg != "" {
		return nil, nil, invalid(label, msg)
	}
	return root, &ck.resolver, nil
}

// Eval reports whether item (nil when there is none) satisfies the
// condition. Every check DynamoDB makes happens at parse time, so the error
// is always nil; it is kept for forward compatibility.
func (c *Condition) Eval(item attr.Item) (bool, error) {
	return c.root.eval(item), nil
}

// Paths lists the document paths the condition reads, in source order
// (Query uses it to refuse filters on key attributes, as DynamoDB does).
func (c *Condition) Paths() []Path {
	var out []Path
	var visit func(o *operand)
	visit = func(o *operand) {
		if o.kind == oPath {
			out = append(out, o.path)
		}
		for _, a := range o.args {
			visit(a)
		}
	}
	var walk func(n *cond)
	walk = func(n *cond) {
		for _, a := range n.args {
			visit(a)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(c.root)
	return out
}

// Matches is Eval without the error.
func (c *Condition) Matches(item attr.Item) bool { return c.root.eval(item) }

func (c *cond) eval(item attr.Item) bool {
	switch c.kind {
	case cAnd:
		return c.kids[0].eval(item) && c.kids[1].eval(item)
	case cOr:
		return c.kids[0].eval(item) || c.kids[1].eval(item)
	case cNot:
		return !c.kids[0].eval(item)
	case cCompare:
		a, aok := c.args[0].eval(item)
		b, bok := c.args[1].eval(item)
		return compare(c.op, a, aok, b, bok)
	case cBetween:
		x, ok := c.args[0].eval(item)
		if !ok {
			return false
		}
		lo, lok := c.args[1].eval(item)
		hi, hok := c.args[2].eval(item)
		return compare(opGE, x, true, lo, lok) && compare(opLE, x, true, hi, hok)
	case cIn:
		x, ok := c.args[0].eval(item)
		if !ok {
			return false
		}
		for _, a := range c.args[1:] {
			if v, ok := a.eval(item); ok && attr.Equal(x, v) {
				return true
			}
		}
		return false
	case cCall:
		return callCondition(c.fnID, c.args, item)
	}
	return false
}

// compare applies a comparator with DynamoDB's semantics: a missing operand
// or mismatched types make every comparator false except <>, and ordering
// is defined only for S, N and B.
func compare(op cmpOp, a attr.Value, aok bool, b attr.Value, bok bool) bool {
	switch op {
	case opEQ:
		return aok && bok && attr.Equal(a, b)
	case opNE:
		return !(aok && bok && attr.Equal(a, b))
	}
	if !aok || !bok || a.Type() != b.Type() {
		return false
	}
	switch a.Type() {
	case attr.S, attr.N, attr.B:
	default:
		return false
	}
	r := attr.Compare(a, b)
	switch op {
	case opLT:
		return r < 0
	case opLE:
		return r <= 0
	case opGT:
		return r > 0
	case opGE:
		return r >= 0
	}
	return false
}

// eval produces an operand's value for item; false when it has none
// (missing attribute, size of a sizeless value).
func (o *operand) eval(item attr.Item) (attr.Value, bool) {
	switch o.kind {
	case oPath:
		return o.path.Lookup(item)
	case oValue:
		return o.value, true
	case oCall:
		if o.fnID == fSize {
			v, ok := o.args[0].eval(item)
			if !ok {
				return attr.Value{}, false
			}
			n, ok := sizeOf(v)
			if !ok {
				return attr.Value{}, false
			}
			return attr.Int(n), true
		}
	}
	return attr.Value{}, false
}

// sizeOf is the size() function: characters of a string (AWS counts
// size("abÿ") as 3), bytes of a binary, elements of sets, lists and maps.
func sizeOf(v attr.Value) (int, bool) {
	switch v.Type() {
	case attr.S:
		return utf8.RuneCountInString(v.Raw()), true
	case attr.B:
		return len(v.Raw()), true
	case attr.SS, attr.NS, attr.BS, attr.L, attr.M:
		return v.Len(), true
	}
	return 0, false
}

// callCondition evaluates a function used as a condition.
func callCondition(id funcID, args []*operand, item attr.Item) bool {
	switch id {
	case fAttributeExists:
		_, ok := args[0].eval(item)
		return ok
	case fAttributeNotExists:
		_, ok := args[0].eval(item)
		return !ok
	case fAttributeType:
		v, ok := args[0].eval(item)
		t, tok := args[1].eval(item)
		return ok && tok && v.Type().String() == t.S()
	case fBeginsWith:
		v, ok := args[0].eval(item)
		p, pok := args[1].eval(item)
		if !ok || !pok || v.Type() != p.Type() || (v.Type() != attr.S && v.Type() != attr.B) {
			return false
		}
		return strings.HasPrefix(v.Raw(), p.Raw())
	case fContains:
		v, ok := args[0].eval(item)
		x, xok := args[1].eval(item)
		if !ok || !xok {
			return false
		}
		return contains(v, x)
	}
	return false
}

// contains is the contains() function: substring of S (and B), member of
// a set of the operand's type, element of a list.
func contains(v, x attr.Value) bool {
	switch v.Type() {
	case attr.S, attr.B:
		return x.Type() == v.Type() && strings.Contains(v.Raw(), x.Raw())
	case attr.SS:
		return x.Type() == attr.S && v.HasMember(x.Raw())
	case attr.NS:
		return x.Type() == attr.N && v.HasMember(x.Raw())
	case attr.BS:
		return x.Type() == attr.B && v.HasMember(x.Raw())
	case attr.L:
		for _, e := range v.L() {
			if attr.Equal(e, x) {
				return true
			}
		}
	}
	return false
}

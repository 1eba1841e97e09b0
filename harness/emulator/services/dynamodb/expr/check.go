package expr

import (
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// funcID identifies a built-in function.
type funcID uint8

const (
	fUnknown funcID = iota
	fAttributeExists
	fAttributeNotExists
	fAttributeType
	fBeginsWith
	fContains
	fSize
	fIfNotExists
	fListAppend
)

// conditionFunctions and updateFunctions map names (case-sensitive, as in
// DynamoDB) to functions and their operand counts.
var conditionFunctions = map[string]struct {
	id    funcID
	arity int
}{
	"attribute_exists":     {fAttributeExists, 1},
	"attribute_not_exists": {fAttributeNotExists, 1},
	"attribute_type":       {fAttributeType, 2},
	"begins_with":          {fBeginsWith, 2},
	"contains":             {fContains, 2},
	"size":                 {fSize, 1},
}

var updateFunctions = map[string]struct {
	id    funcID
	arity int
}{
	"if_not_exists": {fIfNotExists, 2},
	"list_append":   {fListAppend, 2},
}

// maxInOperands is DynamoDB's limit on IN's list.
const maxInOperands = 100

// resolver turns placeholders into names and values, recording what was
// used. It is shared by every expression kind.
type resolver struct {
	names      Names
	values     Values
	usedNames  []string
	usedValues []string
	reserved   string // first bare reserved word
}

// resolvePath resolves a raw path; on an undefined placeholder it returns
// the error message.
func (r *resolver) resolvePath(raw []rawElem) (Path, string) {
	elems := make([]pathElem, len(raw))
	for i, e := range raw {
		switch {
		case e.index >= 0:
			elems[i] = pathElem{index: e.index}
		case e.isRef:
			name, ok := r.names[e.text]
			if !ok {
				return Path{}, "An expression attribute name used in the document path is not defined; attribute name: " + e.text
			}
			r.usedNames = append(r.usedNames, e.text)
			elems[i] = pathElem{name: name, index: -1}
		default:
			if r.reserved == "" && isReserved(e.text) {
				r.reserved = "Attribute name is a reserved keyword; reserved keyword: " + e.text
			}
			elems[i] = pathElem{name: e.text, index: -1}
		}
	}
	return Path{elems: elems}, ""
}

// resolveValue looks up a :value placeholder.
func (r *resolver) resolveValue(name string) (attr.Value, string) {
	v, ok := r.values[name]
	if !ok {
		return attr.Value{}, "An expression attribute value used in expression is not defined; attribute value: " + name
	}
	r.usedValues = append(r.usedValues, name)
	return v, ""
}

// commit records the placeholders used into u.
func (r *resolver) commit(u *Usage) {
	if u == nil {
		return
	}
	for _, n := range r.usedNames {
		u.names[n] = struct{}{}
	}
	for _, v := range r.usedValues {
		u.values[v] = struct{}{}
	}
}

// leafErrors are the per-condition errors, reported in this order of
// precedence for the first condition that has any.
type leafErrors struct {
	undefined, operands, distinct, function string
}

func (l *leafErrors) first() string {
	for _, m := range [...]string{l.undefined, l.operands, l.distinct, l.function} {
		if m != "" {
			return m
		}
	}
	return ""
}

func setOnce(dst *string, msg string) {
	if *dst == "" {
		*dst = msg
	}
}

// condChecker validates a parsed condition the way DynamoDB does, keeping
// the first error of each kind and reporting by kind precedence.
type condChecker struct {
	resolver
	parens, unknownFn, misusedFn, condition string
}

func (ck *condChecker) result() string {
	for _, m := range [...]string{ck.parens, ck.unknownFn, ck.misusedFn, ck.reserved, ck.condition} {
		if m != "" {
			return m
		}
	}
	return ""
}

func (ck *condChecker) cond(c *cond) {
	if c.parens > 1 {
		setOnce(&ck.parens, "The expression has redundant parentheses;")
	}
	switch c.kind {
	case cAnd, cOr, cNot:
		for _, k := range c.kids {
			if k.kind == cCall && k.fn == "size" {
				setOnce(&ck.misusedFn, "The function is not allowed to be used this way in an expression; function: size")
			}
			ck.cond(k)
		}
		return
	}
	var le leafErrors
	for _, o := range c.args {
		ck.operand(o, &le)
	}
	switch c.kind {
	case cCompare:
		ck.misused(c.args)
		ck.distinct(cmpText[c.op], c.args, &le)
	case cBetween:
		ck.misused(c.args)
		ck.between(c.args[1], c.args[2], &le)
	case cIn:
		ck.misused(c.args)
		if n := len(c.args) - 1; n > maxInOperands {
			setOnce(&le.function, "The IN operator is provided with too many operands; number of operands: "+strconv.Itoa(n))
		}
		ck.distinct("IN", c.args, &le)
	case cCall:
		if c.fn == "size" {
			setOnce(&ck.misusedFn, "The function is not allowed to be used this way in an expression; function: size")
		}
		c.fnID = ck.function(c.fn, c.args, &le)
	}
	if ck.condition == "" {
		ck.condition = le.first()
	}
}

// misused flags functions other than size used as operands.
func (ck *condChecker) misused(args []*operand) {
	for _, a := range args {
		if a.kind == oCall && a.fn != "size" {
			setOnce(&ck.misusedFn, "The function is not allowed to be used this way in an expression; function: "+a.fn)
		}
	}
}

// distinct rejects an operator whose first operand is the same path as
// another operand (a = a).
func (ck *condChecker) distinct(op string, args []*operand, le *leafErrors) {
	if len(args) < 2 || args[0].kind != oPath || args[0].path.Len() == 0 {
		return
	}
	for _, a := range args[1:] {
		if a.kind == oPath && a.path.equal(args[0].path) {
			setOnce(&le.distinct, "The first operand must be distinct from the remaining operands for this operator or function; operator: "+op+", first operand: "+args[0].path.listString())
			return
		}
	}
}

// between checks constant bounds: same type, lower ≤ upper.
func (ck *condChecker) between(lo, hi *operand, le *leafErrors) {
	if lo.kind != oValue || hi.kind != oValue || lo.value.IsZero() || hi.value.IsZero() {
		return
	}
	x, y := lo.value, hi.value
	bounds := "lower bound operand: AttributeValue: {" + valueText(x) + "}, upper bound operand: AttributeValue: {" + valueText(y) + "}"
	if x.Type() != y.Type() {
		setOnce(&le.function, "The BETWEEN operator requires same data type for lower and upper bounds; "+bounds)
		return
	}
	switch x.Type() {
	case attr.S, attr.N, attr.B:
		if attr.Compare(x, y) > 0 {
			setOnce(&le.function, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "+bounds)
		}
	}
}

// valueText renders a value for messages: N:1, S:a.
func valueText(v attr.Value) string {
	switch v.Type() {
	case attr.S, attr.N:
		return v.Type().String() + ":" + v.Raw()
	}
	return v.Type().String() + ":" + string(attr.AppendValue(nil, v))
}

// operand resolves an operand (recursively for calls).
func (ck *condChecker) operand(o *operand, le *leafErrors) {
	if o.parens > 1 {
		setOnce(&ck.parens, "The expression has redundant parentheses;")
	}
	switch o.kind {
	case oPath:
		p, msg := ck.resolvePath(o.raw)
		if msg != "" {
			setOnce(&le.undefined, msg)
		}
		o.path = p
	case oValue:
		v, msg := ck.resolveValue(o.name)
		if msg != "" {
			setOnce(&le.undefined, msg)
		}
		o.value = v
	case oCall:
		for _, a := range o.args {
			ck.operand(a, le)
		}
		ck.misused(o.args)
		o.fnID = ck.function(o.fn, o.args, le)
	}
}

// staticType is the type an operand is known to have before any item is
// seen: a value's own, N for size(); false when it depends on the item.
func staticType(o *operand) (attr.Type, bool) {
	switch o.kind {
	case oValue:
		if !o.value.IsZero() {
			return o.value.Type(), true
		}
	case oCall:
		switch o.fnID {
		case fSize:
			return attr.N, true
		case fBeginsWith, fContains, fAttributeType:
			return attr.BOOL, true
		}
	}
	return 0, false
}

// function checks a condition function's name, operand count and operand
// types; it returns the function's identity.
func (ck *condChecker) function(name string, args []*operand, le *leafErrors) funcID {
	f, ok := conditionFunctions[name]
	if !ok {
		setOnce(&ck.unknownFn, "Invalid function name; function: "+name)
		return fUnknown
	}
	if len(args) != f.arity {
		setOnce(&le.operands, "Incorrect number of operands for operator or function; operator or function: "+name+", number of operands: "+strconv.Itoa(len(args)))
		return f.id
	}
	if f.arity == 2 {
		ck.distinct(name, args, le)
	}
	wrongType := func(t string) {
		setOnce(&le.function, "Incorrect operand type for operator or function; operator or function: "+name+", operand type: "+t)
	}
	switch f.id {
	case fAttributeExists, fAttributeNotExists:
		if args[0].kind != oPath {
			setOnce(&le.function, "Operator or function requires a document path; operator or function: "+name)
		}
	case fBeginsWith:
		for _, a := range args {
			if t, known := staticType(a); known && t != attr.S && t != attr.B {
				wrongType(t.String())
				break
			}
		}
	case fAttributeType:
		t, known := staticType(args[1])
		if !known {
			wrongType("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
			break
		}
		if t != attr.S {
			wrongType(t.String())
			break
		}
		if args[1].kind == oValue {
			if _, valid := attr.ParseType(args[1].value.S()); !valid {
				setOnce(&le.function, "Invalid attribute type name found; type: "+args[1].value.S()+", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
			}
		}
	case fSize:
		if t, known := staticType(args[0]); known && (t == attr.N || t == attr.BOOL || t == attr.NULL) {
			wrongType(t.String())
		}
	}
	return f.id
}

// maxExpressionSize is DynamoDB's limit on an expression string (bytes).
const maxExpressionSize = 4096

// checkSource rejects empty and oversized expressions; the size bound also
// bounds the parser's recursion.
func checkSource(label, src string) error {
	if src == "" {
		return invalid(label, "The expression can not be empty;")
	}
	if len(src) > maxExpressionSize {
		return invalid(label, "Expression size has exceeded the maximum allowed size; expression size: "+strconv.Itoa(len(src)))
	}
	return nil
}

// invalid wraps a message as "Invalid <label>: <message>".
func invalid(label, msg string) error {
	return awsproto.ErrValidation.New("Invalid " + label + ": " + msg)
}

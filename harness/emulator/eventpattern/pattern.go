package eventpattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Pattern is a parsed event pattern: a conjunction of keys (nested
// objects when Options.Nested) and $or alternatives.
type Pattern struct {
	root *policyNode
}

// Options say which form of the language a service takes.
type Options struct {
	// Nested allows nested objects (SNS's MessageBody scope, Lambda's
	// filter criteria); without it a nested object is refused.
	Nested bool
	// Limits applies SNS's bounds: at most 5 keys per alternative and 150
	// combinations.
	Limits bool
}

// policyNode is one object level of a policy: every key must match, and
// at least one policy of each $or group.
type policyNode struct {
	keys []policyKey
	ors  [][]*policyNode
}

type policyKey struct {
	name  string
	conds []condition // a list of conditions (one must match)…
	sub   *policyNode // …or a nested object (MessageBody scope)
}

type condKind int

const (
	condExact condKind = iota
	condNumber
	condNull
	condBool
	condPrefix
	condSuffix
	condIgnoreCase
	condAnythingBut
	condAnythingButPrefix
	condAnythingButSuffix
	condNumeric
	condExists
	condCIDR
)

type condition struct {
	kind condKind
	str  string
	strs []string
	num  float64
	nums []float64
	b    bool
	ops  []numOp
	cidr netip.Prefix
}

type numOp struct {
	op string
	v  float64
}

// Limits AWS applies to a pattern (the keys and combinations with
// Options.Limits).
const (
	maxPolicyKeys         = 5
	maxPolicyCombinations = 150
	maxPolicyBytes        = 256 * 1024
)

// Parse compiles a pattern. Its errors are *Error values worded as SNS
// states them after "Invalid parameter: FilterPolicy: "; a service that
// words them otherwise maps them.
func Parse(policy string, o Options) (*Pattern, error) {
	if len(policy) > maxPolicyBytes {
		return nil, perr("Filter policy is too long")
	}
	dec := json.NewDecoder(strings.NewReader(policy))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, perrf("failed to parse JSON. %s", jsonReason(err))
	}
	if dec.More() {
		return nil, perr("failed to parse JSON. Unexpected content after the policy")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, perr("Filter policy must be a JSON object")
	}
	if len(obj) == 0 {
		return nil, perr("Filter policy can not be empty")
	}
	p := &parser{nested: o.Nested}
	root, err := p.node(obj, 0)
	if err != nil {
		return nil, err
	}
	if o.Limits && p.maxKeys > maxPolicyKeys {
		return nil, perr("Filter policy can not have more than 5 keys")
	}
	if c := combinations(root); o.Limits && c > maxPolicyCombinations {
		return nil, perr("Filter policy is too complex")
	}
	return &Pattern{root: root}, nil
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at offset %d", se.Error(), se.Offset)
	}
	return err.Error()
}

type parser struct {
	nested  bool
	maxKeys int
}

// node parses one object; keys counts the leaf keys on the path so far
// (AWS counts keys per $or branch).
func (p *parser) node(obj map[string]any, depth int) (*policyNode, error) {
	if depth > 32 {
		return nil, perr("Filter policy is too complex")
	}
	n := &policyNode{}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	leaves := 0
	for _, name := range names {
		v := obj[name]
		if name == "$or" {
			list, ok := v.([]any)
			if !ok || len(list) < 2 {
				return nil, perr("Or statement must contain at least two sub-policies")
			}
			var group []*policyNode
			for _, alt := range list {
				o, ok := alt.(map[string]any)
				if !ok || len(o) == 0 {
					return nil, perr("Or statement sub-policies must be JSON objects")
				}
				sub, err := p.node(o, depth+1)
				if err != nil {
					return nil, err
				}
				group = append(group, sub)
			}
			n.ors = append(n.ors, group)
			continue
		}
		switch x := v.(type) {
		case []any:
			conds, err := parseConditions(name, x)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, policyKey{name: name, conds: conds})
			leaves++
		case map[string]any:
			if !p.nested {
				return nil, perr("Filter policy scope MessageAttributes does not support nested filter policy")
			}
			if len(x) == 0 {
				return nil, perrf("\"%s\" must be an object or an array", name)
			}
			sub, err := p.node(x, depth+1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, policyKey{name: name, sub: sub})
		default:
			return nil, perrf("\"%s\" must be an object or an array", name)
		}
	}
	if leaves > p.maxKeys {
		p.maxKeys = leaves
	}
	total := countLeaves(n)
	if total > p.maxKeys {
		p.maxKeys = total
	}
	return n, nil
}

func countLeaves(n *policyNode) int {
	c := 0
	for _, k := range n.keys {
		if k.sub != nil {
			c += countLeaves(k.sub)
		} else {
			c++
		}
	}
	return c
}

// combinations is the product of the number of values of every key, summed
// over $or alternatives: AWS's complexity measure.
func combinations(n *policyNode) int {
	c := 1
	for _, k := range n.keys {
		if k.sub != nil {
			c = satMul(c, combinations(k.sub))
		} else {
			c = satMul(c, len(k.conds))
		}
	}
	for _, group := range n.ors {
		sum := 0
		for _, alt := range group {
			sum += combinations(alt)
			if sum > 1<<20 {
				sum = 1 << 20
			}
		}
		c = satMul(c, sum)
	}
	return c
}

func satMul(a, b int) int {
	if a > 1<<20 || b > 1<<20 || a*b > 1<<20 {
		return 1 << 20
	}
	return a * b
}

func parseConditions(key string, list []any) ([]condition, error) {
	if len(list) == 0 {
		return nil, perrf("Empty arrays are not allowed")
	}
	conds := make([]condition, 0, len(list))
	for _, v := range list {
		c, err := parseCondition(v)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
	return conds, nil
}

func parseCondition(v any) (condition, error) {
	switch x := v.(type) {
	case string:
		return condition{kind: condExact, str: x}, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return condition{}, perr("Match value must be String, number, true, false, or null")
		}
		return condition{kind: condNumber, num: f, str: string(x)}, nil
	case nil:
		return condition{kind: condNull}, nil
	case bool:
		return condition{kind: condBool, b: x}, nil
	case []any:
		return condition{}, perr("Match value must be String, number, true, false, or null")
	case map[string]any:
		if len(x) != 1 {
			return condition{}, perr("Only one key allowed in match expression")
		}
		for op, arg := range x {
			return parseOperator(op, arg)
		}
	}
	return condition{}, perr("Match value must be String, number, true, false, or null")
}

func parseOperator(op string, arg any) (condition, error) {
	switch op {
	case "prefix", "suffix", "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return condition{}, perrf("%s match pattern must be a string", op)
		}
		kind := map[string]condKind{"prefix": condPrefix, "suffix": condSuffix, "equals-ignore-case": condIgnoreCase}[op]
		return condition{kind: kind, str: s}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return condition{}, perr("exists match pattern must be either true or false.")
		}
		return condition{kind: condExists, b: b}, nil
	case "anything-but":
		return parseAnythingBut(arg)
	case "numeric":
		return parseNumeric(arg)
	case "cidr":
		s, ok := arg.(string)
		if !ok {
			return condition{}, perr("prefix match pattern must be a string")
		}
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return condition{}, perrf("Malformed CIDR, one '/' required")
		}
		return condition{kind: condCIDR, cidr: pfx.Masked()}, nil
	}
	return condition{}, perrf("Unrecognized match type %s", op)
}

func parseAnythingBut(arg any) (condition, error) {
	c := condition{kind: condAnythingBut}
	add := func(v any) error {
		switch x := v.(type) {
		case string:
			c.strs = append(c.strs, x)
		case json.Number:
			f, err := strconv.ParseFloat(string(x), 64)
			if err != nil {
				return perr("Value of anything-but must be an array or single string/number value.")
			}
			c.nums = append(c.nums, f)
		default:
			return perr("Value of anything-but must be an array or single string/number value.")
		}
		return nil
	}
	switch x := arg.(type) {
	case map[string]any:
		if len(x) != 1 {
			return condition{}, perr("Value of anything-but must be an array or single string/number value.")
		}
		for op, v := range x {
			s, ok := v.(string)
			switch {
			case op != "prefix" && op != "suffix":
				return condition{}, perrf("Unsupported anything-but pattern: %s", op)
			case !ok:
				return condition{}, perrf("%s match pattern must be a string", op)
			case s == "":
				return condition{}, perrf("Null %s match pattern is not allowed", op)
			}
			if op == "prefix" {
				return condition{kind: condAnythingButPrefix, str: s}, nil
			}
			return condition{kind: condAnythingButSuffix, str: s}, nil
		}
	case []any:
		if len(x) == 0 {
			return condition{}, perr("Empty arrays are not allowed")
		}
		for _, v := range x {
			if err := add(v); err != nil {
				return condition{}, err
			}
		}
	default:
		if err := add(arg); err != nil {
			return condition{}, err
		}
	}
	return c, nil
}

func parseNumeric(arg any) (condition, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 {
		return condition{}, perr("Value of numeric must be an array.")
	}
	if len(list) != 2 && len(list) != 4 {
		return condition{}, perr("Too many elements in numeric expression")
	}
	c := condition{kind: condNumeric}
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		if !ok {
			return condition{}, perrf("Invalid member in numeric match: %v", list[i])
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return condition{}, perrf("Unrecognized numeric range operator: %s", op)
		}
		n, ok := list[i+1].(json.Number)
		if !ok {
			return condition{}, perrf("Value of %s must be numeric", op)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(f, 0) {
			return condition{}, perrf("Value of %s must be numeric", op)
		}
		c.ops = append(c.ops, numOp{op, f})
	}
	if len(c.ops) == 2 {
		lo, hi := c.ops[0], c.ops[1]
		if lo.op != ">" && lo.op != ">=" || hi.op != "<" && hi.op != "<=" {
			return condition{}, perrf("Bad numeric range operator: %s", hi.op)
		}
		if lo.v >= hi.v {
			return condition{}, perr("Bottom must be less than top")
		}
	} else if c.ops[0].op == "=" && len(list) > 2 {
		return condition{}, perr("Too many elements in numeric expression")
	}
	return c, nil
}

// MatchKeys reports whether values pass the pattern's top level, lookup
// giving each key's values (a list matches when one of its values does)
// and whether the key is present; nested keys never match (SNS's
// MessageAttributes scope).
func (p *Pattern) MatchKeys(lookup func(key string) (values []any, present bool)) bool {
	return p.root.matchWith(func(k policyKey) ([]any, bool) { return lookup(k.name) })
}

// MatchJSON reports whether a JSON document passes the pattern; one that
// is not a JSON object matches nothing.
func (p *Pattern) MatchJSON(doc string) bool {
	d := json.NewDecoder(strings.NewReader(doc))
	d.UseNumber()
	var obj map[string]any
	if d.Decode(&obj) != nil {
		return false
	}
	return p.root.matchBody(obj)
}

// MatchObject reports whether a decoded JSON object (numbers as
// json.Number or float64) passes the pattern.
func (p *Pattern) MatchObject(obj map[string]any) bool { return p.root.matchBody(obj) }

func (n *policyNode) matchBody(obj map[string]any) bool {
	return n.matchWith(func(k policyKey) ([]any, bool) {
		v, ok := obj[k.name]
		if !ok {
			return nil, false
		}
		if arr, ok := v.([]any); ok {
			return arr, true
		}
		return []any{v}, true
	}, func(k policyKey) bool {
		sub, ok := obj[k.name].(map[string]any)
		if !ok {
			return k.sub.onlyAbsence()
		}
		return k.sub.matchBody(sub)
	})
}

// onlyAbsence: a nested policy satisfied by a missing object (every leaf
// is {"exists": false}).
func (n *policyNode) onlyAbsence() bool {
	return n.matchBody(map[string]any{})
}

func (n *policyNode) matchWith(lookup func(policyKey) ([]any, bool), nestedMatch ...func(policyKey) bool) bool {
	for _, k := range n.keys {
		if k.sub != nil {
			if len(nestedMatch) == 0 || !nestedMatch[0](k) {
				return false
			}
			continue
		}
		values, present := lookup(k)
		if !matchConditions(k.conds, values, present) {
			return false
		}
	}
	for _, group := range n.ors {
		ok := false
		for _, alt := range group {
			if alt.matchWith(lookup, nestedMatch...) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func matchConditions(conds []condition, values []any, present bool) bool {
	for _, c := range conds {
		if c.kind == condExists {
			if c.b == present {
				return true
			}
			continue
		}
		if c.kind == condNull {
			for _, v := range values {
				if v == nil {
					return true
				}
			}
			continue
		}
		if !present {
			continue
		}
		for _, v := range values {
			if c.match(v) {
				return true
			}
		}
	}
	return false
}

func (c *condition) match(v any) bool {
	s, isStr := v.(string)
	f, isNum := number(v)
	switch c.kind {
	case condExact:
		return isStr && s == c.str
	case condNumber:
		return isNum && f == c.num
	case condBool:
		b, ok := v.(bool)
		return ok && b == c.b
	case condPrefix:
		return isStr && strings.HasPrefix(s, c.str)
	case condSuffix:
		return isStr && strings.HasSuffix(s, c.str)
	case condIgnoreCase:
		return isStr && strings.EqualFold(s, c.str)
	case condAnythingBut:
		if isStr {
			for _, x := range c.strs {
				if s == x {
					return false
				}
			}
			return true
		}
		if isNum {
			for _, x := range c.nums {
				if f == x {
					return false
				}
			}
			return true
		}
		return v != nil
	case condAnythingButPrefix:
		return isStr && !strings.HasPrefix(s, c.str)
	case condAnythingButSuffix:
		return isStr && !strings.HasSuffix(s, c.str)
	case condNumeric:
		if !isNum {
			return false
		}
		for _, o := range c.ops {
			var ok bool
			switch o.op {
			case "=":
				ok = f == o.v
			case "<":
				ok = f < o.v
			case "<=":
				ok = f <= o.v
			case ">":
				ok = f > o.v
			case ">=":
				ok = f >= o.v
			}
			if !ok {
				return false
			}
		}
		return true
	case condCIDR:
		if !isStr {
			return false
		}
		a, err := netip.ParseAddr(s)
		return err == nil && c.cidr.Contains(a)
	}
	return false
}

// number is a JSON number's value, decoded either way.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

// Error is a pattern's fault, worded as AWS (SNS) words it, which is why
// it starts with a capital and may end with a full stop.
type Error string

func (e Error) Error() string { return string(e) }

func perr(msg string) error { return Error(msg) }

func perrf(format string, args ...any) error { return Error(fmt.Sprintf(format, args...)) }

package iampolicy

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// knownOperators are IAM's condition operators (lower-cased), without a
// set prefix or IfExists.
var knownOperators = map[string]bool{}

func init() {
	for _, op := range []string{
		"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
		"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
		"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
		"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
	} {
		knownOperators[strings.ToLower(op)] = true
	}
}

// negated operators hold when the request's value matches none of the
// condition's values, and when the key is absent.
var negated = map[string]bool{
	"stringnotequals": true, "stringnotequalsignorecase": true, "stringnotlike": true, "numericnotequals": true,
	"datenotequals": true, "notipaddress": true, "arnnotequals": true, "arnnotlike": true,
}

// splitOperator takes a set prefix and an IfExists suffix off an operator.
func splitOperator(op string) (base, set string, ifExists bool) {
	base = op
	if i := strings.IndexByte(base, ':'); i >= 0 {
		set, base = base[:i], base[i+1:]
	}
	if strings.HasSuffix(base, "IfExists") && !strings.EqualFold(base, "NullIfExists") {
		base, ifExists = strings.TrimSuffix(base, "IfExists"), true
	}
	if set != "" && set != "ForAnyValue" && set != "ForAllValues" {
		base = op // unknown prefix: the whole is unknown
	}
	return base, set, ifExists
}

// Context holds a request's condition keys and their values. Keys are
// compared without case, as IAM compares them.
type Context map[string][]string

// Set gives a key its values.
func (c Context) Set(key string, values ...string) { c[strings.ToLower(key)] = values }

// Get returns a key's values and whether it is present.
func (c Context) Get(key string) ([]string, bool) {
	v, ok := c[strings.ToLower(key)]
	return v, ok
}

// Holds evaluates a condition against a context. missing reports a key
// the context lacks where its presence decides the outcome (IAM's
// simulator lists such keys as MissingContextValues).
func (cd Condition) Holds(ctx Context) (holds, missing bool) {
	values, present := ctx.Get(cd.Key)
	if cd.base == "null" {
		want := len(cd.Values) > 0 && strings.EqualFold(cd.Values[0], "true")
		return want != present, false
	}
	if !present {
		switch {
		case cd.ifExists:
			return true, false
		case cd.set == "ForAllValues":
			return true, false
		case cd.set == "ForAnyValue":
			return false, true
		}
		return negated[cd.base], true
	}
	patterns := make([]string, len(cd.Values))
	for i, v := range cd.Values {
		patterns[i] = substitute(v, ctx)
	}
	matchesAny := func(v string) bool {
		for _, p := range patterns {
			if compare(cd.base, v, p) {
				return true
			}
		}
		return false
	}
	neg := negated[cd.base]
	switch cd.set {
	case "ForAllValues":
		for _, v := range values {
			if matchesAny(v) == neg {
				return false, false
			}
		}
		return true, false
	case "ForAnyValue":
		for _, v := range values {
			if matchesAny(v) != neg {
				return true, false
			}
		}
		return false, false
	}
	// A single-valued operator: any of the request's values matching any
	// of the condition's; a negated one: none matching.
	any := false
	for _, v := range values {
		if matchesAny(v) {
			any = true
			break
		}
	}
	return any != neg, false
}

// compare applies a base operator to one request value and one condition
// value (for negated operators, the positive comparison).
func compare(op, v, p string) bool {
	switch op {
	case "stringequals", "stringnotequals":
		return v == p
	case "stringequalsignorecase", "stringnotequalsignorecase":
		return strings.EqualFold(v, p)
	case "stringlike", "stringnotlike", "arnlike", "arnnotlike", "arnequals", "arnnotequals":
		return Match(p, v)
	case "bool":
		return strings.EqualFold(v, p)
	case "binaryequals":
		a, err1 := base64.StdEncoding.DecodeString(v)
		b, err2 := base64.StdEncoding.DecodeString(p)
		return err1 == nil && err2 == nil && string(a) == string(b)
	case "ipaddress", "notipaddress":
		ip, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		if pfx, err := netip.ParsePrefix(p); err == nil {
			return pfx.Contains(ip.Unmap())
		}
		q, err := netip.ParseAddr(p)
		return err == nil && q.Unmap() == ip.Unmap()
	}
	if strings.HasPrefix(op, "numeric") {
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(p, 64)
		return err1 == nil && err2 == nil && order(strings.TrimPrefix(op, "numeric"), cmpFloat(a, b))
	}
	if strings.HasPrefix(op, "date") {
		a, ok1 := ParseDate(v)
		b, ok2 := ParseDate(p)
		return ok1 && ok2 && order(strings.TrimPrefix(op, "date"), a.Compare(b))
	}
	return false
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

func order(rel string, c int) bool {
	switch rel {
	case "equals", "notequals":
		return c == 0
	case "lessthan":
		return c < 0
	case "lessthanequals":
		return c <= 0
	case "greaterthan":
		return c > 0
	case "greaterthanequals":
		return c >= 0
	}
	return false
}

// ParseDate reads a date as IAM's Date operators do: ISO 8601 (with or
// without a time) or seconds since the epoch.
func ParseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

// substitute replaces policy variables (${aws:username}, ${*}, ${?}, ${$})
// in a condition value or resource with the context's values; an unknown
// variable is left as it is.
func substitute(s string, ctx Context) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		switch name {
		case "*", "?", "$":
			b.WriteString(name)
		default:
			if v, ok := ctx.Get(name); ok && len(v) == 1 {
				b.WriteString(v[0])
			} else {
				b.WriteString(s[i : i+j+1])
			}
		}
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// Match reports whether value matches an IAM pattern, where * stands for
// any run of characters (slashes included) and ? for one character.
func Match(pattern, value string) bool {
	p, v := []rune(pattern), []rune(value)
	pi, vi, star, mark := 0, 0, -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[vi]):
			pi++
			vi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, vi
			pi++
		case star >= 0:
			pi, mark = star+1, mark+1
			vi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// KnownOperator reports whether IAM knows a condition operator, with its
// set prefix and IfExists suffix.
func KnownOperator(op string) bool {
	base, _, _ := splitOperator(op)
	return knownOperators[strings.ToLower(base)]
}

// Base is its operator without a set prefix
// or IfExists, lower-cased.
func (cd Condition) Base() string { return cd.base }

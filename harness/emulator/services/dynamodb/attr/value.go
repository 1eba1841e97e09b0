package attr

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Type is a DynamoDB attribute type.
type Type uint8

// The DynamoDB attribute types, named as on the wire.
const (
	typeNone Type = iota
	S
	N
	B
	BOOL
	NULL
	M
	L
	SS
	NS
	BS
)

var typeNames = [...]string{"", "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}

// String returns the wire name of the type ("S", "N", …); "" for no type.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return ""
}

// ParseType returns the type with the given wire name.
func ParseType(name string) (Type, bool) {
	for i := 1; i < len(typeNames); i++ {
		if typeNames[i] == name {
			return Type(i), true
		}
	}
	return typeNone, false
}

// Value is one immutable DynamoDB attribute value: a type byte, a string
// carrying the scalar (S text, canonical N text, B bytes) and one pointer
// that gives the type and, for documents and sets, the members. 24 bytes;
// never mutate what an accessor returns.
type Value struct {
	s string
	a *aggregate // type and members; scalars share one static aggregate per type
}

// aggregate holds a value's type and, for documents and sets, members.
type aggregate struct {
	t Type
	// strs: M attribute names (sorted, parallel to vals) or set members
	// (S text, canonical N text, raw B bytes) in insertion order.
	strs []string
	vals []Value // M values or L elements
}

// scalarKinds are the shared aggregates that type scalar values.
var scalarKinds = [...]aggregate{{t: typeNone}, {t: S}, {t: N}, {t: B}, {t: BOOL}, {t: NULL}}

// scalar builds a scalar value of type t.
func scalar(t Type, s string) Value { return Value{s: s, a: &scalarKinds[t]} }

// String returns an S value.
func String(s string) Value { return scalar(S, s) }

// Number returns an N value, validated and canonicalised like DynamoDB.
func Number(s string) (Value, error) {
	c, err := CanonicalNumber(s)
	if err != nil {
		return Value{}, err
	}
	return scalar(N, c), nil
}

// number builds an N value from text already in canonical form.
func number(canonical string) Value { return scalar(N, canonical) }

// Binary returns a B value holding a copy of b.
func Binary(b []byte) Value { return scalar(B, string(b)) }

// Bool returns a BOOL value.
func Bool(b bool) Value {
	if b {
		return scalar(BOOL, "t")
	}
	return scalar(BOOL, "")
}

// Null returns the NULL value.
func Null() Value { return scalar(NULL, "") }

// Map returns an M value holding the entries of m (m itself is not kept).
func Map(m map[string]Value) Value {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]Value, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return Value{a: &aggregate{t: M, strs: keys, vals: vals}}
}

// mapSorted builds an M value from names already sorted and unique.
func mapSorted(keys []string, vals []Value) Value {
	return Value{a: &aggregate{t: M, strs: keys, vals: vals}}
}

// List returns an L value holding a copy of l.
func List(l []Value) Value {
	return Value{a: &aggregate{t: L, vals: append([]Value(nil), l...)}}
}

// listOwned builds an L value that takes ownership of l.
func listOwned(l []Value) Value { return Value{a: &aggregate{t: L, vals: l}} }

// StringSet returns an SS value; duplicates are dropped. An empty set is
// representable but DynamoDB never stores one.
func StringSet(ss []string) Value { return Value{a: &aggregate{t: SS, strs: dedupe(ss)}} }

// NumberSet returns an NS value of canonicalised numbers; duplicates (by
// numeric value) are dropped.
func NumberSet(ns []string) (Value, error) {
	out := make([]string, len(ns))
	for i, n := range ns {
		c, err := CanonicalNumber(n)
		if err != nil {
			return Value{}, err
		}
		out[i] = c
	}
	return Value{a: &aggregate{t: NS, strs: dedupe(out)}}, nil
}

// BinarySet returns a BS value holding copies of bs; duplicates are dropped.
func BinarySet(bs [][]byte) Value {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return Value{a: &aggregate{t: BS, strs: dedupe(out)}}
}

// setOwned builds a set value of type t that takes ownership of members,
// which must be unique (and canonical for NS).
func setOwned(t Type, members []string) Value { return Value{a: &aggregate{t: t, strs: members}} }

// dedupe returns a copy of ss without duplicates, keeping first occurrences.
func dedupe(ss []string) []string {
	out := make([]string, 0, len(ss))
	if len(ss) <= 16 {
	outer:
		for _, s := range ss {
			for _, o := range out {
				if o == s {
					continue outer
				}
			}
			out = append(out, s)
		}
		return out
	}
	seen := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		if _, ok := seen[s]; !ok {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}

// Type returns the value's type (0, printing "", for the zero Value).
func (v Value) Type() Type {
	if v.a == nil {
		return typeNone
	}
	return v.a.t
}

// IsZero reports whether v holds no value at all (as opposed to NULL).
func (v Value) IsZero() bool { return v.a == nil }

// S returns the text of an S value ("" for other types).
func (v Value) S() string {
	if v.Type() != S {
		return ""
	}
	return v.s
}

// N returns the canonical text of an N value ("" for other types).
func (v Value) N() string {
	if v.Type() != N {
		return ""
	}
	return v.s
}

// B returns a copy of the bytes of a B value (nil for other types).
func (v Value) B() []byte {
	if v.Type() != B {
		return nil
	}
	return []byte(v.s)
}

// Raw returns the scalar payload without copying: S text, N canonical text,
// B bytes as a string; "" for other types.
func (v Value) Raw() string {
	switch v.Type() {
	case S, N, B:
		return v.s
	}
	return ""
}

// Bool returns the truth of a BOOL value (false for other types).
func (v Value) Bool() bool { return v.Type() == BOOL && v.s != "" }

// M returns a fresh Go map of an M value's entries (nil for other types).
// Prefer Get/Fields on hot paths: this allocates.
func (v Value) M() map[string]Value {
	if v.Type() != M {
		return nil
	}
	m := make(map[string]Value, len(v.a.strs))
	for i, k := range v.a.strs {
		m[k] = v.a.vals[i]
	}
	return m
}

// L returns an L value's elements (nil for other types). The slice is
// shared: do not modify it.
func (v Value) L() []Value {
	if v.Type() != L {
		return nil
	}
	return v.a.vals
}

// SS returns an SS value's members (shared: do not modify).
func (v Value) SS() []string {
	if v.Type() != SS {
		return nil
	}
	return v.a.strs
}

// NS returns an NS value's members as canonical text (shared: do not modify).
func (v Value) NS() []string {
	if v.Type() != NS {
		return nil
	}
	return v.a.strs
}

// BS returns copies of a BS value's members.
func (v Value) BS() [][]byte {
	if v.Type() != BS {
		return nil
	}
	out := make([][]byte, len(v.a.strs))
	for i, s := range v.a.strs {
		out[i] = []byte(s)
	}
	return out
}

// Members returns the members of a set value (S text, canonical N text or
// raw B bytes) without copying; nil for other types.
func (v Value) Members() []string {
	switch v.Type() {
	case SS, NS, BS:
		return v.a.strs
	}
	return nil
}

// Len returns the number of entries of an M, elements of an L or members of
// a set; 0 otherwise.
func (v Value) Len() int {
	switch v.Type() {
	case M, SS, NS, BS:
		return len(v.a.strs)
	case L:
		return len(v.a.vals)
	}
	return 0
}

// Get returns the entry name of an M value.
func (v Value) Get(name string) (Value, bool) {
	if v.Type() != M {
		return Value{}, false
	}
	keys := v.a.strs
	i := sort.SearchStrings(keys, name)
	if i < len(keys) && keys[i] == name {
		return v.a.vals[i], true
	}
	return Value{}, false
}

// Index returns element i of an L value.
func (v Value) Index(i int) (Value, bool) {
	if v.Type() != L || i < 0 || i >= len(v.a.vals) {
		return Value{}, false
	}
	return v.a.vals[i], true
}

// Fields calls fn for each entry of an M value in name order until fn
// returns false.
func (v Value) Fields(fn func(name string, val Value) bool) {
	if v.Type() != M {
		return
	}
	for i, k := range v.a.strs {
		if !fn(k, v.a.vals[i]) {
			return
		}
	}
}

// HasMember reports whether a set value contains member (S text, canonical N
// text or raw B bytes).
func (v Value) HasMember(member string) bool {
	for _, s := range v.Members() {
		if s == member {
			return true
		}
	}
	return false
}

// Size returns the value's size by DynamoDB's rules (attribute names of
// the enclosing item are counted by Item.Size).
func (v Value) Size() int {
	switch v.Type() {
	case S, B:
		return len(v.s)
	case N:
		return numberSize(v.s)
	case BOOL, NULL:
		return 1
	case SS, BS:
		n := 0
		for _, s := range v.a.strs {
			n += len(s)
		}
		return n
	case NS:
		n := 0
		for _, s := range v.a.strs {
			n += numberSize(s)
		}
		return n
	case L:
		n := 3
		for _, e := range v.a.vals {
			n += 1 + e.Size()
		}
		return n
	case M:
		n := 3
		for i, k := range v.a.strs {
			n += 1 + len(k) + v.a.vals[i].Size()
		}
		return n
	}
	return 0
}

// Equal reports whether a and b are the same DynamoDB value: numbers by
// value, sets regardless of order, documents deeply.
func Equal(a, b Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Type() {
	case typeNone, NULL:
		return true
	case S, N, B, BOOL:
		// N text is canonical, so equal numbers have equal text.
		return a.s == b.s
	case SS, NS, BS:
		return sameMembers(a.a.strs, b.a.strs)
	case L:
		x, y := a.a.vals, b.a.vals
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case M:
		x, y := a.a, b.a
		if len(x.strs) != len(y.strs) {
			return false
		}
		for i := range x.strs {
			if x.strs[i] != y.strs[i] || !Equal(x.vals[i], y.vals[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// sameMembers compares two duplicate-free member lists as sets.
func sameMembers(x, y []string) bool {
	if len(x) != len(y) {
		return false
	}
	if len(x) <= 16 {
	outer:
		for _, a := range x {
			for _, b := range y {
				if a == b {
					continue outer
				}
			}
			return false
		}
		return true
	}
	seen := make(map[string]struct{}, len(x))
	for _, a := range x {
		seen[a] = struct{}{}
	}
	for _, b := range y {
		if _, ok := seen[b]; !ok {
			return false
		}
	}
	return true
}

// Compare orders two values of the same key type: S and B bytewise, N
// numerically. Values of other or mixed types compare by type only.
func Compare(a, b Value) int {
	if a.Type() != b.Type() {
		if a.Type() < b.Type() {
			return -1
		}
		return 1
	}
	switch a.Type() {
	case S, B:
		return strings.Compare(a.s, b.s)
	case N:
		return compareNumbers(a.s, b.s)
	}
	return 0
}

// KeyString returns a string that identifies an S, N or B value among
// values of the same type (the type is not encoded: a table's key attributes
// have a fixed type). Numbers are canonical, so 1, 1.0 and 1e0 agree. It
// does not allocate.
func KeyString(v Value) string { return v.s }

// Item is one DynamoDB item: attribute name → value.
type Item map[string]Value

// Size returns the item size by DynamoDB's rules: attribute name bytes plus
// value sizes.
func (it Item) Size() int {
	n := 0
	for k, v := range it {
		n += len(k) + v.Size()
	}
	return n
}

// Clone returns a copy of the item map; values are immutable and shared.
func (it Item) Clone() Item {
	if it == nil {
		return nil
	}
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = v
	}
	return out
}

// Equal reports whether two items hold the same attributes and values.
func (it Item) Equal(other Item) bool {
	if len(it) != len(other) {
		return false
	}
	for k, v := range it {
		w, ok := other[k]
		if !ok || !Equal(v, w) {
			return false
		}
	}
	return true
}

// validString replaces invalid UTF-8 like encoding/json does.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// SetUnion returns the members of a and b (sets of one type), a's first.
func SetUnion(a, b Value) Value {
	out := make([]string, 0, a.Len()+b.Len())
	out = append(out, a.Members()...)
	for _, m := range b.Members() {
		if !a.HasMember(m) {
			out = append(out, m)
		}
	}
	if len(out) > 16 {
		out = dedupe(out)
	}
	return setOwned(a.Type(), out)
}

// SetDifference returns the members of a that are not in b.
func SetDifference(a, b Value) Value {
	out := make([]string, 0, a.Len())
	for _, m := range a.Members() {
		if !b.HasMember(m) {
			out = append(out, m)
		}
	}
	return setOwned(a.Type(), out)
}

// Depth is how many levels of maps and lists v holds below itself: 0 for a
// scalar or an empty collection.
func (v Value) Depth() int {
	switch v.Type() {
	case M, L:
		d := 0
		for _, e := range v.a.vals {
			d = max(d, e.Depth()+1)
		}
		return d
	}
	return 0
}

// CheckDepth refuses an item whose values nest deeper than MaxDepth, with
// the error a request carrying it gets: an update must not store what no
// request could have sent.
func (it Item) CheckDepth() error {
	for _, v := range it {
		if v.Depth() > MaxDepth {
			return validation(msgNesting)
		}
	}
	return nil
}

package expr

import (
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Path is a document path: an attribute name followed by map keys and
// list indexes (a.b[2].c). Paths are immutable.
type Path struct {
	elems []pathElem
}

// pathElem is a map key (index < 0) or a list index.
type pathElem struct {
	name  string
	index int
}

// AttributePath returns the path of a top-level attribute.
func AttributePath(name string) Path { return Path{elems: []pathElem{{name: name, index: -1}}} }

// Len returns the number of elements.
func (p Path) Len() int { return len(p.elems) }

// Head returns the top-level attribute name.
func (p Path) Head() string {
	if len(p.elems) == 0 {
		return ""
	}
	return p.elems[0].name
}

// Elem returns element i: a name, or an index (isIndex true).
func (p Path) Elem(i int) (name string, index int, isIndex bool) {
	e := p.elems[i]
	return e.name, e.index, e.index >= 0
}

// String renders the path as written in an expression: a.b[2].c.
func (p Path) String() string {
	var b strings.Builder
	for i, e := range p.elems {
		if e.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.name)
	}
	return b.String()
}

// listString renders the path as DynamoDB's messages do: [a, b, [2]].
func (p Path) listString() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range p.elems {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		} else {
			b.WriteString(e.name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// equal reports whether two paths name the same element.
func (p Path) equal(q Path) bool {
	if len(p.elems) != len(q.elems) {
		return false
	}
	for i := range p.elems {
		if p.elems[i] != q.elems[i] {
			return false
		}
	}
	return true
}

// Lookup returns the value at the path in item.
func (p Path) Lookup(item attr.Item) (attr.Value, bool) {
	if len(p.elems) == 0 || item == nil {
		return attr.Value{}, false
	}
	v, ok := item[p.elems[0].name]
	if !ok {
		return attr.Value{}, false
	}
	for _, e := range p.elems[1:] {
		if e.index >= 0 {
			v, ok = v.Index(e.index)
		} else {
			v, ok = v.Get(e.name)
		}
		if !ok {
			return attr.Value{}, false
		}
	}
	return v, true
}

// pathRelation compares two paths for the overlap rules of update and
// projection expressions: overlap when one is a prefix of the other,
// conflict when they differ in the kind of an element at the same depth.
func pathRelation(a, b Path) (overlap, conflict bool) {
	n := min(len(a.elems), len(b.elems))
	for i := 0; i < n; i++ {
		x, y := a.elems[i], b.elems[i]
		if (x.index >= 0) != (y.index >= 0) {
			return false, true
		}
		if x != y {
			return false, false
		}
	}
	return true, false
}

package expr

import (
	"sort"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Projection is a parsed projection expression.
type Projection struct {
	paths []Path
	flat  bool // every path is a top-level attribute
}

// ParseProjection parses a projection expression.
func ParseProjection(src string, names Names, u *Usage) (*Projection, error) {
	const label = "ProjectionExpression"
	if err := checkSource(label, src); err != nil {
		return nil, err
	}
	p := newParser(src, langProjection)
	var raws [][]rawElem
	for {
		raw, ok := p.path()
		if !ok {
			return nil, p.syntaxError(label)
		}
		raws = append(raws, raw)
		if p.atEOF() {
			break
		}
		if !p.expect(",") {
			return nil, p.syntaxError(label)
		}
	}
	r := resolver{names: names}
	var undefined, overlap, conflict string
	proj := &Projection{paths: make([]Path, 0, len(raws)), flat: true}
	for _, raw := range raws {
		path, msg := r.resolvePath(raw)
		if msg != "" {
			setOnce(&undefined, msg)
			continue
		}
		for _, q := range proj.paths {
			o, c := pathRelation(q, path)
			if o {
				setOnce(&overlap, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "+q.listString()+", path two: "+path.listString())
			}
			if c {
				setOnce(&conflict, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "+q.listString()+", path two: "+path.listString())
			}
		}
		proj.paths = append(proj.paths, path)
		if path.Len() > 1 {
			proj.flat = false
		}
	}
	for _, m := range [...]string{r.reserved, undefined, overlap, conflict} {
		if m != "" {
			return nil, invalid(label, m)
		}
	}
	r.commit(u)
	return proj, nil
}

// Paths returns the projected paths.
func (p *Projection) Paths() []Path { return p.paths }

// Apply returns the projected copy of item.
func (p *Projection) Apply(item attr.Item) attr.Item {
	if p.flat {
		out := make(attr.Item, len(p.paths))
		for _, path := range p.paths {
			if v, ok := item[path.elems[0].name]; ok {
				out[path.elems[0].name] = v
			}
		}
		return out
	}
	return Project(item, p.paths)
}

// Project returns the parts of item named by paths, keeping their place in
// the document: a.b[2].c yields {a: {b: [{c: …}]}} (selected list elements
// keep their order and close up). Missing paths are skipped.
func Project(item attr.Item, paths []Path) attr.Item {
	out := make(attr.Item, len(paths))
	var tree map[string]*pnode
	for _, path := range paths {
		if path.Len() == 0 {
			continue
		}
		v, ok := path.Lookup(item)
		if !ok {
			continue
		}
		head := path.elems[0].name
		if path.Len() == 1 {
			out[head] = v
			continue
		}
		if tree == nil {
			tree = make(map[string]*pnode, 2)
		}
		n := tree[head]
		if n == nil {
			n = &pnode{}
			tree[head] = n
		}
		for i := 1; i < len(path.elems); i++ {
			n = n.child(path.elems[i])
		}
		n.leaf, n.v = true, v
	}
	for name, n := range tree {
		if _, whole := out[name]; !whole {
			out[name] = n.freeze()
		}
	}
	return out
}

// pnode is a document being assembled from projected paths.
type pnode struct {
	leaf   bool
	v      attr.Value
	fields map[string]*pnode
	elems  map[int]*pnode
}

func (n *pnode) child(e pathElem) *pnode {
	if e.index >= 0 {
		if n.elems == nil {
			n.elems = map[int]*pnode{}
		}
		c := n.elems[e.index]
		if c == nil {
			c = &pnode{}
			n.elems[e.index] = c
		}
		return c
	}
	if n.fields == nil {
		n.fields = map[string]*pnode{}
	}
	c := n.fields[e.name]
	if c == nil {
		c = &pnode{}
		n.fields[e.name] = c
	}
	return c
}

func (n *pnode) freeze() attr.Value {
	if n.leaf {
		return n.v
	}
	if n.elems != nil {
		idx := make([]int, 0, len(n.elems))
		for i := range n.elems {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]attr.Value, len(idx))
		for j, i := range idx {
			out[j] = n.elems[i].freeze()
		}
		return attr.List(out)
	}
	m := make(map[string]attr.Value, len(n.fields))
	for k, c := range n.fields {
		m[k] = c.freeze()
	}
	return attr.Map(m)
}

package expr

import (
	"sort"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

type actionKind uint8

const (
	aSet actionKind = iota
	aRemove
	aAdd
	aDelete
)

var sectionNames = [...]string{"SET", "REMOVE", "ADD", "DELETE"}

// setValue is the right-hand side of a SET action: an operand, or the sum
// or difference of two.
type setValue struct {
	a, b  *operand
	arith byte // 0, '+' or '-'
}

// action is one clause of an update expression.
type action struct {
	kind    actionKind
	raw     []rawElem
	path    Path
	set     *setValue // SET
	operand *operand  // ADD, DELETE
}

// Update is a parsed update expression. It is immutable and safe for
// concurrent use.
type Update struct {
	actions []action
	paths   []Path
}

// Runtime messages of UpdateItem, as DynamoDB words them.
const (
	msgInvalidPath   = "The document path provided in the update expression is invalid for update"
	msgMissingAttr   = "The provided expression refers to an attribute that does not exist in the item"
	msgIncorrectType = "An operand in the update expression has an incorrect data type"
)

// ParseUpdate parses an update expression.
func ParseUpdate(src string, names Names, values Values, u *Usage) (*Update, error) {
	const label = "UpdateExpression"
	if err := checkSource(label, src); err != nil {
		return nil, err
	}
	p := newParser(src, langUpdate)
	actions, sections, ok := p.update()
	if !ok {
		return nil, p.syntaxError(label)
	}
	ck := updateChecker{resolver: resolver{names: names, values: values}}
	for _, s := range sections {
		if ck.seen[s] {
			setOnce(&ck.section, "The \""+sectionNames[s]+"\" section can only be used once in an update expression;")
		}
		ck.seen[s] = true
	}
	up := &Update{actions: actions}
	for i := range up.actions {
		ck.action(&up.actions[i])
	}
	if msg := ck.result(); msg != "" {
		return nil, invalid(label, msg)
	}
	ck.commit(u)
	up.paths = make([]Path, len(up.actions))
	for i, a := range up.actions {
		up.paths[i] = a.path
	}
	return up, nil
}

// update parses: section { section } where a section is a keyword and a
// comma-separated list of its clauses.
func (p *parser) update() ([]action, []actionKind, bool) {
	var actions []action
	var sections []actionKind
	for {
		var kind actionKind
		switch {
		case p.keyword("SET"):
			kind = aSet
		case p.keyword("REMOVE"):
			kind = aRemove
		case p.keyword("ADD"):
			kind = aAdd
		case p.keyword("DELETE"):
			kind = aDelete
		default:
			p.fail()
			return nil, nil, false
		}
		p.pos++
		sections = append(sections, kind)
		for {
			a, ok := p.clause(kind)
			if !ok {
				return nil, nil, false
			}
			actions = append(actions, a)
			if !p.punct(",") {
				break
			}
			p.pos++
		}
		if p.atEOF() {
			return actions, sections, true
		}
	}
}

func (p *parser) clause(kind actionKind) (action, bool) {
	raw, ok := p.path()
	if !ok {
		return action{}, false
	}
	a := action{kind: kind, raw: raw}
	switch kind {
	case aSet:
		if !p.expect("=") {
			return action{}, false
		}
		save := p.pos
		sv, ok := p.setValue()
		if !ok && p.punct("(") {
			// SET a = (b + c): parentheses around the whole value.
			p.pos = save + 1
			sv, ok = p.setValue()
			ok = ok && p.expect(")")
		}
		if !ok {
			return action{}, false
		}
		a.set = sv
	case aAdd, aDelete:
		t := p.tok()
		if t.kind != tValue {
			return action{}, p.fail()
		}
		p.pos++
		a.operand = &operand{kind: oValue, name: p.text(t)}
	}
	return a, true
}

func (p *parser) setValue() (*setValue, bool) {
	save := p.pos
	x, ok := p.operand()
	if !ok {
		p.pos = save
		return nil, false
	}
	sv := &setValue{a: x}
	if p.punct("+") || p.punct("-") {
		sv.arith = p.text(p.tok())[0]
		p.pos++
		y, ok := p.operand()
		if !ok {
			p.pos = save
			return nil, false
		}
		sv.b = y
	}
	return sv, true
}

// updateChecker validates an update expression, reporting the first error
// of the highest-precedence kind as DynamoDB does.
type updateChecker struct {
	resolver
	seen                                      [4]bool
	unknownFn, section, undefName, undefValue string
	overlap, conflict, operandType, function  string
	paths                                     []Path
}

func (ck *updateChecker) result() string {
	for _, m := range [...]string{ck.reserved, ck.unknownFn, ck.section, ck.undefName, ck.undefValue,
		ck.overlap, ck.conflict, ck.operandType, ck.function} {
		if m != "" {
			return m
		}
	}
	return ""
}

func (ck *updateChecker) resolve(raw []rawElem) Path {
	p, msg := ck.resolvePath(raw)
	if msg != "" {
		setOnce(&ck.undefName, msg)
	}
	return p
}

func (ck *updateChecker) action(a *action) {
	a.path = ck.resolve(a.raw)
	if a.kind == aSet {
		ck.operand(a.set.a)
		if a.set.b != nil {
			ck.operand(a.set.b)
			ck.typed(string(a.set.arith), []*operand{a.set.a, a.set.b}, attr.N)
		}
	}
	if a.kind == aAdd || a.kind == aDelete {
		ck.operand(a.operand)
		if t, known := staticType(a.operand); known {
			ok := t == attr.SS || t == attr.NS || t == attr.BS || (a.kind == aAdd && t == attr.N)
			if !ok {
				setOnce(&ck.operandType, "Incorrect operand type for operator or function; operator: "+sectionNames[a.kind]+", operand type: "+longTypeName(t)+", typeSet: ALLOWED_FOR_"+sectionNames[a.kind]+"_OPERAND")
			}
		}
	}
	if ck.undefName != "" {
		return
	}
	for _, q := range ck.paths {
		overlap, conflict := pathRelation(q, a.path)
		if conflict {
			setOnce(&ck.conflict, "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "+q.listString()+", path two: "+a.path.listString())
		}
		if overlap {
			setOnce(&ck.overlap, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "+q.listString()+", path two: "+a.path.listString())
		}
	}
	ck.paths = append(ck.paths, a.path)
}

// longTypeName is how ADD/DELETE operand errors name types.
func longTypeName(t attr.Type) string {
	switch t {
	case attr.S:
		return "STRING"
	case attr.N:
		return "NUMBER"
	case attr.B:
		return "BINARY"
	case attr.NULL:
		return "NULL"
	case attr.BOOL:
		return "BOOLEAN"
	case attr.L:
		return "LIST"
	case attr.M:
		return "MAP"
	}
	return t.String()
}

func (ck *updateChecker) operand(o *operand) {
	switch o.kind {
	case oPath:
		o.path = ck.resolve(o.raw)
	case oValue:
		v, msg := ck.resolveValue(o.name)
		if msg != "" {
			setOnce(&ck.undefValue, msg)
		}
		o.value = v
	case oCall:
		for _, a := range o.args {
			ck.operand(a)
		}
		f, ok := updateFunctions[o.fn]
		if !ok {
			setOnce(&ck.unknownFn, "Invalid function name; function: "+o.fn)
			return
		}
		o.fnID = f.id
		if len(o.args) != f.arity {
			setOnce(&ck.function, "Incorrect number of operands for operator or function; operator or function: "+o.fn+", number of operands: "+strconv.Itoa(len(o.args)))
			return
		}
		switch f.id {
		case fIfNotExists:
			if o.args[0].kind != oPath {
				setOnce(&ck.function, "Operator or function requires a document path; operator or function: "+o.fn)
			} else if o.args[1].kind == oPath && o.args[1].path.equal(o.args[0].path) {
				setOnce(&ck.function, "The first operand must be distinct from the remaining operands for this operator or function; operator: "+o.fn+", first operand: "+o.args[0].path.listString())
			}
		case fListAppend:
			ck.typed(o.fn, o.args, attr.L)
		}
	}
}

// typed checks constant operands of a function or operator against the
// one type it accepts.
func (ck *updateChecker) typed(name string, args []*operand, want attr.Type) {
	for _, a := range args {
		if a.kind != oValue || a.value.IsZero() {
			continue
		}
		if t := a.value.Type(); t != want {
			setOnce(&ck.function, "Incorrect operand type for operator or function; operator or function: "+name+", operand type: "+t.String())
			return
		}
	}
}

// Paths returns the document paths the update touches, in clause order
// (for ReturnValues UPDATED_OLD / UPDATED_NEW).
func (up *Update) Paths() []Path { return up.paths }

// Apply returns a new item with the update applied; item is not modified
// (values are immutable and shared). A missing item is nil: pass the key
// attributes as the item to start a new one, as UpdateItem does.
func (up *Update) Apply(item attr.Item) (attr.Item, error) {
	// Every SET value is computed from the item as it was, as DynamoDB does.
	var stack [8]attr.Value
	vals := stack[:0]
	for i := range up.actions {
		a := &up.actions[i]
		if a.kind != aSet {
			continue
		}
		v, err := a.set.eval(item)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	w := newWorkItem(item)
	next := 0
	for i := range up.actions {
		a := &up.actions[i]
		var err error
		switch a.kind {
		case aSet:
			err = w.set(a.path, vals[next])
			next++
		case aRemove:
			err = w.remove(a.path)
		case aAdd:
			err = w.add(a.path, a.operand.value)
		case aDelete:
			err = w.delete(a.path, a.operand.value)
		}
		if err != nil {
			return nil, err
		}
	}
	return w.freeze(), nil
}

func (sv *setValue) eval(item attr.Item) (attr.Value, error) {
	x, err := updateOperand(sv.a, item)
	if err != nil || sv.arith == 0 {
		return x, err
	}
	y, err := updateOperand(sv.b, item)
	if err != nil {
		return attr.Value{}, err
	}
	if x.Type() != attr.N || y.Type() != attr.N {
		return attr.Value{}, awsproto.ErrValidation.New(msgIncorrectType)
	}
	return attr.AddNumbers(x, y, sv.arith == '-')
}

// updateOperand evaluates an operand of a SET value.
func updateOperand(o *operand, item attr.Item) (attr.Value, error) {
	switch o.kind {
	case oValue:
		return o.value, nil
	case oPath:
		v, ok := o.path.Lookup(item)
		if !ok {
			return attr.Value{}, awsproto.ErrValidation.New(msgMissingAttr)
		}
		return v, nil
	}
	switch o.fnID {
	case fIfNotExists:
		if v, ok := o.args[0].path.Lookup(item); ok {
			return v, nil
		}
		return updateOperand(o.args[1], item)
	case fListAppend:
		x, err := updateOperand(o.args[0], item)
		if err != nil {
			return attr.Value{}, err
		}
		y, err := updateOperand(o.args[1], item)
		if err != nil {
			return attr.Value{}, err
		}
		if x.Type() != attr.L || y.Type() != attr.L {
			return attr.Value{}, awsproto.ErrValidation.New(msgIncorrectType)
		}
		joined := make([]attr.Value, 0, x.Len()+y.Len())
		joined = append(joined, x.L()...)
		return attr.List(append(joined, y.L()...)), nil
	}
	return attr.Value{}, awsproto.ErrValidation.New(msgIncorrectType)
}

// ---- the item being updated ----

// workItem is a copy-on-write view of an item under update: only the
// documents on updated paths are unpacked into mutable nodes.
type workItem struct {
	top   attr.Item
	nodes map[string]*node // top-level documents being modified inside
}

// node is an unpacked M or L. List slots keep their original positions
// (nil = removed) so every index in one update refers to the list as it
// was; elements set past the end are appended in index order.
type node struct {
	isList bool
	fields map[string]*slot
	elems  []*slot
	extra  []extraElem
}

type slot struct {
	v attr.Value
	n *node // set when unpacked
}

type extraElem struct {
	index int
	s     *slot
}

func newWorkItem(item attr.Item) *workItem {
	top := make(attr.Item, len(item)+2)
	for k, v := range item {
		top[k] = v
	}
	return &workItem{top: top}
}

func unpack(v attr.Value) *node {
	switch v.Type() {
	case attr.M:
		n := &node{fields: make(map[string]*slot, v.Len())}
		v.Fields(func(k string, e attr.Value) bool {
			n.fields[k] = &slot{v: e}
			return true
		})
		return n
	case attr.L:
		l := v.L()
		n := &node{isList: true, elems: make([]*slot, len(l))}
		for i, e := range l {
			n.elems[i] = &slot{v: e}
		}
		return n
	}
	return nil
}

// parent returns the unpacked container holding the last element of p,
// or an invalid-path error when some ancestor is missing or of the wrong
// kind.
func (w *workItem) parent(p Path) (*node, error) {
	head := p.elems[0].name
	n := w.nodes[head]
	if n == nil {
		v, ok := w.top[head]
		if !ok {
			return nil, awsproto.ErrValidation.New(msgInvalidPath)
		}
		n = unpack(v)
		if n == nil {
			return nil, awsproto.ErrValidation.New(msgInvalidPath)
		}
		if w.nodes == nil {
			w.nodes = make(map[string]*node, 2)
		}
		w.nodes[head] = n
	}
	for i := 1; i < len(p.elems); i++ {
		e := p.elems[i]
		if (e.index >= 0) != n.isList {
			return nil, awsproto.ErrValidation.New(msgInvalidPath)
		}
		if i == len(p.elems)-1 {
			return n, nil
		}
		s := n.child(e)
		if s == nil {
			return nil, awsproto.ErrValidation.New(msgInvalidPath)
		}
		if s.n == nil {
			s.n = unpack(s.v)
			if s.n == nil {
				return nil, awsproto.ErrValidation.New(msgInvalidPath)
			}
		}
		n = s.n
	}
	return n, nil
}

// child returns the slot for element e, nil when absent.
func (n *node) child(e pathElem) *slot {
	if n.isList {
		if e.index < len(n.elems) {
			return n.elems[e.index]
		}
		for _, x := range n.extra {
			if x.index == e.index {
				return x.s
			}
		}
		return nil
	}
	return n.fields[e.name]
}

// get returns the current value at p.
func (w *workItem) get(p Path) (attr.Value, bool, error) {
	if len(p.elems) == 1 {
		v, ok := w.top[p.elems[0].name]
		return v, ok, nil
	}
	n, err := w.parent(p)
	if err != nil {
		return attr.Value{}, false, err
	}
	s := n.child(p.elems[len(p.elems)-1])
	if s == nil {
		return attr.Value{}, false, nil
	}
	return s.v, true, nil
}

func (w *workItem) set(p Path, v attr.Value) error {
	if len(p.elems) == 1 {
		name := p.elems[0].name
		w.top[name] = v
		delete(w.nodes, name)
		return nil
	}
	n, err := w.parent(p)
	if err != nil {
		return err
	}
	e := p.elems[len(p.elems)-1]
	if !n.isList {
		n.fields[e.name] = &slot{v: v}
		return nil
	}
	if e.index < len(n.elems) {
		n.elems[e.index] = &slot{v: v}
		return nil
	}
	for _, x := range n.extra {
		if x.index == e.index {
			x.s.v, x.s.n = v, nil
			return nil
		}
	}
	n.extra = append(n.extra, extraElem{index: e.index, s: &slot{v: v}})
	return nil
}

func (w *workItem) remove(p Path) error {
	if len(p.elems) == 1 {
		delete(w.top, p.elems[0].name)
		delete(w.nodes, p.elems[0].name)
		return nil
	}
	n, err := w.parent(p)
	if err != nil {
		return err
	}
	e := p.elems[len(p.elems)-1]
	if !n.isList {
		delete(n.fields, e.name)
	} else if e.index < len(n.elems) {
		n.elems[e.index] = nil // past the end: nothing to remove
	}
	return nil
}

// add is ADD: numeric addition or set union; a missing attribute starts
// from zero or the empty set.
func (w *workItem) add(p Path, operand attr.Value) error {
	cur, ok, err := w.get(p)
	if err != nil {
		return err
	}
	if !ok {
		return w.set(p, operand)
	}
	if cur.Type() != operand.Type() {
		return awsproto.ErrValidation.New(msgIncorrectType)
	}
	if operand.Type() == attr.N {
		sum, err := attr.AddNumbers(cur, operand, false)
		if err != nil {
			return err
		}
		return w.set(p, sum)
	}
	return w.set(p, attr.SetUnion(cur, operand))
}

// delete is DELETE: set difference; an emptied set is removed, a missing
// attribute is left alone.
func (w *workItem) delete(p Path, operand attr.Value) error {
	cur, ok, err := w.get(p)
	if err != nil || !ok {
		return err
	}
	if cur.Type() != operand.Type() {
		return awsproto.ErrValidation.New(msgIncorrectType)
	}
	rest := attr.SetDifference(cur, operand)
	if rest.Len() == 0 {
		return w.remove(p)
	}
	return w.set(p, rest)
}

// freeze builds the updated item.
func (w *workItem) freeze() attr.Item {
	for name, n := range w.nodes {
		w.top[name] = n.freeze()
	}
	return w.top
}

func (s *slot) value() attr.Value {
	if s.n != nil {
		return s.n.freeze()
	}
	return s.v
}

func (n *node) freeze() attr.Value {
	if !n.isList {
		m := make(map[string]attr.Value, len(n.fields))
		for k, s := range n.fields {
			m[k] = s.value()
		}
		return attr.Map(m)
	}
	out := make([]attr.Value, 0, len(n.elems)+len(n.extra))
	for _, s := range n.elems {
		if s != nil {
			out = append(out, s.value())
		}
	}
	sort.SliceStable(n.extra, func(i, j int) bool { return n.extra[i].index < n.extra[j].index })
	for _, x := range n.extra {
		out = append(out, x.s.value())
	}
	return attr.List(out)
}

// String renders the update's clauses in canonical form (for debugging).
func (up *Update) String() string {
	var b strings.Builder
	for i, a := range up.actions {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(sectionNames[a.kind])
		b.WriteString(" ")
		b.WriteString(a.path.String())
	}
	return b.String()
}

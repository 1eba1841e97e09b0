package expr

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Names are ExpressionAttributeNames ("#n" → "name").
type Names map[string]string

// Values are ExpressionAttributeValues (":v" → value).
type Values map[string]attr.Value

// Usage records which names and values a request's expressions referenced,
// so unused ones can be rejected as DynamoDB does.
type Usage struct {
	names  map[string]struct{}
	values map[string]struct{}
}

// NewUsage returns an empty usage record.
func NewUsage() *Usage {
	return &Usage{names: map[string]struct{}{}, values: map[string]struct{}{}}
}

// Check rejects names or values no expression used.
func (u *Usage) Check(names Names, values Values) error { return nil }

// Path is a document path: attribute names and list indexes.
type Path struct {
	elems []pathElem
}

type pathElem struct {
	name  string
	index int // -1 for a name
}

// String renders the path as DynamoDB messages do: a.b[2].c.
func (p Path) String() string { return "" }

// Condition is a parsed condition, filter or key condition expression.
type Condition struct{}

// ParseCondition parses a condition (or filter) expression; label names the
// parameter in messages ("ConditionExpression", "FilterExpression", …).
func ParseCondition(label, src string, names Names, values Values, u *Usage) (*Condition, error) {
	return nil, awsproto.ErrValidation.New("not implemented")
}

// Eval evaluates the condition against an item (nil for a missing item).
func (c *Condition) Eval(item attr.Item) (bool, error) { return false, nil }

// Update is a parsed update expression.
type Update struct{}

// ParseUpdate parses an update expression.
func ParseUpdate(src string, names Names, values Values, u *Usage) (*Update, error) {
	return nil, awsproto.ErrValidation.New("not implemented")
}

// Apply returns a new item with the update applied; item is not modified.
func (up *Update) Apply(item attr.Item) (attr.Item, error) { return item.Clone(), nil }

// Paths returns the document paths the update touches.
func (up *Update) Paths() []Path { return nil }

// Projection is a parsed projection expression.
type Projection struct{ paths []Path }

// ParseProjection parses a projection expression.
func ParseProjection(src string, names Names, u *Usage) (*Projection, error) {
	return nil, awsproto.ErrValidation.New("not implemented")
}

// Apply returns the projected copy of item.
func (p *Projection) Apply(item attr.Item) attr.Item { return Project(item, p.paths) }

// Project returns the parts of item named by paths.
func Project(item attr.Item, paths []Path) attr.Item { return attr.Item{} }

// KeyCondition is a parsed key condition expression.
type KeyCondition struct {
	HashName    string
	HashValue   attr.Value
	RangeName   string       // "" when absent
	RangeOp     string       // "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
	RangeValues []attr.Value // 1, or 2 for BETWEEN
}

// ParseKeyCondition parses a key condition expression.
func ParseKeyCondition(src string, names Names, values Values, u *Usage) (*KeyCondition, error) {
	return nil, awsproto.ErrValidation.New("not implemented")
}

// Bind matches the condition to the table's key schema.
func (k *KeyCondition) Bind(hashKey, rangeKey string) error { return nil }

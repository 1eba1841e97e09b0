package expr

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// KeyCondition is a parsed key condition expression: an equality on the
// partition key and at most one condition on the sort key. Until Bind is
// called, Hash* hold the first condition written and Range* the second.
type KeyCondition struct {
	HashName    string
	HashValue   attr.Value
	RangeName   string       // "" when absent
	RangeOp     string       // "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"
	RangeValues []attr.Value // 1, or 2 for BETWEEN

	hashOp     string       // operator of the first condition
	hashValues []attr.Value // its values
	count      int          // conditions written
	terms      []keyTerm    // every condition, as written
}

// KeyPart is the condition on one attribute of a multi-attribute key.
type KeyPart struct {
	Name   string
	Op     string       // as RangeOp
	Values []attr.Value // 1, or 2 for BETWEEN
}

// maxKeyTerms is the most conditions a key condition can hold: a global
// index's key has up to four partition and four sort attributes.
const maxKeyTerms = 8

// keyTerm is one condition of a key condition expression.
type keyTerm struct {
	name   string
	op     string
	values []attr.Value
}

// ParseKeyCondition parses a key condition expression. It accepts exactly
// the shapes DynamoDB does (one or two conditions joined by AND, each on a
// top-level attribute against values); Bind checks them against the schema.
func ParseKeyCondition(src string, names Names, values Values, u *Usage) (*KeyCondition, error) {
	const label = "KeyConditionExpression"
	root, r, err := parseCondition(label, src, names, values)
	if err != nil {
		return nil, err
	}
	var terms []keyTerm
	if msg := keyTerms(root, &terms); msg != "" {
		return nil, awsproto.ErrValidation.New(msg)
	}
	r.commit(u)
	k := &KeyCondition{count: len(terms), terms: terms}
	k.HashName, k.hashOp, k.hashValues = terms[0].name, terms[0].op, terms[0].values
	if terms[0].op == "=" {
		k.HashValue = terms[0].values[0]
	}
	if len(terms) > 1 {
		k.RangeName, k.RangeOp, k.RangeValues = terms[1].name, terms[1].op, terms[1].values
	}
	return k, nil
}

// keyTerms flattens the ANDed conditions, rejecting every other shape with
// DynamoDB's message.
func keyTerms(c *cond, terms *[]keyTerm) string {
	switch c.kind {
	case cOr:
		return "Invalid operator used in KeyConditionExpression: OR"
	case cNot:
		return "Invalid operator used in KeyConditionExpression: NOT"
	case cIn:
		return "Invalid operator used in KeyConditionExpression: IN"
	case cAnd:
		for _, k := range c.kids {
			if msg := keyTerms(k, terms); msg != "" {
				return msg
			}
		}
		return ""
	case cCompare:
		if c.op == opNE {
			return "Invalid operator used in KeyConditionExpression: <>"
		}
	case cCall:
		switch c.fnID {
		case fAttributeExists, fAttributeNotExists, fAttributeType, fContains:
			return "Invalid operator used in KeyConditionExpression: " + c.fn
		case fSize:
			return "KeyConditionExpressions cannot contain nested operations"
		}
	}
	opName := "BETWEEN"
	if c.kind == cCall {
		opName = c.fn
	}
	if (c.kind == cBetween || c.kind == cCall) && c.args[0].kind != oPath {
		return "Invalid condition in KeyConditionExpression: " + opName + " operator must have the key attribute as its first operand"
	}
	term := keyTerm{}
	pathAt := -1
	for i, a := range c.args {
		switch a.kind {
		case oCall:
			return "KeyConditionExpressions cannot contain nested operations"
		case oPath:
			if pathAt >= 0 {
				return "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
			}
			if a.path.Len() > 1 {
				return "KeyConditionExpressions cannot have conditions on nested attributes"
			}
			pathAt = i
			term.name = a.path.Head()
		case oValue:
			term.values = append(term.values, a.value)
		}
	}
	if pathAt < 0 {
		return "Invalid condition in KeyConditionExpression: No key attribute specified"
	}
	for _, t := range *terms {
		if t.name == term.name {
			return msgOneConditionPerKey
		}
	}
	if len(*terms) >= maxKeyTerms {
		return msgOneConditionPerKey
	}
	switch c.kind {
	case cCompare:
		op := c.op
		if pathAt == 1 { // :v < k means k > :v
			op = [...]cmpOp{opEQ, opNE, opGT, opGE, opLT, opLE}[op]
		}
		term.op = cmpText[op]
	case cBetween:
		term.op = "BETWEEN"
	case cCall:
		term.op = "begins_with"
	}
	*terms = append(*terms, term)
	return ""
}

// Bind matches the condition to the table's (or index's) key schema:
// the partition-key condition becomes Hash*, the other Range*. rangeKey is
// "" for a table without a sort key.
func (k *KeyCondition) Bind(hashKey, rangeKey string) error {
	notSupported := awsproto.ErrValidation.New("Query key condition not supported")
	keys := 1
	if rangeKey != "" {
		keys = 2
	}
	if k.count > 2 {
		return awsproto.ErrValidation.New(msgOneConditionPerKey)
	}
	if k.count > keys {
		return notSupported
	}
	if k.HashName != hashKey && k.RangeName == hashKey && k.RangeName != "" {
		// Written sort-key first: swap.
		k.HashName, k.RangeName = k.RangeName, k.HashName
		k.hashOp, k.RangeOp = k.RangeOp, k.hashOp
		k.hashValues, k.RangeValues = k.RangeValues, k.hashValues
		k.HashValue = attr.Value{}
		if k.hashOp == "=" {
			k.HashValue = k.hashValues[0]
		}
	}
	if k.HashName != hashKey {
		return awsproto.ErrValidation.New("Query condition missed key schema element: " + hashKey)
	}
	if k.RangeName != "" && k.RangeName != rangeKey {
		return awsproto.ErrValidation.New("Query condition missed key schema element: " + rangeKey)
	}
	if k.hashOp != "=" {
		return notSupported
	}
	return nil
}

const msgOneConditionPerKey = "KeyConditionExpressions must only contain one condition per key"

// BindMulti matches the condition to a multi-attribute index key: an
// equality on every partition attribute, and conditions on the sort
// attributes from the first, with no gap, every one but the last an
// equality. It returns the conditions in schema order: every partition
// attribute, then the conditioned sort attributes. AWS's wording of these refusals is not known;
// they reuse the words of its refusals for one-attribute keys.
func (k *KeyCondition) BindMulti(hashes, ranges []string) ([]KeyPart, error) {
	notSupported := awsproto.ErrValidation.New("Query key condition not supported")
	byName := make(map[string]keyTerm, len(k.terms))
	for _, t := range k.terms {
		byName[t.name] = t
	}
	parts := make([]KeyPart, 0, len(k.terms))
	for _, h := range hashes {
		t, ok := byName[h]
		if !ok {
			return nil, awsproto.ErrValidation.New("Query condition missed key schema element: " + h)
		}
		if t.op != "=" {
			return nil, notSupported
		}
		parts = append(parts, KeyPart{Name: h, Op: t.op, Values: t.values})
	}
	gap := ""
	for _, r := range ranges {
		t, ok := byName[r]
		if !ok {
			if gap == "" {
				gap = r
			}
			continue
		}
		if gap != "" {
			return nil, awsproto.ErrValidation.New("Query condition missed key schema element: " + gap)
		}
		if len(parts) > len(hashes) && parts[len(parts)-1].Op != "=" {
			return nil, notSupported // a range condition before the last sort condition
		}
		parts = append(parts, KeyPart{Name: r, Op: t.op, Values: t.values})
	}
	if len(parts) != len(k.terms) {
		return nil, notSupported // a condition on an attribute outside the key
	}
	k.HashName, k.HashValue = parts[0].Name, parts[0].Values[0]
	return parts, nil
}

// String renders the bound condition (for debugging).
func (k *KeyCondition) String() string {
	var b strings.Builder
	b.WriteString(k.HashName + " = " + k.HashValue.Raw())
	if k.RangeName != "" {
		b.WriteString(" AND " + k.RangeName + " " + k.RangeOp)
		for _, v := range k.RangeValues {
			b.WriteString(" " + v.Raw())
		}
	}
	return b.String()
}

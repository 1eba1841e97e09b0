package dynamodb

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/expr"
)

// The legacy (pre-expression) parameters — Expected, KeyConditions,
// QueryFilter, ScanFilter, AttributesToGet, AttributeUpdates — are
// translated into expressions with generated placeholders, so one
// evaluator serves both.

// legacyCond is one entry of Expected, KeyConditions, QueryFilter or
// ScanFilter.
type legacyCond struct {
	ComparisonOperator string `enum:"IN,NULL,BETWEEN,LT,NOT_CONTAINS,EQ,GT,NOT_NULL,NE,LE,BEGINS_WITH,GE,CONTAINS"`
	AttributeValueList []json.RawMessage
	Value              json.RawMessage // Expected only
	Exists             *bool           // Expected only
}

// legacyExpr accumulates an expression's generated names and values.
type legacyExpr struct {
	names  expr.Names
	values expr.Values
}

func newLegacyExpr() *legacyExpr { return &legacyExpr{names: expr.Names{}, values: expr.Values{}} }

func (l *legacyExpr) name(n string) string {
	p := "#l" + strconv.Itoa(len(l.names))
	l.names[p] = n
	return p
}

func (l *legacyExpr) value(v attr.Value) string {
	p := ":l" + strconv.Itoa(len(l.values))
	l.values[p] = v
	return p
}

// operandCount is how many values each comparison operator takes (-1: one
// or more).
var operandCount = map[string]int{
	"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1,
	"NOT_NULL": 0, "NULL": 0, "CONTAINS": 1, "NOT_CONTAINS": 1,
	"BEGINS_WITH": 1, "IN": -1, "BETWEEN": 2,
}

// clause renders one legacy comparison as an expression clause.
func (l *legacyExpr) clause(attrName, member string, c legacyCond) (string, error) {
	op := c.ComparisonOperator
	want, ok := operandCount[op]
	if !ok { // only "" gets here: the model's enum is checked first
		return "", notNull(member + ".comparisonOperator")
	}
	if (want >= 0 && len(c.AttributeValueList) != want) || (want < 0 && len(c.AttributeValueList) == 0) {
		return "", validationf("One or more parameter values were invalid: Invalid number of argument(s) for the %s ComparisonOperator", op)
	}
	vals := make([]string, len(c.AttributeValueList))
	for i, raw := range c.AttributeValueList {
		v, err := attr.DecodeValue(raw)
		if err != nil {
			return "", err
		}
		vals[i] = l.value(v)
	}
	n := l.name(attrName)
	switch op {
	case "EQ":
		return n + " = " + vals[0], nil
	case "NE":
		return n + " <> " + vals[0], nil
	case "LE":
		return n + " <= " + vals[0], nil
	case "LT":
		return n + " < " + vals[0], nil
	case "GE":
		return n + " >= " + vals[0], nil
	case "GT":
		return n + " > " + vals[0], nil
	case "NOT_NULL":
		return "attribute_exists(" + n + ")", nil
	case "NULL":
		return "attribute_not_exists(" + n + ")", nil
	case "CONTAINS":
		return "contains(" + n + ", " + vals[0] + ")", nil
	case "NOT_CONTAINS":
		return "NOT contains(" + n + ", " + vals[0] + ")", nil
	case "BEGINS_WITH":
		return "begins_with(" + n + ", " + vals[0] + ")", nil
	case "IN":
		return n + " IN (" + strings.Join(vals, ", ") + ")", nil
	default: // BETWEEN
		return n + " BETWEEN " + vals[0] + " AND " + vals[1], nil
	}
}

// expectedClause renders one Expected entry (Value/Exists or a comparison).
func (l *legacyExpr) expectedClause(attrName string, c legacyCond) (string, error) {
	hasValue := len(c.Value) > 0 && string(c.Value) != "null"
	if c.ComparisonOperator != "" {
		if hasValue {
			return "", validationf("One or more parameter values were invalid: Value and ComparisonOperator cannot be used together for Attribute: %s", attrName)
		}
		return l.clause(attrName, "expected."+attrName, c)
	}
	exists := c.Exists == nil || *c.Exists
	switch {
	case exists && !hasValue:
		return "", validationf("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: %s", attrName)
	case !exists && hasValue:
		return "", validationf("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: %s", attrName)
	case !exists:
		return "attribute_not_exists(" + l.name(attrName) + ")", nil
	}
	v, err := attr.DecodeValue(c.Value)
	if err != nil {
		return "", err
	}
	return l.name(attrName) + " = " + l.value(v), nil
}

// legacyCondition translates Expected (expected=true), QueryFilter or
// ScanFilter into a parsed condition.
func legacyCondition(label string, conds map[string]legacyCond, conditionalOp string, expected bool) (*expr.Condition, error) {
	join := " AND "
	if conditionalOp == "OR" { // the model's enum: AND or OR
		join = " OR "
	}
	l := newLegacyExpr()
	names := sortedKeys(conds)
	clauses := make([]string, 0, len(names))
	for _, n := range names {
		var cl string
		var err error
		if expected {
			cl, err = l.expectedClause(n, conds[n])
		} else {
			cl, err = l.clause(n, strings.ToLower(label[:1])+label[1:]+"."+n, conds[n])
		}
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, "("+cl+")")
	}
	if len(clauses) == 0 {
		return nil, nil
	}
	return expr.ParseCondition(label, strings.Join(clauses, join), l.names, l.values, expr.NewUsage())
}

// legacyKeyCondition translates KeyConditions into a key condition.
func legacyKeyCondition(conds map[string]legacyCond) (*expr.KeyCondition, error) {
	l := newLegacyExpr()
	names := sortedKeys(conds)
	clauses := make([]string, 0, len(names))
	for _, n := range names {
		c := conds[n]
		switch c.ComparisonOperator {
		case "EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN":
		default:
			return nil, validationf("One or more parameter values were invalid: Unsupported operator on KeyCondition: %s", c.ComparisonOperator)
		}
		cl, err := l.clause(n, "keyConditions."+n, c)
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, cl)
	}
	if len(clauses) == 0 {
		return nil, validationf("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	return expr.ParseKeyCondition(strings.Join(clauses, " AND "), l.names, l.values, expr.NewUsage())
}

// legacyProjection translates AttributesToGet into a projection.
func legacyProjection(names []string) (*expr.Projection, error) {
	if len(names) == 0 {
		return nil, constraint("[]", "attributesToGet", awsproto.MinLength(1))
	}
	seen := map[string]bool{}
	l := newLegacyExpr()
	parts := make([]string, 0, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, validationf("One or more parameter values were invalid: Duplicate value in attribute name: %s", n)
		}
		seen[n] = true
		parts = append(parts, l.name(n))
	}
	return expr.ParseProjection(strings.Join(parts, ", "), l.names, expr.NewUsage())
}

// attributeUpdate is one entry of the legacy AttributeUpdates.
type attributeUpdate struct {
	Value  json.RawMessage
	Action string
}

// legacyUpdate translates AttributeUpdates into an update expression.
func legacyUpdate(ups map[string]attributeUpdate) (*expr.Update, error) {
	l := newLegacyExpr()
	names := sortedKeys(ups)
	var set, remove, add, del []string
	for _, n := range names {
		u := ups[n]
		hasValue := len(u.Value) > 0 && string(u.Value) != "null"
		var v attr.Value
		if hasValue {
			var err error
			if v, err = attr.DecodeValue(u.Value); err != nil {
				return nil, err
			}
		}
		switch u.Action {
		case "", "PUT":
			if !hasValue {
				return nil, validationf("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			set = append(set, l.name(n)+" = "+l.value(v))
		case "DELETE":
			if hasValue {
				del = append(del, l.name(n)+" "+l.value(v))
			} else {
				remove = append(remove, l.name(n))
			}
		case "ADD":
			if !hasValue {
				return nil, validationf("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
			}
			add = append(add, l.name(n)+" "+l.value(v))
		default:
			return nil, constraint(u.Action, "attributeUpdates."+n+".member.action", awsproto.EnumSet("ADD", "PUT", "DELETE"))
		}
	}
	var b strings.Builder
	for _, c := range []struct {
		kw    string
		parts []string
	}{{"SET", set}, {"REMOVE", remove}, {"ADD", add}, {"DELETE", del}} {
		if len(c.parts) > 0 {
			fmt.Fprintf(&b, "%s %s ", c.kw, strings.Join(c.parts, ", "))
		}
	}
	if b.Len() == 0 {
		return nil, nil
	}
	return expr.ParseUpdate(b.String(), l.names, l.values, expr.NewUsage())
}

// mixedParams is AWS's message for a request mixing legacy and expression
// parameters.
func mixedParams(legacy, expression []string) error {
	return validationf("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
		strings.Join(legacy, ", "), strings.Join(expression, ", "))
}

// param is a request member, for the mixed-parameters check.
type param struct {
	name string
	set  bool
}

// checkMixed rejects a request that sets both legacy and expression
// parameters, listing each kind as AWS does.
func checkMixed(legacy, expression []param) error {
	var l, e []string
	for _, p := range legacy {
		if p.set {
			l = append(l, p.name)
		}
	}
	for _, p := range expression {
		if p.set {
			e = append(e, p.name)
		}
	}
	if len(l) > 0 && len(e) > 0 {
		return mixedParams(l, e)
	}
	return nil
}

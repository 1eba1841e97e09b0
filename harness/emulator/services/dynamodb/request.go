package dynamodb

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/expr"
)

// notNull is AWS's message for a missing required member the model's
// constraints cannot state (raw members, members of raw lists).
func notNull(member string) error { return awsproto.NotNull(errValidation, member) }

// constraint is AWS's message for a member whose value breaks rule.
func constraint(value, member, rule string) error {
	return awsproto.Constraint(errValidation, value, member, rule)
}

// exprCtx is a request's ExpressionAttributeNames/Values and the record of
// which ones its expressions used.
type exprCtx struct {
	names  expr.Names
	values expr.Values
	usage  *expr.Usage
	used   bool // some expression parameter was given
}

// newExprCtx validates the placeholders a request carries.
func newExprCtx(names map[string]string, values json.RawMessage) (*exprCtx, error) {
	x := &exprCtx{names: expr.Names(names)}
	if names != nil {
		if err := expr.CheckNames(x.names); err != nil {
			return nil, err
		}
	}
	if len(values) > 0 && string(values) != "null" {
		v, err := expr.DecodeValues(values)
		if err != nil {
			return nil, err
		}
		x.values = v
	}
	return x, nil
}

// finish rejects placeholders given without expressions, then unused ones.
func (x *exprCtx) finish() error {
	if !x.used {
		if x.names != nil {
			return validationf("ExpressionAttributeNames can only be specified when using expressions")
		}
		if x.values != nil {
			return validationf("ExpressionAttributeValues can only be specified when using expressions")
		}
		return nil
	}
	return x.use().Check(x.names, x.values)
}

// use returns the usage record, made on first use (most requests carry no
// expression at all).
func (x *exprCtx) use() *expr.Usage {
	if x.usage == nil {
		x.usage = expr.NewUsage()
	}
	return x.usage
}

// condition parses an optional condition or filter expression.
func (x *exprCtx) condition(label string, src *string) (*expr.Condition, error) {
	if src == nil {
		return nil, nil
	}
	x.used = true
	if *src == "" {
		return nil, validationf("Invalid %s: The expression can not be empty;", label)
	}
	return expr.ParseCondition(label, *src, x.names, x.values, x.use())
}

// projection parses an optional projection expression.
func (x *exprCtx) projection(src *string) (*expr.Projection, error) {
	if src == nil {
		return nil, nil
	}
	x.used = true
	if *src == "" {
		return nil, validationf("Invalid ProjectionExpression: The expression can not be empty;")
	}
	return expr.ParseProjection(*src, x.names, x.use())
}

// keyFrom decodes a Key member (member names it in messages) and
// validates it against the table's key schema.
func (t *table) keyFrom(raw json.RawMessage, member string) (itemKey, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return itemKey{}, notNull(member)
	}
	it, err := attr.DecodeItem(raw)
	if err != nil {
		return itemKey{}, err
	}
	return t.keyOf(it)
}

// keyOf validates a Key parameter against the table's key schema.
func (t *table) keyOf(key attr.Item) (itemKey, error) {
	return keyFor(t.key, key, true)
}

// keyOfItem validates an Item's key attributes against the schema.
func (t *table) keyOfItem(it attr.Item) (itemKey, error) {
	return keyFor(t.key, it, false)
}

func keyFor(kd keyDef, it attr.Item, exact bool) (itemKey, error) {
	var k itemKey
	hv, hok := it[kd.hash]
	var rv attr.Value
	rok := true
	if kd.rng != "" {
		rv, rok = it[kd.rng]
	}
	if exact {
		n := 1
		if kd.rng != "" {
			n = 2
		}
		if len(it) != n || !hok || !rok || hv.Type() != kd.hashT || (kd.rng != "" && rv.Type() != kd.rngT) {
			if hok && isEmptyKeyValue(hv) && hv.Type() == kd.hashT {
				return k, emptyKeyError(kd.hash, hv)
			}
			return k, validationf(msgKeySchemaMismatch)
		}
	} else {
		if !hok {
			return k, validationf("One or more parameter values were invalid: Missing the key %s in the item", kd.hash)
		}
		if hv.Type() != kd.hashT {
			return k, validationf("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", kd.hash, kd.hashT, hv.Type())
		}
		if kd.rng != "" {
			if !rok {
				return k, validationf("One or more parameter values were invalid: Missing the key %s in the item", kd.rng)
			}
			if rv.Type() != kd.rngT {
				return k, validationf("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", kd.rng, kd.rngT, rv.Type())
			}
		}
	}
	if isEmptyKeyValue(hv) {
		return k, emptyKeyError(kd.hash, hv)
	}
	if kd.rng != "" && isEmptyKeyValue(rv) {
		return k, emptyKeyError(kd.rng, rv)
	}
	if len(hv.Raw()) > maxHashKeySize {
		return k, validationf("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if kd.rng != "" && len(rv.Raw()) > maxRangeKeySize {
		return k, validationf("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	k.hk = orderBytes(hv)
	k.hh = fnv64(k.hk)
	k.attrs = attr.Item{kd.hash: hv}
	if kd.rng != "" {
		k.rk = orderBytes(rv)
		k.attrs[kd.rng] = rv
	}
	return k, nil
}

func isEmptyKeyValue(v attr.Value) bool {
	t := v.Type()
	return (t == attr.S || t == attr.B) && v.Raw() == ""
}

func emptyKeyError(name string, v attr.Value) error {
	kind := "string"
	if v.Type() == attr.B {
		kind = "binary"
	}
	return validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", kind, name)
}

// isEmptyKeyError reports a key error AWS raises before anything else,
// even inside transactions.
func isEmptyKeyError(err error) bool {
	e, ok := err.(*awsproto.Error)
	return ok && strings.HasPrefix(e.Message, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty")
}

// asSchemaMismatch rewords a missing or mistyped key attribute in an item
// as BatchWriteItem words it.
func asSchemaMismatch(err error) error {
	if isKeyMismatch(err) {
		return validationf(msgKeySchemaMismatch)
	}
	return err
}

// checkIndexKeys rejects an item whose secondary index key attributes have
// the wrong type or are empty (table locked: indexes can change).
func (t *table) checkIndexKeys(it attr.Item, update bool) error {
	for _, ix := range t.indexes {
		for _, kn := range ix.key.names() {
			if t.key.has(kn) {
				continue
			}
			v, ok := it[kn]
			if !ok {
				continue
			}
			want := ix.key.typeOf(kn)
			if v.Type() != want {
				return validationf("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", kn, want, v.Type(), ix.name)
			}
			if isEmptyKeyValue(v) {
				if update {
					return validationf("One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: %s, IndexKey: %s", ix.name, kn)
				}
				return validationf("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: %s, IndexKey: %s", ix.name, kn)
			}
		}
	}
	return nil
}

// capacityMode is ReturnConsumedCapacity.
type capacityMode uint8

const (
	capNone capacityMode = iota
	capTotal
	capIndexes
)

// capacityModeOf reads ReturnConsumedCapacity (its enum is checked by the
// model's constraints).
func capacityModeOf(s string) capacityMode {
	switch s {
	case "TOTAL":
		return capTotal
	case "INDEXES":
		return capIndexes
	}
	return capNone
}

// consumed is the capacity one operation used on one table.
type consumed struct {
	table   string
	read    bool
	units   float64 // on the table
	indexes []indexUnits
}

type indexUnits struct {
	name   string
	global bool
	units  float64
}

func (c *consumed) total() float64 {
	t := c.units
	for _, ix := range c.indexes {
		t += ix.units
	}
	return t
}

// writeUnits is the write capacity of an item of size bytes (1 KB units).
func writeUnits(size int) float64 {
	u := math.Ceil(float64(size) / 1024)
	if u < 1 {
		u = 1
	}
	return u
}

// readUnits is the read capacity of size bytes (4 KB units; eventually
// consistent reads cost half).
func readUnits(size int, consistent bool) float64 {
	u := math.Ceil(float64(size) / 4096)
	if u < 1 {
		u = 1
	}
	if !consistent {
		u /= 2
	}
	return u
}

// appendConsumed appends the ConsumedCapacity object.
func appendConsumed(dst []byte, c *consumed, mode capacityMode) []byte {
	dst = append(dst, `{"TableName":`...)
	dst = awsproto.AppendJSONString(dst, c.table)
	dst = append(dst, `,"CapacityUnits":`...)
	dst = appendFloat(dst, c.total())
	if mode == capIndexes {
		dst = append(dst, `,"Table":{"CapacityUnits":`...)
		dst = appendFloat(dst, c.units)
		dst = append(dst, '}')
		for _, global := range []bool{true, false} {
			first := true
			for _, ix := range c.indexes {
				if ix.global != global {
					continue
				}
				if first {
					if global {
						dst = append(dst, `,"GlobalSecondaryIndexes":{`...)
					} else {
						dst = append(dst, `,"LocalSecondaryIndexes":{`...)
					}
				} else {
					dst = append(dst, ',')
				}
				first = false
				dst = awsproto.AppendJSONString(dst, ix.name)
				dst = append(dst, `:{"CapacityUnits":`...)
				dst = appendFloat(dst, ix.units)
				dst = append(dst, '}')
			}
			if !first {
				dst = append(dst, '}')
			}
		}
	}
	return append(dst, '}')
}

func appendFloat(dst []byte, f float64) []byte {
	dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
	if f == math.Trunc(f) {
		dst = append(dst, ".0"...)
	}
	return dst
}

// sortedKeys returns m's keys in order (request maps are walked, and
// responses built, deterministically).
func sortedKeys[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// conditionFailed is the ConditionalCheckFailedException of a write, with
// the item when the request asked for it. With the item DynamoDB names the
// message "Message", without it "message" (as moto's exceptions.py
// reproduces): boto3 then shows a top-level "message" only in the second.
func conditionFailed(old *entry, withItem bool) error {
	e := errConditionalCheck.New(msgConditionFailed)
	if withItem && old != nil {
		return e.With("Item", json.RawMessage(old.data)).With("Message", msgConditionFailed)
	}
	return e
}

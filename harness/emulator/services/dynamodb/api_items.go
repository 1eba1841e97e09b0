package dynamodb

import (
	"encoding/json"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/expr"
)

// jsonObj appends the members of a JSON object.
type jsonObj struct {
	b []byte
	n int
}

func newObj(capacity int) *jsonObj {
	o := &jsonObj{b: make([]byte, 0, capacity)}
	o.b = append(o.b, '{')
	return o
}

// key starts a member.
func (o *jsonObj) key(k string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *jsonObj) raw(k string, v []byte) {
	o.key(k)
	o.b = append(o.b, v...)
}

func (o *jsonObj) done() []byte { return append(o.b, '}') }

// writeOpts are the output options every single-item write shares.
type writeOpts struct {
	capacity    capacityMode
	collection  bool // ReturnItemCollectionMetrics=SIZE
	itemOnFail  bool // ReturnValuesOnConditionCheckFailure=ALL_OLD
	returnValue string
}

// parseWriteOpts reads the Return* members (their enums are checked by
// the model's constraints); onlyOld is for PutItem and DeleteItem, which
// return ALL_OLD or nothing.
func parseWriteOpts(rv string, onlyOld bool, rcc, ricm, rvcf string) (writeOpts, error) {
	o := writeOpts{returnValue: rv, capacity: capacityModeOf(rcc), collection: ricm == "SIZE", itemOnFail: rvcf == "ALL_OLD"}
	switch rv {
	case "":
		o.returnValue = "NONE"
	case "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW":
		if onlyOld {
			return o, validationf("ReturnValues can only be ALL_OLD or NONE")
		}
	}
	return o, nil
}

// writeCondition returns a write's condition from ConditionExpression or
// the legacy Expected.
func writeCondition(x *exprCtx, condExpr *string, expected map[string]legacyCond, condOp string) (*expr.Condition, error) {
	if expected != nil {
		if condExpr != nil {
			return nil, mixedParams([]string{"Expected"}, []string{"ConditionExpression"})
		}
		return legacyCondition("Expected", expected, condOp, true)
	}
	if condOp != "" {
		return nil, validationf("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
	}
	return x.condition("ConditionExpression", condExpr)
}

// appendWriteExtras adds ConsumedCapacity and ItemCollectionMetrics.
func (t *table) appendWriteExtras(o *jsonObj, opts writeOpts, w written, k itemKey) {
	if opts.capacity != capNone && w.consumed != nil {
		o.key("ConsumedCapacity")
		o.b = appendConsumed(o.b, w.consumed, opts.capacity)
	}
	if opts.collection && w.hasLSI {
		o.key("ItemCollectionMetrics")
		o.b = append(o.b, `{"ItemCollectionKey":`...)
		o.b = attr.AppendItem(o.b, attr.Item{t.key.hash: k.attrs[t.key.hash]})
		o.b = append(o.b, `,"SizeEstimateRangeGB":[0.0,1.0]}`...)
	}
}

// The item operations' inputs decode with fastjson.go's decoder. Enum
// values are listed in the order DynamoDB prints them in its messages.
type putItemInput struct {
	TableName                           *string         `required:"true" min:"1" max:"1024"`
	Item                                json.RawMessage `required:"true"`
	ConditionExpression                 *string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           json.RawMessage
	ReturnValues                        string `enum:"ALL_NEW,UPDATED_OLD,ALL_OLD,NONE,UPDATED_NEW"`
	ReturnConsumedCapacity              string `enum:"INDEXES,TOTAL,NONE"`
	ReturnItemCollectionMetrics         string `enum:"SIZE,NONE"`
	ReturnValuesOnConditionCheckFailure string `enum:"ALL_OLD,NONE"`
	Expected                            map[string]legacyCond
	ConditionalOperator                 string `enum:"AND,OR"`
}

// preparedPut is a validated PutItem (also used by batches and
// transactions).
type preparedPut struct {
	t    *table
	k    itemKey
	item attr.Item
	size int
	ent  *entry
	cond *expr.Condition
}

// preparePut validates an item for table t.
func preparePut(t *table, raw json.RawMessage) (*preparedPut, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, notNull("item")
	}
	item, err := attr.DecodeItem(raw)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOfItem(item)
	if err != nil {
		return nil, err
	}
	size := item.Size()
	if size > maxItemSize {
		return nil, validationf(msgItemTooLarge)
	}
	p := &preparedPut{t: t, k: k, item: item, size: size}
	p.ent = newEntry(k, item, size)
	return p, nil
}

// decide is the writeFn of a put: check the condition, then replace.
func (p *preparedPut) decide(old *entry, itemOnFail bool) (write, error) {
	var oldItem attr.Item
	if p.cond != nil && old != nil {
		oldItem = mustDecode(old.data)
	}
	if p.cond != nil {
		ok, err := p.cond.Eval(oldItem)
		if err != nil {
			return write{}, err
		}
		if !ok {
			return write{}, conditionFailed(old, itemOnFail)
		}
	}
	if err := p.t.checkIndexKeys(p.item, false); err != nil {
		return write{}, err
	}
	return write{kind: writePut, item: p.item, ent: p.ent, old: oldItem}, nil
}

func (s *Service) putItem(c *awsproto.Call, in *putItemInput) ([]byte, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkMixed([]param{{"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		[]param{{"ConditionExpression", in.ConditionExpression != nil}}); err != nil {
		return nil, err
	}
	opts, err := parseWriteOpts(in.ReturnValues, true, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics, in.ReturnValuesOnConditionCheckFailure)
	if err != nil {
		return nil, err
	}
	p, err := preparePut(t, in.Item)
	if err != nil {
		return nil, err
	}
	x, err := newExprCtx(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	if p.cond, err = writeCondition(x, in.ConditionExpression, in.Expected, in.ConditionalOperator); err != nil {
		return nil, err
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	w, err := t.write(c.Context(), p.k, func(old *entry) (write, error) { return p.decide(old, opts.itemOnFail) }, opts.capacity != capNone)
	if err != nil {
		return nil, err
	}
	if opts.returnValue == "NONE" && opts.capacity == capNone && !opts.collection {
		return []byte("{}"), nil
	}
	o := newObj(64)
	if opts.returnValue == "ALL_OLD" && w.old != nil {
		o.raw("Attributes", w.old.data)
	}
	t.appendWriteExtras(o, opts, w, p.k)
	return o.done(), nil
}

type getItemInput struct {
	TableName                *string         `required:"true" min:"1" max:"1024"`
	Key                      json.RawMessage `required:"true"`
	ConsistentRead           bool
	ProjectionExpression     *string
	ExpressionAttributeNames map[string]string
	AttributesToGet          []string
	ReturnConsumedCapacity   string `enum:"INDEXES,TOTAL,NONE"`
}

// readProjection returns a read's projection from ProjectionExpression or
// the legacy AttributesToGet.
func readProjection(x *exprCtx, src *string, toGet []string) (*expr.Projection, error) {
	if toGet != nil {
		if src != nil {
			return nil, mixedParams([]string{"AttributesToGet"}, []string{"ProjectionExpression"})
		}
		return legacyProjection(toGet)
	}
	return x.projection(src)
}

func (s *Service) getItem(c *awsproto.Call, in *getItemInput) ([]byte, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkMixed([]param{{"AttributesToGet", in.AttributesToGet != nil}}, []param{{"ProjectionExpression", in.ProjectionExpression != nil}}); err != nil {
		return nil, err
	}
	mode := capacityModeOf(in.ReturnConsumedCapacity)
	k, err := t.keyFrom(in.Key, "key")
	if err != nil {
		return nil, err
	}
	x, err := newExprCtx(in.ExpressionAttributeNames, nil)
	if err != nil {
		return nil, err
	}
	proj, err := readProjection(x, in.ProjectionExpression, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	e, err := t.get(k)
	if err != nil {
		return nil, err
	}
	if e == nil && mode == capNone {
		return []byte("{}"), nil
	}
	o := newObj(32)
	if e != nil {
		if proj == nil {
			if mode == capNone {
				// Hot path: the stored JSON is the response's Item.
				b := make([]byte, 0, len(e.data)+10)
				b = append(b, `{"Item":`...)
				b = append(b, e.data...)
				return append(b, '}'), nil
			}
			o.raw("Item", e.data)
		} else {
			o.key("Item")
			o.b = attr.AppendItem(o.b, proj.Apply(mustDecode(e.data)))
		}
	}
	if mode != capNone {
		size := 0
		if e != nil {
			size = int(e.size)
		}
		o.key("ConsumedCapacity")
		o.b = appendConsumed(o.b, &consumed{table: t.name, read: true, units: readUnits(size, in.ConsistentRead)}, mode)
	}
	return o.done(), nil
}

type deleteItemInput struct {
	TableName                           *string         `required:"true" min:"1" max:"1024"`
	Key                                 json.RawMessage `required:"true"`
	ConditionExpression                 *string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           json.RawMessage
	ReturnValues                        string `enum:"ALL_NEW,UPDATED_OLD,ALL_OLD,NONE,UPDATED_NEW"`
	ReturnConsumedCapacity              string `enum:"INDEXES,TOTAL,NONE"`
	ReturnItemCollectionMetrics         string `enum:"SIZE,NONE"`
	ReturnValuesOnConditionCheckFailure string `enum:"ALL_OLD,NONE"`
	Expected                            map[string]legacyCond
	ConditionalOperator                 string `enum:"AND,OR"`
}

// deleteDecide is the writeFn of a delete with an optional condition.
func deleteDecide(old *entry, cond *expr.Condition, itemOnFail bool) (write, error) {
	var oldItem attr.Item
	if old != nil && cond != nil {
		oldItem = mustDecode(old.data)
	}
	if cond != nil {
		ok, err := cond.Eval(oldItem)
		if err != nil {
			return write{}, err
		}
		if !ok {
			return write{}, conditionFailed(old, itemOnFail)
		}
	}
	if old == nil {
		return write{kind: writeKeep}, nil
	}
	return write{kind: writeDelete, old: oldItem}, nil
}

func (s *Service) deleteItem(c *awsproto.Call, in *deleteItemInput) ([]byte, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkMixed([]param{{"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		[]param{{"ConditionExpression", in.ConditionExpression != nil}}); err != nil {
		return nil, err
	}
	opts, err := parseWriteOpts(in.ReturnValues, true, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics, in.ReturnValuesOnConditionCheckFailure)
	if err != nil {
		return nil, err
	}
	k, err := t.keyFrom(in.Key, "key")
	if err != nil {
		return nil, err
	}
	x, err := newExprCtx(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	cond, err := writeCondition(x, in.ConditionExpression, in.Expected, in.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	w, err := t.write(c.Context(), k, func(old *entry) (write, error) { return deleteDecide(old, cond, opts.itemOnFail) }, opts.capacity != capNone)
	if err != nil {
		return nil, err
	}
	o := newObj(64)
	if opts.returnValue == "ALL_OLD" && w.old != nil {
		o.raw("Attributes", w.old.data)
	}
	t.appendWriteExtras(o, opts, w, k)
	return o.done(), nil
}

type updateItemInput struct {
	TableName                           *string         `required:"true" min:"1" max:"1024"`
	Key                                 json.RawMessage `required:"true"`
	UpdateExpression                    *string
	ConditionExpression                 *string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           json.RawMessage
	ReturnValues                        string `enum:"ALL_NEW,UPDATED_OLD,ALL_OLD,NONE,UPDATED_NEW"`
	ReturnConsumedCapacity              string `enum:"INDEXES,TOTAL,NONE"`
	ReturnItemCollectionMetrics         string `enum:"SIZE,NONE"`
	ReturnValuesOnConditionCheckFailure string `enum:"ALL_OLD,NONE"`
	AttributeUpdates                    map[string]attributeUpdate
	Expected                            map[string]legacyCond
	ConditionalOperator                 string `enum:"AND,OR"`
}

// preparedUpdate is a validated UpdateItem (also used by transactions).
type preparedUpdate struct {
	t    *table
	k    itemKey
	upd  *expr.Update // nil: the item is only created if missing
	cond *expr.Condition
}

// parseUpdate returns the update from UpdateExpression or the legacy
// AttributeUpdates, rejecting updates of key attributes.
func parseUpdate(t *table, x *exprCtx, src *string, legacy map[string]attributeUpdate) (*expr.Update, error) {
	var upd *expr.Update
	var err error
	switch {
	case legacy != nil && src != nil:
		return nil, mixedParams([]string{"AttributeUpdates"}, []string{"UpdateExpression"})
	case legacy != nil:
		upd, err = legacyUpdate(legacy)
	case src != nil:
		x.used = true
		if *src == "" {
			return nil, validationf("Invalid UpdateExpression: The expression can not be empty;")
		}
		upd, err = expr.ParseUpdate(*src, x.names, x.values, x.use())
	}
	if err != nil || upd == nil {
		return upd, err
	}
	for _, p := range upd.Paths() {
		if t.key.has(p.Head()) {
			return nil, validationf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", p.Head())
		}
	}
	return upd, nil
}

// decide is the writeFn of an update: check the condition, apply the
// update to the item (or to its key when missing), validate the result.
func (p *preparedUpdate) decide(old *entry, itemOnFail bool) (write, error) {
	var oldItem attr.Item
	if old != nil {
		oldItem = mustDecode(old.data)
	}
	if p.cond != nil {
		ok, err := p.cond.Eval(oldItem)
		if err != nil {
			return write{}, err
		}
		if !ok {
			return write{}, conditionFailed(old, itemOnFail)
		}
	}
	base := oldItem
	if base == nil {
		base = p.k.attrs.Clone()
	}
	next := base
	if p.upd != nil {
		var err error
		if next, err = p.upd.Apply(base); err != nil {
			return write{}, err
		}
	}
	size := next.Size()
	if size > maxItemSize {
		return write{}, validationf("Item size to update has exceeded the maximum allowed size")
	}
	if err := next.CheckDepth(); err != nil {
		return write{}, err
	}
	if err := p.t.checkIndexKeys(next, true); err != nil {
		return write{}, err
	}
	return write{kind: writePut, item: next, ent: newEntry(p.k, next, size), old: oldItem}, nil
}

func (s *Service) updateItem(c *awsproto.Call, in *updateItemInput) ([]byte, error) {
	t, err := s.tableRef(c, *in.TableName)
	if err != nil {
		return nil, err
	}
	if err := checkMixed([]param{{"AttributeUpdates", in.AttributeUpdates != nil}, {"Expected", in.Expected != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		[]param{{"UpdateExpression", in.UpdateExpression != nil}, {"ConditionExpression", in.ConditionExpression != nil}}); err != nil {
		return nil, err
	}
	opts, err := parseWriteOpts(in.ReturnValues, false, in.ReturnConsumedCapacity, in.ReturnItemCollectionMetrics, in.ReturnValuesOnConditionCheckFailure)
	if err != nil {
		return nil, err
	}
	k, err := t.keyFrom(in.Key, "key")
	if err != nil {
		return nil, err
	}
	x, err := newExprCtx(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	p := &preparedUpdate{t: t, k: k}
	if p.upd, err = parseUpdate(t, x, in.UpdateExpression, in.AttributeUpdates); err != nil {
		return nil, err
	}
	if p.cond, err = writeCondition(x, in.ConditionExpression, in.Expected, in.ConditionalOperator); err != nil {
		return nil, err
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	w, err := t.write(c.Context(), k, func(old *entry) (write, error) { return p.decide(old, opts.itemOnFail) }, opts.capacity != capNone)
	if err != nil {
		return nil, err
	}
	o := newObj(64)
	var attrs attr.Item
	switch opts.returnValue {
	case "ALL_OLD":
		if w.old != nil {
			o.raw("Attributes", w.old.data)
		}
	case "ALL_NEW":
		attrs = w.newItem
	case "UPDATED_OLD":
		if w.oldItem != nil && p.upd != nil {
			attrs = expr.Project(w.oldItem, p.upd.Paths())
		}
	case "UPDATED_NEW":
		if p.upd != nil {
			attrs = expr.Project(w.newItem, p.upd.Paths())
		}
	}
	if len(attrs) > 0 {
		o.key("Attributes")
		o.b = attr.AppendItem(o.b, attrs)
	}
	t.appendWriteExtras(o, opts, w, k)
	return o.done(), nil
}

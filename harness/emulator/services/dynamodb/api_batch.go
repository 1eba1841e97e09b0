package dynamodb

import (
	"encoding/json"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/expr"
)

type keysAndAttributes struct {
	Keys                     []json.RawMessage
	ConsistentRead           bool
	ProjectionExpression     *string
	ExpressionAttributeNames map[string]string
	AttributesToGet          []string
}

type batchGetInput struct {
	RequestItems           map[string]keysAndAttributes `required:"true"`
	ReturnConsumedCapacity string                       `enum:"INDEXES,TOTAL,NONE"`
}

// Validate checks the request's sizes (worded as DynamoDB words them) and
// that it does not mix projection styles, even across tables.
func (in *batchGetInput) Validate() error {
	if len(in.RequestItems) == 0 {
		return awsproto.ConstraintWithheld(errValidation, "RequestItems", awsproto.MinLength(1))
	}
	total := 0
	legacy, expression := false, false
	for _, n := range sortedKeys(in.RequestItems) {
		ka := in.RequestItems[n]
		if len(ka.Keys) == 0 {
			return awsproto.ConstraintWithheld(errValidation, "RequestItems."+n+".member.Keys", awsproto.MinLength(1))
		}
		if len(ka.Keys) > maxBatchGetKeys {
			return awsproto.ConstraintWithheld(errValidation, "RequestItems."+n+".member.Keys", awsproto.MaxLength(maxBatchGetKeys))
		}
		total += len(ka.Keys)
		if ka.AttributesToGet != nil {
			legacy = true
		}
		if ka.ProjectionExpression != nil {
			expression = true
		}
	}
	if legacy && expression {
		return mixedParams([]string{"AttributesToGet"}, []string{"ProjectionExpression"})
	}
	if total > maxBatchGetKeys {
		return validationf("Too many items requested for the BatchGetItem call")
	}
	return nil
}

func (s *Service) batchGetItem(c *awsproto.Call, in *batchGetInput) ([]byte, error) {
	mode := capacityModeOf(in.ReturnConsumedCapacity)
	names := sortedKeys(in.RequestItems)
	type tableReq struct {
		t    *table
		keys []itemKey
		raw  []json.RawMessage
		proj *expr.Projection
		ka   keysAndAttributes
	}
	// Expressions are checked before any table is looked up, as DynamoDB
	// does: an unused name is a ValidationException even for a table that
	// does not exist.
	projs := make([]*expr.Projection, len(names))
	for i, n := range names {
		ka := in.RequestItems[n]
		x, err := newExprCtx(ka.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		if projs[i], err = readProjection(x, ka.ProjectionExpression, ka.AttributesToGet); err != nil {
			return nil, err
		}
		if err := x.finish(); err != nil {
			return nil, err
		}
	}
	reqs := make([]tableReq, 0, len(names))
	for i, n := range names {
		ka := in.RequestItems[n]
		t, err := s.tableRef(c, n)
		if err != nil {
			return nil, err
		}
		r := tableReq{t: t, ka: ka, raw: ka.Keys, proj: projs[i]}
		seen := make(map[string]bool, len(ka.Keys))
		for _, raw := range ka.Keys {
			ki, err := attr.DecodeItem(raw)
			if err != nil {
				return nil, err
			}
			k, err := t.keyOf(ki)
			if err != nil {
				return nil, err
			}
			id := k.hk + "\x00" + k.rk
			if seen[id] {
				return nil, validationf(msgDuplicateKeys)
			}
			seen[id] = true
			r.keys = append(r.keys, k)
		}
		reqs = append(reqs, r)
	}
	o := newObj(4096)
	o.key("Responses")
	o.b = append(o.b, '{')
	var caps []*consumed
	bytes := 0
	unprocessed := map[string][]json.RawMessage{}
	full := false
	for i, r := range reqs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = awsproto.AppendJSONString(o.b, r.t.name)
		o.b = append(o.b, ':', '[')
		n := 0
		units := 0.0
		for j, k := range r.keys {
			if full {
				unprocessed[r.t.name] = append(unprocessed[r.t.name], r.raw[j])
				continue
			}
			e, err := r.t.get(k)
			if err != nil {
				return nil, err
			}
			// A response holds at most 16 MB of items: the item that
			// would pass it, and every one after, is left unprocessed.
			if e != nil && bytes+int(e.size) > maxBatchGetBytes {
				full = true
				unprocessed[r.t.name] = append(unprocessed[r.t.name], r.raw[j])
				continue
			}
			if e == nil {
				units += readUnits(0, r.ka.ConsistentRead)
				continue
			}
			units += readUnits(int(e.size), r.ka.ConsistentRead)
			bytes += int(e.size)
			if n > 0 {
				o.b = append(o.b, ',')
			}
			n++
			if r.proj == nil {
				o.b = append(o.b, e.data...)
			} else {
				o.b = attr.AppendItem(o.b, r.proj.Apply(mustDecode(e.data)))
			}
		}
		o.b = append(o.b, ']')
		if mode != capNone {
			caps = append(caps, &consumed{table: r.t.name, read: true, units: units})
		}
	}
	o.b = append(o.b, '}')
	o.key("UnprocessedKeys")
	o.b = append(o.b, '{')
	first := true
	for _, r := range reqs {
		keys := unprocessed[r.t.name]
		if len(keys) == 0 {
			continue
		}
		if !first {
			o.b = append(o.b, ',')
		}
		first = false
		o.b = awsproto.AppendJSONString(o.b, r.t.name)
		echo := map[string]any{"Keys": keys}
		if r.ka.ConsistentRead {
			echo["ConsistentRead"] = true
		}
		if r.ka.ProjectionExpression != nil {
			echo["ProjectionExpression"] = *r.ka.ProjectionExpression
		}
		if r.ka.ExpressionAttributeNames != nil {
			echo["ExpressionAttributeNames"] = r.ka.ExpressionAttributeNames
		}
		if r.ka.AttributesToGet != nil {
			echo["AttributesToGet"] = r.ka.AttributesToGet
		}
		b, _ := json.Marshal(echo)
		o.b = append(o.b, ':')
		o.b = append(o.b, b...)
	}
	o.b = append(o.b, '}')
	appendCapacityList(o, caps, mode)
	return o.done(), nil
}

// appendCapacityList adds ConsumedCapacity as the list batch and
// transaction operations return.
func appendCapacityList(o *jsonObj, caps []*consumed, mode capacityMode) {
	if mode == capNone {
		return
	}
	o.key("ConsumedCapacity")
	o.b = append(o.b, '[')
	for i, c := range caps {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendConsumed(o.b, c, mode)
	}
	o.b = append(o.b, ']')
}

type writeRequest struct {
	PutRequest    *struct{ Item json.RawMessage }
	DeleteRequest *struct{ Key json.RawMessage }
}

type batchWriteInput struct {
	RequestItems                map[string][]writeRequest `required:"true"`
	ReturnConsumedCapacity      string                    `enum:"INDEXES,TOTAL,NONE"`
	ReturnItemCollectionMetrics string                    `enum:"SIZE,NONE"`
}

// Validate checks the request's sizes, worded as DynamoDB words them, and
// that each request is a put or a delete.
func (in *batchWriteInput) Validate() error {
	if len(in.RequestItems) == 0 {
		return awsproto.ConstraintWithheld(errValidation, "RequestItems", awsproto.MinLength(1))
	}
	total := 0
	for _, n := range sortedKeys(in.RequestItems) {
		reqs := in.RequestItems[n]
		if len(reqs) == 0 {
			return constraint("{"+n+"=[]}", "requestItems", "Map value must satisfy constraint: ["+awsproto.MaxLength(maxBatchWrites)+", "+awsproto.MinLength(1)+"]")
		}
		if len(reqs) > maxBatchWrites {
			return awsproto.ConstraintWithheld(errValidation, "RequestItems."+n+".member", awsproto.MaxLength(maxBatchWrites))
		}
		total += len(reqs)
	}
	if total > maxBatchWrites {
		return validationf("Too many items requested for the BatchWriteItem call")
	}
	for _, reqs := range in.RequestItems {
		for _, wr := range reqs {
			if (wr.PutRequest == nil) == (wr.DeleteRequest == nil) {
				return validationf("Supplied WriteRequest has more than one request type set or none: it must contain exactly one of PutRequest or DeleteRequest")
			}
		}
	}
	return nil
}

func (s *Service) batchWriteItem(c *awsproto.Call, in *batchWriteInput) ([]byte, error) {
	mode := capacityModeOf(in.ReturnConsumedCapacity)
	metrics := in.ReturnItemCollectionMetrics == "SIZE"
	names := sortedKeys(in.RequestItems)
	type op struct {
		t   *table
		put *preparedPut
		k   itemKey
	}
	var ops []op
	for _, n := range names {
		t, err := s.tableRef(c, n)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, wr := range in.RequestItems[n] {
			var o op
			o.t = t
			switch {
			case wr.PutRequest != nil:
				p, err := preparePut(t, wr.PutRequest.Item)
				if err != nil {
					return nil, asSchemaMismatch(err)
				}
				// The whole batch is validated before anything is written.
				if err := t.precheckIndexKeys(p.item); err != nil {
					return nil, err
				}
				o.put, o.k = p, p.k
			default:
				var err error
				if o.k, err = t.keyFrom(wr.DeleteRequest.Key, "key"); err != nil {
					return nil, err
				}
			}
			id := o.k.hk + "\x00" + o.k.rk
			if seen[id] {
				return nil, validationf(msgDuplicateKeys)
			}
			seen[id] = true
			ops = append(ops, o)
		}
	}
	units := map[*table]*consumed{}
	var order []*table
	for _, o := range ops {
		w, err := o.t.write(c.Context(), o.k, func(old *entry) (write, error) {
			if o.put != nil {
				return o.put.decide(old, false)
			}
			return deleteDecide(old, nil, false)
		}, mode != capNone)
		if err != nil {
			return nil, err
		}
		if cons := w.consumed; cons != nil {
			if u := units[o.t]; u != nil {
				u.units += cons.units
				u.indexes = append(u.indexes, cons.indexes...)
			} else {
				units[o.t] = cons
				order = append(order, o.t)
			}
		}
	}
	out := newObj(64)
	out.key("UnprocessedItems")
	out.b = append(out.b, '{', '}')
	var caps []*consumed
	for _, t := range order {
		caps = append(caps, mergeIndexUnits(units[t]))
	}
	appendCapacityList(out, caps, mode)
	if metrics {
		out.key("ItemCollectionMetrics")
		out.b = append(out.b, '{', '}')
	}
	return out.done(), nil
}

// mergeIndexUnits sums per-index units of several writes.
func mergeIndexUnits(c *consumed) *consumed {
	if len(c.indexes) < 2 {
		return c
	}
	sum := map[string]int{}
	var merged []indexUnits
	for _, ix := range c.indexes {
		if i, ok := sum[ix.name]; ok {
			merged[i].units += ix.units
			continue
		}
		sum[ix.name] = len(merged)
		merged = append(merged, ix)
	}
	c.indexes = merged
	return c
}

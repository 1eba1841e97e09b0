package dynamodb

import (
	"encoding/json"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/expr"
)

// readPlan is a validated Query or Scan.
type readPlan struct {
	t          *table
	ix         *index // nil: the table itself
	ixKey      keyDef // ix.key, copied under the lock
	filter     *expr.Condition
	proj       *expr.Projection
	sel        string
	limit      int
	consistent bool
	mode       capacityMode
	// indexView: items are shown as the index projects them (GSIs, and
	// LSIs unless the request asks for more than the projection).
	indexView bool
	projType  string
	include   []string
}

// planRead validates the parts Query and Scan share.
func (s *Service) planRead(c *awsproto.Call, op string, tableName string, indexName *string, sel string, limit *int, consistent bool,
	rcc string, x *exprCtx, projSrc *string, toGet []string) (*readPlan, error) {
	t, err := s.tableRef(c, tableName)
	if err != nil {
		return nil, err
	}
	p := &readPlan{t: t, consistent: consistent, mode: capacityModeOf(rcc)}
	if limit != nil {
		p.limit = *limit
	}
	if indexName != nil {
		ix := t.index(*indexName)
		if ix == nil {
			return nil, validationf("The table does not have the specified index: %s", *indexName)
		}
		if ix.global && consistent {
			return nil, validationf("Consistent reads are not supported on global secondary indexes")
		}
		p.ix, p.ixKey, p.projType, p.include = ix, ix.key, ix.projection, ix.include
	}
	if p.proj, err = readProjection(x, projSrc, toGet); err != nil {
		return nil, err
	}
	// Query words these as a model validation, Scan not; COUNT is "only
	// the Count", and Scan too says "Querying" (moto's AWS-verified
	// test_dynamodb_select.py).
	selectErr := func(msg string) error {
		if op == "Query" {
			msg = "1 validation error detected: " + msg
		}
		return validationf("%s", msg)
	}
	described := sel
	if sel == "COUNT" {
		described = "only the Count"
	}
	if p.proj != nil {
		switch sel {
		case "", "SPECIFIC_ATTRIBUTES":
			sel = "SPECIFIC_ATTRIBUTES"
		default:
			if toGet != nil {
				return nil, selectErr("Cannot specify the AttributesToGet when choosing to get " + described)
			}
			return nil, selectErr("Cannot specify the ProjectionExpression when choosing to get " + described)
		}
	} else if sel == "SPECIFIC_ATTRIBUTES" {
		return nil, selectErr("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
	}
	if sel == "ALL_PROJECTED_ATTRIBUTES" && p.ix == nil {
		return nil, selectErr("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
	}
	if sel == "ALL_ATTRIBUTES" && p.ix != nil && p.ix.global && p.projType != "ALL" {
		return nil, validationf("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", p.ix.name)
	}
	if sel == "" {
		sel = "ALL_ATTRIBUTES"
		if p.ix != nil {
			sel = "ALL_PROJECTED_ATTRIBUTES"
		}
	}
	p.sel = sel
	if p.ix != nil && p.projType != "ALL" {
		// LSIs fetch non-projected attributes from the table when asked for.
		p.indexView = p.ix.global || sel == "ALL_PROJECTED_ATTRIBUTES" || sel == "COUNT"
	}
	return p, nil
}

// viewOf returns the item as this read sees it.
func (p *readPlan) viewOf(it attr.Item) attr.Item {
	if !p.indexView {
		return it
	}
	out := make(attr.Item, len(p.include)+4)
	for k, v := range it {
		if p.t.key.has(k) || p.ixKey.has(k) {
			out[k] = v
			continue
		}
		if p.projType == "INCLUDE" {
			for _, n := range p.include {
				if n == k {
					out[k] = v
					break
				}
			}
		}
	}
	return out
}

// render turns a page into the Query/Scan response.
func (p *readPlan) render(page readPage, lekKey func(last attr.Item) attr.Item) ([]byte, error) {
	o := newObj(256 + 1100*len(page.ents))
	count, bytes := 0, 0
	fast := p.filter == nil && p.proj == nil && !p.indexView
	if p.sel != "COUNT" {
		o.key("Items")
		o.b = append(o.b, '[')
	}
	var lastItem attr.Item
	for i, e := range page.ents {
		size := int(e.size)
		if page.ients != nil {
			size = int(page.ients[i].psize)
		}
		bytes += size
		if fast {
			if p.sel != "COUNT" {
				if count > 0 {
					o.b = append(o.b, ',')
				}
				o.b = append(o.b, e.data...)
			}
			count++
			continue
		}
		it := mustDecode(e.data)
		if i == len(page.ents)-1 {
			lastItem = it
		}
		view := p.viewOf(it)
		if p.filter != nil {
			ok, err := p.filter.Eval(view)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		if p.sel != "COUNT" {
			if count > 0 {
				o.b = append(o.b, ',')
			}
			if p.proj != nil {
				view = p.proj.Apply(view)
			}
			o.b = attr.AppendItem(o.b, view)
		}
		count++
	}
	if p.sel != "COUNT" {
		o.b = append(o.b, ']')
	}
	o.key("Count")
	o.b = strconv.AppendInt(o.b, int64(count), 10)
	o.key("ScannedCount")
	o.b = strconv.AppendInt(o.b, int64(len(page.ents)), 10)
	if page.more && len(page.ents) > 0 {
		if lastItem == nil {
			lastItem = mustDecode(page.ents[len(page.ents)-1].data)
		}
		o.key("LastEvaluatedKey")
		o.b = attr.AppendItem(o.b, lekKey(lastItem))
	}
	if p.mode != capNone {
		c := &consumed{table: p.t.name, read: true}
		u := readUnits(bytes, p.consistent)
		if p.ix != nil {
			c.indexes = []indexUnits{{name: p.ix.name, global: p.ix.global, units: u}}
		} else {
			c.units = u
		}
		o.key("ConsumedCapacity")
		o.b = appendConsumed(o.b, c, p.mode)
	}
	return o.done(), nil
}

// lastKey returns the LastEvaluatedKey of an item: the table key, plus the
// index key when reading an index (as AWS does).
func (p *readPlan) lastKey(it attr.Item) attr.Item {
	k := keyAttrs(it, p.t.key)
	if p.ix != nil {
		for _, n := range p.ixKey.names() {
			if v, ok := it[n]; ok {
				k[n] = v
			}
		}
	}
	return k
}

// startKey decodes an ExclusiveStartKey into a table or index pivot.
func (p *readPlan) startKey(raw json.RawMessage) (*entry, *ientry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil, nil
	}
	it, err := attr.DecodeItem(raw)
	if err != nil {
		return nil, nil, err
	}
	bad := validationf("The provided starting key is invalid: The provided key element does not match the schema")
	want := map[string]attr.Type{p.t.key.hash: p.t.key.hashT}
	if p.t.key.rng != "" {
		want[p.t.key.rng] = p.t.key.rngT
	}
	if p.ix != nil {
		for _, n := range p.ixKey.names() {
			want[n] = p.ixKey.typeOf(n)
		}
	}
	if len(it) != len(want) {
		return nil, nil, bad
	}
	for n, ty := range want {
		v, ok := it[n]
		if !ok || v.Type() != ty || isEmptyKeyValue(v) {
			return nil, nil, bad
		}
	}
	tk, err := keyFor(p.t.key, keyAttrs(it, p.t.key), true)
	if err != nil {
		return nil, nil, bad
	}
	e := tk.pivot()
	if p.ix == nil {
		return e, nil, nil
	}
	if p.ixKey.multi != nil {
		hk, rk, _ := p.ixKey.multi.orderKeys(it) // types checked above
		return e, &ientry{hh: fnv64(hk), hk: hk, rk: rk, e: e}, nil
	}
	ie := &ientry{hk: orderBytes(it[p.ixKey.hash]), e: e}
	ie.hh = fnv64(ie.hk)
	if p.ixKey.rng != "" {
		ie.rk = orderBytes(it[p.ixKey.rng])
	}
	return e, ie, nil
}

type queryInput struct {
	TableName                 *string `required:"true" min:"1" max:"1024"`
	IndexName                 *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	Select                    string  `enum:"SPECIFIC_ATTRIBUTES,COUNT,ALL_ATTRIBUTES,ALL_PROJECTED_ATTRIBUTES"`
	AttributesToGet           []string
	Limit                     *int `min:"1"`
	ConsistentRead            bool
	KeyConditions             map[string]legacyCond
	QueryFilter               map[string]legacyCond
	ConditionalOperator       string `enum:"AND,OR"`
	ScanIndexForward          *bool
	ExclusiveStartKey         json.RawMessage
	ReturnConsumedCapacity    string `enum:"INDEXES,TOTAL,NONE"`
	ProjectionExpression      *string
	FilterExpression          *string
	KeyConditionExpression    *string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues json.RawMessage
}

// readFilter returns a read's filter from FilterExpression or the legacy
// QueryFilter/ScanFilter.
func readFilter(x *exprCtx, src *string, legacy map[string]legacyCond, legacyName, condOp string) (*expr.Condition, error) {
	if legacy != nil {
		if src != nil {
			return nil, mixedParams([]string{legacyName}, []string{"FilterExpression"})
		}
		return legacyCondition(legacyName, legacy, condOp, false)
	}
	if condOp != "" {
		return nil, validationf("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
	}
	return x.condition("FilterExpression", src)
}

func (s *Service) query(c *awsproto.Call, in *queryInput) ([]byte, error) {
	if err := checkMixed([]param{{"AttributesToGet", in.AttributesToGet != nil}, {"KeyConditions", in.KeyConditions != nil}, {"QueryFilter", in.QueryFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		[]param{{"ProjectionExpression", in.ProjectionExpression != nil}, {"FilterExpression", in.FilterExpression != nil}, {"KeyConditionExpression", in.KeyConditionExpression != nil}}); err != nil {
		return nil, err
	}
	x, err := newExprCtx(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	p, err := s.planRead(c, "Query", *in.TableName, in.IndexName, in.Select, in.Limit, in.ConsistentRead,
		in.ReturnConsumedCapacity, x, in.ProjectionExpression, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	var kc *expr.KeyCondition
	switch {
	case in.KeyConditions != nil && in.KeyConditionExpression != nil:
		return nil, mixedParams([]string{"KeyConditions"}, []string{"KeyConditionExpression"})
	case in.KeyConditionExpression != nil:
		x.used = true
		if *in.KeyConditionExpression == "" {
			return nil, validationf("Invalid KeyConditionExpression: The expression can not be empty;")
		}
		kc, err = expr.ParseKeyCondition(*in.KeyConditionExpression, x.names, x.values, x.use())
	case in.KeyConditions != nil:
		kc, err = legacyKeyCondition(in.KeyConditions)
	default:
		return nil, validationf("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	if err != nil {
		return nil, err
	}
	kd := p.t.key
	if p.ix != nil {
		kd = p.ixKey
	}
	var parts []expr.KeyPart
	if kd.multi != nil {
		parts, err = kc.BindMulti(kd.multi.names())
	} else {
		err = kc.Bind(kd.hash, kd.rng)
	}
	if err != nil {
		return nil, err
	}
	if p.filter, err = readFilter(x, in.FilterExpression, in.QueryFilter, "QueryFilter", in.ConditionalOperator); err != nil {
		return nil, err
	}
	if in.FilterExpression != nil {
		for _, path := range p.filter.Paths() {
			if h := path.Head(); kd.has(h) {
				return nil, validationf("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", h)
			}
		}
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	var r *keyRange
	if kd.multi != nil {
		r, err = multiKeyRange(parts, kd.multi)
	} else {
		r, err = keyRangeOf(kc, kd)
	}
	if err != nil {
		return nil, err
	}
	r.forward = in.ScanIndexForward == nil || *in.ScanIndexForward
	after, iafter, err := p.startKey(in.ExclusiveStartKey)
	if err != nil {
		return nil, err
	}
	outside := validationf("The provided starting key is outside query boundaries based on provided conditions")
	lim := pageLimits{limit: p.limit, maxBytes: maxPageBytes}
	var page readPage
	if p.ix == nil {
		if after != nil && (after.hk != r.hk || r.admits(after.rk) != 0) {
			return nil, outside
		}
		page, err = p.t.queryTable(r, after, lim)
	} else {
		if iafter != nil && (iafter.hk != r.hk || r.admits(iafter.rk) != 0) {
			return nil, outside
		}
		page, err = p.t.queryIndex(p.ix, r, iafter, lim)
	}
	if err != nil {
		return nil, err
	}
	return p.render(page, p.lastKey)
}

// keyRangeOf turns a bound key condition into order-byte bounds.
func keyRangeOf(kc *expr.KeyCondition, kd keyDef) (*keyRange, error) {
	mismatch := validationf("One or more parameter values were invalid: Condition parameter type does not match schema type")
	if kc.HashValue.Type() != kd.hashT {
		return nil, mismatch
	}
	if isEmptyKeyValue(kc.HashValue) {
		return nil, emptyKeyError(kd.hash, kc.HashValue)
	}
	r := &keyRange{hk: orderBytes(kc.HashValue)}
	r.hh = fnv64(r.hk)
	if kc.RangeName == "" {
		return r, nil
	}
	for _, v := range kc.RangeValues {
		if v.Type() != kd.rngT {
			return nil, mismatch
		}
	}
	if len(kc.RangeValues) == 0 {
		return nil, mismatch
	}
	v0 := orderBytes(kc.RangeValues[0])
	switch kc.RangeOp {
	case "=":
		r.lo, r.loSet, r.loIncl = v0, true, true
		r.hi, r.hiSet, r.hiIncl = v0, true, true
	case "<":
		r.hi, r.hiSet = v0, true
	case "<=":
		r.hi, r.hiSet, r.hiIncl = v0, true, true
	case ">":
		r.lo, r.loSet = v0, true
	case ">=":
		r.lo, r.loSet, r.loIncl = v0, true, true
	case "BETWEEN":
		if len(kc.RangeValues) != 2 {
			return nil, mismatch
		}
		r.lo, r.loSet, r.loIncl = v0, true, true
		r.hi, r.hiSet, r.hiIncl = orderBytes(kc.RangeValues[1]), true, true
	case "begins_with":
		if kd.rngT == attr.N {
			return nil, validationf("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
		}
		r.prefix, r.prefixSet = v0, true
	default:
		return nil, validationf("Invalid KeyConditionExpression: Unsupported operator on KeyCondition: %s", kc.RangeOp)
	}
	return r, nil
}

type scanInput struct {
	TableName                 *string `required:"true" min:"1" max:"1024"`
	IndexName                 *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	AttributesToGet           []string
	Limit                     *int   `min:"1"`
	Select                    string `enum:"SPECIFIC_ATTRIBUTES,COUNT,ALL_ATTRIBUTES,ALL_PROJECTED_ATTRIBUTES"`
	ScanFilter                map[string]legacyCond
	ConditionalOperator       string `enum:"AND,OR"`
	ExclusiveStartKey         json.RawMessage
	ReturnConsumedCapacity    string `enum:"INDEXES,TOTAL,NONE"`
	TotalSegments             *int   `min:"1" max:"1000000"`
	Segment                   *int   `min:"0" max:"999999"`
	ProjectionExpression      *string
	FilterExpression          *string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues json.RawMessage
	ConsistentRead            bool
}

func (s *Service) scan(c *awsproto.Call, in *scanInput) ([]byte, error) {
	if err := checkMixed([]param{{"AttributesToGet", in.AttributesToGet != nil}, {"ScanFilter", in.ScanFilter != nil}, {"ConditionalOperator", in.ConditionalOperator != ""}},
		[]param{{"ProjectionExpression", in.ProjectionExpression != nil}, {"FilterExpression", in.FilterExpression != nil}}); err != nil {
		return nil, err
	}
	seg := segment{0, ^uint64(0)}
	switch {
	case in.Segment != nil && in.TotalSegments == nil:
		return nil, validationf("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.Segment == nil && in.TotalSegments != nil:
		return nil, validationf("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	case in.Segment != nil:
		total, sg := *in.TotalSegments, *in.Segment
		if sg >= total {
			return nil, validationf("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", sg, total)
		}
		seg = segmentOf(sg, total)
	}
	x, err := newExprCtx(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	p, err := s.planRead(c, "Scan", *in.TableName, in.IndexName, in.Select, in.Limit, in.ConsistentRead,
		in.ReturnConsumedCapacity, x, in.ProjectionExpression, in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	if p.filter, err = readFilter(x, in.FilterExpression, in.ScanFilter, "ScanFilter", in.ConditionalOperator); err != nil {
		return nil, err
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	after, iafter, err := p.startKey(in.ExclusiveStartKey)
	if err != nil {
		return nil, err
	}
	lim := pageLimits{limit: p.limit, maxBytes: maxPageBytes}
	var page readPage
	if p.ix == nil {
		page, err = p.t.scanTable(seg, after, lim)
	} else {
		page, err = p.t.scanIndex(p.ix, seg, iafter, lim)
	}
	if err != nil {
		return nil, err
	}
	return p.render(page, p.lastKey)
}

// multiKeyRange turns a key condition bound to a multi-attribute key into
// order-byte bounds: the partition attributes make the partition; the
// equalities on the leading sort attributes make a prefix, and the last
// sort condition bounds the next component within it (see appendPart: a
// component ends with 0x00 0x01 and every longer value continues above
// 0x00 0x01, so 0x00 0x02 after a value is above all tuples starting with it).
func multiKeyRange(parts []expr.KeyPart, m *multiKey) (*keyRange, error) {
	mismatch := validationf("One or more parameter values were invalid: Condition parameter type does not match schema type")
	var hb, prefix []byte
	r := &keyRange{}
	for i, p := range parts {
		var kp keyPart
		if i < len(m.hashes) {
			kp = m.hashes[i]
		} else {
			kp = m.ranges[i-len(m.hashes)]
		}
		for _, v := range p.Values {
			if v.Type() != kp.typ {
				return nil, mismatch
			}
		}
		if len(p.Values) == 0 || (p.Op == "BETWEEN") != (len(p.Values) == 2) {
			return nil, mismatch
		}
		if i < len(m.hashes) {
			if isEmptyKeyValue(p.Values[0]) {
				return nil, emptyKeyError(p.Name, p.Values[0])
			}
			hb = appendPart(hb, p.Values[0])
			continue
		}
		at := func(v attr.Value) []byte { return appendEscaped(append([]byte(nil), prefix...), orderBytes(v)) }
		switch p.Op {
		case "=":
			prefix = appendPart(prefix, p.Values[0])
			continue
		case "<":
			r.hi, r.hiSet = string(append(at(p.Values[0]), 0x00, 0x01)), true
		case "<=":
			r.hi, r.hiSet = string(append(at(p.Values[0]), 0x00, 0x02)), true
		case ">":
			r.lo, r.loSet, r.loIncl = string(append(at(p.Values[0]), 0x00, 0x02)), true, true
		case ">=":
			r.lo, r.loSet, r.loIncl = string(append(at(p.Values[0]), 0x00, 0x01)), true, true
		case "BETWEEN":
			r.lo, r.loSet, r.loIncl = string(append(at(p.Values[0]), 0x00, 0x01)), true, true
			r.hi, r.hiSet = string(append(at(p.Values[1]), 0x00, 0x02)), true
		case "begins_with":
			if kp.typ == attr.N {
				return nil, validationf("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
			}
			prefix = at(p.Values[0])
		default:
			return nil, validationf("Invalid KeyConditionExpression: Unsupported operator on KeyCondition: %s", p.Op)
		}
	}
	r.hk = string(hb)
	r.hh = fnv64(r.hk)
	if len(prefix) > 0 {
		r.prefix, r.prefixSet = string(prefix), true
	}
	return r, nil
}

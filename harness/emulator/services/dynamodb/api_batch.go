package dynamodb

import (
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

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
	RequestItems           map[string]keysAndAttributes
	ReturnConsumedCapacity string
}

func (s *Service) batchGetItem(c *awsproto.Call, body []byte) (any, error) {
	var in batchGetInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.RequestItems == nil {
		return nil, notNull("requestItems")
	}
	if len(in.RequestItems) == 0 {
		return nil, awsproto.ConstraintWithheld(errValidation, "RequestItems", awsproto.MinLength(1))
	}
	mode, err := parseCapacityMode(in.ReturnConsumedCapacity)
	if err != nil {
		return nil, err
	}
	names := sortedKeys(in.RequestItems)
	total := 0
	legacy, expression := false, false
	for _, n := range names {
		ka := in.RequestItems[n]
		if len(ka.Keys) == 0 {
			return nil, awsproto.ConstraintWithheld(errValidation, "RequestItems."+n+".member.Keys", awsproto.MinLength(1))
		}
		if len(ka.Keys) > maxBatchGetKeys {
			return nil, awsproto.ConstraintWithheld(errValidation, "RequestItems."+n+".member.Keys", awsproto.MaxLength(maxBatchGetKeys))
		}
		total += len(ka.Keys)
		if ka.AttributesToGet != nil {
			legacy = true
		}
		if ka.ProjectionExpression != nil {
			expression = true
		}
	}
	// One request may not mix the two projection styles, even across tables.
	if legacy && expression {
		return nil, mixedParams([]string{"AttributesToGet"}, []string{"ProjectionExpression"})
	}
	if total > maxBatchGetKeys {
		return nil, validationf("Too many items requested for the BatchGetItem call")
	}
	type tableReq struct {
		t    *table
		keys []itemKey
		raw  []json.RawMessage
		proj *expr.Projection
		ka   keysAndAttributes
	}
	reqs := make([]tableReq, 0, len(names))
	for _, n := range names {
		ka := in.RequestItems[n]
		name := n
		t, err := s.tableRef(c, &name)
		if err != nil {
			return nil, err
		}
		r := tableReq{t: t, ka: ka, raw: ka.Keys}
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
		x, err := newExprCtx(ka.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		if r.proj, err = readProjection(x, ka.ProjectionExpression, ka.AttributesToGet); err != nil {
			return nil, err
		}
		if err := x.finish(); err != nil {
			return nil, err
		}
		reqs = append(reqs, r)
	}
	o := newObj(4096)
	o.key("Responses")
	o.b = append(o.b, '{')
	var caps []*consumed
	bytes := 0
	unprocessed := map[string][]json.RawMessage{}
	for i, r := range reqs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = awsproto.AppendJSONString(o.b, r.t.name)
		o.b = append(o.b, ':', '[')
		n := 0
		units := 0.0
		for j, k := range r.keys {
			if bytes >= maxBatchGetBytes {
				unprocessed[r.t.name] = append(unprocessed[r.t.name], r.raw[j])
				continue
			}
			e, err := r.t.get(k)
			if err != nil {
				return nil, tableGone(err)
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
	RequestItems                map[string][]writeRequest
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

func (s *Service) batchWriteItem(c *awsproto.Call, body []byte) (any, error) {
	var in batchWriteInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.RequestItems == nil {
		return nil, notNull("requestItems")
	}
	if len(in.RequestItems) == 0 {
		return nil, awsproto.ConstraintWithheld(errValidation, "RequestItems", awsproto.MinLength(1))
	}
	mode, err := parseCapacityMode(in.ReturnConsumedCapacity)
	if err != nil {
		return nil, err
	}
	metrics, err := checkItemCollectionMetrics(in.ReturnItemCollectionMetrics)
	if err != nil {
		return nil, err
	}
	names := sortedKeys(in.RequestItems)
	total := 0
	for _, n := range names {
		reqs := in.RequestItems[n]
		if len(reqs) == 0 {
			return nil, constraint("{"+n+"=[]}", "requestItems", "Map value must satisfy constraint: ["+awsproto.MaxLength(maxBatchWrites)+", "+awsproto.MinLength(1)+"]")
		}
		if len(reqs) > maxBatchWrites {
			return nil, awsproto.ConstraintWithheld(errValidation, "RequestItems."+n+".member", awsproto.MaxLength(maxBatchWrites))
		}
		total += len(reqs)
	}
	if total > maxBatchWrites {
		return nil, validationf("Too many items requested for the BatchWriteItem call")
	}
	type op struct {
		t   *table
		put *preparedPut
		k   itemKey
	}
	var ops []op
	for _, n := range names {
		name := n
		t, err := s.tableRef(c, &name)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, wr := range in.RequestItems[n] {
			var o op
			o.t = t
			switch {
			case wr.PutRequest != nil && wr.DeleteRequest != nil, wr.PutRequest == nil && wr.DeleteRequest == nil:
				return nil, validationf("Supplied WriteRequest has more than one request type set or none: it must contain exactly one of PutRequest or DeleteRequest")
			case wr.PutRequest != nil:
				p, err := preparePut(t, wr.PutRequest.Item)
				if err != nil {
					return nil, asSchemaMismatch(err)
				}
				// The whole batch is validated before anything is written.
				t.mu.RLock()
				err = t.checkIndexKeys(p.item, false)
				t.mu.RUnlock()
				if err != nil {
					return nil, err
				}
				o.put, o.k = p, p.k
			default:
				ki, err := decodeKey(wr.DeleteRequest.Key, "key")
				if err != nil {
					return nil, err
				}
				if o.k, err = t.keyOf(ki); err != nil {
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
		var cons *consumed
		_, _, err := o.t.update(o.k, func(old *entry) (write, error) {
			oldSize := 0
			if old != nil {
				oldSize = int(old.size)
			}
			if o.put != nil {
				w, _, err := o.put.decide(old, false)
				if err == nil && mode != capNone {
					cons = o.t.writeConsumed(oldSize, o.put.size, nil, o.put.item, 1)
				}
				return w, err
			}
			if mode != capNone {
				cons = o.t.writeConsumed(oldSize, 0, nil, nil, 1)
			}
			if old == nil {
				return write{kind: writeKeep}, nil
			}
			return write{kind: writeDelete}, nil
		})
		if err != nil {
			return nil, tableGone(err)
		}
		if cons != nil {
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

// txAction is one TransactWriteItems action on the wire.
type txAction struct {
	TableName                           *string
	Key                                 json.RawMessage
	Item                                json.RawMessage
	UpdateExpression                    *string
	ConditionExpression                 *string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           json.RawMessage
	ReturnValuesOnConditionCheckFailure string
}

type transactWriteInput struct {
	TransactItems []struct {
		ConditionCheck *txAction
		Put            *txAction
		Delete         *txAction
		Update         *txAction
	}
	ClientRequestToken          *string
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

// tokenCache remembers successful TransactWriteItems by ClientRequestToken
// for ten minutes, as AWS does, so a retried request is not applied twice.
// Tokens expire from the front of an insertion-order queue: the SDK sends a
// token with every call, and sweeping the whole map on each store made a
// sustained 800 tx/s degrade within half a minute.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]tokenEntry
	order   []tokenAge // insertion order; order[head:] are live
	head    int
}

type tokenEntry struct {
	hash [32]byte
	at   time.Time
	resp []byte
}

type tokenAge struct {
	token string
	at    time.Time
}

// maxTokens bounds the cache's memory under sustained load; past it the
// oldest tokens go early (a retry comes seconds after its call, not minutes).
const maxTokens = 100_000

// lookup returns a previous response for token; mismatch reports the
// token was used with a different request.
func (tc *tokenCache) lookup(token string, hash [32]byte, now time.Time) (resp []byte, mismatch bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.entries[token]
	if !ok || now.Sub(e.at) > tokenLifetimeSecs*time.Second {
		return nil, false
	}
	if e.hash != hash {
		return nil, true
	}
	return e.resp, false
}

func (tc *tokenCache) store(token string, hash [32]byte, now time.Time, resp []byte) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.entries == nil {
		tc.entries = map[string]tokenEntry{}
	}
	for tc.head < len(tc.order) {
		a := tc.order[tc.head]
		if now.Sub(a.at) <= tokenLifetimeSecs*time.Second && len(tc.order)-tc.head < maxTokens {
			break
		}
		// A token stored again since has a newer entry: keep that one.
		if e, ok := tc.entries[a.token]; ok && e.at.Equal(a.at) {
			delete(tc.entries, a.token)
		}
		tc.order[tc.head] = tokenAge{}
		tc.head++
	}
	if tc.head > 1024 && tc.head*2 > len(tc.order) {
		tc.order = append(tc.order[:0], tc.order[tc.head:]...)
		tc.head = 0
	}
	tc.entries[token] = tokenEntry{hash: hash, at: now, resp: resp}
	tc.order = append(tc.order, tokenAge{token: token, at: now})
}

// txPrepared is a validated transaction action.
type txPrepared struct {
	kind       string // ConditionCheck, Put, Delete, Update
	t          *table
	k          itemKey
	put        *preparedPut
	upd        *preparedUpdate
	cond       *expr.Condition
	itemOnFail bool
	deferred   error // a key error reported as this action's cancellation reason
}

// isKeyMismatch reports an item whose key attributes are missing or of
// the wrong type.
func isKeyMismatch(err error) bool {
	e, ok := err.(*awsproto.Error)
	return ok && (strings.Contains(e.Message, "Type mismatch for key") || strings.Contains(e.Message, "Missing the key"))
}

func (s *Service) prepareTxAction(c *awsproto.Call, kind string, a *txAction, n int) (*txPrepared, error) {
	member := "transactItems." + itoa(n) + ".member." + strings.ToLower(kind[:1]) + kind[1:]
	t, err := s.tableRef(c, a.TableName)
	if err != nil {
		return nil, err
	}
	p := &txPrepared{kind: kind, t: t}
	if p.itemOnFail, err = checkReturnOnFailure(a.ReturnValuesOnConditionCheckFailure); err != nil {
		return nil, err
	}
	x, err := newExprCtx(a.ExpressionAttributeNames, a.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	// A key of the wrong type (or missing) does not fail the request: AWS
	// cancels the transaction with a ValidationError reason for the action.
	// Empty key values are refused up front.
	if kind == "Put" {
		if p.put, err = preparePut(t, a.Item); err != nil {
			if !isKeyMismatch(err) {
				return nil, err
			}
			p.deferred = err
		} else {
			t.mu.RLock()
			err = t.checkIndexKeys(p.put.item, false)
			t.mu.RUnlock()
			if err != nil && strings.Contains(err.Error(), "empty string value") {
				return nil, err
			}
			p.k = p.put.k
		}
	} else {
		ki, err := decodeKey(a.Key, member+".key")
		if err != nil {
			return nil, err
		}
		if p.k, err = t.keyOf(ki); err != nil {
			if isEmptyKeyError(err) {
				return nil, err
			}
			p.deferred = err
		}
	}
	if kind == "ConditionCheck" && a.ConditionExpression == nil {
		return nil, notNull(member + ".conditionExpression")
	}
	if kind == "Update" {
		if a.UpdateExpression == nil {
			return nil, notNull(member + ".updateExpression")
		}
		p.upd = &preparedUpdate{t: t, k: p.k}
		if p.upd.upd, err = parseUpdate(t, x, a.UpdateExpression, nil); err != nil {
			return nil, err
		}
	}
	if p.cond, err = x.condition("ConditionExpression", a.ConditionExpression); err != nil {
		return nil, err
	}
	if err := x.finish(); err != nil {
		return nil, err
	}
	if p.deferred != nil {
		p.put, p.upd = nil, nil
		return p, nil
	}
	if p.put != nil {
		p.put.cond = p.cond
	}
	if p.upd != nil {
		p.upd.cond = p.cond
	}
	return p, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// fn is the action's writeFn inside the transaction.
func (p *txPrepared) fn(old *entry) (write, error) {
	if p.deferred != nil {
		return write{}, p.deferred
	}
	switch p.kind {
	case "Put":
		w, _, err := p.put.decide(old, p.itemOnFail)
		return w, err
	case "Update":
		w, _, err := p.upd.decide(old, p.itemOnFail)
		return w, err
	case "Delete":
		w, _, err := deleteDecide(old, p.cond, p.itemOnFail)
		return w, err
	}
	if p.cond != nil {
		var oldItem attr.Item
		if old != nil {
			oldItem = mustDecode(old.data)
		}
		ok, err := p.cond.Eval(oldItem)
		if err != nil {
			return write{}, err
		}
		if !ok {
			return write{}, conditionFailed(old, p.itemOnFail)
		}
	}
	return write{kind: writeKeep}, nil
}

func (s *Service) transactWriteItems(c *awsproto.Call, body []byte) (any, error) {
	var in transactWriteInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.TransactItems == nil {
		return nil, notNull("transactItems")
	}
	if len(in.TransactItems) == 0 {
		return nil, constraint("[]", "transactItems", awsproto.MinLength(1))
	}
	if len(in.TransactItems) > maxTransactItems {
		return nil, awsproto.ConstraintWithheld(errValidation, "TransactItems", awsproto.MaxLength(maxTransactItems))
	}
	mode, err := parseCapacityMode(in.ReturnConsumedCapacity)
	if err != nil {
		return nil, err
	}
	metrics, err := checkItemCollectionMetrics(in.ReturnItemCollectionMetrics)
	if err != nil {
		return nil, err
	}
	if in.ClientRequestToken != nil && (len(*in.ClientRequestToken) < 1 || len(*in.ClientRequestToken) > 36) {
		return nil, constraint(*in.ClientRequestToken, "clientRequestToken", awsproto.MaxLength(36))
	}
	region := s.store.region(c.Region)
	var hash [32]byte
	if in.ClientRequestToken != nil {
		hash = sha256.Sum256(body)
		resp, mismatch := region.tokens.lookup(*in.ClientRequestToken, hash, s.env.Now())
		if mismatch {
			return nil, errIdempotentMismatch.New("Request with the same client request token but different parameters was received")
		}
		if resp != nil {
			return resp, nil
		}
	}
	preps := make([]*txPrepared, len(in.TransactItems))
	type itemID struct {
		t      *table
		hk, rk string
	}
	seen := map[itemID]bool{}
	for i, ti := range in.TransactItems {
		var kind string
		var a *txAction
		n := 0
		for _, cand := range []struct {
			kind string
			a    *txAction
		}{{"ConditionCheck", ti.ConditionCheck}, {"Put", ti.Put}, {"Delete", ti.Delete}, {"Update", ti.Update}} {
			if cand.a != nil {
				n++
				kind, a = cand.kind, cand.a
			}
		}
		if n != 1 {
			return nil, validationf("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		p, err := s.prepareTxAction(c, kind, a, i+1)
		if err != nil {
			return nil, err
		}
		id := itemID{p.t, p.k.hk, p.k.rk}
		if seen[id] && p.deferred == nil {
			return nil, validationf(msgTxMultipleOps)
		}
		if p.deferred == nil {
			seen[id] = true
		}
		preps[i] = p
	}
	ops := make([]txOp, len(preps))
	sizes := make([]int, len(preps))
	for i, p := range preps {
		p := p
		i := i
		ops[i] = txOp{t: p.t, k: p.k, fn: func(old *entry) (write, error) {
			w, err := p.fn(old)
			if old != nil {
				sizes[i] = int(old.size)
			}
			if w.ent != nil && int(w.ent.size) > sizes[i] {
				sizes[i] = int(w.ent.size)
			}
			return w, err
		}}
	}
	errs, failed := transact(ops)
	if failed {
		reasons := make([]map[string]any, len(errs))
		codes := make([]string, len(errs))
		for i, err := range errs {
			switch {
			case err == nil:
				reasons[i] = map[string]any{"Code": "None"}
				codes[i] = "None"
			case err == errTableGone:
				return nil, errResourceNotFound.New(msgTableNotFound)
			default:
				e, ok := err.(*awsproto.Error)
				if !ok {
					return nil, err
				}
				code := e.Code
				switch code {
				case errConditionalCheck.Name:
					code = "ConditionalCheckFailed"
				case errValidation.Name:
					code = "ValidationError"
				}
				r := map[string]any{"Code": code, "Message": e.Message}
				if it, ok := e.Fields["Item"]; ok {
					r["Item"] = it
				}
				reasons[i] = r
				codes[i] = code
			}
		}
		msg := "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"
		return nil, errTransactionCanceled.New(msg).With("CancellationReasons", reasons).With("Message", msg)
	}
	o := newObj(64)
	if mode != capNone {
		per := map[*table]*consumed{}
		var order []*table
		for i, p := range preps {
			u := writeUnits(sizes[i]) * 2
			if p.kind == "ConditionCheck" {
				u = readUnits(sizes[i], true) * 2
			}
			if c := per[p.t]; c != nil {
				c.units += u
			} else {
				per[p.t] = &consumed{table: p.t.name, units: u}
				order = append(order, p.t)
			}
		}
		var caps []*consumed
		for _, t := range order {
			caps = append(caps, per[t])
		}
		appendCapacityList(o, caps, mode)
	}
	if metrics {
		o.key("ItemCollectionMetrics")
		o.b = append(o.b, '{', '}')
	}
	resp := o.done()
	if in.ClientRequestToken != nil {
		region.tokens.store(*in.ClientRequestToken, hash, s.env.Now(), resp)
	}
	return resp, nil
}

type transactGetInput struct {
	TransactItems []struct {
		Get *struct {
			TableName                *string
			Key                      json.RawMessage
			ProjectionExpression     *string
			ExpressionAttributeNames map[string]string
		}
	}
	ReturnConsumedCapacity string
}

func (s *Service) transactGetItems(c *awsproto.Call, body []byte) (any, error) {
	var in transactGetInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.TransactItems == nil {
		return nil, notNull("transactItems")
	}
	if len(in.TransactItems) == 0 {
		return nil, constraint("[]", "transactItems", awsproto.MinLength(1))
	}
	if len(in.TransactItems) > maxTransactItems {
		return nil, awsproto.ConstraintWithheld(errValidation, "TransactItems", awsproto.MaxLength(maxTransactItems))
	}
	mode, err := parseCapacityMode(in.ReturnConsumedCapacity)
	if err != nil {
		return nil, err
	}
	type get struct {
		t    *table
		k    itemKey
		proj *expr.Projection
	}
	gets := make([]get, len(in.TransactItems))
	type itemID struct {
		t      *table
		hk, rk string
	}
	seen := map[itemID]bool{}
	tables := make([]*table, 0, len(gets))
	for i, ti := range in.TransactItems {
		g := ti.Get
		if g == nil {
			return nil, notNull("transactItems." + itoa(i+1) + ".member.get")
		}
		t, err := s.tableRef(c, g.TableName)
		if err != nil {
			return nil, err
		}
		ki, err := decodeKey(g.Key, "transactItems."+itoa(i+1)+".member.get.key")
		if err != nil {
			return nil, err
		}
		k, err := t.keyOf(ki)
		if err != nil {
			return nil, err
		}
		x, err := newExprCtx(g.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		proj, err := x.projection(g.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		if err := x.finish(); err != nil {
			return nil, err
		}
		id := itemID{t, k.hk, k.rk}
		if seen[id] {
			return nil, validationf(msgTxMultipleOps)
		}
		seen[id] = true
		gets[i] = get{t: t, k: k, proj: proj}
		tables = append(tables, t)
	}
	// One consistent snapshot: every table locked while reading.
	ents := make([]*entry, len(gets))
	unlock := lockTables(tables)
	for i, g := range gets {
		if g.t.deleted {
			unlock()
			return nil, errResourceNotFound.New(msgTableNotFound)
		}
		ents[i], _ = g.t.items.Get(g.k.pivot())
	}
	unlock()
	o := newObj(1024)
	o.key("Responses")
	o.b = append(o.b, '[')
	per := map[*table]*consumed{}
	var order []*table
	for i, g := range gets {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		e := ents[i]
		size := 0
		if e == nil {
			o.b = append(o.b, '{', '}')
		} else {
			size = int(e.size)
			o.b = append(o.b, `{"Item":`...)
			if g.proj == nil {
				o.b = append(o.b, e.data...)
			} else {
				o.b = attr.AppendItem(o.b, g.proj.Apply(mustDecode(e.data)))
			}
			o.b = append(o.b, '}')
		}
		u := readUnits(size, true) * 2
		if c := per[g.t]; c != nil {
			c.units += u
		} else {
			per[g.t] = &consumed{table: g.t.name, read: true, units: u}
			order = append(order, g.t)
		}
	}
	o.b = append(o.b, ']')
	var caps []*consumed
	for _, t := range order {
		caps = append(caps, per[t])
	}
	appendCapacityList(o, caps, mode)
	return o.done(), nil
}

package dynamodb

import (
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/expr"
)

// txAction is one TransactWriteItems action on the wire. What each kind
// of action requires (Key, Item, UpdateExpression, ConditionExpression) is
// checked by prepareTxAction.
type txAction struct {
	TableName                           *string `required:"true" min:"1" max:"1024"`
	Key                                 json.RawMessage
	Item                                json.RawMessage
	UpdateExpression                    *string
	ConditionExpression                 *string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           json.RawMessage
	ReturnValuesOnConditionCheckFailure string `enum:"ALL_OLD,NONE"`
}

// transactWriteItem is one of TransactItems: exactly one action.
type transactWriteItem struct {
	ConditionCheck *txAction
	Put            *txAction
	Delete         *txAction
	Update         *txAction
}

// action returns the item's action and its kind, or ok=false unless it
// has exactly one.
func (ti *transactWriteItem) action() (kind string, a *txAction, ok bool) {
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
	return kind, a, n == 1
}

type transactWriteInput struct {
	TransactItems               []transactWriteItem `required:"true"`
	ClientRequestToken          *string             `min:"1" max:"36"`
	ReturnConsumedCapacity      string              `enum:"INDEXES,TOTAL,NONE"`
	ReturnItemCollectionMetrics string              `enum:"SIZE,NONE"`

	bodyHash [32]byte // what a ClientRequestToken is remembered with
	bodyLen  int
}

// DecodeBody decodes the request and keeps its hash: a token reused with a
// different request is an IdempotentParameterMismatchException.
func (in *transactWriteInput) DecodeBody(body []byte) error {
	in.bodyHash, in.bodyLen = sha256.Sum256(body), len(body)
	return awsproto.DecodeJSON(body, in)
}

// Validate checks the list's length (worded as DynamoDB words it) and what
// each kind of action requires, which one shared wire type cannot state in
// its tags.
func (in *transactWriteInput) Validate() error {
	if err := checkTransactLength(len(in.TransactItems)); err != nil {
		return err
	}
	// The items a transaction writes travel in its request: past 4 MB of
	// it, the transaction is refused whole, before anything is looked at.
	if in.bodyLen > maxTransactBytes {
		return validationf(msgTxTooLarge)
	}
	var problems []string
	need := func(missing bool, member string) {
		if missing {
			problems = append(problems, "Value null at '"+member+"' failed to satisfy constraint: "+awsproto.RuleNotNull)
		}
	}
	for i := range in.TransactItems {
		kind, a, ok := in.TransactItems[i].action()
		if !ok {
			return validationf("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		member := "transactItems." + strconv.Itoa(i+1) + ".member." + strings.ToLower(kind[:1]) + kind[1:] + "."
		if kind == "Put" {
			need(isNullRaw(a.Item), member+"item")
		} else {
			need(isNullRaw(a.Key), member+"key")
		}
		need(kind == "ConditionCheck" && a.ConditionExpression == nil, member+"conditionExpression")
		need(kind == "Update" && a.UpdateExpression == nil, member+"updateExpression")
	}
	if len(problems) > 0 {
		return errValidation.New(awsproto.ValidationMessage(problems...))
	}
	return nil
}

// checkTransactLength checks the length of a transaction's TransactItems.
func checkTransactLength(n int) error {
	switch {
	case n == 0:
		return constraint("[]", "transactItems", awsproto.MinLength(1))
	case n > maxTransactItems:
		return awsproto.ConstraintWithheld(errValidation, "TransactItems", awsproto.MaxLength(maxTransactItems))
	}
	return nil
}

// isNullRaw reports a raw member that is absent or null.
func isNullRaw(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

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

func (s *Service) prepareTxAction(c *awsproto.Call, kind string, a *txAction) (*txPrepared, error) {
	t, err := s.tableRef(c, *a.TableName)
	if err != nil {
		return nil, err
	}
	p := &txPrepared{kind: kind, t: t, itemOnFail: a.ReturnValuesOnConditionCheckFailure == "ALL_OLD"}
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
			err = t.precheckIndexKeys(p.put.item)
			if err != nil && strings.Contains(err.Error(), "empty string value") {
				return nil, err
			}
			p.k = p.put.k
		}
	} else {
		ki, err := attr.DecodeItem(a.Key)
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
	if kind == "Update" {
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

// fn is the action's writeFn inside the transaction.
func (p *txPrepared) fn(old *entry) (write, error) {
	if p.deferred != nil {
		return write{}, p.deferred
	}
	switch p.kind {
	case "Put":
		return p.put.decide(old, p.itemOnFail)
	case "Update":
		return p.upd.decide(old, p.itemOnFail)
	case "Delete":
		return deleteDecide(old, p.cond, p.itemOnFail)
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

func (s *Service) transactWriteItems(c *awsproto.Call, in *transactWriteInput) ([]byte, error) {
	mode := capacityModeOf(in.ReturnConsumedCapacity)
	metrics := in.ReturnItemCollectionMetrics == "SIZE"
	region := s.store.region(c.Region)
	hash := in.bodyHash
	if in.ClientRequestToken != nil {
		resp, mismatch := region.tokens.lookup(*in.ClientRequestToken, hash, s.env.Now())
		if mismatch {
			const msg = "Request with the same client request token but different parameters was received"
			return nil, errIdempotentMismatch.New(msg).With("Message", msg) // the model's member is "Message"
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
	for i := range in.TransactItems {
		kind, a, _ := in.TransactItems[i].action()
		p, err := s.prepareTxAction(c, kind, a)
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
	errs, failed, err := transact(c.Context(), ops)
	if err != nil {
		return nil, err
	}
	if failed {
		reasons := make([]map[string]any, len(errs))
		codes := make([]string, len(errs))
		for i, err := range errs {
			switch {
			case err == nil:
				reasons[i] = map[string]any{"Code": "None"}
				codes[i] = "None"
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
			TableName                *string         `required:"true" min:"1" max:"1024"`
			Key                      json.RawMessage `required:"true"`
			ProjectionExpression     *string
			ExpressionAttributeNames map[string]string
		} `required:"true"`
	} `required:"true"`
	ReturnConsumedCapacity string `enum:"INDEXES,TOTAL,NONE"`
}

// Validate checks the list's length, worded as DynamoDB words it.
func (in *transactGetInput) Validate() error { return checkTransactLength(len(in.TransactItems)) }

func (s *Service) transactGetItems(c *awsproto.Call, in *transactGetInput) ([]byte, error) {
	mode := capacityModeOf(in.ReturnConsumedCapacity)
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
	refs := make([]itemRef, 0, len(gets))
	for i, ti := range in.TransactItems {
		g := ti.Get
		t, err := s.tableRef(c, *g.TableName)
		if err != nil {
			return nil, err
		}
		k, err := t.keyFrom(g.Key, "transactItems."+strconv.Itoa(i+1)+".member.get.key")
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
		refs = append(refs, itemRef{t, k})
	}
	ents, err := getConsistent(refs)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, e := range ents {
		if e != nil {
			total += int(e.size)
		}
	}
	if total > maxTransactBytes {
		return nil, validationf(msgTxTooLarge)
	}
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

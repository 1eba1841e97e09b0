package dynamodb

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/partiql"
)

// PartiQL: each statement is parsed, then compiled to the request of the
// operation that does the same (Query or Scan, GetItem, PutItem with a
// condition, UpdateItem, DeleteItem, TransactWriteItems, TransactGetItems)
// and run by that operation: one engine, one set of rules and errors.

const msgNotWellFormed = "Statement wasn't well formed, can't be processed: "

// exprBuilder turns a statement's paths and values into expression text
// with generated placeholders.
type exprBuilder struct {
	names  map[string]string
	values map[string]json.RawMessage
	byName map[string]string
	params []json.RawMessage
}

func newExprBuilder(params []json.RawMessage) *exprBuilder {
	return &exprBuilder{names: map[string]string{}, values: map[string]json.RawMessage{}, byName: map[string]string{}, params: params}
}

func (b *exprBuilder) name(n string) string {
	if p, ok := b.byName[n]; ok {
		return p
	}
	p := "#n" + strconv.Itoa(len(b.byName))
	b.byName[n] = p
	b.names[p] = n
	return p
}

func (b *exprBuilder) raw(v json.RawMessage) string {
	p := ":v" + strconv.Itoa(len(b.values))
	b.values[p] = v
	return p
}

func (b *exprBuilder) value(v *partiql.Value) string {
	if v.JSON != nil {
		return b.raw(v.JSON)
	}
	return b.raw(b.params[v.Param])
}

func (b *exprBuilder) path(p partiql.Path) string {
	var s strings.Builder
	for i, e := range p {
		switch {
		case e.IsIndex:
			s.WriteString("[" + strconv.Itoa(e.Index) + "]")
		case i > 0:
			s.WriteString("." + b.name(e.Name))
		default:
			s.WriteString(b.name(e.Name))
		}
	}
	return s.String()
}

func (b *exprBuilder) operand(o partiql.Operand) string {
	switch {
	case o.Path != nil:
		return b.path(o.Path)
	case o.Value != nil:
		return b.value(o.Value)
	case o.Op != 0:
		return b.operand(o.Args[0]) + " " + string(o.Op) + " " + b.operand(o.Args[1])
	}
	args := make([]string, len(o.Args))
	for i, a := range o.Args {
		args[i] = b.operand(a)
	}
	fn := o.Func
	switch fn {
	case "exists":
		fn = "attribute_exists"
	case "missing":
		fn = "attribute_not_exists"
	}
	return fn + "(" + strings.Join(args, ", ") + ")"
}

func (b *exprBuilder) cond(c *partiql.Cond) string {
	switch c.Op {
	case "AND", "OR":
		return "(" + b.cond(c.L) + ") " + c.Op + " (" + b.cond(c.R) + ")"
	case "NOT":
		return "NOT (" + b.cond(c.L) + ")"
	case "CMP":
		return b.operand(c.X) + " " + c.Cmp + " " + b.operand(c.Args[0])
	case "BETWEEN":
		return b.operand(c.X) + " BETWEEN " + b.operand(c.Args[0]) + " AND " + b.operand(c.Args[1])
	case "IN":
		list := make([]string, len(c.Args))
		for i, a := range c.Args {
			list[i] = b.operand(a)
		}
		return b.operand(c.X) + " IN (" + strings.Join(list, ", ") + ")"
	case "IS":
		x := b.operand(c.X)
		var s string
		if c.What == "MISSING" {
			s = "attribute_not_exists(" + x + ")"
		} else {
			s = "attribute_type(" + x + ", " + b.raw(json.RawMessage(`{"S":"NULL"}`)) + ")"
		}
		if c.IsNot {
			s = "NOT " + s
		}
		return s
	}
	return b.operand(c.X) // FUNC
}

// valuesJSON returns the builder's values as ExpressionAttributeValues.
func (b *exprBuilder) valuesJSON() json.RawMessage {
	if len(b.values) == 0 {
		return nil
	}
	out, _ := json.Marshal(b.values)
	return out
}

func (b *exprBuilder) namesOrNil() map[string]string {
	if len(b.names) == 0 {
		return nil
	}
	return b.names
}

// splitKey takes the equalities on key attributes out of a WHERE's
// top-level AND chain: key holds their values, rest what is left (nil when
// nothing).
func splitKey(w *partiql.Cond, k keyDef) (key map[string]*partiql.Value, rest []*partiql.Cond) {
	key = map[string]*partiql.Value{}
	var walk func(c *partiql.Cond)
	walk = func(c *partiql.Cond) {
		if c == nil {
			return
		}
		if c.Op == "AND" {
			walk(c.L)
			walk(c.R)
			return
		}
		if c.Op == "CMP" && c.Cmp == "=" && len(c.X.Path) == 1 && !c.X.Path[0].IsIndex && c.Args[0].Value != nil {
			n := c.X.Path[0].Name
			if (n == k.hash || n == k.rng && k.rng != "") && key[n] == nil {
				key[n] = c.Args[0].Value
				return
			}
		}
		rest = append(rest, c)
	}
	walk(w)
	return key, rest
}

// andAll joins conditions.
func andAll(cs []*partiql.Cond) *partiql.Cond {
	if len(cs) == 0 {
		return nil
	}
	c := cs[0]
	for _, r := range cs[1:] {
		c = &partiql.Cond{Op: "AND", L: c, R: r}
	}
	return c
}

// keyJSON renders a full key from WHERE's equalities, or fails as AWS does
// when one is missing.
func (b *exprBuilder) keyJSON(key map[string]*partiql.Value, k keyDef) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	for _, n := range k.names() {
		v := key[n]
		if v == nil {
			return nil, validationf("Where clause does not contain a mandatory equality on all key attributes")
		}
		if v.JSON != nil {
			m[n] = v.JSON
		} else {
			m[n] = b.params[v.Param]
		}
	}
	out, _ := json.Marshal(m)
	return out, nil
}

// statementParams checks and returns a request's parameters.
func statementParams(st *partiql.Statement, params []json.RawMessage) error {
	if len(params) != st.Params {
		return validationf("Number of parameters in request and statement don't match.")
	}
	return nil
}

// parseStatement parses a statement and binds its parameters.
func parseStatement(src string, params []json.RawMessage) (*partiql.Statement, error) {
	st, err := partiql.Parse(src)
	if err != nil {
		var pe *partiql.Error
		if errors.As(err, &pe) {
			return nil, validationf("%s%s", msgNotWellFormed, pe.Detail)
		}
		return nil, err
	}
	if err := statementParams(st, params); err != nil {
		return nil, err
	}
	return st, nil
}

type executeStatementInput struct {
	Statement                           *string           `required:"true" min:"1" max:"8192"`
	Parameters                          []json.RawMessage `min:"1"`
	ConsistentRead                      bool
	NextToken                           *string `min:"1" max:"32768"`
	ReturnConsumedCapacity              string  `enum:"INDEXES,TOTAL,NONE"`
	Limit                               *int    `min:"1"`
	ReturnValuesOnConditionCheckFailure string  `enum:"ALL_OLD,NONE"`
}

// pageOutput is the part of a Query, Scan or GetItem answer a statement
// returns.
type pageOutput struct {
	Items            []json.RawMessage `json:",omitempty"`
	Item             json.RawMessage   `json:",omitempty"`
	LastEvaluatedKey json.RawMessage   `json:",omitempty"`
	ConsumedCapacity json.RawMessage   `json:",omitempty"`
}

type executeStatementOutput struct {
	Items            []json.RawMessage
	NextToken        string          `json:",omitempty"`
	LastEvaluatedKey json.RawMessage `json:",omitempty"`
	ConsumedCapacity json.RawMessage `json:",omitempty"`
}

func (s *Service) executeStatement(c *awsproto.Call, in *executeStatementInput) (executeStatementOutput, error) {
	st, err := parseStatement(*in.Statement, in.Parameters)
	if err != nil {
		return executeStatementOutput{}, err
	}
	t, err := s.tableRef(c, st.Table)
	if err != nil {
		return executeStatementOutput{}, err
	}
	out := executeStatementOutput{Items: []json.RawMessage{}}
	if st.Kind != partiql.Select {
		raw, err := s.runWrite(c, t, st, in.Parameters, in.ReturnConsumedCapacity, in.ReturnValuesOnConditionCheckFailure)
		if err != nil {
			return out, err
		}
		var po pageOutput
		_ = json.Unmarshal(raw, &po)
		out.ConsumedCapacity = po.ConsumedCapacity
		return out, nil
	}
	var start json.RawMessage
	if in.NextToken != nil {
		start, err = base64.StdEncoding.DecodeString(*in.NextToken)
		if err != nil || !json.Valid(start) {
			return out, validationf("Invalid NextToken")
		}
	}
	raw, err := s.runSelect(c, t, st, in.Parameters, in.ConsistentRead, in.Limit, start, in.ReturnConsumedCapacity)
	if err != nil {
		return out, err
	}
	var po pageOutput
	if err := json.Unmarshal(raw, &po); err != nil {
		return out, err
	}
	if po.Items != nil {
		out.Items = po.Items
	}
	out.ConsumedCapacity = po.ConsumedCapacity
	if len(po.LastEvaluatedKey) > 0 {
		out.LastEvaluatedKey = po.LastEvaluatedKey
		out.NextToken = base64.StdEncoding.EncodeToString(po.LastEvaluatedKey)
	}
	return out, nil
}

// readKey returns the key of the table or index a SELECT reads.
func (s *Service) readKey(t *table, index string) (keyDef, error) {
	info, err := t.info()
	if err != nil {
		return keyDef{}, err
	}
	if index == "" {
		return info.key, nil
	}
	for _, ix := range info.indexes {
		if ix.name == index {
			return ix.key, nil
		}
	}
	return keyDef{}, validationf("The table does not have the specified index: %s", index)
}

// runSelect runs a SELECT as a Query when WHERE fixes the partition key,
// else as a Scan.
func (s *Service) runSelect(c *awsproto.Call, t *table, st *partiql.Statement, params []json.RawMessage, consistent bool, limit *int, start json.RawMessage, capacity string) ([]byte, error) {
	k, err := s.readKey(t, st.Index)
	if err != nil {
		return nil, err
	}
	b := newExprBuilder(params)
	var proj *string
	if st.Projection != nil {
		parts := make([]string, len(st.Projection))
		for i, p := range st.Projection {
			parts[i] = b.path(p)
		}
		proj = aws(strings.Join(parts, ", "))
	}
	var index *string
	if st.Index != "" {
		index = aws(st.Index)
	}
	key, rest := splitKey(st.Where, k)
	// A multi-attribute index key is read by a Scan with the whole WHERE.
	if hv := key[k.hash]; hv != nil && k.multi == nil && !mentions(rest, k) {
		kc := b.path(partiql.Path{{Name: k.hash}}) + " = " + b.value(hv)
		if rv := key[k.rng]; rv != nil && k.rng != "" {
			kc += " AND " + b.path(partiql.Path{{Name: k.rng}}) + " = " + b.value(rv)
		}
		var filter *string
		if f := andAll(rest); f != nil {
			filter = aws(b.cond(f))
		}
		return s.query(c, &queryInput{TableName: aws(t.name), IndexName: index, Limit: limit, ConsistentRead: consistent,
			ExclusiveStartKey: start, ReturnConsumedCapacity: capacity, ProjectionExpression: proj, FilterExpression: filter,
			KeyConditionExpression: aws(kc), ExpressionAttributeNames: b.namesOrNil(), ExpressionAttributeValues: b.valuesJSON()})
	}
	var filter *string
	if st.Where != nil {
		filter = aws(b.cond(st.Where))
	}
	return s.scan(c, &scanInput{TableName: aws(t.name), IndexName: index, Limit: limit, ConsistentRead: consistent,
		ExclusiveStartKey: start, ReturnConsumedCapacity: capacity, ProjectionExpression: proj, FilterExpression: filter,
		ExpressionAttributeNames: b.namesOrNil(), ExpressionAttributeValues: b.valuesJSON()})
}

// mentions reports whether conditions use a key attribute (a Query's
// filter may not).
func mentions(cs []*partiql.Cond, k keyDef) bool {
	var inOperand func(o partiql.Operand) bool
	inOperand = func(o partiql.Operand) bool {
		if len(o.Path) > 0 && k.has(o.Path[0].Name) {
			return true
		}
		for _, a := range o.Args {
			if inOperand(a) {
				return true
			}
		}
		return false
	}
	var inCond func(c *partiql.Cond) bool
	inCond = func(c *partiql.Cond) bool {
		if c == nil {
			return false
		}
		if inCond(c.L) || inCond(c.R) || inOperand(c.X) {
			return true
		}
		for _, a := range c.Args {
			if inOperand(a) {
				return true
			}
		}
		return false
	}
	for _, c := range cs {
		if inCond(c) {
			return true
		}
	}
	return false
}

func aws(s string) *string { return &s }

// writeAction is a compiled INSERT, UPDATE or DELETE.
type writeAction struct {
	kind string // Put, Update, Delete
	a    txAction
}

// compileWrite compiles an INSERT, UPDATE or DELETE on table t.
func compileWrite(t *table, st *partiql.Statement, params []json.RawMessage) (writeAction, error) {
	b := newExprBuilder(params)
	w := writeAction{a: txAction{TableName: aws(t.name)}}
	switch st.Kind {
	case partiql.Insert:
		w.kind = "Put"
		if st.Item.JSON != nil {
			w.a.Item = json.RawMessage(strings.TrimSuffix(strings.TrimPrefix(string(st.Item.JSON), `{"M":`), "}"))
		} else {
			var m struct{ M json.RawMessage }
			if json.Unmarshal(params[st.Item.Param], &m) != nil || m.M == nil {
				return w, validationf("%sUnsupported VALUE: an item must be a tuple {…}", msgNotWellFormed)
			}
			w.a.Item = m.M
		}
		w.a.ConditionExpression = aws("attribute_not_exists(" + b.name(t.key.hash) + ")")
	case partiql.Update, partiql.Delete:
		key, rest := splitKey(st.Where, t.key)
		k, err := b.keyJSON(key, t.key)
		if err != nil {
			return w, err
		}
		w.a.Key = k
		conds := rest
		if st.Kind == partiql.Update {
			w.kind = "Update"
			// An UPDATE changes an existing item only.
			conds = append([]*partiql.Cond{{Op: "FUNC", X: partiql.Operand{Func: "exists", Args: []partiql.Operand{{Path: partiql.Path{{Name: t.key.hash}}}}}}}, rest...)
			var sets []string
			for _, set := range st.Sets {
				sets = append(sets, b.path(set.Path)+" = "+b.operand(set.Value))
			}
			var ue []string
			if len(sets) > 0 {
				ue = append(ue, "SET "+strings.Join(sets, ", "))
			}
			if len(st.Removes) > 0 {
				var rm []string
				for _, p := range st.Removes {
					rm = append(rm, b.path(p))
				}
				ue = append(ue, "REMOVE "+strings.Join(rm, ", "))
			}
			w.a.UpdateExpression = aws(strings.Join(ue, " "))
		} else {
			w.kind = "Delete"
		}
		if c := andAll(conds); c != nil {
			w.a.ConditionExpression = aws(b.cond(c))
		}
	}
	w.a.ExpressionAttributeNames = b.namesOrNil()
	w.a.ExpressionAttributeValues = b.valuesJSON()
	return w, nil
}

// runWrite runs an INSERT, UPDATE or DELETE.
func (s *Service) runWrite(c *awsproto.Call, t *table, st *partiql.Statement, params []json.RawMessage, capacity, onFail string) ([]byte, error) {
	w, err := compileWrite(t, st, params)
	if err != nil {
		return nil, err
	}
	a := w.a
	switch w.kind {
	case "Put":
		out, err := s.putItem(c, &putItemInput{TableName: a.TableName, Item: a.Item, ConditionExpression: a.ConditionExpression,
			ExpressionAttributeNames: a.ExpressionAttributeNames, ExpressionAttributeValues: a.ExpressionAttributeValues, ReturnConsumedCapacity: capacity})
		var e *awsproto.Error
		if errors.As(err, &e) && e.Code == errConditionalCheck.Name {
			return nil, errDuplicateItem.New("Duplicate primary key exists in table")
		}
		return out, err
	case "Update":
		return s.updateItem(c, &updateItemInput{TableName: a.TableName, Key: a.Key, UpdateExpression: a.UpdateExpression, ConditionExpression: a.ConditionExpression,
			ExpressionAttributeNames: a.ExpressionAttributeNames, ExpressionAttributeValues: a.ExpressionAttributeValues, ReturnConsumedCapacity: capacity,
			ReturnValuesOnConditionCheckFailure: onFail})
	}
	return s.deleteItem(c, &deleteItemInput{TableName: a.TableName, Key: a.Key, ConditionExpression: a.ConditionExpression,
		ExpressionAttributeNames: a.ExpressionAttributeNames, ExpressionAttributeValues: a.ExpressionAttributeValues, ReturnConsumedCapacity: capacity,
		ReturnValuesOnConditionCheckFailure: onFail})
}

// compileGet compiles a SELECT that names one item by its full key
// (batches and transactions read nothing else).
func compileGet(t *table, st *partiql.Statement, params []json.RawMessage) (key json.RawMessage, proj *string, names map[string]string, err error) {
	if st.Index != "" {
		return nil, nil, nil, validationf("Batch and transaction reads must use the table's primary key, not an index")
	}
	b := newExprBuilder(params)
	k, rest := splitKey(st.Where, t.key)
	if key, err = b.keyJSON(k, t.key); err != nil {
		return nil, nil, nil, err
	}
	if len(rest) > 0 {
		return nil, nil, nil, validationf("Where clause does not contain a mandatory equality on all key attributes")
	}
	if st.Projection != nil {
		parts := make([]string, len(st.Projection))
		for i, p := range st.Projection {
			parts[i] = b.path(p)
		}
		proj = aws(strings.Join(parts, ", "))
	}
	return key, proj, b.namesOrNil(), nil
}

type batchStatementIn struct {
	Statement                           *string           `required:"true" min:"1" max:"8192"`
	Parameters                          []json.RawMessage `min:"1"`
	ConsistentRead                      bool
	ReturnValuesOnConditionCheckFailure string `enum:"ALL_OLD,NONE"`
}

type batchExecuteStatementInput struct {
	Statements             []batchStatementIn `required:"true" min:"1" max:"25"`
	ReturnConsumedCapacity string             `enum:"INDEXES,TOTAL,NONE"`
}

type batchStatementError struct {
	Code    string
	Message string
	Item    json.RawMessage `json:",omitempty"`
}

type batchStatementResponse struct {
	Error     *batchStatementError `json:",omitempty"`
	TableName string               `json:",omitempty"`
	Item      json.RawMessage      `json:",omitempty"`
}

type batchExecuteStatementOutput struct {
	Responses []batchStatementResponse
}

// batchErrorCode is the BatchStatementErrorCodeEnum value of an error.
func batchErrorCode(err error) (string, string) {
	var e *awsproto.Error
	if !errors.As(err, &e) {
		return "InternalServerError", "Internal server error"
	}
	switch e.Code {
	case errValidation.Name:
		return "ValidationError", e.Message
	case errConditionalCheck.Name:
		return "ConditionalCheckFailed", e.Message
	case errResourceNotFound.Name:
		return "ResourceNotFound", e.Message
	case errDuplicateItem.Name:
		return "DuplicateItem", e.Message
	}
	return strings.TrimSuffix(e.Code, "Exception"), e.Message
}

func (s *Service) batchExecuteStatement(c *awsproto.Call, in *batchExecuteStatementInput) (batchExecuteStatementOutput, error) {
	// A parameter that is no attribute value (a value of the wrong JSON
	// type) fails the request's deserialization, before any statement runs;
	// other failures are the statement's own.
	for _, bs := range in.Statements {
		for _, p := range bs.Parameters {
			var e *awsproto.Error
			if _, err := attr.DecodeValue(p); errors.As(err, &e) && e.Code == awsproto.ErrSerialization.Name {
				return batchExecuteStatementOutput{}, err
			}
		}
	}
	reads, writes := 0, 0
	for _, bs := range in.Statements {
		if st, err := partiql.Parse(*bs.Statement); err == nil {
			if st.Kind == partiql.Select {
				reads++
			} else {
				writes++
			}
		}
	}
	if reads > 0 && writes > 0 {
		return batchExecuteStatementOutput{}, validationf("Batch statements must all be reads or all be writes")
	}
	out := batchExecuteStatementOutput{Responses: make([]batchStatementResponse, len(in.Statements))}
	for i, bs := range in.Statements {
		resp := &out.Responses[i]
		raw, table, err := s.runBatchStatement(c, bs)
		resp.TableName = table
		if err != nil {
			code, msg := batchErrorCode(err)
			resp.Error = &batchStatementError{Code: code, Message: msg}
			continue
		}
		resp.Item = raw
	}
	return out, nil
}

// runBatchStatement runs one statement of a batch: a SELECT by full key,
// or a write.
func (s *Service) runBatchStatement(c *awsproto.Call, bs batchStatementIn) (json.RawMessage, string, error) {
	st, err := parseStatement(*bs.Statement, bs.Parameters)
	if err != nil {
		return nil, "", err
	}
	t, err := s.tableRef(c, st.Table)
	if err != nil {
		return nil, st.Table, err
	}
	if st.Kind != partiql.Select {
		_, err := s.runWrite(c, t, st, bs.Parameters, "", bs.ReturnValuesOnConditionCheckFailure)
		return nil, t.name, err
	}
	key, proj, names, err := compileGet(t, st, bs.Parameters)
	if err != nil {
		return nil, t.name, err
	}
	raw, err := s.getItem(c, &getItemInput{TableName: aws(t.name), Key: key, ConsistentRead: bs.ConsistentRead, ProjectionExpression: proj, ExpressionAttributeNames: names})
	if err != nil {
		return nil, t.name, err
	}
	var po pageOutput
	_ = json.Unmarshal(raw, &po)
	return po.Item, t.name, nil
}

type transactStatementIn struct {
	Statement                           *string           `required:"true" min:"1" max:"8192"`
	Parameters                          []json.RawMessage `min:"1"`
	ReturnValuesOnConditionCheckFailure string            `enum:"ALL_OLD,NONE"`
}

type executeTransactionInput struct {
	TransactStatements     []transactStatementIn `required:"true" min:"1" max:"100"`
	ClientRequestToken     *string               `min:"1" max:"36"`
	ReturnConsumedCapacity string                `enum:"INDEXES,TOTAL,NONE"`
}

type itemResponse struct {
	Item json.RawMessage `json:",omitempty"`
}

type executeTransactionOutput struct {
	Responses        []itemResponse  `json:",omitempty"`
	ConsumedCapacity json.RawMessage `json:",omitempty"`
}

func (s *Service) executeTransaction(c *awsproto.Call, in *executeTransactionInput) (executeTransactionOutput, error) {
	var writes []transactWriteItem
	type get struct {
		Get struct {
			TableName                *string
			Key                      json.RawMessage
			ProjectionExpression     *string           `json:",omitempty"`
			ExpressionAttributeNames map[string]string `json:",omitempty"`
		}
	}
	var gets []get
	for _, ts := range in.TransactStatements {
		st, err := parseStatement(*ts.Statement, ts.Parameters)
		if err != nil {
			return executeTransactionOutput{}, err
		}
		t, err := s.tableRef(c, st.Table)
		if err != nil {
			return executeTransactionOutput{}, err
		}
		if st.Kind == partiql.Select {
			var g get
			g.Get.TableName = aws(t.name)
			if g.Get.Key, g.Get.ProjectionExpression, g.Get.ExpressionAttributeNames, err = compileGet(t, st, ts.Parameters); err != nil {
				return executeTransactionOutput{}, err
			}
			gets = append(gets, g)
			continue
		}
		w, err := compileWrite(t, st, ts.Parameters)
		if err != nil {
			return executeTransactionOutput{}, err
		}
		a := w.a
		a.ReturnValuesOnConditionCheckFailure = ts.ReturnValuesOnConditionCheckFailure
		var ti transactWriteItem
		switch w.kind {
		case "Put":
			ti.Put = &a
		case "Update":
			ti.Update = &a
		default:
			ti.Delete = &a
		}
		writes = append(writes, ti)
	}
	if len(gets) > 0 && len(writes) > 0 {
		return executeTransactionOutput{}, validationf("Transaction statements must all be reads or all be writes")
	}
	var raw []byte
	var err error
	if len(gets) > 0 {
		body, _ := json.Marshal(map[string]any{"TransactItems": gets, "ReturnConsumedCapacity": in.ReturnConsumedCapacity})
		var tin transactGetInput
		if err := awsproto.DecodeJSON(body, &tin); err != nil {
			return executeTransactionOutput{}, err
		}
		raw, err = s.transactGetItems(c, &tin)
	} else {
		// A reused ClientRequestToken must come with the same statements.
		stmts, _ := json.Marshal(in.TransactStatements)
		raw, err = s.transactWriteItems(c, &transactWriteInput{TransactItems: writes, ClientRequestToken: in.ClientRequestToken,
			ReturnConsumedCapacity: in.ReturnConsumedCapacity, bodyHash: sha256.Sum256(stmts), bodyLen: len(stmts)})
		err = duplicateReasons(err, writes)
	}
	if err != nil {
		return executeTransactionOutput{}, err
	}
	var out struct {
		Responses        []itemResponse
		ConsumedCapacity json.RawMessage
	}
	_ = json.Unmarshal(raw, &out)
	return executeTransactionOutput{Responses: out.Responses, ConsumedCapacity: out.ConsumedCapacity}, nil
}

// duplicateReasons words a cancelled transaction's INSERT conflicts as AWS
// does: their reason is DuplicateItem, not the condition INSERT compiles to.
func duplicateReasons(err error, writes []transactWriteItem) error {
	var e *awsproto.Error
	if !errors.As(err, &e) || e.Code != errTransactionCanceled.Name {
		return err
	}
	reasons, ok := e.Fields["CancellationReasons"].([]map[string]any)
	if !ok || len(reasons) != len(writes) {
		return err
	}
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		if writes[i].Put != nil && r["Code"] == "ConditionalCheckFailed" {
			r["Code"], r["Message"] = "DuplicateItem", "Duplicate primary key exists in table"
		}
		codes[i], _ = r["Code"].(string)
	}
	msg := "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"
	return errTransactionCanceled.New(msg).With("CancellationReasons", reasons).With("Message", msg)
}

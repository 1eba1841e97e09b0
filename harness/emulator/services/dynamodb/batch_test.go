package dynamodb_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestBatchWriteAndGet(t *testing.T) {
	v := start(t)
	v.createTable("aaa", "id", "")
	v.createTable("bbb", "id", "")
	var reqs []types.WriteRequest
	for i := 0; i < 20; i++ {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item{"id": s(fmt.Sprint(i)), "v": ni(i)}}})
	}
	out, err := v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"aaa": reqs,
		"bbb": {{PutRequest: &types.PutRequest{Item: item{"id": s("x")}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.UnprocessedItems == nil || len(out.UnprocessedItems) != 0 {
		t.Fatalf("UnprocessedItems must be an empty map: %v", out.UnprocessedItems)
	}
	// Deletes in a batch.
	if _, err := v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"aaa": {{DeleteRequest: &types.DeleteRequest{Key: item{"id": s("0")}}}, {DeleteRequest: &types.DeleteRequest{Key: item{"id": s("nope")}}}},
	}}); err != nil {
		t.Fatal(err)
	}
	var keys []item
	for i := 0; i < 20; i++ {
		keys = append(keys, item{"id": s(fmt.Sprint(i))})
	}
	g, err := v.db.BatchGetItem(v.ctx, &ddb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"aaa": {Keys: keys, ProjectionExpression: aws.String("#v"), ExpressionAttributeNames: map[string]string{"#v": "v"}},
		"bbb": {Keys: []item{{"id": s("x")}, {"id": s("missing")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Responses["aaa"]) != 19 || len(g.Responses["bbb"]) != 1 {
		t.Fatalf("responses: %d %d", len(g.Responses["aaa"]), len(g.Responses["bbb"]))
	}
	for _, it := range g.Responses["aaa"] {
		if len(it) != 1 || it["v"] == nil {
			t.Fatalf("projection per table: %v", it)
		}
	}
	if g.UnprocessedKeys == nil || len(g.UnprocessedKeys) != 0 {
		t.Fatalf("UnprocessedKeys must be an empty map: %v", g.UnprocessedKeys)
	}

	// Limits and duplicates.
	var many []types.WriteRequest
	for i := 0; i < 26; i++ {
		many = append(many, types.WriteRequest{PutRequest: &types.PutRequest{Item: item{"id": s(fmt.Sprint(i))}}})
	}
	_, err = v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"aaa": many}})
	wantErr(t, err, "ValidationException", "Member must have length less than or equal to 25")
	_, err = v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"aaa": many[:13], "bbb": many[13:]}})
	wantExact(t, err, "ValidationException", "Too many items requested for the BatchWriteItem call")
	_, err = v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"aaa": {
		{PutRequest: &types.PutRequest{Item: item{"id": s("d")}}}, {DeleteRequest: &types.DeleteRequest{Key: item{"id": s("d")}}}}}})
	wantExact(t, err, "ValidationException", "Provided list of item keys contains duplicates")
	_, err = v.db.BatchGetItem(v.ctx, &ddb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"aaa": {Keys: []item{{"id": s("1")}, {"id": s("1")}}}}})
	wantExact(t, err, "ValidationException", "Provided list of item keys contains duplicates")
	var hundredOne []item
	for i := 0; i < 101; i++ {
		hundredOne = append(hundredOne, item{"id": s(fmt.Sprint(i))})
	}
	_, err = v.db.BatchGetItem(v.ctx, &ddb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		"aaa": {Keys: hundredOne[:60]}, "bbb": {Keys: hundredOne[60:]}}})
	wantExact(t, err, "ValidationException", "Too many items requested for the BatchGetItem call")
	_, err = v.db.BatchGetItem(v.ctx, &ddb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"nope": {Keys: hundredOne[:1]}}})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestTransactWriteItems(t *testing.T) {
	v := start(t)
	v.createTable("acct", "id", "")
	v.put("acct", item{"id": s("a"), "bal": ni(100)})
	v.put("acct", item{"id": s("b"), "bal": ni(0)})
	transfer := func(amount int) error {
		_, err := v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Update: &types.Update{TableName: aws.String("acct"), Key: item{"id": s("a")},
				UpdateExpression: aws.String("SET bal = bal - :x"), ConditionExpression: aws.String("bal >= :x"),
				ExpressionAttributeValues: item{":x": ni(amount)}, ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
			{Update: &types.Update{TableName: aws.String("acct"), Key: item{"id": s("b")},
				UpdateExpression: aws.String("SET bal = bal + :x"), ExpressionAttributeValues: item{":x": ni(amount)}}},
			{Put: &types.Put{TableName: aws.String("acct"), Item: item{"id": s(fmt.Sprintf("log-%d", amount))}, ConditionExpression: aws.String("attribute_not_exists(id)")}},
		}})
		return err
	}
	if err := transfer(60); err != nil {
		t.Fatal(err)
	}
	err := transfer(50)
	wantExact(t, err, "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]")
	var tce *types.TransactionCanceledException
	if !asErr(err, &tce) || len(tce.CancellationReasons) != 3 {
		t.Fatalf("reasons: %v", err)
	}
	r := tce.CancellationReasons
	if *r[0].Code != "ConditionalCheckFailed" || *r[0].Message != "The conditional request failed" || nv(t, r[0].Item, "bal") != "40" {
		t.Fatalf("reason 0: %+v", r[0])
	}
	if *r[1].Code != "None" || r[1].Message != nil || *r[2].Code != "None" {
		t.Fatalf("reasons 1,2: %+v %+v", r[1], r[2])
	}
	// All or nothing: nothing of the failed transaction was applied.
	if nv(t, v.get("acct", item{"id": s("a")}), "bal") != "40" || nv(t, v.get("acct", item{"id": s("b")}), "bal") != "60" {
		t.Fatal("balances changed by a cancelled transaction")
	}
	if v.get("acct", item{"id": s("log-50")}) != nil {
		t.Fatal("put of a cancelled transaction applied")
	}
	// Two actions on one item.
	_, err = v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("acct"), Key: item{"id": s("a")}, ConditionExpression: aws.String("attribute_exists(id)")}},
		{Delete: &types.Delete{TableName: aws.String("acct"), Key: item{"id": s("a")}}},
	}})
	wantExact(t, err, "ValidationException", "Transaction request cannot include multiple operations on one item")
	// ConditionCheck + Delete, and idempotency by ClientRequestToken.
	in := &ddb.TransactWriteItemsInput{ClientRequestToken: aws.String("tok-1"), TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("acct"), Key: item{"id": s("b")}, ConditionExpression: aws.String("bal = :v"), ExpressionAttributeValues: item{":v": ni(60)}}},
		{Update: &types.Update{TableName: aws.String("acct"), Key: item{"id": s("a")}, UpdateExpression: aws.String("ADD n :one"), ExpressionAttributeValues: item{":one": ni(1)}}},
	}}
	for i := 0; i < 3; i++ {
		if _, err := v.db.TransactWriteItems(v.ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if nv(t, v.get("acct", item{"id": s("a")}), "n") != "1" {
		t.Fatal("a retried transaction (same token) was applied twice")
	}
	in.TransactItems[1].Update.ExpressionAttributeValues = item{":one": ni(2)}
	_, err = v.db.TransactWriteItems(v.ctx, in)
	wantErr(t, err, "IdempotentParameterMismatchException", "")

	var tooMany []types.TransactWriteItem
	for i := 0; i < 101; i++ {
		tooMany = append(tooMany, types.TransactWriteItem{Put: &types.Put{TableName: aws.String("acct"), Item: item{"id": s(fmt.Sprint(i))}}})
	}
	_, err = v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: tooMany})
	wantErr(t, err, "ValidationException", "Member must have length less than or equal to 100")
}

// A transaction racing a conditional put on the same item: never both win.
func TestTransactionRacesConditionalPut(t *testing.T) {
	v := start(t)
	v.createTable("race", "id", "")
	for round := 0; round < 50; round++ {
		id := fmt.Sprintf("k%d", round)
		var wins atomic.Int32
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("race"), Item: item{"id": s(id), "by": s("tx")}, ConditionExpression: aws.String("attribute_not_exists(id)")}},
				{Put: &types.Put{TableName: aws.String("race"), Item: item{"id": s(id + "-side")}}},
			}})
			if err == nil {
				wins.Add(1)
			}
		}()
		go func() {
			defer wg.Done()
			_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("race"), Item: item{"id": s(id), "by": s("put")}, ConditionExpression: aws.String("attribute_not_exists(id)")})
			if err == nil {
				wins.Add(1)
			}
		}()
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d winners", round, wins.Load())
		}
		winner := sv(t, v.get("race", item{"id": s(id)}), "by")
		side := v.get("race", item{"id": s(id + "-side")})
		if (winner == "tx") != (side != nil) {
			t.Fatalf("round %d: winner %s but side item present=%v", round, winner, side != nil)
		}
	}
}

func TestTransactGetItems(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "")
	v.put("tbl", item{"id": s("a"), "x": ni(1), "y": ni(2)})
	out, err := v.db.TransactGetItems(v.ctx, &ddb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("tbl"), Key: item{"id": s("a")}, ProjectionExpression: aws.String("y")}},
		{Get: &types.Get{TableName: aws.String("tbl"), Key: item{"id": s("missing")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Responses) != 2 || len(out.Responses[0].Item) != 1 || nv(t, out.Responses[0].Item, "y") != "2" || out.Responses[1].Item != nil {
		t.Fatalf("responses: %+v", out.Responses)
	}
}

// Key errors inside batches and transactions are worded (and raised) as
// AWS does: BatchWriteItem validates up front with the schema-mismatch
// message; a transaction cancels with a ValidationError reason for a key
// of the wrong type but refuses empty key values outright.
func TestKeyErrorsInBatchesAndTransactions(t *testing.T) {
	v := start(t)
	v.createTable("kerr", "pk", "")
	v.createTable("kbin", "pk", "", func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions[0].AttributeType = types.ScalarAttributeTypeB
	})
	_, err := v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"kerr": {{PutRequest: &types.PutRequest{Item: item{"pk": ni(5)}}}}}})
	wantExact(t, err, "ValidationException", "The provided key element does not match the schema")
	_, err = v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"kerr": {{PutRequest: &types.PutRequest{Item: item{"other": s("x")}}}}}})
	wantExact(t, err, "ValidationException", "The provided key element does not match the schema")
	_, err = v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"kerr": {}}})
	wantExact(t, err, "ValidationException", "1 validation error detected: Value '{kerr=[]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	_, err = v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("kbin"), Item: item{"pk": b([]byte{})}})
	wantExact(t, err, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: pk")

	cancelled := func(err error, msg string) {
		t.Helper()
		var tce *types.TransactionCanceledException
		if !asErr(err, &tce) {
			t.Fatalf("want TransactionCanceledException, got %v", err)
		}
		if tce.ErrorMessage() != "Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]" ||
			*tce.CancellationReasons[0].Code != "ValidationError" || *tce.CancellationReasons[0].Message != msg {
			t.Fatalf("reasons: %s %+v", tce.ErrorMessage(), tce.CancellationReasons[0])
		}
	}
	_, err = v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("kerr"), Item: item{"pk": ni(5)}}}}})
	cancelled(err, "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
	_, err = v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: aws.String("kerr"), Key: item{"pk": ni(5)}}}}})
	cancelled(err, "The provided key element does not match the schema")
	_, err = v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("kerr"), Key: item{"pk": s("")}, ConditionExpression: aws.String("attribute_not_exists(pk)")}}}})
	wantExact(t, err, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk")
}

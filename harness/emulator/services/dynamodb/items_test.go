package dynamodb_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestPutGetDeleteRoundTrip(t *testing.T) {
	v := start(t)
	v.createTable("users", "id", "")
	v.put("users", item{
		"id":   s("u1"),
		"age":  n("042.50"),
		"tags": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"doc":  &types.AttributeValueMemberM{Value: item{"x": &types.AttributeValueMemberL{Value: []types.AttributeValue{ni(1), s("two"), &types.AttributeValueMemberNULL{Value: true}}}}},
		"bin":  b([]byte{0, 1, 2}),
		"ok":   boolv(true),
	})
	got := v.get("users", item{"id": s("u1")})
	if nv(t, got, "age") != "42.5" {
		t.Fatalf("number not canonical: %v", nv(t, got, "age"))
	}
	if ss := got["tags"].(*types.AttributeValueMemberSS).Value; len(ss) != 2 {
		t.Fatalf("tags: %v", ss)
	}
	doc := got["doc"].(*types.AttributeValueMemberM).Value["x"].(*types.AttributeValueMemberL).Value
	if len(doc) != 3 || doc[1].(*types.AttributeValueMemberS).Value != "two" {
		t.Fatalf("doc: %#v", doc)
	}
	if string(got["bin"].(*types.AttributeValueMemberB).Value) != "\x00\x01\x02" {
		t.Fatalf("bin: %v", got["bin"])
	}
	// Missing item: no Item member.
	if got := v.get("users", item{"id": s("nobody")}); got != nil {
		t.Fatalf("missing item returned %v", got)
	}
	// Delete with ALL_OLD returns the old item.
	out, err := v.db.DeleteItem(v.ctx, &ddb.DeleteItemInput{TableName: aws.String("users"), Key: item{"id": s("u1")}, ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatal(err)
	}
	if sv(t, out.Attributes, "id") != "u1" {
		t.Fatalf("ALL_OLD: %v", out.Attributes)
	}
	if got := v.get("users", item{"id": s("u1")}); got != nil {
		t.Fatalf("deleted item still there: %v", got)
	}
}

func TestKeyValidation(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "sk")
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"put type mismatch", func() error {
			_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": ni(1), "sk": ni(1)}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N"},
		{"put missing range", func() error {
			_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("a")}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item"},
		{"put empty key", func() error {
			_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s(""), "sk": ni(1)}})
			return err
		}, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id"},
		{"get extra attribute", func() error {
			_, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a"), "sk": ni(1), "x": s("y")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"get missing range", func() error {
			_, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"get wrong type", func() error {
			_, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a"), "sk": s("1")}})
			return err
		}, "ValidationException", "The provided key element does not match the schema"},
		{"get empty key", func() error {
			_, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s(""), "sk": ni(1)}})
			return err
		}, "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id"},
		{"update key attribute", func() error {
			_, err := v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a"), "sk": ni(1)},
				UpdateExpression: aws.String("SET sk = :v"), ExpressionAttributeValues: item{":v": ni(2)}})
			return err
		}, "ValidationException", "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"},
		{"missing table", func() error {
			_, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("nope"), Key: item{"id": s("a")}})
			return err
		}, "ResourceNotFoundException", "Requested resource not found"},
		{"put ReturnValues ALL_NEW", func() error {
			_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("a"), "sk": ni(1)}, ReturnValues: types.ReturnValueAllNew})
			return err
		}, "ValidationException", "ReturnValues can only be ALL_OLD or NONE"},
		{"unused name", func() error {
			_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("a"), "sk": ni(1)},
				ConditionExpression: aws.String("attribute_not_exists(id)"), ExpressionAttributeNames: map[string]string{"#x": "x"}})
			return err
		}, "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"},
		{"unused value", func() error {
			_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("a"), "sk": ni(1)},
				ConditionExpression: aws.String("attribute_not_exists(id)"), ExpressionAttributeValues: item{":v": ni(1)}})
			return err
		}, "ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"},
		{"names without expression", func() error {
			_, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a"), "sk": ni(1)},
				ExpressionAttributeNames: map[string]string{"#x": "x"}})
			return err
		}, "ValidationException", "ExpressionAttributeNames can only be specified when using expressions"},
		{"item too large", func() error {
			_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("a"), "sk": ni(1), "big": s(strings.Repeat("x", 400*1024))}})
			return err
		}, "ValidationException", "Item size has exceeded the maximum allowed size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantExact(t, c.call(), c.code, c.msg) })
	}
}

func TestConditionalWritesAndReturnValues(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "")
	put := func(cond string, it item) error {
		_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: it, ConditionExpression: aws.String(cond)})
		return err
	}
	if err := put("attribute_not_exists(id)", item{"id": s("a"), "v": ni(1)}); err != nil {
		t.Fatal(err)
	}
	err := put("attribute_not_exists(id)", item{"id": s("a"), "v": ni(2)})
	wantExact(t, err, "ConditionalCheckFailedException", "The conditional request failed")

	// ReturnValuesOnConditionCheckFailure puts the item in the error.
	_, err = v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("a")},
		ConditionExpression: aws.String("attribute_not_exists(id)"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if !asErr(err, &ccf) || nv(t, ccf.Item, "v") != "1" {
		t.Fatalf("want ConditionalCheckFailedException with Item, got %v", err)
	}

	// UpdateItem return values.
	up := func(rv types.ReturnValue) item {
		out, err := v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a")},
			UpdateExpression: aws.String("SET v = v + :one, w = :w"), ExpressionAttributeValues: item{":one": ni(1), ":w": s("x")}, ReturnValues: rv})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attributes
	}
	if a := up(types.ReturnValueUpdatedOld); nv(t, a, "v") != "1" || len(a) != 1 {
		t.Fatalf("UPDATED_OLD: %v", a)
	}
	if a := up(types.ReturnValueUpdatedNew); nv(t, a, "v") != "3" || sv(t, a, "w") != "x" || len(a) != 2 {
		t.Fatalf("UPDATED_NEW: %v", a)
	}
	if a := up(types.ReturnValueAllNew); nv(t, a, "v") != "4" || sv(t, a, "id") != "a" {
		t.Fatalf("ALL_NEW: %v", a)
	}
	if a := up(types.ReturnValueAllOld); nv(t, a, "v") != "4" {
		t.Fatalf("ALL_OLD: %v", a)
	}
	if a := up(types.ReturnValueNone); a != nil {
		t.Fatalf("NONE: %v", a)
	}
	// Update of a missing item creates it from its key.
	out, err := v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String("tbl"), Key: item{"id": s("new")},
		UpdateExpression: aws.String("ADD c :one"), ExpressionAttributeValues: item{":one": ni(1)}, ReturnValues: types.ReturnValueAllNew})
	if err != nil || nv(t, out.Attributes, "c") != "1" || sv(t, out.Attributes, "id") != "new" {
		t.Fatalf("upsert: %v %v", out, err)
	}
	// Conditional delete.
	_, err = v.db.DeleteItem(v.ctx, &ddb.DeleteItemInput{TableName: aws.String("tbl"), Key: item{"id": s("new")},
		ConditionExpression: aws.String("c > :n"), ExpressionAttributeValues: item{":n": ni(5)}})
	wantExact(t, err, "ConditionalCheckFailedException", "The conditional request failed")
	// Legacy Expected.
	_, err = v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("new")},
		Expected: map[string]types.ExpectedAttributeValue{"c": {Value: ni(2)}}})
	wantExact(t, err, "ConditionalCheckFailedException", "The conditional request failed")
	_, err = v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("new")},
		Expected: map[string]types.ExpectedAttributeValue{"c": {Value: ni(1)}}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConsumedCapacity(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "")
	out, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tbl"), Item: item{"id": s("a"), "p": s(strings.Repeat("x", 1500))},
		ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if c := out.ConsumedCapacity; c == nil || *c.TableName != "tbl" || *c.CapacityUnits != 2 {
		t.Fatalf("put capacity: %+v", c)
	}
	g, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a")}, ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
	if err != nil {
		t.Fatal(err)
	}
	if c := g.ConsumedCapacity; c == nil || *c.CapacityUnits != 0.5 || c.Table == nil || *c.Table.CapacityUnits != 0.5 {
		t.Fatalf("get capacity: %+v", c)
	}
	if sv(t, g.Item, "id") != "a" {
		t.Fatalf("item: %v", g.Item)
	}
}

// 100 goroutines incrementing one counter with a conditional ADD must end
// at exactly 100.
func TestConcurrentCounter(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "")
	v.put("tbl", item{"id": s("c"), "n": ni(0)})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String("tbl"), Key: item{"id": s("c")},
				UpdateExpression: aws.String("ADD n :one"), ConditionExpression: aws.String("attribute_exists(id)"),
				ExpressionAttributeValues: item{":one": ni(1)}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := nv(t, v.get("tbl", item{"id": s("c")}), "n"); got != "100" {
		t.Fatalf("counter = %s, want 100", got)
	}
}

func TestProjectionAndAttributesToGet(t *testing.T) {
	v := start(t)
	v.createTable("tbl", "id", "")
	v.put("tbl", item{"id": s("a"), "x": ni(1), "y": &types.AttributeValueMemberM{Value: item{"z": s("deep"), "w": s("no")}}, "name": s("n")})
	out, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a")},
		ProjectionExpression: aws.String("x, y.z, #n"), ExpressionAttributeNames: map[string]string{"#n": "name"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Item) != 3 || nv(t, out.Item, "x") != "1" || sv(t, out.Item, "name") != "n" {
		t.Fatalf("projection: %v", out.Item)
	}
	if y := out.Item["y"].(*types.AttributeValueMemberM).Value; len(y) != 1 {
		t.Fatalf("nested projection: %v", y)
	}
	out, err = v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a")}, AttributesToGet: []string{"x"}})
	if err != nil || len(out.Item) != 1 || nv(t, out.Item, "x") != "1" {
		t.Fatalf("AttributesToGet: %v %v", out.Item, err)
	}
	_, err = v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("tbl"), Key: item{"id": s("a")}, AttributesToGet: []string{"x"}, ProjectionExpression: aws.String("x")})
	wantExact(t, err, "ValidationException", "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
}

func TestIndexKeyValidation(t *testing.T) {
	v := start(t)
	v.createTable("gtab", "id", "", func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS})
		in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byG"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
	})
	_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("gtab"), Item: item{"id": s("a"), "g": ni(1)}})
	wantExact(t, err, "ValidationException", "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: byG")
	_, err = v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("gtab"), Item: item{"id": s("a"), "g": s("")}})
	wantExact(t, err, "ValidationException", "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byG, IndexKey: g")
	// A batch with one bad item writes nothing.
	_, err = v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"gtab": {
		{PutRequest: &types.PutRequest{Item: item{"id": s("ok"), "g": s("x")}}},
		{PutRequest: &types.PutRequest{Item: item{"id": s("bad"), "g": boolv(true)}}},
	}}})
	wantErr(t, err, "ValidationException", "Type mismatch for Index Key g")
	if v.get("gtab", item{"id": s("ok")}) != nil {
		t.Fatal("a rejected batch wrote an item")
	}
	// An update that makes the index key invalid is refused.
	v.put("gtab", item{"id": s("u"), "g": s("x")})
	_, err = v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String("gtab"), Key: item{"id": s("u")},
		UpdateExpression: aws.String("SET g = :e"), ExpressionAttributeValues: item{":e": s("")}})
	wantErr(t, err, "ValidationException", "The update expression attempted to update a secondary index key to a value that is not supported")
	// Inside a transaction, an update producing an invalid item cancels it
	// with a ValidationError reason.
	_, err = v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("gtab"), Item: item{"id": s("t1")}}},
		{Update: &types.Update{TableName: aws.String("gtab"), Key: item{"id": s("u")}, UpdateExpression: aws.String("SET g = :n"), ExpressionAttributeValues: item{":n": ni(5)}}},
	}})
	var tce *types.TransactionCanceledException
	if !asErr(err, &tce) || *tce.CancellationReasons[0].Code != "None" || *tce.CancellationReasons[1].Code != "ValidationError" {
		t.Fatalf("want cancellation with ValidationError, got %v", err)
	}
	if v.get("gtab", item{"id": s("t1")}) != nil {
		t.Fatal("cancelled transaction wrote an item")
	}
}

package dynamodb_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// nested is a map n levels deep around a number.
func nested(n int) types.AttributeValue {
	var v types.AttributeValue = ni(1)
	for i := 0; i < n; i++ {
		v = &types.AttributeValueMemberM{Value: item{"m": v}}
	}
	return v
}

// The attack: SET a.b = :v built an item deeper than DynamoDB's 32 levels,
// which then failed (500) on every GetItem, projection and conditional
// write. What cannot be read back must never be stored.
func TestUpdatesCannotNestPastTheLimit(t *testing.T) {
	v := start(t)
	v.createTable("deep", "id", "")
	// Every value may sit at most 32 levels below its attribute: :v is as
	// deep as a request may send, and a.m puts it one level deeper.
	v.put("deep", item{"id": s("x"), "a": nested(1)})
	_, err := v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String("deep"), Key: item{"id": s("x")},
		UpdateExpression:          aws.String("SET a.m = :v"),
		ExpressionAttributeValues: item{":v": nested(32)}})
	wantErr(t, err, "ValidationException", "Nesting Levels have exceeded supported limits")
	got := v.get("deep", item{"id": s("x")})
	if got == nil {
		t.Fatal("the item is gone")
	}
	// Within the limit it still works, and reads back.
	if _, err := v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String("deep"), Key: item{"id": s("x")},
		UpdateExpression:          aws.String("SET b = :v"),
		ExpressionAttributeValues: item{":v": nested(32)}}); err != nil {
		t.Fatal(err)
	}
	out, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String("deep"), Key: item{"id": s("x")}, ProjectionExpression: aws.String("b")})
	if err != nil || out.Item["b"] == nil {
		t.Fatalf("reading the deepest allowed item: %v %v", out, err)
	}
	if !strings.Contains(err2s(v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("deep"), Item: item{"id": s("y"), "a": nested(33)}})), "Nesting Levels") {
		t.Fatal("PutItem took an item past the limit")
	}
}

func err2s(_ any, err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// big is an item of about 390 KB.
func big(id string) item {
	return item{"id": s(id), "blob": s(strings.Repeat("x", 390*1024))}
}

// The attack: TransactGetItems returned 40 MB, TransactWriteItems took
// 6 MB and BatchGetItem answered 17 MB; AWS caps them at 4, 4 and 16 MB.
func TestAggregateLimits(t *testing.T) {
	v := start(t)
	v.createTable("big", "id", "")
	var keys []map[string]types.AttributeValue
	for i := 0; i < 45; i++ { // 17.1 MB
		id := "k" + strconv.Itoa(i)
		v.put("big", big(id))
		keys = append(keys, item{"id": s(id)})
	}

	got, rounds := 0, 0
	pending := map[string]types.KeysAndAttributes{"big": {Keys: keys}}
	for len(pending) > 0 && rounds < 5 {
		out, err := v.db.BatchGetItem(v.ctx, &ddb.BatchGetItemInput{RequestItems: pending})
		if err != nil {
			t.Fatal(err)
		}
		size := 0
		for _, it := range out.Responses["big"] {
			size += len(it["blob"].(*types.AttributeValueMemberS).Value)
		}
		if size > 16<<20 {
			t.Fatalf("one BatchGetItem answered %d bytes of items", size)
		}
		got += len(out.Responses["big"])
		pending = out.UnprocessedKeys
		rounds++
	}
	if got != 45 || rounds != 2 {
		t.Fatalf("%d items in %d rounds, want 45 in 2", got, rounds)
	}

	var gets []types.TransactGetItem
	for _, k := range keys[:11] { // 4.2 MB
		gets = append(gets, types.TransactGetItem{Get: &types.Get{TableName: aws.String("big"), Key: k}})
	}
	_, err := v.db.TransactGetItems(v.ctx, &ddb.TransactGetItemsInput{TransactItems: gets})
	wantErr(t, err, "ValidationException", "Transaction request cannot be larger than 4 MB")
	if _, err := v.db.TransactGetItems(v.ctx, &ddb.TransactGetItemsInput{TransactItems: gets[:10]}); err != nil {
		t.Fatalf("3.9 MB: %v", err)
	}

	var puts []types.TransactWriteItem
	for i := 0; i < 11; i++ {
		puts = append(puts, types.TransactWriteItem{Put: &types.Put{TableName: aws.String("big"), Item: big("new" + strconv.Itoa(i))}})
	}
	_, err = v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: puts})
	wantErr(t, err, "ValidationException", "Transaction request cannot be larger than 4 MB")
	if got := v.get("big", item{"id": s("new0")}); got != nil {
		t.Fatal("a refused transaction wrote an item")
	}
}

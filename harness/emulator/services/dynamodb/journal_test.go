package dynamodb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb"
)

// memJournal keeps records in memory, as JSON, in order.
type memJournal struct {
	mu   sync.Mutex
	recs [][]byte
}

func (j *memJournal) Record(_ context.Context, rec any) {
	var b []byte
	if raw, ok := rec.(cloud.RawRecord); ok {
		b = append([]byte(nil), raw...)
	} else {
		var err error
		if b, err = json.Marshal(rec); err != nil {
			panic(err)
		}
	}
	if !json.Valid(b) {
		panic("invalid record: " + string(b))
	}
	j.mu.Lock()
	j.recs = append(j.recs, b)
	j.mu.Unlock()
}
func (j *memJournal) BlobDir() string           { return "" }
func (j *memJournal) SyncBlob(f *os.File) error { return nil }

func (j *memJournal) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.recs)
}

func saved(t *testing.T, s cloud.StateSaver) string {
	t.Helper()
	st, err := s.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReplayEquivalence: random writes through the SDK, logged; a fresh
// service that replays the records (from empty, and from a checkpoint
// taken midway with records from before it replayed again) saves the same
// state as the live one.
func TestReplayEquivalence(t *testing.T) {
	v := start(t)
	live := v.service()
	j := &memJournal{}
	live.SetJournal(j)
	rnd := rand.New(rand.NewPCG(7, 7))
	v.createTable("tab_a", "pk", "sk")
	v.createTable("tab_b", "id", "", func(in *ddb.CreateTableInput) {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages}
	})
	keyA := func() item { return item{"pk": s(fmt.Sprint("p", rnd.IntN(4))), "sk": ni(rnd.IntN(6))} }
	keyB := func() item { return item{"id": s(fmt.Sprint("i", rnd.IntN(8)))} }
	var mid string
	var midAt int
	for i := range 300 {
		if i == 150 {
			cp, err := live.Checkpoint()
			if err != nil {
				t.Fatal(err)
			}
			mid, midAt = string(cp.(cloud.RawRecord)), j.len()-5
		}
		switch rnd.IntN(8) {
		case 0, 1:
			it := keyA()
			it["v"] = ni(i)
			v.put("tab_a", it)
		case 2:
			it := keyB()
			it["doc"] = &types.AttributeValueMemberM{Value: item{"n": ni(i), "l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x"), boolv(true)}}}}
			v.put("tab_b", it)
		case 3:
			_, _ = v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String("tab_a"), Key: keyA(),
				UpdateExpression: aws.String("ADD c :one SET w = :w"), ExpressionAttributeValues: item{":one": ni(1), ":w": s("w")}})
		case 4:
			_, _ = v.db.DeleteItem(v.ctx, &ddb.DeleteItemInput{TableName: aws.String("tab_a"), Key: keyA()})
		case 5:
			// A transaction that fails its condition half the time.
			_, _ = v.db.TransactWriteItems(v.ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("tab_a"), Item: func() item { it := keyA(); it["tx"] = ni(i); return it }()}},
				{Put: &types.Put{TableName: aws.String("tab_b"), Item: func() item { it := keyB(); it["tx"] = ni(i); return it }(),
					ConditionExpression: aws.String("attribute_not_exists(id) OR tx < :i"), ExpressionAttributeValues: item{":i": ni(i - 20)}}},
				{Delete: &types.Delete{TableName: aws.String("tab_a"), Key: item{"pk": s("p9"), "sk": ni(0)}}},
			}})
		case 6:
			_, _ = v.db.BatchWriteItem(v.ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"tab_b": {{PutRequest: &types.PutRequest{Item: item{"id": s(fmt.Sprint("batch", i%3)), "i": ni(i)}}}, {DeleteRequest: &types.DeleteRequest{Key: keyB()}}},
			}})
		case 7:
			switch rnd.IntN(4) {
			case 0:
				_, _ = v.db.TagResource(v.ctx, &ddb.TagResourceInput{ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/tab_a"),
					Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String(fmt.Sprint(i))}}})
			case 1:
				_, _ = v.db.UpdateTimeToLive(v.ctx, &ddb.UpdateTimeToLiveInput{TableName: aws.String("tab_b"),
					TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(rnd.IntN(2) == 0)}})
			case 2:
				_, _ = v.db.DeleteTable(v.ctx, &ddb.DeleteTableInput{TableName: aws.String("tab_c")})
			case 3:
				_, _ = v.db.CreateTable(v.ctx, &ddb.CreateTableInput{TableName: aws.String("tab_c"), BillingMode: types.BillingModePayPerRequest,
					AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
					KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}}})
				_, _ = v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("tab_c"), Item: item{"id": s("one")}})
			}
		}
	}
	want := saved(t, live)
	ops := map[string]int{}
	for _, r := range j.recs {
		var rec dynamodb.Record
		if err := json.Unmarshal(r, &rec); err != nil {
			t.Fatal(err)
		}
		ops[rec.Op]++
	}
	for _, op := range []string{"put", "del", "tx", "table", "drop"} {
		if ops[op] == 0 {
			t.Fatalf("no %s record among %v", op, ops)
		}
	}
	replay := func(t *testing.T, checkpoint string, from int) string {
		fresh := dynamodb.New(cloud.DefaultEnv())
		if checkpoint != "" {
			if err := fresh.LoadCheckpoint(fresh.StateVersion(), json.RawMessage(checkpoint)); err != nil {
				t.Fatal(err)
			}
		}
		for i, r := range j.recs[from:] {
			if err := fresh.ApplyRecord(fresh.StateVersion(), r); err != nil {
				t.Fatalf("record %d %s: %v", from+i, r, err)
			}
		}
		return saved(t, fresh)
	}
	t.Run("from empty", func(t *testing.T) {
		if got := replay(t, "", 0); got != want {
			t.Fatalf("replayed state differs:\n got %s\nwant %s", got, want)
		}
	})
	t.Run("from a checkpoint at the end", func(t *testing.T) {
		cp, err := live.Checkpoint()
		if err != nil {
			t.Fatal(err)
		}
		if got := replay(t, string(cp.(cloud.RawRecord)), len(j.recs)); got != want {
			t.Fatalf("restored state differs:\n got %s\nwant %s", got, want)
		}
		if !json.Valid(cp.(cloud.RawRecord)) {
			t.Fatal("the checkpoint is not JSON")
		}
	})
	t.Run("from a checkpoint", func(t *testing.T) {
		if got := replay(t, mid, midAt); got != want {
			t.Fatalf("replayed state differs:\n got %s\nwant %s", got, want)
		}
	})
}

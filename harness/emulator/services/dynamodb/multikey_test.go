package dynamodb_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Global secondary indexes with multi-attribute keys: up to four partition
// (HASH) and four sort (RANGE) attributes, in order.

func def(name string, t types.ScalarAttributeType) types.AttributeDefinition {
	return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: t}
}

func keyElems(hashes, ranges []string) []types.KeySchemaElement {
	var out []types.KeySchemaElement
	for _, h := range hashes {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(h), KeyType: types.KeyTypeHash})
	}
	for _, r := range ranges {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(r), KeyType: types.KeyTypeRange})
	}
	return out
}

// matchesTable creates table "matches" (key id) with index "byRound":
// partition (tournament S, area S), sort (round N, bracket S, game N).
func (v *env) matchesTable() {
	v.t.Helper()
	_, err := v.db.CreateTable(v.ctx, &ddb.CreateTableInput{
		TableName:   aws.String("matches"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			def("id", types.ScalarAttributeTypeS), def("tournament", types.ScalarAttributeTypeS), def("area", types.ScalarAttributeTypeS),
			def("round", types.ScalarAttributeTypeN), def("bracket", types.ScalarAttributeTypeS), def("game", types.ScalarAttributeTypeN),
		},
		KeySchema: keyElems([]string{"id"}, nil),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("byRound"),
			KeySchema:  keyElems([]string{"tournament", "area"}, []string{"round", "bracket", "game"}),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		v.t.Fatalf("CreateTable: %v", err)
	}
}

func (v *env) putMatch(id, tournament, area string, round int, bracket string, game int) {
	v.t.Helper()
	v.put("matches", item{"id": s(id), "tournament": s(tournament), "area": s(area), "round": ni(round), "bracket": s(bracket), "game": ni(game)})
}

// queryIDs runs a Query on index byRound and returns the ids in order,
// following LastEvaluatedKey with the given page size (0: no limit).
func (v *env) queryIDs(cond string, values item, limit int32, forward bool) ([]string, error) {
	in := &ddb.QueryInput{TableName: aws.String("matches"), IndexName: aws.String("byRound"),
		KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values, ScanIndexForward: aws.Bool(forward)}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	var ids []string
	for pages := 0; pages < 100; pages++ {
		out, err := v.db.Query(v.ctx, in)
		if err != nil {
			return nil, err
		}
		for _, it := range out.Items {
			ids = append(ids, sv(v.t, it, "id"))
		}
		if out.LastEvaluatedKey == nil {
			return ids, nil
		}
		if limit > 0 {
			want := []string{"id", "tournament", "area", "round", "bracket", "game"}
			if len(out.LastEvaluatedKey) != len(want) {
				v.t.Fatalf("LastEvaluatedKey %v: want the attributes %v", out.LastEvaluatedKey, want)
			}
			for _, k := range want {
				if out.LastEvaluatedKey[k] == nil {
					v.t.Fatalf("LastEvaluatedKey lacks %s: %v", k, out.LastEvaluatedKey)
				}
			}
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	v.t.Fatal("query did not end")
	return nil, nil
}

func TestMultiAttributeIndexCreateAndDescribe(t *testing.T) {
	v := start(t)
	v.matchesTable()
	out, err := v.db.DescribeTable(v.ctx, &ddb.DescribeTableInput{TableName: aws.String("matches")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range out.Table.GlobalSecondaryIndexes[0].KeySchema {
		got = append(got, aws.ToString(e.AttributeName)+":"+string(e.KeyType))
	}
	want := []string{"tournament:HASH", "area:HASH", "round:RANGE", "bracket:RANGE", "game:RANGE"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("KeySchema = %v, want %v", got, want)
	}
	if len(out.Table.AttributeDefinitions) != 6 {
		t.Fatalf("AttributeDefinitions = %d, want 6", len(out.Table.AttributeDefinitions))
	}
}

func TestMultiAttributeIndexQuery(t *testing.T) {
	v := start(t)
	v.matchesTable()
	v.putMatch("m1", "w24", "eu", 1, "upper", 1)
	v.putMatch("m2", "w24", "eu", 1, "upper", 2)
	v.putMatch("m3", "w24", "eu", 1, "lower", 1)
	v.putMatch("m4", "w24", "eu", 2, "upper", 1)
	v.putMatch("m5", "w24", "eu", 10, "final", 1)
	v.putMatch("m6", "w24", "na", 1, "upper", 1) // another partition
	v.putMatch("m7", "s25", "eu", 1, "upper", 1) // another partition
	// Items lacking a key attribute of the index are not in it.
	v.put("matches", item{"id": s("m8"), "tournament": s("w24"), "area": s("eu"), "round": ni(1), "bracket": s("upper")})
	v.put("matches", item{"id": s("m9"), "tournament": s("w24"), "round": ni(1), "bracket": s("upper"), "game": ni(3)})

	vals := func(kv ...any) item {
		it := item{}
		for i := 0; i < len(kv); i += 2 {
			it[kv[i].(string)] = kv[i+1].(types.AttributeValue)
		}
		return it
	}
	part := "tournament = :t AND area = :r"
	eu := []any{":t", s("w24"), ":r", s("eu")}
	cases := []struct {
		name   string
		cond   string
		values item
		want   []string
	}{
		{"partition only", part, vals(eu...), []string{"m3", "m1", "m2", "m4", "m5"}},
		{"first sort equal", part + " AND round = :n", vals(append(eu, ":n", ni(1))...), []string{"m3", "m1", "m2"}},
		{"two sort equal", part + " AND round = :n AND bracket = :b", vals(append(eu, ":n", ni(1), ":b", s("upper"))...), []string{"m1", "m2"}},
		{"all sort equal", part + " AND round = :n AND bracket = :b AND game = :m", vals(append(eu, ":n", ni(1), ":b", s("upper"), ":m", ni(2))...), []string{"m2"}},
		{"range on first sort", part + " AND round > :n", vals(append(eu, ":n", ni(1))...), []string{"m4", "m5"}},
		{"range >= first sort", part + " AND round >= :n", vals(append(eu, ":n", ni(2))...), []string{"m4", "m5"}},
		{"range < first sort", part + " AND round < :n", vals(append(eu, ":n", ni(2))...), []string{"m3", "m1", "m2"}},
		{"range <= first sort", part + " AND round <= :n", vals(append(eu, ":n", ni(2))...), []string{"m3", "m1", "m2", "m4"}},
		{"between first sort", part + " AND round BETWEEN :a AND :b", vals(append(eu, ":a", ni(2), ":b", ni(10))...), []string{"m4", "m5"}},
		{"begins_with second sort", part + " AND round = :n AND begins_with(bracket, :p)", vals(append(eu, ":n", ni(1), ":p", s("up"))...), []string{"m1", "m2"}},
		{"range on last sort", part + " AND round = :n AND bracket = :b AND game > :m", vals(append(eu, ":n", ni(1), ":b", s("upper"), ":m", ni(1))...), []string{"m2"}},
		{"conditions written in any order", "game <= :m AND bracket = :b AND area = :r AND round = :n AND tournament = :t", vals(append(eu, ":n", ni(1), ":b", s("upper"), ":m", ni(1))...), []string{"m1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.queryIDs(tc.cond, tc.values, 0, true)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			back, err := v.queryIDs(tc.cond, tc.values, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			for i, j := 0, len(back)-1; i < j; i, j = i+1, j-1 {
				back[i], back[j] = back[j], back[i]
			}
			if !reflect.DeepEqual(back, tc.want) {
				t.Fatalf("backward got %v (reversed), want %v", back, tc.want)
			}
		})
	}

	refusals := []struct {
		name, cond string
		values     item
		msg        string
	}{
		{"partition attribute missing", "tournament = :t AND round = :n", vals(":t", s("w24"), ":n", ni(1)), "Query condition missed key schema element: area"},
		{"sort attribute skipped", part + " AND bracket = :b", vals(append(eu, ":b", s("upper"))...), "Query condition missed key schema element: round"},
		{"range before the last sort condition", part + " AND round > :n AND bracket = :b", vals(append(eu, ":n", ni(1), ":b", s("upper"))...), "Query key condition not supported"},
		{"range on a partition attribute", "tournament = :t AND area > :r", vals(eu...), "Query key condition not supported"},
		{"condition on a non-key attribute", part + " AND winner = :w", vals(append(eu, ":w", s("x"))...), "Query key condition not supported"},
		{"wrong type", part + " AND round = :n", vals(append(eu, ":n", s("1"))...), "Condition parameter type does not match schema type"},
		{"begins_with on a number", part + " AND begins_with(round, :n)", vals(append(eu, ":n", ni(1))...), "operand type: N"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.queryIDs(tc.cond, tc.values, 0, true)
			wantErr(t, err, "ValidationException", tc.msg)
		})
	}

	t.Run("paging", func(t *testing.T) {
		for limit := int32(1); limit <= 3; limit++ {
			got, err := v.queryIDs(part, vals(eu...), limit, true)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"m3", "m1", "m2", "m4", "m5"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("limit %d: got %v, want %v", limit, got, want)
			}
			got, err = v.queryIDs(part+" AND round < :n", vals(append(eu, ":n", ni(10))...), limit, false)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"m4", "m2", "m1", "m3"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("limit %d backward: got %v, want %v", limit, got, want)
			}
		}
	})

	t.Run("wrong key type on write", func(t *testing.T) {
		_, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String("matches"),
			Item: item{"id": s("bad"), "tournament": s("w24"), "area": s("eu"), "round": s("one"), "bracket": s("b"), "game": ni(1)}})
		wantErr(t, err, "ValidationException", "Type mismatch for Index Key round Expected: N Actual: S IndexName: byRound")
	})
}

func TestMultiAttributeIndexRefusals(t *testing.T) {
	v := start(t)
	attrs := []string{"h1", "h2", "h3", "h4", "h5", "r1", "r2", "r3", "r4", "r5"}
	create := func(ks []types.KeySchemaElement, local bool) error {
		defs := []types.AttributeDefinition{def("id", types.ScalarAttributeTypeS), def("sk", types.ScalarAttributeTypeS)}
		used := map[string]bool{}
		for _, e := range ks {
			used[*e.AttributeName] = true
		}
		for _, a := range attrs {
			if used[a] {
				defs = append(defs, def(a, types.ScalarAttributeTypeS))
			}
		}
		in := &ddb.CreateTableInput{TableName: aws.String(fmt.Sprintf("table%d", len(ks))), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: defs, KeySchema: keyElems([]string{"id"}, []string{"sk"})}
		if local {
			in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("idx"), KeySchema: ks, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
		} else {
			in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("idx"), KeySchema: ks, Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}}
		}
		_, err := v.db.CreateTable(v.ctx, in)
		return err
	}
	wantExact(t, create(keyElems([]string{"h1", "h2", "h3", "h4", "h5"}, nil), false), "ValidationException",
		"One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of HASH key attributes")
	wantExact(t, create(keyElems([]string{"h1"}, []string{"r1", "r2", "r3", "r4", "r5"}), false), "ValidationException",
		"One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of RANGE key attributes")
	wantErr(t, create(keyElems([]string{"h1", "h2", "h3", "h4", "h5"}, []string{"r1", "r2", "r3", "r4"}), false), "ValidationException", "length less than or equal to 8")
	ks := append(keyElems([]string{"h1"}, []string{"r1"}), keyElems([]string{"h2"}, nil)...)
	wantExact(t, create(ks, false), "ValidationException", "One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes in the KeySchema")
	wantExact(t, create(keyElems([]string{"h1", "h1"}, nil), false), "ValidationException", "The KeySchema contains multiple key attributes with the same name")
	// Local indexes keep one partition and one sort attribute.
	wantErr(t, create(keyElems([]string{"id"}, []string{"r1", "r2"}), true), "ValidationException", "length less than or equal to 2")
	if err := create(keyElems([]string{"h1", "h2", "h3", "h4"}, []string{"r1", "r2", "r3", "r4"}), false); err != nil {
		t.Fatalf("four and four: %v", err)
	}
}

func TestMultiAttributeIndexAddedByUpdateTable(t *testing.T) {
	v := start(t)
	v.createTable("orders", "id", "")
	v.put("orders", item{"id": s("o1"), "customer": s("c1"), "status": s("open"), "day": ni(20261101)})
	v.put("orders", item{"id": s("o2"), "customer": s("c1"), "status": s("open"), "day": ni(20261102)})
	v.put("orders", item{"id": s("o3"), "customer": s("c1"), "status": s("shut"), "day": ni(20261103)})
	v.put("orders", item{"id": s("o4"), "customer": s("c1"), "day": ni(20261104)})
	_, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{
		TableName:            aws.String("orders"),
		AttributeDefinitions: []types.AttributeDefinition{def("customer", types.ScalarAttributeTypeS), def("status", types.ScalarAttributeTypeS), def("day", types.ScalarAttributeTypeN)},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName:  aws.String("byStatus"),
			KeySchema:  keyElems([]string{"customer", "status"}, []string{"day"}),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("orders"), IndexName: aws.String("byStatus"),
		KeyConditionExpression:    aws.String("customer = :c AND #s = :s AND #d >= :d"),
		ExpressionAttributeNames:  map[string]string{"#s": "status", "#d": "day"},
		ExpressionAttributeValues: item{":c": s("c1"), ":s": s("open"), ":d": ni(20261102)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 || sv(t, out.Items[0], "id") != "o2" || len(out.Items[0]) != 4 {
		t.Fatalf("items = %v, want o2 with its keys only", out.Items)
	}
}

// The index's key survives a snapshot: saved, loaded into a fresh
// emulator, it describes and queries as before.
func TestMultiAttributeIndexSnapshot(t *testing.T) {
	v := start(t)
	v.matchesTable()
	v.putMatch("m1", "w24", "eu", 1, "upper", 1)
	v.putMatch("m2", "w24", "eu", 2, "upper", 1)
	st, err := v.service().SaveState()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	w := start(t)
	if err := w.service().LoadState(w.service().StateVersion(), raw); err != nil {
		t.Fatal(err)
	}
	got, err := w.queryIDs("tournament = :t AND area = :r AND round > :n", item{":t": s("w24"), ":r": s("eu"), ":n": ni(1)}, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []string{"m2"}) {
		t.Fatalf("after load: %v, want [m2]", got)
	}
	out, err := w.db.DescribeTable(w.ctx, &ddb.DescribeTableInput{TableName: aws.String("matches")})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.Table.GlobalSecondaryIndexes[0].KeySchema); n != 5 {
		t.Fatalf("KeySchema after load has %d elements, want 5", n)
	}
}

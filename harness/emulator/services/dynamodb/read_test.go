package dynamodb_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// seedEvents creates table "events" (pk S, sk N) with a GSI byType
// (etype S, ts N, INCLUDE note) and an LSI byName (pk, name S, KEYS_ONLY),
// and puts partitions p0..p2 with sk 0..9.
func seedEvents(t *testing.T, v *env) {
	v.createTable("events", "pk", "sk", func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			attrDef("etype", types.ScalarAttributeTypeS), attrDef("ts", types.ScalarAttributeTypeN), attrDef("name", types.ScalarAttributeTypeS))
		in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{IndexName: aws.String("byType"),
			KeySchema:  []types.KeySchemaElement{keyElem("etype", types.KeyTypeHash), keyElem("ts", types.KeyTypeRange)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"note"}}}}
		in.LocalSecondaryIndexes = []types.LocalSecondaryIndex{{IndexName: aws.String("byName"),
			KeySchema:  []types.KeySchemaElement{keyElem("pk", types.KeyTypeHash), keyElem("name", types.KeyTypeRange)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}
	})
	for p := 0; p < 3; p++ {
		for i := 0; i < 10; i++ {
			it := item{"pk": s(fmt.Sprintf("p%d", p)), "sk": ni(i), "note": s("n" + strconv.Itoa(i)), "secret": s("s"), "name": s(fmt.Sprintf("name-%c", 'j'-i))}
			if i%3 != 0 { // sparse GSI: sk 0,3,6,9 have no etype
				it["etype"] = s([]string{"click", "view"}[i%2])
				it["ts"] = ni(100 - i)
			}
			v.put("events", it)
		}
	}
}

func sks(t *testing.T, items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, nv(t, it, "sk"))
	}
	return out
}

func TestQueryTable(t *testing.T) {
	v := start(t)
	seedEvents(t, v)
	q := func(kce string, vals item, mods ...func(*ddb.QueryInput)) *ddb.QueryOutput {
		t.Helper()
		in := &ddb.QueryInput{TableName: aws.String("events"), KeyConditionExpression: aws.String(kce), ExpressionAttributeValues: vals}
		for _, m := range mods {
			m(in)
		}
		out, err := v.db.Query(v.ctx, in)
		if err != nil {
			t.Fatalf("Query %s: %v", kce, err)
		}
		return out
	}
	cases := []struct {
		kce  string
		vals item
		mod  func(*ddb.QueryInput)
		want string
	}{
		{"pk = :p", item{":p": s("p1")}, nil, "0 1 2 3 4 5 6 7 8 9"},
		{"pk = :p AND sk BETWEEN :a AND :b", item{":p": s("p1"), ":a": ni(3), ":b": ni(6)}, nil, "3 4 5 6"},
		{"pk = :p AND sk > :a", item{":p": s("p1"), ":a": ni(7)}, nil, "8 9"},
		{"pk = :p AND sk <= :a", item{":p": s("p1"), ":a": ni(2)}, nil, "0 1 2"},
		{"pk = :p AND sk < :a", item{":p": s("p1"), ":a": ni(2)}, func(in *ddb.QueryInput) { in.ScanIndexForward = aws.Bool(false) }, "1 0"},
		{"pk = :p AND sk >= :a", item{":p": s("p1"), ":a": ni(5)}, func(in *ddb.QueryInput) { in.ScanIndexForward = aws.Bool(false) }, "9 8 7 6 5"},
		{"pk = :p AND sk = :a", item{":p": s("p2"), ":a": ni(4)}, nil, "4"},
		{"pk = :p", item{":p": s("p1")}, func(in *ddb.QueryInput) { in.ScanIndexForward = aws.Bool(false); in.Limit = aws.Int32(3) }, "9 8 7"},
		{"pk = :p", item{":p": s("nope")}, nil, ""},
	}
	for _, c := range cases {
		var mods []func(*ddb.QueryInput)
		if c.mod != nil {
			mods = append(mods, c.mod)
		}
		out := q(c.kce, c.vals, mods...)
		if got := strings.Join(sks(t, out.Items), " "); got != c.want {
			t.Errorf("%s %v: got %q want %q", c.kce, c.vals, got, c.want)
		}
	}
	// Filter: ScannedCount counts items read, Count those that matched.
	out := q("pk = :p", item{":p": s("p0"), ":n": s("n5")}, func(in *ddb.QueryInput) { in.FilterExpression = aws.String("note >= :n") })
	if out.Count != 5 || out.ScannedCount != 10 {
		t.Fatalf("filter counts: %d/%d", out.Count, out.ScannedCount)
	}
	// COUNT returns no items.
	out = q("pk = :p", item{":p": s("p0")}, func(in *ddb.QueryInput) { in.Select = types.SelectCount })
	if out.Count != 10 || out.Items != nil {
		t.Fatalf("COUNT: %d %v", out.Count, out.Items)
	}
	// Paging with Limit: a page ending at the limit has a LastEvaluatedKey.
	var all []string
	var esk item
	pages := 0
	for {
		out := q("pk = :p", item{":p": s("p2")}, func(in *ddb.QueryInput) { in.Limit = aws.Int32(4); in.ExclusiveStartKey = esk })
		pages++
		all = append(all, sks(t, out.Items)...)
		if out.LastEvaluatedKey == nil {
			break
		}
		if len(out.LastEvaluatedKey) != 2 {
			t.Fatalf("LEK: %v", out.LastEvaluatedKey)
		}
		esk = out.LastEvaluatedKey
	}
	if strings.Join(all, " ") != "0 1 2 3 4 5 6 7 8 9" || pages != 3 {
		t.Fatalf("paged: %v in %d pages", all, pages)
	}
	// Legacy KeyConditions.
	lo, err := v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), KeyConditions: map[string]types.Condition{
		"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("p0")}},
		"sk": {ComparisonOperator: types.ComparisonOperatorBetween, AttributeValueList: []types.AttributeValue{ni(1), ni(2)}},
	}})
	if err != nil || strings.Join(sks(t, lo.Items), " ") != "1 2" {
		t.Fatalf("KeyConditions: %v %v", lo, err)
	}
	// Errors.
	_, err = v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events")})
	wantExact(t, err, "ValidationException", "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	_, err = v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: item{":p": s("p0")}, ExclusiveStartKey: item{"pk": s("p1"), "sk": ni(1)}})
	wantExact(t, err, "ValidationException", "The provided starting key is outside query boundaries based on provided conditions")
	_, err = v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: item{":p": s("p0")}, Limit: aws.Int32(0)})
	wantErr(t, err, "ValidationException", "at 'limit' failed to satisfy constraint")
}

func TestQueryIndexes(t *testing.T) {
	v := start(t)
	seedEvents(t, v)
	// GSI: sparse, projected (INCLUDE note), LEK carries table and index keys.
	out, err := v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byType"),
		KeyConditionExpression:    aws.String("etype = :e AND ts BETWEEN :a AND :b"),
		ExpressionAttributeValues: item{":e": s("click"), ":a": ni(90), ":b": ni(99)}, Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	// click = even sk not divisible by 3: 2,4,8 → ts 98,96,92 in each of 3 partitions.
	if len(out.Items) != 2 || nv(t, out.Items[0], "ts") != "92" {
		t.Fatalf("gsi page: %v", out.Items)
	}
	for _, it := range out.Items {
		if _, ok := it["secret"]; ok {
			t.Fatalf("non-projected attribute returned: %v", it)
		}
		if _, ok := it["note"]; !ok {
			t.Fatalf("INCLUDE attribute missing: %v", it)
		}
	}
	lek := out.LastEvaluatedKey
	if len(lek) != 4 || lek["pk"] == nil || lek["sk"] == nil || lek["etype"] == nil || lek["ts"] == nil {
		t.Fatalf("gsi LastEvaluatedKey must hold table and index keys: %v", lek)
	}
	total := len(out.Items)
	for lek != nil {
		out, err = v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byType"),
			KeyConditionExpression:    aws.String("etype = :e AND ts BETWEEN :a AND :b"),
			ExpressionAttributeValues: item{":e": s("click"), ":a": ni(90), ":b": ni(99)}, Limit: aws.Int32(2), ExclusiveStartKey: lek})
		if err != nil {
			t.Fatal(err)
		}
		total += len(out.Items)
		lek = out.LastEvaluatedKey
	}
	if total != 9 {
		t.Fatalf("gsi total %d, want 9", total)
	}
	_, err = v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byType"), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("etype = :e"), ExpressionAttributeValues: item{":e": s("click")}})
	wantExact(t, err, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	_, err = v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byType"), Select: types.SelectAllAttributes,
		KeyConditionExpression: aws.String("etype = :e"), ExpressionAttributeValues: item{":e": s("click")}})
	wantExact(t, err, "ValidationException", "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byType because its projection type is not ALL")

	// LSI: ordered by name (reverse of sk), KEYS_ONLY by default, all
	// attributes on request (fetched from the table), begins_with.
	lo, err := v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byName"),
		KeyConditionExpression: aws.String("pk = :p AND begins_with(#n, :pre)"), ExpressionAttributeNames: map[string]string{"#n": "name"},
		ExpressionAttributeValues: item{":p": s("p1"), ":pre": s("name-")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sks(t, lo.Items), " "); got != "9 8 7 6 5 4 3 2 1 0" {
		t.Fatalf("lsi order: %s", got)
	}
	if len(lo.Items[0]) != 3 {
		t.Fatalf("KEYS_ONLY lsi item: %v", lo.Items[0])
	}
	la, err := v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), IndexName: aws.String("byName"), Select: types.SelectAllAttributes,
		KeyConditionExpression: aws.String("pk = :p AND #n > :x"), ExpressionAttributeNames: map[string]string{"#n": "name"},
		ExpressionAttributeValues: item{":p": s("p1"), ":x": s("name-h")}, ScanIndexForward: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sks(t, la.Items), " "); got != "0 1" || sv(t, la.Items[0], "secret") != "s" {
		t.Fatalf("lsi ALL_ATTRIBUTES: %v", la.Items)
	}
}

func TestScanPagingOverOneMegabyte(t *testing.T) {
	v := start(t)
	v.createTable("big", "id", "")
	const count = 1500 // 1500 × ~2 KB ≈ 3 MB
	payload := strings.Repeat("x", 2000)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := 0; i < count; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			v.put("big", item{"id": s(fmt.Sprintf("item-%05d", i)), "p": s(payload), "odd": boolv(i%2 == 1)})
		}(i)
	}
	wg.Wait()
	seen := map[string]int{}
	var esk item
	pages, scanned, matched := 0, 0, 0
	for {
		out, err := v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("big"), ExclusiveStartKey: esk,
			FilterExpression: aws.String("odd = :t"), ExpressionAttributeValues: item{":t": boolv(true)}})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		scanned += int(out.ScannedCount)
		matched += int(out.Count)
		if out.ScannedCount > 600 {
			t.Fatalf("page read %d items of 2 KB: over 1 MB", out.ScannedCount)
		}
		for _, it := range out.Items {
			seen[sv(t, it, "id")]++
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		esk = out.LastEvaluatedKey
		if pages > 100 {
			t.Fatal("scan does not terminate")
		}
	}
	if pages < 3 || scanned != count || matched != count/2 || len(seen) != count/2 {
		t.Fatalf("pages=%d scanned=%d matched=%d distinct=%d", pages, scanned, matched, len(seen))
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("%s seen %d times", id, c)
		}
	}
	// Parallel scan: segments are disjoint and cover the table.
	for _, total := range []int32{1, 3, 7} {
		got := map[string]int{}
		for seg := int32(0); seg < total; seg++ {
			var esk item
			for {
				out, err := v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("big"), Segment: aws.Int32(seg), TotalSegments: aws.Int32(total),
					ProjectionExpression: aws.String("id"), ExclusiveStartKey: esk, Limit: aws.Int32(400)})
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range out.Items {
					got[sv(t, it, "id")]++
				}
				if out.LastEvaluatedKey == nil {
					break
				}
				esk = out.LastEvaluatedKey
			}
		}
		if len(got) != count {
			t.Fatalf("TotalSegments=%d covered %d of %d", total, len(got), count)
		}
		for id, c := range got {
			if c != 1 {
				t.Fatalf("TotalSegments=%d: %s in %d segments", total, id, c)
			}
		}
	}
	_, err := v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("big"), Segment: aws.Int32(3), TotalSegments: aws.Int32(3)})
	wantExact(t, err, "ValidationException", "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3")
	_, err = v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("big"), Segment: aws.Int32(0)})
	wantExact(t, err, "ValidationException", "The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
}

func TestScanIndexAndSelect(t *testing.T) {
	v := start(t)
	seedEvents(t, v)
	out, err := v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("events"), IndexName: aws.String("byType")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 18 { // 6 of 10 per partition have etype
		t.Fatalf("gsi scan count %d", out.Count)
	}
	out, err = v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("events"), Select: types.SelectCount,
		ScanFilter: map[string]types.Condition{"sk": {ComparisonOperator: types.ComparisonOperatorLt, AttributeValueList: []types.AttributeValue{ni(5)}}}})
	if err != nil || out.Count != 15 || out.ScannedCount != 30 || out.Items != nil {
		t.Fatalf("legacy ScanFilter COUNT: %+v %v", out, err)
	}
	_, err = v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("events"), Select: types.SelectAllProjectedAttributes})
	// AWS's words, Scan's "Querying" included (moto's AWS-verified test_dynamodb_select.py).
	wantExact(t, err, "ValidationException", "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
	_, err = v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("events"), Select: types.SelectCount, ProjectionExpression: aws.String("sk")})
	wantExact(t, err, "ValidationException", "Cannot specify the ProjectionExpression when choosing to get only the Count")
	// Query words the same refusals as a model validation.
	query := func(sel types.Select, proj *string) error {
		_, err := v.db.Query(v.ctx, &ddb.QueryInput{TableName: aws.String("events"), Select: sel, ProjectionExpression: proj,
			KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("p0")}})
		return err
	}
	wantExact(t, query(types.SelectAllProjectedAttributes, nil), "ValidationException", "1 validation error detected: ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
	wantExact(t, query(types.SelectSpecificAttributes, nil), "ValidationException", "1 validation error detected: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
	wantExact(t, query(types.SelectAllAttributes, aws.String("sk")), "ValidationException", "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")
}

// DynamoDB refuses a Query filter on a key attribute of the table or index
// queried (its wording, from real-AWS reports); the other table's keys and
// nested uses inside functions count too. Scan filters may use keys.
func TestQueryFilterOnKeyAttributes(t *testing.T) {
	v := start(t)
	seedEvents(t, v)
	const msg = "Filter Expression can only contain non-primary key attributes: Primary key attribute: "
	cases := []struct {
		name, index, filter string
		names               map[string]string
		refused             string // key attribute named in the error, "" when accepted
	}{
		{"table sort key", "", "sk > :z", nil, "sk"},
		{"table hash key through a name", "", "#k = :p", map[string]string{"#k": "pk"}, "pk"},
		{"key inside a function", "", "attribute_exists(note) AND size(sk) > :z", nil, "sk"},
		{"non-key attribute", "", "note <> :p", nil, ""},
		{"index key on the index", "byType", "ts > :z", nil, "ts"},
		{"table key on a GSI query", "byType", "sk > :z", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := &ddb.QueryInput{TableName: aws.String("events"), KeyConditionExpression: aws.String("pk = :p"),
				FilterExpression: aws.String(c.filter), ExpressionAttributeNames: c.names,
				ExpressionAttributeValues: item{":p": s("p1")}}
			if strings.Contains(c.filter, ":z") {
				in.ExpressionAttributeValues[":z"] = ni(0)
			}
			if c.index != "" {
				in.IndexName = aws.String(c.index)
				in.KeyConditionExpression = aws.String("etype = :p")
			}
			_, err := v.db.Query(v.ctx, in)
			if c.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantExact(t, err, "ValidationException", msg+c.refused)
		})
	}
	if _, err := v.db.Scan(v.ctx, &ddb.ScanInput{TableName: aws.String("events"), FilterExpression: aws.String("sk > :z"),
		ExpressionAttributeValues: item{":z": ni(0)}}); err != nil {
		t.Fatalf("scan filters may use keys: %v", err)
	}
}

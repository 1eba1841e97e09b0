package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/handlers/deliveries/order"
)

var bogota, _ = time.LoadLocation("America/Bogota")

func sample(t *testing.T) order.Order {
	t.Helper()
	o, err := order.Parse([]byte(`{"pedido_id":"P-1","repartidor":{"IdRepartidor":"R-1","Nombre":"Ana"},
		"productos":[{"IdProducto":1,"producto":"Moneda","precio":2.5},{"IdProducto":1,"producto":"Moneda","precio":2.5},{"IdProducto":"B","producto":"Billete con #","precio":10}],
		"timestamp":"2025-03-14T23:59:59.5-05:00"}`), bogota, time.Date(2025, 3, 15, 5, 0, 1, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOrderItemRoundTrip(t *testing.T) {
	o := sample(t)
	item := OrderItem(o, bogota, o.Fingerprint())
	if s := item[AttrDay].(*types.AttributeValueMemberS).Value; s != "2025-03-14" {
		t.Errorf("day %s", s)
	}
	if s := item[AttrSortKey].(*types.AttributeValueMemberS).Value; s != "2025-03-15T05:00:01.000Z#P-1" {
		t.Errorf("place in the live list %s", s)
	}
	if s := item[attrTotal].(*types.AttributeValueMemberN).Value; s != "15" {
		t.Errorf("total %s", s)
	}
	back, err := DecodeOrder(item, bogota)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(o)
	b, _ := json.Marshal(back)
	if string(a) != string(b) || back.Fingerprint() != o.Fingerprint() || !back.At.Equal(o.At) {
		t.Errorf("round trip:\n %s\n %s", a, b)
	}
	delete(item, attrLines)
	if _, err := DecodeOrder(item, bogota); err == nil {
		t.Error("an item without products decoded")
	}

	// An order posted without a timestamp keeps the server's, and says so.
	o, err = order.Parse([]byte(`{"pedido_id":"P-2","repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":2.5}]}`), bogota, time.Date(2025, 3, 15, 5, 0, 1, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	back, err = DecodeOrder(OrderItem(o, bogota, o.Fingerprint()), bogota)
	if err != nil || !back.ServerTimestamp || back.Timestamp != "2025-03-15T00:00:01.000-05:00" || back.Fingerprint() != o.Fingerprint() {
		t.Errorf("server-stamped round trip: %+v %v", back, err)
	}
}

func TestDayUpdate(t *testing.T) {
	o := sample(t)
	u := dayUpdate("M", "2025-03-14", 1, o.Total())
	if got := aws.ToString(u.UpdateExpression); got != "ADD #o :o, #v :v" {
		t.Errorf("expression %s", got)
	}
	if v := u.ExpressionAttributeValues[":v"].(*types.AttributeValueMemberN).Value; v != "1500" {
		t.Errorf("sales %s cents", v)
	}
	base, err := DayCountBase("2025-03-14")
	if err != nil || base != 20161*DayCountScale {
		t.Fatalf("base %d %v", base, err)
	}
	if _, err := DayCountBase("14/03/2025"); err == nil {
		t.Error("a malformed day has a base")
	}
	p := productUpdate("P", "2025-03-14", base, "Billete con #", 2)
	if got := aws.ToString(p.UpdateExpression); got != "SET #c = if_not_exists(#c, :zero) + :n, #dc = if_not_exists(#dc, :base) + :n" {
		t.Errorf("expression %s", got)
	}
	if p.Key[AttrProduct].(*types.AttributeValueMemberS).Value != "Billete con #" || p.ExpressionAttributeValues[":base"].(*types.AttributeValueMemberN).Value != "20161000000000000" {
		t.Errorf("product update %+v", p)
	}
}

func TestProductChunks(t *testing.T) {
	for _, tc := range []struct{ distinct, head, chunks int }{{1, 1, 0}, {98, 98, 0}, {99, 98, 1}, {100, 98, 1}, {98 + 99, 98, 1}, {98 + 99 + 1, 98, 2}} {
		counts := map[string]int64{}
		for i := range tc.distinct {
			counts[fmt.Sprintf("p%03d", i)] = int64(i%3 + 1)
		}
		head, chunks := productChunks(counts)
		if len(head) != tc.head || len(chunks) != tc.chunks {
			t.Errorf("%d products: %d in the order's transaction, %d more transactions", tc.distinct, len(head), len(chunks))
			continue
		}
		var all []ProductCount
		all = append(all, head...)
		for _, c := range chunks {
			if len(c) > maxTransactItems-1 {
				t.Errorf("%d products: a share of %d", tc.distinct, len(c))
			}
			all = append(all, c...)
		}
		for i, p := range all {
			if p.Product != fmt.Sprintf("p%03d", i) || p.Count != counts[p.Product] {
				t.Errorf("%d products: #%d is %v", tc.distinct, i, p)
			}
		}
	}
}

func TestTopOf(t *testing.T) {
	b, _ := json.Marshal(TopOf(map[string]int64{"Cofre": 2, "Moneda": 3, "Billete": 2, "Anillo": 2, "Zafiro": 1}, 3))
	if string(b) != `[["Moneda",3],["Anillo",2],["Billete",2]]` {
		t.Errorf("top %s", b)
	}
	b, _ = json.Marshal(TopOf(nil, 3))
	if string(b) != `[]` {
		t.Errorf("empty top %s", b)
	}
}

// indexDB answers the two top-product queries from a day's counts, as the
// indexes would, and can make the ties index lag behind the counts.
type indexDB struct {
	DynamoDB
	counts  map[string]int64
	lagging map[string]bool // names the ties index does not show yet
	queries []*dynamodb.QueryInput
}

func (d *indexDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	d.queries = append(d.queries, in)
	var rows []ProductCount
	for p, c := range d.counts {
		rows = append(rows, ProductCount{p, c})
	}
	out := &dynamodb.QueryOutput{}
	switch aws.ToString(in.IndexName) {
	case ByCountIndex:
		// highest counts first; ties in an order DynamoDB does not promise
		sort.Slice(rows, func(i, j int) bool {
			if rows[i].Count != rows[j].Count {
				return rows[i].Count > rows[j].Count
			}
			return rows[i].Product > rows[j].Product
		})
	case TiesIndex:
		dc, _ := strconv.ParseInt(in.ExpressionAttributeValues[":dc"].(*types.AttributeValueMemberN).Value, 10, 64)
		var tied []ProductCount
		for _, r := range rows {
			if r.Count == dc%DayCountScale && !d.lagging[r.Product] {
				tied = append(tied, r)
			}
		}
		rows = tied
		sort.Slice(rows, func(i, j int) bool { return rows[i].Product < rows[j].Product })
	}
	for _, r := range rows[:min(len(rows), int(aws.ToInt32(in.Limit)))] {
		out.Items = append(out.Items, map[string]types.AttributeValue{
			AttrProduct: &types.AttributeValueMemberS{Value: r.Product},
			AttrCount:   &types.AttributeValueMemberN{Value: strconv.FormatInt(r.Count, 10)},
		})
	}
	return out, nil
}

func TestTop(t *testing.T) {
	many := map[string]int64{"Zafiro": 9, "Moneda": 4, "Cofre": 4}
	for i := range 5000 {
		many[fmt.Sprintf("Repuesto %04d", i)] = 1
	}
	for _, tc := range []struct {
		name    string
		counts  map[string]int64
		lagging map[string]bool
		n       int
		want    string
		queries int
	}{
		{"no sales", nil, nil, 3, `[]`, 1},
		{"fewer products than places", map[string]int64{"Moneda": 1, "Billete": 2}, nil, 3, `[["Billete",2],["Moneda",1]]`, 1},
		{"ties at the boundary, by name", map[string]int64{"Cofre": 2, "Moneda": 3, "Billete": 2, "Anillo": 2, "Zafiro": 1}, nil, 3, `[["Moneda",3],["Anillo",2],["Billete",2]]`, 2},
		{"leaders tied above the boundary", map[string]int64{"Cofre": 5, "Anillo": 5, "Moneda": 1, "Billete": 1}, nil, 3, `[["Anillo",5],["Cofre",5],["Billete",1]]`, 2},
		{"5,000 tied at one", many, nil, 3, `[["Zafiro",9],["Cofre",4],["Moneda",4]]`, 2},
		{"5,000 tied, two places among them", map[string]int64{"Zafiro": 9, "Repuesto 4999": 1, "Repuesto 0001": 1, "Repuesto 0000": 1}, nil, 3, `[["Zafiro",9],["Repuesto 0000",1],["Repuesto 0001",1]]`, 2},
		{"the ties index lags", map[string]int64{"Cofre": 2, "Moneda": 3, "Billete": 2, "Anillo": 2}, map[string]bool{"Anillo": true}, 3, `[["Moneda",3],["Billete",2],["Cofre",2]]`, 2},
	} {
		db := &indexDB{counts: tc.counts, lagging: tc.lagging}
		l := New(db, Tables{Products: "P"}, bogota)
		top, err := l.Top(context.Background(), "2025-03-14", tc.n)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if b, _ := json.Marshal(top); string(b) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, b, tc.want)
		}
		if len(db.queries) != tc.queries {
			t.Errorf("%s: %d queries", tc.name, len(db.queries))
		}
		for _, q := range db.queries {
			if aws.ToInt32(q.Limit) != int32(tc.n) {
				t.Errorf("%s: a query of %d items", tc.name, aws.ToInt32(q.Limit))
			}
			if consistent := aws.ToBool(q.ConsistentRead); consistent != (aws.ToString(q.IndexName) == ByCountIndex) {
				t.Errorf("%s: %s read consistent=%v (a GSI cannot be)", tc.name, aws.ToString(q.IndexName), consistent)
			}
		}
	}
}

func TestTokens(t *testing.T) {
	lek := map[string]types.AttributeValue{
		AttrFeed:    &types.AttributeValueMemberS{Value: FeedValue},
		AttrSortKey: &types.AttributeValueMemberS{Value: "2025-03-14T10:00:00.000Z#P-1"},
		AttrOrderID: &types.AttributeValueMemberS{Value: "P-1"},
	}
	back, err := decodeToken(encodeToken(lek))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range lek {
		if back[k].(*types.AttributeValueMemberS).Value != v.(*types.AttributeValueMemberS).Value {
			t.Errorf("%s differs", k)
		}
	}
	for _, bad := range []string{"%%%", "e30", strings.Repeat("A", 2000), "bm90IGpzb24"} {
		if _, err := decodeToken(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// pagedDB answers Query with pages of at most 2 items whatever the Limit,
// as DynamoDB does when 1 MB is reached first.
type pagedDB struct {
	DynamoDB
	items [][]map[string]types.AttributeValue
	calls int
}

func (p *pagedDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	p.calls++
	i := 0
	if in.ExclusiveStartKey != nil {
		i = 1
		for ; i < len(p.items); i++ {
			if in.ExclusiveStartKey[AttrOrderID].(*types.AttributeValueMemberS).Value == "page"+string(rune('0'+i-1)) {
				break
			}
		}
	}
	out := &dynamodb.QueryOutput{Items: p.items[i]}
	if i+1 < len(p.items) {
		out.LastEvaluatedKey = map[string]types.AttributeValue{
			AttrFeed: &types.AttributeValueMemberS{Value: FeedValue}, AttrSortKey: &types.AttributeValueMemberS{Value: "k"},
			AttrOrderID: &types.AttributeValueMemberS{Value: "page" + string(rune('0'+i))},
		}
	}
	return out, nil
}

func TestPageFollowsLastEvaluatedKey(t *testing.T) {
	o := sample(t)
	item := OrderItem(o, bogota, "")
	db := &pagedDB{items: [][]map[string]types.AttributeValue{{item, item}, {item, item}, {item}}}
	l := New(db, Tables{Orders: "Pedidos"}, bogota)
	got, next, err := l.Page(context.Background(), 100, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || next != "" || db.calls != 3 {
		t.Errorf("got %d orders in %d calls, next %q", len(got), db.calls, next)
	}
	if _, _, err := l.Page(context.Background(), 0, ""); err == nil {
		t.Error("limit 0 accepted")
	}
}

// FuzzDecodeToken: no next_token makes the ledger panic, and every token
// it accepts names a position it would have issued itself.
func FuzzDecodeToken(f *testing.F) {
	f.Add("")
	f.Add(encodeToken(map[string]types.AttributeValue{
		AttrSortKey: &types.AttributeValueMemberS{Value: "2025-03-14T10:00:00.000Z#P-1"},
		AttrOrderID: &types.AttributeValueMemberS{Value: "P-1"},
	}))
	f.Add("e30")
	f.Add("eyJvIjoxfQ")
	f.Fuzz(func(t *testing.T, token string) {
		key, err := decodeToken(token)
		if err != nil || key == nil {
			return
		}
		if back, err := decodeToken(encodeToken(key)); err != nil || len(back) != 3 {
			t.Fatalf("re-encoding %q: %v", token, err)
		}
	})
}

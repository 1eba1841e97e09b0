package ledger

import (
	"context"
	"encoding/json"
	"errors"
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
		"timestamp":"2025-03-14T23:59:59.5-05:00"}`), bogota)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOrderItemRoundTrip(t *testing.T) {
	o := sample(t)
	item := OrderItem(o, bogota, o.Fingerprint(), time.Unix(0, 0))
	if s := item[AttrDay].(*types.AttributeValueMemberS).Value; s != "2025-03-14" {
		t.Errorf("day %s", s)
	}
	if s := item[attrTotal].(*types.AttributeValueMemberN).Value; s != "15" {
		t.Errorf("total %s", s)
	}
	back, err := DecodeOrder(item)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(o)
	b, _ := json.Marshal(back)
	if string(a) != string(b) || back.Fingerprint() != o.Fingerprint() {
		t.Errorf("round trip:\n %s\n %s", a, b)
	}
	delete(item, attrLines)
	if _, err := DecodeOrder(item); err == nil {
		t.Error("an item without products decoded")
	}
}

func TestDayUpdate(t *testing.T) {
	o := sample(t)
	u := dayUpdate("M", "2025-03-14", 1, o.Total(), o.ProductCounts())
	if got := aws.ToString(u.UpdateExpression); got != "ADD #o :o, #v :v, #p0 :p0, #p1 :p1" {
		t.Errorf("expression %s", got)
	}
	if u.ExpressionAttributeNames["#p0"] != "producto#Billete con #" || u.ExpressionAttributeNames["#p1"] != "producto#Moneda" {
		t.Errorf("names %v", u.ExpressionAttributeNames)
	}
	if v := u.ExpressionAttributeValues[":p1"].(*types.AttributeValueMemberN).Value; v != "2" {
		t.Errorf("Moneda counted %s times", v)
	}
	if v := u.ExpressionAttributeValues[":v"].(*types.AttributeValueMemberN).Value; v != "1500" {
		t.Errorf("sales %s cents", v)
	}
}

func TestTop(t *testing.T) {
	d := DayTotals{Products: map[string]int64{"Cofre": 2, "Moneda": 3, "Billete": 2, "Anillo": 2, "Zafiro": 1}}
	b, _ := json.Marshal(d.Top(3))
	if string(b) != `[["Moneda",3],["Anillo",2],["Billete",2]]` {
		t.Errorf("top %s", b)
	}
	b, _ = json.Marshal(DayTotals{}.Top(3))
	if string(b) != `[]` {
		t.Errorf("empty top %s", b)
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
	item := OrderItem(o, bogota, "", time.Unix(0, 0))
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

package deliveries

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/handlers/deliveries/ledger"
	"github.com/groundstack/groundstack/handlers/deliveries/order"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// TestLedgerOnTheDeployedTables runs the handler's ledger against the
// tables Deploy creates, on the emulator: transactions, idempotency,
// conflicts, aggregates and newest-first paging.
func TestLedgerOnTheDeployedTables(t *testing.T) {
	_, cfg := emutest.Start(t)
	ctx := context.Background()
	if err := ensureTables(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation(DefaultZone)
	db := dynamodb.NewFromConfig(cfg)
	l := ledger.New(db, Tables(), zone)
	parse := func(id, ts string, price string) order.Order {
		t.Helper()
		o, err := order.Parse([]byte(fmt.Sprintf(`{"pedido_id":%q,"repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":%s},{"IdProducto":2,"producto":"Billete %s","precio":10}],"timestamp":%q}`, id, price, id, ts)), zone, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	const n = 600
	var want []string
	for i := range n {
		o := parse(fmt.Sprintf("P-%03d", i), time.Date(2025, 3, 14, 6, 0, i, 0, zone).Format(time.RFC3339), "2.5")
		out, err := l.Record(ctx, o)
		if err != nil || out != ledger.Recorded {
			t.Fatalf("record %d: %v %v", i, out, err)
		}
		want = append(want, o.ID)
	}
	again := parse("P-000", "2025-03-14T06:00:00-05:00", "2.50")
	if out, err := l.Record(ctx, again); err != nil || out != ledger.AlreadyRecorded {
		t.Errorf("identical repost: %v %v", out, err)
	}
	if _, err := l.Record(ctx, parse("P-000", "2025-03-14T06:00:00-05:00", "3")); !errors.Is(err, ledger.ErrConflict) {
		t.Errorf("conflicting repost: %v", err)
	}
	day, err := l.Day(ctx, "2025-03-14", 3)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(day.Top); day.Orders != n || day.Sales != order.Cents(n*1250) || string(b) != `[["Moneda",600],["Billete P-000",1],["Billete P-001",1]]` {
		t.Errorf("day totals: %d orders, %d cents, top %s", day.Orders, day.Sales, b)
	}

	sort.Sort(sort.Reverse(sort.StringSlice(want))) // newest first = highest second
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		orders, next, err := l.Page(ctx, 7, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orders {
			got = append(got, o.ID)
		}
		if next == "" {
			break
		}
		token = next
		if pages > n {
			t.Fatal("paging does not end")
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("paging by 7 returned %d orders, not newest first or not all", len(got))
	}

	// Pages of ~300 KB, many times: each is an SDK read of a large
	// response on loopback, the case handlers/sdkhttp exists for.
	for i := range 40 {
		orders, next, err := l.Page(ctx, 1000, "")
		if err != nil {
			t.Fatalf("large page %d: %v", i, err)
		}
		if len(orders) != n || next != "" {
			t.Fatalf("large page %d: %d orders, next %q", i, len(orders), next)
		}
	}
}

// bigOrder is an order of distinct products, one line each, named
// "{prefix} NNN".
func bigOrder(t *testing.T, zone *time.Location, id, prefix string, products int) order.Order {
	t.Helper()
	lines := make([]string, products)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"IdProducto":%d,"producto":"%s %03d","precio":1}`, i, prefix, i)
	}
	o, err := order.Parse([]byte(fmt.Sprintf(`{"pedido_id":%q,"repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[%s],"timestamp":"2025-04-01T10:00:00-05:00"}`, id, strings.Join(lines, ","))), zone, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// failingTransactions fails the n-th TransactWriteItems call (from 1) as a
// crash between two of an order's transactions would.
type failingTransactions struct {
	ledger.DynamoDB
	calls, failAt atomic.Int64
}

func (f *failingTransactions) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if f.calls.Add(1) == f.failAt.Load() {
		return nil, errors.New("connection reset")
	}
	return f.DynamoDB.TransactWriteItems(ctx, in, opts...)
}

// TestOrdersWithMoreProductsThanATransaction: an order of 100 distinct
// products needs two transactions (DynamoDB takes 100 actions in one, and
// the order and the day's totals take two). Every product is counted
// exactly once: in one go, after a failure half-way and a repost, and when
// the same order is posted many times at once.
func TestOrdersWithMoreProductsThanATransaction(t *testing.T) {
	_, cfg := emutest.Start(t)
	ctx := context.Background()
	if err := ensureTables(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation(DefaultZone)
	db := &failingTransactions{DynamoDB: dynamodb.NewFromConfig(cfg)}
	l := ledger.New(db, Tables(), zone)
	const day = "2025-04-01"
	counts := func(prefix string) map[string]int64 {
		t.Helper()
		out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(ProductsTable), ConsistentRead: aws.Bool(true),
			KeyConditionExpression: aws.String("dia = :d AND begins_with(producto, :p)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":d": &types.AttributeValueMemberS{Value: day}, ":p": &types.AttributeValueMemberS{Value: prefix + " "},
			}})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int64{}
		for _, item := range out.Items {
			var c int64
			fmt.Sscan(item[ledger.AttrCount].(*types.AttributeValueMemberN).Value, &c)
			m[item[ledger.AttrProduct].(*types.AttributeValueMemberS).Value] = c
		}
		return m
	}
	pending := func(id string) types.AttributeValue {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(OrdersTable), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{ledger.AttrOrderID: &types.AttributeValueMemberS{Value: id}}})
		if err != nil || out.Item == nil {
			t.Fatalf("order %s: %v", id, err)
		}
		return out.Item["contadores_pendientes"]
	}
	want := func(prefix string, n int, each int64) {
		t.Helper()
		got := counts(prefix)
		bad := len(got) != n
		for _, c := range got {
			bad = bad || c != each
		}
		if bad {
			t.Errorf("%s: %d products counted (want %d, each %d times): %v", prefix, len(got), n, each, got)
		}
	}

	// In one go.
	if out, err := l.Record(ctx, bigOrder(t, zone, "BIG-1", "A", 100)); err != nil || out != ledger.Recorded {
		t.Fatalf("record: %v %v", out, err)
	}
	want("A", 100, 1)
	if p := pending("BIG-1"); p != nil {
		t.Errorf("BIG-1 still owes transactions: %v", p)
	}
	if out, err := l.Record(ctx, bigOrder(t, zone, "BIG-1", "A", 100)); err != nil || out != ledger.AlreadyRecorded {
		t.Fatalf("repost: %v %v", out, err)
	}
	want("A", 100, 1)

	// Cut after the first transaction: the order is stored, owes one more;
	// its repost completes it, and is not a duplicate.
	db.calls.Store(0)
	db.failAt.Store(2)
	if _, err := l.Record(ctx, bigOrder(t, zone, "BIG-2", "B", 100)); err == nil {
		t.Fatal("the cut recording succeeded")
	}
	db.failAt.Store(0)
	if p, ok := pending("BIG-2").(*types.AttributeValueMemberN); !ok || p.Value != "1" {
		t.Fatalf("BIG-2 owes %v", pending("BIG-2"))
	}
	want("B", 98, 1)
	if out, err := l.Record(ctx, bigOrder(t, zone, "BIG-2", "B", 100)); err != nil || out != ledger.Recorded {
		t.Fatalf("repost after the cut: %v %v", out, err)
	}
	want("B", 100, 1)
	if out, err := l.Record(ctx, bigOrder(t, zone, "BIG-2", "B", 100)); err != nil || out != ledger.AlreadyRecorded {
		t.Fatalf("second repost: %v %v", out, err)
	}
	want("B", 100, 1)

	// The same order posted 8 times at once, cut half-way first.
	db.calls.Store(0)
	db.failAt.Store(2)
	if _, err := l.Record(ctx, bigOrder(t, zone, "BIG-3", "C", 100)); err == nil {
		t.Fatal("the cut recording succeeded")
	}
	db.failAt.Store(0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Record(ctx, bigOrder(t, zone, "BIG-3", "C", 100)); err != nil {
				t.Errorf("concurrent repost: %v", err)
			}
		}()
	}
	wg.Wait()
	want("C", 100, 1)
	day3, err := l.Day(ctx, day, 3)
	if err != nil {
		t.Fatal(err)
	}
	if day3.Orders != 3 || day3.Sales != 300*100 {
		t.Errorf("day totals: %d orders, %d cents", day3.Orders, day3.Sales)
	}
}

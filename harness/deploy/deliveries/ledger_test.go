package deliveries

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

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
	l := ledger.New(db, ledger.Tables{Users: UsersTable, Orders: OrdersTable, Metrics: MetricsTable}, zone)
	parse := func(id, ts string, price string) order.Order {
		t.Helper()
		o, err := order.Parse([]byte(fmt.Sprintf(`{"pedido_id":%q,"repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":%s},{"IdProducto":2,"producto":"Billete %s","precio":10}],"timestamp":%q}`, id, price, id, ts)), zone)
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
	day, err := l.Day(ctx, "2025-03-14")
	if err != nil {
		t.Fatal(err)
	}
	if day.Orders != n || day.Sales != order.Cents(n*1250) || day.Products["Moneda"] != n || day.Products["Billete P-000"] != 1 {
		t.Errorf("day totals: %d orders, %d cents, Moneda %d", day.Orders, day.Sales, day.Products["Moneda"])
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

package deliveries_test

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/handlers/deliveries/ledger"
	"github.com/groundstack/groundstack/handlers/deliveries/order"
	"github.com/groundstack/groundstack/harness/deploy/deliveries"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	ld "github.com/groundstack/groundstack/load/deliveries"
)

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAggregates compares what recording an order costs with the
// aggregates kept in the same transaction (what the flow does) against a
// bare PutItem (what a Streams consumer design would do on the write path,
// before its consumer's own reads and writes), and the reads the API does.
// CPU is this process's: the embedded emulator plus the SDK client.
func BenchmarkAggregates(b *testing.B) {
	_, cfg := emutest.Start(b)
	ctx := context.Background()
	if _, err := deliveries.Deploy(ctx, cfg, deliveries.Options{Password: "bench-password", BcryptCost: 4}); err != nil {
		b.Fatal(err)
	}
	zone, _ := time.LoadLocation(deliveries.DefaultZone)
	db := dynamodb.NewFromConfig(cfg)
	l := ledger.New(db, deliveries.Tables(), zone)
	var seq atomic.Int64
	next := func() order.Order {
		body := fmt.Sprintf(`{"pedido_id":"B-%d","repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":2.5},{"IdProducto":2,"producto":"Billete","precio":10},{"IdProducto":3,"producto":"Cofre","precio":7.25}],"timestamp":"2026-03-14T10:00:00-05:00"}`, seq.Add(1))
		o, err := order.Parse([]byte(body), zone, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		return o
	}
	run := func(b *testing.B, op func()) {
		b.ReportAllocs()
		b.ResetTimer()
		c0 := processCPU()
		for i := 0; i < b.N; i++ {
			op()
		}
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "cpu-us/op")
	}
	b.Run("RecordTransaction", func(b *testing.B) {
		run(b, func() {
			if _, err := l.Record(ctx, next()); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("PutItemOnly", func(b *testing.B) {
		run(b, func() {
			o := next()
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(deliveries.OrdersTable), Item: ledger.OrderItem(o, zone, o.Fingerprint()),
				ConditionExpression: aws.String("attribute_not_exists(pedido_id)")}); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("DayMetrics", func(b *testing.B) {
		run(b, func() {
			if _, err := l.Day(ctx, "2026-03-14", 3); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("Page100", func(b *testing.B) {
		run(b, func() {
			if _, _, err := l.Page(ctx, 100, ""); err != nil {
				b.Fatal(err)
			}
		})
	})
	// The same day read by a full Scan, as the original computed metrics:
	// its cost grows with every order stored.
	b.Run("ScanAllOrders", func(b *testing.B) {
		n := 0
		run(b, func() {
			p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(deliveries.OrdersTable), Select: dtypes.SelectAllAttributes})
			n = 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					b.Fatal(err)
				}
				n += len(out.Items)
			}
		})
		b.ReportMetric(float64(n), "orders")
	})
}

// BenchmarkAPI: the API through API Gateway → Lambda (warm), as clients
// see it.
func BenchmarkAPI(b *testing.B) {
	_, cfg := emutest.Start(b)
	ctx := context.Background()
	st, err := deliveries.Deploy(ctx, cfg, deliveries.Options{Password: "bench-password", BcryptCost: 4})
	if err != nil {
		b.Fatal(err)
	}
	c := ld.NewClient(st.APIURL)
	tok, err := c.Login(ctx, "admin", "bench-password")
	if err != nil {
		b.Fatal(err)
	}
	c = c.WithToken(tok)
	i := 0
	b.Run("POST", func(b *testing.B) {
		b.ReportAllocs()
		c0 := processCPU()
		for range b.N {
			i++
			r, err := c.PostOrder(ctx, []byte(`{"pedido_id":"API-`+strconv.Itoa(i)+`","repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":2.5}],"timestamp":"2026-03-14T10:00:00-05:00"}`))
			if err != nil || r.Status != 200 {
				b.Fatalf("%v %d %s", err, r.Status, r.Body)
			}
		}
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "emu+client-cpu-us/op")
	})
	b.Run("GETmetrics", func(b *testing.B) {
		c0 := processCPU()
		for range b.N {
			if _, _, err := c.Metrics(ctx, "2026-03-14"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(b.N), "emu+client-cpu-us/op")
	})
}

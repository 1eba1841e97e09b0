package deliveries_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/groundstack/groundstack/handlers/deliveries/order"
	"github.com/groundstack/groundstack/harness/backend"
	deploy "github.com/groundstack/groundstack/harness/deploy/deliveries"
	ld "github.com/groundstack/groundstack/load/deliveries"
)

// BenchmarkReadsAsHistoryGrows measures the dashboard's reads through the
// REST API with 1,000 and then 100,000 orders stored: GET /metrics for a
// day of that history (one aggregate item, so it should not grow) and GET
// /pedidos's newest 100. Each sub-benchmark reports its p99 and, at 100k,
// its time per read relative to 1k ("x-1k", 1 is constant time). The
// orders go in by BatchWriteItem on the backend GROUNDSTACK_BACKEND picks
// (embedded by default); the 100k load takes well under a minute there.
func BenchmarkReadsAsHistoryGrows(b *testing.B) {
	ctx := context.Background()
	be, err := backend.FromEnv(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { be.Close() })
	st, err := deploy.Deploy(ctx, be.Config(), deploy.Options{Password: "bench-password", BcryptCost: 4})
	if err != nil {
		b.Fatal(err)
	}
	zone, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		b.Fatal(err)
	}
	c := ld.NewClient(st.APIURL)
	tok, err := c.Login(ctx, st.Logins[0].Username, st.Logins[0].Password)
	if err != nil {
		b.Fatal(err)
	}
	c = c.WithToken(tok)
	db := dynamodb.NewFromConfig(be.Config())
	yesterday := time.Now().In(zone).AddDate(0, 0, -1).Format(order.DayLayout)
	reads := []struct {
		name string
		read func() error
	}{
		{"GETmetrics", func() error { _, _, err := c.Metrics(ctx, yesterday); return err }},
		{"GETpedidos100", func() error { _, err := c.Orders(ctx, 100, ""); return err }},
	}
	perRead := map[string]float64{} // ns per read at 1k, by read
	for _, size := range []int{1_000, 100_000} {
		have, err := storedOrders(ctx, db, st.Tables)
		if err != nil {
			b.Fatal(err)
		}
		if err := seedHistory(ctx, db, st.Tables, size-have, zone); err != nil {
			b.Fatal(err)
		}
		stored, err := storedOrders(ctx, db, st.Tables)
		if err != nil || stored < size {
			b.Fatalf("%d orders stored, want %d (%v)", stored, size, err)
		}
		for _, r := range reads {
			for range 20 { // warm every instance behind the API
				if err := r.read(); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(fmt.Sprintf("orders=%d/%s", size, r.name), func(b *testing.B) {
				var lat []time.Duration
				for b.Loop() {
					start := time.Now()
					if err := r.read(); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(stored), "orders")
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				if size == 1_000 {
					perRead[r.name] = ns
				} else if base := perRead[r.name]; base > 0 {
					b.ReportMetric(ns/base, "x-1k")
				}
			})
		}
	}
}

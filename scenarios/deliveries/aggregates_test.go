package deliveries_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/handlers/deliveries/order"
	ld "github.com/groundstack/groundstack/load/deliveries"
)

// catalogueOrder is an order of the many-names scenario: its body and what
// it adds to the day.
type catalogueOrder struct {
	id    string
	body  []byte
	total order.Cents
}

var _ = Describe("a day with 5,000 distinct product names", Ordered, Label("deliveries", "aggregates"), func() {
	const (
		day      = "2025-09-09"
		names    = 5000
		perOrder = 100 // the most an order may carry: more than fit in one transaction
		prefix   = "NAMES-"
	)
	var (
		orders  []catalogueOrder
		elapsed time.Duration
	)

	// Every name is long (the original's one-item-per-day design fails past
	// ~3,600 of these: the item passes DynamoDB's 400 KB). A few names are
	// bought again by later orders so the top 3 is decided by counts and, at
	// the boundary, by name among 5,000-odd ties.
	productName := func(i int) string {
		return fmt.Sprintf("Repuesto %05d %s", i, strings.Repeat("·", 60))
	}
	popular := []struct {
		name  string
		times int
	}{
		{productName(4999), 6}, // 7 in all: the top
		{productName(1234), 4}, // 5 in all: tied with the two below, first by name
		{productName(2500), 4},
		{productName(3000), 4}, // 5 in all, fourth by name: not in the top 3
	}

	BeforeAll(func(ctx context.Context) {
		ts := day + "T10:00:00-05:00"
		n := 0
		add := func(lines []line) {
			id := fmt.Sprintf("%s%04d", prefix, n)
			n++
			var total order.Cents
			for i := range lines {
				c := order.Cents(100 + (n*37+i*11)%9900) // 1.00 to 99.99
				lines[i].Price = json.Number(c.String())
				total += c
			}
			orders = append(orders, catalogueOrder{id: id, body: orderBody(id, ts, lines...), total: total})
		}
		for start := 0; start < names; start += perOrder {
			lines := make([]line, 0, perOrder)
			for i := start; i < start+perOrder && i < names; i++ {
				lines = append(lines, line{ID: i, Name: productName(i)})
			}
			add(lines)
		}
		for round := range 6 {
			var lines []line
			for _, p := range popular {
				if round < p.times {
					lines = append(lines, line{ID: "popular", Name: p.name})
				}
			}
			add(lines)
		}

		start := time.Now()
		work := make(chan catalogueOrder)
		var mu sync.Mutex
		statuses := map[int]int{}
		var failures []string
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := []*ld.Client{restAuthed, fnAuthed}[w%2]
				for o := range work {
					r, err := c.PostOrder(ctx, o.body)
					mu.Lock()
					if err != nil {
						failures = append(failures, o.id+": "+err.Error())
					} else {
						statuses[r.Status]++
						if r.Status != 200 {
							failures = append(failures, fmt.Sprintf("%s: HTTP %d %.200s", o.id, r.Status, r.Body))
						}
					}
					mu.Unlock()
				}
			}()
		}
		for _, o := range orders {
			work <- o
		}
		close(work)
		wg.Wait()
		elapsed = time.Since(start)
		record("5,000 names: seconds to post", elapsed.Seconds())
		record("5,000 names: orders posted", len(orders))
		Expect(failures).To(BeEmpty(), "every order is acknowledged (statuses %v)", statuses)
	}, NodeTimeout(3*time.Minute))

	It("lists every order", func(ctx context.Context) {
		all, _, err := restAuthed.AllOrders(ctx, 1000)
		Expect(err).NotTo(HaveOccurred())
		seen := map[string]int{}
		for _, o := range all {
			if strings.HasPrefix(o.ID, prefix) {
				seen[o.ID]++
			}
		}
		for _, o := range orders {
			Expect(seen[o.id]).To(Equal(1), "order %s", o.id)
		}
	})

	It("has the day's metrics exact, ties broken by name, through both front doors", func(ctx context.Context) {
		var sales order.Cents
		for _, o := range orders {
			sales += o.total
		}
		want := map[string]any{
			"top_3_productos":            [][2]any{{popular[0].name, 7}, {popular[1].name, 5}, {popular[2].name, 5}},
			"pedidos_dia":                len(orders),
			"acumulado_ventas_dia":       json.Number(sales.String()),
			"precio_promedio_por_pedido": json.Number(order.Average(sales, int64(len(orders))).String()),
			"fecha":                      day,
			"zona_horaria":               stack.TimeZone,
		}
		wantJSON, _ := json.Marshal(want)
		for door, c := range map[string]*ld.Client{"REST API": restAuthed, "Function URL": fnAuthed} {
			_, raw, err := c.Metrics(ctx, day)
			Expect(err).NotTo(HaveOccurred())
			Expect(raw).To(MatchJSON(wantJSON), door)
		}
		record("5,000 names: /metrics latency of that day", metricsLatencyOf(ctx, restAuthed, day, 50))
	})
})

// metricsLatencyOf times n sequential GET /metrics?fecha=day calls.
func metricsLatencyOf(ctx context.Context, c *ld.Client, day string, n int) map[string]float64 {
	GinkgoHelper()
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		_, _, err := c.Metrics(ctx, day)
		Expect(err).NotTo(HaveOccurred())
		d[i] = time.Since(start)
	}
	return latencySummary(d)
}

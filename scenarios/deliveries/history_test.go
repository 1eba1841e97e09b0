package deliveries_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	fixtures "github.com/groundstack/groundstack/fixtures/deliveries"
	"github.com/groundstack/groundstack/handlers/deliveries/ledger"
	"github.com/groundstack/groundstack/handlers/deliveries/order"
)

// storedOrders counts the orders table through its time index, page by
// page.
func storedOrders(ctx context.Context, db *dynamodb.Client, tables ledger.Tables) (int, error) {
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName: aws.String(tables.Orders), IndexName: aws.String("por_fecha"), Select: dtypes.SelectCount,
		KeyConditionExpression:    aws.String("feed = :f"),
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":f": &dtypes.AttributeValueMemberS{Value: "pedidos"}},
	})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		n += int(out.Count)
	}
	return n, nil
}

// seedHistory writes n orders straight into DynamoDB (BatchWriteItem, 8
// writers), as a year of earlier business would have left them: spread
// over the 365 days before today, with the days' aggregates added to match.
// Plain Go, so the suite's specs and the benchmarks share it.
func seedHistory(ctx context.Context, db *dynamodb.Client, tables ledger.Tables, n int, zone *time.Location) error {
	if n <= 0 {
		return nil
	}
	cat, err := fixtures.Catalogue()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	today := time.Now().In(zone)
	type dayTotals struct {
		orders   int64
		sales    order.Cents
		products map[string]int64
	}
	days := map[string]*dayTotals{}
	items := make(chan dtypes.WriteRequest, 1024)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			batch := make([]dtypes.WriteRequest, 0, 25)
			flush := func() {
				pending := map[string][]dtypes.WriteRequest{tables.Orders: batch}
				for len(pending[tables.Orders]) > 0 {
					out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
					if err != nil {
						cancel(err)
						return
					}
					pending = out.UnprocessedItems
				}
				batch = batch[:0]
			}
			for it := range items {
				if ctx.Err() != nil {
					continue // drain: the producer stops at the cancel
				}
				if batch = append(batch, it); len(batch) == 25 {
					flush()
				}
			}
			if len(batch) > 0 && ctx.Err() == nil {
				flush()
			}
		})
	}
	prefix := fmt.Sprintf("HIST-%d-", time.Now().UnixNano())
	for i := 0; i < n && ctx.Err() == nil; i++ {
		at := today.AddDate(0, 0, -1-rng.IntN(365)).Add(-time.Duration(rng.IntN(86400)) * time.Second)
		o := order.Order{ID: prefix + strconv.Itoa(i), Courier: order.Courier{ID: order.ID{Text: strconv.Itoa(1 + rng.IntN(8)), Numeric: true}, Name: "Histórico"},
			Timestamp: at.Format(time.RFC3339), At: at, Received: at.UTC()} // received when delivered
		for range 1 + rng.IntN(10) {
			p := cat[rng.IntN(len(cat))]
			price, err := order.ParseCents(p.Price.String())
			if err != nil {
				cancel(err)
				break
			}
			o.Lines = append(o.Lines, order.Line{ProductID: order.ID{Text: string(p.ID), Numeric: true}, Product: p.Name, Price: price})
		}
		if ctx.Err() != nil {
			break
		}
		day := o.Day(zone)
		t := days[day]
		if t == nil {
			t = &dayTotals{products: map[string]int64{}}
			days[day] = t
		}
		t.orders++
		t.sales += o.Total()
		for p, k := range o.ProductCounts() {
			t.products[p] += k
		}
		items <- dtypes.WriteRequest{PutRequest: &dtypes.PutRequest{Item: ledger.OrderItem(o, zone, o.Fingerprint())}}
	}
	close(items)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	// The days' aggregates are added to (days that already have orders
	// keep them), as the orders' own transactions would have.
	l := ledger.New(db, tables, zone)
	for day, t := range days {
		if err := l.AddToDay(ctx, day, t.orders, t.sales, t.products); err != nil {
			return fmt.Errorf("seed history: day %s: %w", day, err)
		}
	}
	return nil
}

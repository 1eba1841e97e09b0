// Package ledger keeps the deliveries flow's state in DynamoDB: orders
// (newest first through a GSI), per-day running aggregates written in the
// same transaction as each order, and users. It imports only the AWS SDK
// and the flow's own packages, never groundstack's harness.
//
// A day's aggregates are small fixed-size items, however many orders and
// product names the day has: one totals item (orders, sales) in the
// Metrics table, and one counter item per product in the Products table.
// The top products are read through two indexes of the Products table
// (see Top), a bounded read whatever the history or the catalogue.
package ledger

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/handlers/deliveries/order"
)

// Names of the tables' attributes and of the orders' time index.
const (
	AttrUsername     = "username"
	AttrPasswordHash = "password_hash"
	AttrOrderID      = "pedido_id"
	AttrDay          = "dia"
	// ByTimeIndex is the GSI that lists orders newest first (by arrival):
	// every order has the same Feed partition and its SortKey as sort key.
	ByTimeIndex = "por_fecha"
	AttrFeed    = "feed"
	AttrSortKey = "orden"
	FeedValue   = "pedidos"

	attrCourier     = "repartidor"
	attrCourierID   = "IdRepartidor"
	attrCourierName = "Nombre"
	attrLines       = "productos"
	attrProductID   = "IdProducto"
	attrProduct     = "producto"
	attrPrice       = "precio"
	attrTimestamp   = "timestamp"
	attrTotal       = "total"
	attrFingerprint = "huella"
	attrReceived    = "recibido"
	// attrServerTimestamp marks an order posted without a timestamp.
	attrServerTimestamp = "timestamp_servidor"
	// attrPending counts the product-counter transactions an order still
	// owes (see Record); absent once they are all written.
	attrPending = "contadores_pendientes"
	// Aggregate attributes of a day's totals item.
	attrDayOrders = "pedidos"
	attrDaySales  = "ventas_centavos"

	// The Products table: key (AttrDay, AttrProduct), one item per day and
	// product. AttrCount is the product's count that day; AttrDayCount is
	// the day and the count in one number (day number × DayCountScale +
	// count), kept in step with AttrCount by the same update, so that the
	// products tied at one count on one day form one partition of the
	// TiesIndex, sorted by name.
	AttrProduct   = "producto"
	AttrCount     = "cuenta"
	AttrDayCount  = "dia_cuenta"
	DayCountScale = 1_000_000_000_000
	// ByCountIndex (LSI: AttrDay, AttrCount) lists a day's products by
	// count; TiesIndex (GSI: AttrDayCount, AttrProduct) lists the products
	// of one day and one count by name.
	ByCountIndex = "por_cuenta"
	TiesIndex    = "empates"
	// MaxTop bounds how many top products one read returns.
	MaxTop = 100

	// maxTransactItems is DynamoDB's limit of actions in one
	// TransactWriteItems.
	maxTransactItems   = 100
	maxConflictRetries = 8
	// MaxPageLimit bounds one /pedidos page (a Lambda response is at most 6 MB).
	MaxPageLimit = 1000
	maxTokenLen  = 1024
)

// Tables names the flow's four tables.
type Tables struct {
	Users   string // key username
	Orders  string // key pedido_id, GSI por_fecha (feed, orden)
	Metrics string // key dia: one totals item per day
	// Products: key (dia, producto), one counter item per day and product;
	// LSI por_cuenta (dia, cuenta), GSI empates (dia_cuenta, producto).
	Products string
}

// DynamoDB is the part of the DynamoDB client the ledger uses.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Ledger records and reads the flow's state.
type Ledger struct {
	db     DynamoDB
	tables Tables
	zone   *time.Location
	now    func() time.Time
}

// New returns a ledger over db; days are calendar days in zone.
func New(db DynamoDB, tables Tables, zone *time.Location) *Ledger {
	return &Ledger{db: db, tables: tables, zone: zone, now: time.Now}
}

// Errors the ledger reports for the caller to map.
var (
	// ErrConflict: the pedido_id is recorded already with other content.
	ErrConflict = errors.New("ledger: pedido_id already recorded with different content")
	// ErrBadToken: a next_token the ledger did not issue.
	ErrBadToken = errors.New("ledger: next_token is not valid")
)

// Outcome says what Record did.
type Outcome int

const (
	// Recorded: the order and its day's aggregates were written.
	Recorded Outcome = iota
	// AlreadyRecorded: the same order was recorded before; nothing changed.
	AlreadyRecorded
)

// Record writes the order and adds it to its day's aggregates: the order,
// the day's totals and the first products' counters in one transaction, so
// all of them happen or none does, and a pedido_id is counted once however
// often it is posted. A transaction holds at most 100 actions: an order
// with more distinct products than fit beside the order and the totals (98)
// writes the rest in follow-up transactions, each of which also counts
// down the order's attrPending, so each is applied exactly once even when
// the same order is posted again concurrently, and a repost after a
// failure half-way finishes them (the order is acknowledged only then).
func (l *Ledger) Record(ctx context.Context, o order.Order) (Outcome, error) {
	fp := o.Fingerprint()
	if o.Received.IsZero() {
		o.Received = l.now().UTC().Truncate(time.Millisecond)
	}
	day := o.Day(l.zone)
	base, err := DayCountBase(day)
	if err != nil {
		return 0, err
	}
	head, chunks := productChunks(o.ProductCounts())
	item := OrderItem(o, l.zone, fp)
	if len(chunks) > 0 {
		item[attrPending] = &types.AttributeValueMemberN{Value: strconv.Itoa(len(chunks))}
	}
	actions := make([]types.TransactWriteItem, 0, 2+len(head))
	actions = append(actions,
		types.TransactWriteItem{Put: &types.Put{
			TableName:                           &l.tables.Orders,
			Item:                                item,
			ConditionExpression:                 aws.String("attribute_not_exists(#id)"),
			ExpressionAttributeNames:            map[string]string{"#id": AttrOrderID},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		types.TransactWriteItem{Update: dayUpdate(l.tables.Metrics, day, 1, o.Total())},
	)
	for _, p := range head {
		actions = append(actions, types.TransactWriteItem{Update: productUpdate(l.tables.Products, day, base, p.Product, p.Count)})
	}
	outcome := Recorded
	pending := len(chunks)
	reasons, err := l.transact(ctx, actions)
	switch {
	case err == nil:
	case len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
		if outcome, pending, err = l.compareExisting(ctx, o.ID, fp, reasons[0].Item); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("ledger: record %s: %w", o.ID, err)
	}
	if outcome == AlreadyRecorded && pending > 0 {
		// An earlier post stopped half-way and was not acknowledged: this
		// one completes the recording.
		outcome = Recorded
	}
	if err := l.writeChunks(ctx, o.ID, day, base, chunks, pending); err != nil {
		return 0, fmt.Errorf("ledger: record %s: %w", o.ID, err)
	}
	return outcome, nil
}

// productChunks splits an order's product counts, sorted by name (so a
// repost splits them the same way), into those that fit in the order's own
// transaction and the follow-up transactions' shares.
func productChunks(counts map[string]int64) (head []ProductCount, chunks [][]ProductCount) {
	all := make([]ProductCount, 0, len(counts))
	for p, n := range counts {
		all = append(all, ProductCount{p, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Product < all[j].Product })
	first := min(len(all), maxTransactItems-2) // beside the order's Put and the day's totals
	head, rest := all[:first], all[first:]
	for len(rest) > 0 {
		n := min(len(rest), maxTransactItems-1) // beside the order's countdown
		chunks = append(chunks, rest[:n])
		rest = rest[n:]
	}
	return head, chunks
}

// writeChunks writes the follow-up transactions an order still owes:
// pending of them, the last ones of chunks.
func (l *Ledger) writeChunks(ctx context.Context, id, day string, base int64, chunks [][]ProductCount, pending int) error {
	key := map[string]types.AttributeValue{AttrOrderID: &types.AttributeValueMemberS{Value: id}}
	for pending > 0 && pending <= len(chunks) {
		countdown := &types.Update{
			TableName:                 &l.tables.Orders,
			Key:                       key,
			ConditionExpression:       aws.String("#p = :p"),
			UpdateExpression:          aws.String("SET #p = :next"),
			ExpressionAttributeNames:  map[string]string{"#p": attrPending},
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberN{Value: strconv.Itoa(pending)}, ":next": &types.AttributeValueMemberN{Value: strconv.Itoa(pending - 1)}},
		}
		if pending == 1 {
			countdown.UpdateExpression = aws.String("REMOVE #p")
			delete(countdown.ExpressionAttributeValues, ":next")
		}
		actions := []types.TransactWriteItem{{Update: countdown}}
		for _, p := range chunks[len(chunks)-pending] {
			actions = append(actions, types.TransactWriteItem{Update: productUpdate(l.tables.Products, day, base, p.Product, p.Count)})
		}
		reasons, err := l.transact(ctx, actions)
		switch {
		case err == nil:
			pending--
		case len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
			// A concurrent post of the same order wrote this share: go on
			// from where the order says it is.
			out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &l.tables.Orders, Key: key, ConsistentRead: aws.Bool(true)})
			if err != nil {
				return err
			}
			pending = pendingOf(out.Item)
		default:
			return err
		}
	}
	return nil
}

func pendingOf(item map[string]types.AttributeValue) int {
	if n, ok := item[attrPending].(*types.AttributeValueMemberN); ok {
		if v, err := strconv.Atoi(n.Value); err == nil {
			return v
		}
	}
	return 0
}

// transact runs one transaction, retrying while another transaction holds
// one of its items (nothing was written then). A cancelled transaction's
// reasons are returned with its error.
func (l *Ledger) transact(ctx context.Context, actions []types.TransactWriteItem) ([]types.CancellationReason, error) {
	in := &dynamodb.TransactWriteItemsInput{TransactItems: actions}
	for attempt := 0; ; attempt++ {
		_, err := l.db.TransactWriteItems(ctx, in)
		if err == nil {
			return nil, nil
		}
		var canceled *types.TransactionCanceledException
		if !errors.As(err, &canceled) {
			return nil, err
		}
		reasons := canceled.CancellationReasons
		if !hasReason(reasons, "TransactionConflict") || hasReason(reasons, "ConditionalCheckFailed") || attempt >= maxConflictRetries {
			return reasons, err
		}
		// Another order of the same day holds the totals item or a
		// product's counter: back off with jitter and try again.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(5+rand.IntN(20<<attempt)) * time.Millisecond):
		}
	}
}

func hasReason(rs []types.CancellationReason, code string) bool {
	for _, r := range rs {
		if aws.ToString(r.Code) == code {
			return true
		}
	}
	return false
}

// compareExisting decides whether a pedido_id that exists already holds
// this very order (an idempotent retry: it also returns how many product
// transactions the order still owes) or another one (a conflict).
func (l *Ledger) compareExisting(ctx context.Context, id, fp string, item map[string]types.AttributeValue) (Outcome, int, error) {
	if item == nil {
		out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &l.tables.Orders, ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{AttrOrderID: &types.AttributeValueMemberS{Value: id}},
		})
		if err != nil {
			return 0, 0, fmt.Errorf("ledger: read existing %s: %w", id, err)
		}
		item = out.Item
	}
	if s, ok := item[attrFingerprint].(*types.AttributeValueMemberS); ok && s.Value == fp {
		return AlreadyRecorded, pendingOf(item), nil
	}
	return 0, 0, ErrConflict
}

// OrderItem is the Orders item of o (exported for seeding history): its
// place in the live list is o.Received, its day o.Day(zone).
func OrderItem(o order.Order, zone *time.Location, fingerprint string) map[string]types.AttributeValue {
	lines := make([]types.AttributeValue, len(o.Lines))
	for i, ln := range o.Lines {
		lines[i] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			attrProductID: idValue(ln.ProductID),
			attrProduct:   &types.AttributeValueMemberS{Value: ln.Product},
			attrPrice:     &types.AttributeValueMemberN{Value: ln.Price.String()},
		}}
	}
	item := map[string]types.AttributeValue{
		AttrOrderID: &types.AttributeValueMemberS{Value: o.ID},
		attrCourier: &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			attrCourierID:   idValue(o.Courier.ID),
			attrCourierName: &types.AttributeValueMemberS{Value: o.Courier.Name},
		}},
		attrLines:       &types.AttributeValueMemberL{Value: lines},
		attrTimestamp:   &types.AttributeValueMemberS{Value: o.Timestamp},
		AttrDay:         &types.AttributeValueMemberS{Value: o.Day(zone)},
		attrTotal:       &types.AttributeValueMemberN{Value: o.Total().String()},
		attrFingerprint: &types.AttributeValueMemberS{Value: fingerprint},
		attrReceived:    &types.AttributeValueMemberS{Value: o.Received.UTC().Format(time.RFC3339Nano)},
		AttrFeed:        &types.AttributeValueMemberS{Value: FeedValue},
		AttrSortKey:     &types.AttributeValueMemberS{Value: o.SortKey()},
	}
	if o.ServerTimestamp {
		item[attrServerTimestamp] = &types.AttributeValueMemberBOOL{Value: true}
	}
	return item
}

func idValue(id order.ID) types.AttributeValue {
	if id.Numeric {
		return &types.AttributeValueMemberN{Value: id.Text}
	}
	return &types.AttributeValueMemberS{Value: id.Text}
}

// dayUpdate adds orders and sales to a day's totals item (ADD creates
// missing attributes at zero, so the first order of a day needs no special
// case).
func dayUpdate(table, day string, orders int64, sales order.Cents) *types.Update {
	return &types.Update{
		TableName:                &table,
		Key:                      map[string]types.AttributeValue{AttrDay: &types.AttributeValueMemberS{Value: day}},
		UpdateExpression:         aws.String("ADD #o :o, #v :v"),
		ExpressionAttributeNames: map[string]string{"#o": attrDayOrders, "#v": attrDaySales},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":o": &types.AttributeValueMemberN{Value: strconv.FormatInt(orders, 10)},
			":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(int64(sales), 10)},
		},
	}
}

// productUpdate adds n to a product's counter of a day, and to its
// AttrDayCount, which starts at the day's base (see DayCountBase).
func productUpdate(table, day string, base int64, product string, n int64) *types.Update {
	return &types.Update{
		TableName: &table,
		Key: map[string]types.AttributeValue{
			AttrDay:     &types.AttributeValueMemberS{Value: day},
			AttrProduct: &types.AttributeValueMemberS{Value: product},
		},
		UpdateExpression:         aws.String("SET #c = if_not_exists(#c, :zero) + :n, #dc = if_not_exists(#dc, :base) + :n"),
		ExpressionAttributeNames: map[string]string{"#c": AttrCount, "#dc": AttrDayCount},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero": &types.AttributeValueMemberN{Value: "0"},
			":base": &types.AttributeValueMemberN{Value: strconv.FormatInt(base, 10)},
			":n":    &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)},
		},
	}
}

// DayCountBase is the AttrDayCount of a product with no sales on day
// ("2026-03-14"): the day's number since 1970-01-01 × DayCountScale. A
// count stays below DayCountScale (10^12 sales of one product in a day).
func DayCountBase(day string) (int64, error) {
	d, err := time.Parse(order.DayLayout, day)
	if err != nil {
		return 0, fmt.Errorf("ledger: day %q: %w", day, err)
	}
	return d.Unix() / 86400 * DayCountScale, nil
}

// AddToDay adds orders, sales and product counts to a day's aggregates
// outside any order's transaction: for seeding history that was written
// straight to the Orders table. It is not atomic.
func (l *Ledger) AddToDay(ctx context.Context, day string, orders int64, sales order.Cents, products map[string]int64) error {
	base, err := DayCountBase(day)
	if err != nil {
		return err
	}
	head, chunks := productChunks(products)
	actions := []types.TransactWriteItem{{Update: dayUpdate(l.tables.Metrics, day, orders, sales)}}
	for _, share := range append([][]ProductCount{head}, chunks...) {
		for _, p := range share {
			actions = append(actions, types.TransactWriteItem{Update: productUpdate(l.tables.Products, day, base, p.Product, p.Count)})
			if len(actions) == maxTransactItems {
				if _, err := l.transact(ctx, actions); err != nil {
					return fmt.Errorf("ledger: add to day %s: %w", day, err)
				}
				actions = actions[:0]
			}
		}
	}
	if len(actions) > 0 {
		if _, err := l.transact(ctx, actions); err != nil {
			return fmt.Errorf("ledger: add to day %s: %w", day, err)
		}
	}
	return nil
}

// DayTotals are the running aggregates of one day.
type DayTotals struct {
	Day    string
	Orders int64
	Sales  order.Cents
	// Top are the day's most sold products, most first, ties by name.
	Top []ProductCount
}

// Day reads the aggregates of day ("2026-03-14") with its top products
// (see Top): one consistent GetItem and at most two small queries,
// however many orders and product names are stored.
func (l *Ledger) Day(ctx context.Context, day string, top int) (DayTotals, error) {
	t := DayTotals{Day: day}
	var topErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Top, topErr = l.Top(ctx, day, top)
	}()
	out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &l.tables.Metrics, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{AttrDay: &types.AttributeValueMemberS{Value: day}},
	})
	<-done
	if err != nil {
		return DayTotals{}, fmt.Errorf("ledger: read day %s: %w", day, err)
	}
	if topErr != nil {
		return DayTotals{}, topErr
	}
	for name, dst := range map[string]*int64{attrDayOrders: &t.Orders, attrDaySales: (*int64)(&t.Sales)} {
		if av, ok := out.Item[name]; ok {
			v, err := intOf(av)
			if err != nil {
				return DayTotals{}, fmt.Errorf("ledger: day %s: attribute %s: %w", day, name, err)
			}
			*dst = v
		}
	}
	return t, nil
}

func intOf(av types.AttributeValue) (int64, error) {
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return 0, errors.New("not a number")
	}
	return strconv.ParseInt(n.Value, 10, 64)
}

// ProductCount is one row of the top products.
type ProductCount struct {
	Product string
	Count   int64
}

// MarshalJSON writes the row as the original did: ["Moneda", 9].
func (p ProductCount) MarshalJSON() ([]byte, error) { return json.Marshal([]any{p.Product, p.Count}) }

// Top returns the n products of day sold most often, ties broken by name,
// in at most two queries of at most n items:
//
//  1. ByCountIndex, highest counts first (a consistent read): the first n
//     items hold the n highest counts; call the n-th c. Products counted
//     more than c are all among them.
//  2. TiesIndex at (day, c), by name: the first names tied at c fill the
//     remaining places.
//
// The cost depends on n, not on how many products or days are stored.
func (l *Ledger) Top(ctx context.Context, day string, n int) ([]ProductCount, error) {
	if n <= 0 {
		return []ProductCount{}, nil
	}
	n = min(n, MaxTop)
	base, err := DayCountBase(day)
	if err != nil {
		return nil, err
	}
	out, err := l.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &l.tables.Products,
		IndexName:                 aws.String(ByCountIndex),
		KeyConditionExpression:    aws.String("#d = :d"),
		ExpressionAttributeNames:  map[string]string{"#d": AttrDay},
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": &types.AttributeValueMemberS{Value: day}},
		ScanIndexForward:          aws.Bool(false),
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(n)),
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: top products of %s: %w", day, err)
	}
	leaders, err := productCounts(out.Items)
	if err != nil {
		return nil, fmt.Errorf("ledger: top products of %s: %w", day, err)
	}
	sortTop(leaders)
	if len(leaders) < n {
		return leaders, nil // every product of the day
	}
	c := leaders[n-1].Count
	top := make([]ProductCount, 0, n)
	for _, p := range leaders {
		if p.Count > c {
			top = append(top, p)
		}
	}
	out, err = l.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &l.tables.Products,
		IndexName:                 aws.String(TiesIndex),
		KeyConditionExpression:    aws.String("#dc = :dc"),
		ExpressionAttributeNames:  map[string]string{"#dc": AttrDayCount},
		ExpressionAttributeValues: map[string]types.AttributeValue{":dc": &types.AttributeValueMemberN{Value: strconv.FormatInt(base+c, 10)}},
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(int32(n)),
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: products tied at %d on %s: %w", c, day, err)
	}
	tied := make([]ProductCount, 0, n)
	for _, item := range out.Items {
		tied = append(tied, ProductCount{str(item[AttrProduct]), c})
	}
	// The GSI is eventually consistent: while it lags behind the counts,
	// the leaders tied at c (in name order) make up what it misses.
	for _, p := range leaders {
		if p.Count == c {
			tied = append(tied, p)
		}
	}
	seen := make(map[string]bool, 2*n)
	for _, p := range top {
		seen[p.Product] = true
	}
	sort.SliceStable(tied, func(i, j int) bool { return tied[i].Product < tied[j].Product })
	for _, p := range tied {
		if len(top) == n {
			break
		}
		if !seen[p.Product] {
			seen[p.Product] = true
			top = append(top, p)
		}
	}
	return top, nil
}

func productCounts(items []map[string]types.AttributeValue) ([]ProductCount, error) {
	out := make([]ProductCount, 0, len(items))
	for _, item := range items {
		c, err := intOf(item[AttrCount])
		if err != nil {
			return nil, fmt.Errorf("product %q: count: %w", str(item[AttrProduct]), err)
		}
		out = append(out, ProductCount{str(item[AttrProduct]), c})
	}
	return out, nil
}

// sortTop orders rows most sold first, ties by name.
func sortTop(rows []ProductCount) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Count != rows[j].Count {
			return rows[i].Count > rows[j].Count
		}
		return rows[i].Product < rows[j].Product
	})
}

// TopOf is the n most sold of counts, ties broken by name: what Top reads
// from DynamoDB, computed in memory (for tests and fakes).
func TopOf(counts map[string]int64, n int) []ProductCount {
	all := make([]ProductCount, 0, len(counts))
	for p, c := range counts {
		if c > 0 {
			all = append(all, ProductCount{p, c})
		}
	}
	sortTop(all)
	return all[:min(n, len(all))]
}

// Page lists up to limit orders newest first, starting after token (""
// for the newest). It follows LastEvaluatedKey until the page is full, so
// DynamoDB's 1 MB read pages never drop orders; next is "" at the end.
func (l *Ledger) Page(ctx context.Context, limit int, token string) (orders []order.Order, next string, err error) {
	if limit <= 0 || limit > MaxPageLimit {
		return nil, "", fmt.Errorf("ledger: limit %d out of range", limit)
	}
	start, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	orders = make([]order.Order, 0, min(limit, 128))
	for {
		out, err := l.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &l.tables.Orders,
			IndexName:                 aws.String(ByTimeIndex),
			KeyConditionExpression:    aws.String("#f = :f"),
			ExpressionAttributeNames:  map[string]string{"#f": AttrFeed},
			ExpressionAttributeValues: map[string]types.AttributeValue{":f": &types.AttributeValueMemberS{Value: FeedValue}},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(int32(limit - len(orders))),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, "", fmt.Errorf("ledger: list orders: %w", err)
		}
		for _, item := range out.Items {
			o, err := DecodeOrder(item, l.zone)
			if err != nil {
				return nil, "", err
			}
			orders = append(orders, o)
		}
		start = out.LastEvaluatedKey
		if len(start) == 0 {
			return orders, "", nil
		}
		if len(orders) >= limit {
			return orders, encodeToken(start), nil
		}
	}
}

// pageToken is the position after the last order of a page.
type pageToken struct {
	SortKey string `json:"o"`
	ID      string `json:"p"`
}

func encodeToken(lek map[string]types.AttributeValue) string {
	var t pageToken
	if s, ok := lek[AttrSortKey].(*types.AttributeValueMemberS); ok {
		t.SortKey = s.Value
	}
	if s, ok := lek[AttrOrderID].(*types.AttributeValueMemberS); ok {
		t.ID = s.Value
	}
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(token string) (map[string]types.AttributeValue, error) {
	if token == "" {
		return nil, nil
	}
	if len(token) > maxTokenLen {
		return nil, ErrBadToken
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, ErrBadToken
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil || t.SortKey == "" || t.ID == "" {
		return nil, ErrBadToken
	}
	return map[string]types.AttributeValue{
		AttrFeed:    &types.AttributeValueMemberS{Value: FeedValue},
		AttrSortKey: &types.AttributeValueMemberS{Value: t.SortKey},
		AttrOrderID: &types.AttributeValueMemberS{Value: t.ID},
	}, nil
}

// DecodeOrder reads an Orders item back into an order (naive timestamps
// are read in zone).
func DecodeOrder(item map[string]types.AttributeValue, zone *time.Location) (order.Order, error) {
	var o order.Order
	bad := func(what string) (order.Order, error) {
		return order.Order{}, fmt.Errorf("ledger: stored order %q has a malformed %s", o.ID, what)
	}
	var err error
	o.ID = str(item[AttrOrderID])
	o.Timestamp = str(item[attrTimestamp])
	if o.At, err = order.ParseTimestamp(o.Timestamp, zone); err != nil {
		return bad(attrTimestamp)
	}
	if b, ok := item[attrServerTimestamp].(*types.AttributeValueMemberBOOL); ok {
		o.ServerTimestamp = b.Value
	}
	if o.Received, err = order.ParseSortKey(str(item[AttrSortKey])); err != nil {
		return bad(AttrSortKey)
	}
	c, ok := item[attrCourier].(*types.AttributeValueMemberM)
	if !ok {
		return bad(attrCourier)
	}
	o.Courier = order.Courier{ID: idOf(c.Value[attrCourierID]), Name: str(c.Value[attrCourierName])}
	ls, ok := item[attrLines].(*types.AttributeValueMemberL)
	if !ok {
		return bad(attrLines)
	}
	o.Lines = make([]order.Line, 0, len(ls.Value))
	for _, lv := range ls.Value {
		m, ok := lv.(*types.AttributeValueMemberM)
		if !ok {
			return bad(attrLines)
		}
		pn, ok := m.Value[attrPrice].(*types.AttributeValueMemberN)
		if !ok {
			return bad(attrPrice)
		}
		price, err := order.ParseCents(pn.Value)
		if err != nil {
			return bad(attrPrice)
		}
		o.Lines = append(o.Lines, order.Line{ProductID: idOf(m.Value[attrProductID]), Product: str(m.Value[attrProduct]), Price: price})
	}
	return o, nil
}

func str(av types.AttributeValue) string {
	if s, ok := av.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func idOf(av types.AttributeValue) order.ID {
	switch v := av.(type) {
	case *types.AttributeValueMemberN:
		return order.ID{Text: v.Value, Numeric: true}
	case *types.AttributeValueMemberS:
		return order.ID{Text: v.Value}
	}
	return order.ID{}
}

// User is a row of the users table.
type User struct {
	Username     string
	PasswordHash string
}

// UserItem is the Users item of u (the deploy seeds users with it).
func UserItem(u User) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrUsername:     &types.AttributeValueMemberS{Value: u.Username},
		AttrPasswordHash: &types.AttributeValueMemberS{Value: u.PasswordHash},
	}
}

// User reads a user; ok is false when there is none of that name.
func (l *Ledger) User(ctx context.Context, name string) (u User, ok bool, err error) {
	out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &l.tables.Users,
		Key:       map[string]types.AttributeValue{AttrUsername: &types.AttributeValueMemberS{Value: name}},
	})
	if err != nil {
		return User{}, false, fmt.Errorf("ledger: read user: %w", err)
	}
	if out.Item == nil {
		return User{}, false, nil
	}
	return User{Username: name, PasswordHash: str(out.Item[AttrPasswordHash])}, true, nil
}

// Package ledger keeps the deliveries flow's state in DynamoDB: orders
// (newest first through a GSI), per-day running aggregates written in the
// same transaction as each order, and users. It imports only the AWS SDK
// and the flow's own packages, never groundstack's harness.
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
	"strings"
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
	// ByTimeIndex is the GSI that lists orders newest first: every order
	// has the same Feed partition and its SortKey as sort key.
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
	// Aggregate attributes of a day item.
	attrDayOrders = "pedidos"
	attrDaySales  = "ventas_centavos"
	// ProductPrefix starts the attribute of a product's count in a day item.
	ProductPrefix = "producto#"

	maxConflictRetries = 8
	// MaxPageLimit bounds one /pedidos page (a Lambda response is at most 6 MB).
	MaxPageLimit = 1000
	maxTokenLen  = 1024
)

// Tables names the flow's three tables.
type Tables struct {
	Users   string // key username
	Orders  string // key pedido_id, GSI por_fecha (feed, orden)
	Metrics string // key dia: one aggregate item per day
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

// Record writes the order and adds it to its day's aggregates in one
// transaction: both happen or neither does, and a pedido_id is counted
// once however often it is posted.
func (l *Ledger) Record(ctx context.Context, o order.Order) (Outcome, error) {
	fp := o.Fingerprint()
	in := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{
			TableName:                           &l.tables.Orders,
			Item:                                OrderItem(o, l.zone, fp, l.now()),
			ConditionExpression:                 aws.String("attribute_not_exists(#id)"),
			ExpressionAttributeNames:            map[string]string{"#id": AttrOrderID},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		{Update: dayUpdate(l.tables.Metrics, o.Day(l.zone), 1, o.Total(), o.ProductCounts())},
	}}
	for attempt := 0; ; attempt++ {
		_, err := l.db.TransactWriteItems(ctx, in)
		if err == nil {
			return Recorded, nil
		}
		var canceled *types.TransactionCanceledException
		if !errors.As(err, &canceled) {
			return 0, fmt.Errorf("ledger: record %s: %w", o.ID, err)
		}
		reasons := canceled.CancellationReasons
		if len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed" {
			return l.compareExisting(ctx, o.ID, fp, reasons[0].Item)
		}
		if !hasReason(reasons, "TransactionConflict") || attempt >= maxConflictRetries {
			return 0, fmt.Errorf("ledger: record %s: %w", o.ID, err)
		}
		// Another order of the same day holds the aggregate item: back off
		// with jitter and try again (nothing was written).
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
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
// this very order (an idempotent retry) or another one (a conflict).
func (l *Ledger) compareExisting(ctx context.Context, id, fp string, item map[string]types.AttributeValue) (Outcome, error) {
	if item == nil {
		out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &l.tables.Orders, ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{AttrOrderID: &types.AttributeValueMemberS{Value: id}},
		})
		if err != nil {
			return 0, fmt.Errorf("ledger: read existing %s: %w", id, err)
		}
		item = out.Item
	}
	if s, ok := item[attrFingerprint].(*types.AttributeValueMemberS); ok && s.Value == fp {
		return AlreadyRecorded, nil
	}
	return 0, ErrConflict
}

// OrderItem is the Orders item of o (exported for seeding history).
func OrderItem(o order.Order, zone *time.Location, fingerprint string, received time.Time) map[string]types.AttributeValue {
	lines := make([]types.AttributeValue, len(o.Lines))
	for i, ln := range o.Lines {
		lines[i] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			attrProductID: idValue(ln.ProductID),
			attrProduct:   &types.AttributeValueMemberS{Value: ln.Product},
			attrPrice:     &types.AttributeValueMemberN{Value: ln.Price.String()},
		}}
	}
	return map[string]types.AttributeValue{
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
		attrReceived:    &types.AttributeValueMemberS{Value: received.UTC().Format(time.RFC3339Nano)},
		AttrFeed:        &types.AttributeValueMemberS{Value: FeedValue},
		AttrSortKey:     &types.AttributeValueMemberS{Value: o.SortKey()},
	}
}

func idValue(id order.ID) types.AttributeValue {
	if id.Numeric {
		return &types.AttributeValueMemberN{Value: id.Text}
	}
	return &types.AttributeValueMemberS{Value: id.Text}
}

// dayUpdate adds orders, sales and product counts to a day's aggregate
// item (ADD creates missing attributes at zero, so the first order of a
// day needs no special case).
func dayUpdate(table, day string, orders int64, sales order.Cents, products map[string]int64) *types.Update {
	names := map[string]string{"#o": attrDayOrders, "#v": attrDaySales}
	values := map[string]types.AttributeValue{
		":o": &types.AttributeValueMemberN{Value: strconv.FormatInt(orders, 10)},
		":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(int64(sales), 10)},
	}
	var expr strings.Builder
	expr.WriteString("ADD #o :o, #v :v")
	// sorted so the same order always makes the same request
	keys := make([]string, 0, len(products))
	for p := range products {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for i, p := range keys {
		n, v := "#p"+strconv.Itoa(i), ":p"+strconv.Itoa(i)
		names[n] = ProductPrefix + p
		values[v] = &types.AttributeValueMemberN{Value: strconv.FormatInt(products[p], 10)}
		fmt.Fprintf(&expr, ", %s %s", n, v)
	}
	return &types.Update{
		TableName:                 &table,
		Key:                       map[string]types.AttributeValue{AttrDay: &types.AttributeValueMemberS{Value: day}},
		UpdateExpression:          aws.String(expr.String()),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}
}

// DayTotals are the running aggregates of one day.
type DayTotals struct {
	Day      string
	Orders   int64
	Sales    order.Cents
	Products map[string]int64
}

// DayItem is the Metrics item holding t (exported for seeding history).
func DayItem(t DayTotals) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		AttrDay:       &types.AttributeValueMemberS{Value: t.Day},
		attrDayOrders: &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Orders, 10)},
		attrDaySales:  &types.AttributeValueMemberN{Value: strconv.FormatInt(int64(t.Sales), 10)},
	}
	for p, n := range t.Products {
		item[ProductPrefix+p] = &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
	}
	return item
}

// Day reads the aggregates of day ("2026-03-14"): one consistent GetItem,
// however many orders are stored.
func (l *Ledger) Day(ctx context.Context, day string) (DayTotals, error) {
	out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &l.tables.Metrics, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{AttrDay: &types.AttributeValueMemberS{Value: day}},
	})
	if err != nil {
		return DayTotals{}, fmt.Errorf("ledger: read day %s: %w", day, err)
	}
	t := DayTotals{Day: day, Products: map[string]int64{}}
	for name, av := range out.Item {
		n, ok := av.(*types.AttributeValueMemberN)
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return DayTotals{}, fmt.Errorf("ledger: day %s: attribute %s is %q, not an integer", day, name, n.Value)
		}
		switch {
		case name == attrDayOrders:
			t.Orders = v
		case name == attrDaySales:
			t.Sales = order.Cents(v)
		case strings.HasPrefix(name, ProductPrefix):
			if v > 0 {
				t.Products[name[len(ProductPrefix):]] = v
			}
		}
	}
	return t, nil
}

// ProductCount is one row of the top products.
type ProductCount struct {
	Product string
	Count   int64
}

// MarshalJSON writes the row as the original did: ["Moneda", 9].
func (p ProductCount) MarshalJSON() ([]byte, error) { return json.Marshal([]any{p.Product, p.Count}) }

// Top returns the n products sold most often, ties broken by name.
func (t DayTotals) Top(n int) []ProductCount {
	all := make([]ProductCount, 0, len(t.Products))
	for p, c := range t.Products {
		all = append(all, ProductCount{p, c})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Count != all[j].Count {
			return all[i].Count > all[j].Count
		}
		return all[i].Product < all[j].Product
	})
	if len(all) > n {
		all = all[:n]
	}
	return all
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
			o, err := DecodeOrder(item)
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

// DecodeOrder reads an Orders item back into an order.
func DecodeOrder(item map[string]types.AttributeValue) (order.Order, error) {
	var o order.Order
	bad := func(what string) (order.Order, error) {
		return order.Order{}, fmt.Errorf("ledger: stored order %q has a malformed %s", o.ID, what)
	}
	o.ID = str(item[AttrOrderID])
	o.Timestamp = str(item[attrTimestamp])
	if sk := str(item[AttrSortKey]); len(sk) >= 24 {
		at, err := time.Parse("2006-01-02T15:04:05.000Z", sk[:24])
		if err != nil {
			return bad(AttrSortKey)
		}
		o.At = at
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

package market

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Refusals the API answers with their status and message.
var (
	ErrFixtureNotFound = errors.New("fixture not found")
	ErrNotEnoughBonds  = errors.New("not enough bonds")
	ErrDuplicate       = errors.New("duplicate request_id")
	ErrNotFound        = errors.New("request not found")
	ErrUserNotFound    = errors.New("user not found")
	ErrNoFunds         = errors.New("not enough money in the wallet")
	ErrReplayed        = errors.New("message already processed")
	ErrAlreadyFinal    = errors.New("request already validated")
)

// refusal is a reservation or validation refused, with the detail the
// buyer is told.
type refusal struct {
	err    error
	detail string
}

func (r refusal) Error() string {
	if r.detail == "" {
		return r.err.Error()
	}
	return r.err.Error() + ": " + r.detail
}
func (r refusal) Unwrap() error { return r.err }

// txAttempts bounds the retries of a transaction that lost a race
// (TransactionConflict on AWS).
const txAttempts = 8

// transact runs the transaction, retrying conflicts with jittered backoff,
// and returns the cancellation reasons' codes when it is cancelled.
func (m *Market) transact(ctx context.Context, items []dtypes.TransactWriteItem) (reasons []string, err error) {
	for attempt := 0; ; attempt++ {
		_, err = m.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil, nil
		}
		var cancelled *dtypes.TransactionCanceledException
		var conflict *dtypes.TransactionConflictException
		retry := errors.As(err, &conflict)
		if errors.As(err, &cancelled) {
			reasons = make([]string, len(cancelled.CancellationReasons))
			for i, r := range cancelled.CancellationReasons {
				reasons[i] = aws.ToString(r.Code)
				if reasons[i] == "TransactionConflict" {
					retry = true
				}
			}
			if !retry {
				return reasons, err
			}
		}
		if !retry || attempt+1 >= txAttempts {
			return reasons, err
		}
		d := time.Duration(5<<attempt)*time.Millisecond + time.Duration(rand.IntN(10))*time.Millisecond
		select {
		case <-ctx.Done():
			return reasons, ctx.Err()
		case <-time.After(d):
		}
	}
}

func failed(reasons []string, i int) bool {
	return i >= 0 && i < len(reasons) && reasons[i] == "ConditionalCheckFailed"
}

// Fixture reads one fixture.
func (m *Market) Fixture(ctx context.Context, id string) (Fixture, error) {
	out, err := m.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &m.Settings.FixturesTable, Key: key("fixture_id", id), ConsistentRead: consistent})
	if err != nil {
		return Fixture{}, fmt.Errorf("get fixture %s: %w", id, err)
	}
	if out.Item == nil {
		return Fixture{}, ErrFixtureNotFound
	}
	return fixtureFrom(out.Item), nil
}

// Fixtures lists every fixture (bounded), by date.
func (m *Market) Fixtures(ctx context.Context) ([]Fixture, error) {
	var out []Fixture
	var start map[string]dtypes.AttributeValue
	for {
		page, err := m.DB.Scan(ctx, &dynamodb.ScanInput{TableName: &m.Settings.FixturesTable, ExclusiveStartKey: start})
		if err != nil {
			return nil, fmt.Errorf("scan fixtures: %w", err)
		}
		for _, it := range page.Items {
			out = append(out, fixtureFrom(it))
		}
		start = page.LastEvaluatedKey
		if start == nil || len(out) >= maxListed {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date < out[j].Date
		}
		return out[i].FixtureID < out[j].FixtureID
	})
	return out, nil
}

// Request reads one request.
func (m *Market) Request(ctx context.Context, id string) (Request, error) {
	out, err := m.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &m.Settings.RequestsTable, Key: key("request_id", id), ConsistentRead: consistent})
	if err != nil {
		return Request{}, fmt.Errorf("get request %s: %w", id, err)
	}
	if out.Item == nil {
		return Request{}, ErrNotFound
	}
	return requestFrom(out.Item), nil
}

// Reserve stores r and takes its bonds from the fixture in one
// transaction: no overselling, no duplicate request_id, and for a wallet
// payment the debit (never below zero). messageID, when set, records the
// MQTT message that carried r in the same transaction (a replay fails).
func (m *Market) Reserve(ctx context.Context, r *Request, messageID string) error {
	f, err := m.Fixture(ctx, r.FixtureID)
	if err != nil {
		return err
	}
	r.Amount = float64(r.Quantity) * f.Price
	r.CreatedAt = m.now().UTC().Format(time.RFC3339Nano)
	if r.LeagueName == "" {
		r.LeagueName, r.Round, r.Date = f.LeagueName, f.Round, f.Date
	}
	items := []dtypes.TransactWriteItem{
		{Update: &dtypes.Update{
			TableName: &m.Settings.FixturesTable, Key: key("fixture_id", r.FixtureID),
			UpdateExpression:                    aws.String("SET available = available - :q, sold = if_not_exists(sold, :zero) + :q"),
			ConditionExpression:                 aws.String("attribute_exists(fixture_id) AND available >= :q"),
			ExpressionAttributeValues:           map[string]dtypes.AttributeValue{":q": nv(r.Quantity), ":zero": nv(0)},
			ReturnValuesOnConditionCheckFailure: dtypes.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		{Put: &dtypes.Put{TableName: &m.Settings.RequestsTable, Item: r.item(), ConditionExpression: aws.String("attribute_not_exists(request_id)")}},
	}
	wallet, message := -1, -1
	if r.Payment == "wallet" {
		wallet = len(items)
		items = append(items, dtypes.TransactWriteItem{Update: &dtypes.Update{
			TableName: &m.Settings.UsersTable, Key: key("user_id", r.UserID),
			UpdateExpression:          aws.String("SET billetera = billetera - :cost"),
			ConditionExpression:       aws.String("attribute_exists(user_id) AND billetera >= :cost"),
			ExpressionAttributeValues: map[string]dtypes.AttributeValue{":cost": fv(r.Amount)},
		}})
	}
	if messageID != "" {
		message = len(items)
		items = append(items, m.messagePut(messageID, TopicRequests))
	}
	reasons, err := m.transact(ctx, items)
	switch {
	case err == nil:
		return nil
	case failed(reasons, message):
		return ErrReplayed
	case failed(reasons, 1):
		return ErrDuplicate
	case failed(reasons, 0):
		now, gerr := m.Fixture(ctx, r.FixtureID)
		if gerr != nil {
			return gerr
		}
		return refusal{ErrNotEnoughBonds, fmt.Sprintf("%d requested, %d available", r.Quantity, now.Available)}
	case failed(reasons, wallet):
		return refusal{ErrNoFunds, fmt.Sprintf("the bonds cost %.0f", r.Amount)}
	}
	return fmt.Errorf("reserve %d bonds of fixture %s: %w", r.Quantity, r.FixtureID, err)
}

// Validate moves a request to accepted (valid) or rejected; a rejection
// gives its bonds back to the fixture (and a wallet payment back to the
// wallet) in the same transaction as the status change, whose condition
// is that the request is not final yet. Validating again with the same
// outcome changes nothing (changed false); with the other outcome it is
// ErrAlreadyFinal.
func (m *Market) Validate(ctx context.Context, v Validation, messageID string) (r Request, changed bool, err error) {
	r, err = m.Request(ctx, v.RequestID)
	if err != nil {
		return r, false, err
	}
	want := StatusRejected
	if v.Valid {
		want = StatusAccepted
	}
	if r.Final() {
		if r.Status == want {
			return r, false, m.recordOnly(ctx, messageID)
		}
		return r, false, refusal{ErrAlreadyFinal, "it is " + r.Status}
	}
	now := m.now().UTC().Format(time.RFC3339Nano)
	items := []dtypes.TransactWriteItem{{Update: &dtypes.Update{
		TableName: &m.Settings.RequestsTable, Key: key("request_id", r.RequestID),
		UpdateExpression:         aws.String("SET #s = :new, seller = :seller, validated_at = :now"),
		ConditionExpression:      aws.String("attribute_exists(request_id) AND #s <> :accepted AND #s <> :rejected"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":new": sv(want), ":seller": nv(v.Seller), ":now": sv(now),
			":accepted": sv(StatusAccepted), ":rejected": sv(StatusRejected)},
	}}}
	if !v.Valid {
		items = append(items, dtypes.TransactWriteItem{Update: &dtypes.Update{
			TableName: &m.Settings.FixturesTable, Key: key("fixture_id", r.FixtureID),
			UpdateExpression:          aws.String("SET available = available + :q, sold = sold - :q"),
			ConditionExpression:       aws.String("attribute_exists(fixture_id)"),
			ExpressionAttributeValues: map[string]dtypes.AttributeValue{":q": nv(r.Quantity)},
		}})
		if r.Payment == "wallet" {
			items = append(items, dtypes.TransactWriteItem{Update: &dtypes.Update{
				TableName: &m.Settings.UsersTable, Key: key("user_id", r.UserID),
				UpdateExpression:          aws.String("ADD billetera :cost"),
				ExpressionAttributeValues: map[string]dtypes.AttributeValue{":cost": fv(r.Amount)},
			}})
		}
	}
	message := -1
	if messageID != "" {
		message = len(items)
		items = append(items, m.messagePut(messageID, TopicValidation))
	}
	reasons, err := m.transact(ctx, items)
	switch {
	case err == nil:
		r.Status, r.Seller, r.ValidatedAt = want, v.Seller, now
		return r, true, nil
	case failed(reasons, message):
		return r, false, ErrReplayed
	case failed(reasons, 0):
		// another validation won the race: answer as if it came first
		again, gerr := m.Request(ctx, v.RequestID)
		if gerr != nil {
			return r, false, gerr
		}
		if again.Status == want {
			return again, false, m.recordOnly(ctx, messageID)
		}
		return again, false, refusal{ErrAlreadyFinal, "it is " + again.Status}
	}
	return r, false, fmt.Errorf("validate %s: %w", r.RequestID, err)
}

// recordOnly records an MQTT message that changed nothing, so that its
// replay is still told apart.
func (m *Market) recordOnly(ctx context.Context, messageID string) error {
	if messageID == "" {
		return nil
	}
	reasons, err := m.transact(ctx, []dtypes.TransactWriteItem{m.messagePut(messageID, TopicValidation)})
	if failed(reasons, 0) {
		return ErrReplayed
	}
	return err
}

func (m *Market) messagePut(id, topic string) dtypes.TransactWriteItem {
	return dtypes.TransactWriteItem{Put: &dtypes.Put{
		TableName: &m.Settings.MessagesTable,
		Item: map[string]dtypes.AttributeValue{"message_id": sv(id), "topic": sv(topic),
			"received_at": sv(m.now().UTC().Format(time.RFC3339Nano))},
		ConditionExpression: aws.String("attribute_not_exists(message_id)"),
	}}
}

// SetPaymentToken records a card payment started for r.
func (m *Market) SetPaymentToken(ctx context.Context, id, token string) error {
	_, err := m.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &m.Settings.RequestsTable, Key: key("request_id", id),
		UpdateExpression:         aws.String("SET #s = :pp, webpay_token = :t"),
		ConditionExpression:      aws.String("attribute_exists(request_id) AND #s <> :accepted AND #s <> :rejected"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":pp": sv(StatusPendingPayment), ":t": sv(token),
			":accepted": sv(StatusAccepted), ":rejected": sv(StatusRejected)},
	})
	var ccf *dtypes.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return refusal{ErrAlreadyFinal, "it can no longer be paid"}
	}
	return err
}

// Wallet is a user's balance.
func (m *Market) Wallet(ctx context.Context, user string) (float64, error) {
	out, err := m.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &m.Settings.UsersTable, Key: key("user_id", user), ConsistentRead: consistent})
	if err != nil {
		return 0, fmt.Errorf("get user %s: %w", user, err)
	}
	if out.Item == nil {
		return 0, ErrUserNotFound
	}
	return getF(out.Item, "billetera"), nil
}

// TopUp adds amount (> 0) to a user's wallet, making the user if new.
func (m *Market) TopUp(ctx context.Context, user string, amount float64) (float64, error) {
	out, err := m.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &m.Settings.UsersTable, Key: key("user_id", user),
		UpdateExpression:          aws.String("ADD billetera :a"),
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":a": fv(amount)},
		ReturnValues:              dtypes.ReturnValueAllNew,
	})
	if err != nil {
		return 0, fmt.Errorf("top up %s: %w", user, err)
	}
	return getF(out.Attributes, "billetera"), nil
}

// Count adds one to a counter of MQTT outcomes (an item of the messages
// table: message_id "counter#<name>", attribute n).
func (m *Market) Count(ctx context.Context, name string) {
	_, err := m.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &m.Settings.MessagesTable, Key: key("message_id", CounterPrefix+name),
		UpdateExpression:          aws.String("ADD n :one"),
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":one": nv(1)},
	})
	if err != nil {
		m.logf("counter %s: %v", name, err)
	}
}

// CounterPrefix starts the message_id of the counters' items.
const CounterPrefix = "counter#"

// Counters reads the MQTT outcome counters.
func (m *Market) Counters(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, name := range Outcomes {
		got, err := m.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &m.Settings.MessagesTable, Key: key("message_id", CounterPrefix+name), ConsistentRead: consistent})
		if err != nil {
			return nil, err
		}
		out[name] = getN(got.Item, "n")
	}
	return out, nil
}

// ListFilter selects internal requests.
type ListFilter struct {
	UserID, Status string
	Page, Count    int
}

// ListInternal is a page of internal requests, newest first, and how many
// match in all.
func (m *Market) ListInternal(ctx context.Context, f ListFilter) ([]Request, int, error) {
	in := &dynamodb.QueryInput{
		TableName: &m.Settings.RequestsTable, IndexName: aws.String(InternalIndex),
		KeyConditionExpression:    aws.String("internal = :g"),
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":g": sv(OwnGroup)},
		ScanIndexForward:          aws.Bool(false),
	}
	var filters []string
	names := map[string]string{}
	if f.UserID != "" {
		filters = append(filters, "user_id = :u")
		in.ExpressionAttributeValues[":u"] = sv(f.UserID)
	}
	if f.Status != "" {
		filters = append(filters, "#s = :s")
		names["#s"] = "status"
		in.ExpressionAttributeValues[":s"] = sv(f.Status)
	}
	if len(filters) > 0 {
		expr := filters[0]
		for _, x := range filters[1:] {
			expr += " AND " + x
		}
		in.FilterExpression = &expr
	}
	if len(names) > 0 {
		in.ExpressionAttributeNames = names
	}
	var all []Request
	for {
		page, err := m.DB.Query(ctx, in)
		if err != nil {
			return nil, 0, fmt.Errorf("query requests: %w", err)
		}
		for _, it := range page.Items {
			all = append(all, requestFrom(it))
		}
		if page.LastEvaluatedKey == nil || len(all) >= maxListed {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	from := (f.Page - 1) * f.Count
	if from >= len(all) {
		return []Request{}, len(all), nil
	}
	return all[from:min(from+f.Count, len(all))], len(all), nil
}

// InternalIndex is the requests table's index of internal requests
// (hash "internal" = "15", range "created_at").
const InternalIndex = "internal-by-created"

// SetRecommendations stores a user's recommended fixtures.
func (m *Market) SetRecommendations(ctx context.Context, user string, fixtures []Fixture) error {
	list := make([]dtypes.AttributeValue, 0, len(fixtures))
	for _, f := range fixtures {
		list = append(list, &dtypes.AttributeValueMemberM{Value: map[string]dtypes.AttributeValue{
			"fixture_id": sv(f.FixtureID), "league_name": sv(f.LeagueName), "round": sv(f.Round), "date": sv(f.Date),
			"available": nv(f.Available)}})
	}
	_, err := m.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &m.Settings.UsersTable, Key: key("user_id", user),
		UpdateExpression: aws.String("SET recommendations = :r, recommended_at = :t"),
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":r": &dtypes.AttributeValueMemberL{Value: list},
			":t": sv(m.now().UTC().Format(time.RFC3339Nano))},
	})
	return err
}

// Recommendations reads a user's recommended fixtures.
func (m *Market) Recommendations(ctx context.Context, user string) ([]map[string]any, string, error) {
	out, err := m.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &m.Settings.UsersTable, Key: key("user_id", user), ConsistentRead: consistent})
	if err != nil {
		return nil, "", err
	}
	if out.Item == nil {
		return nil, "", ErrUserNotFound
	}
	recs := []map[string]any{}
	if l, ok := out.Item["recommendations"].(*dtypes.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			if mm, ok := v.(*dtypes.AttributeValueMemberM); ok {
				recs = append(recs, map[string]any{"fixture_id": getS(mm.Value, "fixture_id"), "league_name": getS(mm.Value, "league_name"),
					"round": getS(mm.Value, "round"), "date": getS(mm.Value, "date"), "available": getN(mm.Value, "available")})
			}
		}
	}
	return recs, getS(out.Item, "recommended_at"), nil
}

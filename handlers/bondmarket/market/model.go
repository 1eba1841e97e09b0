package market

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Request is a purchase request, as the API shows it.
type Request struct {
	RequestID    string  `json:"request_id"`
	GroupID      string  `json:"group_id"`
	FixtureID    string  `json:"fixture_id"`
	LeagueName   string  `json:"league_name"`
	Round        string  `json:"round"`
	Date         string  `json:"date"`
	Result       string  `json:"result"`
	DepositToken string  `json:"deposit_token"`
	Datetime     string  `json:"datetime"`
	Quantity     int64   `json:"quantity"`
	UserID       string  `json:"user_id"`
	Status       string  `json:"status"`
	Seller       int64   `json:"seller"`
	Payment      string  `json:"payment,omitempty"`
	Amount       float64 `json:"amount"`
	WebpayToken  string  `json:"webpay_token,omitempty"`
	CreatedAt    string  `json:"created_at"`
	ValidatedAt  string  `json:"validated_at,omitempty"`
}

// Internal says whether the request is one of our own users'.
func (r Request) Internal() bool { return r.GroupID == OwnGroup }

// Final says whether the request has been accepted or rejected.
func (r Request) Final() bool { return r.Status == StatusAccepted || r.Status == StatusRejected }

// Fixture is a match with bonds for sale.
type Fixture struct {
	FixtureID  string  `json:"fixture_id"`
	LeagueName string  `json:"league_name"`
	Round      string  `json:"round"`
	Date       string  `json:"date"`
	HomeTeam   string  `json:"home_team"`
	AwayTeam   string  `json:"away_team"`
	Available  int64   `json:"available"`
	Sold       int64   `json:"sold"`
	Price      float64 `json:"price"`
}

// Validation is a PATCH /requests/validate body and a fixtures/validation
// message.
type Validation struct {
	RequestID string `json:"request_id"`
	GroupID   string `json:"group_id"`
	Seller    int64  `json:"seller"`
	Valid     bool   `json:"valid"`
}

// badInput is an input error the API answers with 400 and its message.
type badInput struct{ msg string }

func (e badInput) Error() string { return e.msg }

func bad(format string, args ...any) error { return badInput{fmt.Sprintf(format, args...)} }

// object decodes a JSON object, keeping numbers exact.
func object(body []byte) (map[string]any, error) {
	if len(body) > maxBody {
		return nil, bad("body is larger than %d bytes", maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, bad("body must be a JSON object")
	}
	if dec.More() {
		return nil, bad("body must be one JSON object")
	}
	return m, nil
}

// text reads a string field; ids may come as integers too (other groups
// send fixture_id and group_id as numbers).
func text(m map[string]any, k string, required bool) (string, error) {
	v, ok := m[k]
	if !ok || v == nil {
		if required {
			return "", bad("%s is required", k)
		}
		return "", nil
	}
	var s string
	switch t := v.(type) {
	case string:
		s = strings.TrimSpace(t)
	case json.Number:
		if _, err := strconv.ParseInt(t.String(), 10, 64); err != nil {
			return "", bad("%s must be a string or an integer", k)
		}
		s = t.String()
	default:
		return "", bad("%s must be a string", k)
	}
	if required && s == "" {
		return "", bad("%s must not be empty", k)
	}
	if len(s) > maxField {
		return "", bad("%s is longer than %d characters", k, maxField)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", bad("%s has control characters", k)
	}
	return s, nil
}

// integer reads an integer field within [lo, hi].
func integer(m map[string]any, k string, required bool, lo, hi int64) (int64, bool, error) {
	v, ok := m[k]
	if !ok || v == nil {
		if required {
			return 0, false, bad("%s is required", k)
		}
		return 0, false, nil
	}
	var n int64
	var err error
	switch t := v.(type) {
	case json.Number:
		n, err = strconv.ParseInt(t.String(), 10, 64)
	case string:
		n, err = strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	default:
		err = errors.New("not a number")
	}
	if err != nil {
		return 0, false, bad("%s must be an integer", k)
	}
	if n < lo || n > hi {
		return 0, false, bad("%s must be between %d and %d", k, lo, hi)
	}
	return n, true, nil
}

func number(m map[string]any, k string) (float64, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return 0, bad("%s is required", k)
	}
	var f float64
	var err error
	switch t := v.(type) {
	case json.Number:
		f, err = t.Float64()
	case string:
		f, err = strconv.ParseFloat(strings.TrimSpace(t), 64)
	default:
		err = errors.New("not a number")
	}
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, bad("%s must be a number", k)
	}
	return f, nil
}

func boolean(m map[string]any, k string) (bool, error) {
	switch t := m[k].(type) {
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	case nil:
		return false, bad("%s is required", k)
	}
	return false, bad("%s must be true or false", k)
}

// ParseRequest reads a purchase request (POST /requests or an MQTT
// message on fixtures/requests). External requests must carry their
// request_id; internal ones get a new one later.
func ParseRequest(body []byte) (Request, error) {
	m, err := object(body)
	if err != nil {
		return Request{}, err
	}
	var r Request
	for _, f := range []struct {
		dst      *string
		name     string
		required bool
	}{
		{&r.GroupID, "group_id", true}, {&r.FixtureID, "fixture_id", true}, {&r.UserID, "user_id", false},
		{&r.LeagueName, "league_name", false}, {&r.Round, "round", false}, {&r.Date, "date", false},
		{&r.Result, "result", false}, {&r.DepositToken, "deposit_token", false}, {&r.Datetime, "datetime", false},
		{&r.Status, "status", false}, {&r.RequestID, "request_id", false}, {&r.Payment, "payment", false},
	} {
		if *f.dst, err = text(m, f.name, f.required); err != nil {
			return Request{}, err
		}
	}
	if r.Quantity, _, err = integer(m, "quantity", true, 1, MaxQuantity); err != nil {
		return Request{}, err
	}
	if r.Seller, _, err = integer(m, "seller", false, 0, math.MaxInt32); err != nil {
		return Request{}, err
	}
	switch {
	case r.Internal() && r.UserID == "":
		return Request{}, bad("user_id is required for group %s's requests", OwnGroup)
	case !r.Internal() && r.RequestID == "":
		return Request{}, bad("request_id is required for other groups' requests")
	case len(r.RequestID) > 64:
		return Request{}, bad("request_id is longer than 64 characters")
	}
	switch r.Payment {
	case "", "webpay":
		r.Payment = ""
	case "wallet":
		if !r.Internal() {
			return Request{}, bad("only group %s's users pay by wallet", OwnGroup)
		}
	default:
		return Request{}, bad("payment must be wallet or webpay")
	}
	switch r.Status {
	case "":
		r.Status = StatusPending
	case StatusAccepted, StatusRejected:
		return Request{}, bad("a new request cannot be %s: validation decides that", r.Status)
	}
	return r, nil
}

// ParseValidation reads a validation (PATCH /requests/validate or an MQTT
// message on fixtures/validation).
func ParseValidation(body []byte) (Validation, error) {
	m, err := object(body)
	if err != nil {
		return Validation{}, err
	}
	var v Validation
	if v.RequestID, err = text(m, "request_id", true); err != nil {
		return Validation{}, err
	}
	if v.GroupID, err = text(m, "group_id", false); err != nil {
		return Validation{}, err
	}
	if v.Seller, _, err = integer(m, "seller", false, 0, math.MaxInt32); err != nil {
		return Validation{}, err
	}
	if v.Valid, err = boolean(m, "valid"); err != nil {
		return Validation{}, err
	}
	return v, nil
}

// DynamoDB item helpers.

func sv(s string) dtypes.AttributeValue { return &dtypes.AttributeValueMemberS{Value: s} }
func nv(n int64) dtypes.AttributeValue  { return &dtypes.AttributeValueMemberN{Value: itoa(n)} }
func fv(f float64) dtypes.AttributeValue {
	return &dtypes.AttributeValueMemberN{Value: strconv.FormatFloat(f, 'f', -1, 64)}
}

func getS(item map[string]dtypes.AttributeValue, k string) string {
	if v, ok := item[k].(*dtypes.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getF(item map[string]dtypes.AttributeValue, k string) float64 {
	if v, ok := item[k].(*dtypes.AttributeValueMemberN); ok {
		f, _ := strconv.ParseFloat(v.Value, 64)
		return f
	}
	return 0
}

func getN(item map[string]dtypes.AttributeValue, k string) int64 { return int64(getF(item, k)) }

func (r Request) item() map[string]dtypes.AttributeValue {
	it := map[string]dtypes.AttributeValue{
		"request_id": sv(r.RequestID), "group_id": sv(r.GroupID), "fixture_id": sv(r.FixtureID),
		"quantity": nv(r.Quantity), "status": sv(r.Status), "seller": nv(r.Seller), "amount": fv(r.Amount),
		"created_at": sv(r.CreatedAt),
	}
	for k, v := range map[string]string{"league_name": r.LeagueName, "round": r.Round, "date": r.Date, "result": r.Result,
		"deposit_token": r.DepositToken, "datetime": r.Datetime, "user_id": r.UserID, "payment": r.Payment, "webpay_token": r.WebpayToken} {
		if v != "" {
			it[k] = sv(v)
		}
	}
	if r.Internal() {
		it["internal"] = sv(OwnGroup) // the key of the internal-requests index
	}
	return it
}

func requestFrom(it map[string]dtypes.AttributeValue) Request {
	return Request{
		RequestID: getS(it, "request_id"), GroupID: getS(it, "group_id"), FixtureID: getS(it, "fixture_id"),
		LeagueName: getS(it, "league_name"), Round: getS(it, "round"), Date: getS(it, "date"), Result: getS(it, "result"),
		DepositToken: getS(it, "deposit_token"), Datetime: getS(it, "datetime"), Quantity: getN(it, "quantity"),
		UserID: getS(it, "user_id"), Status: getS(it, "status"), Seller: getN(it, "seller"), Payment: getS(it, "payment"),
		Amount: getF(it, "amount"), WebpayToken: getS(it, "webpay_token"), CreatedAt: getS(it, "created_at"),
		ValidatedAt: getS(it, "validated_at"),
	}
}

// Item is a fixture as a DynamoDB item (deploy's demo data and the suite
// write fixtures with it).
func (f Fixture) Item() map[string]dtypes.AttributeValue {
	it := map[string]dtypes.AttributeValue{"fixture_id": sv(f.FixtureID), "available": nv(f.Available), "sold": nv(f.Sold)}
	if f.Price > 0 {
		it["price"] = fv(f.Price)
	}
	for k, v := range map[string]string{"league_name": f.LeagueName, "round": f.Round, "date": f.Date, "home_team": f.HomeTeam, "away_team": f.AwayTeam} {
		if v != "" {
			it[k] = sv(v)
		}
	}
	return it
}

func fixtureFrom(it map[string]dtypes.AttributeValue) Fixture {
	f := Fixture{FixtureID: getS(it, "fixture_id"), LeagueName: getS(it, "league_name"), Round: getS(it, "round"),
		Date: getS(it, "date"), HomeTeam: getS(it, "home_team"), AwayTeam: getS(it, "away_team"),
		Available: getN(it, "available"), Sold: getN(it, "sold"), Price: getF(it, "price")}
	if f.Price <= 0 {
		f.Price = DefaultPrice
	}
	return f
}

func key(name, value string) map[string]dtypes.AttributeValue {
	return map[string]dtypes.AttributeValue{name: sv(value)}
}

var consistent = aws.Bool(true)

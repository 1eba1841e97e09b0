package order

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a posted order: generous for a real delivery, small enough that
// one request can never become a large write.
const (
	MaxBodyBytes   = 64 << 10
	MaxLines       = 100
	MaxIDLength    = 128
	MaxNameLength  = 200
	MaxPriceCents  = 100_000_000 // 1,000,000.00 per product
	maxNumberText  = 40
	maxExponent    = 20
	earliestYear   = 2000
	latestYear     = 2099
	fingerprintTag = "deliveries-order/1"
	// MaxAhead is how far ahead of the server's clock a timestamp may be: a
	// courier's phone may run a little fast, but an order cannot have been
	// delivered in the future.
	MaxAhead = 5 * time.Minute
)

// ID is an identifier as the client sent it: a JSON string or an integer
// (the original catalogue used both), kept so it is returned unchanged.
type ID struct {
	Text    string
	Numeric bool
}

// MarshalJSON writes the ID back in the kind it arrived in.
func (id ID) MarshalJSON() ([]byte, error) {
	if id.Numeric {
		return []byte(id.Text), nil
	}
	return json.Marshal(id.Text)
}

// Courier is the repartidor who delivered the order.
type Courier struct {
	ID   ID     `json:"IdRepartidor"`
	Name string `json:"Nombre"`
}

// Line is one product of an order.
type Line struct {
	ProductID ID     `json:"IdProducto"`
	Product   string `json:"producto"`
	Price     Cents  `json:"precio"`
}

// Order is a delivered order.
type Order struct {
	ID      string  `json:"pedido_id"`
	Courier Courier `json:"repartidor"`
	Lines   []Line  `json:"productos"`
	// Timestamp is the delivery time as the client wrote it, or the
	// server's receive time when the client sent none (ServerTimestamp).
	Timestamp string `json:"timestamp"`
	// ServerTimestamp: the client sent no timestamp, so Timestamp is the
	// server's.
	ServerTimestamp bool `json:"timestamp_servidor,omitempty"`
	// Received is when the server received the order (UTC, whole
	// milliseconds): its place in the live list.
	Received time.Time `json:"recibido,omitzero"`
	// At is Timestamp as an instant (naive timestamps are read in the
	// company's zone).
	At time.Time `json:"-"`
}

// Total is the order's value.
func (o *Order) Total() Cents {
	var t Cents
	for _, l := range o.Lines {
		t += l.Price
	}
	return t
}

// Day is the order's calendar date in zone ("2026-03-14"): the date of
// DayTime.
func (o *Order) Day(zone *time.Location) string { return o.DayTime().In(zone).Format(DayLayout) }

// DayTime is the instant that decides the order's day: when it was
// delivered (its timestamp), so an order delivered at 23:58 and uploaded
// after midnight, or hours late from a phone without signal, counts on the
// day it was delivered. A timestamp ahead of the server's clock (at most
// MaxAhead) counts at the receive time instead: a fast clock must not move
// an order into tomorrow's figures.
func (o *Order) DayTime() time.Time {
	if !o.Received.IsZero() && o.At.After(o.Received) {
		return o.Received
	}
	return o.At
}

// DayLayout is how days are written everywhere in the flow.
const DayLayout = "2006-01-02"

// feedLayout is fixed-width UTC milliseconds: it sorts as text.
const feedLayout = "2006-01-02T15:04:05.000Z"

// SortKey places the order in the live list: by arrival (the server's
// receive time), then ID. Arrival, not the client's timestamp, so an order
// stamped far ahead cannot stay on top and one stamped hours ago still
// shows up as the newest.
func (o *Order) SortKey() string { return o.Received.UTC().Format(feedLayout) + "#" + o.ID }

// ParseSortKey returns the receive time a SortKey starts with.
func ParseSortKey(key string) (time.Time, error) {
	if len(key) < len(feedLayout) {
		return time.Time{}, errors.New("sort key too short")
	}
	return time.Parse(feedLayout, key[:len(feedLayout)])
}

// ProductCounts is how many times each product appears in the order.
func (o *Order) ProductCounts() map[string]int64 {
	m := make(map[string]int64, len(o.Lines))
	for _, l := range o.Lines {
		m[l.Product]++
	}
	return m
}

// Fingerprint identifies the order's content: two posts of the same
// pedido_id are the same order exactly when their fingerprints are equal.
func (o *Order) Fingerprint() string {
	h := sha256.New()
	at := strconv.FormatInt(o.At.UnixNano(), 10)
	if o.ServerTimestamp {
		// no timestamp was sent: every repost is stamped anew, and is
		// still the same order
		at = "server"
	}
	fmt.Fprintf(h, "%s\n%q\n%t%q\n%q\n%s\n", fingerprintTag, o.ID, o.Courier.ID.Numeric, o.Courier.ID.Text, o.Courier.Name, at)
	for _, l := range o.Lines {
		fmt.Fprintf(h, "%t%q\n%q\n%d\n", l.ProductID.Numeric, l.ProductID.Text, l.Product, l.Price)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Cents is an amount of money in hundredths: prices carry at most two
// decimals, so sums are exact.
type Cents int64

// String writes c as a decimal without trailing zeros ("268.8", "20.68", "5").
func (c Cents) String() string {
	neg := c < 0
	u := uint64(c)
	if neg {
		u = uint64(-c)
	}
	s := strconv.FormatUint(u/100, 10)
	if frac := u % 100; frac != 0 {
		f := fmt.Sprintf("%02d", frac)
		s += "." + strings.TrimRight(f, "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// MarshalJSON writes c as a JSON number.
func (c Cents) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }

// ParseCents reads a decimal number with at most two decimals ("19.99",
// "5", "1.5e1").
func ParseCents(text string) (Cents, error) {
	if len(text) > maxNumberText {
		return 0, errors.New("number too long")
	}
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		exp, err := strconv.Atoi(strings.TrimPrefix(text[i+1:], "+"))
		if err != nil || exp > maxExponent || exp < -maxExponent {
			return 0, errors.New("exponent out of range")
		}
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return 0, errors.New("not a number")
	}
	if r.Sign() < 0 {
		return 0, errNegative
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() {
		return 0, errDecimals
	}
	if r.Num().Cmp(big.NewInt(MaxPriceCents)) > 0 {
		return 0, errTooLarge
	}
	return Cents(r.Num().Int64()), nil
}

var (
	errNegative = errors.New("must not be negative")
	errDecimals = errors.New("must have at most 2 decimal places")
	errTooLarge = fmt.Errorf("must be at most %s", Cents(MaxPriceCents))
)

// Average is total/n rounded half up to a cent (0 when n is 0).
func Average(total Cents, n int64) Cents {
	if n <= 0 {
		return 0
	}
	if total < 0 {
		return -Average(-total, n)
	}
	return Cents((2*int64(total) + n) / (2 * n))
}

// Reason is one thing wrong with a request, in FastAPI's shape: where
// (loc), what (msg) and a machine-readable kind (type).
type Reason struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// Invalid is a request the flow refuses: Status is 400 (unreadable) or 422
// (readable but wrong).
type Invalid struct {
	Status  int
	Reasons []Reason
}

func (e *Invalid) Error() string {
	parts := make([]string, len(e.Reasons))
	for i, r := range e.Reasons {
		parts[i] = fmt.Sprintf("%v: %s", r.Loc, r.Msg)
	}
	return fmt.Sprintf("invalid order (%d): %s", e.Status, strings.Join(parts, "; "))
}

// Parse reads and validates an order posted at now (the server's clock).
// Naive timestamps (no offset) are read in zone; a missing timestamp is
// now's, one more than MaxAhead ahead of now is refused. It returns an
// *Invalid listing every problem found.
func Parse(body []byte, zone *time.Location, now time.Time) (Order, error) {
	if len(body) > MaxBodyBytes {
		return Order{}, &Invalid{Status: 400, Reasons: []Reason{{Loc: []any{"body"}, Msg: fmt.Sprintf("body is %d bytes; at most %d are accepted", len(body), MaxBodyBytes), Type: "body_too_large"}}}
	}
	raw, err := DecodeJSON(body)
	if err != nil {
		return Order{}, &Invalid{Status: 400, Reasons: []Reason{{Loc: []any{"body"}, Msg: err.Error(), Type: "json_invalid"}}}
	}
	v := &validator{}
	o := v.order(raw, zone, now.UTC().Truncate(time.Millisecond))
	if len(v.reasons) > 0 {
		return Order{}, &Invalid{Status: 422, Reasons: v.reasons}
	}
	return o, nil
}

// DecodeJSON reads exactly one JSON value with numbers kept as text.
func DecodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("body is empty; a JSON object is expected")
	}
	if !utf8.Valid(body) {
		return nil, errors.New("body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("body is not valid JSON: unexpected data after the first value")
	}
	return v, nil
}

type validator struct{ reasons []Reason }

func (v *validator) fail(msg, kind string, loc ...any) {
	v.reasons = append(v.reasons, Reason{Loc: append([]any{"body"}, loc...), Msg: msg, Type: kind})
}

func (v *validator) order(raw any, zone *time.Location, now time.Time) Order {
	obj, ok := raw.(map[string]any)
	if !ok {
		v.fail("a JSON object is expected", "object_type")
		return Order{}
	}
	o := Order{Received: now}
	o.ID = v.text(obj, "pedido_id", MaxIDLength)
	if c, ok := v.object(obj, "repartidor"); ok {
		o.Courier.ID = v.id(c, "IdRepartidor", "repartidor")
		o.Courier.Name = v.text(c, "Nombre", MaxNameLength, "repartidor")
	}
	o.Lines = v.lines(obj)
	if raw, ok := obj["timestamp"]; !ok || raw == nil {
		// The original's example body has none: delivered when received.
		o.Timestamp, o.At, o.ServerTimestamp = now.In(zone).Format(serverTimestampLayout), now, true
	} else if ts := v.text(obj, "timestamp", 64); ts != "" {
		at, err := ParseTimestamp(ts, zone)
		switch {
		case err != nil:
			v.fail(err.Error(), "datetime_parsing", "timestamp")
		case at.Sub(now) > MaxAhead:
			v.fail(fmt.Sprintf("must not be more than %v ahead of the server's clock (it is %s, the timestamp %s)",
				MaxAhead, now.In(zone).Format(serverTimestampLayout), at.In(zone).Format(serverTimestampLayout)), "datetime_future", "timestamp")
		}
		o.Timestamp, o.At = ts, at
	}
	return o
}

// serverTimestampLayout writes the server's time: ISO 8601 with the zone's
// offset, as clients write theirs.
const serverTimestampLayout = "2006-01-02T15:04:05.000-07:00"

func (v *validator) object(obj map[string]any, key string, at ...any) (map[string]any, bool) {
	raw, ok := obj[key]
	loc := append(append([]any{}, at...), key)
	if !ok || raw == nil {
		v.fail("field required", "missing", loc...)
		return nil, false
	}
	m, ok := raw.(map[string]any)
	if !ok {
		v.fail("must be an object", "object_type", loc...)
		return nil, false
	}
	return m, true
}

func (v *validator) text(obj map[string]any, key string, max int, at ...any) string {
	raw, ok := obj[key]
	loc := append(append([]any{}, at...), key)
	if !ok || raw == nil {
		v.fail("field required", "missing", loc...)
		return ""
	}
	s, ok := raw.(string)
	switch {
	case !ok:
		v.fail("must be a string", "string_type", loc...)
	case strings.TrimSpace(s) == "":
		v.fail("must not be empty", "string_too_short", loc...)
	case utf8.RuneCountInString(s) > max:
		v.fail(fmt.Sprintf("must be at most %d characters", max), "string_too_long", loc...)
	default:
		return s
	}
	return ""
}

// id accepts a non-empty string or an integer.
func (v *validator) id(obj map[string]any, key string, at ...any) ID {
	loc := append(append([]any{}, at...), key)
	switch x := obj[key].(type) {
	case nil:
		v.fail("field required", "missing", loc...)
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			v.fail("must be a string or an integer", "id_type", loc...)
			return ID{}
		}
		return ID{Text: strconv.FormatInt(n, 10), Numeric: true}
	case string:
		if strings.TrimSpace(x) == "" {
			v.fail("must not be empty", "string_too_short", loc...)
		} else if utf8.RuneCountInString(x) > MaxIDLength {
			v.fail(fmt.Sprintf("must be at most %d characters", MaxIDLength), "string_too_long", loc...)
		} else {
			return ID{Text: x}
		}
	default:
		v.fail("must be a string or an integer", "id_type", loc...)
	}
	return ID{}
}

func (v *validator) lines(obj map[string]any) []Line {
	raw, ok := obj["productos"]
	if !ok || raw == nil {
		v.fail("field required", "missing", "productos")
		return nil
	}
	list, ok := raw.([]any)
	switch {
	case !ok:
		v.fail("must be a list", "list_type", "productos")
		return nil
	case len(list) == 0:
		v.fail("must contain at least one product", "too_short", "productos")
		return nil
	case len(list) > MaxLines:
		v.fail(fmt.Sprintf("must contain at most %d products", MaxLines), "too_long", "productos")
		return nil
	}
	lines := make([]Line, 0, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			v.fail("must be an object", "object_type", "productos", i)
			continue
		}
		var l Line
		l.ProductID = v.id(m, "IdProducto", "productos", i)
		l.Product = v.text(m, "producto", MaxNameLength, "productos", i)
		l.Price = v.price(m, i)
		lines = append(lines, l)
	}
	return lines
}

func (v *validator) price(m map[string]any, i int) Cents {
	raw, ok := m["precio"]
	if !ok || raw == nil {
		v.fail("field required", "missing", "productos", i, "precio")
		return 0
	}
	n, ok := raw.(json.Number)
	if !ok {
		v.fail("must be a number", "number_type", "productos", i, "precio")
		return 0
	}
	c, err := ParseCents(string(n))
	if err != nil {
		v.fail(err.Error(), "price_value", "productos", i, "precio")
	}
	return c
}

// ParseTimestamp reads an ISO 8601 date-time: with an offset ("…Z",
// "…-05:00") as given, without one in zone (the original clients sent
// Python's naive datetime.now()).
func ParseTimestamp(s string, zone *time.Location) (time.Time, error) {
	var t time.Time
	var err error
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
			if t, err = time.ParseInLocation(layout, s, zone); err == nil {
				break
			}
		}
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("must be an ISO 8601 date-time such as 2026-03-14T10:30:00-05:00, got %q", s)
	}
	if y := t.Year(); y < earliestYear || y > latestYear {
		return time.Time{}, fmt.Errorf("year must be between %d and %d", earliestYear, latestYear)
	}
	return t, nil
}

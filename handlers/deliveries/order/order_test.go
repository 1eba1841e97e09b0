package order

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

var bogota = mustZone("America/Bogota")

// received is the server's clock in these tests: after every timestamp of
// the valid samples.
var received = time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

const valid = `{"pedido_id":"P-1","repartidor":{"IdRepartidor":7,"Nombre":"Ana"},
 "productos":[{"IdProducto":1,"producto":"Moneda","precio":2.5},{"IdProducto":"X-2","producto":"Billete","precio":10.02}],
 "timestamp":"2025-03-14T23:30:00-05:00"}`

func TestParseValid(t *testing.T) {
	o, err := Parse([]byte(valid), bogota, received)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "P-1" || o.Courier.Name != "Ana" || o.Courier.ID != (ID{"7", true}) {
		t.Errorf("header fields: %+v", o)
	}
	if len(o.Lines) != 2 || o.Lines[1].ProductID != (ID{"X-2", false}) || o.Lines[1].Price != 1002 {
		t.Errorf("lines: %+v", o.Lines)
	}
	if o.Total() != 1252 || o.Total().String() != "12.52" {
		t.Errorf("total %d %s", o.Total(), o.Total())
	}
	// 23:30 in Bogota is 04:30 UTC the next day: the day is Bogota's.
	if d := o.Day(bogota); d != "2025-03-14" {
		t.Errorf("day %s", d)
	}
	if d := o.Day(time.UTC); d != "2025-03-15" {
		t.Errorf("UTC day %s", d)
	}
	// The live list is by arrival, not by the client's timestamp.
	if k := o.SortKey(); k != "2025-03-20T12:00:00.000Z#P-1" {
		t.Errorf("sort key %s", k)
	}
	b, _ := json.Marshal(o)
	want := `{"pedido_id":"P-1","repartidor":{"IdRepartidor":7,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":2.5},{"IdProducto":"X-2","producto":"Billete","precio":10.02}],"timestamp":"2025-03-14T23:30:00-05:00","recibido":"2025-03-20T12:00:00Z"}`
	if string(b) != want {
		t.Errorf("marshal:\n got %s\nwant %s", b, want)
	}
}

func TestParseTimestamp(t *testing.T) {
	cases := []struct {
		in   string
		want string // UTC, RFC 3339
		day  string // in Bogota
	}{
		{"2025-03-14T08:00:00", "2025-03-14T13:00:00Z", "2025-03-14"}, // naive: Bogota
		{"2025-03-15 18:45:10.123456", "2025-03-15T23:45:10.123456Z", "2025-03-15"},
		{"2025-03-15T04:59:59Z", "2025-03-15T04:59:59Z", "2025-03-14"},
		{"2025-03-15T05:00:00Z", "2025-03-15T05:00:00Z", "2025-03-15"},
		{"2025-03-14T23:59:59.999-05:00", "2025-03-15T04:59:59.999Z", "2025-03-14"},
		{"2025-03-15 00:00:00+00:00", "2025-03-15T00:00:00Z", "2025-03-14"},
	}
	for _, c := range cases {
		at, err := ParseTimestamp(c.in, bogota)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := at.UTC().Format(time.RFC3339Nano); got != c.want {
			t.Errorf("%s: %s, want %s", c.in, got, c.want)
		}
		if got := at.In(bogota).Format(DayLayout); got != c.day {
			t.Errorf("%s: day %s, want %s", c.in, got, c.day)
		}
	}
	for _, bad := range []string{"", "yesterday", "2025-13-01T00:00:00Z", "1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "2025-03-14", "1710000000"} {
		if _, err := ParseTimestamp(bad, bogota); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		_ = json.Unmarshal([]byte(valid), &m)
		f(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	line := func(m map[string]any, k string, v any) {
		m["productos"].([]any)[0].(map[string]any)[k] = v
	}
	many := make([]any, MaxLines+1)
	for i := range many {
		many[i] = map[string]any{"IdProducto": i, "producto": "p", "precio": 1}
	}
	cases := []struct {
		name   string
		body   string
		status int
		loc    string // of the first reason
		kind   string
	}{
		{"empty body", "", 400, "[body]", "json_invalid"},
		{"not JSON", "{pedido_id:1}", 400, "[body]", "json_invalid"},
		{"trailing data", valid + " {}", 400, "[body]", "json_invalid"},
		{"truncated", valid[:40], 400, "[body]", "json_invalid"},
		{"not UTF-8", "{\"pedido_id\":\"\xff\"}", 400, "[body]", "json_invalid"},
		{"too large", `{"pedido_id":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, 400, "[body]", "body_too_large"},
		{"array", `[1,2]`, 422, "[body]", "object_type"},
		{"missing pedido_id", edit(func(m map[string]any) { delete(m, "pedido_id") }), 422, "[body pedido_id]", "missing"},
		{"null pedido_id", edit(func(m map[string]any) { m["pedido_id"] = nil }), 422, "[body pedido_id]", "missing"},
		{"numeric pedido_id", edit(func(m map[string]any) { m["pedido_id"] = 5 }), 422, "[body pedido_id]", "string_type"},
		{"blank pedido_id", edit(func(m map[string]any) { m["pedido_id"] = "  " }), 422, "[body pedido_id]", "string_too_short"},
		{"long pedido_id", edit(func(m map[string]any) { m["pedido_id"] = strings.Repeat("x", MaxIDLength+1) }), 422, "[body pedido_id]", "string_too_long"},
		{"missing repartidor", edit(func(m map[string]any) { delete(m, "repartidor") }), 422, "[body repartidor]", "missing"},
		{"repartidor not object", edit(func(m map[string]any) { m["repartidor"] = "Ana" }), 422, "[body repartidor]", "object_type"},
		{"missing Nombre", edit(func(m map[string]any) { delete(m["repartidor"].(map[string]any), "Nombre") }), 422, "[body repartidor Nombre]", "missing"},
		{"fractional IdRepartidor", edit(func(m map[string]any) { m["repartidor"].(map[string]any)["IdRepartidor"] = 1.5 }), 422, "[body repartidor IdRepartidor]", "id_type"},
		{"bool IdRepartidor", edit(func(m map[string]any) { m["repartidor"].(map[string]any)["IdRepartidor"] = true }), 422, "[body repartidor IdRepartidor]", "id_type"},
		{"missing productos", edit(func(m map[string]any) { delete(m, "productos") }), 422, "[body productos]", "missing"},
		{"empty productos", edit(func(m map[string]any) { m["productos"] = []any{} }), 422, "[body productos]", "too_short"},
		{"productos not list", edit(func(m map[string]any) { m["productos"] = map[string]any{} }), 422, "[body productos]", "list_type"},
		{"too many productos", edit(func(m map[string]any) { m["productos"] = many }), 422, "[body productos]", "too_long"},
		{"product not object", edit(func(m map[string]any) { m["productos"] = []any{1} }), 422, "[body productos 0]", "object_type"},
		{"negative price", edit(func(m map[string]any) { line(m, "precio", -0.01) }), 422, "[body productos 0 precio]", "price_value"},
		{"three decimals", edit(func(m map[string]any) { line(m, "precio", 2.505) }), 422, "[body productos 0 precio]", "price_value"},
		{"huge price", edit(func(m map[string]any) { line(m, "precio", 1e7) }), 422, "[body productos 0 precio]", "price_value"},
		{"price as text", edit(func(m map[string]any) { line(m, "precio", "2.50") }), 422, "[body productos 0 precio]", "number_type"},
		{"missing price", edit(func(m map[string]any) { line(m, "precio", nil) }), 422, "[body productos 0 precio]", "missing"},
		{"missing producto", edit(func(m map[string]any) { line(m, "producto", nil) }), 422, "[body productos 0 producto]", "missing"},
		{"bad timestamp", edit(func(m map[string]any) { m["timestamp"] = "ayer" }), 422, "[body timestamp]", "datetime_parsing"},
		{"empty timestamp", edit(func(m map[string]any) { m["timestamp"] = "" }), 422, "[body timestamp]", "string_too_short"},
		{"numeric timestamp", edit(func(m map[string]any) { m["timestamp"] = 1710000000 }), 422, "[body timestamp]", "string_type"},
		{"timestamp 6 minutes ahead", edit(func(m map[string]any) { m["timestamp"] = received.Add(6 * time.Minute).Format(time.RFC3339) }), 422, "[body timestamp]", "datetime_future"},
		{"timestamp in 2099", edit(func(m map[string]any) { m["timestamp"] = "2099-01-01T00:00:00Z" }), 422, "[body timestamp]", "datetime_future"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.body), bogota, received)
			inv, ok := err.(*Invalid)
			if !ok {
				t.Fatalf("err = %v, want *Invalid", err)
			}
			if inv.Status != c.status {
				t.Errorf("status %d, want %d", inv.Status, c.status)
			}
			if len(inv.Reasons) == 0 {
				t.Fatal("no reasons")
			}
			r := inv.Reasons[0]
			if got := fmt.Sprint(r.Loc); got != c.loc || r.Type != c.kind || r.Msg == "" {
				t.Errorf("reason %+v, want loc %s type %s", r, c.loc, c.kind)
			}
		})
	}
}

func TestParseListsEveryReason(t *testing.T) {
	_, err := Parse([]byte(`{"productos":[{"precio":-1}]}`), bogota, received)
	inv := err.(*Invalid)
	var locs []string
	for _, r := range inv.Reasons {
		locs = append(locs, fmt.Sprint(r.Loc))
	}
	want := "[body pedido_id] [body repartidor] [body productos 0 IdProducto] [body productos 0 producto] [body productos 0 precio]"
	if got := strings.Join(locs, " "); got != want {
		t.Errorf("reasons at\n %s\nwant\n %s", got, want)
	}
}

func TestCents(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Cents
		err  bool
	}{
		{"0", 0, false}, {"2.5", 250, false}, {"2.50", 250, false}, {"10.02", 1002, false},
		{"1e2", 10000, false}, {"1.5E1", 1500, false}, {"0.01", 1, false}, {"1000000", 100000000, false},
		{"1000000.01", 0, true}, {"-0.01", 0, true}, {"0.001", 0, true}, {"1e-3", 0, true},
		{"1e99999999", 0, true}, {"abc", 0, true}, {strings.Repeat("1", 41), 0, true},
	} {
		got, err := ParseCents(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d, err %v", c.in, got, err, c.want, c.err)
		}
	}
	for c, want := range map[Cents]string{0: "0", 5: "0.05", 50: "0.5", 250: "2.5", 26880: "268.8", 2068: "20.68", 100: "1", -250: "-2.5"} {
		if got := c.String(); got != want {
			t.Errorf("Cents(%d) = %s, want %s", int64(c), got, want)
		}
	}
	for _, c := range []struct {
		total Cents
		n     int64
		want  Cents
	}{{10222, 4, 2556}, {12249, 3, 4083}, {100, 3, 33}, {200, 3, 67}, {0, 0, 0}, {5, 0, 0}, {1, 2, 1}} {
		if got := Average(c.total, c.n); got != c.want {
			t.Errorf("Average(%d, %d) = %d, want %d", c.total, c.n, got, c.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	fp := func(body string) string {
		o, err := Parse([]byte(body), bogota, received)
		if err != nil {
			t.Fatal(err)
		}
		return o.Fingerprint()
	}
	base := fp(valid)
	same := strings.NewReplacer(`"precio":2.5`, `"precio":2.50`, `2025-03-14T23:30:00-05:00`, `2025-03-15T04:30:00Z`).Replace(valid)
	if fp(same) != base {
		t.Error("the same order written differently has another fingerprint")
	}
	for _, other := range []string{
		strings.Replace(valid, `"precio":2.5`, `"precio":2.6`, 1),
		strings.Replace(valid, `"IdRepartidor":7`, `"IdRepartidor":"7"`, 1),
		strings.Replace(valid, `"Nombre":"Ana"`, `"Nombre":"Ana María"`, 1),
		strings.Replace(valid, `23:30:00`, `23:30:01`, 1),
	} {
		if fp(other) == base {
			t.Errorf("a different order has the same fingerprint: %s", other)
		}
	}
}

// TestServerClock: the server's clock fills a missing timestamp, refuses
// one from the future, places the order in the live list, and decides the
// day only when the timestamp is ahead of it.
func TestServerClock(t *testing.T) {
	body := func(ts any) []byte {
		var m map[string]any
		_ = json.Unmarshal([]byte(valid), &m)
		if ts == nil {
			delete(m, "timestamp")
		} else {
			m["timestamp"] = ts
		}
		b, _ := json.Marshal(m)
		return b
	}
	// 23:58 in Bogota on the 14th
	now := time.Date(2025, 3, 15, 4, 58, 0, 123456789, time.UTC)
	cases := []struct {
		name      string
		ts        any
		timestamp string // as listed
		day       string
		refused   string // the reason's message, when refused
	}{
		{"no timestamp", nil, "2025-03-14T23:58:00.123-05:00", "2025-03-14", ""},
		{"null timestamp", json.RawMessage("null"), "2025-03-14T23:58:00.123-05:00", "2025-03-14", ""},
		{"two hours ago", "2025-03-14T21:58:00-05:00", "2025-03-14T21:58:00-05:00", "2025-03-14", ""},
		{"yesterday, uploaded late", "2025-03-13T22:00:00-05:00", "2025-03-13T22:00:00-05:00", "2025-03-13", ""},
		{"a fast clock, past midnight: counted today", "2025-03-15T00:02:00-05:00", "2025-03-15T00:02:00-05:00", "2025-03-14", ""},
		{"exactly 5 minutes ahead", "2025-03-15T00:03:00.123-05:00", "2025-03-15T00:03:00.123-05:00", "2025-03-14", ""},
		{"5 minutes and a millisecond ahead", "2025-03-15T00:03:00.124-05:00", "", "", "must not be more than 5m0s ahead of the server's clock (it is 2025-03-14T23:58:00.123-05:00, the timestamp 2025-03-15T00:03:00.124-05:00)"},
		{"an hour ahead", "2025-03-15T00:58:00-05:00", "", "", "5m0s ahead"},
	}
	for _, c := range cases {
		o, err := Parse(body(c.ts), bogota, now)
		if c.refused != "" {
			inv, ok := err.(*Invalid)
			if !ok || inv.Status != 422 || fmt.Sprint(inv.Reasons[0].Loc) != "[body timestamp]" || !strings.Contains(inv.Reasons[0].Msg, c.refused) {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if o.Timestamp != c.timestamp || o.Day(bogota) != c.day || !o.Received.Equal(now.Truncate(time.Millisecond)) || o.ServerTimestamp != (c.timestamp == "2025-03-14T23:58:00.123-05:00") {
			t.Errorf("%s: timestamp %s (server's: %v), day %s, received %v", c.name, o.Timestamp, o.ServerTimestamp, o.Day(bogota), o.Received)
		}
		if k := o.SortKey(); k != "2025-03-15T04:58:00.123Z#P-1" {
			t.Errorf("%s: sort key %s", c.name, k)
		}
		if at, err := ParseSortKey(o.SortKey()); err != nil || !at.Equal(o.Received) {
			t.Errorf("%s: ParseSortKey: %v %v", c.name, at, err)
		}
	}
	// Reposts of an order without a timestamp are the same order, whenever
	// they arrive; an order with a timestamp is another.
	a, _ := Parse(body(nil), bogota, now)
	b, _ := Parse(body(nil), bogota, now.Add(time.Hour))
	c, _ := Parse(body("2025-03-14T23:58:00.123-05:00"), bogota, now)
	if a.Fingerprint() != b.Fingerprint() || a.Fingerprint() == c.Fingerprint() {
		t.Error("fingerprints of timestamp-less reposts")
	}
}

// FuzzParse: no input makes Parse panic, and every accepted order survives
// a round trip through its JSON form unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte(`{"pedido_id":"x","repartidor":{"IdRepartidor":"a","Nombre":"b"},"productos":[{"IdProducto":1,"producto":"c","precio":1e1}],"timestamp":"2025-01-01 00:00:00"}`))
	f.Add([]byte(`{"productos":[{"precio":-1}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"pedido_id":"\u00e9","repartidor":{"IdRepartidor":99999999999999999999,"Nombre":"b"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := Parse(body, bogota, received)
		if err != nil {
			if _, ok := err.(*Invalid); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if len(o.Lines) == 0 || len(o.Lines) > MaxLines || o.Total() < 0 || o.ID == "" {
			t.Fatalf("accepted an invalid order: %+v", o)
		}
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(b, bogota, received)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", b, err)
		}
		if o.ServerTimestamp {
			// the server's timestamp is written out and read back as the client's
			back.ServerTimestamp = true
		}
		if back.Fingerprint() != o.Fingerprint() {
			t.Fatalf("round trip changed the order: %s", b)
		}
	})
}

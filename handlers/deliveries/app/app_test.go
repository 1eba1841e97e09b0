package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/crypto/bcrypt"

	"github.com/groundstack/groundstack/handlers/deliveries/auth"
	"github.com/groundstack/groundstack/handlers/deliveries/ledger"
	"github.com/groundstack/groundstack/handlers/deliveries/order"
)

// memStore is an in-memory Store with the ledger's semantics.
type memStore struct {
	mu     sync.Mutex
	orders map[string]order.Order
	days   map[string]*memDay
	users  map[string]string
	zone   *time.Location
	fail   error
}

// memDay is a day's aggregates with every product's count.
type memDay struct {
	ledger.DayTotals
	products map[string]int64
}

func newMemStore(zone *time.Location) *memStore {
	h, _ := bcrypt.GenerateFromPassword([]byte("right-password"), bcrypt.MinCost)
	return &memStore{orders: map[string]order.Order{}, days: map[string]*memDay{}, users: map[string]string{"admin": string(h)}, zone: zone}
}

func (m *memStore) Record(_ context.Context, o order.Order) (ledger.Outcome, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return 0, m.fail
	}
	if old, ok := m.orders[o.ID]; ok {
		if old.Fingerprint() == o.Fingerprint() {
			return ledger.AlreadyRecorded, nil
		}
		return 0, ledger.ErrConflict
	}
	m.orders[o.ID] = o
	d := m.days[o.Day(m.zone)]
	if d == nil {
		d = &memDay{DayTotals: ledger.DayTotals{Day: o.Day(m.zone)}, products: map[string]int64{}}
		m.days[d.Day] = d
	}
	d.Orders++
	d.Sales += o.Total()
	for p, n := range o.ProductCounts() {
		d.products[p] += n
	}
	return ledger.Recorded, nil
}

func (m *memStore) Page(_ context.Context, limit int, token string) ([]order.Order, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if token != "" && !strings.HasPrefix(token, "after:") {
		return nil, "", ledger.ErrBadToken
	}
	var all []order.Order
	for _, o := range m.orders {
		all = append(all, o)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].SortKey() > all[j].SortKey() })
	start := 0
	for i, o := range all {
		if token == "after:"+o.SortKey() {
			start = i + 1
		}
	}
	all = all[start:]
	if len(all) > limit {
		return all[:limit], "after:" + all[limit-1].SortKey(), nil
	}
	return all, "", nil
}

func (m *memStore) Day(_ context.Context, day string, top int) (ledger.DayTotals, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.days[day]; ok {
		t := d.DayTotals
		t.Top = ledger.TopOf(d.products, top)
		return t, nil
	}
	return ledger.DayTotals{Day: day}, nil
}

func (m *memStore) User(_ context.Context, name string) (ledger.User, bool, error) {
	h, ok := m.users[name]
	return ledger.User{Username: name, PasswordHash: h}, ok, nil
}

type fixture struct {
	app    *App
	store  *memStore
	tokens *auth.Tokens
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	zone, err := time.LoadLocation("America/Bogota")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: newMemStore(zone), now: time.Date(2025, 3, 15, 3, 0, 0, 0, time.UTC)} // 22:00 on the 14th in Bogota
	clock := func() time.Time { return f.now }
	f.tokens, err = auth.NewTokens([]byte("0123456789abcdef0123456789abcdef-test"), 0, clock)
	if err != nil {
		t.Fatal(err)
	}
	f.app = New(f.store, func(context.Context) (*auth.Tokens, error) { return f.tokens, nil }, zone, clock, nil)
	return f
}

func (f *fixture) do(method, path, token, body string, query map[string]string) (int, map[string]any, Response) {
	h := map[string]string{"content-type": "application/json"}
	if token != "" {
		h["authorization"] = "Bearer " + token
	}
	r := f.app.Serve(context.Background(), Request{Method: method, Path: path, Headers: h, Query: query, Body: []byte(body)})
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return r.Status, m, r
}

func (f *fixture) token(t *testing.T) string {
	tok, _, err := f.tokens.Issue("admin")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

const orderBody = `{"pedido_id":"P-1","repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":2.5},{"IdProducto":2,"producto":"Billete","precio":10}],"timestamp":"2025-03-14T21:00:00-05:00"}`

func TestRouting(t *testing.T) {
	f := newFixture(t)
	if st, m, _ := f.do("GET", "/nothing", "", "", nil); st != 404 || m["detail"] != "Not Found" {
		t.Errorf("unknown path: %d %v", st, m)
	}
	st, m, r := f.do("GET", PathToken, "", "", nil)
	if st != 405 || m["detail"] != "Method Not Allowed" || r.Headers["Allow"] != "POST" {
		t.Errorf("wrong method: %d %v %v", st, m, r.Headers)
	}
	st, _, r = f.do("OPTIONS", PathRecord, "", "", nil)
	if st != 204 || r.Headers["Access-Control-Allow-Origin"] != "*" || !strings.Contains(r.Headers["Access-Control-Allow-Headers"], "Authorization") {
		t.Errorf("preflight: %d %v", st, r.Headers)
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	st, m, _ := f.do("POST", PathToken, "", `{"username":"admin","password":"right-password"}`, nil)
	if st != 200 || m["token_type"] != "bearer" || m["expires_in"] != float64(1800) {
		t.Fatalf("login: %d %v", st, m)
	}
	if sub, err := f.tokens.Verify(m["access_token"].(string)); err != nil || sub != "admin" {
		t.Errorf("issued token: %q %v", sub, err)
	}
	form := f.app.Serve(context.Background(), Request{Method: "POST", Path: PathToken,
		Headers: map[string]string{"content-type": "application/x-www-form-urlencoded"}, Body: []byte("username=admin&password=right-password&grant_type=password")})
	if form.Status != 200 {
		t.Errorf("form login: %d %s", form.Status, form.Body)
	}
	cases := []struct {
		name, body string
		status     int
		detail     string
	}{
		{"wrong password", `{"username":"admin","password":"wrong"}`, 401, "Incorrect username or password"},
		{"unknown user", `{"username":"nobody","password":"right-password"}`, 401, "Incorrect username or password"},
		{"plain-text hash is not a password", `{"username":"admin","password":"` + f.store.users["admin"] + `"}`, 401, "Incorrect username or password"},
		{"password past bcrypt's 72 bytes", `{"username":"admin","password":"right-password` + strings.Repeat("x", 80) + `"}`, 401, "Incorrect username or password"},
		{"missing password", `{"username":"admin"}`, 422, ""},
		{"number password", `{"username":"admin","password":5}`, 422, ""},
		{"bad JSON", `{"username":`, 400, ""},
		{"oversized", `{"username":"` + strings.Repeat("a", 5000) + `"}`, 400, ""},
	}
	for _, c := range cases {
		st, m, r := f.do("POST", PathToken, "", c.body, nil)
		if st != c.status {
			t.Errorf("%s: status %d, want %d (%v)", c.name, st, c.status, m)
		}
		if c.detail != "" && m["detail"] != c.detail {
			t.Errorf("%s: detail %v", c.name, m["detail"])
		}
		if st == 401 && r.Headers["WWW-Authenticate"] != "Bearer" {
			t.Errorf("%s: no WWW-Authenticate", c.name)
		}
		if st == 422 {
			if reasons, ok := m["detail"].([]any); !ok || len(reasons) == 0 {
				t.Errorf("%s: no reasons: %v", c.name, m)
			}
		}
	}
}

func TestBearerTokens(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t)
	for _, path := range []string{PathOrders, PathMetrics} {
		if st, _, _ := f.do("GET", path, tok, "", nil); st != 200 {
			t.Errorf("%s with a good token: %d", path, st)
		}
	}
	cases := map[string]struct{ header, detail string }{
		"none":           {"", "Not authenticated"},
		"basic":          {"Basic YWRtaW46eA==", "Not authenticated"},
		"empty bearer":   {"Bearer ", "Not authenticated"},
		"garbage":        {"Bearer abc.def.ghi", "Could not validate credentials"},
		"signed by else": {"Bearer " + mustIssue(t, "another secret of at least 32 bytes!!"), "Could not validate credentials"},
	}
	for name, c := range cases {
		for _, r := range []struct{ method, path, body string }{{"GET", PathOrders, ""}, {"GET", PathMetrics, ""}, {"POST", PathRecord, orderBody}} {
			h := map[string]string{}
			if c.header != "" {
				h["authorization"] = c.header
			}
			resp := f.app.Serve(context.Background(), Request{Method: r.method, Path: r.path, Headers: h, Body: []byte(r.body)})
			var m map[string]any
			_ = json.Unmarshal(resp.Body, &m)
			if resp.Status != 403 || m["detail"] != c.detail {
				t.Errorf("%s on %s: %d %v", name, r.path, resp.Status, m)
			}
		}
	}
	if len(f.store.orders) != 0 {
		t.Error("an unauthenticated post was stored")
	}
	f.now = f.now.Add(31 * time.Minute)
	if st, m, _ := f.do("GET", PathMetrics, tok, "", nil); st != 403 || m["detail"] != "Token expired" {
		t.Errorf("expired: %d %v", st, m)
	}
}

func mustIssue(t *testing.T, secret string) string {
	tk, err := auth.NewTokens([]byte(secret), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := tk.Issue("admin")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRecord(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t)
	st, m, _ := f.do("POST", PathRecord, tok, orderBody, nil)
	if st != 200 || m["duplicado"] != false || m["dia"] != "2025-03-14" || m["total"] != 12.5 {
		t.Fatalf("record: %d %v", st, m)
	}
	st, m, _ = f.do("POST", PathRecord, tok, strings.Replace(orderBody, "2.5", "2.50", 1), nil)
	if st != 200 || m["duplicado"] != true {
		t.Errorf("identical repost: %d %v", st, m)
	}
	st, m, _ = f.do("POST", PathRecord, tok, strings.Replace(orderBody, "2.5", "3.5", 1), nil)
	if st != 409 || !strings.Contains(m["detail"].(string), "P-1") {
		t.Errorf("conflicting repost: %d %v", st, m)
	}
	if d := f.store.days["2025-03-14"]; d.Orders != 1 || d.Sales != 1250 {
		t.Errorf("day totals after reposts: %+v", d)
	}
	st, m, _ = f.do("POST", PathRecord, tok, `{"pedido_id":"P-2","productos":[]}`, nil)
	if st != 422 || len(m["detail"].([]any)) != 2 { // repartidor, productos (timestamp may be left out)
		t.Errorf("invalid: %d %v", st, m)
	}
	if st, _, _ := f.do("POST", PathRecord, tok, `{"pedido_id":`, nil); st != 400 {
		t.Errorf("bad JSON: %d", st)
	}
	f.store.fail = errors.New("dynamodb down")
	if st, m, _ := f.do("POST", PathRecord, tok, strings.Replace(orderBody, "P-1", "P-3", 1), nil); st != 500 || m["detail"] != "Internal Server Error" {
		t.Errorf("store failure: %d %v", st, m)
	}
}

// TestTimestamps: the server's clock fills a missing timestamp (reposts
// stay idempotent), refuses one from the future, and counts an order
// stamped a little ahead of it on the day it arrived.
func TestTimestamps(t *testing.T) {
	f := newFixture(t) // 22:00 on the 14th in Bogota
	tok := f.token(t)
	noTimestamp := strings.Replace(orderBody, `,"timestamp":"2025-03-14T21:00:00-05:00"`, "", 1)
	st, m, _ := f.do("POST", PathRecord, tok, noTimestamp, nil)
	if st != 200 || m["timestamp"] != "2025-03-14T22:00:00.000-05:00" || m["recibido"] != "2025-03-15T03:00:00Z" || m["dia"] != "2025-03-14" || m["duplicado"] != false {
		t.Fatalf("without a timestamp: %d %v", st, m)
	}
	f.now = f.now.Add(time.Minute)
	if st, m, _ := f.do("POST", PathRecord, tok, noTimestamp, nil); st != 200 || m["duplicado"] != true {
		t.Errorf("the same order again, a minute later: %d %v", st, m)
	}
	for _, ts := range []string{"2025-03-14T22:07:00-05:00", "2099-01-01T00:00:00Z"} {
		body := strings.NewReplacer("P-1", "P-future", "2025-03-14T21:00:00-05:00", ts).Replace(orderBody)
		st, m, _ := f.do("POST", PathRecord, tok, body, nil)
		if st != 422 || !strings.Contains(m["detail"].([]any)[0].(map[string]any)["msg"].(string), "5m0s ahead") {
			t.Errorf("timestamp %s: %d %v", ts, st, m)
		}
	}
	if _, ok := f.store.orders["P-future"]; ok {
		t.Error("an order from the future was stored")
	}
	// 23:58 on the 14th; a phone 4 minutes fast stamps 00:02 on the 15th.
	f.now = time.Date(2025, 3, 15, 4, 58, 0, 0, time.UTC)
	body := strings.NewReplacer("P-1", "P-fast", "2025-03-14T21:00:00-05:00", "2025-03-15T00:02:00-05:00").Replace(orderBody)
	if st, m, _ := f.do("POST", PathRecord, f.token(t), body, nil); st != 200 || m["dia"] != "2025-03-14" {
		t.Errorf("a fast clock past midnight: %d %v", st, m)
	}
}

func TestOrdersAndMetrics(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t)
	// Posted a second apart; P-c, delivered the day before, arrives last.
	for i, ts := range []string{"2025-03-14T08:00:00", "2025-03-14T09:00:00", "2025-03-13T09:00:00"} {
		body := strings.NewReplacer("P-1", "P-"+string(rune('a'+i)), "2025-03-14T21:00:00-05:00", ts).Replace(orderBody)
		if st, m, _ := f.do("POST", PathRecord, tok, body, nil); st != 200 {
			t.Fatalf("post %d: %d %v", i, st, m)
		}
		f.now = f.now.Add(time.Second)
	}
	st, m, _ := f.do("GET", PathOrders, tok, "", map[string]string{"limit": "2"})
	if st != 200 || m["count"] != float64(2) || m["next_token"] == nil {
		t.Fatalf("page 1: %d %v", st, m)
	}
	ids := func(m map[string]any) (out []string) {
		for _, p := range m["pedidos"].([]any) {
			out = append(out, p.(map[string]any)["pedido_id"].(string))
		}
		return
	}
	if got := strings.Join(ids(m), ","); got != "P-c,P-b" {
		t.Errorf("newest (by arrival) first: %s", got)
	}
	if got := m["pedidos"].([]any)[0].(map[string]any)["recibido"]; got != "2025-03-15T03:00:02Z" {
		t.Errorf("recibido %v", got)
	}
	_, m2, _ := f.do("GET", PathOrders, tok, "", map[string]string{"limit": "2", "next_token": m["next_token"].(string)})
	if got := strings.Join(ids(m2), ","); got != "P-a" || m2["next_token"] != nil {
		t.Errorf("page 2: %s %v", got, m2["next_token"])
	}
	for _, bad := range []string{"0", "1001", "x", "-1"} {
		if st, _, _ := f.do("GET", PathOrders, tok, "", map[string]string{"limit": bad}); st != 422 {
			t.Errorf("limit=%s: %d", bad, st)
		}
	}
	if st, _, _ := f.do("GET", PathOrders, tok, "", map[string]string{"next_token": "forged"}); st != 400 {
		t.Errorf("forged token: %d", st)
	}

	// "today" is the clock's date in Bogota (22:00 on the 14th), not UTC's 15th.
	st, m, _ = f.do("GET", PathMetrics, tok, "", nil)
	want := `{"top_3_productos":[["Billete",2],["Moneda",2]],"precio_promedio_por_pedido":12.5,"acumulado_ventas_dia":25,"pedidos_dia":2,"fecha":"2025-03-14","zona_horaria":"America/Bogota"}`
	if b, _ := json.Marshal(m); st != 200 || !sameJSON(t, string(b), want) {
		t.Errorf("metrics today: %d %s", st, b)
	}
	_, m, _ = f.do("GET", PathMetrics, tok, "", map[string]string{"fecha": "2025-03-13"})
	if m["pedidos_dia"] != float64(1) || m["acumulado_ventas_dia"] != 12.5 {
		t.Errorf("metrics of the 13th: %v", m)
	}
	_, m, _ = f.do("GET", PathMetrics, tok, "", map[string]string{"fecha": "2025-01-01"})
	if b, _ := json.Marshal(m["top_3_productos"]); string(b) != "[]" || m["acumulado_ventas_dia"] != float64(0) {
		t.Errorf("empty day: %v", m)
	}
	if st, _, _ := f.do("GET", PathMetrics, tok, "", map[string]string{"fecha": "14/03/2025"}); st != 422 {
		t.Errorf("bad fecha: %d", st)
	}
}

func sameJSON(t *testing.T, a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// TestEvents feeds the same request as an API Gateway v1 event and a
// Function URL v2 event (built with aws-lambda-go's own types) and expects
// the same answer.
func TestEvents(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t)
	v1, _ := json.Marshal(events.APIGatewayProxyRequest{
		Resource: "/{proxy+}", Path: PathRecord, HTTPMethod: "POST",
		Headers:         map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"},
		Body:            base64.StdEncoding.EncodeToString([]byte(orderBody)),
		IsBase64Encoded: true,
		RequestContext:  events.APIGatewayProxyRequestContext{Stage: "prod", HTTPMethod: "POST", Path: "/prod" + PathRecord},
	})
	out, err := f.app.HandleEvent(context.Background(), v1)
	if err != nil {
		t.Fatal(err)
	}
	r1 := out.(events.APIGatewayProxyResponse)
	if r1.StatusCode != 200 || !strings.Contains(r1.Body, `"duplicado":false`) || r1.Headers["Content-Type"] != "application/json" {
		t.Errorf("v1: %+v", r1)
	}
	v2, _ := json.Marshal(events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: PathOrders, RawQueryString: "limit=1",
		Headers:               map[string]string{"authorization": "Bearer " + tok},
		QueryStringParameters: map[string]string{"limit": "1"},
		RequestContext:        events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "GET", Path: PathOrders}},
	})
	out, err = f.app.HandleEvent(context.Background(), v2)
	if err != nil {
		t.Fatal(err)
	}
	r2 := out.(events.LambdaFunctionURLResponse)
	if r2.StatusCode != 200 || !strings.Contains(r2.Body, `"pedido_id":"P-1"`) {
		t.Errorf("v2: %+v", r2)
	}
	for _, raw := range []string{`{"Records":[]}`, `"hello"`, `{}`} {
		if _, err := f.app.HandleEvent(context.Background(), json.RawMessage(raw)); !errors.Is(err, ErrUnknownEvent) {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

// FuzzServe: no body, path or query on any route makes the app answer 500
// or panic (the store never fails here), and only /token answers 2xx
// without a token.
func FuzzServe(f *testing.F) {
	f.Add("POST", PathToken, `{"username":"admin","password":"right-password"}`, "", false)
	f.Add("POST", PathToken, "username=admin&password=x", "", false)
	f.Add("POST", PathRecord, orderBody, "", true)
	f.Add("GET", PathOrders, "", "limit=5&next_token=after:x", true)
	f.Add("GET", PathMetrics, "", "fecha=2025-03-14", true)
	f.Fuzz(func(t *testing.T, method, path, body, query string, withToken bool) {
		fx := newFixture(t)
		q := map[string]string{}
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			q[k] = v
		}
		h := map[string]string{"content-type": "application/json"}
		if strings.HasPrefix(body, "username=") {
			h["content-type"] = "application/x-www-form-urlencoded"
		}
		if withToken {
			tok, _, _ := fx.tokens.Issue("admin")
			h["authorization"] = "Bearer " + tok
		}
		r := fx.app.Serve(context.Background(), Request{Method: method, Path: path, Headers: h, Query: q, Body: []byte(body)})
		if r.Status >= 500 {
			t.Fatalf("%s %s %q → %d %s", method, path, body, r.Status, r.Body)
		}
		if !withToken && r.Status/100 == 2 && path != PathToken && method != "OPTIONS" {
			t.Fatalf("%s %s answered %d without a token", method, path, r.Status)
		}
		if len(r.Body) > 0 && !json.Valid(r.Body) {
			t.Fatalf("not JSON: %s", r.Body)
		}
	})
}

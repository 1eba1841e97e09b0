package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// API is a fake deliveries API.
type API struct {
	// User and Password are the one login it accepts.
	User, Password string
	// Fail, when set, answers a request instead of the API (e.g. a 503
	// for orders); return 0 to let the request through.
	Fail func(r *http.Request) int
	// Hide, when set, keeps an order out of GET /pedidos for as long as it
	// returns true (it is asked on every read).
	Hide func(id string, received, now time.Time) bool

	mu     sync.Mutex
	orders []order
	ids    map[string]bool
	Posts  atomic.Int64
	Reads  atomic.Int64
	Logins atomic.Int64
}

type order struct {
	ID       string
	Received time.Time
	Raw      json.RawMessage
}

const token = "fake-token"

// Start serves the API on a loopback port; Close the server when done.
func Start(user, password string) (*API, *httptest.Server) {
	a := &API{User: user, Password: password, ids: map[string]bool{}}
	return a, httptest.NewServer(a)
}

// Count is the number of orders stored.
func (a *API) Count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.orders)
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.Fail != nil {
		if status := a.Fail(r); status != 0 {
			http.Error(w, `{"message":"Internal server error"}`, status)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/token" && r.Method == "POST" {
		a.Logins.Add(1)
		var c struct{ Username, Password string }
		_ = json.NewDecoder(r.Body).Decode(&c)
		if c.Username != a.User || c.Password != a.Password {
			w.WriteHeader(401)
			io.WriteString(w, `{"detail":"Incorrect username or password"}`)
			return
		}
		io.WriteString(w, `{"access_token":"`+token+`","token_type":"bearer","expires_in":1800}`)
		return
	}
	switch r.URL.Path {
	case "/registrar_pedido_entregado", "/pedidos", "/metrics":
	default:
		w.WriteHeader(404)
		io.WriteString(w, `{"detail":"Not Found"}`)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+token {
		w.WriteHeader(403)
		io.WriteString(w, `{"detail":"Not authenticated"}`)
		return
	}
	switch {
	case r.URL.Path == "/registrar_pedido_entregado" && r.Method == "POST":
		a.Posts.Add(1)
		body, _ := io.ReadAll(r.Body)
		var o struct {
			ID        string `json:"pedido_id"`
			Timestamp string `json:"timestamp"`
		}
		if json.Unmarshal(body, &o) != nil || o.ID == "" {
			w.WriteHeader(422)
			io.WriteString(w, `{"detail":"bad order"}`)
			return
		}
		_, err := time.Parse(time.RFC3339Nano, o.Timestamp)
		if err != nil {
			w.WriteHeader(422)
			io.WriteString(w, `{"detail":"bad timestamp"}`)
			return
		}
		received := time.Now().UTC().Truncate(time.Millisecond)
		a.mu.Lock()
		if !a.ids[o.ID] {
			a.ids[o.ID] = true
			a.orders = append(a.orders, order{ID: o.ID, Received: received, Raw: withReceived(body, received)})
		}
		a.mu.Unlock()
		fmt.Fprintf(w, `{"message":"Pedido registrado","pedido_id":%q,"recibido":%q}`, o.ID, received.Format(time.RFC3339Nano))
	case r.URL.Path == "/pedidos" && r.Method == "GET":
		a.Reads.Add(1)
		a.list(w, r)
	case r.URL.Path == "/metrics" && r.Method == "GET":
		a.mu.Lock()
		n := len(a.orders)
		a.mu.Unlock()
		fmt.Fprintf(w, `{"top_3_productos":[],"precio_promedio_por_pedido":0,"acumulado_ventas_dia":0,"pedidos_dia":%d}`, n)
	default:
		w.WriteHeader(404)
		io.WriteString(w, `{"detail":"Not Found"}`)
	}
}

// list answers GET /pedidos newest first, paged by limit and next_token
// (an offset).
func (a *API) list(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 {
		limit = 100
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("next_token"))
	now := time.Now()
	a.mu.Lock()
	visible := make([]order, 0, len(a.orders))
	for _, o := range a.orders {
		if a.Hide == nil || !a.Hide(o.ID, o.Received, now) {
			visible = append(visible, o)
		}
	}
	a.mu.Unlock()
	// newest first by arrival, as the API lists them
	sort.Slice(visible, func(i, j int) bool {
		if !visible[i].Received.Equal(visible[j].Received) {
			return visible[i].Received.After(visible[j].Received)
		}
		return visible[i].ID > visible[j].ID
	})
	var page []json.RawMessage
	for i := from; i < len(visible) && len(page) < limit; i++ {
		page = append(page, visible[i].Raw)
	}
	next := "null"
	if from+len(page) < len(visible) {
		next = strconv.Quote(strconv.Itoa(from + len(page)))
	}
	if page == nil {
		page = []json.RawMessage{}
	}
	b, _ := json.Marshal(page)
	fmt.Fprintf(w, `{"pedidos":%s,"count":%d,"next_token":%s}`, b, len(page), next)
}

// withReceived adds the API's "recibido" to a posted order, as it lists it.
func withReceived(body []byte, received time.Time) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	m["recibido"], _ = json.Marshal(received.Format(time.RFC3339Nano))
	b, _ := json.Marshal(m)
	return b
}

// HideIDs hides the orders whose ID ends with one of suffixes, forever.
func HideIDs(suffixes ...string) func(string, time.Time, time.Time) bool {
	return func(id string, _, _ time.Time) bool {
		for _, s := range suffixes {
			if strings.HasSuffix(id, s) {
				return true
			}
		}
		return false
	}
}

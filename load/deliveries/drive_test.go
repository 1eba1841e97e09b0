package deliveries

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/handlers/deliveries/order"
	"github.com/groundstack/groundstack/load/freshness"
)

func TestGeneratorMakesValidOrders(t *testing.T) {
	g, err := NewGenerator("T", 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range 200 {
		id, body := g.Next(time.Now(), i%60)
		o, err := order.Parse(body, time.UTC, time.Now())
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if o.ID != id || seen[id] || len(o.Lines) < 1 || len(o.Lines) > 10 || o.Courier.Name == "" {
			t.Fatalf("order %d: %+v", i, o)
		}
		seen[id] = true
	}
}

// fakeAPI accepts orders and lists them, like the deliveries API.
type fakeAPI struct {
	mu  sync.Mutex
	ids []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.WriteHeader(403)
		return
	}
	switch r.URL.Path {
	case "/registrar_pedido_entregado":
		b, _ := io.ReadAll(r.Body)
		var o struct {
			ID string `json:"pedido_id"`
		}
		json.Unmarshal(b, &o)
		f.mu.Lock()
		f.ids = append(f.ids, o.ID)
		f.mu.Unlock()
		w.Write([]byte(`{"message":"Pedido registrado"}`))
	case "/pedidos":
		f.mu.Lock()
		var p Page
		for _, id := range f.ids {
			p.Orders = append(p.Orders, Order{ID: id})
		}
		f.mu.Unlock()
		json.NewEncoder(w).Encode(p)
	default:
		w.WriteHeader(404)
	}
}

func TestDriveStampsAcceptedOrders(t *testing.T) {
	api := &fakeAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	c := NewClient(srv.URL).WithToken("tok")
	probe, err := freshness.New(OrdersReadPath(c, 100), freshness.Options{IntendedRate: 50})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	probe.Start(ctx)
	g, _ := NewGenerator("D", 2)
	res := Drive(ctx, c, g, DriveOptions{Rate: 50, Duration: 400 * time.Millisecond, Couriers: 5}, probe)
	rep := probe.Drain(ctx)
	if res.Intended != 20 || res.Sent != 20 || res.ByStatus[200] != 20 || res.Errors != 0 {
		t.Errorf("drive: %+v", res)
	}
	if rep.Accepted != 20 || rep.Seen != 20 || !rep.OK() {
		t.Errorf("probe: %s", rep)
	}
	// Refused posts are counted as failed, not followed.
	probe2, _ := freshness.New(OrdersReadPath(c, 100), freshness.Options{})
	res = Drive(ctx, NewClient(srv.URL).WithToken("wrong"), g, DriveOptions{Rate: 50, Duration: 100 * time.Millisecond}, probe2)
	if res.ByStatus[403] != res.Sent || probe2.Report().Failed != int64(res.Sent) || probe2.Report().Accepted != 0 {
		t.Errorf("refused: %+v %s", res, probe2.Report())
	}
	if _, err := c.Login(ctx, "a", "b"); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("login against a server without /token: %v", err)
	}
}

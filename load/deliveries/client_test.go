package deliveries

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// feed serves GET /pedidos over n orders one second apart, newest first,
// in pages of ?limit with the next offset as next_token. byArrival: the
// orders carry "recibido" (their place), and every other one a timestamp
// two hours older, as a phone uploading late would send.
type feed struct {
	newest    time.Time
	n         int
	byArrival bool
	reads     atomic.Int64
}

func (f *feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/pedidos" {
		w.WriteHeader(404)
		return
	}
	f.reads.Add(1)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	from, _ := strconv.Atoi(r.URL.Query().Get("next_token"))
	type o struct {
		ID       string `json:"pedido_id"`
		TS       string `json:"timestamp"`
		Received string `json:"recibido,omitempty"`
	}
	var page struct {
		Orders []o     `json:"pedidos"`
		Next   *string `json:"next_token"`
	}
	for i := from; i < f.n && len(page.Orders) < limit; i++ {
		at := f.newest.Add(-time.Duration(i) * time.Second)
		if !f.byArrival {
			page.Orders = append(page.Orders, o{ID: fmt.Sprint("o", i), TS: at.Format(time.RFC3339Nano)})
		} else if i%2 == 1 {
			page.Orders = append(page.Orders, o{ID: fmt.Sprint("o", i), TS: at.Add(-2 * time.Hour).Format(time.RFC3339Nano), Received: at.Format(time.RFC3339Nano)})
		} else {
			page.Orders = append(page.Orders, o{ID: fmt.Sprint("o", i), TS: at.Format(time.RFC3339Nano), Received: at.Format(time.RFC3339Nano)})
		}
		if i+1 < f.n && len(page.Orders) == limit {
			next := strconv.Itoa(i + 1)
			page.Next = &next
		}
	}
	json.NewEncoder(w).Encode(page)
}

func TestOrdersSincePathReadsDeepEnough(t *testing.T) {
	newest := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	f := &feed{newest: newest, n: 100}
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	cases := []struct {
		name         string
		since        time.Time
		limit, pages int
		wantReads    int64
		wantSeen     []string
		wantUnseen   []string
	}{
		{"nothing pending: one page", newest.Add(time.Second), 10, 20, 1, []string{"o0", "o9"}, []string{"o10"}},
		{"oldest pending on page 3", newest.Add(-25 * time.Second), 10, 20, 3, []string{"o25", "o29"}, []string{"o30"}},
		{"oldest pending is the page's last", newest.Add(-9 * time.Second), 10, 20, 2, []string{"o9", "o19"}, []string{"o20"}},
		{"sub-millisecond since", newest.Add(-9*time.Second + 300*time.Microsecond), 10, 20, 2, []string{"o9"}, nil},
		{"capped at maxPages", newest.Add(-95 * time.Second), 10, 4, 4, []string{"o39"}, []string{"o40", "o95"}},
		{"to the end of the feed, first pages of 20", newest.Add(-time.Hour), 30, 20, 5, []string{"o99"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.reads.Store(0)
			view, err := OrdersSincePath(fixed(NewClient(srv.URL)), tc.limit, tc.pages)(ctx, tc.since)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.reads.Load(); got != tc.wantReads {
				t.Errorf("%d page reads, want %d", got, tc.wantReads)
			}
			for _, id := range tc.wantSeen {
				if !view.Contains(id) {
					t.Errorf("%s not in the view", id)
				}
			}
			for _, id := range tc.wantUnseen {
				if view.Contains(id) {
					t.Errorf("%s read although older than needed", id)
				}
			}
		})
	}
}

// TestOrdersSincePathFollowsArrival: the API lists orders by when it
// received them, whatever their timestamps say; an order stamped hours ago
// near the top must not stop the read short.
func TestOrdersSincePathFollowsArrival(t *testing.T) {
	newest := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	f := &feed{newest: newest, n: 100, byArrival: true}
	srv := httptest.NewServer(f)
	defer srv.Close()
	view, err := OrdersSincePath(fixed(NewClient(srv.URL)), 10, 20)(context.Background(), newest.Add(-25*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.reads.Load(); got != 3 || !view.Contains("o25") || view.Contains("o30") {
		t.Errorf("%d page reads (want 3), o25 seen %v, o30 seen %v", got, view.Contains("o25"), view.Contains("o30"))
	}
	if at, ok := ReceivedAt([]byte(`{"message":"Pedido registrado","recibido":"2026-03-14T12:00:00.123Z"}`)); !ok || !at.Equal(newest.Add(123*time.Millisecond)) {
		t.Errorf("ReceivedAt: %v %v", at, ok)
	}
	if _, ok := ReceivedAt([]byte(`{"message":"Pedido registrado"}`)); ok {
		t.Error("ReceivedAt of an answer without one")
	}
}

// TestOrdersSincePathSizesPagesByNeed: the second read asks for a page as
// deep as the first needed (+25 %), so one request covers it.
func TestOrdersSincePathSizesPagesByNeed(t *testing.T) {
	newest := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	f := &feed{newest: newest, n: 100}
	srv := httptest.NewServer(f)
	defer srv.Close()
	read := OrdersSincePath(fixed(NewClient(srv.URL)), 1000, 20)
	since := newest.Add(-29500 * time.Millisecond) // o0…o29 are at or after it
	for i, want := range []int64{2, 1, 1} {
		f.reads.Store(0)
		view, err := read(context.Background(), since)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.reads.Load(); got != want || !view.Contains("o29") {
			t.Errorf("read %d: %d pages, want %d (o29 seen: %v)", i, got, want, view.Contains("o29"))
		}
	}
}

func TestOrdersSincePathReportsStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		w.Write([]byte(`{"message":"Internal server error"}`))
	}))
	defer srv.Close()
	_, err := OrdersSincePath(fixed(NewClient(srv.URL)), 0, 0)(context.Background(), time.Now())
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 502 {
		t.Fatalf("err %v", err)
	}
	if want := `GET /pedidos: HTTP 502: {"message":"Internal server error"}`; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func fixed(c *Client) func(context.Context) *Client {
	return func(context.Context) *Client { return c }
}

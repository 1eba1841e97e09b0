package deliveries

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	fixtures "github.com/groundstack/groundstack/fixtures/deliveries"
)

// DemoCourier is the demo login that posts orders (the couriers' app).
const DemoCourier = "courier-app"

// DemoOrderPrefix starts the pedido_id of every demo order.
const DemoOrderPrefix = "DEMO-"

// DemoOrders are n orders delivered earlier today in zone, a minute apart
// up to now (never before the day began, so all count in today's
// /metrics), from the catalogue and the couriers, as a courier's app posts
// them. Their IDs name the day: a second seeding the same day repeats
// them.
func DemoOrders(n int, now time.Time, zone *time.Location) ([]json.RawMessage, error) {
	products, err := fixtures.Catalogue()
	if err != nil {
		return nil, err
	}
	couriers, err := fixtures.Couriers()
	if err != nil {
		return nil, err
	}
	if len(products) == 0 || len(couriers) == 0 {
		return nil, errors.New("deliveries: the catalogue or the couriers are empty")
	}
	now = now.In(zone)
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	out := make([]json.RawMessage, 0, n)
	for i := range n {
		at := now.Add(-time.Duration(n-1-i) * time.Minute).Truncate(time.Second)
		if at.Before(dayStart) {
			at = dayStart
		}
		lines := make([]fixtures.Product, 0, 3)
		for j := range 1 + i%3 {
			lines = append(lines, products[(i*5+j*3)%len(products)])
		}
		b, err := json.Marshal(map[string]any{
			"pedido_id":  fmt.Sprintf("%s%s-%02d", DemoOrderPrefix, now.Format("20060102"), i+1),
			"repartidor": couriers[i%len(couriers)],
			"productos":  lines,
			"timestamp":  at.Format(time.RFC3339),
		})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// SeedDemoOrders posts n demo orders through the stack's API as the
// courier's app does (log in, then POST /registrar_pedido_entregado), so a
// first look at the dashboard has something to show. It returns how many
// the API recorded; an order already there counts.
func SeedDemoOrders(ctx context.Context, st Stack, n int, now time.Time) (int, error) {
	zone, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		return 0, err
	}
	password := ""
	for _, l := range st.Logins {
		if l.Username == DemoCourier {
			password = l.Password
		}
	}
	if password == "" {
		return 0, fmt.Errorf("deliveries: no %s login to post demo orders with", DemoCourier)
	}
	orders, err := DemoOrders(n, now, zone)
	if err != nil {
		return 0, err
	}
	client := &http.Client{Timeout: 60 * time.Second} // a cold function on a loaded machine
	login, _ := json.Marshal(Login{Username: DemoCourier, Password: password})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := postJSON(ctx, client, st.APIURL+"/token", "", login, &tok); err != nil {
		return 0, fmt.Errorf("deliveries: log in as %s: %w", DemoCourier, err)
	}
	posted := 0
	for _, o := range orders {
		err := postJSON(ctx, client, st.APIURL+"/registrar_pedido_entregado", tok.AccessToken, o, nil)
		var status statusError
		if errors.As(err, &status) && status.code == http.StatusConflict {
			err = nil // seeded earlier today with other times: that one stays
		}
		if err != nil {
			return posted, fmt.Errorf("deliveries: post a demo order: %w", err)
		}
		posted++
	}
	return posted, nil
}

// statusError is an answer other than 200.
type statusError struct {
	code int
	body string
}

func (e statusError) Error() string { return fmt.Sprintf("answered %d: %s", e.code, e.body) }

// postJSON POSTs body to url and decodes a 200's JSON answer into out.
func postJSON(ctx context.Context, client *http.Client, url, token string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return statusError{resp.StatusCode, strings.TrimSpace(string(b))}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

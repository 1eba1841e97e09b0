// Package deliveries drives the deliveries flow over HTTP as its users do:
// an API client (login, post orders, list, metrics), the original load
// script's random orders, an open-loop driver with many couriers, and the
// read path freshness probes poll. It reaches the flow only through its
// public URLs; it must not import harness/emulator.
package deliveries

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/load/freshness"
)

// Client calls one base URL of the API (the REST stage or the Function URL).
type Client struct {
	Base  string
	Token string
	HTTP  *http.Client
}

// NewClient returns a client with keep-alive connections for many
// concurrent callers; hosts under localhost.localstack.cloud are dialled
// on loopback, so the host-form URLs work without DNS.
func NewClient(base string) *Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(host, ".localhost.localstack.cloud") {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		// room for a load run's in-flight requests: connections beyond the
		// idle limit are closed after each use and redialled
		MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 90 * time.Second,
	}
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// WithToken returns a copy of c that sends token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// Response is an answer of the API.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// At is when the status line arrived (a 2xx's accepted-at stamp).
	At time.Time
}

// Detail is the API's error message ("detail"), when it has one.
func (r Response) Detail() string {
	var m struct {
		Detail json.RawMessage `json:"detail"`
	}
	_ = json.Unmarshal(r.Body, &m)
	var s string
	if json.Unmarshal(m.Detail, &s) == nil {
		return s
	}
	return string(m.Detail)
}

// Do sends one request; body is JSON (nil for none).
func (c *Client) Do(ctx context.Context, method, path string, body []byte, header map[string]string) (Response, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return Response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Response{}, err
	}
	at := time.Now()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, err
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b, At: at}, nil
}

// Login posts credentials to /token and returns the access token.
func (c *Client) Login(ctx context.Context, username, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	r, err := c.Do(ctx, "POST", "/token", body, nil)
	if err != nil {
		return "", err
	}
	if r.Status != 200 {
		return "", fmt.Errorf("login %s: HTTP %d: %s", username, r.Status, r.Body)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || out.AccessToken == "" || out.TokenType != "bearer" {
		return "", fmt.Errorf("login %s: unexpected answer %s", username, r.Body)
	}
	return out.AccessToken, nil
}

// PostOrder posts an order body to /registrar_pedido_entregado.
func (c *Client) PostOrder(ctx context.Context, body []byte) (Response, error) {
	return c.Do(ctx, "POST", "/registrar_pedido_entregado", body, nil)
}

// Order is an order as /pedidos lists it.
type Order struct {
	ID      string `json:"pedido_id"`
	Courier struct {
		ID   json.RawMessage `json:"IdRepartidor"`
		Name string          `json:"Nombre"`
	} `json:"repartidor"`
	Lines []struct {
		ProductID json.RawMessage `json:"IdProducto"`
		Product   string          `json:"producto"`
		Price     json.Number     `json:"precio"`
	} `json:"productos"`
	Timestamp string `json:"timestamp"`
	// Received is when the API received the order: the list is newest
	// first by it.
	Received string `json:"recibido"`
}

// Page is one answer of GET /pedidos.
type Page struct {
	Orders    []Order `json:"pedidos"`
	Count     int     `json:"count"`
	NextToken *string `json:"next_token"`
}

// Orders reads one page of GET /pedidos.
func (c *Client) Orders(ctx context.Context, limit int, next string) (Page, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if next != "" {
		q.Set("next_token", next)
	}
	path := "/pedidos"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	r, err := c.Do(ctx, "GET", path, nil, nil)
	if err != nil {
		return Page{}, err
	}
	if r.Status != 200 {
		return Page{}, fmt.Errorf("GET %s: HTTP %d: %s", path, r.Status, r.Body)
	}
	var p Page
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return Page{}, fmt.Errorf("GET %s: %w", path, err)
	}
	return p, nil
}

// AllOrders follows next_token to the end, limit orders per page, and
// returns every order and the number of pages read.
func (c *Client) AllOrders(ctx context.Context, limit int) ([]Order, int, error) {
	var all []Order
	next := ""
	for pages := 1; ; pages++ {
		p, err := c.Orders(ctx, limit, next)
		if err != nil {
			return nil, pages, err
		}
		all = append(all, p.Orders...)
		if p.NextToken == nil {
			return all, pages, nil
		}
		next = *p.NextToken
	}
}

// Metrics is the answer of GET /metrics.
type Metrics struct {
	Top     [][2]any    `json:"top_3_productos"`
	Average json.Number `json:"precio_promedio_por_pedido"`
	Sales   json.Number `json:"acumulado_ventas_dia"`
	Orders  int64       `json:"pedidos_dia"`
	Day     string      `json:"fecha"`
	Zone    string      `json:"zona_horaria"`
}

// Metrics reads GET /metrics for day ("" for today in the company's zone)
// and returns the raw body too.
func (c *Client) Metrics(ctx context.Context, day string) (Metrics, []byte, error) {
	path := "/metrics"
	if day != "" {
		path += "?fecha=" + url.QueryEscape(day)
	}
	r, err := c.Do(ctx, "GET", path, nil, nil)
	if err != nil {
		return Metrics{}, nil, err
	}
	if r.Status != 200 {
		return Metrics{}, r.Body, fmt.Errorf("GET %s: HTTP %d: %s", path, r.Status, r.Body)
	}
	var m Metrics
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return Metrics{}, r.Body, err
	}
	return m, r.Body, nil
}

// OrdersReadPath is a freshness read path: the newest limit orders of
// GET /pedidos.
func OrdersReadPath(c *Client, limit int) freshness.ReadPath {
	return func(ctx context.Context) (freshness.View, error) {
		p, err := c.Orders(ctx, limit, "")
		if err != nil {
			return nil, err
		}
		ids := make(freshness.IDs, len(p.Orders))
		for _, o := range p.Orders {
			ids[o.ID] = struct{}{}
		}
		return ids, nil
	}
}

// OrdersSincePath is a freshness read path over GET /pedidos for any
// number of pending writes: it reads pages newest first until it has
// passed every order received at or after since (the oldest pending
// write's place in the list: see ReceivedAt), or maxPages pages. One read covers every pending
// write, so probing costs about the same at 1 order/s as at 1,000. Pages
// are sized from the depth the previous read needed (+25 %, at most
// maxLimit orders), so the API lists little more than the probe needs.
// client is asked for the client of each read (so tokens can be renewed).
func OrdersSincePath(client func(context.Context) *Client, maxLimit, maxPages int) freshness.SinceReadPath {
	if maxLimit <= 0 {
		maxLimit = 250
	}
	if maxPages <= 0 {
		maxPages = 20
	}
	const minLimit = 20
	var depth atomic.Int64 // orders the last read had to list
	return func(ctx context.Context, since time.Time) (freshness.View, error) {
		limit := int(min(max(depth.Load()*5/4+minLimit, minLimit), int64(maxLimit)))
		// the feed sorts by whole milliseconds (see order.SortKey)
		floor := since.Truncate(time.Millisecond)
		ids := freshness.IDs{}
		next := ""
		needed := 0
		c := client(ctx)
		for range maxPages {
			p, err := c.idPage(ctx, limit, next)
			if err != nil {
				return nil, err
			}
			passed := false
			for _, o := range p.Orders {
				ids[o.ID] = struct{}{}
				if passed {
					continue
				}
				if at, ok := o.position(); ok && at.Truncate(time.Millisecond).Before(floor) {
					passed = true
					continue
				}
				needed++
			}
			if passed || p.NextToken == nil || len(p.Orders) == 0 {
				break
			}
			next = *p.NextToken
		}
		depth.Store(int64(needed))
		return ids, nil
	}
}

// idPage is a page of GET /pedidos decoded only as far as a probe needs.
type idPage struct {
	Orders    []idOrder `json:"pedidos"`
	NextToken *string   `json:"next_token"`
}

type idOrder struct {
	ID        string `json:"pedido_id"`
	Timestamp string `json:"timestamp"`
	Received  string `json:"recibido"`
}

// position is the order's place in the list: when the API received it (an
// API that does not say lists by timestamp, as the original did).
func (o idOrder) position() (time.Time, bool) {
	s := o.Received
	if s == "" {
		s = o.Timestamp
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	return at, err == nil
}

// ReceivedAt reads when the API received an order from the answer to its
// POST ("recibido"): the order's place in GET /pedidos, on the API's clock.
func ReceivedAt(answer []byte) (time.Time, bool) {
	var a struct {
		Received string `json:"recibido"`
	}
	if json.Unmarshal(answer, &a) != nil || a.Received == "" {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, a.Received)
	return at, err == nil
}

func (c *Client) idPage(ctx context.Context, limit int, next string) (idPage, error) {
	path := "/pedidos?limit=" + strconv.Itoa(limit)
	if next != "" {
		path += "&next_token=" + url.QueryEscape(next)
	}
	r, err := c.Do(ctx, "GET", path, nil, nil)
	if err != nil {
		return idPage{}, err
	}
	if r.Status != 200 {
		return idPage{}, &StatusError{Method: "GET", Path: "/pedidos", Status: r.Status, Body: r.Body}
	}
	var p idPage
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return idPage{}, fmt.Errorf("GET /pedidos: %w", err)
	}
	return p, nil
}

// StatusError is an unexpected HTTP status from the API.
type StatusError struct {
	Method, Path string
	Status       int
	Body         []byte
}

func (e *StatusError) Error() string {
	body := strings.TrimSpace(string(e.Body))
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, body)
}

// Package app is the deliveries API as one HTTP application: routing on
// method and path, bearer-token checks, request validation and the JSON
// answers of the original FastAPI service. It serves API Gateway REST
// (payload v1) and Function URL (payload v2) events alike and imports only
// the AWS SDK, aws-lambda-go and the flow's own packages.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/handlers/deliveries/auth"
	"github.com/groundstack/groundstack/handlers/deliveries/ledger"
	"github.com/groundstack/groundstack/handlers/deliveries/order"
)

// The routes, as the original app named them.
const (
	PathToken   = "/token"
	PathRecord  = "/registrar_pedido_entregado"
	PathOrders  = "/pedidos"
	PathMetrics = "/metrics"

	DefaultPageLimit = 100
	maxLoginBody     = 4 << 10
	// bcrypt reads at most 72 bytes; longer passwords are refused rather
	// than silently truncated.
	maxPasswordBytes = 72
	topProducts      = 3
)

// Request is an HTTP request as the app sees it, whichever event carried it.
type Request struct {
	Method  string
	Path    string
	Headers map[string]string // names lower-cased
	Query   map[string]string
	Body    []byte
}

// Response is the app's answer.
type Response struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Store is what the app needs from the ledger.
type Store interface {
	Record(ctx context.Context, o order.Order) (ledger.Outcome, error)
	Page(ctx context.Context, limit int, token string) ([]order.Order, string, error)
	Day(ctx context.Context, day string, top int) (ledger.DayTotals, error)
	User(ctx context.Context, name string) (ledger.User, bool, error)
}

// TokenSource returns the token authority, loading its secret on first use.
type TokenSource func(ctx context.Context) (*auth.Tokens, error)

// App is the deliveries API.
type App struct {
	store  Store
	tokens TokenSource
	zone   *time.Location
	now    func() time.Time
	log    *slog.Logger
}

// New returns the app; days are calendar days in zone, now is the clock.
func New(store Store, tokens TokenSource, zone *time.Location, now func() time.Time, log *slog.Logger) *App {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &App{store: store, tokens: tokens, zone: zone, now: now, log: log}
}

// route is one path's handlers by method.
type route map[string]func(*App, context.Context, Request) Response

var routes = map[string]route{
	PathToken:   {"POST": (*App).login},
	PathRecord:  {"POST": (*App).record},
	PathOrders:  {"GET": (*App).orders},
	PathMetrics: {"GET": (*App).metrics},
}

// Serve answers one request.
func (a *App) Serve(ctx context.Context, req Request) Response {
	rt, ok := routes[req.Path]
	if req.Method == "OPTIONS" {
		// CORS preflight: the dashboard may be served from another origin
		// (the S3 website host) than the API.
		return finish(Response{Status: 204})
	}
	if !ok {
		return detail(404, "Not Found")
	}
	h, ok := rt[req.Method]
	if !ok {
		var allow []string
		for m := range rt {
			allow = append(allow, m)
		}
		r := detail(405, "Method Not Allowed")
		r.Headers["Allow"] = strings.Join(allow, ", ")
		return r
	}
	return h(a, ctx, req)
}

// finish adds the headers every answer carries.
func finish(r Response) Response {
	if r.Headers == nil {
		r.Headers = map[string]string{}
	}
	// Bearer tokens, not cookies: any origin may call the API.
	r.Headers["Access-Control-Allow-Origin"] = "*"
	r.Headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
	r.Headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
	r.Headers["Access-Control-Max-Age"] = "600"
	if len(r.Body) > 0 {
		r.Headers["Content-Type"] = "application/json"
	}
	return r
}

func jsonResponse(status int, v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		return detail(500, "Internal Server Error")
	}
	return finish(Response{Status: status, Body: b})
}

// detail is FastAPI's error shape: {"detail": "…"}.
func detail(status int, msg string) Response {
	return jsonResponse(status, map[string]string{"detail": msg})
}

// invalid answers a refused body with its reasons.
func invalid(e *order.Invalid) Response {
	return jsonResponse(e.Status, map[string]any{"detail": e.Reasons})
}

func (a *App) internal(ctx context.Context, what string, err error) Response {
	a.log.ErrorContext(ctx, what, "err", err)
	return detail(500, "Internal Server Error")
}

// --- POST /token

func (a *App) login(ctx context.Context, req Request) Response {
	if len(req.Body) > maxLoginBody {
		return invalid(&order.Invalid{Status: 400, Reasons: []order.Reason{{Loc: []any{"body"}, Msg: fmt.Sprintf("body is %d bytes; at most %d are accepted", len(req.Body), maxLoginBody), Type: "body_too_large"}}})
	}
	username, password, bad := credentials(req)
	if bad != nil {
		return invalid(bad)
	}
	tokens, err := a.tokens(ctx)
	if err != nil {
		return a.internal(ctx, "load token secret", err)
	}
	u, found, err := a.store.User(ctx, username)
	if err != nil {
		return a.internal(ctx, "read user", err)
	}
	hash := ""
	if found {
		hash = u.PasswordHash
	}
	if len(password) > maxPasswordBytes || !auth.CheckPassword(hash, password) {
		r := detail(401, "Incorrect username or password")
		r.Headers["WWW-Authenticate"] = "Bearer"
		return r
	}
	token, expires, err := tokens.Issue(username)
	if err != nil {
		return a.internal(ctx, "sign token", err)
	}
	return jsonResponse(200, map[string]any{
		"access_token": token, "token_type": "bearer",
		"expires_in": int(expires.Sub(a.now()).Round(time.Second) / time.Second),
	})
}

// credentials reads {"username","password"} as JSON, or as a form (the
// OAuth2 password flow the original's FastAPI clients also used).
func credentials(req Request) (username, password string, bad *order.Invalid) {
	fields := map[string]string{}
	ct := strings.ToLower(req.Headers["content-type"])
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		vals, err := url.ParseQuery(string(req.Body))
		if err != nil {
			return "", "", &order.Invalid{Status: 400, Reasons: []order.Reason{{Loc: []any{"body"}, Msg: "body is not a valid form", Type: "form_invalid"}}}
		}
		for _, k := range []string{"username", "password"} {
			if vals.Has(k) {
				fields[k] = vals.Get(k)
			}
		}
	} else {
		raw, err := order.DecodeJSON(req.Body)
		if err != nil {
			return "", "", &order.Invalid{Status: 400, Reasons: []order.Reason{{Loc: []any{"body"}, Msg: err.Error(), Type: "json_invalid"}}}
		}
		obj, ok := raw.(map[string]any)
		if !ok {
			return "", "", &order.Invalid{Status: 422, Reasons: []order.Reason{{Loc: []any{"body"}, Msg: "a JSON object is expected", Type: "object_type"}}}
		}
		var reasons []order.Reason
		for _, k := range []string{"username", "password"} {
			v, present := obj[k]
			if !present || v == nil {
				continue
			}
			s, ok := v.(string)
			if !ok {
				reasons = append(reasons, order.Reason{Loc: []any{"body", k}, Msg: "must be a string", Type: "string_type"})
				continue
			}
			fields[k] = s
		}
		if len(reasons) > 0 {
			return "", "", &order.Invalid{Status: 422, Reasons: reasons}
		}
	}
	var reasons []order.Reason
	for _, k := range []string{"username", "password"} {
		if fields[k] == "" {
			reasons = append(reasons, order.Reason{Loc: []any{"body", k}, Msg: "field required", Type: "missing"})
		}
	}
	if len(reasons) > 0 {
		return "", "", &order.Invalid{Status: 422, Reasons: reasons}
	}
	return fields["username"], fields["password"], nil
}

// --- bearer tokens

// authorize returns the caller's username, or the 403 to answer with.
func (a *App) authorize(ctx context.Context, req Request) (string, *Response) {
	h := req.Headers["authorization"]
	scheme, token, _ := strings.Cut(strings.TrimSpace(h), " ")
	if h == "" || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(token) == "" {
		r := detail(403, "Not authenticated")
		return "", &r
	}
	tokens, err := a.tokens(ctx)
	if err != nil {
		r := a.internal(ctx, "load token secret", err)
		return "", &r
	}
	sub, err := tokens.Verify(strings.TrimSpace(token))
	switch {
	case errors.Is(err, auth.ErrExpired):
		r := detail(403, "Token expired")
		return "", &r
	case err != nil:
		r := detail(403, "Could not validate credentials")
		return "", &r
	}
	return sub, nil
}

// --- POST /registrar_pedido_entregado

func (a *App) record(ctx context.Context, req Request) Response {
	if _, denied := a.authorize(ctx, req); denied != nil {
		return *denied
	}
	o, err := order.Parse(req.Body, a.zone, a.now())
	var bad *order.Invalid
	if errors.As(err, &bad) {
		return invalid(bad)
	} else if err != nil {
		return a.internal(ctx, "parse order", err)
	}
	outcome, err := a.store.Record(ctx, o)
	switch {
	case errors.Is(err, ledger.ErrConflict):
		return detail(409, fmt.Sprintf("pedido_id %q is already recorded with different content", o.ID))
	case err != nil:
		return a.internal(ctx, "record order", err)
	}
	// timestamp: the one used (the server's when none was sent); recibido:
	// the order's place in the live list (for a repost, this post's).
	return jsonResponse(200, map[string]any{
		"message": "Pedido registrado", "pedido_id": o.ID,
		"duplicado": outcome == ledger.AlreadyRecorded,
		"dia":       o.Day(a.zone), "total": o.Total(),
		"timestamp": o.Timestamp, "recibido": o.Received,
	})
}

// --- GET /pedidos

func (a *App) orders(ctx context.Context, req Request) Response {
	if _, denied := a.authorize(ctx, req); denied != nil {
		return *denied
	}
	limit := DefaultPageLimit
	if s, ok := req.Query["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > ledger.MaxPageLimit {
			return invalid(&order.Invalid{Status: 422, Reasons: []order.Reason{{Loc: []any{"query", "limit"}, Msg: fmt.Sprintf("must be an integer from 1 to %d", ledger.MaxPageLimit), Type: "int_range"}}})
		}
		limit = n
	}
	orders, next, err := a.store.Page(ctx, limit, req.Query["next_token"])
	switch {
	case errors.Is(err, ledger.ErrBadToken):
		return invalid(&order.Invalid{Status: 400, Reasons: []order.Reason{{Loc: []any{"query", "next_token"}, Msg: "next_token is not one this API issued", Type: "token_invalid"}}})
	case err != nil:
		return a.internal(ctx, "list orders", err)
	}
	var nextToken *string
	if next != "" {
		nextToken = &next
	}
	return jsonResponse(200, map[string]any{"pedidos": orders, "count": len(orders), "next_token": nextToken})
}

// --- GET /metrics

func (a *App) metrics(ctx context.Context, req Request) Response {
	if _, denied := a.authorize(ctx, req); denied != nil {
		return *denied
	}
	day := a.now().In(a.zone).Format(order.DayLayout)
	if s, ok := req.Query["fecha"]; ok {
		d, err := time.ParseInLocation(order.DayLayout, s, a.zone)
		if err != nil {
			return invalid(&order.Invalid{Status: 422, Reasons: []order.Reason{{Loc: []any{"query", "fecha"}, Msg: "must be a date such as 2026-03-14", Type: "date_parsing"}}})
		}
		day = d.Format(order.DayLayout)
	}
	t, err := a.store.Day(ctx, day, topProducts)
	if err != nil {
		return a.internal(ctx, "read day", err)
	}
	if t.Top == nil {
		t.Top = []ledger.ProductCount{}
	}
	return jsonResponse(200, Metrics{
		Top: t.Top, Average: order.Average(t.Sales, t.Orders), Sales: t.Sales,
		Orders: t.Orders, Day: day, Zone: a.zone.String(),
	})
}

// Metrics is the answer of GET /metrics: the original's three figures,
// over the orders delivered on Day in Zone (by their timestamp; see
// order.DayTime).
type Metrics struct {
	Top     []ledger.ProductCount `json:"top_3_productos"`
	Average order.Cents           `json:"precio_promedio_por_pedido"`
	Sales   order.Cents           `json:"acumulado_ventas_dia"`
	Orders  int64                 `json:"pedidos_dia"`
	Day     string                `json:"fecha"`
	Zone    string                `json:"zona_horaria"`
}

// Package payments is the bondmarket flow's fake card gateway: a small
// HTTP server on 127.0.0.1 in the shape of a Webpay-style REST API
// (create a transaction, send the buyer to its URL, commit it for the
// outcome). Outcomes are deterministic by the card (or test token) given
// at create time: CardApprove approves, CardReject rejects, CardTimeout
// makes the commit hang until the caller gives up (or HoldTimeout passes,
// then 504). Anything else approves, as a sandbox does.
//
// New/Start/Addr/Close follow the emulator's shape. Memory is bounded: at
// most MaxTransactions are kept (the oldest go first) and bodies are
// limited to 64 KiB.
package payments

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Test cards and tokens with a fixed outcome.
const (
	CardApprove  = "4051885600446623" // also "tok_approve" and any unknown card
	CardReject   = "5186059559590568" // also "tok_reject"
	CardTimeout  = "4000000000000119" // also "tok_timeout"
	TokenApprove = "tok_approve"
	TokenReject  = "tok_reject"
	TokenTimeout = "tok_timeout"
)

// Outcome is what a transaction's commit answers.
type Outcome string

// Outcomes.
const (
	Approve Outcome = "approve"
	Reject  Outcome = "reject"
	Timeout Outcome = "timeout"
)

// OutcomeOf is the outcome a card or test token leads to.
func OutcomeOf(card string) Outcome {
	switch strings.TrimSpace(card) {
	case CardReject, TokenReject:
		return Reject
	case CardTimeout, TokenTimeout:
		return Timeout
	}
	return Approve
}

// Transaction statuses, as the gateway words them.
const (
	StatusInitialized = "INITIALIZED"
	StatusAuthorized  = "AUTHORIZED"
	StatusFailed      = "FAILED"
)

// API paths.
const (
	TransactionsPath = "/webpay/v1/transactions"
	PayPath          = "/webpay/v1/pay"
)

// Defaults.
const (
	DefaultMaxTransactions = 100_000
	DefaultHoldTimeout     = 30 * time.Second
	maxBody                = 64 << 10
)

// CreateRequest is the body of POST /webpay/v1/transactions.
type CreateRequest struct {
	BuyOrder  string  `json:"buy_order"`
	SessionID string  `json:"session_id"`
	Amount    float64 `json:"amount"`
	ReturnURL string  `json:"return_url"`
	// CardNumber picks the outcome (the sandbox's stand-in for the card
	// the buyer types on the payment page).
	CardNumber string `json:"card_number"`
}

// CreateResponse is its answer.
type CreateResponse struct {
	Token string `json:"token"`
	URL   string `json:"url"`
}

// CommitResponse is the answer of PUT (commit) and GET (status) on
// /webpay/v1/transactions/{token}.
type CommitResponse struct {
	Token             string  `json:"token"`
	Status            string  `json:"status"`
	BuyOrder          string  `json:"buy_order"`
	SessionID         string  `json:"session_id"`
	Amount            float64 `json:"amount"`
	ResponseCode      int     `json:"response_code"`
	AuthorizationCode string  `json:"authorization_code,omitempty"`
	TransactionDate   string  `json:"transaction_date,omitempty"`
}

type transaction struct {
	CommitResponse
	outcome Outcome
	created time.Time
}

// Option configures a Gateway.
type Option func(*Gateway)

// WithAddr sets the listen address (default 127.0.0.1:0, a free port).
func WithAddr(addr string) Option { return func(g *Gateway) { g.addr = addr } }

// WithHoldTimeout sets how long a CardTimeout commit hangs before it
// answers 504 (default 30 s); a caller's own timeout usually ends it first.
func WithHoldTimeout(d time.Duration) Option { return func(g *Gateway) { g.hold = d } }

// WithMaxTransactions bounds the transactions kept (default 100,000).
func WithMaxTransactions(n int) Option { return func(g *Gateway) { g.max = n } }

// Gateway is the fake card gateway.
type Gateway struct {
	addr string
	hold time.Duration
	max  int

	mu    sync.Mutex
	txs   map[string]*transaction
	order []string // tokens, oldest first

	ln     net.Listener
	srv    *http.Server
	closed chan struct{}
	once   sync.Once
}

// New returns a gateway; Start serves it.
func New(opts ...Option) *Gateway {
	g := &Gateway{addr: "127.0.0.1:0", hold: DefaultHoldTimeout, max: DefaultMaxTransactions,
		txs: map[string]*transaction{}, closed: make(chan struct{})}
	for _, o := range opts {
		o(g)
	}
	if g.max < 1 {
		g.max = 1
	}
	return g
}

// Start listens and serves in the background.
func (g *Gateway) Start() error {
	ln, err := net.Listen("tcp", g.addr)
	if err != nil {
		return fmt.Errorf("payments: listen %s: %w", g.addr, err)
	}
	g.ln = ln
	g.srv = &http.Server{Handler: g.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	go g.srv.Serve(ln) //nolint:errcheck // ends with Close
	return nil
}

// Addr is the address the gateway listens on (after Start).
func (g *Gateway) Addr() string {
	if g.ln == nil {
		return ""
	}
	return g.ln.Addr().String()
}

// URL is the gateway's base URL (after Start).
func (g *Gateway) URL() string { return "http://" + g.Addr() }

// Close stops the gateway; hanging commits answer at once.
func (g *Gateway) Close() error {
	g.once.Do(func() { close(g.closed) })
	if g.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return g.srv.Shutdown(ctx)
}

// Handler is the gateway's HTTP API (Start serves it).
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TransactionsPath, g.create)
	mux.HandleFunc("PUT "+TransactionsPath+"/{token}", g.commit)
	mux.HandleFunc("GET "+TransactionsPath+"/{token}", g.status)
	mux.HandleFunc("GET "+PayPath, g.page)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return mux
}

func (g *Gateway) create(w http.ResponseWriter, r *http.Request) {
	var in CreateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "body is not a JSON transaction: "+err.Error())
		return
	}
	switch {
	case in.BuyOrder == "" || len(in.BuyOrder) > 64:
		fail(w, http.StatusBadRequest, "buy_order is required (at most 64 characters)")
		return
	case !(in.Amount > 0) || in.Amount > 1e12:
		fail(w, http.StatusBadRequest, "amount must be a positive number")
		return
	}
	token := newToken()
	tx := &transaction{CommitResponse: CommitResponse{Token: token, Status: StatusInitialized, BuyOrder: in.BuyOrder,
		SessionID: in.SessionID, Amount: in.Amount, ResponseCode: -1}, outcome: OutcomeOf(in.CardNumber), created: time.Now()}
	g.mu.Lock()
	g.txs[token] = tx
	g.order = append(g.order, token)
	for len(g.order) > g.max {
		delete(g.txs, g.order[0])
		g.order = g.order[1:]
	}
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, CreateResponse{Token: token, URL: "http://" + r.Host + PayPath + "?token_ws=" + token})
}

func (g *Gateway) lookup(token string) (*transaction, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	tx, ok := g.txs[token]
	return tx, ok
}

func (g *Gateway) commit(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	tx, ok := g.lookup(token)
	if !ok {
		fail(w, http.StatusNotFound, "Invalid token: no transaction "+token)
		return
	}
	if tx.outcome == Timeout {
		t := time.NewTimer(g.hold)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-g.closed:
		case <-t.C:
		}
		fail(w, http.StatusGatewayTimeout, "the card issuer did not answer in time")
		return
	}
	g.mu.Lock()
	if tx.Status != StatusInitialized {
		status := tx.Status
		g.mu.Unlock()
		fail(w, http.StatusUnprocessableEntity, "Invalid status '"+status+"' for transaction while authorizing")
		return
	}
	tx.TransactionDate = time.Now().UTC().Format(time.RFC3339)
	if tx.outcome == Reject {
		tx.Status, tx.ResponseCode = StatusFailed, -1
	} else {
		tx.Status, tx.ResponseCode, tx.AuthorizationCode = StatusAuthorized, 0, fmt.Sprintf("%06d", len(g.order)%1_000_000)
	}
	out := tx.CommitResponse
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (g *Gateway) status(w http.ResponseWriter, r *http.Request) {
	tx, ok := g.lookup(r.PathValue("token"))
	if !ok {
		fail(w, http.StatusNotFound, "Invalid token: no transaction "+r.PathValue("token"))
		return
	}
	g.mu.Lock()
	out := tx.CommitResponse
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// page is where the buyer is sent: a sandbox page naming the transaction.
func (g *Gateway) page(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token_ws")
	tx, ok := g.lookup(token)
	if !ok {
		http.Error(w, "unknown transaction", http.StatusNotFound)
		return
	}
	g.mu.Lock()
	order, amount := tx.BuyOrder, tx.Amount
	g.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>Sandbox payment</title><p>Order %s: %.0f. Commit with PUT %s/%s.</p>\n",
		html.EscapeString(order), amount, TransactionsPath, html.EscapeString(token))
}

func newToken() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("payments: no randomness: " + err.Error()))
	}
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client may be gone
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error_message": msg})
}

package payments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/payments"
)

func start(t *testing.T, opts ...payments.Option) *payments.Gateway {
	t.Helper()
	g := payments.New(opts...)
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func do(t *testing.T, ctx context.Context, method, url string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, map[string]any{"error": err.Error()}
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestOutcomesByCard(t *testing.T) {
	g := start(t)
	ctx := context.Background()
	for _, c := range []struct {
		card, status string
		code         float64
	}{
		{payments.CardApprove, payments.StatusAuthorized, 0},
		{payments.TokenApprove, payments.StatusAuthorized, 0},
		{"", payments.StatusAuthorized, 0},
		{payments.CardReject, payments.StatusFailed, -1},
		{payments.TokenReject, payments.StatusFailed, -1},
	} {
		st, created := do(t, ctx, "POST", g.URL()+payments.TransactionsPath,
			payments.CreateRequest{BuyOrder: "order-1", SessionID: "s", Amount: 2000, CardNumber: c.card})
		if st != 200 || created["token"] == "" {
			t.Fatalf("create with %q: %d %v", c.card, st, created)
		}
		token := created["token"].(string)
		if !strings.Contains(created["url"].(string), token) {
			t.Errorf("url %v does not carry the token", created["url"])
		}
		st, page := do(t, ctx, "GET", created["url"].(string), nil)
		_ = page
		if st != 200 {
			t.Errorf("payment page: %d", st)
		}
		st, out := do(t, ctx, "PUT", g.URL()+payments.TransactionsPath+"/"+token, nil)
		if st != 200 || out["status"] != c.status || out["response_code"] != c.code || out["buy_order"] != "order-1" {
			t.Errorf("commit with %q: %d %v, want %s", c.card, st, out, c.status)
		}
		st, again := do(t, ctx, "PUT", g.URL()+payments.TransactionsPath+"/"+token, nil)
		if st != 422 || !strings.Contains(again["error_message"].(string), c.status) {
			t.Errorf("second commit: %d %v, want 422 naming %s", st, again, c.status)
		}
		st, got := do(t, ctx, "GET", g.URL()+payments.TransactionsPath+"/"+token, nil)
		if st != 200 || got["status"] != c.status {
			t.Errorf("status: %d %v", st, got)
		}
	}
}

func TestTimeoutHoldsUntilTheCallerGivesUp(t *testing.T) {
	g := start(t, payments.WithHoldTimeout(time.Minute))
	_, created := do(t, context.Background(), "POST", g.URL()+payments.TransactionsPath,
		payments.CreateRequest{BuyOrder: "o", Amount: 1, CardNumber: payments.CardTimeout})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	st, out := do(t, ctx, "PUT", g.URL()+payments.TransactionsPath+"/"+created["token"].(string), nil)
	if st != 0 {
		t.Fatalf("a timeout card's commit answered %d %v before the caller's deadline", st, out)
	}
}

func TestTimeoutAnswers504AfterHold(t *testing.T) {
	g := start(t, payments.WithHoldTimeout(50*time.Millisecond))
	_, created := do(t, context.Background(), "POST", g.URL()+payments.TransactionsPath,
		payments.CreateRequest{BuyOrder: "o", Amount: 1, CardNumber: payments.TokenTimeout})
	st, out := do(t, context.Background(), "PUT", g.URL()+payments.TransactionsPath+"/"+created["token"].(string), nil)
	if st != http.StatusGatewayTimeout || out["error_message"] == "" {
		t.Fatalf("got %d %v, want 504 with a message", st, out)
	}
}

func TestBadInput(t *testing.T) {
	g := start(t, payments.WithMaxTransactions(2))
	ctx := context.Background()
	for name, body := range map[string]any{
		"no order":        payments.CreateRequest{Amount: 1},
		"zero amount":     payments.CreateRequest{BuyOrder: "o"},
		"negative amount": payments.CreateRequest{BuyOrder: "o", Amount: -5},
		"not an object":   []int{1},
	} {
		if st, out := do(t, ctx, "POST", g.URL()+payments.TransactionsPath, body); st != 400 || out["error_message"] == "" {
			t.Errorf("%s: %d %v, want 400", name, st, out)
		}
	}
	if st, _ := do(t, ctx, "PUT", g.URL()+payments.TransactionsPath+"/nope", nil); st != 404 {
		t.Errorf("unknown token: %d, want 404", st)
	}
	// the oldest transactions go when the cap is passed
	var tokens []string
	for range 3 {
		_, c := do(t, ctx, "POST", g.URL()+payments.TransactionsPath, payments.CreateRequest{BuyOrder: "o", Amount: 1})
		tokens = append(tokens, c["token"].(string))
	}
	if st, _ := do(t, ctx, "GET", g.URL()+payments.TransactionsPath+"/"+tokens[0], nil); st != 404 {
		t.Errorf("the oldest transaction is still kept past the cap: %d", st)
	}
	if st, _ := do(t, ctx, "GET", g.URL()+payments.TransactionsPath+"/"+tokens[2], nil); st != 200 {
		t.Errorf("the newest transaction: %d", st)
	}
}

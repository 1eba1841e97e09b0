package market

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

// The card gateway's API (harness/payments serves it in tests and under
// groundstack up).
const gatewayTransactions = "/webpay/v1/transactions"

// errGatewayTimeout is the gateway not answering in time.
var errGatewayTimeout = errors.New("the payment gateway did not answer in time")

// errUnknownToken is a token the gateway does not know.
var errUnknownToken = errors.New("unknown payment token")

type gatewayTx struct {
	Token    string  `json:"token"`
	URL      string  `json:"url"`
	Status   string  `json:"status"`
	BuyOrder string  `json:"buy_order"`
	Amount   float64 `json:"amount"`
	Message  string  `json:"error_message"`
}

// gateway calls the card gateway with the configured timeout.
func (m *Market) gateway(ctx context.Context, method, path string, in any) (gatewayTx, int, error) {
	if m.Settings.PaymentsURL == "" {
		return gatewayTx{}, 0, errors.New("PAYMENTS_URL is not set")
	}
	ctx, cancel := context.WithTimeout(ctx, m.Settings.PaymentsTimeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return gatewayTx{}, 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.Settings.PaymentsURL+path, body)
	if err != nil {
		return gatewayTx{}, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || os.IsTimeout(err) {
			return gatewayTx{}, 0, errGatewayTimeout
		}
		return gatewayTx{}, 0, fmt.Errorf("payment gateway: %w", err)
	}
	defer resp.Body.Close()
	var out gatewayTx
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return gatewayTx{}, resp.StatusCode, fmt.Errorf("payment gateway answered %s without JSON", resp.Status)
	}
	switch {
	case resp.StatusCode == http.StatusGatewayTimeout:
		return out, resp.StatusCode, errGatewayTimeout
	case resp.StatusCode == http.StatusNotFound:
		return out, resp.StatusCode, errUnknownToken
	}
	return out, resp.StatusCode, nil
}

func (m *Market) webpayCreate(ctx context.Context, body []byte) (reply, error) {
	o, err := object(body)
	if err != nil {
		return reply{}, err
	}
	id, err := text(o, "request_id", true)
	if err != nil {
		return reply{}, err
	}
	q, given, err := integer(o, "quantity", false, 1, MaxQuantity)
	if err != nil {
		return reply{}, err
	}
	r, err := m.Request(ctx, id)
	if err != nil {
		return refused(err)
	}
	switch {
	case given && q != r.Quantity:
		return message(400, "quantity %d does not match the request's %d bonds", q, r.Quantity)
	case r.Final():
		return message(409, "request already %s", r.Status)
	case r.Payment == "wallet":
		return message(409, "request already paid by wallet")
	}
	tx, status, err := m.gateway(ctx, http.MethodPost, gatewayTransactions, map[string]any{
		"buy_order": r.RequestID, "session_id": r.UserID, "amount": r.Amount, "card_number": r.DepositToken,
		"return_url": "/webpay/commit",
	})
	switch {
	case errors.Is(err, errGatewayTimeout):
		return message(504, "%v", err)
	case err != nil:
		return reply{}, err
	case status != http.StatusOK || tx.Token == "":
		return message(502, "the payment gateway refused the transaction: %s", tx.Message)
	}
	if err := m.SetPaymentToken(ctx, r.RequestID, tx.Token); err != nil {
		return refused(err)
	}
	return ok(200, map[string]string{"url": tx.URL, "token": tx.Token, "request_id": r.RequestID})
}

func (m *Market) webpayCommit(ctx context.Context, body []byte) (reply, error) {
	o, err := object(body)
	if err != nil {
		return reply{}, err
	}
	token, err := text(o, "token", true)
	if err != nil {
		return reply{}, err
	}
	path := gatewayTransactions + "/" + url.PathEscape(token)
	tx, status, err := m.gateway(ctx, http.MethodPut, path, nil)
	if err == nil && status == http.StatusUnprocessableEntity {
		// committed before: its outcome stands
		tx, status, err = m.gateway(ctx, http.MethodGet, path, nil)
	}
	switch {
	case errors.Is(err, errGatewayTimeout):
		return message(504, "%v", err)
	case errors.Is(err, errUnknownToken):
		return message(404, "unknown payment token")
	case err != nil:
		return reply{}, err
	case status != http.StatusOK:
		return message(502, "the payment gateway answered %d: %s", status, tx.Message)
	}
	valid := tx.Status == "AUTHORIZED"
	r, changed, err := m.Validate(ctx, Validation{RequestID: tx.BuyOrder, GroupID: OwnGroup, Seller: 0, Valid: valid}, "")
	if err != nil && !errors.Is(err, ErrAlreadyFinal) {
		return refused(err)
	}
	if changed && r.Status == StatusAccepted {
		m.enqueueRecommendations(ctx, r)
	}
	if changed && m.Publisher != nil {
		payload, _ := json.Marshal(Validation{RequestID: r.RequestID, GroupID: OwnGroup, Seller: 0, Valid: valid})
		if err := m.Publisher.Publish(ctx, TopicValidation, payload); err != nil {
			m.logf("ERROR publish validation of %s: %v", r.RequestID, err)
		}
	}
	outcome := StatusRejected
	if valid {
		outcome = StatusAccepted
	}
	return ok(200, map[string]any{"status": outcome, "request_id": tx.BuyOrder, "request": r})
}

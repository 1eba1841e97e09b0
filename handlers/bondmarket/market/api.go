package market

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Endpoints are the API's routes, listed by its 404 answer.
var Endpoints = []string{
	"POST /requests", "GET /requests?page=&count=&user_id=&status=", "GET /requests/{id}", "PATCH /requests/validate",
	"GET /users/wallet?id=", "PUT /users/wallet", "POST /webpay/create", "POST /webpay/commit", "POST /receipts/{request_id}",
	"GET /fixtures", "GET /fixtures/{id}", "GET /recommendations?user_id=",
}

// CORSHeaders are on every answer.
var CORSHeaders = map[string]string{
	"Access-Control-Allow-Origin":  "*",
	"Access-Control-Allow-Methods": "GET,POST,PUT,PATCH,OPTIONS",
	"Access-Control-Allow-Headers": "Content-Type,Authorization",
}

type reply struct {
	status int
	body   any
}

func ok(status int, body any) (reply, error) { return reply{status, body}, nil }

func message(status int, format string, args ...any) (reply, error) {
	return reply{status, map[string]string{"message": fmt.Sprintf(format, args...)}}, nil
}

// Route answers an API Gateway proxy request (payload 1.0). Bad input is a
// 400 with a JSON message; failures of the cloud beneath are the
// function's error (API Gateway answers 502, and the function's Errors
// metric counts them).
func (m *Market) Route(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	if req.HTTPMethod == http.MethodOptions {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusNoContent, Headers: headers()}, nil
	}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return respond(reply{400, map[string]string{"message": "body is not valid base64"}})
		}
		body = b
	}
	path := "/" + strings.Trim(req.Path, "/")
	if p := req.PathParameters["proxy"]; p != "" {
		path = "/" + strings.Trim(p, "/")
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	q := req.QueryStringParameters
	var r reply
	var err error
	switch {
	case path == "/requests" && req.HTTPMethod == http.MethodPost:
		r, err = m.postRequest(ctx, body)
	case path == "/requests" && req.HTTPMethod == http.MethodGet:
		r, err = m.listRequests(ctx, q)
	case path == "/requests/validate" && req.HTTPMethod == http.MethodPatch:
		r, err = m.patchValidate(ctx, body)
	case len(parts) == 2 && parts[0] == "requests" && req.HTTPMethod == http.MethodGet:
		r, err = m.getRequest(ctx, parts[1])
	case path == "/users/wallet" && req.HTTPMethod == http.MethodGet:
		r, err = m.getWallet(ctx, q["id"])
	case path == "/users/wallet" && req.HTTPMethod == http.MethodPut:
		r, err = m.putWallet(ctx, body)
	case path == "/webpay/create" && req.HTTPMethod == http.MethodPost:
		r, err = m.webpayCreate(ctx, body)
	case path == "/webpay/commit" && req.HTTPMethod == http.MethodPost:
		r, err = m.webpayCommit(ctx, body)
	case len(parts) == 2 && parts[0] == "receipts" && req.HTTPMethod == http.MethodPost:
		r, err = m.postReceipt(ctx, parts[1])
	case path == "/fixtures" && req.HTTPMethod == http.MethodGet:
		r, err = m.listFixtures(ctx)
	case len(parts) == 2 && parts[0] == "fixtures" && req.HTTPMethod == http.MethodGet:
		r, err = m.getFixture(ctx, parts[1])
	case path == "/recommendations" && req.HTTPMethod == http.MethodGet:
		r, err = m.getRecommendations(ctx, q["user_id"])
	default:
		r = reply{404, map[string]any{"message": "no route " + req.HTTPMethod + " " + path, "routes": Endpoints}}
	}
	var in badInput
	if errors.As(err, &in) {
		r, err = message(400, "%s", in.msg)
	}
	if err != nil {
		m.logf("ERROR %s %s: %v", req.HTTPMethod, path, err)
		return events.APIGatewayProxyResponse{}, err
	}
	m.logf("%s %s -> %d", req.HTTPMethod, path, r.status)
	return respond(r)
}

func headers() map[string]string {
	h := make(map[string]string, len(CORSHeaders)+1)
	for k, v := range CORSHeaders {
		h[k] = v
	}
	h["Content-Type"] = "application/json"
	return h
}

func respond(r reply) (events.APIGatewayProxyResponse, error) {
	b, err := json.Marshal(r.body)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return events.APIGatewayProxyResponse{StatusCode: r.status, Headers: headers(), Body: string(b)}, nil
}

// refused maps the market's refusals to answers; other errors stay errors.
func refused(err error) (reply, error) {
	var rf refusal
	detail := ""
	if errors.As(err, &rf) {
		detail = rf.detail
	}
	with := func(status int, msg string) (reply, error) {
		body := map[string]string{"message": msg}
		if detail != "" {
			body["detail"] = detail
		}
		return reply{status, body}, nil
	}
	switch {
	case errors.Is(err, ErrFixtureNotFound):
		return with(404, "fixture not found")
	case errors.Is(err, ErrNotEnoughBonds):
		return with(404, "not enough bonds")
	case errors.Is(err, ErrNotFound):
		return with(404, "request not found")
	case errors.Is(err, ErrUserNotFound):
		return with(404, "user not found")
	case errors.Is(err, ErrDuplicate):
		return with(409, "duplicate request_id")
	case errors.Is(err, ErrAlreadyFinal):
		return with(409, "request already validated")
	case errors.Is(err, ErrNoFunds):
		return with(400, "not enough money in the wallet")
	}
	return reply{}, err
}

func (m *Market) postRequest(ctx context.Context, body []byte) (reply, error) {
	r, err := ParseRequest(body)
	if err != nil {
		return reply{}, err
	}
	if r.Internal() {
		r.RequestID = newUUID()
	}
	if err := m.Reserve(ctx, &r, ""); err != nil {
		return refused(err)
	}
	if r.Internal() && m.Publisher != nil {
		// other groups learn of our request on the shared broker
		payload, _ := json.Marshal(r)
		if err := m.Publisher.Publish(ctx, TopicRequests, payload); err != nil {
			// the reservation stands; the broker missing it is logged
			m.logf("ERROR publish %s to %s: %v", r.RequestID, TopicRequests, err)
		}
	}
	return ok(201, r)
}

func (m *Market) getRequest(ctx context.Context, id string) (reply, error) {
	r, err := m.Request(ctx, id)
	if err != nil {
		return refused(err)
	}
	return ok(200, r)
}

func (m *Market) listRequests(ctx context.Context, q map[string]string) (reply, error) {
	f := ListFilter{Page: 1, Count: MaxCount, UserID: q["user_id"], Status: q["status"]}
	for name, dst := range map[string]*int{"page": &f.Page, "count": &f.Count} {
		s, present := q[name]
		if !present || s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return message(400, "%s must be an integer", name)
		}
		*dst = n
	}
	if f.Page < 1 {
		return message(400, "page starts at 1")
	}
	if f.Count < 1 || f.Count > MaxCount {
		return message(400, "count must be between 1 and %d", MaxCount)
	}
	list, total, err := m.ListInternal(ctx, f)
	if err != nil {
		return reply{}, err
	}
	if list == nil {
		list = []Request{}
	}
	return ok(200, map[string]any{"requests": list, "total": total, "page": f.Page, "count": f.Count})
}

func (m *Market) patchValidate(ctx context.Context, body []byte) (reply, error) {
	v, err := ParseValidation(body)
	if err != nil {
		return reply{}, err
	}
	r, changed, err := m.Validate(ctx, v, "")
	if err != nil {
		return refused(err)
	}
	if changed && r.Status == StatusAccepted {
		m.enqueueRecommendations(ctx, r)
	}
	return ok(200, map[string]any{"request": r, "changed": changed})
}

func (m *Market) getWallet(ctx context.Context, id string) (reply, error) {
	if strings.TrimSpace(id) == "" {
		return message(400, "id is required")
	}
	b, err := m.Wallet(ctx, id)
	if err != nil {
		return refused(err)
	}
	return ok(200, map[string]any{"billetera": b, "user_id": id})
}

func (m *Market) putWallet(ctx context.Context, body []byte) (reply, error) {
	o, err := object(body)
	if err != nil {
		return reply{}, err
	}
	user, err := text(o, "user_id", true)
	if err != nil {
		return reply{}, err
	}
	amount, err := number(o, "amount")
	if err != nil {
		return reply{}, err
	}
	if amount <= 0 || amount > MaxWalletTopUp {
		return message(400, "amount must be positive and at most %d", MaxWalletTopUp)
	}
	b, err := m.TopUp(ctx, user, amount)
	if err != nil {
		return reply{}, err
	}
	return ok(200, map[string]any{"user_id": user, "billetera": b})
}

func (m *Market) listFixtures(ctx context.Context) (reply, error) {
	fs, err := m.Fixtures(ctx)
	if err != nil {
		return reply{}, err
	}
	if fs == nil {
		fs = []Fixture{}
	}
	return ok(200, map[string]any{"fixtures": fs, "total": len(fs)})
}

func (m *Market) getFixture(ctx context.Context, id string) (reply, error) {
	f, err := m.Fixture(ctx, id)
	if err != nil {
		return refused(err)
	}
	return ok(200, f)
}

func (m *Market) getRecommendations(ctx context.Context, user string) (reply, error) {
	if strings.TrimSpace(user) == "" {
		return message(400, "user_id is required")
	}
	recs, at, err := m.Recommendations(ctx, user)
	if err != nil {
		return refused(err)
	}
	return ok(200, map[string]any{"user_id": user, "recommendations": recs, "updated_at": at})
}

package market_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/handlers/bondmarket/market"
	deploybm "github.com/groundstack/groundstack/harness/deploy/bondmarket"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/payments"
)

// published records what the market publishes on MQTT.
type published struct {
	mu   sync.Mutex
	msgs []struct {
		topic   string
		payload []byte
	}
}

func (p *published) Publish(_ context.Context, topic string, payload []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, struct {
		topic   string
		payload []byte
	}{topic, payload})
	return nil
}

func (p *published) on(topic string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, m := range p.msgs {
		if m.topic == topic {
			out = append(out, string(m.payload))
		}
	}
	return out
}

type env struct {
	t   *testing.T
	m   *market.Market
	pub *published
	db  *dynamodb.Client
	sqs *sqs.Client
	st  deploybm.Stack
	gw  *payments.Gateway
}

// newEnv is a market on an in-process emulator: its tables, bucket and
// jobs queue, a card gateway, and a recording publisher.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	_, cfg := emutest.Start(t)
	cfg.RetryMaxAttempts = 3
	st := deploybm.Names("bm")
	db := dynamodb.NewFromConfig(cfg)
	for _, in := range deploybm.TableSpecs(st) {
		if _, err := db.CreateTable(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &st.ReceiptsBucket}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	qo, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bm-jobs")})
	if err != nil {
		t.Fatal(err)
	}
	st.JobsQueueURL = aws.ToString(qo.QueueUrl)
	gw := payments.New(payments.WithHoldTimeout(10 * time.Second))
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	pub := &published{}
	m := &market.Market{DB: db, S3: s3c, Presign: s3.NewPresignClient(s3c), SQS: q, Publisher: pub,
		Settings: market.Settings{FixturesTable: st.FixturesTable, RequestsTable: st.RequestsTable, UsersTable: st.UsersTable,
			MessagesTable: st.MessagesTable, ReceiptsBucket: st.ReceiptsBucket, JobsQueueURL: st.JobsQueueURL,
			PaymentsURL: gw.URL(), PaymentsTimeout: 300 * time.Millisecond, ReceiptTTL: time.Minute},
		Log: func(string, ...any) {}}
	return &env{t: t, m: m, pub: pub, db: db, sqs: q, st: st, gw: gw}
}

func (e *env) fixture(id string, available int64) {
	e.t.Helper()
	f := market.Fixture{FixtureID: id, LeagueName: "Primera", Round: "1", Date: "2027-01-0" + id[len(id)-1:], Available: available, Price: 1000}
	if _, err := e.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &e.st.FixturesTable, Item: f.Item()}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) available(id string) (int64, int64) {
	e.t.Helper()
	f, err := e.m.Fixture(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return f.Available, f.Sold
}

// call routes one API request and decodes the answer.
func (e *env) call(method, path string, query map[string]string, body any) (int, map[string]any) {
	e.t.Helper()
	var b string
	switch v := body.(type) {
	case nil:
	case string:
		b = v
	default:
		j, _ := json.Marshal(v)
		b = string(j)
	}
	resp, err := e.m.Route(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: method, Path: path,
		QueryStringParameters: query, Body: b})
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.Headers["Access-Control-Allow-Origin"] != "*" {
		e.t.Errorf("%s %s: no CORS headers: %v", method, path, resp.Headers)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
		e.t.Fatalf("%s %s: answer %q is not a JSON object", method, path, resp.Body)
	}
	return resp.StatusCode, out
}

func buy(fixture, user string, q int) map[string]any {
	return map[string]any{"group_id": "15", "fixture_id": fixture, "league_name": "Primera", "round": "1", "date": "2027-01-01",
		"result": "home", "deposit_token": "", "datetime": "2027-01-01T00:00:00Z", "quantity": q, "user_id": user, "status": "pending"}
}

func TestHundredBuyersOnFiftyBonds(t *testing.T) {
	e := newEnv(t)
	e.fixture("1", 50)
	var wg sync.WaitGroup
	codes := make(chan int, 100)
	msgs := make(chan string, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, out := e.call("POST", "/requests", nil, buy("1", fmt.Sprintf("u%d", i), 1))
			codes <- st
			if st != 201 {
				msgs <- fmt.Sprint(out["message"])
			}
		}()
	}
	wg.Wait()
	close(codes)
	close(msgs)
	n := map[int]int{}
	for c := range codes {
		n[c]++
	}
	if n[201] != 50 || n[404] != 50 {
		t.Fatalf("answers %v, want 50×201 and 50×404", n)
	}
	for m := range msgs {
		if m != "not enough bonds" {
			t.Errorf("a refused buyer was told %q", m)
		}
	}
	if a, s := e.available("1"); a != 0 || s != 50 {
		t.Errorf("fixture: available %d sold %d, want 0 and 50", a, s)
	}
	if got := len(e.pub.on(market.TopicRequests)); got != 50 {
		t.Errorf("%d internal requests published, want 50", got)
	}
	st, page := e.call("GET", "/requests", map[string]string{"count": "25", "page": "2"}, nil)
	if st != 200 || page["total"] != float64(50) || len(page["requests"].([]any)) != 25 || page["page"] != float64(2) {
		t.Errorf("page 2: %d total %v, %d requests", st, page["total"], len(page["requests"].([]any)))
	}
}

func TestValidationIsIdempotent(t *testing.T) {
	e := newEnv(t)
	e.fixture("2", 10)
	_, r := e.call("POST", "/requests", nil, buy("2", "ana", 4))
	id := r["request_id"].(string)
	if a, _ := e.available("2"); a != 6 {
		t.Fatalf("available %d after reserving 4 of 10", a)
	}
	for i := range 3 {
		st, out := e.call("PATCH", "/requests/validate", nil, map[string]any{"request_id": id, "group_id": "15", "seller": 0, "valid": false})
		if st != 200 || out["changed"] != (i == 0) {
			t.Fatalf("reject #%d: %d %v", i+1, st, out)
		}
	}
	if a, s := e.available("2"); a != 10 || s != 0 {
		t.Errorf("after rejecting three times: available %d sold %d, want 10 and 0", a, s)
	}
	if st, out := e.call("PATCH", "/requests/validate", nil, map[string]any{"request_id": id, "valid": true}); st != 409 {
		t.Errorf("accepting a rejected request: %d %v, want 409", st, out)
	}
	// concurrent rejections of one request give its bonds back once
	_, r = e.call("POST", "/requests", nil, buy("2", "ana", 3))
	id = r["request_id"].(string)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.call("PATCH", "/requests/validate", nil, map[string]any{"request_id": id, "valid": "false"})
		}()
	}
	wg.Wait()
	if a, s := e.available("2"); a != 10 || s != 0 {
		t.Errorf("after ten concurrent rejections: available %d sold %d, want 10 and 0", a, s)
	}
	if st, _ := e.call("PATCH", "/requests/validate", nil, map[string]any{"request_id": "nope", "valid": true}); st != 404 {
		t.Errorf("validating an unknown request: %d, want 404", st)
	}
}

func TestWalletNeverNegative(t *testing.T) {
	e := newEnv(t)
	e.fixture("3", 20)
	if st, out := e.call("PUT", "/users/wallet", nil, map[string]any{"user_id": "bea", "amount": 3500}); st != 200 || out["billetera"] != float64(3500) {
		t.Fatalf("top up: %d %v", st, out)
	}
	pay := func(q int) (int, map[string]any) {
		b := buy("3", "bea", q)
		b["payment"] = "wallet"
		return e.call("POST", "/requests", nil, b)
	}
	if st, out := pay(4); st != 400 || out["message"] != "not enough money in the wallet" {
		t.Fatalf("4 bonds for 3500: %d %v", st, out)
	}
	if a, _ := e.available("3"); a != 20 {
		t.Errorf("a refused wallet payment reserved bonds: available %d", a)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st, _ := pay(1); st == 201 {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	_, w := e.call("GET", "/users/wallet", map[string]string{"id": "bea"}, nil)
	if won != 3 || w["billetera"] != float64(500) {
		t.Fatalf("%d wallet purchases of 1000 with 3500, wallet %v: want 3 and 500", won, w["billetera"])
	}
	if a, s := e.available("3"); a != 17 || s != 3 {
		t.Errorf("available %d sold %d, want 17 and 3", a, s)
	}
	// a rejection refunds the wallet, once
	_, list := e.call("GET", "/requests", map[string]string{"user_id": "bea"}, nil)
	id := list["requests"].([]any)[0].(map[string]any)["request_id"].(string)
	for range 2 {
		e.call("PATCH", "/requests/validate", nil, map[string]any{"request_id": id, "valid": false})
	}
	if _, w = e.call("GET", "/users/wallet", map[string]string{"id": "bea"}, nil); w["billetera"] != float64(1500) {
		t.Errorf("wallet after a rejection (twice): %v, want 1500", w["billetera"])
	}
	for _, bad := range []any{map[string]any{"user_id": "bea", "amount": -10}, map[string]any{"user_id": "bea", "amount": 0},
		map[string]any{"user_id": "bea", "amount": "lots"}, map[string]any{"amount": 5}, "[]"} {
		if st, out := e.call("PUT", "/users/wallet", nil, bad); st != 400 || out["message"] == nil {
			t.Errorf("top up %v: %d %v, want 400", bad, st, out)
		}
	}
	if st, _ := e.call("GET", "/users/wallet", map[string]string{"id": "nobody"}, nil); st != 404 {
		t.Errorf("unknown wallet: %d", st)
	}
	if st, _ := e.call("GET", "/users/wallet", nil, nil); st != 400 {
		t.Errorf("wallet without id: %d", st)
	}
}

func TestRequestsRoutes(t *testing.T) {
	e := newEnv(t)
	e.fixture("4", 5)
	ext := map[string]any{"group_id": 7, "fixture_id": 4, "request_id": "ext-1", "quantity": 2, "user_id": "x"}
	if st, out := e.call("POST", "/requests", nil, ext); st != 201 || out["request_id"] != "ext-1" || out["group_id"] != "7" {
		t.Fatalf("external request: %d %v", st, out)
	}
	if st, out := e.call("POST", "/requests", nil, ext); st != 409 || out["message"] != "duplicate request_id" {
		t.Errorf("duplicate: %d %v", st, out)
	}
	if a, _ := e.available("4"); a != 3 {
		t.Errorf("the duplicate took bonds: available %d", a)
	}
	if st, out := e.call("GET", "/requests/ext-1", nil, nil); st != 200 || out["quantity"] != float64(2) {
		t.Errorf("get: %d %v", st, out)
	}
	if st, _ := e.call("GET", "/requests/nope", nil, nil); st != 404 {
		t.Errorf("get unknown: %d", st)
	}
	if st, out := e.call("POST", "/requests", nil, buy("missing", "u", 1)); st != 404 || out["message"] != "fixture not found" {
		t.Errorf("unknown fixture: %d %v", st, out)
	}
	for name, body := range map[string]any{
		"not JSON": "{", "array": "[1]", "no quantity": map[string]any{"group_id": "15", "fixture_id": "4", "user_id": "u"},
		"zero quantity": buy("4", "u", 0), "huge quantity": buy("4", "u", 1000),
		"external without id": map[string]any{"group_id": "9", "fixture_id": "4", "quantity": 1},
		"no group":            map[string]any{"fixture_id": "4", "quantity": 1, "user_id": "u"},
		"final status":        map[string]any{"group_id": "15", "fixture_id": "4", "quantity": 1, "user_id": "u", "status": "accepted"},
	} {
		if st, out := e.call("POST", "/requests", nil, body); st != 400 || out["message"] == nil {
			t.Errorf("%s: %d %v, want 400 with a message", name, st, out)
		}
	}
	for _, q := range []map[string]string{{"count": "26"}, {"count": "0"}, {"page": "0"}, {"page": "x"}} {
		if st, _ := e.call("GET", "/requests", q, nil); st != 400 {
			t.Errorf("list %v: %d, want 400", q, st)
		}
	}
	if st, out := e.call("GET", "/requests", nil, nil); st != 200 || out["total"] != float64(0) || out["count"] != float64(25) || out["page"] != float64(1) {
		t.Errorf("list of no internal requests: %d %v", st, out)
	}
	if st, _ := e.call("DELETE", "/requests", nil, nil); st != 404 {
		t.Errorf("unknown route: %d", st)
	}
}

func TestMQTTConsumers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fixture("5", 3)
	consume := func(f func(context.Context, json.RawMessage) (market.Consumed, error), payload string) string {
		c, err := f(ctx, json.RawMessage(payload))
		if err != nil {
			t.Fatalf("consume %s: %v", payload, err)
		}
		return c.Outcome
	}
	req := `{"group_id":"3","fixture_id":"5","request_id":"g3-1","quantity":2,"user_id":"z"}`
	steps := []struct {
		f             func(context.Context, json.RawMessage) (market.Consumed, error)
		payload, want string
	}{
		{e.m.ConsumeRequest, req, market.OutcomeApplied},
		{e.m.ConsumeRequest, req, market.OutcomeReplayed},
		{e.m.ConsumeRequest, `{"group_id":"3","fixture_id":"5","request_id":"g3-1","quantity":1}`, market.OutcomeDuplicate},
		{e.m.ConsumeRequest, `{"group_id":"3","fixture_id":"5","request_id":"g3-2","quantity":2}`, market.OutcomeRefused},
		{e.m.ConsumeRequest, `not json at all`, market.OutcomeMalformed},
		{e.m.ConsumeRequest, `"a string"`, market.OutcomeMalformed},
		{e.m.ConsumeRequest, `{"group_id":"3"}`, market.OutcomeMalformed},
		{e.m.ConsumeRequest, `{"group_id":"15","fixture_id":"5","request_id":"ours","quantity":1,"user_id":"u"}`, market.OutcomeOwn},
		{e.m.ConsumeValidation, `{"request_id":"g3-1","group_id":"3","seller":0,"valid":false}`, market.OutcomeApplied},
		{e.m.ConsumeValidation, `{"request_id":"g3-1","group_id":"3","seller":0,"valid":false}`, market.OutcomeReplayed},
		{e.m.ConsumeValidation, `{"request_id":"g3-1","group_id":"3","seller":1,"valid":false}`, market.OutcomeNoop},
		{e.m.ConsumeValidation, `{"request_id":"g3-1","group_id":"3","seller":0,"valid":true}`, market.OutcomeRefused},
		{e.m.ConsumeValidation, `{"request_id":"nobody","valid":true}`, market.OutcomeUnknown},
		{e.m.ConsumeValidation, `{"request_id":"g3-1","valid":"maybe"}`, market.OutcomeMalformed},
	}
	for i, s := range steps {
		if got := consume(s.f, s.payload); got != s.want {
			t.Errorf("step %d (%s): %s, want %s", i, s.payload, got, s.want)
		}
	}
	if a, s := e.available("5"); a != 3 || s != 0 {
		t.Errorf("fixture: available %d sold %d, want 3 and 0 (reserved 2, rejected once)", a, s)
	}
	counts, err := e.m.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"applied": 2, "replayed": 2, "duplicate": 1, "refused": 2, "malformed": 4, "own": 1, "unknown": 1, "noop": 1}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("counter %s = %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
}

func TestWebpay(t *testing.T) {
	e := newEnv(t)
	e.fixture("6", 10)
	order := func(card string) string {
		b := buy("6", "carla", 2)
		b["deposit_token"] = card
		_, r := e.call("POST", "/requests", nil, b)
		return r["request_id"].(string)
	}
	approve := order(payments.CardApprove)
	st, created := e.call("POST", "/webpay/create", nil, map[string]any{"request_id": approve, "quantity": 2})
	if st != 200 || created["token"] == "" || !strings.HasPrefix(created["url"].(string), e.gw.URL()) {
		t.Fatalf("create: %d %v", st, created)
	}
	if _, r := e.call("GET", "/requests/"+approve, nil, nil); r["status"] != market.StatusPendingPayment {
		t.Errorf("status after create: %v", r["status"])
	}
	for range 2 { // committing again answers the same outcome
		st, out := e.call("POST", "/webpay/commit", nil, map[string]any{"token": created["token"]})
		if st != 200 || out["status"] != "accepted" {
			t.Fatalf("commit: %d %v", st, out)
		}
	}
	if got := e.pub.on(market.TopicValidation); len(got) != 1 || !strings.Contains(got[0], `"valid":true`) || !strings.Contains(got[0], approve) {
		t.Errorf("validations published: %v", got)
	}
	reject := order(payments.TokenReject)
	_, created = e.call("POST", "/webpay/create", nil, map[string]any{"request_id": reject})
	if st, out := e.call("POST", "/webpay/commit", nil, map[string]any{"token": created["token"]}); st != 200 || out["status"] != "rejected" {
		t.Errorf("rejected card: %d %v", st, out)
	}
	if a, s := e.available("6"); a != 8 || s != 2 {
		t.Errorf("after one approved and one rejected payment of 2: available %d sold %d", a, s)
	}
	slow := order(payments.CardTimeout)
	_, created = e.call("POST", "/webpay/create", nil, map[string]any{"request_id": slow, "quantity": 2})
	if st, out := e.call("POST", "/webpay/commit", nil, map[string]any{"token": created["token"]}); st != 504 {
		t.Errorf("timeout card: %d %v", st, out)
	}
	if _, r := e.call("GET", "/requests/"+slow, nil, nil); r["status"] != market.StatusPendingPayment {
		t.Errorf("a timed-out payment changed the request: %v", r["status"])
	}
	for name, c := range map[string]struct {
		path string
		body any
		want int
	}{
		"create unknown":   {"/webpay/create", map[string]any{"request_id": "nope"}, 404},
		"create wrong qty": {"/webpay/create", map[string]any{"request_id": slow, "quantity": 3}, 400},
		"create final":     {"/webpay/create", map[string]any{"request_id": approve}, 409},
		"create no id":     {"/webpay/create", map[string]any{}, 400},
		"commit unknown":   {"/webpay/commit", map[string]any{"token": "nope"}, 404},
		"commit no token":  {"/webpay/commit", "{}", 400},
	} {
		if st, out := e.call("POST", c.path, nil, c.body); st != c.want {
			t.Errorf("%s: %d %v, want %d", name, st, out, c.want)
		}
	}
}

func TestReceipt(t *testing.T) {
	e := newEnv(t)
	e.fixture("7", 10)
	_, r := e.call("POST", "/requests", nil, buy("7", "dani", 3))
	id := r["request_id"].(string)
	st, out := e.call("POST", "/receipts/"+id, nil, nil)
	if st != 201 || out["key"] != market.ReceiptKey(id) {
		t.Fatalf("receipt: %d %v", st, out)
	}
	resp, err := http.Get(out["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(doc), "%PDF-") {
		t.Fatalf("presigned URL: %s, %q…", resp.Status, doc[:min(len(doc), 40)])
	}
	if st, _ := e.call("POST", "/receipts/nope", nil, nil); st != 404 {
		t.Errorf("receipt of an unknown request: %d", st)
	}
}

func TestRecommendationsJob(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.fixture("8", 10)
	e.fixture("9", 10)
	_, r := e.call("POST", "/requests", nil, buy("8", "eli", 1))
	id := r["request_id"].(string)
	e.call("PATCH", "/requests/validate", nil, map[string]any{"request_id": id, "valid": true})
	got, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &e.st.JobsQueueURL, WaitTimeSeconds: 1})
	if err != nil || len(got.Messages) != 1 {
		t.Fatalf("jobs queued: %v %v", got, err)
	}
	if err := e.m.HandleJobs(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "1", Body: aws.ToString(got.Messages[0].Body)}}}); err != nil {
		t.Fatal(err)
	}
	st, recs := e.call("GET", "/recommendations", map[string]string{"user_id": "eli"}, nil)
	list, _ := recs["recommendations"].([]any)
	if st != 200 || len(list) != 1 || list[0].(map[string]any)["fixture_id"] != "9" {
		t.Errorf("recommendations: %d %v", st, recs)
	}
	for _, poison := range []string{"not json", `{"kind":"mystery"}`, `{"kind":"recommend","request_id":"nope"}`} {
		if err := e.m.HandleJobs(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "p", Body: poison}}}); err == nil {
			t.Errorf("poison job %s succeeded", poison)
		}
	}
}

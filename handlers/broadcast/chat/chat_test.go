package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// fakeDB is two tables in memory; Scan answers pages of pageSize.
type fakeDB struct {
	mu       sync.Mutex
	tables   map[string]map[string]map[string]dtypes.AttributeValue
	pageSize int
	scans    int
	failScan error
}

func newFakeDB() *fakeDB {
	return &fakeDB{tables: map[string]map[string]map[string]dtypes.AttributeValue{}, pageSize: 1000}
}

func keyOf(item map[string]dtypes.AttributeValue) string {
	for _, k := range []string{MessageKey, ConnectionKey} {
		if s, ok := item[k].(*dtypes.AttributeValueMemberS); ok {
			return s.Value
		}
	}
	return ""
}

func (f *fakeDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.tables[*in.TableName]
	if t == nil {
		t = map[string]map[string]dtypes.AttributeValue{}
		f.tables[*in.TableName] = t
	}
	t[keyOf(in.Item)] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.tables[*in.TableName], keyOf(in.Key))
	return &dynamodb.DeleteItemOutput{}, nil
}

func (f *fakeDB) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scans++
	if f.failScan != nil {
		return nil, f.failScan
	}
	var keys []string
	for k := range f.tables[*in.TableName] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	start := ""
	if in.ExclusiveStartKey != nil {
		start = keyOf(in.ExclusiveStartKey)
	}
	out := &dynamodb.ScanOutput{}
	for _, k := range keys {
		if start != "" && k <= start {
			continue
		}
		if len(out.Items) == f.pageSize {
			out.LastEvaluatedKey = map[string]dtypes.AttributeValue{ConnectionKey: &dtypes.AttributeValueMemberS{Value: keyOf(out.Items[len(out.Items)-1])}}
			break
		}
		out.Items = append(out.Items, map[string]dtypes.AttributeValue{ConnectionKey: &dtypes.AttributeValueMemberS{Value: k}})
	}
	return out, nil
}

func (f *fakeDB) ids(table string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.tables[table] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (f *fakeDB) item(table, key string) map[string]dtypes.AttributeValue {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tables[table][key]
}

// fakePoster answers 410 for gone ids, records what it got, and counts
// the posts in flight.
type fakePoster struct {
	mu       sync.Mutex
	got      map[string][]string
	gone     map[string]bool
	fail     map[string]bool
	delay    time.Duration
	inFlight atomic.Int64
	maxIn    atomic.Int64
	endpoint string
}

func (p *fakePoster) Post(ctx context.Context, endpoint, id string, data []byte) (int, error) {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		m := p.maxIn.Load()
		if n <= m || p.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(p.delay)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endpoint = endpoint
	if p.fail[id] {
		return 0, errors.New("connection refused")
	}
	if p.gone[id] {
		return 410, nil
	}
	if p.got == nil {
		p.got = map[string][]string{}
	}
	p.got[id] = append(p.got[id], string(data))
	return 200, nil
}

func wsEvent(id, body string, query map[string]string) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		QueryStringParameters: query,
		Body:                  body,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			ConnectionID: id, APIID: "a1b2c3", Stage: "prod", DomainName: "a1b2c3.execute-api.us-east-1.amazonaws.com",
			RequestID: "req-" + id, MessageID: "msg-" + id + "-" + fmt.Sprint(len(body)),
		},
	}
}

func newChat(token string) (*Chat, *fakeDB, *fakePoster) {
	db, p := newFakeDB(), &fakePoster{}
	return &Chat{DB: db, Poster: p, Settings: Settings{ConnectionsTable: "Connections", MessagesTable: "Messages", Token: token,
		Endpoint: "https://a1b2c3.execute-api.us-east-1.amazonaws.com/prod", FanOut: 4},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, db, p
}

func TestConnectChecksTheTokenAndStoresTheConnection(t *testing.T) {
	ctx := context.Background()
	c, db, _ := newChat("s3cret")
	for _, tc := range []struct {
		name   string
		query  map[string]string
		status int
	}{
		{"no token", nil, 401},
		{"empty token", map[string]string{"token": ""}, 401},
		{"wrong token", map[string]string{"token": "guess"}, 403},
		{"a prefix of it", map[string]string{"token": "s3cre"}, 403},
	} {
		r, err := c.Connect(ctx, wsEvent("c-"+tc.name, "", tc.query))
		if err != nil || r.StatusCode != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.name, r.StatusCode, err, tc.status)
		}
	}
	if ids := db.ids("Connections"); len(ids) != 0 {
		t.Fatalf("refused connections were stored: %v", ids)
	}
	r, err := c.Connect(ctx, wsEvent("Lx1=", "", map[string]string{"token": "s3cret"}))
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("right token: %d %v", r.StatusCode, err)
	}
	if ids := db.ids("Connections"); len(ids) != 1 || ids[0] != "Lx1=" {
		t.Fatalf("stored %v", ids)
	}
	if r, _ := c.Connect(ctx, wsEvent("", "", map[string]string{"token": "s3cret"})); r.StatusCode != 400 {
		t.Fatalf("no connection id: %d", r.StatusCode)
	}
	open, _, _ := newChat("")
	if r, err := open.Connect(ctx, wsEvent("x", "", nil)); err != nil || r.StatusCode != 200 {
		t.Fatalf("no token configured admits anyone: %d %v", r.StatusCode, err)
	}
}

func TestDisconnectForgetsTheConnection(t *testing.T) {
	ctx := context.Background()
	c, db, _ := newChat("")
	for _, id := range []string{"a", "b"} {
		if _, err := c.Connect(ctx, wsEvent(id, "", nil)); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := c.Disconnect(ctx, wsEvent("a", "", nil)); err != nil || r.StatusCode != 200 {
		t.Fatalf("disconnect: %d %v", r.StatusCode, err)
	}
	if ids := db.ids("Connections"); strings.Join(ids, ",") != "b" {
		t.Fatalf("left %v", ids)
	}
}

func TestSendMessageReachesEveryConnectionForgetsGoneOnesAndLogsIt(t *testing.T) {
	ctx := context.Background()
	c, db, p := newChat("")
	db.pageSize = 7 // several Scan pages
	p.delay = time.Millisecond
	var ids []string
	for i := range 30 {
		id := fmt.Sprintf("conn-%02d", i)
		ids = append(ids, id)
		if _, err := c.Connect(ctx, wsEvent(id, "", nil)); err != nil {
			t.Fatal(err)
		}
	}
	p.gone = map[string]bool{"conn-03": true, "conn-17": true}
	p.fail = map[string]bool{"conn-20": true}
	ev := wsEvent("conn-00", `{"action":"sendmessage","data":"hello, \"all\""}`, nil)
	r, err := c.SendMessage(ctx, ev)
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("sendmessage: %d %q %v", r.StatusCode, r.Body, err)
	}
	// every post was answered before SendMessage returned
	if n := p.inFlight.Load(); n != 0 {
		t.Fatalf("%d posts still in flight after SendMessage returned", n)
	}
	if m := p.maxIn.Load(); m > 4 || m < 2 {
		t.Fatalf("at most %d posts in flight, want 2..FanOut (4)", m)
	}
	for _, id := range ids {
		got := p.got[id]
		switch id {
		case "conn-03", "conn-17", "conn-20":
			if len(got) != 0 {
				t.Errorf("%s got %v", id, got)
			}
		default:
			if len(got) != 1 || got[0] != `hello, "all"` {
				t.Errorf("%s got %q", id, got)
			}
		}
	}
	left := db.ids("Connections")
	if len(left) != 28 || strings.Contains(strings.Join(left, ","), "conn-03") || strings.Contains(strings.Join(left, ","), "conn-17") {
		t.Fatalf("gone connections not forgotten (a failed post is not gone): %v", left)
	}
	logged := db.item("Messages", "msg-conn-00-"+fmt.Sprint(len(ev.Body)))
	if logged == nil {
		t.Fatalf("message not logged: %v", db.ids("Messages"))
	}
	want := map[string]string{"connectionId": "conn-00", "data": `hello, "all"`, "recipients": "30", "delivered": "27", "gone": "2", "failed": "1"}
	for k, v := range want {
		var got string
		switch a := logged[k].(type) {
		case *dtypes.AttributeValueMemberS:
			got = a.Value
		case *dtypes.AttributeValueMemberN:
			got = a.Value
		}
		if got != v {
			t.Errorf("logged %s = %q, want %q", k, got, v)
		}
	}
}

func TestSendMessageDataShapes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		body   string
		status int
		got    string
	}{
		{`{"action":"sendmessage","data":"hi"}`, 200, "hi"},
		{`{"action":"sendmessage","data":{"n":1}}`, 200, `{"n":1}`},
		{`{"action":"sendmessage","data":""}`, 200, ""},
		{`{"action":"sendmessage"}`, 400, ""},
		{`{"action":"sendmessage","data":null}`, 400, ""},
		{`not json`, 400, ""},
	} {
		c, _, p := newChat("")
		if _, err := c.Connect(ctx, wsEvent("a", "", nil)); err != nil {
			t.Fatal(err)
		}
		r, err := c.SendMessage(ctx, wsEvent("a", tc.body, nil))
		if err != nil || r.StatusCode != tc.status {
			t.Errorf("%s: %d %v, want %d", tc.body, r.StatusCode, err, tc.status)
			continue
		}
		if tc.status == 200 && (len(p.got["a"]) != 1 || p.got["a"][0] != tc.got) {
			t.Errorf("%s: receiver got %q, want %q", tc.body, p.got["a"], tc.got)
		}
		if tc.status != 200 && len(p.got["a"]) != 0 {
			t.Errorf("%s: bad input was sent: %q", tc.body, p.got["a"])
		}
	}
}

func TestSendMessageFailsWhenConnectionsCannotBeRead(t *testing.T) {
	c, db, _ := newChat("")
	db.failScan = errors.New("ResourceNotFoundException: no table")
	if _, err := c.SendMessage(context.Background(), wsEvent("a", `{"action":"sendmessage","data":"x"}`, nil)); err == nil {
		t.Fatal("a failed Scan was not an error")
	}
	if len(db.ids("Messages")) != 0 {
		t.Fatal("a message that reached nobody was logged as sent")
	}
}

func TestManagementEndpoint(t *testing.T) {
	rc := events.APIGatewayWebsocketProxyRequestContext{APIID: "a1b2c3", Stage: "prod", DomainName: "a1b2c3.execute-api.eu-west-1.amazonaws.com"}
	for _, tc := range []struct {
		name string
		s    Settings
		rc   events.APIGatewayWebsocketProxyRequestContext
		want string
	}{
		{"aws", Settings{}, rc, "https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod"},
		{"emulator", Settings{EdgeURL: "http://127.0.0.1:4566/"}, rc, "http://127.0.0.1:4566/_aws/execute-api/a1b2c3/prod"},
		{"given", Settings{Endpoint: "http://a1b2c3.execute-api.localhost.localstack.cloud:4566/prod/", EdgeURL: "http://x"}, rc,
			"http://a1b2c3.execute-api.localhost.localstack.cloud:4566/prod"},
		{"no stage", Settings{}, events.APIGatewayWebsocketProxyRequestContext{DomainName: "d"}, ""},
		{"no domain", Settings{}, events.APIGatewayWebsocketProxyRequestContext{Stage: "prod"}, ""},
	} {
		got, err := ManagementEndpoint(tc.s, tc.rc)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("%s: %q %v, want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestManagementPostsSignedRequests(t *testing.T) {
	type seen struct{ method, path, auth, date, body, ctype string }
	got := make(chan seen, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(b)
		got <- seen{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), string(b), r.Header.Get("Content-Type")}
		if strings.HasSuffix(r.URL.Path, "/dead") {
			w.WriteHeader(410)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": "Gone"})
			return
		}
	}))
	defer srv.Close()
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	m := NewManagement(cfg, 4)
	status, err := m.Post(context.Background(), srv.URL+"/_aws/execute-api/a1b2c3/prod", "Lx1=", []byte("hi"))
	if err != nil || status != 200 {
		t.Fatalf("post: %d %v", status, err)
	}
	s := <-got
	if s.method != "POST" || s.path != "/_aws/execute-api/a1b2c3/prod/@connections/Lx1=" || s.body != "hi" {
		t.Fatalf("request %+v", s)
	}
	if !strings.HasPrefix(s.auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(s.auth, "/eu-west-1/execute-api/aws4_request") || s.date == "" {
		t.Fatalf("not signed for execute-api: %q (date %q)", s.auth, s.date)
	}
	if status, err := m.Post(context.Background(), srv.URL+"/prod", "dead", []byte("x")); err != nil || status != 410 {
		t.Fatalf("gone: %d %v", status, err)
	}
	<-got
	if _, err := (&Management{Client: http.DefaultClient}).Post(context.Background(), srv.URL, "x", nil); err == nil {
		t.Fatal("posted without credentials")
	}
}

// Whatever a client sends, sendmessage answers 200 (and posts) or 400
// (and posts nothing); it never fails or panics.
func FuzzSendMessageBody(f *testing.F) {
	for _, s := range []string{`{"action":"sendmessage","data":"hi"}`, `{"data":{"a":[1,2]}}`, `{"data":"\ud800"}`, `{"data":`, `[]`, `""`, `{"data":null}`, "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c, db, p := newChat("")
		if _, err := c.Connect(context.Background(), wsEvent("a", "", nil)); err != nil {
			t.Fatal(err)
		}
		r, err := c.SendMessage(context.Background(), wsEvent("a", body, nil))
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		switch r.StatusCode {
		case 200:
			if len(p.got["a"]) != 1 || len(db.ids("Messages")) != 1 {
				t.Fatalf("%q: 200 but posted %d, logged %d", body, len(p.got["a"]), len(db.ids("Messages")))
			}
		case 400:
			if len(p.got["a"]) != 0 {
				t.Fatalf("%q: 400 but posted", body)
			}
		default:
			t.Fatalf("%q: status %d", body, r.StatusCode)
		}
	})
}

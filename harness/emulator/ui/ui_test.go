package ui_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cwlogs "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// get calls the console's API unsigned and decodes its JSON answer.
func get(t *testing.T, base, path string, out any) int {
	t.Helper()
	return do(t, base, http.MethodGet, path, "", out)
}

func do(t *testing.T, base, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, base+"/_groundstack/ui/api/"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func makeTable(t *testing.T, db *dynamodb.Client, name string) {
	t.Helper()
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTablePaging pages through 10,000 items, server side, 1,000 at a
// time, and finds each once.
func TestTablePaging(t *testing.T) {
	e, cfg := emutest.Start(t)
	db := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()
	makeTable(t, db, "big")
	const n = 10000
	for i := 0; i < n; i += 25 {
		var reqs []ddbtypes.WriteRequest
		for j := i; j < i+25; j++ {
			reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
				"pk": &ddbtypes.AttributeValueMemberS{Value: "item-" + strconv.Itoa(j)}}}})
		}
		if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"big": reqs}}); err != nil {
			t.Fatal(err)
		}
	}
	began := time.Now()
	get(t, e.URL(), "dynamodb/items?table=big", nil)                     // the page the console opens with
	t.Logf("the first page of 50 of %d items: %v", n, time.Since(began)) // a figure for the docs, not a check
	seen := map[string]bool{}
	start, pages := "", 0
	for {
		var p struct {
			Items []map[string]map[string]string `json:"items"`
			Next  string                         `json:"next"`
		}
		if code := get(t, e.URL(), "dynamodb/items?table=big&limit=1000&start="+url.QueryEscape(start), &p); code != http.StatusOK {
			t.Fatalf("page %d: %d", pages, code)
		}
		pages++
		if len(p.Items) > 1000 {
			t.Fatalf("a page of %d items", len(p.Items))
		}
		for _, it := range p.Items {
			k := it["pk"]["S"]
			if seen[k] {
				t.Fatalf("%s twice", k)
			}
			seen[k] = true
		}
		if p.Next == "" || pages > 20 {
			break
		}
		start = p.Next
	}
	if len(seen) != n {
		t.Errorf("%d items seen in %d pages, want %d", len(seen), pages, n)
	}
	var q struct {
		Items []map[string]map[string]string `json:"items"`
	}
	if code := do(t, e.URL(), http.MethodPost, "dynamodb/query", `{"table":"big","keyCondition":"pk = :v","values":{":v":{"S":"item-42"}}}`, &q); code != http.StatusOK || len(q.Items) != 1 || q.Items[0]["pk"]["S"] != "item-42" {
		t.Errorf("query: %d %v", code, q.Items)
	}
	if code := do(t, e.URL(), http.MethodPost, "dynamodb/query", `{"table":"big","keyCondition":"nope = = :v"}`, nil); code != http.StatusBadRequest {
		t.Errorf("a bad key condition: %d, want 400", code)
	}
}

// TestPeekDoesNotReceive peeks a queue twice: the messages stay visible
// and their receive counts do not move.
func TestPeekDoesNotReceive(t *testing.T) {
	e, cfg := emutest.Start(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(cfg)
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"one", "two", "three"} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 1}); err != nil {
		t.Fatal(err)
	}
	type peeked struct {
		Total    int `json:"total"`
		Messages []struct {
			Body         string `json:"body"`
			State        string `json:"state"`
			ReceiveCount int    `json:"receiveCount"`
		} `json:"messages"`
	}
	var first, second peeked
	get(t, e.URL(), "sqs/peek?queue=jobs", &first)
	get(t, e.URL(), "sqs/peek?queue=jobs", &second)
	if first.Total != 3 || len(first.Messages) != 3 {
		t.Fatalf("peek: %+v", first)
	}
	counts := 0
	for i, m := range second.Messages {
		counts += m.ReceiveCount
		if m != first.Messages[i] {
			t.Errorf("message %d changed between peeks: %+v then %+v", i, first.Messages[i], m)
		}
	}
	if counts != 1 {
		t.Errorf("receive counts add up to %d after one receive and two peeks, want 1", counts)
	}
	r, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(r.Messages) != 2 {
		t.Fatalf("receive after peeks: %v %v", r, err)
	}
	for _, m := range r.Messages {
		if m.Attributes["ApproximateReceiveCount"] != "1" {
			t.Errorf("%s received with count %s after peeks, want 1", *m.Body, m.Attributes["ApproximateReceiveCount"])
		}
	}
	if code := get(t, e.URL(), "sqs/peek?queue=nope", nil); code != http.StatusNotFound {
		t.Errorf("peek of a missing queue: %d", code)
	}
	if code := do(t, e.URL(), http.MethodPost, "sqs/purge?queue=jobs", "", nil); code != http.StatusOK {
		t.Errorf("purge: %d", code)
	}
	var after peeked
	get(t, e.URL(), "sqs/peek?queue=jobs", &after)
	if after.Total != 0 {
		t.Errorf("%d messages after purge", after.Total)
	}
}

// TestAnswersAreNotMarkup: names and values holding markup come back
// escaped in the API's JSON, so no answer can be read as HTML.
func TestAnswersAreNotMarkup(t *testing.T) {
	e, cfg := emutest.Start(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(cfg)
	makeTable(t, db, "tab")
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tab"), Item: map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: "<script>alert(1)</script>"}}}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.URL() + "/_groundstack/ui/api/dynamodb/items?table=tab")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("content type %q, nosniff %q", ct, resp.Header.Get("X-Content-Type-Options"))
	}
	if strings.Contains(string(b), "<script>") || !strings.Contains(string(b), `\u003cscript\u003e`) {
		t.Errorf("markup in the answer: %s", b)
	}
	resp, err = http.Get(e.URL() + "/_groundstack/ui/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("the page's CSP: %q", csp)
	}
}

// TestStrictConsoleIsReadOnlyUnlessSigned is the attack: in strict mode,
// an unsigned page may read through the console but not change anything.
func TestStrictConsoleIsReadOnlyUnlessSigned(t *testing.T) {
	e, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	ctx := context.Background()
	db := dynamodb.NewFromConfig(cfg)
	makeTable(t, db, "tab")
	item := map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "keep"}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tab"), Item: item}); err != nil {
		t.Fatal(err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Items []any `json:"items"`
	}
	if code := get(t, e.URL(), "dynamodb/items?table=tab", &page); code != http.StatusOK || len(page.Items) != 1 {
		t.Fatalf("unsigned read: %d %v", code, page)
	}
	for _, c := range []struct{ method, path, body string }{
		{"DELETE", "dynamodb/item", `{"table":"tab","key":{"pk":{"S":"keep"}}}`},
		{"POST", "dynamodb/item", `{"table":"tab","item":{"pk":{"S":"planted"}}}`},
		{"DELETE", "s3/object?bucket=bkt&key=k", ""},
		{"POST", "s3/object?bucket=bkt&key=planted", "x"},
		{"POST", "sqs/purge?queue=q", ""},
	} {
		if code := do(t, e.URL(), c.method, c.path, c.body, nil); code != http.StatusForbidden {
			t.Errorf("unsigned %s %s: %d, want 403", c.method, c.path, code)
		}
	}
	// The page's own reset button, unsigned.
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/_groundstack/reset", nil)
	req.Header.Set("Origin", e.URL())
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned reset: %v %v", resp, err)
	}
	if out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("tab")}); err != nil || out.Count != 1 {
		t.Fatalf("the table changed: %v %v", out, err)
	}
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")}); err != nil {
		t.Fatalf("the object is gone: %v", err)
	}
	// Signed (service "groundstack", as the control plane's calls), the
	// same delete is served.
	body := `{"table":"tab","key":{"pk":{"S":"keep"}}}`
	req, _ = http.NewRequest(http.MethodDelete, e.URL()+"/_groundstack/ui/api/dynamodb/item", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	creds, _ := cfg.Credentials.Retrieve(ctx)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "groundstack", cfg.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signed delete: %d", resp.StatusCode)
	}
	if out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("tab")}); err != nil || out.Count != 0 {
		t.Errorf("after the signed delete: %v %v", out, err)
	}
}

// TestLogTail reads a function's log events, then only those after the
// last one seen, as the Lambda page's live tail does.
func TestLogTail(t *testing.T) {
	e, cfg := emutest.Start(t)
	ctx := context.Background()
	lc := cwlogs.NewFromConfig(cfg)
	group, stream := aws.String("/aws/lambda/fn"), aws.String("2026/12/08/[$LATEST]abc")
	if _, err := lc.CreateLogGroup(ctx, &cwlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateLogStream(ctx, &cwlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if _, err := lc.PutLogEvents(ctx, &cwlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: []logtypes.InputLogEvent{
		{Message: aws.String("first"), Timestamp: aws.Int64(now - 2000)}, {Message: aws.String("second"), Timestamp: aws.Int64(now - 1000)}}}); err != nil {
		t.Fatal(err)
	}
	type tail struct {
		Events []struct {
			Message   string `json:"message"`
			Timestamp int64  `json:"timestamp"`
		} `json:"events"`
	}
	var all, later tail
	if code := get(t, e.URL(), "logs/tail?function=fn", &all); code != http.StatusOK || len(all.Events) != 2 || all.Events[0].Message != "first" {
		t.Fatalf("tail: %d %+v", code, all)
	}
	get(t, e.URL(), "logs/tail?function=fn&since="+strconv.FormatInt(all.Events[0].Timestamp+1, 10), &later)
	if len(later.Events) != 1 || later.Events[0].Message != "second" {
		t.Errorf("tail since the first: %+v", later)
	}
}

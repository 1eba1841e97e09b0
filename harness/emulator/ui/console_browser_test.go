package ui_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/scenarios/browser"
)

// xss is an item value that would run script if put in the page as markup.
const xss = `<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>`

// TestConsoleInChromium drives the console in headless Chromium: a
// table's items (one holding markup, shown as text), an S3 prefix, a
// queue's messages peeked, and the reset button, with a screenshot of
// each under build/reports/ui/. It waits on the page's state, never on
// time.
func TestConsoleInChromium(t *testing.T) {
	if _, err := browser.Find(); err != nil {
		t.Skip(err.Error())
	}
	e, cfg := emutest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db := dynamodb.NewFromConfig(cfg)
	makeTable(t, db, "orders")
	for _, v := range []string{"alpha", "beta", xss} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: v}}}); err != nil {
			t.Fatal(err)
		}
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("media")}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"top.txt", "logs/a.txt", "logs/b.txt"} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	sq := sqs.NewFromConfig(cfg)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hello <b>queue</b>")}); err != nil {
		t.Fatal(err)
	}

	b, err := browser.Launch(ctx)
	if errors.Is(err, browser.ErrNotInstalled) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := b.NewPage(ctx, e.URL()+"/_groundstack/ui/#dynamodb/orders")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	reports := reportDir(t)
	shot := func(name string) {
		var out struct {
			Data string `json:"data"`
		}
		if err := p.Call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &out); err != nil {
			t.Fatal(err)
		}
		png, _ := base64.StdEncoding.DecodeString(out.Data)
		if err := os.WriteFile(filepath.Join(reports, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wait := func(what, expr string) {
		t.Helper()
		if _, err := p.WaitFor(ctx, `document.body.dataset.ready === location.hash.slice(1) && (`+expr+`)`, 20*time.Millisecond); err != nil {
			var status string
			_ = p.Evaluate(ctx, `document.getElementById("status").textContent`, &status)
			t.Fatalf("%s: %v (status %q)", what, err, status)
		}
	}
	text := func(sel string) string {
		var s string
		if err := p.Evaluate(ctx, `document.querySelector(`+jsString(sel)+`)?.textContent ?? ""`, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	wait("the table's items", `document.querySelectorAll("#items tr").length === 4`)
	if s := text("#items"); !strings.Contains(s, "alpha") || !strings.Contains(s, "<script>window.pwned=1</script>") {
		t.Errorf("items shown: %q", s)
	}
	var pwned bool
	if err := p.Evaluate(ctx, `window.pwned === 1 || document.querySelectorAll("main script, main img").length > 0`, &pwned); err != nil || pwned {
		t.Errorf("an item's markup became part of the page (%v)", err)
	}
	shot("dynamodb")

	if err := p.Evaluate(ctx, `location.hash = "#s3/media/"`, nil); err != nil {
		t.Fatal(err)
	}
	wait("the bucket", `document.querySelector("a.prefix")`)
	if err := p.Evaluate(ctx, `document.querySelector("a.prefix").click()`, nil); err != nil {
		t.Fatal(err)
	}
	wait("the prefix logs/", `document.getElementById("prefix")?.textContent === "logs/"`)
	if s := text("main table"); !strings.Contains(s, "logs/a.txt") || !strings.Contains(s, "logs/b.txt") || strings.Contains(s, "top.txt") {
		t.Errorf("the prefix logs/ shows %q", s)
	}
	shot("s3")

	if err := p.Evaluate(ctx, `location.hash = "#sqs/jobs"`, nil); err != nil {
		t.Fatal(err)
	}
	wait("the queue's messages", `document.querySelector("#messages td")`)
	if s := text("#messages"); !strings.Contains(s, "hello <b>queue</b>") {
		t.Errorf("messages shown: %q", s)
	}
	shot("sqs")
	r, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(r.Messages) != 1 || r.Messages[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("after the console's peek, a receive got %v %v", r, err)
	}

	// A table of 10,000 items opens with its first page (paged on the
	// server); the time is logged, a figure for the docs, not a check.
	makeTable(t, db, "big")
	for i := 0; i < 10000; i += 25 {
		var reqs []ddbtypes.WriteRequest
		for j := i; j < i+25; j++ {
			reqs = append(reqs, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{
				"pk": &ddbtypes.AttributeValueMemberS{Value: "item-" + strconv.Itoa(j)}, "n": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(j)}}}})
		}
		if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{"big": reqs}}); err != nil {
			t.Fatal(err)
		}
	}
	began := time.Now()
	if err := p.Evaluate(ctx, `location.hash = "#dynamodb/big"`, nil); err != nil {
		t.Fatal(err)
	}
	wait("the big table", `document.querySelectorAll("#items tr").length === 51 && document.getElementById("next")`)
	t.Logf("a table of 10,000 items rendered its first page in %v", time.Since(began))
	first := firstItem(t, p, ctx)
	if err := p.Evaluate(ctx, `document.getElementById("next").click()`, nil); err != nil {
		t.Fatal(err)
	}
	wait("the next page", `document.querySelector("#items p")?.textContent.startsWith("50 items") && !document.getElementById("items").textContent.includes(`+jsString(first)+`)`)
	shot("dynamodb-big")

	if err := p.Evaluate(ctx, `document.body.dataset.noconfirm = "1"; location.hash = "#overview"`, nil); err != nil {
		t.Fatal(err)
	}
	wait("the overview", `document.querySelector("main table")`)
	if err := p.Evaluate(ctx, `document.getElementById("reset").click()`, nil); err != nil {
		t.Fatal(err)
	}
	wait("the reset", `document.body.dataset.reset === "ok"`)
	shot("reset")
	if out, err := db.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil || len(out.TableNames) != 0 {
		t.Errorf("tables after the console's reset: %v %v", out, err)
	}
}

// firstItem is the first item row's text.
func firstItem(t *testing.T, p *browser.Page, ctx context.Context) string {
	var s string
	if err := p.Evaluate(ctx, `document.querySelectorAll("#items tr")[1].cells[0].textContent`, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// reportDir is build/reports/ui under the module's root.
func reportDir(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
	out := filepath.Join(dir, "build", "reports", "ui")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

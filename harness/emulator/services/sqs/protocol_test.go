package sqs_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// signedHeader is a SigV4 Authorization header naming sqs (the emulator
// accepts any signature unless strict).
const signedHeader = "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"

// queryCall posts a query protocol form (as older SDKs and CLIs do) to path.
func queryCall(t *testing.T, endpoint, path string, form url.Values, signed bool) (int, []byte) {
	t.Helper()
	if form.Get("Version") == "" {
		form.Set("Version", "2012-11-05")
	}
	req, _ := http.NewRequest(http.MethodPost, endpoint+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signed {
		req.Header.Set("Authorization", signedHeader)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type queryError struct {
	Error struct {
		Type, Code, Message string
	}
	RequestID string `xml:"RequestId"`
}

func TestQueryProtocol(t *testing.T) {
	e, _ := start(t)
	ep := e.URL()
	status, body := queryCall(t, ep, "/", url.Values{"Action": {"CreateQueue"}, "QueueName": {"legacy"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"40"}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"x"}}, true)
	var created struct {
		QueueURL  string `xml:"CreateQueueResult>QueueUrl"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if status != 200 || xml.Unmarshal(body, &created) != nil || !strings.HasSuffix(created.QueueURL, "/000000000000/legacy") || created.RequestID == "" {
		t.Fatalf("create: %d %s", status, body)
	}
	status, body = queryCall(t, ep, "/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {created.QueueURL}, "MessageBody": {"hi <there> & you"},
		"MessageAttribute.1.Name": {"kind"}, "MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {"order"},
		"MessageAttribute.2.Name": {"bin"}, "MessageAttribute.2.Value.DataType": {"Binary"}, "MessageAttribute.2.Value.BinaryValue": {"AAEC"}}, true)
	var sent struct {
		MD5Body  string `xml:"SendMessageResult>MD5OfMessageBody"`
		MD5Attrs string `xml:"SendMessageResult>MD5OfMessageAttributes"`
		ID       string `xml:"SendMessageResult>MessageId"`
	}
	if status != 200 || xml.Unmarshal(body, &sent) != nil || sent.MD5Body != md5hex("hi <there> & you") || sent.ID == "" || len(sent.MD5Attrs) != 32 {
		t.Fatalf("send: %d %s", status, body)
	}
	// Posted to the queue's own path, without QueueUrl, unsigned (routed by path).
	path := created.QueueURL[strings.Index(created.QueueURL[len("http://"):], "/")+len("http://"):]
	status, body = queryCall(t, ep, path, url.Values{"Action": {"ReceiveMessage"}, "AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"}, "MaxNumberOfMessages": {"5"}}, false)
	var recv struct {
		Messages []struct {
			MessageID string `xml:"MessageId"`
			Body      string `xml:"Body"`
			Receipt   string `xml:"ReceiptHandle"`
			MD5Attrs  string `xml:"MD5OfMessageAttributes"`
			Attrs     []struct {
				Name, Value string
			} `xml:"Attribute"`
			MsgAttrs []struct {
				Name  string
				Value struct {
					DataType, StringValue, BinaryValue string
				}
			} `xml:"MessageAttribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	if status != 200 || xml.Unmarshal(body, &recv) != nil || len(recv.Messages) != 1 {
		t.Fatalf("receive: %d %s", status, body)
	}
	m := recv.Messages[0]
	if m.Body != "hi <there> & you" || m.MessageID != sent.ID || m.MD5Attrs != sent.MD5Attrs || len(m.MsgAttrs) != 2 || m.MsgAttrs[0].Name != "bin" || m.MsgAttrs[0].Value.BinaryValue != "AAEC" {
		t.Fatalf("message: %+v", m)
	}
	found := false
	for _, a := range m.Attrs {
		found = found || (a.Name == "ApproximateReceiveCount" && a.Value == "1")
	}
	if !found {
		t.Fatalf("system attributes: %+v", m.Attrs)
	}
	status, body = queryCall(t, ep, "/", url.Values{"Action": {"GetQueueAttributes"}, "QueueUrl": {created.QueueURL}, "AttributeName.1": {"VisibilityTimeout"}}, true)
	if status != 200 || !strings.Contains(string(body), "<Attribute><Name>VisibilityTimeout</Name><Value>40</Value></Attribute>") {
		t.Fatalf("attributes: %d %s", status, body)
	}
	status, body = queryCall(t, ep, "/", url.Values{"Action": {"DeleteMessageBatch"}, "QueueUrl": {created.QueueURL},
		"DeleteMessageBatchRequestEntry.1.Id": {"a"}, "DeleteMessageBatchRequestEntry.1.ReceiptHandle": {m.Receipt},
		"DeleteMessageBatchRequestEntry.2.Id": {"b"}, "DeleteMessageBatchRequestEntry.2.ReceiptHandle": {"bogus"}}, true)
	if status != 200 || !strings.Contains(string(body), "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>") ||
		!strings.Contains(string(body), "<BatchResultErrorEntry><Code>ReceiptHandleIsInvalid</Code>") {
		t.Fatalf("delete batch: %d %s", status, body)
	}
	status, body = queryCall(t, ep, "/", url.Values{"Action": {"ListQueueTags"}, "QueueUrl": {created.QueueURL}}, true)
	if status != 200 || !strings.Contains(string(body), "<Tag><Key>team</Key><Value>x</Value></Tag>") {
		t.Fatalf("tags: %d %s", status, body)
	}
	status, body = queryCall(t, ep, "/", url.Values{"Action": {"ListQueues"}}, true)
	if status != 200 || !strings.Contains(string(body), "<ListQueuesResult><QueueUrl>"+created.QueueURL+"</QueueUrl></ListQueuesResult>") {
		t.Fatalf("list: %d %s", status, body)
	}

	// Errors in the query shape, with the query codes.
	for _, tc := range []struct {
		form         url.Values
		code, msg    string
		wantedStatus int
	}{
		{url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}}, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.", 400},
		{url.Values{"Action": {"CreateQueue"}, "QueueName": {"legacy"}, "Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"41"}}, "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute VisibilityTimeout", 400},
		{url.Values{"Action": {"SendMessage"}, "QueueUrl": {created.QueueURL}}, "MissingParameter", "The request must contain the parameter MessageBody.", 400},
		{url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {created.QueueURL}, "MaxNumberOfMessages": {"ten"}}, "InvalidParameterValue", "Value ten for parameter MaxNumberOfMessages is invalid. Reason: Must be an integer.", 400},
		{url.Values{"Action": {"Nope"}}, "InvalidAction", "The action Nope is not valid for this web service.", 400},
	} {
		status, body := queryCall(t, ep, "/", tc.form, true)
		var qe queryError
		if err := xml.Unmarshal(body, &qe); err != nil || status != tc.wantedStatus || qe.Error.Code != tc.code || qe.Error.Message != tc.msg || qe.Error.Type != "Sender" || qe.RequestID == "" {
			t.Errorf("%v: %d %s", tc.form, status, body)
		}
	}
}

func TestJSONErrorShape(t *testing.T) {
	e, _ := start(t)
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/", strings.NewReader(`{"QueueName":"missing"}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.GetQueueUrl")
	req.Header.Set("Authorization", signedHeader)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || body["__type"] != "com.amazonaws.sqs#QueueDoesNotExist" || body["message"] != "The specified queue does not exist." ||
		resp.Header.Get("x-amzn-query-error") != "AWS.SimpleQueueService.NonExistentQueue;Sender" || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Fatalf("%d %v %v", resp.StatusCode, resp.Header, body)
	}
	// A required member missing (the SDK would refuse to send it).
	req, _ = http.NewRequest(http.MethodPost, e.URL()+"/", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	req.Header.Set("Authorization", signedHeader)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body = nil
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 400 || body["__type"] != "com.amazonaws.sqs#MissingParameter" || body["message"] != "The request must contain the parameter QueueUrl." ||
		resp.Header.Get("x-amzn-query-error") != "MissingParameter;Sender" {
		t.Fatalf("missing member: %d %v %v", resp.StatusCode, resp.Header, body)
	}
	// A batch without Entries fails the model's validation before the batch's
	// own rules (an empty list is EmptyBatchRequest: TestBatches).
	for _, op := range []string{"SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"} {
		req, _ = http.NewRequest(http.MethodPost, e.URL()+"/", strings.NewReader(`{"QueueUrl":"nowhere"}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
		req.Header.Set("Authorization", signedHeader)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body = nil
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 400 || body["__type"] != "com.amazonaws.sqs#MissingParameter" || body["message"] != "The request must contain the parameter Entries." {
			t.Fatalf("%s without Entries: %d %v", op, resp.StatusCode, body)
		}
	}
}

func TestCLI(t *testing.T) {
	e, _ := start(t)
	ep := e.URL()
	run := func(args ...string) map[string]any {
		t.Helper()
		out, errOut, code := emutest.CLI(t, ep, args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		var v map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("aws %v: %v: %s", args, err, out)
			}
		}
		return v
	}
	q := run("sqs", "create-queue", "--queue-name", "cli-queue", "--attributes", "VisibilityTimeout=45")
	qurl, _ := q["QueueUrl"].(string)
	if !strings.HasSuffix(qurl, "/000000000000/cli-queue") {
		t.Fatalf("create-queue: %v", q)
	}
	if got := run("sqs", "get-queue-url", "--queue-name", "cli-queue"); got["QueueUrl"] != qurl {
		t.Fatalf("get-queue-url: %v", got)
	}
	sent := run("sqs", "send-message", "--queue-url", qurl, "--message-body", "from the cli",
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"cli"}}`)
	if sent["MD5OfMessageBody"] != md5hex("from the cli") || sent["MessageId"] == nil {
		t.Fatalf("send-message: %v", sent)
	}
	a := run("sqs", "get-queue-attributes", "--queue-url", qurl, "--attribute-names", "All")
	attrs, _ := a["Attributes"].(map[string]any)
	if attrs["VisibilityTimeout"] != "45" || attrs["ApproximateNumberOfMessages"] != "1" {
		t.Fatalf("get-queue-attributes: %v", a)
	}
	got := run("sqs", "receive-message", "--queue-url", qurl, "--attribute-names", "All", "--message-attribute-names", "All", "--wait-time-seconds", "1")
	msgs, _ := got["Messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("receive-message: %v", got)
	}
	m := msgs[0].(map[string]any)
	if m["Body"] != "from the cli" || m["MessageAttributes"] == nil {
		t.Fatalf("message: %v", m)
	}
	run("sqs", "delete-message", "--queue-url", qurl, "--receipt-handle", m["ReceiptHandle"].(string))
	a = run("sqs", "get-queue-attributes", "--queue-url", qurl, "--attribute-names", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
	attrs, _ = a["Attributes"].(map[string]any)
	if attrs["ApproximateNumberOfMessages"] != "0" || attrs["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("after delete-message: %v", a)
	}
	if list := run("sqs", "list-queues"); len(list["QueueUrls"].([]any)) != 1 {
		t.Fatalf("list-queues: %v", list)
	}
	_, errOut, code := emutest.CLI(t, ep, "sqs", "get-queue-url", "--queue-name", "nope")
	if code == 0 || !strings.Contains(errOut, "AWS.SimpleQueueService.NonExistentQueue") || !strings.Contains(errOut, "The specified queue does not exist.") {
		t.Fatalf("missing queue: exit %d: %s", code, errOut)
	}
	run("sqs", "purge-queue", "--queue-url", qurl)
	run("sqs", "delete-queue", "--queue-url", qurl)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestDepartedLongPollsLeaveNoGoroutines: clients that give up on a long
// poll leave nothing waiting behind in the server.
func TestDepartedLongPollsLeaveNoGoroutines(t *testing.T) {
	e, c := start(t)
	mustCreate(t, c, "leak", nil)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	poll := func(ctx context.Context, wait int) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.URL()+"/", strings.NewReader(fmt.Sprintf(`{"QueueUrl":"leak","WaitTimeSeconds":%d}`, wait)))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "AmazonSQS.ReceiveMessage")
		req.Header.Set("Authorization", signedHeader)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	poll(context.Background(), 0) // warms the server's goroutines up
	runtime.GC()
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); poll(ctx, 20) }()
	}
	// The polls are waiting once the goroutine count has grown by theirs.
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() < base+40 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	// Well before the polls' 20 s would have ended them anyway.
	deadline = time.Now().Add(15 * time.Second)
	for runtime.NumGoroutine() > base+2 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before the polls:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

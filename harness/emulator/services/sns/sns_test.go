package sns_test

import (
	"context"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"crypto"
	"crypto/rsa"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	snssvc "github.com/groundstack/groundstack/harness/emulator/services/sns"
)

var ctx = context.Background()

type clients struct {
	e   *emulator.Emulator
	sns *sns.Client
	sqs *sqs.Client
}

func start(t testing.TB) clients {
	t.Helper()
	e, cfg := emutest.Start(t)
	return clients{e, sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)}
}

// wantErr asserts err is an AWS error with code, HTTP status and (when not
// empty) message.
func wantErr(t testing.TB, err error, code string, status int, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want code %s, got %s (%s)", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("want message %q, got %q", msg, ae.ErrorMessage())
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("want status %d, got %d", status, re.HTTPStatusCode())
	}
}

func (c clients) topic(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	return *out.TopicArn
}

// queue creates a queue and returns its URL and ARN.
func (c clients) queue(t testing.TB, name string, attrs map[string]string) (string, string) {
	t.Helper()
	out, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	a, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl, a.Attributes["QueueArn"]
}

func (c clients) subscribe(t testing.TB, topic, protocol, endpoint string, attrs map[string]string) string {
	t.Helper()
	out, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(protocol),
		Endpoint: aws.String(endpoint), Attributes: attrs, ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatalf("subscribe %s %s: %v", protocol, endpoint, err)
	}
	return *out.SubscriptionArn
}

// receive waits (long polls, bounded) for n messages on a queue.
func (c clients) receive(t testing.TB, url string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.Messages...)
	}
	if len(got) < n {
		t.Fatalf("want %d messages, got %d", n, len(got))
	}
	return got
}

// empty asserts a queue receives nothing within a short wait.
func (c clients) empty(t testing.TB, url string) {
	t.Helper()
	out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 0 {
		t.Fatalf("want no message, got %q", *out.Messages[0].Body)
	}
}

func TestTopics(t *testing.T) {
	c := start(t)
	arn := c.topic(t, "orders", map[string]string{"DisplayName": "Orders"})
	if arn != "arn:aws:sns:us-east-1:000000000000:orders" {
		t.Fatalf("arn %s", arn)
	}
	if again := c.topic(t, "orders", map[string]string{"DisplayName": "Orders"}); again != arn {
		t.Fatalf("CreateTopic is not idempotent: %s", again)
	}
	_, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders"), Attributes: map[string]string{"DisplayName": "Other"}})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
	_, err = c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name!")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Topic Name")
	_, err = c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("nofifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	wantErr(t, err, "InvalidParameter", 400, "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
	_, err = c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("std.fifo")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Topic Name")

	fifo := c.topic(t, "events.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	attrs, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(fifo)})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["FifoTopic"] != "true" || attrs.Attributes["ContentBasedDeduplication"] != "true" || attrs.Attributes["TopicArn"] != fifo {
		t.Fatalf("fifo attributes %v", attrs.Attributes)
	}
	attrs, _ = c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if attrs.Attributes["DisplayName"] != "Orders" || attrs.Attributes["Owner"] != "000000000000" || attrs.Attributes["SubscriptionsConfirmed"] != "0" || attrs.Attributes["Policy"] == "" {
		t.Fatalf("attributes %v", attrs.Attributes)
	}
	if _, ok := attrs.Attributes["FifoTopic"]; ok {
		t.Fatalf("a standard topic shows FifoTopic: %v", attrs.Attributes)
	}
	if _, err := c.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("New")}); err != nil {
		t.Fatal(err)
	}
	attrs, _ = c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if attrs.Attributes["DisplayName"] != "New" {
		t.Fatalf("DisplayName not set: %v", attrs.Attributes)
	}
	_, err = c.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("Bogus"), AttributeValue: aws.String("x")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: AttributeName")

	// Paging: 105 more topics come back in two pages, each ARN once.
	for i := range 105 {
		c.topic(t, fmt.Sprintf("t%03d", i), nil)
	}
	seen := map[string]bool{}
	var token *string
	pages := 0
	for {
		out, err := c.sns.ListTopics(ctx, &sns.ListTopicsInput{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tp := range out.Topics {
			if seen[*tp.TopicArn] {
				t.Fatalf("%s listed twice", *tp.TopicArn)
			}
			seen[*tp.TopicArn] = true
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if len(seen) != 107 || pages != 2 {
		t.Fatalf("listed %d topics in %d pages", len(seen), pages)
	}

	if _, err := c.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	wantErr(t, err, "NotFound", 404, "Topic does not exist")
	_, err = c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("hi")})
	wantErr(t, err, "NotFound", 404, "Topic does not exist")
	// Deleting it again succeeds, as on AWS.
	if _, err := c.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
}

func TestTags(t *testing.T) {
	c := start(t)
	arn := c.topic(t, "tagged", nil)
	_, err := c.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}, {Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.sns.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 1 || *out.Tags[0].Key != "env" || *out.Tags[0].Value != "test" {
		t.Fatalf("tags %+v", out.Tags)
	}
	_, err = c.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn + "-gone")})
	wantErr(t, err, "ResourceNotFound", 404, "Resource does not exist")
	var many []snstypes.Tag
	for i := range 51 {
		many = append(many, snstypes.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	_, err = c.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	wantErr(t, err, "TagLimitExceeded", 400, "Could not complete request: tag quota of per resource exceeded")
}

func TestSubscriptions(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "subs", nil)
	_, qarn := c.queue(t, "subs-q", nil)
	sqsSub := c.subscribe(t, topic, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"})
	lambdaSub := c.subscribe(t, topic, "lambda", "arn:aws:lambda:us-east-1:000000000000:function:f", nil)
	c.subscribe(t, topic, "sms", "+15555550100", nil)
	out, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if *out.SubscriptionArn != "pending confirmation" {
		t.Fatalf("email subscription arn %q", *out.SubscriptionArn)
	}
	if again := c.subscribe(t, topic, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"}); again != sqsSub {
		t.Fatalf("Subscribe is not idempotent: %s vs %s", again, sqsSub)
	}

	list, err := c.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil {
		t.Fatal(err)
	}
	byProto := map[string]string{}
	for _, s := range list.Subscriptions {
		byProto[*s.Protocol] = *s.SubscriptionArn
		if *s.TopicArn != topic || *s.Owner != "000000000000" {
			t.Fatalf("subscription %+v", s)
		}
	}
	if len(byProto) != 4 || byProto["email"] != "PendingConfirmation" || byProto["sqs"] != sqsSub || byProto["lambda"] != lambdaSub {
		t.Fatalf("subscriptions %v", byProto)
	}
	all, err := c.sns.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if err != nil || len(all.Subscriptions) != 4 {
		t.Fatalf("ListSubscriptions: %v %d", err, len(all.Subscriptions))
	}

	attrs, err := c.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sqsSub)})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["RawMessageDelivery"] != "true" || attrs.Attributes["Endpoint"] != qarn || attrs.Attributes["PendingConfirmation"] != "false" {
		t.Fatalf("attributes %v", attrs.Attributes)
	}
	_, err = c.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sqsSub),
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"color":["red"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	attrs, _ = c.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sqsSub)})
	if attrs.Attributes["FilterPolicy"] != `{"color":["red"]}` || attrs.Attributes["FilterPolicyScope"] != "MessageAttributes" {
		t.Fatalf("filter attributes %v", attrs.Attributes)
	}
	_, err = c.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sqsSub),
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"color":[{"prefixx":"r"}]}`)})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: FilterPolicy: Unrecognized match type prefixx")
	_, err = c.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sqsSub),
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"a":{"b":["c"]}}`)})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: FilterPolicy: Filter policy scope MessageAttributes does not support nested filter policy")

	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String("not-an-arn")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: SQS endpoint ARN")
	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("carrier-pigeon"), Endpoint: aws.String("x")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon")
	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic + "-gone"), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn)})
	wantErr(t, err, "NotFound", 404, "Topic does not exist")

	// Paging: 150 more subscriptions list in pages of 100, each once.
	for i := range 150 {
		c.subscribe(t, topic, "sms", fmt.Sprintf("+1666555%04d", i), nil)
	}
	seen := map[string]bool{}
	var token *string
	for {
		page, err := c.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Subscriptions) > 100 {
			t.Fatalf("a page of %d", len(page.Subscriptions))
		}
		for _, s := range page.Subscriptions {
			key := *s.Protocol + *s.Endpoint
			if seen[key] {
				t.Fatalf("%s listed twice", key)
			}
			seen[key] = true
		}
		if page.NextToken == nil {
			break
		}
		token = page.NextToken
	}
	if len(seen) != 154 {
		t.Fatalf("listed %d subscriptions", len(seen))
	}

	if _, err := c.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(lambdaSub)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(lambdaSub)})
	wantErr(t, err, "NotFound", 404, "Subscription does not exist")
	// Unsubscribing again succeeds (idempotent, as on AWS); a malformed
	// ARN does not.
	if _, err := c.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(lambdaSub)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("not-an-arn")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1")
}

// snsEnvelope is the JSON SNS delivers to SQS, read with the Lambda
// events package's entity plus the URL members SQS deliveries spell in
// capitals.
type snsEnvelope struct {
	events.SNSEntity
	SigningCertURL string `json:"SigningCertURL"`
	UnsubscribeURL string `json:"UnsubscribeURL"`
}

// verify checks an envelope's signature with the certificate served at its
// SigningCertURL.
func verify(t testing.TB, raw map[string]any, certURL string) {
	t.Helper()
	resp, err := http.Get(certURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("no PEM at %s: %d %q", certURL, resp.StatusCode, b)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	if raw["Type"] == "SubscriptionConfirmation" {
		keys = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var s strings.Builder
	for _, k := range keys {
		if v, ok := raw[k].(string); ok {
			s.WriteString(k + "\n" + v + "\n")
		}
	}
	sig, err := base64.StdEncoding.DecodeString(raw["Signature"].(string))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(s.String()))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA1, sum[:], sig); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
}

func TestPublishToSQSEnvelopeAndSignature(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "env", nil)
	url, qarn := c.queue(t, "env-q", nil)
	sub := c.subscribe(t, topic, "sqs", qarn, nil)
	pub, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`{"order":1} <&>`), Subject: aws.String("New order"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"color": {DataType: aws.String("String"), StringValue: aws.String("red")},
			"n":     {DataType: aws.String("Number"), StringValue: aws.String("42")},
			"b":     {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	msg := c.receive(t, url, 1)[0]
	var env snsEnvelope
	if err := json.Unmarshal([]byte(*msg.Body), &env); err != nil {
		t.Fatalf("envelope does not parse: %v\n%s", err, *msg.Body)
	}
	if env.Type != "Notification" || env.MessageID != *pub.MessageId || env.TopicArn != topic || env.Message != `{"order":1} <&>` ||
		env.Subject != "New order" || env.SignatureVersion != "1" || env.Timestamp.IsZero() {
		t.Fatalf("envelope %+v", env)
	}
	if !strings.Contains(env.UnsubscribeURL, "SubscriptionArn="+strings.ReplaceAll(sub, ":", "%3A")) {
		t.Fatalf("UnsubscribeURL %s", env.UnsubscribeURL)
	}
	ma := env.MessageAttributes["color"].(map[string]any)
	if ma["Type"] != "String" || ma["Value"] != "red" {
		t.Fatalf("attributes %v", env.MessageAttributes)
	}
	if b := env.MessageAttributes["b"].(map[string]any); b["Type"] != "Binary" || b["Value"] != "AQID" {
		t.Fatalf("binary attribute %v", b)
	}
	var raw map[string]any
	json.Unmarshal([]byte(*msg.Body), &raw)
	verify(t, raw, env.SigningCertURL)

	// A tampered message fails verification (the check is not vacuous).
	raw["Message"] = "forged"
	if !failsVerify(raw, env.SigningCertURL) {
		t.Fatal("a forged message verified")
	}
}

func failsVerify(raw map[string]any, certURL string) (failed bool) {
	ft := &fakeT{}
	func() {
		defer func() { recover() }()
		verify(ft, raw, certURL)
	}()
	return ft.failed
}

// fakeT records a failure instead of failing the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Fatal(args ...any)     { f.failed = true; panic("fail") }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true; panic("fail") }

func TestRawDeliveryAndFilters(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "filters", nil)
	rawURL, rawARN := c.queue(t, "raw", nil)
	redURL, redARN := c.queue(t, "red", nil)
	bodyURL, bodyARN := c.queue(t, "body", nil)
	c.subscribe(t, topic, "sqs", rawARN, map[string]string{"RawMessageDelivery": "true"})
	c.subscribe(t, topic, "sqs", redARN, map[string]string{"RawMessageDelivery": "true",
		"FilterPolicy": `{"color":["red",{"prefix":"cri"}],"size":[{"numeric":[">",10,"<=",20]}]}`})
	c.subscribe(t, topic, "sqs", bodyARN, map[string]string{"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
		"FilterPolicy": `{"order":{"kind":[{"anything-but":["test"]}]}}`})

	publish := func(body, color, size string) {
		in := &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(body), MessageAttributes: map[string]snstypes.MessageAttributeValue{}}
		if color != "" {
			in.MessageAttributes["color"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(color)}
		}
		if size != "" {
			in.MessageAttributes["size"] = snstypes.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(size)}
		}
		if _, err := c.sns.Publish(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	publish(`{"order":{"kind":"test"}}`, "blue", "15")
	publish(`{"order":{"kind":"real"}}`, "crimson", "15")
	publish(`plain`, "red", "25")

	raw := c.receive(t, rawURL, 3)
	for _, m := range raw {
		if strings.HasPrefix(*m.Body, `{"Type"`) {
			t.Fatalf("raw delivery wrapped the message: %s", *m.Body)
		}
	}
	if raw[0].MessageAttributes["color"].StringValue == nil {
		t.Fatalf("raw delivery lost the message attributes: %+v", raw[0].MessageAttributes)
	}
	red := c.receive(t, redURL, 1)
	if *red[0].Body != `{"order":{"kind":"real"}}` {
		t.Fatalf("red got %s", *red[0].Body)
	}
	c.empty(t, redURL)
	body := c.receive(t, bodyURL, 1)
	if *body[0].Body != `{"order":{"kind":"real"}}` {
		t.Fatalf("body scope got %s", *body[0].Body)
	}
	c.empty(t, bodyURL)
}

func TestFIFOTopicToFIFOQueue(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "orders.fifo", map[string]string{"FifoTopic": "true"})
	url, qarn := c.queue(t, "orders.fifo", map[string]string{"FifoQueue": "true"})
	_, stdARN := c.queue(t, "std", nil)
	_ = stdARN
	c.subscribe(t, topic, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"})

	_, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	_, err = c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x"), MessageGroupId: aws.String("g")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")

	var seqs []string
	for i := range 5 {
		out, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(fmt.Sprint("m", i)),
			MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(fmt.Sprint("d", i))})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, *out.SequenceNumber)
	}
	// A duplicate within five minutes is accepted and not delivered again.
	dup, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("m0 again"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d0")})
	if err != nil {
		t.Fatal(err)
	}
	if *dup.SequenceNumber != seqs[0] {
		t.Fatalf("duplicate got sequence %s, want %s", *dup.SequenceNumber, seqs[0])
	}
	var bodies []string
	for len(bodies) < 5 {
		for _, m := range c.receive(t, url, 1) {
			bodies = append(bodies, *m.Body)
			c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if strings.Join(bodies, ",") != "m0,m1,m2,m3,m4" {
		t.Fatalf("order %v", bodies)
	}
	c.empty(t, url)

	std := c.topic(t, "plain", nil)
	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(std), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn)})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
	_, err = c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(std), Message: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type")

	// A standard queue may subscribe to a FIFO topic: it gets the group
	// (as a fair-queue tenant) and no deduplication ID.
	stdURL, stdARN := c.queue(t, "std-of-fifo", nil)
	c.subscribe(t, topic, "sqs", stdARN, map[string]string{"RawMessageDelivery": "true"})
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("to both"),
		MessageGroupId: aws.String("g2"), MessageDeduplicationId: aws.String("both")}); err != nil {
		t.Fatal(err)
	}
	if m := c.receive(t, stdURL, 1)[0]; *m.Body != "to both" || m.Attributes["MessageGroupId"] != "g2" {
		t.Fatalf("standard queue of a FIFO topic got %q %v", *m.Body, m.Attributes)
	}

	// A standard topic takes a MessageGroupId and forwards it to SQS
	// standard queues (fair queues).
	fairURL, fairARN := c.queue(t, "fair", nil)
	c.subscribe(t, std, "sqs", fairARN, map[string]string{"RawMessageDelivery": "true"})
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(std), Message: aws.String("tenant"), MessageGroupId: aws.String("tenant-1")}); err != nil {
		t.Fatal(err)
	}
	if m := c.receive(t, fairURL, 1)[0]; m.Attributes["MessageGroupId"] != "tenant-1" {
		t.Fatalf("fair queue message attributes %v", m.Attributes)
	}
}

func TestDeletedQueueRecordsFailureAndRedrives(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "dlq", nil)
	url, qarn := c.queue(t, "gone", nil)
	dlqURL, dlqARN := c.queue(t, "sub-dlq", nil)
	sub := c.subscribe(t, topic, "sqs", qarn, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`})
	if _, err := c.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("lost?")}); err != nil {
		t.Fatalf("publish to a topic whose queue is gone must succeed: %v", err)
	}
	m := c.receive(t, dlqURL, 1)[0]
	var env snsEnvelope
	if err := json.Unmarshal([]byte(*m.Body), &env); err != nil || env.Message != "lost?" {
		t.Fatalf("dead letter %s (%v)", *m.Body, err)
	}
	st := snsService(t, c.e).Store()
	v, ok := st.Subscription(sub)
	if !ok || v.Failed != 1 || !strings.Contains(v.LastError, "QueueDoesNotExist") {
		t.Fatalf("failure not recorded: %+v", v)
	}
}

func snsService(t testing.TB, e *emulator.Emulator) *snssvc.Service {
	for _, s := range e.Services() {
		if x, ok := s.(*snssvc.Service); ok {
			return x
		}
	}
	t.Fatal("no sns service")
	return nil
}

func TestPublishBadInput(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "bad", nil)
	_, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(strings.Repeat("x", 262145))})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Message too long")
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(strings.Repeat("x", 262144))}); err != nil {
		t.Fatalf("a 256 KiB message is accepted: %v", err)
	}
	_, err = c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Empty message")
	_, err = c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"a": {DataType: aws.String("Blob"), StringValue: aws.String("v")}}})
	wantErr(t, err, "ParameterValueInvalid", 400, "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.")
	_, err = c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String("abc")}}})
	wantErr(t, err, "ParameterValueInvalid", 400, "Could not cast message attribute 'n' value to number.")
	_, err = c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`{"sqs":"x"}`), MessageStructure: aws.String("json")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Message Structure - No default entry in JSON message body")
	_, err = c.sns.Publish(ctx, &sns.PublishInput{Message: aws.String("x")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
}

func TestMessageStructureJSON(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "structured", nil)
	url, qarn := c.queue(t, "structured-q", nil)
	c.subscribe(t, topic, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"})
	_, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), MessageStructure: aws.String("json"),
		Message: aws.String(`{"default":"for everyone","sqs":"for queues"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if m := c.receive(t, url, 1)[0]; *m.Body != "for queues" {
		t.Fatalf("got %q", *m.Body)
	}
}

func TestPublishBatch(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "batch", nil)
	url, qarn := c.queue(t, "batch-q", nil)
	c.subscribe(t, topic, "sqs", qarn, map[string]string{"RawMessageDelivery": "true"})
	entries := func(n int) []snstypes.PublishBatchRequestEntry {
		var out []snstypes.PublishBatchRequestEntry
		for i := range n {
			out = append(out, snstypes.PublishBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), Message: aws.String(fmt.Sprint("m", i))})
		}
		return out
	}
	list := entries(3)
	list[1].Message = aws.String("")
	out, err := c.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: list})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 1 || *out.Failed[0].Id != "e1" || *out.Failed[0].Code != "InvalidParameter" || !out.Failed[0].SenderFault {
		t.Fatalf("batch result %+v %+v", out.Successful, out.Failed)
	}
	c.receive(t, url, 2)

	_, err = c.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: entries(11)})
	wantErr(t, err, "TooManyEntriesInBatchRequest", 400, "The batch request contains more entries than permissible.")
	dup := entries(2)
	dup[1].Id = dup[0].Id
	_, err = c.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: dup})
	wantErr(t, err, "BatchEntryIdsNotDistinct", 400, "Two or more batch entries in the request have the same Id.")
	big := entries(2)
	big[0].Message = aws.String(strings.Repeat("x", 200000))
	big[1].Message = aws.String(strings.Repeat("x", 200000))
	_, err = c.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: big})
	wantErr(t, err, "BatchRequestTooLong", 400, "The length of all the messages put together is more than the limit.")
	_, err = c.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic + "x"), PublishBatchRequestEntries: entries(1)})
	wantErr(t, err, "NotFound", 404, "Topic does not exist")
}

// TestHTTPSubscription: a loopback endpoint receives a real, signed
// SubscriptionConfirmation, stays pending until it visits the SubscribeURL,
// then receives notifications with SNS's headers.
func TestHTTPSubscription(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "web", nil)
	type post struct {
		header http.Header
		body   map[string]any
	}
	posts := make(chan post, 16)
	failFirst := sync.Once{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &m)
		if m["Type"] == "Notification" {
			failed := false
			failFirst.Do(func() { failed = true })
			if failed { // the first notification attempt fails: SNS retries
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
		posts <- post{r.Header.Clone(), m}
	}))
	defer srv.Close()

	out, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(srv.URL + "/hook")})
	if err != nil {
		t.Fatal(err)
	}
	if *out.SubscriptionArn != "pending confirmation" {
		t.Fatalf("arn %s", *out.SubscriptionArn)
	}
	var conf post
	select {
	case conf = <-posts:
	case <-time.After(30 * time.Second):
		t.Fatal("no SubscriptionConfirmation")
	}
	if conf.body["Type"] != "SubscriptionConfirmation" || conf.header.Get("x-amz-sns-message-type") != "SubscriptionConfirmation" || conf.body["Token"] == "" {
		t.Fatalf("confirmation %v %v", conf.header, conf.body)
	}
	verify(t, conf.body, conf.body["SigningCertURL"].(string))

	// Pending: nothing is delivered yet, and the listing says so.
	list, _ := c.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if *list.Subscriptions[0].SubscriptionArn != "PendingConfirmation" {
		t.Fatalf("listed %s", *list.Subscriptions[0].SubscriptionArn)
	}
	// Subscribing again while pending sends the confirmation again.
	if _, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(srv.URL + "/hook")}); err != nil {
		t.Fatal(err)
	}
	select {
	case again := <-posts:
		if again.body["Type"] != "SubscriptionConfirmation" || again.body["Token"] != conf.body["Token"] {
			t.Fatalf("second confirmation %v", again.body)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no second SubscriptionConfirmation")
	}
	_, err = c.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String("wrong")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Token")

	resp, err := http.Get(conf.body["SubscribeURL"].(string))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "<SubscriptionArn>"+topic+":") {
		t.Fatalf("SubscribeURL answered %d %s", resp.StatusCode, b)
	}

	pub, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hello web")})
	if err != nil {
		t.Fatal(err)
	}
	var n post
	select {
	case n = <-posts:
	case <-time.After(30 * time.Second):
		t.Fatal("no notification")
	}
	if n.body["Message"] != "hello web" || n.header.Get("x-amz-sns-message-id") != *pub.MessageId || n.header.Get("x-amz-sns-topic-arn") != topic ||
		!strings.HasPrefix(n.header.Get("x-amz-sns-subscription-arn"), topic+":") {
		t.Fatalf("notification %v %v", n.header, n.body)
	}
	verify(t, n.body, n.body["SigningCertURL"].(string))
}

func TestCLI(t *testing.T) {
	c := start(t)
	_, qarn := c.queue(t, "cli-q", nil)
	out, stderr, code := emutest.CLI(t, c.e.URL(), "sns", "create-topic", "--name", "cli")
	if code != 0 {
		t.Fatalf("create-topic: %s", stderr)
	}
	var created struct{ TopicArn string }
	json.Unmarshal([]byte(out), &created)
	if created.TopicArn == "" {
		t.Fatalf("create-topic printed %s", out)
	}
	if _, stderr, code := emutest.CLI(t, c.e.URL(), "sns", "subscribe", "--topic-arn", created.TopicArn, "--protocol", "sqs", "--notification-endpoint", qarn,
		"--attributes", "RawMessageDelivery=true"); code != 0 {
		t.Fatalf("subscribe: %s", stderr)
	}
	out, stderr, code = emutest.CLI(t, c.e.URL(), "sns", "publish", "--topic-arn", created.TopicArn, "--message", "from the cli")
	if code != 0 || !strings.Contains(out, "MessageId") {
		t.Fatalf("publish: %s %s", out, stderr)
	}
	url, _ := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("cli-q")})
	if m := c.receive(t, *url.QueueUrl, 1)[0]; *m.Body != "from the cli" {
		t.Fatalf("got %s", *m.Body)
	}
	_, stderr, code = emutest.CLI(t, c.e.URL(), "sns", "get-topic-attributes", "--topic-arn", created.TopicArn+"-gone")
	if code == 0 || !strings.Contains(stderr, "NotFound") {
		t.Fatalf("get-topic-attributes of a missing topic: %d %s", code, stderr)
	}
}

package sns_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// In strict auth mode the URLs SNS hands out (SubscribeURL, UnsubscribeURL,
// SigningCertURL) work unsigned, as on AWS, and nothing else does: an
// unsigned API call sent to their path prefix never reaches the API.
func TestDataPlaneURLsInStrictMode(t *testing.T) {
	e, cfg := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	c := sns.NewFromConfig(cfg)
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("strict")})
	if err != nil {
		t.Fatal(err)
	}
	bodies := make(chan map[string]any, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		bodies <- m
	}))
	defer srv.Close()
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(srv.URL)}); err != nil {
		t.Fatal(err)
	}
	var conf map[string]any
	select {
	case conf = <-bodies:
	case <-time.After(30 * time.Second):
		t.Fatal("no confirmation")
	}
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(conf["SigningCertURL"].(string)); code != 200 || !strings.Contains(body, "BEGIN CERTIFICATE") {
		t.Fatalf("certificate: %d %s", code, body)
	}
	// A forged token is refused.
	forged := strings.Replace(conf["SubscribeURL"].(string), "Token=", "Token=00", 1)
	if code, body := get(forged); code != 400 || !strings.Contains(body, "InvalidParameter") {
		t.Fatalf("forged token: %d %s", code, body)
	}
	code, body := get(conf["SubscribeURL"].(string))
	if code != 200 {
		t.Fatalf("SubscribeURL: %d %s", code, body)
	}
	arn := body[strings.Index(body, "<SubscriptionArn>")+len("<SubscriptionArn>") : strings.Index(body, "</SubscriptionArn>")]
	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(arn)})
	if err != nil || attrs.Attributes["PendingConfirmation"] != "false" {
		t.Fatalf("after confirmation: %v %v", attrs, err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	var n map[string]any
	select {
	case n = <-bodies:
	case <-time.After(30 * time.Second):
		t.Fatal("no notification")
	}
	if code, body := get(n["UnsubscribeURL"].(string)); code != 200 || !strings.Contains(body, "UnsubscribeResponse") {
		t.Fatalf("UnsubscribeURL: %d %s", code, body)
	}
	list, _ := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
	if len(list.Subscriptions) != 0 {
		t.Fatalf("still subscribed: %+v", list.Subscriptions)
	}

	// The attack: unsigned API calls under the data plane's prefix.
	form := url.Values{"Action": {"CreateTopic"}, "Name": {"sneaky"}}
	for _, path := range []string{"/_aws/sns/", "/_aws/sns/confirm", "/_aws/sns/../"} {
		resp, err := http.PostForm(e.URL()+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatalf("unsigned POST %s answered 200", path)
		}
	}
	if code, _ := get(e.URL() + "/_aws/sns/?Action=CreateTopic&Name=sneaky"); code == 200 {
		t.Fatal("unsigned GET reached the API")
	}
	topics, _ := c.ListTopics(ctx, &sns.ListTopicsInput{})
	if len(topics.Topics) != 1 {
		t.Fatalf("an unsigned call created a topic: %+v", topics.Topics)
	}
}

package sns_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// An HTTP endpoint that keeps failing gets the first attempt and three
// retries; then the message goes to the subscription's dead-letter queue.
func TestHTTPRetriesThenDeadLetter(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "flaky", nil)
	dlqURL, dlqARN := c.queue(t, "flaky-dlq", nil)
	var attempts atomic.Int32
	confirmURL := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		if m["Type"] == "SubscriptionConfirmation" {
			confirmURL <- m["SubscribeURL"].(string)
			return
		}
		attempts.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	if _, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(srv.URL),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`}}); err != nil {
		t.Fatal(err)
	}
	select {
	case u := <-confirmURL:
		resp, err := http.Get(u)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("confirm: %v %v", resp, err)
		}
		resp.Body.Close()
	case <-time.After(30 * time.Second):
		t.Fatal("no confirmation")
	}
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("undeliverable")}); err != nil {
		t.Fatal(err)
	}
	m := c.receive(t, dlqURL, 1)[0]
	if !strings.Contains(*m.Body, `"Message":"undeliverable"`) {
		t.Fatalf("dead letter %s", *m.Body)
	}
	if n := attempts.Load(); n != 4 {
		t.Fatalf("%d attempts, want 4 (one and three retries)", n)
	}
}

// A Lambda subscription to a function that does not exist: Publish
// succeeds, the failure goes to the dead-letter queue (through the real
// lambda service's in-process link).
func TestLambdaMissingFunctionDeadLetter(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "fn", nil)
	dlqURL, dlqARN := c.queue(t, "fn-dlq", nil)
	sub := c.subscribe(t, topic, "lambda", "arn:aws:lambda:us-east-1:000000000000:function:nobody",
		map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `"}`})
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("to nobody")}); err != nil {
		t.Fatal(err)
	}
	m := c.receive(t, dlqURL, 1)[0]
	if !strings.Contains(*m.Body, `"Message":"to nobody"`) {
		t.Fatalf("dead letter %s", *m.Body)
	}
	if v, _ := snsService(t, c.e).Store().Subscription(sub); v.Failed != 1 {
		t.Fatalf("failure not recorded: %+v", v)
	}
}

package sns_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	snssvc "github.com/groundstack/groundstack/harness/emulator/services/sns"
)

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(v)
	return resp.StatusCode
}

// Email subscriptions are confirmed with the token the developer endpoint
// shows; email and SMS messages are recorded, not sent, and listed.
func TestEmailAndSMSRecorded(t *testing.T) {
	c := start(t)
	topic := c.topic(t, "mail", nil)
	out, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com"), ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Token               string
		PendingConfirmation bool
	}
	if code := getJSON(t, c.e.URL()+"/_groundstack/sns/subscription-tokens?SubscriptionArn="+url.QueryEscape(*out.SubscriptionArn), &tok); code != 200 || tok.Token == "" || !tok.PendingConfirmation {
		t.Fatalf("token: %d %+v", code, tok)
	}
	// Pending: a publish records nothing for it.
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("too early")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(tok.Token)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hello ops"), Subject: aws.String("Alert")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.sns.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+15555550123"), Message: aws.String("your code is 1234")}); err != nil {
		t.Fatal(err)
	}
	var email, sms struct{ Messages []snssvc.Recorded }
	getJSON(t, c.e.URL()+"/_groundstack/sns/messages?protocol=email", &email)
	getJSON(t, c.e.URL()+"/_groundstack/sns/messages?protocol=sms", &sms)
	if len(email.Messages) != 1 || email.Messages[0].Message != "hello ops" || email.Messages[0].Endpoint != "ops@example.com" || email.Messages[0].Subject != "Alert" {
		t.Fatalf("email %+v", email.Messages)
	}
	if len(sms.Messages) != 1 || sms.Messages[0].Endpoint != "+15555550123" || sms.Messages[0].Message != "your code is 1234" {
		t.Fatalf("sms %+v", sms.Messages)
	}
	_, err = c.sns.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("555"), Message: aws.String("x")})
	wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: PhoneNumber Reason: 555 is not valid to publish to")
}

// The record is bounded: the newest 1,000 messages are kept.
func TestRecordedIsBounded(t *testing.T) {
	c := start(t)
	for i := range 1005 {
		if _, err := c.sns.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String("+15555550123"), Message: aws.String(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	got := snsService(t, c.e).Recorded("sms")
	if len(got) != 1000 || got[0].Message != "5" || got[999].Message != "1004" {
		t.Fatalf("%d kept, first %q last %q", len(got), got[0].Message, got[len(got)-1].Message)
	}
}

// In strict mode the developer endpoints need a signature like the API.
func TestDevEndpointsSignedInStrictMode(t *testing.T) {
	e, _ := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	var v any
	if code := getJSON(t, e.URL()+"/_groundstack/sns/messages", &v); code == 200 {
		t.Fatal("unsigned GET of recorded messages answered 200")
	}
}

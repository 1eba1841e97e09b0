package sqs

import (
	"context"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

func newTestStore() (*Store, *time.Time) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	n := 0
	return NewStore("000000000000", func() time.Time { return now }, func() string { n++; return time.Duration(n).String() }), &now
}

// TestInflightLimit: past AWS's 120,000 in-flight messages a receive is
// OverLimit, and deleting one lets receives go on.
func TestInflightLimit(t *testing.T) {
	s, _ := newTestStore()
	q, err := s.CreateQueue("us-east-1", "busy", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < maxInflight+1; i++ {
		in := SendInput{Body: "x", DelaySeconds: -1}
		if _, err := s.Send(q, &in, 0); err != nil {
			t.Fatal(err)
		}
	}
	var last []Received
	for got := 0; got < maxInflight; {
		msgs, err := s.Receive(context.Background(), q, ReceiveInput{Max: 10, Visibility: -1})
		if err != nil {
			t.Fatalf("after %d: %v", got, err)
		}
		got += len(msgs)
		last = msgs
	}
	_, err = s.Receive(context.Background(), q, ReceiveInput{Max: 1, Visibility: -1})
	if e, ok := awsproto.AsError(err); !ok || e.Code != "OverLimit" || e.Status != 403 {
		t.Fatalf("past the limit: %v", err)
	}
	if err := s.Delete(q, last[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if msgs, err := s.Receive(context.Background(), q, ReceiveInput{Max: 1, Visibility: -1}); err != nil || len(msgs) != 1 {
		t.Fatalf("after a delete: %v %v", msgs, err)
	}
}

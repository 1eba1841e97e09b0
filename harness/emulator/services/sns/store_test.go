package sns

import (
	"fmt"
	"testing"
	"time"
)

// A FIFO topic remembers a deduplication ID for five minutes, then forgets
// it (and its memory does not keep expired IDs).
func TestFIFODeduplicationWindow(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	n := 0
	s := NewStore("000000000000", func() time.Time { return now }, func() string { n++; return fmt.Sprint("id-", n) })
	tp, err := s.CreateTopic("us-east-1", "t.fifo", map[string]string{"FifoTopic": "true"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Publish(tp.ARN, "g", "d", "a")
	if err != nil || first.Duplicate {
		t.Fatalf("%+v %v", first, err)
	}
	now = now.Add(dedupWindow - time.Second)
	dup, _ := s.Publish(tp.ARN, "g", "d", "b")
	if !dup.Duplicate || dup.MessageID != first.MessageID || dup.SequenceNumber != first.SequenceNumber {
		t.Fatalf("within the window: %+v", dup)
	}
	for i := range 100 {
		s.Publish(tp.ARN, "g", fmt.Sprint("other-", i), "x")
	}
	now = now.Add(2 * time.Second)
	again, _ := s.Publish(tp.ARN, "g", "d", "c")
	if again.Duplicate || again.MessageID == first.MessageID {
		t.Fatalf("after the window: %+v", again)
	}
	now = now.Add(dedupWindow)
	s.Publish(tp.ARN, "g", "last", "x")
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if len(tp.dedup) != 1 || len(tp.dedupLog) != 1 {
		t.Fatalf("expired IDs kept: %d in the map, %d in the log", len(tp.dedup), len(tp.dedupLog))
	}
}

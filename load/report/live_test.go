package report

import (
	"math"
	"testing"
	"time"

	"github.com/groundstack/groundstack/load/profile"
)

// A 2.4 orders/s profile fills 1 s buckets with 2 or 3 orders: the live
// line must still say 2.4, not whichever the last bucket held.
func TestLiveRatesAverageRecentBuckets(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	r := NewRecorder(start, time.Second, nil)
	period := time.Second * 5 / 12 // 2.4/s
	for off := time.Duration(0); off < 10*time.Second; off += period {
		r.Due(profile.Orders, off)
		r.Answered(Answer{Kind: profile.Orders, Offset: off, Intended: start.Add(off), At: start.Add(off + time.Millisecond), Status: 200})
	}
	l := r.Live(start.Add(10*time.Second), 10*time.Second)
	if math.Abs(l.OrdersPerSec-2.4) > 0.01 || math.Abs(l.IntendedOrderSec-2.4) > 0.01 {
		t.Fatalf("live rates %.2f achieved, %.2f intended; want 2.4", l.OrdersPerSec, l.IntendedOrderSec)
	}
}

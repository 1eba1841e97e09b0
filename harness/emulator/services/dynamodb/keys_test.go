package dynamodb

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// checkOrder asserts that order bytes sort two numbers as attr.Compare does.
func checkOrder(t testing.TB, a, b string) {
	x, err1 := attr.Number(a)
	y, err2 := attr.Number(b)
	if err1 != nil || err2 != nil {
		return
	}
	want := sign(attr.Compare(x, y))
	got := sign(strings.Compare(orderBytes(x), orderBytes(y)))
	if got != want {
		t.Fatalf("order of %s (%q) vs %s (%q): got %d want %d", a, orderBytes(x), b, orderBytes(y), got, want)
	}
}

func TestNumberOrderBytes(t *testing.T) {
	fixed := []string{"0", "-0", "1", "1.0", "10", "9", "-1", "-10", "-9", "0.5", "-0.5", "0.05", "-0.05", "100", "1e2", "123.456",
		"123.4561", "-123.456", "-123.4561", "1E-130", "9.9999999999999999999999999999999999999E+125", "-1E-130",
		"-9.9999999999999999999999999999999999999E+125", "0.1", "0.10", "0.11", "-0.1", "-0.11", "99", "100.5", "1000000000000000000000"}
	for _, a := range fixed {
		for _, b := range fixed {
			checkOrder(t, a, b)
		}
	}
	r := rand.New(rand.NewSource(1))
	gen := func() string {
		var sb strings.Builder
		if r.Intn(2) == 0 {
			sb.WriteByte('-')
		}
		for i := 0; i < 1+r.Intn(6); i++ {
			sb.WriteByte(byte('0' + r.Intn(10)))
		}
		if r.Intn(2) == 0 {
			sb.WriteByte('.')
			for i := 0; i < 1+r.Intn(6); i++ {
				sb.WriteByte(byte('0' + r.Intn(10)))
			}
		}
		if r.Intn(4) == 0 {
			sb.WriteString("e")
			sb.WriteString(string(rune('0' + r.Intn(9))))
		}
		return sb.String()
	}
	for i := 0; i < 20000; i++ {
		checkOrder(t, gen(), gen())
	}
	// Equal numbers, equal bytes: 1 and 1.0 are one key.
	one, _ := attr.Number("1")
	onePointZero, _ := attr.Number("1.0")
	if orderBytes(one) != orderBytes(onePointZero) {
		t.Fatal("1 and 1.0 differ")
	}
}

func FuzzNumberOrderBytes(f *testing.F) {
	for _, s := range []string{"0", "1", "-1", "0.5", "123.456", "-1e10", "9e125"} {
		f.Add(s, "1")
	}
	f.Fuzz(func(t *testing.T, a, b string) { checkOrder(t, a, b) })
}

func TestSegmentsCoverHashSpace(t *testing.T) {
	for _, total := range []int{1, 2, 3, 7, 1000, 1000000} {
		prev := uint64(0)
		for seg := 0; seg < total; seg++ {
			s := segmentOf(seg, total)
			if seg == 0 && s.lo != 0 {
				t.Fatalf("total %d: first segment starts at %d", total, s.lo)
			}
			if seg > 0 && s.lo != prev+1 {
				t.Fatalf("total %d seg %d: gap or overlap (%d after %d)", total, seg, s.lo, prev)
			}
			if s.hi < s.lo {
				t.Fatalf("total %d seg %d: empty", total, seg)
			}
			prev = s.hi
			if total > 1000 && seg > 3 && seg < total-3 {
				seg = total - 4 // spot-check the ends of big splits
				prev = segmentOf(seg, total).hi
			}
		}
		if prev != ^uint64(0) {
			t.Fatalf("total %d: last segment ends at %d", total, prev)
		}
	}
}

package attr

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// FuzzDecodeItem: any bytes decode to an item or an *awsproto.Error, never
// a panic; what decodes re-encodes to JSON that decodes to the same item
// and the same bytes.
func FuzzDecodeItem(f *testing.F) {
	for _, s := range []string{
		`{"a":{"S":"x"},"n":{"N":"1"}}`,
		`{"m":{"M":{"l":{"L":[{"NULL":true},{"BOOL":false},{"B":"AAE="}]}}},"s":{"SS":["a","b"]}}`,
		`{"ns":{"NS":["1.50","-2e3"]},"bs":{"BS":["YQ=="]},"e":{"S":""}}`,
		`{"x":{"S":"\u00e9\ud83d\ude00\n"}}`,
		`{"a":{"S":"a","N":"1"}}`,
		`{"a":{}}`,
		`{"a":{"N":"1e126"}}`,
		`{"a":{"B":"x"}}`,
		`{"a":{"M":{"b":{"M":{"c":{"L":[{"L":[]}]}}}}}}`,
		`[]`, `{`, `{"a":`, `{"a":{"S":"x"}`, `{"a":{"S":"x\`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		it, err := DecodeItem(data)
		if err != nil {
			if _, ok := err.(interface{ Error() string }); !ok {
				t.Fatalf("bad error %T", err)
			}
			return
		}
		enc := AppendItem(nil, it)
		again, err := DecodeItem(enc)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", enc, err)
		}
		if !it.Equal(again) {
			t.Fatalf("round trip changed the item: %s", enc)
		}
		if enc2 := AppendItem(nil, again); string(enc2) != string(enc) {
			t.Fatalf("encoding not stable:\n%s\n%s", enc, enc2)
		}
		_ = it.Size()
		_ = it.Clone()
	})
}

// FuzzCanonicalNumber: the hand-written canonicaliser agrees with apd on
// the value, is idempotent, and orders like apd.
func FuzzCanonicalNumber(f *testing.F) {
	for _, s := range []string{"1", "1.50", "-0", "1e2", ".5", "5.", "1e-130", "9.99e125", "abc", "", "0.000e5", "-12.34e-3"} {
		f.Add(s, "7")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ca, err := CanonicalNumber(a)
		if err != nil {
			return
		}
		if again, err := CanonicalNumber(ca); err != nil || again != ca {
			t.Fatalf("not idempotent: %q → %q → %q, %v", a, ca, again, err)
		}
		var x, y apd.Decimal
		if _, _, err := y.SetString(ca); err != nil {
			t.Fatalf("apd rejects our canonical %q (from %q)", ca, a)
		}
		// apd bounds exponents (0e100100 is fine for DynamoDB: it is 0).
		if _, _, err := x.SetString(a); err == nil && x.Cmp(&y) != 0 {
			t.Fatalf("%q canonicalised to a different value %q", a, ca)
		}
		cb, err := CanonicalNumber(b)
		if err != nil {
			return
		}
		var z apd.Decimal
		z.SetString(cb)
		if got, want := compareNumbers(ca, cb), y.Cmp(&z); got != want {
			t.Fatalf("compare(%s, %s) = %d, apd says %d", ca, cb, got, want)
		}
	})
}

// FuzzAddNumbers: sums (and their errors) are those apd computes exactly
// at 300 digits, as AddNumbers did before it stopped linking apd; the int64
// path agrees with the big one.
func FuzzAddNumbers(f *testing.F) {
	for _, s := range [][2]string{{"1", "2"}, {"0.1", "-0.2"}, {"1e125", "-1e-130"}, {"999999999999999999", "0.5"}, {"1.2e-130", "1.1e-130"}} {
		f.Add(s[0], s[1], false)
	}
	f.Fuzz(func(t *testing.T, as, bs string, sub bool) {
		a, err := Number(as)
		if err != nil {
			return
		}
		b, err := Number(bs)
		if err != nil {
			return
		}
		got, err := AddNumbers(a, b, sub)
		want, wantErr := apdAdd(a, b, sub)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) || got.N() != want.N() {
			t.Fatalf("%s ± %s (sub %v) = %q %v; apd: %q %v", a.N(), b.N(), sub, got.N(), err, want.N(), wantErr)
		}
		if viaBig, err := addBig(a, b, sub); viaBig.N() != got.N() {
			t.Fatalf("%s ± %s (sub %v): %q, big path %q %v", a.N(), b.N(), sub, got.N(), viaBig.N(), err)
		}
	})
}

// apdAdd is AddNumbers as it was on apd: exact at 300 digits, then
// validated like any stored number.
func apdAdd(a, b Value, subtract bool) (Value, error) {
	c := apd.Context{Precision: 300, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfEven}
	var x, y, z apd.Decimal
	x.SetString(a.N())
	y.SetString(b.N())
	var cond apd.Condition
	var err error
	if subtract {
		cond, err = c.Sub(&z, &x, &y)
	} else {
		cond, err = c.Add(&z, &x, &y)
	}
	if err != nil || cond.Inexact() {
		return Value{}, fmt.Errorf("apd: %v %v", cond, err)
	}
	s, err := CanonicalNumber(z.Text('f'))
	if err != nil {
		return Value{}, err
	}
	return number(s), nil
}

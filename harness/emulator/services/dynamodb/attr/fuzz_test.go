package attr

import (
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

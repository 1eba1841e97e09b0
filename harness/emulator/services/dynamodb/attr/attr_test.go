package attr

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

func TestValueIsCompact(t *testing.T) {
	if n := unsafe.Sizeof(Value{}); n > 32 {
		t.Errorf("Value is %d bytes; the table budget assumes ≤ 32", n)
	}
}

func TestCanonicalNumber(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{in: "1.50", want: "1.5"},
		{in: "0100", want: "100"},
		{in: "1e2", want: "100"},
		{in: "1E+2", want: "100"},
		{in: "-0", want: "0"},
		{in: "+7", want: "7"},
		{in: "0.000", want: "0"},
		{in: "0e999999999", want: "0"},
		{in: "1E-5", want: "0.00001"},
		{in: "-12.3400e1", want: "-123.4"},
		{in: ".5", want: "0.5"},
		{in: "5.", want: "5"},
		{in: "00.0012300", want: "0.00123"},
		{in: "123456789012345678901234567890123456780000", want: "123456789012345678901234567890123456780000"},
		{in: "9.9999999999999999999999999999999999999E+125", want: "99999999999999999999999999999999999999" + strings.Repeat("0", 88)},
		{in: "1e-130", want: "0." + strings.Repeat("0", 129) + "1"},
		{in: "-1e-130", want: "-0." + strings.Repeat("0", 129) + "1"},
		{in: "", err: "The parameter cannot be converted to a numeric value"},
		{in: "abc", err: "The parameter cannot be converted to a numeric value: abc"},
		{in: "1..2", err: "The parameter cannot be converted to a numeric value: 1..2"},
		{in: "1e", err: "The parameter cannot be converted to a numeric value: 1e"},
		{in: " 1", err: "The parameter cannot be converted to a numeric value:  1"},
		{in: "NaN", err: "The parameter cannot be converted to a numeric value: NaN"},
		{in: "Infinity", err: "The parameter cannot be converted to a numeric value: Infinity"},
		{in: "0x10", err: "The parameter cannot be converted to a numeric value: 0x10"},
		{in: ".", err: "The parameter cannot be converted to a numeric value: ."},
		{in: "-", err: "The parameter cannot be converted to a numeric value: -"},
		{in: "123456789012345678901234567890123456789", err: "Attempting to store more than 38 significant digits in a Number"},
		{in: "-1.23456789012345678901234567890123456789", err: "Attempting to store more than 38 significant digits in a Number"},
		{in: "1e126", err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{in: "-1e126", err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{in: "1e-131", err: "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{in: "-1e-131", err: "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{in: "1e99999999999999999999", err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, tc := range cases {
		got, err := CanonicalNumber(tc.in)
		if tc.err != "" {
			checkValidation(t, err, tc.err)
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("CanonicalNumber(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func checkValidation(t *testing.T, err error, msg string) {
	t.Helper()
	checkCode(t, err, "ValidationException", msg)
}

func checkCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	e, ok := err.(*awsproto.Error)
	if !ok {
		t.Fatalf("want %s %q, got %T %v", code, msg, err, err)
	}
	if e.Code != code || e.Message != msg || e.Status != 400 {
		t.Errorf("got %s/%d %q\nwant %s/400 %q", e.Code, e.Status, e.Message, code, msg)
	}
}

func TestDecodeValueErrors(t *testing.T) {
	cases := []struct{ in, code, msg string }{
		{`{}`, "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"x":"y"}`, "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":null}`, "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":"a","N":"1"}`, "ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{`{"S":"a","N":"b"}`, "ValidationException", "The parameter cannot be converted to a numeric value: b"},
		{`{"NULL":false}`, "ValidationException", "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{`{"SS":[]}`, "ValidationException", "1 validation error detected: One or more parameter values were invalid: An string set  may not be empty"},
		{`{"NS":[]}`, "ValidationException", "1 validation error detected: One or more parameter values were invalid: An number set  may not be empty"},
		{`{"BS":[]}`, "ValidationException", "One or more parameter values were invalid: Binary sets should not be empty"},
		{`{"SS":["a","a"]}`, "ValidationException", "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{`{"NS":["1","1.0"]}`, "ValidationException", "Input collection contains duplicates"},
		{`{"NS":["1","b"]}`, "ValidationException", "The parameter cannot be converted to a numeric value: b"},
		{`{"BS":["Yg==","Yg=="]}`, "ValidationException", "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."},
		{`{"M":{"a":{}}}`, "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"L":[{}]}`, "ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":true}`, "SerializationException", "TRUE_VALUE cannot be converted to String"},
		{`{"S":23}`, "SerializationException", "NUMBER_VALUE cannot be converted to String"},
		{`{"S":34.56}`, "SerializationException", "DECIMAL_VALUE cannot be converted to String"},
		{`{"S":[]}`, "SerializationException", "Unrecognized collection type class java.lang.String"},
		{`{"S":{}}`, "SerializationException", "Start of structure or map found where not expected"},
		{`{"BOOL":"23"}`, "SerializationException", "Unexpected token received from parser"},
		{`{"BOOL":23}`, "SerializationException", "NUMBER_VALUE cannot be converted to Boolean"},
		{`{"B":true}`, "SerializationException", "only base-64-encoded strings are convertible to bytes"},
		{`{"B":"23456"}`, "SerializationException", "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{`{"B":"+/+="}`, "SerializationException", "Invalid last non-pad Base64 character dectected"},
		{`{"SS":"23"}`, "SerializationException", "Unexpected field type"},
		{`{"L":{}}`, "SerializationException", "Start of structure or map found where not expected"},
		{`{"M":[]}`, "SerializationException", "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"},
		{`{"L":["23"]}`, "SerializationException", "Unexpected value type in payload"},
		{`{"S":"a"} x`, "SerializationException", "Unexpected token received from parser"},
		{strings.Repeat(`{"L":[`, 33) + `{"S":"x"}` + strings.Repeat(`]}`, 33), "ValidationException", "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"},
	}
	for _, tc := range cases {
		_, err := DecodeValue([]byte(tc.in))
		if err == nil {
			t.Errorf("DecodeValue(%s): no error", tc.in)
			continue
		}
		checkCode(t, err, tc.code, tc.msg)
	}
	deep := strings.Repeat(`{"L":[`, 32) + `{"S":"x"}` + strings.Repeat(`]}`, 32)
	if _, err := DecodeValue([]byte(deep)); err != nil {
		t.Errorf("32 levels: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	in := `{"b":{"B":"AAEC/w=="},"bs":{"BS":["YQ==","Yg=="]},"e":{"S":""},"f":{"BOOL":false},` +
		`"l":{"L":[{"NULL":true},{"N":"-0.5"},{"L":[]},{"M":{}}]},"m":{"M":{"a b":{"S":"x\"y\\z\n\u0001é😀"},"z":{"N":"1"}}},` +
		`"n":{"N":"100"},"ns":{"NS":["1","2.5"]},"ss":{"SS":["x","y"]},"t":{"BOOL":true}}`
	it, err := DecodeItem([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out := string(AppendItem(nil, it))
	want := strings.Replace(in, `\u0001`, `\u0001`, 1)
	if out != want {
		t.Errorf("round trip\n got: %s\nwant: %s", out, want)
	}
	if got := it["m"].M()["a b"].S(); got != "x\"y\\z\n\x01é😀" {
		t.Errorf("unescaped %q", got)
	}
	if got := it["b"].B(); string(got) != "\x00\x01\x02\xff" {
		t.Errorf("binary %x", got)
	}
	// Canonical numbers on the way in, escapes decoded, surrogate pairs joined.
	it, err = DecodeItem([]byte(` { "n" : { "N" : "1.50" } , "s":{"S":"\ud83d\ude00\u00e9\/"}, "x": null } `))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(AppendItem(nil, it)); got != `{"n":{"N":"1.5"},"s":{"S":"😀é/"}}` {
		t.Errorf("got %s", got)
	}
}

func TestEqualCompareKeyString(t *testing.T) {
	n := func(s string) Value {
		v, err := Number(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if !Equal(n("1"), n("1.0")) || !Equal(n("1"), n("1e0")) || Equal(n("1"), String("1")) {
		t.Error("number equality")
	}
	if KeyString(n("1")) != KeyString(n("1.00")) || KeyString(n("100")) != KeyString(n("1E2")) {
		t.Error("KeyString must identify equal numbers")
	}
	ns1, _ := NumberSet([]string{"1", "2"})
	ns2, _ := NumberSet([]string{"2.0", "1"})
	if !Equal(ns1, ns2) || !Equal(StringSet([]string{"a", "b"}), StringSet([]string{"b", "a"})) {
		t.Error("set equality ignores order")
	}
	if !Equal(Map(map[string]Value{"a": n("1")}), Map(map[string]Value{"a": n("1.0")})) {
		t.Error("map equality")
	}
	if Equal(List([]Value{n("1"), n("2")}), List([]Value{n("2"), n("1")})) {
		t.Error("list order matters")
	}
	ordered := []string{"-1e125", "-100", "-10", "-9.5", "-1", "-0.5", "-0.05", "0", "1e-130", "0.05", "0.5", "0.51", "1", "9", "10", "10.01", "99", "100", "1e125"}
	for i := range ordered {
		for j := range ordered {
			got := Compare(n(ordered[i]), n(ordered[j]))
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	if Compare(String("a"), String("b")) >= 0 || Compare(Binary([]byte{0xff}), Binary([]byte{0x01})) <= 0 {
		t.Error("byte order")
	}
}

func TestSizes(t *testing.T) {
	n := func(s string) Value { v, _ := Number(s); return v }
	cases := []struct {
		v    Value
		want int
	}{
		{String("héllo"), 6},
		{Binary([]byte{1, 2, 3}), 3},
		{Bool(true), 1},
		{Null(), 1},
		{n("0"), 1},
		{n("1"), 2},
		{n("12"), 2},
		{n("123"), 3},
		{n("1.2"), 3},
		{n("-1"), 3},
		{n("12345678901234567890123456789012345678"), 20},
		{StringSet([]string{"ab", "c"}), 3},
		{List([]Value{String("ab"), Null()}), 3 + 3 + 2},
		{Map(map[string]Value{"k": String("ab")}), 3 + 1 + 1 + 2},
	}
	for _, tc := range cases {
		if got := tc.v.Size(); got != tc.want {
			t.Errorf("Size(%s) = %d, want %d", AppendValue(nil, tc.v), got, tc.want)
		}
	}
	it := Item{"id": String("abc"), "n": n("10")}
	if got := it.Size(); got != 2+3+1+2 {
		t.Errorf("Item.Size = %d", got)
	}
}

func TestSetOperations(t *testing.T) {
	a := StringSet([]string{"a", "b"})
	b := StringSet([]string{"b", "c"})
	if got := string(AppendValue(nil, SetUnion(a, b))); got != `{"SS":["a","b","c"]}` {
		t.Errorf("union %s", got)
	}
	if got := string(AppendValue(nil, SetDifference(a, b))); got != `{"SS":["a"]}` {
		t.Errorf("difference %s", got)
	}
	if got := string(AppendValue(nil, StringSet([]string{"x", "x", "y"}))); got != `{"SS":["x","y"]}` {
		t.Errorf("constructor dedupes: %s", got)
	}
}

func TestAddNumbers(t *testing.T) {
	n := func(s string) Value { v, _ := Number(s); return v }
	cases := []struct {
		a, b string
		sub  bool
		want string // "" for an error
	}{
		{"0.1", "0.2", false, "0.3"},
		{"10", "-10", false, "0"},
		{"9e125", "9e125", false, ""}, {"1e125", "1e125", false, "2" + strings.Repeat("0", 125)},
		{"99999999999999999999999999999999999999", "1", false, "100000000000000000000000000000000000000"},
		{"1732356900", "1", false, "1732356901"},
		{"12.5", "0.75", true, "11.75"},
		{"0.25", "0.75", true, "-0.5"},
		{"-1.5", "-1.5", false, "-3"},
		{"0.000001", "1000000", false, "1000000.000001"},
		{"999999999999999999", "1", false, "1000000000000000000"},                     // 18 digits: int64
		{"-999999999999999999", "-999999999999999999", false, "-1999999999999999998"}, // the int64 sum's edge
		{"9999999999999999999", "1", false, "10000000000000000000"},                   // 19 digits: big
		{"0.12345678901234567", "0.1", true, "0.02345678901234567"},
		{"1e125", "1e-130", false, ""},     // 256 significant digits
		{"1.2e-130", "1.1e-130", true, ""}, // underflows
		{"1e-130", "1e-130", true, "0"},
	}
	for _, tc := range cases {
		got, err := AddNumbers(n(tc.a), n(tc.b), tc.sub)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%s ± %s (sub %v) = %s: want error", tc.a, tc.b, tc.sub, got.N())
			}
			continue
		}
		if err != nil || got.N() != tc.want {
			t.Errorf("%s ± %s (sub %v) = %s, %v; want %s", tc.a, tc.b, tc.sub, got.N(), err, tc.want)
		}
	}
}

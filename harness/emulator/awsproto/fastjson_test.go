package awsproto

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzWalkJSONObject: whenever the walker accepts a valid JSON body, it
// has seen exactly the members encoding/json sees, with the same values.
func FuzzWalkJSONObject(f *testing.F) {
	for _, s := range []string{`{}`, ` { "a" : 1 , "b":[1,{"c":"}"}],"d":"x\"y"} `, `{"a":null,"b":true}`, `[1]`, `{"a\u0062":1}`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		got := map[string][]byte{}
		// Callers refuse keys they do not know, so a key that is not
		// valid UTF-8 (which encoding/json would rewrite) is refused here.
		if !WalkJSONObject(body, func(k, v []byte) bool { got[string(k)] = v; return utf8.Valid(k) }) {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("walker accepted %q, encoding/json refused: %v", body, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: walker saw %d members, encoding/json %d", body, len(got), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(bytes.TrimSpace(got[k]), bytes.TrimSpace(v)) {
				t.Fatalf("%q: member %q: walker %q, encoding/json %q", body, k, got[k], v)
			}
		}
	})
}

func TestFastJSONStringPtr(t *testing.T) {
	for in, want := range map[string]string{`"plain"`: "plain", `"a\"b"`: `a"b`, `"\u00e9"`: "é"} {
		var s *string
		if !FastJSONStringPtr([]byte(in), &s) || s == nil || *s != want {
			t.Errorf("%s: got %v", in, s)
		}
	}
	var s *string = new(string)
	if !FastJSONStringPtr([]byte("null"), &s) || s != nil {
		t.Errorf("null: got %v", s)
	}
	if FastJSONStringPtr([]byte("12"), &s) {
		t.Error("a number was taken for a string")
	}
}

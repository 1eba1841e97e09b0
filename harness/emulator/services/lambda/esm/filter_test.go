package esm

import (
	"testing"
)

func TestFilterPatterns(t *testing.T) {
	rec := map[string]any{
		"eventName":  "INSERT",
		"body":       map[string]any{"kind": "order", "total": 12.5, "tags": []any{"a", "b"}, "note": nil},
		"attributes": map[string]any{"SenderId": "AID123"},
	}
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{"eventName":["INSERT"]}`, true},
		{`{"eventName":["MODIFY","INSERT"]}`, true},
		{`{"eventName":["REMOVE"]}`, false},
		{`{"body":{"kind":[{"prefix":"ord"}]}}`, true},
		{`{"body":{"kind":[{"suffix":"der"}]}}`, true},
		{`{"body":{"kind":[{"equals-ignore-case":"ORDER"}]}}`, true},
		{`{"body":{"kind":[{"anything-but":["order"]}]}}`, false},
		{`{"body":{"kind":[{"anything-but":{"prefix":"x"}}]}}`, true},
		{`{"body":{"total":[{"numeric":[">",10,"<=",20]}]}}`, true},
		{`{"body":{"total":[{"numeric":["<",10]}]}}`, false},
		{`{"body":{"total":[12.5]}}`, true},
		{`{"body":{"tags":["b"]}}`, true},
		{`{"body":{"missing":[{"exists":false}]}}`, true},
		{`{"body":{"kind":[{"exists":true}]}}`, true},
		{`{"body":{"missing":[{"exists":true}]}}`, false},
		{`{"body":{"note":[null]}}`, true},
		{`{"body":{"kind":{"deeper":["x"]}}}`, false},
		{`{"attributes":{"SenderId":["AID123"]}}`, true},
	} {
		f, err := ParseFilters([]string{tc.pattern})
		if err != nil {
			t.Fatalf("%s: %v", tc.pattern, err)
		}
		if got := f.Match(rec); got != tc.want {
			t.Errorf("%s matched %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

func TestFilterPatternsRefused(t *testing.T) {
	for _, p := range []string{``, `[]`, `{}`, `{"a":"b"}`, `{"a":[]}`, `{"a":[{"prefix":1}]}`, `{"a":[{"numeric":[">"]}]}`,
		`{"a":[{"numeric":["!",1]}]}`, `{"a":[{"wildcard":"x*"}]}`, `{"a":[{"exists":"yes"}]}`, `{"a":["x"]} {}`, `not json`} {
		if _, err := ParseFilters([]string{p}); err != ErrInvalidPattern {
			t.Errorf("%q: err %v, want ErrInvalidPattern", p, err)
		}
	}
}

func FuzzParseFilters(f *testing.F) {
	for _, s := range []string{`{"body":{"a":[{"numeric":[">",1]}]}}`, `{"eventName":["INSERT"]}`, `{"a":[{"anything-but":{"prefix":"x"}}]}`} {
		f.Add(s)
	}
	rec := map[string]any{"a": 1.0, "body": map[string]any{"a": []any{"x", 2.0}}, "eventName": "INSERT"}
	f.Fuzz(func(t *testing.T, p string) {
		flt, err := ParseFilters([]string{p})
		if err == nil && flt != nil {
			flt.Match(rec)
		}
	})
}

func FuzzParseBatchItemFailures(f *testing.F) {
	for _, s := range []string{`{"batchItemFailures":[{"itemIdentifier":"a"}]}`, `null`, ``, `{"batchItemFailures":[{"itemIdentifier":null}]}`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, ok := parseBatchItemFailures(b)
		if !ok && ids != nil {
			t.Fatal("a malformed response named items")
		}
		for _, id := range ids {
			if id == "" {
				t.Fatal("an empty identifier passed")
			}
		}
	})
}

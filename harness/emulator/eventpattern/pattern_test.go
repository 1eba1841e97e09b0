package eventpattern

import (
	"encoding/json"
	"strings"
	"testing"
)

// The two services' forms of the language: SNS bounds the keys and
// combinations, Lambda does not; both take nested objects when asked.
func TestOptionsSelectTheForm(t *testing.T) {
	six := `{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}`
	if _, err := Parse(six, Options{Limits: true}); err == nil || err.Error() != "Filter policy can not have more than 5 keys" {
		t.Errorf("six keys with SNS's limits: %v", err)
	}
	if _, err := Parse(six, Options{}); err != nil {
		t.Errorf("six keys without limits: %v", err)
	}
	nested := `{"body":{"kind":["order"]}}`
	if _, err := Parse(nested, Options{}); err == nil || !strings.Contains(err.Error(), "does not support nested") {
		t.Errorf("nested without Nested: %v", err)
	}
	var e Error
	if _, err := Parse(`{"a":[{"numeric":[">",5,"<",1]}]}`, Options{}); err == nil || err.Error() != "Bottom must be less than top" {
		t.Errorf("an empty range: %v", err)
	} else if _, ok := err.(Error); !ok {
		t.Errorf("error %T, want %T", err, e)
	}
}

// Numbers match whether a document was decoded with json.Number (SNS) or
// into float64 (a Go map built by hand).
func TestMatchObjectTakesEitherNumber(t *testing.T) {
	p, err := Parse(`{"body":{"total":[{"numeric":[">",10,"<=",20]}],"n":[12.5],"tags":["b"],"$or":[{"kind":["order"]},{"kind":["refund"]}]}}`, Options{Nested: true})
	if err != nil {
		t.Fatal(err)
	}
	asFloat := map[string]any{"body": map[string]any{"total": 12.5, "n": 12.5, "tags": []any{"a", "b"}, "kind": "refund"}}
	var asNumber map[string]any
	d := json.NewDecoder(strings.NewReader(`{"body":{"total":12.5,"n":12.50,"tags":["a","b"],"kind":"refund"}}`))
	d.UseNumber()
	if err := d.Decode(&asNumber); err != nil {
		t.Fatal(err)
	}
	if !p.MatchObject(asFloat) || !p.MatchObject(asNumber) || !p.MatchJSON(`{"body":{"total":20,"n":12.5,"tags":"b","kind":"order"}}`) {
		t.Error("a matching document did not match")
	}
	if p.MatchJSON(`{"body":{"total":21,"n":12.5,"tags":"b","kind":"order"}}`) || p.MatchJSON(`[1]`) || p.MatchObject(map[string]any{}) {
		t.Error("a document outside the pattern matched")
	}
	keys, _ := Parse(`{"c":["red"],"n":[{"exists":false}]}`, Options{})
	lookup := func(vals map[string][]any) func(string) ([]any, bool) {
		return func(k string) ([]any, bool) { v, ok := vals[k]; return v, ok }
	}
	if !keys.MatchKeys(lookup(map[string][]any{"c": {"red"}})) || keys.MatchKeys(lookup(map[string][]any{"c": {"red"}, "n": {"1"}})) {
		t.Error("MatchKeys")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[{"numeric":[">",1,"<",5]}]}`, `{"$or":[{"a":["x"]},{"b":[{"exists":false}]}]}`, `{"b":{"c":[{"cidr":"10.0.0.0/8"}]}}`,
		`{"a":[{"anything-but":{"suffix":"z"}}]}`, `{"a":"b"}`} {
		f.Add(s)
	}
	doc := map[string]any{"a": 3.0, "b": map[string]any{"c": "10.1.2.3"}, "x": []any{json.Number("1"), nil, true}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []Options{{}, {Nested: true}, {Nested: true, Limits: true}} {
			p, err := Parse(s, o)
			if err != nil {
				if _, ok := err.(Error); !ok || err.Error() == "" {
					t.Fatalf("error %T %q", err, err)
				}
				continue
			}
			p.MatchObject(doc)
			p.MatchJSON(s)
			p.MatchKeys(func(string) ([]any, bool) { return []any{"x", json.Number("2")}, true })
		}
	})
}

package expr

import (
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

func fuzzFixtures(t testing.TB) (Names, Values, attr.Item) {
	names := Names{"#a": "a", "#b": "b", "#n": "n", "#l": "l", "#m": "m"}
	values, err := attr.DecodeValues([]byte(`{":s":{"S":"x"},":n":{"N":"1"},":l":{"L":[{"N":"1"}]},":ss":{"SS":["a"]},":ns":{"NS":["2"]},":t":{"S":"N"},":b":{"B":"YQ=="},":m":{"M":{"k":{"S":"v"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	item, err := attr.DecodeItem([]byte(sampleItem))
	if err != nil {
		t.Fatal(err)
	}
	return names, Values(values), item
}

// FuzzParseCondition: any source parses or fails with an error; what
// parses evaluates against a sample item without panicking.
func FuzzParseCondition(f *testing.F) {
	for _, tc := range exprCases {
		if tc.kind == "cond" || tc.kind == "filter" || tc.kind == "key" {
			f.Add(tc.src)
		}
	}
	f.Add("(((a)))")
	f.Add("a.b[1].c = :s AND NOT (size(#l) > :n OR contains(#m, :s))")
	names, values, item := fuzzFixtures(f)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseCondition("ConditionExpression", src, names, values, NewUsage())
		if err == nil {
			c.Eval(item)
			c.Eval(nil)
		}
		if k, err := ParseKeyCondition(src, names, values, nil); err == nil {
			_ = k.Bind("id", "sk")
		}
	})
}

// FuzzParseUpdate: any source parses or fails; what parses applies to a
// sample item (or fails with an error) and never modifies its input.
func FuzzParseUpdate(f *testing.F) {
	for _, tc := range exprCases {
		if tc.kind == "update" || tc.kind == "proj" {
			f.Add(tc.src)
		}
	}
	f.Add("SET l[3] = :s, m.a.b = if_not_exists(m.a.b, :n) + :n REMOVE l[0] ADD ss :ss DELETE ns :ns")
	names, values, item := fuzzFixtures(f)
	before := string(attr.AppendItem(nil, item))
	f.Fuzz(func(t *testing.T, src string) {
		if up, err := ParseUpdate(src, names, values, NewUsage()); err == nil {
			out, err := up.Apply(item)
			if err == nil {
				_ = attr.AppendItem(nil, out)
				_ = Project(out, up.Paths())
			}
			if _, err := up.Apply(nil); err == nil {
				_ = up.Paths()
			}
			if after := string(attr.AppendItem(nil, item)); after != before {
				t.Fatalf("Apply modified its input item")
			}
		}
		if p, err := ParseProjection(src, names, nil); err == nil {
			_ = p.Apply(item)
		}
	})
}

package sns

import (
	"strings"
	"testing"
)

func str(v string) Attribute { return Attribute{Type: "String", Value: v} }
func num(v string) Attribute { return Attribute{Type: "Number", Value: v} }

func TestFilterPolicyAttributes(t *testing.T) {
	cases := []struct {
		policy string
		attrs  map[string]Attribute
		want   bool
	}{
		{`{"c":["red"]}`, map[string]Attribute{"c": str("red")}, true},
		{`{"c":["red"]}`, map[string]Attribute{"c": str("blue")}, false},
		{`{"c":["red"]}`, nil, false},
		{`{"n":[5]}`, map[string]Attribute{"n": num("5.0")}, true},
		{`{"n":[5]}`, map[string]Attribute{"n": str("5")}, false},
		{`{"c":[{"prefix":"re"}]}`, map[string]Attribute{"c": str("red")}, true},
		{`{"c":[{"prefix":"re"}]}`, map[string]Attribute{"c": str("bred")}, false},
		{`{"c":[{"suffix":"ed"}]}`, map[string]Attribute{"c": str("red")}, true},
		{`{"c":[{"suffix":"ed"}]}`, map[string]Attribute{"c": str("reds")}, false},
		{`{"c":[{"equals-ignore-case":"RED"}]}`, map[string]Attribute{"c": str("rEd")}, true},
		{`{"c":[{"anything-but":["red","blue"]}]}`, map[string]Attribute{"c": str("green")}, true},
		{`{"c":[{"anything-but":["red","blue"]}]}`, map[string]Attribute{"c": str("blue")}, false},
		{`{"c":[{"anything-but":"red"}]}`, map[string]Attribute{"c": str("red")}, false},
		{`{"c":[{"anything-but":"red"}]}`, nil, false},
		{`{"n":[{"anything-but":[1,2]}]}`, map[string]Attribute{"n": num("3")}, true},
		{`{"n":[{"anything-but":[1,2]}]}`, map[string]Attribute{"n": num("2")}, false},
		{`{"c":[{"anything-but":{"prefix":"re"}}]}`, map[string]Attribute{"c": str("red")}, false},
		{`{"c":[{"anything-but":{"prefix":"re"}}]}`, map[string]Attribute{"c": str("blue")}, true},
		{`{"c":[{"anything-but":{"suffix":"ue"}}]}`, map[string]Attribute{"c": str("blue")}, false},
		{`{"n":[{"numeric":[">",0,"<=",5]}]}`, map[string]Attribute{"n": num("5")}, true},
		{`{"n":[{"numeric":[">",0,"<=",5]}]}`, map[string]Attribute{"n": num("0")}, false},
		{`{"n":[{"numeric":["=",3.5]}]}`, map[string]Attribute{"n": num("3.5")}, true},
		{`{"n":[{"numeric":["<",10]}]}`, map[string]Attribute{"n": num("-1e3")}, true},
		{`{"n":[{"numeric":["<",10]}]}`, map[string]Attribute{"n": str("1")}, false},
		{`{"c":[{"exists":true}]}`, map[string]Attribute{"c": str("x")}, true},
		{`{"c":[{"exists":true}]}`, nil, false},
		{`{"c":[{"exists":false}]}`, nil, true},
		{`{"c":[{"exists":false}]}`, map[string]Attribute{"c": str("x")}, false},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, map[string]Attribute{"ip": str("10.0.0.7")}, true},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, map[string]Attribute{"ip": str("10.0.1.7")}, false},
		{`{"c":["red","blue"],"s":["L"]}`, map[string]Attribute{"c": str("blue"), "s": str("L")}, true},
		{`{"c":["red","blue"],"s":["L"]}`, map[string]Attribute{"c": str("blue"), "s": str("M")}, false},
		{`{"c":["red"],"$or":[{"s":["L"]},{"n":[{"numeric":[">",5]}]}]}`, map[string]Attribute{"c": str("red"), "n": num("6")}, true},
		{`{"c":["red"],"$or":[{"s":["L"]},{"n":[{"numeric":[">",5]}]}]}`, map[string]Attribute{"c": str("red"), "n": num("4")}, false},
		{`{"c":["red"]}`, map[string]Attribute{"c": {Type: "String.Array", Value: `["blue","red"]`}}, true},
		{`{"c":["red"]}`, map[string]Attribute{"c": {Type: "String.Array", Value: `["blue"]`}}, false},
		{`{"c":["red"]}`, map[string]Attribute{"c": {Type: "Binary", Value: "cmVk"}}, false},
	}
	for _, tc := range cases {
		p, err := ParseFilterPolicy(tc.policy, false)
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if got := p.MatchAttributes(tc.attrs); got != tc.want {
			t.Errorf("%s on %v: got %v, want %v", tc.policy, tc.attrs, got, tc.want)
		}
	}
}

func TestFilterPolicyBody(t *testing.T) {
	cases := []struct {
		policy, body string
		want         bool
	}{
		{`{"order":{"kind":["real"]}}`, `{"order":{"kind":"real"}}`, true},
		{`{"order":{"kind":["real"]}}`, `{"order":{"kind":"test"}}`, false},
		{`{"order":{"kind":["real"]}}`, `{"order":"real"}`, false},
		{`{"order":{"kind":["real"]}}`, `not json`, false},
		{`{"items":["a"]}`, `{"items":["b","a"]}`, true},
		{`{"ok":[true]}`, `{"ok":true}`, true},
		{`{"ok":[true]}`, `{"ok":"true"}`, false},
		{`{"v":[null]}`, `{"v":null}`, true},
		{`{"price":[{"numeric":[">=",10]}]}`, `{"price":12.5}`, true},
		{`{"price":[{"numeric":[">=",10]}]}`, `{"price":"12.5"}`, false},
		{`{"a":{"b":[{"exists":false}]}}`, `{}`, true},
		{`{"$or":[{"a":["1"]},{"b":{"c":["2"]}}]}`, `{"b":{"c":"2"}}`, true},
		{`{"$or":[{"a":["1"]},{"b":{"c":["2"]}}]}`, `{"b":{"c":"3"}}`, false},
	}
	for _, tc := range cases {
		p, err := ParseFilterPolicy(tc.policy, true)
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if got := p.MatchBody(tc.body); got != tc.want {
			t.Errorf("%s on %s: got %v, want %v", tc.policy, tc.body, got, tc.want)
		}
	}
}

func TestFilterPolicyErrors(t *testing.T) {
	cases := map[string]string{
		`{"a":["b"]`:                             "failed to parse JSON",
		`[]`:                                     "Filter policy must be a JSON object",
		`{}`:                                     "Filter policy can not be empty",
		`{"a":"b"}`:                              `"a" must be an object or an array`,
		`{"a":[]}`:                               "Empty arrays are not allowed",
		`{"a":[["b"]]}`:                          "Match value must be String, number, true, false, or null",
		`{"a":[{"prefixx":"b"}]}`:                "Unrecognized match type prefixx",
		`{"a":[{"prefix":1}]}`:                   "prefix match pattern must be a string",
		`{"a":[{"exists":"yes"}]}`:               "exists match pattern must be either true or false.",
		`{"a":[{"numeric":[">"]}]}`:              "Too many elements in numeric expression",
		`{"a":[{"numeric":["!",1]}]}`:            "Unrecognized numeric range operator: !",
		`{"a":[{"numeric":[">","x"]}]}`:          "Value of > must be numeric",
		`{"a":[{"numeric":[">",5,"<",1]}]}`:      "Bottom must be less than top",
		`{"a":[{"numeric":["<",5,">",1]}]}`:      "Bad numeric range operator: >",
		`{"a":[{"anything-but":{"infix":"x"}}]}`: "Unsupported anything-but pattern: infix",
		`{"a":[{"anything-but":[true]}]}`:        "Value of anything-but must be an array or single string/number value.",
		`{"a":[{"prefix":"x","suffix":"y"}]}`:    "Only one key allowed in match expression",
		`{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}`: "Filter policy can not have more than 5 keys",
		`{"$or":[{"a":["1"]}]}`: "Or statement must contain at least two sub-policies",
		`{"a":{"b":["c"]}}`:     "Filter policy scope MessageAttributes does not support nested filter policy",
	}
	for policy, want := range cases {
		_, err := ParseFilterPolicy(policy, false)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want %q, got %v", policy, want, err)
		}
	}
	// 6 × 5 × 6 = 180 combinations > 150.
	complex := `{"a":["1","2","3","4","5","6"],"b":["1","2","3","4","5"],"c":["1","2","3","4","5","6"]}`
	if _, err := ParseFilterPolicy(complex, false); err == nil || err.Error() != "Filter policy is too complex" {
		t.Fatalf("complexity: %v", err)
	}
}

func FuzzFilterPolicy(f *testing.F) {
	for _, seed := range []string{
		`{"c":["red",{"prefix":"r"},{"anything-but":{"suffix":"x"}}]}`,
		`{"n":[{"numeric":[">",0,"<=",5]},{"exists":false}]}`,
		`{"$or":[{"a":["1"]},{"b":{"c":[{"equals-ignore-case":"X"}]}}]}`,
		`{"ip":[{"cidr":"10.0.0.0/8"}],"v":[null,true,1.5]}`,
		`{"a":`, `[]`, `{}`, `{"a":[[[[]]]]}`,
	} {
		f.Add(seed, `{"a":"1","b":{"c":"x"},"n":3}`)
	}
	f.Fuzz(func(t *testing.T, policy, body string) {
		for _, nested := range []bool{false, true} {
			p, err := ParseFilterPolicy(policy, nested)
			if err != nil {
				if p != nil {
					t.Fatal("a policy and an error")
				}
				continue
			}
			p.MatchBody(body)
			p.MatchAttributes(map[string]Attribute{"a": str(body), "n": num("3"), "s": {Type: "String.Array", Value: body}})
		}
	})
}

package awsproto

import (
	"encoding/json"
	"testing"
)

// The exact bytes services put on the wire.
func TestAppendJSONString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`q"uo\te`, `"q\"uo\\te"`},
		{"\n\r\t", `"\n\r\t"`},
		{"\x00\x08\x0c\x1f", `"\u0000\u0008\u000c\u001f"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"héllo €", `"héllo €"`},
		{"a\xffb\xfe", `"a\ufffdb\ufffd"`},
		{"<&>", `"<&>"`},
		{"\x7f", "\"\x7f\""},
	} {
		if got := string(AppendJSONString([]byte("x"), tc.in)); got != "x"+tc.want {
			t.Errorf("%q: got %s, want x%s", tc.in, got, tc.want)
		}
	}
}

// FuzzAppendJSONString checks the hand-written JSON string encoder of the
// hot paths against encoding/json: the same string back for every input.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uo\te`, "\n\r\t\x00\x1f", "\u2028\u2029", "héllo", "\xff\xfe", "<&>", `{"a":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, got, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Fatalf("%q: round trip %q, encoding/json gives %q", s, back, wantBack)
		}
	})
}

package logs

import (
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

func TestFilterPatterns(t *testing.T) {
	cases := []struct {
		pattern string
		msg     string
		want    bool
	}{
		{"", "anything", true},
		{"  ", "anything", true},
		{"ERROR", "[ERROR] boom", true},
		{"ERROR", "error boom", false}, // case-sensitive
		{"ERROR boom", "boom ERROR", true},
		{"ERROR boom", "ERROR bang", false},
		{`"ERROR boom"`, "x ERROR boom y", true},
		{`"ERROR boom"`, "ERROR  boom", false},
		{"?a1 ?b2", "xx b2", true},
		{"?a1 ?b2", "xx c3", false},
		{"-DEBUG", "INFO x", true},
		{"-DEBUG", "DEBUG x", false},
		{"ERROR -Exiting", "ERROR Exiting", false},
		{`ERROR -"shutting down"`, "ERROR shutting down", false},
		{`ERROR -"shutting down"`, "ERROR shutting up", true},
		{"%^ab+c$%", "abbbc", true},
		{"%^ab+c$%", "xabc", false},
		{`{ $.level = "ERROR" }`, `{"level":"ERROR"}`, true},
		{`{$.level="ERROR"}`, `{"level":"ERROR"}`, true},
		{`{ $.level = "ERROR" }`, `{"level":"INFO"}`, false},
		{`{ $.level = "ERROR" }`, `not json ERROR`, false},
		{`{ $.level = ERR* }`, `{"level":"ERROR"}`, true},
		{`{ $.level != "ERROR" }`, `{"level":"INFO"}`, true},
		{`{ $.level != "ERROR" }`, `{"other":1}`, false}, // missing field never matches
		{`{ $.n > 5 }`, `{"n": 6}`, true},
		{`{ $.n > 5 }`, `{"n": 5}`, false},
		{`{ $.n <= 5.5 }`, `{"n": 5.5}`, true},
		{`{ $.n = 1e3 }`, `{"n": 1000}`, true},
		{`{ $.n > 5 }`, `{"n": "6"}`, false},
		{`{ $.a.b[1].c = "x" }`, `{"a":{"b":[{},{"c":"x"}]}}`, true},
		{`{ $.a.b[2].c = "x" }`, `{"a":{"b":[{},{"c":"x"}]}}`, false},
		{`{ $.ok IS TRUE }`, `{"ok":true}`, true},
		{`{ $.ok IS FALSE }`, `{"ok":true}`, false},
		{`{ $.v IS NULL }`, `{"v":null}`, true},
		{`{ $.v NOT EXISTS }`, `{"w":1}`, true},
		{`{ ($.a = 1 || $.b = 2) && $.c = 3 }`, `{"b":2,"c":3}`, true},
		{`{ ($.a = 1 || $.b = 2) && $.c = 3 }`, `{"b":2,"c":4}`, false},
		{`{ $.id = %^u[0-9]+$% }`, `{"id":"u42"}`, true},
		{`{ $.code = 200 }`, `{"code":200}`, true},
		{`[ip, user, status=404, size]`, `1.2.3.4 bob 404 512`, true},
		{`[ip, user, status=404, size]`, `1.2.3.4 bob 200 512`, false},
		{`[ip, user, status=4*, size>100]`, `1.2.3.4 bob 403 512`, true},
		{`[ip, user, status=4*, size>1000]`, `1.2.3.4 bob 403 512`, false},
		{`[..., status=500]`, `a b c 500`, true},
		{`[first, ..., last=end]`, `x y z end`, true},
		{`[a, b]`, `only-one`, false},
		{`[ts, req, msg]`, `2024 "GET /x" [done ok]`, true},
	}
	for _, c := range cases {
		p, err := CompilePattern(c.pattern)
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		if got := p.Match(c.msg); got != c.want {
			t.Errorf("%q on %q = %v, want %v", c.pattern, c.msg, got, c.want)
		}
	}
}

func TestFilterPatternErrors(t *testing.T) {
	for _, bad := range []string{
		`"unterminated`, `{ $.a = }`, `{ $.a = "x"`, `{ a = 1 }`, `{ $.a ~ 1 }`, `{ $. = 1 }`,
		`{ $.a = 1 && }`, `{ ($.a = 1 }`, `{ $.a IS MAYBE }`, `{ $.a < "x" }`, `[]`, `[a,,b]`,
		`%(%`, `?`, `-`, `a"b`, `{ $.a[x] = 1 }`,
	} {
		if _, err := CompilePattern(bad); err == nil {
			t.Errorf("%q compiled", bad)
		}
	}
}

// FuzzCompilePattern: no pattern panics the parser or the matcher.
func FuzzCompilePattern(f *testing.F) {
	for _, s := range []string{"", "ERROR", `"a b" ?c -d`, `{ $.a.b[0] = "x*" && ($.n > 1 || $.m IS NULL) }`,
		`{ $.x NOT EXISTS }`, `[a, b=1, ..., c!=x*]`, `%a+b%`, `{ $.id = %^u[0-9]+$% }`} {
		f.Add(s, `{"a":{"b":["x1"]},"n":2} plain text 1 x`)
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := CompilePattern(pattern)
		if err != nil {
			return
		}
		p.Match(msg)
	})
}

func TestStreamTrim(t *testing.T) {
	s := NewStore(time.Now)
	s.MaxEventsPerStream = 100
	now := time.Now()
	for i := 0; i < 1000; i++ {
		s.WriteLogs("us-east-1", "g", "s", []cloud.LogEvent{{Timestamp: now.Add(time.Duration(i) * time.Millisecond), Message: "m"}})
	}
	g, _ := s.Group("us-east-1", "g")
	st := g.streams["s"]
	if n := len(st.events); n > 100 || n < 90 {
		t.Fatalf("kept %d events", n)
	}
	if last := st.events[len(st.events)-1].TS; last != now.Add(999*time.Millisecond).UnixMilli() {
		t.Fatalf("newest event lost")
	}
	if st.FirstEvent != st.events[0].TS || st.bytes != int64(len(st.events))*(1+eventOverhead) {
		t.Fatalf("bookkeeping: first %d bytes %d", st.FirstEvent, st.bytes)
	}
	// out-of-order writes land in order
	s.WriteLogs("us-east-1", "g", "s2", []cloud.LogEvent{{Timestamp: now.Add(time.Second), Message: "b"}, {Timestamp: now, Message: "a"}})
	p, _ := g.GetEvents("s2", Window{}, Token{}, true, 10)
	if len(p.Events) != 2 || p.Events[0].Msg != "a" {
		t.Fatalf("order %+v", p.Events)
	}
}

func TestTokenRoundTrip(t *testing.T) {
	for _, tok := range []Token{{Forward, Key{0, 0}}, {Backward, Key{1700000000000, 12345}}, {Forward, Key{1 << 50, 1<<63 + 5}}} {
		got, err := ParseToken(tok.String())
		if err != nil || got != tok {
			t.Errorf("%v → %s → %v, %v", tok, tok.String(), got, err)
		}
	}
	for _, bad := range []string{"", "f/", "x/00000000000000000000000000000000000000000000000000000000/s", "f/0000000000000000000000000000000000000000000000000000000a/s", "f/00000000000000000000000000000000000000000000000000000000/x"} {
		if _, err := ParseToken(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// FuzzTokens: no nextToken string panics the token parsers, and a parsed
// GetLogEvents token renders back to one that parses the same.
func FuzzTokens(f *testing.F) {
	f.Add("f/00000000000000000000000000000000000000000000000000000000/s")
	f.Add("b/00000017000000000000000000000000000000000000000000000042")
	f.Add("AAAAAAAAAAEAAAAAAAAAAg")
	f.Fuzz(func(t *testing.T, s string) {
		if tok, err := ParseToken(s); err == nil {
			if again, err := ParseToken(tok.String()); err != nil || again != tok {
				t.Fatalf("%q → %v → %q → %v, %v", s, tok, tok.String(), again, err)
			}
		}
		ParseFilterToken(s)
	})
}

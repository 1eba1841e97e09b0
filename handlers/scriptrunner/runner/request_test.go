package runner

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	long := strings.Repeat("x", MaxParameterBytes+1)
	for _, tc := range []struct {
		name, body string
		want       Request
		status     int
		err        string
	}{
		{"ok", `{"scriptname":"report.py","parameter":"2024-10"}`, Request{Script: "report.py", Parameter: "2024-10", HasParameter: true}, 0, ""},
		{"no parameter", `{"scriptname":"hello.sh"}`, Request{Script: "hello.sh"}, 0, ""},
		{"null parameter", `{"scriptname":"hello.sh","parameter":null}`, Request{Script: "hello.sh"}, 0, ""},
		{"empty parameter is an argument", `{"scriptname":"hello.sh","parameter":""}`, Request{Script: "hello.sh", HasParameter: true}, 0, ""},
		{"number parameter as written", `{"scriptname":"a.sh","parameter":202410}`, Request{Script: "a.sh", Parameter: "202410", HasParameter: true}, 0, ""},
		{"injection is data", `{"scriptname":"a.sh","parameter":"; rm -rf ~"}`, Request{Script: "a.sh", Parameter: "; rm -rf ~", HasParameter: true}, 0, ""},
		{"missing", `{"parameter":"x"}`, Request{}, 400, ErrMissingScript},
		{"empty", `{"scriptname":""}`, Request{}, 400, ErrMissingScript},
		{"blank", `{"scriptname":"  "}`, Request{}, 400, ErrMissingScript},
		{"empty object", `{}`, Request{}, 400, ErrMissingScript},
		{"not JSON", `scriptname=report.py`, Request{}, 400, ErrInvalidJSON},
		{"empty body", ``, Request{}, 400, ErrInvalidJSON},
		{"array", `["report.py"]`, Request{}, 400, ErrInvalidJSON},
		{"trailing data", `{"scriptname":"a.sh"} {}`, Request{}, 400, ErrInvalidJSON},
		{"name not a string", `{"scriptname":42}`, Request{}, 400, ErrInvalidScript},
		{"traversal", `{"scriptname":"../../etc/passwd"}`, Request{}, 400, ErrInvalidScript},
		{"dot dot inside", `{"scriptname":"a..sh"}`, Request{}, 400, ErrInvalidScript},
		{"slash", `{"scriptname":"dir/a.sh"}`, Request{}, 400, ErrInvalidScript},
		{"space", `{"scriptname":"a b.sh"}`, Request{}, 400, ErrInvalidScript},
		{"semicolon", `{"scriptname":"a.sh;id"}`, Request{}, 400, ErrInvalidScript},
		{"dot", `{"scriptname":"."}`, Request{}, 400, ErrInvalidScript},
		{"too long name", `{"scriptname":"` + strings.Repeat("a", 129) + `"}`, Request{}, 400, ErrInvalidScript},
		{"parameter object", `{"scriptname":"a.sh","parameter":{"x":1}}`, Request{}, 400, ErrInvalidParam},
		{"parameter bool", `{"scriptname":"a.sh","parameter":true}`, Request{}, 400, ErrInvalidParam},
		{"parameter NUL", `{"scriptname":"a.sh","parameter":"a\u0000b"}`, Request{}, 400, ErrInvalidParam},
		{"parameter too long", `{"scriptname":"a.sh","parameter":"` + long + `"}`, Request{}, 400, ErrParamTooLong},
		{"megabyte body", `{"scriptname":"a.sh","parameter":"` + strings.Repeat("y", 1<<20) + `"}`, Request{}, 400, ErrBodyTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, f := ParseRequest([]byte(tc.body))
			if tc.err != "" {
				if f == nil || f.Error != tc.err || f.Status != tc.status {
					t.Fatalf("got %+v, %+v; want %d %q", got, f, tc.status, tc.err)
				}
				return
			}
			if f != nil || got != tc.want {
				t.Fatalf("got %+v, %+v; want %+v", got, f, tc.want)
			}
		})
	}
}

// The quoted word must come back from a real shell byte for byte, and run
// nothing on the way.
func TestShellQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "; rm -rf ~", "$(id)", "`id`", "a'b", "'", "''", "\n; touch x\n", `\`, "$HOME", "*", "-n", "a b\tc", "ñandú €"} {
		if got := viaShell(t, s); got != s {
			t.Errorf("sh gave %q for %q", got, s)
		}
	}
}

func viaShell(t testing.TB, s string) string {
	t.Helper()
	out, err := exec.Command("/bin/sh", "-c", "printf %s "+ShellQuote(s)).Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	return string(out)
}

func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"", "; rm -rf ~", "$(id)", "`id`", "a'b\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			t.Skip("argv cannot hold NUL; ParseRequest refuses it")
		}
		if got := viaShell(t, s); got != s {
			t.Fatalf("sh gave %q for %q", got, s)
		}
	})
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{`{"scriptname":"a.sh","parameter":"x"}`, `{"scriptname":1}`, `{}`, `[`, `{"scriptname":"a.sh","parameter":-1e9}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, fail := ParseRequest(body)
		if fail != nil {
			if fail.Status != 400 || fail.Error == "" {
				t.Fatalf("bad failure %+v", fail)
			}
			return
		}
		if !ValidScriptName(req.Script) || len(req.Parameter) > MaxParameterBytes || strings.IndexByte(req.Parameter, 0) >= 0 {
			t.Fatalf("accepted %+v", req)
		}
	})
}

func TestCommand(t *testing.T) {
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{Script: "report.py", Parameter: "2024-10", HasParameter: true}, `cd 'scripts' && exec python3 './report.py' '2024-10'`},
		{Request{Script: "hello.sh"}, `cd 'scripts' && exec './hello.sh'`},
		{Request{Script: "a.sh", Parameter: "x'; id; '", HasParameter: true}, `cd 'scripts' && exec './a.sh' 'x'\''; id; '\'''`},
	} {
		if got := Command("scripts", tc.req); got != tc.want {
			t.Errorf("Command(%+v) = %s, want %s", tc.req, got, tc.want)
		}
	}
}

func TestCappedKeepsWholeRunes(t *testing.T) {
	c := &capped{max: 5}
	n, err := c.Write([]byte("abcd€efg")) // € is 3 bytes: cut after its first
	if n != 10 || err != nil {
		t.Fatalf("Write = %d, %v; a cap must not short-write", n, err)
	}
	if got := string(c.Bytes()); got != "abcd" || !c.truncated {
		t.Fatalf("Bytes = %q, truncated %v", got, c.truncated)
	}
	c = &capped{max: 4}
	c.Write([]byte{0xff, 0xfe, 0x00, 0x01})
	if !bytes.Equal(c.Bytes(), []byte{0xff, 0xfe, 0x00, 0x01}) || c.truncated {
		t.Fatalf("binary output altered: %x", c.Bytes())
	}
}

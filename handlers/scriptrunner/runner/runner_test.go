package runner

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestDescribeMapsTheSpecTable(t *testing.T) {
	r := New(Config{}, Clients{})
	out := func(s string) *capped { c := &capped{max: 1 << 10}; c.Write([]byte(s)); return c }
	for _, tc := range []struct {
		name   string
		res    execResult
		status int
		err    string
	}{
		{"success", execResult{stdout: out("done\n"), stderr: out("")}, 200, ""},
		{"missing module", execResult{code: 1, stdout: out(""), stderr: out("Traceback (most recent call last):\nModuleNotFoundError: No module named 'pandas'\n")}, 422, ErrScriptFailed},
		{"usage error speaks for itself", execResult{code: 2, stdout: out(""), stderr: out("usage: report.py MONTH\nreport.py: error: the following arguments are required: month\n")}, 422, "report.py: error: the following arguments are required: month"},
		{"exit 2 without words", execResult{code: 2, stdout: out(""), stderr: out("")}, 422, ErrScriptFailed},
		{"killed by a signal", execResult{code: 137, signal: "KILL", stdout: out(""), stderr: out("")}, 422, ErrScriptFailed},
		{"timeout", execResult{timedOut: true, limit: time.Second, stdout: out("partial"), stderr: out("")}, 504, ErrTimedOut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := r.describe(Request{Script: "x.py"}, tc.res, false, false)
			if o.HTTPStatus != tc.status || o.Error != tc.err {
				t.Fatalf("got %d %q, want %d %q", o.HTTPStatus, o.Error, tc.status, tc.err)
			}
		})
	}
}

func TestOutcomeJSON(t *testing.T) {
	r := New(Config{}, Clients{})
	bin := &capped{max: 16}
	bin.Write([]byte{0, 0xff, 0xfe})
	empty := &capped{max: 16}
	o := r.describe(Request{Script: "bin.sh"}, execResult{stdout: bin, stderr: empty}, false, true)
	b, _ := json.Marshal(o)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["status"] != "ok" || got["stdout"] != "AP/+" || got["stdout_encoding"] != "base64" || got["stderr"] != "" || got["exit_code"] != 0.0 || got["uploaded"] != true {
		t.Fatalf("body %s", b)
	}
	refusal, _ := json.Marshal(refused(&Failure{Status: 400, Error: ErrMissingScript}))
	if !bytes.Equal(refusal, []byte(`{"status":"error","error":"missing scriptname"}`)) {
		t.Fatalf("refusal %s", refusal)
	}
}

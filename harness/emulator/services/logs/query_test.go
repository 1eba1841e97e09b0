package logs

import (
	"strings"
	"testing"
)

func TestParseQueryErrors(t *testing.T) {
	for q, want := range map[string]string{
		"fields @message | frobnicate":     "unexpected symbol found frobnicate at line 1 and position 19",
		"filter a = ":                      "unexpected symbol found <EOF> at line 1 and position 12",
		"stats median(x)":                  "unexpected symbol found median at line 1 and position 7",
		"fields a\n| limit 0":              "unexpected symbol found 0 at line 2 and position 9",
		"parse @message 'a * b' as x, y":   "unexpected symbol found a * b at line 1 and position 16",
		"filter a like 'x":                 "unexpected symbol found ' at line 1 and position 15",
		"stats count(*) by bin(5 minutes)": "unexpected symbol found 5 at line 1 and position 23",
	} {
		_, err := ParseQuery(q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", q, err, want)
		}
	}
	for _, q := range []string{"", "fields @timestamp, @message | sort @timestamp desc | limit 20",
		"filter (a = 1 or b != 'x') and not ispresent(c) | stats count(*) as n by d, bin(1h) | display n",
		"parse @message /(?<ip>\\d+\\.\\d+\\.\\d+\\.\\d+)/ | dedup ip", "# comment\nfields a"} {
		if _, err := ParseQuery(q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"fields a, b as c | filter a > 1 and b like /x+/ | stats count(*) by bin(5m) | sort a desc | limit 3",
		`parse @message "* - *" as a, b | display a`, "filter not (a in [1, 'x'] or isempty(b))", "(((", "/", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		pq, err := ParseQuery(q)
		if err != nil {
			return
		}
		// whatever parses runs without panicking on a record
		r := qrecord{ts: 1, f: map[string]string{"@message": "a b c", "a": "1", "b": "x"}}
		for _, c := range pq.cmds {
			switch c.kind {
			case "filter":
				c.cond.eval(r)
			case "parse":
				c.parseInto(r)
			case "stats":
				c.aggregate([]qrecord{r})
			}
		}
	})
}

package iot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSQLSelectAndWhere(t *testing.T) {
	at := time.UnixMilli(1700000000123)
	payload := `{"temp":31,"unit":"C","dev":{"id":"d1","tags":["a","b"]},"ok":true,"n":null}`
	for _, c := range []struct {
		sql, want string
		match     bool
	}{
		{"SELECT * FROM 'a/+/c'", payload, true},
		{"SELECT temp, dev.id AS id FROM 'a/#'", `{"id":"d1","temp":31}`, true},
		{"SELECT dev.tags[1] AS t, dev.id FROM 'a/#'", `{"id":"d1","t":"b"}`, true},
		{"SELECT topic() AS t, topic(2) AS second, topic(9) AS none, clientid() AS c, timestamp() AS ts FROM '#'", `{"c":"cl","second":"b","t":"a/b/c","ts":1700000000123}`, true},
		{"SELECT *, topic(1) AS root FROM '#'", `{"dev":{"id":"d1","tags":["a","b"]},"n":null,"ok":true,"root":"a","temp":31,"unit":"C"}`, true},
		{"SELECT * AS whole FROM '#'", `{"whole":` + payload + `}`, true},
		{"SELECT missing, temp * 2 + 1 AS t2 FROM '#'", `{"t2":63}`, true},
		{"SELECT temp FROM '#' WHERE temp > 30 AND unit = 'C'", `{"temp":31}`, true},
		{"SELECT temp FROM '#' WHERE temp > 30 AND unit <> 'C'", ``, false},
		{"SELECT temp FROM '#' WHERE NOT (temp <= 30) OR missing = 1", `{"temp":31}`, true},
		{"SELECT temp FROM '#' WHERE missing = 1", ``, false},
		{"SELECT temp FROM '#' WHERE NOT missing = 1", ``, false}, // Undefined stays Undefined
		{"SELECT temp FROM '#' WHERE ok = true AND n = null", `{"temp":31}`, true},
		{"SELECT temp FROM '#' WHERE unit = 31", ``, false}, // mismatched types are never equal
		{"select temp from '#' where temp >= 31.0 and topic(3) = 'c'", `{"temp":31}`, true},
		{"SELECT temp FROM '#' WHERE temp / 0 = 1", ``, false},
		{"SELECT 'it''s' AS s FROM '#'", `{"s":"it's"}`, true},
	} {
		q, err := parseSQL(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		m := newMessage("a/b/c", "cl", []byte(payload), at)
		if q.matches(m) != c.match {
			t.Errorf("%s: matches = %v", c.sql, !c.match)
			continue
		}
		if !c.match {
			continue
		}
		out, isJSON := q.project(m)
		if !isJSON || !jsonEqual(t, out, c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.sql, out, c.want)
		}
	}
}

func jsonEqual(t *testing.T, a []byte, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

func TestSQLBinaryPayload(t *testing.T) {
	q, _ := parseSQL("SELECT * FROM 'bin'")
	m := newMessage("bin", "", []byte{0xff, 0x00, 'x'}, time.Now())
	if out, isJSON := q.project(m); isJSON || string(out) != "\xff\x00x" {
		t.Fatalf("binary passthrough %q %v", out, isJSON)
	}
	q, _ = parseSQL("SELECT temp FROM 'bin' WHERE temp > 1")
	if q.matches(m) {
		t.Fatal("attribute of a binary payload matched")
	}
}

func TestSQLParseErrors(t *testing.T) {
	for sql, want := range map[string]string{
		"":                                     "Expected SELECT",
		"SELECT":                               "Expected an expression",
		"SELECT * FROM":                        "Expected a topic filter",
		"SELECT * FROM a/b":                    "Expected a topic filter",
		"SELECT * FROM 'a/#/b'":                "Invalid topic filter",
		"SELECT * FROM 'a' WHERE":              "Expected an expression",
		"SELECT * FROM 'a' WHERE x >":          "Expected an expression",
		"SELECT * FROM 'a' WHERE (x = 1":       "Expected ')'",
		"SELECT nosuch() FROM 'a'":             "Unknown function 'nosuch'",
		"SELECT topic(1, 2) FROM 'a'":          "Function 'topic' takes",
		"SELECT x AS FROM 'a'":                 "Expected a name after AS",
		"SELECT 'open FROM 'a'":                "Unterminated string",
		"SELECT * FROM 'a' extra":              "Expected the end of the statement",
		"SELECT x FROM 'a' WHERE x = 1 ; DROP": "Unexpected character ';'",
		"SELECT " + strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200) + " FROM 'a'": "nested too deeply",
	} {
		_, err := parseSQL(sql)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", sql, err, want)
		}
	}
}

func FuzzParseSQL(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM 'a/+'",
		"SELECT a.b AS c, topic(2) FROM '#' WHERE a.b > 1 AND NOT c = 'x' OR d <> true",
		"SELECT * AS p, timestamp() AS t FROM 'x' WHERE (a + 2) * 3 % 4 >= -1.5e3",
		"SELECT x[0] FROM 'y'",
	} {
		f.Add(s, []byte(`{"a":{"b":2},"x":[1]}`))
	}
	f.Fuzz(func(t *testing.T, sql string, payload []byte) {
		q, err := parseSQL(sql)
		if err != nil {
			if _, ok := err.(*sqlError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		m := newMessage("a/b", "c", payload, time.Unix(0, 0))
		q.matches(m)
		if out, isJSON := q.project(m); isJSON && !json.Valid(out) {
			t.Fatalf("invalid JSON output %q", out)
		}
	})
}

// A message's payload is JSON exactly when json.Valid says so, whether a
// rule only asks (SELECT *) or decodes it (attributes).
func TestMessageJSONIsLazyAndExact(t *testing.T) {
	for _, p := range []string{`{"a":1}`, `null`, `[1,2]`, `"s"`, `{"a":1} {"b":2}`, `{"a":1} x`, `{`, ``, "\xff", ` 7 `} {
		asked := newMessage("t", "", []byte(p), time.Unix(0, 0))
		_, decoded := newMessage("t", "", []byte(p), time.Unix(0, 0)).document()
		if asked.isJSON() != json.Valid([]byte(p)) || decoded != json.Valid([]byte(p)) {
			t.Errorf("%q: isJSON %v, document %v, json.Valid %v", p, asked.isJSON(), decoded, json.Valid([]byte(p)))
		}
	}
}

package partiql

import (
	"strings"
	"testing"
)

var seeds = []string{
	`SELECT * FROM "Music" WHERE Artist = 'Acme' AND SongTitle = ?`,
	`SELECT a, b.c[2], "d e" FROM Music."byYear" WHERE y BETWEEN 1 AND 2 OR NOT (x IN [1, 2]) AND z IS NOT MISSING`,
	`SELECT * FROM t WHERE begins_with(s, 'ab') AND contains(l, 3) AND attribute_type(x, 'S') AND n <> -1.5e3`,
	`INSERT INTO "Music" VALUE {'Artist': 'A', 'n': 1, 'm': {'x': [1, 'two', true, null]}, 's': <<'a', 'b'>>, 'ns': <<1, 2>>}`,
	`INSERT INTO t VALUE ?`,
	`UPDATE "Music" SET plays = plays + 1, tags = list_append(tags, ['x']) REMOVE old, other WHERE Artist = 'A' AND SongTitle = 'B'`,
	`UPDATE t SET a.b[0] = 'it''s' SET c = ? WHERE pk = 'x' AND v = 3`,
	`DELETE FROM "Music" WHERE Artist = 'A' AND SongTitle = 'B' AND plays > 3`,
}

func TestParse(t *testing.T) {
	cases := []struct {
		src    string
		kind   Kind
		table  string
		params int
		err    string
	}{
		{seeds[0], Select, "Music", 1, ""},
		{seeds[1], Select, "Music", 0, ""},
		{seeds[3], Insert, "Music", 0, ""},
		{seeds[4], Insert, "t", 1, ""},
		{seeds[5], Update, "Music", 0, ""},
		{seeds[6], Update, "t", 1, ""},
		{seeds[7], Delete, "Music", 0, ""},
		{`SELEC * FROM t`, 0, "", 0, "Unexpected keyword: SELEC"},
		{`SELECT * FROM t WHERE`, 0, "", 0, "Unexpected token: end of statement"},
		{`SELECT * FROM 't'`, 0, "", 0, "Expected a name, found 't'"},
		{`INSERT INTO t VALUE 'x'`, 0, "", 0, "Unsupported VALUE"},
		{`UPDATE t WHERE a = 1`, 0, "", 0, "Expected SET or REMOVE"},
		{`SELECT * FROM t WHERE a = 'x`, 0, "", 0, "Unterminated quote"},
		{`DELETE FROM t WHERE a = 1 extra`, 0, "", 0, "Unexpected token: extra"},
	}
	for _, c := range cases {
		st, err := Parse(c.src)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.src, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if st.Kind != c.kind || st.Table != c.table || st.Params != c.params {
			t.Errorf("%s: got kind %d table %q params %d", c.src, st.Kind, st.Table, st.Params)
		}
	}
}

// FuzzParse: any input parses or fails with an *Error, never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		st, err := Parse(src)
		if err == nil && st == nil {
			t.Fatal("nil statement without error")
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
		}
	})
}

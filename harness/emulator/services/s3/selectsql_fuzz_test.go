package s3

import "testing"

// FuzzParseSQL: any expression is parsed or refused with an sqlError,
// never a panic, and a parsed query evaluates against any record.
func FuzzParseSQL(f *testing.F) {
	for _, q := range []string{
		"SELECT * FROM S3Object",
		"select s.name, s._2 AS b from s3object s where (s.age >= 30 or not s.city = 'x') and s.n is not null limit 3",
		"SELECT COUNT(*) FROM S3Object WHERE _1 <> '' ",
		"SELECT FROM S3Object", "SELECT * FROM S3Object WHERE 'a", "SELECT upper(x) FROM S3Object", "(((",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := parseSQL(src)
		if err != nil {
			if _, ok := err.(*sqlError); !ok {
				t.Fatalf("parseSQL(%q): %T %v", src, err, err)
			}
			return
		}
		r := &csvRecord{fields: []string{"a", "1"}, header: map[string]int{"name": 0, "age": 1}}
		if q.where != nil {
			q.where.eval(r)
		}
		for i := range q.cols {
			q.cols[i].eval(r)
		}
	})
}

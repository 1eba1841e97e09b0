package s3_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestSelectObjectContent queries CSV and JSON objects (plain and GZIP)
// through the SDK's event stream reader.
func TestSelectObjectContent(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String
	mustCreateBucket(t, c, "sel")
	const people = "name,age,city\nana,31,Lisbon\nbo,25,Oslo\ncy,40,Lima\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(people))
	zw.Close()
	const lines = `{"name":"ana","age":31}` + "\n" + `{"name":"bo","age":25}` + "\n" + `{"name":"cy","age":40,"tag":null}` + "\n"
	for key, body := range map[string][]byte{"people.csv": []byte(people), "people.csv.gz": gz.Bytes(), "people.json": []byte(lines)} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b("sel"), Key: b(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	csvIn := &types.InputSerialization{CSV: &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse}}
	csvOut := &types.OutputSerialization{CSV: &types.CSVOutput{}}
	jsonOut := &types.OutputSerialization{JSON: &types.JSONOutput{}}
	run := func(key, sql string, in *types.InputSerialization, out *types.OutputSerialization) (string, *types.Stats, error) {
		t.Helper()
		res, err := c.SelectObjectContent(ctx, &s3.SelectObjectContentInput{Bucket: b("sel"), Key: b(key), Expression: b(sql),
			ExpressionType: types.ExpressionTypeSql, InputSerialization: in, OutputSerialization: out})
		if err != nil {
			return "", nil, err
		}
		st := res.GetStream()
		defer st.Close()
		var got strings.Builder
		var stats *types.Stats
		ended := false
		for ev := range st.Events() {
			switch v := ev.(type) {
			case *types.SelectObjectContentEventStreamMemberRecords:
				got.Write(v.Value.Payload)
			case *types.SelectObjectContentEventStreamMemberStats:
				stats = v.Value.Details
			case *types.SelectObjectContentEventStreamMemberEnd:
				ended = true
			}
		}
		if err := st.Err(); err != nil {
			return got.String(), stats, err
		}
		if !ended {
			t.Errorf("%s: no End event", sql)
		}
		return got.String(), stats, nil
	}
	for _, tc := range []struct {
		key, sql string
		in       *types.InputSerialization
		out      *types.OutputSerialization
		want     string
	}{
		{"people.csv", "SELECT * FROM S3Object", csvIn, csvOut, "ana,31,Lisbon\nbo,25,Oslo\ncy,40,Lima\n"},
		{"people.csv", "select s.name, s.city from S3Object s where s.age > 30 and s.city <> 'Lima'", csvIn, csvOut, "ana,Lisbon\n"},
		{"people.csv", "SELECT s._1 FROM S3Object s WHERE s._3 = 'Oslo' OR s._2 >= 40", csvIn, csvOut, "bo\ncy\n"},
		{"people.csv", "SELECT name FROM S3Object LIMIT 2", csvIn, jsonOut, "{\"name\":\"ana\"}\n{\"name\":\"bo\"}\n"},
		{"people.csv", "SELECT COUNT(*) FROM S3Object WHERE NOT (age < 30)", csvIn, csvOut, "2\n"},
		{"people.csv.gz", "SELECT s.name FROM S3Object s WHERE s.age < 30", &types.InputSerialization{CompressionType: types.CompressionTypeGzip,
			CSV: &types.CSVInput{FileHeaderInfo: types.FileHeaderInfoUse}}, csvOut, "bo\n"},
		{"people.json", "SELECT s.name, s.age FROM S3Object s WHERE s.age > 30", &types.InputSerialization{JSON: &types.JSONInput{Type: types.JSONTypeLines}},
			jsonOut, "{\"name\":\"ana\",\"age\":31}\n{\"name\":\"cy\",\"age\":40}\n"},
		{"people.json", "SELECT s.name FROM S3Object s WHERE s.tag IS NULL AND s.name != 'bo'", &types.InputSerialization{JSON: &types.JSONInput{Type: types.JSONTypeDocument}},
			csvOut, "ana\ncy\n"},
	} {
		got, stats, err := run(tc.key, tc.sql, tc.in, tc.out)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.sql, got, err, tc.want)
		}
		if err == nil && (stats == nil || aws.ToInt64(stats.BytesReturned) != int64(len(got))) {
			t.Errorf("%s: stats %+v", tc.sql, stats)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{"SELECT FROM S3Object", "ParseUnexpectedToken"},
		{"SELECT * S3Object", "ParseSelectMissingFrom"},
		{"UPDATE S3Object SET a = 1", "ParseExpectedKeyword"},
		{"SELECT upper(name) FROM S3Object", "UnsupportedSyntax"},
		{"SELECT * FROM S3Object WHERE name = 'unterminated", "LexerInvalidLiteral"},
	} {
		_, _, err := run("people.csv", tc.sql, csvIn, csvOut)
		wantAPIError(t, err, tc.code, 400)
	}
	_, _, err := run("missing.csv", "SELECT * FROM S3Object", csvIn, csvOut)
	wantAPIError(t, err, "NoSuchKey", 404)
	_, _, err = run("people.csv", "SELECT * FROM S3Object", &types.InputSerialization{Parquet: &types.ParquetInput{}}, csvOut)
	wantAPIError(t, err, "UnsupportedParquetType", 400)

	// Through the CLI, which writes the records to a file.
	outFile := filepath.Join(t.TempDir(), "out.csv")
	cli(t, e.URL(), "s3api", "select-object-content", "--bucket", "sel", "--key", "people.csv",
		"--expression", "SELECT s.name FROM S3Object s WHERE s.age > 30", "--expression-type", "SQL",
		"--input-serialization", `{"CSV":{"FileHeaderInfo":"USE"}}`, "--output-serialization", `{"CSV":{}}`, outFile)
	if got, err := os.ReadFile(outFile); err != nil || string(got) != "ana\ncy\n" {
		t.Errorf("select-object-content wrote %q, %v", got, err)
	}
}

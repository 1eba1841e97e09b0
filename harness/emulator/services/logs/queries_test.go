package logs_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// rows runs a query and returns its rows as field → value maps.
func rows(t *testing.T, c *cwl.Client, group, query string, from time.Time) ([]map[string]string, *cwl.GetQueryResultsOutput) {
	t.Helper()
	q := must(c.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String(group), QueryString: aws.String(query),
		StartTime: aws.Int64(from.Add(-time.Hour).Unix()), EndTime: aws.Int64(from.Add(time.Hour).Unix())})).ok(t)
	out := must(c.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: q.QueryId})).ok(t)
	if out.Status != types.QueryStatusComplete {
		t.Fatalf("status %s", out.Status)
	}
	var res []map[string]string
	for _, r := range out.Results {
		m := map[string]string{}
		for _, f := range r {
			m[*f.Field] = *f.Value
		}
		res = append(res, m)
	}
	return res, out
}

func TestInsightsQueries(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	mkGroup(t, c, "/q", "a", "b")
	now := time.Now().Truncate(time.Second)
	put(t, c, "/q", "a", now,
		`{"level":"ERROR","ms":120,"user":{"id":"u1"}}`,
		`{"level":"INFO","ms":30,"user":{"id":"u2"}}`,
		`{"level":"ERROR","ms":80,"user":{"id":"u1"}}`)
	put(t, c, "/q", "b", now.Add(10*time.Millisecond), "user=bob action=login took 12ms", "user=amy action=logout took 7ms", "plain line")

	// filter + fields on JSON discovery, sort
	r, out := rows(t, c, "/q", `fields @timestamp, level, ms, user.id | filter level = "ERROR" and ms > 90 | sort ms desc`, now)
	if len(r) != 1 || r[0]["ms"] != "120" || r[0]["user.id"] != "u1" || r[0]["@ptr"] == "" || r[0]["@timestamp"] == "" {
		t.Fatalf("rows %v", r)
	}
	if out.Statistics.RecordsScanned != 6 || out.Statistics.RecordsMatched != 1 || out.Statistics.BytesScanned == 0 {
		t.Fatalf("statistics %+v", out.Statistics)
	}
	// GetLogRecord follows @ptr
	rec := must(c.GetLogRecord(ctx, &cwl.GetLogRecordInput{LogRecordPointer: aws.String(r[0]["@ptr"])})).ok(t)
	if rec.LogRecord["@logStream"] != "a" || rec.LogRecord["level"] != "ERROR" || rec.LogRecord["@log"] != "000000000000:/q" {
		t.Fatalf("record %v", rec.LogRecord)
	}
	_, err := c.GetLogRecord(ctx, &cwl.GetLogRecordInput{LogRecordPointer: aws.String("nonsense!")})
	wantCode(t, err, "InvalidParameterException", "The specified log record pointer is invalid.")

	// stats by field
	r, _ = rows(t, c, "/q", `filter ispresent(level) | stats count(*) as n, avg(ms) as avgms, max(ms), sum(ms) by level | sort n desc`, now)
	if len(r) != 2 || r[0]["level"] != "ERROR" || r[0]["n"] != "2" || r[0]["avgms"] != "100" || r[0]["max(ms)"] != "120" || r[1]["sum(ms)"] != "30" {
		t.Fatalf("stats %v", r)
	}
	// parse (glob and regex), like, limit, display (@ptr always comes along)
	r, _ = rows(t, c, "/q", `parse @message "user=* action=* took *ms" as who, what, took | filter what like /log/ and took < 10 | display who, what`, now)
	if len(r) != 1 || r[0]["who"] != "amy" || r[0]["what"] != "logout" || len(r[0]) != 3 || r[0]["@ptr"] == "" {
		t.Fatalf("parse glob %v", r)
	}
	r, _ = rows(t, c, "/q", `parse @message /user=(?<who>\w+)/ | filter ispresent(who) | stats count() by bin(1h)`, now)
	if len(r) != 1 || r[0]["count()"] != "2" || !strings.HasSuffix(r[0]["bin(1h)"], ":00:00.000") {
		t.Fatalf("parse regex + bin %v", r)
	}
	r, _ = rows(t, c, "/q", `fields @message | filter @logStream = "b" or level != "INFO" | limit 2`, now)
	if len(r) != 2 {
		t.Fatalf("limit %v", r)
	}
	r, _ = rows(t, c, "/q", `filter @message not like "user" and not ispresent(level)`, now)
	if len(r) != 1 || r[0]["@message"] != "plain line" {
		t.Fatalf("not like %v", r)
	}

	// errors
	_, err = c.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("/q"), QueryString: aws.String("fields @message | frobnicate x"),
		StartTime: aws.Int64(0), EndTime: aws.Int64(now.Unix())})
	wantCode(t, err, "MalformedQueryException", "unexpected symbol found frobnicate at line 1 and position 19")
	_, err = c.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("/none"), QueryString: aws.String("fields @message"),
		StartTime: aws.Int64(0), EndTime: aws.Int64(now.Unix())})
	wantCode(t, err, "ResourceNotFoundException", "Log group '/none' does not exist for account ID '000000000000'")
	_, err = c.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("/q"), QueryString: aws.String("fields @message"),
		StartTime: aws.Int64(10), EndTime: aws.Int64(5)})
	wantCode(t, err, "InvalidParameterException", "End time should not be before the start time.")
	_, err = c.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "Query does not exist.")

	// DescribeQueries and StopQuery
	qs := must(c.DescribeQueries(ctx, &cwl.DescribeQueriesInput{LogGroupName: aws.String("/q")})).ok(t)
	if len(qs.Queries) != 6 || qs.Queries[0].Status != types.QueryStatusComplete {
		t.Fatalf("queries %d", len(qs.Queries))
	}
	_, err = c.StopQuery(ctx, &cwl.StopQueryInput{QueryId: qs.Queries[0].QueryId})
	wantCode(t, err, "InvalidParameterException", "")

	// GetLogGroupFields
	fields := must(c.GetLogGroupFields(ctx, &cwl.GetLogGroupFieldsInput{LogGroupName: aws.String("/q")})).ok(t)
	got := map[string]int32{}
	for _, f := range fields.LogGroupFields {
		got[*f.Name] = f.Percent
	}
	if got["@message"] != 100 || got["level"] != 50 || got["user.id"] != 50 {
		t.Fatalf("fields %v", got)
	}
}

func TestQueryDefinitions(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	id := must(c.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{Name: aws.String("errors/recent"), QueryString: aws.String("filter level = 'ERROR'"),
		LogGroupNames: []string{"/a"}})).ok(t).QueryDefinitionId
	must(c.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{Name: aws.String("other"), QueryString: aws.String("fields @message")})).ok(t)
	// update in place
	must(c.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{QueryDefinitionId: id, Name: aws.String("errors/all"), QueryString: aws.String("filter level = 'ERROR' | limit 5")})).ok(t)
	out := must(c.DescribeQueryDefinitions(ctx, &cwl.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String("errors/")})).ok(t)
	if len(out.QueryDefinitions) != 1 || *out.QueryDefinitions[0].Name != "errors/all" || *out.QueryDefinitions[0].QueryDefinitionId != *id ||
		!strings.HasSuffix(*out.QueryDefinitions[0].QueryString, "limit 5") {
		t.Fatalf("definitions %+v", out.QueryDefinitions)
	}
	_, err := c.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{QueryDefinitionId: aws.String("missing"), Name: aws.String("x"), QueryString: aws.String("x")})
	wantCode(t, err, "ResourceNotFoundException", "The specified query definition does not exist.")
	del := must(c.DeleteQueryDefinition(ctx, &cwl.DeleteQueryDefinitionInput{QueryDefinitionId: id})).ok(t)
	if !del.Success {
		t.Fatal("not deleted")
	}
	_, err = c.DeleteQueryDefinition(ctx, &cwl.DeleteQueryDefinitionInput{QueryDefinitionId: id})
	wantCode(t, err, "ResourceNotFoundException", "The specified query definition does not exist.")
}

// The aws CLI runs a query and reads its results.
func TestCLIStartQuery(t *testing.T) {
	t.Parallel()
	e, c := client(t)
	mkGroup(t, c, "/cli", "s")
	now := time.Now()
	put(t, c, "/cli", "s", now, "GET /a 200", "GET /b 500", "POST /c 500")
	stdout, stderr, code := emutest.CLI(t, e.URL(), "logs", "start-query", "--log-group-name", "/cli",
		"--start-time", itoa(now.Add(-time.Hour).Unix()), "--end-time", itoa(now.Add(time.Hour).Unix()),
		"--query-string", `parse @message "* * *" as method, path, status | filter status = 500 | stats count(*) as n by method | sort method`)
	if code != 0 {
		t.Fatalf("start-query: %d %s", code, stderr)
	}
	var started struct {
		QueryID string `json:"queryId"`
	}
	if err := json.Unmarshal([]byte(stdout), &started); err != nil || started.QueryID == "" {
		t.Fatalf("start-query output %s", stdout)
	}
	stdout, stderr, code = emutest.CLI(t, e.URL(), "logs", "get-query-results", "--query-id", started.QueryID)
	if code != 0 {
		t.Fatalf("get-query-results: %d %s", code, stderr)
	}
	var res struct {
		Status  string `json:"status"`
		Results [][]struct {
			Field string `json:"field"`
			Value string `json:"value"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Status != "Complete" || len(res.Results) != 2 || res.Results[0][0].Value != "GET" || res.Results[0][1].Value != "1" || res.Results[1][0].Value != "POST" {
		t.Fatalf("results %s", stdout)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

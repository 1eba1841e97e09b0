package logs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/services/logs"
)

func client(t *testing.T) (*emulator.Emulator, *cwl.Client) {
	t.Helper()
	e, cfg := emutest.Start(t)
	return e, cwl.NewFromConfig(cfg)
}

var ctx = context.Background()

// wantCode asserts err is an API error with code (and, when msg is not
// empty, that message).
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want code %s, got %s (%s)", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("want message %q, got %q", msg, ae.ErrorMessage())
	}
}

// result lets a two-value SDK call be checked inline: must(c.Op(…)).ok(t).
type result[T any] struct {
	v   T
	err error
}

func must[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) ok(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

func mkGroup(t *testing.T, c *cwl.Client, name string, streams ...string) {
	t.Helper()
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: &name})).ok(t)
	for _, s := range streams {
		must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: &name, LogStreamName: aws.String(s)})).ok(t)
	}
}

func put(t *testing.T, c *cwl.Client, group, stream string, base time.Time, msgs ...string) *cwl.PutLogEventsOutput {
	t.Helper()
	evs := make([]types.InputLogEvent, len(msgs))
	for i, m := range msgs {
		evs[i] = types.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Millisecond).UnixMilli())}
	}
	return must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: evs})).ok(t)
}

func TestLogGroups(t *testing.T) {
	_, c := client(t)
	for _, n := range []string{"/app/b", "/app/a", "/other", "/app/c", "/app/d"} {
		mkGroup(t, c, n)
	}
	_, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/app/a")})
	wantCode(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")
	_, err = c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
	wantCode(t, err, "InvalidParameterException", "")

	// prefix + paging, two at a time
	var names []string
	p := cwl.NewDescribeLogGroupsPaginator(c, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/"), Limit: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() && pages < 10 {
		out := must(p.NextPage(ctx)).ok(t)
		pages++
		if len(out.LogGroups) > 2 {
			t.Fatalf("page of %d groups with limit 2", len(out.LogGroups))
		}
		for _, g := range out.LogGroups {
			names = append(names, *g.LogGroupName)
		}
	}
	if got := strings.Join(names, ","); got != "/app/a,/app/b,/app/c,/app/d" || pages != 2 {
		t.Fatalf("groups %s in %d pages", got, pages)
	}

	out := must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/other")})).ok(t)
	if len(out.LogGroups) != 1 {
		t.Fatalf("got %d groups", len(out.LogGroups))
	}
	g := out.LogGroups[0]
	if *g.Arn != "arn:aws:logs:us-east-1:000000000000:log-group:/other:*" || *g.LogGroupArn != "arn:aws:logs:us-east-1:000000000000:log-group:/other" {
		t.Fatalf("arns %s %s", *g.Arn, *g.LogGroupArn)
	}
	if g.RetentionInDays != nil || g.CreationTime == nil || *g.StoredBytes != 0 {
		t.Fatalf("fresh group: %+v", g)
	}

	// retention: stored, validated, removable
	must(c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/other"), RetentionInDays: aws.Int32(14)})).ok(t)
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/other"), RetentionInDays: aws.Int32(4)})
	wantCode(t, err, "InvalidParameterException", "")
	_, err = c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("/nope"), RetentionInDays: aws.Int32(7)})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	out = must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/other")})).ok(t)
	if r := out.LogGroups[0].RetentionInDays; r == nil || *r != 14 {
		t.Fatalf("retention %v", r)
	}
	must(c.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("/other")})).ok(t)
	out = must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/other")})).ok(t)
	if out.LogGroups[0].RetentionInDays != nil {
		t.Fatalf("retention not removed")
	}

	// storedBytes counts messages + 26 bytes per event
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/other"), LogStreamName: aws.String("s")})).ok(t)
	put(t, c, "/other", "s", time.Now(), "12345", "1234567890")
	out = must(c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/other")})).ok(t)
	if *out.LogGroups[0].StoredBytes != 15+2*26 {
		t.Fatalf("storedBytes %d", *out.LogGroups[0].StoredBytes)
	}

	_, err = c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	wantCode(t, err, "InvalidParameterException", "")

	must(c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/other")})).ok(t)
	_, err = c.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/other")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestLogStreams(t *testing.T) {
	_, c := client(t)
	mkGroup(t, c, "g", "b", "a", "c", "x-1", "x-2")
	_, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")})
	wantCode(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("a")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a:b")})
	wantCode(t, err, "InvalidParameterException", "")

	now := time.Now()
	put(t, c, "g", "c", now.Add(-3*time.Minute), "old")
	put(t, c, "g", "a", now.Add(-1*time.Minute), "newest")
	put(t, c, "g", "b", now.Add(-2*time.Minute), "middle", "middle2")

	names := func(in *cwl.DescribeLogStreamsInput) string {
		var n []string
		p := cwl.NewDescribeLogStreamsPaginator(c, in)
		for i := 0; p.HasMorePages() && i < 20; i++ {
			for _, s := range must(p.NextPage(ctx)).ok(t).LogStreams {
				n = append(n, *s.LogStreamName)
			}
		}
		return strings.Join(n, ",")
	}
	cases := []struct {
		in   cwl.DescribeLogStreamsInput
		want string
	}{
		{cwl.DescribeLogStreamsInput{}, "a,b,c,x-1,x-2"},
		{cwl.DescribeLogStreamsInput{Limit: aws.Int32(2)}, "a,b,c,x-1,x-2"},
		{cwl.DescribeLogStreamsInput{Descending: aws.Bool(true), Limit: aws.Int32(2)}, "x-2,x-1,c,b,a"},
		{cwl.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("x-")}, "x-1,x-2"},
		{cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)}, "a,b,c,x-2,x-1"},
		{cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Limit: aws.Int32(3)}, "x-1,x-2,c,b,a"},
	}
	for i, tc := range cases {
		in := tc.in
		in.LogGroupName = aws.String("g")
		if got := names(&in); got != tc.want {
			t.Errorf("case %d: got %s, want %s", i, got, tc.want)
		}
	}
	_, err = c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("x")})
	wantCode(t, err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")

	out := must(c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g"), LogStreamNamePrefix: aws.String("b")})).ok(t)
	s := out.LogStreams[0]
	if *s.FirstEventTimestamp != now.Add(-2*time.Minute).UnixMilli() || *s.LastEventTimestamp != now.Add(-2*time.Minute+time.Millisecond).UnixMilli() || s.LastIngestionTime == nil {
		t.Fatalf("stream b: %+v", s)
	}
	if *s.Arn != "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:b" {
		t.Fatalf("arn %s", *s.Arn)
	}
	out = must(c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("x-1")})).ok(t)
	if s := out.LogStreams[0]; s.FirstEventTimestamp != nil || s.LastIngestionTime != nil {
		t.Fatalf("empty stream has event times: %+v", s)
	}

	must(c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")})).ok(t)
	_, err = c.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestPutLogEventsRules(t *testing.T) {
	_, c := client(t)
	mkGroup(t, c, "g", "s")
	now := time.Now()
	ev := func(ts time.Time, m string) types.InputLogEvent {
		return types.InputLogEvent{Timestamp: aws.Int64(ts.UnixMilli()), Message: aws.String(m)}
	}
	putRaw := func(evs ...types.InputLogEvent) (*cwl.PutLogEventsOutput, error) {
		return c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs, SequenceToken: aws.String("whatever-it-is-ignored")})
	}

	_, err := putRaw(ev(now, "b"), ev(now.Add(-time.Second), "a"))
	wantCode(t, err, "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")

	_, err = putRaw(ev(now.Add(-25*time.Hour), "a"), ev(now, "b"))
	wantCode(t, err, "InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")

	// too old (> 14 days) and too new (> 2 h ahead) are rejected, the rest kept
	out, err := putRaw(ev(now.Add(-15*24*time.Hour), "ancient"), ev(now, "kept-1"), ev(now.Add(time.Millisecond), "kept-2"), ev(now.Add(3*time.Hour), "future"))
	if err != nil {
		t.Fatal(err)
	}
	r := out.RejectedLogEventsInfo
	if r == nil || r.TooOldLogEventEndIndex == nil || *r.TooOldLogEventEndIndex != 0 || r.TooNewLogEventStartIndex == nil || *r.TooNewLogEventStartIndex != 3 || r.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejected info %+v", r)
	}
	if out.NextSequenceToken == nil {
		t.Fatal("no nextSequenceToken")
	}

	// retention: events older than the policy are "expired"
	must(c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)})).ok(t)
	out = must(putRaw(ev(now.Add(-2*24*time.Hour), "expired"), ev(now.Add(-2*24*time.Hour+time.Second), "expired-too"))).ok(t)
	if r := out.RejectedLogEventsInfo; r == nil || r.ExpiredLogEventEndIndex == nil || *r.ExpiredLogEventEndIndex != 1 {
		t.Fatalf("rejected info %+v", r)
	}

	got := must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})).ok(t)
	var msgs []string
	for _, e := range got.Events {
		msgs = append(msgs, *e.Message)
	}
	if strings.Join(msgs, ",") != "kept-1,kept-2" {
		t.Fatalf("stored %v", msgs)
	}

	// batch limits
	big := make([]types.InputLogEvent, 10_001)
	for i := range big {
		big[i] = ev(now, "x")
	}
	_, err = putRaw(big...)
	wantCode(t, err, "InvalidParameterException", "")
	huge := strings.Repeat("x", 600_000)
	_, err = putRaw(ev(now, huge), ev(now, huge))
	wantCode(t, err, "InvalidParameterException", "")

	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope"), LogEvents: []types.InputLogEvent{ev(now, "x")}})
	wantCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{ev(now, "x")}})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func messages(evs []types.OutputLogEvent) string {
	var m []string
	for _, e := range evs {
		m = append(m, *e.Message)
	}
	return strings.Join(m, ",")
}

func TestGetLogEventsTokens(t *testing.T) {
	_, c := client(t)
	mkGroup(t, c, "g", "s", "empty")
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var msgs []string
	for i := 0; i < 10; i++ {
		msgs = append(msgs, fmt.Sprintf("m%d", i))
	}
	put(t, c, "g", "s", base, msgs...) // m_i at base + i ms

	get := func(in cwl.GetLogEventsInput) *cwl.GetLogEventsOutput {
		in.LogGroupName, in.LogStreamName = aws.String("g"), aws.String("s")
		return must(c.GetLogEvents(ctx, &in)).ok(t)
	}

	// from the head, 4 at a time, forward until the same token comes back
	out := get(cwl.GetLogEventsInput{StartFromHead: aws.Bool(true), Limit: aws.Int32(4)})
	var seen []string
	seen = append(seen, messages(out.Events))
	tok := out.NextForwardToken
	for i := 0; i < 10; i++ {
		out = get(cwl.GetLogEventsInput{NextToken: tok, Limit: aws.Int32(4)})
		if *out.NextForwardToken == *tok {
			if len(out.Events) != 0 {
				t.Fatalf("same token with events %s", messages(out.Events))
			}
			break
		}
		seen = append(seen, messages(out.Events))
		tok = out.NextForwardToken
	}
	if got := strings.Join(seen, "|"); got != "m0,m1,m2,m3|m4,m5,m6,m7|m8,m9" {
		t.Fatalf("forward pages %s", got)
	}
	// new events appear for a reader holding the last forward token
	put(t, c, "g", "s", base.Add(time.Second), "late")
	out = get(cwl.GetLogEventsInput{NextToken: tok})
	if messages(out.Events) != "late" {
		t.Fatalf("follow: %s", messages(out.Events))
	}

	// without startFromHead: the newest events; backward pages go older
	out = get(cwl.GetLogEventsInput{Limit: aws.Int32(3)})
	if messages(out.Events) != "m8,m9,late" {
		t.Fatalf("tail %s", messages(out.Events))
	}
	out = get(cwl.GetLogEventsInput{NextToken: out.NextBackwardToken, Limit: aws.Int32(3)})
	if messages(out.Events) != "m5,m6,m7" {
		t.Fatalf("backward %s", messages(out.Events))
	}
	back := out.NextBackwardToken
	for i := 0; i < 5; i++ {
		out = get(cwl.GetLogEventsInput{NextToken: back, Limit: aws.Int32(3)})
		if *out.NextBackwardToken == *back {
			break
		}
		back = out.NextBackwardToken
	}
	if len(out.Events) != 0 || *out.NextBackwardToken != *back {
		t.Fatalf("backward end: %s", messages(out.Events))
	}

	// time window: start inclusive, end exclusive
	out = get(cwl.GetLogEventsInput{StartFromHead: aws.Bool(true), StartTime: aws.Int64(base.UnixMilli() + 2), EndTime: aws.Int64(base.UnixMilli() + 5)})
	if messages(out.Events) != "m2,m3,m4" {
		t.Fatalf("window %s", messages(out.Events))
	}

	// the SDK paginator with StopOnDuplicateToken sees everything once
	p := cwl.NewGetLogEventsPaginator(c, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), Limit: aws.Int32(3)},
		func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	n, pages := 0, 0
	for p.HasMorePages() && pages < 20 {
		n += len(must(p.NextPage(ctx)).ok(t).Events)
		pages++
	}
	if n != 11 || pages != 5 {
		t.Fatalf("paginator: %d events in %d pages", n, pages)
	}

	// empty stream: tokens come back, a second call returns the same one
	e1 := must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("empty"), StartFromHead: aws.Bool(true)})).ok(t)
	e2 := must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("empty"), NextToken: e1.NextForwardToken})).ok(t)
	if len(e1.Events)+len(e2.Events) != 0 || *e1.NextForwardToken != *e2.NextForwardToken {
		t.Fatalf("empty stream tokens %s %s", *e1.NextForwardToken, *e2.NextForwardToken)
	}

	_, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("garbage")})
	wantCode(t, err, "InvalidParameterException", "")
	_, err = c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestFilterLogEvents(t *testing.T) {
	_, c := client(t)
	mkGroup(t, c, "g", "api-1", "api-2", "worker")
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	put(t, c, "g", "api-1", base, // +0, +1, +2 ms
		`ERROR request failed`,
		`{"level":"ERROR","ms":250,"user":{"id":"u1"}}`,
		`INFO ok`)
	put(t, c, "g", "api-2", base.Add(500*time.Microsecond), // +0.5 → +0, +1 ms
		`WARN slow request`,
		`{"level":"INFO","ms":20,"ok":true}`)
	put(t, c, "g", "worker", base.Add(10*time.Millisecond),
		`Internal Server Error in job`,
		`ERROR Exiting now`)

	filter := func(in cwl.FilterLogEventsInput) []string {
		in.LogGroupName = aws.String("g")
		var got []string
		p := cwl.NewFilterLogEventsPaginator(c, &in)
		for i := 0; p.HasMorePages() && i < 50; i++ {
			for _, e := range must(p.NextPage(ctx)).ok(t).Events {
				got = append(got, *e.LogStreamName+":"+*e.Message)
			}
		}
		return got
	}
	cases := []struct {
		pattern string
		want    []string
	}{
		{"ERROR", []string{"api-1:ERROR request failed", `api-1:{"level":"ERROR","ms":250,"user":{"id":"u1"}}`, "worker:ERROR Exiting now"}},
		{"ERROR request", []string{"api-1:ERROR request failed"}},
		{`"Internal Server Error"`, []string{"worker:Internal Server Error in job"}},
		{"?WARN ?Internal", []string{"api-2:WARN slow request", "worker:Internal Server Error in job"}},
		{"ERROR -Exiting -level", []string{"api-1:ERROR request failed"}},
		{`{ $.level = "ERROR" }`, []string{`api-1:{"level":"ERROR","ms":250,"user":{"id":"u1"}}`}},
		{`{ $.ms > 100 || $.ok IS TRUE }`, []string{`api-1:{"level":"ERROR","ms":250,"user":{"id":"u1"}}`, `api-2:{"level":"INFO","ms":20,"ok":true}`}},
		{`{ $.user.id = "u*" && $.ms >= 250 }`, []string{`api-1:{"level":"ERROR","ms":250,"user":{"id":"u1"}}`}},
		{`{ $.user NOT EXISTS && $.level != "ERROR" }`, []string{`api-2:{"level":"INFO","ms":20,"ok":true}`}},
		{`[level=WARN, ...]`, []string{"api-2:WARN slow request"}},
		{`%Ex[a-z]+ing%`, []string{"worker:ERROR Exiting now"}},
		{"nothing-matches-this", nil},
	}
	for _, tc := range cases {
		got := filter(cwl.FilterLogEventsInput{FilterPattern: aws.String(tc.pattern)})
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("pattern %s:\n got %q\nwant %q", tc.pattern, got, tc.want)
		}
	}

	// interleaved by time across streams; pages of 2 with nextToken
	all := filter(cwl.FilterLogEventsInput{Limit: aws.Int32(2)})
	want := []string{"api-1:ERROR request failed", "api-2:WARN slow request", `api-1:{"level":"ERROR","ms":250,"user":{"id":"u1"}}`,
		`api-2:{"level":"INFO","ms":20,"ok":true}`, "api-1:INFO ok", "worker:Internal Server Error in job", "worker:ERROR Exiting now"}
	if strings.Join(all, "\n") != strings.Join(want, "\n") {
		t.Errorf("interleaved:\n got %q\nwant %q", all, want)
	}
	first := must(c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), Limit: aws.Int32(2)})).ok(t)
	if first.NextToken == nil || len(first.Events) != 2 || first.Events[0].EventId == nil || first.Events[0].IngestionTime == nil {
		t.Fatalf("first page %+v", first)
	}

	if got := filter(cwl.FilterLogEventsInput{LogStreamNames: []string{"worker"}}); len(got) != 2 {
		t.Errorf("by stream name: %q", got)
	}
	if got := filter(cwl.FilterLogEventsInput{LogStreamNamePrefix: aws.String("api-")}); len(got) != 5 {
		t.Errorf("by prefix: %q", got)
	}
	// start and end are both inclusive for FilterLogEvents
	if got := filter(cwl.FilterLogEventsInput{StartTime: aws.Int64(base.UnixMilli() + 1), EndTime: aws.Int64(base.UnixMilli() + 2)}); len(got) != 3 {
		t.Errorf("window: %q", got)
	}

	_, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.a = `)})
	wantCode(t, err, "InvalidParameterException", "Invalid filter pattern")
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"a"}, LogStreamNamePrefix: aws.String("a")})
	wantCode(t, err, "InvalidParameterException", "")
	_, err = c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

// rawCall sends an awsJson body the SDK would refuse to send and returns
// the status, the error type and its message.
func rawCall(t *testing.T, endpoint, op, body string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "Logs_20140328."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("%s: %v: %s", op, err, b)
		}
	}
	return resp.StatusCode, e.Type, e.Message
}

// TestModelConstraints checks members against the constraints of the
// CloudWatch Logs model (botocore's logs/2014-03-28): every failure at once,
// in the model's member order, as InvalidParameterException.
func TestModelConstraints(t *testing.T) {
	e, c := client(t)
	mkGroup(t, c, "g", "s")
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:g"
	cases := []struct {
		name string
		call func() error
		msg  string
	}{
		{"both names bad", func() error {
			_, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("bad name!"), LogStreamName: aws.String("a:b")})
			return err
		}, "2 validation errors detected: " +
			`Value 'bad name!' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+; ` +
			"Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"},
		{"limit and order", func() error {
			_, err := c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: "Newest", Limit: aws.Int32(0)})
			return err
		}, "2 validation errors detected: " +
			"Value 'Newest' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]; " +
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"retention period", func() error {
			_, err := c.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(4)})
			return err
		}, "1 validation error detected: Value '4' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: " +
			"[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]"},
		{"name and identifier", func() error {
			_, err := c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogGroupIdentifier: aws.String(arn), LogStreamName: aws.String("s")})
			return err
		}, "LogGroup name and LogGroup identifier are mutually exclusive parameters."},
		{"identifier is not a log group ARN", func() error {
			_, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:s3:::bucket")})
			return err
		}, "Invalid log group identifier: arn:aws:s3:::bucket"},
		{"prefix and pattern", func() error {
			_, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("g"), LogGroupNamePattern: aws.String("g")})
			return err
		}, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."},
		{"resource is not a log group", func() error {
			_, err := c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:q"), Tags: map[string]string{"a": "b"}})
			return err
		}, "Invalid resource ARN: arn:aws:sqs:us-east-1:000000000000:q"},
		{"too many stream names", func() error {
			_, err := c.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: make([]string, 101)})
			return err
		}, "1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), "InvalidParameterException", tc.msg) })
	}

	// what the SDK would refuse to send
	raw := []struct {
		name, op, body, msg string
	}{
		{"nothing at all", "CreateLogStream", `{}`, "2 validation errors detected: " +
			"Value null at 'logGroupName' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'logStreamName' failed to satisfy constraint: Member must not be null"},
		{"no group named", "GetLogEvents", `{"logStreamName":"s"}`,
			"1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"},
		{"no events", "PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[]}`,
			"1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"every event checked", "PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"message":"a"},{"timestamp":-1,"message":""},{"timestamp":1}]}`,
			"4 validation errors detected: " +
				"Value null at 'logEvents.1.member.timestamp' failed to satisfy constraint: Member must not be null; " +
				"Value '-1' at 'logEvents.2.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0; " +
				"Value '' at 'logEvents.2.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value null at 'logEvents.3.member.message' failed to satisfy constraint: Member must not be null"},
	}
	for _, tc := range raw {
		t.Run(tc.name, func(t *testing.T) {
			status, typ, msg := rawCall(t, e.URL(), tc.op, tc.body)
			if status != 400 || typ != "InvalidParameterException" || msg != tc.msg {
				t.Fatalf("got %d %s %q\nwant %q", status, typ, msg, tc.msg)
			}
		})
	}
}

func TestTags(t *testing.T) {
	_, c := client(t)
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"team": "a"}})).ok(t)
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:g"
	must(c.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "dev"}})).ok(t)
	must(c.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}})).ok(t)
	tags := must(c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: &arn})).ok(t).Tags
	if len(tags) != 1 || tags["env"] != "dev" {
		t.Fatalf("tags %v", tags)
	}
	// The emulator still serves the deprecated per-group tagging calls older clients make.
	//lint:ignore SA1019 the deprecated operations are the subject of this check
	must(c.TagLogGroup(ctx, &cwl.TagLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"k": "v"}})).ok(t)
	//lint:ignore SA1019 the deprecated operations are the subject of this check
	old := must(c.ListTagsLogGroup(ctx, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("g")})).ok(t).Tags
	if len(old) != 2 || old["k"] != "v" {
		t.Fatalf("tags %v", old)
	}
	_, err := c.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn + "x")})
	wantCode(t, err, "ResourceNotFoundException", "")
}

// TestLogWriter checks the link other services (Lambda) write through:
// groups and streams appear on demand and the events read back in order.
func TestLogWriter(t *testing.T) {
	e, c := client(t)
	var w cloud.LogWriter
	for _, s := range e.Services() {
		if ls, ok := s.(*logs.Service); ok {
			w = ls.Store()
		}
	}
	if w == nil {
		t.Fatal("logs service not registered")
	}
	now := time.Now()
	w.WriteLogs("us-east-1", "/aws/lambda/fn", "2026/01/01/[$LATEST]abc", []cloud.LogEvent{
		{Timestamp: now, Message: "START RequestId: 1"},
		{Timestamp: now.Add(time.Millisecond), Message: "END RequestId: 1"},
	})
	w.WriteLogs("us-east-1", "/aws/lambda/fn", "2026/01/01/[$LATEST]abc", []cloud.LogEvent{{Timestamp: now.Add(2 * time.Millisecond), Message: "REPORT RequestId: 1"}})
	out := must(c.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/fn"), LogStreamName: aws.String("2026/01/01/[$LATEST]abc"), StartFromHead: aws.Bool(true)})).ok(t)
	if got := messages(out.Events); got != "START RequestId: 1,END RequestId: 1,REPORT RequestId: 1" {
		t.Fatalf("events %s", got)
	}
	// the CLI sees the same group
	stdout, stderr, code := emutest.CLI(t, e.URL(), "logs", "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/")
	if code != 0 {
		t.Fatalf("cli: %s", stderr)
	}
	var dg struct {
		LogGroups []struct {
			LogGroupName string `json:"logGroupName"`
			StoredBytes  int64  `json:"storedBytes"`
		} `json:"logGroups"`
	}
	if err := json.Unmarshal([]byte(stdout), &dg); err != nil || len(dg.LogGroups) != 1 || dg.LogGroups[0].LogGroupName != "/aws/lambda/fn" || dg.LogGroups[0].StoredBytes == 0 {
		t.Fatalf("describe-log-groups: %s (%v)", stdout, err)
	}
}

func TestCLI(t *testing.T) {
	e, c := client(t)
	mkGroup(t, c, "/cli/app", "s1", "s2")
	base := time.Now().Add(-time.Minute)
	put(t, c, "/cli/app", "s1", base, "hello world", `{"level":"ERROR","msg":"boom"}`, "ERROR plain")
	put(t, c, "/cli/app", "s2", base.Add(5*time.Millisecond), "ERROR second stream")

	stdout, stderr, code := emutest.CLI(t, e.URL(), "logs", "get-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "s1", "--start-from-head", "--limit", "2")
	if code != 0 {
		t.Fatalf("get-log-events: %s", stderr)
	}
	var ge struct {
		Events []struct {
			Message   string `json:"message"`
			Timestamp int64  `json:"timestamp"`
		} `json:"events"`
		NextForwardToken  string `json:"nextForwardToken"`
		NextBackwardToken string `json:"nextBackwardToken"`
	}
	if err := json.Unmarshal([]byte(stdout), &ge); err != nil || len(ge.Events) != 2 || ge.Events[0].Message != "hello world" || !strings.HasPrefix(ge.NextForwardToken, "f/") || !strings.HasPrefix(ge.NextBackwardToken, "b/") {
		t.Fatalf("get-log-events: %s", stdout)
	}

	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		{"ERROR", []string{`{"level":"ERROR","msg":"boom"}`, "ERROR plain", "ERROR second stream"}},
		{`{ $.level = "ERROR" }`, []string{`{"level":"ERROR","msg":"boom"}`}},
		{`"second stream"`, []string{"ERROR second stream"}},
	} {
		stdout, stderr, code = emutest.CLI(t, e.URL(), "logs", "filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", tc.pattern)
		if code != 0 {
			t.Fatalf("filter-log-events %s: %s", tc.pattern, stderr)
		}
		var fe struct {
			Events []struct {
				Message       string `json:"message"`
				LogStreamName string `json:"logStreamName"`
			} `json:"events"`
		}
		if err := json.Unmarshal([]byte(stdout), &fe); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range fe.Events {
			got = append(got, e.Message)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("filter %s: got %q want %q", tc.pattern, got, tc.want)
		}
	}
	// the CLI paginates filter-log-events itself through nextToken
	stdout, stderr, code = emutest.CLI(t, e.URL(), "logs", "filter-log-events", "--log-group-name", "/cli/app", "--page-size", "1")
	if code != 0 || strings.Count(stdout, `"eventId"`) != 4 {
		t.Fatalf("paged filter-log-events: %s %s", stdout, stderr)
	}
	_, stderr, code = emutest.CLI(t, e.URL(), "logs", "get-log-events", "--log-group-name", "/cli/nope", "--log-stream-name", "s1")
	if code == 0 || !strings.Contains(stderr, "ResourceNotFoundException") || !strings.Contains(stderr, "The specified log group does not exist.") {
		t.Fatalf("missing group via CLI: %d %s", code, stderr)
	}
}

// TestModelConstraintsOnOptionalMembers: members sent empty or past their
// model's bounds are refused, not taken as absent or ignored (the
// conformance suite found them accepted).
func TestModelConstraintsOnOptionalMembers(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	mkGroup(t, c, "g")
	ids := make([]string, 21)
	for i := range ids {
		ids[i] = "000000000000"
	}
	for _, tc := range []struct {
		name string
		call func() error
		msg  string
	}{
		{"empty prefix", func() error {
			_, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("")})
			return err
		}, "1 validation error detected: Value '' at 'logGroupNamePrefix' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"empty next token", func() error {
			_, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{NextToken: aws.String("")})
			return err
		}, "1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"21 account identifiers", func() error {
			_, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{AccountIdentifiers: ids})
			return err
		}, "1 validation error detected: Value at 'accountIdentifiers' failed to satisfy constraint: Member must have length less than or equal to 20"},
		{"empty sequence token", func() error {
			_, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
				SequenceToken: aws.String(""), LogEvents: []types.InputLogEvent{{Message: aws.String("m"), Timestamp: aws.Int64(1)}}})
			return err
		}, "1 validation error detected: Value '' at 'sequenceToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), "InvalidParameterException", tc.msg) })
	}
}

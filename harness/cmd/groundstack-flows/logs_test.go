package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/emulator"
)

// lockedBuffer is a bytes.Buffer the command writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func logsCloud(t *testing.T) (endpoint string, put func(msg string)) {
	e := emulator.New()
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	c := cloudwatchlogs.NewFromConfig(backend.SDKConfig(e.URL(), ""))
	ctx := context.Background()
	group, stream := "/aws/lambda/orders", "2026/12/07/[$LATEST]abc"
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
	return e.URL(), func(msg string) {
		t.Helper()
		_, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
			LogEvents: []types.InputLogEvent{{Message: aws.String(msg), Timestamp: aws.Int64(time.Now().UnixMilli())}}})
		if err != nil {
			t.Error(err)
		}
	}
}

func TestLogsPrintsRecentEvents(t *testing.T) {
	endpoint, put := logsCloud(t)
	put("START RequestId: 1 Version: $LATEST\n")
	put(`{"level":"INFO","msg":"order stored"}`)
	var stdout, stderr bytes.Buffer
	if code := runLogs(context.Background(), []string{"--endpoint", endpoint, "orders"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "[$LATEST]abc START RequestId: 1 Version: $LATEST") ||
		!strings.HasSuffix(lines[1], `{"level":"INFO","msg":"order stored"}`) {
		t.Errorf("output:\n%s", stdout.String())
	}
}

// --follow prints new events as they come, each once, until cancelled
// (Ctrl-C), and then exits 0.
func TestLogsFollowPrintsNewEventsUntilStopped(t *testing.T) {
	endpoint, put := logsCloud(t)
	put("before")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- runLogs(ctx, []string{"--follow", "--endpoint", endpoint, "orders"}, &out, &stderr) }()
	waitFor := func(s string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(out.String(), s) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in:\n%s", s, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("before")
	put("after one")
	put("after two")
	waitFor("after two")
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("--follow did not stop")
	}
	for _, s := range []string{"before", "after one", "after two"} {
		if n := strings.Count(out.String(), " "+s+"\n"); n != 1 {
			t.Errorf("%q printed %d times:\n%s", s, n, out.String())
		}
	}
}

func TestLogsBadInput(t *testing.T) {
	endpoint, _ := logsCloud(t)
	closed := func() string {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		defer l.Close()
		return "http://" + l.Addr().String()
	}()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--endpoint", endpoint}, exitUsage, "name one function"},
		{[]string{"--endpoint", endpoint, "--nonesuch", "x"}, exitUsage, "flag provided but not defined: -nonesuch"},
		{[]string{"--endpoint", endpoint, "nobody"}, exitFailed, "nobody has no logs yet (no log group /aws/lambda/nobody"},
		{[]string{"--endpoint", closed, "orders"}, exitFailed, "connection refused"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := runLogs(context.Background(), c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q on one line", c.args, code, stderr.String(), c.code, c.want)
		}
		noStack(t, stderr.String())
	}
	var stdout, stderr bytes.Buffer
	if code := runLogs(context.Background(), []string{"--help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "--follow") && !strings.Contains(stdout.String(), "-follow") {
		t.Errorf("--help: exit %d\n%s", code, stdout.String())
	}
}

// --filter is a CloudWatch Logs filter pattern, applied by the cloud;
// flags may follow the name.
func TestLogsFilter(t *testing.T) {
	endpoint, put := logsCloud(t)
	put(`{"level":"ERROR","msg":"card declined"}`)
	put(`{"level":"INFO","msg":"order stored"}`)
	put("WARN slow downstream")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"orders", "--filter", `{ $.level = "ERROR" }`}, []string{"card declined"}},
		{[]string{"--filter", "?WARN ?declined", "orders"}, []string{"card declined", "slow downstream"}},
		{[]string{"--filter", `"order stored"`, "orders", "--since", "1h"}, []string{"order stored"}},
	} {
		var stdout, stderr bytes.Buffer
		if code := runLogs(context.Background(), append([]string{"--endpoint", endpoint}, tc.args...), &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if len(lines) != len(tc.want) {
			t.Errorf("%v: printed\n%s\nwant %d lines", tc.args, stdout.String(), len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("%v: line %d %q, want %q", tc.args, i, lines[i], w)
			}
		}
	}
	var stdout, stderr bytes.Buffer
	if code := runLogs(context.Background(), []string{"--endpoint", endpoint, "--filter", "{ $.level = ", "orders"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("a broken pattern: exit %d (%s), want %d", code, stderr.String(), exitUsage)
	}
}

// Colors: by level, only when asked for or on a terminal, never with
// NO_COLOR.
func TestLogsColors(t *testing.T) {
	endpoint, put := logsCloud(t)
	put(`{"level":"error","msg":"boom"}`)
	put("[WARN] slow")
	put("plain")
	put("REPORT RequestId: 1 Duration: 2 ms")
	var stdout, stderr bytes.Buffer
	if code := runLogs(context.Background(), []string{"--endpoint", endpoint, "--color", "always", "orders"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	want := []string{ansiRed, ansiYellow, "", ansiDim}
	if len(lines) != len(want) {
		t.Fatalf("printed:\n%s", stdout.String())
	}
	for i, c := range want {
		colored := strings.HasPrefix(lines[i], "\x1b[")
		if c == "" && colored || c != "" && (!strings.HasPrefix(lines[i], c) || !strings.HasSuffix(lines[i], ansiReset)) {
			t.Errorf("line %d %q: want color %q", i, lines[i], c)
		}
	}
	stdout.Reset()
	runLogs(context.Background(), []string{"--endpoint", endpoint, "orders"}, &stdout, &stderr)
	if strings.Contains(stdout.String(), "\x1b[") {
		t.Errorf("colored into a buffer (not a terminal):\n%q", stdout.String())
	}
	for _, tc := range []struct {
		mode, noColor string
		want          bool
	}{{"auto", "", false}, {"auto", "1", false}, {"always", "1", true}, {"never", "", false}} {
		got, err := wantColor(tc.mode, &stdout, func(k string) string {
			if k == "NO_COLOR" {
				return tc.noColor
			}
			return ""
		})
		if err != nil || got != tc.want {
			t.Errorf("wantColor(%s, NO_COLOR=%q) = %v, %v", tc.mode, tc.noColor, got, err)
		}
	}
	if _, err := wantColor("sometimes", &stdout, func(string) string { return "" }); err == nil {
		t.Error("--color sometimes accepted")
	}
}

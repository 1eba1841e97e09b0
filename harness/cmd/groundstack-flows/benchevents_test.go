package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/load/events"
)

func benchEventsCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runBenchEvents(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestBenchEventsBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--paths", "s3-lambda,nope"}, `unknown path "nope"`},
		{[]string{"--rate", "-5"}, "must not be negative"},
		{[]string{"--duration", "0s"}, "must be positive"},
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		code, _, stderr := benchEventsCLI(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want %d and one line with %q", tc.args, code, stderr, exitUsage, tc.want)
		}
		noStack(t, stderr)
	}
	code, stdout, _ := benchEventsCLI(t, "--help")
	if code != exitPassed || !strings.Contains(stdout, "sqs-longpoll") || !strings.Contains(stdout, "-collector-host") {
		t.Errorf("--help: exit %d\n%s", code, stdout)
	}
}

// One short path against a cloud given by --endpoint: the table on stdout,
// the JSON and Markdown files, and an exit status that agrees with them.
func TestBenchEventsAgainstAnEndpoint(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := backend.StartEmbedded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	out := t.TempDir()
	code, stdout, stderr := benchEventsCLI(t, "--endpoint", b.Endpoint(), "--paths", "sqs-longpoll", "--idle", "3", "--rate", "20",
		"--duration", "200ms", "--server-pid", "1", "--out", out, "--quiet")
	noStack(t, stderr)
	if !strings.Contains(stdout, "sqs-longpoll") || !strings.Contains(stdout, "20/s") {
		t.Fatalf("exit %d, no table:\n%s\n%s", code, stdout, stderr)
	}
	raw, err := os.ReadFile(filepath.Join(out, "events.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res events.Result
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || res.Backend != "external" || res.Endpoint != b.Endpoint() {
		t.Fatalf("result: %+v", res)
	}
	for _, r := range res.Rows {
		if r.Status != events.StatusMeasured || r.Lost != 0 || r.Accepted == 0 {
			t.Errorf("row %s", r.Line())
		}
	}
	if want := map[bool]int{true: exitPassed, false: exitFailed}[res.MetTargets]; code != want {
		t.Errorf("exit %d with met_targets %v", code, res.MetTargets)
	}
	if md, err := os.ReadFile(filepath.Join(out, "events.md")); err != nil || !strings.Contains(string(md), "| sqs-longpoll | idle |") {
		t.Errorf("events.md: %v\n%s", err, md)
	}
}

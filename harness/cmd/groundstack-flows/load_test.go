package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/groundstack/groundstack/load/events"
	"github.com/groundstack/groundstack/load/loadtest"
	"github.com/groundstack/groundstack/load/profile"
	"github.com/groundstack/groundstack/load/report"
)

// loadCLI runs `groundstack load args…` in-process.
func loadCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runLoad(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// summary reads dir/summary.json.
func summary(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatalf("no summary: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// noStack fails when output looks like a panic or a Go stack trace.
func noStack(t *testing.T, s string) {
	t.Helper()
	for _, bad := range []string{"goroutine ", "panic:", ".go:"} {
		if strings.Contains(s, bad) {
			t.Errorf("output shows %q:\n%s", bad, s)
		}
	}
}

func TestLoadBadInput(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.yaml")
	os.WriteFile(broken, []byte("rate:\n  - {at: 0s, rps: 5}\nmixx: {orders: 1}\n"), 0o644)
	closed := func() string {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		defer l.Close()
		return "http://" + l.Addr().String()
	}()
	fails := httpServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream down", http.StatusServiceUnavailable)
	}))
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
		status string // of summary.json; "" for none written
	}{
		{"unknown profile", []string{"--profile", "year3"}, exitUsage, `unknown profile "year3" (known: baseline, year1, year2, ramp; or a .yaml/.json file)`, ""},
		{"malformed profile file", []string{"--profile", broken}, exitUsage, "broken.yaml: line 3: field mixx not found", ""},
		{"missing profile file", []string{"--profile", filepath.Join(dir, "none.json")}, exitUsage, "none.json: no such file or directory", ""},
		{"bad threshold", []string{"--threshold", "freshness.p99<=fast"}, exitUsage, `"fast" is not a duration`, ""},
		{"bad shard", []string{"--shard", "3/2"}, exitUsage, `--shard "3/2": want 1 ≤ i ≤ n`, ""},
		{"bad flag", []string{"--profiel", "x"}, exitUsage, "flag provided but not defined: -profiel", ""},
		{"stray argument", []string{"year2"}, exitUsage, `unexpected argument "year2"`, ""},
		{"target without a password", []string{"--target", closed, "--duration", "1s"}, exitUsage, "--target needs the API's password", ""},
		{"unreachable target", []string{"--target", closed, "--password", "x", "--duration", "1s"}, exitFailed, "is unreachable: connection refused", "failed"},
		{"target answering 5xx", []string{"--target", fails, "--password", "x", "--duration", "1s"}, exitFailed, "the API answered HTTP 503 to POST /token: upstream down", "failed"},
		{"unknown event path", []string{"--events", "sns-sqs,sns-kafka"}, exitUsage, `events: unknown path "sns-kafka" (paths: s3-lambda, s3-sqs, sns-sqs`, ""},
		{"event rate without paths", []string{"--events-rate", "10"}, exitUsage, "--events-rate and --events-share need event paths", ""},
		{"event rate and share", []string{"--events", "sns-sqs", "--events-rate", "10", "--events-share", "1"}, exitUsage, "give --events-rate or --events-share, not both", ""},
		{"negative event rate", []string{"--events", "sns-sqs", "--events-rate", "-1"}, exitUsage, "must not be negative", ""},
		{"event path twice", []string{"--events", "sns-sqs,sns-sqs"}, exitUsage, "events: path sns-sqs named twice", ""},
		{"bad event threshold", []string{"--events", "sns-sqs", "--threshold", "events.sns-sqs.p98<=1s"}, exitUsage, `unknown metric "events.sns-sqs.p98"`, ""},
		{"events without a cloud", []string{"--target", fails, "--password", "x", "--duration", "1s", "--events", "sns-sqs"}, exitFailed, "event traffic needs the cloud's edge URL", "failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "load")
			code, stdout, stderr := loadCLI(t, append(tc.args, "--out", out, "--quiet")...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr:\n%s\nwant %d and %q", code, stderr, tc.code, tc.stderr)
			}
			noStack(t, stderr+stdout)
			if tc.status == "" {
				// bad input: one line, no report, nothing judged
				if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines != 1 || stdout != "" {
					t.Errorf("want one line on stderr and nothing on stdout, got stdout %q stderr %q", stdout, stderr)
				}
				if _, err := os.Stat(filepath.Join(out, "summary.json")); err == nil {
					t.Error("bad input left a summary.json")
				}
				return
			}
			m := summary(t, out)
			if m["status"] != tc.status || m["complete"] != false || !strings.Contains(m["error"].(string), tc.stderr) {
				t.Errorf("summary status %v complete %v error %v", m["status"], m["complete"], m["error"])
			}
			if _, err := os.Stat(filepath.Join(out, "junit.xml")); err != nil {
				t.Error("no junit.xml")
			}
		})
	}
}

func TestEventFlagsShapeTheProfile(t *testing.T) {
	base, _ := profile.Named("year2", 1)
	fromFile := base.WithEvents(&profile.Events{Paths: []string{"s3-sqs"}, Share: 0.5})
	cases := []struct {
		name        string
		p           profile.Profile
		paths       string
		rate, share float64
		want        *profile.Events
	}{
		{"none", base, "", 0, 0, nil},
		{"paths at the default rate", base, "sns-sqs, sqs-lambda", 0, 0, &profile.Events{Paths: []string{"sns-sqs", "sqs-lambda"}, Rate: 1000}},
		{"all", base, "all", 0, 2, &profile.Events{Paths: events.PathNames, Share: 2}},
		{"the file's events", fromFile, "", 0, 0, &profile.Events{Paths: []string{"s3-sqs"}, Share: 0.5}},
		{"the file's paths at a flag's rate", fromFile, "", 50, 0, &profile.Events{Paths: []string{"s3-sqs"}, Rate: 50}},
		{"flags replace the file's paths", fromFile, "ddb-lambda", 0, 0, &profile.Events{Paths: []string{"ddb-lambda"}, Share: 0.5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := withEventFlags(tc.p, tc.paths, tc.rate, tc.share)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Events, tc.want) {
				t.Errorf("events %+v, want %+v", p.Events, tc.want)
			}
		})
	}
	if fromFile.Events.Share != 0.5 || fromFile.Events.Rate != 0 {
		t.Errorf("the flags changed the profile they were given: %+v", fromFile.Events)
	}
}

func httpServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestLoadShardsAndMerge runs a custom profile in two shards against a
// fake API and merges them.
func TestLoadShardsAndMerge(t *testing.T) {
	_, srv := loadtest.Start("courier-app", "pw")
	defer srv.Close()
	dir := t.TempDir()
	prof := filepath.Join(dir, "steady.json")
	os.WriteFile(prof, []byte(`{"name":"steady","rate":[{"at":"0s","rps":40}],"duration":"1s","mix":{"orders":3,"metrics":1}}`), 0o644)
	var files []string
	for _, shard := range []string{"1/2", "2/2"} {
		out := filepath.Join(dir, "shard"+shard[:1])
		code, stdout, stderr := loadCLI(t, "--profile", prof, "--target", srv.URL, "--password", "pw", "--shard", shard, "--out", out, "--quiet")
		if code != exitPassed {
			t.Fatalf("shard %s: exit %d\n%s%s", shard, code, stdout, stderr)
		}
		for _, f := range []string{"summary.json", "junit.xml", "freshness.png", "latency.png", "rate.png"} {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Errorf("shard %s: %s missing", shard, f)
			}
		}
		files = append(files, filepath.Join(out, "summary.json"))
	}
	out := filepath.Join(dir, "merged")
	code, stdout, stderr := loadCLI(t, append([]string{"merge", "--out", out}, files...)...)
	if code != exitPassed || !strings.Contains(stdout, "passed") {
		t.Fatalf("merge: exit %d\n%s%s", code, stdout, stderr)
	}
	m, err := report.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if o := m.Requests["orders"]; o.OK != 30 || m.Freshness.Seen != 30 || len(m.MergedFrom) != 2 || m.Requests["metrics"].OK != 10 {
		t.Errorf("merged orders %+v, freshness %+v, from %v", o, m.Freshness, m.MergedFrom)
	}
	// bad merges
	code, _, stderr = loadCLI(t, "merge", "--out", out, files[0], files[0])
	if code != exitUsage || !strings.Contains(stderr, "shard 1/2 appears twice") {
		t.Errorf("merging a shard twice: %d %s", code, stderr)
	}
	code, _, stderr = loadCLI(t, "merge", "--out", out, prof)
	if code != exitUsage || !strings.Contains(stderr, "is not a groundstack load result") {
		t.Errorf("merging a profile: %d %s", code, stderr)
	}
	code, _, stderr = loadCLI(t, "merge")
	if code != exitUsage || !strings.Contains(stderr, "name the shards' summary.json files") {
		t.Errorf("merging nothing: %d %s", code, stderr)
	}
}

// TestLoadCtrlC interrupts `groundstack load` mid-run: it exits 130 with
// one line, and the partial report is written and marked incomplete.
// groundstack hands the command to groundstack-flows in the same process,
// so the signal and the exit status are the user's.
func TestLoadCtrlC(t *testing.T) {
	_, srv := loadtest.Start("courier-app", "pw")
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "load")
	cmd := groundstack(t, "load", "--profile", "year2", "--duration", "1m", "--target", srv.URL, "--password", "pw", "--out", out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("still running 30 s after Ctrl-C")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "groundstack load: interrupted after") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	noStack(t, stderr.String()+stdout.String())
	m := summary(t, out)
	if m["status"] != "interrupted" || m["complete"] != false || m["passed"] != false {
		t.Errorf("summary status %v complete %v passed %v", m["status"], m["complete"], m["passed"])
	}
	if sent := m["requests"].(map[string]any)["orders"].(map[string]any)["sent"].(float64); sent < 1 {
		t.Errorf("partial report has no orders (%v)", sent)
	}
	if !strings.Contains(stdout.String(), "INCOMPLETE (interrupted)") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	junit, _ := os.ReadFile(filepath.Join(out, "junit.xml"))
	if !strings.Contains(string(junit), `<failure message="the run is interrupted`) {
		t.Errorf("junit:\n%s", junit)
	}
}

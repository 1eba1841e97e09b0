package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/backend"
)

const logsUsage = `groundstack logs — a Lambda function's or a log group's events, from the running cloud

Usage:
  groundstack logs [--follow] [--since 10m] [--filter PATTERN] [--endpoint URL] FUNCTION
  groundstack logs [--follow] [--since 10m] [--filter PATTERN] [--endpoint URL] /LOG/GROUP

Description:
  FUNCTION reads the log group /aws/lambda/FUNCTION; a name starting with / is
  a log group itself (/scriptrunner/executions). Without --follow it prints the
  events of the last --since and ends; with --follow it then polls every 500 ms
  and prints each new event once, until Ctrl-C (what aws logs tail --follow
  does; the aws CLI v1 has no logs tail). --filter is a CloudWatch Logs filter
  pattern (ERROR, "exact phrase", ?ERROR ?WARN, { $.level = "error" },
  [ip, user, ...]), applied by the cloud's FilterLogEvents.

  Each line is: time (UTC), log stream, message. On a terminal, lines are
  colored by level (ERROR red, WARN yellow, DEBUG and the runtime's START/END/
  REPORT lines dim): the level is a JSON message's "level" field or a level word
  at the start of the message. NO_COLOR (any value) or --color never turns
  color off; --color always keeps it when piped.

  The endpoint is --endpoint, else GROUNDSTACK_ENDPOINT, else
  http://127.0.0.1:$GROUNDSTACK_PORT (4566). Flags may come before or after the
  name.

Examples:
  groundstack logs orders-api
  groundstack logs --follow --filter '?ERROR ?WARN' orders-api
  groundstack logs --since 1h --filter '{ $.level = "error" }' /scriptrunner/executions

Exit status:
  0 the events were printed (or --follow was stopped), 1 the cloud could not be
  read (no such group, refused), 2 bad usage.

Flags:
`

// logsPoll is how often --follow asks for new events.
const logsPoll = 500 * time.Millisecond

// runLogs is `groundstack logs`; it returns the exit status.
func runLogs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("logs", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	follow := fs.Bool("follow", false, "keep printing new events until Ctrl-C")
	fs.BoolVar(follow, "f", false, "short for --follow")
	since := fs.Duration("since", 10*time.Minute, "print the events of this long ago onwards")
	filter := fs.String("filter", "", "a CloudWatch Logs filter pattern the events must match")
	color := fs.String("color", "auto", "color lines by level: auto (on a terminal, unless NO_COLOR), always or never")
	endpoint := fs.String("endpoint", defaultEndpoint(), "the cloud's edge URL")
	region := fs.String("region", envOr("AWS_REGION", envOr("AWS_DEFAULT_REGION", "us-east-1")), "the region")
	// Flags may follow the name: parse again after each positional.
	var names []string
	for rest := args; ; {
		if code, ok := parseFlags(fs, rest, "logs", logsUsage, stdout, stderr); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(names) != 1 || strings.TrimSpace(names[0]) == "" {
		fmt.Fprintln(stderr, "groundstack logs: name one function (or a log group starting with /)")
		return exitUsage
	}
	if *since <= 0 {
		fmt.Fprintln(stderr, "groundstack logs: --since must be positive")
		return exitUsage
	}
	colored, err := wantColor(*color, stdout, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "groundstack logs: %v\n", err)
		return exitUsage
	}
	name := names[0]
	group := name
	if !strings.HasPrefix(group, "/") {
		group = "/aws/lambda/" + group
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := cloudwatchlogs.NewFromConfig(backend.SDKConfig(strings.TrimRight(*endpoint, "/"), *region))
	t := &tail{client: client, group: group, filter: *filter, color: colored, out: stdout, seen: map[string]int64{}, from: time.Now().Add(-*since).UnixMilli()}
	err = t.run(ctx, *follow)
	var ae smithy.APIError
	switch {
	case err == nil || ctx.Err() != nil:
		return exitPassed // Ctrl-C ends --follow: what was asked for
	case errors.Is(err, errNoGroup):
		fmt.Fprintf(stderr, "groundstack logs: %s has no logs yet (no log group %s at %s); --follow waits for them\n", name, group, *endpoint)
	case errors.As(err, &ae) && ae.ErrorCode() == "InvalidParameterException" && *filter != "":
		fmt.Fprintf(stderr, "groundstack logs: --filter %q: %s\n", *filter, ae.ErrorMessage())
		return exitUsage
	default:
		fmt.Fprintf(stderr, "groundstack logs: %v\n", err)
	}
	return exitFailed
}

// wantColor decides --color: auto colors a terminal unless NO_COLOR is set
// (https://no-color.org: any value).
func wantColor(mode string, out io.Writer, getenv func(string) string) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if getenv("NO_COLOR") != "" {
			return false, nil
		}
		f, ok := out.(*os.File)
		if !ok {
			return false, nil
		}
		st, err := f.Stat()
		return err == nil && st.Mode()&os.ModeCharDevice != 0, nil
	}
	return false, fmt.Errorf("--color %q: want auto, always or never", mode)
}

// ANSI colors of the levels.
const (
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	ansiReset  = "\x1b[0m"
)

// levelColor is the color of a message's level: a JSON message's "level"
// (or "severity", "levelname") field, else the first word, as Lambda's
// runtimes and most loggers write it ("ERROR", "[WARN]", "level=warn").
func levelColor(msg string) string {
	lvl := ""
	if strings.HasPrefix(msg, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(msg), &m) == nil {
			for _, k := range []string{"level", "severity", "levelname", "Level"} {
				if v, ok := m[k].(string); ok {
					lvl = v
					break
				}
			}
		}
	}
	if lvl == "" {
		first, _, _ := strings.Cut(strings.TrimSpace(msg), " ")
		first = strings.TrimPrefix(first, "level=")
		lvl = strings.Trim(first, "[]:")
	}
	switch strings.ToUpper(lvl) {
	case "ERROR", "ERR", "FATAL", "CRITICAL", "PANIC":
		return ansiRed
	case "WARN", "WARNING":
		return ansiYellow
	case "DEBUG", "TRACE", "START", "END", "REPORT", "INIT_START":
		return ansiDim
	}
	return ""
}

var errNoGroup = errors.New("no such log group")

// lookback is how far before the newest event printed each poll asks
// again: an event may be stored after a newer one (a Lambda instance's log
// batch arrives late), and is then still printed, once.
const lookback = 30 * time.Second

// tail prints a group's events once each.
type tail struct {
	client *cloudwatchlogs.Client
	group  string
	filter string // a filter pattern, or ""
	color  bool
	out    io.Writer
	from   int64            // ms: nothing older is printed
	newest int64            // ms of the newest event printed
	seen   map[string]int64 // event IDs printed, with their time (pruned past lookback)
	waited bool             // "waiting for the group" said
}

func (t *tail) run(ctx context.Context, follow bool) error {
	for {
		err := t.fetch(ctx)
		switch {
		case errors.Is(err, errNoGroup) && follow:
			if !t.waited {
				fmt.Fprintf(t.out, "(waiting for %s: the function has not logged yet)\n", t.group)
				t.waited = true
			}
		case err != nil:
			return err
		}
		if !follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(logsPoll):
		}
	}
}

// fetch prints the events since t.from, page after page.
func (t *tail) fetch(ctx context.Context) error {
	start := max(t.from, t.newest-lookback.Milliseconds())
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(t.group), StartTime: aws.Int64(start)}
	if t.filter != "" {
		in.FilterPattern = aws.String(t.filter)
	}
	for {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		page, err := t.client.FilterLogEvents(cctx, in)
		cancel()
		if err != nil {
			var nf *types.ResourceNotFoundException
			if errors.As(err, &nf) {
				return errNoGroup
			}
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read %s: %w", t.group, unwrapSDK(err))
		}
		for _, ev := range page.Events {
			t.print(ev)
		}
		if page.NextToken == nil || aws.ToString(page.NextToken) == "" {
			return nil
		}
		in.NextToken = page.NextToken
	}
}

func (t *tail) print(ev types.FilteredLogEvent) {
	ts := aws.ToInt64(ev.Timestamp)
	id := aws.ToString(ev.EventId)
	if id == "" {
		id = aws.ToString(ev.LogStreamName) + "/" + strconv.FormatInt(ts, 10) + "/" + aws.ToString(ev.Message)
	}
	if _, dup := t.seen[id]; dup || ts < t.from {
		return
	}
	t.seen[id] = ts
	if ts > t.newest {
		t.newest = ts
		for k, at := range t.seen {
			if at < t.newest-2*lookback.Milliseconds() {
				delete(t.seen, k)
			}
		}
	}
	msg := strings.TrimRight(aws.ToString(ev.Message), "\n")
	line := fmt.Sprintf("%s %s %s", time.UnixMilli(ts).UTC().Format("2006-01-02T15:04:05.000Z"), aws.ToString(ev.LogStreamName), msg)
	if c := levelColor(msg); t.color && c != "" {
		line = c + line + ansiReset
	}
	fmt.Fprintln(t.out, line)
}

// unwrapSDK keeps an SDK error's cause: "connection refused", not the
// whole operation chain.
func unwrapSDK(err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return errors.New("connection refused (is groundstack up running? is the endpoint right?)")
	}
	return err
}

// defaultEndpoint is GROUNDSTACK_ENDPOINT, or the local edge on
// GROUNDSTACK_PORT (4566).
func defaultEndpoint() string {
	if v := os.Getenv("GROUNDSTACK_ENDPOINT"); v != "" {
		return v
	}
	return "http://127.0.0.1:" + envOr("GROUNDSTACK_PORT", "4566")
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

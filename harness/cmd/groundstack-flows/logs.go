package main

import (
	"context"
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

	"github.com/groundstack/groundstack/harness/backend"
)

const logsUsage = `groundstack logs — a Lambda function's logs, from the running cloud's CloudWatch Logs

Usage:
  groundstack logs [--follow] [--since 10m] [--endpoint URL] FUNCTION
  groundstack logs [--follow] … /log/group/name

FUNCTION reads the group /aws/lambda/FUNCTION; a name starting with / is a
group itself (e.g. /scriptrunner/executions). Without --follow it prints the
events of the last --since and ends; with --follow it then prints new events
as they come, until Ctrl-C (what aws logs tail --follow does; the aws CLI v1
has no logs tail). The endpoint is --endpoint, else GROUNDSTACK_ENDPOINT,
else http://127.0.0.1:$GROUNDSTACK_PORT (4566).

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
	endpoint := fs.String("endpoint", defaultEndpoint(), "the cloud's edge URL")
	region := fs.String("region", envOr("AWS_REGION", envOr("AWS_DEFAULT_REGION", "us-east-1")), "the region")
	if code, ok := parseFlags(fs, args, "logs", logsUsage, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 || strings.TrimSpace(fs.Arg(0)) == "" {
		fmt.Fprintln(stderr, "groundstack logs: name one function (or a log group starting with /)")
		return exitUsage
	}
	if *since <= 0 {
		fmt.Fprintln(stderr, "groundstack logs: --since must be positive")
		return exitUsage
	}
	group := fs.Arg(0)
	if !strings.HasPrefix(group, "/") {
		group = "/aws/lambda/" + group
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	client := cloudwatchlogs.NewFromConfig(backend.SDKConfig(strings.TrimRight(*endpoint, "/"), *region))
	t := &tail{client: client, group: group, out: stdout, seen: map[string]int64{}, from: time.Now().Add(-*since).UnixMilli()}
	err := t.run(ctx, *follow)
	switch {
	case err == nil || ctx.Err() != nil:
		return exitPassed // Ctrl-C ends --follow: what was asked for
	case errors.Is(err, errNoGroup):
		fmt.Fprintf(stderr, "groundstack logs: %s has no logs yet (no log group %s at %s); --follow waits for them\n", fs.Arg(0), group, *endpoint)
	default:
		fmt.Fprintf(stderr, "groundstack logs: %v\n", err)
	}
	return exitFailed
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
	fmt.Fprintf(t.out, "%s %s %s\n", time.UnixMilli(ts).UTC().Format("2006-01-02T15:04:05.000Z"), aws.ToString(ev.LogStreamName), msg)
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

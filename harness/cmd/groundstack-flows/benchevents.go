package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/load/events"
)

const benchEventsUsage = `groundstack bench-events — measure event freshness on every messaging path

Usage:
  groundstack bench-events [--paths s3-lambda,…] [--idle 200] [--rate 1000] [--duration 10s] [--endpoint URL] [flags]

Description:
Measures, for each path, the time from the producing call's acknowledgement to the
consumer's handler start: S3 PUT → Lambda (s3-lambda), S3 PUT → SQS (s3-sqs), SNS
publish → SQS (sns-sqs), SNS → Lambda (sns-lambda), SQS → Lambda through an event
source mapping (sqs-lambda), DynamoDB write → Streams → Lambda (ddb-lambda), and SQS
SendMessage → a waiting long poll (sqs-longpoll). Lambda consumers are the probe
function handlers/eventprobe, which reports its start time to a collector on this
machine; queue consumers are long-polling SDK clients. Each path is measured alone:
--idle events one at a time, then open loop at --rate events/s for --duration.

Without --endpoint the embedded emulator is started in this process
(GROUNDSTACK_BACKEND selects another backend); --endpoint measures any cloud
(another groundstack, LocalStack), whose functions must reach the collector
(--collector-host). A path the cloud cannot set up is reported with the reason.

Output: a table on stdout; events.json (HDR histograms included) and events.md in
--out.

Examples:
  groundstack bench-events
  groundstack bench-events --paths sns-sqs,sqs-lambda --rate 500 --duration 30s
  groundstack bench-events --endpoint http://127.0.0.1:4566 --collector-host 172.17.0.1

Exit status:
  0 every measured path met its targets (p99 ≤ 20 ms idle, ≤ 100 ms at the rate,
  long-poll wake-up ≤ 2 ms, nothing lost) and none failed (unsupported ones are
  left out), 1 not, 2 bad input, 130 interrupted.

Flags:
`

// runBenchEvents is `groundstack bench-events`; it returns the exit status.
func runBenchEvents(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench-events", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	endpoint := fs.String("endpoint", "", "the cloud's edge URL (default: start the backend GROUNDSTACK_BACKEND names, embedded by default)")
	region := fs.String("region", envOr("AWS_REGION", "us-east-1"), "region with --endpoint")
	paths := fs.String("paths", strings.Join(events.PathNames, ","), "paths to measure, comma-separated")
	idle := fs.Int("idle", events.DefaultIdleEvents, "events one at a time per path (0: skip the idle phase)")
	rate := fs.Float64("rate", events.DefaultRate, "open-loop events/s per path (0: skip the phase)")
	dur := fs.Duration("duration", events.DefaultDuration, "length of the open-loop phase")
	deadline := fs.Duration("deadline", events.DefaultDeadline, "an event not seen this long after its acknowledgement is lost")
	warmup := fs.Duration("warmup", events.DefaultWarmup, "how long a path's first event may take (cold start) before the path counts as not delivering")
	out := fs.String("out", filepath.Join("build", "bench-events"), "directory for events.json and events.md")
	listen := fs.String("collector-listen", "127.0.0.1:0", "the collector's listen address")
	advertise := fs.String("collector-host", "", "host[:port] the functions reach the collector at (default: the listen address)")
	serverPID := fs.Int("server-pid", 0, "with --endpoint: the emulator's process on this machine, for CPU per event (with its descendants)")
	consumers := fs.Int("consumers", events.DefaultConsumers, "long-polling receivers per queue")
	quiet := fs.Bool("quiet", false, "no progress lines")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (the harness, and the embedded backend without --endpoint) to FILE")
	if code, ok := parseFlags(fs, args, "bench-events", benchEventsUsage, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "groundstack bench-events: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	o := events.Options{
		Idle: *idle, Rate: *rate, Duration: *dur, Deadline: *deadline, Warmup: *warmup,
		CollectorListen: *listen, CollectorAdvertise: *advertise, Consumers: *consumers,
	}
	if *idle == 0 {
		o.Idle = -1
	}
	if *rate == 0 {
		o.Rate = -1
	}
	for _, p := range strings.Split(*paths, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.Paths = append(o.Paths, p)
		}
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintln(stderr, "groundstack bench-events:", err)
		return exitUsage
	}
	if *idle < 0 || *rate < 0 || *dur <= 0 || *deadline <= 0 || *warmup <= 0 {
		fmt.Fprintln(stderr, "groundstack bench-events: --idle and --rate must not be negative, --duration, --deadline and --warmup must be positive")
		return exitUsage
	}
	if !*quiet {
		o.Progress = stderr
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "groundstack bench-events: --cpuprofile:", err)
			return exitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "groundstack bench-events: --cpuprofile:", err)
			return exitUsage
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)

	if *endpoint != "" {
		ep := strings.TrimRight(*endpoint, "/")
		o.Config, o.Endpoint, o.Backend = backend.SDKConfig(ep, *region), ep, "external"
		if a := os.Getenv(backend.EnvMQTTAddr); a != "" {
			o.MQTT = events.MQTTBroker{Address: a, Username: os.Getenv(backend.EnvMQTTUsername), Password: os.Getenv(backend.EnvMQTTPassword)}
		}
		if *serverPID > 0 {
			o.CPU = events.ProcessCPU(*serverPID)
		}
	} else {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		b, err := backend.FromEnv(sctx)
		cancel()
		if err != nil {
			fmt.Fprintln(stderr, "groundstack bench-events: start the backend:", err)
			return exitFailed
		}
		defer b.Close()
		o.Config, o.Endpoint, o.Backend = b.Config(), b.Endpoint(), b.Name()
		if m, err := backend.MQTTOf(b); err == nil {
			o.MQTT = events.MQTTBroker{Address: m.Address, Username: m.Username, Password: m.Password}
		}
		if b.Name() == "embedded" {
			o.CPU = events.SelfCPU()
		}
	}
	fmt.Fprintf(stderr, "groundstack bench-events: %s at %s; paths %s\n", o.Backend, o.Endpoint, strings.Join(o.Paths, ", "))
	res, err := events.Run(ctx, o)
	if res == nil {
		fmt.Fprintln(stderr, "groundstack bench-events:", err)
		return exitFailed
	}
	fmt.Fprint(stdout, res.Table())
	files, werr := res.Write(*out)
	if werr != nil {
		fmt.Fprintln(stderr, "groundstack bench-events: write the report:", werr)
		return exitFailed
	}
	fmt.Fprintf(stdout, "written: %s\n", strings.Join(files, ", "))
	switch {
	case res.Interrupted:
		return exitInterrupted
	case !res.MetTargets:
		return exitFailed
	}
	return exitPassed
}

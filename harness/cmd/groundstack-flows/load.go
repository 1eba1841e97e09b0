package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"

	"golang.org/x/term"
	"gopkg.in/yaml.v3"

	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/load/events"
	"github.com/groundstack/groundstack/load/profile"
	"github.com/groundstack/groundstack/load/report"
	"github.com/groundstack/groundstack/load/run"
)

// Exit codes of `groundstack load`.
const (
	exitPassed      = 0
	exitFailed      = 1 // a threshold failed, or the run could not be made
	exitUsage       = 2 // bad flags, unknown profile, malformed file
	exitInterrupted = 130
)

const loadUsage = `groundstack load — drive the deliveries flow with a growth profile and prove its freshness

Usage:
  groundstack load [--profile year2] [--duration 60s] [--target URL] [--out build/load] [flags]
  groundstack load merge [--out DIR] [--threshold EXPR]… shard1.json shard2.json …

Description:
Profiles: baseline (the original: one courier client posting every 5 s, one dashboard
polling every 2 s; --clients N for N of each), year1 (×6), year2 (×12), ramp (+100
requests/s every 5 s until a step breaks: the capacity), or a YAML/JSON file:

  name: black-friday
  rate: [{at: 0s, rps: 10}, {at: 1m, rps: 400}, {at: 2m, rps: 400}]   # requests/s, linear
  mix: {orders: 8, pedidos: 1, metrics: 1}                          # weights of the kinds
  # or, instead of rate: ramp: {start: 50, step: 50, every: 5s, max: 2000, p99: 1s}
  events: {paths: [sns-sqs, sqs-lambda], rate: 200}                # optional event traffic
  # events/s per path, or share: 0.5 (events per request, per path: follows the rate)

Events: --events s3-lambda,sns-sqs (or all) mixes event traffic in, on the same cloud:
the paths of groundstack bench-events (s3-lambda, s3-sqs, sns-sqs, sns-lambda,
sqs-lambda, ddb-lambda, sqs-longpoll), each at --events-rate events/s (default 1000)
or --events-share events per request. Each path's freshness (producing call
acknowledged → consumer's handler start), lost and duplicates are reported beside
the orders', and judged by events.<path>.p99<=100ms and events.<path>.lost==0.
With --target, the paths are made through --events-endpoint (default: --target when
it is an edge URL); functions report to a collector on --collector-listen.

Target: without --target the embedded backend is started (GROUNDSTACK_BACKEND selects
another) and the deliveries flow deployed on it. --target is either the API's invoke
URL (…/restapis/{id}/prod/_user_request_, …/_aws/execute-api/{id}/prod,
https://{id}.execute-api.{region}.amazonaws.com/prod, a Function URL) or a cloud's edge
URL (http://127.0.0.1:4566): then the REST API named --api-name is found through the SDK.
A target needs --user/--password (default password: $DELIVERIES_DEMO_PASSWORD).

Thresholds (k6-style, metric op value): default freshness.max<=10s, freshness.p99<=2s,
lost==0, errors<0.1%; on a ramp capacity>0 (each step is judged by those limits, with
the ramp's p99, 1s by default); with events, events.<path>.p99<=100ms and
events.<path>.lost==0 for each path. --threshold replaces the default on the same
metric (events.p99<=… replaces every path's p99); --thresholds FILE (a YAML/JSON list)
replaces them all. Metrics: freshness.{p50,p90,p99,max,mean,misses,lost}, errors,
{orders,pedidos,metrics,logins}.{errors,latency.p99,…}, latency.p99 (orders),
dropped, late, rate.achieved, capacity (ramp, orders/s), events.{p50,p90,p99,max,mean,
lost,duplicates,seen,accepted,failed,dropped,rate.achieved} (the worst path; counts
summed) and events.<path>.<same> (one path; a path not set up fails its thresholds).

Output in --out: summary.json (histograms included, for merge; events per path), junit.xml (one testcase
per threshold), freshness.png, latency.png, rate.png.

Examples:
  groundstack load --profile baseline --duration 30s
  groundstack load --profile year2 --events sns-sqs,sqs-lambda --out build/load
  groundstack load --profile ramp --target http://127.0.0.1:4566 --user courier1

Exit status:
  0 passed, 1 a threshold failed or the run failed, 2 bad input, 130 interrupted
  (the partial report is written, marked incomplete).

Flags:
`

// thresholdFlags collects repeated --threshold values.
type thresholdFlags []string

func (t *thresholdFlags) String() string     { return strings.Join(*t, ",") }
func (t *thresholdFlags) Set(s string) error { *t = append(*t, s); return nil }

// faultFlags collects repeated --fault values, each a JSON rule.
type faultFlags []faults.Rule

func (f *faultFlags) String() string { return fmt.Sprint(len(*f), " rules") }
func (f *faultFlags) Set(s string) error {
	var r faults.Rule
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return fmt.Errorf("a fault rule is a JSON object such as {\"service\":\"dynamodb\",\"operation\":\"PutItem\",\"error\":\"ThrottlingException\"}: %v", err)
	}
	*f = append(*f, r)
	return nil
}

// runLoad is `groundstack load`; it returns the exit status.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "merge" {
		return runLoadMerge(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	prof := fs.String("profile", "year2", "profile name (baseline, year1, year2, ramp) or a YAML/JSON file")
	dur := fs.Duration("duration", 0, "run length (default: the profile's; a ramp's longest run)")
	clients := fs.Int("clients", 1, "courier clients (and dashboards) of baseline, year1 and year2")
	target := fs.String("target", "", "the flow's API invoke URL or a cloud's edge URL (default: start the embedded backend and deploy)")
	out := fs.String("out", filepath.Join("build", "load"), "directory for summary.json, junit.xml and the charts")
	shard := fs.String("shard", "", "run shard i/n of the profile (1/4 … 4/4), one per machine; then `load merge`")
	var ths thresholdFlags
	fs.Var(&ths, "threshold", "a threshold, e.g. 'freshness.p99<=1s' (repeatable)")
	var faultRules faultFlags
	fs.Var(&faultRules, "fault", `a fault rule in force during the run, as JSON (repeatable), e.g. '{"service":"dynamodb","operation":"PutItem","error":"ProvisionedThroughputExceededException","probability":0.05}'`)
	thFile := fs.String("thresholds", "", "a YAML/JSON list of thresholds replacing the defaults")
	user := fs.String("user", run.DefaultUser, "login for --target")
	password := fs.String("password", os.Getenv("DELIVERIES_DEMO_PASSWORD"), "password for --target (default $DELIVERIES_DEMO_PASSWORD)")
	apiName := fs.String("api-name", run.DefaultAPIName, "REST API name to find when --target is an edge URL")
	stage := fs.String("stage", "", "stage of that API (default prod, or its only stage)")
	budget := fs.Duration("budget", run.DefaultBudget, "freshness budget: misses are later, lost are unseen after twice it")
	maxInFlight := fs.Int("max-in-flight", 0, "requests under way before more are dropped (default 10000)")
	seed := fs.Uint64("seed", 0, "seed of the orders' contents (0: from the clock)")
	quiet := fs.Bool("quiet", false, "no live progress")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (the generator, and the embedded backend without --target) to FILE")
	evPaths := fs.String("events", "", "event paths to drive beside the flow, comma-separated, or all (default: the profile's events)")
	evRate := fs.Float64("events-rate", 0, fmt.Sprintf("events/s per path (default %d when neither this nor --events-share is given)", events.DefaultRate))
	evShare := fs.Float64("events-share", 0, "events per request of the profile's rate, per path (follows the growth curve or the ramp)")
	evEndpoint := fs.String("events-endpoint", "", "with --target: the cloud's edge URL the event paths are made on (default: --target when it is one)")
	region := fs.String("region", envOr("AWS_REGION", "us-east-1"), "region of --events-endpoint")
	evWarmup := fs.Duration("events-warmup", events.DefaultWarmup, "how long a path's first event may take (cold start) before the path counts as failed")
	listen := fs.String("collector-listen", "127.0.0.1:0", "the event collector's listen address")
	advertise := fs.String("collector-host", "", "host[:port] the probe functions reach the collector at (default: the listen address)")
	if code, ok := parseFlags(fs, args, "load", loadUsage, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "groundstack load: unexpected argument %q (flags come as --name value)\n", fs.Arg(0))
		return exitUsage
	}
	// bad input is one line and stops before any report: nothing ran
	usageFail := func(_ string, err error) int {
		fmt.Fprintln(stderr, "groundstack load:", err)
		return exitUsage
	}
	if *target != "" && *password == "" {
		return usageFail("", fmt.Errorf("--target needs the API's password: --password or DELIVERIES_DEMO_PASSWORD (groundstack up prints the demo logins), and --user (default %s)", run.DefaultUser))
	}
	p, err := profile.Load(*prof, *clients)
	if err != nil {
		return usageFail(*prof, err)
	}
	p = p.WithDuration(*dur)
	if p, err = withEventFlags(p, *evPaths, *evRate, *evShare); err != nil {
		return usageFail(p.Name, err)
	}
	if err := p.Validate(); err != nil {
		return usageFail(p.Name, fmt.Errorf("profile %s: %v", p.Name, err))
	}
	if err := run.ValidateEvents(p); err != nil {
		return usageFail(p.Name, err)
	}
	if *evWarmup <= 0 {
		return usageFail(p.Name, errors.New("--events-warmup must be positive"))
	}
	if *shard != "" {
		i, n, err := profile.ParseShard(*shard)
		if err != nil {
			return usageFail(p.Name, err)
		}
		if p, err = p.Shard(i, n); err != nil {
			return usageFail(p.Name, err)
		}
	}
	checks, err := thresholdList(*thFile, ths, report.Defaults(p))
	if err != nil {
		return usageFail(p.Name, err)
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return usageFail(p.Name, fmt.Errorf("--cpuprofile: %v", err))
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return usageFail(p.Name, fmt.Errorf("--cpuprofile: %v", err))
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// a second Ctrl-C ends the process at once
	context.AfterFunc(ctx, stop)
	o := run.Options{Profile: p, Shard: *shard, Target: *target, APIName: *apiName, Stage: *stage, User: *user, Password: *password,
		Thresholds: checks, Budget: *budget, MaxInFlight: *maxInFlight, Seed: *seed, Faults: faultRules,
		Events: run.EventOptions{Endpoint: *evEndpoint, Region: *region, CollectorListen: *listen, CollectorAdvertise: *advertise, Warmup: *evWarmup}}
	if !*quiet {
		o.Progress = stderr
		if f, ok := stderr.(*os.File); ok {
			o.Terminal = term.IsTerminal(int(f.Fd()))
		}
	}
	fmt.Fprintf(stderr, "groundstack load: profile %s (%s) for %v, target %s\n", p.Name, describe(p), p.Length(), targetName(*target))
	if e := p.Events; e != nil {
		pace := fmt.Sprintf("%g events/s", e.Rate)
		if e.Share > 0 {
			pace = fmt.Sprintf("%g events per request", e.Share)
		}
		fmt.Fprintf(stderr, "groundstack load: events on %s, %s per path\n", strings.Join(e.Paths, ", "), pace)
	}
	res, runErr := run.Run(ctx, o)
	if runErr != nil {
		fmt.Fprintln(stderr, "groundstack load:", runErr)
	}
	files, werr := writeOutputs(*out, res, res.Status != report.StatusFailed)
	printSummary(stdout, res, files)
	if werr != nil {
		fmt.Fprintln(stderr, "groundstack load: write the report:", werr)
		return exitFailed
	}
	switch {
	case res.Status == report.StatusInterrupted:
		return exitInterrupted
	case !res.Passed:
		return exitFailed
	}
	return exitPassed
}

// runLoadMerge is `groundstack load merge`.
func runLoadMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("load merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, loadUsage); fs.PrintDefaults() }
	out := fs.String("out", filepath.Join("build", "load", "merged"), "directory for the merged summary, JUnit and charts")
	var ths thresholdFlags
	fs.Var(&ths, "threshold", "a threshold (repeatable; default the flow's)")
	thFile := fs.String("thresholds", "", "a YAML/JSON list of thresholds replacing the defaults")
	budget := fs.Duration("budget", run.DefaultBudget, "freshness budget the ramp steps are judged by")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPassed
		}
		return exitUsage
	}
	if fs.NArg() < 1 {
		fmt.Fprintln(stderr, "groundstack load merge: name the shards' summary.json files")
		return exitUsage
	}
	var rs []*report.Result
	for _, path := range fs.Args() {
		r, err := report.ReadFile(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = fmt.Errorf("%s: %v", path, pe.Err)
			}
			fmt.Fprintln(stderr, "groundstack load merge:", err)
			return exitUsage
		}
		rs = append(rs, r)
	}
	checks, err := thresholdList(*thFile, ths, report.Defaults(rs[0].Profile))
	if err != nil {
		fmt.Fprintln(stderr, "groundstack load merge:", err)
		return exitUsage
	}
	rule := report.StepRule{Budget: *budget}
	if rs[0].Profile.Ramp != nil {
		rule.P99 = rs[0].Profile.Ramp.P99.D()
	}
	m, err := report.Merge(fs.Args(), rs, checks, rule)
	if err != nil {
		fmt.Fprintln(stderr, "groundstack load merge:", err)
		return exitUsage
	}
	files, err := writeOutputs(*out, m, true)
	printSummary(stdout, m, files)
	if err != nil {
		fmt.Fprintln(stderr, "groundstack load merge: write the report:", err)
		return exitFailed
	}
	if !m.Passed {
		return exitFailed
	}
	return exitPassed
}

// withEventFlags applies --events, --events-rate and --events-share to the
// profile's event traffic: --events replaces its paths ("all": every path);
// a rate or share replaces its pace (1,000 events/s per path by default).
func withEventFlags(p profile.Profile, paths string, rate, share float64) (profile.Profile, error) {
	if rate < 0 || share < 0 {
		return p, errors.New("--events-rate and --events-share must not be negative")
	}
	if rate > 0 && share > 0 {
		return p, errors.New("give --events-rate or --events-share, not both")
	}
	e := profile.Events{}
	if p.Events != nil {
		e = *p.Events
	}
	if paths = strings.TrimSpace(paths); paths != "" {
		e.Paths = nil
		if paths == "all" {
			e.Paths = append(e.Paths, events.PathNames...)
		} else {
			for _, name := range strings.Split(paths, ",") {
				if name = strings.TrimSpace(name); name != "" {
					e.Paths = append(e.Paths, name)
				}
			}
		}
	}
	if len(e.Paths) == 0 {
		if rate > 0 || share > 0 {
			return p, errors.New("--events-rate and --events-share need event paths: --events sns-sqs,… (or an events section in the profile)")
		}
		return p, nil
	}
	switch {
	case rate > 0:
		e.Rate, e.Share = rate, 0
	case share > 0:
		e.Rate, e.Share = 0, share
	case e.Rate == 0 && e.Share == 0:
		e.Rate = events.DefaultRate
	}
	return p.WithEvents(&e), nil
}

// thresholdList is the defaults (or file's list) with flags replacing
// thresholds on the same metric.
func thresholdList(file string, flags, defaults []string) ([]report.Threshold, error) {
	base := defaults
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("thresholds file %s: %v", file, err)
		}
		var list []string
		if err := yaml.Unmarshal(b, &list); err != nil {
			var doc struct {
				Thresholds []string `yaml:"thresholds"`
			}
			if err2 := yaml.Unmarshal(b, &doc); err2 != nil || doc.Thresholds == nil {
				return nil, fmt.Errorf("thresholds file %s: want a list of thresholds such as [\"freshness.p99<=1s\", \"lost==0\"]", file)
			}
			list = doc.Thresholds
		}
		base = list
	}
	return report.Thresholds(base, flags)
}

// writeOutputs writes the summary, the JUnit file and (with charts) the
// PNGs into dir, returning the paths written.
func writeOutputs(dir string, r *report.Result, charts bool) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	sum, junit := filepath.Join(dir, "summary.json"), filepath.Join(dir, "junit.xml")
	if err := r.WriteJSON(sum); err != nil {
		return files, err
	}
	files = append(files, sum)
	if err := r.WriteJUnit(junit); err != nil {
		return files, err
	}
	files = append(files, junit)
	if charts {
		pngs, err := r.WriteCharts(dir)
		files = append(files, pngs...)
		if err != nil {
			return files, err
		}
	}
	return files, nil
}

// printSummary prints the result's line, each threshold, and the files.
func printSummary(w io.Writer, r *report.Result, files []string) {
	var b bytes.Buffer
	fmt.Fprintln(&b, r.Line())
	if r.Target.APIURL != "" {
		fmt.Fprintf(&b, "  target: %s (%s)\n", r.Target.APIURL, r.Target.How)
	}
	for _, e := range r.Events {
		fmt.Fprintf(&b, "  events %s\n", e.Line())
	}
	if r.Error != "" {
		fmt.Fprintf(&b, "  %s: %s\n", r.Status, r.Error)
	}
	if r.Ramp != nil {
		for _, s := range r.Ramp.Steps {
			mark := "held"
			if !s.Held {
				mark = "—"
			}
			fmt.Fprintf(&b, "  step %2d %6.0f req/s: %7.1f orders/s achieved, latency p99 %8.1fms, freshness p99 %8.1fms max %8.1fms  %s %s\n",
				s.Index, s.RPS, s.AchievedOrders, s.Orders.Latency.P99, s.Freshness.P99, s.Freshness.Max, mark, s.Why)
		}
	}
	for _, c := range r.Thresholds {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "  %s %-24s observed %s\n", mark, c.Expr, c.Shown)
	}
	verdict := "passed"
	switch {
	case r.Status != report.StatusComplete:
		verdict = "INCOMPLETE (" + r.Status + ")"
	case !r.Passed:
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "%s — %s\n", verdict, strings.Join(files, ", "))
	_, _ = w.Write(b.Bytes())
}

func describe(p profile.Profile) string {
	if p.Ramp != nil {
		return fmt.Sprintf("ramp from %.0f requests/s, +%.0f every %v, %.0f%% orders", p.Ramp.Start, p.Ramp.Step, p.Ramp.Every, p.Mix.Share(profile.Orders)*100)
	}
	return fmt.Sprintf("%.3g orders/s and %.3g reads/s at the start", p.KindRateAt(profile.Orders, 0),
		p.KindRateAt(profile.Pedidos, 0)+p.KindRateAt(profile.Metrics, 0))
}

func targetName(t string) string {
	if t == "" {
		return "the embedded backend (deployed by this run)"
	}
	return t
}

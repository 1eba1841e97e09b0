package run

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/deploy/deliveries"
	"github.com/groundstack/groundstack/harness/emulator/faults"
	ld "github.com/groundstack/groundstack/load/deliveries"
	"github.com/groundstack/groundstack/load/events"
	"github.com/groundstack/groundstack/load/freshness"
	"github.com/groundstack/groundstack/load/openloop"
	"github.com/groundstack/groundstack/load/profile"
	"github.com/groundstack/groundstack/load/report"
)

// Defaults of Options.
const (
	DefaultUser      = "courier-app"
	DefaultReader    = "monitor"
	DefaultAPIName   = deliveries.APIName
	DefaultBudget    = 10 * time.Second
	DefaultStopGrace = 2 * time.Second
	// dashboardPage is the page size the dashboard asks /pedidos for.
	dashboardPage = 20
	// probePage is the page size the freshness probe reads /pedidos in.
	probePage     = 1000 // the most a page may hold; reads size pages by need
	probeMaxPages = 40
	// tokenRenewal renews a session's token this long before it expires.
	tokenRenewal = 2 * time.Minute
)

// Options describe a run.
type Options struct {
	// Profile is the load shape (already sharded: see profile.Shard).
	Profile profile.Profile
	// Shard labels the result ("2/4"); "" for a whole run.
	Shard string
	// Target is the flow's URL (see apiURL); "" starts the backend
	// GROUNDSTACK_BACKEND selects (embedded by default) and deploys the
	// deliveries flow on it.
	Target string
	// Faults are put in force on the cloud for the run (its edge URL: the
	// backend started here, --target as an edge URL, or Events.Endpoint).
	Faults []faults.Rule
	// APIName and Stage find the API when Target is a cloud's edge URL.
	APIName, Stage string
	// User and Password log in to a Target (User also posts the orders);
	// a deployed flow's own demo logins are used otherwise.
	User, Password string
	// Thresholds to check (report.Defaults of the profile when nil).
	Thresholds []report.Threshold
	// Budget is the freshness budget (default 10 s); a write unseen at
	// twice the budget is lost.
	Budget time.Duration
	// MaxInFlight bounds requests under way (see openloop).
	MaxInFlight int
	// StopGrace is how long requests and probes may finish after Ctrl-C.
	StopGrace time.Duration
	// Progress, when set, gets live progress: a progress bar when
	// Terminal, a line every few seconds otherwise.
	Progress io.Writer
	Terminal bool
	// Seed makes the orders' contents repeatable (0: from the clock).
	Seed uint64
	// Events says where Profile.Events' paths are made and how they
	// report (unused without them).
	Events EventOptions
}

// EventOptions place the event traffic of a profile (profile.Events).
type EventOptions struct {
	// Endpoint is the cloud the event paths are made on when Target is
	// given (default: Target, when it is a cloud's edge URL); Region its
	// region (default us-east-1).
	Endpoint, Region string
	// CollectorListen and CollectorAdvertise place the collector the
	// probe functions report to (see events.Options).
	CollectorListen, CollectorAdvertise string
	// Warmup is how long a path's first event may take (default 30 s).
	Warmup time.Duration
}

// Run drives the deliveries flow with o.Profile and returns the result. It
// always returns a result, saying what happened; err is non-nil when the
// run could not start or was interrupted (the result is then marked
// failed or interrupted and holds whatever was measured).
func Run(ctx context.Context, o Options) (*report.Result, error) {
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	if o.StopGrace <= 0 {
		o.StopGrace = DefaultStopGrace
	}
	if o.APIName == "" {
		o.APIName = DefaultAPIName
	}
	if o.User == "" {
		o.User = DefaultUser
	}
	checks := o.Thresholds
	if checks == nil {
		checks, _ = report.Thresholds(report.Defaults(o.Profile), nil)
	}
	rule := report.StepRule{Budget: o.Budget}
	if o.Profile.Ramp != nil {
		rule.P99 = o.Profile.Ramp.P99.D()
	}
	res := &report.Result{Profile: o.Profile, Shard: o.Shard, Started: time.Now(), Machine: machine()}
	res.Freshness.BudgetMS = float64(o.Budget.Milliseconds())
	fail := func(status string, err error) (*report.Result, error) {
		if ctx.Err() != nil && status == report.StatusFailed {
			status, err = report.StatusInterrupted, errors.New("interrupted during set-up")
		}
		res.Status, res.Error, res.Ended = status, err.Error(), time.Now()
		res.Machine.LoadEnd = report.LoadAverage()
		res.Finish(checks, rule)
		return res, err
	}
	if err := o.Profile.Validate(); err != nil {
		return fail(report.StatusFailed, fmt.Errorf("profile %s: %v", o.Profile.Name, err))
	}
	if err := ValidateEvents(o.Profile); err != nil {
		return fail(report.StatusFailed, err)
	}
	// the cloud the event paths are made on
	var (
		cloud         aws.Config
		cloudEndpoint string
	)

	// The target: a backend started here with the flow deployed, or a URL.
	var (
		writer, reader ld.Client
		wcred, rcred   credentials
		closeBackend   = func() {}
	)
	if o.Target == "" {
		b, err := backend.FromEnv(ctx)
		if err != nil {
			return fail(report.StatusFailed, fmt.Errorf("start the backend: %v", err))
		}
		var once sync.Once
		closeBackend = func() { once.Do(func() { _ = b.Close() }) }
		defer closeBackend()
		st, err := deliveries.Deploy(ctx, b.Config(), deliveries.Options{})
		if err != nil {
			return fail(report.StatusFailed, fmt.Errorf("deploy the deliveries flow on the %s backend: %v", b.Name(), err))
		}
		res.Target = report.Target{Kind: "embedded", Backend: b.Name(), Endpoint: b.Endpoint(), APIURL: st.APIURL,
			How: "deployed by this run (harness/deploy/deliveries)"}
		cloud, cloudEndpoint = b.Config(), b.Endpoint()
		wcred, rcred = stackLogin(st, DefaultUser), stackLogin(st, DefaultReader)
	} else {
		api, how, endpoint, err := apiURL(ctx, o.Target, o.APIName, o.Stage)
		res.Target = report.Target{Kind: "target", Endpoint: endpoint, APIURL: api, How: how}
		if err != nil {
			return fail(report.StatusFailed, err)
		}
		if o.Password == "" {
			return fail(report.StatusFailed, fmt.Errorf("--target needs the API's credentials: --user (default %s) and --password (or DELIVERIES_DEMO_PASSWORD)", DefaultUser))
		}
		wcred = credentials{o.User, o.Password}
		rcred = wcred
		cloudEndpoint = strings.TrimRight(o.Events.Endpoint, "/")
		if cloudEndpoint == "" {
			cloudEndpoint = endpoint
		}
		if cloudEndpoint == "" && o.Profile.Events != nil {
			return fail(report.StatusFailed, fmt.Errorf("event traffic needs the cloud's edge URL: give --target as one (http://127.0.0.1:4566) or --events-endpoint"))
		}
		region := o.Events.Region
		if region == "" {
			region = "us-east-1"
		}
		cloud = backend.SDKConfig(cloudEndpoint, region)
	}
	writer, reader = *ld.NewClient(res.Target.APIURL), *ld.NewClient(res.Target.APIURL)

	// Pre-flight: one login and one read, so a wrong URL, bad credentials
	// or a failing API stop the run with one clear line.
	if err := preflight(ctx, &reader, rcred); err != nil {
		return fail(report.StatusFailed, err)
	}
	// Event traffic: its paths set up and warmed before the clock starts
	var evs *events.Traffic
	if e := o.Profile.Events; e != nil {
		var err error
		evs, err = events.StartTraffic(ctx, events.Options{Config: cloud, Endpoint: cloudEndpoint, Paths: e.Paths, Deadline: o.Budget,
			Warmup: o.Events.Warmup, CollectorListen: o.Events.CollectorListen, CollectorAdvertise: o.Events.CollectorAdvertise, Progress: o.Progress})
		if err != nil {
			return fail(report.StatusFailed, err)
		}
		defer func() { _ = evs.Close(ctx) }()
	}

	// Faults: in force from the first request to the last, then removed;
	// the report keeps them with how many calls each hit.
	finishFaults := func() []faults.Rule { return nil }
	if len(o.Faults) > 0 {
		if cloudEndpoint == "" {
			return fail(report.StatusFailed, errors.New("faults need the cloud's edge URL: give --target as one (http://127.0.0.1:4566) or --events-endpoint"))
		}
		fc := &faults.Client{Endpoint: cloudEndpoint, Credentials: cloud.Credentials, Region: cloud.Region}
		added, err := fc.Add(ctx, o.Faults...)
		if err != nil {
			return fail(report.StatusFailed, err)
		}
		var once sync.Once
		var hit []faults.Rule
		finishFaults = func() []faults.Rule {
			once.Do(func() {
				ctx := context.WithoutCancel(ctx)
				if now, err := fc.List(ctx); err == nil {
					for _, r := range now {
						if slices.ContainsFunc(added, func(a faults.Rule) bool { return a.ID == r.ID }) {
							hit = append(hit, r)
						}
					}
				}
				for _, a := range added {
					_ = fc.Remove(ctx, a.ID)
				}
			})
			return hit
		}
		defer finishFaults()
	}

	cpuBefore, childBefore := cpuTimes()

	sessions := max(o.Profile.Sessions, 1)
	length := o.Profile.Length()
	writers, err := newSessions(ctx, &writer, wcred, sessions)
	if err != nil {
		return fail(report.StatusFailed, err)
	}
	readers, err := newSessions(ctx, &reader, rcred, 1)
	if err != nil {
		return fail(report.StatusFailed, err)
	}
	seed := o.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	// unique per run, so runs on several machines never share an order ID
	prefix := fmt.Sprintf("LOAD-%s-%04x", time.Now().UTC().Format("20060102T150405"), rand.Uint32N(1<<16))
	if o.Shard != "" {
		prefix += "-s" + strings.ReplaceAll(o.Shard, "/", "of")
	}
	gen, err := ld.NewGenerator(prefix, seed)
	if err != nil {
		return fail(report.StatusFailed, err)
	}

	// Requests get their own context: Ctrl-C stops issuing at once, and
	// cuts what is under way only after StopGrace.
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	stopWatch := context.AfterFunc(ctx, func() { time.AfterFunc(o.StopGrace, cancelReqs) })
	defer stopWatch()

	// offset 0 of the schedule, the recorder and the ramp steps
	start := time.Now()
	rec := report.NewRecorder(start, report.BucketFor(length), o.Profile.Ramp)
	writers.record(rec)
	readers.record(rec)
	probeClient := ld.NewClient(res.Target.APIURL)
	probeRead := ld.OrdersSincePath(func(c context.Context) *ld.Client { return probeClient.WithToken(readers.token(c)) }, probePage, probeMaxPages)
	probe, err := freshness.NewSince(probeRead, freshness.Options{Budget: o.Budget, OnSeen: rec.Seen, OnLost: rec.Lost})
	if err != nil {
		return fail(report.StatusFailed, err)
	}
	probe.Start(reqCtx)

	t := &traffic{rec: rec, writer: &writer, reader: &reader, writers: writers, readers: readers, wcred: wcred,
		gen: gen, probe: probe, ctx: reqCtx}
	var streams []openloop.Stream
	for _, kind := range profile.Kinds {
		if o.Profile.Mix.Share(kind) == 0 {
			continue
		}
		kind := kind
		streams = append(streams, openloop.Stream{Name: kind, Rate: func(at time.Duration) float64 { return o.Profile.KindRateAt(kind, at) }})
		t.kinds = append(t.kinds, kind)
	}
	var eventStreams []int // stream index → path index, after the kinds
	if evs != nil {
		t.events = evs
		for i, name := range evs.Paths() {
			if evs.Ready(i) {
				streams = append(streams, openloop.Stream{Name: "events " + name, Rate: o.Profile.EventRateAt})
				eventStreams = append(eventStreams, i)
			}
		}
		t.eventStreams = eventStreams
	}

	schedCtx, stopSched := context.WithCancel(ctx)
	defer stopSched()
	var rampMu sync.Mutex
	rampStop := ""
	if r := o.Profile.Ramp; r != nil {
		go watchRamp(schedCtx, rec, *r, rule, func(why string) {
			rampMu.Lock()
			rampStop = why
			rampMu.Unlock()
			stopSched()
		})
	}
	stopProgress := startProgress(o.Progress, o.Terminal, rec, length, o.Budget, o.Profile.Name)
	stats := openloop.Run(schedCtx, streams, length, openloop.Options{
		MaxInFlight: o.MaxInFlight,
		Start:       start,
		Fire:        t.fire,
		Dropped: func(ev openloop.Event) {
			if ev.Stream >= len(t.kinds) {
				return // counted from the stream's stats
			}
			rec.Due(t.kinds[ev.Stream], ev.Offset)
			rec.Dropped(t.kinds[ev.Stream], ev.Offset)
		},
	})

	// Every write settles (seen or lost), unless Ctrl-C cut the run short.
	drainCtx, cancelDrain := context.WithTimeout(ctx, 2*o.Budget+5*time.Second)
	if ctx.Err() != nil {
		drainCtx, cancelDrain = context.WithTimeout(context.WithoutCancel(ctx), o.StopGrace)
	}
	var eventFigs []*report.EventPath
	var eventsDone sync.WaitGroup
	if evs != nil {
		fed := make([]events.Fed, len(evs.Paths()))
		for si, st := range stats.Streams[len(t.kinds):] {
			fed[eventStreams[si]] = events.Fed{Intended: st.Intended, Late: st.Late, Dropped: st.Dropped, Seconds: stats.Elapsed.Seconds()}
		}
		eventsDone.Add(1)
		go func() {
			defer eventsDone.Done()
			eventFigs = evs.Finish(drainCtx, fed)
		}()
	}
	pr := probe.Drain(drainCtx)
	eventsDone.Wait()
	cancelDrain()
	stopProgress()
	cancelReqs()

	out := rec.Result(stats.Elapsed)
	out.Faults = finishFaults()
	out.Profile, out.Shard, out.Target, out.Machine = res.Profile, res.Shard, res.Target, res.Machine
	out.Events = eventFigs
	out.Ended = time.Now()
	out.Seconds = stats.Elapsed.Seconds()
	f := &out.Freshness
	f.BudgetMS = res.Freshness.BudgetMS
	f.Reads, f.ReadErrors, f.MaxReadGapMS, f.LastReadError = pr.Reads, pr.ReadErrors, float64(pr.MaxReadGap.Microseconds())/1000, pr.LastReadError
	f.LostIDs = pr.LostIDs
	out.Status = report.StatusComplete
	var runErr error
	if ctx.Err() != nil {
		out.Status = report.StatusInterrupted
		out.Error = fmt.Sprintf("interrupted after %.1fs of %v: the figures cover what ran", stats.Elapsed.Seconds(), length)
		if f.Pending > 0 {
			out.Error += fmt.Sprintf("; %d orders were still unseen", f.Pending)
		}
		runErr = errors.New(out.Error)
	}
	rampMu.Lock()
	if out.Ramp != nil {
		switch {
		case out.Status == report.StatusInterrupted:
			out.Ramp.StoppedBy = "interrupted"
		case rampStop != "":
			out.Ramp.StoppedBy = rampStop
		}
	}
	rampMu.Unlock()
	if evs != nil {
		if err := evs.Close(ctx); err != nil && o.Progress != nil {
			fmt.Fprintln(o.Progress, "event paths: cleanup:", err)
		}
	}
	closeBackend()
	cpuAfter, childAfter := cpuTimes()
	out.Machine.CPUSecs, out.Machine.ChildCPU = (cpuAfter - cpuBefore).Seconds(), (childAfter - childBefore).Seconds()
	out.Machine.LoadEnd = report.LoadAverage()
	out.Finish(checks, rule)
	return out, runErr
}

// ValidateEvents checks the profile's event paths by name (the profile
// package only knows their syntax).
func ValidateEvents(p profile.Profile) error {
	for _, name := range p.EventPaths() {
		if _, err := events.NewPath(name); err != nil {
			return fmt.Errorf("profile %s: events: %v", p.Name, err)
		}
	}
	return nil
}

// credentials are a login.
type credentials struct{ user, password string }

func stackLogin(st deliveries.Stack, user string) credentials {
	for _, l := range st.Logins {
		if l.Username == user {
			return credentials{l.Username, l.Password}
		}
	}
	return credentials{st.Logins[0].Username, st.Logins[0].Password}
}

// preflight logs in once and reads one page.
func preflight(ctx context.Context, c *ld.Client, cred credentials) error {
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tok, _, err := login(cctx, c, cred)
	if err != nil {
		return err
	}
	r, err := c.WithToken(tok).Do(cctx, "GET", "/pedidos?limit=1", nil, nil)
	if err != nil {
		return unreachable(c.Base, err)
	}
	if r.Status != 200 {
		return fmt.Errorf("the API answered HTTP %d to GET /pedidos: %s", r.Status, short(r.Body))
	}
	return nil
}

// login posts credentials to /token; the error is one line saying why.
func login(ctx context.Context, c *ld.Client, cred credentials) (token string, expires time.Duration, err error) {
	body, _ := json.Marshal(map[string]string{"username": cred.user, "password": cred.password})
	r, err := c.Do(ctx, "POST", "/token", body, nil)
	if err != nil {
		return "", 0, unreachable(c.Base, err)
	}
	switch {
	case r.Status == 401 || r.Status == 403:
		return "", 0, fmt.Errorf("login as %s refused (HTTP %d): check --user and --password", cred.user, r.Status)
	case r.Status >= 500:
		return "", 0, fmt.Errorf("the API answered HTTP %d to POST /token: %s", r.Status, short(r.Body))
	case r.Status != 200:
		return "", 0, fmt.Errorf("POST /token answered HTTP %d: %s (is --target the deliveries API?)", r.Status, short(r.Body))
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if json.Unmarshal(r.Body, &out) != nil || out.AccessToken == "" {
		return "", 0, fmt.Errorf("POST /token answered 200 without a token: %s (is --target the deliveries API?)", short(r.Body))
	}
	expires = time.Duration(out.ExpiresIn) * time.Second
	if expires <= 0 {
		expires = 30 * time.Minute
	}
	return out.AccessToken, expires, nil
}

// short is a response body cut to one short line.
func short(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}

// machine describes this machine at the start.
func machine() report.Machine {
	host, _ := os.Hostname()
	return report.Machine{Host: host, CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadStart: report.LoadAverage()}
}

// cpuTimes is this process's CPU time and that of its ended children
// (the embedded backend's Lambda instances, once it is closed).
func cpuTimes() (self, children time.Duration) {
	var ru syscall.Rusage
	tv := func(t syscall.Timeval) time.Duration {
		return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
	}
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		self = tv(ru.Utime) + tv(ru.Stime)
	}
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		children = tv(ru.Utime) + tv(ru.Stime)
	}
	return self, children
}

// watchRamp judges each ramp step once its orders had time to settle (2 ×
// the p99 limit + 0.5 s after its end; anything unsettled by then counts
// as over the limit) and calls stop at the first that breaks.
func watchRamp(ctx context.Context, rec *report.Recorder, r profile.Ramp, rule report.StepRule, stop func(why string)) {
	p99 := r.P99.D()
	if p99 <= 0 {
		p99 = time.Second
	}
	grace := 2*p99 + 500*time.Millisecond
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for next := 0; next < r.Steps(); {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		end := time.Duration(next+1) * r.Every.D()
		if time.Since(rec.Start()) < end+grace {
			continue
		}
		s := rec.StepNow(next)
		if s == nil {
			return
		}
		if held, why := rule.Verdict(s); !held {
			stop(fmt.Sprintf("step %d (%.0f requests/s) broke: %s", next, s.RPS, why))
			return
		}
		next++
	}
}

// courier is a random courier for an order (the fixtures have 8).
func courier() int { return rand.IntN(8) }

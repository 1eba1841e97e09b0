package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http/httptrace"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
	"github.com/groundstack/groundstack/load/openloop"
	"github.com/groundstack/groundstack/load/report"
)

// Defaults of Options, from the measurement plan.
const (
	DefaultIdleEvents = 200
	DefaultRate       = 1000
	DefaultDuration   = 10 * time.Second
	DefaultDeadline   = 10 * time.Second
	DefaultWarmup     = 30 * time.Second
	// Targets the figures are reported against.
	TargetIdleP99 = 20 * time.Millisecond
	TargetRateP99 = 100 * time.Millisecond
	// TargetWakeup is the long-poll wake-up objective (sqs-longpoll's p99 at idle).
	TargetWakeup = 2 * time.Millisecond
	// maxEvents bounds one phase's events (the book keeps each until the end).
	maxEvents = 2_000_000
	// callTimeout bounds one producing call.
	callTimeout = 10 * time.Second
	// settle is how long duplicates may still come after a path's last wait.
	settle = 300 * time.Millisecond
)

// Phases of a path's measurement.
const (
	PhaseIdle = "idle" // one event at a time
	PhaseRate = "rate" // open loop at Options.Rate
)

// Options tune a run; the zero value measures every path with the defaults.
type Options struct {
	// Config reaches the cloud; Endpoint and Backend describe it for the report.
	Config   aws.Config
	Endpoint string
	Backend  string
	// Paths to measure (default PathNames).
	Paths []string
	// MQTT is the cloud's broker, for the mqtt-lambda path.
	MQTT MQTTBroker
	// Idle events, one at a time (default 200; < 0 skips the phase).
	Idle int
	// Rate (events/s) and Duration of the open-loop phase (defaults 1,000/s
	// and 10 s; Rate < 0 skips the phase).
	Rate     float64
	Duration time.Duration
	// Deadline after acceptance: an event not seen by then is lost (default 10 s).
	Deadline time.Duration
	// Warmup is how long a path's first event may take (cold start, a
	// mapping's first poll) before the path counts as not delivering.
	Warmup time.Duration
	// CollectorListen is the collector's listen address (default
	// 127.0.0.1:0); CollectorAdvertise the host[:port] functions reach it at
	// (default the listen address).
	CollectorListen, CollectorAdvertise string
	// Consumers per queue (default 4).
	Consumers int
	// CPU measures the server's CPU per event; nil leaves it out.
	CPU *CPUMeter
	// Progress, when set, is told what runs.
	Progress io.Writer
	// Run names the resources and event IDs (default random).
	Run string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	if len(o.Paths) == 0 {
		o.Paths = PathNames
	}
	if o.Idle == 0 {
		o.Idle = DefaultIdleEvents
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.Duration <= 0 {
		o.Duration = DefaultDuration
	}
	if o.Deadline <= 0 {
		o.Deadline = DefaultDeadline
	}
	if o.Warmup <= 0 {
		o.Warmup = DefaultWarmup
	}
	if o.Run == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.Run = hex.EncodeToString(b[:])
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Validate checks the options before anything starts.
func (o Options) Validate() error {
	for _, p := range o.Paths {
		if _, err := NewPath(p); err != nil {
			return err
		}
	}
	if o.Rate > 100_000 {
		return fmt.Errorf("rate %v events/s is above 100,000", o.Rate)
	}
	// every event is followed until seen: bound what the book holds
	if o.Rate > 0 && o.Rate*o.Duration.Seconds() > maxEvents || o.Idle > maxEvents {
		return fmt.Errorf("at most %d events per phase (rate × duration, idle)", maxEvents)
	}
	if o.Run != "" {
		for _, c := range o.Run {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') || len(o.Run) > 12 {
				return fmt.Errorf("run name %q: up to 12 of [a-z0-9]", o.Run)
			}
		}
	}
	return nil
}

// Run measures every path of o in turn, each alone on the cloud.
func Run(ctx context.Context, o Options) (*Result, error) {
	o.defaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	paths := make([]Path, len(o.Paths))
	for i, name := range o.Paths {
		paths[i], _ = NewPath(name)
	}
	return RunPaths(ctx, o, paths)
}

// RunPaths measures the given paths (Run's paths, or others for tests).
func RunPaths(ctx context.Context, o Options, paths []Path) (*Result, error) {
	o.defaults()
	book := NewBook()
	col, err := StartCollector(book, o.CollectorListen, o.CollectorAdvertise)
	if err != nil {
		return nil, fmt.Errorf("start the collector: %w", err)
	}
	defer col.Close()
	env := &Env{Config: o.Config, Run: o.Run, Book: book, CollectorURL: col.URL(), Consumers: o.Consumers, MQTT: o.MQTT}
	res := &Result{
		Tool: "groundstack bench-events", Format: 1, Run: o.Run, Endpoint: o.Endpoint, Backend: o.Backend,
		Started: o.Now(), IdleEvents: max(o.Idle, 0), Rate: max(o.Rate, 0), Seconds: o.Duration.Seconds(),
		DeadlineMS: ms(o.Deadline), Collector: col.URL(),
		Targets: Targets{IdleP99MS: ms(TargetIdleP99), RateP99MS: ms(TargetRateP99), WakeupMS: ms(TargetWakeup), Lost: 0},
		Machine: report.Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadStart: report.LoadAverage()},
	}
	if h, err := os.Hostname(); err == nil {
		res.Machine.Host = h
	}
	if o.CPU != nil {
		res.CPUScope = o.CPU.Scope
	}
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		res.Rows = append(res.Rows, measurePath(ctx, o, env, p)...)
	}
	res.Ended = o.Now()
	res.Machine.LoadEnd = report.LoadAverage()
	res.Strays = book.Strays()
	res.Reports = col.Reports()
	res.MalformedReports = col.Malformed()
	res.judge()
	if ctx.Err() != nil {
		res.Interrupted = true
		return res, ctx.Err()
	}
	return res, nil
}

func (o Options) say(format string, a ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", a...)
	}
}

// measurePath sets a path up, warms it, runs its phases and removes it.
func measurePath(ctx context.Context, o Options, env *Env, p Path) []Row {
	name := p.Name()
	phases := []string{}
	if o.Idle > 0 {
		phases = append(phases, PhaseIdle)
	}
	if o.Rate > 0 {
		phases = append(phases, PhaseRate)
	}
	rowsWith := func(status, reason string) []Row {
		var rows []Row
		for _, ph := range phases {
			r := Row{Path: name, Phase: ph, Status: status, Reason: reason}
			if ph == PhaseRate {
				r.IntendedRate = o.Rate
			}
			rows = append(rows, r)
		}
		return rows
	}
	o.say("%s: setting up", name)
	sctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	err := p.Setup(sctx, env)
	cancel()
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := p.Close(cctx); err != nil {
			o.say("%s: cleanup: %v", name, err)
		}
	}()
	if err != nil {
		status := StatusFailed
		if Unsupported(err) {
			status = StatusUnsupported
		}
		o.say("%s: %s: %v", name, status, err)
		return rowsWith(status, err.Error())
	}

	// the first event pays for cold starts and a mapping's first poll
	warm := env.Book.NewTally()
	seen := false
	var lastErr error
	deadline := time.Now().Add(o.Warmup)
	for i := int64(0); !seen && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		id := trace.ID(env.Run, name, "w", i)
		ch := warm.Expect(id)
		if lastErr = produce(ctx, p, warm, id); lastErr != nil {
			warm.Failed(id)
			sleepCtx(ctx, 200*time.Millisecond)
			continue
		}
		warm.Accepted(id, o.Now())
		select {
		case <-ch:
			seen = true
		case <-time.After(min(time.Until(deadline), o.Warmup/3)):
		case <-ctx.Done():
		}
	}
	if !seen {
		reason := fmt.Sprintf("no event was delivered within the %v warm-up", o.Warmup)
		if lastErr != nil {
			reason += " (the producing call failed: " + lastErr.Error() + ")"
		} else if UsesProbe(name) {
			reason += "; its function reports to " + env.CollectorURL + ": if the cloud runs functions elsewhere (a container), give --collector-host and --collector-listen"
		}
		o.say("%s: failed: %s", name, reason)
		return rowsWith(StatusFailed, reason)
	}

	var rows []Row
	for _, ph := range phases {
		if ctx.Err() != nil {
			break
		}
		rows = append(rows, measurePhase(ctx, o, env, p, ph))
	}
	sleepCtx(ctx, settle)
	for i := range rows {
		rows[i].fill(rows[i].tally.Counts())
		o.say("%s", rows[i].Line())
	}
	return rows
}

// measurePhase runs one phase; its counts are taken by the caller once
// the path has settled (duplicates come late).
func measurePhase(ctx context.Context, o Options, env *Env, p Path, phase string) Row {
	name := p.Name()
	t := env.Book.NewTally()
	row := Row{Path: name, Phase: phase, Status: StatusMeasured, tally: t}
	var cpu0 time.Duration
	cpuOK := false
	if o.CPU != nil {
		if c, err := o.CPU.Read(); err == nil {
			cpu0, cpuOK = c, true
		}
	}
	var lastErr atomic.Value
	start := o.Now()
	switch phase {
	case PhaseIdle:
		o.say("%s: %d events one at a time", name, o.Idle)
		row.IntendedRate = 0
		for i := 0; i < o.Idle && ctx.Err() == nil; i++ {
			id := trace.ID(env.Run, name, "i", int64(i))
			ch := t.Expect(id)
			if err := produce(ctx, p, t, id); err != nil {
				t.Failed(id)
				lastErr.Store(err.Error())
				continue
			}
			t.Accepted(id, o.Now())
			select {
			case <-ch:
			case <-time.After(o.Deadline):
			case <-ctx.Done():
			}
		}
	case PhaseRate:
		o.say("%s: %v events/s for %v", name, o.Rate, o.Duration)
		row.IntendedRate = o.Rate
		var seq atomic.Int64
		st := openloop.Run(ctx, []openloop.Stream{{Name: name, Rate: func(time.Duration) float64 { return o.Rate }}}, o.Duration, openloop.Options{
			MaxInFlight: 2000,
			Fire: func(ev openloop.Event) {
				id := trace.ID(env.Run, name, "r", seq.Add(1))
				t.Expect(id)
				if err := produce(ctx, p, t, id); err != nil {
					t.Failed(id)
					lastErr.Store(err.Error())
					return
				}
				t.Accepted(id, o.Now())
			},
		})
		if len(st.Streams) > 0 {
			row.Dropped, row.Late = st.Streams[0].Dropped, st.Streams[0].Late
		}
		row.ProduceSeconds = o.Now().Sub(start).Seconds()
		t.Wait(o.Deadline, ctx.Done())
	}
	if cpuOK {
		if c, err := o.CPU.Read(); err == nil {
			row.cpu = c - cpu0
			row.cpuOK = true
		}
	}
	row.Seconds = o.Now().Sub(start).Seconds()
	if s, ok := lastErr.Load().(string); ok {
		row.LastError = s
	}
	return row
}

// produce makes one event, noting when its request went on the wire.
func produce(ctx context.Context, p Path, t *Tally, id string) error {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	cctx = httptrace.WithClientTrace(cctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				t.Sent(id, time.Now())
			}
		},
	})
	return p.Produce(cctx, id)
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// unsupportedCodes are the answers of a cloud that lacks an operation.
var unsupportedCodes = map[string]bool{
	"NotImplemented": true, "NotImplementedException": true, "UnknownOperationException": true,
	"InvalidAction": true, "UnsupportedOperation": true, "UnsupportedOperationException": true,
	"InternalFailure": false,
}

// Unsupported reports whether err says the cloud does not implement a call
// (rather than refusing it).
func Unsupported(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && unsupportedCodes[ae.ErrorCode()] {
		return true
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() == 501 {
		return true
	}
	return false
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

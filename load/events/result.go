package events

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/groundstack/groundstack/load/report"
)

// Status of a row (report's, which the load generator's summary shares).
const (
	StatusMeasured    = report.EventMeasured
	StatusUnsupported = report.EventUnsupported // the cloud lacks a call the path needs
	StatusFailed      = report.EventFailed      // set-up refused, or no event delivered
)

// Result is a run's figures: the JSON file, and what the tables are made of.
type Result struct {
	Tool     string    `json:"tool"`
	Format   int       `json:"format"`
	Run      string    `json:"run"`
	Endpoint string    `json:"endpoint,omitempty"`
	Backend  string    `json:"backend,omitempty"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	// IdleEvents, Rate and Seconds are what each path was asked for;
	// DeadlineMS is how long an event may take before it is lost.
	IdleEvents int     `json:"idle_events"`
	Rate       float64 `json:"rate_per_s"`
	Seconds    float64 `json:"rate_seconds"`
	DeadlineMS float64 `json:"deadline_ms"`
	Targets    Targets `json:"targets"`
	// CPUScope says what cpu_us_per_event covers ("" when not measured).
	CPUScope string `json:"cpu_scope,omitempty"`
	Rows     []Row  `json:"rows"`
	// Collector is where probes reported; Reports how many came, of which
	// MalformedReports were refused; Strays are sightings of IDs this run
	// did not make.
	Collector        string         `json:"collector"`
	Reports          int64          `json:"reports"`
	MalformedReports int64          `json:"malformed_reports"`
	Strays           int64          `json:"strays"`
	Machine          report.Machine `json:"machine"`
	Interrupted      bool           `json:"interrupted,omitempty"`
	// MetTargets: every measured row met its targets (nothing lost) and
	// no path failed; unsupported paths are left out.
	MetTargets bool `json:"met_targets"`
}

// Targets are the objectives rows are judged by.
type Targets struct {
	IdleP99MS float64 `json:"idle_p99_ms"`
	RateP99MS float64 `json:"rate_p99_ms"`
	WakeupMS  float64 `json:"longpoll_wakeup_p99_ms"`
	Lost      int64   `json:"lost"`
}

// Row is one path in one phase: the figures the load generator reports
// per path (report.EventPath), the phase, and the verdict.
type Row struct {
	report.EventPath
	Phase string `json:"phase"`
	// CPUPerEventUS is the measured process tree's CPU over the phase per
	// accepted event (0 when not measured).
	CPUPerEventUS  float64 `json:"cpu_us_per_event,omitempty"`
	Seconds        float64 `json:"seconds"`
	ProduceSeconds float64 `json:"produce_seconds,omitempty"`
	// MetTarget: p99 within the phase's target and nothing lost.
	MetTarget bool `json:"met_target"`

	tally *Tally
	cpu   time.Duration
	cpuOK bool
}

// fill copies a tally's counts into the row.
func (r *Row) fill(c Counts) {
	c.into(&r.EventPath, r.ProduceSeconds)
	if r.cpuOK && r.Accepted > 0 {
		r.CPUPerEventUS = float64(r.cpu.Microseconds()) / float64(r.Accepted)
	}
	r.MetTarget = r.Status == StatusMeasured && r.Lost == 0 && time.Duration(r.judged()*float64(time.Millisecond)) <= r.target()
}

// judged is the p99 (ms) the row is judged by: from the acknowledgement,
// except the long-poll wake-up, which is judged from the send.
func (r *Row) judged() float64 {
	if r.Path == PathSQSLongPoll && r.Phase == PhaseIdle {
		return r.FromSend.P99
	}
	return r.P99
}

// target is the p99 the row is judged by.
func (r *Row) target() time.Duration {
	switch {
	case r.Phase == PhaseRate:
		return TargetRateP99
	case r.Path == PathSQSLongPoll:
		return TargetWakeup
	}
	return TargetIdleP99
}

// judge sets MetTargets: at least one row measured, every measured row
// within its target, none failed (unsupported paths are left out).
func (res *Result) judge() {
	measured := false
	res.MetTargets = true
	for _, r := range res.Rows {
		switch r.Status {
		case StatusMeasured:
			measured = true
			if !r.MetTarget {
				res.MetTargets = false
			}
		case StatusFailed:
			res.MetTargets = false
		}
	}
	res.MetTargets = res.MetTargets && measured
}

// Row returns the row of path and phase.
func (res *Result) Row(path, phase string) (Row, bool) {
	for _, r := range res.Rows {
		if r.Path == path && r.Phase == phase {
			return r, true
		}
	}
	return Row{}, false
}

// phaseName is a phase in words for tables.
func (r *Row) phaseName() string {
	if r.Phase == PhaseRate {
		return fmt.Sprintf("%g/s", r.IntendedRate)
	}
	return "idle"
}

// Line is the row in one line.
func (r *Row) Line() string {
	if r.Status != StatusMeasured {
		return fmt.Sprintf("%s %s: %s: %s", r.Path, r.phaseName(), r.Status, r.Reason)
	}
	return fmt.Sprintf("%s %s: %d events, p50 %s p99 %s max %s (p99 from the send %s), lost %d, dup %d%s", r.Path, r.phaseName(), r.Accepted,
		fmtMS(r.P50), fmtMS(r.P99), fmtMS(r.Max), fmtMS(r.FromSend.P99), r.Lost, r.Duplicates, r.cpuText())
}

func (r *Row) cpuText() string {
	if r.CPUPerEventUS <= 0 {
		return ""
	}
	return fmt.Sprintf(", cpu %.0f µs/event", r.CPUPerEventUS)
}

func fmtMS(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.2f ms", v)
}

// mark is a row's verdict against its target.
func (r *Row) mark() string {
	switch {
	case r.Status != StatusMeasured:
		return r.Status
	}
	what := "≤ "
	if r.Path == PathSQSLongPoll && r.Phase == PhaseIdle {
		what = "from send ≤ "
	}
	if r.MetTarget {
		return "yes (" + what + fmtMS(ms(r.target())) + ")"
	}
	return "no (" + what + fmtMS(ms(r.target())) + ")"
}

func (r *Row) achieved() string {
	if r.Phase != PhaseRate || r.Status != StatusMeasured {
		return ""
	}
	return fmt.Sprintf("%.0f/s", r.AchievedRate)
}

func (r *Row) cells() []string {
	if r.Status != StatusMeasured {
		return []string{r.Path, r.phaseName(), "", "", "", "", "", "", "", "", "", r.mark()}
	}
	cpu := ""
	if r.CPUPerEventUS > 0 {
		cpu = fmt.Sprintf("%.0f", r.CPUPerEventUS)
	}
	return []string{r.Path, r.phaseName(), itoa(r.Accepted), r.achieved(), fmtMS(r.P50), fmtMS(r.P99), fmtMS(r.Max),
		fmtMS(r.FromSend.P99), itoa(r.Lost), itoa(r.Duplicates), cpu, r.mark()}
}

var header = []string{"path", "load", "events", "achieved", "p50", "p99", "max", "p99 from send", "lost", "dup", "cpu µs/event", "p99 target met"}

// Table is the rows as aligned text, with the reasons of unmeasured paths
// and the machine below.
func (res *Result) Table() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for i := range res.Rows {
		fmt.Fprintln(tw, strings.Join(res.Rows[i].cells(), "\t"))
	}
	tw.Flush()
	res.notes(&b, "")
	return b.String()
}

// Markdown is the rows as a Markdown table, with the same notes.
func (res *Result) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Event freshness (%s)\n\n", res.Started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Time from the producing call's acknowledgement to the consumer's handler start (0 when the consumer started first; \"p99 from send\" counts from the moment the producing request was written instead); %d events one at a time (idle), then open loop at %g events/s for %gs; an event not seen within %s is lost.\n\n",
		res.IdleEvents, res.Rate, res.Seconds, fmtMS(res.DeadlineMS))
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for i := range res.Rows {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(res.Rows[i].cells(), " | "))
	}
	b.WriteString("\n")
	res.notes(&b, "- ")
	return b.String()
}

func (res *Result) notes(b *strings.Builder, bullet string) {
	reasons := map[string]string{}
	for _, r := range res.Rows {
		if r.Status != StatusMeasured {
			reasons[r.Path] = r.Status + ": " + r.Reason
		}
	}
	names := make([]string, 0, len(reasons))
	for n := range reasons {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(b, "%s%s %s\n", bullet, n, reasons[n])
	}
	m := res.Machine
	fmt.Fprintf(b, "%smachine: %s, %d CPUs, %s, load average %s at the start, %s at the end; backend %s at %s\n",
		bullet, orDash(m.Host), m.CPUs, m.GoVersion, orDash(m.LoadStart), orDash(m.LoadEnd), orDash(res.Backend), orDash(res.Endpoint))
	if res.CPUScope != "" {
		fmt.Fprintf(b, "%scpu µs/event: CPU time of %s over the phase, per accepted event\n", bullet, res.CPUScope)
	}
	if res.Strays > 0 || res.MalformedReports > 0 {
		fmt.Fprintf(b, "%s%d sightings of events this run did not make, %d malformed reports\n", bullet, res.Strays, res.MalformedReports)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Write puts events.json and events.md in dir and returns their paths.
func (res *Result) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return nil, err
	}
	js, md := filepath.Join(dir, "events.json"), filepath.Join(dir, "events.md")
	if err := os.WriteFile(js, append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(md, []byte(res.Markdown()), 0o644); err != nil {
		return nil, err
	}
	return []string{js, md}, nil
}

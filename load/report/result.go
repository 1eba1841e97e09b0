package report

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/load/profile"
)

// Format is the version of the JSON summary.
const Format = 1

// Status of a run.
const (
	StatusComplete    = "complete"    // the profile ran to its end (or a ramp broke) and every write settled
	StatusInterrupted = "interrupted" // stopped early (Ctrl-C): the figures cover what ran
	StatusFailed      = "failed"      // could not run: no target, no login, …
)

// Result is a load run's summary: the JSON file, and what JUnit and charts
// are made from.
type Result struct {
	Tool    string          `json:"tool"`
	Format  int             `json:"format"`
	Profile profile.Profile `json:"profile"`
	// Shard is "i/n" for one shard's result; MergedFrom names the results
	// a merge combined.
	Shard      string    `json:"shard,omitempty"`
	MergedFrom []string  `json:"merged_from,omitempty"`
	Target     Target    `json:"target"`
	Started    time.Time `json:"started"`
	Ended      time.Time `json:"ended"`
	Seconds    float64   `json:"seconds"`
	// Status says what happened; Complete is Status == complete; Error
	// says why a run failed or stopped.
	Status   string `json:"status"`
	Complete bool   `json:"complete"`
	Error    string `json:"error,omitempty"`
	// Passed: complete and every threshold held.
	Passed     bool             `json:"passed"`
	Thresholds []Check          `json:"thresholds"`
	Requests   map[string]*Kind `json:"requests"`
	Freshness  Freshness        `json:"freshness"`
	// Events are the event paths driven beside the flow (profile.Events),
	// one each.
	Events []*EventPath `json:"events,omitempty"`
	// Faults are the fault rules in force during the run, with how many
	// calls each hit (groundstack load --fault).
	Faults  []faults.Rule `json:"faults,omitempty"`
	Rates   Rates         `json:"rates"`
	Ramp    *Ramp         `json:"ramp,omitempty"`
	Machine Machine       `json:"machine"`
	Series  Series        `json:"series"`
}

// Target is what was loaded.
type Target struct {
	// Kind: "embedded" (started and deployed by the run) or "target".
	Kind     string `json:"kind"`
	Backend  string `json:"backend,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	APIURL   string `json:"api_url,omitempty"`
	// How the API URL was found ("given", "discovered by name …", "deployed").
	How string `json:"how,omitempty"`
}

// Machine is where the run ran, so figures can be read in context.
type Machine struct {
	Host      string  `json:"host,omitempty"`
	CPUs      int     `json:"cpus"`
	GoVersion string  `json:"go,omitempty"`
	LoadStart string  `json:"load_average_start,omitempty"`
	LoadEnd   string  `json:"load_average_end,omitempty"`
	CPUSecs   float64 `json:"process_cpu_seconds,omitempty"`
	ChildCPU  float64 `json:"children_cpu_seconds,omitempty"`
	Note      string  `json:"note,omitempty"`
}

// Kind counts one kind of request.
type Kind struct {
	// Intended fell due; Sent were sent (Late of them late); Dropped were
	// not sent (too many in flight); OK answered 2xx; Failed did not
	// (status or transport error); Canceled were cut short by a stop.
	Intended int64 `json:"intended"`
	Sent     int64 `json:"sent"`
	Late     int64 `json:"late"`
	Dropped  int64 `json:"dropped"`
	OK       int64 `json:"ok"`
	Failed   int64 `json:"failed"`
	Canceled int64 `json:"canceled"`
	// ByStatus counts answers by HTTP status ("transport" for none).
	ByStatus  map[string]int64 `json:"by_status"`
	LastError string           `json:"last_error,omitempty"`
	// Latency is from the intended time to the answer (no coordinated
	// omission); MaxStartDelayMS is the latest start.
	Latency         Summary `json:"latency"`
	LatencyHist     *Hist   `json:"latency_hdr"`
	MaxStartDelayMS float64 `json:"max_start_delay_ms"`
}

func newKind() *Kind { return &Kind{ByStatus: map[string]int64{}, LatencyHist: NewHist()} }

func (k *Kind) add(o *Kind) {
	k.Intended += o.Intended
	k.Sent += o.Sent
	k.Late += o.Late
	k.Dropped += o.Dropped
	k.OK += o.OK
	k.Failed += o.Failed
	k.Canceled += o.Canceled
	for s, n := range o.ByStatus {
		k.ByStatus[s] += n
	}
	if o.LastError != "" {
		k.LastError = o.LastError
	}
	k.LatencyHist.Merge(o.LatencyHist)
	k.MaxStartDelayMS = max(k.MaxStartDelayMS, o.MaxStartDelayMS)
}

// Freshness is how long accepted orders took to show on GET /pedidos.
type Freshness struct {
	BudgetMS float64 `json:"budget_ms"`
	// Accepted orders (2xx); of them Seen, Misses (seen after the budget),
	// Lost (never seen before the deadline) and Pending (still unseen when
	// the run stopped waiting).
	Accepted int64 `json:"accepted"`
	Seen     int64 `json:"seen"`
	Misses   int64 `json:"misses"`
	Lost     int64 `json:"lost"`
	Pending  int64 `json:"pending"`
	Summary
	Hist *Hist `json:"hdr"`
	// The probes' reads of GET /pedidos (not counted as requests).
	Reads         int64    `json:"reads"`
	ReadErrors    int64    `json:"read_errors"`
	MaxReadGapMS  float64  `json:"max_read_gap_ms"`
	LastReadError string   `json:"last_read_error,omitempty"`
	LostIDs       []string `json:"lost_ids,omitempty"`
}

// Rates are per second over the run.
type Rates struct {
	IntendedOrders float64 `json:"intended_orders_per_s"`
	AchievedOrders float64 `json:"achieved_orders_per_s"`
	IntendedTotal  float64 `json:"intended_requests_per_s"`
	AchievedTotal  float64 `json:"achieved_requests_per_s"`
}

// Series is the run second by second (or in wider buckets for long runs).
type Series struct {
	BucketSeconds float64   `json:"bucket_s"`
	Buckets       []*Bucket `json:"buckets"`
}

// Bucket is one slice of the run. Requests count by their intended time,
// except Achieved (2xx answers by the time they arrived); freshness counts
// by the order's intended time.
type Bucket struct {
	At        float64          `json:"t"`
	Intended  map[string]int64 `json:"intended"`
	Achieved  map[string]int64 `json:"achieved"`
	Failed    map[string]int64 `json:"failed,omitempty"`
	Dropped   int64            `json:"dropped,omitempty"`
	Latency   map[string]*Hist `json:"latency_hdr"`
	Freshness *Hist            `json:"freshness_hdr"`
	Lost      int64            `json:"lost,omitempty"`
}

func newBucket(at float64) *Bucket {
	return &Bucket{At: at, Intended: map[string]int64{}, Achieved: map[string]int64{}, Failed: map[string]int64{},
		Latency: map[string]*Hist{}, Freshness: NewHist()}
}

func (b *Bucket) latency(kind string) *Hist {
	h := b.Latency[kind]
	if h == nil {
		h = NewHist()
		b.Latency[kind] = h
	}
	return h
}

func (b *Bucket) add(o *Bucket) {
	for k, n := range o.Intended {
		b.Intended[k] += n
	}
	for k, n := range o.Achieved {
		b.Achieved[k] += n
	}
	for k, n := range o.Failed {
		b.Failed[k] += n
	}
	for k, h := range o.Latency {
		b.latency(k).Merge(h)
	}
	b.Dropped += o.Dropped
	b.Freshness.Merge(o.Freshness)
	b.Lost += o.Lost
}

// Ramp is a capacity search: the steps tried and the capacity found.
type Ramp struct {
	// P99LimitMS is the freshness (and order latency) p99 a step must hold.
	P99LimitMS float64 `json:"p99_limit_ms"`
	// CapacityOrders is the achieved orders/s of the highest step that
	// held, every lower step having held too; CapacityRPS its requests/s.
	CapacityOrders float64 `json:"capacity_orders_per_s"`
	CapacityRPS    float64 `json:"capacity_requests_per_s"`
	CapacityStep   int     `json:"capacity_step"`
	// StoppedBy says why the ramp ended.
	StoppedBy string  `json:"stopped_by"`
	Steps     []*Step `json:"steps"`
}

// Step is one rung of a ramp; orders count by their intended time.
type Step struct {
	Index          int     `json:"step"`
	From           float64 `json:"from_s"`
	To             float64 `json:"to_s"`
	RPS            float64 `json:"requests_per_s"`
	IntendedOrders float64 `json:"intended_orders_per_s"`
	// AchievedOrders is the step's orders answered 2xx, per second of the
	// step; Answered counts 2xx order answers that arrived during it.
	AchievedOrders float64 `json:"achieved_orders_per_s"`
	Orders         *Kind   `json:"orders"`
	Answered       int64   `json:"answered_in_step"`
	Freshness      Summary `json:"freshness"`
	FreshnessHist  *Hist   `json:"freshness_hdr"`
	Accepted       int64   `json:"accepted"`
	Lost           int64   `json:"lost"`
	Unsettled      int64   `json:"unsettled,omitempty"`
	Held           bool    `json:"held"`
	Why            string  `json:"why,omitempty"`
}

// ReadFile reads a JSON summary.
func ReadFile(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s is not a load result: %v", path, err)
	}
	if r.Format != Format || r.Tool != Tool {
		return nil, fmt.Errorf("%s is not a %s result (format %d)", path, Tool, Format)
	}
	r.fill()
	return &r, nil
}

// Tool names the producer in results.
const Tool = "groundstack load"

// fill makes the maps and histograms of a decoded result usable.
func (r *Result) fill() {
	if r.Requests == nil {
		r.Requests = map[string]*Kind{}
	}
	for _, k := range r.Requests {
		fillKind(k)
	}
	if r.Freshness.Hist == nil {
		r.Freshness.Hist = NewHist()
	}
	for _, b := range r.Series.Buckets {
		if b == nil {
			continue
		}
		if b.Intended == nil {
			b.Intended = map[string]int64{}
		}
		if b.Achieved == nil {
			b.Achieved = map[string]int64{}
		}
		if b.Failed == nil {
			b.Failed = map[string]int64{}
		}
		if b.Latency == nil {
			b.Latency = map[string]*Hist{}
		}
		if b.Freshness == nil {
			b.Freshness = NewHist()
		}
	}
	for _, e := range r.Events {
		e.Summarize()
	}
	if r.Ramp != nil {
		for _, s := range r.Ramp.Steps {
			if s.Orders == nil {
				s.Orders = newKind()
			}
			fillKind(s.Orders)
			if s.FreshnessHist == nil {
				s.FreshnessHist = NewHist()
			}
		}
	}
}

func fillKind(k *Kind) {
	if k.ByStatus == nil {
		k.ByStatus = map[string]int64{}
	}
	if k.LatencyHist == nil {
		k.LatencyHist = NewHist()
	}
}

// Finish computes the derived figures (summaries, rates, ramp verdicts and
// capacity, thresholds) from the counts and histograms.
func (r *Result) Finish(checks []Threshold, rule StepRule) {
	r.fill()
	r.Tool, r.Format = Tool, Format
	r.Complete = r.Status == StatusComplete
	for _, k := range r.Requests {
		k.Latency = k.LatencyHist.Summary()
	}
	f := &r.Freshness
	f.Summary = f.Hist.Summary()
	f.Misses = countAbove(f.Hist, time.Duration(f.BudgetMS*float64(time.Millisecond)))
	var secs float64
	if r.Seconds > 0 {
		secs = r.Seconds
	}
	r.Rates = Rates{}
	if secs > 0 {
		for name, k := range r.Requests {
			r.Rates.IntendedTotal += float64(k.Intended) / secs
			r.Rates.AchievedTotal += float64(k.OK) / secs
			if name == profile.Orders {
				r.Rates.IntendedOrders = float64(k.Intended) / secs
				r.Rates.AchievedOrders = float64(k.OK) / secs
			}
		}
	}
	if r.Ramp != nil {
		r.Ramp.judge(rule)
	}
	r.Thresholds = Evaluate(checks, r)
	r.Passed = r.Complete
	for _, c := range r.Thresholds {
		r.Passed = r.Passed && c.OK
	}
}

// Kinds returns the request kinds present, in report order.
func (r *Result) Kinds() []string {
	var out []string
	for _, k := range profile.Kinds {
		if r.Requests[k] != nil {
			out = append(out, k)
		}
	}
	var rest []string
	for k := range r.Requests {
		if !contains(profile.Kinds, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Totals sums every kind.
func (r *Result) Totals() *Kind {
	t := newKind()
	for _, k := range r.Requests {
		t.add(k)
	}
	return t
}

// Line is a one-line summary for terminals and logs.
func (r *Result) Line() string {
	var b strings.Builder
	o := r.Requests[profile.Orders]
	if o == nil {
		o = newKind()
	}
	fmt.Fprintf(&b, "%s: %s in %.1fs; orders %d sent, %d ok, %.1f/s achieved of %.1f/s intended; latency p99 %s; freshness p50 %s p99 %s max %s, %d misses, %d lost",
		r.Profile.Name, r.Status, r.Seconds, o.Sent, o.OK, r.Rates.AchievedOrders, r.Rates.IntendedOrders,
		fmtMS(o.Latency.P99), fmtMS(r.Freshness.P50), fmtMS(r.Freshness.P99), fmtMS(r.Freshness.Max), r.Freshness.Misses, r.Freshness.Lost)
	t := r.Totals()
	if t.Failed+t.Dropped > 0 {
		fmt.Fprintf(&b, "; %d failed, %d dropped", t.Failed, t.Dropped)
	}
	if r.Ramp != nil {
		fmt.Fprintf(&b, "; capacity %.0f orders/s (%s)", r.Ramp.CapacityOrders, r.Ramp.StoppedBy)
	}
	b.WriteString(r.eventLine())
	return b.String()
}

// FormatDuration writes d as the report writes its figures (12ms, 1.25s),
// for displays that must show the same.
func FormatDuration(d time.Duration) string { return fmtMS(ms(d)) }

func fmtMS(v float64) string {
	switch {
	case v >= 100000:
		return fmt.Sprintf("%.0fs", v/1000)
	case v >= 10000:
		return fmt.Sprintf("%.1fs", v/1000)
	case v >= 1000:
		return fmt.Sprintf("%.2fs", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0fms", v)
	default:
		return fmt.Sprintf("%.1fms", v)
	}
}

// WriteJSON writes the summary, indented.
func (r *Result) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Kinds of request a profile mixes.
const (
	Orders  = "orders"  // POST /registrar_pedido_entregado: the writes freshness follows
	Pedidos = "pedidos" // GET /pedidos: a dashboard's list of orders
	Metrics = "metrics" // GET /metrics: a dashboard's figures
	Logins  = "logins"  // POST /token
)

// Kinds lists the request kinds in report order.
var Kinds = []string{Orders, Pedidos, Metrics, Logins}

// The original load: one courier client posting an order every 5 s and
// one dashboard polling /pedidos and /metrics every 2 s.
const (
	OriginalOrderRate = 0.2
	OriginalPollRate  = 0.5
	// DefaultDuration of the named steady profiles.
	DefaultDuration = 60 * time.Second
)

// Limits of a profile, so a typo cannot ask for a year-long run.
const (
	MaxRate     = 100_000
	MaxDuration = 24 * time.Hour
	maxPoints   = 10_000
)

// Profile is a load shape: a request rate over time (or a ramp) and the
// mix of request kinds that rate is split into.
type Profile struct {
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Duration of the run; default the time of the last rate point (the
	// rate holds after it).
	Duration Duration `json:"duration,omitempty" yaml:"duration,omitempty"`
	// Rate is requests per second over time, linear between points.
	Rate []Point `json:"rate,omitempty" yaml:"rate,omitempty"`
	// Ramp replaces Rate: steps of rising rate until one breaks.
	Ramp *Ramp `json:"ramp,omitempty" yaml:"ramp,omitempty"`
	// Mix weighs the request kinds (normalised; default orders only).
	Mix Mix `json:"mix" yaml:"mix"`
	// Sessions is how many logins the run starts with (tokens are shared
	// round-robin and renewed before they expire; default 1).
	Sessions int `json:"sessions,omitempty" yaml:"sessions,omitempty"`
	// Events mixes event traffic into the run (nil: none).
	Events *Events `json:"events,omitempty" yaml:"events,omitempty"`
}

// Events is event traffic beside the flow's requests: every path named
// (load/events' paths: s3-lambda, sns-sqs, …) gets Rate events/s, or Share
// events per request of the profile's rate, so it follows the growth
// curve or the ramp. Give one of Rate and Share.
type Events struct {
	Paths []string `json:"paths" yaml:"paths"`
	Rate  float64  `json:"rate,omitempty" yaml:"rate,omitempty"`
	Share float64  `json:"share,omitempty" yaml:"share,omitempty"`
}

// maxEventPaths bounds an events section (there are 7 paths).
const maxEventPaths = 20

// validate reports the first thing wrong with e; path names are checked
// against the known paths by the runner (load/events), which this package
// must not import.
func (e *Events) validate(finite func(float64) bool) error {
	switch {
	case len(e.Paths) == 0:
		return errors.New("events: name at least one path (paths: [sns-sqs, …])")
	case len(e.Paths) > maxEventPaths:
		return fmt.Errorf("events: at most %d paths", maxEventPaths)
	case !finite(e.Rate) || !finite(e.Share) || e.Rate < 0 || e.Share < 0:
		return errors.New("events: rate and share must be finite and ≥ 0")
	case (e.Rate > 0) == (e.Share > 0):
		return errors.New("events: give either rate (events/s per path) or share (events per request, per path)")
	case e.Rate > MaxRate:
		return fmt.Errorf("events: rate must be ≤ %d events/s per path", MaxRate)
	case e.Share > 100:
		return errors.New("events: share must be ≤ 100 events per request")
	}
	seen := map[string]bool{}
	for _, name := range e.Paths {
		if !ValidEventPath(name) {
			return fmt.Errorf("events: path %q: want a path name such as sns-sqs", name)
		}
		if seen[name] {
			return fmt.Errorf("events: path %s named twice", name)
		}
		seen[name] = true
	}
	return nil
}

// ValidEventPath reports whether s is spelled as an event path name can be
// ([a-z0-9-], up to 40; whether the path exists is load/events' to say).
func ValidEventPath(s string) bool {
	if s == "" || len(s) > 40 || s[0] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// EventRateAt is each event path's rate (events/s) at offset t; 0 without
// events.
func (p Profile) EventRateAt(t time.Duration) float64 {
	switch {
	case p.Events == nil:
		return 0
	case p.Events.Rate > 0:
		return p.Events.Rate
	}
	return p.Events.Share * p.RateAt(t)
}

// EventPaths are the event paths the profile drives (nil without events).
func (p Profile) EventPaths() []string {
	if p.Events == nil {
		return nil
	}
	return p.Events.Paths
}

// WithEvents sets the event traffic (nil removes it).
func (p Profile) WithEvents(e *Events) Profile {
	if e != nil {
		c := *e
		c.Paths = append([]string(nil), e.Paths...)
		e = &c
	}
	p.Events = e
	return p
}

// Point is the rate at one moment.
type Point struct {
	At  Duration `json:"at" yaml:"at"`
	RPS float64  `json:"rps" yaml:"rps"`
}

// Mix weighs the request kinds; only ratios matter.
type Mix struct {
	Orders  float64 `json:"orders,omitempty" yaml:"orders,omitempty"`
	Pedidos float64 `json:"pedidos,omitempty" yaml:"pedidos,omitempty"`
	Metrics float64 `json:"metrics,omitempty" yaml:"metrics,omitempty"`
	Logins  float64 `json:"logins,omitempty" yaml:"logins,omitempty"`
}

func (m Mix) weight(kind string) float64 {
	switch kind {
	case Orders:
		return m.Orders
	case Pedidos:
		return m.Pedidos
	case Metrics:
		return m.Metrics
	case Logins:
		return m.Logins
	}
	return 0
}

func (m Mix) total() float64 { return m.Orders + m.Pedidos + m.Metrics + m.Logins }

// Share is kind's fraction of all requests.
func (m Mix) Share(kind string) float64 {
	if t := m.total(); t > 0 {
		return m.weight(kind) / t
	}
	return 0
}

// Ramp raises the rate step by step: Start requests/s for Every, then
// Start+Step, … up to Max. A step holds when its orders are fresh (p99 ≤
// P99, none lost or later than the budget), answered in time (latency p99
// ≤ P99: a saturated system queues) and under 0.1 % fail; the run stops at
// the first step that does not, and the last step that held is the
// capacity.
type Ramp struct {
	Start float64  `json:"start" yaml:"start"`
	Step  float64  `json:"step" yaml:"step"`
	Every Duration `json:"every" yaml:"every"`
	Max   float64  `json:"max" yaml:"max"`
	// P99 is the freshness p99 a step must hold (default 1 s).
	P99 Duration `json:"p99,omitempty" yaml:"p99,omitempty"`
}

// Steps is the number of steps from Start to Max.
func (r Ramp) Steps() int {
	if r.Step <= 0 {
		return 1
	}
	return int(math.Floor((r.Max-r.Start)/r.Step+1e-9)) + 1
}

// StepAt is the step running at offset t.
func (r Ramp) StepAt(t time.Duration) int {
	if r.Every <= 0 || t < 0 {
		return 0
	}
	return min(int(t/r.Every.D()), r.Steps()-1)
}

// StepRate is the request rate of step i.
func (r Ramp) StepRate(i int) float64 { return r.Start + float64(i)*r.Step }

// Named returns the profile name stands for, scaled for clients courier
// clients (baseline, year1 and year2; ≤ 0 means 1).
func Named(name string, clients int) (Profile, bool) {
	clients = max(clients, 1)
	growth := func(factor float64, what string) Profile {
		n := factor * float64(clients)
		return Profile{
			Name: name,
			Description: fmt.Sprintf("%s: %g courier client(s) each posting an order every 5 s and %g dashboard(s) polling /pedidos and /metrics every 2 s",
				what, n, n),
			Duration: Duration(DefaultDuration),
			Rate:     []Point{{0, n * (OriginalOrderRate + 2*OriginalPollRate)}},
			Mix:      Mix{Orders: OriginalOrderRate, Pedidos: OriginalPollRate, Metrics: OriginalPollRate},
			// each client logs in once; past 16 they share tokens
			Sessions: min(int(math.Ceil(n)), 16),
		}
	}
	switch name {
	case "baseline":
		return growth(1, "the original load"), true
	case "year1":
		return growth(6, "year 1 (+500 %, ×6)"), true
	case "year2":
		return growth(12, "year 2 (doubled again, ×12)"), true
	case "ramp":
		return Profile{
			Name:        name,
			Description: "capacity search: +100 requests/s every 5 s (90 % orders, 10 % dashboard reads) until a step breaks",
			Duration:    Duration(5 * time.Minute),
			Ramp:        &Ramp{Start: 100, Step: 100, Every: Duration(5 * time.Second), Max: 5000, P99: Duration(time.Second)},
			Mix:         Mix{Orders: 0.9, Pedidos: 0.05, Metrics: 0.05},
			Sessions:    4,
		}, true
	}
	return Profile{}, false
}

// Names lists the named profiles.
func Names() []string { return []string{"baseline", "year1", "year2", "ramp"} }

// Load resolves spec: a profile name or a YAML/JSON file.
func Load(spec string, clients int) (Profile, error) {
	if p, ok := Named(spec, clients); ok {
		return p, nil
	}
	ext := strings.ToLower(filepath.Ext(spec))
	if ext != ".yaml" && ext != ".yml" && ext != ".json" && !strings.ContainsRune(spec, os.PathSeparator) {
		return Profile{}, fmt.Errorf("unknown profile %q (known: %s; or a .yaml/.json file)", spec, strings.Join(Names(), ", "))
	}
	b, err := os.ReadFile(spec)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return Profile{}, fmt.Errorf("profile file %s: %v", spec, err)
	}
	p, err := Parse(b)
	if err != nil {
		return Profile{}, fmt.Errorf("profile file %s: %v", spec, err)
	}
	if p.Name == "" {
		p.Name = strings.TrimSuffix(filepath.Base(spec), filepath.Ext(spec))
	}
	return p, nil
}

// Parse reads a profile from YAML or JSON (JSON is read as YAML), refusing
// unknown fields, and validates it.
func Parse(b []byte) (Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return Profile{}, errors.New("empty profile")
		}
		return Profile{}, cleanYAMLError(err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Profile{}, errors.New("more than one document")
	}
	if p.Mix.total() == 0 && !p.Mix.negative() {
		p.Mix = Mix{Orders: 1}
	}
	return p, p.Validate()
}

// cleanYAMLError keeps yaml's line numbers but drops its type names.
func cleanYAMLError(err error) error {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.ReplaceAll(s, "unmarshal errors:\n  ", "")
	s = strings.ReplaceAll(s, "\n  ", "; ")
	for _, t := range []string{"Profile", "Ramp", "Mix", "Point", "Duration", "Events"} {
		s = strings.ReplaceAll(s, " in type profile."+t, "")
		s = strings.ReplaceAll(s, " into profile."+t, " into a "+strings.ToLower(t))
	}
	for _, t := range [][2]string{{"!!seq", "a list"}, {"!!map", "a mapping"}, {"!!str", "a string"}, {"!!int", "a number"}, {"!!float", "a number"}, {"!!bool", "a boolean"}} {
		s = strings.ReplaceAll(s, t[0], t[1])
	}
	s = strings.ReplaceAll(s, " into float64", " into a number")
	s = strings.ReplaceAll(s, " into int", " into a whole number")
	return errors.New(s)
}

func (m Mix) negative() bool {
	return m.Orders < 0 || m.Pedidos < 0 || m.Metrics < 0 || m.Logins < 0
}

// Validate reports the first thing wrong with p.
func (p Profile) Validate() error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	for _, w := range []float64{p.Mix.Orders, p.Mix.Pedidos, p.Mix.Metrics, p.Mix.Logins} {
		if !finite(w) || w < 0 {
			return errors.New("mix: weights must be finite and ≥ 0")
		}
	}
	if p.Mix.total() <= 0 {
		return errors.New("mix: at least one weight must be > 0")
	}
	if p.Sessions < 0 || p.Sessions > 1000 {
		return errors.New("sessions must be from 0 to 1000")
	}
	if p.Events != nil {
		if err := p.Events.validate(finite); err != nil {
			return err
		}
	}
	if p.Duration < 0 || p.Duration.D() > MaxDuration {
		return fmt.Errorf("duration must be from 0 to %v", MaxDuration)
	}
	switch {
	case p.Ramp != nil && len(p.Rate) > 0:
		return errors.New("give either rate or ramp, not both")
	case p.Ramp != nil:
		r := p.Ramp
		switch {
		case !finite(r.Start) || !finite(r.Step) || !finite(r.Max):
			return errors.New("ramp: rates must be finite")
		case r.Start <= 0 || r.Start > MaxRate:
			return fmt.Errorf("ramp: start must be > 0 and ≤ %d requests/s", MaxRate)
		case r.Step <= 0:
			return errors.New("ramp: step must be > 0")
		case r.Max < r.Start || r.Max > MaxRate:
			return fmt.Errorf("ramp: max must be from start to %d requests/s", MaxRate)
		case r.Every.D() < time.Second:
			return errors.New("ramp: every must be at least 1s")
		case r.P99 < 0:
			return errors.New("ramp: p99 must be ≥ 0")
		case r.Steps() > maxPoints:
			return fmt.Errorf("ramp: more than %d steps", maxPoints)
		}
	case len(p.Rate) == 0:
		return errors.New("rate: at least one point is needed (or a ramp)")
	default:
		if len(p.Rate) > maxPoints {
			return fmt.Errorf("rate: more than %d points", maxPoints)
		}
		for i, pt := range p.Rate {
			if !finite(pt.RPS) || pt.RPS < 0 || pt.RPS > MaxRate {
				return fmt.Errorf("rate[%d]: rps must be from 0 to %d", i, MaxRate)
			}
			if pt.At < 0 || pt.At.D() > MaxDuration {
				return fmt.Errorf("rate[%d]: at must be from 0 to %v", i, MaxDuration)
			}
			if i > 0 && pt.At <= p.Rate[i-1].At {
				return fmt.Errorf("rate[%d]: at %v is not after %v", i, pt.At, p.Rate[i-1].At)
			}
		}
	}
	if p.Length() <= 0 {
		return errors.New("duration: the profile is empty (give duration, or a rate point after 0s)")
	}
	if p.Events != nil && p.Events.Share*p.peakRate() > MaxRate {
		return fmt.Errorf("events: share × the peak rate must be ≤ %d events/s per path", MaxRate)
	}
	return nil
}

// peakRate is the highest request rate the profile reaches.
func (p Profile) peakRate() float64 {
	if p.Ramp != nil {
		return p.Ramp.StepRate(p.Ramp.Steps() - 1)
	}
	peak := 0.0
	for _, pt := range p.Rate {
		peak = max(peak, pt.RPS)
	}
	return peak
}

// Length is how long the run lasts.
func (p Profile) Length() time.Duration {
	switch {
	case p.Duration > 0:
		return p.Duration.D()
	case p.Ramp != nil:
		return time.Duration(p.Ramp.Steps()) * p.Ramp.Every.D()
	case len(p.Rate) > 0:
		return p.Rate[len(p.Rate)-1].At.D()
	}
	return 0
}

// RateAt is the total request rate at offset t.
func (p Profile) RateAt(t time.Duration) float64 {
	if p.Ramp != nil {
		return p.Ramp.StepRate(p.Ramp.StepAt(t))
	}
	pts := p.Rate
	if len(pts) == 0 {
		return 0
	}
	i := sort.Search(len(pts), func(i int) bool { return pts[i].At.D() > t })
	switch {
	case i == 0:
		return pts[0].RPS
	case i == len(pts):
		return pts[len(pts)-1].RPS
	}
	a, b := pts[i-1], pts[i]
	f := float64(t-a.At.D()) / float64(b.At.D()-a.At.D())
	return a.RPS + f*(b.RPS-a.RPS)
}

// KindRateAt is kind's request rate at offset t.
func (p Profile) KindRateAt(kind string, t time.Duration) float64 {
	return p.RateAt(t) * p.Mix.Share(kind)
}

// Scaled multiplies every rate by f.
func (p Profile) Scaled(f float64) Profile {
	q := p
	q.Rate = make([]Point, len(p.Rate))
	for i, pt := range p.Rate {
		q.Rate[i] = Point{pt.At, pt.RPS * f}
	}
	if p.Ramp != nil {
		r := *p.Ramp
		r.Start, r.Step, r.Max = r.Start*f, r.Step*f, r.Max*f
		q.Ramp = &r
	}
	if p.Events != nil {
		// a share follows the scaled rates by itself
		q = q.WithEvents(p.Events)
		q.Events.Rate *= f
	}
	return q
}

// Shard is shard i (1-based) of n: every rate divided by n, so n shards
// on n machines together make the whole profile.
func (p Profile) Shard(i, n int) (Profile, error) {
	if n < 1 || i < 1 || i > n {
		return Profile{}, fmt.Errorf("shard %d/%d: want i/n with 1 ≤ i ≤ n", i, n)
	}
	if n == 1 {
		return p, nil
	}
	q := p.Scaled(1 / float64(n))
	q.Sessions = max(1, (p.Sessions+n-1)/n)
	return q, nil
}

// ParseShard reads "i/n".
func ParseShard(s string) (i, n int, err error) {
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || fmt.Sprintf("%d/%d", i, n) != s {
		return 0, 0, fmt.Errorf("--shard %q: want i/n, e.g. 1/4", s)
	}
	if n < 1 || n > 1000 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard %q: want 1 ≤ i ≤ n ≤ 1000", s)
	}
	return i, n, nil
}

// WithDuration sets the run's length (for a ramp: the longest it may run).
func (p Profile) WithDuration(d time.Duration) Profile {
	if d > 0 {
		p.Duration = Duration(d)
	}
	return p
}

// Duration is a time.Duration written "90s" or "1m30s" (or a number of
// seconds) in profile files.
type Duration time.Duration

// D is d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes "1m30s".
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// MarshalYAML writes "1m30s".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads "1m30s" or a number of seconds.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a duration such as 30s is expected", n.Line)
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalJSON reads "1m30s" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	v, err := parseDuration(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if v, err := time.ParseDuration(s); err == nil {
		return v, nil
	}
	var secs float64
	if _, err := fmt.Sscanf(s, "%g", &secs); err == nil && fmt.Sprint(secs) == s && !math.IsNaN(secs) && math.Abs(secs) < MaxDuration.Seconds()*2 {
		return time.Duration(secs * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("%q is not a duration (e.g. 30s, 2m, 1h30m)", s)
}

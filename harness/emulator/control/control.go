// Package control is the emulator's own API: LocalStack-shaped health and
// init endpoints (so existing wait strategies work) and groundstack's
// reset/state endpoints. It knows services only through cloud.Service.
package control

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/faults"
)

// Wire paths of the control plane.
const (
	PathLocalStackHealth = "/_localstack/health"
	PathLocalStackInit   = "/_localstack/init"
	PathHealth           = "/_groundstack/health"
	PathReset            = "/_groundstack/reset"
	PathState            = "/_groundstack/state"
	PathClock            = "/_groundstack/clock"
	PathFaults           = faults.Path
	PathSnapshot         = "/_groundstack/snapshot"
	PathSnapshotLoad     = "/_groundstack/snapshot/load"
	PathConsole          = "/_groundstack/ui"
)

// Plane serves the control endpoints.
type Plane struct {
	env      *cloud.Env
	version  string
	services []cloud.Service
	started  time.Time

	mu    sync.Mutex
	hooks InitReport

	onReset     func(names map[string]bool)
	serving     func(name string) bool // nil: every service
	persistence func() any
	console     http.Handler // the web console, if any

	life         context.Context // cancelled by Close
	stop         context.CancelFunc
	hooksRunning sync.WaitGroup
}

// New returns the control plane for services.
func New(env *cloud.Env, version string, services []cloud.Service) *Plane {
	p := &Plane{env: env, version: version, services: services, started: env.Now()}
	p.life, p.stop = context.WithCancel(context.Background())
	p.hooks.Completed = map[string]bool{"BOOT": true, "START": true, "READY": true, "SHUTDOWN": false}
	p.hooks.Scripts = []HookScript{}
	return p
}

// OnReset makes f run after every reset through the control plane, with
// the names of the services reset (none: all), for the emulator to reset
// what the plane's services are not (other accounts).
func (p *Plane) OnReset(f func(names map[string]bool)) { p.onReset = f }

// Serving tells the plane which services the edge serves, when not all
// (emulator.WithServices): health lists only those, and LocalStack's health
// calls the others "disabled", as LocalStack does services SERVICES leaves
// out.
func (p *Plane) Serving(served func(name string) bool) { p.serving = served }

// Console makes the plane serve the web console h under PathConsole; its
// reads (GET and HEAD) are public, its changes need a signature in strict
// mode.
func (p *Plane) Console(h http.Handler) { p.console = h }

func (p *Plane) served(name string) bool { return p.serving == nil || p.serving(name) }

// OnPersistence makes GET /_groundstack/state report what f returns as
// "persistence" (groundstack up --data-dir: the data directory, what was
// restored, torn tails cut, services not persisted).
func (p *Plane) OnPersistence(f func() any) { p.persistence = f }

func (p *Plane) Name() string                { return "control" }
func (p *Plane) Protocol() awsproto.Protocol { return awsproto.RestJSON }
func (p *Plane) Reset()                      {}

// Routes: LocalStack's read-only endpoints and groundstack's health are
// public; reset and state change or read the whole cloud, so in strict mode
// they need a signature (service name "groundstack", which also routes a
// signed request here).
func (p *Plane) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: SigningName},
		{Kind: cloud.ByPath, Key: "/_localstack", Public: true},
		{Kind: cloud.ByPath, Key: "/_groundstack", PublicIf: p.public},
	}
}

// SigningName is the SigV4 service name of the control plane's calls.
const SigningName = "groundstack"

// public: health, and the console's reads.
func (p *Plane) public(r *http.Request) bool {
	return isHealth(r) || (p.console != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		(r.URL.Path == PathConsole || strings.HasPrefix(r.URL.Path, PathConsole+"/")))
}

func isHealth(r *http.Request) bool {
	return strings.TrimSuffix(r.URL.Path, "/") == PathHealth && (r.Method == http.MethodGet || r.Method == http.MethodHead)
}

func (p *Plane) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.console != nil && (r.URL.Path == PathConsole || strings.HasPrefix(r.URL.Path, PathConsole+"/")) {
		p.console.ServeHTTP(w, r)
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == PathLocalStackHealth && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		p.localStackHealth(w)
	case path == PathLocalStackInit && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, p.InitReport())
	case path == PathHealth && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		names := p.serviceNames()
		writeJSON(w, http.StatusOK, map[string]any{
			"status":       "ok",
			"version":      p.version,
			"uptime_s":     p.env.Now().Sub(p.started).Seconds(),
			"services":     names,
			"capabilities": p.Capabilities(),
			"endpoints":    p.endpoints(),
		})
	case path == PathFaults:
		h, ok := p.env.Links.Get(cloud.LinkFaults).(http.Handler)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "this emulator injects no faults"})
			return
		}
		h.ServeHTTP(w, r)
	case path == PathSnapshot || path == PathSnapshotLoad:
		h, ok := p.env.Links.Get(cloud.LinkSnapshots).(http.Handler)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "this emulator takes no snapshots"})
			return
		}
		h.ServeHTTP(w, r)
	case path == PathReset && r.Method == http.MethodPost:
		p.reset(w, r)
	case path == PathState && r.Method == http.MethodGet:
		p.state(w)
	case path == PathClock && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		p.clock(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found", "path": r.URL.Path})
	}
}

// Capabilities are what this emulator serves, sorted: the control plane's
// own, and those its services and EC2 host launcher declare.
func (p *Plane) Capabilities() []string {
	caps := []string{cloud.CapReset, cloud.CapHealth}
	if _, ok := p.env.Links.Get(cloud.LinkFaults).(http.Handler); ok {
		caps = append(caps, cloud.CapFaults)
	}
	if _, ok := p.env.Links.Get(cloud.LinkSnapshots).(http.Handler); ok {
		caps = append(caps, cloud.CapSnapshots)
	}
	for _, s := range p.services {
		if c, ok := s.(cloud.Capable); ok {
			caps = append(caps, c.Capabilities()...)
		}
	}
	if c, ok := p.env.Links.Get(cloud.LinkHosts).(cloud.Capable); ok {
		caps = append(caps, c.Capabilities()...)
	}
	slices.Sort(caps)
	return slices.Compact(caps)
}

func (p *Plane) serviceNames() []string {
	names := make([]string, 0, len(p.services))
	for _, s := range p.services {
		if p.served(s.Name()) {
			names = append(names, s.Name())
		}
	}
	sort.Strings(names)
	return names
}

// endpoints are where clients reach this cloud: the edge, and the MQTT
// broker when it listens.
func (p *Plane) endpoints() map[string]string {
	out := map[string]string{}
	if p.env.Host != "" {
		out["edge"] = "http://" + p.env.Host
	}
	if b, ok := p.env.Links.Get(cloud.LinkMQTT).(cloud.MessageBroker); ok && b.Address() != "" {
		out["mqtt"] = b.Address()
	}
	return out
}

// localStackHealth answers in LocalStack's shape.
func (p *Plane) localStackHealth(w http.ResponseWriter) {
	svcs := make(map[string]string, len(p.services))
	for _, s := range p.services {
		svcs[s.Name()] = "running"
		if !p.served(s.Name()) {
			svcs[s.Name()] = "disabled"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"services": svcs,
		"edition":  "community",
		"version":  p.version,
	})
}

// reset empties every store, or only the services named in ?service=a,b.
func (p *Plane) reset(w http.ResponseWriter, r *http.Request) {
	want := map[string]bool{}
	for _, n := range strings.Split(r.URL.Query().Get("service"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	known := map[string]bool{}
	for _, s := range p.services {
		known[s.Name()] = true
	}
	for n := range want {
		if !known[n] {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown service " + n})
			return
		}
	}
	var done []string
	for _, s := range p.services {
		if len(want) == 0 || want[s.Name()] {
			s.Reset()
			done = append(done, s.Name())
		}
	}
	if p.onReset != nil {
		p.onReset(want)
	}
	sort.Strings(done)
	writeJSON(w, http.StatusOK, map[string]any{"reset": done})
}

func (p *Plane) state(w http.ResponseWriter) {
	out := map[string]any{}
	for _, s := range p.services {
		if sm, ok := s.(cloud.Summarizer); ok {
			out[s.Name()] = sm.Summary()
		} else {
			out[s.Name()] = map[string]any{}
		}
	}
	body := map[string]any{"services": out}
	if p.persistence != nil {
		body["persistence"] = p.persistence()
	}
	writeJSON(w, http.StatusOK, body)
}

// clockRequest moves CloudWatch's clock: by Advance (a Go duration,
// "90s", "5m") or AdvanceSeconds, or to Set (RFC 3339).
type clockRequest struct {
	Advance        string  `json:"advance"`
	AdvanceSeconds float64 `json:"advanceSeconds"`
	Set            string  `json:"set"`
}

// clock answers GET (the clock's time) and POST (move it, evaluating alarms
// at once) on /_groundstack/clock.
func (p *Plane) clock(w http.ResponseWriter, r *http.Request) {
	c, ok := p.env.Links.Get(cloud.LinkClock).(cloud.Clock)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no service has a clock"})
		return
	}
	if r.Method == http.MethodPost {
		var req clockRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON: {\"advance\":\"90s\"}, {\"advanceSeconds\":90} or {\"set\":\"2030-01-01T00:00:00Z\"}"})
			return
		}
		var d time.Duration
		switch {
		case req.Set != "" && (req.Advance != "" || req.AdvanceSeconds != 0):
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "give set or advance, not both"})
			return
		case req.Set != "":
			t, err := time.Parse(time.RFC3339Nano, req.Set)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "set: " + err.Error()})
				return
			}
			if _, err := c.Set(t); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
		case req.Advance != "":
			var err error
			if d, err = time.ParseDuration(req.Advance); err != nil || d <= 0 {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "advance must be a positive duration such as \"90s\""})
				return
			}
		case req.AdvanceSeconds > 0 && req.AdvanceSeconds < 1e9:
			d = time.Duration(req.AdvanceSeconds * float64(time.Second))
		default:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "advanceSeconds must be positive"})
			return
		}
		if d > 0 {
			c.Advance(d)
		}
	}
	now := c.Now()
	writeJSON(w, http.StatusOK, map[string]any{"now": now.UTC().Format(time.RFC3339Nano), "offsetSeconds": now.Sub(p.env.Now()).Seconds()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

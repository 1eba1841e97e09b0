// Package faults injects failures into the emulator on demand: rules that
// match calls by service, operation, resource and region, and answer them
// with an AWS error, added latency or a dropped connection, with a
// probability and within a time window. The control plane serves them at
// /_groundstack/faults; awsproto consults them before each operation runs.
package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// MaxRules bounds how many rules the emulator holds at once.
const MaxRules = 1000

// Rule is one fault: which calls it matches and what it does to them. The
// smallest rule is {"service":"dynamodb","operation":"PutItem",
// "error":"ProvisionedThroughputExceededException"}.
type Rule struct {
	ID string `json:"id,omitempty"`

	// Service is the service's model name (dynamodb, s3, sqs, lambda, logs,
	// cloudwatch…); Operation the operation's name (PutItem), or a glob
	// ("Put*", "*Item"); Resource a glob matched against the names and ARNs
	// the call's input carries (TableName, Bucket, QueueUrl, FunctionName…);
	// Region the call's region. Empty or "*" matches anything.
	Service   string `json:"service,omitempty"`
	Operation string `json:"operation,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Region    string `json:"region,omitempty"`

	// Error is the AWS error code the call answers with; Status and
	// Message default to AWS's for the codes it throttles and fails with
	// (ProvisionedThroughputExceededException, ThrottlingException,
	// SlowDown…), else 400 and a message naming the fault.
	Error   string `json:"error,omitempty"`
	Status  int    `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Latency delays the call by this Go duration ("200ms"), or by a
	// uniformly random one between Latency and LatencyMax when that is set;
	// the call then runs, unless Error or Drop is set too.
	Latency    string `json:"latency,omitempty"`
	LatencyMax string `json:"latencyMax,omitempty"`
	// Drop closes the connection without an answer (on the ssh target: the
	// host stops answering; on websocket: the connection is closed).
	Drop bool `json:"drop,omitempty"`
	// Crash makes a Lambda function's process exit (targets cold-start and
	// invoke).
	Crash bool `json:"crash,omitempty"`

	// Target is what the rule acts on: "api" (the default: AWS API
	// operations) or a data plane: "cold-start" and "invoke" (Lambda),
	// "delivery" (events from S3, SNS, SQS and DynamoDB Streams to their
	// consumers), "ssh" (EC2 hosts), "websocket" (API Gateway's WebSocket
	// connections). A data plane's rules match service, resource and
	// region, not operation.
	Target string `json:"target,omitempty"`

	// Probability (0 < p ≤ 1, default 1) is the share of matching calls the
	// fault hits.
	Probability *float64 `json:"probability,omitempty"`
	// Start and End (RFC 3339) bound when the rule is in force; Duration
	// ("30s"), instead of End, ends it that long after it was added.
	Start    string `json:"start,omitempty"`
	End      string `json:"end,omitempty"`
	Duration string `json:"duration,omitempty"`
	// Times, when set, retires the rule after it hit that many calls.
	Times int `json:"times,omitempty"`

	// Hits counts the calls the rule hit (read only).
	Hits int64 `json:"hits"`
}

// rule is a Rule in force: parsed, with its hit count.
type rule struct {
	Rule
	latency, latencyMax time.Duration
	start, end          time.Time
	p                   float64
	hits                atomic.Int64
}

// Engine holds the rules of one emulator.
type Engine struct {
	now    func() time.Time
	newID  func() string
	active atomic.Bool // any rule at all: the edge's one check when there is none

	mu    sync.RWMutex
	rules []*rule
}

// New returns an engine without rules on the clock now.
func New(now func() time.Time, newID func() string) *Engine {
	return &Engine{now: now, newID: newID}
}

// Active reports whether any rule is set: when none is, calls pay nothing.
func (e *Engine) Active() bool { return e.active.Load() }

// Add checks spec and adds it; it returns the rule as stored (with its
// id).
func (e *Engine) Add(spec Rule) (Rule, error) {
	r := &rule{Rule: spec}
	r.Hits = 0
	if err := r.compile(e.now()); err != nil {
		return Rule{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.rules) >= MaxRules {
		return Rule{}, fmt.Errorf("at most %d fault rules at once: clear some first", MaxRules)
	}
	if r.ID == "" {
		r.ID = e.newID()
	}
	for _, x := range e.rules {
		if x.ID == r.ID {
			return Rule{}, fmt.Errorf("a fault rule with id %q exists", r.ID)
		}
	}
	e.rules = append(e.rules, r)
	e.active.Store(true)
	return r.Rule, nil
}

// List returns the rules, with their hit counts.
func (e *Engine) List() []Rule {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Rule, 0, len(e.rules))
	for _, r := range e.rules {
		c := r.Rule
		c.Hits = r.hits.Load()
		out = append(out, c)
	}
	return out
}

// Remove deletes the rule with id; it reports whether there was one.
func (e *Engine) Remove(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range e.rules {
		if r.ID == id {
			e.rules = append(e.rules[:i], e.rules[i+1:]...)
			e.active.Store(len(e.rules) > 0)
			return true
		}
	}
	return false
}

// Clear deletes every rule.
func (e *Engine) Clear() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules = nil
	e.active.Store(false)
}

// compile checks a rule and parses its durations and times.
func (r *rule) compile(now time.Time) error {
	for _, g := range []struct{ name, v string }{{"operation", r.Operation}, {"resource", r.Resource}} {
		if _, err := path.Match(g.v, ""); err != nil {
			return fmt.Errorf("%s %q is not a valid glob", g.name, g.v)
		}
	}
	if err := r.compileTarget(); err != nil {
		return err
	}
	if r.Status != 0 && (r.Status < 400 || r.Status > 599) {
		return fmt.Errorf("status %d is not an error status (400-599)", r.Status)
	}
	var err error
	if r.Latency != "" {
		if r.latency, err = time.ParseDuration(r.Latency); err != nil || r.latency < 0 || r.latency > 10*time.Minute {
			return fmt.Errorf("latency %q: want a Go duration up to 10m, such as 200ms", r.Latency)
		}
	}
	if r.LatencyMax != "" {
		if r.latencyMax, err = time.ParseDuration(r.LatencyMax); err != nil || r.latencyMax < r.latency || r.latencyMax > 10*time.Minute {
			return fmt.Errorf("latencyMax %q: want a Go duration between latency and 10m", r.LatencyMax)
		}
	}
	r.p = 1
	if r.Probability != nil {
		if r.p = *r.Probability; !(r.p > 0 && r.p <= 1) {
			return fmt.Errorf("probability %v: want 0 < p ≤ 1", *r.Probability)
		}
	}
	if r.Start != "" {
		if r.start, err = time.Parse(time.RFC3339Nano, r.Start); err != nil {
			return fmt.Errorf("start %q: want RFC 3339", r.Start)
		}
	}
	switch {
	case r.End != "" && r.Duration != "":
		return errors.New(`give "end" or "duration", not both`)
	case r.End != "":
		if r.end, err = time.Parse(time.RFC3339Nano, r.End); err != nil {
			return fmt.Errorf("end %q: want RFC 3339", r.End)
		}
	case r.Duration != "":
		d, err := time.ParseDuration(r.Duration)
		if err != nil || d <= 0 {
			return fmt.Errorf("duration %q: want a positive Go duration such as 30s", r.Duration)
		}
		from := now
		if r.start.After(now) {
			from = r.start
		}
		r.end = from.Add(d)
	}
	if r.Times < 0 {
		return errors.New("times must be positive")
	}
	return nil
}

// effects are the effects each target allows, in the words of the refusal.
var effects = map[string]struct {
	error, latency, drop, crash bool
	words                       string
}{
	TargetAPI:            {error: true, latency: true, drop: true, words: `"error", "latency" or "drop"`},
	cloud.PlaneColdStart: {latency: true, crash: true, words: `"latency" or "crash"`},
	cloud.PlaneInvoke:    {latency: true, crash: true, words: `"latency" or "crash"`},
	cloud.PlaneDelivery:  {latency: true, words: `"latency"`},
	cloud.PlaneSSH:       {latency: true, drop: true, words: `"latency" or "drop"`},
	cloud.PlaneWebSocket: {latency: true, drop: true, words: `"latency" or "drop"`},
}

// TargetAPI is the default target: AWS API operations.
const TargetAPI = "api"

// compileTarget checks the rule's effects against what its target allows.
func (r *rule) compileTarget() error {
	if r.Target == "" {
		r.Target = TargetAPI
	}
	eff, ok := effects[r.Target]
	if !ok {
		return fmt.Errorf("target %q: want api, cold-start, invoke, delivery, ssh or websocket", r.Target)
	}
	if r.Error == "" && r.Latency == "" && !r.Drop && !r.Crash {
		return fmt.Errorf("a fault rule on target %s needs %s", r.Target, eff.words)
	}
	for _, x := range []struct {
		set, allowed bool
		name         string
	}{{r.Error != "", eff.error, "error"}, {r.Latency != "" || r.LatencyMax != "", eff.latency, "latency"}, {r.Drop, eff.drop, "drop"}, {r.Crash, eff.crash, "crash"}} {
		if x.set && !x.allowed {
			return fmt.Errorf("target %s takes %s, not %q", r.Target, eff.words, x.name)
		}
	}
	if r.Error != "" && r.Drop || r.Crash && r.Drop {
		return errors.New(`give one of "error", "drop" and "crash"`)
	}
	if r.Target != TargetAPI && r.Operation != "" && r.Operation != "*" {
		return fmt.Errorf("target %s has no operations: match it by service, resource and region", r.Target)
	}
	if (r.Status != 0 || r.Message != "") && r.Error == "" {
		return errors.New(`"status" and "message" go with "error"`)
	}
	return nil
}

// live reports whether r is in force now and has hits left.
func (r *rule) live(now time.Time) bool {
	if !r.start.IsZero() && now.Before(r.start) || !r.end.IsZero() && !now.Before(r.end) {
		return false
	}
	return r.Times <= 0 || r.hits.Load() < int64(r.Times)
}

// matches reports whether r applies to a call now.
func (r *rule) matches(now time.Time, service, operation, region string, in any) bool {
	if r.Target != TargetAPI || !r.live(now) {
		return false
	}
	if !any1(r.Service, service, strings.EqualFold) || !any1(r.Region, region, strings.EqualFold) {
		return false
	}
	if !globMatch(r.Operation, operation) {
		return false
	}
	if r.Resource != "" && r.Resource != "*" && !resourceMatch(r.Resource, in) {
		return false
	}
	return true
}

func any1(want, got string, eq func(a, b string) bool) bool {
	return want == "" || want == "*" || eq(want, got)
}

func globMatch(pattern, s string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	ok, _ := path.Match(pattern, s)
	return ok || strings.EqualFold(pattern, s)
}

// resourceMatch matches pattern against the string members at the top of
// the input, or of structures it embeds (a table's, bucket's, queue's or
// function's name or ARN), and against an ARN's or URL's last segment.
func resourceMatch(pattern string, in any) bool {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	return v.Kind() == reflect.Struct && structMatch(pattern, v, 0)
}

func structMatch(pattern string, v reflect.Value, depth int) bool {
	for i := 0; i < v.NumField(); i++ {
		sf := v.Type().Field(i)
		f := v.Field(i)
		if sf.Anonymous && depth < 3 {
			for f.Kind() == reflect.Pointer && !f.IsNil() {
				f = f.Elem()
			}
			if f.Kind() == reflect.Struct && structMatch(pattern, f, depth+1) {
				return true
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			f = f.Elem()
		}
		if f.Kind() == reflect.String && nameMatch(pattern, f.String()) {
			return true
		}
	}
	return false
}

// nameMatch matches a name, an ARN or a URL, or its last segment.
func nameMatch(pattern, s string) bool {
	if s == "" {
		return false
	}
	if ok, _ := path.Match(pattern, s); ok {
		return true
	}
	if i := strings.LastIndexAny(s, ":/"); i >= 0 && i < len(s)-1 {
		ok, _ := path.Match(pattern, s[i+1:])
		return ok
	}
	return false
}

// Inject is awsproto.Injector: the first rule that matches the call and
// hits (by its probability) delays it, fails it, or drops its connection.
func (e *Engine) Inject(c *awsproto.Call, service, operation string, in any) error {
	now := e.now()
	e.mu.RLock()
	var hit *rule
	for _, r := range e.rules {
		if r.matches(now, service, operation, c.Region, in) && (r.p >= 1 || rand.Float64() < r.p) {
			hit = r
			break
		}
	}
	e.mu.RUnlock()
	if hit == nil {
		return nil
	}
	hit.hits.Add(1)
	if err := (&cloud.FaultHit{Delay: hit.delay()}).Sleep(c.Request.Context()); err != nil {
		return err
	}
	if hit.Drop {
		panic(http.ErrAbortHandler)
	}
	if hit.Error != "" {
		return hit.awsError()
	}
	return nil
}

// Fault is cloud.FaultPlanes: the first rule targeting plane that matches
// service, region and one of names, and hits by its probability.
func (e *Engine) Fault(plane, service, region string, names ...string) *cloud.FaultHit {
	hit := e.first(plane, service, region, names, false)
	if hit == nil {
		return nil
	}
	return &cloud.FaultHit{Rule: hit.ID, Delay: hit.delay(), Drop: hit.Drop, Crash: hit.Crash}
}

// Dropped is cloud.FaultPlanes' Dropped: Fault's question asked of the rules
// that drop only, for the periodic checks of open connections, so that they
// neither count hits on nor use up the times of a latency rule.
func (e *Engine) Dropped(plane, service, region string, names ...string) bool {
	return e.first(plane, service, region, names, true) != nil
}

// first is the first rule targeting plane (that drops, when dropOnly) that
// matches and hits by its probability, its hit counted; nil when none.
func (e *Engine) first(plane, service, region string, names []string, dropOnly bool) *rule {
	if e == nil || !e.active.Load() {
		return nil
	}
	now := e.now()
	e.mu.RLock()
	var hit *rule
	for _, r := range e.rules {
		if r.Target != plane || dropOnly && !r.Drop || !r.live(now) ||
			!any1(r.Service, service, strings.EqualFold) || !any1(r.Region, region, strings.EqualFold) {
			continue
		}
		if r.Resource != "" && r.Resource != "*" && !slices.ContainsFunc(names, func(n string) bool { return nameMatch(r.Resource, n) }) {
			continue
		}
		if r.p >= 1 || rand.Float64() < r.p {
			hit = r
			break
		}
	}
	e.mu.RUnlock()
	if hit != nil {
		hit.hits.Add(1)
	}
	return hit
}

func (r *rule) delay() time.Duration {
	if r.latencyMax > r.latency {
		return r.latency + time.Duration(rand.Int64N(int64(r.latencyMax-r.latency)+1))
	}
	return r.latency
}

// known are AWS's statuses and messages of the errors faults usually
// inject.
var known = map[string]struct {
	status int
	msg    string
}{
	"ProvisionedThroughputExceededException": {400, "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."},
	"ThrottlingException":                    {400, "Rate exceeded"},
	"Throttling":                             {400, "Rate exceeded"},
	"RequestLimitExceeded":                   {503, "Request limit exceeded."},
	"TooManyRequestsException":               {429, "Rate Exceeded."},
	"RequestThrottled":                       {403, "Request is throttled."},
	"SlowDown":                               {503, "Please reduce your request rate."},
	"ServiceUnavailable":                     {503, "Service is unavailable. Please try again later."},
	"ServiceUnavailableException":            {503, "Service is unavailable. Please try again later."},
	"InternalServerError":                    {500, "Internal server error"},
	"InternalFailure":                        {500, "The request processing has failed because of an unknown error, exception or failure."},
	"InternalError":                          {500, "We encountered an internal error. Please try again."},
	"InternalServerException":                {500, "Internal server error"},
	"ServiceException":                       {500, "Internal service error"},
	"LimitExceededException":                 {400, "Rate exceeded"},
}

func (r *rule) awsError() *awsproto.Error {
	k, ok := known[r.Error]
	status, msg := k.status, k.msg
	if !ok {
		status, msg = http.StatusBadRequest, "groundstack fault injection: "+r.Error
	}
	if r.Status != 0 {
		status = r.Status
	}
	if r.Message != "" {
		msg = r.Message
	}
	return awsproto.Code{Name: r.Error, Status: status}.New(msg)
}

// ServeHTTP serves /_groundstack/faults: GET lists the rules, POST adds
// one rule (a JSON object) or several (an array), DELETE clears them all,
// or the one ?id= names.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeJSON(w, http.StatusOK, map[string]any{"faults": e.List()})
	case http.MethodPost:
		body, err := readBody(w, r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		var rules []Rule
		if trimmed := strings.TrimSpace(string(body)); strings.HasPrefix(trimmed, "[") {
			err = strictUnmarshal(body, &rules)
		} else {
			var one Rule
			err = strictUnmarshal(body, &one)
			rules = []Rule{one}
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be a fault rule (a JSON object) or an array of them: " + err.Error()})
			return
		}
		added := make([]Rule, 0, len(rules))
		for i, rule := range rules {
			got, err := e.Add(rule)
			if err != nil {
				for _, a := range added {
					e.Remove(a.ID)
				}
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "rule " + strconv.Itoa(i) + ": " + err.Error()})
				return
			}
			added = append(added, got)
		}
		writeJSON(w, http.StatusOK, map[string]any{"faults": added})
	case http.MethodDelete:
		if id := r.URL.Query().Get("id"); id != "" {
			if !e.Remove(id) {
				writeJSON(w, http.StatusNotFound, map[string]string{"error": "no fault rule " + id})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"removed": []string{id}})
			return
		}
		e.Clear()
		writeJSON(w, http.StatusOK, map[string]any{"faults": []Rule{}})
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET, POST or DELETE"})
	}
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("body: %v", err)
	}
	return b, nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

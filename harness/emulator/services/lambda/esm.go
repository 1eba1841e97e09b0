package lambda

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/lambda/esm"
)

// Event source mappings: the resources (this file) and their pollers
// (package esm). A mapping's state changes in the background, as on AWS:
// Create answers Creating, Update Updating/Enabling/Disabling, Delete
// Deleting, and one goroutine per mapping (reconcile) stops and starts its
// poller until what runs is what the mapping says.

// Mapping states and reasons, as AWS shows them.
const (
	stateCreating  = "Creating"
	stateEnabled   = "Enabled"
	stateEnabling  = "Enabling"
	stateDisabled  = "Disabled"
	stateDisabling = "Disabling"
	stateUpdating  = "Updating"
	stateDeleting  = "Deleting"

	reasonSQS    = "USER_INITIATED"
	reasonStream = "User action"
)

// Kinds of event source.
const (
	sourceSQS    = "sqs"
	sourceStream = "dynamodb"
)

// defaultSQSPollers bounds a queue's concurrent batches when neither
// ScalingConfig.MaximumConcurrency nor reserved concurrency does (AWS starts
// with five pollers and grows far beyond; on a laptop five is plenty).
const defaultSQSPollers = 5

// mapping is one event source mapping. Fields are guarded by
// eventSources.mu.
type mapping struct {
	UUID, ARN, SourceARN, Kind string
	Region                     string
	FnName, Qualifier          string
	FunctionARN                string // qualified when FunctionName was

	Enabled          bool
	BatchSize        int
	Window           int
	Filters          []string
	compiled         *esm.Filters
	ResponseTypes    []string
	MaxConcurrency   int // ScalingConfig.MaximumConcurrency; 0 unset
	StartingPosition string
	Bisect           bool
	MaxRetries       int
	MaxAge           int
	OnFailure        string
	Parallelization  int
	Tumbling         int

	State, Reason, LastResult string
	Modified                  time.Time
	Tags                      map[string]string

	poller   *esm.Poller
	position string // where a stream poller resumes
	busy     bool   // reconcile runs
	dirty    bool   // changed while reconcile ran
	deleting bool
}

// eventSources holds the mappings and runs their pollers.
type eventSources struct {
	s *Service

	mu     sync.Mutex
	byID   map[string]*mapping
	closed bool
	wg     sync.WaitGroup // reconcile goroutines
	// retryDelay is the first wait before a failed batch is retried (tests
	// shorten it); 0 is the esm package's default.
	retryDelay time.Duration
}

func newEventSources(s *Service) *eventSources {
	return &eventSources{s: s, byID: map[string]*mapping{}}
}

// add stores a new mapping (checked already) and starts it.
func (es *eventSources) add(m *mapping) (esmWire, error) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if err := es.conflictLocked(m); err != nil {
		return esmWire{}, err
	}
	m.State = stateCreating
	es.byID[m.UUID] = m
	es.kickLocked(m)
	return m.wire(), nil
}

// conflictLocked refuses a second mapping of one source to one function.
func (es *eventSources) conflictLocked(m *mapping) error {
	for _, o := range es.byID {
		if o.UUID == m.UUID || o.deleting || o.SourceARN != m.SourceARN || o.FunctionARN != m.FunctionARN {
			continue
		}
		if m.Kind == sourceSQS {
			return errResourceConflict.Errorf(`An event source mapping with SQS arn (" %s ") and function (" %s ") already exists. Please update or delete the existing mapping with UUID %s`, m.SourceARN, m.FnName, o.UUID)
		}
		return errResourceConflict.Errorf(`The event source arn (" %s ") and function (" %s ") provided mapping already exists. Please update or delete the existing mapping with UUID %s`, m.SourceARN, m.FnName, o.UUID)
	}
	return nil
}

// get returns a copy of mapping id for reading or changing.
func (es *eventSources) get(region, id string) (*mapping, error) {
	es.mu.Lock()
	defer es.mu.Unlock()
	m, ok := es.byID[id]
	if !ok || m.Region != region {
		return nil, errResourceNotFound.New(msgNoSuchResource)
	}
	cp := *m
	return &cp, nil
}

// update replaces mapping id's settings with those of next (a changed
// copy from get) and restarts its poller.
func (es *eventSources) update(next *mapping) (esmWire, error) {
	es.mu.Lock()
	defer es.mu.Unlock()
	m, ok := es.byID[next.UUID]
	if !ok {
		return esmWire{}, errResourceNotFound.New(msgNoSuchResource)
	}
	if m.deleting {
		return esmWire{}, errResourceInUse.New("Cannot update the event source mapping because it is in use.")
	}
	if err := es.conflictLocked(next); err != nil {
		return esmWire{}, err
	}
	wasEnabled := m.Enabled
	m.FnName, m.Qualifier, m.FunctionARN = next.FnName, next.Qualifier, next.FunctionARN
	m.Enabled, m.BatchSize, m.Window = next.Enabled, next.BatchSize, next.Window
	m.Filters, m.compiled, m.ResponseTypes, m.MaxConcurrency = next.Filters, next.compiled, next.ResponseTypes, next.MaxConcurrency
	m.Bisect, m.MaxRetries, m.MaxAge, m.OnFailure = next.Bisect, next.MaxRetries, next.MaxAge, next.OnFailure
	m.Parallelization, m.Tumbling = next.Parallelization, next.Tumbling
	m.Modified = next.Modified
	switch {
	case m.Enabled && !wasEnabled:
		m.State = stateEnabling
	case !m.Enabled && wasEnabled:
		m.State = stateDisabling
	default:
		m.State = stateUpdating
	}
	es.kickLocked(m)
	return m.wire(), nil
}

// remove deletes mapping id once its poller stopped.
func (es *eventSources) remove(region, id string) (esmWire, error) {
	es.mu.Lock()
	defer es.mu.Unlock()
	m, ok := es.byID[id]
	if !ok || m.Region != region {
		return esmWire{}, errResourceNotFound.New(msgNoSuchResource)
	}
	m.deleting = true
	m.State = stateDeleting
	es.kickLocked(m)
	return m.wire(), nil
}

// list returns the region's mappings, sorted by UUID, that match the
// filters (either may be empty).
func (es *eventSources) list(region, functionARN, sourceARN string) []esmWire {
	es.mu.Lock()
	defer es.mu.Unlock()
	var out []esmWire
	for _, m := range es.byID {
		if m.Region != region || (sourceARN != "" && m.SourceARN != sourceARN) {
			continue
		}
		if functionARN != "" && m.FunctionARN != functionARN && unqualified(m.FunctionARN) != functionARN {
			continue
		}
		out = append(out, m.wire())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}

func unqualified(arn string) string {
	if strings.Count(arn, ":") == 7 {
		return arn[:strings.LastIndexByte(arn, ':')]
	}
	return arn
}

// kickLocked makes the mapping's reconcile goroutine run (again).
func (es *eventSources) kickLocked(m *mapping) {
	if m.busy {
		m.dirty = true
		return
	}
	m.busy = true
	es.wg.Add(1)
	go es.reconcile(m)
}

// reconcile stops the mapping's poller and starts the one its settings
// call for, until nothing changed meanwhile.
func (es *eventSources) reconcile(m *mapping) {
	defer es.wg.Done()
	for {
		es.mu.Lock()
		m.dirty = false
		old := m.poller
		es.mu.Unlock()
		if old != nil {
			pos := old.Stop()
			es.mu.Lock()
			if pos != "" {
				m.position = pos
			}
			m.poller = nil
			es.mu.Unlock()
		}
		es.mu.Lock()
		run := m.Enabled && !m.deleting && !es.closed
		var spec startSpec
		if run {
			spec = startSpec{cfg: es.configLocked(m), kind: m.Kind, region: m.Region, name: m.FnName, qualifier: m.Qualifier, retryDelay: es.retryDelay}
		}
		es.mu.Unlock()
		var p *esm.Poller
		if run {
			p = es.start(m, spec)
		}
		es.mu.Lock()
		m.poller = p
		if m.dirty && !es.closed {
			es.mu.Unlock()
			continue
		}
		m.busy = false
		deleting := m.deleting
		switch {
		case deleting:
			if es.byID[m.UUID] == m {
				delete(es.byID, m.UUID)
			}
		case m.Enabled:
			m.State = stateEnabled
		default:
			m.State = stateDisabled
		}
		es.mu.Unlock()
		if deleting && p != nil {
			p.Kill() // deleted or closed while it started
		}
		return
	}
}

// configLocked is what the mapping's poller runs with.
func (es *eventSources) configLocked(m *mapping) esm.Config {
	cfg := esm.Config{
		UUID: m.UUID, SourceARN: m.SourceARN, FunctionARN: m.FunctionARN, Region: m.Region,
		BatchSize: m.BatchSize, Window: time.Duration(m.Window) * time.Second,
		ReportItemFailures: slices.Contains(m.ResponseTypes, "ReportBatchItemFailures"),
		Filters:            m.compiled,
		StartingPosition:   m.StartingPosition, Resume: m.position,
		Bisect: m.Bisect, MaxRetries: m.MaxRetries, OnFailure: m.OnFailure,
	}
	if m.MaxAge > 0 {
		cfg.MaxRecordAge = time.Duration(m.MaxAge) * time.Second
	}
	if m.Kind == sourceSQS {
		cfg.MaxConcurrency = defaultSQSPollers
		if m.MaxConcurrency > 0 {
			cfg.MaxConcurrency = m.MaxConcurrency
		}
		if f, err := es.s.store.Function(m.Region, m.FnName); err == nil && f.Reserved() >= 0 {
			cfg.MaxConcurrency = max(1, min(cfg.MaxConcurrency, f.Reserved()))
		}
	}
	return cfg
}

// startSpec is what a poller starts with, read under eventSources.mu.
type startSpec struct {
	cfg                     esm.Config
	kind                    string
	region, name, qualifier string
	retryDelay              time.Duration
}

// start starts a poller for m as spec says.
func (es *eventSources) start(m *mapping, spec startSpec) *esm.Poller {
	env := es.s.env
	cfg, region, name, q := spec.cfg, spec.region, spec.name, spec.qualifier
	l := esm.Links{
		Invoke: func(ctx context.Context, payload []byte) (cloud.InvokeResult, error) {
			return es.s.Invoke(ctx, cloud.InvokeRequest{Region: region, Function: name, Qualifier: q, Payload: payload})
		},
		Report: func(result string) {
			es.mu.Lock()
			m.LastResult = result
			es.mu.Unlock()
		},
		Now: env.Now, NewID: env.NewID, Log: env.Log, RetryDelay: spec.retryDelay,
	}
	// Delivery fault rules match the source (queue or stream ARN, the
	// queue's or table's name) and the consumer (function ARN and name).
	source, names := "sqs", []string{cfg.SourceARN, cfg.FunctionARN, name}
	if spec.kind != sourceSQS {
		source = "dynamodbstreams"
		if parts := strings.SplitN(cfg.SourceARN, ":", 6); len(parts) == 6 {
			if table, _, ok := strings.Cut(parts[5], "/stream/"); ok {
				names = append(names, strings.TrimPrefix(table, "table/"))
			}
		}
	}
	l.Fault = func() *cloud.FaultHit {
		return cloud.FaultOn(env.Links, cloud.PlaneDelivery, source, region, names...)
	}
	l.Queues, _ = env.Links.Get(cloud.LinkSQS).(cloud.Queues)
	l.Deliver = func(arn, body string) error { return es.s.deliver(arn, body, nil) }
	if spec.kind == sourceSQS {
		if l.Queues == nil {
			return nil
		}
		return esm.StartSQS(cfg, l)
	}
	l.Streams, _ = env.Links.Get(cloud.LinkDynamoDBStreams).(cloud.StreamReader)
	if l.Streams == nil {
		return nil
	}
	if sh, ok := l.Streams.(interface{ StreamShardID(string) (string, bool) }); ok {
		cfg.ShardID, _ = sh.StreamShardID(cfg.SourceARN)
	}
	return esm.StartStream(cfg, l)
}

// queueDeleted marks the mappings of a deleted queue (their pollers keep
// trying, as AWS's do, and resume if the queue comes back).
func (es *eventSources) queueDeleted(arn string) {
	es.mu.Lock()
	defer es.mu.Unlock()
	for _, m := range es.byID {
		if m.SourceARN == arn {
			m.LastResult = "PROBLEM: Queue does not exist."
		}
	}
}

// reset deletes every mapping, stopping its poller at once.
func (es *eventSources) reset() {
	es.mu.Lock()
	var pollers []*esm.Poller
	for _, m := range es.byID {
		m.deleting = true
		if m.poller != nil {
			pollers = append(pollers, m.poller)
		}
		es.kickLocked(m)
	}
	es.mu.Unlock()
	for _, p := range pollers {
		p.Kill()
	}
	es.wg.Wait()
	es.mu.Lock()
	clear(es.byID)
	es.mu.Unlock()
}

// close stops every poller and waits for their goroutines.
func (es *eventSources) close() {
	es.mu.Lock()
	es.closed = true
	es.mu.Unlock()
	es.reset()
}

// tag adds and removes tags of mapping id and returns its tags.
func (es *eventSources) tag(region, id string, add map[string]string, remove []string) (map[string]string, error) {
	es.mu.Lock()
	defer es.mu.Unlock()
	m, ok := es.byID[id]
	if !ok || m.Region != region {
		return nil, errResourceNotFound.New(msgNoSuchResource)
	}
	if m.Tags == nil {
		m.Tags = map[string]string{}
	}
	for k, v := range add {
		m.Tags[k] = v
	}
	for _, k := range remove {
		delete(m.Tags, k)
	}
	out := make(map[string]string, len(m.Tags))
	for k, v := range m.Tags {
		out[k] = v
	}
	return out, nil
}

// count is the number of mappings (for the state summary).
func (es *eventSources) count() int {
	es.mu.Lock()
	defer es.mu.Unlock()
	return len(es.byID)
}

package cloudformation

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Stack statuses.
const (
	stCreateInProgress   = "CREATE_IN_PROGRESS"
	stCreateComplete     = "CREATE_COMPLETE"
	stCreateFailed       = "CREATE_FAILED"
	stRollbackInProgress = "ROLLBACK_IN_PROGRESS"
	stRollbackComplete   = "ROLLBACK_COMPLETE"
	stRollbackFailed     = "ROLLBACK_FAILED"
	stDeleteInProgress   = "DELETE_IN_PROGRESS"
	stDeleteComplete     = "DELETE_COMPLETE"
	stDeleteFailed       = "DELETE_FAILED"
	stDeleteSkipped      = "DELETE_SKIPPED"
	stUpdateInProgress   = "UPDATE_IN_PROGRESS"
	stUpdateComplete     = "UPDATE_COMPLETE"
	stUpdateFailed       = "UPDATE_FAILED"
	stUpdateCleanup      = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	stUpdateRollbackIP   = "UPDATE_ROLLBACK_IN_PROGRESS"
	stUpdateRollbackDone = "UPDATE_ROLLBACK_COMPLETE"
	stReviewInProgress   = "REVIEW_IN_PROGRESS"
)

// maxEvents bounds the events a stack keeps (newest kept); maxDeleted the
// deleted stacks ListStacks still shows.
const (
	maxEvents  = 1000
	maxDeleted = 100
	maxStacks  = 2000
)

type paramValue struct {
	Key, Value string
	NoEcho     bool
}

type output struct {
	Key, Value, Description, ExportName string
}

type stackEvent struct {
	ID, Logical, Physical, Type, Status, Reason string
	Properties                                  string
	At                                          time.Time
}

type stackResource struct {
	Logical, Physical, Type, Status, Reason string
	Updated                                 time.Time
	Props                                   map[string]any // resolved
	Attrs                                   map[string]any
	DeletionPolicy, ReplacePolicy           string
}

type stack struct {
	ID, Name, Region     string
	Status, Reason       string
	Created, Updated     time.Time
	Deleted              time.Time
	Body                 string
	tpl                  *template
	Params               []paramValue
	Capabilities         []string
	NotificationARNs     []string
	Tags                 []tag
	DisableRollback      bool
	TerminationProtected bool
	Resources            map[string]*stackResource
	Outputs              []output
	Events               []stackEvent // oldest first
	ChangeSets           map[string]*changeSet
	executed             []*changeSet // the last few, found by ARN
	busy                 bool
	replaced             []*stackResource // by the running update, deleted at its cleanup
	done                 chan struct{}    // closed when the running operation ends
	policy               *stackPolicy     // nil: every update allowed
	policyBody           string
	drift                *driftDetection // the last drift detection, or nil
}

type tag struct{ Key, Value string }

type change struct {
	Action, Logical, Physical, Type, Replacement string
	Scope                                        []string
}

type changeSet struct {
	ID, Name, StackID, StackName string
	Type                         string // CREATE or UPDATE
	Status, ExecStatus, Reason   string
	Created                      time.Time
	Description                  string
	Body                         string
	tpl                          *template
	Params                       []paramValue
	Capabilities                 []string
	Tags                         []tag
	Changes                      []change
	prepared                     *prepared
	onFailure                    string
}

// Store holds the stacks of every region, and their exports.
type Store struct {
	mu      sync.Mutex
	stacks  map[string]map[string]*stack // region → name → live stack
	deleted map[string][]*stack          // region → deleted stacks, oldest first
	newID   func() string
	now     func() time.Time
	// notify hears every event of a stack with NotificationARNs, outside
	// the lock (the service publishes them to the topics).
	notify func(st *stack, ev stackEvent)
	// detections are the drift detections by id (bounded: maxDetections).
	detections map[string]*driftDetection
}

// NewStore returns an empty store.
func NewStore(newID func() string, now func() time.Time) *Store {
	return &Store{stacks: map[string]map[string]*stack{}, deleted: map[string][]*stack{}, newID: newID, now: now}
}

// Reset forgets every stack (their resources stay where they are).
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stacks = map[string]map[string]*stack{}
	s.deleted = map[string][]*stack{}
	s.detections = nil
}

// find returns the live stack named by name or id, or a deleted one by
// its id. Callers hold s.mu.
func (s *Store) find(region, nameOrID string) *stack {
	if st := s.stacks[region][nameOrID]; st != nil {
		return st
	}
	if strings.HasPrefix(nameOrID, "arn:") {
		for _, st := range s.stacks[region] {
			if st.ID == nameOrID {
				return st
			}
		}
		for _, st := range s.deleted[region] {
			if st.ID == nameOrID {
				return st
			}
		}
	}
	return nil
}

func (s *Store) get(region, nameOrID string) (*stack, error) {
	st := s.find(region, nameOrID)
	if st == nil {
		return nil, errValidation.Errorf(msgStackNotFound, nameOrID)
	}
	return st, nil
}

// event records an event of st (the caller holds s.mu) and returns it.
func (s *Store) event(st *stack, logical, physical, typ, status, reason string) stackEvent {
	ev := stackEvent{ID: s.newID(), Logical: logical, Physical: physical, Type: typ, Status: status, Reason: reason, At: s.now()}
	st.Events = append(st.Events, ev)
	if len(st.Events) > maxEvents {
		st.Events = append(st.Events[:0:0], st.Events[len(st.Events)-maxEvents:]...)
	}
	return ev
}

// announce hands an event to notify when the stack has topics to tell.
func (s *Store) announce(st *stack, ev stackEvent, topics bool) {
	if topics && s.notify != nil {
		s.notify(st, ev)
	}
}

// setStatus sets a stack's status and records the event.
func (s *Store) setStatus(st *stack, status, reason string) {
	s.mu.Lock()
	st.Status, st.Reason = status, reason
	if strings.HasPrefix(status, "UPDATE") || strings.HasPrefix(status, "ROLLBACK") || strings.HasPrefix(status, "DELETE") {
		st.Updated = s.now()
	}
	ev := s.event(st, st.Name, st.ID, "AWS::CloudFormation::Stack", status, reason)
	topics := len(st.NotificationARNs) > 0
	s.mu.Unlock()
	s.announce(st, ev, topics)
}

// setResource records a resource's new status and event.
func (s *Store) setResource(st *stack, r *stackResource, status, reason string) {
	s.mu.Lock()
	r.Status, r.Reason, r.Updated = status, reason, s.now()
	ev := s.event(st, r.Logical, r.Physical, r.Type, status, reason)
	topics := len(st.NotificationARNs) > 0
	s.mu.Unlock()
	s.announce(st, ev, topics)
}

// exports returns the region's exports: name → value, and which stack.
func (s *Store) exports(region string) map[string]exportEntry {
	out := map[string]exportEntry{}
	for _, st := range s.stacks[region] {
		for _, o := range st.Outputs {
			if o.ExportName != "" {
				out[o.ExportName] = exportEntry{StackID: st.ID, Value: o.Value}
			}
		}
	}
	return out
}

type exportEntry struct{ StackID, Value string }

// importers returns the names of the live stacks whose templates import
// the export name (the caller holds s.mu).
func (s *Store) importers(region, name string) []string {
	var out []string
	for _, st := range s.stacks[region] {
		if st.Status == stDeleteComplete || st.tpl == nil {
			continue
		}
		if contains(importsOf(st.tpl, st), name) {
			out = append(out, st.Name)
		}
	}
	sort.Strings(out)
	return out
}

// importsOf lists the export names a stack's template imports, as its
// resources resolved them (a name computed by a function is recorded as
// the stack evaluated it).
func importsOf(t *template, st *stack) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if arg, ok := x["Fn::ImportValue"]; ok && len(x) == 1 {
				if s, ok := arg.(string); ok {
					out = append(out, s)
				}
				return
			}
			for _, el := range x {
				walk(el)
			}
		case []any:
			for _, el := range x {
				walk(el)
			}
		}
	}
	walk(t.Raw["Resources"])
	walk(t.Raw["Outputs"])
	_ = st
	return out
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

// stackARN is a new stack's id.
func (s *Store) stackARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", region, account, name, s.newID())
}

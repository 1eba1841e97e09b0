package logs

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is CloudWatch Logs' saved state (version 1): every region's log
// groups with their settings, tags, filters and policies, their streams
// and every stored event; resource policies, account policies,
// destinations and saved query definitions. Decoupled from the store's
// structs, it changes only with stateVersion. Times are milliseconds
// since the epoch, as the API shows them.
//
// Not saved: queries (running or finished) and their results, export and
// import tasks, Live Tail sessions, subscription deliveries in flight, and
// the settings kept apart from the groups (deliveries and their sources
// and destinations, anomaly detectors, lookup tables, integrations,
// scheduled queries).
type State struct {
	Groups           []GroupState          `json:"groups"`
	ResourcePolicies []ResourcePolicyState `json:"resourcePolicies,omitempty"`
	AccountPolicies  []AccountPolicyState  `json:"accountPolicies,omitempty"`
	Destinations     []DestinationState    `json:"destinations,omitempty"`
	QueryDefinitions []QueryDefState       `json:"queryDefinitions,omitempty"`
}

// GroupState is one log group. Seq is the last ingestion sequence number
// (events stored after a load follow it).
type GroupState struct {
	Region              string              `json:"region"`
	Name                string              `json:"name"`
	Created             int64               `json:"created"`
	Retention           int32               `json:"retentionDays,omitempty"`
	Tags                map[string]string   `json:"tags,omitempty"`
	KMSKey              string              `json:"kmsKeyId,omitempty"`
	DeletionProtection  bool                `json:"deletionProtection,omitempty"`
	Seq                 uint64              `json:"seq"`
	DataProtection      *GroupPolicyState   `json:"dataProtectionPolicy,omitempty"`
	IndexPolicy         *GroupPolicyState   `json:"indexPolicy,omitempty"`
	Transformer         *GroupPolicyState   `json:"transformer,omitempty"`
	SubscriptionFilters []SubFilterState    `json:"subscriptionFilters,omitempty"`
	MetricFilters       []MetricFilterState `json:"metricFilters,omitempty"`
	Streams             []StreamState       `json:"streams"`
}

// GroupPolicyState is a policy document attached to a group.
type GroupPolicyState struct {
	Name     string `json:"name,omitempty"`
	Document string `json:"document"`
	Created  int64  `json:"created"`
	Updated  int64  `json:"updated"`
}

// SubFilterState is a subscription filter; its pattern is recompiled on
// load.
type SubFilterState struct {
	Name             string   `json:"name"`
	Pattern          string   `json:"pattern"`
	Destination      string   `json:"destinationArn"`
	RoleArn          string   `json:"roleArn,omitempty"`
	Distribution     string   `json:"distribution,omitempty"`
	Transformed      bool     `json:"applyOnTransformedLogs,omitempty"`
	FieldSelection   string   `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFields []string `json:"emitSystemFields,omitempty"`
	Created          int64    `json:"created"`
}

// MetricFilterState is a metric filter.
type MetricFilterState struct {
	Name             string                 `json:"name"`
	Pattern          string                 `json:"pattern"`
	Transforms       []MetricTransformState `json:"metricTransformations"`
	Transformed      bool                   `json:"applyOnTransformedLogs,omitempty"`
	FieldSelection   string                 `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFields []string               `json:"emitSystemFields,omitempty"`
	Created          int64                  `json:"created"`
}

// MetricTransformState is one metric transformation of a metric filter.
type MetricTransformState struct {
	Name       string            `json:"metricName"`
	Namespace  string            `json:"metricNamespace"`
	Value      string            `json:"metricValue"`
	Default    *float64          `json:"defaultValue,omitempty"`
	Dimensions map[string]string `json:"dimensions,omitempty"`
	Unit       string            `json:"unit,omitempty"`
}

// StreamState is a log stream with its events, in (timestamp, seq)
// order.
type StreamState struct {
	Name          string       `json:"name"`
	Created       int64        `json:"created"`
	FirstEvent    int64        `json:"firstEvent,omitempty"`
	LastEvent     int64        `json:"lastEvent,omitempty"`
	LastIngestion int64        `json:"lastIngestion,omitempty"`
	Events        []EventState `json:"events,omitempty"`
}

// EventState is one stored event: its timestamp, ingestion sequence
// number and time, and message.
type EventState struct {
	TS     int64  `json:"ts"`
	Seq    uint64 `json:"seq"`
	Ingest int64  `json:"ingest"`
	Msg    string `json:"msg"`
}

// ResourcePolicyState is a resource policy.
type ResourcePolicyState struct {
	Region      string `json:"region"`
	Name        string `json:"name,omitempty"`
	ResourceArn string `json:"resourceArn,omitempty"`
	Document    string `json:"document"`
	Scope       string `json:"scope,omitempty"`
	Revision    string `json:"revisionId,omitempty"`
	Updated     int64  `json:"updated"`
}

// AccountPolicyState is an account policy.
type AccountPolicyState struct {
	Region    string `json:"region"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	Document  string `json:"document"`
	Scope     string `json:"scope,omitempty"`
	Selection string `json:"selectionCriteria,omitempty"`
	Updated   int64  `json:"updated"`
}

// DestinationState is a subscription destination.
type DestinationState struct {
	Region  string            `json:"region"`
	Name    string            `json:"name"`
	Target  string            `json:"targetArn"`
	Role    string            `json:"roleArn"`
	Policy  string            `json:"accessPolicy,omitempty"`
	Created int64             `json:"created"`
	Tags    map[string]string `json:"tags,omitempty"`
}

// QueryDefState is a saved query definition.
type QueryDefState struct {
	Region   string            `json:"region"`
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	String   string            `json:"queryString"`
	Language string            `json:"queryLanguage,omitempty"`
	Groups   []string          `json:"logGroupNames,omitempty"`
	Params   []QueryParamState `json:"parameters,omitempty"`
	Modified int64             `json:"modified"`
}

// QueryParamState is a parameter of a query definition.
type QueryParamState struct {
	Name        string `json:"name"`
	Default     string `json:"defaultValue,omitempty"`
	Description string `json:"description,omitempty"`
}

// StateVersion, SaveState and LoadState make CloudWatch Logs a
// cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) { return s.store.saveState(), nil }

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.store.loadState(st)
}

// --- saving

func (s *Store) saveState() State {
	s.mu.RLock()
	groups := slices.Collect(maps.Values(s.groups))
	s.mu.RUnlock()
	out := State{Groups: []GroupState{}}
	for _, g := range groups {
		g.mu.RLock()
		if !g.deleted {
			out.Groups = append(out.Groups, g.state())
		}
		g.mu.RUnlock()
	}
	sort.Slice(out.Groups, func(i, j int) bool {
		a, b := out.Groups[i], out.Groups[j]
		return a.Region < b.Region || a.Region == b.Region && a.Name < b.Name
	})

	s.saveAccountInto(&out)
	return out
}

// saveAccountInto saves the account's policies, destinations and query
// definitions.
func (s *Store) saveAccountInto(st *State) {
	out := st
	a := &s.acct
	a.mu.Lock()
	for _, region := range slices.Sorted(maps.Keys(a.resPolicies)) {
		for _, p := range sortedValues(a.resPolicies[region]) {
			out.ResourcePolicies = append(out.ResourcePolicies, ResourcePolicyState{Region: region, Name: p.Name, ResourceArn: p.ResourceArn,
				Document: p.Document, Scope: p.Scope, Revision: p.Revision, Updated: p.Updated})
		}
	}
	for _, region := range slices.Sorted(maps.Keys(a.acctPolicies)) {
		for _, p := range sortedValues(a.acctPolicies[region]) {
			out.AccountPolicies = append(out.AccountPolicies, AccountPolicyState{Region: region, Name: p.Name, Type: p.Type,
				Document: p.Document, Scope: p.Scope, Selection: p.Selection, Updated: p.Updated})
		}
	}
	for _, region := range slices.Sorted(maps.Keys(a.destinations)) {
		for _, d := range sortedValues(a.destinations[region]) {
			out.Destinations = append(out.Destinations, DestinationState{Region: region, Name: d.Name, Target: d.Target, Role: d.Role,
				Policy: d.Policy, Created: d.Created, Tags: maps.Clone(d.Tags)})
		}
	}
	for _, region := range slices.Sorted(maps.Keys(a.queryDefs)) {
		for _, d := range sortedValues(a.queryDefs[region]) {
			qs := QueryDefState{Region: region, ID: d.ID, Name: d.Name, String: d.String, Language: d.Language,
				Groups: slices.Clone(d.Groups), Modified: d.Modified}
			for _, p := range d.Params {
				qs.Params = append(qs.Params, QueryParamState(p))
			}
			out.QueryDefinitions = append(out.QueryDefinitions, qs)
		}
	}
	a.mu.Unlock()
}

func policyState(p *GroupPolicy) *GroupPolicyState {
	if p == nil {
		return nil
	}
	return &GroupPolicyState{Name: p.Name, Document: p.Document, Created: p.Created, Updated: p.Updated}
}

// state copies the group (its lock held).
func (g *Group) state() GroupState { return g.stateWith(true) }

// stateWith copies the group, its streams' events too or not (its lock
// held).
func (g *Group) stateWith(events bool) GroupState {
	out := GroupState{Region: g.Region, Name: g.Name, Created: g.Created, Retention: g.Retention, Tags: maps.Clone(g.tags),
		KMSKey: g.ext.kmsKey, DeletionProtection: g.ext.protected, Seq: g.seq, DataProtection: policyState(g.ext.dataProtection),
		IndexPolicy: policyState(g.ext.index), Transformer: policyState(g.ext.transformer), Streams: []StreamState{}}
	for _, f := range g.ext.subs {
		out.SubscriptionFilters = append(out.SubscriptionFilters, SubFilterState{Name: f.Name, Pattern: f.PatternSrc, Destination: f.Destination,
			RoleArn: f.RoleArn, Distribution: f.Distribution, Transformed: f.Transformed, FieldSelection: f.FieldSelection,
			EmitSystemFields: slices.Clone(f.EmitSystemFields), Created: f.Created})
	}
	for _, f := range g.ext.metrics {
		ms := MetricFilterState{Name: f.Name, Pattern: f.PatternSrc, Transformed: f.Transformed, FieldSelection: f.FieldSelection,
			EmitSystemFields: slices.Clone(f.EmitSystemFields), Created: f.Created}
		for _, t := range f.Transforms {
			ms.Transforms = append(ms.Transforms, MetricTransformState{Name: t.Name, Namespace: t.Namespace, Value: t.Value, Default: t.Default,
				Dimensions: maps.Clone(t.Dimensions), Unit: t.Unit})
		}
		out.MetricFilters = append(out.MetricFilters, ms)
	}
	for _, name := range slices.Sorted(maps.Keys(g.streams)) {
		st := g.streams[name]
		if !events {
			out.Streams = append(out.Streams, StreamState{Name: st.Name, Created: st.Created})
			continue
		}
		ss := StreamState{Name: st.Name, Created: st.Created, FirstEvent: st.FirstEvent, LastEvent: st.LastEvent, LastIngestion: st.LastIngestion,
			Events: make([]EventState, len(st.events))}
		for i, e := range st.events {
			ss.Events[i] = EventState(e)
		}
		out.Streams = append(out.Streams, ss)
	}
	return out
}

// --- loading

func (s *Store) loadState(st State) error {
	for _, gs := range st.Groups {
		g, err := s.loadGroup(gs)
		if err != nil {
			return fmt.Errorf("log group %s: %w", gs.Name, err)
		}
		s.mu.Lock()
		k := groupKey{g.Region, g.Name}
		if s.groups[k] != nil {
			s.mu.Unlock()
			return fmt.Errorf("log group %s saved twice", g.Name)
		}
		s.groups[k] = g
		s.mu.Unlock()
	}
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range st.ResourcePolicies {
		key := p.Name
		if key == "" {
			key = p.ResourceArn
		}
		regionMap(&a.resPolicies, p.Region)[key] = &ResourcePolicy{Name: p.Name, Document: p.Document, Scope: p.Scope,
			ResourceArn: p.ResourceArn, Revision: p.Revision, Updated: p.Updated}
	}
	for _, p := range st.AccountPolicies {
		regionMap(&a.acctPolicies, p.Region)[p.Type+"/"+p.Name] = &AccountPolicy{Name: p.Name, Document: p.Document, Type: p.Type,
			Scope: p.Scope, Selection: p.Selection, Updated: p.Updated}
	}
	for _, d := range st.Destinations {
		regionMap(&a.destinations, d.Region)[d.Name] = &Destination{Name: d.Name, Target: d.Target, Role: d.Role, Policy: d.Policy,
			Created: d.Created, Tags: d.Tags}
	}
	for _, d := range st.QueryDefinitions {
		qd := &QueryDef{ID: d.ID, Name: d.Name, String: d.String, Language: d.Language, Groups: d.Groups, Modified: d.Modified}
		for _, p := range d.Params {
			qd.Params = append(qd.Params, QueryParam(p))
		}
		regionMap(&a.queryDefs, d.Region)[d.ID] = qd
	}
	return nil
}

func groupPolicy(p *GroupPolicyState) *GroupPolicy {
	if p == nil {
		return nil
	}
	return &GroupPolicy{Name: p.Name, Document: p.Document, Created: p.Created, Updated: p.Updated}
}

func (s *Store) loadGroup(gs GroupState) (*Group, error) {
	if gs.Region == "" || gs.Name == "" {
		return nil, fmt.Errorf("no region or no name")
	}
	g := &Group{Region: gs.Region, Name: gs.Name, Created: gs.Created, Retention: gs.Retention, store: s, tags: map[string]string{},
		streams: map[string]*Stream{}, seq: gs.Seq}
	maps.Copy(g.tags, gs.Tags)
	g.ext.kmsKey, g.ext.protected = gs.KMSKey, gs.DeletionProtection
	g.ext.dataProtection, g.ext.index, g.ext.transformer = groupPolicy(gs.DataProtection), groupPolicy(gs.IndexPolicy), groupPolicy(gs.Transformer)
	for _, f := range gs.SubscriptionFilters {
		pat, err := CompilePattern(f.Pattern)
		if err != nil {
			return nil, fmt.Errorf("subscription filter %s: %w", f.Name, err)
		}
		g.ext.subs = append(g.ext.subs, &SubFilter{Name: f.Name, Group: g.Name, PatternSrc: f.Pattern, Destination: f.Destination,
			RoleArn: f.RoleArn, Distribution: f.Distribution, Transformed: f.Transformed, FieldSelection: f.FieldSelection,
			EmitSystemFields: f.EmitSystemFields, Created: f.Created, Pattern: pat})
	}
	sort.Slice(g.ext.subs, func(i, j int) bool { return g.ext.subs[i].Name < g.ext.subs[j].Name })
	for _, f := range gs.MetricFilters {
		pat, err := CompilePattern(f.Pattern)
		if err != nil {
			return nil, fmt.Errorf("metric filter %s: %w", f.Name, err)
		}
		mf := &MetricFilter{Name: f.Name, Group: g.Name, Region: g.Region, PatternSrc: f.Pattern, Transformed: f.Transformed,
			FieldSelection: f.FieldSelection, EmitSystemFields: f.EmitSystemFields, Created: f.Created, Pattern: pat}
		for _, t := range f.Transforms {
			mf.Transforms = append(mf.Transforms, MetricTransform(t))
		}
		g.ext.metrics = append(g.ext.metrics, mf)
	}
	sort.Slice(g.ext.metrics, func(i, j int) bool { return g.ext.metrics[i].Name < g.ext.metrics[j].Name })
	for _, ss := range gs.Streams {
		if ss.Name == "" || g.streams[ss.Name] != nil {
			return nil, fmt.Errorf("stream %q: no name, or saved twice", ss.Name)
		}
		st := &Stream{Name: ss.Name, Created: ss.Created, FirstEvent: ss.FirstEvent, LastEvent: ss.LastEvent, LastIngestion: ss.LastIngestion,
			events: make([]Event, len(ss.Events))}
		for i, e := range ss.Events {
			st.events[i] = Event(e)
			st.bytes += int64(len(e.Msg)) + eventOverhead
			if e.Seq > g.seq {
				g.seq = e.Seq
			}
		}
		if !sort.SliceIsSorted(st.events, func(i, j int) bool { return st.events[i].key().less(st.events[j].key()) }) {
			return nil, fmt.Errorf("stream %s: events out of order", ss.Name)
		}
		g.streams[st.Name] = st
	}
	return g, nil
}

package logs

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// groupExt is what a group keeps besides its streams: subscription and
// metric filters, its KMS key, deletion protection and its policies.
// Guarded by the group's lock.
type groupExt struct {
	subs      []*SubFilter    // sorted by name, at most maxSubFilters
	metrics   []*MetricFilter // sorted by name
	kmsKey    string
	protected bool
	// dataProtection and index are the group's data-protection and
	// field-index policies (nil when none).
	dataProtection *GroupPolicy
	index          *GroupPolicy
	transformer    *GroupPolicy
	tails          []*LiveTail // StartLiveTail sessions following the group
}

// GroupPolicy is a policy document attached to a group.
type GroupPolicy struct {
	Name     string
	Document string
	Updated  int64
	Created  int64
}

// Filter limits AWS applies per log group.
const (
	maxSubFilters    = 2
	maxMetricFilters = 100
)

// SubFilter is a subscription filter.
type SubFilter struct {
	Name             string
	Group            string
	PatternSrc       string
	Destination      string
	RoleArn          string
	Distribution     string
	Transformed      bool
	FieldSelection   string
	EmitSystemFields []string
	Created          int64
	Pattern          *Pattern
}

// MetricTransform is how a metric filter turns a matching event into a
// metric value.
type MetricTransform struct {
	Name, Namespace, Value string
	Default                *float64
	Dimensions             map[string]string
	Unit                   string
}

// MetricFilter is a metric filter.
type MetricFilter struct {
	Name             string
	Group            string
	Region           string
	PatternSrc       string
	Transforms       []MetricTransform
	Transformed      bool
	FieldSelection   string
	EmitSystemFields []string
	Created          int64
	Pattern          *Pattern
}

// Batch is events just stored in a group with filters, for the service to
// deliver (subscriptions) and publish (metric filters).
type Batch struct {
	Region, Group, Stream string
	Events                []Event
	Subs                  []*SubFilter
	Metrics               []*MetricFilter
	Tails                 []*LiveTail
}

// batchLocked returns the batch to hand OnEvents for events just stored in
// stream, or nil when the group has no filter; the caller holds g.mu.
func (g *Group) batchLocked(stream string, evs []Event) *Batch {
	if len(evs) == 0 || g.store.OnEvents == nil || len(g.ext.subs)+len(g.ext.metrics)+len(g.ext.tails) == 0 {
		return nil
	}
	return &Batch{Region: g.Region, Group: g.Name, Stream: stream, Events: evs,
		Subs: append([]*SubFilter(nil), g.ext.subs...), Metrics: append([]*MetricFilter(nil), g.ext.metrics...),
		Tails: append([]*LiveTail(nil), g.ext.tails...)}
}

func (g *Group) live() error {
	if g.deleted {
		return noGroup()
	}
	return nil
}

// PutSubscriptionFilter creates or replaces a subscription filter.
func (g *Group) PutSubscriptionFilter(f *SubFilter) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.live(); err != nil {
		return err
	}
	f.Group = g.Name
	for i, old := range g.ext.subs {
		if old.Name == f.Name {
			f.Created = old.Created
			g.ext.subs[i] = f
			return nil
		}
	}
	if len(g.ext.subs) >= maxSubFilters {
		return errLimitExceeded.New(msgLimitExceeded)
	}
	f.Created = g.store.nowMS()
	g.ext.subs = append(g.ext.subs, f)
	sort.Slice(g.ext.subs, func(i, j int) bool { return g.ext.subs[i].Name < g.ext.subs[j].Name })
	return nil
}

// SubscriptionFilters lists the group's subscription filters with prefix.
func (g *Group) SubscriptionFilters(prefix string) []*SubFilter {
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []*SubFilter
	for _, f := range g.ext.subs {
		if strings.HasPrefix(f.Name, prefix) {
			out = append(out, f)
		}
	}
	return out
}

// DeleteSubscriptionFilter deletes a subscription filter.
func (g *Group) DeleteSubscriptionFilter(name string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, f := range g.ext.subs {
		if f.Name == name {
			g.ext.subs = append(g.ext.subs[:i], g.ext.subs[i+1:]...)
			return nil
		}
	}
	return errResourceNotFound.New(msgSubFilterNotFound)
}

// PutMetricFilter creates or replaces a metric filter.
func (g *Group) PutMetricFilter(f *MetricFilter) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.live(); err != nil {
		return err
	}
	f.Group, f.Region = g.Name, g.Region
	for i, old := range g.ext.metrics {
		if old.Name == f.Name {
			f.Created = old.Created
			g.ext.metrics[i] = f
			return nil
		}
	}
	if len(g.ext.metrics) >= maxMetricFilters {
		return errLimitExceeded.New(msgLimitExceeded)
	}
	f.Created = g.store.nowMS()
	g.ext.metrics = append(g.ext.metrics, f)
	sort.Slice(g.ext.metrics, func(i, j int) bool { return g.ext.metrics[i].Name < g.ext.metrics[j].Name })
	return nil
}

// DeleteMetricFilter deletes a metric filter.
func (g *Group) DeleteMetricFilter(name string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, f := range g.ext.metrics {
		if f.Name == name {
			g.ext.metrics = append(g.ext.metrics[:i], g.ext.metrics[i+1:]...)
			return nil
		}
	}
	return errResourceNotFound.New(msgMetricFilterNotFound)
}

// MetricFilterCount is how many metric filters the group has.
func (g *Group) MetricFilterCount() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.ext.metrics)
}

// MetricFilters lists a region's metric filters, in (group, name) order,
// those of group when it is not empty, that keep says to.
func (s *Store) MetricFilters(region, group string, keep func(*MetricFilter) bool) ([]*MetricFilter, error) {
	var groups []*Group
	if group != "" {
		g, err := s.Group(region, group)
		if err != nil {
			return nil, err
		}
		groups = []*Group{g}
	} else {
		groups, _ = s.Groups(region, func(string) bool { return true }, "", 1<<30)
	}
	var out []*MetricFilter
	for _, g := range groups {
		g.mu.RLock()
		for _, f := range g.ext.metrics {
			if keep(f) {
				out = append(out, f)
			}
		}
		g.mu.RUnlock()
	}
	return out, nil
}

// SetKMSKey associates (id != "") or disassociates a KMS key.
func (g *Group) SetKMSKey(id string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.live(); err != nil {
		return err
	}
	g.ext.kmsKey = id
	return nil
}

// KMSKey is the group's KMS key ARN ("" for none).
func (g *Group) KMSKey() string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.ext.kmsKey
}

// SetDeletionProtection turns deletion protection on or off.
func (g *Group) SetDeletionProtection(on bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.live(); err != nil {
		return err
	}
	g.ext.protected = on
	return nil
}

// Protected reports whether deletion protection is on.
func (g *Group) Protected() bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.ext.protected
}

// PolicyKind names one of the policies a group carries.
type PolicyKind int

const (
	DataProtectionPolicy PolicyKind = iota
	IndexPolicy
	TransformerPolicy
)

func (g *Group) policySlot(k PolicyKind) **GroupPolicy {
	switch k {
	case DataProtectionPolicy:
		return &g.ext.dataProtection
	case IndexPolicy:
		return &g.ext.index
	default:
		return &g.ext.transformer
	}
}

// SetPolicy attaches (p != nil) or removes a policy; it returns the stored
// policy.
func (g *Group) SetPolicy(k PolicyKind, name, doc string) (GroupPolicy, error) {
	now := g.store.nowMS()
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.live(); err != nil {
		return GroupPolicy{}, err
	}
	slot := g.policySlot(k)
	p := &GroupPolicy{Name: name, Document: doc, Updated: now, Created: now}
	if *slot != nil {
		p.Created = (*slot).Created
	}
	*slot = p
	return *p, nil
}

// Policy returns a policy of the group; ok=false when none.
func (g *Group) Policy(k PolicyKind) (GroupPolicy, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	p := *g.policySlot(k)
	if p == nil {
		return GroupPolicy{}, false
	}
	return *p, true
}

// DeletePolicy removes a policy; ok=false when there was none.
func (g *Group) DeletePolicy(k PolicyKind) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	slot := g.policySlot(k)
	had := *slot != nil
	*slot = nil
	return had
}

// FieldSpans returns, for each of fields some event of g has (a JSON
// field, flattened as Insights names it), the first and last timestamps
// of the events having it. It reads at most the latest 10,000 events of
// each stream.
func (g *Group) FieldSpans(fields []string) map[string][2]int64 {
	out := map[string][2]int64{}
	g.mu.RLock()
	defer g.mu.RUnlock()
	for _, st := range g.streams {
		evs := st.events
		for i := max(0, len(evs)-10_000); i < len(evs); i++ {
			f := map[string]string{}
			discoverJSON(evs[i].Msg, f)
			for _, name := range fields {
				if _, ok := f[name]; !ok {
					continue
				}
				sp, seen := out[name]
				if !seen || evs[i].TS < sp[0] {
					sp[0] = evs[i].TS
				}
				if !seen || evs[i].TS > sp[1] {
					sp[1] = evs[i].TS
				}
				out[name] = sp
			}
		}
	}
	return out
}

// ---- live tail ----

// maxTailBuffer is how many events a live-tail session holds between two
// updates; past it the update is marked sampled and the oldest go.
const maxTailBuffer = 500

// LiveTail is a StartLiveTail session: it collects the matching events
// stored in the groups it follows until the session takes them.
type LiveTail struct {
	Streams  []string
	Prefixes []string
	Pattern  *Pattern

	mu      sync.Mutex
	buf     []TailEvent
	sampled bool
}

// TailEvent is an event a live tail saw.
type TailEvent struct {
	Group, Stream string
	Event
}

// Offer adds the events of a batch the session wants.
func (t *LiveTail) Offer(group, stream string, evs []Event) {
	if len(t.Streams) > 0 && !slices.Contains(t.Streams, stream) {
		return
	}
	if len(t.Prefixes) > 0 && !slices.ContainsFunc(t.Prefixes, func(p string) bool { return strings.HasPrefix(stream, p) }) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ev := range evs {
		if !t.Pattern.Match(ev.Msg) {
			continue
		}
		if len(t.buf) == maxTailBuffer {
			copy(t.buf, t.buf[1:])
			t.buf = t.buf[:maxTailBuffer-1]
			t.sampled = true
		}
		t.buf = append(t.buf, TailEvent{group, stream, ev})
	}
}

// Take returns and clears what the session collected.
func (t *LiveTail) Take() ([]TailEvent, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	evs, sampled := t.buf, t.sampled
	t.buf, t.sampled = nil, false
	return evs, sampled
}

// Follow attaches a session to g; the returned function detaches it.
func (g *Group) Follow(t *LiveTail) (stop func(), err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.live(); err != nil {
		return nil, err
	}
	g.ext.tails = append(g.ext.tails, t)
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.ext.tails = slices.DeleteFunc(g.ext.tails, func(x *LiveTail) bool { return x == t })
	}, nil
}

package logs

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Store holds every log group of every region.
type Store struct {
	now func() time.Time

	MaxEventsPerStream int
	MaxBytesPerStream  int64

	mu     sync.RWMutex
	groups map[groupKey]*Group

	// OnEvents, when set, receives every batch stored in a group that has
	// subscription or metric filters (after the group's lock is released).
	OnEvents func(Batch)

	// journal records events as they are stored (journal.go).
	journal atomic.Pointer[journalRef]

	acct accountState // policies, destinations, exports, queries (store_account.go)
	cfg  *Config      // deliveries, detectors, lookup tables… (store_config.go)
}

type groupKey struct{ region, name string }

// Group is a log group; its streams and events sit behind its own lock.
type Group struct {
	Region    string
	Name      string
	Created   int64
	Retention int32 // days; 0 = never expire

	store   *Store // its clock and per-stream bounds
	mu      sync.RWMutex
	tags    map[string]string
	streams map[string]*Stream
	seq     uint64
	deleted bool
	ext     groupExt // filters, policies and settings (store_filters.go)
}

// Stream is a log stream; guarded by its group's lock.
type Stream struct {
	Name          string
	Created       int64
	FirstEvent    int64
	LastEvent     int64
	LastIngestion int64
	bytes         int64
	events        []Event // ascending by key
}

// NewStore returns an empty store on the clock now.
func NewStore(now func() time.Time) *Store {
	return &Store{now: now, groups: map[groupKey]*Group{}, cfg: newConfig(), MaxEventsPerStream: DefaultMaxEventsPerStream, MaxBytesPerStream: DefaultMaxBytesPerStream}
}

// Reset drops every group.
func (s *Store) Reset() {
	s.mu.Lock()
	s.groups = map[groupKey]*Group{}
	s.mu.Unlock()
	s.acct.reset()
	s.cfg.reset()
}

func (s *Store) nowMS() int64 { return s.now().UnixMilli() }

// CreateGroup creates a group, with deletion protection on when protected.
func (s *Store) CreateGroup(region, name string, tags map[string]string, protected bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := groupKey{region, name}
	if _, ok := s.groups[k]; ok {
		return errResourceAlreadyExists.New(msgGroupExists)
	}
	g := s.newGroup(region, name)
	for k, v := range tags {
		g.tags[k] = v
	}
	g.ext.protected = protected
	s.groups[k] = g
	return nil
}

// newGroup makes an empty group; the caller holds mu for writing.
func (s *Store) newGroup(region, name string) *Group {
	return &Group{Region: region, Name: name, Created: s.nowMS(), store: s, tags: map[string]string{}, streams: map[string]*Stream{}}
}

// Group returns a group by name.
func (s *Store) Group(region, name string) (*Group, error) {
	s.mu.RLock()
	g := s.groups[groupKey{region, name}]
	s.mu.RUnlock()
	if g == nil {
		return nil, noGroup()
	}
	return g, nil
}

// groupOrNew returns a group, creating it when missing.
func (s *Store) groupOrNew(region, name string) *Group {
	s.mu.RLock()
	g := s.groups[groupKey{region, name}]
	s.mu.RUnlock()
	if g != nil {
		return g
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := groupKey{region, name}
	if g = s.groups[k]; g == nil {
		g = s.newGroup(region, name)
		s.groups[k] = g
	}
	return g
}

// DeleteGroup deletes a group and its streams.
func (s *Store) DeleteGroup(region, name string) error {
	s.mu.Lock()
	g := s.groups[groupKey{region, name}]
	if g == nil {
		s.mu.Unlock()
		return noGroup()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ext.protected {
		s.mu.Unlock()
		return errValidation.New(msgDeletionProtected)
	}
	delete(s.groups, groupKey{region, name})
	s.mu.Unlock()
	g.deleted = true
	return nil
}

// Groups lists a region's groups whose names match, sorted by name,
// starting after the name after (exclusive); at most limit of them, and
// whether more follow.
func (s *Store) Groups(region string, match func(name string) bool, after string, limit int) ([]*Group, bool) {
	s.mu.RLock()
	var out []*Group
	for k, g := range s.groups {
		if k.region == region && match(k.name) && (after == "" || k.name > after) {
			out = append(out, g)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(out) > limit {
		return out[:limit], true
	}
	return out, false
}

// GroupInfo is a consistent snapshot of a group's description.
type GroupInfo struct {
	Name        string
	Created     int64
	Retention   int32
	StoredBytes int64
	// KMSKey, Protected, MetricFilters and DataProtection come from the
	// group's filters and settings (store_filters.go).
	KMSKey         string
	Protected      bool
	MetricFilters  int
	DataProtection bool
}

// Info describes g.
func (g *Group) Info() GroupInfo {
	g.mu.RLock()
	defer g.mu.RUnlock()
	gi := GroupInfo{Name: g.Name, Created: g.Created, Retention: g.Retention, KMSKey: g.ext.kmsKey, Protected: g.ext.protected,
		MetricFilters: len(g.ext.metrics), DataProtection: g.ext.dataProtection != nil}
	for _, st := range g.streams {
		gi.StoredBytes += st.bytes
	}
	return gi
}

// SetRetention sets (days > 0) or clears (0) the retention policy.
func (g *Group) SetRetention(days int32) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.deleted {
		return noGroup()
	}
	g.Retention = days
	return nil
}

// Tags returns a copy of the group's tags.
func (g *Group) Tags() map[string]string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make(map[string]string, len(g.tags))
	for k, v := range g.tags {
		out[k] = v
	}
	return out
}

// Tag adds or replaces tags.
func (g *Group) Tag(tags map[string]string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.deleted {
		return noGroup()
	}
	for k, v := range tags {
		g.tags[k] = v
	}
	return nil
}

// Untag removes tag keys.
func (g *Group) Untag(keys []string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.deleted {
		return noGroup()
	}
	for _, k := range keys {
		delete(g.tags, k)
	}
	return nil
}

// CreateStream creates a stream in g.
func (g *Group) CreateStream(name string) error {
	now := g.store.nowMS()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.deleted {
		return noGroup()
	}
	if _, ok := g.streams[name]; ok {
		return errResourceAlreadyExists.New(msgStreamExists)
	}
	g.streams[name] = &Stream{Name: name, Created: now}
	return nil
}

// DeleteStream deletes a stream of g.
func (g *Group) DeleteStream(name string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.streams[name]; !ok {
		return noStream()
	}
	delete(g.streams, name)
	return nil
}

// StreamInfo is a snapshot of a stream's description.
type StreamInfo struct {
	Name          string
	Created       int64
	FirstEvent    int64
	LastEvent     int64
	LastIngestion int64
	HasEvents     bool
	StoredBytes   int64
}

// StreamOrder is how Streams sorts.
type StreamOrder int

const (
	ByStreamName StreamOrder = iota
	ByLastEventTime
)

// StreamCursor is where a listing of streams resumes (exclusive).
type StreamCursor struct {
	LastEvent int64
	Name      string
	Set       bool
}

// Streams lists g's streams with prefix in order (descending when desc),
// after cursor, at most limit, and whether more follow.
func (g *Group) Streams(prefix string, order StreamOrder, desc bool, after StreamCursor, limit int) ([]StreamInfo, bool) {
	g.mu.RLock()
	out := make([]StreamInfo, 0, len(g.streams))
	for _, st := range g.streams {
		if strings.HasPrefix(st.Name, prefix) {
			out = append(out, st.info())
		}
	}
	g.mu.RUnlock()
	less := func(a, b *StreamInfo) bool {
		if order == ByLastEventTime && a.LastEvent != b.LastEvent {
			return a.LastEvent < b.LastEvent
		}
		return a.Name < b.Name
	}
	sort.Slice(out, func(i, j int) bool {
		if desc {
			return less(&out[j], &out[i])
		}
		return less(&out[i], &out[j])
	})
	if after.Set {
		c := StreamInfo{Name: after.Name, LastEvent: after.LastEvent}
		i := sort.Search(len(out), func(i int) bool {
			if desc {
				return less(&out[i], &c)
			}
			return less(&c, &out[i])
		})
		out = out[i:]
	}
	if len(out) > limit {
		return out[:limit], true
	}
	return out, false
}

func (st *Stream) info() StreamInfo {
	return StreamInfo{Name: st.Name, Created: st.Created, FirstEvent: st.FirstEvent, LastEvent: st.LastEvent,
		LastIngestion: st.LastIngestion, HasEvents: st.LastIngestion != 0, StoredBytes: st.bytes}
}

// Summary counts groups, streams and events per region.
func (s *Store) Summary() map[string]any {
	s.mu.RLock()
	groups := make([]*Group, 0, len(s.groups))
	for _, g := range s.groups {
		groups = append(groups, g)
	}
	s.mu.RUnlock()
	names := map[string][]string{}
	streams, events := 0, 0
	for _, g := range groups {
		names[g.Region] = append(names[g.Region], g.Name)
		g.mu.RLock()
		streams += len(g.streams)
		for _, st := range g.streams {
			events += len(st.events)
		}
		g.mu.RUnlock()
	}
	for _, n := range names {
		sort.Strings(n)
	}
	return map[string]any{"log_groups": names, "log_streams": streams, "events": events}
}

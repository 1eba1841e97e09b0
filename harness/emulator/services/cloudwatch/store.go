package cloudwatch

import (
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Retention and bounds, as AWS keeps metrics (see docs/cloudwatch.md):
// datapoints are kept 15 days; a series holds at most maxBuckets aggregation
// buckets (a minute each, or a second for high-resolution data) and each
// bucket at most maxBucketValues distinct values for percentiles; a region
// holds at most maxSeries metrics.
const (
	retention       = 15 * 24 * time.Hour
	maxBuckets      = 22000 // 15 days of minutes, or 6 hours of seconds
	maxBucketValues = 1000
	maxSeries       = 100000
	// maxQueryValues bounds the values one query keeps for percentiles.
	maxQueryValues = 100000
)

// Dimension is a metric's dimension.
type Dimension struct{ Name, Value string }

// Stats is a statistic set: what a bucket (or a period) aggregates.
type Stats struct {
	N, Sum, Min, Max float64
	// vals are the distinct values seen with their counts, for percentiles
	// (at most maxBucketValues per bucket; past that percentiles use what
	// was kept).
	vals []valCount
}

type valCount struct{ v, n float64 }

func (s *Stats) addValue(v, n float64) {
	if s.N == 0 {
		s.Min, s.Max = v, v
	} else {
		s.Min, s.Max = min(s.Min, v), max(s.Max, v)
	}
	s.N += n
	s.Sum += v * n
	for i := range s.vals {
		if s.vals[i].v == v {
			s.vals[i].n += n
			return
		}
	}
	if len(s.vals) < maxBucketValues {
		s.vals = append(s.vals, valCount{v, n})
	}
}

func (s *Stats) addSet(o Stats) {
	if o.N == 0 {
		return
	}
	if s.N == 0 {
		s.Min, s.Max = o.Min, o.Max
	} else {
		s.Min, s.Max = min(s.Min, o.Min), max(s.Max, o.Max)
	}
	s.N += o.N
	s.Sum += o.Sum
	if len(s.vals) < maxQueryValues {
		s.vals = append(s.vals, o.vals...)
	}
}

// Stat returns a statistic by its name (SampleCount, Average, Sum,
// Minimum, Maximum, or pNN / pNN.N); ok is false for an unknown name.
func (s *Stats) Stat(name string) (float64, bool) {
	switch name {
	case "SampleCount":
		return s.N, true
	case "Sum":
		return s.Sum, true
	case "Average":
		return s.Sum / s.N, true
	case "Minimum":
		return s.Min, true
	case "Maximum":
		return s.Max, true
	}
	if p, ok := percentile(name); ok {
		return s.percentile(p), true
	}
	return 0, false
}

// percentile parses "p99" or "p99.9".
func percentile(name string) (float64, bool) {
	if len(name) < 2 || (name[0] != 'p' && name[0] != 'P') {
		return 0, false
	}
	var p float64
	dot := false
	scale := 1.0
	for _, c := range name[1:] {
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			if dot {
				scale /= 10
				p += float64(c-'0') * scale
			} else {
				p = p*10 + float64(c-'0')
			}
		default:
			return 0, false
		}
	}
	if p < 0 || p > 100 || name[len(name)-1] == '.' {
		return 0, false
	}
	return p, true
}

func (s *Stats) percentile(p float64) float64 {
	if len(s.vals) == 0 {
		return s.Max
	}
	vals := slices.Clone(s.vals)
	sort.Slice(vals, func(i, j int) bool { return vals[i].v < vals[j].v })
	var total float64
	for _, v := range vals {
		total += v.n
	}
	want := p / 100 * total
	var seen float64
	for _, v := range vals {
		seen += v.n
		if seen >= want {
			return v.v
		}
	}
	return vals[len(vals)-1].v
}

type bucket struct {
	t    int64 // unix seconds at the start of the bucket
	unit string
	Stats
}

// Series is one metric: region, namespace, name and dimensions (sorted by
// name), and its datapoints in time order.
type Series struct {
	Region, Namespace, Name string
	Dims                    []Dimension
	key                     string
	store                   *Store

	mu      sync.Mutex
	buckets []bucket
	last    time.Time // when a value last arrived (ListMetrics' RecentlyActive)
	unit    string    // the unit of in-process Add calls
	pinned  bool      // an in-process emitter holds it: Reset keeps it
}

// Add implements cloud.MetricSeries: one value now, a minute's resolution.
func (m *Series) Add(v float64) {
	now := m.store.now()
	m.mu.Lock()
	m.add(now, 60, m.unit, v, 1)
	m.mu.Unlock()
}

// add records n samples of v at t; the caller holds m.mu.
func (m *Series) add(t time.Time, res int64, unit string, v, n float64) {
	b := m.bucketAt(t, res, unit)
	b.addValue(v, n)
	m.last = m.store.now()
}

func (m *Series) addSet(t time.Time, res int64, unit string, s Stats) {
	b := m.bucketAt(t, res, unit)
	b.addSet(s)
	m.last = m.store.now()
}

// bucketAt finds or inserts the bucket of t at resolution res (seconds).
func (m *Series) bucketAt(t time.Time, res int64, unit string) *bucket {
	start := t.Unix() - mod(t.Unix(), res)
	// Almost every value lands in the newest bucket.
	for i := len(m.buckets) - 1; i >= 0 && i >= len(m.buckets)-4; i-- {
		if b := &m.buckets[i]; b.t == start && b.unit == unit {
			return b
		}
	}
	i := sort.Search(len(m.buckets), func(i int) bool { return m.buckets[i].t > start })
	for j := i - 1; j >= 0 && m.buckets[j].t == start; j-- {
		if m.buckets[j].unit == unit {
			return &m.buckets[j]
		}
	}
	if len(m.buckets) >= maxBuckets {
		if i == 0 { // older than all we keep: dropped
			return &bucket{}
		}
		m.buckets = slices.Delete(m.buckets, 0, 1)
		i--
	}
	m.buckets = slices.Insert(m.buckets, i, bucket{t: start, unit: unit})
	return &m.buckets[i]
}

func mod(a, b int64) int64 {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

// prune drops buckets past retention; the caller holds m.mu.
func (m *Series) prune(now time.Time) {
	cut := now.Add(-retention).Unix()
	i := 0
	for i < len(m.buckets) && m.buckets[i].t < cut {
		i++
	}
	if i > 0 {
		m.buckets = slices.Delete(m.buckets, 0, i)
	}
}

// aggregate returns the statistics of [from, to) (unix seconds), only of
// datapoints in unit when unit is set (with the values percentiles need
// when vals); ok is false when there are none. The caller holds m.mu.
func (m *Series) aggregate(from, to int64, unit string, vals bool) (Stats, bool) {
	var s Stats
	for i := m.search(from); i < len(m.buckets) && m.buckets[i].t < to; i++ {
		b := &m.buckets[i]
		if unit != "" && b.unit != unit {
			continue
		}
		if vals {
			s.addSet(b.Stats)
		} else {
			s.addSet(Stats{N: b.N, Sum: b.Sum, Min: b.Min, Max: b.Max})
		}
	}
	return s, s.N > 0
}

// hasDataIn reports whether [from, to) holds a datapoint; the caller holds m.mu.
func (m *Series) hasDataIn(from, to int64, unit string) bool {
	for i := m.search(from); i < len(m.buckets) && m.buckets[i].t < to; i++ {
		if unit == "" || m.buckets[i].unit == unit {
			return true
		}
	}
	return false
}

// search is the index of the first bucket at or after t: the newest
// buckets are the ones alarms read, so look back from the end first.
func (m *Series) search(t int64) int {
	n := len(m.buckets)
	if n == 0 || m.buckets[n-1].t < t {
		return n
	}
	for i := n - 1; i >= 0 && i >= n-16; i-- {
		if m.buckets[i].t < t {
			return i + 1
		}
	}
	return sort.Search(n, func(i int) bool { return m.buckets[i].t >= t })
}

func isPercentile(stat string) bool { return len(stat) > 0 && (stat[0] == 'p' || stat[0] == 'P') }

// Period is one period's statistics, for GetMetricStatistics and
// GetMetricData.
type Period struct {
	Start int64
	Unit  string
	Stats
}

// Periods aggregates [from, to) by period seconds (aligned to from),
// oldest first, skipping periods without data.
func (m *Series) Periods(from, to, period int64, unit string) []Period {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Period
	i := sort.Search(len(m.buckets), func(i int) bool { return m.buckets[i].t >= from })
	for ; i < len(m.buckets) && m.buckets[i].t < to; i++ {
		b := &m.buckets[i]
		if unit != "" && b.unit != unit {
			continue
		}
		start := from + (b.t-from)/period*period
		if n := len(out); n > 0 && out[n-1].Start == start {
			out[n-1].addSet(b.Stats)
			continue
		}
		p := Period{Start: start, Unit: b.unit}
		p.addSet(b.Stats)
		out = append(out, p)
	}
	return out
}

func (m *Series) hasData(since time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.buckets) > 0 && !m.last.Before(since)
}

// Store holds every metric, by region.
type Store struct {
	now func() time.Time

	mu     sync.RWMutex
	series map[string]*Series // by key
}

// NewStore returns an empty store on the clock now.
func NewStore(now func() time.Time) *Store {
	return &Store{now: now, series: map[string]*Series{}}
}

// seriesKey is region, namespace, name and sorted dimensions, joined by
// characters no name holds.
func seriesKey(region, ns, name string, dims []Dimension) string {
	var b strings.Builder
	n := len(region) + len(ns) + len(name) + 3
	for _, d := range dims {
		n += len(d.Name) + len(d.Value) + 2
	}
	b.Grow(n)
	b.WriteString(region)
	b.WriteByte(0)
	b.WriteString(ns)
	b.WriteByte(0)
	b.WriteString(name)
	for _, d := range dims {
		b.WriteByte(0)
		b.WriteString(d.Name)
		b.WriteByte(1)
		b.WriteString(d.Value)
	}
	return b.String()
}

func sortDims(dims []Dimension) []Dimension {
	if !slices.IsSortedFunc(dims, cmpDim) {
		dims = slices.Clone(dims)
		slices.SortFunc(dims, cmpDim)
	}
	return dims
}

func cmpDim(a, b Dimension) int { return strings.Compare(a.Name, b.Name) }

// Lookup returns an existing series, or nil.
func (s *Store) Lookup(region, ns, name string, dims []Dimension) *Series {
	dims = sortDims(dims)
	key := seriesKey(region, ns, name, dims)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.series[key]
}

func (s *Store) lookupKey(key string) *Series {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.series[key]
}

// Get returns the series, creating it; nil when the region is full.
func (s *Store) Get(region, ns, name string, dims []Dimension) *Series {
	dims = sortDims(dims)
	key := seriesKey(region, ns, name, dims)
	s.mu.RLock()
	m := s.series[key]
	s.mu.RUnlock()
	if m != nil {
		return m
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m = s.series[key]; m != nil {
		return m
	}
	if len(s.series) >= maxSeries {
		return nil
	}
	m = &Series{Region: region, Namespace: ns, Name: name, Dims: slices.Clone(dims), key: key, store: s}
	s.series[key] = m
	return m
}

// Series implements cloud.Metrics for in-process emitters.
func (s *Store) Series(region, ns, name, unit string, dims ...cloud.MetricDimension) cloud.MetricSeries {
	d := make([]Dimension, len(dims))
	for i, x := range dims {
		d[i] = Dimension(x)
	}
	m := s.Get(region, ns, name, d)
	if m == nil {
		return discard{}
	}
	m.mu.Lock()
	m.unit, m.pinned = unit, true
	m.mu.Unlock()
	return m
}

type discard struct{}

func (discard) Add(float64) {}

// Datum is one PutMetricData entry, checked.
type Datum struct {
	Name       string
	Dims       []Dimension
	Time       time.Time
	Unit       string
	Resolution int64
	Values     []valCount // Value, or Values with Counts
	Set        *Stats     // StatisticValues
}

// Put records data in a region's namespace.
func (s *Store) Put(region, ns string, data []Datum) error {
	for i := range data {
		d := &data[i]
		m := s.Get(region, ns, d.Name, d.Dims)
		if m == nil {
			return errLimitExceeded.New("The maximum number of metrics in this account has been reached.")
		}
		m.mu.Lock()
		if d.Set != nil {
			m.addSet(d.Time, d.Resolution, d.Unit, *d.Set)
		}
		for _, v := range d.Values {
			m.add(d.Time, d.Resolution, d.Unit, v.v, v.n)
		}
		if len(m.buckets) > 0 && m.buckets[0].t < s.now().Add(-retention).Unix() {
			m.prune(s.now())
		}
		m.mu.Unlock()
	}
	return nil
}

// List returns the series matching a filter, sorted by key.
func (s *Store) List(region, ns, name string, filter []DimensionFilter, activeSince time.Time) []*Series {
	s.mu.RLock()
	out := make([]*Series, 0, 64)
	for _, m := range s.series {
		if m.Region != region || (ns != "" && m.Namespace != ns) || (name != "" && m.Name != name) {
			continue
		}
		if !matchDims(m.Dims, filter) {
			continue
		}
		out = append(out, m)
	}
	s.mu.RUnlock()
	out = slices.DeleteFunc(out, func(m *Series) bool { return !m.hasData(activeSince) })
	slices.SortFunc(out, func(a, b *Series) int { return strings.Compare(a.key, b.key) })
	return out
}

// DimensionFilter matches a dimension by name, and by value when Value is set.
type DimensionFilter struct {
	Name  string
	Value *string
}

func matchDims(dims []Dimension, filter []DimensionFilter) bool {
	for _, f := range filter {
		found := false
		for _, d := range dims {
			if d.Name == f.Name && (f.Value == nil || *f.Value == d.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Reset drops every metric but keeps the series in-process emitters hold,
// emptied.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, m := range s.series {
		m.mu.Lock()
		if m.pinned {
			m.buckets, m.last = nil, time.Time{}
		} else {
			delete(s.series, k)
		}
		m.mu.Unlock()
	}
}

// Count is how many metrics hold data.
func (s *Store) Count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.series)
}

// validValue reports whether v is a value CloudWatch accepts: finite, and
// 0 or between 2^-260 and 2^360 in magnitude.
func validValue(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	a := math.Abs(v)
	return a == 0 || (a >= 0x1p-260 && a <= 0x1p360)
}

package secretsmanager

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// VersionInfo is one version as DescribeSecret and ListSecretVersionIds show it.
type VersionInfo struct {
	ID           string
	Stages       []string
	Created      time.Time
	LastAccessed time.Time
}

// Description is a secret's metadata.
type Description struct {
	ARN, Name, Description, KmsKeyID string
	Tags                             []Tag
	Created, LastChanged             time.Time
	LastAccessed                     time.Time // zero: never read
	DeletedDate                      time.Time // zero: not scheduled
	Versions                         []VersionInfo
}

// describe snapshots s; the caller holds s.mu (read).
func (s *secret) describe(includeDeprecated bool) Description {
	d := Description{
		ARN: s.arn, Name: s.name, Description: s.description, KmsKeyID: s.kmsKeyID,
		Tags: slices.Clone(s.tags), Created: s.created, LastChanged: s.lastChanged,
		DeletedDate: s.deletedAt,
	}
	if day := s.lastRead.Load(); day != 0 {
		d.LastAccessed = time.Unix(day, 0).UTC()
	}
	for _, v := range s.order {
		if len(v.stages) == 0 && !includeDeprecated {
			continue
		}
		d.Versions = append(d.Versions, VersionInfo{ID: v.id, Stages: slices.Clone(v.stages), Created: v.created, LastAccessed: d.LastAccessed})
	}
	return d
}

// Describe returns a secret's metadata, also while it is scheduled for deletion.
func (st *Store) Describe(region, id string, includeDeprecated bool, now time.Time) (Description, error) {
	s := st.lookup(region, id, now)
	if s == nil {
		return Description{}, errNotFound
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.alive(now) {
		return Description{}, errNotFound
	}
	return s.describe(includeDeprecated), nil
}

// Filter is one ListSecrets filter: Key and the values any of which matches.
type Filter struct {
	Key    string
	Values []string
}

// ListQuery is a validated ListSecrets request.
type ListQuery struct {
	Filters        []Filter
	IncludeDeleted bool
	SortBy         string // created-date (default), last-accessed-date, last-changed-date, name
	Descending     bool
	Max            int
	After          *ListCursor // from NextToken
}

// ListCursor is where a ListSecrets page ended: the sort key of its last secret.
type ListCursor struct {
	Key  int64
	Name string
}

// List returns one page of secrets in sort order and the cursor of the next
// page (nil at the end). Secrets whose recovery window has ended are purged.
func (st *Store) List(region string, q ListQuery, now time.Time) ([]Description, *ListCursor) {
	r := st.region(region, false)
	if r == nil {
		return nil, nil
	}
	type row struct {
		key int64
		d   Description
	}
	var rows []row
	var expired []*secret
	r.mu.RLock()
	for _, s := range r.byName {
		s.mu.RLock()
		switch {
		case !s.alive(now):
			expired = append(expired, s)
		case s.scheduled() && !q.IncludeDeleted:
		default:
			d := s.describe(false)
			if matchesAll(d, q.Filters, region) {
				rows = append(rows, row{sortKey(d, q.SortBy), d})
			}
		}
		s.mu.RUnlock()
	}
	r.mu.RUnlock()
	for _, s := range expired {
		st.purge(r, s)
	}
	less := func(a, b row) bool {
		if a.key != b.key {
			return a.key < b.key
		}
		return a.d.Name < b.d.Name
	}
	if q.Descending {
		sort.Slice(rows, func(i, j int) bool { return less(rows[j], rows[i]) })
	} else {
		sort.Slice(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	}
	if q.After != nil {
		after := row{key: q.After.Key, d: Description{Name: q.After.Name}}
		i := sort.Search(len(rows), func(i int) bool {
			if q.Descending {
				return less(rows[i], after)
			}
			return less(after, rows[i])
		})
		rows = rows[i:]
	}
	var next *ListCursor
	if q.Max > 0 && len(rows) > q.Max {
		rows = rows[:q.Max]
		last := rows[len(rows)-1]
		next = &ListCursor{Key: last.key, Name: last.d.Name}
	}
	out := make([]Description, len(rows))
	for i, x := range rows {
		out[i] = x.d
	}
	return out, next
}

// sortKey is the number a secret sorts by (names sort by the tie-breaker).
func sortKey(d Description, by string) int64 {
	switch by {
	case "name":
		return 0
	case "last-accessed-date":
		return d.LastAccessed.UnixNano()
	case "last-changed-date":
		return d.LastChanged.UnixNano()
	}
	return d.Created.UnixNano()
}

// matchesAll applies ListSecrets filters: every filter must match, and a
// filter matches when any of its values does. "!value" negates a value.
func matchesAll(d Description, filters []Filter, region string) bool {
	for _, f := range filters {
		var fields []string
		prefix, fold := true, false
		switch f.Key {
		case "name":
			fields = []string{d.Name}
		case "description":
			fields, fold = []string{d.Description}, true
			if d.Description == "" {
				fields = nil
			}
		case "tag-key":
			for _, t := range d.Tags {
				fields = append(fields, t.Key)
			}
		case "tag-value":
			for _, t := range d.Tags {
				fields = append(fields, t.Value)
			}
		case "primary-region":
			fields = []string{region}
		case "owning-service":
			fields = nil
		case "all":
			fields = []string{d.Name, d.Description}
			for _, t := range d.Tags {
				fields = append(fields, t.Key, t.Value)
			}
			prefix, fold = false, true
		}
		if !matchesAny(f.Values, fields, prefix, fold) {
			return false
		}
	}
	return true
}

func matchesAny(values, fields []string, prefix, fold bool) bool {
	for _, v := range values {
		neg := strings.HasPrefix(v, "!")
		if neg {
			v = v[1:]
		}
		hit := false
		for _, f := range fields {
			if matchField(v, f, prefix, fold) {
				hit = true
				break
			}
		}
		if hit != neg {
			return true
		}
	}
	return false
}

// matchField is a prefix match, or, for "all", a match of every word of v
// against the start of some word of f.
func matchField(v, f string, prefix, fold bool) bool {
	if fold {
		v, f = strings.ToLower(v), strings.ToLower(f)
	}
	if prefix {
		return strings.HasPrefix(f, v)
	}
	words := strings.FieldsFunc(f, isWordBreak)
	for _, w := range strings.FieldsFunc(v, isWordBreak) {
		if !slices.ContainsFunc(words, func(x string) bool { return strings.HasPrefix(x, w) }) {
			return false
		}
	}
	return v != ""
}

func isWordBreak(r rune) bool { return strings.ContainsRune(" /_+=.@-:", r) }

// ListVersions lists a secret's versions, oldest first.
func (st *Store) ListVersions(region, id string, includeDeprecated bool, now time.Time) (Description, error) {
	return st.Describe(region, id, includeDeprecated, now)
}

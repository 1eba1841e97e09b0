package secretsmanager

import (
	"regexp"
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
	Type                             string
	Tags                             []Tag
	Created, LastChanged             time.Time
	LastAccessed                     time.Time // zero: never read
	DeletedDate                      time.Time // zero: not scheduled
	Versions                         []VersionInfo
	Rotation                         Rotation
	PrimaryRegion                    string // set on a replica and on a primary with replicas
	Replication                      []ReplicaStatus
}

// describe snapshots s; the caller holds s.mu (read).
func (s *secret) describe(includeDeprecated bool) Description {
	d := Description{
		ARN: s.arn, Name: s.name, Description: s.description, KmsKeyID: s.kmsKeyID, Type: s.typ,
		Tags: slices.Clone(s.tags), Created: s.created, LastChanged: s.lastChanged,
		DeletedDate: s.deletedAt, Rotation: s.rotation, PrimaryRegion: s.primaryRegion,
	}
	if len(s.replicas) > 0 {
		d.Replication = s.replicaStatus()
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
// name, tag-key and tag-value match by case-sensitive prefix, as AWS
// documents; description, owning-service and all match by words, case
// folded (moto found by testing against AWS that description does too).
func matchesAll(d Description, filters []Filter, region string) bool {
	for _, f := range filters {
		var fields []string
		words := false
		switch f.Key {
		case "name":
			fields = []string{d.Name}
		case "description":
			words = true
			if d.Description != "" {
				fields = []string{d.Description}
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
			if d.PrimaryRegion != "" { // a replica
				fields = []string{d.PrimaryRegion}
			}
		case "owning-service":
			fields, words = nil, true
		case "all":
			fields = []string{d.Name}
			if d.Description != "" {
				fields = append(fields, d.Description)
			}
			for _, t := range d.Tags {
				fields = append(fields, t.Key, t.Value)
			}
			words = true
		}
		if !matchesAny(f.Values, fields, words) {
			return false
		}
	}
	return true
}

func matchesAny(values, fields []string, words bool) bool {
	for _, v := range values {
		neg := strings.HasPrefix(v, "!")
		if neg {
			v = v[1:]
		}
		hit := false
		for _, f := range fields {
			if matchField(v, f, words) {
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

// matchField is a prefix match of v on f or, by words, a match of every
// word of v against the start of some word of f, case folded.
func matchField(v, f string, words bool) bool {
	if !words {
		return strings.HasPrefix(f, v)
	}
	vw := SecretWords(v)
	if len(vw) == 0 {
		return false
	}
	fw := SecretWords(f)
	for i := range fw {
		fw[i] = strings.ToLower(fw[i])
	}
	for _, w := range vw {
		w = strings.ToLower(w)
		if !slices.ContainsFunc(fw, func(x string) bool { return strings.HasPrefix(x, w) }) {
			return false
		}
	}
	return true
}

// wordSeparators split secret names into words; a string holding two
// different ones is one word, as Secrets Manager's search treats it.
const wordSeparators = "/-_+=.@"

// capitalised matches a word that starts with a capital (or any
// non-lower-case character) followed by lower-case letters: MyTest is My,
// Test.
var capitalised = regexp.MustCompile(`[^a-z][a-z]+`)

// SecretWords splits a name, description or tag the way ListSecrets'
// word filters read it: at its one kind of separator, then at capitals.
func SecretWords(s string) []string {
	if len(s) == 1 && strings.Contains(wordSeparators, s) {
		return nil
	}
	parts := []string{s}
	sep := ""
	for _, c := range wordSeparators {
		if strings.ContainsRune(s, c) {
			sep += string(c)
		}
	}
	switch len(sep) {
	case 0:
	case 1:
		parts = strings.Split(s, sep)
	default:
		return []string{s}
	}
	var out []string
	for _, p := range parts {
		last := 0
		for _, m := range capitalised.FindAllStringIndex(p, -1) {
			out = appendWord(out, p[last:m[0]])
			out = appendWord(out, p[m[0]:m[1]])
			last = m[1]
		}
		out = appendWord(out, p[last:])
	}
	return out
}

func appendWord(words []string, w string) []string {
	if w = strings.TrimSpace(w); w != "" {
		words = append(words, w)
	}
	return words
}

// ListVersions lists a secret's versions, oldest first.
func (st *Store) ListVersions(region, id string, includeDeprecated bool, now time.Time) (Description, error) {
	return st.Describe(region, id, includeDeprecated, now)
}

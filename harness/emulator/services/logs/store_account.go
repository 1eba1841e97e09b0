package logs

import (
	"sort"
	"strings"
	"sync"
)

// accountState is what a region of the account keeps outside log groups:
// resource and account policies, destinations, export tasks, Insights
// queries and query definitions. Its zero value is empty.
type accountState struct {
	mu           sync.Mutex
	resPolicies  map[string]map[string]*ResourcePolicy // region → name
	acctPolicies map[string]map[string]*AccountPolicy  // region → type+"/"+name
	destinations map[string]map[string]*Destination    // region → name
	exports      map[string]map[string]*ExportTask     // region → id
	queries      map[string]map[string]*Query          // region → id
	queryDefs    map[string]map[string]*QueryDef       // region → id
}

func (a *accountState) reset() {
	a.mu.Lock()
	a.resPolicies, a.acctPolicies, a.destinations = nil, nil, nil
	a.exports, a.queries, a.queryDefs = nil, nil, nil
	a.mu.Unlock()
}

// regionMap returns m[region], creating both when missing.
func regionMap[T any](m *map[string]map[string]*T, region string) map[string]*T {
	if *m == nil {
		*m = map[string]map[string]*T{}
	}
	r := (*m)[region]
	if r == nil {
		r = map[string]*T{}
		(*m)[region] = r
	}
	return r
}

// sortedValues lists a region's values in key order.
func sortedValues[T any](m map[string]*T) []*T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*T, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// Limits of account-level resources.
const (
	maxResourcePolicies = 10
	maxDestinations     = 1000
	maxAccountPolicies  = 50
	maxQueries          = 1000
	maxQueryDefs        = 1000
)

// ---- resource policies ----

// ResourcePolicy is a resource policy, of the account or of a resource.
type ResourcePolicy struct {
	Name, Document, Scope, ResourceArn, Revision string
	Updated                                      int64
}

// PutResourcePolicy creates or replaces a policy keyed by its name (or
// the resource's ARN). A non-empty expected revision must match.
func (s *Store) PutResourcePolicy(region string, p ResourcePolicy, expected string, newRevision string) (ResourcePolicy, error) {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.resPolicies, region)
	key := p.Name
	if key == "" {
		key = p.ResourceArn
	}
	old := m[key]
	if expected != "" && (old == nil || old.Revision != expected) {
		return ResourcePolicy{}, errInvalidParameter.New("The expected revision id does not match the current revision id.")
	}
	if old == nil && len(m) >= maxResourcePolicies {
		return ResourcePolicy{}, errLimitExceeded.New(msgLimitExceeded)
	}
	p.Revision, p.Updated = newRevision, s.nowMS()
	m[key] = &p
	return p, nil
}

// ResourcePolicies lists a region's resource policies.
func (s *Store) ResourcePolicies(region, resourceArn, scope string) []ResourcePolicy {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []ResourcePolicy
	for _, p := range sortedValues(regionMap(&a.resPolicies, region)) {
		if (resourceArn == "" || p.ResourceArn == resourceArn) && (scope == "" || p.Scope == scope) {
			out = append(out, *p)
		}
	}
	return out
}

// DeleteResourcePolicy deletes a policy by name (or resource ARN).
func (s *Store) DeleteResourcePolicy(region, key, expected string) error {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.resPolicies, region)
	p := m[key]
	if p == nil {
		return errResourceNotFound.Errorf("Policy with name [%s] does not exist", key)
	}
	if expected != "" && p.Revision != expected {
		return errInvalidParameter.New("The expected revision id does not match the current revision id.")
	}
	delete(m, key)
	return nil
}

// ---- account policies ----

// AccountPolicy is an account-wide policy of one type.
type AccountPolicy struct {
	Name, Document, Type, Scope, Selection string
	Updated                                int64
}

// PutAccountPolicy creates or replaces an account policy.
func (s *Store) PutAccountPolicy(region string, p AccountPolicy) (AccountPolicy, error) {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.acctPolicies, region)
	key := p.Type + "/" + p.Name
	if m[key] == nil && len(m) >= maxAccountPolicies {
		return AccountPolicy{}, errLimitExceeded.New(msgLimitExceeded)
	}
	p.Updated = s.nowMS()
	m[key] = &p
	return p, nil
}

// AccountPolicies lists the account policies of a type (and name).
func (s *Store) AccountPolicies(region, typ, name string) []AccountPolicy {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []AccountPolicy
	for _, p := range sortedValues(regionMap(&a.acctPolicies, region)) {
		if p.Type == typ && (name == "" || p.Name == name) {
			out = append(out, *p)
		}
	}
	return out
}

// DeleteAccountPolicy deletes an account policy.
func (s *Store) DeleteAccountPolicy(region, typ, name string) error {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.acctPolicies, region)
	if m[typ+"/"+name] == nil {
		return errResourceNotFound.Errorf("Policy with name [%s] does not exist", name)
	}
	delete(m, typ+"/"+name)
	return nil
}

// ---- destinations ----

// Destination is a cross-account subscription destination.
type Destination struct {
	Name, Target, Role, Policy string
	Created                    int64
	Tags                       map[string]string
}

// PutDestination creates or updates a destination.
func (s *Store) PutDestination(region string, d Destination) (Destination, error) {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.destinations, region)
	if old := m[d.Name]; old != nil {
		old.Target, old.Role = d.Target, d.Role
		return *old, nil
	}
	if len(m) >= maxDestinations {
		return Destination{}, errLimitExceeded.New(msgLimitExceeded)
	}
	d.Created = s.nowMS()
	m[d.Name] = &d
	return d, nil
}

// SetDestinationPolicy sets a destination's access policy.
func (s *Store) SetDestinationPolicy(region, name, policy string) error {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	d := regionMap(&a.destinations, region)[name]
	if d == nil {
		return errResourceNotFound.New(msgDestinationNotFound)
	}
	d.Policy = policy
	return nil
}

// Destination returns a destination.
func (s *Store) Destination(region, name string) (Destination, bool) {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	d := regionMap(&a.destinations, region)[name]
	if d == nil {
		return Destination{}, false
	}
	return *d, true
}

// Destinations lists destinations with prefix.
func (s *Store) Destinations(region, prefix string) []Destination {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Destination
	for _, d := range sortedValues(regionMap(&a.destinations, region)) {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, *d)
		}
	}
	return out
}

// DeleteDestination deletes a destination.
func (s *Store) DeleteDestination(region, name string) error {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.destinations, region)
	if m[name] == nil {
		return errResourceNotFound.New(msgDestinationNotFound)
	}
	delete(m, name)
	return nil
}

// ---- Insights queries ----

// Query is a query StartQuery ran (queries run to completion at once).
type Query struct {
	ID, String, Language, Status, Group string
	Created                             int64
	Output                              QueryOutput
}

// AddQuery records a query, dropping the oldest finished ones past the
// bound.
func (s *Store) AddQuery(region string, q *Query) {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.queries, region)
	if len(m) >= maxQueries {
		var oldest *Query
		for _, x := range m {
			if oldest == nil || x.Created < oldest.Created || x.Created == oldest.Created && x.ID < oldest.ID {
				oldest = x
			}
		}
		delete(m, oldest.ID)
	}
	m[q.ID] = q
}

// Query returns a query by id.
func (s *Store) Query(region, id string) (*Query, bool) {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	q := regionMap(&a.queries, region)[id]
	return q, q != nil
}

// StopQuery cancels a running query; finished ones cannot be stopped.
func (s *Store) StopQuery(region, id string) error {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	q := regionMap(&a.queries, region)[id]
	if q == nil {
		return errResourceNotFound.New(msgQueryNotFound)
	}
	if q.Status != "Running" && q.Status != "Scheduled" {
		return errInvalidParameter.Errorf("Query %s is not running", id)
	}
	q.Status = "Cancelled"
	return nil
}

// Queries lists a region's queries, newest first.
func (s *Store) Queries(region, group, status string) []Query {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Query
	for _, q := range regionMap(&a.queries, region) {
		if (group == "" || q.Group == group) && (status == "" || q.Status == status) {
			c := *q
			c.Output = QueryOutput{}
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Created != out[j].Created {
			return out[i].Created > out[j].Created
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// QueryDef is a saved query definition.
type QueryDef struct {
	ID, Name, String, Language string
	Groups                     []string
	Params                     []QueryParam
	Modified                   int64
}

// QueryParam is a parameter of a query definition.
type QueryParam struct{ Name, Default, Description string }

// PutQueryDef creates (id == "" → newID) or updates a definition.
func (s *Store) PutQueryDef(region string, d QueryDef, newID string) (string, error) {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.queryDefs, region)
	if d.ID != "" {
		if m[d.ID] == nil {
			return "", errResourceNotFound.New("The specified query definition does not exist.")
		}
	} else {
		if len(m) >= maxQueryDefs {
			return "", errLimitExceeded.New(msgLimitExceeded)
		}
		d.ID = newID
	}
	d.Modified = s.nowMS()
	m[d.ID] = &d
	return d.ID, nil
}

// QueryDefs lists definitions whose name has prefix, by name.
func (s *Store) QueryDefs(region, prefix, language string) []QueryDef {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []QueryDef
	for _, d := range regionMap(&a.queryDefs, region) {
		if strings.HasPrefix(d.Name, prefix) && (language == "" || d.Language == language) {
			out = append(out, *d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// DeleteQueryDef deletes a definition.
func (s *Store) DeleteQueryDef(region, id string) error {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.queryDefs, region)
	if m[id] == nil {
		return errResourceNotFound.New("The specified query definition does not exist.")
	}
	delete(m, id)
	return nil
}

// ---- export tasks ----

// ExportTask is an export of a group's events to S3.
type ExportTask struct {
	ID, Name, Group, Bucket, Prefix, StreamPrefix string
	From, To                                      int64
	Status, Message                               string
	Created, Completed                            int64
}

// AddExportTask records a task.
func (s *Store) AddExportTask(region string, t ExportTask) error {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	m := regionMap(&a.exports, region)
	if len(m) >= maxQueries {
		var oldest *ExportTask
		for _, x := range m {
			if oldest == nil || x.Created < oldest.Created {
				oldest = x
			}
		}
		delete(m, oldest.ID)
	}
	m[t.ID] = &t
	return nil
}

// ExportTasks lists tasks (one when id is set) with a status, newest first.
func (s *Store) ExportTasks(region, id, status string) []ExportTask {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []ExportTask
	for _, t := range regionMap(&a.exports, region) {
		if (id == "" || t.ID == id) && (status == "" || t.Status == status) {
			out = append(out, *t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Created != out[j].Created {
			return out[i].Created > out[j].Created
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// CancelExportTask cancels a pending or running task.
func (s *Store) CancelExportTask(region, id string) error {
	a := &s.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	t := regionMap(&a.exports, region)[id]
	if t == nil {
		return errResourceNotFound.New(msgExportNotFound)
	}
	if t.Status != "PENDING" && t.Status != "RUNNING" {
		return errInvalidOperation.New("The specified export task has already finished")
	}
	t.Status, t.Message = "CANCELLED", "Cancelled by user"
	return nil
}

// ExportEvents returns each stream's events (with prefix) from from to to
// (ms, from inclusive, to exclusive), by stream name.
func (g *Group) ExportEvents(prefix string, from, to int64) map[string][]Event {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := map[string][]Event{}
	for name, st := range g.streams {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		evs := st.events
		i := sort.Search(len(evs), func(i int) bool { return evs[i].TS >= from })
		j := sort.Search(len(evs), func(i int) bool { return evs[i].TS >= to })
		if i < j {
			out[name] = append([]Event(nil), evs[i:j]...)
		}
	}
	return out
}

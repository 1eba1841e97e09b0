package iot

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Store holds things and topic rules, per region.
type Store struct {
	account string
	newID   func() string
	now     func() time.Time

	mu     sync.Mutex
	things map[string]*thing // region/name
	rules  map[string]*rule  // region/name
	// active is every enabled rule, rebuilt on change, read by the rules
	// engine on each message without a lock.
	active atomic.Pointer[[]*rule]
}

type thing struct {
	name, id, arn, typeName string
	attributes              map[string]string
	version                 int64
}

// rule is immutable once stored: changes replace it.
type rule struct {
	region, name, arn string
	payload           topicRulePayload
	q                 *query
	actions           []action
	errorAction       *action
	createdAt         time.Time
	disabled          bool
}

// NewStore returns an empty store.
func NewStore(account string, newID func() string, now func() time.Time) *Store {
	s := &Store{account: account, newID: newID, now: now}
	s.Reset()
	return s
}

// Reset empties the store.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.things, s.rules = map[string]*thing{}, map[string]*rule{}
	s.publish()
}

// publish rebuilds the enabled rules' list (under s.mu).
func (s *Store) publish() {
	var act []*rule
	for _, r := range s.rules {
		if !r.disabled {
			act = append(act, r)
		}
	}
	slices.SortFunc(act, func(a, b *rule) int { return strings.Compare(a.name, b.name) })
	s.active.Store(&act)
}

func (s *Store) activeRules() []*rule { return *s.active.Load() }

func (s *Store) createThing(region, name, typeName string, attrs map[string]string) (*thing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.things[region+"/"+name]; ok {
		if t.typeName == typeName && maps.Equal(t.attributes, attrs) {
			return t, nil // CreateThing is idempotent for the same definition
		}
		return nil, errAlreadyExists.New(fmt.Sprintf("Thing %s already exists in account with different attributes", name))
	}
	t := &thing{name: name, id: s.newID(), typeName: typeName, attributes: attrs, version: 1,
		arn: fmt.Sprintf("arn:aws:iot:%s:%s:thing/%s", region, s.account, name)}
	if t.attributes == nil {
		t.attributes = map[string]string{}
	}
	s.things[region+"/"+name] = t
	return t, nil
}

func (s *Store) thing(region, name string) (thing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.things[region+"/"+name]
	if !ok {
		return thing{}, errNotFound.New(fmt.Sprintf("Thing %s cannot be found.", name))
	}
	return *t, nil
}

func (s *Store) listThings(region string) []thing {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []thing
	for k, t := range s.things {
		if strings.HasPrefix(k, region+"/") {
			out = append(out, *t)
		}
	}
	slices.SortFunc(out, func(a, b thing) int { return strings.Compare(a.name, b.name) })
	return out
}

func (s *Store) deleteThing(region, name string, expected *int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.things[region+"/"+name]
	if !ok {
		return nil // AWS answers 200 for a thing that does not exist
	}
	if expected != nil && *expected != t.version {
		return errVersionConflict.New(fmt.Sprintf("The version for thing %s does not match the expected version.", name))
	}
	delete(s.things, region+"/"+name)
	return nil
}

func (s *Store) ruleARN(region, name string) string {
	return fmt.Sprintf("arn:aws:iot:%s:%s:rule/%s", region, s.account, name)
}

// putRule creates (replace false) or replaces a rule.
func (s *Store) putRule(r *rule, replace bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.region + "/" + r.name
	old, ok := s.rules[key]
	switch {
	case !replace && ok:
		return errAlreadyExists.New(fmt.Sprintf("Rule %s already exists", r.name))
	case replace && !ok:
		return ruleDenied(r.name)
	case replace:
		r.createdAt = old.createdAt
	default:
		r.createdAt = s.now()
	}
	r.arn = s.ruleARN(r.region, r.name)
	s.rules[key] = r
	s.publish()
	return nil
}

func (s *Store) rule(region, name string) (*rule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[region+"/"+name]
	if !ok {
		return nil, ruleDenied(name)
	}
	return r, nil
}

func (s *Store) listRules(region, topic string, disabled *bool) []*rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*rule
	for _, r := range s.rules {
		if r.region == region && (topic == "" || r.q.topic == topic) && (disabled == nil || *disabled == r.disabled) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *rule) int { return strings.Compare(a.name, b.name) })
	return out
}

func (s *Store) deleteRule(region, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rules[region+"/"+name]; !ok {
		return ruleDenied(name)
	}
	delete(s.rules, region+"/"+name)
	s.publish()
	return nil
}

func (s *Store) setRuleDisabled(region, name string, disabled bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[region+"/"+name]
	if !ok {
		return ruleDenied(name)
	}
	c := *r
	c.disabled = disabled
	c.payload.RuleDisabled = &disabled
	s.rules[region+"/"+name] = &c
	s.publish()
	return nil
}

// countRules is for the state summary.
func (s *Store) counts() (things, rules int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.things), len(s.rules)
}

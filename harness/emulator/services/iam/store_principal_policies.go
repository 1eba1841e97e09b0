package iam

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Policy quotas of users and groups.
const (
	maxInlineUserSize   = 2048 // all inline policies of one user together
	maxInlineGroupSize  = 5120
	maxAttachedPerUser  = 10
	maxAttachedPerGroup = 10
)

// principal is a user or a group as policy operations see it.
type principal struct {
	kind, name string // "user" or "group", its name as stored
	*holder
	maxInline, maxAttached int
	quota                  string // the quota's name in LimitExceeded
}

// principalOf finds a user ("user") or a group ("group"); the caller holds mu.
func (s *Store) principalOf(kind, name string) (principal, error) {
	if kind == "user" {
		u := s.users[key(name)]
		if u == nil {
			return principal{}, noUser(name)
		}
		return principal{"user", u.Name, &u.holder, maxInlineUserSize, maxAttachedPerUser, "PoliciesPerUser"}, nil
	}
	g := s.groups[key(name)]
	if g == nil {
		return principal{}, noGroup(name)
	}
	return principal{"group", g.Name, &g.holder, maxInlineGroupSize, maxAttachedPerGroup, "PoliciesPerGroup"}, nil
}

func noInline(kind, name string) error {
	return errNoSuchEntity.New("The " + kind + " policy with name " + name + " cannot be found.")
}

// PutPrincipalPolicy adds or replaces an inline policy of a user or group.
func (s *Store) PutPrincipalPolicy(kind, name, policyName, doc string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.principalOf(kind, name)
	if err != nil {
		return err
	}
	total := policySize(doc)
	for n, d := range p.inline {
		if n != policyName {
			total += policySize(d)
		}
	}
	if total > p.maxInline {
		return errLimitExceeded.New("Maximum policy size of " + strconv.Itoa(p.maxInline) + " bytes exceeded for " + kind + " " + p.name)
	}
	p.inline[policyName] = doc
	return nil
}

// GetPrincipalPolicy returns an inline policy's document and its holder's name.
func (s *Store) GetPrincipalPolicy(kind, name, policyName string) (string, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.principalOf(kind, name)
	if err != nil {
		return "", "", err
	}
	doc, ok := p.inline[policyName]
	if !ok {
		return "", "", noInline(kind, policyName)
	}
	return p.name, doc, nil
}

// PrincipalPolicyNames lists a user's or group's inline policy names, sorted.
func (s *Store) PrincipalPolicyNames(kind, name string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.principalOf(kind, name)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(p.inline))
	for n := range p.inline {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// DeletePrincipalPolicy removes an inline policy.
func (s *Store) DeletePrincipalPolicy(kind, name, policyName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.principalOf(kind, name)
	if err != nil {
		return err
	}
	if _, ok := p.inline[policyName]; !ok {
		return noInline(kind, policyName)
	}
	delete(p.inline, policyName)
	return nil
}

// AttachPrincipalPolicy attaches a managed policy to a user or group;
// attaching twice is a no-op.
func (s *Store) AttachPrincipalPolicy(kind, name, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.principalOf(kind, name)
	if err != nil {
		return err
	}
	pol, ok := s.managed(arn, true)
	if !ok {
		return notAttachable(arn)
	}
	if slices.Contains(p.attached, arn) {
		return nil
	}
	if len(p.attached) >= p.maxAttached {
		return errLimitExceeded.New("Cannot exceed quota for " + p.quota + ": " + strconv.Itoa(p.maxAttached))
	}
	p.attached = append(p.attached, arn)
	pol.Attachments++
	return nil
}

// DetachPrincipalPolicy detaches a managed policy from a user or group.
func (s *Store) DetachPrincipalPolicy(kind, name, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.principalOf(kind, name)
	if err != nil {
		return err
	}
	i := slices.Index(p.attached, arn)
	if i < 0 {
		return policyNotFound(arn)
	}
	p.attached = slices.Delete(p.attached, i, i+1)
	if pol := s.policies[arn]; pol != nil {
		pol.Attachments--
	}
	return nil
}

// AttachedPrincipalPolicies lists a user's or group's managed policies.
func (s *Store) AttachedPrincipalPolicies(kind, name, pathPrefix string) ([]AttachedPolicy, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.principalOf(kind, name)
	if err != nil {
		return nil, err
	}
	out := make([]AttachedPolicy, 0, len(p.attached))
	for _, arn := range p.attached {
		if pol := s.policies[arn]; pol != nil && strings.HasPrefix(pol.Path, pathPrefix) {
			out = append(out, AttachedPolicy{Name: pol.Name, ARN: arn, Path: pol.Path})
		}
	}
	return out, nil
}

// PolicyEntity is a user, group or role a managed policy is attached to.
type PolicyEntity struct{ Kind, Name, ID string }

// EntitiesForPolicy lists who a managed policy is attached to (kind
// "User", "Group" or "Role"; empty: all), each kind by name.
func (s *Store) EntitiesForPolicy(arn, kind, pathPrefix string) ([]PolicyEntity, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.managed(arn, false); !ok {
		return nil, policyNotFound(arn)
	}
	var out []PolicyEntity
	if kind == "" || kind == "User" {
		for _, u := range s.users {
			if slices.Contains(u.attached, arn) && strings.HasPrefix(u.Path, pathPrefix) {
				out = append(out, PolicyEntity{"User", u.Name, u.ID})
			}
		}
	}
	if kind == "" || kind == "Group" {
		for _, g := range s.groups {
			if slices.Contains(g.attached, arn) && strings.HasPrefix(g.Path, pathPrefix) {
				out = append(out, PolicyEntity{"Group", g.Name, g.ID})
			}
		}
	}
	if kind == "" || kind == "Role" {
		for _, r := range s.roles {
			if slices.Contains(r.attached, arn) && strings.HasPrefix(r.Path, pathPrefix) {
				out = append(out, PolicyEntity{"Role", r.Name, r.ID})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return key(out[i].Name) < key(out[j].Name)
	})
	return out, nil
}

// TagPolicy adds or replaces a customer managed policy's tags.
func (s *Store) TagPolicy(arn string, tags []Tag) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.localPolicy(arn, "TagPolicy")
	if err != nil {
		return err
	}
	t, err := mergeTags(p.Tags, tags)
	if err == nil {
		p.Tags = t
	}
	return err
}

// UntagPolicy removes a customer managed policy's tags by key.
func (s *Store) UntagPolicy(arn string, keys []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.localPolicy(arn, "UntagPolicy")
	if err != nil {
		return err
	}
	p.Tags = slices.DeleteFunc(p.Tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
	return nil
}

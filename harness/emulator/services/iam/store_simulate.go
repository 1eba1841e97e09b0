package iam

import "strings"

// SourcePolicy is a policy the simulator evaluates, named as its
// MatchedStatements name it: the policy's name (or the input's place) and
// its type (user, group, role, aws-managed, user-managed, none, resource).
type SourcePolicy struct {
	ID, Type, Document string
}

// PrincipalPolicies returns the policies that apply to a user (with its
// groups'), group or role, by ARN: inline ones first, then attached
// managed ones (each once, at their default version), and the document of
// its permissions boundary, if it has one.
func (s *Store) PrincipalPolicies(arn string) (policies []SourcePolicy, boundary *SourcePolicy, err error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	type source struct {
		typ string
		h   *holder
	}
	var sources []source
	boundaryARN := ""
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	switch {
	case strings.Contains(arn, ":user/"):
		u := s.users[key(name)]
		if u == nil || u.ARN != arn {
			return nil, nil, errNoSuchEntity.New("The user with name " + name + " cannot be found.")
		}
		sources = append(sources, source{"user", &u.holder})
		for _, g := range u.groups {
			sources = append(sources, source{"group", &g.holder})
		}
		boundaryARN = u.PermissionsBoundary
	case strings.Contains(arn, ":group/"):
		g := s.groups[key(name)]
		if g == nil || g.ARN != arn {
			return nil, nil, errNoSuchEntity.New("The group with name " + name + " cannot be found.")
		}
		sources = append(sources, source{"group", &g.holder})
	case strings.Contains(arn, ":role/"):
		r := s.roles[key(name)]
		if r == nil || r.ARN != arn {
			return nil, nil, noRole(name)
		}
		sources = append(sources, source{"role", &holder{inline: r.inline, attached: r.attached}})
		boundaryARN = r.PermissionsBoundary
	default:
		return nil, nil, errInvalidInput.New("Invalid ARN " + arn + ".")
	}
	seen := map[string]bool{}
	managed := func(a string) (SourcePolicy, bool) {
		p, ok := s.managed(a, false)
		if !ok {
			return SourcePolicy{}, false
		}
		typ := "user-managed"
		if p.AWSManaged {
			typ = "aws-managed"
		}
		for _, v := range p.versions {
			if v.IsDefault {
				return SourcePolicy{p.Name, typ, v.Document}, true
			}
		}
		return SourcePolicy{}, false
	}
	for _, src := range sources {
		for _, d := range inlineOf(src.h.inline) {
			policies = append(policies, SourcePolicy{d.Name, src.typ, d.Document})
		}
	}
	for _, src := range sources {
		for _, a := range src.h.attached {
			if seen[a] {
				continue
			}
			seen[a] = true
			if sp, ok := managed(a); ok {
				policies = append(policies, sp)
			}
		}
	}
	if boundaryARN != "" {
		if sp, ok := managed(boundaryARN); ok {
			boundary = &sp
		}
	}
	return policies, boundary, nil
}

package iam

import (
	"encoding/json"
	"strings"
)

// GrantingPolicy is a policy of a principal that allows some action of a
// service, as ListPoliciesGrantingServiceAccess shows it.
type GrantingPolicy struct {
	Name, Type, ARN    string // Type INLINE or MANAGED; ARN for managed ones
	EntityType, Entity string // whose inline policy it is (USER, GROUP, ROLE)
}

// grantsService reports whether a document has an Allow statement whose
// Action names one of ns's actions ("ns:…", a wildcard) or whose
// NotAction leaves some of them allowed.
func grantsService(doc, ns string) bool {
	var p struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &p) != nil || len(p.Statement) == 0 {
		return false
	}
	if p.Statement[0] == '{' {
		p.Statement = append(append([]byte{'['}, p.Statement...), ']')
	}
	var sts []struct {
		Effect    string
		Action    json.RawMessage
		NotAction json.RawMessage
	}
	if json.Unmarshal(p.Statement, &sts) != nil {
		return false
	}
	names := func(raw json.RawMessage) []string {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			return []string{one}
		}
		var many []string
		json.Unmarshal(raw, &many)
		return many
	}
	for _, st := range sts {
		if st.Effect != "Allow" {
			continue
		}
		for _, a := range names(st.Action) {
			a = strings.ToLower(a)
			if a == "*" || strings.HasPrefix(a, strings.ToLower(ns)+":") {
				return true
			}
		}
		if len(st.NotAction) > 0 {
			excluded := false
			for _, a := range names(st.NotAction) {
				a = strings.ToLower(a)
				if a == "*" || a == strings.ToLower(ns)+":*" {
					excluded = true
				}
			}
			if !excluded {
				return true
			}
		}
	}
	return false
}

// PoliciesGranting lists, for each service namespace, the policies of a
// user (with its groups'), group or role that allow one of its actions.
func (s *Store) PoliciesGranting(arn string, namespaces []string) (map[string][]GrantingPolicy, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	type source struct {
		entityType, entity string
		h                  *holder
	}
	var sources []source
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	switch {
	case strings.Contains(arn, ":user/"):
		u := s.users[key(name)]
		if u == nil || u.ARN != arn {
			return nil, noUser(name)
		}
		sources = append(sources, source{"USER", u.Name, &u.holder})
		for _, g := range u.groups {
			sources = append(sources, source{"GROUP", g.Name, &g.holder})
		}
	case strings.Contains(arn, ":group/"):
		g := s.groups[key(name)]
		if g == nil || g.ARN != arn {
			return nil, noGroup(name)
		}
		sources = append(sources, source{"GROUP", g.Name, &g.holder})
	case strings.Contains(arn, ":role/"):
		r := s.roles[key(name)]
		if r == nil || r.ARN != arn {
			return nil, noRole(name)
		}
		sources = append(sources, source{"ROLE", r.Name, &holder{inline: r.inline, attached: r.attached}})
	default:
		return nil, errInvalidInput.New("ARN " + arn + " is not valid.")
	}
	out := map[string][]GrantingPolicy{}
	for _, ns := range namespaces {
		list := []GrantingPolicy{}
		seen := map[string]bool{}
		for _, src := range sources {
			for _, d := range inlineOf(src.h.inline) {
				if grantsService(d.Document, ns) {
					list = append(list, GrantingPolicy{Name: d.Name, Type: "INLINE", EntityType: src.entityType, Entity: src.entity})
				}
			}
			for _, a := range src.h.attached {
				p := s.policies[a]
				if p == nil || seen[a] {
					continue
				}
				for _, v := range p.versions {
					if v.IsDefault && grantsService(v.Document, ns) {
						seen[a] = true
						list = append(list, GrantingPolicy{Name: p.Name, Type: "MANAGED", ARN: a})
					}
				}
			}
		}
		out[ns] = list
	}
	return out, nil
}

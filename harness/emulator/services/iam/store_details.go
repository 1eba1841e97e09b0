package iam

import (
	"sort"
)

// NamedDocument is an inline policy: its name and document.
type NamedDocument struct{ Name, Document string }

// UserDetail, GroupDetail and RoleDetail are entities with their policies,
// as GetAccountAuthorizationDetails shows them.
type UserDetail struct {
	User
	Inline   []NamedDocument
	Groups   []string
	Attached []AttachedPolicy
}

// GroupDetail is a group with its policies.
type GroupDetail struct {
	Group
	Inline   []NamedDocument
	Attached []AttachedPolicy
}

// RoleDetail is a role with its policies and instance profiles.
type RoleDetail struct {
	Role
	Inline   []NamedDocument
	Attached []AttachedPolicy
	Profiles []InstanceProfile
}

// PolicyDetail is a managed policy with its versions.
type PolicyDetail struct {
	Policy
	Versions []PolicyVersion
}

// AuthorizationDetails is a snapshot of the account's IAM.
type AuthorizationDetails struct {
	Users    []UserDetail
	Groups   []GroupDetail
	Roles    []RoleDetail
	Policies []PolicyDetail // customer managed, then AWS managed ones in use
}

func inlineOf(m map[string]string) []NamedDocument {
	out := make([]NamedDocument, 0, len(m))
	for n, d := range m {
		out = append(out, NamedDocument{n, d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Store) attachedOf(arns []string) []AttachedPolicy {
	out := make([]AttachedPolicy, 0, len(arns))
	for _, arn := range arns {
		if p := s.policies[arn]; p != nil {
			out = append(out, AttachedPolicy{Name: p.Name, ARN: arn, Path: p.Path})
		}
	}
	return out
}

// AuthorizationDetails snapshots users, groups, roles and managed policies,
// each kind by name.
func (s *Store) AuthorizationDetails() AuthorizationDetails {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var d AuthorizationDetails
	for _, u := range s.users {
		ud := UserDetail{User: u.snapshot(), Inline: inlineOf(u.inline), Attached: s.attachedOf(u.attached)}
		for _, g := range u.groups {
			ud.Groups = append(ud.Groups, g.Name)
		}
		d.Users = append(d.Users, ud)
	}
	sortByName(d.Users, func(u UserDetail) string { return u.Name })
	for _, g := range s.groups {
		d.Groups = append(d.Groups, GroupDetail{Group: g.Group, Inline: inlineOf(g.inline), Attached: s.attachedOf(g.attached)})
	}
	sortByName(d.Groups, func(g GroupDetail) string { return g.Name })
	for k, r := range s.roles {
		rd := RoleDetail{Role: r.snapshot(), Inline: inlineOf(r.inline), Attached: s.attachedOf(r.attached)}
		for _, p := range s.profiles {
			for _, rk := range p.roles {
				if rk == k {
					rd.Profiles = append(rd.Profiles, p.snapshot(s))
				}
			}
		}
		d.Roles = append(d.Roles, rd)
	}
	sortByName(d.Roles, func(r RoleDetail) string { return r.Name })
	for _, p := range s.policies {
		if !p.AWSManaged || p.Attachments > 0 {
			d.Policies = append(d.Policies, PolicyDetail{Policy: p.snapshot(), Versions: append([]PolicyVersion(nil), p.versions...)})
		}
	}
	sort.Slice(d.Policies, func(i, j int) bool {
		if d.Policies[i].AWSManaged != d.Policies[j].AWSManaged {
			return !d.Policies[i].AWSManaged
		}
		return d.Policies[i].Name < d.Policies[j].Name
	})
	return d
}

package iam

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Role is an IAM role as the API shows it.
type Role struct {
	Name, Path, ID, ARN string
	TrustPolicy         string // as the client sent it
	Description         string
	MaxSessionDuration  int
	PermissionsBoundary string
	Created             time.Time
	Tags                []Tag
}

type role struct {
	Role
	attached []string          // managed policy ARNs, in attachment order
	inline   map[string]string // policy name → document
}

func noRole(name string) error {
	return errNoSuchEntity.New("The role with name " + name + " cannot be found.")
}

// snapshot copies a role for callers outside the lock.
func (r *role) snapshot() Role {
	out := r.Role
	out.Tags = slices.Clone(r.Tags)
	return out
}

// CreateRole stores a role; the trust policy was checked by the caller.
func (s *Store) CreateRole(in Role, now time.Time) (Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.roles[key(in.Name)]; ok {
		return Role{}, errEntityExists.New("Role with name " + in.Name + " already exists.")
	}
	r := &role{Role: in, inline: map[string]string{}}
	r.ID = s.newID("AROA")
	r.ARN = s.arn("role", in.Path, in.Name)
	r.Created = now
	r.Tags = slices.Clone(in.Tags)
	s.roles[key(in.Name)] = r
	return r.snapshot(), nil
}

// GetRole returns a role by name.
func (s *Store) GetRole(name string) (Role, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.roles[key(name)]
	if r == nil {
		return Role{}, noRole(name)
	}
	return r.snapshot(), nil
}

// ListRoles returns every role under pathPrefix, by name.
func (s *Store) ListRoles(pathPrefix string) []Role {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Role, 0, len(s.roles))
	for _, r := range s.roles {
		if strings.HasPrefix(r.Path, pathPrefix) {
			out = append(out, r.snapshot())
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].Name) < key(out[j].Name) })
	return out
}

// DeleteRole removes a role that has no policies and is in no instance profile.
func (s *Store) DeleteRole(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(name)
	r := s.roles[k]
	if r == nil {
		return noRole(name)
	}
	if strings.HasPrefix(r.Path, serviceLinkedPath) {
		return errUnmodifiable.New("Cannot perform the operation on the protected role '" + r.Name + "' - this role is only modifiable by AWS")
	}
	for _, p := range s.profiles {
		if slices.Contains(p.roles, k) {
			return errDeleteConflict.New("Cannot delete entity, must remove roles from instance profile first.")
		}
	}
	if len(r.attached) > 0 {
		return errDeleteConflict.New("Cannot delete entity, must detach all policies first.")
	}
	if len(r.inline) > 0 {
		return errDeleteConflict.New("Cannot delete entity, must delete policies first.")
	}
	delete(s.roles, k)
	return nil
}

// UpdateRole changes a role's description and maximum session duration
// (each when set) and returns the role as it is now.
func (s *Store) UpdateRole(name string, description *string, maxSession *int) (Role, error) {
	var out Role
	err := s.withRole(name, func(r *role) error {
		if description != nil {
			r.Description = *description
		}
		if maxSession != nil {
			r.MaxSessionDuration = *maxSession
		}
		out = r.snapshot()
		return nil
	})
	return out, err
}

// UpdateTrustPolicy replaces a role's AssumeRolePolicyDocument.
func (s *Store) UpdateTrustPolicy(name, doc string) error {
	return s.withRole(name, func(r *role) error { r.TrustPolicy = doc; return nil })
}

// TagRole adds or replaces a role's tags.
func (s *Store) TagRole(name string, tags []Tag) error {
	return s.withRole(name, func(r *role) error {
		t, err := mergeTags(r.Tags, tags)
		if err == nil {
			r.Tags = t
		}
		return err
	})
}

// UntagRole removes a role's tags by key.
func (s *Store) UntagRole(name string, keys []string) error {
	return s.withRole(name, func(r *role) error {
		r.Tags = slices.DeleteFunc(r.Tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
		return nil
	})
}

func (s *Store) withRole(name string, f func(*role) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roles[key(name)]
	if r == nil {
		return noRole(name)
	}
	return f(r)
}

// ---- inline role policies ----

// PutRolePolicy adds or replaces an inline policy of a role.
func (s *Store) PutRolePolicy(roleName, name, doc string) error {
	return s.withRole(roleName, func(r *role) error {
		total := policySize(doc)
		for n, d := range r.inline {
			if n != name {
				total += policySize(d)
			}
		}
		if total > maxInlineRoleSize {
			return errLimitExceeded.New("Maximum policy size of " + strconv.Itoa(maxInlineRoleSize) + " bytes exceeded for role " + r.Name)
		}
		r.inline[name] = doc
		return nil
	})
}

// GetRolePolicy returns an inline policy's document.
func (s *Store) GetRolePolicy(roleName, name string) (Role, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.roles[key(roleName)]
	if r == nil {
		return Role{}, "", noRole(roleName)
	}
	doc, ok := r.inline[name]
	if !ok {
		return Role{}, "", errNoSuchEntity.New("The role policy with name " + name + " cannot be found.")
	}
	return r.snapshot(), doc, nil
}

// RolePolicyNames lists a role's inline policy names, sorted.
func (s *Store) RolePolicyNames(roleName string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.roles[key(roleName)]
	if r == nil {
		return nil, noRole(roleName)
	}
	out := make([]string, 0, len(r.inline))
	for n := range r.inline {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// DeleteRolePolicy removes an inline policy.
func (s *Store) DeleteRolePolicy(roleName, name string) error {
	return s.withRole(roleName, func(r *role) error {
		if _, ok := r.inline[name]; !ok {
			return errNoSuchEntity.New("The role policy with name " + name + " cannot be found.")
		}
		delete(r.inline, name)
		return nil
	})
}

package iam

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// InstanceProfile is an IAM instance profile and the role in it.
type InstanceProfile struct {
	Name, Path, ID, ARN string
	Created             time.Time
	Roles               []Role
	Tags                []Tag
}

type instanceProfile struct {
	InstanceProfile
	roles []string // role keys
}

// ---- instance profiles ----

func noProfile(name string) error {
	return errNoSuchEntity.New("Instance Profile " + name + " cannot be found.")
}

func (p *instanceProfile) snapshot(s *Store) InstanceProfile {
	out := p.InstanceProfile
	out.Tags = slices.Clone(p.Tags)
	out.Roles = nil
	for _, k := range p.roles {
		if r := s.roles[k]; r != nil {
			out.Roles = append(out.Roles, r.snapshot())
		}
	}
	return out
}

// CreateInstanceProfile stores an empty instance profile.
func (s *Store) CreateInstanceProfile(in InstanceProfile, now time.Time) (InstanceProfile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.profiles[key(in.Name)]; ok {
		return InstanceProfile{}, errEntityExists.New("Instance Profile " + in.Name + " already exists.")
	}
	p := &instanceProfile{InstanceProfile: in}
	p.ID, p.ARN, p.Created = s.newID("AIPA"), s.arn("instance-profile", in.Path, in.Name), now
	p.Tags = slices.Clone(in.Tags)
	s.profiles[key(in.Name)] = p
	return p.snapshot(s), nil
}

// GetInstanceProfile returns an instance profile with its role.
func (s *Store) GetInstanceProfile(name string) (InstanceProfile, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.profiles[key(name)]
	if p == nil {
		return InstanceProfile{}, noProfile(name)
	}
	return p.snapshot(s), nil
}

// DeleteInstanceProfile removes an instance profile that holds no role.
func (s *Store) DeleteInstanceProfile(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.profiles[key(name)]
	if p == nil {
		return noProfile(name)
	}
	if len(p.roles) > 0 {
		return errDeleteConflict.New("Cannot delete entity, must remove roles from instance profile first.")
	}
	delete(s.profiles, key(name))
	return nil
}

// AddRoleToInstanceProfile puts a role in a profile (one role per profile).
func (s *Store) AddRoleToInstanceProfile(profile, roleName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.profiles[key(profile)]
	if p == nil {
		return noProfile(profile)
	}
	if s.roles[key(roleName)] == nil {
		return noRole(roleName)
	}
	if len(p.roles) >= 1 {
		return errLimitExceeded.New("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	}
	p.roles = append(p.roles, key(roleName))
	return nil
}

// RemoveRoleFromInstanceProfile takes a role out of a profile.
func (s *Store) RemoveRoleFromInstanceProfile(profile, roleName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.profiles[key(profile)]
	if p == nil {
		return noProfile(profile)
	}
	i := slices.Index(p.roles, key(roleName))
	if i < 0 {
		return errNoSuchEntity.New("The role with name " + roleName + " cannot be found.")
	}
	p.roles = slices.Delete(p.roles, i, i+1)
	return nil
}

// InstanceProfiles lists profiles under pathPrefix (or holding roleName,
// when set), by name.
func (s *Store) InstanceProfiles(pathPrefix, roleName string) ([]InstanceProfile, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if roleName != "" && s.roles[key(roleName)] == nil {
		return nil, noRole(roleName)
	}
	var out []InstanceProfile
	for _, p := range s.profiles {
		if !strings.HasPrefix(p.Path, pathPrefix) || (roleName != "" && !slices.Contains(p.roles, key(roleName))) {
			continue
		}
		out = append(out, p.snapshot(s))
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].Name) < key(out[j].Name) })
	return out, nil
}

package iam

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// User is an IAM user as the API shows it.
type User struct {
	Name, Path, ID, ARN string
	PermissionsBoundary string
	Created             time.Time
	PasswordLastUsed    time.Time // zero: never
	Tags                []Tag
}

type user struct {
	User
	groups       []*group // in the order the user joined them
	keys         []*accessKey
	login        *loginProfile
	sshKeys      []*SSHPublicKey
	certs        []*SigningCertificate
	serviceCreds []*ServiceCredential
	holder
}

// holder is what carries policies: inline ones by name and attached
// managed ones by ARN, in attachment order.
type holder struct {
	inline   map[string]string
	attached []string
}

// Group is an IAM group as the API shows it.
type Group struct {
	Name, Path, ID, ARN string
	Created             time.Time
}

type group struct {
	Group
	members []*user
	holder
}

// AccessKey is a long-term access key of a user; Secret is known only to
// the store and, once, to CreateAccessKey's caller.
type AccessKey struct {
	ID, Secret, UserName, Status string
	Created                      time.Time
	LastUsed                     time.Time // zero: never
	LastService, LastRegion      string
}

type accessKey struct {
	AccessKey
	owner *user
}

// LoginProfile is a user's console password, as the API shows it: never
// the password, which the store keeps only as a bcrypt hash.
type LoginProfile struct {
	UserName      string
	Created       time.Time
	ResetRequired bool
}

type loginProfile struct {
	LoginProfile
	hash    []byte
	history [][]byte // hashes of earlier passwords, newest first
}

// Quotas of users, groups and keys.
const (
	maxKeysPerUser   = 2
	maxGroupsPerUser = 10
)

// ---- users ----

func noUser(name string) error {
	return errNoSuchEntity.New("The user with name " + name + " cannot be found.")
}

func noGroup(name string) error {
	return errNoSuchEntity.New("The group with name " + name + " cannot be found.")
}

func noAccessKey(id string) error {
	return errNoSuchEntity.New("The Access Key with id " + id + " cannot be found.")
}

func noLoginProfile(name string) error {
	return errNoSuchEntity.New("Login Profile for User " + name + " cannot be found.")
}

func (u *user) snapshot() User {
	out := u.User
	out.Tags = slices.Clone(u.Tags)
	return out
}

// CreateUser stores a user.
func (s *Store) CreateUser(in User, now time.Time) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[key(in.Name)]; ok {
		return User{}, errEntityExists.New("User with name " + in.Name + " already exists.")
	}
	u := &user{User: in, holder: holder{inline: map[string]string{}}}
	u.ID, u.ARN, u.Created = s.newID("AIDA"), s.arn("user", in.Path, in.Name), now
	u.Tags = slices.Clone(in.Tags)
	s.users[key(in.Name)] = u
	return u.snapshot(), nil
}

// GetUser returns a user by name.
func (s *Store) GetUser(name string) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.users[key(name)]
	if u == nil {
		return User{}, noUser(name)
	}
	return u.snapshot(), nil
}

// ListUsers returns every user under pathPrefix, by name.
func (s *Store) ListUsers(pathPrefix string) []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		if strings.HasPrefix(u.Path, pathPrefix) {
			out = append(out, u.snapshot())
		}
	}
	sortByName(out, func(u User) string { return u.Name })
	return out
}

func sortByName[T any](items []T, name func(T) string) {
	sort.Slice(items, func(i, j int) bool { return key(name(items[i])) < key(name(items[j])) })
}

// UpdateUser renames a user or moves it to another path (each when set).
func (s *Store) UpdateUser(name string, newName, newPath *string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(name)]
	if u == nil {
		return noUser(name)
	}
	if newName != nil && key(*newName) != key(name) {
		if _, taken := s.users[key(*newName)]; taken {
			return errEntityExists.New("User with name " + *newName + " already exists.")
		}
	}
	if newPath != nil {
		u.Path = *newPath
	}
	if newName != nil {
		delete(s.users, key(name))
		u.Name = *newName
		s.users[key(u.Name)] = u
		for _, k := range u.keys {
			k.UserName = u.Name
		}
		if u.login != nil {
			u.login.UserName = u.Name
		}
		for _, d := range s.mfa {
			if key(d.User) == key(name) {
				d.User = u.Name
			}
		}
	}
	u.ARN = s.arn("user", u.Path, u.Name)
	return nil
}

// DeleteUser removes a user that has nothing left attached, in the order
// AWS checks.
func (s *Store) DeleteUser(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(name)]
	if u == nil {
		return noUser(name)
	}
	switch {
	case u.login != nil:
		return errDeleteConflict.New("Cannot delete entity, must delete login profile first.")
	case len(u.keys) > 0:
		return errDeleteConflict.New("Cannot delete entity, must delete access keys first.")
	case s.hasMFA(u):
		return errDeleteConflict.New("Cannot delete entity, must delete MFA device first.")
	case len(u.certs) > 0:
		return errDeleteConflict.New("Cannot delete entity, must delete signing certificates first.")
	case len(u.sshKeys) > 0:
		return errDeleteConflict.New("Cannot delete entity, must delete SSH public keys first.")
	case len(u.serviceCreds) > 0:
		return errDeleteConflict.New("Cannot delete entity, must delete service specific credentials first.")
	case len(u.groups) > 0:
		return errDeleteConflict.New("Cannot delete entity, must remove user from all groups first.")
	case len(u.attached) > 0:
		return errDeleteConflict.New("Cannot delete entity, must detach all policies first.")
	case len(u.inline) > 0:
		return errDeleteConflict.New("Cannot delete entity, must delete policies first.")
	}
	delete(s.users, key(name))
	return nil
}

func (s *Store) withUser(name string, f func(*user) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(name)]
	if u == nil {
		return noUser(name)
	}
	return f(u)
}

// TagUser adds or replaces a user's tags.
func (s *Store) TagUser(name string, tags []Tag) error {
	return s.withUser(name, func(u *user) error {
		t, err := mergeTags(u.Tags, tags)
		if err == nil {
			u.Tags = t
		}
		return err
	})
}

// UntagUser removes a user's tags by key.
func (s *Store) UntagUser(name string, keys []string) error {
	return s.withUser(name, func(u *user) error {
		u.Tags = slices.DeleteFunc(u.Tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
		return nil
	})
}

// ---- groups ----

// CreateGroup stores an empty group.
func (s *Store) CreateGroup(in Group, now time.Time) (Group, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[key(in.Name)]; ok {
		return Group{}, errEntityExists.New("Group with name " + in.Name + " already exists.")
	}
	g := &group{Group: in, holder: holder{inline: map[string]string{}}}
	g.ID, g.ARN, g.Created = s.newID("AGPA"), s.arn("group", in.Path, in.Name), now
	s.groups[key(in.Name)] = g
	return g.Group, nil
}

// GetGroup returns a group and its members, by name.
func (s *Store) GetGroup(name string) (Group, []User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.groups[key(name)]
	if g == nil {
		return Group{}, nil, noGroup(name)
	}
	users := make([]User, len(g.members))
	for i, u := range g.members {
		users[i] = u.snapshot()
	}
	return g.Group, users, nil
}

// ListGroups returns every group under pathPrefix, by name.
func (s *Store) ListGroups(pathPrefix string) []Group {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Group, 0, len(s.groups))
	for _, g := range s.groups {
		if strings.HasPrefix(g.Path, pathPrefix) {
			out = append(out, g.Group)
		}
	}
	sortByName(out, func(g Group) string { return g.Name })
	return out
}

// UpdateGroup renames a group or moves it to another path.
func (s *Store) UpdateGroup(name string, newName, newPath *string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[key(name)]
	if g == nil {
		return noGroup(name)
	}
	if newName != nil && key(*newName) != key(name) {
		if _, taken := s.groups[key(*newName)]; taken {
			return errEntityExists.New("Group with name " + *newName + " already exists.")
		}
	}
	if newPath != nil {
		g.Path = *newPath
	}
	if newName != nil {
		delete(s.groups, key(name))
		g.Name = *newName
		s.groups[key(g.Name)] = g
	}
	g.ARN = s.arn("group", g.Path, g.Name)
	return nil
}

// DeleteGroup removes a group with no members and no policies.
func (s *Store) DeleteGroup(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[key(name)]
	if g == nil {
		return noGroup(name)
	}
	switch {
	case len(g.members) > 0:
		return errDeleteConflict.New("Cannot delete entity, must remove users from group first.")
	case len(g.attached) > 0:
		return errDeleteConflict.New("Cannot delete entity, must detach all policies first.")
	case len(g.inline) > 0:
		return errDeleteConflict.New("Cannot delete entity, must delete policies first.")
	}
	delete(s.groups, key(name))
	return nil
}

// AddUserToGroup makes a user a member of a group; adding twice is a no-op.
func (s *Store) AddUserToGroup(groupName, userName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[key(groupName)]
	if g == nil {
		return noGroup(groupName)
	}
	u := s.users[key(userName)]
	if u == nil {
		return noUser(userName)
	}
	if slices.Contains(u.groups, g) {
		return nil
	}
	if len(u.groups) >= maxGroupsPerUser {
		return errLimitExceeded.New("Cannot exceed quota for GroupsPerUser: " + strconv.Itoa(maxGroupsPerUser))
	}
	u.groups = append(u.groups, g)
	g.members = append(g.members, u)
	return nil
}

// RemoveUserFromGroup takes a user out of a group.
func (s *Store) RemoveUserFromGroup(groupName, userName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[key(groupName)]
	if g == nil {
		return noGroup(groupName)
	}
	u := s.users[key(userName)]
	if u == nil {
		return noUser(userName)
	}
	i := slices.Index(g.members, u)
	if i < 0 {
		return errNoSuchEntity.New("The user with name " + userName + " cannot be found in group " + g.Name + ".")
	}
	g.members = slices.Delete(g.members, i, i+1)
	u.groups = slices.DeleteFunc(u.groups, func(x *group) bool { return x == g })
	return nil
}

// GroupsForUser lists the groups a user is in, by name.
func (s *Store) GroupsForUser(userName string) ([]Group, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.users[key(userName)]
	if u == nil {
		return nil, noUser(userName)
	}
	out := make([]Group, len(u.groups))
	for i, g := range u.groups {
		out[i] = g.Group
	}
	sortByName(out, func(g Group) string { return g.Name })
	return out, nil
}

// ---- access keys ----

func newSecret() string {
	var b [30]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// CreateAccessKey gives a user a new active key, at most two per user.
func (s *Store) CreateAccessKey(userName string, now time.Time) (AccessKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(userName)]
	if u == nil {
		return AccessKey{}, noUser(userName)
	}
	if len(u.keys) >= maxKeysPerUser {
		return AccessKey{}, errLimitExceeded.New("Cannot exceed quota for AccessKeysPerUser: " + strconv.Itoa(maxKeysPerUser))
	}
	k := &accessKey{AccessKey: AccessKey{ID: s.newKeyID("AKIA"), Secret: newSecret(), UserName: u.Name,
		Status: "Active", Created: now}, owner: u}
	u.keys = append(u.keys, k)
	s.keys[k.ID] = k
	return k.AccessKey, nil
}

// AccessKeys lists a user's keys, oldest first.
func (s *Store) AccessKeys(userName string) ([]AccessKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.users[key(userName)]
	if u == nil {
		return nil, noUser(userName)
	}
	out := make([]AccessKey, len(u.keys))
	for i, k := range u.keys {
		out[i] = k.AccessKey
	}
	return out, nil
}

// userKey finds a key of a user (any user's when userName is empty).
func (s *Store) userKey(userName, id string) (*accessKey, error) {
	if userName != "" && s.users[key(userName)] == nil {
		return nil, noUser(userName)
	}
	k := s.keys[id]
	if k == nil || userName != "" && key(k.owner.Name) != key(userName) {
		return nil, noAccessKey(id)
	}
	return k, nil
}

// UpdateAccessKey makes a key Active or Inactive.
func (s *Store) UpdateAccessKey(userName, id, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.userKey(userName, id)
	if err != nil {
		return err
	}
	k.Status = status
	return nil
}

// DeleteAccessKey removes a key for good.
func (s *Store) DeleteAccessKey(userName, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.userKey(userName, id)
	if err != nil {
		return err
	}
	k.owner.keys = slices.DeleteFunc(k.owner.keys, func(x *accessKey) bool { return x == k })
	delete(s.keys, id)
	return nil
}

// LookupAccessKey returns a key and its user, whatever its status.
func (s *Store) LookupAccessKey(id string) (AccessKey, User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := s.keys[id]
	if k == nil {
		return AccessKey{}, User{}, false
	}
	return k.AccessKey, k.owner.snapshot(), true
}

// NoteAccessKeyUse records a key's last use.
func (s *Store) NoteAccessKeyUse(id, service, region string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.keys[id]; k != nil {
		k.LastUsed, k.LastService, k.LastRegion = at, service, region
	}
}

package iam

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// kind classifies a store failure; errors.go maps it to a wire code.
type kind int

const (
	kindNoSuchEntity kind = iota
	kindExists
	kindDeleteConflict
	kindLimitExceeded
	kindMalformedPolicy
	kindInvalidInput
	kindAccessDenied
)

// failure is what the store returns for a request it refuses.
type failure struct {
	kind kind
	msg  string
}

func (f *failure) Error() string { return f.msg }

func fail(k kind, msg string) error { return &failure{k, msg} }

// Tag is an IAM tag.
type Tag struct{ Key, Value string }

// maxTags is how many tags an IAM entity may carry.
const maxTags = 50

func mergeTags(have, add []Tag) ([]Tag, error) {
	out := slices.Clone(have)
	for _, t := range add {
		if i := slices.IndexFunc(out, func(x Tag) bool { return x.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, fail(kindLimitExceeded, "The number of tags has reached the maximum limit.")
	}
	return out, nil
}

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

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID        string
	Document  string
	IsDefault bool
	Created   time.Time
}

// Policy is a managed policy as the API shows it.
type Policy struct {
	Name, Path, ID, ARN string
	Description         string
	DefaultVersion      string
	Attachments         int
	Created, Updated    time.Time
	Tags                []Tag
	AWSManaged          bool
}

type policy struct {
	Policy
	versions []PolicyVersion // oldest first
	next     int             // number of the next version
}

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

// Store is the account's IAM. IAM is global and its operations cross
// entities (attachment counts, delete conflicts), so one lock guards the
// whole account's IAM; it is never held across another service.
type Store struct {
	account string
	newID   func(prefix string) string

	mu       sync.RWMutex
	roles    map[string]*role // by lower-cased name: IAM names are case-insensitive
	policies map[string]*policy
	profiles map[string]*instanceProfile
}

// NewStore returns an empty IAM; newID makes entity IDs ("AROA…").
func NewStore(account string, newID func(prefix string) string) *Store {
	s := &Store{account: account, newID: newID}
	s.Reset()
	return s
}

// Reset forgets every role, policy and instance profile.
func (s *Store) Reset() {
	s.mu.Lock()
	s.roles = map[string]*role{}
	s.policies = map[string]*policy{}
	s.profiles = map[string]*instanceProfile{}
	s.mu.Unlock()
}

func key(name string) string { return strings.ToLower(name) }

func (s *Store) arn(kind, path, name string) string {
	return "arn:aws:iam::" + s.account + ":" + kind + path + name
}

func noRole(name string) error {
	return fail(kindNoSuchEntity, "The role with name "+name+" cannot be found.")
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
		return Role{}, fail(kindExists, "Role with name "+in.Name+" already exists.")
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
	for _, p := range s.profiles {
		if slices.Contains(p.roles, k) {
			return fail(kindDeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
		}
	}
	if len(r.attached) > 0 {
		return fail(kindDeleteConflict, "Cannot delete entity, must detach all policies first.")
	}
	if len(r.inline) > 0 {
		return fail(kindDeleteConflict, "Cannot delete entity, must delete policies first.")
	}
	delete(s.roles, k)
	return nil
}

// UpdateRole changes a role's description and maximum session duration.
func (s *Store) UpdateRole(name string, description *string, maxSession *int) error {
	return s.withRole(name, func(r *role) error {
		if description != nil {
			r.Description = *description
		}
		if maxSession != nil {
			r.MaxSessionDuration = *maxSession
		}
		return nil
	})
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

// ---- managed policies ----

func policyNotFound(arn string) error {
	return fail(kindNoSuchEntity, "Policy "+arn+" was not found.")
}

func notAttachable(arn string) error {
	return fail(kindNoSuchEntity, "Policy "+arn+" does not exist or is not attachable.")
}

// CreatePolicy stores a managed policy with its document as version v1.
func (s *Store) CreatePolicy(in Policy, doc string, now time.Time) (Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := s.arn("policy", in.Path, in.Name)
	for _, p := range s.policies {
		if !p.AWSManaged && key(p.Name) == key(in.Name) {
			return Policy{}, fail(kindExists, "A policy called "+in.Name+" already exists. Duplicate names are not allowed.")
		}
	}
	p := &policy{Policy: in, next: 2}
	p.ID, p.ARN, p.DefaultVersion = s.newID("ANPA"), arn, "v1"
	p.Created, p.Updated = now, now
	p.Tags = slices.Clone(in.Tags)
	p.versions = []PolicyVersion{{ID: "v1", Document: doc, IsDefault: true, Created: now}}
	s.policies[arn] = p
	return p.snapshot(), nil
}

func (p *policy) snapshot() Policy {
	out := p.Policy
	out.Tags = slices.Clone(p.Tags)
	return out
}

// managed finds a policy by ARN. AWS managed policies exist without being
// created: the first use of a well-formed ARN materialises it. The caller
// holds mu for writing when create is true.
func (s *Store) managed(arn string, create bool) (*policy, bool) {
	if p := s.policies[arn]; p != nil {
		return p, true
	}
	account, path, name, ok := splitPolicyARN(arn)
	if !ok || account != awsAccount {
		return nil, false
	}
	if want, known := awsManaged[name]; known && want != path {
		return nil, false
	}
	epoch := time.Date(2015, 2, 6, 18, 40, 0, 0, time.UTC) // when AWS managed policies appeared
	p := &policy{Policy: Policy{Name: name, Path: path, ARN: arn, ID: "ANPA" + awsPolicyID(arn), DefaultVersion: "v1",
		Created: epoch, Updated: epoch, AWSManaged: true}, next: 2}
	doc, hasDoc := awsManagedDocs[name]
	if hasDoc {
		p.versions = []PolicyVersion{{ID: "v1", Document: doc, IsDefault: true, Created: epoch}}
	}
	if create {
		s.policies[arn] = p
	}
	return p, true
}

// awsPolicyID derives a stable 17-character ID for an AWS managed policy.
func awsPolicyID(arn string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var h uint64 = 14695981039346656037
	out := make([]byte, 17)
	for i := range out {
		for j := 0; j < len(arn); j++ {
			h ^= uint64(arn[j])
			h *= 1099511628211
		}
		h ^= uint64(i)
		out[i] = alphabet[h%uint64(len(alphabet))]
	}
	return string(out)
}

// GetPolicy returns a managed policy by ARN.
func (s *Store) GetPolicy(arn string) (Policy, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.managed(arn, false)
	if !ok {
		return Policy{}, policyNotFound(arn)
	}
	return p.snapshot(), nil
}

// ListPolicies returns managed policies by name. scope is All, AWS or Local.
func (s *Store) ListPolicies(scope, pathPrefix string, onlyAttached bool) []Policy {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	var out []Policy
	add := func(p *policy) {
		if seen[p.ARN] || !strings.HasPrefix(p.Path, pathPrefix) || (onlyAttached && p.Attachments == 0) {
			return
		}
		if (scope == "AWS" && !p.AWSManaged) || (scope == "Local" && p.AWSManaged) {
			return
		}
		seen[p.ARN] = true
		out = append(out, p.snapshot())
	}
	for _, p := range s.policies {
		add(p)
	}
	if scope != "Local" {
		for name, path := range awsManaged {
			if p, ok := s.managed("arn:aws:iam::aws:policy"+path+name, false); ok {
				add(p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ARN < out[j].ARN
	})
	return out
}

// DeletePolicy removes a customer managed policy that nothing uses.
func (s *Store) DeletePolicy(arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.managed(arn, false)
	if !ok {
		return policyNotFound(arn)
	}
	if p.AWSManaged {
		return fail(kindAccessDenied, "User: arn:aws:iam::"+s.account+":root is not authorized to perform: iam:DeletePolicy on resource: policy "+arn)
	}
	if p.Attachments > 0 {
		return fail(kindDeleteConflict, "Cannot delete a policy attached to entities.")
	}
	if len(p.versions) > 1 {
		return fail(kindDeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(s.policies, arn)
	return nil
}

// localPolicy finds a customer managed policy for a change; AWS managed
// ones cannot be changed.
func (s *Store) localPolicy(arn, action string) (*policy, error) {
	p, ok := s.managed(arn, false)
	if !ok {
		return nil, policyNotFound(arn)
	}
	if p.AWSManaged {
		return nil, fail(kindAccessDenied, "User: arn:aws:iam::"+s.account+":root is not authorized to perform: iam:"+action+" on resource: policy "+arn)
	}
	return p, nil
}

// CreatePolicyVersion adds a version, at most five per policy.
func (s *Store) CreatePolicyVersion(arn, doc string, setDefault bool, now time.Time) (PolicyVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.localPolicy(arn, "CreatePolicyVersion")
	if err != nil {
		return PolicyVersion{}, err
	}
	if len(p.versions) >= maxPolicyVersions {
		return PolicyVersion{}, fail(kindLimitExceeded, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	}
	v := PolicyVersion{ID: "v" + strconv.Itoa(p.next), Document: doc, Created: now}
	p.next++
	p.versions = append(p.versions, v)
	if setDefault {
		p.setDefault(v.ID)
		v.IsDefault = true
	}
	p.Updated = now
	return v, nil
}

func (p *policy) setDefault(id string) {
	for i := range p.versions {
		p.versions[i].IsDefault = p.versions[i].ID == id
	}
	p.DefaultVersion = id
}

func noVersion(arn, id string) error {
	return fail(kindNoSuchEntity, "Policy "+arn+" version "+id+" does not exist or is not attachable.")
}

// GetPolicyVersion returns one version of a policy.
func (s *Store) GetPolicyVersion(arn, id string) (PolicyVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.managed(arn, false)
	if !ok {
		return PolicyVersion{}, policyNotFound(arn)
	}
	for _, v := range p.versions {
		if v.ID == id {
			return v, nil
		}
	}
	return PolicyVersion{}, noVersion(arn, id)
}

// ListPolicyVersions returns a policy's versions, newest first as AWS lists them.
func (s *Store) ListPolicyVersions(arn string) ([]PolicyVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.managed(arn, false)
	if !ok {
		return nil, policyNotFound(arn)
	}
	out := slices.Clone(p.versions)
	slices.Reverse(out)
	return out, nil
}

// DeletePolicyVersion removes a version other than the default.
func (s *Store) DeletePolicyVersion(arn, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.localPolicy(arn, "DeletePolicyVersion")
	if err != nil {
		return err
	}
	i := slices.IndexFunc(p.versions, func(v PolicyVersion) bool { return v.ID == id })
	if i < 0 {
		return noVersion(arn, id)
	}
	if p.versions[i].IsDefault {
		return fail(kindDeleteConflict, "Cannot delete the default version of a policy.")
	}
	p.versions = slices.Delete(p.versions, i, i+1)
	return nil
}

// SetDefaultPolicyVersion makes a version the one in force.
func (s *Store) SetDefaultPolicyVersion(arn, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.localPolicy(arn, "SetDefaultPolicyVersion")
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(p.versions, func(v PolicyVersion) bool { return v.ID == id }) {
		return noVersion(arn, id)
	}
	p.setDefault(id)
	p.Updated = now
	return nil
}

// ---- attachments ----

// AttachRolePolicy attaches a managed policy (customer or AWS) to a role;
// attaching twice is a no-op, as on AWS.
func (s *Store) AttachRolePolicy(roleName, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roles[key(roleName)]
	if r == nil {
		return noRole(roleName)
	}
	p, ok := s.managed(arn, true)
	if !ok {
		return notAttachable(arn)
	}
	if slices.Contains(r.attached, arn) {
		return nil
	}
	if len(r.attached) >= maxAttachedPerRole {
		return fail(kindLimitExceeded, "Cannot exceed quota for PoliciesPerRole: "+strconv.Itoa(maxAttachedPerRole))
	}
	r.attached = append(r.attached, arn)
	p.Attachments++
	return nil
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Store) DetachRolePolicy(roleName, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roles[key(roleName)]
	if r == nil {
		return noRole(roleName)
	}
	i := slices.Index(r.attached, arn)
	if i < 0 {
		return policyNotFound(arn)
	}
	r.attached = slices.Delete(r.attached, i, i+1)
	if p := s.policies[arn]; p != nil {
		p.Attachments--
	}
	return nil
}

// AttachedPolicy names a managed policy attached to a role.
type AttachedPolicy struct{ Name, ARN, Path string }

// AttachedRolePolicies lists a role's managed policies in attachment order.
func (s *Store) AttachedRolePolicies(roleName, pathPrefix string) ([]AttachedPolicy, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.roles[key(roleName)]
	if r == nil {
		return nil, noRole(roleName)
	}
	out := make([]AttachedPolicy, 0, len(r.attached))
	for _, arn := range r.attached {
		if p := s.policies[arn]; p != nil && strings.HasPrefix(p.Path, pathPrefix) {
			out = append(out, AttachedPolicy{Name: p.Name, ARN: arn, Path: p.Path})
		}
	}
	return out, nil
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
			return fail(kindLimitExceeded, "Maximum policy size of "+strconv.Itoa(maxInlineRoleSize)+" bytes exceeded for role "+r.Name)
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
		return Role{}, "", fail(kindNoSuchEntity, "The role policy with name "+name+" cannot be found.")
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
			return fail(kindNoSuchEntity, "The role policy with name "+name+" cannot be found.")
		}
		delete(r.inline, name)
		return nil
	})
}

// ---- instance profiles ----

func noProfile(name string) error {
	return fail(kindNoSuchEntity, "Instance Profile "+name+" cannot be found.")
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
		return InstanceProfile{}, fail(kindExists, "Instance Profile "+in.Name+" already exists.")
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
		return fail(kindDeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
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
		return fail(kindLimitExceeded, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
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
		return fail(kindNoSuchEntity, "The role with name "+roleName+" cannot be found.")
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

// Counts summarises the account's IAM.
func (s *Store) Counts() map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	local := 0
	for _, p := range s.policies {
		if !p.AWSManaged {
			local++
		}
	}
	return map[string]int{"roles": len(s.roles), "policies": local, "instanceProfiles": len(s.profiles)}
}

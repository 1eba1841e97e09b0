package iam

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

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

// ---- managed policies ----

func policyNotFound(arn string) error {
	return errNoSuchEntity.New("Policy " + arn + " was not found.")
}

func notAttachable(arn string) error {
	return errNoSuchEntity.New("Policy " + arn + " does not exist or is not attachable.")
}

// CreatePolicy stores a managed policy with its document as version v1.
func (s *Store) CreatePolicy(in Policy, doc string, now time.Time) (Policy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := s.arn("policy", in.Path, in.Name)
	for _, p := range s.policies {
		if !p.AWSManaged && key(p.Name) == key(in.Name) {
			return Policy{}, errEntityExists.New("A policy called " + in.Name + " already exists. Duplicate names are not allowed.")
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
		return errAccessDenied.New("User: arn:aws:iam::" + s.account + ":root is not authorized to perform: iam:DeletePolicy on resource: policy " + arn)
	}
	if p.Attachments > 0 {
		return errDeleteConflict.New("Cannot delete a policy attached to entities.")
	}
	if len(p.versions) > 1 {
		return errDeleteConflict.New("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
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
		return nil, errAccessDenied.New("User: arn:aws:iam::" + s.account + ":root is not authorized to perform: iam:" + action + " on resource: policy " + arn)
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
		return PolicyVersion{}, errLimitExceeded.New("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
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
	return errNoSuchEntity.New("Policy " + arn + " version " + id + " does not exist or is not attachable.")
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
		return errDeleteConflict.New("Cannot delete the default version of a policy.")
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
		return errLimitExceeded.New("Cannot exceed quota for PoliciesPerRole: " + strconv.Itoa(maxAttachedPerRole))
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

package iam

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- wire shapes ----

type policyXML struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	Tags                          *members[tagXML] `xml:",omitempty"`
}

func policyOut(p Policy, withDescription bool) policyXML {
	x := policyXML{
		PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: p.Attachments, IsAttachable: true,
		CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated), Tags: tagsXML(p.Tags),
	}
	if withDescription {
		x.Description = p.Description
	}
	return x
}

type policyResult struct {
	Policy policyXML
}

type policyVersionXML struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

func versionOut(v PolicyVersion, withDoc bool) policyVersionXML {
	x := policyVersionXML{VersionId: v.ID, IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)}
	if withDoc {
		x.Document = encodeDocument(v.Document)
	}
	return x
}

type policyVersionResult struct {
	PolicyVersion policyVersionXML
}

// ---- inputs: members and constraints as the model states them ----

type createPolicyInput struct {
	PolicyName *string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Path       *string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	policyDocument
	Description *string    `max:"1000"`
	Tags        []tagInput `max:"50"`
}

// Validate: a managed policy's document follows an identity policy's rules
// and fits the managed policy quota.
func (in *createPolicyInput) Validate() error { return checkManagedDocument(*in.PolicyDocument) }

func checkManagedDocument(doc string) error {
	if err := checkDocument(doc, identityPolicy); err != nil {
		return err
	}
	if policySize(doc) > maxManagedPolicySize {
		return errLimitExceeded.Errorf("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

type listPoliciesInput struct {
	Scope             *string `enum:"All,AWS,Local"`
	OnlyAttached      *bool
	PathPrefix        *string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	PolicyUsageFilter *string `enum:"PermissionsPolicy,PermissionsBoundary"`
	page
}

type createPolicyVersionInput struct {
	policyRef
	policyDocument
	SetAsDefault *bool
}

// Validate: an ARN IAM can take apart, then the document's rules.
func (in *createPolicyVersionInput) Validate() error {
	if err := in.policyRef.Validate(); err != nil {
		return err
	}
	return checkManagedDocument(*in.PolicyDocument)
}

// policyVersionRef names one version of a managed policy.
type policyVersionRef struct {
	policyRef
	VersionId *string `required:"true" pattern:"v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"`
}

type policyPage struct {
	policyRef
	page
}

// rolePolicyARN names a role and a managed policy.
type rolePolicyARN struct {
	roleRef
	policyRef
}

type listAttachedRolePoliciesInput struct {
	roleRef
	PathPrefix *string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	page
}

// ---- managed policies ----

func (s *Service) createPolicy(c *awsproto.Call, in *createPolicyInput) (policyResult, error) {
	p := Policy{Name: *in.PolicyName, Path: orDefault(in.Path, "/"), Description: orDefault(in.Description, ""), Tags: tagsOf(in.Tags)}
	pol, err := s.store.CreatePolicy(p, *in.PolicyDocument, s.env.Now())
	if err != nil {
		return policyResult{}, err
	}
	return policyResult{policyOut(pol, false)}, nil
}

func (s *Service) getPolicy(c *awsproto.Call, in *policyRef) (policyResult, error) {
	p, err := s.store.GetPolicy(*in.PolicyArn)
	if err != nil {
		return policyResult{}, err
	}
	return policyResult{policyOut(p, true)}, nil
}

type listPoliciesResult struct {
	Policies members[policyXML]
	pagination
}

func (s *Service) listPolicies(c *awsproto.Call, in *listPoliciesInput) (listPoliciesResult, error) {
	onlyAttached := in.OnlyAttached != nil && *in.OnlyAttached
	list := s.store.ListPolicies(orDefault(in.Scope, "All"), orDefault(in.PathPrefix, "/"), onlyAttached)
	// ListPolicies shows neither descriptions nor tags.
	summary := func(p Policy) policyXML {
		x := policyOut(p, false)
		x.Tags = nil
		return x
	}
	shown, more, err := pageOf(list, func(p Policy) string { return p.Name + "\x00" + p.ARN }, in.page, summary)
	return listPoliciesResult{shown, more}, err
}

func (s *Service) deletePolicy(c *awsproto.Call, in *policyRef) (struct{}, error) {
	return struct{}{}, s.store.DeletePolicy(*in.PolicyArn)
}

func (s *Service) createPolicyVersion(c *awsproto.Call, in *createPolicyVersionInput) (policyVersionResult, error) {
	setDefault := in.SetAsDefault != nil && *in.SetAsDefault
	v, err := s.store.CreatePolicyVersion(*in.PolicyArn, *in.PolicyDocument, setDefault, s.env.Now())
	if err != nil {
		return policyVersionResult{}, err
	}
	return policyVersionResult{versionOut(v, false)}, nil
}

func (s *Service) getPolicyVersion(c *awsproto.Call, in *policyVersionRef) (policyVersionResult, error) {
	v, err := s.store.GetPolicyVersion(*in.PolicyArn, *in.VersionId)
	if err != nil {
		return policyVersionResult{}, err
	}
	return policyVersionResult{versionOut(v, true)}, nil
}

type listPolicyVersionsResult struct {
	Versions members[policyVersionXML]
	pagination
}

func (s *Service) listPolicyVersions(c *awsproto.Call, in *policyPage) (listPolicyVersionsResult, error) {
	vs, err := s.store.ListPolicyVersions(*in.PolicyArn)
	if err != nil {
		return listPolicyVersionsResult{}, err
	}
	summary := func(v PolicyVersion) policyVersionXML { return versionOut(v, false) }
	shown, more, err := pageOf(vs, nil, in.page, summary)
	return listPolicyVersionsResult{shown, more}, err
}

func (s *Service) deletePolicyVersion(c *awsproto.Call, in *policyVersionRef) (struct{}, error) {
	return struct{}{}, s.store.DeletePolicyVersion(*in.PolicyArn, *in.VersionId)
}

func (s *Service) setDefaultPolicyVersion(c *awsproto.Call, in *policyVersionRef) (struct{}, error) {
	return struct{}{}, s.store.SetDefaultPolicyVersion(*in.PolicyArn, *in.VersionId, s.env.Now())
}

// ---- attachments ----

func (s *Service) attachRolePolicy(c *awsproto.Call, in *rolePolicyARN) (struct{}, error) {
	return struct{}{}, s.store.AttachRolePolicy(*in.RoleName, *in.PolicyArn)
}

func (s *Service) detachRolePolicy(c *awsproto.Call, in *rolePolicyARN) (struct{}, error) {
	return struct{}{}, s.store.DetachRolePolicy(*in.RoleName, *in.PolicyArn)
}

type attachedPolicyXML struct {
	PolicyName string
	PolicyArn  string
}

type listAttachedResult struct {
	AttachedPolicies members[attachedPolicyXML]
	pagination
}

func (s *Service) listAttachedRolePolicies(c *awsproto.Call, in *listAttachedRolePoliciesInput) (listAttachedResult, error) {
	list, err := s.store.AttachedRolePolicies(*in.RoleName, orDefault(in.PathPrefix, "/"))
	if err != nil {
		return listAttachedResult{}, err
	}
	attached := func(p AttachedPolicy) attachedPolicyXML { return attachedPolicyXML{p.Name, p.ARN} }
	shown, more, err := pageOf(list, nil, in.page, attached)
	return listAttachedResult{shown, more}, err
}

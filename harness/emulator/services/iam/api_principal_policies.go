package iam

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Inline and managed policies of users and groups, ListEntitiesForPolicy
// and policy tags.

// ---- inputs: members and constraints as the model states them ----

type policyNameRef struct {
	PolicyName *string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type userPolicyRef struct {
	userRef
	policyNameRef
}

type putUserPolicyInput struct {
	userPolicyRef
	policyDocument
}

// Validate: an inline policy follows an identity policy's rules.
func (in *putUserPolicyInput) Validate() error {
	return checkDocument(*in.PolicyDocument, identityPolicy)
}

type groupPolicyRef struct {
	groupRef
	policyNameRef
}

type putGroupPolicyInput struct {
	groupPolicyRef
	policyDocument
}

// Validate: an inline policy follows an identity policy's rules.
func (in *putGroupPolicyInput) Validate() error {
	return checkDocument(*in.PolicyDocument, identityPolicy)
}

type userPolicyARN struct {
	userNameRef
	policyRef
}

type groupPolicyARN struct {
	groupRef
	policyRef
}

type attachedPathPage struct {
	PathPrefix *string `min:"1" max:"512" pattern:"((/[A-Za-z0-9\\.,\\+@=_-]+)*)/"`
	page
}

type listAttachedUserPoliciesInput struct {
	userNameRef
	attachedPathPage
}

type listAttachedGroupPoliciesInput struct {
	groupRef
	attachedPathPage
}

type listEntitiesForPolicyInput struct {
	policyRef
	EntityFilter      *string `enum:"User,Role,Group,LocalManagedPolicy,AWSManagedPolicy"`
	PathPrefix        *string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	PolicyUsageFilter *string `enum:"PermissionsPolicy,PermissionsBoundary"`
	page
}

type tagPolicyInput struct {
	policyRef
	Tags []tagInput `required:"true" max:"50"`
}

type untagPolicyInput struct {
	policyRef
	TagKeys []string `required:"true" max:"50"`
}

// ---- inline policies ----

type getUserPolicyResult struct {
	UserName       string
	PolicyName     string
	PolicyDocument string
}

type getGroupPolicyResult struct {
	GroupName      string
	PolicyName     string
	PolicyDocument string
}

func (s *Service) putUserPolicy(c *awsproto.Call, in *putUserPolicyInput) (struct{}, error) {
	return struct{}{}, s.store.PutPrincipalPolicy("user", *in.UserName, *in.PolicyName, *in.PolicyDocument)
}

func (s *Service) getUserPolicy(c *awsproto.Call, in *userPolicyRef) (getUserPolicyResult, error) {
	name, doc, err := s.store.GetPrincipalPolicy("user", *in.UserName, *in.PolicyName)
	if err != nil {
		return getUserPolicyResult{}, err
	}
	return getUserPolicyResult{name, *in.PolicyName, encodeDocument(doc)}, nil
}

func (s *Service) listUserPolicies(c *awsproto.Call, in *userPage) (listRolePoliciesResult, error) {
	return s.policyNames("user", *in.UserName, in.page)
}

func (s *Service) deleteUserPolicy(c *awsproto.Call, in *userPolicyRef) (struct{}, error) {
	return struct{}{}, s.store.DeletePrincipalPolicy("user", *in.UserName, *in.PolicyName)
}

func (s *Service) putGroupPolicy(c *awsproto.Call, in *putGroupPolicyInput) (struct{}, error) {
	return struct{}{}, s.store.PutPrincipalPolicy("group", *in.GroupName, *in.PolicyName, *in.PolicyDocument)
}

func (s *Service) getGroupPolicy(c *awsproto.Call, in *groupPolicyRef) (getGroupPolicyResult, error) {
	name, doc, err := s.store.GetPrincipalPolicy("group", *in.GroupName, *in.PolicyName)
	if err != nil {
		return getGroupPolicyResult{}, err
	}
	return getGroupPolicyResult{name, *in.PolicyName, encodeDocument(doc)}, nil
}

func (s *Service) listGroupPolicies(c *awsproto.Call, in *groupPage) (listRolePoliciesResult, error) {
	return s.policyNames("group", *in.GroupName, in.page)
}

func (s *Service) deleteGroupPolicy(c *awsproto.Call, in *groupPolicyRef) (struct{}, error) {
	return struct{}{}, s.store.DeletePrincipalPolicy("group", *in.GroupName, *in.PolicyName)
}

func (s *Service) policyNames(kind, name string, p page) (listRolePoliciesResult, error) {
	names, err := s.store.PrincipalPolicyNames(kind, name)
	if err != nil {
		return listRolePoliciesResult{}, err
	}
	id := func(n string) string { return n }
	shown, more, err := pageOf(names, id, p, id)
	return listRolePoliciesResult{shown, more}, err
}

// ---- managed policies ----

func (s *Service) attachUserPolicy(c *awsproto.Call, in *userPolicyARN) (struct{}, error) {
	return struct{}{}, s.store.AttachPrincipalPolicy("user", *in.UserName, *in.PolicyArn)
}

func (s *Service) detachUserPolicy(c *awsproto.Call, in *userPolicyARN) (struct{}, error) {
	return struct{}{}, s.store.DetachPrincipalPolicy("user", *in.UserName, *in.PolicyArn)
}

func (s *Service) listAttachedUserPolicies(c *awsproto.Call, in *listAttachedUserPoliciesInput) (listAttachedResult, error) {
	return s.attachedTo("user", *in.UserName, in.attachedPathPage)
}

func (s *Service) attachGroupPolicy(c *awsproto.Call, in *groupPolicyARN) (struct{}, error) {
	return struct{}{}, s.store.AttachPrincipalPolicy("group", *in.GroupName, *in.PolicyArn)
}

func (s *Service) detachGroupPolicy(c *awsproto.Call, in *groupPolicyARN) (struct{}, error) {
	return struct{}{}, s.store.DetachPrincipalPolicy("group", *in.GroupName, *in.PolicyArn)
}

func (s *Service) listAttachedGroupPolicies(c *awsproto.Call, in *listAttachedGroupPoliciesInput) (listAttachedResult, error) {
	return s.attachedTo("group", *in.GroupName, in.attachedPathPage)
}

func (s *Service) attachedTo(kind, name string, in attachedPathPage) (listAttachedResult, error) {
	list, err := s.store.AttachedPrincipalPolicies(kind, name, orDefault(in.PathPrefix, "/"))
	if err != nil {
		return listAttachedResult{}, err
	}
	attached := func(p AttachedPolicy) attachedPolicyXML { return attachedPolicyXML{p.Name, p.ARN} }
	shown, more, err := pageOf(list, nil, in.page, attached)
	return listAttachedResult{shown, more}, err
}

type policyUserXML struct{ UserName, UserId string }
type policyGroupXML struct{ GroupName, GroupId string }
type policyRoleXML struct{ RoleName, RoleId string }

type listEntitiesForPolicyResult struct {
	PolicyGroups members[policyGroupXML]
	PolicyUsers  members[policyUserXML]
	PolicyRoles  members[policyRoleXML]
	pagination
}

func (s *Service) listEntitiesForPolicy(c *awsproto.Call, in *listEntitiesForPolicyInput) (listEntitiesForPolicyResult, error) {
	kind := orDefault(in.EntityFilter, "")
	var list []PolicyEntity
	if kind != "LocalManagedPolicy" && kind != "AWSManagedPolicy" && orDefault(in.PolicyUsageFilter, "PermissionsPolicy") == "PermissionsPolicy" {
		var err error
		if list, err = s.store.EntitiesForPolicy(*in.PolicyArn, kind, orDefault(in.PathPrefix, "/")); err != nil {
			return listEntitiesForPolicyResult{}, err
		}
	} else if _, err := s.store.GetPolicy(*in.PolicyArn); err != nil {
		return listEntitiesForPolicyResult{}, err
	}
	shown, more, err := window(list, nil, in.page)
	if err != nil {
		return listEntitiesForPolicyResult{}, err
	}
	var out listEntitiesForPolicyResult
	out.pagination = more
	for _, e := range shown {
		switch e.Kind {
		case "User":
			out.PolicyUsers.Member = append(out.PolicyUsers.Member, policyUserXML{e.Name, e.ID})
		case "Group":
			out.PolicyGroups.Member = append(out.PolicyGroups.Member, policyGroupXML{e.Name, e.ID})
		case "Role":
			out.PolicyRoles.Member = append(out.PolicyRoles.Member, policyRoleXML{e.Name, e.ID})
		}
	}
	return out, nil
}

// ---- policy tags ----

func (s *Service) tagPolicy(c *awsproto.Call, in *tagPolicyInput) (struct{}, error) {
	return struct{}{}, s.store.TagPolicy(*in.PolicyArn, tagsOf(in.Tags))
}

func (s *Service) untagPolicy(c *awsproto.Call, in *untagPolicyInput) (struct{}, error) {
	return struct{}{}, s.store.UntagPolicy(*in.PolicyArn, in.TagKeys)
}

func (s *Service) listPolicyTags(c *awsproto.Call, in *policyPage) (listTagsResult, error) {
	p, err := s.store.GetPolicy(*in.PolicyArn)
	if err != nil {
		return listTagsResult{}, err
	}
	shown, more, err := pageOf(p.Tags, nil, in.page, tagOut)
	return listTagsResult{shown, more}, err
}

package iam

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- wire shapes ----

type boundaryXML struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

type roleLastUsed struct {
	LastUsedDate string `xml:",omitempty"`
	Region       string `xml:",omitempty"`
}

type roleXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string           `xml:",omitempty"`
	Description              string           `xml:",omitempty"`
	MaxSessionDuration       int              `xml:",omitempty"`
	PermissionsBoundary      *boundaryXML     `xml:",omitempty"`
	Tags                     *members[tagXML] `xml:",omitempty"`
	RoleLastUsed             *roleLastUsed    `xml:",omitempty"`
}

// roleOut renders a role; full adds what only GetRole/CreateRole show.
func roleOut(r Role, full bool) roleXML {
	x := roleXML{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration,
	}
	if full {
		x.Tags = tagsXML(r.Tags)
		x.RoleLastUsed = &roleLastUsed{}
		if r.PermissionsBoundary != "" {
			x.PermissionsBoundary = &boundaryXML{"PermissionsBoundaryPolicy", r.PermissionsBoundary}
		}
	}
	return x
}

// roleSummary is a role as lists show it.
func roleSummary(r Role) roleXML { return roleOut(r, false) }

type roleResult struct {
	Role roleXML
}

// ---- inputs: members and constraints as the model states them ----

type createRoleInput struct {
	Path *string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	roleRef
	AssumeRolePolicyDocument *string    `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	Description              *string    `max:"1000" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"`
	MaxSessionDuration       *int       `min:"3600" max:"43200"`
	PermissionsBoundary      *string    `min:"20" max:"2048"`
	Tags                     []tagInput `max:"50"`
}

// Validate checks what the model cannot say: the trust policy's structure
// and the boundary's ARN.
func (in *createRoleInput) Validate() error {
	if err := checkDocument(*in.AssumeRolePolicyDocument, trustPolicy); err != nil {
		return err
	}
	if in.PermissionsBoundary != nil {
		return checkPolicyARN(*in.PermissionsBoundary)
	}
	return nil
}

type listRolesInput struct {
	PathPrefix *string `min:"1" max:"512" pattern:"\\u002F[\\u0021-\\u007F]*"`
	page
}

type updateRoleInput struct {
	roleRef
	Description        *string `max:"1000" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"`
	MaxSessionDuration *int    `min:"3600" max:"43200"`
}

type updateRoleDescriptionInput struct {
	roleRef
	Description *string `required:"true" max:"1000" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"`
}

type updateAssumeRolePolicyInput struct {
	roleRef
	policyDocument
}

// Validate: the new document follows a trust policy's rules.
func (in *updateAssumeRolePolicyInput) Validate() error {
	return checkDocument(*in.PolicyDocument, trustPolicy)
}

type tagRoleInput struct {
	roleRef
	Tags []tagInput `required:"true" max:"50"`
}

type untagRoleInput struct {
	roleRef
	TagKeys []string `required:"true" max:"50"`
}

type rolePage struct {
	roleRef
	page
}

// rolePolicyRef names an inline policy of a role.
type rolePolicyRef struct {
	roleRef
	PolicyName *string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type putRolePolicyInput struct {
	rolePolicyRef
	policyDocument
}

// Validate: an inline policy follows an identity policy's rules.
func (in *putRolePolicyInput) Validate() error {
	return checkDocument(*in.PolicyDocument, identityPolicy)
}

// ---- roles ----

func (s *Service) createRole(c *awsproto.Call, in *createRoleInput) (roleResult, error) {
	maxSession := 3600
	if in.MaxSessionDuration != nil {
		maxSession = *in.MaxSessionDuration
	}
	r, err := s.store.CreateRole(Role{
		Name: *in.RoleName, Path: orDefault(in.Path, "/"), TrustPolicy: *in.AssumeRolePolicyDocument,
		Description: orDefault(in.Description, ""), MaxSessionDuration: maxSession,
		PermissionsBoundary: orDefault(in.PermissionsBoundary, ""), Tags: tagsOf(in.Tags),
	}, s.env.Now())
	if err != nil {
		return roleResult{}, err
	}
	out := roleOut(r, true)
	out.RoleLastUsed = nil // CreateRole does not report it
	return roleResult{out}, nil
}

func (s *Service) getRole(c *awsproto.Call, in *roleRef) (roleResult, error) {
	r, err := s.store.GetRole(*in.RoleName)
	if err != nil {
		return roleResult{}, err
	}
	return roleResult{roleOut(r, true)}, nil
}

type listRolesResult struct {
	Roles members[roleXML]
	pagination
}

func (s *Service) listRoles(c *awsproto.Call, in *listRolesInput) (listRolesResult, error) {
	roles := s.store.ListRoles(orDefault(in.PathPrefix, "/"))
	shown, more, err := pageOf(roles, func(r Role) string { return key(r.Name) }, in.page, roleSummary)
	return listRolesResult{shown, more}, err
}

func (s *Service) deleteRole(c *awsproto.Call, in *roleRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteRole(*in.RoleName)
}

func (s *Service) updateRole(c *awsproto.Call, in *updateRoleInput) (struct{}, error) {
	_, err := s.store.UpdateRole(*in.RoleName, in.Description, in.MaxSessionDuration)
	return struct{}{}, err
}

func (s *Service) updateRoleDescription(c *awsproto.Call, in *updateRoleDescriptionInput) (roleResult, error) {
	r, err := s.store.UpdateRole(*in.RoleName, in.Description, nil)
	if err != nil {
		return roleResult{}, err
	}
	return roleResult{roleOut(r, true)}, nil
}

func (s *Service) updateAssumeRolePolicy(c *awsproto.Call, in *updateAssumeRolePolicyInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateTrustPolicy(*in.RoleName, *in.PolicyDocument)
}

func (s *Service) tagRole(c *awsproto.Call, in *tagRoleInput) (struct{}, error) {
	return struct{}{}, s.store.TagRole(*in.RoleName, tagsOf(in.Tags))
}

func (s *Service) untagRole(c *awsproto.Call, in *untagRoleInput) (struct{}, error) {
	return struct{}{}, s.store.UntagRole(*in.RoleName, in.TagKeys)
}

type listTagsResult struct {
	Tags members[tagXML]
	pagination
}

func (s *Service) listRoleTags(c *awsproto.Call, in *rolePage) (listTagsResult, error) {
	r, err := s.store.GetRole(*in.RoleName)
	if err != nil {
		return listTagsResult{}, err
	}
	shown, more, err := pageOf(r.Tags, nil, in.page, tagOut)
	return listTagsResult{shown, more}, err
}

// ---- inline role policies ----

func (s *Service) putRolePolicy(c *awsproto.Call, in *putRolePolicyInput) (struct{}, error) {
	return struct{}{}, s.store.PutRolePolicy(*in.RoleName, *in.PolicyName, *in.PolicyDocument)
}

type getRolePolicyResult struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string
}

func (s *Service) getRolePolicy(c *awsproto.Call, in *rolePolicyRef) (getRolePolicyResult, error) {
	r, doc, err := s.store.GetRolePolicy(*in.RoleName, *in.PolicyName)
	if err != nil {
		return getRolePolicyResult{}, err
	}
	return getRolePolicyResult{RoleName: r.Name, PolicyName: *in.PolicyName, PolicyDocument: encodeDocument(doc)}, nil
}

type listRolePoliciesResult struct {
	PolicyNames members[string]
	pagination
}

func (s *Service) listRolePolicies(c *awsproto.Call, in *rolePage) (listRolePoliciesResult, error) {
	names, err := s.store.RolePolicyNames(*in.RoleName)
	if err != nil {
		return listRolePoliciesResult{}, err
	}
	name := func(n string) string { return n }
	shown, more, err := pageOf(names, name, in.page, name)
	return listRolePoliciesResult{shown, more}, err
}

func (s *Service) deleteRolePolicy(c *awsproto.Call, in *rolePolicyRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteRolePolicy(*in.RoleName, *in.PolicyName)
}

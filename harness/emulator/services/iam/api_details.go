package iam

import (
	"slices"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// GetAccountAuthorizationDetails: every user, group, role and managed
// policy with their policies, paged as one list in that order.

type authDetailsInput struct {
	Filter []string
	page
}

// Validate: each filter is one of the model's entity types.
func (in *authDetailsInput) Validate() error {
	for i, f := range in.Filter {
		switch f {
		case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
		default:
			return awsproto.Constraint(errValidation, f, "filter."+strconv.Itoa(i+1)+".member",
				awsproto.EnumSet("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"))
		}
	}
	return nil
}

type policyDetailXML struct {
	PolicyName     string
	PolicyDocument string
}

func policyDetails(docs []NamedDocument) *members[policyDetailXML] {
	if len(docs) == 0 {
		return nil
	}
	m := membersOf(docs, func(d NamedDocument) policyDetailXML { return policyDetailXML{d.Name, encodeDocument(d.Document)} })
	return &m
}

func attachedXML(list []AttachedPolicy) *members[attachedPolicyXML] {
	if len(list) == 0 {
		return nil
	}
	m := membersOf(list, func(p AttachedPolicy) attachedPolicyXML { return attachedPolicyXML{p.Name, p.ARN} })
	return &m
}

func boundaryOf(arn string) *boundaryXML {
	if arn == "" {
		return nil
	}
	return &boundaryXML{"PermissionsBoundaryPolicy", arn}
}

type userDetailXML struct {
	Path                    string
	UserName                string
	UserId                  string
	Arn                     string
	CreateDate              string
	UserPolicyList          *members[policyDetailXML]   `xml:",omitempty"`
	GroupList               *members[string]            `xml:",omitempty"`
	AttachedManagedPolicies *members[attachedPolicyXML] `xml:",omitempty"`
	PermissionsBoundary     *boundaryXML                `xml:",omitempty"`
	Tags                    *members[tagXML]            `xml:",omitempty"`
}

type groupDetailXML struct {
	Path                    string
	GroupName               string
	GroupId                 string
	Arn                     string
	CreateDate              string
	GroupPolicyList         *members[policyDetailXML]   `xml:",omitempty"`
	AttachedManagedPolicies *members[attachedPolicyXML] `xml:",omitempty"`
}

type roleDetailXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	InstanceProfileList      *members[instanceProfileXML] `xml:",omitempty"`
	RolePolicyList           *members[policyDetailXML]    `xml:",omitempty"`
	AttachedManagedPolicies  *members[attachedPolicyXML]  `xml:",omitempty"`
	PermissionsBoundary      *boundaryXML                 `xml:",omitempty"`
	Tags                     *members[tagXML]             `xml:",omitempty"`
	RoleLastUsed             *roleLastUsed                `xml:",omitempty"`
}

type managedPolicyDetailXML struct {
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
	PolicyVersionList             members[policyVersionXML]
}

type authDetailsResult struct {
	UserDetailList  members[userDetailXML]
	GroupDetailList members[groupDetailXML]
	RoleDetailList  members[roleDetailXML]
	Policies        members[managedPolicyDetailXML]
	pagination
}

// detailItem is one entry of the paged list: which kind, and its index.
type detailItem struct {
	kind string
	i    int
}

func (s *Service) getAccountAuthorizationDetails(c *awsproto.Call, in *authDetailsInput) (authDetailsResult, error) {
	d := s.store.AuthorizationDetails()
	want := func(kind string) bool { return len(in.Filter) == 0 || slices.Contains(in.Filter, kind) }
	var items []detailItem
	add := func(kind string, n int) {
		if want(kind) {
			for i := range n {
				items = append(items, detailItem{kind, i})
			}
		}
	}
	add("User", len(d.Users))
	add("Group", len(d.Groups))
	add("Role", len(d.Roles))
	for i, p := range d.Policies {
		if p.AWSManaged && want("AWSManagedPolicy") || !p.AWSManaged && want("LocalManagedPolicy") {
			items = append(items, detailItem{"Policy", i})
		}
	}
	shown, more, err := window(items, nil, in.page)
	if err != nil {
		return authDetailsResult{}, err
	}
	out := authDetailsResult{pagination: more}
	for _, it := range shown {
		switch it.kind {
		case "User":
			u := d.Users[it.i]
			x := userDetailXML{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created),
				UserPolicyList: policyDetails(u.Inline), AttachedManagedPolicies: attachedXML(u.Attached),
				PermissionsBoundary: boundaryOf(u.PermissionsBoundary), Tags: tagsXML(u.Tags)}
			if len(u.Groups) > 0 {
				x.GroupList = &members[string]{Member: u.Groups}
			}
			out.UserDetailList.Member = append(out.UserDetailList.Member, x)
		case "Group":
			g := d.Groups[it.i]
			out.GroupDetailList.Member = append(out.GroupDetailList.Member, groupDetailXML{Path: g.Path, GroupName: g.Name,
				GroupId: g.ID, Arn: g.ARN, CreateDate: isoTime(g.Created), GroupPolicyList: policyDetails(g.Inline),
				AttachedManagedPolicies: attachedXML(g.Attached)})
		case "Role":
			r := d.Roles[it.i]
			x := roleDetailXML{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
				AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), RolePolicyList: policyDetails(r.Inline),
				AttachedManagedPolicies: attachedXML(r.Attached), PermissionsBoundary: boundaryOf(r.PermissionsBoundary),
				Tags: tagsXML(r.Tags), RoleLastUsed: &roleLastUsed{}}
			if len(r.Profiles) > 0 {
				m := membersOf(r.Profiles, profileOut)
				x.InstanceProfileList = &m
			}
			out.RoleDetailList.Member = append(out.RoleDetailList.Member, x)
		case "Policy":
			p := d.Policies[it.i]
			out.Policies.Member = append(out.Policies.Member, managedPolicyDetailXML{PolicyName: p.Name, PolicyId: p.ID,
				Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion, AttachmentCount: p.Attachments, IsAttachable: true,
				Description: p.Description, CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated),
				PolicyVersionList: membersOf(p.Versions, func(v PolicyVersion) policyVersionXML { return versionOut(v, true) })})
		}
	}
	return out, nil
}

// ---- ListPoliciesGrantingServiceAccess ----

type policiesGrantingInput struct {
	Marker            *string  `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	Arn               *string  `required:"true" min:"20" max:"2048"`
	ServiceNamespaces []string `required:"true" min:"1" max:"200"`
}

type grantingPolicyXML struct {
	PolicyName string
	PolicyType string
	PolicyArn  string `xml:",omitempty"`
	EntityType string `xml:",omitempty"`
	EntityName string `xml:",omitempty"`
}

type grantingEntryXML struct {
	ServiceNamespace string
	Policies         members[grantingPolicyXML]
}

type policiesGrantingResult struct {
	PoliciesGrantingServiceAccess members[grantingEntryXML]
	pagination
}

func (s *Service) listPoliciesGrantingServiceAccess(c *awsproto.Call, in *policiesGrantingInput) (policiesGrantingResult, error) {
	if in.Marker != nil {
		return policiesGrantingResult{}, errValidation.New("Invalid Marker.") // every answer fits one page
	}
	byNS, err := s.store.PoliciesGranting(*in.Arn, in.ServiceNamespaces)
	if err != nil {
		return policiesGrantingResult{}, err
	}
	var out policiesGrantingResult
	for _, ns := range in.ServiceNamespaces {
		out.PoliciesGrantingServiceAccess.Member = append(out.PoliciesGrantingServiceAccess.Member, grantingEntryXML{ns,
			membersOf(byNS[ns], func(p GrantingPolicy) grantingPolicyXML {
				return grantingPolicyXML{p.Name, p.Type, p.ARN, p.EntityType, p.Entity}
			})})
	}
	return out, nil
}

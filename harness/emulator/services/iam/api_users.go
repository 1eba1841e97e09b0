package iam

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// ---- wire shapes ----

type userXML struct {
	Path                string
	UserName            string
	UserId              string
	Arn                 string
	CreateDate          string
	PasswordLastUsed    string           `xml:",omitempty"`
	PermissionsBoundary *boundaryXML     `xml:",omitempty"`
	Tags                *members[tagXML] `xml:",omitempty"`
}

// userOut renders a user; full adds what only GetUser/CreateUser show.
func userOut(u User, full bool) userXML {
	x := userXML{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created)}
	if !u.PasswordLastUsed.IsZero() {
		x.PasswordLastUsed = isoTime(u.PasswordLastUsed)
	}
	if full {
		x.Tags = tagsXML(u.Tags)
		if u.PermissionsBoundary != "" {
			x.PermissionsBoundary = &boundaryXML{"PermissionsBoundaryPolicy", u.PermissionsBoundary}
		}
	}
	return x
}

func userSummary(u User) userXML { return userOut(u, false) }

type userResult struct {
	User userXML
}

type groupXML struct {
	Path       string
	GroupName  string
	GroupId    string
	Arn        string
	CreateDate string
}

func groupOut(g Group) groupXML {
	return groupXML{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN, CreateDate: isoTime(g.Created)}
}

type groupResult struct {
	Group groupXML
}

// ---- inputs: members and constraints as the model states them ----

// userRef names an existing user (existingUserNameType).
type userRef struct {
	UserName *string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

// userNameRef names a user where the model types the name userNameType
// (at most 64 characters, as a new user's): the managed-policy operations.
type userNameRef struct {
	UserName *string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

// optionalUser names a user, the caller when absent.
type optionalUser struct {
	UserName *string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type createUserInput struct {
	Path                *string    `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	UserName            *string    `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PermissionsBoundary *string    `min:"20" max:"2048"`
	Tags                []tagInput `max:"50"`
}

// Validate: the boundary is a policy ARN.
func (in *createUserInput) Validate() error {
	if in.PermissionsBoundary != nil {
		return checkPolicyARN(*in.PermissionsBoundary)
	}
	return nil
}

type listByPathInput struct {
	PathPrefix *string `min:"1" max:"512" pattern:"\\u002F[\\u0021-\\u007F]*"`
	page
}

type updateUserInput struct {
	userRef
	NewPath     *string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	NewUserName *string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

type tagUserInput struct {
	userRef
	Tags []tagInput `required:"true" max:"50"`
}

type untagUserInput struct {
	userRef
	TagKeys []string `required:"true" max:"50"`
}

type userPage struct {
	userRef
	page
}

// groupRef names a group.
type groupRef struct {
	GroupName *string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type createGroupInput struct {
	Path *string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	groupRef
}

type groupPage struct {
	groupRef
	page
}

type updateGroupInput struct {
	groupRef
	NewPath      *string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	NewGroupName *string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type groupUserInput struct {
	groupRef
	userRef
}

// ---- the caller ----

// callerUser is the IAM user who signed the request: with one of their
// access keys, or with temporary credentials STS issued to them. ok is
// false for the account root and roles.
func (s *Service) callerUser(c *awsproto.Call) (string, bool) {
	id := awsproto.AccessKeyOf(c.Request)
	if id == "" {
		return "", false
	}
	if _, u, ok := s.store.LookupAccessKey(id); ok {
		return u.Name, true
	}
	if ids, _ := s.env.Links.Get(cloud.LinkIdentities).(cloud.CallerIdentities); ids != nil {
		if who, ok := ids.CallerIdentity(id, s.env.Now()); ok {
			if _, rest, found := strings.Cut(who.Arn, ":user/"); found && strings.HasPrefix(who.Arn, "arn:aws:iam::") {
				return rest[strings.LastIndexByte(rest, '/')+1:], true
			}
		}
	}
	return "", false
}

// userOrCaller is the named user, else the caller.
func (s *Service) userOrCaller(c *awsproto.Call, name *string) (string, bool) {
	if name != nil {
		return *name, true
	}
	return s.callerUser(c)
}

// ---- users ----

func (s *Service) createUser(c *awsproto.Call, in *createUserInput) (userResult, error) {
	u, err := s.store.CreateUser(User{Name: *in.UserName, Path: orDefault(in.Path, "/"),
		PermissionsBoundary: orDefault(in.PermissionsBoundary, ""), Tags: tagsOf(in.Tags)}, s.env.Now())
	if err != nil {
		return userResult{}, err
	}
	return userResult{userOut(u, true)}, nil
}

func (s *Service) getUser(c *awsproto.Call, in *optionalUser) (userResult, error) {
	name, ok := s.userOrCaller(c, in.UserName)
	if !ok {
		// The account root, as GetUser describes it to its own credentials.
		return userResult{userXML{Path: "", UserId: s.env.Account, Arn: "arn:aws:iam::" + s.env.Account + ":root",
			CreateDate: isoTime(accountCreated)}}, nil
	}
	u, err := s.store.GetUser(name)
	if err != nil {
		return userResult{}, err
	}
	return userResult{userOut(u, true)}, nil
}

type listUsersResult struct {
	Users members[userXML]
	pagination
}

func (s *Service) listUsers(c *awsproto.Call, in *listByPathInput) (listUsersResult, error) {
	users := s.store.ListUsers(orDefault(in.PathPrefix, "/"))
	shown, more, err := pageOf(users, func(u User) string { return key(u.Name) }, in.page, userSummary)
	return listUsersResult{shown, more}, err
}

func (s *Service) updateUser(c *awsproto.Call, in *updateUserInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateUser(*in.UserName, in.NewUserName, in.NewPath)
}

func (s *Service) deleteUser(c *awsproto.Call, in *userRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteUser(*in.UserName)
}

func (s *Service) tagUser(c *awsproto.Call, in *tagUserInput) (struct{}, error) {
	return struct{}{}, s.store.TagUser(*in.UserName, tagsOf(in.Tags))
}

func (s *Service) untagUser(c *awsproto.Call, in *untagUserInput) (struct{}, error) {
	return struct{}{}, s.store.UntagUser(*in.UserName, in.TagKeys)
}

func (s *Service) listUserTags(c *awsproto.Call, in *userPage) (listTagsResult, error) {
	u, err := s.store.GetUser(*in.UserName)
	if err != nil {
		return listTagsResult{}, err
	}
	shown, more, err := pageOf(u.Tags, nil, in.page, tagOut)
	return listTagsResult{shown, more}, err
}

// ---- groups ----

func (s *Service) createGroup(c *awsproto.Call, in *createGroupInput) (groupResult, error) {
	g, err := s.store.CreateGroup(Group{Name: *in.GroupName, Path: orDefault(in.Path, "/")}, s.env.Now())
	if err != nil {
		return groupResult{}, err
	}
	return groupResult{groupOut(g)}, nil
}

type getGroupResult struct {
	Group groupXML
	Users members[userXML]
	pagination
}

func (s *Service) getGroup(c *awsproto.Call, in *groupPage) (getGroupResult, error) {
	g, users, err := s.store.GetGroup(*in.GroupName)
	if err != nil {
		return getGroupResult{}, err
	}
	shown, more, err := pageOf(users, nil, in.page, userSummary)
	return getGroupResult{groupOut(g), shown, more}, err
}

type listGroupsResult struct {
	Groups members[groupXML]
	pagination
}

func (s *Service) listGroups(c *awsproto.Call, in *listByPathInput) (listGroupsResult, error) {
	groups := s.store.ListGroups(orDefault(in.PathPrefix, "/"))
	shown, more, err := pageOf(groups, func(g Group) string { return key(g.Name) }, in.page, groupOut)
	return listGroupsResult{shown, more}, err
}

func (s *Service) updateGroup(c *awsproto.Call, in *updateGroupInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateGroup(*in.GroupName, in.NewGroupName, in.NewPath)
}

func (s *Service) deleteGroup(c *awsproto.Call, in *groupRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteGroup(*in.GroupName)
}

func (s *Service) addUserToGroup(c *awsproto.Call, in *groupUserInput) (struct{}, error) {
	return struct{}{}, s.store.AddUserToGroup(*in.GroupName, *in.UserName)
}

func (s *Service) removeUserFromGroup(c *awsproto.Call, in *groupUserInput) (struct{}, error) {
	return struct{}{}, s.store.RemoveUserFromGroup(*in.GroupName, *in.UserName)
}

func (s *Service) listGroupsForUser(c *awsproto.Call, in *userPage) (listGroupsResult, error) {
	groups, err := s.store.GroupsForUser(*in.UserName)
	if err != nil {
		return listGroupsResult{}, err
	}
	shown, more, err := pageOf(groups, func(g Group) string { return key(g.Name) }, in.page, groupOut)
	return listGroupsResult{shown, more}, err
}

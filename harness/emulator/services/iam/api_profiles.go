package iam

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type instanceProfileXML struct {
	Path                string
	InstanceProfileName string
	InstanceProfileId   string
	Arn                 string
	CreateDate          string
	Roles               members[roleXML]
	Tags                *members[tagXML] `xml:",omitempty"`
}

func profileOut(p InstanceProfile) instanceProfileXML {
	return instanceProfileXML{Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ID, Arn: p.ARN,
		CreateDate: isoTime(p.Created), Roles: membersOf(p.Roles, roleSummary), Tags: tagsXML(p.Tags)}
}

type instanceProfileResult struct {
	InstanceProfile instanceProfileXML
}

type listProfilesResult struct {
	InstanceProfiles members[instanceProfileXML]
	pagination
}

// ---- inputs: members and constraints as the model states them ----

type createInstanceProfileInput struct {
	profileRef
	Path *string    `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	Tags []tagInput `max:"50"`
}

// profileRoleRef names an instance profile and a role.
type profileRoleRef struct {
	profileRef
	roleRef
}

type listInstanceProfilesInput struct {
	PathPrefix *string `min:"1" max:"512" pattern:"\\u002F[\\u0021-\\u007F]*"`
	page
}

// ---- instance profiles ----

func (s *Service) createInstanceProfile(c *awsproto.Call, in *createInstanceProfileInput) (instanceProfileResult, error) {
	p := InstanceProfile{Name: *in.InstanceProfileName, Path: orDefault(in.Path, "/"), Tags: tagsOf(in.Tags)}
	ip, err := s.store.CreateInstanceProfile(p, s.env.Now())
	if err != nil {
		return instanceProfileResult{}, err
	}
	return instanceProfileResult{profileOut(ip)}, nil
}

func (s *Service) getInstanceProfile(c *awsproto.Call, in *profileRef) (instanceProfileResult, error) {
	ip, err := s.store.GetInstanceProfile(*in.InstanceProfileName)
	if err != nil {
		return instanceProfileResult{}, err
	}
	return instanceProfileResult{profileOut(ip)}, nil
}

func (s *Service) deleteInstanceProfile(c *awsproto.Call, in *profileRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteInstanceProfile(*in.InstanceProfileName)
}

func (s *Service) addRoleToInstanceProfile(c *awsproto.Call, in *profileRoleRef) (struct{}, error) {
	return struct{}{}, s.store.AddRoleToInstanceProfile(*in.InstanceProfileName, *in.RoleName)
}

func (s *Service) removeRoleFromInstanceProfile(c *awsproto.Call, in *profileRoleRef) (struct{}, error) {
	return struct{}{}, s.store.RemoveRoleFromInstanceProfile(*in.InstanceProfileName, *in.RoleName)
}

func (s *Service) listInstanceProfiles(c *awsproto.Call, in *listInstanceProfilesInput) (listProfilesResult, error) {
	return s.listProfiles(orDefault(in.PathPrefix, "/"), "", in.page)
}

func (s *Service) listInstanceProfilesForRole(c *awsproto.Call, in *rolePage) (listProfilesResult, error) {
	return s.listProfiles("/", *in.RoleName, in.page)
}

// listProfiles lists the profiles under pathPrefix (or holding role, when
// set), one page of them.
func (s *Service) listProfiles(pathPrefix, role string, in page) (listProfilesResult, error) {
	list, err := s.store.InstanceProfiles(pathPrefix, role)
	if err != nil {
		return listProfilesResult{}, err
	}
	shown, more, err := pageOf(list, func(p InstanceProfile) string { return key(p.Name) }, in, profileOut)
	return listProfilesResult{shown, more}, err
}

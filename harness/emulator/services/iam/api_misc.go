package iam

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Permissions boundaries, instance profile tags, STS preferences and the
// credential report.

type roleBoundaryInput struct {
	roleRef
	PermissionsBoundary *string `required:"true" min:"20" max:"2048"`
}

// Validate: a policy ARN.
func (in *roleBoundaryInput) Validate() error { return checkPolicyARN(*in.PermissionsBoundary) }

type userBoundaryInput struct {
	UserName            *string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	PermissionsBoundary *string `required:"true" min:"20" max:"2048"`
}

// Validate: a policy ARN.
func (in *userBoundaryInput) Validate() error { return checkPolicyARN(*in.PermissionsBoundary) }

type userBoundaryRef struct {
	UserName *string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

func (s *Service) putRolePermissionsBoundary(c *awsproto.Call, in *roleBoundaryInput) (struct{}, error) {
	return struct{}{}, s.store.SetBoundary("role", *in.RoleName, *in.PermissionsBoundary)
}

func (s *Service) deleteRolePermissionsBoundary(c *awsproto.Call, in *roleRef) (struct{}, error) {
	return struct{}{}, s.store.SetBoundary("role", *in.RoleName, "")
}

func (s *Service) putUserPermissionsBoundary(c *awsproto.Call, in *userBoundaryInput) (struct{}, error) {
	return struct{}{}, s.store.SetBoundary("user", *in.UserName, *in.PermissionsBoundary)
}

func (s *Service) deleteUserPermissionsBoundary(c *awsproto.Call, in *userBoundaryRef) (struct{}, error) {
	return struct{}{}, s.store.SetBoundary("user", *in.UserName, "")
}

// ---- instance profile tags ----

type profileTagInput struct {
	profileRef
	Tags []tagInput `required:"true" max:"50"`
}

type profileUntagInput struct {
	profileRef
	TagKeys []string `required:"true" max:"50"`
}

type profileTagPage struct {
	profileRef
	page
}

func (s *Service) tagInstanceProfile(c *awsproto.Call, in *profileTagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateProfileTags(*in.InstanceProfileName, func(t []Tag) ([]Tag, error) { return mergeTags(t, tagsOf(in.Tags)) })
}

func (s *Service) untagInstanceProfile(c *awsproto.Call, in *profileUntagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateProfileTags(*in.InstanceProfileName, func(t []Tag) ([]Tag, error) {
		return slices.DeleteFunc(t, func(x Tag) bool { return slices.Contains(in.TagKeys, x.Key) }), nil
	})
}

func (s *Service) listInstanceProfileTags(c *awsproto.Call, in *profileTagPage) (listTagsResult, error) {
	tags, err := s.store.ProfileTags(*in.InstanceProfileName)
	if err != nil {
		return listTagsResult{}, err
	}
	shown, more, err := pageOf(tags, nil, in.page, tagOut)
	return listTagsResult{shown, more}, err
}

// ---- STS preferences ----

type stsPreferencesInput struct {
	GlobalEndpointTokenVersion *string `required:"true" enum:"v1Token,v2Token"`
}

func (s *Service) setSecurityTokenServicePreferences(c *awsproto.Call, in *stsPreferencesInput) (struct{}, error) {
	s.store.SetTokenVersion(*in.GlobalEndpointTokenVersion)
	return struct{}{}, nil
}

// ---- credential report ----

type generateReportResult struct {
	State       string
	Description string
}

// generateCredentialReport makes the report at once; the first call says
// it started, as AWS's does, and the report is ready when asked for.
func (s *Service) generateCredentialReport(c *awsproto.Call, _ *struct{}) (generateReportResult, error) {
	if s.store.GenerateCredentialReport(s.env.Now()) {
		return generateReportResult{"COMPLETE", ""}, nil
	}
	return generateReportResult{"STARTED", "No report exists. Starting a new report generation task"}, nil
}

type getReportResult struct {
	Content       string
	ReportFormat  string
	GeneratedTime string
}

func (s *Service) getCredentialReport(c *awsproto.Call, _ *struct{}) (getReportResult, error) {
	content, at, err := s.store.CredentialReport()
	if err != nil {
		return getReportResult{}, err
	}
	return getReportResult{base64.StdEncoding.EncodeToString(content), "text/csv", isoTime(at)}, nil
}

// ---- outbound web identity federation ----

type issuerResult struct {
	IssuerIdentifier string
}

type outboundInfoResult struct {
	IssuerIdentifier  string
	JwtVendingEnabled bool
}

// outbound tells STS whether outbound identity federation is on.
type outbound struct{ s *Service }

func (o outbound) OutboundIssuer() (string, bool) {
	issuer, err := o.s.store.OutboundFederation()
	return issuer, err == nil
}

// enableOutboundWebIdentityFederation gives the account an issuer URL
// shaped like AWS's. (STS's GetWebIdentityToken, which would vend tokens
// under it, is not served.)
func (s *Service) enableOutboundWebIdentityFederation(c *awsproto.Call, _ *struct{}) (issuerResult, error) {
	issuer, err := s.store.EnableOutboundFederation("https://" + strings.ToLower(s.env.NewID()) + ".tokens.sts.global.api.aws")
	return issuerResult{issuer}, err
}

func (s *Service) disableOutboundWebIdentityFederation(c *awsproto.Call, _ *struct{}) (struct{}, error) {
	return struct{}{}, s.store.DisableOutboundFederation()
}

func (s *Service) getOutboundWebIdentityFederationInfo(c *awsproto.Call, _ *struct{}) (outboundInfoResult, error) {
	issuer, err := s.store.OutboundFederation()
	return outboundInfoResult{issuer, err == nil}, err
}

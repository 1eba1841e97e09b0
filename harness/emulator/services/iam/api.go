package iam

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// XMLNS is the namespace of IAM responses.
const XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"

// Service is IAM as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
}

// New returns the IAM service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env}
	s.store = NewStore(env.Account, s.entityID, func(prefix string) string { return awsproto.NewAccessKeyID(prefix, env.Account) })
	s.api = awsproto.API{
		Model:    "iam",
		Base:     awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol: awsproto.Query,
		XMLNS:    XMLNS,
		MaxBody:  1 << 20,
		Invalid:  errValidation,
	}
	s.api.Register(
		// roles (api_roles.go)
		awsproto.Handle("CreateRole", s.createRole),
		awsproto.Handle("GetRole", s.getRole),
		awsproto.Handle("ListRoles", s.listRoles),
		awsproto.Handle("DeleteRole", s.deleteRole),
		awsproto.Handle("UpdateRole", s.updateRole),
		awsproto.Handle("UpdateRoleDescription", s.updateRoleDescription),
		awsproto.Handle("UpdateAssumeRolePolicy", s.updateAssumeRolePolicy),
		awsproto.Handle("TagRole", s.tagRole),
		awsproto.Handle("UntagRole", s.untagRole),
		awsproto.Handle("ListRoleTags", s.listRoleTags),
		awsproto.Handle("PutRolePolicy", s.putRolePolicy),
		awsproto.Handle("GetRolePolicy", s.getRolePolicy),
		awsproto.Handle("ListRolePolicies", s.listRolePolicies),
		awsproto.Handle("DeleteRolePolicy", s.deleteRolePolicy),
		// managed policies and attachments (api_policies.go)
		awsproto.Handle("CreatePolicy", s.createPolicy),
		awsproto.Handle("GetPolicy", s.getPolicy),
		awsproto.Handle("ListPolicies", s.listPolicies),
		awsproto.Handle("DeletePolicy", s.deletePolicy),
		awsproto.Handle("CreatePolicyVersion", s.createPolicyVersion),
		awsproto.Handle("GetPolicyVersion", s.getPolicyVersion),
		awsproto.Handle("ListPolicyVersions", s.listPolicyVersions),
		awsproto.Handle("DeletePolicyVersion", s.deletePolicyVersion),
		awsproto.Handle("SetDefaultPolicyVersion", s.setDefaultPolicyVersion),
		awsproto.Handle("AttachRolePolicy", s.attachRolePolicy),
		awsproto.Handle("DetachRolePolicy", s.detachRolePolicy),
		awsproto.Handle("ListAttachedRolePolicies", s.listAttachedRolePolicies),
		// instance profiles (api_profiles.go)
		awsproto.Handle("CreateInstanceProfile", s.createInstanceProfile),
		awsproto.Handle("GetInstanceProfile", s.getInstanceProfile),
		awsproto.Handle("DeleteInstanceProfile", s.deleteInstanceProfile),
		awsproto.Handle("AddRoleToInstanceProfile", s.addRoleToInstanceProfile),
		awsproto.Handle("RemoveRoleFromInstanceProfile", s.removeRoleFromInstanceProfile),
		awsproto.Handle("ListInstanceProfiles", s.listInstanceProfiles),
		awsproto.Handle("ListInstanceProfilesForRole", s.listInstanceProfilesForRole),
		// users and groups (api_users.go)
		awsproto.Handle("CreateUser", s.createUser),
		awsproto.Handle("GetUser", s.getUser),
		awsproto.Handle("ListUsers", s.listUsers),
		awsproto.Handle("UpdateUser", s.updateUser),
		awsproto.Handle("DeleteUser", s.deleteUser),
		awsproto.Handle("TagUser", s.tagUser),
		awsproto.Handle("UntagUser", s.untagUser),
		awsproto.Handle("ListUserTags", s.listUserTags),
		awsproto.Handle("CreateGroup", s.createGroup),
		awsproto.Handle("GetGroup", s.getGroup),
		awsproto.Handle("ListGroups", s.listGroups),
		awsproto.Handle("UpdateGroup", s.updateGroup),
		awsproto.Handle("DeleteGroup", s.deleteGroup),
		awsproto.Handle("AddUserToGroup", s.addUserToGroup),
		awsproto.Handle("RemoveUserFromGroup", s.removeUserFromGroup),
		awsproto.Handle("ListGroupsForUser", s.listGroupsForUser),
		// access keys, login profiles, password policy (api_keys.go)
		awsproto.Handle("CreateAccessKey", s.createAccessKey),
		awsproto.Handle("ListAccessKeys", s.listAccessKeys),
		awsproto.Handle("UpdateAccessKey", s.updateAccessKey),
		awsproto.Handle("DeleteAccessKey", s.deleteAccessKey),
		awsproto.Handle("GetAccessKeyLastUsed", s.getAccessKeyLastUsed),
		awsproto.Handle("CreateLoginProfile", s.createLoginProfile),
		awsproto.Handle("GetLoginProfile", s.getLoginProfile),
		awsproto.Handle("UpdateLoginProfile", s.updateLoginProfile),
		awsproto.Handle("DeleteLoginProfile", s.deleteLoginProfile),
		awsproto.Handle("ChangePassword", s.changePassword),
		awsproto.Handle("UpdateAccountPasswordPolicy", s.updateAccountPasswordPolicy),
		awsproto.Handle("GetAccountPasswordPolicy", s.getAccountPasswordPolicy),
		awsproto.Handle("DeleteAccountPasswordPolicy", s.deleteAccountPasswordPolicy),
		// policies of users and groups, policy tags (api_principal_policies.go)
		awsproto.Handle("PutUserPolicy", s.putUserPolicy),
		awsproto.Handle("GetUserPolicy", s.getUserPolicy),
		awsproto.Handle("ListUserPolicies", s.listUserPolicies),
		awsproto.Handle("DeleteUserPolicy", s.deleteUserPolicy),
		awsproto.Handle("AttachUserPolicy", s.attachUserPolicy),
		awsproto.Handle("DetachUserPolicy", s.detachUserPolicy),
		awsproto.Handle("ListAttachedUserPolicies", s.listAttachedUserPolicies),
		awsproto.Handle("PutGroupPolicy", s.putGroupPolicy),
		awsproto.Handle("GetGroupPolicy", s.getGroupPolicy),
		awsproto.Handle("ListGroupPolicies", s.listGroupPolicies),
		awsproto.Handle("DeleteGroupPolicy", s.deleteGroupPolicy),
		awsproto.Handle("AttachGroupPolicy", s.attachGroupPolicy),
		awsproto.Handle("DetachGroupPolicy", s.detachGroupPolicy),
		awsproto.Handle("ListAttachedGroupPolicies", s.listAttachedGroupPolicies),
		awsproto.Handle("ListEntitiesForPolicy", s.listEntitiesForPolicy),
		awsproto.Handle("TagPolicy", s.tagPolicy),
		awsproto.Handle("UntagPolicy", s.untagPolicy),
		awsproto.Handle("ListPolicyTags", s.listPolicyTags),
		// the account, service-linked roles (api_account.go)
		awsproto.Handle("CreateAccountAlias", s.createAccountAlias),
		awsproto.Handle("DeleteAccountAlias", s.deleteAccountAlias),
		awsproto.Handle("ListAccountAliases", s.listAccountAliases),
		awsproto.Handle("GetAccountSummary", s.getAccountSummary),
		awsproto.Handle("CreateServiceLinkedRole", s.createServiceLinkedRole),
		awsproto.Handle("DeleteServiceLinkedRole", s.deleteServiceLinkedRole),
		awsproto.Handle("GetServiceLinkedRoleDeletionStatus", s.getServiceLinkedRoleDeletionStatus),
		// identity providers (api_providers.go)
		awsproto.Handle("CreateOpenIDConnectProvider", s.createOIDCProvider),
		awsproto.Handle("GetOpenIDConnectProvider", s.getOIDCProvider),
		awsproto.Handle("ListOpenIDConnectProviders", s.listOIDCProviders),
		awsproto.Handle("DeleteOpenIDConnectProvider", s.deleteOIDCProvider),
		awsproto.Handle("AddClientIDToOpenIDConnectProvider", s.addClientID),
		awsproto.Handle("RemoveClientIDFromOpenIDConnectProvider", s.removeClientID),
		awsproto.Handle("UpdateOpenIDConnectProviderThumbprint", s.updateThumbprints),
		awsproto.Handle("TagOpenIDConnectProvider", s.tagOIDCProvider),
		awsproto.Handle("UntagOpenIDConnectProvider", s.untagOIDCProvider),
		awsproto.Handle("ListOpenIDConnectProviderTags", s.listOIDCProviderTags),
		awsproto.Handle("CreateSAMLProvider", s.createSAMLProvider),
		awsproto.Handle("GetSAMLProvider", s.getSAMLProvider),
		awsproto.Handle("ListSAMLProviders", s.listSAMLProviders),
		awsproto.Handle("UpdateSAMLProvider", s.updateSAMLProvider),
		awsproto.Handle("DeleteSAMLProvider", s.deleteSAMLProvider),
		awsproto.Handle("TagSAMLProvider", s.tagSAMLProvider),
		awsproto.Handle("UntagSAMLProvider", s.untagSAMLProvider),
		awsproto.Handle("ListSAMLProviderTags", s.listSAMLProviderTags),
		// virtual MFA devices (api_mfa.go)
		awsproto.Handle("CreateVirtualMFADevice", s.createVirtualMFADevice),
		awsproto.Handle("ListVirtualMFADevices", s.listVirtualMFADevices),
		awsproto.Handle("DeleteVirtualMFADevice", s.deleteVirtualMFADevice),
		awsproto.Handle("EnableMFADevice", s.enableMFADevice),
		awsproto.Handle("ResyncMFADevice", s.resyncMFADevice),
		awsproto.Handle("DeactivateMFADevice", s.deactivateMFADevice),
		awsproto.Handle("ListMFADevices", s.listMFADevices),
		awsproto.Handle("GetMFADevice", s.getMFADevice),
		awsproto.Handle("TagMFADevice", s.tagMFADevice),
		awsproto.Handle("UntagMFADevice", s.untagMFADevice),
		awsproto.Handle("ListMFADeviceTags", s.listMFADeviceTags),
		// boundaries, profile tags, STS preferences, credential report (api_misc.go)
		awsproto.Handle("PutRolePermissionsBoundary", s.putRolePermissionsBoundary),
		awsproto.Handle("DeleteRolePermissionsBoundary", s.deleteRolePermissionsBoundary),
		awsproto.Handle("PutUserPermissionsBoundary", s.putUserPermissionsBoundary),
		awsproto.Handle("DeleteUserPermissionsBoundary", s.deleteUserPermissionsBoundary),
		awsproto.Handle("TagInstanceProfile", s.tagInstanceProfile),
		awsproto.Handle("UntagInstanceProfile", s.untagInstanceProfile),
		awsproto.Handle("ListInstanceProfileTags", s.listInstanceProfileTags),
		awsproto.Handle("SetSecurityTokenServicePreferences", s.setSecurityTokenServicePreferences),
		awsproto.Handle("GenerateCredentialReport", s.generateCredentialReport),
		awsproto.Handle("GetCredentialReport", s.getCredentialReport),
		// SSH public keys and signing certificates (api_creds.go)
		awsproto.Handle("UploadSSHPublicKey", s.uploadSSHPublicKey),
		awsproto.Handle("GetSSHPublicKey", s.getSSHPublicKey),
		awsproto.Handle("ListSSHPublicKeys", s.listSSHPublicKeys),
		awsproto.Handle("UpdateSSHPublicKey", s.updateSSHPublicKey),
		awsproto.Handle("DeleteSSHPublicKey", s.deleteSSHPublicKey),
		awsproto.Handle("UploadSigningCertificate", s.uploadSigningCertificate),
		awsproto.Handle("ListSigningCertificates", s.listSigningCertificates),
		awsproto.Handle("UpdateSigningCertificate", s.updateSigningCertificate),
		awsproto.Handle("DeleteSigningCertificate", s.deleteSigningCertificate),
		// service-specific credentials, context keys (api_ssc.go)
		awsproto.Handle("CreateServiceSpecificCredential", s.createServiceSpecificCredential),
		awsproto.Handle("ListServiceSpecificCredentials", s.listServiceSpecificCredentials),
		awsproto.Handle("ResetServiceSpecificCredential", s.resetServiceSpecificCredential),
		awsproto.Handle("UpdateServiceSpecificCredential", s.updateServiceSpecificCredential),
		awsproto.Handle("DeleteServiceSpecificCredential", s.deleteServiceSpecificCredential),
		awsproto.Handle("GetContextKeysForCustomPolicy", s.getContextKeysForCustomPolicy),
		awsproto.Handle("GetContextKeysForPrincipalPolicy", s.getContextKeysForPrincipalPolicy),
		awsproto.Handle("SimulateCustomPolicy", s.simulateCustomPolicy),
		awsproto.Handle("SimulatePrincipalPolicy", s.simulatePrincipalPolicy),
		// server certificates (api_servercerts.go)
		awsproto.Handle("UploadServerCertificate", s.uploadServerCertificate),
		awsproto.Handle("GetServerCertificate", s.getServerCertificate),
		awsproto.Handle("ListServerCertificates", s.listServerCertificates),
		awsproto.Handle("UpdateServerCertificate", s.updateServerCertificate),
		awsproto.Handle("DeleteServerCertificate", s.deleteServerCertificate),
		awsproto.Handle("TagServerCertificate", s.tagServerCertificate),
		awsproto.Handle("UntagServerCertificate", s.untagServerCertificate),
		awsproto.Handle("ListServerCertificateTags", s.listServerCertificateTags),
		awsproto.Handle("GetAccountAuthorizationDetails", s.getAccountAuthorizationDetails), // api_details.go
		awsproto.Handle("ListPoliciesGrantingServiceAccess", s.listPoliciesGrantingServiceAccess),
		awsproto.Handle("EnableOutboundWebIdentityFederation", s.enableOutboundWebIdentityFederation),
		awsproto.Handle("DisableOutboundWebIdentityFederation", s.disableOutboundWebIdentityFederation),
		awsproto.Handle("GetOutboundWebIdentityFederationInfo", s.getOutboundWebIdentityFederationInfo),
	)
	if env.Links != nil {
		env.Links.Set(cloud.LinkAccessKeys, cloud.AccessKeys(accessKeys{s}))
		env.Links.Set(cloud.LinkOutboundFederation, cloud.OutboundFederation(outbound{s}))
	}
	return s
}

func (s *Service) Name() string                { return "iam" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.Query }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{{Kind: cloud.ByScope, Key: "iam"}}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Summary counts roles, customer managed policies and instance profiles.
func (s *Service) Summary() map[string]any {
	out := map[string]any{}
	for k, v := range s.store.Counts() {
		out[k] = v
	}
	return out
}

// entityID makes an IAM unique ID: a type prefix ("AROA") and 17
// characters derived from the ID source, so fixed IDs give fixed results.
func (s *Service) entityID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(s.env.NewID()))
	out := make([]byte, 17)
	for i := range out {
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return prefix + string(out)
}

// ---- members many inputs share, with the model's constraints ----
//
// Each is embedded where the model lists it, so validation messages come in
// the model's order.

// roleRef names a role.
type roleRef struct {
	RoleName *string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

// policyRef names a managed policy by ARN.
type policyRef struct {
	PolicyArn *string `required:"true" min:"20" max:"2048"`
}

// Validate: an ARN IAM can take apart (the model says only its length).
func (p policyRef) Validate() error { return checkPolicyARN(*p.PolicyArn) }

func checkPolicyARN(arn string) error {
	if _, _, _, ok := splitPolicyARN(arn); !ok {
		return errInvalidInput.Errorf("ARN %s is not valid.", arn)
	}
	return nil
}

// profileRef names an instance profile.
type profileRef struct {
	InstanceProfileName *string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

// policyDocument is the document of an inline or managed policy, or the
// trust policy UpdateAssumeRolePolicy sets; each input's Validate says which
// rules of checkDocument apply.
type policyDocument struct {
	PolicyDocument *string `required:"true" min:"1" max:"131072" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

// tagInput is a tag as a request carries it.
type tagInput struct {
	Key   *string `required:"true" min:"1" max:"128" pattern:"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"`
	Value *string `required:"true" max:"256" pattern:"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"`
}

func tagsOf(in []tagInput) []Tag {
	out := make([]Tag, len(in))
	for i, t := range in {
		out[i] = Tag{*t.Key, *t.Value}
	}
	return out
}

// page is where a list resumes and how much it shows.
type page struct {
	Marker   *string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int    `min:"1" max:"1000"`
}

func orDefault(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}

// ---- wire shapes ----

// isoTime is IAM's timestamp format.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// encodeDocument percent-encodes a policy document as IAM returns it:
// everything but RFC 3986 unreserved characters.
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

type tagXML struct {
	Key   string
	Value string
}

// members is the query protocol's list: <Name><member>…</member>…</Name>.
type members[T any] struct {
	Member []T `xml:"member"`
}

// membersOf renders each item with view.
func membersOf[T, X any](items []T, view func(T) X) members[X] {
	m := members[X]{Member: make([]X, len(items))}
	for i, it := range items {
		m.Member[i] = view(it)
	}
	return m
}

func tagOut(t Tag) tagXML { return tagXML(t) }

func tagsXML(tags []Tag) *members[tagXML] {
	if len(tags) == 0 {
		return nil
	}
	l := membersOf(tags, tagOut)
	return &l
}

// ---- paging ----

// pagination ends every IAM list answer: is there more, and where to resume.
type pagination struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// pageOf cuts one page out of items (see window) and renders it with view.
func pageOf[T, X any](items []T, keyOf func(T) string, in page, view func(T) X) (members[X], pagination, error) {
	shown, more, err := window(items, keyOf, in)
	if err != nil {
		return members[X]{}, more, err
	}
	return membersOf(shown, view), more, nil
}

// window cuts one page out of a list for Marker/MaxItems. With keyOf the
// list is sorted by it and the marker is the last key shown; without, the
// marker is an offset.
func window[T any](items []T, keyOf func(T) string, in page) (shown []T, more pagination, err error) {
	max := 100
	if in.MaxItems != nil {
		max = *in.MaxItems
	}
	start := 0
	if in.Marker != nil {
		raw, derr := base64.RawURLEncoding.DecodeString(*in.Marker)
		m := string(raw)
		switch {
		case derr != nil:
			return nil, more, errValidation.New("Invalid Marker.")
		case keyOf != nil && strings.HasPrefix(m, "k:"):
			last := m[2:]
			start = sort.Search(len(items), func(i int) bool { return keyOf(items[i]) > last })
		case keyOf == nil && strings.HasPrefix(m, "i:"):
			n, perr := strconv.Atoi(m[2:])
			if perr != nil || n < 0 {
				return nil, more, errValidation.New("Invalid Marker.")
			}
			start = min(n, len(items))
		default:
			return nil, more, errValidation.New("Invalid Marker.")
		}
	}
	shown = items[start:]
	if len(shown) > max {
		shown = shown[:max]
		more.IsTruncated = true
		if keyOf != nil {
			more.Marker = base64.RawURLEncoding.EncodeToString([]byte("k:" + keyOf(shown[len(shown)-1])))
		} else {
			more.Marker = base64.RawURLEncoding.EncodeToString([]byte("i:" + strconv.Itoa(start+max)))
		}
	}
	return shown, more, nil
}

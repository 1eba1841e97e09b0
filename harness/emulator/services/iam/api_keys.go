package iam

import (
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// accountCreated is when the emulated account (and its root user) came to be.
var accountCreated = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// ---- access keys: wire shapes and inputs ----

type accessKeyXML struct {
	UserName        string
	AccessKeyId     string
	Status          string
	SecretAccessKey string
	CreateDate      string
}

type accessKeyMetadataXML struct {
	UserName    string
	AccessKeyId string
	Status      string
	CreateDate  string
}

func keyMetadata(k AccessKey) accessKeyMetadataXML {
	return accessKeyMetadataXML{UserName: k.UserName, AccessKeyId: k.ID, Status: k.Status, CreateDate: isoTime(k.Created)}
}

// accessKeyRef names an access key, of the caller when UserName is absent.
type accessKeyRef struct {
	optionalUser
	AccessKeyId *string `required:"true" min:"16" max:"128" pattern:"[\\w]+"`
}

type updateAccessKeyInput struct {
	accessKeyRef
	Status *string `required:"true" enum:"Active,Inactive,Expired"`
}

type optionalUserPage struct {
	optionalUser
	page
}

type accessKeyIDInput struct {
	AccessKeyId *string `required:"true" min:"16" max:"128" pattern:"[\\w]+"`
}

// errRootKeys: the emulator keeps no access keys of the account root.
func errRootKeys() error {
	return errInvalidInput.New("groundstack keeps no access keys of the account root: name an IAM user with UserName.")
}

// ---- access keys ----

type createAccessKeyResult struct {
	AccessKey accessKeyXML
}

func (s *Service) createAccessKey(c *awsproto.Call, in *optionalUser) (createAccessKeyResult, error) {
	name, ok := s.userOrCaller(c, in.UserName)
	if !ok {
		return createAccessKeyResult{}, errRootKeys()
	}
	k, err := s.store.CreateAccessKey(name, s.env.Now())
	if err != nil {
		return createAccessKeyResult{}, err
	}
	return createAccessKeyResult{accessKeyXML{UserName: k.UserName, AccessKeyId: k.ID, Status: k.Status,
		SecretAccessKey: k.Secret, CreateDate: isoTime(k.Created)}}, nil
}

type listAccessKeysResult struct {
	AccessKeyMetadata members[accessKeyMetadataXML]
	pagination
}

func (s *Service) listAccessKeys(c *awsproto.Call, in *optionalUserPage) (listAccessKeysResult, error) {
	name, ok := s.userOrCaller(c, in.UserName)
	if !ok {
		return listAccessKeysResult{}, nil // the root's keys are the emulator's own, not IAM's
	}
	keys, err := s.store.AccessKeys(name)
	if err != nil {
		return listAccessKeysResult{}, err
	}
	shown, more, err := pageOf(keys, nil, in.page, keyMetadata)
	return listAccessKeysResult{shown, more}, err
}

func (s *Service) updateAccessKey(c *awsproto.Call, in *updateAccessKeyInput) (struct{}, error) {
	name, _ := s.userOrCaller(c, in.UserName)
	return struct{}{}, s.store.UpdateAccessKey(name, *in.AccessKeyId, *in.Status)
}

func (s *Service) deleteAccessKey(c *awsproto.Call, in *accessKeyRef) (struct{}, error) {
	name, _ := s.userOrCaller(c, in.UserName)
	return struct{}{}, s.store.DeleteAccessKey(name, *in.AccessKeyId)
}

type accessKeyLastUsedXML struct {
	LastUsedDate string `xml:",omitempty"`
	ServiceName  string
	Region       string
}

type getAccessKeyLastUsedResult struct {
	UserName          string `xml:",omitempty"`
	AccessKeyLastUsed accessKeyLastUsedXML
}

func (s *Service) getAccessKeyLastUsed(c *awsproto.Call, in *accessKeyIDInput) (getAccessKeyLastUsedResult, error) {
	k, _, ok := s.store.LookupAccessKey(*in.AccessKeyId)
	if !ok {
		return getAccessKeyLastUsedResult{}, errAccessDenied.New("User: arn:aws:iam::" + s.env.Account +
			":root is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key " + *in.AccessKeyId)
	}
	used := accessKeyLastUsedXML{ServiceName: "N/A", Region: "N/A"}
	if !k.LastUsed.IsZero() {
		used = accessKeyLastUsedXML{LastUsedDate: isoTime(k.LastUsed), ServiceName: k.LastService, Region: k.LastRegion}
	}
	return getAccessKeyLastUsedResult{UserName: k.UserName, AccessKeyLastUsed: used}, nil
}

// accessKeys is what IAM tells strict mode's verifier and STS about its
// users' keys (cloud.AccessKeys).
type accessKeys struct{ s *Service }

func (a accessKeys) AccessKey(id string) (cloud.AccessKey, bool) {
	k, u, ok := a.s.store.LookupAccessKey(id)
	if !ok {
		return cloud.AccessKey{}, false
	}
	return cloud.AccessKey{Secret: k.Secret, Active: k.Status == "Active",
		Identity: cloud.CallerIdentity{Account: a.s.env.Account, Arn: u.ARN, UserID: u.ID}}, true
}

func (a accessKeys) NoteAccessKeyUse(id, service, region string, at time.Time) {
	a.s.store.NoteAccessKeyUse(id, service, region, at)
}

// ---- login profiles ----

type loginProfileXML struct {
	UserName              string
	CreateDate            string
	PasswordResetRequired bool
}

func loginOut(l LoginProfile) loginProfileXML {
	return loginProfileXML{UserName: l.UserName, CreateDate: isoTime(l.Created), PasswordResetRequired: l.ResetRequired}
}

type loginProfileResult struct {
	LoginProfile loginProfileXML
}

// loginUser names a user (userNameType), the caller when absent.
type loginUser struct {
	UserName *string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

type createLoginProfileInput struct {
	loginUser
	Password              *string `min:"1" max:"128" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
	PasswordResetRequired *bool
}

type updateLoginProfileInput struct {
	UserName              *string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Password              *string `min:"1" max:"128" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
	PasswordResetRequired *bool
}

type changePasswordInput struct {
	OldPassword *string `required:"true" min:"1" max:"128" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
	NewPassword *string `required:"true" min:"1" max:"128" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
}

// loginUserOf is the named user or the caller; the root has no login
// profile IAM manages.
func (s *Service) loginUserOf(c *awsproto.Call, name *string) (string, error) {
	u, ok := s.userOrCaller(c, name)
	if !ok {
		return "", errValidation.New("Login profile operations need a UserName when called as the account root.")
	}
	return u, nil
}

func (s *Service) createLoginProfile(c *awsproto.Call, in *createLoginProfileInput) (loginProfileResult, error) {
	name, err := s.loginUserOf(c, in.UserName)
	if err != nil {
		return loginProfileResult{}, err
	}
	if in.Password == nil {
		// Without a password AWS makes a profile for passwordless sign-in;
		// the emulator has no console to sign in to.
		return loginProfileResult{}, errValidation.New("Password is required.")
	}
	reset := in.PasswordResetRequired != nil && *in.PasswordResetRequired
	l, err := s.store.CreateLoginProfile(name, *in.Password, reset, s.env.Now())
	if err != nil {
		return loginProfileResult{}, err
	}
	return loginProfileResult{loginOut(l)}, nil
}

func (s *Service) getLoginProfile(c *awsproto.Call, in *loginUser) (loginProfileResult, error) {
	name, err := s.loginUserOf(c, in.UserName)
	if err != nil {
		return loginProfileResult{}, err
	}
	l, err := s.store.GetLoginProfile(name)
	if err != nil {
		return loginProfileResult{}, err
	}
	return loginProfileResult{loginOut(l)}, nil
}

func (s *Service) updateLoginProfile(c *awsproto.Call, in *updateLoginProfileInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateLoginProfile(*in.UserName, in.Password, in.PasswordResetRequired)
}

func (s *Service) deleteLoginProfile(c *awsproto.Call, in *loginUser) (struct{}, error) {
	name, err := s.loginUserOf(c, in.UserName)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.DeleteLoginProfile(name)
}

func (s *Service) changePassword(c *awsproto.Call, in *changePasswordInput) (struct{}, error) {
	name, ok := s.callerUser(c)
	if !ok {
		return struct{}{}, errInvalidUserType.New("Only IAM Users can change their own password.")
	}
	return struct{}{}, s.store.ChangePassword(name, *in.OldPassword, *in.NewPassword)
}

// ---- the account's password policy ----

type updatePasswordPolicyInput struct {
	MinimumPasswordLength      *int `min:"6" max:"128"`
	RequireSymbols             *bool
	RequireNumbers             *bool
	RequireUppercaseCharacters *bool
	RequireLowercaseCharacters *bool
	AllowUsersToChangePassword *bool
	MaxPasswordAge             *int `min:"1" max:"1095"`
	PasswordReusePrevention    *int `min:"1" max:"24"`
	HardExpiry                 *bool
}

func isTrue(b *bool) bool { return b != nil && *b }

func intOr(n *int, def int) int {
	if n == nil {
		return def
	}
	return *n
}

func (s *Service) updateAccountPasswordPolicy(c *awsproto.Call, in *updatePasswordPolicyInput) (struct{}, error) {
	// Members left out take their defaults, as on AWS: the call replaces the policy.
	s.store.UpdatePasswordPolicy(PasswordPolicy{
		MinimumLength: intOr(in.MinimumPasswordLength, 6), RequireSymbols: isTrue(in.RequireSymbols),
		RequireNumbers: isTrue(in.RequireNumbers), RequireUppercase: isTrue(in.RequireUppercaseCharacters),
		RequireLowercase: isTrue(in.RequireLowercaseCharacters), AllowUsersToChange: isTrue(in.AllowUsersToChangePassword),
		MaxAge: intOr(in.MaxPasswordAge, 0), ReusePrevention: intOr(in.PasswordReusePrevention, 0), HardExpiry: isTrue(in.HardExpiry),
	})
	return struct{}{}, nil
}

type passwordPolicyXML struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	ExpirePasswords            bool
	MaxPasswordAge             int   `xml:",omitempty"`
	PasswordReusePrevention    int   `xml:",omitempty"`
	HardExpiry                 *bool `xml:",omitempty"`
}

type getPasswordPolicyResult struct {
	PasswordPolicy passwordPolicyXML
}

func (s *Service) getAccountPasswordPolicy(c *awsproto.Call, _ *struct{}) (getPasswordPolicyResult, error) {
	p, err := s.store.GetPasswordPolicy()
	if err != nil {
		return getPasswordPolicyResult{}, err
	}
	x := passwordPolicyXML{
		MinimumPasswordLength: p.MinimumLength, RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercase, RequireLowercaseCharacters: p.RequireLowercase,
		AllowUsersToChangePassword: p.AllowUsersToChange, ExpirePasswords: p.MaxAge > 0, MaxPasswordAge: p.MaxAge,
		PasswordReusePrevention: p.ReusePrevention,
	}
	if p.MaxAge > 0 {
		x.HardExpiry = &p.HardExpiry
	}
	return getPasswordPolicyResult{x}, nil
}

func (s *Service) deleteAccountPasswordPolicy(c *awsproto.Call, _ *struct{}) (struct{}, error) {
	return struct{}{}, s.store.DeletePasswordPolicy()
}

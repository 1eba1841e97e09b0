package sts

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// XMLNS is the namespace of STS responses.
const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"

// Service is STS as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
	// unsigned serves the calls AWS accepts without a signature alone.
	unsigned awsproto.API
	// keys sign web identity tokens (api_tokens.go).
	keys signingKeys
}

// New returns the STS service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore()}
	s.api = awsproto.API{
		Model:    "sts",
		Base:     awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol: awsproto.Query,
		XMLNS:    XMLNS,
		Invalid:  errValidation,
	}
	s.unsigned = s.api
	if env.Links != nil {
		env.Links.Set(cloud.LinkCredentials, cloud.CredentialIssuer(s))
	}
	s.api.Register(
		awsproto.Handle("GetCallerIdentity", s.getCallerIdentity),
		awsproto.Handle("AssumeRole", s.assumeRole),
		awsproto.Handle("GetSessionToken", s.getSessionToken),
		awsproto.Handle("GetAccessKeyInfo", s.getAccessKeyInfo),
		awsproto.Handle("GetFederationToken", s.getFederationToken),
		awsproto.Handle("AssumeRoot", s.assumeRoot),
	)
	s.registerFederated()
	s.registerTokens()
	if env.Links != nil {
		env.Links.Set(cloud.LinkIdentities, cloud.CallerIdentities(identities{s}))
	}
	return s
}

// identities tells other services (API Gateway's AWS_IAM identity) who the
// sessions this service issued belong to.
type identities struct{ s *Service }

func (i identities) CallerIdentity(accessKey string, now time.Time) (cloud.CallerIdentity, bool) {
	id, ok := i.s.store.Lookup(accessKey, now)
	if !ok {
		id, ok = i.s.userKey(accessKey)
	}
	return cloud.CallerIdentity{Account: id.Account, Arn: id.Arn, UserID: id.UserID}, ok
}

// userKey is the IAM user whose active access key this is.
func (s *Service) userKey(accessKey string) (Identity, bool) {
	keys, _ := s.env.Links.Get(cloud.LinkAccessKeys).(cloud.AccessKeys)
	if keys == nil {
		return Identity{}, false
	}
	k, ok := keys.AccessKey(accessKey)
	if !ok || !k.Active {
		return Identity{}, false
	}
	return Identity{Account: k.Identity.Account, Arn: k.Identity.Arn, UserID: k.Identity.UserID}, true
}

func (s *Service) Name() string                { return "sts" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.Query }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Routes() []cloud.Route {
	return append([]cloud.Route{{Kind: cloud.ByScope, Key: "sts"},
		{Kind: cloud.ByPath, Key: jwksPath, Public: true, DataPlane: http.HandlerFunc(s.serveJWKS)}}, s.federatedRoutes()...)
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == jwksPath {
		s.serveJWKS(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// Summary counts the temporary credentials issued.
func (s *Service) Summary() map[string]any { return map[string]any{"sessions": s.store.Count()} }

// ---- wire shapes ----

type credentialsXML struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type getCallerIdentityResult struct {
	Arn     string
	UserId  string
	Account string
}

type assumedRoleUser struct {
	AssumedRoleId string
	Arn           string
}

type assumeRoleResult struct {
	Credentials      credentialsXML
	AssumedRoleUser  assumedRoleUser
	PackedPolicySize *int   `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
}

type getSessionTokenResult struct {
	Credentials credentialsXML
}

// ---- inputs: members, constraints as the model states them ----

type assumeRoleInput struct {
	RoleArn         *string `required:"true" min:"20" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"`
	RoleSessionName *string `required:"true" min:"2" max:"64" pattern:"[\\w+=,.@-]*"`
	DurationSeconds *int    `min:"900" max:"43200"`
	Policy          *string `min:"1" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	ExternalId      *string `min:"2" max:"1224" pattern:"[\\w+=,.@:\\/-]*"`
	SourceIdentity  *string `min:"2" max:"64" pattern:"[\\w+=,.@-]*"`
	// Accepted and checked against the model, not applied: sessions carry
	// no session policies, tags or MFA context here.
	PolicyArns        []policyDescriptor `max:"10"`
	Tags              []tagInput         `max:"50"`
	TransitiveTagKeys []*string          `max:"50"`
	SerialNumber      *string            `min:"9" max:"256" pattern:"[\\w+=/:,.@-]*"`
	TokenCode         *string            `min:"6" max:"6" pattern:"[\\d]*"`
	ProvidedContexts  []providedContext  `min:"1" max:"5"`
}

// providedContext is AssumeRole's ProvidedContexts member as STS's model
// constrains it.
type providedContext struct {
	ProviderArn      *string `min:"20" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"`
	ContextAssertion *string `min:"4" max:"2048"`
}

type getSessionTokenInput struct {
	DurationSeconds *int    `min:"900" max:"129600"`
	SerialNumber    *string `min:"9" max:"256" pattern:"[\\w+=/:,.@-]*"`
	TokenCode       *string `min:"6" max:"6" pattern:"[\\d]*"`
}

// policyDescriptor names a managed policy by ARN.
type policyDescriptor struct {
	Arn *string `query:"arn" min:"20" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"`
}

type tagInput struct {
	Key   *string `required:"true" min:"1" max:"128" pattern:"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"`
	Value *string `required:"true" max:"256" pattern:"[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"`
}

type getFederationTokenInput struct {
	Name            *string `required:"true" min:"2" max:"32" pattern:"[\\w+=,.@-]*"`
	Policy          *string `min:"1" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	PolicyArns      []policyDescriptor
	DurationSeconds *int       `min:"900" max:"129600"`
	Tags            []tagInput `max:"50"`
}

type assumeRootInput struct {
	TargetPrincipal *string           `required:"true" min:"12" max:"2048"`
	TaskPolicyArn   *policyDescriptor `required:"true"`
	DurationSeconds *int              `min:"0" max:"900"`
}

type getAccessKeyInfoInput struct {
	AccessKeyId *string `required:"true" min:"16" max:"128" pattern:"[\\w]*"`
}

var (
	roleARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]+)$`)
)

// ---- credentials ----

// derive stretches seed into n characters of alphabet, so fixed IDs in
// tests give fixed credentials.
func derive(seed, label, alphabet string, n int) string {
	out := make([]byte, 0, n)
	for block := uint32(0); len(out) < n; block++ {
		var ctr [4]byte
		binary.BigEndian.PutUint32(ctr[:], block)
		sum := sha256.Sum256([]byte(label + "\x00" + seed + string(ctr[:])))
		for _, b := range sum {
			if len(out) == n {
				break
			}
			out = append(out, alphabet[int(b)%len(alphabet)])
		}
	}
	return string(out)
}

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// newCredentials issues temporary credentials shaped like AWS's.
func (s *Service) newCredentials() Credentials {
	seed := s.env.NewID()
	return Credentials{
		AccessKeyID:     "ASIA" + derive(seed, "key", upperDigits, 16),
		SecretAccessKey: derive(seed, "secret", base64Chars, 40),
		SessionToken:    "FwoGZXIvYXdzE" + derive(seed, "token", base64Chars, 343),
	}
}

func (c Credentials) xml(expires time.Time) credentialsXML {
	return credentialsXML{
		AccessKeyId: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Expiration: expires.UTC().Format(time.RFC3339),
	}
}

// callerIdentity is who signed the request: the holder of temporary
// credentials this emulator issued, an IAM user by one of their access
// keys, else the account root.
func (s *Service) callerIdentity(c *awsproto.Call) Identity {
	key := awsproto.AccessKeyOf(c.Request)
	if id, ok := s.store.Lookup(key, s.env.Now()); ok {
		return id
	}
	if id, ok := s.userKey(key); ok {
		return id
	}
	// Sessions another account's STS issued into this account (AssumeRole
	// of this account's role).
	if d, ok := s.env.Links.Get(cloud.LinkSessions).(cloud.SessionDirectory); ok && key != "" {
		if si, ok := d.Session(key); ok && si.Account == s.env.Account {
			return Identity{Account: si.Account, Arn: si.Arn, UserID: si.UserID, AssumedRole: si.AssumedRole, Federated: si.Federated}
		}
	}
	return s.root()
}

// SessionIdentity returns who temporary credentials this STS issued, and
// that have not expired, belong to.
func (s *Service) SessionIdentity(accessKey string) (cloud.SessionIdentity, bool) {
	id, ok := s.store.Lookup(accessKey, s.env.Now())
	if !ok {
		return cloud.SessionIdentity{}, false
	}
	return cloud.SessionIdentity{
		CallerIdentity: cloud.CallerIdentity{Account: id.Account, Arn: id.Arn, UserID: id.UserID},
		AssumedRole:    id.AssumedRole, Federated: id.Federated,
	}, true
}

// KeyAccount is cloud.KeyOwner: the account of the identity temporary
// credentials were issued to.
func (s *Service) KeyAccount(accessKey string) (string, bool) {
	id, ok := s.store.Lookup(accessKey, s.env.Now())
	return id.Account, ok
}

func (s *Service) root() Identity {
	return Identity{Account: s.env.Account, Arn: "arn:aws:iam::" + s.env.Account + ":root", UserID: s.env.Account}
}

// ---- operations ----

func (s *Service) getCallerIdentity(c *awsproto.Call, _ *struct{}) (getCallerIdentityResult, error) {
	id := s.callerIdentity(c)
	return getCallerIdentityResult{Arn: id.Arn, UserId: id.UserID, Account: id.Account}, nil
}

func (s *Service) assumeRole(c *awsproto.Call, in *assumeRoleInput) (assumeRoleResult, error) {
	id, err := roleSession(*in.RoleArn, *in.RoleSessionName)
	if err != nil {
		return assumeRoleResult{}, err
	}
	out := assumeRoleResult{SourceIdentity: deref(in.SourceIdentity)}
	if in.Policy != nil {
		if !json.Valid([]byte(*in.Policy)) {
			return assumeRoleResult{}, errMalformedPolicy.New("The policy is not in the valid JSON format.")
		}
		size := len(*in.Policy) * 100 / 2048
		out.PackedPolicySize = &size
	}
	now := s.env.Now()
	d := seconds(in.DurationSeconds, 3600)
	creds := s.newCredentials()
	out.Credentials = creds.xml(now.Add(d))
	out.AssumedRoleUser = assumedRoleUser{AssumedRoleId: id.UserID, Arn: id.Arn}
	s.store.Remember(creds, id, now.Add(d), now)
	return out, nil
}

// roleSession is who a session of roleARN named sessionName is.
func roleSession(roleARN, sessionName string) (Identity, error) {
	m := roleARNPattern.FindStringSubmatch(roleARN)
	if m == nil {
		return Identity{}, errValidation.Errorf("%s is invalid", roleARN)
	}
	account, roleName := m[1], m[2]
	// A role's ID is stable across sessions, as on AWS.
	roleID := "AROA" + derive(roleARN, "role", upperDigits, 17)
	return Identity{
		Account:     account,
		Arn:         "arn:" + strings.SplitN(roleARN, ":", 3)[1] + ":sts::" + account + ":assumed-role/" + roleName + "/" + sessionName,
		UserID:      roleID + ":" + sessionName,
		AssumedRole: true,
	}, nil
}

// IssueSession gives code the cloud runs credentials of its own: a
// session of roleARN named sessionName (a function's execution role, as
// Lambda does), or of the account root when roleARN is empty. They are
// valid, with their session token, until revoke is called.
func (s *Service) IssueSession(roleARN, sessionName string) (cloud.TemporaryCredentials, func(), error) {
	id := s.root()
	if roleARN != "" {
		var err error
		if id, err = roleSession(roleARN, sessionName); err != nil {
			return cloud.TemporaryCredentials{}, nil, err
		}
	}
	c := s.newCredentials()
	revoke := s.store.Hold(c, id)
	return cloud.TemporaryCredentials(c), revoke, nil
}

// LookupSession returns temporary credentials this cloud issued and still
// remembers, with their expiry (zero: until revoked).
func (s *Service) LookupSession(accessKey string) (cloud.TemporaryCredentials, time.Time, bool) {
	c, exp, ok := s.store.Secret(accessKey)
	return cloud.TemporaryCredentials(c), exp, ok
}

func (s *Service) getSessionToken(c *awsproto.Call, in *getSessionTokenInput) (getSessionTokenResult, error) {
	caller := s.callerIdentity(c)
	if caller.AssumedRole || caller.Federated {
		return getSessionTokenResult{}, errAccessDenied.New("Cannot call GetSessionToken with session credentials")
	}
	now := s.env.Now()
	d := seconds(in.DurationSeconds, 43200)
	creds := s.newCredentials()
	s.store.Remember(creds, caller, now.Add(d), now)
	return getSessionTokenResult{Credentials: creds.xml(now.Add(d))}, nil
}

type federatedUser struct {
	FederatedUserId string
	Arn             string
}

type getFederationTokenResult struct {
	Credentials      credentialsXML
	FederatedUser    federatedUser
	PackedPolicySize *int `xml:",omitempty"`
}

// getFederationToken issues credentials of a federated user of the
// caller's account, for at most 36 hours (one hour for the root).
func (s *Service) getFederationToken(c *awsproto.Call, in *getFederationTokenInput) (getFederationTokenResult, error) {
	caller := s.callerIdentity(c)
	if caller.AssumedRole || caller.Federated {
		return getFederationTokenResult{}, errAccessDenied.New("Cannot call GetFederationToken with session credentials")
	}
	var out getFederationTokenResult
	if in.Policy != nil {
		if !json.Valid([]byte(*in.Policy)) {
			return out, errMalformedPolicy.New("The policy is not in the valid JSON format.")
		}
	}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		size := packedSize(in.Policy, len(in.PolicyArns), len(in.Tags))
		if size > 100 {
			return out, errPackedPolicyTooLarge.Errorf("Packed size of consumed policies and tags exceeds %d%% of the allowed value.", size)
		}
		out.PackedPolicySize = &size
	}
	d := seconds(in.DurationSeconds, 43200)
	if caller.Arn == s.root().Arn && d > time.Hour {
		d = time.Hour // the root's federation tokens last an hour at most
	}
	id := Identity{Account: caller.Account, Arn: "arn:aws:sts::" + caller.Account + ":federated-user/" + *in.Name,
		UserID: caller.Account + ":" + *in.Name, Federated: true}
	now := s.env.Now()
	creds := s.newCredentials()
	s.store.Remember(creds, id, now.Add(d), now)
	out.Credentials = creds.xml(now.Add(d))
	out.FederatedUser = federatedUser{FederatedUserId: id.UserID, Arn: id.Arn}
	return out, nil
}

// packedSize is how much of the session policy allowance a policy, managed
// policy ARNs and tags use, in percent (an estimate of AWS's packing).
func packedSize(policy *string, arns, tags int) int {
	n := arns*4 + tags*2
	if policy != nil {
		n += len(*policy) * 100 / 2048
	}
	return n
}

type assumeRootResult struct {
	Credentials    credentialsXML
	SourceIdentity string `xml:",omitempty"`
}

// rootTaskPolicies are the task policies AssumeRoot accepts.
var rootTaskPolicies = map[string]bool{
	"IAMAuditRootUserCredentials": true, "IAMCreateRootUserPassword": true, "IAMDeleteRootUserCredentials": true,
	"S3UnlockBucketPolicy": true, "SQSUnlockQueuePolicy": true,
}

// assumeRoot issues short credentials of a member account's root, limited
// to one task.
func (s *Service) assumeRoot(c *awsproto.Call, in *assumeRootInput) (assumeRootResult, error) {
	if !accountPattern.MatchString(*in.TargetPrincipal) {
		return assumeRootResult{}, errValidation.Errorf("%s is not a valid account ID.", *in.TargetPrincipal)
	}
	arn := deref(in.TaskPolicyArn.Arn)
	name, ok := strings.CutPrefix(arn, "arn:aws:iam::aws:policy/root-task/")
	if !ok || !rootTaskPolicies[name] {
		return assumeRootResult{}, errValidation.Errorf("%s is not a valid task policy ARN.", arn)
	}
	account := *in.TargetPrincipal
	id := Identity{Account: account, Arn: "arn:aws:iam::" + account + ":root", UserID: account, AssumedRole: true}
	now := s.env.Now()
	d := seconds(in.DurationSeconds, 900)
	creds := s.newCredentials()
	s.store.Remember(creds, id, now.Add(d), now)
	return assumeRootResult{Credentials: creds.xml(now.Add(d))}, nil
}

var accountPattern = regexp.MustCompile(`^\d{12}$`)

type getAccessKeyInfoResult struct{ Account string }

func (s *Service) getAccessKeyInfo(c *awsproto.Call, in *getAccessKeyInfoInput) (getAccessKeyInfoResult, error) {
	account := s.env.Account
	if id, ok := s.store.Lookup(*in.AccessKeyId, s.env.Now()); ok {
		account = id.Account
	} else if id, ok := s.userKey(*in.AccessKeyId); ok {
		account = id.Account
	} else if a, ok := awsproto.AccountOfAccessKey(*in.AccessKeyId); ok {
		account = a
	}
	return getAccessKeyInfoResult{account}, nil
}

func seconds(n *int, def int) time.Duration {
	if n == nil {
		return time.Duration(def) * time.Second
	}
	return time.Duration(*n) * time.Second
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

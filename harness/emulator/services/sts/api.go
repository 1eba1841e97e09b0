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
	api   awsproto.QueryService
}

// New returns the STS service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore()}
	s.api = awsproto.QueryService{
		Base:  awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		XMLNS: XMLNS,
		Ops: map[string]awsproto.QueryOp{
			"GetCallerIdentity": s.getCallerIdentity,
			"AssumeRole":        s.assumeRole,
			"GetSessionToken":   s.getSessionToken,
			"GetAccessKeyInfo":  s.getAccessKeyInfo,
		},
	}
	return s
}

func (s *Service) Name() string                { return "sts" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.Query }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{{Kind: cloud.ByScope, Key: "sts"}}
}
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

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

// ---- validation ----

func requiredParam(f awsproto.Form, key, field string) (string, error) {
	if !f.Has(key) {
		return "", awsproto.NotNull(errValidation, field)
	}
	return f.Get(key), nil
}

// checkLen is awsproto's length constraint with STS's code (ValidationError).
func checkLen(v, field string, min, max int) error {
	return awsproto.CheckLength(errValidation, v, field, min, max)
}

func duration(f awsproto.Form, def, min, max int) (time.Duration, error) {
	n, err := f.Int("DurationSeconds", def)
	if err != nil {
		return 0, err
	}
	if err := awsproto.CheckValue(errValidation, n, "durationSeconds", min, max); err != nil {
		return 0, err
	}
	return time.Duration(n) * time.Second, nil
}

var (
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)
	roleARNPattern     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]+)$`)
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
func (s *Service) newCredentials(now time.Time, d time.Duration) credentialsXML {
	seed := s.env.NewID()
	return credentialsXML{
		AccessKeyId:     "ASIA" + derive(seed, "key", upperDigits, 16),
		SecretAccessKey: derive(seed, "secret", base64Chars, 40),
		SessionToken:    "FwoGZXIvYXdzE" + derive(seed, "token", base64Chars, 343),
		Expiration:      now.Add(d).UTC().Format(time.RFC3339),
	}
}

// callerIdentity is who signed the request: an assumed role whose
// credentials this emulator issued, else the account root.
func (s *Service) callerIdentity(c *awsproto.Call) Identity {
	if id, ok := s.store.Lookup(awsproto.AccessKeyOf(c.Request), s.env.Now()); ok {
		return id
	}
	return Identity{Account: s.env.Account, Arn: "arn:aws:iam::" + s.env.Account + ":root", UserID: s.env.Account}
}

// ---- operations ----

func (s *Service) getCallerIdentity(c *awsproto.Call, f awsproto.Form) (any, error) {
	id := s.callerIdentity(c)
	return getCallerIdentityResult{Arn: id.Arn, UserId: id.UserID, Account: id.Account}, nil
}

func (s *Service) assumeRole(c *awsproto.Call, f awsproto.Form) (any, error) {
	roleARN, err := requiredParam(f, "RoleArn", "roleArn")
	if err != nil {
		return nil, err
	}
	sessionName, err := requiredParam(f, "RoleSessionName", "roleSessionName")
	if err != nil {
		return nil, err
	}
	if err := checkLen(roleARN, "roleArn", 20, 2048); err != nil {
		return nil, err
	}
	if err := checkLen(sessionName, "roleSessionName", 2, 64); err != nil {
		return nil, err
	}
	if !sessionNamePattern.MatchString(sessionName) {
		return nil, awsproto.Constraint(errValidation, sessionName, "roleSessionName", awsproto.Pattern(`[\w+=,.@-]*`))
	}
	m := roleARNPattern.FindStringSubmatch(roleARN)
	if m == nil {
		return nil, errValidation.Errorf("%s is invalid", roleARN)
	}
	account, roleName := m[1], m[2]
	d, err := duration(f, 3600, 900, 43200)
	if err != nil {
		return nil, err
	}
	out := assumeRoleResult{SourceIdentity: f.Get("SourceIdentity")}
	if f.Has("Policy") {
		policy := f.Get("Policy")
		if err := checkLen(policy, "policy", 1, 2048); err != nil {
			return nil, err
		}
		if !json.Valid([]byte(policy)) {
			return nil, errMalformedPolicy.New("The policy is not in the valid JSON format.")
		}
		size := len(policy) * 100 / 2048
		out.PackedPolicySize = &size
	}
	if ext := f.Get("ExternalId"); ext != "" {
		if err := checkLen(ext, "externalId", 2, 1224); err != nil {
			return nil, err
		}
	}
	now := s.env.Now()
	out.Credentials = s.newCredentials(now, d)
	// A role's ID is stable across sessions, as on AWS.
	roleID := "AROA" + derive(roleARN, "role", upperDigits, 17)
	out.AssumedRoleUser = assumedRoleUser{
		AssumedRoleId: roleID + ":" + sessionName,
		Arn:           "arn:" + strings.SplitN(roleARN, ":", 3)[1] + ":sts::" + account + ":assumed-role/" + roleName + "/" + sessionName,
	}
	s.store.Remember(out.Credentials.AccessKeyId, Identity{
		Account: account, Arn: out.AssumedRoleUser.Arn, UserID: out.AssumedRoleUser.AssumedRoleId, AssumedRole: true,
	}, now.Add(d), now)
	return out, nil
}

func (s *Service) getSessionToken(c *awsproto.Call, f awsproto.Form) (any, error) {
	caller := s.callerIdentity(c)
	if caller.AssumedRole {
		return nil, errAccessDenied.New("Cannot call GetSessionToken with session credentials")
	}
	d, err := duration(f, 43200, 900, 129600)
	if err != nil {
		return nil, err
	}
	if sn := f.Get("SerialNumber"); f.Has("SerialNumber") {
		if err := checkLen(sn, "serialNumber", 9, 256); err != nil {
			return nil, err
		}
	}
	if tc := f.Get("TokenCode"); f.Has("TokenCode") {
		if err := checkLen(tc, "tokenCode", 6, 6); err != nil {
			return nil, err
		}
	}
	now := s.env.Now()
	creds := s.newCredentials(now, d)
	s.store.Remember(creds.AccessKeyId, caller, now.Add(d), now)
	return getSessionTokenResult{Credentials: creds}, nil
}

func (s *Service) getAccessKeyInfo(c *awsproto.Call, f awsproto.Form) (any, error) {
	key, err := requiredParam(f, "AccessKeyId", "accessKeyId")
	if err != nil {
		return nil, err
	}
	if err := checkLen(key, "accessKeyId", 16, 128); err != nil {
		return nil, err
	}
	account := s.env.Account
	if id, ok := s.store.Lookup(key, s.env.Now()); ok {
		account = id.Account
	}
	return struct{ Account string }{account}, nil
}

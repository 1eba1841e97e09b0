package iam

import (
	"slices"
	"strings"
	"sync"
)

// Tag is an IAM tag.
type Tag struct{ Key, Value string }

// maxTags is how many tags an IAM entity may carry.
const maxTags = 50

func mergeTags(have, add []Tag) ([]Tag, error) {
	out := slices.Clone(have)
	for _, t := range add {
		if i := slices.IndexFunc(out, func(x Tag) bool { return x.Key == t.Key }); i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, errLimitExceeded.New("The number of tags has reached the maximum limit.")
	}
	return out, nil
}

// Store is the account's IAM. IAM is global and its operations cross
// entities (attachment counts, delete conflicts), so one lock guards the
// whole account's IAM; it is never held across another service.
type Store struct {
	account  string
	newID    func(prefix string) string
	newKeyID func(prefix string) string // access key IDs

	mu       sync.RWMutex
	roles    map[string]*role // by lower-cased name: IAM names are case-insensitive
	policies map[string]*policy
	profiles map[string]*instanceProfile
	users    map[string]*user
	groups   map[string]*group
	keys     map[string]*accessKey // by access key ID

	passwordPolicy  *PasswordPolicy // nil: IAM's default
	alias           string          // the account alias, "" when none
	deletionTasks   map[string]bool // service-linked role deletions, by task ID
	oidc            map[string]*OIDCProvider
	saml            map[string]*SAMLProvider
	mfa             map[string]*mfaDevice // virtual MFA devices by serial number
	tokenVersion    string                // SetSecurityTokenServicePreferences
	report          *credentialReport
	serverCerts     map[string]*ServerCertificate
	outboundEnabled bool   // outbound web identity federation
	issuer          string // its issuer URL, once made
}

// NewStore returns an empty IAM; newID makes entity IDs ("AROA…"),
// newKeyID access key IDs ("AKIA…").
func NewStore(account string, newID, newKeyID func(prefix string) string) *Store {
	s := &Store{account: account, newID: newID, newKeyID: newKeyID}
	s.Reset()
	return s
}

// Reset forgets every role, policy, instance profile, user, group and key.
func (s *Store) Reset() {
	s.mu.Lock()
	s.roles = map[string]*role{}
	s.policies = map[string]*policy{}
	s.profiles = map[string]*instanceProfile{}
	s.users = map[string]*user{}
	s.groups = map[string]*group{}
	s.keys = map[string]*accessKey{}
	s.passwordPolicy = nil
	s.alias = ""
	s.deletionTasks = map[string]bool{}
	s.oidc = map[string]*OIDCProvider{}
	s.saml = map[string]*SAMLProvider{}
	s.mfa = map[string]*mfaDevice{}
	s.tokenVersion = "v1Token"
	s.report = nil
	s.serverCerts = map[string]*ServerCertificate{}
	s.outboundEnabled, s.issuer = false, ""
	s.mu.Unlock()
}

func key(name string) string { return strings.ToLower(name) }

func (s *Store) arn(kind, path, name string) string {
	return "arn:aws:iam::" + s.account + ":" + kind + path + name
}

// Counts summarises the account's IAM.
func (s *Store) Counts() map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	local := 0
	for _, p := range s.policies {
		if !p.AWSManaged {
			local++
		}
	}
	return map[string]int{"roles": len(s.roles), "policies": local, "instanceProfiles": len(s.profiles),
		"users": len(s.users), "groups": len(s.groups), "accessKeys": len(s.keys)}
}

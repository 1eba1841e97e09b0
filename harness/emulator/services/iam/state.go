package iam

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is IAM's saved state (version 1): users with their groups,
// policies, access keys, login profiles, SSH keys, signing certificates
// and service credentials; groups; roles; managed policies with every
// version (AWS managed ones once used, with their attachment counts);
// instance profiles; OIDC and SAML providers; virtual MFA devices; server
// certificates; the account alias, password policy and STS token version.
// Decoupled from the store's structs, it changes only with stateVersion.
//
// It holds secrets, as the emulator does: access keys' secret keys (so a
// loaded key keeps signing), bcrypt hashes of console passwords, MFA
// seeds, service-specific passwords. Treat a snapshot like the keys it
// holds.
//
// Not saved: service-linked role deletion tasks, the credential report,
// outbound web identity federation's issuer, MFA devices' last accepted
// time step (a code used just before the save is accepted once more).
type State struct {
	Users           []UserState          `json:"users"`
	Groups          []GroupState         `json:"groups,omitempty"`
	Roles           []RoleState          `json:"roles,omitempty"`
	Policies        []PolicyState        `json:"policies,omitempty"`
	Profiles        []ProfileState       `json:"instanceProfiles,omitempty"`
	OIDC            []OIDCState          `json:"oidcProviders,omitempty"`
	SAML            []SAMLState          `json:"samlProviders,omitempty"`
	MFA             []MFAState           `json:"virtualMfaDevices,omitempty"`
	ServerCerts     []ServerCertState    `json:"serverCertificates,omitempty"`
	Alias           string               `json:"accountAlias,omitempty"`
	PasswordPolicy  *PasswordPolicyState `json:"passwordPolicy,omitempty"`
	STSTokenVersion string               `json:"stsTokenVersion,omitempty"`
}

// TagState is a tag.
type TagState struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// PrincipalPolicies are a user's, group's or role's inline policies (name
// → document) and attached managed policies (ARNs, in attachment order).
type PrincipalPolicies struct {
	Inline   map[string]string `json:"inlinePolicies,omitempty"`
	Attached []string          `json:"attachedPolicies,omitempty"`
}

// UserState is a user. Groups are group names, in the order joined.
type UserState struct {
	Name                string     `json:"name"`
	Path                string     `json:"path"`
	ID                  string     `json:"id"`
	ARN                 string     `json:"arn"`
	PermissionsBoundary string     `json:"permissionsBoundary,omitempty"`
	Created             time.Time  `json:"created"`
	PasswordLastUsed    time.Time  `json:"passwordLastUsed,omitzero"`
	Tags                []TagState `json:"tags,omitempty"`
	PrincipalPolicies
	Groups             []string           `json:"groups,omitempty"`
	AccessKeys         []AccessKeyState   `json:"accessKeys,omitempty"`
	Login              *LoginState        `json:"loginProfile,omitempty"`
	SSHKeys            []SSHKeyState      `json:"sshPublicKeys,omitempty"`
	SigningCerts       []SigningCertState `json:"signingCertificates,omitempty"`
	ServiceCredentials []ServiceCredState `json:"serviceSpecificCredentials,omitempty"`
}

// AccessKeyState is an access key with its secret.
type AccessKeyState struct {
	ID          string    `json:"id"`
	Secret      string    `json:"secret"`
	Status      string    `json:"status"`
	Created     time.Time `json:"created"`
	LastUsed    time.Time `json:"lastUsed,omitzero"`
	LastService string    `json:"lastService,omitempty"`
	LastRegion  string    `json:"lastRegion,omitempty"`
}

// LoginState is a console password: its bcrypt hash and the hashes of
// earlier passwords (base64), newest first.
type LoginState struct {
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"resetRequired,omitempty"`
	Hash          []byte    `json:"hash"`
	History       [][]byte  `json:"history,omitempty"`
}

// SSHKeyState is an SSH public key.
type SSHKeyState struct {
	ID          string    `json:"id"`
	Body        string    `json:"body"`
	Fingerprint string    `json:"fingerprint"`
	Status      string    `json:"status"`
	PEM         string    `json:"pem"`
	Uploaded    time.Time `json:"uploaded"`
}

// SigningCertState is a signing certificate.
type SigningCertState struct {
	ID       string    `json:"id"`
	Body     string    `json:"body"`
	Status   string    `json:"status"`
	Uploaded time.Time `json:"uploaded"`
}

// ServiceCredState is a service-specific credential, with its password.
type ServiceCredState struct {
	ID              string    `json:"id"`
	Service         string    `json:"service"`
	ServiceUserName string    `json:"serviceUserName"`
	Status          string    `json:"status"`
	Password        string    `json:"password"`
	Created         time.Time `json:"created"`
	Expires         time.Time `json:"expires,omitzero"`
}

// GroupState is a group; Members are user names, in the order they
// joined.
type GroupState struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	ID      string    `json:"id"`
	ARN     string    `json:"arn"`
	Created time.Time `json:"created"`
	Members []string  `json:"members,omitempty"`
	PrincipalPolicies
}

// RoleState is a role.
type RoleState struct {
	Name                string     `json:"name"`
	Path                string     `json:"path"`
	ID                  string     `json:"id"`
	ARN                 string     `json:"arn"`
	TrustPolicy         string     `json:"trustPolicy"`
	Description         string     `json:"description,omitempty"`
	MaxSessionDuration  int        `json:"maxSessionDuration"`
	PermissionsBoundary string     `json:"permissionsBoundary,omitempty"`
	Created             time.Time  `json:"created"`
	Tags                []TagState `json:"tags,omitempty"`
	PrincipalPolicies
}

// PolicyState is a managed policy with its versions, oldest first; Next
// is the number of its next version.
type PolicyState struct {
	Name           string               `json:"name"`
	Path           string               `json:"path"`
	ID             string               `json:"id"`
	ARN            string               `json:"arn"`
	Description    string               `json:"description,omitempty"`
	DefaultVersion string               `json:"defaultVersion"`
	Attachments    int                  `json:"attachments"`
	Created        time.Time            `json:"created"`
	Updated        time.Time            `json:"updated"`
	Tags           []TagState           `json:"tags,omitempty"`
	AWSManaged     bool                 `json:"awsManaged,omitempty"`
	Versions       []PolicyVersionState `json:"versions"`
	Next           int                  `json:"next"`
}

// PolicyVersionState is one version of a managed policy.
type PolicyVersionState struct {
	ID        string    `json:"id"`
	Document  string    `json:"document"`
	IsDefault bool      `json:"isDefault,omitempty"`
	Created   time.Time `json:"created"`
}

// ProfileState is an instance profile; Roles are role names.
type ProfileState struct {
	Name    string     `json:"name"`
	Path    string     `json:"path"`
	ID      string     `json:"id"`
	ARN     string     `json:"arn"`
	Created time.Time  `json:"created"`
	Roles   []string   `json:"roles,omitempty"`
	Tags    []TagState `json:"tags,omitempty"`
}

// OIDCState is an OpenID Connect provider.
type OIDCState struct {
	ARN         string     `json:"arn"`
	URL         string     `json:"url"`
	ClientIDs   []string   `json:"clientIds,omitempty"`
	Thumbprints []string   `json:"thumbprints,omitempty"`
	Created     time.Time  `json:"created"`
	Tags        []TagState `json:"tags,omitempty"`
}

// SAMLState is a SAML provider (its private keys' ids only, as the store
// keeps them).
type SAMLState struct {
	ARN            string         `json:"arn"`
	Name           string         `json:"name"`
	UUID           string         `json:"uuid"`
	Metadata       string         `json:"metadata"`
	Created        time.Time      `json:"created"`
	ValidUntil     time.Time      `json:"validUntil"`
	EncryptionMode string         `json:"encryptionMode,omitempty"`
	PrivateKeys    []SAMLKeyState `json:"privateKeys,omitempty"`
	Tags           []TagState     `json:"tags,omitempty"`
}

// SAMLKeyState is a SAML provider's private key id.
type SAMLKeyState struct {
	ID    string    `json:"id"`
	Added time.Time `json:"added"`
}

// MFAState is a virtual MFA device with its seed; User is set once it is
// enabled.
type MFAState struct {
	Serial  string     `json:"serial"`
	Seed    string     `json:"seed"`
	User    string     `json:"user,omitempty"`
	Enabled time.Time  `json:"enabled,omitzero"`
	Tags    []TagState `json:"tags,omitempty"`
}

// ServerCertState is a server certificate.
type ServerCertState struct {
	Name     string     `json:"name"`
	Path     string     `json:"path"`
	ID       string     `json:"id"`
	ARN      string     `json:"arn"`
	Body     string     `json:"body"`
	Chain    string     `json:"chain,omitempty"`
	Uploaded time.Time  `json:"uploaded"`
	Expires  time.Time  `json:"expires"`
	Tags     []TagState `json:"tags,omitempty"`
}

// PasswordPolicyState is the account's password policy.
type PasswordPolicyState struct {
	MinimumLength      int  `json:"minimumLength"`
	RequireSymbols     bool `json:"requireSymbols,omitempty"`
	RequireNumbers     bool `json:"requireNumbers,omitempty"`
	RequireUppercase   bool `json:"requireUppercase,omitempty"`
	RequireLowercase   bool `json:"requireLowercase,omitempty"`
	AllowUsersToChange bool `json:"allowUsersToChange,omitempty"`
	MaxAge             int  `json:"maxAgeDays,omitempty"`
	ReusePrevention    int  `json:"reusePrevention,omitempty"`
	HardExpiry         bool `json:"hardExpiry,omitempty"`
}

func tagsState(ts []Tag) []TagState {
	var out []TagState
	for _, t := range ts {
		out = append(out, TagState(t))
	}
	return out
}

func savedTags(ts []TagState) []Tag {
	var out []Tag
	for _, t := range ts {
		out = append(out, Tag(t))
	}
	return out
}

func policiesState(h holder) PrincipalPolicies {
	return PrincipalPolicies{Inline: maps.Clone(h.inline), Attached: slices.Clone(h.attached)}
}

func holderOf(p PrincipalPolicies) holder {
	h := holder{inline: map[string]string{}, attached: slices.Clone(p.Attached)}
	maps.Copy(h.inline, p.Inline)
	return h
}

// StateVersion, SaveState and LoadState make IAM a cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) { return s.store.saveState(), nil }

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	return s.store.loadState(st)
}

// --- saving

func (s *Store) saveState() State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := State{Users: []UserState{}, Alias: s.alias, STSTokenVersion: s.tokenVersion}
	for _, k := range slices.Sorted(maps.Keys(s.users)) {
		u := s.users[k]
		us := UserState{Name: u.Name, Path: u.Path, ID: u.ID, ARN: u.ARN, PermissionsBoundary: u.PermissionsBoundary, Created: u.Created,
			PasswordLastUsed: u.PasswordLastUsed, Tags: tagsState(u.Tags), PrincipalPolicies: policiesState(u.holder)}
		for _, g := range u.groups {
			us.Groups = append(us.Groups, g.Name)
		}
		for _, ak := range u.keys {
			us.AccessKeys = append(us.AccessKeys, AccessKeyState{ID: ak.ID, Secret: ak.Secret, Status: ak.Status, Created: ak.Created,
				LastUsed: ak.LastUsed, LastService: ak.LastService, LastRegion: ak.LastRegion})
		}
		if l := u.login; l != nil {
			us.Login = &LoginState{Created: l.Created, ResetRequired: l.ResetRequired, Hash: slices.Clone(l.hash), History: slices.Clone(l.history)}
		}
		for _, k := range u.sshKeys {
			us.SSHKeys = append(us.SSHKeys, SSHKeyState{ID: k.ID, Body: k.Body, Fingerprint: k.Fingerprint, Status: k.Status, PEM: k.PEM, Uploaded: k.Uploaded})
		}
		for _, c := range u.certs {
			us.SigningCerts = append(us.SigningCerts, SigningCertState{ID: c.ID, Body: c.Body, Status: c.Status, Uploaded: c.Uploaded})
		}
		for _, c := range u.serviceCreds {
			us.ServiceCredentials = append(us.ServiceCredentials, ServiceCredState{ID: c.ID, Service: c.Service, ServiceUserName: c.ServiceUserName,
				Status: c.Status, Password: c.Password, Created: c.Created, Expires: c.Expires})
		}
		out.Users = append(out.Users, us)
	}
	for _, k := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[k]
		gs := GroupState{Name: g.Name, Path: g.Path, ID: g.ID, ARN: g.ARN, Created: g.Created, PrincipalPolicies: policiesState(g.holder)}
		for _, u := range g.members {
			gs.Members = append(gs.Members, u.Name)
		}
		out.Groups = append(out.Groups, gs)
	}
	for _, k := range slices.Sorted(maps.Keys(s.roles)) {
		r := s.roles[k]
		out.Roles = append(out.Roles, RoleState{Name: r.Name, Path: r.Path, ID: r.ID, ARN: r.ARN, TrustPolicy: r.TrustPolicy, Description: r.Description,
			MaxSessionDuration: r.MaxSessionDuration, PermissionsBoundary: r.PermissionsBoundary, Created: r.Created, Tags: tagsState(r.Tags),
			PrincipalPolicies: PrincipalPolicies{Inline: maps.Clone(r.inline), Attached: slices.Clone(r.attached)}})
	}
	for _, arn := range slices.Sorted(maps.Keys(s.policies)) {
		p := s.policies[arn]
		ps := PolicyState{Name: p.Name, Path: p.Path, ID: p.ID, ARN: p.ARN, Description: p.Description, DefaultVersion: p.DefaultVersion,
			Attachments: p.Attachments, Created: p.Created, Updated: p.Updated, Tags: tagsState(p.Tags), AWSManaged: p.AWSManaged,
			Versions: []PolicyVersionState{}, Next: p.next}
		for _, v := range p.versions {
			ps.Versions = append(ps.Versions, PolicyVersionState(v))
		}
		out.Policies = append(out.Policies, ps)
	}
	for _, k := range slices.Sorted(maps.Keys(s.profiles)) {
		p := s.profiles[k]
		ps := ProfileState{Name: p.Name, Path: p.Path, ID: p.ID, ARN: p.ARN, Created: p.Created, Tags: tagsState(p.Tags)}
		for _, rk := range p.roles {
			if r := s.roles[rk]; r != nil {
				ps.Roles = append(ps.Roles, r.Name)
			}
		}
		out.Profiles = append(out.Profiles, ps)
	}
	for _, arn := range slices.Sorted(maps.Keys(s.oidc)) {
		p := s.oidc[arn]
		out.OIDC = append(out.OIDC, OIDCState{ARN: p.ARN, URL: p.URL, ClientIDs: slices.Clone(p.ClientIDs), Thumbprints: slices.Clone(p.Thumbprints),
			Created: p.Created, Tags: tagsState(p.Tags)})
	}
	for _, arn := range slices.Sorted(maps.Keys(s.saml)) {
		p := s.saml[arn]
		ss := SAMLState{ARN: p.ARN, Name: p.Name, UUID: p.UUID, Metadata: p.Metadata, Created: p.Created, ValidUntil: p.ValidUntil,
			EncryptionMode: p.EncryptionMode, Tags: tagsState(p.Tags)}
		for _, k := range p.PrivateKeys {
			ss.PrivateKeys = append(ss.PrivateKeys, SAMLKeyState(k))
		}
		out.SAML = append(out.SAML, ss)
	}
	for _, serial := range slices.Sorted(maps.Keys(s.mfa)) {
		d := s.mfa[serial]
		out.MFA = append(out.MFA, MFAState{Serial: d.Serial, Seed: d.Seed, User: d.User, Enabled: d.Enabled, Tags: tagsState(d.Tags)})
	}
	for _, k := range slices.Sorted(maps.Keys(s.serverCerts)) {
		c := s.serverCerts[k]
		out.ServerCerts = append(out.ServerCerts, ServerCertState{Name: c.Name, Path: c.Path, ID: c.ID, ARN: c.ARN, Body: c.Body, Chain: c.Chain,
			Uploaded: c.Uploaded, Expires: c.Expires, Tags: tagsState(c.Tags)})
	}
	if pp := s.passwordPolicy; pp != nil {
		p := PasswordPolicyState(*pp)
		out.PasswordPolicy = &p
	}
	return out
}

// --- loading

func (s *Store) loadState(st State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, gs := range st.Groups {
		if gs.Name == "" || s.groups[key(gs.Name)] != nil {
			return fmt.Errorf("group %q: no name, or saved twice", gs.Name)
		}
		s.groups[key(gs.Name)] = &group{Group: Group{Name: gs.Name, Path: gs.Path, ID: gs.ID, ARN: gs.ARN, Created: gs.Created},
			holder: holderOf(gs.PrincipalPolicies)}
	}
	for _, us := range st.Users {
		if us.Name == "" || s.users[key(us.Name)] != nil {
			return fmt.Errorf("user %q: no name, or saved twice", us.Name)
		}
		u := &user{User: User{Name: us.Name, Path: us.Path, ID: us.ID, ARN: us.ARN, PermissionsBoundary: us.PermissionsBoundary,
			Created: us.Created, PasswordLastUsed: us.PasswordLastUsed, Tags: savedTags(us.Tags)}, holder: holderOf(us.PrincipalPolicies)}
		for _, name := range us.Groups {
			g := s.groups[key(name)]
			if g == nil {
				return fmt.Errorf("user %s: its group %s is not saved", us.Name, name)
			}
			u.groups = append(u.groups, g)
		}
		for _, ks := range us.AccessKeys {
			if ks.ID == "" || s.keys[ks.ID] != nil {
				return fmt.Errorf("user %s: access key %q: no id, or saved twice", us.Name, ks.ID)
			}
			k := &accessKey{AccessKey: AccessKey{ID: ks.ID, Secret: ks.Secret, UserName: us.Name, Status: ks.Status, Created: ks.Created,
				LastUsed: ks.LastUsed, LastService: ks.LastService, LastRegion: ks.LastRegion}, owner: u}
			u.keys = append(u.keys, k)
			s.keys[k.ID] = k
		}
		if l := us.Login; l != nil {
			u.login = &loginProfile{LoginProfile: LoginProfile{UserName: us.Name, Created: l.Created, ResetRequired: l.ResetRequired},
				hash: l.Hash, history: l.History}
		}
		for _, k := range us.SSHKeys {
			u.sshKeys = append(u.sshKeys, &SSHPublicKey{UserName: us.Name, ID: k.ID, Body: k.Body, Fingerprint: k.Fingerprint, Status: k.Status,
				PEM: k.PEM, Uploaded: k.Uploaded})
		}
		for _, c := range us.SigningCerts {
			u.certs = append(u.certs, &SigningCertificate{UserName: us.Name, ID: c.ID, Body: c.Body, Status: c.Status, Uploaded: c.Uploaded})
		}
		for _, c := range us.ServiceCredentials {
			u.serviceCreds = append(u.serviceCreds, &ServiceCredential{ID: c.ID, UserName: us.Name, Service: c.Service,
				ServiceUserName: c.ServiceUserName, Status: c.Status, Password: c.Password, Created: c.Created, Expires: c.Expires})
		}
		s.users[key(us.Name)] = u
	}
	for _, gs := range st.Groups {
		g := s.groups[key(gs.Name)]
		for _, name := range gs.Members {
			u := s.users[key(name)]
			if u == nil || !slices.Contains(u.groups, g) {
				return fmt.Errorf("group %s: its member %s is not saved in it", gs.Name, name)
			}
			g.members = append(g.members, u)
		}
	}
	for _, rs := range st.Roles {
		if rs.Name == "" || s.roles[key(rs.Name)] != nil {
			return fmt.Errorf("role %q: no name, or saved twice", rs.Name)
		}
		h := holderOf(rs.PrincipalPolicies)
		s.roles[key(rs.Name)] = &role{Role: Role{Name: rs.Name, Path: rs.Path, ID: rs.ID, ARN: rs.ARN, TrustPolicy: rs.TrustPolicy,
			Description: rs.Description, MaxSessionDuration: rs.MaxSessionDuration, PermissionsBoundary: rs.PermissionsBoundary,
			Created: rs.Created, Tags: savedTags(rs.Tags)}, attached: h.attached, inline: h.inline}
	}
	for _, ps := range st.Policies {
		if ps.ARN == "" || s.policies[ps.ARN] != nil {
			return fmt.Errorf("policy %q: no ARN, or saved twice", ps.ARN)
		}
		p := &policy{Policy: Policy{Name: ps.Name, Path: ps.Path, ID: ps.ID, ARN: ps.ARN, Description: ps.Description,
			DefaultVersion: ps.DefaultVersion, Attachments: ps.Attachments, Created: ps.Created, Updated: ps.Updated,
			Tags: savedTags(ps.Tags), AWSManaged: ps.AWSManaged}, next: ps.Next}
		for _, v := range ps.Versions {
			p.versions = append(p.versions, PolicyVersion(v))
		}
		s.policies[p.ARN] = p
	}
	for _, ps := range st.Profiles {
		if ps.Name == "" || s.profiles[key(ps.Name)] != nil {
			return fmt.Errorf("instance profile %q: no name, or saved twice", ps.Name)
		}
		p := &instanceProfile{InstanceProfile: InstanceProfile{Name: ps.Name, Path: ps.Path, ID: ps.ID, ARN: ps.ARN, Created: ps.Created,
			Tags: savedTags(ps.Tags)}}
		for _, r := range ps.Roles {
			if s.roles[key(r)] == nil {
				return fmt.Errorf("instance profile %s: its role %s is not saved", ps.Name, r)
			}
			p.roles = append(p.roles, key(r))
		}
		s.profiles[key(ps.Name)] = p
	}
	for _, o := range st.OIDC {
		s.oidc[o.ARN] = &OIDCProvider{ARN: o.ARN, URL: o.URL, ClientIDs: o.ClientIDs, Thumbprints: o.Thumbprints, Created: o.Created, Tags: savedTags(o.Tags)}
	}
	for _, p := range st.SAML {
		sp := &SAMLProvider{ARN: p.ARN, Name: p.Name, UUID: p.UUID, Metadata: p.Metadata, Created: p.Created, ValidUntil: p.ValidUntil,
			EncryptionMode: p.EncryptionMode, Tags: savedTags(p.Tags)}
		for _, k := range p.PrivateKeys {
			sp.PrivateKeys = append(sp.PrivateKeys, SAMLKey(k))
		}
		s.saml[p.ARN] = sp
	}
	for _, d := range st.MFA {
		s.mfa[d.Serial] = &mfaDevice{MFADevice: MFADevice{Serial: d.Serial, Seed: d.Seed, User: d.User, Enabled: d.Enabled, Tags: savedTags(d.Tags)}}
	}
	for _, c := range st.ServerCerts {
		s.serverCerts[key(c.Name)] = &ServerCertificate{Name: c.Name, Path: c.Path, ID: c.ID, ARN: c.ARN, Body: c.Body, Chain: c.Chain,
			Uploaded: c.Uploaded, Expires: c.Expires, Tags: savedTags(c.Tags)}
	}
	s.alias = st.Alias
	if st.STSTokenVersion != "" {
		s.tokenVersion = st.STSTokenVersion
	}
	if pp := st.PasswordPolicy; pp != nil {
		p := PasswordPolicy(*pp)
		s.passwordPolicy = &p
	}
	return nil
}

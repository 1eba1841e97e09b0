package iam

import (
	"encoding/xml"
	"slices"
	"sort"
	"strings"
	"time"
)

// OIDCProvider is an OpenID Connect identity provider.
type OIDCProvider struct {
	ARN, URL    string
	ClientIDs   []string
	Thumbprints []string
	Created     time.Time
	Tags        []Tag
}

// SAMLProvider is a SAML 2.0 identity provider.
type SAMLProvider struct {
	ARN, Name, UUID string
	Metadata        string
	Created         time.Time
	ValidUntil      time.Time
	EncryptionMode  string
	PrivateKeys     []SAMLKey
	Tags            []Tag
}

// SAMLKey is a private key a SAML provider decrypts assertions with; only
// its ID and when it was added are ever shown.
type SAMLKey struct {
	ID    string
	Added time.Time
}

// Quotas of identity providers.
const (
	maxClientIDs   = 100
	maxThumbprints = 5
	maxSAMLKeys    = 2
)

func (p *OIDCProvider) clone() OIDCProvider {
	out := *p
	out.ClientIDs, out.Thumbprints, out.Tags = slices.Clone(p.ClientIDs), slices.Clone(p.Thumbprints), slices.Clone(p.Tags)
	return out
}

func (p *SAMLProvider) clone() SAMLProvider {
	out := *p
	out.PrivateKeys, out.Tags = slices.Clone(p.PrivateKeys), slices.Clone(p.Tags)
	return out
}

func noOIDC(arn string) error {
	return errNoSuchEntity.New("OpenIDConnect Provider not found for arn " + arn)
}

func noSAML(arn string) error {
	return errNoSuchEntity.New("SAMLProvider not found for arn " + arn)
}

// ---- OpenID Connect ----

// CreateOIDCProvider stores a provider for url (https://host[/path]).
func (s *Store) CreateOIDCProvider(in OIDCProvider, now time.Time) (OIDCProvider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in.ARN = "arn:aws:iam::" + s.account + ":oidc-provider/" + strings.TrimPrefix(in.URL, "https://")
	if _, ok := s.oidc[in.ARN]; ok {
		return OIDCProvider{}, errEntityExists.New("Provider with url " + in.URL + " already exists.")
	}
	in.Created = now
	p := in.clone()
	s.oidc[in.ARN] = &p
	return p.clone(), nil
}

// GetOIDCProvider returns a provider by ARN.
func (s *Store) GetOIDCProvider(arn string) (OIDCProvider, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.oidc[arn]
	if p == nil {
		return OIDCProvider{}, noOIDC(arn)
	}
	return p.clone(), nil
}

// OIDCProviderARNs lists the providers' ARNs, sorted.
func (s *Store) OIDCProviderARNs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.oidc))
	for arn := range s.oidc {
		out = append(out, arn)
	}
	sort.Strings(out)
	return out
}

// DeleteOIDCProvider removes a provider.
func (s *Store) DeleteOIDCProvider(arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oidc[arn] == nil {
		return noOIDC(arn)
	}
	delete(s.oidc, arn)
	return nil
}

// UpdateOIDCProvider changes a provider under the lock.
func (s *Store) UpdateOIDCProvider(arn string, f func(*OIDCProvider) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.oidc[arn]
	if p == nil {
		return noOIDC(arn)
	}
	return f(p)
}

// AddClientID adds an audience (a no-op when present).
func (p *OIDCProvider) AddClientID(id string) error {
	if slices.Contains(p.ClientIDs, id) {
		return nil
	}
	if len(p.ClientIDs) >= maxClientIDs {
		return errLimitExceeded.New("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	}
	p.ClientIDs = append(p.ClientIDs, id)
	return nil
}

// SetThumbprints replaces the server certificate thumbprints.
func (p *OIDCProvider) SetThumbprints(t []string) error {
	if len(t) > maxThumbprints {
		return errLimitExceeded.New("Thumbprint list must contain fewer than 5 entries.")
	}
	p.Thumbprints = slices.Clone(t)
	return nil
}

// ---- SAML ----

// samlMetadata is the root of a SAML metadata document, as far as IAM reads it.
type samlMetadata struct {
	XMLName    xml.Name
	ValidUntil string `xml:"validUntil,attr"`
}

// ParseSAMLMetadata checks that doc is a SAML metadata document (an
// EntityDescriptor) and returns its validUntil, zero when it sets none.
func ParseSAMLMetadata(doc string) (time.Time, error) {
	var m samlMetadata
	if err := xml.NewDecoder(strings.NewReader(doc)).Decode(&m); err != nil || m.XMLName.Local != "EntityDescriptor" {
		return time.Time{}, errInvalidInput.New("Could not parse metadata")
	}
	if m.ValidUntil == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, m.ValidUntil)
	if err != nil {
		return time.Time{}, errInvalidInput.New("Could not parse metadata")
	}
	return t, nil
}

// CreateSAMLProvider stores a provider named in.Name.
func (s *Store) CreateSAMLProvider(in SAMLProvider, now time.Time) (SAMLProvider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in.ARN = "arn:aws:iam::" + s.account + ":saml-provider/" + in.Name
	if _, ok := s.saml[in.ARN]; ok {
		return SAMLProvider{}, errEntityExists.New("SAMLProvider " + in.Name + " already exists")
	}
	in.Created = now
	if in.ValidUntil.IsZero() {
		in.ValidUntil = now.AddDate(100, 0, 0)
	}
	p := in.clone()
	s.saml[in.ARN] = &p
	return p.clone(), nil
}

// GetSAMLProvider returns a provider by ARN.
func (s *Store) GetSAMLProvider(arn string) (SAMLProvider, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.saml[arn]
	if p == nil {
		return SAMLProvider{}, noSAML(arn)
	}
	return p.clone(), nil
}

// SAMLProviders lists the providers by ARN.
func (s *Store) SAMLProviders() []SAMLProvider {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]SAMLProvider, 0, len(s.saml))
	for _, p := range s.saml {
		out = append(out, p.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// DeleteSAMLProvider removes a provider.
func (s *Store) DeleteSAMLProvider(arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saml[arn] == nil {
		return noSAML(arn)
	}
	delete(s.saml, arn)
	return nil
}

// UpdateSAMLProvider changes a provider under the lock.
func (s *Store) UpdateSAMLProvider(arn string, f func(*SAMLProvider) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.saml[arn]
	if p == nil {
		return noSAML(arn)
	}
	return f(p)
}

// AddKey adds a decryption key, at most two.
func (p *SAMLProvider) AddKey(id string, now time.Time) error {
	if len(p.PrivateKeys) >= maxSAMLKeys {
		return errLimitExceeded.New("Cannot exceed quota for PrivateKeysPerSamlProvider: 2")
	}
	p.PrivateKeys = append(p.PrivateKeys, SAMLKey{id, now})
	return nil
}

// RemoveKey removes a decryption key by ID.
func (p *SAMLProvider) RemoveKey(id string) error {
	i := slices.IndexFunc(p.PrivateKeys, func(k SAMLKey) bool { return k.ID == id })
	if i < 0 {
		return errInvalidInput.New("Private key " + id + " does not exist on the SAML provider.")
	}
	p.PrivateKeys = slices.Delete(p.PrivateKeys, i, i+1)
	return nil
}

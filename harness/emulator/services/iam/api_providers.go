package iam

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// OpenID Connect and SAML identity providers.

type oidcRef struct {
	OpenIDConnectProviderArn *string `required:"true" min:"20" max:"2048"`
}

type createOIDCInput struct {
	Url            *string `required:"true" min:"1" max:"255"`
	ClientIDList   []string
	ThumbprintList []string
	Tags           []tagInput `max:"50"`
}

// Validate: an https URL with a host, no query or fragment; thumbprints
// of 40 characters, client IDs of 1 to 255.
func (in *createOIDCInput) Validate() error {
	if err := checkOIDCURL(*in.Url); err != nil {
		return err
	}
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return err
	}
	for _, id := range in.ClientIDList {
		if id == "" || len(id) > 255 {
			return errInvalidInput.New("Client ID must be between 1 and 255 characters.")
		}
	}
	return nil
}

func checkOIDCURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errInvalidInput.New("Invalid Open ID Connect Provider URL")
	}
	return nil
}

func checkThumbprints(t []string) error {
	for _, tp := range t {
		if len(tp) != 40 {
			return errInvalidInput.New("Thumbprint must be 40 characters long.")
		}
	}
	return nil
}

type oidcClientInput struct {
	oidcRef
	ClientID *string `required:"true" min:"1" max:"255"`
}

type oidcThumbprintInput struct {
	oidcRef
	ThumbprintList []string `required:"true"`
}

// Validate: each thumbprint has 40 characters.
func (in *oidcThumbprintInput) Validate() error { return checkThumbprints(in.ThumbprintList) }

type oidcTagInput struct {
	oidcRef
	Tags []tagInput `required:"true" max:"50"`
}

type oidcUntagInput struct {
	oidcRef
	TagKeys []string `required:"true" max:"50"`
}

type oidcTagPage struct {
	oidcRef
	page
}

type createOIDCResult struct {
	OpenIDConnectProviderArn string
	Tags                     *members[tagXML] `xml:",omitempty"`
}

func (s *Service) createOIDCProvider(c *awsproto.Call, in *createOIDCInput) (createOIDCResult, error) {
	p, err := s.store.CreateOIDCProvider(OIDCProvider{URL: *in.Url, ClientIDs: in.ClientIDList, Thumbprints: in.ThumbprintList,
		Tags: tagsOf(in.Tags)}, s.env.Now())
	if err != nil {
		return createOIDCResult{}, err
	}
	return createOIDCResult{p.ARN, tagsXML(p.Tags)}, nil
}

type getOIDCResult struct {
	Url            string
	ClientIDList   members[string]
	ThumbprintList members[string]
	CreateDate     string
	Tags           *members[tagXML] `xml:",omitempty"`
}

func (s *Service) getOIDCProvider(c *awsproto.Call, in *oidcRef) (getOIDCResult, error) {
	p, err := s.store.GetOIDCProvider(*in.OpenIDConnectProviderArn)
	if err != nil {
		return getOIDCResult{}, err
	}
	id := func(s string) string { return s }
	return getOIDCResult{Url: strings.TrimPrefix(p.URL, "https://"), ClientIDList: membersOf(p.ClientIDs, id),
		ThumbprintList: membersOf(p.Thumbprints, id), CreateDate: isoTime(p.Created), Tags: tagsXML(p.Tags)}, nil
}

type arnEntry struct{ Arn string }

type listOIDCResult struct {
	OpenIDConnectProviderList members[arnEntry]
}

func (s *Service) listOIDCProviders(c *awsproto.Call, _ *struct{}) (listOIDCResult, error) {
	return listOIDCResult{membersOf(s.store.OIDCProviderARNs(), func(a string) arnEntry { return arnEntry{a} })}, nil
}

func (s *Service) deleteOIDCProvider(c *awsproto.Call, in *oidcRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteOIDCProvider(*in.OpenIDConnectProviderArn)
}

func (s *Service) addClientID(c *awsproto.Call, in *oidcClientInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateOIDCProvider(*in.OpenIDConnectProviderArn, func(p *OIDCProvider) error { return p.AddClientID(*in.ClientID) })
}

func (s *Service) removeClientID(c *awsproto.Call, in *oidcClientInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateOIDCProvider(*in.OpenIDConnectProviderArn, func(p *OIDCProvider) error {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(id string) bool { return id == *in.ClientID })
		return nil
	})
}

func (s *Service) updateThumbprints(c *awsproto.Call, in *oidcThumbprintInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateOIDCProvider(*in.OpenIDConnectProviderArn, func(p *OIDCProvider) error { return p.SetThumbprints(in.ThumbprintList) })
}

func (s *Service) tagOIDCProvider(c *awsproto.Call, in *oidcTagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateOIDCProvider(*in.OpenIDConnectProviderArn, func(p *OIDCProvider) error {
		t, err := mergeTags(p.Tags, tagsOf(in.Tags))
		if err == nil {
			p.Tags = t
		}
		return err
	})
}

func (s *Service) untagOIDCProvider(c *awsproto.Call, in *oidcUntagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateOIDCProvider(*in.OpenIDConnectProviderArn, func(p *OIDCProvider) error {
		p.Tags = slices.DeleteFunc(p.Tags, func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return nil
	})
}

func (s *Service) listOIDCProviderTags(c *awsproto.Call, in *oidcTagPage) (listTagsResult, error) {
	p, err := s.store.GetOIDCProvider(*in.OpenIDConnectProviderArn)
	if err != nil {
		return listTagsResult{}, err
	}
	shown, more, err := pageOf(p.Tags, nil, in.page, tagOut)
	return listTagsResult{shown, more}, err
}

// ---- SAML ----

type samlRef struct {
	SAMLProviderArn *string `required:"true" min:"20" max:"2048"`
}

type createSAMLInput struct {
	SAMLMetadataDocument    *string    `required:"true" min:"1000" max:"10000000"`
	Name                    *string    `required:"true" min:"1" max:"128" pattern:"[\\w._-]+"`
	Tags                    []tagInput `max:"50"`
	AssertionEncryptionMode *string    `enum:"Required,Allowed"`
	AddPrivateKey           *string    `min:"1" max:"16384" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
}

type updateSAMLInput struct {
	SAMLMetadataDocument *string `min:"1000" max:"10000000"`
	samlRef
	AssertionEncryptionMode *string `enum:"Required,Allowed"`
	AddPrivateKey           *string `min:"1" max:"16384" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" sensitive:"true"`
	RemovePrivateKey        *string `min:"22" max:"64" pattern:"[A-Z0-9]+"`
}

type samlTagInput struct {
	samlRef
	Tags []tagInput `required:"true" max:"50"`
}

type samlUntagInput struct {
	samlRef
	TagKeys []string `required:"true" max:"50"`
}

type samlTagPage struct {
	samlRef
	page
}

// keyID is the ID a SAML private key is known by: 22+ characters of [A-Z0-9].
func (s *Service) keyID() string { return s.entityID("") + s.entityID("")[:9] }

func (s *Service) createSAMLProvider(c *awsproto.Call, in *createSAMLInput) (createSAMLResult, error) {
	validUntil, err := ParseSAMLMetadata(*in.SAMLMetadataDocument)
	if err != nil {
		return createSAMLResult{}, err
	}
	now := s.env.Now()
	p := SAMLProvider{Name: *in.Name, UUID: s.keyID(), Metadata: *in.SAMLMetadataDocument, ValidUntil: validUntil,
		EncryptionMode: orDefault(in.AssertionEncryptionMode, "Allowed"), Tags: tagsOf(in.Tags)}
	if in.AddPrivateKey != nil {
		p.PrivateKeys = []SAMLKey{{s.keyID(), now}}
	}
	p, err = s.store.CreateSAMLProvider(p, now)
	if err != nil {
		return createSAMLResult{}, err
	}
	return createSAMLResult{p.ARN, tagsXML(p.Tags)}, nil
}

type createSAMLResult struct {
	SAMLProviderArn string
	Tags            *members[tagXML] `xml:",omitempty"`
}

type samlKeyXML struct {
	KeyId     string
	Timestamp string
}

type getSAMLResult struct {
	SAMLProviderUUID        string
	SAMLMetadataDocument    string
	CreateDate              string
	ValidUntil              string
	Tags                    *members[tagXML] `xml:",omitempty"`
	AssertionEncryptionMode string
	PrivateKeyList          *members[samlKeyXML] `xml:",omitempty"`
}

func (s *Service) getSAMLProvider(c *awsproto.Call, in *samlRef) (getSAMLResult, error) {
	p, err := s.store.GetSAMLProvider(*in.SAMLProviderArn)
	if err != nil {
		return getSAMLResult{}, err
	}
	out := getSAMLResult{SAMLProviderUUID: p.UUID, SAMLMetadataDocument: p.Metadata, CreateDate: isoTime(p.Created),
		ValidUntil: isoTime(p.ValidUntil), Tags: tagsXML(p.Tags), AssertionEncryptionMode: p.EncryptionMode}
	if len(p.PrivateKeys) > 0 {
		keys := membersOf(p.PrivateKeys, func(k SAMLKey) samlKeyXML { return samlKeyXML{k.ID, isoTime(k.Added)} })
		out.PrivateKeyList = &keys
	}
	return out, nil
}

type samlEntryXML struct {
	Arn        string
	ValidUntil string
	CreateDate string
}

type listSAMLResult struct {
	SAMLProviderList members[samlEntryXML]
}

func (s *Service) listSAMLProviders(c *awsproto.Call, _ *struct{}) (listSAMLResult, error) {
	return listSAMLResult{membersOf(s.store.SAMLProviders(), func(p SAMLProvider) samlEntryXML {
		return samlEntryXML{p.ARN, isoTime(p.ValidUntil), isoTime(p.Created)}
	})}, nil
}

type updateSAMLResult struct {
	SAMLProviderArn string
}

func (s *Service) updateSAMLProvider(c *awsproto.Call, in *updateSAMLInput) (updateSAMLResult, error) {
	var validUntil time.Time
	if in.SAMLMetadataDocument != nil {
		var err error
		if validUntil, err = ParseSAMLMetadata(*in.SAMLMetadataDocument); err != nil {
			return updateSAMLResult{}, err
		}
	}
	now, newKey := s.env.Now(), s.keyID()
	err := s.store.UpdateSAMLProvider(*in.SAMLProviderArn, func(p *SAMLProvider) error {
		if in.RemovePrivateKey != nil {
			if err := p.RemoveKey(*in.RemovePrivateKey); err != nil {
				return err
			}
		}
		if in.AddPrivateKey != nil {
			if err := p.AddKey(newKey, now); err != nil {
				return err
			}
		}
		if in.SAMLMetadataDocument != nil {
			p.Metadata = *in.SAMLMetadataDocument
			if !validUntil.IsZero() {
				p.ValidUntil = validUntil
			}
		}
		if in.AssertionEncryptionMode != nil {
			p.EncryptionMode = *in.AssertionEncryptionMode
		}
		return nil
	})
	return updateSAMLResult{*in.SAMLProviderArn}, err
}

func (s *Service) deleteSAMLProvider(c *awsproto.Call, in *samlRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteSAMLProvider(*in.SAMLProviderArn)
}

func (s *Service) tagSAMLProvider(c *awsproto.Call, in *samlTagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateSAMLProvider(*in.SAMLProviderArn, func(p *SAMLProvider) error {
		t, err := mergeTags(p.Tags, tagsOf(in.Tags))
		if err == nil {
			p.Tags = t
		}
		return err
	})
}

func (s *Service) untagSAMLProvider(c *awsproto.Call, in *samlUntagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateSAMLProvider(*in.SAMLProviderArn, func(p *SAMLProvider) error {
		p.Tags = slices.DeleteFunc(p.Tags, func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return nil
	})
}

func (s *Service) listSAMLProviderTags(c *awsproto.Call, in *samlTagPage) (listTagsResult, error) {
	p, err := s.store.GetSAMLProvider(*in.SAMLProviderArn)
	if err != nil {
		return listTagsResult{}, err
	}
	shown, more, err := pageOf(p.Tags, nil, in.page, tagOut)
	return listTagsResult{shown, more}, err
}

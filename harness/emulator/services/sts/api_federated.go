package sts

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// The federated calls AWS accepts without a signature (their model's
// auth is smithy.api#noAuth): the web identity token or SAML assertion
// is the proof of identity. The edge routes them by Action (cloud.ByAction)
// to unsigned, an API serving them alone, so no unsigned request reaches
// another STS operation.

const stsVersion = "2011-06-15"

// federatedRoutes are the edge's routes for the unsigned calls.
func (s *Service) federatedRoutes() []cloud.Route {
	var rs []cloud.Route
	for _, action := range []string{"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"} {
		rs = append(rs, cloud.Route{Kind: cloud.ByAction, Key: stsVersion + "/" + action, Public: true, DataPlane: http.HandlerFunc(s.unsigned.ServeHTTP)})
	}
	return rs
}

// registerFederated adds the federated calls to api (signed calls) and to
// unsigned.
func (s *Service) registerFederated() {
	for _, a := range []*awsproto.API{&s.api, &s.unsigned} {
		a.Register(
			awsproto.Handle("AssumeRoleWithWebIdentity", s.assumeRoleWithWebIdentity),
			awsproto.Handle("AssumeRoleWithSAML", s.assumeRoleWithSAML),
		)
	}
}

type assumeRoleWithWebIdentityInput struct {
	RoleArn          *string `required:"true" min:"20" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"`
	RoleSessionName  *string `required:"true" min:"2" max:"64" pattern:"[\\w+=,.@-]*"`
	WebIdentityToken *string `required:"true" min:"4" max:"20000" sensitive:"true"`
	ProviderId       *string `min:"4" max:"2048"`
	Policy           *string `min:"1" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	DurationSeconds  *int    `min:"900" max:"43200"`
	// Checked against the model, not applied (as AssumeRole's).
	PolicyArns []policyDescriptor
}

type assumeRoleWithWebIdentityResult struct {
	Credentials                 credentialsXML
	SubjectFromWebIdentityToken string `xml:",omitempty"`
	AssumedRoleUser             assumedRoleUser
	PackedPolicySize            *int   `xml:",omitempty"`
	Provider                    string `xml:",omitempty"`
	Audience                    string `xml:",omitempty"`
}

type assumeRoleWithSAMLInput struct {
	RoleArn         *string `required:"true" min:"20" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"`
	PrincipalArn    *string `required:"true" min:"20" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+"`
	SAMLAssertion   *string `required:"true" min:"4" max:"100000" sensitive:"true"`
	Policy          *string `min:"1" max:"2048" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
	DurationSeconds *int    `min:"900" max:"43200"`
	// Checked against the model, not applied (as AssumeRole's).
	PolicyArns []policyDescriptor
}

type assumeRoleWithSAMLResult struct {
	Credentials      credentialsXML
	AssumedRoleUser  assumedRoleUser
	PackedPolicySize *int   `xml:",omitempty"`
	Subject          string `xml:",omitempty"`
	SubjectType      string `xml:",omitempty"`
	Issuer           string `xml:",omitempty"`
	Audience         string `xml:",omitempty"`
	NameQualifier    string `xml:",omitempty"`
}

func (s *Service) assumeRoleWithWebIdentity(c *awsproto.Call, in *assumeRoleWithWebIdentityInput) (assumeRoleWithWebIdentityResult, error) {
	claims, err := ParseWebIdentityToken(*in.WebIdentityToken)
	if err != nil {
		return assumeRoleWithWebIdentityResult{}, err
	}
	id, err := roleSession(*in.RoleArn, *in.RoleSessionName)
	if err != nil {
		return assumeRoleWithWebIdentityResult{}, err
	}
	size, err := packedPolicySize(in.Policy)
	if err != nil {
		return assumeRoleWithWebIdentityResult{}, err
	}
	out := assumeRoleWithWebIdentityResult{
		SubjectFromWebIdentityToken: claims.Subject, PackedPolicySize: size,
		Provider: claims.Issuer, Audience: claims.Audience,
	}
	if in.ProviderId != nil { // an OAuth 2.0 provider names itself
		out.Provider = *in.ProviderId
	}
	out.Credentials, out.AssumedRoleUser = s.issueRoleSession(id, seconds(in.DurationSeconds, 3600))
	return out, nil
}

func (s *Service) assumeRoleWithSAML(c *awsproto.Call, in *assumeRoleWithSAMLInput) (assumeRoleWithSAMLResult, error) {
	a, err := ParseSAMLAssertion(*in.SAMLAssertion)
	if err != nil {
		return assumeRoleWithSAMLResult{}, err
	}
	if a.RoleSessionName == "" {
		return assumeRoleWithSAMLResult{}, errValidation.New("RoleSessionName is required in AuthnResponse")
	}
	id, err := roleSession(*in.RoleArn, a.RoleSessionName)
	if err != nil {
		return assumeRoleWithSAMLResult{}, err
	}
	size, err := packedPolicySize(in.Policy)
	if err != nil {
		return assumeRoleWithSAMLResult{}, err
	}
	d := seconds(in.DurationSeconds, 3600)
	if in.DurationSeconds == nil && a.SessionDuration >= 900 && a.SessionDuration <= 43200 {
		d = seconds(&a.SessionDuration, 3600)
	}
	// NameQualifier is, as AWS documents it, base64(SHA1(issuer + account
	// + "/" + the SAML provider's name)).
	account, provider := "", ""
	if p := strings.Split(*in.PrincipalArn, ":"); len(p) == 6 {
		account, provider = p[4], strings.TrimPrefix(p[5], "saml-provider/")
	}
	sum := sha1.Sum([]byte(a.Issuer + account + "/" + provider))
	out := assumeRoleWithSAMLResult{
		PackedPolicySize: size, Subject: a.Subject, SubjectType: a.SubjectType, Issuer: a.Issuer,
		Audience: a.Audience, NameQualifier: base64.StdEncoding.EncodeToString(sum[:]),
	}
	out.Credentials, out.AssumedRoleUser = s.issueRoleSession(id, d)
	return out, nil
}

// issueRoleSession issues and remembers credentials of a role session.
func (s *Service) issueRoleSession(id Identity, d time.Duration) (credentialsXML, assumedRoleUser) {
	now := s.env.Now()
	exp := now.Add(d)
	creds := s.newCredentials()
	s.store.Remember(creds, id, exp, now)
	return creds.xml(exp), assumedRoleUser{AssumedRoleId: id.UserID, Arn: id.Arn}
}

// packedPolicySize is AssumeRole's measure of a session policy.
func packedPolicySize(policy *string) (*int, error) {
	if policy == nil {
		return nil, nil
	}
	if !json.Valid([]byte(*policy)) {
		return nil, errMalformedPolicy.New("The policy is not in the valid JSON format.")
	}
	size := len(*policy) * 100 / 2048
	return &size, nil
}

// WebIdentityClaims are the claims of an OpenID Connect ID token STS
// answers with.
type WebIdentityClaims struct {
	Issuer, Subject, Audience string
}

// ParseWebIdentityToken checks that token is shaped as STS demands, a JWT
// (three base64url segments, a JSON header and a JSON claims object), and
// returns its claims. The signature is not verified: no identity
// provider is reachable from a local cloud.
func ParseWebIdentityToken(token string) (WebIdentityClaims, error) {
	bad := errInvalidIdentityToken.New(msgNotAJWT)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return WebIdentityClaims{}, bad
	}
	var header map[string]any
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
	}
	for i, v := range []any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil || json.Unmarshal(b, v) != nil || bytes.TrimSpace(b)[0] != '{' {
			return WebIdentityClaims{}, bad
		}
	}
	out := WebIdentityClaims{Issuer: claims.Iss, Subject: claims.Sub}
	var aud string
	var auds []string
	if json.Unmarshal(claims.Aud, &aud) == nil {
		out.Audience = aud
	} else if json.Unmarshal(claims.Aud, &auds) == nil && len(auds) > 0 {
		out.Audience = auds[0]
	}
	return out, nil
}

// SAMLAssertion is what STS reads of a SAML 2.0 response.
type SAMLAssertion struct {
	Issuer, Subject, SubjectType, Audience string
	RoleSessionName                        string
	SessionDuration                        int
}

// ParseSAMLAssertion decodes a base64 SAML 2.0 response (the
// SAMLAssertion parameter) and reads its issuer, subject, audience and
// AWS's RoleSessionName and SessionDuration attributes. The signature is
// not verified.
func ParseSAMLAssertion(b64 string) (SAMLAssertion, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return SAMLAssertion{}, errInvalidIdentityToken.New(msgBadSAML)
	}
	var resp struct {
		XMLName   xml.Name
		Issuer    string `xml:"Issuer"`
		Assertion struct {
			Issuer  string `xml:"Issuer"`
			Subject struct {
				NameID struct {
					Format string `xml:"Format,attr"`
					Value  string `xml:",chardata"`
				} `xml:"NameID"`
			} `xml:"Subject"`
			Audience   []string `xml:"Conditions>AudienceRestriction>Audience"`
			Attributes []struct {
				Name   string   `xml:"Name,attr"`
				Values []string `xml:"AttributeValue"`
			} `xml:"AttributeStatement>Attribute"`
		} `xml:"Assertion"`
	}
	if err := xml.Unmarshal(raw, &resp); err != nil || resp.XMLName.Local != "Response" {
		return SAMLAssertion{}, errInvalidIdentityToken.New(msgBadSAML)
	}
	as := resp.Assertion
	out := SAMLAssertion{Issuer: strings.TrimSpace(as.Issuer), Subject: strings.TrimSpace(as.Subject.NameID.Value)}
	if out.Issuer == "" {
		out.Issuer = strings.TrimSpace(resp.Issuer)
	}
	// AWS shortens the SAML 2.0 name ID formats to their last word.
	out.SubjectType = strings.TrimPrefix(as.Subject.NameID.Format, "urn:oasis:names:tc:SAML:2.0:nameid-format:")
	if len(as.Audience) > 0 {
		out.Audience = strings.TrimSpace(as.Audience[0])
	}
	for _, a := range as.Attributes {
		if len(a.Values) == 0 {
			continue
		}
		switch a.Name {
		case "https://aws.amazon.com/SAML/Attributes/RoleSessionName":
			out.RoleSessionName = strings.TrimSpace(a.Values[0])
		case "https://aws.amazon.com/SAML/Attributes/SessionDuration":
			out.SessionDuration, _ = strconv.Atoi(strings.TrimSpace(a.Values[0]))
		}
	}
	return out, nil
}

package iam_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	iamsvc "github.com/groundstack/groundstack/harness/emulator/services/iam"
)

const thumb = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"

// samlMetadata is a SAML metadata document long enough for the model's
// 1000-character minimum.
func samlMetadata(validUntil string) string {
	attr := ""
	if validUntil != "" {
		attr = ` validUntil="` + validUntil + `"`
	}
	return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml"` + attr + `>` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		strings.Repeat("MIIC", 250) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`
}

func TestOIDCProviders(t *testing.T) {
	t.Parallel()
	c := shared.c
	out, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{thumb}, Tags: []types.Tag{{Key: aws.String("ci"), Value: aws.String("gh")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.OpenIDConnectProviderArn
	if aws.ToString(arn) != "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com" || len(out.Tags) != 1 {
		t.Fatalf("create: %+v", out)
	}
	steps := []func() error{
		func() error {
			_, err := c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("my-app")})
			return err
		},
		func() error {
			_, err := c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("sts.amazonaws.com")})
			return err
		},
		func() error {
			_, err := c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn,
				ThumbprintList: []string{thumb, strings.Repeat("a", 40)}})
			return err
		},
		func() error {
			_, err := c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, TagKeys: []string{"ci"}})
			return err
		},
		func() error {
			_, err := c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	got, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	if err != nil || aws.ToString(got.Url) != "token.actions.githubusercontent.com" || len(got.ClientIDList) != 1 || got.ClientIDList[0] != "my-app" ||
		len(got.ThumbprintList) != 2 || len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "k" {
		t.Fatalf("get: %v %+v", err, got)
	}
	list, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil || !strings.Contains(aws.ToString(list.OpenIDConnectProviderList[0].Arn), "oidc-provider/") {
		t.Fatalf("list: %v %+v", err, list)
	}
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"duplicate", func() error {
			_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com")})
			return err
		}, "EntityAlreadyExists", 409, "Provider with url https://token.actions.githubusercontent.com already exists."},
		{"not https", func() error {
			_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://idp.example.com")})
			return err
		}, "InvalidInput", 400, "Invalid Open ID Connect Provider URL"},
		{"short thumbprint", func() error {
			_, err := c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: arn, ThumbprintList: []string{"abc"}})
			return err
		}, "InvalidInput", 400, "Thumbprint must be 40 characters long."},
		{"missing", func() error {
			_, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("arn:aws:iam::000000000000:oidc-provider/nope.example.com")})
			return err
		}, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn arn:aws:iam::000000000000:oidc-provider/nope.example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	if _, err := c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); err != nil {
		t.Fatal(err)
	}
}

func TestSAMLProviders(t *testing.T) {
	t.Parallel()
	c := shared.c
	out, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: aws.String(samlMetadata("2030-01-01T00:00:00Z")),
		Tags: []types.Tag{{Key: aws.String("idp"), Value: aws.String("okta")}}})
	if err != nil || aws.ToString(out.SAMLProviderArn) != "arn:aws:iam::000000000000:saml-provider/okta" {
		t.Fatalf("create: %v %+v", err, out)
	}
	arn := out.SAMLProviderArn
	got, err := c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: arn})
	if err != nil || !got.ValidUntil.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) || len(aws.ToString(got.SAMLProviderUUID)) < 22 ||
		len(got.Tags) != 1 || got.AssertionEncryptionMode != types.AssertionEncryptionModeTypeAllowed {
		t.Fatalf("get: %v %+v", err, got)
	}
	if _, err := c.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: arn, AddPrivateKey: aws.String("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: arn})
	if err != nil || len(got.PrivateKeyList) != 1 || got.AssertionEncryptionMode != types.AssertionEncryptionModeTypeRequired {
		t.Fatalf("after update: %v %+v", err, got)
	}
	if _, err := c.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: arn, RemovePrivateKey: got.PrivateKeyList[0].KeyId}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	if err != nil || len(list.SAMLProviderList) == 0 {
		t.Fatalf("list: %v %+v", err, list)
	}
	if _, err := c.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: arn, TagKeys: []string{"idp"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: arn})
	if err != nil || len(tags.Tags) != 0 {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	notXML := strings.Repeat("x", 1000)
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"duplicate", func() error {
			_, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: aws.String(samlMetadata(""))})
			return err
		}, "EntityAlreadyExists", 409, "SAMLProvider okta already exists"},
		{"not metadata", func() error {
			_, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("bad"), SAMLMetadataDocument: aws.String(notXML)})
			return err
		}, "InvalidInput", 400, "Could not parse metadata"},
		{"short metadata", func() error {
			_, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("bad"), SAMLMetadataDocument: aws.String("<x/>")})
			return err
		}, "ValidationError", 400, "1 validation error detected: Value '<x/>' at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length greater than or equal to 1000"},
		{"missing", func() error {
			_, err := c.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::000000000000:saml-provider/nope")})
			return err
		}, "NoSuchEntity", 404, "SAMLProvider not found for arn arn:aws:iam::000000000000:saml-provider/nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	if _, err := c.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: arn}); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseSAMLMetadata(f *testing.F) {
	for _, s := range []string{samlMetadata(""), samlMetadata("2030-01-01T00:00:00Z"), samlMetadata("soon"), "", "<", "<EntityDescriptor validUntil=''/>",
		`<!DOCTYPE x [<!ENTITY a "b">]><EntityDescriptor>&a;</EntityDescriptor>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		_, _ = iamsvc.ParseSAMLMetadata(doc)
	})
}

package sts_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	ststore "github.com/groundstack/groundstack/harness/emulator/services/sts"
)

func b64url(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// testJWT is an OpenID Connect ID token as an identity provider issues one
// (its signature is not checked).
var testJWT = b64url(map[string]string{"alg": "RS256", "kid": "k1"}) + "." +
	b64url(map[string]any{"iss": "https://idp.example.com", "sub": "user-123456", "aud": []string{"client-1"}, "exp": 4102444800}) + ".c2ln"

const samlXML = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` +
	`<saml:Issuer>https://idp.example.com/saml</saml:Issuer><saml:Assertion><saml:Issuer>https://idp.example.com/saml</saml:Issuer>` +
	`<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice</saml:NameID></saml:Subject>` +
	`<saml:Conditions><saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
	`<saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>alice</saml:AttributeValue></saml:Attribute>` +
	`</saml:AttributeStatement></saml:Assertion></samlp:Response>`

var testSAML = base64.StdEncoding.EncodeToString([]byte(samlXML))

// AssumeRoleWithWebIdentity and AssumeRoleWithSAML are unsigned on AWS
// (their model's auth is smithy.api#noAuth): aws-sdk-go-v2 sends them
// anonymously, and they reach STS in normal and strict mode alike.
func TestFederatedCallsThroughTheSDK(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts []emulator.Option
	}{
		{"normal", nil},
		{"strict", []emulator.Option{emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey})}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			_, cfg := emutest.Start(t, mode.opts...)
			c := sts.NewFromConfig(cfg)
			w, err := c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String("arn:aws:iam::000000000000:role/web"), RoleSessionName: aws.String("app1"), WebIdentityToken: aws.String(testJWT),
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(w.AssumedRoleUser.Arn); got != "arn:aws:sts::000000000000:assumed-role/web/app1" {
				t.Errorf("AssumedRoleUser.Arn = %s", got)
			}
			if aws.ToString(w.SubjectFromWebIdentityToken) != "user-123456" || aws.ToString(w.Provider) != "https://idp.example.com" || aws.ToString(w.Audience) != "client-1" {
				t.Errorf("subject %q provider %q audience %q", aws.ToString(w.SubjectFromWebIdentityToken), aws.ToString(w.Provider), aws.ToString(w.Audience))
			}
			if !strings.HasPrefix(aws.ToString(w.Credentials.AccessKeyId), "ASIA") {
				t.Errorf("access key %q", aws.ToString(w.Credentials.AccessKeyId))
			}
			s, err := c.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{
				RoleArn: aws.String("arn:aws:iam::000000000000:role/saml"), PrincipalArn: aws.String("arn:aws:iam::000000000000:saml-provider/corp"),
				SAMLAssertion: aws.String(testSAML),
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(s.AssumedRoleUser.Arn); got != "arn:aws:sts::000000000000:assumed-role/saml/alice" {
				t.Errorf("AssumedRoleUser.Arn = %s", got)
			}
			if aws.ToString(s.Subject) != "alice" || aws.ToString(s.SubjectType) != "persistent" || aws.ToString(s.Issuer) != "https://idp.example.com/saml" ||
				aws.ToString(s.Audience) != "https://signin.aws.amazon.com/saml" || aws.ToString(s.NameQualifier) == "" {
				t.Errorf("SAML result %+v", s)
			}
			// The credentials issued sign requests: STS knows whose they are.
			id, err := sts.NewFromConfig(cfg, func(o *sts.Options) {
				o.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(w.Credentials.AccessKeyId),
					aws.ToString(w.Credentials.SecretAccessKey), aws.ToString(w.Credentials.SessionToken))
			}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(id.Arn) != "arn:aws:sts::000000000000:assumed-role/web/app1" {
				t.Errorf("caller %s", aws.ToString(id.Arn))
			}
		})
	}
}

// A boto3-style unsigned form POST: routed to STS by its Action and
// Version; the token's shape is still checked; any other unsigned action
// never reaches STS in strict mode.
func TestUnsignedFederatedCallsRaw(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name   string
		strict bool
	}{{"normal", false}, {"strict", true}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			var opts []emulator.Option
			if mode.strict {
				opts = append(opts, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
			}
			e, _ := emutest.Start(t, opts...)
			web := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
				"RoleArn": {"arn:aws:iam::000000000000:role/web"}, "RoleSessionName": {"app1"}}
			withToken := func(tok string) url.Values {
				v := url.Values{}
				for k, x := range web {
					v[k] = x
				}
				v.Set("WebIdentityToken", tok)
				return v
			}
			saml := url.Values{"Action": {"AssumeRoleWithSAML"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::000000000000:role/saml"},
				"PrincipalArn": {"arn:aws:iam::000000000000:saml-provider/corp"}, "SAMLAssertion": {testSAML}}
			cases := []struct {
				name       string
				form       url.Values
				wantStatus int
				wantBody   string
			}{
				{"web identity", withToken(testJWT), 200, "<SubjectFromWebIdentityToken>user-123456</SubjectFromWebIdentityToken>"},
				{"saml", saml, 200, "<Arn>arn:aws:sts::000000000000:assumed-role/saml/alice</Arn>"},
				{"not a JWT", withToken("abc.def.ghi"), 400, "<Code>InvalidIdentityToken</Code><Message>The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)</Message>"},
				{"two segments", withToken("abcd.efgh"), 400, "<Code>InvalidIdentityToken</Code>"},
				{"missing token", web, 400, "<Code>ValidationError</Code>"},
			}
			for _, tc := range cases {
				res, err := http.Post(e.URL()+"/", "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(tc.form.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tc.wantStatus || !strings.Contains(string(b), tc.wantBody) {
					t.Errorf("%s: %d %s, want %d with %s", tc.name, res.StatusCode, b, tc.wantStatus, tc.wantBody)
				}
			}
			// Another action unsigned: S3's answer as before in normal mode,
			// refused in strict mode; never STS's GetCallerIdentity.
			res, err := http.Post(e.URL()+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == 200 || strings.Contains(string(b), "GetCallerIdentityResult") {
				t.Errorf("unsigned GetCallerIdentity answered %d %s", res.StatusCode, b)
			}
		})
	}
}

func FuzzParseWebIdentityToken(f *testing.F) {
	for _, s := range []string{testJWT, "a.b.c", "", "..", "e30.e30.", "e30.W10.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		ststore.ParseWebIdentityToken(tok)
	})
}

func FuzzParseSAMLAssertion(f *testing.F) {
	for _, s := range []string{testSAML, "", "PHg+", base64.StdEncoding.EncodeToString([]byte("<Response/>"))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ststore.ParseSAMLAssertion(s)
	})
}

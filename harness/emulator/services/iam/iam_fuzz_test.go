package iam_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/iam"
)

// formSeeds are query-protocol forms of the shapes IAM, STS and SNS clients
// send, plus the malformed ones a decoder must survive.
var formSeeds = []string{
	"Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=a&Tags.member.1.Value=b",
	"Tags.member.2.Key=k2&Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.10.Key=k10",
	"TagKeys.member.1=a&TagKeys.member.3=c&TagKeys.member.2=b",
	"Attributes.entry.1.key=Policy&Attributes.entry.1.value=x&Attributes.entry.2.key=&Attributes.entry.2.value=y",
	"Filter.1.Name=tag&Filter.1.Value.1=a&Filter.1.Value.2=b",
	"Tags.member.0.Key=zero&Tags.member.-1.Key=neg&Tags.member.x.Key=alpha",
	"Tags.member.99999999999999999999999.Key=huge&Tags.member.1=flat",
	"Tags.member.1.Key=a&Tags.member.1.Key=b&Tags.member.1.Value",
	"Tags=1&Tags.=2&Tags..=3&.member.1=4&member.1=5",
	"%zz=1&a=%&b=%2",
	"Tags.member.1.Key.Extra.Deep=1&Tags.member.01.Key=leading-zero",
}

// FuzzFormDecoding feeds arbitrary forms and prefixes to awsproto.Form's
// list, struct and map decoders: they must not panic, and lists and structs
// must agree on how many members there are.
func FuzzFormDecoding(f *testing.F) {
	for _, s := range formSeeds {
		for _, p := range []string{"Tags", "TagKeys", "Attributes", "Filter", ""} {
			f.Add(s, p)
		}
	}
	f.Fuzz(func(t *testing.T, raw, prefix string) {
		vals, _ := url.ParseQuery(raw) // a malformed pair is skipped; the rest still decodes
		form := awsproto.Form(vals)
		list := form.List(prefix)
		structs := form.Structs(prefix)
		if len(list) != len(structs) {
			t.Fatalf("List has %d members, Structs %d", len(list), len(structs))
		}
		for _, v := range list {
			if v == "" {
				continue
			}
			found := false
			for _, vs := range vals {
				if slices.Contains(vs, v) {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("List invented the value %q", v)
			}
		}
		for _, s := range structs {
			for _, vs := range s {
				if len(vs) == 0 {
					t.Fatalf("struct field without a value from %q", raw)
				}
			}
		}
		for _, names := range [][2]string{{"key", "value"}, {"Key", "Value"}, {"Name", "Value"}} {
			if m := form.Map(prefix, names[0], names[1]); len(m) > len(structs) {
				t.Fatalf("Map has %d entries from %d structs", len(m), len(structs))
			}
		}
	})
}

// FuzzIAMQuery sends arbitrary forms to the IAM service: every answer must
// be a well-formed XML document, and never a 500.
func FuzzIAMQuery(f *testing.F) {
	seeds := append(slices.Clone(formSeeds),
		"Action=AttachRolePolicy&RoleName=seed&PolicyArn=arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		"Action=PutRolePolicy&RoleName=seed&PolicyName=p&PolicyDocument=%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D",
		"Action=ListRoles&MaxItems=1&Marker=azpyb2xl",
		"Action=ListPolicies&Scope=AWS&PathPrefix=/service-role/",
		"Action=GetPolicyVersion&PolicyArn=arn:aws:iam::aws:policy/AdministratorAccess&VersionId=v1",
		"Action=CreatePolicyVersion&PolicyArn=arn:aws:iam::000000000000:policy/seed&PolicyDocument=%5B%5D&SetAsDefault=true",
		"Action=TagRole&RoleName=seed&Tags.member.1.Key=a&Tags.member.1.Value=b",
		"Action=UpdateRole&RoleName=seed&MaxSessionDuration=99999999999999999999",
		"Action=CreateRole&RoleName=x&Path=//&AssumeRolePolicyDocument=%7B%22Statement%22%3A%7B%7D%7D",
	)
	for _, s := range seeds {
		f.Add(s)
	}
	env := cloud.DefaultEnv()
	svc := iam.New(env)
	seed := func() {
		svc.Reset()
		for _, body := range []string{
			"Action=CreateRole&RoleName=seed&AssumeRolePolicyDocument=" + url.QueryEscape(trust),
			"Action=CreatePolicy&PolicyName=seed&PolicyDocument=" + url.QueryEscape(s3Read),
		} {
			if code, _ := serveForm(svc, body); code != 200 {
				f.Fatalf("seeding: %d", code)
			}
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		seed()
		code, out := serveForm(svc, body)
		if code >= 500 {
			t.Fatalf("%d for %q: %s", code, body, out)
		}
		d := xml.NewDecoder(bytes.NewReader(out))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("answer is not XML (%v) for %q: %s", err, body, out)
			}
		}
	})
}

func serveForm(h http.Handler, body string) (int, []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

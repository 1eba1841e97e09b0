package iam_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// benchIAM is an emulator with 100 roles (role-000…), each with the AWS
// Lambda execution policy and an inline policy attached.
func benchIAM(b *testing.B) http.Handler {
	e := emulator.New()
	b.Cleanup(func() { e.Close() })
	h := e.Handler()
	w := &emutest.Discard{H: http.Header{}}
	req := emutest.BenchRequest("iam", "application/x-www-form-urlencoded; charset=utf-8", "")
	for i := range 100 {
		n := fmt.Sprintf("role-%03d", i)
		for _, form := range []url.Values{
			{"Action": {"CreateRole"}, "RoleName": {n}, "AssumeRolePolicyDocument": {trust},
				"Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"bench"}},
			{"Action": {"AttachRolePolicy"}, "RoleName": {n}, "PolicyArn": {basicExec}},
			{"Action": {"PutRolePolicy"}, "RoleName": {n}, "PolicyName": {"read"}, "PolicyDocument": {s3Read}},
		} {
			if s := w.Serve(h, req, []byte(form.Encode())); s != 200 {
				b.Fatalf("%s: %d", form.Get("Action"), s)
			}
		}
	}
	return h
}

func benchForm(b *testing.B, h http.Handler, form func(i int) url.Values) {
	b.Helper()
	bodies := make([][]byte, 64)
	for i := range bodies {
		bodies[i] = []byte(form(i).Encode())
	}
	w := &emutest.Discard{H: http.Header{}}
	req := emutest.BenchRequest("iam", "application/x-www-form-urlencoded; charset=utf-8", "")
	b.ReportAllocs()
	m := emutest.StartCPU(b)
	for i := 0; i < b.N; i++ {
		if s := w.Serve(h, req, bodies[i%len(bodies)]); s != 200 {
			b.Fatalf("%d", s)
		}
	}
	b.StopTimer()
	m.Report()
}

// BenchmarkGetRole reads one role with its tags, server side.
func BenchmarkGetRole(b *testing.B) {
	h := benchIAM(b)
	benchForm(b, h, func(i int) url.Values {
		return url.Values{"Action": {"GetRole"}, "Version": {"2010-05-08"}, "RoleName": {fmt.Sprintf("role-%03d", i)}}
	})
}

// BenchmarkListRoles lists all 100 roles in one page.
func BenchmarkListRoles(b *testing.B) {
	h := benchIAM(b)
	benchForm(b, h, func(int) url.Values {
		return url.Values{"Action": {"ListRoles"}, "Version": {"2010-05-08"}, "MaxItems": {"100"}}
	})
}

// BenchmarkPutRolePolicy replaces an inline policy: a write with a policy
// document to check.
func BenchmarkPutRolePolicy(b *testing.B) {
	h := benchIAM(b)
	benchForm(b, h, func(i int) url.Values {
		return url.Values{"Action": {"PutRolePolicy"}, "Version": {"2010-05-08"}, "RoleName": {fmt.Sprintf("role-%03d", i)},
			"PolicyName": {"read"}, "PolicyDocument": {s3Read}}
	})
}

// BenchmarkListAttachedRolePolicies lists a role's managed policies.
func BenchmarkListAttachedRolePolicies(b *testing.B) {
	h := benchIAM(b)
	benchForm(b, h, func(i int) url.Values {
		return url.Values{"Action": {"ListAttachedRolePolicies"}, "Version": {"2010-05-08"}, "RoleName": {fmt.Sprintf("role-%03d", i)}}
	})
}

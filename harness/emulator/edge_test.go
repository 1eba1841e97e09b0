package emulator

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestMatchHost(t *testing.T) {
	cases := []struct{ host, pattern, want string }{
		{"abc.lambda-url.us-east-1.localhost.localstack.cloud", "lambda-url.*.localhost.localstack.cloud", "abc"},
		{"my.bucket.s3.localhost.localstack.cloud", "s3.localhost.localstack.cloud", "my.bucket"},
		{"s3.localhost.localstack.cloud", "s3.localhost.localstack.cloud", ""},
		{"api1.execute-api.localhost.localstack.cloud", "s3.localhost.localstack.cloud", ""},
		{"API1.Execute-Api.localhost.localstack.cloud", "execute-api.localhost.localstack.cloud", "API1"},
		{"localhost", "s3.localhost.localstack.cloud", ""},
		{"", "x.y", ""},
	}
	for _, c := range cases {
		if got := MatchHost(c.host, c.pattern); got != c.want {
			t.Errorf("MatchHost(%q, %q) = %q, want %q", c.host, c.pattern, got, c.want)
		}
	}
}

// FuzzMatchHost: any Host either matches nothing or splits into the
// resource before the pattern and the label its "*" stood for, which put
// back together give the host again.
func FuzzMatchHost(f *testing.F) {
	const pattern = "lambda-url.*.localhost.localstack.cloud"
	for _, s := range []string{"abc.lambda-url.us-east-1.localhost.localstack.cloud", "a.b.lambda-url.x.LOCALHOST.localstack.cloud",
		".lambda-url.us-east-1.localhost.localstack.cloud", "lambda-url.us-east-1.localhost.localstack.cloud", "", ".", "..", "localhost"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		m, ok := matchHost(host, pattern)
		if !ok {
			return
		}
		if m.Resource == "" || strings.Contains(m.Label, ".") {
			t.Fatalf("%q matched as %+v", host, m)
		}
		if back := m.Resource + "." + strings.Replace(pattern, "*", m.Label, 1); !strings.EqualFold(back, host) {
			t.Fatalf("%q matched as %+v, which gives %q", host, m, back)
		}
	})
}

// FuzzUnsignedQueryAction: whatever a form POST holds, the edge names at
// most one Version/Action and hands the service the body unchanged.
func FuzzUnsignedQueryAction(f *testing.F) {
	for _, s := range []string{"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&WebIdentityToken=a.b.c",
		"Action=AssumeRoleWithSAML", "Version=2011-06-15", "", "%zz=1&Action=x&Version=y", "Action=a&Action=b&Version=v"} {
		f.Add(s, "")
	}
	f.Add("Version=2011-06-15", "Action=AssumeRoleWithSAML")
	f.Fuzz(func(t *testing.T, body, query string) {
		r := httptest.NewRequest(http.MethodPost, "/?"+url.PathEscape(query), strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		got := unsignedQueryAction(r)
		if got != "" && !strings.Contains(got, "/") {
			t.Fatalf("action %q has no version", got)
		}
		rest, _ := io.ReadAll(r.Body)
		if string(rest) != body {
			t.Fatalf("body %q after the edge read it, want %q", rest, body)
		}
	})
}

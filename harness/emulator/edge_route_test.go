package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stubService answers 200 with its own name, so tests see who was routed to.
type stubService struct {
	name   string
	proto  awsproto.Protocol
	routes []cloud.Route
}

func (s *stubService) Name() string                { return s.name }
func (s *stubService) Routes() []cloud.Route       { return s.routes }
func (s *stubService) Protocol() awsproto.Protocol { return s.proto }
func (s *stubService) Reset()                      {}
func (s *stubService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Write([]byte(s.name))
	if m, ok := awsproto.HostMatchOf(r); ok {
		w.Write([]byte(" resource=" + m.Resource + " label=" + m.Label + " pattern=" + m.Pattern))
	}
}

func stubEdge() *edge {
	svcs := []cloud.Service{
		&stubService{name: "s3", proto: awsproto.RestXML, routes: []cloud.Route{
			{Kind: cloud.ByScope, Key: "s3"}, {Kind: cloud.Fallback},
			{Kind: cloud.ByHost, Key: "s3.localhost.localstack.cloud"},
			{Kind: cloud.ByHost, Key: "s3-website.localhost.localstack.cloud", Public: true},
		}},
		&stubService{name: "dynamodb", proto: awsproto.JSON10, routes: []cloud.Route{
			{Kind: cloud.ByScope, Key: "dynamodb"}, {Kind: cloud.ByTarget, Key: "DynamoDB_20120810"},
		}},
		&stubService{name: "dynamodbstreams", proto: awsproto.JSON10, routes: []cloud.Route{
			{Kind: cloud.ByTarget, Key: "DynamoDBStreams_20120810"},
		}},
		&stubService{name: "lambda", proto: awsproto.RestJSON, routes: []cloud.Route{
			{Kind: cloud.ByScope, Key: "lambda"}, {Kind: cloud.ByPath, Key: "/2015-03-31/functions"},
			{Kind: cloud.ByHost, Key: "lambda-url.*.localhost.localstack.cloud", Public: true},
		}},
		&stubService{name: "apigateway", proto: awsproto.RestJSON, routes: []cloud.Route{
			{Kind: cloud.ByScope, Key: "apigateway"},
			{Kind: cloud.ByPath, Key: "/restapis", PublicIf: func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/_user_request_/") }},
			{Kind: cloud.ByPath, Key: "/_aws/execute-api", Public: true},
			{Kind: cloud.ByHost, Key: "execute-api.localhost.localstack.cloud", Public: true},
		}},
		&stubService{name: "sts", proto: awsproto.Query, routes: []cloud.Route{{Kind: cloud.ByScope, Key: "sts"},
			{Kind: cloud.ByUnsignedAction, Key: "AssumeRoleWithWebIdentity"}}},
	}
	control := &stubService{name: "control", routes: []cloud.Route{{Kind: cloud.ByPath, Key: "/_localstack", Public: true}}}
	e := newEdge(svcs, control)
	e.newID = func() string { return "rid" }
	return e
}

func auth(service string) string {
	return "AWS4-HMAC-SHA256 Credential=AKID/20261123/eu-west-1/" + service + "/aws4_request, SignedHeaders=host, Signature=00"
}

func TestEdgeRoutingTable(t *testing.T) {
	e := stubEdge()
	cases := []struct {
		name, method, url, host string
		headers                 map[string]string
		want                    string
		status                  int
	}{
		{"scope", "POST", "/", "", map[string]string{"Authorization": auth("sts")}, "sts", 200},
		{"target", "POST", "/", "", map[string]string{"X-Amz-Target": "DynamoDB_20120810.PutItem"}, "dynamodb", 200},
		{"streams target beats dynamodb scope", "POST", "/", "", map[string]string{"Authorization": auth("dynamodb"), "X-Amz-Target": "DynamoDBStreams_20120810.GetRecords"}, "dynamodbstreams", 200},
		{"presigned scope", "GET", "/b/k?X-Amz-Credential=AKID%2F20261123%2Fus-east-1%2Fs3%2Faws4_request", "", nil, "s3", 200},
		{"path prefix", "GET", "/2015-03-31/functions/f", "", nil, "lambda", 200},
		{"path prefix is whole segments", "GET", "/restapisX/y", "", nil, "s3", 200},
		{"data plane path", "GET", "/_aws/execute-api/abc/prod/x", "", nil, "apigateway", 200},
		{"control", "GET", "/_localstack/health", "", nil, "control", 200},
		{"api host", "GET", "/prod/x", "abc123.execute-api.localhost.localstack.cloud:4566", nil, "apigateway", 200},
		{"function url host with region", "GET", "/", "xyz.lambda-url.eu-west-1.localhost.localstack.cloud:4566", nil, "lambda", 200},
		{"virtual-hosted s3", "GET", "/key", "my.bucket.s3.localhost.localstack.cloud:4566", nil, "s3", 200},
		{"fallback is s3 path-style", "GET", "/bucket/key", "127.0.0.1:4566", nil, "s3", 200},
		{"unsigned action in the query string", "GET", "/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "", nil, "sts", 200},
		{"other unsigned action is s3's", "GET", "/?Action=AssumeRole", "", nil, "s3", 200},
		{"unsigned action not at / is s3's", "GET", "/bucket?Action=AssumeRoleWithWebIdentity", "", nil, "s3", 200},
		{"unknown scope", "POST", "/", "", map[string]string{"Authorization": auth("kinesis")}, "UnknownService", 501},
		{"unknown target", "POST", "/", "", map[string]string{"X-Amz-Target": "Kinesis_20131202.ListStreams"}, "UnknownService", 501},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.url, nil)
			if c.host != "" {
				r.Host = c.host
			}
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, c.status, c.want)
			}
		})
	}
}

// An unsigned form whose Action AWS's clients send unsigned reaches its
// service with its body whole; any other unsigned POST / stays S3's.
func TestEdgeUnsignedAction(t *testing.T) {
	e := stubEdge()
	echo := &bodyEcho{}
	e.byAction["AssumeRoleWithWebIdentity"] = target{svc: echo}
	long := "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&WebIdentityToken=" + strings.Repeat("t", 2*actionPeek)
	for _, c := range []struct{ name, body, ctype, want string }{
		{"form", long, "application/x-www-form-urlencoded; charset=utf-8", "echo " + long},
		{"escaped action", "Version=2011-06-15&Action=AssumeRoleWith%57ebIdentity", "application/x-www-form-urlencoded", "echo Version=2011-06-15&Action=AssumeRoleWith%57ebIdentity"},
		{"other action", "Action=AssumeRole&Version=2011-06-15", "application/x-www-form-urlencoded", "s3"},
		{"not a form", "Action=AssumeRoleWithWebIdentity", "application/json", "s3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
			r.Header.Set("Content-Type", c.ctype)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if got := w.Body.String(); got != c.want && !(c.want == "s3" && strings.HasPrefix(got, "s3")) {
				t.Fatalf("got %.80q, want %.80q", got, c.want)
			}
		})
	}
}

// bodyEcho answers "echo " and the body it was handed.
type bodyEcho struct{ stubService }

func (b *bodyEcho) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Write(append([]byte("echo "), body...))
}

// The edge hands a service what its own Host routes matched, however the
// request was routed: a signed virtual-hosted S3 request goes by its scope
// and still names its bucket in Host.
func TestEdgeHostMatch(t *testing.T) {
	e := stubEdge()
	cases := []struct {
		name, url, host string
		headers         map[string]string
		want            string
	}{
		{"unsigned virtual host", "/key", "my.bucket.s3.localhost.localstack.cloud:4566", nil,
			"s3 resource=my.bucket label= pattern=s3.localhost.localstack.cloud"},
		{"signed virtual host", "/key", "my.bucket.s3.localhost.localstack.cloud:4566", map[string]string{"Authorization": auth("s3")},
			"s3 resource=my.bucket label= pattern=s3.localhost.localstack.cloud"},
		{"presigned virtual host", "/key?X-Amz-Credential=AKID%2F20261123%2Fus-east-1%2Fs3%2Faws4_request", "vh.s3.localhost.localstack.cloud", nil,
			"s3 resource=vh label= pattern=s3.localhost.localstack.cloud"},
		{"longest pattern wins", "/", "site.s3-website.localhost.localstack.cloud", map[string]string{"Authorization": auth("s3")},
			"s3 resource=site label= pattern=s3-website.localhost.localstack.cloud"},
		{"wildcard label", "/", "xyz.lambda-url.eu-west-1.localhost.localstack.cloud", nil,
			"lambda resource=xyz label=eu-west-1 pattern=lambda-url.*.localhost.localstack.cloud"},
		{"path route", "/2015-03-31/functions/f", "xyz.lambda-url.eu-west-1.localhost.localstack.cloud", nil,
			"lambda resource=xyz label=eu-west-1 pattern=lambda-url.*.localhost.localstack.cloud"},
		{"another service's host is not matched", "/", "api1.execute-api.localhost.localstack.cloud", map[string]string{"Authorization": auth("s3")}, "s3"},
		{"path-style", "/bucket/key", "127.0.0.1:4566", map[string]string{"Authorization": auth("s3")}, "s3"},
		{"service without host routes", "/", "my.bucket.s3.localhost.localstack.cloud", map[string]string{"Authorization": auth("sts")}, "sts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", c.url, nil)
			r.Host = c.host
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if got := w.Body.String(); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestEdgeStrictAuth(t *testing.T) {
	e := stubEdge()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	e.verifier = &awsproto.Verifier{Secrets: map[string]string{"AKID": "right"}, Now: func() time.Time { return now }}
	sign := func(r *http.Request, service, secret string) {
		if service == "s3" {
			r.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
		}
		v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: secret},
			r, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", service, "us-east-1", now)
	}
	cases := []struct {
		name, service, secret, target string
		status                        int
		code                          string
	}{
		{"right secret passes", "sts", "right", "", 200, "sts"},
		{"query service: SignatureDoesNotMatch", "sts", "wrong", "", 403, "<Code>SignatureDoesNotMatch</Code>"},
		{"json service: InvalidSignatureException", "dynamodb", "wrong", "DynamoDB_20120810.ListTables", 403, `"__type":"InvalidSignatureException"`},
		{"s3: SignatureDoesNotMatch in S3's shape", "s3", "wrong", "", 403, "<Error><Code>SignatureDoesNotMatch</Code>"},
		// a valid signature made for one service does not reach another
		{"s3 signature, dynamodb target", "s3", "right", "DynamoDB_20120810.ListTables", 400, `Credential should be scoped to correct service: 'dynamodb'`},
		{"streams sign as dynamodb", "dynamodb", "right", "DynamoDBStreams_20120810.ListStreams", 200, "dynamodbstreams"},
		{"sts signature on dynamodb", "sts", "right", "DynamoDB_20120810.ListTables", 400, `"__type":"InvalidSignatureException"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://127.0.0.1:4566/", nil)
			if c.target != "" {
				r.Header.Set("X-Amz-Target", c.target)
			}
			sign(r, c.service, c.secret)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != c.status || !strings.Contains(w.Body.String(), c.code) {
				t.Fatalf("got %d %s", w.Code, w.Body)
			}
		})
	}
	// Unsigned: refused on control planes, served on public data planes.
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/2015-03-31/functions/f", nil))
	if w.Code != 403 || w.Header().Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned control plane: %d %s", w.Code, w.Body)
	}
	for _, public := range []string{"/_aws/execute-api/abc/prod/x", "/restapis/abc/prod/_user_request_/x"} {
		w = httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", public, nil))
		if w.Code != 200 {
			t.Fatalf("public data plane %s refused: %d %s", public, w.Code, w.Body)
		}
	}
	// A prefix shared with a data plane does not open its control plane.
	w = httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/restapis", nil))
	if w.Code != 403 {
		t.Fatalf("unsigned /restapis control plane served in strict mode: %d %s", w.Code, w.Body)
	}
}

// hostEcho answers with what the edge matched in the request's Host.
type hostEcho struct{ stubService }

func (s *hostEcho) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m, ok := awsproto.HostMatchOf(r)
	fmt.Fprintf(w, "%s %v %s %s", s.name, ok, m.Resource, m.Label)
}

// TestEdgeHostMatch: the edge hands a service what its Host patterns match
// however the request was routed (a signed Function URL request is routed
// by its credential scope), and only its own patterns.
func TestEdgeHostMatchFunctionURLs(t *testing.T) {
	lambda := &hostEcho{stubService{name: "lambda", proto: awsproto.RestJSON, routes: []cloud.Route{
		{Kind: cloud.ByScope, Key: "lambda"}, {Kind: cloud.ByPath, Key: "/2015-03-31/functions"},
		{Kind: cloud.ByHost, Key: "lambda-url.*.localhost.localstack.cloud", Public: true},
	}}}
	sts := &hostEcho{stubService{name: "sts", proto: awsproto.Query, routes: []cloud.Route{{Kind: cloud.ByScope, Key: "sts"}}}}
	e := newEdge([]cloud.Service{lambda, sts}, &stubService{name: "control"})
	const urlHost = "AbC.lambda-url.eu-west-1.localhost.localstack.cloud:4566"
	cases := []struct {
		name, path, host, auth, want string
	}{
		{"unsigned url host", "/x", urlHost, "", "lambda true AbC eu-west-1"},
		{"signed url host (routed by scope)", "/x", urlHost, auth("lambda"), "lambda true AbC eu-west-1"},
		{"url host on a control plane path", "/2015-03-31/functions/f", urlHost, "", "lambda true AbC eu-west-1"},
		{"no host pattern", "/2015-03-31/functions/f", "127.0.0.1:4566", "", "lambda false  "},
		{"another service's signature", "/", urlHost, auth("sts"), "sts false  "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", c.path, nil)
			r.Host = c.host
			if c.auth != "" {
				r.Header.Set("Authorization", c.auth)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Body.String() != c.want {
				t.Fatalf("got %q, want %q", w.Body, c.want)
			}
		})
	}
}

// FuzzUnsignedAction: any form body is read without a panic and handed on
// whole, whatever Action it yields.
func FuzzUnsignedAction(f *testing.F) {
	f.Add("Action=AssumeRoleWithWebIdentity&Version=2011-06-15")
	f.Add("Action=%zz")
	f.Add("&&Action=&Action=x")
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		unsignedAction(r)
		if b, _ := io.ReadAll(r.Body); string(b) != body {
			t.Fatalf("body handed on %q, want %q", b, body)
		}
	})
}

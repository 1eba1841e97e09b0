package apigateway

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// routeAPI builds an API with the given resource paths, each with the
// given methods, and returns its deployed snapshot.
func routeAPI(t testing.TB, routes map[string][]string) *Snapshot {
	s := NewStore("000000000000", time.Now, cloud.NewUUID)
	a := s.CreateAPI("us-east-1", NewAPI{Name: "t"})
	byPath := map[string]string{"/": a.RootID}
	var ensure func(path string) string
	ensure = func(path string) string {
		if id, ok := byPath[path]; ok {
			return id
		}
		i := strings.LastIndexByte(path, '/')
		parent := "/"
		if i > 0 {
			parent = path[:i]
		}
		r, err := a.CreateResource(s, ensure(parent), path[i+1:])
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		byPath[path] = r.ID
		return r.ID
	}
	for path, methods := range routes {
		id := ensure(path)
		for _, m := range methods {
			if err := a.PutMethod(id, &Method{HTTPMethod: m, AuthorizationType: "NONE", Integration: &Integration{Type: "MOCK"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	d, err := a.Deploy(s, "")
	if err != nil {
		t.Fatal(err)
	}
	return d.Snapshot
}

func TestRouteMatching(t *testing.T) {
	snap := routeAPI(t, map[string][]string{
		"/":                       {"GET"},
		"/users":                  {"GET", "POST"},
		"/users/me":               {"GET"},
		"/users/{id}":             {"GET", "DELETE"},
		"/users/{id}/orders":      {"ANY"},
		"/files/{path+}":          {"GET"},
		"/{proxy+}":               {"ANY"},
		"/api/v1/{thing}/details": {"GET"},
	})
	cases := []struct {
		method, path string
		resource     string // "" = no match (403)
		params       map[string]string
	}{
		{"GET", "/", "/", nil},
		{"GET", "/users", "/users", nil},
		{"GET", "/users/", "/users", nil},
		{"GET", "/users/me", "/users/me", nil}, // literal beats {id}
		{"GET", "/users/42", "/users/{id}", map[string]string{"id": "42"}},
		{"GET", "/users/a%20b", "/users/{id}", map[string]string{"id": "a b"}},
		{"PATCH", "/users/42/orders", "/users/{id}/orders", map[string]string{"id": "42"}}, // ANY
		{"GET", "/files/a/b/c.txt", "/files/{path+}", map[string]string{"path": "a/b/c.txt"}},
		{"GET", "/files", "", nil},                                                            // /files exists (no methods) and wins over {proxy+}; {path+} needs a segment
		{"GET", "/users/42/other", "/{proxy+}", map[string]string{"proxy": "users/42/other"}}, // backtrack to the greedy root
		{"GET", "/api/v1/x/details", "/api/v1/{thing}/details", map[string]string{"thing": "x"}},
		{"GET", "/api/v1/x/other", "/{proxy+}", map[string]string{"proxy": "api/v1/x/other"}},
		{"PUT", "/users", "", nil}, // resource found, method missing: no fall back to {proxy+}
		{"POST", "/", "", nil},     // root has GET only; {proxy+} needs a segment
		{"DELETE", "/users/me", "", nil},
	}
	for _, c := range cases {
		segs, ok := SplitPath(c.path)
		if !ok {
			t.Fatalf("split %s", c.path)
		}
		node, params := snap.Match(segs)
		got := ""
		if node != nil && node.Method(c.method) != nil {
			got = node.Path
		}
		if got != c.resource {
			t.Errorf("%s %s → %q, want %q", c.method, c.path, got, c.resource)
			continue
		}
		if got != "" && !sameParams(params, c.params) {
			t.Errorf("%s %s params %v, want %v", c.method, c.path, params, c.params)
		}
	}
}

func sameParams(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestParseInvocation(t *testing.T) {
	cases := []struct {
		host, target string
		want         invocation
		ok           bool
	}{
		{"127.0.0.1:4566", "/restapis/abc/prod/_user_request_/a/b", invocation{APIID: "abc", Stage: "prod", Path: "/a/b"}, true},
		{"127.0.0.1:4566", "/restapis/abc/prod/_user_request_", invocation{APIID: "abc", Stage: "prod", Path: "/"}, true},
		{"127.0.0.1:4566", "/restapis/abc/resources", invocation{}, false},
		{"127.0.0.1:4566", "/restapis", invocation{}, false},
		{"127.0.0.1:4566", "/_aws/execute-api/abc/dev/x", invocation{APIID: "abc", Stage: "dev", Path: "/x"}, true},
		{"abc.execute-api.localhost.localstack.cloud:4566", "/prod/x/y", invocation{APIID: "abc", Stage: "prod", Path: "/x/y", Host: true}, true},
		{"abc.execute-api.localhost.localstack.cloud", "/prod", invocation{APIID: "abc", Stage: "prod", Path: "/", Host: true}, true},
		{"a.b.execute-api.localhost.localstack.cloud", "/prod", invocation{}, false},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", c.target, nil)
		r.Host = c.host
		// what the edge matches for the {api}.execute-api host route
		if id, _, ok := strings.Cut(c.host, ".execute-api.localhost.localstack.cloud"); ok {
			r = awsproto.WithHostMatch(r, awsproto.HostMatch{Resource: id})
		}
		got, ok := execapi.ParseInvocation(r)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%s%s → %+v %v, want %+v %v", c.host, c.target, got, ok, c.want, c.ok)
		}
	}
}

// FuzzDataPlanePath: no request path or host panics the invocation parser
// or the route matcher, and a match always names a deployed resource.
func FuzzDataPlanePath(f *testing.F) {
	snap := routeAPI(f, map[string][]string{
		"/":                  {"GET"},
		"/users/{id}":        {"GET"},
		"/users/me":          {"GET"},
		"/users/{id}/orders": {"ANY"},
		"/{proxy+}":          {"ANY"},
	})
	for _, s := range []string{"/restapis/abc/prod/_user_request_/users/1", "/_aws/execute-api/a/b/c", "/prod/users/me/orders", "//a//%2F/b%zz", "/restapis/%/x/_user_request_"} {
		f.Add("abc.execute-api.localhost.localstack.cloud:4566", s)
		f.Add("127.0.0.1", s)
	}
	f.Fuzz(func(t *testing.T, host, path string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawPath = ""
		r.URL.Path = path
		r.Host = host
		inv, _ := execapi.ParseInvocation(r)
		segs, ok := SplitPath(inv.Path)
		if !ok {
			return
		}
		if n, _ := snap.Match(segs); n != nil && n.ID == "" {
			t.Fatalf("matched a node with no id for %q", path)
		}
		SplitPath(path)
	})
}

package apigatewayv2

import (
	"strings"
	"testing"
)

func TestParseSelection(t *testing.T) {
	for _, c := range []struct {
		expr string
		body string
		ok   bool
	}{
		{"$request.body.action", "action", true},
		{"${request.body.action}", "action", true},
		{"$request.body.message.type", "message.type", true},
		{"${request.body.action}-${request.body.sub}", "", true},
		{"$request.header.Auth", "", true},
		{`\$default`, "", true},
		{"$default", "", true},
		{"$request.method $request.path", "", true},
		{"${integration.response.statuscode}", "", true},
		{"$request.body.", "", false},
		{"$request.body..a", "", false},
		{"$request.bogus", "", false},
		{"${request.body.action", "", false},
		{"$", "", false},
		{"", "", false},
		{"$request.header.", "", false},
	} {
		sel, err := ParseSelection(c.expr)
		if (err == nil) != c.ok {
			t.Errorf("%q: err %v", c.expr, err)
			continue
		}
		if err == nil && sel.Body() != c.body {
			t.Errorf("%q: body %q, want %q", c.expr, sel.Body(), c.body)
		}
	}
}

func TestCheckRouteKey(t *testing.T) {
	for _, c := range []struct {
		protocol, key string
		ok            bool
	}{
		{ProtocolWebSocket, "$connect", true}, {ProtocolWebSocket, "$disconnect", true}, {ProtocolWebSocket, "$default", true},
		{ProtocolWebSocket, "sendmessage", true}, {ProtocolWebSocket, "$other", false}, {ProtocolWebSocket, "", false},
		{ProtocolWebSocket, strings.Repeat("a", 129), false},
		{ProtocolHTTP, "$default", true}, {ProtocolHTTP, "GET /", true}, {ProtocolHTTP, "ANY /{proxy+}", true},
		{ProtocolHTTP, "GET /a/{b}/c", true}, {ProtocolHTTP, "$connect", false}, {ProtocolHTTP, "GET  /a", false},
		{ProtocolHTTP, "GET /a/", false}, {ProtocolHTTP, "GET /a?b", false}, {ProtocolHTTP, "GET /{}", false},
	} {
		if err := checkRouteKey(c.protocol, c.key); (err == nil) != c.ok {
			t.Errorf("%s %q: %v", c.protocol, c.key, err)
		}
	}
}

// compile builds the route table of route keys.
func compile(keys ...string) httpRoutes {
	routes := map[string]*DeployedRoute{}
	for _, k := range keys {
		routes[k] = &DeployedRoute{Route: Route{Key: k}}
	}
	return compileHTTPRoutes(routes)
}

func TestRouteMatchingMostSpecificFirst(t *testing.T) {
	rs := compile("GET /pets/{id}", "GET /pets/dog", "ANY /pets/{id}", "ANY /{proxy+}", "GET /pets/{id}/{proxy+}", "GET /", "$default", "POST /pets")
	for _, c := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/pets/dog", "GET /pets/dog", nil},
		{"GET", "/pets/cat", "GET /pets/{id}", map[string]string{"id": "cat"}},
		{"PUT", "/pets/cat", "ANY /pets/{id}", map[string]string{"id": "cat"}},
		{"GET", "/pets/cat/a/b", "GET /pets/{id}/{proxy+}", map[string]string{"id": "cat", "proxy": "a/b"}},
		{"POST", "/pets", "POST /pets", nil},
		{"GET", "/pets", "ANY /{proxy+}", map[string]string{"proxy": "pets"}},
		{"GET", "/", "GET /", nil},
		{"DELETE", "/", "$default", nil},
	} {
		r, params := rs.match(c.method, splitPath(c.path))
		if r == nil || r.Key != c.want {
			t.Errorf("%s %s: got %v, want %s", c.method, c.path, r, c.want)
			continue
		}
		for k, v := range c.params {
			if params[k] != v {
				t.Errorf("%s %s: params %v", c.method, c.path, params)
			}
		}
	}
	one := compile("GET /a")
	if r, _ := one.match("GET", splitPath("/b")); r != nil {
		t.Errorf("no $default: matched %v", r.Key)
	}
}

// FuzzRouteKey: no route key or selection expression panics the parsers,
// and an accepted HTTP route key round-trips through its parts.
func FuzzRouteKey(f *testing.F) {
	for _, s := range []string{"GET /pets/{id}", "ANY /{proxy+}", "$default", "GET /a/{b+}/c", "POST /", "$request.body.action", "${request.body.a}-x", `\$default`, "${", "$request.body..", "GET /{a}/{a}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = checkRouteKey(ProtocolWebSocket, s)
		if k, err := ParseHTTPRouteKey(s); err == nil {
			var b strings.Builder
			b.WriteString(k.Method + " ")
			for _, p := range k.Parts {
				b.WriteString("/")
				switch {
				case p.Greedy:
					b.WriteString("{" + p.Param + "+}")
				case p.Param != "":
					b.WriteString("{" + p.Param + "}")
				default:
					b.WriteString(p.Literal)
				}
			}
			if len(k.Parts) == 0 {
				b.WriteString("/")
			}
			if b.String() != s {
				t.Fatalf("%q parsed as %q", s, b.String())
			}
		}
		if sel, err := ParseSelection(s); err == nil && len(sel) == 0 {
			t.Fatalf("%q: empty selection accepted", s)
		}
	})
}

// FuzzPathMatch: matching never panics, and a matched route's parameters
// rebuild the path.
func FuzzPathMatch(f *testing.F) {
	f.Add("GET", "/pets/dog/a/b")
	f.Add("POST", "/")
	f.Add("GET", "//x")
	rs := compile("GET /pets/{id}", "ANY /{proxy+}", "GET /pets/{id}/{rest+}", "GET /a/b")
	f.Fuzz(func(t *testing.T, method, path string) {
		r, params := rs.match(method, splitPath(path))
		if r == nil {
			return
		}
		k, _ := ParseHTTPRouteKey(r.Key)
		var segs []string
		for _, p := range k.Parts {
			switch {
			case p.Param != "":
				segs = append(segs, params[p.Param])
			default:
				segs = append(segs, p.Literal)
			}
		}
		if got := strings.Join(segs, "/"); got != strings.TrimPrefix(path, "/") {
			t.Fatalf("%s %q matched %s, rebuilt %q", method, path, r.Key, got)
		}
	})
}

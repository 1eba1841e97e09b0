package apigatewayv2

import (
	"strings"
)

// This file parses what API Gateway v2 checks at create time: route keys and
// selection expressions.

// Protocol types.
const (
	ProtocolHTTP      = "HTTP"
	ProtocolWebSocket = "WEBSOCKET"
)

// Route keys with a meaning of their own.
const (
	RouteDefault    = "$default"
	RouteConnect    = "$connect"
	RouteDisconnect = "$disconnect"
)

// httpMethods are the methods an HTTP API route key may name.
var httpMethods = map[string]bool{"ANY": true, "GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// PathPart is one segment of an HTTP API route path: a literal, a {param}
// or, last, a greedy {param+}.
type PathPart struct {
	Literal string // the segment when it is no parameter
	Param   string // the parameter's name
	Greedy  bool
}

// HTTPRouteKey is a parsed "METHOD /path" route key.
type HTTPRouteKey struct {
	Method string
	Parts  []PathPart
}

// ParseHTTPRouteKey parses an HTTP API route key other than $default:
// "GET /pets/{id}", "ANY /{proxy+}", "POST /".
func ParseHTTPRouteKey(key string) (HTTPRouteKey, error) {
	method, path, ok := strings.Cut(key, " ")
	if !ok || !httpMethods[method] || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n?#") {
		return HTTPRouteKey{}, ErrBadRequest.Errorf("Invalid route key: %s. A route key must be $default or an HTTP method (ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) followed by a space and a path starting with /", key)
	}
	k := HTTPRouteKey{Method: method}
	if path == "/" {
		return k, nil
	}
	segs := strings.Split(path[1:], "/")
	seen := map[string]bool{}
	for i, seg := range segs {
		switch {
		case seg == "":
			return HTTPRouteKey{}, ErrBadRequest.Errorf("Invalid route key: %s. Paths may not contain empty segments", key)
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			name := seg[1 : len(seg)-1]
			greedy := strings.HasSuffix(name, "+")
			name = strings.TrimSuffix(name, "+")
			if !validParamName(name) {
				return HTTPRouteKey{}, ErrBadRequest.Errorf("Invalid route key: %s. Invalid path parameter %s", key, seg)
			}
			if greedy && i != len(segs)-1 {
				return HTTPRouteKey{}, ErrBadRequest.Errorf("Invalid route key: %s. A greedy path variable must be the last segment of the path", key)
			}
			if seen[name] {
				return HTTPRouteKey{}, ErrBadRequest.Errorf("Invalid route key: %s. Duplicate path parameter %s", key, name)
			}
			seen[name] = true
			k.Parts = append(k.Parts, PathPart{Param: name, Greedy: greedy})
		case strings.ContainsAny(seg, "{}"):
			return HTTPRouteKey{}, ErrBadRequest.Errorf("Invalid route key: %s. A path parameter must be a whole segment", key)
		default:
			k.Parts = append(k.Parts, PathPart{Literal: seg})
		}
	}
	return k, nil
}

func validParamName(n string) bool {
	if n == "" {
		return false
	}
	for _, c := range n {
		if !(c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// checkRouteKey applies the route key rules of a protocol.
func checkRouteKey(protocol, key string) error {
	if key == "" {
		return ErrBadRequest.New("Route key must not be empty")
	}
	if protocol == ProtocolWebSocket {
		if strings.HasPrefix(key, "$") && key != RouteConnect && key != RouteDisconnect && key != RouteDefault {
			return ErrBadRequest.Errorf("Invalid route key: %s. Route keys starting with $ are reserved; use $connect, $disconnect, $default or a custom key", key)
		}
		if len(key) > 128 {
			return ErrBadRequest.Errorf("Invalid route key: %s. A route key is at most 128 characters", key)
		}
		return nil
	}
	if key == RouteDefault {
		return nil
	}
	_, err := ParseHTTPRouteKey(key)
	return err
}

// SelectionPart is a literal or a reference ("request.body.action",
// "request.header.Auth", "context.authorizer.x", "stageVariables.v",
// "integration.response.statuscode") of a selection expression.
type SelectionPart struct {
	Literal string
	Ref     string
}

// Selection is a parsed selection expression: "$request.body.action",
// "${request.body.action}-${request.body.sub}", "\$default" (a literal).
type Selection []SelectionPart

// Body is the JSON path of a selection that is one $request.body reference
// ("action", "message.type"), or "" when it is not one.
func (s Selection) Body() string {
	if len(s) == 1 {
		if p, ok := strings.CutPrefix(s[0].Ref, "request.body."); ok {
			return p
		}
	}
	return ""
}

// refRoots are the sources a selection expression may read.
var refRoots = []string{"request.body", "request.header.", "request.querystring.", "request.method", "request.path", "context.", "stageVariables.", "integration.response."}

// ParseSelection parses a selection expression.
func ParseSelection(expr string) (Selection, error) {
	bad := func() (Selection, error) {
		return nil, ErrBadRequest.Errorf("Invalid selection expression specified: %s", expr)
	}
	var out Selection
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, SelectionPart{Literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr) && expr[i+1] == '$':
			lit.WriteByte('$')
			i += 2
		case c == '$' && i+1 < len(expr) && expr[i+1] == '{':
			end := strings.IndexByte(expr[i:], '}')
			if end < 0 {
				return bad()
			}
			ref := expr[i+2 : i+end]
			if !validRef(ref) {
				return bad()
			}
			flush()
			out = append(out, SelectionPart{Ref: ref})
			i += end + 1
		case c == '$':
			j := i + 1
			for j < len(expr) && expr[j] != ' ' && expr[j] != '$' && expr[j] != '\\' {
				j++
			}
			ref := expr[i+1 : j]
			if ref == "default" && len(out) == 0 && lit.Len() == 0 && j == len(expr) {
				lit.WriteString("$default")
				i = j
				continue
			}
			if !validRef(ref) {
				return bad()
			}
			flush()
			out = append(out, SelectionPart{Ref: ref})
			i = j
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if len(out) == 0 {
		return bad()
	}
	return out, nil
}

func validRef(ref string) bool {
	if ref == "" || strings.ContainsAny(ref, " {}$") || strings.HasSuffix(ref, ".") || strings.Contains(ref, "..") {
		return false
	}
	for _, root := range refRoots {
		if ref == root || strings.HasPrefix(ref, root) && (strings.HasSuffix(root, ".") || ref[len(root)] == '.') {
			return len(ref) > len(root) || !strings.HasSuffix(root, ".")
		}
	}
	return false
}

// Default selection expressions.
const (
	httpRouteSelection         = "$request.method $request.path"
	defaultAPIKeySelection     = "$request.header.x-api-key"
	authorizerAPIKeySelection  = "$context.authorizer.usageIdentifierKey"
	wsIntegrationResponseSelex = "${integration.response.statuscode}"
)

// checkAPISelections applies CreateApi's rules to its selection expressions.
func checkAPISelections(protocol, routeSel, keySel string) error {
	if keySel != "" && keySel != defaultAPIKeySelection && keySel != authorizerAPIKeySelection {
		return ErrBadRequest.Errorf("Invalid API Key Selection Expression specified: %s. Supported values are %s and %s", keySel, defaultAPIKeySelection, authorizerAPIKeySelection)
	}
	if protocol == ProtocolHTTP {
		if routeSel != "" && routeSel != httpRouteSelection {
			return ErrBadRequest.Errorf("Unsupported route selection expression for HTTP APIs: %s. The only supported value is %s", routeSel, httpRouteSelection)
		}
		return nil
	}
	if routeSel == "" {
		return ErrBadRequest.New("Route selection expression is required for WebSocket APIs")
	}
	sel, err := ParseSelection(routeSel)
	if err != nil || !sel.hasRef() {
		return ErrBadRequest.Errorf("Invalid route selection expression specified: %s", routeSel)
	}
	return nil
}

func (s Selection) hasRef() bool {
	for _, p := range s {
		if p.Ref != "" {
			return true
		}
	}
	return false
}

package apigatewayv2

import (
	"slices"
	"strings"
)

// This file matches HTTP API requests to routes as AWS does: the most
// specific route wins — literal segments before {param} before a greedy
// {proxy+}, a route naming the method before ANY — and $default takes what
// nothing else matches.

// httpRoute is a compiled route key.
type httpRoute struct {
	route *DeployedRoute
	key   HTTPRouteKey
}

// httpRoutes are an HTTP API's routes, most specific first.
type httpRoutes struct {
	routes []httpRoute
	dflt   *DeployedRoute
}

func compileHTTPRoutes(routes map[string]*DeployedRoute) httpRoutes {
	var out httpRoutes
	for key, r := range routes {
		if key == RouteDefault {
			out.dflt = r
			continue
		}
		k, err := ParseHTTPRouteKey(key)
		if err != nil {
			continue // checked at create time
		}
		out.routes = append(out.routes, httpRoute{route: r, key: k})
	}
	slices.SortFunc(out.routes, func(a, b httpRoute) int { return compareSpecificity(a.key, b.key) })
	return out
}

// rank of a segment: lower is more specific.
func (p PathPart) rank() int {
	switch {
	case p.Greedy:
		return 2
	case p.Param != "":
		return 1
	}
	return 0
}

// compareSpecificity orders route keys most specific first: segment by
// segment (literal < param < greedy), then longer paths, then a method
// before ANY, then by text for a stable order.
func compareSpecificity(a, b HTTPRouteKey) int {
	for i := 0; i < len(a.Parts) && i < len(b.Parts); i++ {
		if d := a.Parts[i].rank() - b.Parts[i].rank(); d != 0 {
			return d
		}
	}
	ag, bg := greedy(a), greedy(b)
	if ag != bg {
		if ag {
			return 1
		}
		return -1
	}
	if d := len(b.Parts) - len(a.Parts); d != 0 {
		return d
	}
	if (a.Method == "ANY") != (b.Method == "ANY") {
		if a.Method == "ANY" {
			return 1
		}
		return -1
	}
	return strings.Compare(a.Method, b.Method)
}

func greedy(k HTTPRouteKey) bool { return len(k.Parts) > 0 && k.Parts[len(k.Parts)-1].Greedy }

// match finds the route of a request: method and path segments (decoded).
// params holds the path parameters (nil when the route has none).
func (rs *httpRoutes) match(method string, segs []string) (*DeployedRoute, map[string]string) {
	for i := range rs.routes {
		r := &rs.routes[i]
		if r.key.Method != "ANY" && r.key.Method != method {
			continue
		}
		if params, ok := matchParts(r.key.Parts, segs); ok {
			return r.route, params
		}
	}
	return rs.dflt, nil
}

// matchParts matches segments against a route path.
func matchParts(parts []PathPart, segs []string) (map[string]string, bool) {
	var params map[string]string
	for i, p := range parts {
		if p.Greedy {
			if i >= len(segs) {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[p.Param] = strings.Join(segs[i:], "/")
			return params, true
		}
		if i >= len(segs) || segs[i] == "" {
			return nil, false
		}
		if p.Param != "" {
			if params == nil {
				params = map[string]string{}
			}
			params[p.Param] = segs[i]
			continue
		}
		if p.Literal != segs[i] {
			return nil, false
		}
	}
	return params, len(parts) == len(segs)
}

// splitPath splits a decoded path "/a/b" into its segments; "/" has none.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

package apigateway

import (
	"net/url"
	"strings"
)

// Snapshot is a deployment's immutable copy of an API's routes: a tree of
// resources the data plane matches request paths against.
type Snapshot struct {
	Root             *RouteNode
	BinaryMediaTypes []string
	Authorizers      map[string]*Authorizer // as they were at the deployment

	Validators       map[string]RequestValidator
	Models           map[string]string           // schema by model name
	GatewayResponses map[string]*GatewayResponse // the customised types
}

// RouteNode is one resource of a deployed API.
type RouteNode struct {
	ID      string
	Path    string // the resource path ("/pets/{id}")
	Methods map[string]*Method

	literal    map[string]*RouteNode
	param      *RouteNode // {name}
	paramName  string
	greedy     *RouteNode // {name+}
	greedyName string
}

// snapshot copies the API's resources into a route tree (caller holds the
// API's lock).
func (a *API) snapshot() *Snapshot {
	nodes := make(map[string]*RouteNode, len(a.resources))
	for id, r := range a.resources {
		n := &RouteNode{ID: id, Path: r.Path, Methods: make(map[string]*Method, len(r.Methods))}
		for k, m := range r.Methods {
			n.Methods[k] = m.clone()
		}
		nodes[id] = n
	}
	for id, r := range a.resources {
		if id == a.RootID {
			continue
		}
		parent, n := nodes[r.ParentID], nodes[id]
		if parent == nil {
			continue
		}
		switch {
		case isGreedy(r.PathPart):
			parent.greedy, parent.greedyName = n, r.PathPart[1:len(r.PathPart)-2]
		case isVariable(r.PathPart):
			parent.param, parent.paramName = n, r.PathPart[1:len(r.PathPart)-1]
		default:
			if parent.literal == nil {
				parent.literal = map[string]*RouteNode{}
			}
			parent.literal[r.PathPart] = n
		}
	}
	authorizers := make(map[string]*Authorizer, len(a.authorizers))
	for id, z := range a.authorizers {
		c := *z
		c.ProviderARNs = append([]string(nil), z.ProviderARNs...)
		authorizers[id] = &c
	}
	snap := &Snapshot{Root: nodes[a.RootID], BinaryMediaTypes: append([]string(nil), a.BinaryMediaTypes...), Authorizers: authorizers,
		Validators: map[string]RequestValidator{}, Models: map[string]string{}, GatewayResponses: map[string]*GatewayResponse{}}
	for id, v := range a.validators {
		snap.Validators[id] = *v
	}
	for name, m := range a.models {
		snap.Models[name] = m.Schema
	}
	for t, r := range a.gatewayResponses {
		snap.GatewayResponses[t] = r.clone()
	}
	return snap
}

// maxPathSegments bounds the work one request path can cause.
const maxPathSegments = 256

// SplitPath splits an escaped request path into decoded segments, dropping
// empty ones ("/a//b/" is a, b). ok=false for a path that cannot match.
func SplitPath(escaped string) (segs []string, ok bool) {
	for _, raw := range strings.Split(escaped, "/") {
		if raw == "" {
			continue
		}
		if len(segs) == maxPathSegments {
			return nil, false
		}
		seg, err := url.PathUnescape(raw)
		if err != nil {
			seg = raw
		}
		segs = append(segs, seg)
	}
	return segs, true
}

// Match finds the resource for a path as API Gateway does: a literal part
// beats {param}, which beats {proxy+}; when a more specific branch leads
// nowhere the next one is tried. It returns the path parameters, nil when
// there are none.
func (s *Snapshot) Match(segs []string) (*RouteNode, map[string]string) {
	if s == nil || s.Root == nil {
		return nil, nil
	}
	var params map[string]string
	n := s.Root.match(segs, &params)
	return n, params
}

func (n *RouteNode) match(segs []string, params *map[string]string) *RouteNode {
	if len(segs) == 0 {
		return n
	}
	if c := n.literal[segs[0]]; c != nil {
		if m := c.match(segs[1:], params); m != nil {
			return m
		}
	}
	if n.param != nil {
		if m := n.param.match(segs[1:], params); m != nil {
			setParam(params, n.paramName, segs[0])
			return m
		}
	}
	if n.greedy != nil {
		setParam(params, n.greedyName, strings.Join(segs, "/"))
		return n.greedy
	}
	return nil
}

func setParam(params *map[string]string, name, value string) {
	if *params == nil {
		*params = map[string]string{}
	}
	(*params)[name] = value
}

// Method picks the resource's method for an HTTP method, falling back to ANY.
func (n *RouteNode) Method(httpMethod string) *Method {
	if m := n.Methods[httpMethod]; m != nil {
		return m
	}
	return n.Methods["ANY"]
}

// node finds a resource's node by id.
func (s *Snapshot) node(id string) *RouteNode {
	var walk func(n *RouteNode) *RouteNode
	walk = func(n *RouteNode) *RouteNode {
		if n == nil || n.ID == id {
			return n
		}
		for _, c := range n.literal {
			if f := walk(c); f != nil {
				return f
			}
		}
		if f := walk(n.param); f != nil {
			return f
		}
		return walk(n.greedy)
	}
	return walk(s.Root)
}

package emulator

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// edge is the one listener's handler: it finds the service of each request
// in a routing table built once at start-up and hands the request on.
type edge struct {
	byScope  map[string]target
	byTarget map[string]target
	byPath   []prefixRoute // longest prefix first
	byHost   []prefixRoute // longest suffix first
	fallback target
	verifier *awsproto.Verifier
	newID    func() string
}

type target struct {
	svc      cloud.Service
	public   bool
	publicIf func(*http.Request) bool
}

type prefixRoute struct {
	key string
	target
}

func newEdge(services []cloud.Service, control cloud.Service) *edge {
	e := &edge{byScope: map[string]target{}, byTarget: map[string]target{}}
	for _, s := range append([]cloud.Service{control}, services...) {
		for _, r := range s.Routes() {
			t := target{svc: s, public: r.Public, publicIf: r.PublicIf}
			switch r.Kind {
			case cloud.ByScope:
				e.byScope[r.Key] = t
			case cloud.ByTarget:
				e.byTarget[r.Key] = t
			case cloud.ByPath:
				e.byPath = append(e.byPath, prefixRoute{r.Key, t})
			case cloud.ByHost:
				e.byHost = append(e.byHost, prefixRoute{strings.TrimPrefix(r.Key, "."), t})
			case cloud.Fallback:
				e.fallback = t
			}
		}
	}
	longestFirst := func(rs []prefixRoute) {
		sort.SliceStable(rs, func(i, j int) bool { return len(rs[i].key) > len(rs[j].key) })
	}
	longestFirst(e.byPath)
	longestFirst(e.byHost)
	return e
}

// route finds the service of r: a known X-Amz-Target prefix (DynamoDB
// Streams signs with the "dynamodb" scope, so the target must win), the
// credential scope, a path prefix, a Host pattern, then the fallback (S3
// path-style).
func (e *edge) route(r *http.Request) (target, bool) {
	t, _, ok := e.match(r)
	return t, ok
}

// match is route that also returns what the service's Host routes matched
// (the bucket, API or URL id before the pattern), whichever way the request
// was routed: a signed virtual-hosted S3 request goes by its scope and still
// names its bucket in Host. Zero when no Host route of the service matches.
func (e *edge) match(r *http.Request) (target, awsproto.HostMatch, bool) {
	tgt := r.Header.Get("X-Amz-Target")
	if tgt != "" {
		prefix, _, _ := strings.Cut(tgt, ".")
		if t, ok := e.byTarget[prefix]; ok {
			return t, e.hostOf(r, t.svc), true
		}
	}
	if s, ok := awsproto.ScopeOf(r); ok {
		t, ok := e.byScope[s.Service]
		return t, e.hostOf(r, t.svc), ok
	}
	if tgt != "" {
		return target{}, awsproto.HostMatch{}, false
	}
	path := r.URL.Path
	for _, p := range e.byPath {
		if strings.HasPrefix(path, p.key) && (len(path) == len(p.key) || path[len(p.key)] == '/' || strings.HasSuffix(p.key, "/")) {
			return p.target, e.hostOf(r, p.svc), true
		}
	}
	host := hostOnly(r.Host)
	for _, h := range e.byHost {
		if m, ok := matchHost(host, h.key); ok {
			m.Pattern = h.key
			return h.target, m, true
		}
	}
	return e.fallback, awsproto.HostMatch{}, e.fallback.svc != nil
}

// hostOf matches r's Host against svc's own Host routes (longest first).
func (e *edge) hostOf(r *http.Request, svc cloud.Service) awsproto.HostMatch {
	if svc == nil || r.Host == "" {
		return awsproto.HostMatch{}
	}
	host := ""
	for _, h := range e.byHost {
		if h.svc != svc {
			continue
		}
		if host == "" {
			host = hostOnly(r.Host)
		}
		if len(host) < len(h.key)+2 && strings.IndexByte(h.key, '*') < 0 {
			continue // too short to hold a resource, a dot and the pattern
		}
		if m, ok := matchHost(host, h.key); ok {
			m.Pattern = h.key
			return m
		}
	}
	return awsproto.HostMatch{}
}

// MatchHost matches host against a pattern of dot-separated labels in which
// "*" stands for any one label ("lambda-url.*.localhost.localstack.cloud"),
// and returns the part of host before the pattern (the bucket, API or URL
// id), or "" when host does not match.
func MatchHost(host, pattern string) string {
	m, _ := matchHost(host, pattern)
	return m.Resource
}

// matchHost is MatchHost that also returns the label "*" stood for (the
// region of a Function URL host).
func matchHost(host, pattern string) (awsproto.HostMatch, bool) {
	pattern = strings.TrimPrefix(pattern, ".")
	var wild string
	for {
		i := strings.LastIndexByte(pattern, '.')
		plabel := pattern[i+1:]
		j := strings.LastIndexByte(host, '.')
		if j < 0 {
			return awsproto.HostMatch{}, false
		}
		hlabel := host[j+1:]
		if plabel == "*" {
			wild = hlabel
		} else if !strings.EqualFold(plabel, hlabel) {
			return awsproto.HostMatch{}, false
		}
		host = host[:j]
		if i < 0 {
			return awsproto.HostMatch{Resource: host, Label: wild}, host != ""
		}
		pattern = pattern[:i]
	}
}

// hostOnly strips the port from a Host header.
func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		return h[:i]
	}
	return h
}

func (e *edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t, res, ok := e.match(r)
	if !ok {
		e.unknownService(w, r)
		return
	}
	if res.Resource != "" {
		r = awsproto.WithHostMatch(r, res)
	}
	if e.verifier != nil && !t.public && (t.publicIf == nil || !t.publicIf(r)) {
		if err := e.verifier.Verify(r); err != nil {
			proto := t.svc.Protocol()
			codes := awsproto.AuthErrorsFor(proto)
			var ae *awsproto.Error
			switch {
			case errors.Is(err, awsproto.ErrUnsigned):
				ae = codes.Missing.New("Request is missing Authentication Token")
			case errors.Is(err, awsproto.ErrUnknownAccessKey):
				ae = codes.UnknownKey.New("The security token included in the request is invalid.")
			case errors.Is(err, awsproto.ErrExpired):
				ae = codes.Expired.New("Request has expired")
			default:
				ae = codes.Mismatch.New("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
			}
			awsproto.WriteError(proto, w, r, e.newID(), ae)
			return
		}
	}
	t.svc.ServeHTTP(w, r)
}

// unknownService answers a request for a service groundstack does not
// emulate, in the shape its client most likely parses.
func (e *edge) unknownService(w http.ResponseWriter, r *http.Request) {
	name := "unknown"
	if s, ok := awsproto.ScopeOf(r); ok {
		name = s.Service
	} else if tgt := r.Header.Get("X-Amz-Target"); tgt != "" {
		name, _, _ = strings.Cut(tgt, ".")
	}
	err := awsproto.ErrUnknownService.Errorf("groundstack does not emulate the service %q", name)
	proto := awsproto.Query
	if r.Header.Get("X-Amz-Target") != "" || strings.Contains(r.Header.Get("Content-Type"), "json") {
		proto = awsproto.JSON11
	}
	awsproto.WriteError(proto, w, r, e.newID(), err)
}

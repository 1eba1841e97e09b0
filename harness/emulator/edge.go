package emulator

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

// edge is the one listener's handler: it finds the service of each request
// in a routing table built once at start-up and hands the request on.
type edge struct {
	byScope  map[string]target
	byTarget map[string]target
	byPath   []prefixRoute     // longest prefix first
	byHost   []prefixRoute     // longest suffix first
	byAction map[string]target // "Version/Action" of unsigned query calls
	fallback target
	verifier *awsproto.Verifier
	origins  *originPolicy
	control  cloud.Service
	newID    func() string
	// durable holds answers until what they changed is logged
	// (--data-dir); whole are the logs of services persisted whole.
	durable bool
	whole   map[cloud.Service]*persist.Log
}

// serve hands r to h, the handler of t's service, through the durability
// wait when the emulator persists.
func (e *edge) serve(h http.Handler, t target, w http.ResponseWriter, r *http.Request) {
	if !e.durable {
		h.ServeHTTP(w, r)
		return
	}
	serveDurably(h, w, r, t.svc.Protocol(), e.whole[t.svc], e.newID)
}

type target struct {
	svc      cloud.Service
	public   bool
	publicIf func(*http.Request) bool
	data     http.Handler             // the data plane a public request reaches
	when     func(*http.Request) bool // a path route claims only what it accepts
	expect   awsproto.Expect          // what strict mode demands of its signatures
	literal  bool                     // the service takes paths verbatim (S3 keys)
}

type prefixRoute struct {
	key string
	target
}

func newEdge(services []cloud.Service, control cloud.Service) *edge {
	e := &edge{byScope: map[string]target{}, byTarget: map[string]target{}, byAction: map[string]target{}, control: control}
	for _, s := range append([]cloud.Service{control}, services...) {
		var x awsproto.Expect
		for _, r := range s.Routes() {
			if r.Kind == cloud.ByScope || r.Kind == cloud.SignedAs {
				x.Services = append(x.Services, r.Key)
			}
		}
		if l, ok := s.(interface{ MaxRequestBody() int64 }); ok {
			x.MaxBody = l.MaxRequestBody()
		}
		literal := false
		if l, ok := s.(cloud.LiteralPaths); ok {
			literal = l.LiteralPaths()
		}
		for _, r := range s.Routes() {
			t := target{svc: s, public: r.Public, publicIf: r.PublicIf, data: r.DataPlane, when: r.When, expect: x, literal: literal}
			switch r.Kind {
			case cloud.ByScope:
				e.byScope[r.Key] = t
			case cloud.ByTarget:
				e.byTarget[r.Key] = t
			case cloud.ByPath:
				e.byPath = append(e.byPath, prefixRoute{r.Key, t})
			case cloud.ByHost:
				e.byHost = append(e.byHost, prefixRoute{strings.TrimPrefix(r.Key, "."), t})
			case cloud.ByAction:
				e.byAction[r.Key] = t
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

// match finds the service of r: a known X-Amz-Target prefix (DynamoDB
// Streams signs with the "dynamodb" scope, so the target must win), the
// credential scope, a path prefix, a Host pattern, then the fallback (S3
// path-style). It also returns what the routed service's Host patterns
// match (the bucket, API or URL id before the pattern), however r was
// routed: a signed request to a Function URL or a virtual-hosted bucket is
// routed by its credential scope and still names its resource in Host.
// Path prefixes are matched against the normalised path (cleanPath), the
// one the service is then handed unless it takes paths verbatim.
func (e *edge) match(r *http.Request) (target, awsproto.HostMatch, bool) {
	tgt := r.Header.Get("X-Amz-Target")
	if tgt != "" {
		prefix, _, _ := strings.Cut(tgt, ".")
		if t, ok := e.byTarget[prefix]; ok {
			m, _ := e.hostOf(r, t.svc)
			return t, m, true
		}
	}
	if s, ok := awsproto.ScopeOf(r); ok {
		t, ok := e.byScope[s.Service]
		m, _ := e.hostOf(r, t.svc)
		return t, m, ok
	}
	if tgt != "" {
		return target{}, awsproto.HostMatch{}, false
	}
	path := cleanPath(r.URL.Path)
	for _, p := range e.byPath {
		if strings.HasPrefix(path, p.key) && (len(path) == len(p.key) || path[len(p.key)] == '/' || strings.HasSuffix(p.key, "/")) &&
			(p.when == nil || p.when(r)) {
			m, _ := e.hostOf(r, p.svc)
			return p.target, m, true
		}
	}
	host := hostOnly(r.Host)
	for _, h := range e.byHost {
		if m, ok := matchHost(host, h.key); ok {
			m.Pattern = h.key
			return h.target, m, true
		}
	}
	if len(e.byAction) > 0 && path == "/" {
		if t, ok := e.byAction[unsignedQueryAction(r)]; ok {
			return t, awsproto.HostMatch{}, true
		}
	}
	return e.fallback, awsproto.HostMatch{}, e.fallback.svc != nil
}

// maxUnsignedQueryBody bounds what the edge reads of an unsigned form POST
// to find its Action: STS's largest unsigned call, a 100,000-character
// SAMLAssertion, form-encoded.
const maxUnsignedQueryBody = 512 << 10

// unsignedQueryAction returns "Version/Action" of an unsigned query call
// (r carries no credential scope): a GET's query, or a form POST's body,
// which it reads (bounded) and puts back for the service. "" when r is
// neither, or its body is too large to be such a call.
func unsignedQueryAction(r *http.Request) string {
	var form url.Values
	switch r.Method {
	case http.MethodGet:
		if !strings.Contains(r.URL.RawQuery, "Action=") {
			return "" // S3's unsigned GET / (ListBuckets) parses nothing
		}
		form, _ = url.ParseQuery(r.URL.RawQuery)
	case http.MethodPost:
		if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); !strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") || r.Body == nil {
			return ""
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUnsignedQueryBody+1))
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		if err != nil || len(body) > maxUnsignedQueryBody {
			return ""
		}
		// The query's values come first, as awsproto.ParseForm reads them.
		form, _ = url.ParseQuery(r.URL.RawQuery)
		bv, _ := url.ParseQuery(string(body))
		for k, v := range bv {
			form[k] = append(form[k], v...)
		}
	default:
		return ""
	}
	action, version := form.Get("Action"), form.Get("Version")
	if action == "" || version == "" {
		return ""
	}
	return version + "/" + action
}

// dataPlane reports whether r reaches a data plane (website, invoke URL,
// Function URL), whose own CORS settings decide which pages may call it:
// a public route, or a signed request to one of its service's public hosts
// (a Function URL with AWS_IAM auth is routed by its credential scope).
func (e *edge) dataPlane(t target, r *http.Request, public bool) bool {
	if t.svc == e.control {
		return false
	}
	if public {
		return true
	}
	_, public = e.hostOf(r, t.svc)
	return public
}

// hostOf matches r's Host against svc's own Host routes (longest first),
// and says whether the one that matched is a public data plane.
func (e *edge) hostOf(r *http.Request, svc cloud.Service) (awsproto.HostMatch, bool) {
	if svc == nil || r.Host == "" {
		return awsproto.HostMatch{}, false
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
			return m, h.public
		}
	}
	return awsproto.HostMatch{}, false
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
	// Paths are normalised once, here: the route, the public verdict and the
	// service all see the same path. Only the signature is checked against
	// the path as the client sent (and signed) it.
	signed := r
	if clean := cleanPath(r.URL.Path); !t.literal && clean != r.URL.Path {
		r = withPath(r, clean)
	}
	public := t.public || (t.publicIf != nil && t.publicIf(r))
	// Data planes serve any page; the control plane, though unsigned, is no
	// data plane: a foreign page must not reset or read the cloud.
	if origin := r.Header.Get("Origin"); origin != "" && !e.dataPlane(t, r, public) {
		if !e.origins.allowed(origin) {
			awsproto.WriteError(t.svc.Protocol(), w, r, e.newID(), errForbiddenOrigin.Errorf(
				"Requests from the web page at %s may not call groundstack's APIs: allow that origin with GROUNDSTACK_CORS_ORIGINS (or LocalStack's EXTRA_CORS_ALLOWED_ORIGINS)", origin))
			return
		}
		// A service with CORS rules of its own (S3 bucket CORS) answers
		// for itself.
		if cs, ok := t.svc.(cloud.CORSServer); (!ok || !cs.ServesCORS(r)) && corsHeaders(w, r, origin) {
			return
		}
	}
	if public && t.data != nil {
		e.serve(t.data, t, w, r)
		return
	}
	if e.verifier != nil && !public {
		if err := e.verifier.VerifyFor(signed, t.expect); err != nil {
			awsproto.WriteError(t.svc.Protocol(), w, r, e.newID(), authError(t.svc.Protocol(), err))
			return
		}
		r.Body = signed.Body // the verifier hashes the body as it is read
	}
	e.serve(t.svc, t, w, r)
}

// internalEdge serves the requests the emulator makes to its own services
// (cloud.LinkInternalEdge): routed and normalised as the edge does, then
// handed to the service (through the durability wait, as the edge does,
// when the emulator persists) without signature checks, origin checks or fault
// rules. It is reachable only as a Go value, never from the network.
type internalEdge struct{ e *edge }

func (i internalEdge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t, res, ok := i.e.match(r)
	if !ok {
		i.e.unknownService(w, r)
		return
	}
	if res.Resource != "" {
		r = awsproto.WithHostMatch(r, res)
	}
	if clean := cleanPath(r.URL.Path); !t.literal && clean != r.URL.Path {
		r = withPath(r, clean)
	}
	i.e.serve(t.svc, t, w, r)
}

// authError words a failed verification as the reached service's protocol
// does.
func authError(proto awsproto.Protocol, err error) *awsproto.Error {
	codes := awsproto.AuthErrorsFor(proto)
	msg := func(def string) string {
		var ve *awsproto.VerifyError
		if errors.As(err, &ve) {
			return ve.Message
		}
		return def
	}
	switch {
	case errors.Is(err, awsproto.ErrUnsigned):
		return codes.Missing.New("Request is missing Authentication Token")
	case errors.Is(err, awsproto.ErrUnknownAccessKey):
		return codes.UnknownKey.New(codes.UnknownKeyMessage)
	case errors.Is(err, awsproto.ErrInvalidToken):
		return codes.BadToken.New(codes.BadTokenMessage)
	case errors.Is(err, awsproto.ErrTokenExpired):
		return codes.TokenExpired.New(codes.TokenExpiredMessage)
	case errors.Is(err, awsproto.ErrExpired):
		return codes.Expired.New("Request has expired")
	case errors.Is(err, awsproto.ErrSkewed):
		if proto == awsproto.RestXML {
			return codes.Skewed.New("The difference between the request time and the current time is too large.")
		}
		return codes.Skewed.New(msg(""))
	case errors.Is(err, awsproto.ErrWrongScope):
		return codes.Scope.New(msg(""))
	case errors.Is(err, awsproto.ErrMissingContentSHA256):
		return errInvalidRequest.New(msg(""))
	case errors.Is(err, awsproto.ErrBodyTooLarge):
		return awsproto.ErrRequestEntityTooLarge.New("Request entity too large")
	}
	var ae *awsproto.Error
	if errors.As(err, &ae) {
		return ae
	}
	return codes.Mismatch.New(msg("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."))
}

// errInvalidRequest is S3's answer to a header-signed request without its
// payload hash.
var errInvalidRequest = awsproto.Code{Name: "InvalidRequest", Status: http.StatusBadRequest}

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

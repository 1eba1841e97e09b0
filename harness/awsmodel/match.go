package awsmodel

import (
	"net/http"
	"net/url"
	"strings"
)

// MatchREST finds the operation of a rest protocol model a request
// addresses: its method, its path (escaped, as sent; for S3 with the
// bucket first even when the request named it in Host), its query and
// headers. Among the operations whose requestUri matches, and whose
// required query and header members the request carries, the most
// specific wins (literal path segments, then literal query keys and
// required members present). ok is false when none matches.
func (m *Service) MatchREST(method, path string, query url.Values, header http.Header) (op *Operation, ok bool) {
	segs := splitPath(path)
	best := score{-1, -1, -1}
	for _, name := range m.OperationNames() {
		o := m.Operations[name]
		if !strings.EqualFold(o.HTTP.Method, method) {
			continue
		}
		s, ok := m.matchOp(o, segs, query, header)
		if ok && s.better(best) {
			op, best = o, s
		}
	}
	return op, op != nil
}

type score struct{ literals, exact, extras int }

func (s score) better(t score) bool {
	if s.literals != t.literals {
		return s.literals > t.literals
	}
	if s.exact != t.exact {
		return s.exact > t.exact
	}
	return s.extras > t.extras
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	return segs
}

func (m *Service) matchOp(o *Operation, segs []string, query url.Values, header http.Header) (score, bool) {
	tpath, tquery, _ := strings.Cut(o.HTTP.RequestURI, "?")
	tsegs := strings.Split(strings.Trim(tpath, "/"), "/")
	if strings.Trim(tpath, "/") == "" {
		tsegs = nil
	}
	var s score
	s.exact = 1
	i := 0
	for ti, t := range tsegs {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "+}") {
			if ti != len(tsegs)-1 || i >= len(segs) {
				return s, false
			}
			i = len(segs)
			s.exact = 0
			break
		}
		if i >= len(segs) {
			return s, false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if segs[i] == "" {
				return s, false
			}
		} else if t != segs[i] {
			return s, false
		} else {
			s.literals++
		}
		i++
	}
	if i != len(segs) {
		return s, false
	}
	if tquery != "" {
		for _, kv := range strings.Split(tquery, "&") {
			k, v, hasV := strings.Cut(kv, "=")
			if k == "x-id" { // a disambiguator SDKs add; curl users need not
				if got := query.Get(k); got != "" && got != v {
					return s, false
				}
				continue
			}
			if _, present := query[k]; !present {
				return s, false
			}
			if hasV && query.Get(k) != v {
				return s, false
			}
			s.extras++
		}
	}
	if o.Input == nil {
		return s, true
	}
	in := m.Shapes[o.Input.Shape]
	if in == nil {
		return s, true
	}
	for _, name := range in.Required {
		ref := in.Members[name]
		if ref == nil {
			continue
		}
		switch ref.Location {
		case "querystring":
			if _, present := query[ref.LocationName]; !present {
				return s, false
			}
			s.extras++
		case "header":
			if header.Get(ref.LocationName) == "" {
				return s, false
			}
			s.extras++
		}
	}
	return s, true
}

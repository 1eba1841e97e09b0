package s3

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// CORS on the data plane: a bucket's CORS configuration (PutBucketCors)
// answers browsers' preflights and adds Access-Control-* headers to the
// requests of the origins it allows, as S3 does. Buckets without one are
// left to the edge's origin policy (any page the edge allows may read).

// corsRule is one CORSRule of a stored configuration.
type corsRule struct {
	origins, methods, headers, expose []string
	maxAge                            string
}

// corsRules reads a bucket's stored CORS configuration (nil: none).
func (s *Service) corsRules(bucket string) []corsRule {
	doc, err := s.store.BucketConfig(bucket, corsConfig.sub)
	if err != nil || doc == nil {
		return nil
	}
	var n xmlNode
	if awsproto.DecodeXML(doc, &n) != nil {
		return nil
	}
	texts := func(r *xmlNode, name string) []string {
		var out []string
		for _, c := range r.children(name) {
			out = append(out, strings.TrimSpace(c.Text))
		}
		return out
	}
	var rules []corsRule
	for _, r := range n.children("CORSRule") {
		age, _ := r.text("MaxAgeSeconds")
		rules = append(rules, corsRule{origins: texts(r, "AllowedOrigin"), methods: texts(r, "AllowedMethod"),
			headers: texts(r, "AllowedHeader"), expose: texts(r, "ExposeHeader"), maxAge: strings.TrimSpace(age)})
	}
	return rules
}

// ServesCORS: requests to a bucket with a CORS configuration get the
// bucket's answer, not the edge's (cloud.CORSServer).
func (s *Service) ServesCORS(r *http.Request) bool {
	bucket, _ := target(r)
	if bucket == "" {
		return false
	}
	doc, err := s.store.BucketConfig(bucket, corsConfig.sub)
	return err == nil && doc != nil
}

// wildMatch matches v against a pattern with at most one '*'.
func wildMatch(pattern, v string, fold bool) bool {
	if fold {
		pattern, v = strings.ToLower(pattern), strings.ToLower(v)
	}
	pre, post, wild := strings.Cut(pattern, "*")
	if !wild {
		return pattern == v
	}
	return len(v) >= len(pre)+len(post) && strings.HasPrefix(v, pre) && strings.HasSuffix(v, post)
}

// match finds the first rule allowing origin, method and the request
// headers (nil: none does).
func matchCORS(rules []corsRule, origin, method string, headers []string) *corsRule {
	for i := range rules {
		r := &rules[i]
		if !anyMatch(r.origins, origin, false) || !anyMatch(r.methods, method, false) {
			continue
		}
		ok := true
		for _, h := range headers {
			if !anyMatch(r.headers, h, true) {
				ok = false
				break
			}
		}
		if ok {
			return r
		}
	}
	return nil
}

func anyMatch(patterns []string, v string, fold bool) bool {
	for _, p := range patterns {
		if wildMatch(p, v, fold) {
			return true
		}
	}
	return false
}

// serveCORS applies a bucket's CORS rules to a request with an Origin
// header: it answers a preflight (true) or adds the headers of the rule
// that allows the request, if any.
func (s *Service) serveCORS(w http.ResponseWriter, r *http.Request, id, origin string) bool {
	bucket, key := target(r)
	if bucket == "" {
		return false
	}
	rules := s.corsRules(bucket)
	if rules == nil {
		return false
	}
	preflight := r.Method == http.MethodOptions
	method := r.Method
	var headers []string
	if preflight {
		method = r.Header.Get("Access-Control-Request-Method")
		if method == "" {
			awsproto.WriteXMLError(w, r, id, errBadRequest.New("Insufficient information. Origin request header needed."))
			return true
		}
		for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
			if h = strings.TrimSpace(h); h != "" {
				headers = append(headers, h)
			}
		}
	}
	rule := matchCORS(rules, origin, method, headers)
	h := w.Header()
	if rule == nil {
		if preflight {
			resource := "BUCKET"
			if key != "" {
				resource = "OBJECT"
			}
			awsproto.WriteXMLError(w, r, id, errAccessForbidden.New("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.").
				With("Method", method).With("ResourceType", resource))
			return true
		}
		return false
	}
	if containsExact(rule.origins, "*") {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.methods, ", "))
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	if len(rule.expose) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.expose, ", "))
	}
	if !preflight {
		return false
	}
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	if n, err := strconv.Atoi(rule.maxAge); err == nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(n))
	}
	h.Set("X-Amz-Request-Id", id)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return true
}

func containsExact(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

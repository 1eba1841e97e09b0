package emulator

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Any web page can make a browser send "simple" requests (a POST with a
// text/plain body) to 127.0.0.1:4566; without a check, a page on the open web
// could create and invoke a Lambda function (code execution as the
// emulator's user) or wipe every store. Browsers say where a request comes
// from in Origin, so the edge refuses origins that are not the machine's
// own, as LocalStack does, unless they are allowed by configuration. Data
// planes (website endpoints, API invoke URLs, Function URLs) serve any
// origin: their own CORS configuration decides, as on AWS.

// errForbiddenOrigin answers a request from an origin that may not call the
// emulator's APIs.
var errForbiddenOrigin = awsproto.Code{Name: "AccessDenied", Status: http.StatusForbidden}

// originPolicy says which browser origins may call the emulator's APIs.
type originPolicy struct {
	disabled bool            // DISABLE_CORS_CHECKS: every origin may
	extra    map[string]bool // exact origins ("https://app.example.com"), or "*"
}

func newOriginPolicy(extra []string, disabled bool) *originPolicy {
	p := &originPolicy{disabled: disabled, extra: map[string]bool{}}
	for _, o := range extra {
		if o = strings.TrimRight(strings.TrimSpace(strings.ToLower(o)), "/"); o != "" {
			p.extra[o] = true
		}
	}
	return p
}

// allowed reports whether a page of origin may call the APIs: the
// machine's own pages (loopback addresses, localhost and the
// *.localhost.localstack.cloud names that resolve to it, whatever the port)
// and the configured ones. "null" (sandboxed frames, files) is refused.
func (p *originPolicy) allowed(origin string) bool {
	if p.disabled || p.extra["*"] {
		return true
	}
	o := strings.ToLower(strings.TrimRight(origin, "/"))
	if p.extra[o] {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || (u.Path != "" && u.Path != "/") {
		return false
	}
	host := u.Hostname()
	switch {
	case host == "localhost", strings.HasSuffix(host, ".localhost"),
		host == "localhost.localstack.cloud", strings.HasSuffix(host, ".localhost.localstack.cloud"):
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// corsHeaders lets an allowed page read the answer, and answers its
// preflight (true when the request was one and is answered).
func corsHeaders(w http.ResponseWriter, r *http.Request, origin string) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "etag, x-amz-version-id, x-amz-request-id, x-amzn-requestid, x-amzn-errortype, x-amz-delete-marker, location")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "HEAD, GET, PUT, POST, DELETE, OPTIONS, PATCH")
	if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
		h.Set("Access-Control-Allow-Headers", rh)
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusOK)
	return true
}

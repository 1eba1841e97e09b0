package emulator

import (
	"net/http"
	"path"
	"strings"
)

// cleanPath is the one normalised form of a request path the edge routes
// by: repeated slashes collapsed, "." and ".." segments resolved (never
// above the root), a trailing slash kept. A path that is already clean is
// returned as is, without allocating.
func cleanPath(p string) string {
	if isCleanPath(p) {
		return p
	}
	c := path.Clean("/" + p)
	if c != "/" && (strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")) {
		c += "/"
	}
	return c
}

// isCleanPath reports whether p needs no normalising: it starts with a
// slash and holds no empty, "." or ".." segment (a trailing slash aside).
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); {
		j := strings.IndexByte(p[i+1:], '/')
		end := len(p)
		if j >= 0 {
			end = i + 1 + j
		}
		seg := p[i+1 : end]
		last := end == len(p)
		if (seg == "" && !last) || seg == "." || seg == ".." {
			return false
		}
		i = end
	}
	return true
}

// withPath returns a shallow copy of r whose URL path is p (r's own URL is
// left as it was, so the path a client signed can still be verified).
func withPath(r *http.Request, p string) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = p, ""
	r2.URL = &u
	return r2
}

package apigatewayv2

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// This file answers CORS as HTTP APIs do when the API has a
// CorsConfiguration: preflight OPTIONS requests are answered by API Gateway
// itself (no route needed), and every answer to an allowed origin carries
// the configured headers, replacing any the integration sent.

// preflight answers a CORS preflight request; false when r is none.
func (x *httpCall) preflight() bool {
	r := x.r
	origin := r.Header.Get("Origin")
	method := r.Header.Get("Access-Control-Request-Method")
	if r.Method != http.MethodOptions || origin == "" || method == "" {
		return false
	}
	c := x.d.Cors
	h := x.w.Header()
	h.Set(hdrRequestID, x.requestID)
	if originAllowed(c, origin) && methodAllowed(c, method) {
		h.Set("Access-Control-Allow-Origin", allowOriginValue(c, origin))
		if len(c.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		}
		if len(c.AllowHeaders) > 0 {
			if slices.Contains(c.AllowHeaders, "*") {
				if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
					h.Set("Access-Control-Allow-Headers", req)
				}
			} else {
				h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
			}
		}
		if c.AllowCredentials != nil && *c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if c.MaxAge != nil && *c.MaxAge >= 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(*c.MaxAge))
		}
		if len(c.ExposeHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
		}
	}
	x.w.WriteHeader(http.StatusNoContent)
	return true
}

// corsHeaders sets the CORS headers of an actual (non-preflight) answer.
func (x *httpCall) corsHeaders() {
	if x.d.Snapshot == nil {
		return
	}
	c := x.d.Cors
	origin := x.r.Header.Get("Origin")
	if c == nil || origin == "" || !originAllowed(c, origin) {
		return
	}
	h := x.w.Header()
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
		h.Del(k)
	}
	h.Set("Access-Control-Allow-Origin", allowOriginValue(c, origin))
	if c.AllowCredentials != nil && *c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	h.Add("Vary", "Origin")
}

func originAllowed(c *Cors, origin string) bool {
	for _, o := range c.AllowOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

func methodAllowed(c *Cors, method string) bool {
	for _, m := range c.AllowMethods {
		if m == "*" || strings.EqualFold(m, method) {
			return true
		}
	}
	return false
}

// allowOriginValue is "*" for a wildcard configuration, else the origin.
func allowOriginValue(c *Cors, origin string) string {
	if slices.Contains(c.AllowOrigins, "*") {
		return "*"
	}
	return origin
}

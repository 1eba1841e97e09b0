package awsproto

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
)

// RegionOf returns the region of a request: its SigV4 credential scope, or
// def when unsigned.
func RegionOf(r *http.Request, def string) string {
	if s, ok := ScopeOf(r); ok && s.Region != "" {
		return s.Region
	}
	return def
}

// AccessKeyOf returns the access key a request was signed with, if any.
func AccessKeyOf(r *http.Request) string {
	if s, ok := ScopeOf(r); ok {
		return s.AccessKey
	}
	return ""
}

// Scope is the credential scope of a SigV4 signature.
type Scope struct {
	AccessKey string
	Date      string
	Region    string
	Service   string
}

// ScopeOf extracts the credential scope from the Authorization header or the
// X-Amz-Credential query parameter without allocating more than the strings
// it returns.
func ScopeOf(r *http.Request) (Scope, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		i := strings.Index(h, "Credential=")
		if i < 0 {
			return Scope{}, false
		}
		cred := h[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
		return parseCredential(cred)
	}
	if r.URL.RawQuery != "" && strings.Contains(r.URL.RawQuery, "X-Amz-Credential=") {
		return parseCredential(r.URL.Query().Get("X-Amz-Credential"))
	}
	return Scope{}, false
}

// parseCredential splits AKID/date/region/service/aws4_request.
func parseCredential(cred string) (Scope, bool) {
	var parts [5]string
	n := 0
	for n < 4 {
		j := strings.IndexByte(cred, '/')
		if j < 0 {
			break
		}
		parts[n] = cred[:j]
		cred = cred[j+1:]
		n++
	}
	parts[n] = cred
	if n != 4 || parts[4] != "aws4_request" {
		return Scope{}, false
	}
	return Scope{AccessKey: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, true
}

// ErrBodyTooLarge is returned by ReadBody past its limit.
var ErrBodyTooLarge = errors.New("request body too large")

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// ReadBody reads at most limit bytes of r's body into a pooled buffer; call
// release when done with the bytes.
func ReadBody(r *http.Request, limit int64) (body []byte, release func(), err error) {
	if (r.Body == nil || r.Body == http.NoBody) && r.ContentLength <= limit {
		return []byte{}, func() {}, nil
	}
	bp := bufPool.Get().(*[]byte)
	buf := (*bp)[:0]
	if r.ContentLength > limit {
		bufPool.Put(bp)
		return nil, func() {}, ErrBodyTooLarge
	}
	if r.ContentLength > int64(cap(buf)) {
		buf = make([]byte, 0, r.ContentLength)
	}
	lr := io.LimitedReader{R: r.Body, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, rerr := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			*bp = buf[:0]
			bufPool.Put(bp)
			return nil, func() {}, rerr
		}
	}
	if int64(len(buf)) > limit {
		*bp = buf[:0]
		bufPool.Put(bp)
		return nil, func() {}, ErrBodyTooLarge
	}
	return buf, func() {
		if cap(buf) <= 1<<20 {
			*bp = buf[:0]
			bufPool.Put(bp)
		}
	}, nil
}

type hostMatchKey struct{}

// HostMatch is what the edge matched in a request's Host: the resource
// before the service's host pattern (the bucket of a virtual-hosted S3
// request, the API of an invoke URL, the Function URL's id) and the label
// the pattern's "*" stood for (a Function URL's region).
type HostMatch struct {
	Resource string
	Label    string
	// Pattern is the route's host pattern that matched, for a service with
	// several (S3's virtual hosts and its website endpoints).
	Pattern string
}

// WithHostMatch returns r carrying what the edge matched in its Host, so no
// service parses Host again.
func WithHostMatch(r *http.Request, m HostMatch) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), hostMatchKey{}, m))
}

// HostMatchOf returns what the edge matched in r's Host, if anything.
func HostMatchOf(r *http.Request) (HostMatch, bool) {
	m, ok := r.Context().Value(hostMatchKey{}).(HostMatch)
	return m, ok
}

package awsproto

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SigV4 wire names.
const (
	sigAlgorithm       = "AWS4-HMAC-SHA256"
	hdrAmzDate         = "X-Amz-Date"
	hdrContentSHA256   = "X-Amz-Content-Sha256"
	qAlgorithm         = "X-Amz-Algorithm"
	qCredential        = "X-Amz-Credential"
	qDate              = "X-Amz-Date"
	qExpires           = "X-Amz-Expires"
	qSignedHeaders     = "X-Amz-SignedHeaders"
	qSignature         = "X-Amz-Signature"
	unsignedPayload    = "UNSIGNED-PAYLOAD"
	amzDateLayout      = "20060102T150405Z"
	maxPresignLifetime = 7 * 24 * time.Hour
)

// Signature is a parsed SigV4 signature, from headers or a presigned URL.
type Signature struct {
	Scope         Scope
	SignedHeaders []string
	Signature     string
	Date          time.Time
	Presigned     bool
	Expires       time.Duration // presigned only
}

// ErrMalformedSignature is returned by the parsers for anything that is not
// a well-formed SigV4 signature.
var ErrMalformedSignature = errors.New("malformed SigV4 signature")

// ParseAuthorization parses an Authorization header of the form
// "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".
func ParseAuthorization(h string) (Signature, error) {
	var s Signature
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != sigAlgorithm {
		return s, ErrMalformedSignature
	}
	var cred, signed, sig string
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return s, ErrMalformedSignature
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	scope, ok := parseCredential(cred)
	if !ok || signed == "" || !isHex(sig) {
		return s, ErrMalformedSignature
	}
	s.Scope, s.Signature = scope, sig
	s.SignedHeaders = strings.Split(signed, ";")
	return s, nil
}

// ParsePresigned parses the X-Amz-* parameters of a presigned URL.
func ParsePresigned(q url.Values) (Signature, error) {
	var s Signature
	if q.Get(qAlgorithm) != sigAlgorithm {
		return s, ErrMalformedSignature
	}
	scope, ok := parseCredential(q.Get(qCredential))
	if !ok {
		return s, ErrMalformedSignature
	}
	d, err := time.Parse(amzDateLayout, q.Get(qDate))
	if err != nil {
		return s, ErrMalformedSignature
	}
	exp, err := strconv.Atoi(q.Get(qExpires))
	if err != nil || exp < 1 || time.Duration(exp)*time.Second > maxPresignLifetime {
		return s, ErrMalformedSignature
	}
	sig := q.Get(qSignature)
	if !isHex(sig) || q.Get(qSignedHeaders) == "" {
		return s, ErrMalformedSignature
	}
	s.Scope, s.Signature, s.Date, s.Presigned = scope, sig, d, true
	s.Expires = time.Duration(exp) * time.Second
	s.SignedHeaders = strings.Split(q.Get(qSignedHeaders), ";")
	return s, nil
}

func isHex(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ishex(s[i]) {
			return false
		}
	}
	return true
}

// SignatureOf parses whichever signature r carries; ok is false for an
// unsigned request.
func SignatureOf(r *http.Request) (Signature, bool, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		s, err := ParseAuthorization(h)
		if err != nil {
			return s, true, err
		}
		d, err := time.Parse(amzDateLayout, r.Header.Get(hdrAmzDate))
		if err != nil {
			if d2, err2 := http.ParseTime(r.Header.Get("Date")); err2 == nil {
				d, err = d2, nil
			}
		}
		if err != nil {
			return s, true, ErrMalformedSignature
		}
		s.Date = d
		return s, true, nil
	}
	q := r.URL.Query()
	if q.Get(qAlgorithm) != "" || q.Get(qSignature) != "" {
		s, err := ParsePresigned(q)
		return s, true, err
	}
	return Signature{}, false, nil
}

// PresignExpired reports whether a presigned request's lifetime has passed.
func (s Signature) PresignExpired(now time.Time) bool {
	return s.Presigned && now.After(s.Date.Add(s.Expires))
}

// Verifier checks SigV4 signatures against known secrets (strict mode).
type Verifier struct {
	// Secrets maps access key IDs to secret keys.
	Secrets map[string]string
	Now     func() time.Time
}

// Verification failures, told apart so the caller can answer in its
// service's words (SignatureDoesNotMatch vs InvalidSignatureException).
var (
	ErrUnknownAccessKey  = errors.New("unknown access key")
	ErrSignatureMismatch = errors.New("signature does not match")
	ErrUnsigned          = errors.New("request is not signed")
	ErrExpired           = errors.New("request has expired")
)

// Verify checks r's signature. It reads (and restores) the body when the
// payload hash is not given in X-Amz-Content-Sha256.
func (v *Verifier) Verify(r *http.Request) error {
	sig, signed, err := SignatureOf(r)
	if !signed {
		return ErrUnsigned
	}
	if err != nil {
		return err
	}
	secret, ok := v.Secrets[sig.Scope.AccessKey]
	if !ok {
		return ErrUnknownAccessKey
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if sig.PresignExpired(now()) {
		return ErrExpired
	}
	payload := r.Header.Get(hdrContentSHA256)
	if sig.Presigned {
		payload = unsignedPayload
		if p := r.URL.Query().Get(hdrContentSHA256); p != "" {
			payload = p
		}
	} else if payload == "" {
		var body []byte
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				return err
			}
			body = b
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.Sum256(body)
		payload = hex.EncodeToString(h[:])
	}
	want := Sign(r, sig, secret, payload)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(sig.Signature))) {
		return ErrSignatureMismatch
	}
	return nil
}

// Sign computes the hex signature r should carry for sig's scope, signed
// headers and date, given the payload hash.
func Sign(r *http.Request, sig Signature, secret, payloadHash string) string {
	creq := CanonicalRequest(r, sig, payloadHash)
	ch := sha256.Sum256([]byte(creq))
	scope := sig.Scope.Date + "/" + sig.Scope.Region + "/" + sig.Scope.Service + "/aws4_request"
	sts := sigAlgorithm + "\n" + sig.Date.UTC().Format(amzDateLayout) + "\n" + scope + "\n" + hex.EncodeToString(ch[:])
	k := hmacSHA256([]byte("AWS4"+secret), sig.Scope.Date)
	k = hmacSHA256(k, sig.Scope.Region)
	k = hmacSHA256(k, sig.Scope.Service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, sts))
}

// CanonicalRequest builds SigV4's canonical request for r.
func CanonicalRequest(r *http.Request, sig Signature, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	if sig.Scope.Service != "s3" {
		// Every service but S3 escapes the already-escaped path once more.
		path = escapeURIPath(path)
	}
	b.WriteString(path)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery, sig.Presigned))
	b.WriteByte('\n')
	for _, name := range sig.SignedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		var vals []string
		switch {
		case name == "host":
			vals = []string{r.Host}
		case name == "content-length" && r.Header.Get("Content-Length") == "":
			// Go moves Content-Length out of the header map.
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		default:
			vals = r.Header.Values(name)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strings.Join(strings.Fields(v), " "))
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(sig.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var pairs []kv
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		if presigned && k == qSignature {
			continue
		}
		pairs = append(pairs, kv{escapeURI(k), escapeURI(v)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

const upperhex = "0123456789ABCDEF"

func shouldEscape(c byte, keepSlash bool) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return false
	case c == '-' || c == '_' || c == '.' || c == '~':
		return false
	case c == '/':
		return !keepSlash
	}
	return true
}

func escape(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if shouldEscape(c, keepSlash) {
			b.WriteByte('%')
			b.WriteByte(upperhex[c>>4])
			b.WriteByte(upperhex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func escapeURI(s string) string     { return escape(s, false) }
func escapeURIPath(s string) string { return escape(s, true) }

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

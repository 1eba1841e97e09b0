package apigatewayv2

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// This file validates JWT authorizers' tokens as HTTP APIs do: the token
// from the identity source (a "Bearer " prefix is dropped), signed with
// RS*/PS*/ES* only (never "none", never HMAC: a public key is no shared
// secret) by a key of the issuer's JWKS (found through
// {issuer}/.well-known/openid-configuration → jwks_uri, fetched over
// loopback only and cached), iss equal to the issuer, aud (or client_id)
// one of the audiences, exp required and in the future, nbf and iat not in
// the future. A failure is 401; a token without one of the route's
// authorization scopes is 403.

// signingMethods are the algorithms a JWT authorizer accepts.
var signingMethods = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

const (
	jwksTTL        = 5 * time.Minute
	jwksRefetchGap = 10 * time.Second // an unknown kid refetches at most this often
	maxIssuers     = 100
	maxJWKSBody    = 1 << 20
)

// jwksCache fetches and caches issuers' signing keys.
type jwksCache struct {
	now    func() time.Time
	client *http.Client
	mu     sync.Mutex
	byIss  map[string]*issuerKeys
}

type issuerKeys struct {
	mu      sync.Mutex
	keys    map[string]any // kid → *rsa.PublicKey or *ecdsa.PublicKey
	fetched time.Time
}

func newJWKSCache(now func() time.Time) *jwksCache {
	return &jwksCache{now: now, client: execapi.LoopbackClient(5 * time.Second), byIss: map[string]*issuerKeys{}}
}

func (c *jwksCache) reset() {
	c.mu.Lock()
	c.byIss = map[string]*issuerKeys{}
	c.mu.Unlock()
}

// key returns the issuer's key kid, fetching the JWKS when it is not
// cached, stale, or lacks kid (rate limited).
func (c *jwksCache) key(ctx context.Context, issuer, kid string) (any, error) {
	c.mu.Lock()
	ik := c.byIss[issuer]
	if ik == nil {
		if len(c.byIss) >= maxIssuers {
			c.byIss = map[string]*issuerKeys{}
		}
		ik = &issuerKeys{}
		c.byIss[issuer] = ik
	}
	c.mu.Unlock()
	ik.mu.Lock()
	defer ik.mu.Unlock()
	now := c.now()
	k, ok := ik.keys[kid]
	stale := now.Sub(ik.fetched) > jwksTTL
	if ok && !stale {
		return k, nil
	}
	if ik.keys == nil || stale || now.Sub(ik.fetched) > jwksRefetchGap {
		keys, err := c.fetch(ctx, issuer)
		if err != nil {
			return nil, err
		}
		ik.keys, ik.fetched = keys, now
	}
	if k, ok := ik.keys[kid]; ok {
		return k, nil
	}
	if kid == "" && len(ik.keys) == 1 {
		for _, k := range ik.keys {
			return k, nil
		}
	}
	return nil, fmt.Errorf("no key %q in the issuer's JWKS", kid)
}

// fetch reads the issuer's discovery document, then its JWKS.
func (c *jwksCache) fetch(ctx context.Context, issuer string) (map[string]any, error) {
	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := c.getJSON(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	if disc.JWKSURI == "" {
		return nil, errors.New("the issuer's discovery document names no jwks_uri")
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := c.getJSON(ctx, disc.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]any{}
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if pub, err := k.publicKey(); err == nil {
			keys[k.Kid] = pub
		}
	}
	return keys, nil
}

func (c *jwksCache) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxJWKSBody)).Decode(v)
}

// jwk is one JSON Web Key (RSA or EC public key).
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

func (k jwk) publicKey() (any, error) {
	switch k.Kty {
	case "RSA":
		return k.rsaKey()
	case "EC":
		return k.ecKey()
	}
	return nil, errors.New("unsupported key type")
}

func (k jwk) rsaKey() (any, error) {
	n, errN := b64Int(k.N)
	e, errE := b64Int(k.E)
	if errN != nil || errE != nil || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31 || n.BitLen() < 2048 {
		return nil, errors.New("bad RSA key")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

func (k jwk) ecKey() (any, error) {
	var curve elliptic.Curve
	switch k.Crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, errors.New("unsupported curve")
	}
	size := (curve.Params().BitSize + 7) / 8
	x, errX := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.X, "="))
	y, errY := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.Y, "="))
	if errX != nil || errY != nil || len(x) != size || len(y) != size {
		return nil, errors.New("bad EC key")
	}
	// ParseUncompressedPublicKey refuses points off the curve
	return ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
}

// b64Int decodes a base64url big-endian integer of a JWK.
func b64Int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) == 0 {
		return nil, errors.New("bad key member")
	}
	return new(big.Int).SetBytes(b), nil
}

// authorizeJWT validates the request's token against the route's JWT
// authorizer and its authorization scopes.
func (x *httpCall) authorizeJWT() bool {
	z := x.route.Authorizer
	if z == nil || z.JWTConfiguration == nil {
		x.fail(gwInternalError)
		return false
	}
	values, ok := x.identityValues(z.IdentitySource)
	if !ok || len(values) != 1 {
		x.fail(gwUnauthorized)
		return false
	}
	raw := values[0]
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = strings.TrimSpace(raw[7:])
	}
	claims, err := x.s.validateJWT(x.r.Context(), raw, z.JWTConfiguration)
	if err != nil {
		x.s.env.Log.Debug("API Gateway v2: JWT refused", "authorizer", z.ID, "err", err)
		x.fail(gwUnauthorized)
		return false
	}
	scopes := tokenScopes(claims)
	if want := x.route.AuthorizationScopes; len(want) > 0 && !slices.ContainsFunc(want, func(s string) bool { return slices.Contains(scopes, s) }) {
		x.fail(gwForbidden)
		return false
	}
	x.auth = &authContext{jwtClaims: claimStrings(claims), jwtScopes: scopes}
	return true
}

// validateJWT checks a token's signature and claims.
func (s *Service) validateJWT(ctx context.Context, token string, cfg *JWTConfiguration) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return s.jwks.key(ctx, cfg.Issuer, kid)
	}, jwt.WithValidMethods(signingMethods), jwt.WithIssuer(cfg.Issuer), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.env.Now), jwt.WithJSONNumber(), jwt.WithIssuedAt())
	if err != nil {
		return nil, err
	}
	aud, _ := claims.GetAudience()
	clientID, _ := claims["client_id"].(string)
	for _, want := range cfg.Audience {
		if slices.Contains(aud, want) || clientID == want {
			return claims, nil
		}
	}
	return nil, errors.New("no audience of the authorizer in the token")
}

// tokenScopes are the token's "scope" (space-separated) or "scp" scopes.
func tokenScopes(c jwt.MapClaims) []string {
	switch v := c["scope"].(type) {
	case string:
		return strings.Fields(v)
	}
	switch v := c["scp"].(type) {
	case string:
		return strings.Fields(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, s := range v {
			if str, ok := s.(string); ok {
				out = append(out, str)
			}
		}
		return out
	}
	return nil
}

// claimStrings renders claims as the event carries them: strings as they
// are, numbers as their JSON text, lists as "[a b]".
func claimStrings(c jwt.MapClaims) map[string]string {
	out := make(map[string]string, len(c))
	for k, v := range c {
		out[k] = claimString(v)
	}
	return out
}

func claimString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = claimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

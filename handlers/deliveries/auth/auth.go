// Package auth issues and checks the deliveries flow's bearer tokens (JWT,
// HS256 only) and checks bcrypt password hashes. It imports only
// golang-jwt, x/crypto and the standard library.
package auth

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

// Token settings: the one algorithm accepted, the issuer written and
// required, and the original's 30-minute lifetime.
const (
	Algorithm  = "HS256"
	Issuer     = "deliveries"
	DefaultTTL = 30 * time.Minute
	// MinSecretBytes refuses secrets too short for HMAC-SHA256.
	MinSecretBytes = 32
)

// Tokens signs and verifies bearer tokens with one HMAC secret.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
	parser *jwt.Parser
}

// NewTokens returns a token authority; now is the clock (nil: time.Now).
func NewTokens(secret []byte, ttl time.Duration, now func() time.Time) (*Tokens, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("auth: the token secret has %d bytes; at least %d are needed", len(secret), MinSecretBytes)
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	t := &Tokens{secret: secret, ttl: ttl, now: now}
	// The algorithm list is fixed: "none", RS256 with the HMAC secret as a
	// "public key" and every other algorithm are refused before any key is
	// used.
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{Algorithm}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(now),
	)
	return t, nil
}

// Issue returns a signed token for username and when it expires.
func (t *Tokens) Issue(username string) (token string, expires time.Time, err error) {
	now := t.now()
	expires = now.Add(t.ttl)
	claims := jwt.RegisteredClaims{
		Subject:   username,
		Issuer:    Issuer,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(expires),
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	return token, expires, err
}

// Why a token was refused.
var (
	ErrExpired = errors.New("token expired")
	ErrInvalid = errors.New("could not validate credentials")
)

// Verify checks token and returns its subject.
func (t *Tokens) Verify(token string) (string, error) {
	var claims jwt.RegisteredClaims
	_, err := t.parser.ParseWithClaims(token, &claims, func(tok *jwt.Token) (any, error) {
		if tok.Method != jwt.SigningMethodHS256 {
			return nil, ErrInvalid
		}
		return t.secret, nil
	})
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", ErrExpired
	case err != nil:
		return "", ErrInvalid
	case claims.Subject == "":
		return "", ErrInvalid
	}
	return claims.Subject, nil
}

// HashPassword returns the bcrypt hash of password (cost 0: bcrypt's
// default).
func HashPassword(password string, cost int) (string, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	return string(h), err
}

// decoyHash is compared against when the user does not exist, so an
// unknown name takes as long to refuse as a wrong password.
var decoyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("decoy password, never valid"), bcrypt.DefaultCost)
	return h
})

// CheckPassword reports whether password matches hash; an empty hash (no
// such user) is checked against a decoy and never matches.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(decoyHash(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

var secret = []byte("0123456789abcdef0123456789abcdef-test-only")

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTokens(t *testing.T) (*Tokens, *clock) {
	t.Helper()
	c := &clock{time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
	tk, err := NewTokens(secret, 0, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return tk, c
}

func TestIssueVerify(t *testing.T) {
	tk, c := newTokens(t)
	tok, exp, err := tk.Issue("admin")
	if err != nil {
		t.Fatal(err)
	}
	if exp.Sub(c.t) != 30*time.Minute {
		t.Errorf("expires after %v", exp.Sub(c.t))
	}
	header, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if !strings.Contains(string(header), `"alg":"HS256"`) {
		t.Errorf("header %s", header)
	}
	sub, err := tk.Verify(tok)
	if err != nil || sub != "admin" {
		t.Fatalf("Verify = %q, %v", sub, err)
	}
	c.t = c.t.Add(29*time.Minute + 59*time.Second)
	if _, err := tk.Verify(tok); err != nil {
		t.Errorf("token refused before expiry: %v", err)
	}
	c.t = c.t.Add(2 * time.Second)
	if _, err := tk.Verify(tok); err != ErrExpired {
		t.Errorf("after expiry: %v, want ErrExpired", err)
	}
}

// hs signs header.payload with HMAC-SHA256 under key, whatever the header says.
func hs(header, payload string, key []byte) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}

func TestVerifyRefuses(t *testing.T) {
	tk, c := newTokens(t)
	exp := c.t.Add(time.Hour).Unix()
	claims := `{"sub":"admin","iss":"deliveries","exp":` + itoa(exp) + `}`
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rs256, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": "admin", "iss": Issuer, "exp": exp}).SignedString(rsaKey)
	hs384, _ := jwt.NewWithClaims(jwt.SigningMethodHS384, jwt.MapClaims{"sub": "admin", "iss": Issuer, "exp": exp}).SignedString(secret)
	good := hs(`{"alg":"HS256","typ":"JWT"}`, claims, secret)
	parts := strings.Split(good, ".")
	cases := map[string]string{
		"alg none":         base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".",
		"alg None, signed": hs(`{"alg":"None","typ":"JWT"}`, claims, secret),
		"RS256 header, HMAC signature with the secret (key confusion)": hs(`{"alg":"RS256","typ":"JWT"}`, claims, secret),
		"RS256 with an RSA key": rs256,
		"HS384":                 hs384,
		"wrong secret":          hs(`{"alg":"HS256","typ":"JWT"}`, claims, []byte("another secret, 32 bytes or more....")),
		"no exp":                hs(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"admin","iss":"deliveries"}`, secret),
		"wrong issuer":          hs(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"admin","iss":"evil","exp":`+itoa(exp)+`}`, secret),
		"no subject":            hs(`{"alg":"HS256","typ":"JWT"}`, `{"iss":"deliveries","exp":`+itoa(exp)+`}`, secret),
		"issued in the future":  hs(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"admin","iss":"deliveries","exp":`+itoa(exp)+`,"iat":`+itoa(exp-1)+`}`, secret),
		"tampered payload":      parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(claims, "admin", "root", 1))) + "." + parts[2],
		"garbage":               "not.a.token",
		"empty":                 "",
	}
	if _, err := tk.Verify(good); err != nil {
		t.Fatalf("the hand-made good token is refused: %v", err)
	}
	for name, tok := range cases {
		if sub, err := tk.Verify(tok); err == nil {
			t.Errorf("%s: accepted (sub %q)", name, sub)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestShortSecretRefused(t *testing.T) {
	if _, err := NewTokens([]byte("short"), 0, nil); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
}

func TestPasswords(t *testing.T) {
	h, err := HashPassword("s3cret", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$2a$") || strings.Contains(h, "s3cret") {
		t.Errorf("hash %q", h)
	}
	if !CheckPassword(h, "s3cret") {
		t.Error("right password refused")
	}
	for _, wrong := range []string{"", "s3cre", "s3cret ", "S3CRET"} {
		if CheckPassword(h, wrong) {
			t.Errorf("%q accepted", wrong)
		}
	}
	if CheckPassword("", "anything") {
		t.Error("no hash (no user) matched")
	}
	if CheckPassword("s3cret", "s3cret") {
		t.Error("a plain-text 'hash' matched")
	}
}

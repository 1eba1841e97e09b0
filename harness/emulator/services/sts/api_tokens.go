package sts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// --- GetWebIdentityToken (outbound identity federation: a JWT signed by
// STS for an external service), DecodeAuthorizationMessage and
// GetDelegatedAccessToken.

// jwksPath serves the signing keys' JWKS (AWS serves it under the
// account's issuer URL, which is not reachable here).
const jwksPath = "/_aws/sts/.well-known/jwks.json"

type getWebIdentityTokenInput struct {
	Audience         []string   `required:"true" min:"1" max:"10"`
	DurationSeconds  *int       `min:"60" max:"3600"`
	SigningAlgorithm *string    `required:"true" min:"5" max:"5"`
	Tags             []tagInput `max:"50"`
}

func (in *getWebIdentityTokenInput) Validate() error {
	for _, a := range in.Audience {
		if len(a) < 1 || len(a) > 1000 {
			return awsproto.Constraint(errValidation, a, "audience", "Member must have length less than or equal to 1000")
		}
	}
	if a := *in.SigningAlgorithm; a != "RS256" && a != "ES384" {
		return awsproto.Constraint(errValidation, a, "signingAlgorithm", "Member must satisfy enum value set: [RS256, ES384]")
	}
	return nil
}

type getWebIdentityTokenResult struct {
	WebIdentityToken string
	Expiration       string
}

type decodeAuthorizationMessageInput struct {
	EncodedMessage *string `required:"true" min:"1" max:"10240"`
}

type decodeAuthorizationMessageResult struct {
	DecodedMessage string
}

type getDelegatedAccessTokenInput struct {
	TradeInToken *string `required:"true" sensitive:"true"`
}

type getDelegatedAccessTokenResult struct {
	Credentials      credentialsXML
	PackedPolicySize *int   `xml:",omitempty"`
	AssumedPrincipal string `xml:",omitempty"`
}

func (s *Service) registerTokens() {
	s.api.Register(
		awsproto.Handle("GetWebIdentityToken", s.getWebIdentityToken),
		awsproto.Handle("DecodeAuthorizationMessage", s.decodeAuthorizationMessage),
		awsproto.Handle("GetDelegatedAccessToken", s.getDelegatedAccessToken),
	)
}

// signingKeys are the keys web identity tokens are signed with, made on
// first use (each emulator its own).
type signingKeys struct {
	once sync.Once
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
	err  error
}

func (k *signingKeys) load() error {
	k.once.Do(func() {
		if k.rsa, k.err = rsa.GenerateKey(rand.Reader, 2048); k.err != nil {
			return
		}
		k.ec, k.err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	})
	return k.err
}

// kid names a public key: its SPKI digest.
func kid(pub any) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

var b64 = base64.RawURLEncoding

// sign returns the compact JWS of claims with alg.
func (k *signingKeys) sign(alg string, claims map[string]any) (string, error) {
	if err := k.load(); err != nil {
		return "", err
	}
	header := map[string]string{"alg": alg, "typ": "JWT"}
	if alg == "RS256" {
		header["kid"] = kid(&k.rsa.PublicKey)
	} else {
		header["kid"] = kid(&k.ec.PublicKey)
	}
	h, _ := json.Marshal(header)
	p, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	var sig []byte
	if alg == "RS256" {
		sum := sha256.Sum256([]byte(input))
		sig, err = rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, sum[:])
	} else {
		sum := sha512.Sum384([]byte(input))
		var r, s *big.Int
		if r, s, err = ecdsa.Sign(rand.Reader, k.ec, sum[:]); err == nil {
			sig = make([]byte, 96)
			r.FillBytes(sig[:48])
			s.FillBytes(sig[48:])
		}
	}
	if err != nil {
		return "", err
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// jwks is the keys' JSON Web Key Set.
func (k *signingKeys) jwks() (map[string]any, error) {
	if err := k.load(); err != nil {
		return nil, err
	}
	e := big.NewInt(int64(k.rsa.PublicKey.E)).Bytes()
	xy, err := k.ec.PublicKey.Bytes() // 0x04, X, Y (48 bytes each)
	if err != nil {
		return nil, err
	}
	return map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid(&k.rsa.PublicKey),
			"n": b64.EncodeToString(k.rsa.PublicKey.N.Bytes()), "e": b64.EncodeToString(e)},
		{"kty": "EC", "use": "sig", "alg": "ES384", "crv": "P-384", "kid": kid(&k.ec.PublicKey),
			"x": b64.EncodeToString(xy[1:49]), "y": b64.EncodeToString(xy[49:])},
	}}, nil
}

// serveJWKS answers the JWKS (a public document, as AWS's is).
func (s *Service) serveJWKS(w http.ResponseWriter, r *http.Request) {
	set, err := s.keys.jwks()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

func (s *Service) getWebIdentityToken(c *awsproto.Call, in *getWebIdentityTokenInput) (getWebIdentityTokenResult, error) {
	issuer, ok := "", false
	if s.env.Links != nil {
		if f, linked := s.env.Links.Get(cloud.LinkOutboundFederation).(cloud.OutboundFederation); linked {
			issuer, ok = f.OutboundIssuer()
		}
	}
	if !ok {
		return getWebIdentityTokenResult{}, errOutboundDisabled.New("Outbound web identity federation is not enabled for this account.")
	}
	id := s.callerIdentity(c)
	now := s.env.Now().UTC().Truncate(time.Second)
	exp := now.Add(seconds(in.DurationSeconds, 300))
	claims := map[string]any{"iss": issuer, "sub": id.Arn, "iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
		"jti": s.env.NewID()}
	if len(in.Audience) == 1 {
		claims["aud"] = in.Audience[0]
	} else {
		claims["aud"] = in.Audience
	}
	custom := map[string]any{"aws_account": id.Account, "source_region": c.Region}
	if len(in.Tags) > 0 {
		tags := map[string]string{}
		for _, t := range in.Tags {
			tags[*t.Key] = *t.Value
		}
		custom["request_tags"] = tags
	}
	claims["https://sts.amazonaws.com/"] = custom
	token, err := s.keys.sign(*in.SigningAlgorithm, claims)
	if err != nil {
		return getWebIdentityTokenResult{}, err
	}
	return getWebIdentityTokenResult{WebIdentityToken: token, Expiration: exp.Format(time.RFC3339)}, nil
}

// decodeAuthorizationMessage: groundstack encodes no authorization failure
// messages, so no message is one it can decode.
func (s *Service) decodeAuthorizationMessage(c *awsproto.Call, in *decodeAuthorizationMessageInput) (decodeAuthorizationMessageResult, error) {
	return decodeAuthorizationMessageResult{}, errInvalidAuthorizationMessage.New("The message is invalid or has expired.")
}

// getDelegatedAccessToken: groundstack issues no trade-in tokens, so none
// can be exchanged.
func (s *Service) getDelegatedAccessToken(c *awsproto.Call, in *getDelegatedAccessTokenInput) (getDelegatedAccessTokenResult, error) {
	return getDelegatedAccessTokenResult{}, errExpiredTradeInToken.New("The trade-in token provided in the request has expired and can no longer be exchanged for credentials.")
}

package sts_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

type jwk struct{ Kty, Alg, Kid, N, E, Crv, X, Y string }

// verifyJWT checks token's signature with the JWKS key its kid names and
// returns its claims.
func verifyJWT(t *testing.T, token string, keys []jwk) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %s", token)
	}
	dec := base64.RawURLEncoding
	var header struct{ Alg, Kid, Typ string }
	h, _ := dec.DecodeString(parts[0])
	if err := json.Unmarshal(h, &header); err != nil {
		t.Fatal(err)
	}
	sig, _ := dec.DecodeString(parts[2])
	input := []byte(parts[0] + "." + parts[1])
	big64 := func(s string) *big.Int { b, _ := dec.DecodeString(s); return new(big.Int).SetBytes(b) }
	var ok bool
	for _, k := range keys {
		if k.Kid != header.Kid || k.Alg != header.Alg {
			continue
		}
		switch k.Alg {
		case "RS256":
			pub := &rsa.PublicKey{N: big64(k.N), E: int(big64(k.E).Int64())}
			sum := sha256.Sum256(input)
			ok = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
		case "ES384":
			x, _ := dec.DecodeString(k.X)
			y, _ := dec.DecodeString(k.Y)
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), append(append([]byte{4}, x...), y...))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha512.Sum384(input)
			ok = len(sig) == 96 && ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:48]), new(big.Int).SetBytes(sig[48:]))
		}
	}
	if !ok {
		t.Fatalf("signature of %s (kid %s) does not verify", header.Alg, header.Kid)
	}
	var claims map[string]any
	p, _ := dec.DecodeString(parts[1])
	if err := json.Unmarshal(p, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestGetWebIdentityToken(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	c := sts.NewFromConfig(cfg)
	in := &sts.GetWebIdentityTokenInput{Audience: []string{"https://api.example.com"}, SigningAlgorithm: aws.String("RS256")}
	_, err := c.GetWebIdentityToken(ctx, in)
	wantAPIError(t, err, "OutboundWebIdentityFederationDisabledException", "")
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Fatalf("status: %v", err)
	}
	enabled, err := iam.NewFromConfig(cfg).EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(e.URL() + "/_aws/sts/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []jwk }
	err = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if err != nil || len(set.Keys) != 2 {
		t.Fatalf("jwks: %+v %v", set, err)
	}
	for _, alg := range []string{"RS256", "ES384"} {
		out, err := c.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{"https://api.example.com"},
			SigningAlgorithm: aws.String(alg), DurationSeconds: aws.Int32(600),
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}})
		if err != nil {
			t.Fatal(err)
		}
		claims := verifyJWT(t, aws.ToString(out.WebIdentityToken), set.Keys)
		if claims["iss"] != aws.ToString(enabled.IssuerIdentifier) || claims["aud"] != "https://api.example.com" ||
			claims["sub"] != "arn:aws:iam::000000000000:root" {
			t.Fatalf("%s claims: %v", alg, claims)
		}
		exp, iat := claims["exp"].(float64), claims["iat"].(float64)
		if exp-iat != 600 || out.Expiration == nil || out.Expiration.Unix() != int64(exp) {
			t.Fatalf("%s expiry: %v %v", alg, claims, out.Expiration)
		}
		custom, _ := claims["https://sts.amazonaws.com/"].(map[string]any)
		if tags, _ := custom["request_tags"].(map[string]any); tags["team"] != "payments" {
			t.Fatalf("%s custom claims: %v", alg, claims)
		}
	}
	_, err = c.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{"a"}, SigningAlgorithm: aws.String("HS256")})
	wantAPIError(t, err, "ValidationError", "")
	_, err = c.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{"a"}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(30)})
	wantAPIError(t, err, "ValidationError", "")
}

func TestDecodeAuthorizationMessageAndDelegatedAccessToken(t *testing.T) {
	t.Parallel()
	e, cfg := emutest.Start(t)
	c := sts.NewFromConfig(cfg)
	_, err := c.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("not-a-message")})
	wantAPIError(t, err, "InvalidAuthorizationMessageException", "The message is invalid or has expired.")
	_, err = c.GetDelegatedAccessToken(ctx, &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String("trade-in")})
	wantAPIError(t, err, "ExpiredTradeInTokenException", "")
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest {
		t.Fatalf("status: %v", err)
	}
	_, errOut, code := emutest.CLI(t, e.URL(), "sts", "decode-authorization-message", "--encoded-message", "garbage")
	if code == 0 || !strings.Contains(errOut, "InvalidAuthorizationMessageException") {
		t.Fatalf("cli: %d %s", code, errOut)
	}
}

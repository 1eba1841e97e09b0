package awsproto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sessionKey    = "ASIAEXAMPLE000000001"
	sessionSecret = "temporary-s3cr3t"
	sessionToken  = "FwoGZXIvYXdzEexampletoken"
)

// withSessions is a verifier that knows one long-term key and one
// temporary key that expires at exp (zero: never).
func withSessions(now, exp time.Time) *Verifier {
	v := strictAt(now)
	v.Sessions = func(key string) (Session, bool) {
		if key != sessionKey {
			return Session{}, false
		}
		return Session{Secret: sessionSecret, Token: sessionToken, Expires: exp}, true
	}
	return v
}

// sessionSigned signs a DynamoDB call (header signature) or a presigned
// S3 GET with the given credentials, as the SDK does.
func sessionSigned(t testing.TB, presign bool, id, secret, token string) *http.Request {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}
	if presign {
		r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/bucket/key?X-Amz-Expires=900", nil)
		u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", "s3", "eu-west-1", signTime)
		if err != nil {
			t.Fatal(err)
		}
		r, _ = http.NewRequest("GET", u, nil)
		return r
	}
	body := []byte(`{"TableName":"t"}`)
	r, _ := http.NewRequest("POST", "http://127.0.0.1:4566/", bytes.NewReader(body))
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "dynamodb", "eu-west-1", signTime); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyTemporaryCredentials(t *testing.T) {
	for _, presign := range []bool{false, true} {
		for _, c := range []struct {
			name              string
			id, secret, token string
			exp               time.Time
			want              error
		}{
			{"session with its token", sessionKey, sessionSecret, sessionToken, time.Time{}, nil},
			{"session before expiry", sessionKey, sessionSecret, sessionToken, signTime.Add(time.Minute), nil},
			{"session past expiry", sessionKey, sessionSecret, sessionToken, signTime, ErrTokenExpired},
			{"session without token", sessionKey, sessionSecret, "", time.Time{}, ErrUnknownAccessKey},
			{"session with another token", sessionKey, sessionSecret, sessionToken + "x", time.Time{}, ErrInvalidToken},
			{"session with a wrong secret", sessionKey, "guess", sessionToken, time.Time{}, ErrSignatureMismatch},
			{"long-term key", "AKIDEXAMPLE", "s3cr3t", "", time.Time{}, nil},
			{"long-term key with a token", "AKIDEXAMPLE", "s3cr3t", sessionToken, time.Time{}, ErrInvalidToken},
			{"unknown temporary key", "ASIAUNKNOWN000000000", sessionSecret, sessionToken, time.Time{}, ErrUnknownAccessKey},
		} {
			r := sessionSigned(t, presign, c.id, c.secret, c.token)
			err := withSessions(signTime, c.exp).VerifyFor(r, Expect{})
			if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
				t.Errorf("presigned %v, %s: %v, want %v", presign, c.name, err, c.want)
			}
		}
	}
	// A verifier without Sessions knows no temporary key.
	if err := strictAt(signTime).Verify(sessionSigned(t, false, sessionKey, sessionSecret, sessionToken)); !errors.Is(err, ErrUnknownAccessKey) {
		t.Fatalf("no sessions: %v", err)
	}
}

// FuzzVerifySessionToken: whatever token and key a request carries, the
// verifier answers (no panic) and accepts only the session's own token.
func FuzzVerifySessionToken(f *testing.F) {
	f.Add(sessionKey, sessionToken)
	f.Add(sessionKey, "")
	f.Add("AKIDEXAMPLE", sessionToken)
	f.Add("", "\x00\xff")
	f.Fuzz(func(t *testing.T, key, token string) {
		r := sessionSigned(t, false, sessionKey, sessionSecret, sessionToken)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20261123/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		r.Header.Set("X-Amz-Security-Token", token)
		if err := withSessions(signTime, time.Time{}).Verify(r); err == nil {
			t.Fatalf("accepted key %q token %q with a made-up signature", key, token)
		}
	})
}

// BenchmarkVerifySession is BenchmarkVerify with an STS session's key and
// token: the lookup of the temporary key must not change strict mode's cost.
func BenchmarkVerifySession(b *testing.B) {
	body := []byte(`{"TableName":"t"}`)
	r := sessionSigned(b, false, sessionKey, sessionSecret, sessionToken)
	v := withSessions(signTime, time.Time{})
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := v.VerifyFor(r, Expect{Services: []string{"dynamodb"}}); err != nil {
			b.Fatal(err)
		}
	}
}

// AWS IoT's device SDKs presign /mqtt with temporary credentials without
// the session token and append it after signing: accepted for
// iotdevicegateway only, and the token must still be the session's.
func TestVerifyIoTTokenAppendedAfterSigning(t *testing.T) {
	v := withSessions(signTime, time.Time{})
	presign := func(service, token string) *http.Request {
		r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/mqtt?X-Amz-Expires=300", nil)
		empty := sha256.Sum256(nil)
		u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: sessionKey, SecretAccessKey: sessionSecret},
			r, hex.EncodeToString(empty[:]), service, "eu-west-1", signTime)
		if err != nil {
			t.Fatal(err)
		}
		r, _ = http.NewRequest("GET", u+"&X-Amz-Security-Token="+token, nil)
		return r
	}
	for _, c := range []struct {
		name, service, token string
		want                 error
	}{
		{"iot, the session's token", IoTDeviceGatewayScope, sessionToken, nil},
		{"iot, another token", IoTDeviceGatewayScope, "not-the-token", ErrInvalidToken},
		{"another service", "execute-api", sessionToken, ErrSignatureMismatch},
	} {
		if err := v.Verify(presign(c.service, c.token)); !errors.Is(err, c.want) && err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

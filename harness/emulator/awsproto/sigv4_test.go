package awsproto

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var signTime = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func sdkSigned(t *testing.T, service, method, rawURL string, body []byte, secret string) *http.Request {
	t.Helper()
	return sdkSignedWith(t, service, method, rawURL, body, secret, "")
}

func TestVerifyAcceptsSDKSignatures(t *testing.T) {
	v := &Verifier{Secrets: map[string]string{"AKIDEXAMPLE": "s3cr3t"}, Now: func() time.Time { return signTime }}
	cases := []struct {
		name, service, method, url string
		body                       string
	}{
		{"json post", "dynamodb", "POST", "http://127.0.0.1:4566/", `{"TableName":"t"}`},
		{"query with odd chars", "sqs", "GET", "http://127.0.0.1:4566/?Action=ListQueues&QueueNamePrefix=a%20b%2Bc&Version=2012-11-05", ""},
		{"s3 key with spaces", "s3", "PUT", "http://127.0.0.1:4566/bucket/a%20b/c%2Bd.txt", "hello"},
		{"rest-json path param", "lambda", "POST", "http://127.0.0.1:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations", "{}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sdkSigned(t, c.service, c.method, c.url, []byte(c.body), "s3cr3t")
			if err := v.Verify(r); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			s, ok := ScopeOf(r)
			if !ok || s.Service != c.service || s.Region != "eu-west-1" || s.AccessKey != "AKIDEXAMPLE" {
				t.Fatalf("ScopeOf = %+v, %v", s, ok)
			}
			if RegionOf(r, "us-east-1") != "eu-west-1" {
				t.Fatal("RegionOf ignores the scope")
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	v := &Verifier{Secrets: map[string]string{"AKIDEXAMPLE": "s3cr3t"}, Now: func() time.Time { return signTime }}
	wrong := sdkSigned(t, "dynamodb", "POST", "http://127.0.0.1:4566/", []byte(`{}`), "not-the-secret")
	if err := v.Verify(wrong); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("wrong secret: %v", err)
	}
	tampered := sdkSigned(t, "dynamodb", "POST", "http://127.0.0.1:4566/", []byte(`{}`), "s3cr3t")
	tampered.Body = http.NoBody
	tampered.Body = nopCloser{bytes.NewReader([]byte(`{"x":1}`))}
	if err := v.Verify(tampered); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("tampered body: %v", err)
	}
	unknown := &Verifier{Secrets: map[string]string{"OTHER": "x"}}
	if err := unknown.Verify(sdkSigned(t, "sts", "POST", "http://127.0.0.1:4566/", nil, "s3cr3t")); !errors.Is(err, ErrUnknownAccessKey) {
		t.Fatalf("unknown key: %v", err)
	}
	unsigned, _ := http.NewRequest("GET", "http://127.0.0.1:4566/", nil)
	if err := v.Verify(unsigned); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("unsigned: %v", err)
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func TestPresignedURLs(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/bucket/key%20one.txt", nil)
	q := r.URL.Query()
	q.Set("X-Amz-Expires", "60")
	r.URL.RawQuery = q.Encode()
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	signed, _, err := signer.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "s3cr3t"}, r, "UNSIGNED-PAYLOAD", "s3", "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := http.NewRequest("GET", signed, nil)
	v := &Verifier{Secrets: map[string]string{"AKIDEXAMPLE": "s3cr3t"}, Now: func() time.Time { return signTime.Add(30 * time.Second) }}
	if err := v.Verify(pr); err != nil {
		t.Fatalf("fresh presigned URL: %v", err)
	}
	sig, ok, err := SignatureOf(pr)
	if !ok || err != nil || !sig.Presigned || sig.Expires != time.Minute {
		t.Fatalf("SignatureOf = %+v %v %v", sig, ok, err)
	}
	v.Now = func() time.Time { return signTime.Add(2 * time.Minute) }
	if err := v.Verify(pr); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired presigned URL: %v", err)
	}
	u, _ := url.Parse(signed)
	q = u.Query()
	q.Set("X-Amz-Expires", "999999999")
	if _, err := ParsePresigned(q); err == nil {
		t.Fatal("a lifetime over 7 days must be refused")
	}
}

func TestParseAuthorization(t *testing.T) {
	good := "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef0123"
	s, err := ParseAuthorization(good)
	if err != nil || s.Scope.Service != "s3" || len(s.SignedHeaders) != 2 || s.Signature != "abcdef0123" {
		t.Fatalf("%+v %v", s, err)
	}
	for _, bad := range []string{
		"", "AWS4-HMAC-SHA256", "AWS AKID:sig",
		"AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/s3, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=xyz",
		"AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/s3/aws4_request, Signature=ab",
	} {
		if _, err := ParseAuthorization(bad); err == nil {
			t.Errorf("ParseAuthorization(%q) accepted", bad)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef0123")
	f.Add("AWS4-HMAC-SHA256 Credential=//////, SignedHeaders=;, Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,===")
	f.Fuzz(func(t *testing.T, h string) {
		s, err := ParseAuthorization(h)
		if err == nil && (s.Scope.Service == "" && s.Scope.Region == "" && s.Signature == "") {
			t.Fatalf("accepted an empty signature: %q", h)
		}
		r, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
		r.Header.Set("Authorization", h)
		r.Header.Set("X-Amz-Date", "20261123T120000Z")
		ScopeOf(r)
		(&Verifier{Secrets: map[string]string{s.Scope.AccessKey: "x"}}).Verify(r)
	})
}

func FuzzParsePresigned(f *testing.F) {
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261123%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261123T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc")
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1")
	f.Add("%zz&&==")
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		ParsePresigned(q)
		r, err := http.NewRequest("GET", "http://127.0.0.1/b/k", nil)
		if err != nil {
			return
		}
		r.URL.RawQuery = raw
		SignatureOf(r)
		ScopeOf(r)
		(&Verifier{Secrets: map[string]string{"AKID": "x"}}).Verify(r)
	})
}

func strictAt(now time.Time) *Verifier {
	return &Verifier{Secrets: map[string]string{"AKIDEXAMPLE": "s3cr3t"}, Now: func() time.Time { return now }}
}

// The attack: a presigned S3 URL (CreateMultipartUpload) carried an
// unsigned X-Amz-Target: secretsmanager.GetSecretValue, the edge routed by
// the target, and the signature, valid for s3, returned a secret.
func TestPresignedS3URLReachesOnlyS3(t *testing.T) {
	r, _ := http.NewRequest("POST", "http://127.0.0.1:4566/bucket/key?uploads=", nil)
	q := r.URL.Query()
	q.Set("X-Amz-Expires", "300")
	r.URL.RawQuery = q.Encode()
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	signed, _, err := signer.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "s3cr3t"}, r, "UNSIGNED-PAYLOAD", "s3", "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	attack, _ := http.NewRequest("POST", signed, bytes.NewReader([]byte(`{"SecretId":"db"}`)))
	attack.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	v := strictAt(signTime)
	if err := v.VerifyFor(attack, Expect{Services: []string{"secretsmanager"}}); !errors.Is(err, ErrWrongScope) {
		t.Fatalf("an s3 signature reached secretsmanager: %v", err)
	}
	if err := v.VerifyFor(attack, Expect{Services: []string{"s3"}}); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("an unsigned X-Amz-Target was accepted: %v", err)
	}
	plain, _ := http.NewRequest("POST", signed, nil)
	if err := v.VerifyFor(plain, Expect{Services: []string{"s3"}}); err != nil {
		t.Fatalf("the presigned URL itself: %v", err)
	}
}

func TestVerifyTimeRegionAndBody(t *testing.T) {
	ok := func(now time.Time, r *http.Request) error {
		return strictAt(now).VerifyFor(r, Expect{Services: []string{"dynamodb"}})
	}
	if err := ok(signTime.Add(14*time.Minute), sdkSigned(t, "dynamodb", "POST", "http://h/", []byte(`{}`), "s3cr3t")); err != nil {
		t.Fatalf("14 min old: %v", err)
	}
	for name, now := range map[string]time.Time{"16 min old": signTime.Add(16 * time.Minute), "16 min ahead": signTime.Add(-16 * time.Minute)} {
		var ve *VerifyError
		err := ok(now, sdkSigned(t, "dynamodb", "POST", "http://h/", []byte(`{}`), "s3cr3t"))
		if !errors.Is(err, ErrSkewed) || !errors.As(err, &ve) || !strings.Contains(ve.Message, "15 min.") {
			t.Errorf("%s: %v", name, err)
		}
	}
	r := sdkSigned(t, "dynamodb", "POST", "http://h/", []byte(`{}`), "s3cr3t")
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/eu-west-1/", "/eu-nowhere-9/", 1))
	if err := ok(signTime, r); !errors.Is(err, ErrWrongScope) {
		t.Fatalf("made-up region: %v", err)
	}
	big := sdkSigned(t, "dynamodb", "POST", "http://h/", bytes.Repeat([]byte("x"), 2048), "s3cr3t")
	big.ContentLength = -1 // a chunked body: no length to refuse it by
	if err := strictAt(signTime).VerifyFor(big, Expect{MaxBody: 1024}); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("a body over the service's limit was read whole: %v", err)
	}
}

func TestDeclaredPayloadHashIsChecked(t *testing.T) {
	v := strictAt(signTime)
	r := sdkSigned(t, "s3", "PUT", "http://h/bucket/key", []byte("signed body"), "s3cr3t")
	r.Body = io.NopCloser(strings.NewReader("other body!"))
	if err := v.VerifyFor(r, Expect{Services: []string{"s3"}}); err != nil {
		t.Fatalf("the headers are as signed: %v", err)
	}
	_, err := io.ReadAll(r.Body)
	var e *Error
	if !errors.As(err, &e) || e.Code != "XAmzContentSHA256Mismatch" {
		t.Fatalf("reading a tampered body: %v", err)
	}
	r = sdkSigned(t, "s3", "PUT", "http://h/bucket/key", []byte("signed body"), "s3cr3t")
	if err := v.VerifyFor(r, Expect{}); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(r.Body); err != nil || string(b) != "signed body" {
		t.Fatalf("an honest body: %q %v", b, err)
	}
	r = sdkSigned(t, "s3", "PUT", "http://h/bucket/key", []byte("x"), "s3cr3t")
	r.Header.Del("X-Amz-Content-Sha256")
	if err := v.VerifyFor(r, Expect{}); !errors.Is(err, ErrMissingContentSHA256) {
		t.Fatalf("s3 without x-amz-content-sha256: %v", err)
	}
}

func TestKnownRegions(t *testing.T) {
	for _, r := range []string{"us-east-1", "eu-west-3", "ap-southeast-5", "us-gov-west-1", "cn-northwest-1", "il-central-1", "mx-central-1"} {
		if !knownRegion(r) {
			t.Errorf("%s refused", r)
		}
	}
	for _, r := range []string{"", "local", "us-east", "us-east-0", "xx-east-1", "us-middle-1", "us-east-12", "us-gov-east-1-x"} {
		if knownRegion(r) {
			t.Errorf("%s accepted", r)
		}
	}
}

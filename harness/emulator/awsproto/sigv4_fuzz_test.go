package awsproto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// FuzzVerifyTampered signs a request as the SDK does, lets the fuzzer
// change its method, path, query, a signed header or its body, and checks
// the one property strict mode rests on: whatever verifies (and whose body
// then reads without error) is the request that was signed.
func FuzzVerifyTampered(f *testing.F) {
	f.Add(uint8(0), "POST", "/", "", `{"TableName":"t"}`, "DynamoDB_20120810.GetItem")
	f.Add(uint8(1), "PUT", "/bucket/a%20b/c", "x-id=PutObject", "hello", "")
	f.Add(uint8(2), "GET", "/2015-03-31/functions/", "MaxItems=1", "", "")
	f.Add(uint8(0), "POST", "//", "", `{"TableName":"u"}`, "secretsmanager.GetSecretValue")
	f.Add(uint8(1), "PUT", "/bucket/a%20b/c/../d", "x-id=PutObject", "hellO", "")
	f.Fuzz(func(t *testing.T, which uint8, method, path, query, body, target string) {
		verifyTampered(t, which, method, path, query, body, target)
	})
}

var tamperBase = []struct{ name, method, path, query, body, target string }{
	{"dynamodb", "POST", "/", "", `{"TableName":"t"}`, "DynamoDB_20120810.GetItem"},
	{"s3", "PUT", "/bucket/a%20b/c", "x-id=PutObject", "hello", ""},
	{"lambda", "GET", "/2015-03-31/functions/", "MaxItems=1", "", ""},
}

// The fuzz target is not vacuous: the untouched requests verify.
func TestVerifyTamperedBaselines(t *testing.T) {
	for i, o := range tamperBase {
		if !verifyTampered(t, uint8(i), o.method, o.path, o.query, o.body, o.target) {
			t.Errorf("the signed %s request does not verify", o.name)
		}
	}
}

// verifyTampered reports whether the tampered request verified (and then
// fails t unless it is the signed one).
func verifyTampered(t *testing.T, which uint8, method, path, query, body, target string) bool {
	v := &Verifier{Secrets: map[string]string{"AKIDEXAMPLE": "s3cr3t"}, Now: func() time.Time { return signTime }}
	o := tamperBase[int(which)%len(tamperBase)]
	u := "http://127.0.0.1:4566" + o.path
	if o.query != "" {
		u += "?" + o.query
	}
	orig := sdkSignedWith(t, o.name, o.method, u, []byte(o.body), "s3cr3t", o.target)
	if method == "" || strings.ContainsAny(method, " \r\n\t") {
		method = "GET"
	}
	r, err := http.NewRequest(method, "http://127.0.0.1:4566/", strings.NewReader(body))
	if err != nil {
		return false
	}
	p, err := url.PathUnescape(path)
	if err != nil || !strings.HasPrefix(path, "/") {
		return false
	}
	r.URL.Path, r.URL.RawPath, r.URL.RawQuery = p, path, query
	r.Header = orig.Header.Clone()
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	} else {
		r.Header.Del("X-Amz-Target")
	}
	r.ContentLength = int64(len(body))
	if err := v.Verify(r); err != nil {
		return false
	}
	got, err := io.ReadAll(r.Body)
	if err != nil {
		return false // the payload hash refused the body as it was read
	}
	if r.Method != orig.Method || r.URL.EscapedPath() != orig.URL.EscapedPath() || canonicalQuery(r.URL.RawQuery, false) != canonicalQuery(orig.URL.RawQuery, false) ||
		string(got) != o.body || r.Header.Get("X-Amz-Target") != o.target {
		t.Fatalf("a tampered request verified: %s %s?%s target=%q body=%q (signed: %s %s?%s target=%q body=%q)",
			r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("X-Amz-Target"), got,
			orig.Method, orig.URL.EscapedPath(), orig.URL.RawQuery, o.target, o.body)
	}
	return true
}

// sdkSignedWith is sdkSigned with an X-Amz-Target header signed in.
func sdkSignedWith(t *testing.T, service, method, rawURL string, body []byte, secret, target string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if service == "s3" {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: secret}
	if err := signer.SignHTTP(context.Background(), creds, r, hash, service, "eu-west-1", signTime); err != nil {
		t.Fatal(err)
	}
	return r
}

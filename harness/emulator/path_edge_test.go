package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// rawSigned sends a request whose path is exactly path (not cleaned by the
// client), signed for service when service is not "".
func rawSigned(t *testing.T, base, method, path, service string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Path, req.URL.RawPath = path, path
	if service != "" {
		sum := sha256.Sum256(nil)
		creds := aws.Credentials{AccessKeyID: emutest.AccessKey, SecretAccessKey: emutest.SecretKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, emutest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A path with doubled slashes or dot segments reaches the operation its
// normal form names, signed as the client sent it — not a redirect, not
// another service.
func TestEdgeServesTheNormalisedPath(t *testing.T) {
	e, _ := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	for _, p := range []string{"//2015-03-31/functions/", "/2015-03-31//functions/", "/2015-03-31/x/../functions/", "/./2015-03-31/functions/"} {
		code, body := rawSigned(t, e.URL(), "GET", p, "lambda")
		if code != http.StatusOK || !strings.Contains(body, `"Functions"`) {
			t.Errorf("signed ListFunctions at %s: %d %s", p, code, body)
		}
	}
}

// Strict mode: no spelling of a control-plane path gets around its
// signature.
func TestStrictControlPlaneUnderEveryPathSpelling(t *testing.T) {
	e, _ := emutest.Start(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	for _, p := range []string{"/_groundstack/state", "//_groundstack/state", "/_groundstack/./state", "/x/../_groundstack/state",
		"/%5Fgroundstack/state", "/_groundstack//state", "//2015-03-31/functions/", "/restapis/../2015-03-31/functions/"} {
		code, body := rawSigned(t, e.URL(), "GET", p, "")
		if code < 400 || strings.Contains(body, `"Functions"`) || strings.Contains(body, `"services"`) {
			t.Errorf("unsigned GET %s in strict mode: %d %s", p, code, body)
		}
	}
}

// S3 keys are data: the edge must not normalise them.
func TestS3KeysKeepTheirSlashesAndDots(t *testing.T) {
	_, cfg := emutest.Start(t)
	ctx := context.Background()
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("literal")}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a//b", "a/./b", "a/../b", "../up", "x/"}
	for i, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("literal"), Key: aws.String(k), Body: strings.NewReader(k + string(rune('0'+i)))}); err != nil {
			t.Fatalf("PutObject %q: %v", k, err)
		}
	}
	for i, k := range keys {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("literal"), Key: aws.String(k)})
		if err != nil {
			t.Fatalf("GetObject %q: %v", k, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != k+string(rune('0'+i)) {
			t.Errorf("GetObject %q = %q", k, b)
		}
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("literal")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != len(keys) {
		t.Fatalf("ListObjectsV2 lists %d keys, want %d", len(list.Contents), len(keys))
	}
}

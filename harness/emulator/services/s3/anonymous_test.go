package s3_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestAnonymousAccess: unsigned requests to a bucket with a policy or a
// public access block are decided as S3 decides anonymous ones.
func TestAnonymousAccess(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String
	get := func(path string) int {
		t.Helper()
		resp, err := http.Get(e.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	mustCreateBucket(t, c, "anon-public")
	mustPut(t, c, "anon-public", "site/index.html", []byte("hi"))
	mustPut(t, c, "anon-public", "private/secret", []byte("no"))
	// Before any policy, unsigned reads are served as before.
	if got := get("/anon-public/site/index.html"); got != 200 {
		t.Fatalf("unsigned GET of a bucket without policy = %d", got)
	}
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::anon-public/*"},
	 {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::anon-public/private/*"}]}`
	// The default public access block refuses a public policy.
	_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("anon-public"), Policy: b(policy)})
	wantAPIError(t, err, "AccessDenied", 403)
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b("anon-public"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("anon-public"), Policy: b(policy)}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{
		"/anon-public/site/index.html": 200, // allowed to anyone
		"/anon-public/private/secret":  403, // denied
		"/anon-public":                 403, // listing is not allowed
	} {
		if got := get(path); got != want {
			t.Errorf("unsigned GET %s = %d, want %d", path, got, want)
		}
	}
	req, _ := http.NewRequest("PUT", e.URL()+"/anon-public/site/new", strings.NewReader("x"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("unsigned PUT = %d, want 403", resp.StatusCode)
	}
	// Signed requests are the account's own.
	mustGet(t, c, "anon-public", "private/secret")

	// RestrictPublicBuckets ignores the public grant.
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b("anon-public"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if got := get("/anon-public/site/index.html"); got != 403 {
		t.Errorf("unsigned GET under RestrictPublicBuckets = %d, want 403", got)
	}
	// The website endpoint is decided the same way.
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: b("anon-public"), WebsiteConfiguration: &types.WebsiteConfiguration{
		IndexDocument: &types.IndexDocument{Suffix: b("index.html")}}}); err != nil {
		t.Fatal(err)
	}
	if got := get("/_aws/s3-website/anon-public/site/"); got != 403 {
		t.Errorf("website GET under RestrictPublicBuckets = %d, want 403", got)
	}
	if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b("anon-public")}); err != nil {
		t.Fatal(err)
	}
	if got := get("/_aws/s3-website/anon-public/site/"); got != 200 {
		t.Errorf("website GET with a public policy = %d, want 200", got)
	}
	// A public access block alone (no policy) makes unsigned reads private.
	mustCreateBucket(t, c, "anon-blocked")
	mustPut(t, c, "anon-blocked", "k", []byte("x"))
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b("anon-blocked"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
			BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if got := get("/anon-blocked/k"); got != 403 {
		t.Errorf("unsigned GET of a blocked bucket = %d, want 403", got)
	}
}

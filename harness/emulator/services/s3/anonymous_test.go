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

// TestAnonymousAccessConditions: a bucket policy's Condition blocks and
// NotPrincipal decide unsigned requests with the request's context keys.
func TestAnonymousAccessConditions(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String
	do := func(method, path string, header ...string) int {
		t.Helper()
		req, _ := http.NewRequest(method, e.URL()+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	mustCreateBucket(t, c, "anon-cond")
	for _, k := range []string{"ref/a", "lan/a", "tls/a", "np/a", "tagged/yes", "tagged/no", "list/x"} {
		mustPut(t, c, "anon-cond", k, []byte("x"))
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: b("anon-cond"), Key: b("tagged/yes"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: b("public"), Value: b("yes")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b("anon-cond"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{}}); err != nil {
		t.Fatal(err)
	}
	const arn = "arn:aws:s3:::anon-cond"
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/ref/*","Condition":{"StringLike":{"aws:Referer":"https://example.com/*"}}},
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/lan/*","Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.0/8","::1/128"]}}},
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/tls/*"},
	 {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"` + arn + `/tls/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/np/*"},
	 {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"s3:GetObject","Resource":"` + arn + `/np/*"},
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/tagged/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}},
	 {"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"` + arn + `","Condition":{"StringEquals":{"s3:prefix":"list/"},"NumericLessThanEquals":{"s3:max-keys":"10"}}}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("anon-cond"), Policy: b(policy)}); err != nil {
		t.Fatal(err)
	}
	for _, cs := range []struct {
		path   string
		header []string
		want   int
	}{
		{"/anon-cond/ref/a", []string{"Referer", "https://example.com/page"}, 200},
		{"/anon-cond/ref/a", []string{"Referer", "https://elsewhere.example/"}, 403},
		{"/anon-cond/ref/a", nil, 403},
		{"/anon-cond/lan/a", nil, 200}, // the test's client is on the loopback
		{"/anon-cond/tls/a", nil, 403}, // plain HTTP: aws:SecureTransport is false
		{"/anon-cond/np/a", nil, 403},  // NotPrincipal with Deny covers an anonymous caller
		{"/anon-cond/tagged/yes", nil, 200},
		{"/anon-cond/tagged/no", nil, 403},
		{"/anon-cond?list-type=2&prefix=list/&max-keys=5", nil, 200},
		{"/anon-cond?list-type=2&prefix=list/&max-keys=50", nil, 403},
		{"/anon-cond?list-type=2&prefix=other/", nil, 403},
		{"/anon-cond?list-type=2", nil, 403},
	} {
		if got := do("GET", cs.path, cs.header...); got != cs.want {
			t.Errorf("GET %s %v = %d, want %d", cs.path, cs.header, got, cs.want)
		}
	}
	// The account's own signed requests are not decided by the policy.
	mustGet(t, c, "anon-cond", "tls/a")

	// A statement fixing the source IP is not public; one conditioned on
	// transport alone is.
	for _, cs := range []struct {
		cond   string
		public bool
	}{{`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, false}, {`{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, true}, {`{"Bool":{"aws:SecureTransport":"true"}}`, true}} {
		p := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/*","Condition":` + cs.cond + `}]}`
		if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("anon-cond"), Policy: b(p)}); err != nil {
			t.Fatal(err)
		}
		st, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: b("anon-cond")})
		if err != nil || aws.ToBool(st.PolicyStatus.IsPublic) != cs.public {
			t.Errorf("%s: public %v, want %v (%v)", cs.cond, st, cs.public, err)
		}
	}
	// Under RestrictPublicBuckets a statement restricted to an IP range still allows.
	p := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/*","Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.0/8","::1/128"]}}}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("anon-cond"), Policy: b(p)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b("anon-cond"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if got := do("GET", "/anon-cond/lan/a"); got != 200 {
		t.Errorf("IP-restricted GET under RestrictPublicBuckets = %d, want 200", got)
	}

	bad := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/*","Condition":{"StringSorta":{"aws:Referer":"x"}}}]}`
	_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b("anon-cond"), Policy: b(bad)})
	wantAPIError(t, err, "MalformedPolicy", 400)
	if err == nil || !strings.Contains(err.Error(), "Invalid Condition type : StringSorta") {
		t.Fatalf("unknown operator: %v", err)
	}
}

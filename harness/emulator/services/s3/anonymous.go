package s3

import (
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/iampolicy"
)

// Anonymous access: an unsigned request (no Authorization header, no
// presigned query) to a bucket with a bucket policy or a public access
// block put on it is decided as S3 decides it for anonymous callers: a
// policy statement whose Principal (or NotPrincipal) covers anyone, naming
// the request's action and resource, with its Condition block holding for
// the request (package iampolicy evaluates it), allows it (a public one
// unless RestrictPublicBuckets), or an object ACL granting AllUsers READ
// (unless IgnorePublicAcls); a matching Deny wins.
// Buckets with neither configuration serve unsigned requests as before
// (groundstack's non-strict mode takes them for the account's own).

// publicAccessBlock is a bucket's effective public access block.
type publicAccessBlock struct {
	blockACLs, ignoreACLs, blockPolicy, restrict bool
}

// publicAccessBlockOf reads a bucket's public access block: all on for a
// bucket that never had one put (S3's default), all off once deleted.
func (s *Service) publicAccessBlockOf(bucket string) publicAccessBlock {
	doc, err := s.store.BucketConfig(bucket, publicAccessBlockConfig.sub)
	if err != nil || doc == nil {
		return publicAccessBlock{true, true, true, true}
	}
	var n xmlNode
	if len(doc) == 0 || awsproto.DecodeXML(doc, &n) != nil {
		return publicAccessBlock{}
	}
	on := func(name string) bool { v, _ := n.text(name); return v == "true" }
	return publicAccessBlock{on("BlockPublicAcls"), on("IgnorePublicAcls"), on("BlockPublicPolicy"), on("RestrictPublicBuckets")}
}

// unsigned reports whether a request carries no credentials at all.
func unsigned(r *http.Request) bool {
	if len(r.Header["Authorization"]) > 0 {
		return false
	}
	q := r.URL.RawQuery
	return !strings.Contains(q, "X-Amz-Credential") && !strings.Contains(q, "X-Amz-Signature") && !strings.Contains(q, "AWSAccessKeyId")
}

// anonymousAction is the action and resource ARN of an unsigned request
// ("" for requests S3 never serves anonymously here).
func anonymousAction(method, bucket, key string) (action, resource string) {
	if key != "" {
		resource = "arn:aws:s3:::" + bucket + "/" + key
		switch method {
		case http.MethodGet, http.MethodHead:
			return "s3:GetObject", resource
		case http.MethodPut:
			return "s3:PutObject", resource
		case http.MethodDelete:
			return "s3:DeleteObject", resource
		}
		return "", resource
	}
	resource = "arn:aws:s3:::" + bucket
	if method == http.MethodGet || method == http.MethodHead {
		return "s3:ListBucket", resource
	}
	return "", resource
}

// checkAnonymous decides an unsigned request to a bucket that has a policy
// or a public access block: nil lets it through.
func (s *Service) checkAnonymous(r *http.Request) *awsproto.Error {
	bucket, key := target(r)
	return s.decideAnonymous(r, bucket, key)
}

// decideAnonymous decides an unsigned request to bucket and key (a
// website's request is a GetObject of its key).
func (s *Service) decideAnonymous(r *http.Request, bucket, key string) *awsproto.Error {
	if bucket == "" {
		return nil
	}
	policy, err := s.store.BucketConfig(bucket, "policy")
	if err != nil {
		return nil // the operation answers NoSuchBucket
	}
	pabDoc, _ := s.store.BucketConfig(bucket, publicAccessBlockConfig.sub)
	if policy == nil && pabDoc == nil {
		return nil
	}
	denied := errAccessDenied.New("Access Denied")
	action, resource := anonymousAction(r.Method, bucket, key)
	if action == "" {
		return denied
	}
	pab := s.publicAccessBlockOf(bucket)
	allowed := false
	if policy != nil {
		doc, err := iampolicy.Parse(string(policy))
		if err != nil {
			return denied
		}
		req := iampolicy.Request{Action: action, Resource: resource, Context: s.requestContext(r, bucket, key, action)}
		for i := range doc.Statements {
			st := &doc.Statements[i]
			if ok, _ := st.Applies(req); !ok {
				continue
			}
			if st.Effect == "Deny" {
				return denied
			}
			// RestrictPublicBuckets ignores public statements, not those
			// whose conditions fix who may call (a source IP range…).
			if !pab.restrict || !publicStatement(st) {
				allowed = true
			}
		}
	}
	if !allowed && action == "s3:GetObject" && !pab.ignoreACLs {
		if o, err := s.store.Object(bucket, key); err == nil && publicRead(o.ACL) {
			allowed = true
		}
	}
	if !allowed {
		return denied
	}
	return nil
}

// requestContext gathers the condition keys S3 knows of an anonymous
// request: the global ones it carries and the S3 ones of its action.
func (s *Service) requestContext(r *http.Request, bucket, key, action string) iampolicy.Context {
	ctx := iampolicy.Context{}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ctx.Set("aws:SourceIp", host)
	}
	ctx.Set("aws:SecureTransport", strconv.FormatBool(r.TLS != nil))
	now := s.env.Now().UTC()
	ctx.Set("aws:CurrentTime", now.Format(time.RFC3339))
	ctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	for header, name := range map[string]string{"User-Agent": "aws:UserAgent", "Referer": "aws:Referer"} {
		if v := r.Header.Get(header); v != "" {
			ctx.Set(name, v)
		}
	}
	for _, h := range []string{"x-amz-acl", "x-amz-server-side-encryption", "x-amz-storage-class", "x-amz-content-sha256", "x-amz-metadata-directive", "x-amz-copy-source"} {
		if v := r.Header.Get(h); v != "" {
			ctx.Set("s3:"+h, v)
		}
	}
	q := r.URL.Query()
	if action == "s3:ListBucket" {
		for _, p := range []string{"prefix", "delimiter", "max-keys"} {
			if q.Has(p) {
				ctx.Set("s3:"+p, q.Get(p))
			}
		}
	}
	if key != "" && action != "s3:PutObject" {
		if o, err := s.store.Object(bucket, key); err == nil {
			for _, t := range o.Tags {
				ctx.Set("s3:ExistingObjectTag/"+t.Key, t.Value)
			}
		}
	}
	return ctx
}

// restrictingKeys are the condition keys that, fixed to values, keep a
// statement to anyone from being public (S3's meaning of "public").
var restrictingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceowner": true,
	"aws:sourceaccount": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true, "aws:principalorgid": true,
	"aws:principalorgpaths": true, "aws:principalaccount": true, "aws:principalarn": true, "aws:userid": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true, "s3:x-amz-server-side-encryption-aws-kms-key-id": true,
}

// publicStatement reports whether a statement allows anyone: an Allow
// whose principal names everyone and whose conditions fix none of the
// restricting keys (a source IP range of everything restricts nothing).
func publicStatement(st *iampolicy.Statement) bool {
	if st.Effect != "Allow" || !st.CoversCaller(iampolicy.Caller{}) {
		return false
	}
	for _, cd := range st.Conditions {
		if !restrictingKeys[strings.ToLower(cd.Key)] || cd.Base() == "null" || strings.HasPrefix(cd.Base(), "stringnot") || cd.Base() == "notipaddress" {
			continue
		}
		if cd.Base() == "ipaddress" && (slices.Contains(cd.Values, "0.0.0.0/0") || slices.Contains(cd.Values, "::/0")) {
			continue
		}
		return false
	}
	return true
}

// publicRead reports whether an object's ACL grants AllUsers READ.
func publicRead(acl []byte) bool {
	if len(acl) == 0 {
		return false
	}
	var n xmlNode
	if awsproto.DecodeXML(acl, &n) != nil {
		return false
	}
	list := n.child("AccessControlList")
	if list == nil {
		return false
	}
	for _, g := range list.children("Grant") {
		gr := g.child("Grantee")
		if gr == nil {
			continue
		}
		perm, _ := g.text("Permission")
		if uri, _ := gr.text("URI"); uri == allUsers && (perm == "READ" || perm == "FULL_CONTROL") {
			return true
		}
	}
	return false
}

// websiteKey is the object a website request reads, for the policy: its
// key, or the index document's place ("" reads the bucket's root).
func websiteKey(key string) string {
	if key == "" || strings.HasSuffix(key, "/") {
		return key + "index.html"
	}
	return key
}

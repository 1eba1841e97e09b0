package s3

import (
	"encoding/json"
	"net/http"
	"path"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Anonymous access: an unsigned request (no Authorization header, no
// presigned query) to a bucket with a bucket policy or a public access
// block put on it is decided as S3 decides it for anonymous callers: a
// policy statement allowing Principal "*" the request's action on a
// matching resource (unless RestrictPublicBuckets), or an object ACL
// granting AllUsers READ (unless IgnorePublicAcls); a matching Deny wins.
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
		stmts, err := parsePolicy(bucket, policy)
		if err != nil {
			return denied
		}
		for i := range stmts {
			st := &stmts[i]
			if !st.anyone() || !st.covers(action, resource) {
				continue
			}
			if *st.Effect == "Deny" {
				return denied
			}
			if st.public() && !pab.restrict {
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

// anyone reports whether a statement's principal is everyone ("*" or
// {"AWS": "*"}).
func (st *policyStatement) anyone() bool {
	if st.Principal == nil {
		return false
	}
	if ps, ok := stringsOf(st.Principal, nil); ok {
		return contains(ps, "*")
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(st.Principal, &m) == nil {
		if ps, ok := stringsOf(m["AWS"], nil); ok {
			return contains(ps, "*")
		}
	}
	return false
}

// covers reports whether a statement names action on resource (Action and
// Resource with IAM's * and ? wildcards; NotAction and NotResource as
// their complements).
func (st *policyStatement) covers(action, resource string) bool {
	matchAny := func(patterns []string, v string, fold bool) bool {
		for _, p := range patterns {
			if fold {
				p, v = strings.ToLower(p), strings.ToLower(v)
			}
			if ok, _ := path.Match(strings.ReplaceAll(p, "/", "\x00"), strings.ReplaceAll(v, "/", "\x00")); ok {
				return true
			}
		}
		return false
	}
	if as, ok := stringsOf(st.Action, nil); ok {
		if !matchAny(as, action, true) {
			return false
		}
	} else if as, ok := stringsOf(st.NotAction, nil); ok && matchAny(as, action, true) {
		return false
	}
	if rs, ok := stringsOf(st.Resource, nil); ok {
		return matchAny(rs, resource, false)
	}
	if rs, ok := stringsOf(st.NotResource, nil); ok {
		return !matchAny(rs, resource, false)
	}
	return false
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

package s3

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Server-side encryption of objects: the x-amz-server-side-encryption
// headers of PutObject, CopyObject and CreateMultipartUpload, or else the
// bucket's default encryption, are kept on the version (nothing is
// encrypted) and answered on PUT, HEAD, GET and copies as S3 answers them.
// A version without Protection, or with no KMS key in it, is SSE-S3.

// sseHeaders are the encryption headers of a write.
type sseHeaders struct {
	SSE        string `xml:"-" location:"header" name:"X-Amz-Server-Side-Encryption"`
	SSEKMSKey  string `xml:"-" location:"header" name:"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"`
	SSEContext string `xml:"-" location:"header" name:"X-Amz-Server-Side-Encryption-Context"`
	BucketKey  string `xml:"-" location:"header" name:"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"`
}

// check validates the headers as S3 does before anything is read.
func (h *sseHeaders) check() error {
	switch h.SSE {
	case "", "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return invalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", h.SSE)
	}
	kms := strings.HasPrefix(h.SSE, "aws:kms")
	if h.SSEKMSKey != "" && !kms {
		return invalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
			"x-amz-server-side-encryption-aws-kms-key-id", h.SSEKMSKey)
	}
	if h.SSEContext != "" {
		if !kms {
			return invalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
				"x-amz-server-side-encryption-context", h.SSEContext)
		}
		raw, err := base64.StdEncoding.DecodeString(h.SSEContext)
		var ctx map[string]string
		if err != nil || json.Unmarshal(raw, &ctx) != nil {
			return invalidArgument("Invalid encryption context", "x-amz-server-side-encryption-context", h.SSEContext)
		}
	}
	if h.BucketKey != "" && !isBool(h.BucketKey) {
		return invalidArgument("Invalid value for x-amz-server-side-encryption-bucket-key-enabled", "x-amz-server-side-encryption-bucket-key-enabled", h.BucketKey)
	}
	return nil
}

// applyEncryption gives a new version its encryption: the request's
// headers, or else the bucket's default encryption.
func (s *Service) applyEncryption(r *http.Request, bucket string, h *sseHeaders, o *Object) {
	alg, key, bucketKey, context := h.SSE, h.SSEKMSKey, strings.EqualFold(h.BucketKey, "true"), h.SSEContext
	if alg == "" {
		alg, key, bucketKey = s.defaultEncryption(bucket)
	} else if h.BucketKey == "" && strings.HasPrefix(alg, "aws:kms") {
		_, _, bucketKey = s.defaultEncryption(bucket)
	}
	if !strings.HasPrefix(alg, "aws:kms") {
		return // SSE-S3: what a version without Protection is
	}
	region := awsproto.RegionOf(r, s.env.Region)
	p := o.protection()
	p.KMSKeyID, p.BucketKeyEnabled, p.DSSE, p.KMSContext = kmsKeyARN(key, region, s.env.Account), bucketKey, alg == "aws:kms:dsse", context
	o.Protect = &p
}

// defaultEncryption reads the bucket's default encryption rule.
func (s *Service) defaultEncryption(bucket string) (alg, key string, bucketKey bool) {
	doc, err := s.store.BucketConfig(bucket, encryptionConfig.sub)
	if err != nil || len(doc) == 0 {
		return "AES256", "", false
	}
	var n xmlNode
	if awsproto.DecodeXML(doc, &n) != nil {
		return "AES256", "", false
	}
	r := n.child("Rule")
	if r == nil {
		return "AES256", "", false
	}
	if v, _ := r.text("BucketKeyEnabled"); v == "true" {
		bucketKey = true
	}
	if d := r.child("ApplyServerSideEncryptionByDefault"); d != nil {
		alg, _ = d.text("SSEAlgorithm")
		key, _ = d.text("KMSMasterKeyID")
	}
	if alg == "" {
		alg = "AES256"
	}
	return alg, key, bucketKey
}

// kmsKeyARN is the key S3 names for a request's key: a key ID or alias
// becomes its ARN; none is the account's AWS managed key for S3
// (aws/s3), whose ID is derived from the account and region here.
func kmsKeyARN(key, region, account string) string {
	switch {
	case strings.HasPrefix(key, "arn:"):
		return key
	case strings.HasPrefix(key, "alias/"):
		return "arn:aws:kms:" + region + ":" + account + ":" + key
	case key != "":
		return "arn:aws:kms:" + region + ":" + account + ":key/" + key
	}
	sum := sha256.Sum256([]byte("aws/s3 " + account + " " + region))
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%x-%x-%x-%x-%x", region, account, sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// sseOutput are the encryption headers of a write's answer.
type sseOutput struct {
	SSE        string `xml:"-" location:"header" name:"X-Amz-Server-Side-Encryption"`
	SSEKMSKey  string `xml:"-" location:"header" name:"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"`
	SSEContext string `xml:"-" location:"header" name:"X-Amz-Server-Side-Encryption-Context"`
	BucketKey  string `xml:"-" location:"header" name:"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"`
}

// sseOf is how a version's encryption is answered.
func sseOf(o *Object) sseOutput {
	p := o.protection()
	if p.KMSKeyID == "" {
		return sseOutput{SSE: "AES256"}
	}
	out := sseOutput{SSE: "aws:kms", SSEKMSKey: p.KMSKeyID, SSEContext: p.KMSContext}
	if p.DSSE {
		out.SSE = "aws:kms:dsse"
	}
	if p.BucketKeyEnabled {
		out.BucketKey = "true"
	}
	return out
}

// sseResponseHeaders adds a version's encryption to a GET or HEAD answer
// (which, unlike a write's, never carries the encryption context).
func sseResponseHeaders(wh http.Header, o *Object) {
	out := sseOf(o)
	wh["X-Amz-Server-Side-Encryption"] = []string{out.SSE}
	if out.SSEKMSKey != "" {
		wh["X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"] = []string{out.SSEKMSKey}
	}
	if out.BucketKey != "" {
		wh["X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"] = []string{out.BucketKey}
	}
}

package s3

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Limits of S3's API.
const (
	maxObjectSize   = 5 << 30 // single PUT and each part
	maxKeyLength    = 1024
	maxMetadataSize = 2 << 10
	maxXMLBody      = 4 << 20 // DeleteObjects, CompleteMultipartUpload
)

// Service is the S3 service as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
}

// New returns the S3 service and publishes its object reader for the
// services that load data from S3 (Lambda code).
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore()}
	if env.Links != nil {
		env.Links.Set(cloud.LinkS3, cloud.ObjectReader(s.store))
	}
	return s
}

// Capabilities: bucket websites answer at the edge's path form too.
func (s *Service) Capabilities() []string { return []string{cloud.CapWebsitePaths} }

// Store is the service's state (for features wired on top: notifications).
func (s *Service) Store() *Store { return s.store }

func (s *Service) Name() string                { return "s3" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.RestXML }
func (s *Service) Reset()                      { s.store.Reset() }

// Routes: signed S3 requests, virtual-hosted-style hosts, website
// endpoints (public), and whatever nothing else claims (path-style).
func (s *Service) Routes() []cloud.Route {
	rs := []cloud.Route{{Kind: cloud.ByScope, Key: "s3"}, {Kind: cloud.Fallback},
		{Kind: cloud.ByHost, Key: websiteHostSuffix, Public: true},
		{Kind: cloud.ByHost, Key: websiteShortHostSuffix, Public: true},
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(websitePathPrefix, "/"), Public: true},
	}
	for _, h := range virtualHostSuffixes {
		rs = append(rs, cloud.Route{Kind: cloud.ByHost, Key: h})
	}
	return rs
}

// Summary counts buckets, objects and bytes for GET /_groundstack/state.
func (s *Service) Summary() map[string]any {
	b, o, n := s.store.Summary()
	return map[string]any{"buckets": b, "objects": o, "bytes": n}
}

// call is one request on its way through the service.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	id     string
	bucket string
	key    string
	q      url.Values
}

func (c *call) has(param string) bool { _, ok := c.q[param]; return ok }

// Sub-resources S3 has and groundstack does not serve: asking for one gets
// NotImplemented, as AWS answers for features it lacks.
var unsupportedSubresources = map[string]bool{
	"accelerate": true, "acl": true, "analytics": true, "attributes": true, "cors": true,
	"encryption": true, "intelligent-tiering": true, "inventory": true, "legal-hold": true,
	"lifecycle": true, "logging": true, "metadataTable": true, "metrics": true, "notification": true,
	"object-lock": true, "ownershipControls": true, "policy": true, "policyStatus": true,
	"publicAccessBlock": true, "replication": true, "requestPayment": true, "restore": true,
	"retention": true, "select": true, "session": true, "tagging": true, "torrent": true,
	"versions": true,
}

// writeParams are the query parameters the write operations served here
// take; presign parameters (X-Amz-*) come on top.
var writeParams = map[string]bool{
	"x-id": true, "uploadId": true, "partNumber": true, "uploads": true, "delete": true, "versionId": true, "website": true,
	"AWSAccessKeyId": true, "Signature": true, "Expires": true, // SigV2 presigned URLs (aws s3 presign)
}

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil { // handlers called directly (not by net/http) may pass none
		r.Body = http.NoBody
	}
	c := &call{w: w, r: r, id: s.env.NewID()}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.env.Log.Error("s3: panic", "panic", v, "path", r.URL.Path, "stack", string(debug.Stack()))
			s.writeError(c, ErrInternalError.New("We encountered an internal error. Please try again."))
		}
	}()
	if bucket, key, base, ok := websiteTarget(r); ok && r.Header.Get("Authorization") == "" {
		s.serveWebsite(w, r, bucket, key, base)
		return
	}
	if err := s.serve(c); err != nil {
		s.writeError(c, err)
	}
}

// writeError renders err in S3's XML shape; an error that is not an AWS
// error is a bug, logged and answered with InternalError.
func (s *Service) writeError(c *call, err error) {
	e, ok := err.(*awsproto.Error)
	if !ok {
		s.env.Log.Error("s3: internal error", "err", err, "path", c.r.URL.Path)
		e = ErrInternalError.New("We encountered an internal error. Please try again.")
	}
	awsproto.WriteXMLError(c.w, c.r, c.id, e)
}

func (s *Service) serve(c *call) error {
	r := c.r
	if r.URL.RawQuery != "" {
		c.q = r.URL.Query()
		if c.has("X-Amz-Signature") || c.has("X-Amz-Credential") {
			if err := s.checkPresigned(c); err != nil {
				return err
			}
		} else if c.has("AWSAccessKeyId") && c.has("Signature") {
			if err := s.checkPresignedV2(c); err != nil {
				return err
			}
		}
	}
	if b := bucketFromHost(r.Host); b != "" {
		c.bucket, c.key = b, strings.TrimPrefix(r.URL.Path, "/")
	} else {
		c.bucket, c.key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	}
	if c.bucket == "" {
		if r.Method == http.MethodGet {
			return s.listBuckets(c)
		}
		return methodNotAllowed(r.Method, "SERVICE")
	}
	writes := r.Method != http.MethodGet && r.Method != http.MethodHead
	for param := range c.q {
		// A write with a parameter we do not know (PUT ?versioning, a new
		// sub-resource) must not fall through to PutObject or CreateBucket.
		if unsupportedSubresources[param] || (writes && !writeParams[param] && !strings.HasPrefix(param, "X-Amz-")) {
			return ErrNotImplemented.Errorf("The %s sub-resource is not implemented by groundstack", param)
		}
	}
	if v, ok := c.q["versionId"]; ok && len(v) > 0 && v[0] != "null" {
		return ErrNoSuchVersion.New("The specified version does not exist.").With("Key", c.key).With("VersionId", v[0])
	}
	if c.key == "" {
		return s.serveBucket(c)
	}
	if c.has("website") {
		return ErrNotImplemented.New("The website sub-resource belongs to buckets, not objects")
	}
	return s.serveObject(c)
}

func (s *Service) serveBucket(c *call) error {
	if c.has("website") {
		switch c.r.Method {
		case http.MethodPut:
			return s.putBucketWebsite(c)
		case http.MethodGet:
			return s.getBucketWebsite(c)
		case http.MethodDelete:
			return s.deleteBucketWebsite(c)
		}
		return methodNotAllowed(c.r.Method, "BUCKET")
	}
	switch c.r.Method {
	case http.MethodPut:
		return s.createBucket(c)
	case http.MethodDelete:
		return s.deleteBucket(c)
	case http.MethodHead:
		return s.headBucket(c)
	case http.MethodGet:
		switch {
		case c.has("location"):
			return s.getBucketLocation(c)
		case c.has("versioning"):
			return s.getBucketVersioning(c)
		case c.has("uploads"):
			return s.listMultipartUploads(c)
		case c.q.Get("list-type") == "2":
			return s.listObjects(c, true)
		}
		return s.listObjects(c, false)
	case http.MethodPost:
		if c.has("delete") {
			return s.deleteObjects(c)
		}
		return ErrNotImplemented.New("POST object uploads (browser forms) are not implemented by groundstack")
	}
	return methodNotAllowed(c.r.Method, "BUCKET")
}

func (s *Service) serveObject(c *call) error {
	uploadID, multipart := c.q["uploadId"]
	switch c.r.Method {
	case http.MethodPut:
		if multipart {
			if c.r.Header.Get("X-Amz-Copy-Source") != "" {
				return s.uploadPartCopy(c, uploadID[0])
			}
			return s.uploadPart(c, uploadID[0])
		}
		if c.r.Header.Get("X-Amz-Copy-Source") != "" {
			return s.copyObject(c)
		}
		return s.putObject(c)
	case http.MethodGet:
		if multipart {
			return s.listParts(c, uploadID[0])
		}
		return s.getObject(c, true)
	case http.MethodHead:
		return s.getObject(c, false)
	case http.MethodDelete:
		if multipart {
			return s.abortUpload(c, uploadID[0])
		}
		return s.deleteObject(c)
	case http.MethodPost:
		switch {
		case c.has("uploads"):
			return s.createUpload(c)
		case multipart:
			return s.completeUpload(c, uploadID[0])
		}
		return ErrNotImplemented.New("This POST operation on an object is not implemented by groundstack")
	}
	return methodNotAllowed(c.r.Method, "OBJECT")
}

func methodNotAllowed(method, resource string) error {
	return ErrMethodNotAllowed.New("The specified method is not allowed against this resource.").
		With("Method", method).With("ResourceType", resource)
}

// checkPresigned refuses presigned URLs past their lifetime (strict mode
// also checks the signature at the edge).
func (s *Service) checkPresigned(c *call) error {
	if c.r.Header.Get("Authorization") != "" {
		return nil
	}
	if exp := c.q.Get("X-Amz-Expires"); exp != "" {
		if n, err := strconv.Atoi(exp); err == nil && n > 604800 {
			return ErrAuthQueryParams.New("X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is 604800 seconds")
		}
	}
	sig, _, err := awsproto.SignatureOf(c.r)
	if err != nil {
		return ErrAuthQueryParams.New("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	}
	now := s.env.Now()
	if sig.PresignExpired(now) {
		return ErrAccessDenied.New("Request has expired").
			With("X-Amz-Expires", strconv.Itoa(int(sig.Expires/time.Second))).
			With("Expires", sig.Date.Add(sig.Expires).UTC().Format(time.RFC3339)).
			With("ServerTime", now.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkPresignedV2 refuses SigV2 query-string URLs (what `aws s3 presign`
// makes) past their Expires time.
func (s *Service) checkPresignedV2(c *call) error {
	v := c.q.Get("Expires")
	exp, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return ErrAccessDenied.New("Invalid date (should be seconds since epoch): " + v)
	}
	now := s.env.Now()
	if now.Unix() > exp {
		return ErrAccessDenied.New("Request has expired").
			With("Expires", time.Unix(exp, 0).UTC().Format(time.RFC3339)).
			With("ServerTime", now.UTC().Format(time.RFC3339))
	}
	return nil
}

// storeError maps the store's errors to S3's codes for the call's bucket and
// key.
func storeError(c *call, err error) error {
	switch err {
	case nil:
		return nil
	case errNoSuchBucket:
		return noSuchBucket(c.bucket)
	case errNoSuchKey:
		return ErrNoSuchKey.New("The specified key does not exist.").With("Key", c.key)
	case errNoSuchUpload:
		return ErrNoSuchUpload.New("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").
			With("UploadId", c.q.Get("uploadId"))
	case errBucketNotEmpty:
		return ErrBucketNotEmpty.New("The bucket you tried to delete is not empty").With("BucketName", c.bucket)
	case errPrecondition:
		return preconditionFailed("If-Match")
	case errNoParts:
		return malformedXML()
	}
	if pe, ok := err.(*PartError); ok {
		uid := c.q.Get("uploadId")
		switch pe.Kind {
		case PartOrder:
			return ErrInvalidPartOrder.New("The list of parts was not in ascending order. Parts must be ordered by part number.").With("UploadId", uid)
		case PartTooSmall:
			return ErrEntityTooSmall.New("Your proposed upload is smaller than the minimum allowed object size.").
				With("ProposedSize", pe.Size).With("MinSizeAllowed", MinPartSize).
				With("PartNumber", pe.PartNumber).With("ETag", strings.Trim(pe.ETag, `"`))
		default:
			return ErrInvalidPart.New("One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.").
				With("UploadId", uid).With("PartNumber", pe.PartNumber).With("ETag", strings.Trim(pe.ETag, `"`))
		}
	}
	return err
}

func noSuchBucket(name string) *awsproto.Error {
	return ErrNoSuchBucket.New("The specified bucket does not exist").With("BucketName", name)
}

func preconditionFailed(condition string) *awsproto.Error {
	return ErrPreconditionFailed.New("At least one of the pre-conditions you specified did not hold").With("Condition", condition)
}

// respond writes an XML document with status 200.
func (c *call) respond(v any) error {
	c.w.Header().Set("X-Amz-Request-Id", c.id)
	if err := awsproto.WriteXML(c.w, http.StatusOK, v); err != nil {
		// Headers are gone already: nothing better to do than log it.
		return nil
	}
	return nil
}

// writeDoc finishes and sends a hand-written XML document with status 200.
func (c *call) writeDoc(d *xmlDoc) {
	d.finish()
	h := c.w.Header()
	h["Content-Type"] = []string{"application/xml"}
	h["X-Amz-Request-Id"] = []string{c.id}
	h["Content-Length"] = []string{strconv.Itoa(d.Len())}
	c.w.WriteHeader(http.StatusOK)
	c.w.Write(d.Bytes())
	d.release()
}

// readXMLBody reads a small XML request body.
func readXMLBody(c *call) ([]byte, func(), error) {
	body, release, err := awsproto.ReadBody(c.r, maxXMLBody)
	if err == awsproto.ErrBodyTooLarge {
		return nil, release, ErrMaxMessageLengthExceeded.New("Your request was too big.")
	}
	if err != nil {
		return nil, release, ErrIncompleteBody.New("The request body terminated unexpectedly")
	}
	return body, release, nil
}

// ----- buckets -----

func (s *Service) listBuckets(c *call) error {
	prefix, region := c.q.Get("prefix"), c.q.Get("bucket-region")
	maxBuckets := -1
	if v := c.q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return ErrInvalidArgument.New("Max buckets must be a number between 1 and 10000").With("ArgumentName", "max-buckets").With("ArgumentValue", v)
		}
		maxBuckets = n
	}
	after := ""
	if t := c.q.Get("continuation-token"); t != "" {
		k, ok := decodeToken(t)
		if !ok {
			return ErrInvalidArgument.New("The continuation token provided is incorrect").With("ArgumentName", "continuation-token").With("ArgumentValue", t)
		}
		after = k
	}
	res := listAllMyBucketsResult{Xmlns: awsproto.S3XMLNS, Owner: defaultOwner, Buckets: []bucketEntry{}, Prefix: prefix}
	for _, b := range s.store.Buckets() {
		if b.Name <= after || !strings.HasPrefix(b.Name, prefix) || (region != "" && b.Region != region) {
			continue
		}
		if maxBuckets >= 0 && len(res.Buckets) == maxBuckets {
			res.ContinuationToken = encodeToken(res.Buckets[len(res.Buckets)-1].Name)
			break
		}
		res.Buckets = append(res.Buckets, bucketEntry{Name: b.Name, CreationDate: xmlTime(b.Created), BucketRegion: b.Region})
	}
	return c.respond(res)
}

func (s *Service) createBucket(c *call) error {
	if !validBucketName(c.bucket) {
		return ErrInvalidBucketName.New("The specified bucket is not valid.").With("BucketName", c.bucket)
	}
	body, release, err := readXMLBody(c)
	if err != nil {
		return err
	}
	defer release()
	requestRegion := awsproto.RegionOf(c.r, s.env.Region)
	region := "us-east-1"
	if len(strings.TrimSpace(string(body))) > 0 {
		var conf createBucketConfiguration
		if err := awsproto.DecodeXML(body, &conf); err != nil {
			return err
		}
		switch conf.LocationConstraint {
		case "":
		case "us-east-1":
			return ErrInvalidLocationConstraint.New("The specified location-constraint is not valid").With("LocationConstraint", conf.LocationConstraint)
		case "EU":
			region = "eu-west-1"
		default:
			region = conf.LocationConstraint
		}
	}
	if requestRegion != "us-east-1" && region != requestRegion {
		if region == "us-east-1" {
			return ErrIllegalLocationConstraint.New("The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
		return ErrIllegalLocationConstraint.Errorf("The %s location constraint is incompatible for the region specific endpoint this request was sent to.", region)
	}
	if err := s.store.CreateBucket(c.bucket, region, s.env.Now()); err == errBucketExists {
		return ErrBucketAlreadyOwnedByYou.New("Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", c.bucket)
	}
	h := c.w.Header()
	h.Set("Location", "/"+c.bucket)
	h.Set("X-Amz-Request-Id", c.id)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) deleteBucket(c *call) error {
	if err := s.store.DeleteBucket(c.bucket); err != nil {
		return storeError(c, err)
	}
	c.w.Header().Set("X-Amz-Request-Id", c.id)
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) headBucket(c *call) error {
	b, err := s.store.Bucket(c.bucket)
	if err != nil {
		return storeError(c, err)
	}
	h := c.w.Header()
	h.Set("X-Amz-Bucket-Region", b.Region)
	h.Set("X-Amz-Request-Id", c.id)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) getBucketLocation(c *call) error {
	b, err := s.store.Bucket(c.bucket)
	if err != nil {
		return storeError(c, err)
	}
	loc := b.Region
	if loc == "us-east-1" {
		loc = "" // S3's answer for the classic region
	}
	return c.respond(locationConstraint{Xmlns: awsproto.S3XMLNS, Value: loc})
}

// getBucketVersioning answers for a bucket that was never versioned (the
// only kind groundstack has).
func (s *Service) getBucketVersioning(c *call) error {
	if _, err := s.store.Bucket(c.bucket); err != nil {
		return storeError(c, err)
	}
	return c.respond(versioningConfiguration{Xmlns: awsproto.S3XMLNS})
}

// ----- listing -----

func (s *Service) listObjects(c *call, v2 bool) error {
	p, perr := parseListParams(c.q, v2)
	if perr != nil {
		return perr
	}
	after, _ := p.after()
	page, err := s.store.List(c.bucket, ListQuery{Prefix: p.prefix, Delimiter: p.delimiter, After: after, MaxKeys: p.maxKeys})
	if err != nil {
		return storeError(c, err)
	}
	enc := func(v string) string { return urlEncode(v, p.encodeURL) }
	// Written by hand: listings are the one large document on a hot path,
	// and encoding/xml's reflection costs ~2 µs per entry.
	d := newXMLDoc("ListBucketResult")
	d.elem("Name", c.bucket)
	d.elem("Prefix", enc(p.prefix))
	if !v2 {
		d.elem("Marker", enc(p.marker))
		if page.Truncated {
			d.elem("NextMarker", enc(page.Last))
		}
	}
	if p.delimiter != "" {
		d.elem("Delimiter", enc(p.delimiter))
	}
	d.elemInt("MaxKeys", int64(p.maxKeys))
	if p.encodeURL {
		d.elem("EncodingType", "url")
	}
	if v2 {
		d.elemInt("KeyCount", int64(len(page.Objects)+len(page.CommonPrefixes)))
	}
	d.elemBool("IsTruncated", page.Truncated)
	if v2 {
		if p.token != "" {
			d.elem("ContinuationToken", p.token)
		}
		if page.Truncated {
			d.elem("NextContinuationToken", encodeToken(page.Last))
		}
		if p.startAfter != "" {
			d.elem("StartAfter", enc(p.startAfter))
		}
	}
	withOwner := !v2 || p.fetchOwner
	for _, o := range page.Objects {
		d.open("Contents")
		d.elem("Key", enc(o.Key))
		d.elem("LastModified", o.lastModifiedXML)
		d.elem("ETag", o.ETag)
		if o.Checksum.Algorithm != "" {
			d.elem("ChecksumAlgorithm", o.Checksum.Algorithm)
		}
		d.elemInt("Size", o.Size())
		if withOwner {
			d.open("Owner")
			d.elem("ID", defaultOwner.ID)
			d.elem("DisplayName", defaultOwner.DisplayName)
			d.close("Owner")
		}
		d.elem("StorageClass", o.StorageClass)
		d.close("Contents")
	}
	for _, cp := range page.CommonPrefixes {
		d.open("CommonPrefixes")
		d.elem("Prefix", enc(cp))
		d.close("CommonPrefixes")
	}
	c.writeDoc(d)
	return nil
}

// ----- DeleteObjects -----

func (s *Service) deleteObjects(c *call) error {
	body, release, err := readXMLBody(c)
	if err != nil {
		return err
	}
	req, perr := parseDeleteRequest(body)
	release()
	if perr != nil {
		return perr
	}
	keys := make([]string, len(req.Objects))
	res := deleteResult{Xmlns: awsproto.S3XMLNS}
	for i, o := range req.Objects {
		keys[i] = o.Key
	}
	if _, err := s.store.DeleteObjects(c.bucket, keys, s.env.Now()); err != nil {
		return storeError(c, err)
	}
	if !req.Quiet {
		res.Deleted = make([]deletedEntry, len(keys))
		for i, k := range keys {
			res.Deleted[i] = deletedEntry{Key: k}
		}
	}
	return c.respond(res)
}

// contentMD5 decodes a Content-MD5 header; ok is false when it is malformed.
func contentMD5(v string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(v)
	return b, err == nil && len(b) == 16
}

package s3

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Storage classes S3 accepts in x-amz-storage-class.
var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "OUTPOSTS": true,
	"GLACIER_IR": true, "SNOW": true, "EXPRESS_ONEZONE": true,
}

// objectFromRequest takes what S3 stores with an object from the request's
// headers: the standard HTTP headers, user metadata and storage class.
func objectFromRequest(c *call) (*Object, error) {
	if len(c.key) > maxKeyLength {
		return nil, ErrKeyTooLong.New("Your key is too long").With("Size", len(c.key)).With("MaxSizeAllowed", maxKeyLength)
	}
	h := c.r.Header
	o := &Object{Key: c.key}
	o.Headers.ContentType = h.Get("Content-Type")
	if o.Headers.ContentType == "" {
		o.Headers.ContentType = "binary/octet-stream"
	}
	o.Headers.ContentEncoding = withoutToken(h.Get("Content-Encoding"), "aws-chunked")
	o.Headers.ContentDisposition = h.Get("Content-Disposition")
	o.Headers.ContentLanguage = h.Get("Content-Language")
	o.Headers.CacheControl = h.Get("Cache-Control")
	o.Headers.Expires = h.Get("Expires")
	if sc := h.Get("X-Amz-Storage-Class"); sc != "" {
		if !storageClasses[sc] {
			return nil, ErrInvalidStorageClass.New("The storage class you specified is not valid").With("StorageClassRequested", sc)
		}
		o.StorageClass = sc
	}
	metaSize := 0
	for name, vals := range h {
		if len(name) > len("X-Amz-Meta-") && strings.HasPrefix(name, "X-Amz-Meta-") {
			if o.Meta == nil {
				o.Meta = map[string]string{}
			}
			k, v := strings.ToLower(name[len("X-Amz-Meta-"):]), strings.Join(vals, ",")
			o.Meta[k] = v
			metaSize += len(k) + len(v)
		}
	}
	if metaSize > maxMetadataSize {
		return nil, ErrMetadataTooLarge.New("Your metadata headers exceed the maximum allowed metadata size.").
			With("Size", metaSize).With("MaxSizeAllowed", maxMetadataSize)
	}
	return o, nil
}

// readPayload reads an object or part body, plain or aws-chunked, and checks
// the flexible checksum the client sent with it (header or trailer).
func readPayload(c *call) ([]byte, Checksum, error) {
	r := c.r
	h := r.Header
	var (
		data     []byte
		trailers []trailerField
		err      error
	)
	if strings.HasPrefix(h.Get("X-Amz-Content-Sha256"), "STREAMING-") || hasToken(h.Get("Content-Encoding"), "aws-chunked") {
		dl := h.Get("X-Amz-Decoded-Content-Length")
		n, perr := strconv.ParseInt(dl, 10, 64)
		if perr != nil || n < 0 {
			return nil, Checksum{}, ErrMissingContentLength.New("You must provide the Content-Length HTTP header.")
		}
		if n > maxObjectSize {
			return nil, Checksum{}, entityTooLarge(n)
		}
		data, trailers, err = decodeAWSChunked(r.Body, n)
	} else {
		if r.ContentLength < 0 {
			return nil, Checksum{}, ErrMissingContentLength.New("You must provide the Content-Length HTTP header.")
		}
		if r.ContentLength > maxObjectSize {
			return nil, Checksum{}, entityTooLarge(r.ContentLength)
		}
		data, err = readPlain(r.Body, r.ContentLength)
	}
	switch err {
	case nil:
	case errChunkFormat, errLongBody:
		return nil, Checksum{}, ErrInvalidRequest.New("The aws-chunked request body is malformed.")
	default:
		return nil, Checksum{}, ErrIncompleteBody.New("You did not provide the number of bytes specified by the Content-Length HTTP header")
	}

	var sum Checksum
	const prefix = "X-Amz-Checksum-"
	for name, vals := range h {
		if len(name) > len(prefix) && strings.HasPrefix(name, prefix) && len(vals) > 0 {
			if alg, ok := checksumAlgorithms[strings.ToLower(name[len(prefix):])]; ok {
				sum = Checksum{Algorithm: alg, Value: vals[0]}
				break
			}
		}
	}
	for _, t := range trailers {
		if alg, ok := checksumAlgorithms[strings.TrimPrefix(t.name, "x-amz-checksum-")]; ok && strings.HasPrefix(t.name, "x-amz-checksum-") {
			sum = Checksum{Algorithm: alg, Value: t.value}
		}
	}
	if sum.Algorithm != "" {
		if !validChecksumValue(sum.Algorithm, sum.Value) {
			return nil, Checksum{}, ErrInvalidRequest.Errorf("Value for %s header is invalid.", checksumHeader(sum.Algorithm))
		}
		if computeChecksum(sum.Algorithm, data) != sum.Value {
			return nil, Checksum{}, ErrBadDigest.Errorf("The %s you specified did not match the calculated checksum.", sum.Algorithm)
		}
	}
	return data, sum, nil
}

func entityTooLarge(n int64) error {
	return ErrEntityTooLarge.New("Your proposed upload exceeds the maximum allowed size").
		With("ProposedSize", n).With("MaxSizeAllowed", int64(maxObjectSize))
}

// checkContentMD5 compares a Content-MD5 header with the body's quoted hex
// MD5 (the ETag, computed anyway).
func checkContentMD5(c *call, etag string) error {
	v, ok := c.r.Header["Content-Md5"]
	if !ok {
		return nil
	}
	want, ok := contentMD5(v[0])
	if !ok {
		return ErrInvalidDigest.New("The Content-MD5 you specified is not valid.").With("Content-MD5", v[0])
	}
	if hex.EncodeToString(want) != strings.Trim(etag, `"`) {
		return ErrBadDigest.New("The Content-MD5 you specified did not match what we received.").
			With("ExpectedDigest", v[0])
	}
	return nil
}

func (s *Service) putObject(c *call) error {
	obj, err := objectFromRequest(c)
	if err != nil {
		return err
	}
	h := c.r.Header
	cond := PutCondition{IfMatch: h.Get("If-Match")}
	if inm := h.Get("If-None-Match"); inm != "" {
		if strings.TrimSpace(inm) != "*" {
			return ErrNotImplemented.New("A header you provided implies functionality that is not implemented").With("Header", "If-None-Match")
		}
		cond.IfNoneMatchAny = true
	}
	// A missing bucket is refused before its body is read, as on AWS.
	if _, err := s.store.Bucket(c.bucket); err != nil {
		return storeError(c, err)
	}
	obj.Data, obj.Checksum, err = readPayload(c)
	if err != nil {
		return err
	}
	obj.Seal(s.env.Now())
	if err := checkContentMD5(c, obj.ETag); err != nil {
		return err
	}
	if err := s.store.PutObject(c.bucket, obj, cond, "Put"); err != nil {
		if err == errPrecondition && cond.IfNoneMatchAny {
			return preconditionFailed("If-None-Match")
		}
		return storeError(c, err)
	}
	wh := c.w.Header()
	wh["Etag"] = []string{obj.ETag}
	wh["X-Amz-Request-Id"] = []string{c.id}
	if obj.Checksum.Algorithm != "" {
		wh.Set(checksumHeader(obj.Checksum.Algorithm), obj.Checksum.Value)
		wh["X-Amz-Checksum-Type"] = []string{"FULL_OBJECT"}
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// Query parameters that override response headers of GetObject.
var responseOverrides = [...]struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// getObject serves GetObject and (withBody false) HeadObject.
func (s *Service) getObject(c *call, withBody bool) error {
	obj, err := s.store.Object(c.bucket, c.key)
	if err != nil {
		return storeError(c, err)
	}
	if err, done := s.checkConditions(c, obj); done {
		return err
	}
	size := obj.Size()
	start, end, status := int64(0), size-1, http.StatusOK
	wh := c.w.Header()
	if pn := c.q.Get("partNumber"); pn != "" {
		n, err := strconv.Atoi(pn)
		if err != nil || n < 1 || n > MaxPartNumber {
			return ErrInvalidArgument.New("Part number must be an integer between 1 and 10000, inclusive").
				With("ArgumentName", "partNumber").With("ArgumentValue", pn)
		}
		switch {
		case len(obj.PartSizes) > 0 && n <= len(obj.PartSizes):
			for _, ps := range obj.PartSizes[:n-1] {
				start += ps
			}
			end = start + obj.PartSizes[n-1] - 1
			status = http.StatusPartialContent
			wh["X-Amz-Mp-Parts-Count"] = []string{strconv.Itoa(len(obj.PartSizes))}
		case len(obj.PartSizes) == 0 && n == 1:
		default:
			return ErrInvalidPartNumber.New("The requested partnumber is not satisfiable").With("PartNumberRequested", n).With("ActualPartCount", max(1, len(obj.PartSizes)))
		}
	} else if rh := c.r.Header.Get("Range"); rh != "" {
		br, res := parseRange(rh, size)
		switch res {
		case rangeUnsatisfiable:
			return ErrInvalidRange.New("The requested range is not satisfiable").With("RangeRequested", rh).With("ActualObjectSize", size)
		case rangeOK:
			start, end, status = br.start, br.end, http.StatusPartialContent
		}
	}
	writeObjectHeaders(c, obj)
	if status == http.StatusPartialContent {
		wh["Content-Range"] = []string{"bytes " + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(end, 10) + "/" + strconv.FormatInt(size, 10)}
	} else if obj.Checksum.Algorithm != "" && c.r.Header.Get("X-Amz-Checksum-Mode") == "ENABLED" {
		wh.Set(checksumHeader(obj.Checksum.Algorithm), obj.Checksum.Value)
		wh["X-Amz-Checksum-Type"] = []string{"FULL_OBJECT"}
	}
	wh["Content-Length"] = []string{strconv.FormatInt(end-start+1, 10)}
	c.w.WriteHeader(status)
	if withBody && end >= start {
		c.w.Write(obj.Data[start : end+1])
	}
	return nil
}

// writeObjectHeaders sets the headers every GET and HEAD of obj carries.
func writeObjectHeaders(c *call, obj *Object) {
	wh := c.w.Header()
	wh["Etag"] = []string{obj.ETag}
	wh["Last-Modified"] = []string{obj.lastModifiedHTTP}
	wh["Accept-Ranges"] = []string{"bytes"}
	wh["X-Amz-Request-Id"] = []string{c.id}
	wh["Content-Type"] = []string{obj.Headers.ContentType}
	for _, kv := range [...]struct{ name, v string }{
		{"Content-Encoding", obj.Headers.ContentEncoding},
		{"Content-Disposition", obj.Headers.ContentDisposition},
		{"Content-Language", obj.Headers.ContentLanguage},
		{"Cache-Control", obj.Headers.CacheControl},
		{"Expires", obj.Headers.Expires},
	} {
		if kv.v != "" {
			wh[kv.name] = []string{kv.v}
		}
	}
	if obj.StorageClass != "STANDARD" {
		wh["X-Amz-Storage-Class"] = []string{obj.StorageClass}
	}
	for k, v := range obj.Meta {
		wh.Set("X-Amz-Meta-"+k, v)
	}
	if len(c.q) > 0 {
		for _, o := range responseOverrides {
			if v := c.q.Get(o.param); v != "" {
				wh[o.header] = []string{v}
			}
		}
	}
}

// checkConditions applies If-Match, If-Unmodified-Since (412), If-None-Match
// and If-Modified-Since (304) to a GET or HEAD; done means the response (or
// error) is decided.
func (s *Service) checkConditions(c *call, obj *Object) (error, bool) {
	h := c.r.Header
	if len(h["If-Match"]) == 0 && len(h["If-None-Match"]) == 0 && len(h["If-Modified-Since"]) == 0 && len(h["If-Unmodified-Since"]) == 0 {
		return nil, false
	}
	im, inm := h.Get("If-Match"), h.Get("If-None-Match")
	if im != "" {
		if !ETagMatches(im, obj.ETag) {
			return preconditionFailed("If-Match"), true
		}
	} else if t, err := http.ParseTime(h.Get("If-Unmodified-Since")); err == nil && obj.LastModified.After(t) {
		return preconditionFailed("If-Unmodified-Since"), true
	}
	notModified := false
	if inm != "" {
		notModified = ETagMatches(inm, obj.ETag)
	} else if t, err := http.ParseTime(h.Get("If-Modified-Since")); err == nil && !obj.LastModified.After(t) {
		notModified = true
	}
	if notModified {
		wh := c.w.Header()
		wh["Etag"] = []string{obj.ETag}
		wh["Last-Modified"] = []string{obj.lastModifiedHTTP}
		wh["X-Amz-Request-Id"] = []string{c.id}
		c.w.WriteHeader(http.StatusNotModified)
		return nil, true
	}
	return nil, false
}

func (s *Service) deleteObject(c *call) error {
	if _, err := s.store.DeleteObjects(c.bucket, []string{c.key}, s.env.Now()); err != nil {
		return storeError(c, err)
	}
	c.w.Header().Set("X-Amz-Request-Id", c.id)
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// copySource is a decoded x-amz-copy-source header.
type copySource struct{ bucket, key string }

func parseCopySource(v string) (copySource, error) {
	raw, query, _ := strings.Cut(v, "?")
	bad := ErrInvalidArgument.New("Copy Source must mention the source bucket and key: sourcebucket/sourcekey").
		With("ArgumentName", "x-amz-copy-source").With("ArgumentValue", v)
	p, err := url.PathUnescape(raw)
	if err != nil {
		return copySource{}, bad
	}
	b, k, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !ok || b == "" || k == "" {
		return copySource{}, bad
	}
	if q, err := url.ParseQuery(query); err == nil {
		if vid := q.Get("versionId"); vid != "" && vid != "null" {
			return copySource{}, ErrNoSuchVersion.New("The specified version does not exist.").With("Key", k).With("VersionId", vid)
		}
	}
	return copySource{bucket: b, key: k}, nil
}

// sourceObject resolves x-amz-copy-source and its conditions.
func (s *Service) sourceObject(c *call) (*Object, copySource, error) {
	src, err := parseCopySource(c.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return nil, src, err
	}
	obj, err := s.store.Object(src.bucket, src.key)
	switch err {
	case nil:
	case errNoSuchBucket:
		return nil, src, noSuchBucket(src.bucket)
	default:
		return nil, src, ErrNoSuchKey.New("The specified key does not exist.").With("Key", src.key)
	}
	h := c.r.Header
	if v := h.Get("X-Amz-Copy-Source-If-Match"); v != "" && !ETagMatches(v, obj.ETag) {
		return nil, src, preconditionFailed("x-amz-copy-source-If-Match")
	}
	if v := h.Get("X-Amz-Copy-Source-If-None-Match"); v != "" && ETagMatches(v, obj.ETag) {
		return nil, src, preconditionFailed("x-amz-copy-source-If-None-Match")
	}
	if t, err := http.ParseTime(h.Get("X-Amz-Copy-Source-If-Unmodified-Since")); err == nil && obj.LastModified.After(t) {
		return nil, src, preconditionFailed("x-amz-copy-source-If-Unmodified-Since")
	}
	if t, err := http.ParseTime(h.Get("X-Amz-Copy-Source-If-Modified-Since")); err == nil && !obj.LastModified.After(t) {
		return nil, src, preconditionFailed("x-amz-copy-source-If-Modified-Since")
	}
	return obj, src, nil
}

func (s *Service) copyObject(c *call) error {
	if _, err := s.store.Bucket(c.bucket); err != nil {
		return storeError(c, err)
	}
	src, from, err := s.sourceObject(c)
	if err != nil {
		return err
	}
	h := c.r.Header
	directive := h.Get("X-Amz-Metadata-Directive")
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return ErrInvalidArgument.New("Unknown metadata directive.").With("ArgumentName", "x-amz-metadata-directive").With("ArgumentValue", directive)
	}
	sc := h.Get("X-Amz-Storage-Class")
	if from.bucket == c.bucket && from.key == c.key && directive != "REPLACE" && sc == "" {
		return ErrInvalidRequest.New("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	var obj *Object
	if directive == "REPLACE" {
		if obj, err = objectFromRequest(c); err != nil {
			return err
		}
	} else {
		if len(c.key) > maxKeyLength {
			return ErrKeyTooLong.New("Your key is too long").With("Size", len(c.key)).With("MaxSizeAllowed", maxKeyLength)
		}
		if sc != "" && !storageClasses[sc] {
			return ErrInvalidStorageClass.New("The storage class you specified is not valid").With("StorageClassRequested", sc)
		}
		obj = &Object{Key: c.key, Headers: src.Headers, Meta: src.Meta, StorageClass: sc}
	}
	if obj.StorageClass == "" {
		obj.StorageClass = src.StorageClass
	}
	// Stored data is immutable, so the copy shares it.
	obj.Data, obj.Checksum = src.Data, src.Checksum
	if len(src.PartSizes) == 0 {
		obj.ETag = src.ETag // same bytes, same MD5
	}
	obj.Seal(s.env.Now())
	if err := s.store.PutObject(c.bucket, obj, PutCondition{}, "Copy"); err != nil {
		return storeError(c, err)
	}
	return c.respond(copyObjectResult{Xmlns: awsproto.S3XMLNS, ETag: obj.ETag, LastModified: xmlTime(obj.LastModified)})
}

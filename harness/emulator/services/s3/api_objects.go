package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Object operations: PutObject, GetObject, HeadObject, CopyObject,
// DeleteObject and DeleteObjects.

// objectInput is the input of operations that take only their object.
type objectInput struct {
	Bucket string `xml:"-" location:"uri" name:"Bucket"`
	Key    string `xml:"-" location:"uri" name:"Key"`
}

// objectHeaders are what S3 stores with an object from PutObject,
// CreateMultipartUpload and CopyObject (REPLACE): the standard HTTP headers,
// user metadata and storage class.
type objectHeaders struct {
	CacheControl       string            `xml:"-" location:"header" name:"Cache-Control"`
	ContentDisposition string            `xml:"-" location:"header" name:"Content-Disposition"`
	ContentEncoding    string            `xml:"-" location:"header" name:"Content-Encoding"`
	ContentLanguage    string            `xml:"-" location:"header" name:"Content-Language"`
	ContentType        string            `xml:"-" location:"header" name:"Content-Type"`
	Expires            string            `xml:"-" location:"header" name:"Expires"`
	Metadata           map[string]string `xml:"-" location:"headers" name:"X-Amz-Meta-"`
	StorageClass       string            `xml:"-" location:"header" name:"X-Amz-Storage-Class"`
	Tagging            string            `xml:"-" location:"header" name:"X-Amz-Tagging"`
	lockHeaders
	sseHeaders
}

// Storage classes S3 accepts in x-amz-storage-class.
var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "OUTPOSTS": true,
	"GLACIER_IR": true, "SNOW": true, "EXPRESS_ONEZONE": true,
}

func checkKey(key string) error {
	if len(key) > maxKeyLength {
		return errKeyTooLong.New("Your key is too long").With("Size", len(key)).With("MaxSizeAllowed", maxKeyLength)
	}
	return nil
}

func checkStorageClass(sc string) error {
	if sc != "" && !storageClasses[sc] {
		return errInvalidStorageClass.New("The storage class you specified is not valid").With("StorageClassRequested", sc)
	}
	return nil
}

// objectAndBody is an object with room for its body.
type objectAndBody struct {
	Object
	body Body
}

// object is the (unsealed) object key gets with these headers, with an
// empty body to fill.
func (h *objectHeaders) object(key string) (*Object, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := checkStorageClass(h.StorageClass); err != nil {
		return nil, err
	}
	if err := h.sseHeaders.check(); err != nil {
		return nil, err
	}
	// One allocation for the object and the body it will get.
	ob := &objectAndBody{}
	o := &ob.Object
	*o = Object{Key: key, Body: &ob.body, StorageClass: h.StorageClass, Headers: Headers{
		ContentType:        h.ContentType,
		ContentEncoding:    withoutToken(h.ContentEncoding, "aws-chunked"),
		ContentDisposition: h.ContentDisposition,
		ContentLanguage:    h.ContentLanguage,
		CacheControl:       h.CacheControl,
		Expires:            h.Expires,
	}}
	if o.Headers.ContentType == "" {
		o.Headers.ContentType = "binary/octet-stream"
	}
	metaSize := 0
	for k, v := range h.Metadata {
		if k == "" {
			delete(h.Metadata, k) // a bare x-amz-meta- header names nothing
			continue
		}
		metaSize += len(k) + len(v)
	}
	if len(h.Metadata) > 0 {
		o.Meta = h.Metadata
	}
	if metaSize > maxMetadataSize {
		return nil, errMetadataTooLarge.New("Your metadata headers exceed the maximum allowed metadata size.").
			With("Size", metaSize).With("MaxSizeAllowed", maxMetadataSize)
	}
	if h.Tagging != "" {
		tags, err := parseTaggingHeader(h.Tagging)
		if err != nil {
			return nil, err
		}
		o.Tags = tags
	}
	return o, nil
}

// checksums are the flexible checksum members (x-amz-checksum-*) requests
// send and responses echo.
type checksums struct {
	ChecksumCRC32     string `xml:"-" location:"header" name:"X-Amz-Checksum-Crc32"`
	ChecksumCRC32C    string `xml:"-" location:"header" name:"X-Amz-Checksum-Crc32c"`
	ChecksumCRC64NVME string `xml:"-" location:"header" name:"X-Amz-Checksum-Crc64nvme"`
	ChecksumSHA1      string `xml:"-" location:"header" name:"X-Amz-Checksum-Sha1"`
	ChecksumSHA256    string `xml:"-" location:"header" name:"X-Amz-Checksum-Sha256"`
}

// first is the checksum a request sent (the first algorithm, if several).
func (s *checksums) first() Checksum {
	for _, c := range [...]Checksum{{"CRC32", s.ChecksumCRC32}, {"CRC32C", s.ChecksumCRC32C},
		{"CRC64NVME", s.ChecksumCRC64NVME}, {"SHA1", s.ChecksumSHA1}, {"SHA256", s.ChecksumSHA256}} {
		if c.Value != "" {
			return c
		}
	}
	return Checksum{}
}

// echo returns sum as the member of its algorithm.
func echo(sum Checksum) checksums {
	var out checksums
	switch sum.Algorithm {
	case "CRC32":
		out.ChecksumCRC32 = sum.Value
	case "CRC32C":
		out.ChecksumCRC32C = sum.Value
	case "CRC64NVME":
		out.ChecksumCRC64NVME = sum.Value
	case "SHA1":
		out.ChecksumSHA1 = sum.Value
	case "SHA256":
		out.ChecksumSHA256 = sum.Value
	}
	return out
}

// payload says how an object or part body travels: plain or aws-chunked
// (x-amz-content-sha256 STREAMING-…, or Content-Encoding aws-chunked, with
// the decoded length), and the checksum the client computed (in a header
// here, or in the aws-chunked trailer).
type payload struct {
	ContentSHA256        string  `xml:"-" location:"header" name:"X-Amz-Content-Sha256"`
	DecodedContentLength string  `xml:"-" location:"header" name:"X-Amz-Decoded-Content-Length"`
	ContentMD5           *string `xml:"-" location:"header" name:"Content-Md5"`
	Trailer              string  `xml:"-" location:"header" name:"X-Amz-Trailer"`
	checksums
	// defaultChecksum: a body sent without a checksum gets S3's default
	// (CRC64NVME), computed on the way in.
	defaultChecksum bool
}

// read reads an object or part body, plain or aws-chunked, into a body of
// bs (memory or disk, never a whole-body buffer past bs's threshold), and
// checks the flexible checksum the client sent with it (header or
// trailer). The body is made in dst when it is not nil. The caller owns the
// body it returns.
func (p *payload) read(c *awsproto.Call, body io.Reader, contentEncoding string, bs *bodies, dst *Body) (*Body, Checksum, error) {
	chunked := strings.HasPrefix(p.ContentSHA256, "STREAMING-") || hasToken(contentEncoding, "aws-chunked")
	n := c.ContentLength
	if chunked {
		var perr error
		if n, perr = strconv.ParseInt(p.DecodedContentLength, 10, 64); perr != nil {
			n = -1
		}
	}
	if n < 0 {
		return nil, Checksum{}, errMissingContentLength.New("You must provide the Content-Length HTTP header.")
	}
	if n > maxObjectSize {
		return nil, Checksum{}, entityTooLarge(n)
	}
	// The checksum to hash on the way in: the header's, or the one the
	// trailer announces.
	sum := p.first()
	alg := sum.Algorithm
	if name, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(p.Trailer)), "x-amz-checksum-"); ok && alg == "" {
		alg = checksumAlgorithms[name]
	}
	if alg == "" && p.defaultChecksum {
		// S3 gives an object uploaded without a checksum a CRC64NVME one,
		// which GetObject returns in checksum mode (SDKs ask by default).
		alg = "CRC64NVME"
	}
	var w bodyWriter
	if err := bs.startWriter(&w, n, alg); err != nil {
		return nil, Checksum{}, err
	}
	var (
		trailers []trailerField
		err      error
	)
	if chunked {
		trailers, err = decodeAWSChunked(body, n, &w)
	} else {
		err = readPlain(body, n, &w)
	}
	if err != nil {
		w.abort()
		var de diskError
		switch {
		case errors.As(err, &de):
			return nil, Checksum{}, err
		case err == errChunkFormat || err == errLongBody:
			return nil, Checksum{}, errInvalidRequest.New("The aws-chunked request body is malformed.")
		default:
			return nil, Checksum{}, errIncompleteBody.New("You did not provide the number of bytes specified by the Content-Length HTTP header")
		}
	}
	data, err := w.finishInto(dst)
	if err != nil {
		return nil, Checksum{}, err
	}

	for _, t := range trailers {
		if alg, ok := checksumAlgorithms[strings.TrimPrefix(t.name, "x-amz-checksum-")]; ok && strings.HasPrefix(t.name, "x-amz-checksum-") {
			sum = Checksum{Algorithm: alg, Value: t.value}
		}
	}
	if sum.Algorithm == "" && p.defaultChecksum {
		// hashed on the way in when on disk, over the small body otherwise
		if v, ok := w.checksum(alg); ok {
			return data, Checksum{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(v)}, nil
		}
		v, err := bodyChecksum(alg, data)
		if err != nil {
			data.Release()
			return nil, Checksum{}, err
		}
		return data, Checksum{Algorithm: alg, Value: v}, nil
	}
	if sum.Algorithm != "" {
		if !validChecksumValue(sum.Algorithm, sum.Value) {
			data.Release()
			return nil, Checksum{}, errInvalidRequest.Errorf("Value for %s header is invalid.", checksumHeader(sum.Algorithm))
		}
		var got string
		if v, ok := w.checksum(sum.Algorithm); ok {
			got = base64.StdEncoding.EncodeToString(v)
		} else if got, err = bodyChecksum(sum.Algorithm, data); err != nil {
			data.Release()
			return nil, Checksum{}, err
		}
		if got != sum.Value {
			data.Release()
			return nil, Checksum{}, errBadDigest.Errorf("The %s you specified did not match the calculated checksum.", sum.Algorithm)
		}
	}
	return data, sum, nil
}

// checkMD5 compares Content-MD5 with the body's quoted hex MD5 (the ETag,
// computed anyway).
func (p *payload) checkMD5(etag string) error {
	if p.ContentMD5 == nil {
		return nil
	}
	v := *p.ContentMD5
	want, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(want) != 16 {
		return errInvalidDigest.New("The Content-MD5 you specified is not valid.").With("Content-MD5", v)
	}
	if hex.EncodeToString(want) != strings.Trim(etag, `"`) {
		return errBadDigest.New("The Content-MD5 you specified did not match what we received.").With("ExpectedDigest", v)
	}
	return nil
}

// ----- PutObject

type putObjectInput struct {
	objectInput
	objectHeaders
	payload
	IfMatch     string    `xml:"-" location:"header" name:"If-Match"`
	IfNoneMatch string    `xml:"-" location:"header" name:"If-None-Match"`
	Body        io.Reader `xml:"-" location:"body"`

	obj  *Object // what Validate made of the headers
	cond PutCondition
	out  putObjectOutput // the answer (see readObject)
}

func (in *putObjectInput) Validate() error {
	obj, err := in.object(in.Key)
	if err != nil {
		return err
	}
	in.obj, in.cond = obj, PutCondition{IfMatch: in.IfMatch}
	if inm := in.IfNoneMatch; inm != "" {
		if strings.TrimSpace(inm) != "*" {
			return errNotImplemented.New("A header you provided implies functionality that is not implemented").With("Header", "If-None-Match")
		}
		in.cond.IfNoneMatchAny = true
	}
	return nil
}

type putObjectOutput struct {
	ETag      string `xml:"-" location:"header" name:"ETag"`
	VersionID string `xml:"-" location:"header" name:"X-Amz-Version-Id"`
	checksums
	ChecksumType string `xml:"-" location:"header" name:"X-Amz-Checksum-Type"`
	Expiration   string `xml:"-" location:"header" name:"X-Amz-Expiration"`
	sseOutput
}

func (s *Service) putObject(c *awsproto.Call, in *putObjectInput) (*putObjectOutput, error) {
	// A missing bucket is refused before its body is read, as on AWS.
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return nil, err
	}
	obj := in.obj
	if err := s.checkDirectoryStorageClass(in.Bucket, obj.StorageClass); err != nil {
		return nil, err
	}
	if in.lockHeaders.any() {
		if err := in.lockHeaders.apply(obj, s.env.Now()); err != nil {
			return nil, err
		}
	}
	s.applyEncryption(c.Request, in.Bucket, &in.sseHeaders, obj)
	var err error
	in.defaultChecksum = true
	if obj.Body, obj.Checksum, err = in.read(c, in.Body, in.ContentEncoding, s.store.bodies, obj.Body); err != nil {
		return nil, s.failed(err)
	}
	if err := obj.Seal(s.env.Now()); err != nil {
		obj.Body.Release()
		return nil, s.failed(err)
	}
	if err := in.checkMD5(obj.ETag); err != nil {
		obj.Body.Release()
		return nil, err
	}
	if err := s.store.PutObject(c.Request.Context(), in.Bucket, obj, in.cond, "Put"); err != nil { // it takes the body
		return nil, err
	}
	s.notify(c, in.Bucket, createdChange("ObjectCreated:Put", obj))
	in.out = putObjectOutput{ETag: obj.ETag, VersionID: obj.VersionID, checksums: echo(obj.Checksum), sseOutput: sseOf(obj)}
	if obj.Checksum.Algorithm != "" {
		in.out.ChecksumType = "FULL_OBJECT"
	}
	in.out.Expiration = s.expirationHeader(in.Bucket, obj)
	return &in.out, nil
}

// ----- GetObject, HeadObject

// getObjectInput is GetObject's input, and HeadObject's: they have the
// same members.
type getObjectInput struct {
	objectInput
	IfMatch           string `xml:"-" location:"header" name:"If-Match"`
	IfModifiedSince   string `xml:"-" location:"header" name:"If-Modified-Since"`
	IfNoneMatch       string `xml:"-" location:"header" name:"If-None-Match"`
	IfUnmodifiedSince string `xml:"-" location:"header" name:"If-Unmodified-Since"`
	Range             string `xml:"-" location:"header" name:"Range"`
	ChecksumMode      string `xml:"-" location:"header" name:"X-Amz-Checksum-Mode"`
	PartNumber        string `xml:"-" location:"querystring" name:"partNumber"`
	VersionID         string `xml:"-" location:"querystring" name:"versionId"`
	responseOverrides

	reply objectReply // the answer, in the input allocated anyway (see readObject)
}

// responseOverrides are the query parameters that replace response headers
// of GetObject (presigned GETs use them).
type responseOverrides struct {
	ResponseCacheControl       string `xml:"-" location:"querystring" name:"response-cache-control"`
	ResponseContentDisposition string `xml:"-" location:"querystring" name:"response-content-disposition"`
	ResponseContentEncoding    string `xml:"-" location:"querystring" name:"response-content-encoding"`
	ResponseContentLanguage    string `xml:"-" location:"querystring" name:"response-content-language"`
	ResponseContentType        string `xml:"-" location:"querystring" name:"response-content-type"`
	ResponseExpires            string `xml:"-" location:"querystring" name:"response-expires"`
}

func (s *Service) getObject(c *awsproto.Call, in *getObjectInput) (*objectReply, error) {
	return s.readObject(in, true)
}

func (s *Service) headObject(c *awsproto.Call, in *getObjectInput) (*objectReply, error) {
	return s.readObject(in, false)
}

func (s *Service) readObject(in *getObjectInput, body bool) (*objectReply, error) {
	var (
		obj *Object
		err error
	)
	switch {
	case in.VersionID != "":
		obj, err = s.store.OpenVersion(in.Bucket, in.Key, in.VersionID, body)
		if err == nil && obj.DeleteMarker {
			method := "HEAD"
			if body {
				method = "GET"
			}
			return nil, methodNotAllowed(method, "DeleteMarker")
		}
	case body:
		obj, err = s.store.Open(in.Bucket, in.Key) // released by Respond
	default:
		obj, err = s.store.Object(in.Bucket, in.Key)
	}
	if err != nil {
		return nil, err
	}
	if body && !obj.Readable(s.env.Now()) {
		obj.Body.Release()
		return nil, errInvalidObjectState.New("The operation is not valid for the object's storage class").With("StorageClass", obj.StorageClass)
	}
	// The reply lives in the input, which is allocated anyway: one
	// allocation less on the hottest paths (PutObject's output too).
	if err := in.reply.prepare(obj, in, body); err != nil {
		if body {
			obj.Body.Release()
		}
		return nil, err
	}
	in.reply.opened = body
	in.reply.over = &in.responseOverrides
	in.reply.expiration = s.expirationHeader(in.Bucket, obj)
	return &in.reply, nil
}

// prepare makes o the answer to a GET (body) or HEAD of obj: its conditions
// (If-Match, If-Unmodified-Since: 412; If-None-Match, If-Modified-Since:
// 304), then the part or range asked for. The response-* overrides are the
// caller's to add.
func (o *objectReply) prepare(obj *Object, in *getObjectInput, body bool) error {
	size := obj.Size()
	*o = objectReply{obj: obj, status: http.StatusOK, end: size - 1, body: body}
	if in.IfMatch != "" || in.IfNoneMatch != "" || in.IfModifiedSince != "" || in.IfUnmodifiedSince != "" {
		if in.IfMatch != "" {
			if !ETagMatches(in.IfMatch, obj.ETag) {
				return preconditionFailed("If-Match")
			}
		} else if t, err := http.ParseTime(in.IfUnmodifiedSince); err == nil && obj.LastModified.After(t) {
			return preconditionFailed("If-Unmodified-Since")
		}
		if in.IfNoneMatch != "" {
			if ETagMatches(in.IfNoneMatch, obj.ETag) {
				o.status = http.StatusNotModified
				return nil
			}
		} else if t, err := http.ParseTime(in.IfModifiedSince); err == nil && !obj.LastModified.After(t) {
			o.status = http.StatusNotModified
			return nil
		}
	}
	if pn := in.PartNumber; pn != "" {
		n, err := strconv.Atoi(pn)
		if err != nil || n < 1 || n > MaxPartNumber {
			return invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", pn)
		}
		switch {
		case len(obj.PartSizes) > 0 && n <= len(obj.PartSizes):
			for _, ps := range obj.PartSizes[:n-1] {
				o.start += ps
			}
			o.end = o.start + obj.PartSizes[n-1] - 1
			o.status = http.StatusPartialContent
			o.parts = len(obj.PartSizes)
		case len(obj.PartSizes) == 0 && n == 1:
		default:
			return errInvalidPartNumber.New("The requested partnumber is not satisfiable").With("PartNumberRequested", n).With("ActualPartCount", max(1, len(obj.PartSizes)))
		}
	} else if in.Range != "" {
		br, res := parseRange(in.Range, size)
		switch res {
		case rangeUnsatisfiable:
			return errInvalidRange.New("The requested range is not satisfiable").With("RangeRequested", in.Range).With("ActualObjectSize", size)
		case rangeOK:
			o.start, o.end, o.status = br.start, br.end, http.StatusPartialContent
		}
	}
	o.checksum = o.status == http.StatusOK && obj.Checksum.Algorithm != "" && in.ChecksumMode == "ENABLED"
	return nil
}

// objectReply is an object as GetObject, HeadObject and the website
// endpoint send it: its headers, then (for a GET) bytes start to end. It
// writes the stored bytes as they are: no copy, no encoder; bytes on disk
// stream from their files.
type objectReply struct {
	obj        *Object
	status     int   // 200, 206, 304, or the website's 404 with its error document
	start, end int64 // inclusive
	body       bool
	opened     bool // obj's body was retained for this reply: Respond releases it
	parts      int  // x-amz-mp-parts-count, when a part was asked for
	checksum   bool // send the stored checksum (checksum mode, whole object)
	over       *responseOverrides
	expiration string // x-amz-expiration (lifecycle.go)
}

func (o *objectReply) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	if o.opened {
		defer o.obj.Body.Release()
	}
	obj, wh := o.obj, w.Header()
	wh["X-Amz-Request-Id"] = []string{c.RequestID}
	wh["Etag"] = []string{obj.ETag}
	wh["Last-Modified"] = []string{obj.lastModifiedHTTP}
	if o.status == http.StatusNotModified {
		w.WriteHeader(o.status)
		return nil
	}
	wh["Accept-Ranges"] = []string{"bytes"}
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
		wh["x-amz-meta-"+k] = []string{v} // as S3 sends it: boto3 keeps the case it reads
	}
	if until := obj.RestoredUntil(); !until.IsZero() {
		wh["X-Amz-Restore"] = []string{`ongoing-request="false", expiry-date="` + until.Format(http.TimeFormat) + `"`}
	}
	if ov := o.over; ov != nil {
		for _, kv := range [...]struct{ name, v string }{
			{"Content-Type", ov.ResponseContentType},
			{"Content-Language", ov.ResponseContentLanguage},
			{"Expires", ov.ResponseExpires},
			{"Cache-Control", ov.ResponseCacheControl},
			{"Content-Disposition", ov.ResponseContentDisposition},
			{"Content-Encoding", ov.ResponseContentEncoding},
		} {
			if kv.v != "" {
				wh[kv.name] = []string{kv.v}
			}
		}
	}
	if obj.VersionID != "" {
		wh["X-Amz-Version-Id"] = []string{obj.VersionID}
	}
	if obj.ReplicationStatus != "" {
		wh["X-Amz-Replication-Status"] = []string{obj.ReplicationStatus}
	}
	if o.expiration != "" {
		wh["X-Amz-Expiration"] = []string{o.expiration}
	}
	if o.over != nil { // GetObject's and HeadObject's, not the website's
		if obj.Protect != nil {
			lockResponseHeaders(wh, obj.Protect)
		}
		sseResponseHeaders(wh, obj)
	}
	if n := len(obj.Tags); n > 0 && o.body && o.over != nil { // GetObject's, not the website's
		wh["X-Amz-Tagging-Count"] = []string{strconv.Itoa(n)}
	}
	if o.parts > 0 {
		wh["X-Amz-Mp-Parts-Count"] = []string{strconv.Itoa(o.parts)}
	}
	size := obj.Size()
	if o.status == http.StatusPartialContent {
		wh["Content-Range"] = []string{"bytes " + strconv.FormatInt(o.start, 10) + "-" + strconv.FormatInt(o.end, 10) + "/" + strconv.FormatInt(size, 10)}
	} else if o.checksum {
		wh.Set(checksumHeader(obj.Checksum.Algorithm), obj.Checksum.Value)
		wh["X-Amz-Checksum-Type"] = []string{"FULL_OBJECT"}
	}
	wh["Content-Length"] = []string{strconv.FormatInt(o.end-o.start+1, 10)}
	w.WriteHeader(o.status)
	if o.body && o.end >= o.start {
		if b := obj.Body; !b.spilled() {
			w.Write(b.mem[o.start : o.end+1])
		} else {
			// A short copy (a client gone, a file unreadable) leaves the
			// response shorter than its Content-Length: the client sees it.
			r := b.NewReader(o.start, o.end-o.start+1)
			io.Copy(w, r)
			r.Close()
		}
	}
	return nil
}

// ----- DeleteObject, DeleteObjects

type deleteObjectInput struct {
	objectInput
	VersionID                 string `xml:"-" location:"querystring" name:"versionId"`
	BypassGovernanceRetention string `xml:"-" location:"header" name:"X-Amz-Bypass-Governance-Retention"`
}

type deleteObjectOutput struct {
	DeleteMarker string `xml:"-" location:"header" name:"X-Amz-Delete-Marker"`
	VersionID    string `xml:"-" location:"header" name:"X-Amz-Version-Id"`
}

func (s *Service) deleteObject(c *awsproto.Call, in *deleteObjectInput) (deleteObjectOutput, error) {
	res, err := s.store.DeleteObjects(c.Request.Context(), in.Bucket, []ObjectID{{Key: in.Key, VersionID: in.VersionID,
		BypassGovernance: bypassGovernance(in.BypassGovernanceRetention)}}, s.env.Now())
	if err != nil {
		return deleteObjectOutput{}, err
	}
	d := res[0]
	if d.Err != nil {
		return deleteObjectOutput{}, d.Err
	}
	if ch, ok := removedChange(ObjectID{Key: in.Key, VersionID: in.VersionID}, d); ok {
		s.notify(c, in.Bucket, ch)
	}
	out := deleteObjectOutput{VersionID: d.VersionID}
	if d.DeleteMarker {
		out.DeleteMarker = "true"
	}
	return out, nil
}

// removedChange is the event of a delete of id, if it removed anything: a
// delete without a version ID in a versioned bucket creates a marker.
func removedChange(id ObjectID, d Deleted) (ObjectChange, bool) {
	switch {
	case d.DeleteMarker && id.VersionID == "":
		return ObjectChange{Event: "ObjectRemoved:DeleteMarkerCreated", Key: id.Key}, true
	case d.Existed:
		return ObjectChange{Event: "ObjectRemoved:Delete", Key: id.Key}, true
	}
	return ObjectChange{}, false
}

// createdChange is the ObjectCreated event of obj.
func createdChange(event string, obj *Object) ObjectChange {
	return ObjectChange{Event: event, Key: obj.Key, Size: obj.Size(), ETag: obj.ETag, Created: true}
}

type deleteObjectsInput struct {
	Bucket                    string    `xml:"-" location:"uri" name:"Bucket"`
	BypassGovernanceRetention string    `xml:"-" location:"header" name:"X-Amz-Bypass-Governance-Retention"`
	Delete                    io.Reader `xml:"-" location:"body"`
}

// maxDeleteObjects is DeleteObjects' limit per request.
const maxDeleteObjects = 1000

func (s *Service) deleteObjects(c *awsproto.Call, in *deleteObjectsInput) (deleteResult, error) {
	body, err := readXMLBody(c, in.Delete)
	if err != nil {
		return deleteResult{}, err
	}
	var req deleteRequest
	if err := awsproto.DecodeXML(body, &req); err != nil {
		return deleteResult{}, err
	}
	if req.XMLName.Local != "Delete" || len(req.Objects) == 0 || len(req.Objects) > maxDeleteObjects {
		return deleteResult{}, malformedXML()
	}
	ids := make([]ObjectID, len(req.Objects))
	bypass := bypassGovernance(in.BypassGovernanceRetention)
	for i, o := range req.Objects {
		ids[i] = ObjectID{Key: o.Key, VersionID: o.VersionID, BypassGovernance: bypass}
	}
	done, err := s.store.DeleteObjects(c.Request.Context(), in.Bucket, ids, s.env.Now())
	if err != nil {
		return deleteResult{}, err
	}
	if s.store.Notifying() || s.store.Replicating() {
		var changes []ObjectChange
		for i, id := range ids {
			if ch, ok := removedChange(id, done[i]); ok {
				changes = append(changes, ch)
			}
		}
		s.notify(c, in.Bucket, changes...)
	}
	res := deleteResult{Xmlns: awsproto.S3XMLNS}
	for i, id := range ids {
		if e, ok := done[i].Err.(*awsproto.Error); ok {
			res.Errors = append(res.Errors, deleteErrorEntry{Key: id.Key, VersionID: id.VersionID, Code: e.Code, Message: e.Message})
		}
	}
	if !req.Quiet {
		res.Deleted = make([]deletedEntry, 0, len(ids))
		for i, id := range ids {
			if done[i].Err != nil {
				continue
			}
			e := deletedEntry{Key: id.Key, VersionID: id.VersionID}
			if d := done[i]; d.DeleteMarker {
				e.DeleteMarker = true
				if id.VersionID == "" {
					e.DeleteMarkerVersionID = d.VersionID
				}
			}
			res.Deleted = append(res.Deleted, e)
		}
	}
	return res, nil
}

// ----- CopyObject

type copyObjectInput struct {
	objectInput
	copySource
	MetadataDirective string `xml:"-" location:"header" name:"X-Amz-Metadata-Directive"`
	ChecksumAlgorithm string `xml:"-" location:"header" name:"X-Amz-Checksum-Algorithm"`
	TaggingDirective  string `xml:"-" location:"header" name:"X-Amz-Tagging-Directive"`
	objectHeaders
}

// copySource names the object a copy reads and the conditions it must meet.
type copySource struct {
	CopySource                  string `xml:"-" location:"header" name:"X-Amz-Copy-Source"`
	CopySourceIfMatch           string `xml:"-" location:"header" name:"X-Amz-Copy-Source-If-Match"`
	CopySourceIfModifiedSince   string `xml:"-" location:"header" name:"X-Amz-Copy-Source-If-Modified-Since"`
	CopySourceIfNoneMatch       string `xml:"-" location:"header" name:"X-Amz-Copy-Source-If-None-Match"`
	CopySourceIfUnmodifiedSince string `xml:"-" location:"header" name:"X-Amz-Copy-Source-If-Unmodified-Since"`

	versionID string // the source's ?versionId=
}

// parse decodes x-amz-copy-source ("[/]bucket/key[?versionId=…]").
func (cs *copySource) parse() (bucket, key string, err error) {
	v := cs.CopySource
	raw, query, _ := strings.Cut(v, "?")
	bad := invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", v)
	p, perr := url.PathUnescape(raw)
	if perr != nil {
		return "", "", bad
	}
	b, k, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !ok || b == "" || k == "" {
		return "", "", bad
	}
	if q, err := url.ParseQuery(query); err == nil {
		cs.versionID = q.Get("versionId")
	}
	return b, k, nil
}

// source resolves the copy source and checks its conditions. The source's
// body is retained: the caller releases it (or hands the reference on).
func (s *Service) source(cs *copySource) (obj *Object, bucket, key string, err error) {
	if bucket, key, err = cs.parse(); err != nil {
		return nil, "", "", err
	}
	if obj, err = s.store.OpenVersion(bucket, key, cs.versionID, true); err != nil {
		return nil, "", "", err
	}
	if obj.DeleteMarker {
		return nil, "", "", errInvalidRequest.New("The source of a copy request may not specifically refer to a delete marker by version id.")
	}
	if err := cs.check(obj); err != nil {
		obj.Body.Release()
		return nil, "", "", err
	}
	return obj, bucket, key, nil
}

// check applies the copy source conditions to the source object.
func (cs *copySource) check(obj *Object) error {
	if v := cs.CopySourceIfMatch; v != "" && !ETagMatches(v, obj.ETag) {
		return preconditionFailed("x-amz-copy-source-If-Match")
	}
	if v := cs.CopySourceIfNoneMatch; v != "" && ETagMatches(v, obj.ETag) {
		return preconditionFailed("x-amz-copy-source-If-None-Match")
	}
	if t, err := http.ParseTime(cs.CopySourceIfUnmodifiedSince); err == nil && obj.LastModified.After(t) {
		return preconditionFailed("x-amz-copy-source-If-Unmodified-Since")
	}
	if t, err := http.ParseTime(cs.CopySourceIfModifiedSince); err == nil && !obj.LastModified.After(t) {
		return preconditionFailed("x-amz-copy-source-If-Modified-Since")
	}
	return nil
}

func (s *Service) copyObject(c *awsproto.Call, in *copyObjectInput) (copyObjectResult, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return copyObjectResult{}, err
	}
	if err := in.sseHeaders.check(); err != nil {
		return copyObjectResult{}, err
	}
	if err := s.checkDirectoryStorageClass(in.Bucket, in.StorageClass); err != nil {
		return copyObjectResult{}, err
	}
	src, srcBucket, srcKey, err := s.source(&in.copySource)
	if err != nil {
		return copyObjectResult{}, err
	}
	// The new object takes the reference source took on the source's
	// body; until then, every failure gives it back.
	obj, err := s.copiedObject(in, src, srcBucket, srcKey)
	if err != nil {
		src.Body.Release()
		return copyObjectResult{}, s.failed(err)
	}
	// A copy is encrypted as its request or its bucket says, never as its
	// source was.
	if p := obj.protection(); p.KMSKeyID != "" {
		p.KMSKeyID, p.BucketKeyEnabled, p.DSSE, p.KMSContext = "", false, false, ""
		obj.Protect = &p
	}
	s.applyEncryption(c.Request, in.Bucket, &in.sseHeaders, obj)
	if err := s.store.PutObject(c.Request.Context(), in.Bucket, obj, PutCondition{}, "Copy"); err != nil {
		return copyObjectResult{}, err
	}
	s.notify(c, in.Bucket, createdChange("ObjectCreated:Copy", obj))
	out := copyObjectResult{Xmlns: awsproto.S3XMLNS, ETag: obj.ETag, LastModified: xmlTime(obj.LastModified),
		VersionID: obj.VersionID, SourceVersionID: src.VersionID, sseOutput: sseOf(obj)}
	if cs := obj.Checksum; cs.Algorithm != "" {
		out.ChecksumType = "FULL_OBJECT"
		switch cs.Algorithm {
		case "CRC32":
			out.ChecksumCRC32 = cs.Value
		case "CRC32C":
			out.ChecksumCRC32C = cs.Value
		case "CRC64NVME":
			out.ChecksumCRC64NVME = cs.Value
		case "SHA1":
			out.ChecksumSHA1 = cs.Value
		case "SHA256":
			out.ChecksumSHA256 = cs.Value
		}
	}
	return out, nil
}

// copiedObject is the object CopyObject stores: src's body under in's key,
// with src's or in's headers.
func (s *Service) copiedObject(in *copyObjectInput, src *Object, srcBucket, srcKey string) (*Object, error) {
	if src.Size() > maxCopySource {
		return nil, copySourceTooLarge()
	}
	directive := in.MetadataDirective
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return nil, invalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", directive)
	}
	sc := in.StorageClass
	if srcBucket == in.Bucket && srcKey == in.Key && directive != "REPLACE" && sc == "" && in.SSE == "" {
		return nil, errInvalidRequest.New("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	var obj *Object
	if directive == "REPLACE" {
		var err error
		if obj, err = in.object(in.Key); err != nil {
			return nil, err
		}
	} else {
		if err := checkKey(in.Key); err != nil {
			return nil, err
		}
		if err := checkStorageClass(sc); err != nil {
			return nil, err
		}
		obj = &Object{Key: in.Key, Headers: src.Headers, Meta: src.Meta, StorageClass: sc}
	}
	if obj.StorageClass == "" {
		obj.StorageClass = src.StorageClass
	}
	switch in.TaggingDirective {
	case "", "COPY":
		obj.Tags = src.Tags
	case "REPLACE":
		tags, err := parseTaggingHeader(in.Tagging)
		if err != nil {
			return nil, err
		}
		obj.Tags = tags
	default:
		return nil, invalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", in.TaggingDirective)
	}
	// The copy has the request's object lock, never the source's.
	if err := in.lockHeaders.apply(obj, s.env.Now()); err != nil {
		return nil, err
	}
	// Stored bodies are immutable, so the copy shares it.
	obj.Body, obj.Checksum = src.Body, src.Checksum
	// A checksum algorithm asked for gives the copy that checksum, computed
	// over its bytes unless the source already has it.
	if alg := strings.ToUpper(in.ChecksumAlgorithm); alg != "" && alg != src.Checksum.Algorithm {
		if newChecksumHash(alg) == nil {
			return nil, errInvalidRequest.New("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		v, err := bodyChecksum(alg, src.Body)
		if err != nil {
			return nil, err
		}
		obj.Checksum = Checksum{Algorithm: alg, Value: v}
	}
	if len(src.PartSizes) == 0 {
		obj.ETag = src.ETag // same bytes, same MD5
	}
	// A multipart source's bytes are read back for their MD5.
	if err := obj.Seal(s.env.Now()); err != nil {
		return nil, err
	}
	return obj, nil
}

// ----- RestoreObject

type restoreObjectInput struct {
	objectInput
	RestoreRequest io.Reader `xml:"-" location:"body"`
}

type restoreObjectOutput struct {
	Status int `xml:"-" location:"statusCode"`
}

// restoreRequest is the part of RestoreRequest a restore of an archived
// object reads: how many days the restored copy lasts.
type restoreRequest struct {
	Days                 *int `xml:"Days"`
	GlacierJobParameters *struct {
		Tier *string `xml:"Tier"`
	} `xml:"GlacierJobParameters"`
	SelectParameters *struct {
		InputSerialization  *struct{} `xml:"InputSerialization"`
		ExpressionType      *string   `xml:"ExpressionType"`
		Expression          *string   `xml:"Expression"`
		OutputSerialization *struct{} `xml:"OutputSerialization"`
	} `xml:"SelectParameters"`
	OutputLocation *struct {
		S3 *struct {
			BucketName *string `xml:"BucketName"`
			Prefix     *string `xml:"Prefix"`
			Encryption *struct {
				EncryptionType *string `xml:"EncryptionType"`
			} `xml:"Encryption"`
			AccessControlList []struct {
				Grantee *struct {
					Type string `xml:"type,attr"`
				} `xml:"Grantee"`
			} `xml:"AccessControlList>Grant"`
			Tagging *struct {
				TagSet *struct{} `xml:"TagSet"`
			} `xml:"Tagging"`
		} `xml:"S3"`
	} `xml:"OutputLocation"`
}

// valid reports whether the document has the members S3's schema requires
// of the parts it carries (the model's required members).
func (r *restoreRequest) valid() bool {
	if g := r.GlacierJobParameters; g != nil && g.Tier == nil {
		return false
	}
	if p := r.SelectParameters; p != nil && (p.InputSerialization == nil || p.ExpressionType == nil || p.Expression == nil || p.OutputSerialization == nil) {
		return false
	}
	if o := r.OutputLocation; o != nil && o.S3 != nil {
		s3 := o.S3
		if s3.BucketName == nil || s3.Prefix == nil || s3.Encryption != nil && s3.Encryption.EncryptionType == nil ||
			s3.Tagging != nil && s3.Tagging.TagSet == nil {
			return false
		}
		for _, g := range s3.AccessControlList {
			if g.Grantee != nil && g.Grantee.Type == "" {
				return false
			}
		}
	}
	return true
}

// restoreObject restores an archived object at once (S3 takes minutes to
// hours): 202 for a new restore, 200 when a restored copy already exists.
func (s *Service) restoreObject(c *awsproto.Call, in *restoreObjectInput) (restoreObjectOutput, error) {
	body, err := readXMLBody(c, in.RestoreRequest)
	if err != nil {
		return restoreObjectOutput{}, err
	}
	var req restoreRequest
	if len(bytes.TrimSpace(body)) > 0 {
		if err := awsproto.DecodeXML(body, &req); err != nil {
			return restoreObjectOutput{}, err
		}
		if !req.valid() {
			return restoreObjectOutput{}, malformedXML()
		}
	}
	obj, err := s.store.Object(in.Bucket, in.Key)
	if err != nil {
		return restoreObjectOutput{}, err
	}
	if req.Days == nil || *req.Days < 1 {
		if !obj.Archived() {
			return restoreObjectOutput{}, errInvalidObjectState.New("Restore is not allowed for the object's current storage class")
		}
		return restoreObjectOutput{}, malformedXML()
	}
	already, err := obj.Restore(*req.Days, s.env.Now())
	if err != nil {
		return restoreObjectOutput{}, err
	}
	s.store.RecordRestore(c.Request.Context(), in.Bucket, in.Key)
	if already {
		return restoreObjectOutput{Status: http.StatusOK}, nil
	}
	return restoreObjectOutput{Status: http.StatusAccepted}, nil
}

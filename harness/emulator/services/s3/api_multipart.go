package s3

import (
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload, AbortMultipartUpload, ListParts and
// ListMultipartUploads.

// uploadInput names an upload of an object.
type uploadInput struct {
	objectInput
	UploadId string `xml:"-" location:"querystring" name:"uploadId"`
}

// partNumber reads UploadPart's and UploadPartCopy's partNumber.
func partNumber(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPartNumber {
		return 0, invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	return n, nil
}

type createMultipartUploadInput struct {
	objectInput
	objectHeaders
	ChecksumAlgorithm string `xml:"-" location:"header" name:"X-Amz-Checksum-Algorithm"`

	template *Object // what Validate made of the headers
}

func (in *createMultipartUploadInput) Validate() error {
	obj, err := in.object(in.Key)
	in.template = obj
	return err
}

type createMultipartUploadOutput struct {
	initiateMultipartUploadResult
	ChecksumAlgorithm string `xml:"-" location:"header" name:"X-Amz-Checksum-Algorithm"`
	sseOutput
}

func (s *Service) createMultipartUpload(c *awsproto.Call, in *createMultipartUploadInput) (createMultipartUploadOutput, error) {
	if err := s.checkDirectoryStorageClass(in.Bucket, in.template.StorageClass); err != nil {
		return createMultipartUploadOutput{}, err
	}
	if in.lockHeaders.any() {
		if _, err := s.store.LockConfigOf(in.Bucket); err != nil {
			if _, err := s.store.Bucket(in.Bucket); err != nil {
				return createMultipartUploadOutput{}, err
			}
			return createMultipartUploadOutput{}, missingLockConfig()
		}
		if err := in.lockHeaders.apply(in.template, s.env.Now()); err != nil {
			return createMultipartUploadOutput{}, err
		}
	}
	s.applyEncryption(c.Request, in.Bucket, &in.sseHeaders, in.template)
	u := &Upload{ID: strings.ReplaceAll(s.env.NewID(), "-", ""), Key: in.Key, Initiated: s.env.Now().UTC(), Template: in.template}
	if alg := in.ChecksumAlgorithm; alg != "" {
		u.ChecksumAlgorithm = strings.ToUpper(alg)
		if newChecksumHash(u.ChecksumAlgorithm) == nil {
			return createMultipartUploadOutput{}, errInvalidRequest.New("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
	}
	if err := s.store.CreateUpload(c.Request.Context(), in.Bucket, u); err != nil {
		return createMultipartUploadOutput{}, err
	}
	return createMultipartUploadOutput{
		initiateMultipartUploadResult: initiateMultipartUploadResult{Xmlns: awsproto.S3XMLNS, Bucket: in.Bucket, Key: in.Key, UploadID: u.ID},
		ChecksumAlgorithm:             u.ChecksumAlgorithm,
		sseOutput:                     sseOf(in.template),
	}, nil
}

type uploadPartInput struct {
	uploadInput
	PartNumber      string `xml:"-" location:"querystring" name:"partNumber"`
	ContentEncoding string `xml:"-" location:"header" name:"Content-Encoding"`
	payload
	Body io.Reader `xml:"-" location:"body"`

	number int
}

func (in *uploadPartInput) Validate() (err error) {
	in.number, err = partNumber(in.PartNumber)
	return err
}

type uploadPartOutput struct {
	ETag string `xml:"-" location:"header" name:"ETag"`
	checksums
}

func (s *Service) uploadPart(c *awsproto.Call, in *uploadPartInput) (uploadPartOutput, error) {
	// An unknown upload is refused before its body is read.
	if _, err := s.store.UploadOf(in.Bucket, in.Key, in.UploadId); err != nil {
		return uploadPartOutput{}, err
	}
	data, sum, err := in.read(c, in.Body, in.ContentEncoding, s.store.bodies, nil)
	if err != nil {
		return uploadPartOutput{}, s.failed(err)
	}
	p, err := NewPart(in.number, data, sum, s.env.Now())
	if err != nil {
		return uploadPartOutput{}, s.failed(err)
	}
	if err := in.checkMD5(p.ETag); err != nil {
		p.Body.Release()
		return uploadPartOutput{}, err
	}
	if err := s.store.PutPart(c.Request.Context(), in.Bucket, in.Key, in.UploadId, p); err != nil { // it takes the body
		return uploadPartOutput{}, err
	}
	return uploadPartOutput{ETag: p.ETag, checksums: echo(sum)}, nil
}

type uploadPartCopyInput struct {
	uploadInput
	PartNumber string `xml:"-" location:"querystring" name:"partNumber"`
	copySource
	CopySourceRange string `xml:"-" location:"header" name:"X-Amz-Copy-Source-Range"`

	number int
}

func (in *uploadPartCopyInput) Validate() (err error) {
	in.number, err = partNumber(in.PartNumber)
	return err
}

// parseCopyRange decodes x-amz-copy-source-range ("bytes=first-last").
func parseCopyRange(v string, size int64) (byteRange, error) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	first, last, ok2 := strings.Cut(spec, "-")
	a, ok3 := parseOffset(first)
	b, ok4 := parseOffset(last)
	if !ok || !ok2 || !ok3 || !ok4 || a > b {
		return byteRange{}, invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
			"x-amz-copy-source-range", v)
	}
	if b >= size {
		return byteRange{}, invalidArgument("Range specified is not valid for source object of size: "+strconv.FormatInt(size, 10), "x-amz-copy-source-range", v)
	}
	return byteRange{start: a, end: b}, nil
}

func (s *Service) uploadPartCopy(c *awsproto.Call, in *uploadPartCopyInput) (copyPartResult, error) {
	if _, err := s.store.UploadOf(in.Bucket, in.Key, in.UploadId); err != nil {
		return copyPartResult{}, err
	}
	src, _, _, err := s.source(&in.copySource)
	if err != nil {
		return copyPartResult{}, err
	}
	data, err := s.copyRange(src, in.CopySourceRange)
	src.Body.Release()
	if err != nil {
		return copyPartResult{}, s.failed(err)
	}
	p, err := NewPart(in.number, data, Checksum{}, s.env.Now())
	if err != nil {
		return copyPartResult{}, s.failed(err)
	}
	if err := s.store.PutPart(c.Request.Context(), in.Bucket, in.Key, in.UploadId, p); err != nil { // it takes the body
		return copyPartResult{}, err
	}
	return copyPartResult{Xmlns: awsproto.S3XMLNS, ETag: p.ETag, LastModified: xmlTime(p.LastModified)}, nil
}

// copyRange is the body of a part copied from (a range of) src: stored
// bodies are immutable, so it shares src's memory and files, unless the
// range would take too many extents of a multipart source (then it is a
// copy on disk). The caller owns it.
func (s *Service) copyRange(src *Object, rng string) (*Body, error) {
	off, n := int64(0), src.Size()
	if rng != "" {
		br, err := parseCopyRange(rng, src.Size())
		if err != nil {
			return nil, err
		}
		off, n = br.start, br.end-br.start+1
	}
	if n > maxCopySource {
		return nil, copySourceTooLarge()
	}
	body := src.Body.Slice(off, n)
	if len(body.exts) <= maxPartExtents {
		return body, nil
	}
	body.Release()
	return s.store.bodies.copyBody(src.Body, off, n)
}

type completeMultipartUploadInput struct {
	uploadInput
	IfMatch         string    `xml:"-" location:"header" name:"If-Match"`
	IfNoneMatch     string    `xml:"-" location:"header" name:"If-None-Match"`
	MultipartUpload io.Reader `xml:"-" location:"body"`
}

func (s *Service) completeMultipartUpload(c *awsproto.Call, in *completeMultipartUploadInput) (completeMultipartUploadResult, error) {
	body, err := readXMLBody(c, in.MultipartUpload)
	if err != nil {
		return completeMultipartUploadResult{}, err
	}
	refs, err := parseCompleteRequest(body)
	if err != nil {
		return completeMultipartUploadResult{}, err
	}
	cond := PutCondition{IfMatch: in.IfMatch}
	if inm := in.IfNoneMatch; inm != "" {
		if strings.TrimSpace(inm) != "*" {
			return completeMultipartUploadResult{}, errNotImplemented.New("A header you provided implies functionality that is not implemented").With("Header", "If-None-Match")
		}
		cond.IfNoneMatchAny = true
	}
	obj, err := s.store.CompleteUploadIf(c.Request.Context(), in.Bucket, in.Key, in.UploadId, refs, s.env.Now(), cond)
	if err != nil {
		return completeMultipartUploadResult{}, err
	}
	s.notify(c, in.Bucket, createdChange("ObjectCreated:CompleteMultipartUpload", obj))
	loc := "http://" + c.Host + "/" + in.Bucket + "/" + (&url.URL{Path: in.Key}).EscapedPath()
	return completeMultipartUploadResult{Xmlns: awsproto.S3XMLNS, Location: loc, Bucket: in.Bucket, Key: in.Key, ETag: obj.ETag, sseOutput: sseOf(obj)}, nil
}

func (s *Service) abortMultipartUpload(c *awsproto.Call, in *uploadInput) (struct{}, error) {
	return struct{}{}, s.store.AbortUpload(c.Request.Context(), in.Bucket, in.Key, in.UploadId)
}

// countParam reads an optional non-negative count (max-parts, …): absent
// or empty is def, larger than limit is limit.
func countParam(name, v string, def, limit int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalidArgument("Provided "+name+" not an integer or within integer range", name, v)
	}
	return min(n, limit), nil
}

type listPartsInput struct {
	uploadInput
	MaxParts         string `xml:"-" location:"querystring" name:"max-parts"`
	PartNumberMarker string `xml:"-" location:"querystring" name:"part-number-marker"`

	maxParts, marker int
}

func (in *listPartsInput) Validate() (err error) {
	if in.maxParts, err = countParam("max-parts", in.MaxParts, 1000, 1000); err != nil {
		return err
	}
	in.marker, err = countParam("part-number-marker", in.PartNumberMarker, 0, MaxPartNumber)
	return err
}

func (s *Service) listParts(c *awsproto.Call, in *listPartsInput) (listPartsResult, error) {
	u, parts, err := s.store.Parts(in.Bucket, in.Key, in.UploadId)
	if err != nil {
		return listPartsResult{}, err
	}
	res := listPartsResult{
		Xmlns: awsproto.S3XMLNS, Bucket: in.Bucket, Key: in.Key, UploadID: in.UploadId,
		PartNumberMarker: in.marker, MaxParts: in.maxParts, Initiator: defaultOwner, Owner: defaultOwner,
		StorageClass: u.Template.StorageClass, ChecksumAlgorithm: u.ChecksumAlgorithm,
	}
	if res.StorageClass == "" {
		res.StorageClass = "STANDARD"
	}
	for _, p := range parts {
		if p.Number <= in.marker {
			continue
		}
		if len(res.Parts) == in.maxParts {
			res.IsTruncated = true
			break
		}
		res.Parts = append(res.Parts, newPartEntry(p))
		res.NextPartNumberMarker = p.Number
	}
	return res, nil
}

type listMultipartUploadsInput struct {
	Bucket         string `xml:"-" location:"uri" name:"Bucket"`
	Delimiter      string `xml:"-" location:"querystring" name:"delimiter"`
	EncodingType   string `xml:"-" location:"querystring" name:"encoding-type"`
	KeyMarker      string `xml:"-" location:"querystring" name:"key-marker"`
	MaxUploads     string `xml:"-" location:"querystring" name:"max-uploads"`
	Prefix         string `xml:"-" location:"querystring" name:"prefix"`
	UploadIdMarker string `xml:"-" location:"querystring" name:"upload-id-marker"`

	maxUploads int
}

func (in *listMultipartUploadsInput) Validate() (err error) {
	in.maxUploads, err = countParam("max-uploads", in.MaxUploads, 1000, 1000)
	return err
}

func (s *Service) listMultipartUploads(c *awsproto.Call, in *listMultipartUploadsInput) (listMultipartUploadsResult, error) {
	prefix, delim, keyMarker, idMarker := in.Prefix, in.Delimiter, in.KeyMarker, in.UploadIdMarker
	encodeURL := in.EncodingType == "url"
	enc := func(v string) string { return urlEncode(v, encodeURL) }
	uploads, err := s.store.Uploads(in.Bucket)
	if err != nil {
		return listMultipartUploadsResult{}, err
	}
	res := listMultipartUploadsResult{
		Xmlns: awsproto.S3XMLNS, Bucket: in.Bucket, KeyMarker: enc(keyMarker), UploadIDMarker: idMarker,
		Prefix: enc(prefix), Delimiter: enc(delim), MaxUploads: in.maxUploads,
	}
	if encodeURL {
		res.EncodingType = "url"
	}
	pastMarker := false
	lastPrefix := ""
	for _, u := range uploads {
		if !strings.HasPrefix(u.Key, prefix) || u.Key < keyMarker {
			continue
		}
		if u.Key == keyMarker {
			// Uploads of the marker key count only after the marker upload.
			if idMarker == "" || !pastMarker {
				pastMarker = pastMarker || u.ID == idMarker
				continue
			}
		}
		if len(res.Uploads)+len(res.CommonPrefixes) == in.maxUploads {
			res.IsTruncated = true
			break
		}
		if delim != "" {
			if i := strings.Index(u.Key[len(prefix):], delim); i >= 0 {
				cp := u.Key[:len(prefix)+i+len(delim)]
				if cp != lastPrefix {
					res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: enc(cp)})
					lastPrefix = cp
				}
				continue
			}
		}
		storageClass := u.Template.StorageClass
		if storageClass == "" {
			storageClass = "STANDARD"
		}
		res.Uploads = append(res.Uploads, uploadEntry{
			Key: enc(u.Key), UploadID: u.ID, Initiator: defaultOwner, Owner: defaultOwner,
			StorageClass: storageClass, Initiated: xmlTime(u.Initiated), ChecksumAlgorithm: u.ChecksumAlgorithm,
		})
		res.NextKeyMarker, res.NextUploadIDMarker = u.Key, u.ID
	}
	return res, nil
}

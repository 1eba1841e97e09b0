package s3

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// partNumber decodes the partNumber query parameter of UploadPart.
func partNumber(c *call) (int, error) {
	v := c.q.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPartNumber {
		return 0, ErrInvalidArgument.New("Part number must be an integer between 1 and 10000, inclusive").
			With("ArgumentName", "partNumber").With("ArgumentValue", v)
	}
	return n, nil
}

func (s *Service) createUpload(c *call) error {
	tmpl, err := objectFromRequest(c)
	if err != nil {
		return err
	}
	u := &Upload{ID: strings.ReplaceAll(s.env.NewID(), "-", ""), Key: c.key, Initiated: s.env.Now().UTC(), Template: tmpl}
	if alg := c.r.Header.Get("X-Amz-Checksum-Algorithm"); alg != "" {
		u.ChecksumAlgorithm = strings.ToUpper(alg)
		if newChecksumHash(u.ChecksumAlgorithm) == nil {
			return ErrInvalidRequest.New("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		c.w.Header().Set("X-Amz-Checksum-Algorithm", u.ChecksumAlgorithm)
	}
	if err := s.store.CreateUpload(c.bucket, u); err != nil {
		return storeError(c, err)
	}
	return c.respond(initiateMultipartUploadResult{Xmlns: awsproto.S3XMLNS, Bucket: c.bucket, Key: c.key, UploadID: u.ID})
}

func (s *Service) uploadPart(c *call, uploadID string) error {
	n, err := partNumber(c)
	if err != nil {
		return err
	}
	// An unknown upload is refused before its body is read.
	if _, err := s.store.UploadOf(c.bucket, c.key, uploadID); err != nil {
		return storeError(c, err)
	}
	data, sum, err := readPayload(c)
	if err != nil {
		return err
	}
	p := NewPart(n, data, sum, s.env.Now())
	if err := checkContentMD5(c, p.ETag); err != nil {
		return err
	}
	if err := s.store.PutPart(c.bucket, c.key, uploadID, p); err != nil {
		return storeError(c, err)
	}
	wh := c.w.Header()
	wh["Etag"] = []string{p.ETag}
	wh["X-Amz-Request-Id"] = []string{c.id}
	if sum.Algorithm != "" {
		wh.Set(checksumHeader(sum.Algorithm), sum.Value)
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// parseCopyRange decodes x-amz-copy-source-range ("bytes=first-last").
func parseCopyRange(v string, size int64) (byteRange, error) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	first, last, ok2 := strings.Cut(spec, "-")
	a, ok3 := parseOffset(first)
	b, ok4 := parseOffset(last)
	if !ok || !ok2 || !ok3 || !ok4 || a > b {
		return byteRange{}, ErrInvalidArgument.New("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").
			With("ArgumentName", "x-amz-copy-source-range").With("ArgumentValue", v)
	}
	if b >= size {
		return byteRange{}, ErrInvalidArgument.Errorf("Range specified is not valid for source object of size: %d", size).
			With("ArgumentName", "x-amz-copy-source-range").With("ArgumentValue", v)
	}
	return byteRange{start: a, end: b}, nil
}

func (s *Service) uploadPartCopy(c *call, uploadID string) error {
	n, err := partNumber(c)
	if err != nil {
		return err
	}
	if _, err := s.store.UploadOf(c.bucket, c.key, uploadID); err != nil {
		return storeError(c, err)
	}
	src, _, err := s.sourceObject(c)
	if err != nil {
		return err
	}
	data := src.Data
	if v := c.r.Header.Get("X-Amz-Copy-Source-Range"); v != "" {
		br, err := parseCopyRange(v, src.Size())
		if err != nil {
			return err
		}
		data = data[br.start : br.end+1]
	}
	if len(data) > maxObjectSize {
		return entityTooLarge(int64(len(data)))
	}
	// Stored data is immutable, so the part shares it.
	p := NewPart(n, data, Checksum{}, s.env.Now())
	if err := s.store.PutPart(c.bucket, c.key, uploadID, p); err != nil {
		return storeError(c, err)
	}
	return c.respond(copyPartResult{Xmlns: awsproto.S3XMLNS, ETag: p.ETag, LastModified: xmlTime(p.LastModified)})
}

func (s *Service) completeUpload(c *call, uploadID string) error {
	body, release, err := readXMLBody(c)
	if err != nil {
		return err
	}
	refs, perr := parseCompleteRequest(body)
	release()
	if perr != nil {
		return perr
	}
	obj, err := s.store.CompleteUpload(c.bucket, c.key, uploadID, refs, s.env.Now())
	if err != nil {
		return storeError(c, err)
	}
	loc := "http://" + c.r.Host + "/" + c.bucket + "/" + (&url.URL{Path: c.key}).EscapedPath()
	return c.respond(completeMultipartUploadResult{Xmlns: awsproto.S3XMLNS, Location: loc, Bucket: c.bucket, Key: c.key, ETag: obj.ETag})
}

func (s *Service) abortUpload(c *call, uploadID string) error {
	if err := s.store.AbortUpload(c.bucket, c.key, uploadID); err != nil {
		return storeError(c, err)
	}
	c.w.Header().Set("X-Amz-Request-Id", c.id)
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// intParam decodes an optional non-negative integer query parameter.
func intParam(c *call, name string, def, limit int) (int, error) {
	v, ok := c.q[name]
	if !ok || len(v) == 0 || v[0] == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 0 {
		return 0, ErrInvalidArgument.Errorf("Provided %s not an integer or within integer range", name).
			With("ArgumentName", name).With("ArgumentValue", v[0])
	}
	return min(n, limit), nil
}

func (s *Service) listParts(c *call, uploadID string) error {
	maxParts, err := intParam(c, "max-parts", 1000, 1000)
	if err != nil {
		return err
	}
	marker, err := intParam(c, "part-number-marker", 0, MaxPartNumber)
	if err != nil {
		return err
	}
	u, err := s.store.UploadOf(c.bucket, c.key, uploadID)
	if err != nil {
		return storeError(c, err)
	}
	parts, err := s.store.Parts(c.bucket, c.key, uploadID)
	if err != nil {
		return storeError(c, err)
	}
	res := listPartsResult{
		Xmlns: awsproto.S3XMLNS, Bucket: c.bucket, Key: c.key, UploadID: uploadID,
		PartNumberMarker: marker, MaxParts: maxParts, Initiator: defaultOwner, Owner: defaultOwner,
		StorageClass: u.Template.StorageClass, ChecksumAlgorithm: u.ChecksumAlgorithm,
	}
	if res.StorageClass == "" {
		res.StorageClass = "STANDARD"
	}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(res.Parts) == maxParts {
			res.IsTruncated = true
			break
		}
		res.Parts = append(res.Parts, newPartEntry(p))
		res.NextPartNumberMarker = p.Number
	}
	return c.respond(res)
}

func (s *Service) listMultipartUploads(c *call) error {
	maxUploads, err := intParam(c, "max-uploads", 1000, 1000)
	if err != nil {
		return err
	}
	prefix, delim := c.q.Get("prefix"), c.q.Get("delimiter")
	keyMarker, idMarker := c.q.Get("key-marker"), c.q.Get("upload-id-marker")
	encodeURL := c.q.Get("encoding-type") == "url"
	enc := func(v string) string { return urlEncode(v, encodeURL) }
	uploads, err := s.store.Uploads(c.bucket)
	if err != nil {
		return storeError(c, err)
	}
	res := listMultipartUploadsResult{
		Xmlns: awsproto.S3XMLNS, Bucket: c.bucket, KeyMarker: enc(keyMarker), UploadIDMarker: idMarker,
		Prefix: enc(prefix), Delimiter: enc(delim), MaxUploads: maxUploads,
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
		if len(res.Uploads)+len(res.CommonPrefixes) == maxUploads {
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
		res.Uploads = append(res.Uploads, uploadEntry{
			Key: enc(u.Key), UploadID: u.ID, Initiator: defaultOwner, Owner: defaultOwner,
			StorageClass: u.Template.StorageClass, Initiated: xmlTime(u.Initiated), ChecksumAlgorithm: u.ChecksumAlgorithm,
		})
		res.NextKeyMarker, res.NextUploadIDMarker = u.Key, u.ID
	}
	for i := range res.Uploads {
		if res.Uploads[i].StorageClass == "" {
			res.Uploads[i].StorageClass = "STANDARD"
		}
	}
	return c.respond(res)
}

package s3

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// validBucketName applies S3's naming rules for new general purpose buckets.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return false
			}
		default:
			return false
		}
	}
	if strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// byteRange is a resolved Range header.
type byteRange struct {
	start, end int64 // inclusive
}

// rangeResult says what to do with a Range header.
type rangeResult int

const (
	rangeIgnore        rangeResult = iota // absent or not understood: serve the whole object
	rangeOK                               // serve [start, end]
	rangeUnsatisfiable                    // 416 InvalidRange
)

// parseRange resolves a single-range "bytes=" header against size. Headers
// S3 does not understand (other units, several ranges, bad syntax) are
// ignored, as HTTP allows.
func parseRange(h string, size int64) (byteRange, rangeResult) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.IndexByte(spec, ',') >= 0 {
		return byteRange{}, rangeIgnore
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return byteRange{}, rangeIgnore
	}
	if first == "" { // suffix range: the last n bytes
		n, ok := parseOffset(last)
		if !ok {
			return byteRange{}, rangeIgnore
		}
		if n == 0 || size == 0 {
			return byteRange{}, rangeUnsatisfiable
		}
		return byteRange{start: max(0, size-n), end: size - 1}, rangeOK
	}
	start, ok := parseOffset(first)
	if !ok {
		return byteRange{}, rangeIgnore
	}
	end := size - 1
	if last != "" {
		e, ok := parseOffset(last)
		if !ok || e < start {
			return byteRange{}, rangeIgnore
		}
		end = min(e, size-1)
	}
	if start >= size {
		return byteRange{}, rangeUnsatisfiable
	}
	return byteRange{start: start, end: end}, rangeOK
}

// parseOffset parses a non-negative decimal byte offset; one past int64
// (bytes=0-18446744073709551615) is as good as the largest int64.
func parseOffset(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil { // only a range error is left
		return math.MaxInt64, true
	}
	return n, true
}

// listParams are what ListObjects and ListObjectsV2 were asked for.
type listParams struct {
	v2         bool
	prefix     string
	delimiter  string
	maxKeys    int
	encodeURL  bool
	fetchOwner bool
	// v2
	token      string // continuation-token as sent
	startAfter string
	// v1
	marker string
}

// after is the exclusive start key the parameters ask for.
func (p *listParams) after() (string, error) {
	if !p.v2 {
		return p.marker, nil
	}
	if p.token != "" {
		k, ok := decodeToken(p.token)
		if !ok {
			return "", invalidArgument("The continuation token provided is incorrect", "continuation-token", p.token)
		}
		return k, nil
	}
	return p.startAfter, nil
}

const maxListKeys = 1000

// read fills p from the members both listings share, answering in S3's
// words when one is out of range.
func (in *listInput) read(p *listParams) error {
	p.prefix, p.delimiter, p.maxKeys = in.Prefix, in.Delimiter, maxListKeys
	if in.MaxKeys != nil {
		v := *in.MaxKeys
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", v)
		}
		p.maxKeys = min(n, maxListKeys)
	}
	switch e := in.EncodingType; e {
	case "":
	case "url":
		p.encodeURL = true
	default:
		return invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", e)
	}
	_, err := p.after()
	return err
}

// Continuation tokens are opaque to clients; ours carry the last key.
func encodeToken(last string) string { return base64.RawURLEncoding.EncodeToString([]byte(last)) }

func decodeToken(t string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	return string(b), err == nil && len(b) > 0
}

// urlEncode is S3's encoding-type=url: what clients undo with unquote_plus.
func urlEncode(s string, on bool) string {
	if !on {
		return s
	}
	return url.QueryEscape(s)
}

// s3Time is the timestamp format of S3's XML bodies.
const s3Time = "2006-01-02T15:04:05.000Z"

func xmlTime(t time.Time) string { return t.UTC().Format(s3Time) }

// XML documents S3 sends and receives.

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

var defaultOwner = owner{ID: "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", DisplayName: "webfile"}

type listAllMyBucketsResult struct {
	XMLName           xml.Name      `xml:"ListAllMyBucketsResult"`
	Xmlns             string        `xml:"xmlns,attr"`
	Owner             owner         `xml:"Owner"`
	Buckets           []bucketEntry `xml:"Buckets>Bucket"`
	ContinuationToken string        `xml:"ContinuationToken,omitempty"`
	Prefix            string        `xml:"Prefix,omitempty"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

type createBucketConfiguration struct {
	LocationConstraint string `xml:"LocationConstraint"`
	// a directory bucket's (api_session.go)
	Location struct {
		Type string `xml:"Type"`
		Name string `xml:"Name"`
	} `xml:"Location"`
	Bucket struct {
		DataRedundancy string `xml:"DataRedundancy"`
		Type           string `xml:"Type"`
	} `xml:"Bucket"`
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Value   string   `xml:",chardata"`
}

type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type deleteRequest struct {
	XMLName xml.Name
	Quiet   bool `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

type deletedEntry struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteErrorEntry struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name           `xml:"DeleteResult"`
	Xmlns   string             `xml:"xmlns,attr"`
	Deleted []deletedEntry     `xml:"Deleted"`
	Errors  []deleteErrorEntry `xml:"Error"`
}

type copyObjectResult struct {
	XMLName           xml.Name `xml:"CopyObjectResult"`
	Xmlns             string   `xml:"xmlns,attr"`
	ETag              string   `xml:"ETag"`
	LastModified      string   `xml:"LastModified"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256,omitempty"`
	VersionID         string   `xml:"-" location:"header" name:"X-Amz-Version-Id"`
	SourceVersionID   string   `xml:"-" location:"header" name:"X-Amz-Copy-Source-Version-Id"`
	sseOutput
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
}

type initiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

type completeMultipartUpload struct {
	XMLName xml.Name
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

// parseCompleteRequest decodes a CompleteMultipartUpload body.
func parseCompleteRequest(body []byte) ([]PartRef, error) {
	var req completeMultipartUpload
	if err := awsproto.DecodeXML(body, &req); err != nil {
		return nil, err
	}
	if req.XMLName.Local != "CompleteMultipartUpload" || len(req.Parts) == 0 || len(req.Parts) > MaxPartNumber {
		return nil, malformedXML()
	}
	refs := make([]PartRef, len(req.Parts))
	for i, p := range req.Parts {
		refs[i] = PartRef{Number: p.PartNumber, ETag: p.ETag}
	}
	return refs, nil
}

type completeMultipartUploadResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	sseOutput
}

type partEntry struct {
	PartNumber        int    `xml:"PartNumber"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	Size              int64  `xml:"Size"`
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func newPartEntry(p *Part) partEntry {
	e := partEntry{PartNumber: p.Number, LastModified: xmlTime(p.LastModified), ETag: p.ETag, Size: p.Size()}
	switch p.Checksum.Algorithm {
	case "CRC32":
		e.ChecksumCRC32 = p.Checksum.Value
	case "CRC32C":
		e.ChecksumCRC32C = p.Checksum.Value
	case "CRC64NVME":
		e.ChecksumCRC64NVME = p.Checksum.Value
	case "SHA1":
		e.ChecksumSHA1 = p.Checksum.Value
	case "SHA256":
		e.ChecksumSHA256 = p.Checksum.Value
	}
	return e
}

type listPartsResult struct {
	XMLName              xml.Name    `xml:"ListPartsResult"`
	Xmlns                string      `xml:"xmlns,attr"`
	Bucket               string      `xml:"Bucket"`
	Key                  string      `xml:"Key"`
	UploadID             string      `xml:"UploadId"`
	PartNumberMarker     int         `xml:"PartNumberMarker"`
	NextPartNumberMarker int         `xml:"NextPartNumberMarker"`
	MaxParts             int         `xml:"MaxParts"`
	IsTruncated          bool        `xml:"IsTruncated"`
	Initiator            owner       `xml:"Initiator"`
	Owner                owner       `xml:"Owner"`
	StorageClass         string      `xml:"StorageClass"`
	ChecksumAlgorithm    string      `xml:"ChecksumAlgorithm,omitempty"`
	Parts                []partEntry `xml:"Part"`
}

type uploadEntry struct {
	Key               string `xml:"Key"`
	UploadID          string `xml:"UploadId"`
	Initiator         owner  `xml:"Initiator"`
	Owner             owner  `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
	Initiated         string `xml:"Initiated"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
}

type listMultipartUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	Xmlns              string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker,omitempty"`
	Prefix             string         `xml:"Prefix"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

// xmlDoc writes an S3 XML document by hand, for hot paths.
type xmlDoc struct {
	bytes.Buffer
	root string
}

var xmlDocs = sync.Pool{New: func() any { return new(xmlDoc) }}

func newXMLDoc(root string) *xmlDoc {
	d := xmlDocs.Get().(*xmlDoc)
	d.Reset()
	d.root = root
	d.WriteString(xml.Header)
	d.WriteString("<" + root + ` xmlns="` + awsproto.S3XMLNS + `">`)
	return d
}

func (d *xmlDoc) open(name string) {
	d.WriteByte('<')
	d.WriteString(name)
	d.WriteByte('>')
}

func (d *xmlDoc) close(name string) {
	d.WriteString("</")
	d.WriteString(name)
	d.WriteByte('>')
}

func (d *xmlDoc) elem(name, text string) {
	d.open(name)
	escapeXMLText(&d.Buffer, text)
	d.close(name)
}

func (d *xmlDoc) elemInt(name string, v int64) {
	d.open(name)
	d.Write(strconv.AppendInt(d.AvailableBuffer(), v, 10))
	d.close(name)
}

func (d *xmlDoc) elemBool(name string, v bool) {
	d.open(name)
	d.Write(strconv.AppendBool(d.AvailableBuffer(), v))
	d.close(name)
}

// Respond finishes and sends the document with status 200, and returns the
// buffer to its pool.
func (d *xmlDoc) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	d.close(d.root)
	h := w.Header()
	h["X-Amz-Request-Id"] = []string{c.RequestID}
	h["Content-Type"] = []string{"application/xml"}
	h["Content-Length"] = []string{strconv.Itoa(d.Len())}
	w.WriteHeader(http.StatusOK)
	w.Write(d.Bytes()) // the status is out: a failed write has no one to tell
	if d.Cap() <= 1<<20 {
		xmlDocs.Put(d)
	}
	return nil
}

// escapeXMLText writes s as XML character data the way encoding/xml's
// EscapeText does (invalid characters become U+FFFD). ASCII, nearly all of
// a listing, is looked at byte by byte without decoding runes.
func escapeXMLText(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		var esc string
		width := 1
		if c := s[i]; c < utf8.RuneSelf {
			switch c {
			case '"':
				esc = "&#34;"
			case '\'':
				esc = "&#39;"
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '\t':
				esc = "&#x9;"
			case '\n':
				esc = "&#xA;"
			case '\r':
				esc = "&#xD;"
			default:
				if c < 0x20 {
					esc = "\uFFFD"
				}
			}
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if !xmlChar(r) || (r == utf8.RuneError && width == 1) {
				esc = "\uFFFD"
			}
		}
		if esc != "" {
			b.WriteString(s[last:i])
			b.WriteString(esc)
			last = i + width
		}
		i += width
	}
	b.WriteString(s[last:])
}

// xmlChar reports whether r may appear in an XML document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// storedDoc is a bucket sub-resource document as stored (SetBucketConfig):
// an XML element with S3's namespace, sent with the XML declaration.
type storedDoc []byte

func (d storedDoc) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	h := w.Header()
	h["X-Amz-Request-Id"] = []string{c.RequestID}
	h["Content-Type"] = []string{"application/xml"}
	h["Content-Length"] = []string{strconv.Itoa(len(xml.Header) + len(d))}
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, xml.Header)
	w.Write(d)
	return nil
}

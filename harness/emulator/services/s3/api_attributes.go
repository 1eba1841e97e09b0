package s3

import (
	"encoding/xml"
	"io"
	"net/url"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// GetObjectAttributes, RenameObject and UpdateObjectEncryption.

type getObjectAttributesInput struct {
	versionInput
	MaxParts         string `xml:"-" location:"header" name:"X-Amz-Max-Parts"`
	PartNumberMarker string `xml:"-" location:"header" name:"X-Amz-Part-Number-Marker"`
	ObjectAttributes string `xml:"-" location:"header" name:"X-Amz-Object-Attributes"`

	want             map[string]bool
	maxParts, marker int
}

// objectAttributes are the names x-amz-object-attributes may list.
var objectAttributes = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

func (in *getObjectAttributesInput) Validate() (err error) {
	if in.maxParts, err = countParam("x-amz-max-parts", in.MaxParts, 1000, 1000); err != nil {
		return err
	}
	in.marker, err = countParam("x-amz-part-number-marker", in.PartNumberMarker, 0, MaxPartNumber)
	return err
}

type objectChecksum struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

type attributesPart struct {
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
}

type attributesParts struct {
	PartsCount           int              `xml:"PartsCount"`
	PartNumberMarker     int              `xml:"PartNumberMarker"`
	NextPartNumberMarker int              `xml:"NextPartNumberMarker"`
	MaxParts             int              `xml:"MaxParts"`
	IsTruncated          bool             `xml:"IsTruncated"`
	Parts                []attributesPart `xml:"Part"`
}

type getObjectAttributesOutput struct {
	XMLName      xml.Name         `xml:"GetObjectAttributesResponse"`
	Xmlns        string           `xml:"xmlns,attr"`
	LastModified string           `xml:"-" location:"header" name:"Last-Modified"`
	VersionID    string           `xml:"-" location:"header" name:"X-Amz-Version-Id"`
	ETag         string           `xml:"ETag,omitempty"`
	Checksum     *objectChecksum  `xml:"Checksum,omitempty"`
	ObjectParts  *attributesParts `xml:"ObjectParts,omitempty"`
	StorageClass string           `xml:"StorageClass,omitempty"`
	ObjectSize   *int64           `xml:"ObjectSize,omitempty"`
}

func (s *Service) getObjectAttributes(c *awsproto.Call, in *getObjectAttributesInput) (*getObjectAttributesOutput, error) {
	// The list travels as one header or as several (SDKs differ).
	attrs := strings.Join(c.Header.Values("X-Amz-Object-Attributes"), ",")
	in.want = map[string]bool{}
	for _, a := range strings.Split(attrs, ",") {
		a = strings.TrimSpace(a)
		if !objectAttributes[a] {
			return nil, invalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", attrs)
		}
		in.want[a] = true
	}
	obj, err := s.store.OpenVersion(in.Bucket, in.Key, in.VersionID, false)
	if err != nil {
		return nil, err
	}
	if obj.DeleteMarker {
		return nil, methodNotAllowed("GET", "DeleteMarker")
	}
	out := &getObjectAttributesOutput{Xmlns: awsproto.S3XMLNS, LastModified: obj.lastModifiedHTTP, VersionID: obj.VersionID}
	if in.want["ETag"] {
		out.ETag = strings.Trim(obj.ETag, `"`)
	}
	if in.want["Checksum"] && obj.Checksum.Algorithm != "" {
		e := echo(obj.Checksum)
		out.Checksum = &objectChecksum{ChecksumCRC32: e.ChecksumCRC32, ChecksumCRC32C: e.ChecksumCRC32C, ChecksumCRC64NVME: e.ChecksumCRC64NVME,
			ChecksumSHA1: e.ChecksumSHA1, ChecksumSHA256: e.ChecksumSHA256, ChecksumType: "FULL_OBJECT"}
	}
	if in.want["ObjectParts"] && len(obj.PartSizes) > 0 {
		p := &attributesParts{PartsCount: len(obj.PartSizes), PartNumberMarker: in.marker, MaxParts: in.maxParts}
		for i, size := range obj.PartSizes {
			n := i + 1
			if n <= in.marker {
				continue
			}
			if len(p.Parts) == in.maxParts {
				p.IsTruncated = true
				break
			}
			p.Parts = append(p.Parts, attributesPart{PartNumber: n, Size: size})
			p.NextPartNumberMarker = n
		}
		out.ObjectParts = p
	}
	if in.want["StorageClass"] {
		out.StorageClass = obj.StorageClass
	}
	if in.want["ObjectSize"] {
		n := obj.Size()
		out.ObjectSize = &n
	}
	return out, nil
}

// ----- RenameObject

type renameObjectInput struct {
	objectInput
	RenameSource           string `xml:"-" location:"header" name:"X-Amz-Rename-Source"`
	DestinationIfMatch     string `xml:"-" location:"header" name:"If-Match"`
	DestinationIfNoneMatch string `xml:"-" location:"header" name:"If-None-Match"`
	SourceIfMatch          string `xml:"-" location:"header" name:"X-Amz-Rename-Source-If-Match"`
	SourceIfNoneMatch      string `xml:"-" location:"header" name:"X-Amz-Rename-Source-If-None-Match"`
}

// renameObject renames an object within a directory bucket; a general
// purpose bucket answers as on S3 (RenameObject is for directory buckets
// only).
func (s *Service) renameObject(c *awsproto.Call, in *renameObjectInput) (struct{}, error) {
	if in.RenameSource == "" {
		return struct{}{}, invalidArgument("x-amz-rename-source must be provided", "x-amz-rename-source", "")
	}
	b, err := s.store.Bucket(in.Bucket)
	if err != nil {
		return struct{}{}, err
	}
	if !b.Directory {
		return struct{}{}, errInvalidRequest.New("RenameObject is only supported for objects in directory buckets.")
	}
	// x-amz-rename-source: [/]bucket/key, URL-encoded, in the same bucket.
	bad := invalidArgument("Rename Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-rename-source", in.RenameSource)
	p, perr := url.PathUnescape(in.RenameSource)
	srcBucket, srcKey, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if perr != nil || !ok || srcKey == "" {
		return struct{}{}, bad
	}
	if srcBucket != in.Bucket {
		return struct{}{}, errInvalidRequest.New("RenameObject is only supported within the same bucket.")
	}
	cond := RenameCondition{SourceIfMatch: in.SourceIfMatch, SourceIfNoneMatch: in.SourceIfNoneMatch,
		Destination: PutCondition{IfMatch: in.DestinationIfMatch}}
	switch strings.TrimSpace(in.DestinationIfNoneMatch) {
	case "":
	case "*":
		cond.Destination.IfNoneMatchAny = true
	default:
		return struct{}{}, errNotImplemented.New("A header you provided implies functionality that is not implemented").With("Header", "If-None-Match")
	}
	return struct{}{}, s.store.RenameObject(c.Request.Context(), in.Bucket, srcKey, in.Key, cond)
}

// ----- UpdateObjectEncryption

type updateObjectEncryptionInput struct {
	versionInput
	ObjectEncryption io.Reader `xml:"-" location:"body"`
}

type objectEncryptionDoc struct {
	XMLName xml.Name `xml:"ObjectEncryption"`
	SSEKMS  *struct {
		KMSKeyArn        *string `xml:"KMSKeyArn"`
		BucketKeyEnabled *bool   `xml:"BucketKeyEnabled"`
	} `xml:"SSE-KMS"`
}

// updateObjectEncryption records that a version is encrypted with an
// SSE-KMS key: GET and HEAD answer it (nothing is encrypted here).
func (s *Service) updateObjectEncryption(c *awsproto.Call, in *updateObjectEncryptionInput) (struct{}, error) {
	body, err := readXMLBody(c, in.ObjectEncryption)
	if err != nil {
		return struct{}{}, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return struct{}{}, errMissingRequestBody.New("Request Body is empty")
	}
	var doc objectEncryptionDoc
	if err := awsproto.DecodeXML(body, &doc); err != nil {
		return struct{}{}, err
	}
	if doc.XMLName.Local != "ObjectEncryption" || doc.SSEKMS == nil || doc.SSEKMS.KMSKeyArn == nil || *doc.SSEKMS.KMSKeyArn == "" {
		return struct{}{}, malformedXML()
	}
	key := *doc.SSEKMS.KMSKeyArn
	if !strings.HasPrefix(key, "arn:") {
		return struct{}{}, invalidArgument("Invalid arn", "x-amz-server-side-encryption-aws-kms-key-id", key)
	}
	return struct{}{}, s.store.SetEncryption(c.Request.Context(), in.Bucket, in.Key, in.VersionID, key, doc.SSEKMS.BucketKeyEnabled != nil && *doc.SSEKMS.BucketKeyEnabled)
}

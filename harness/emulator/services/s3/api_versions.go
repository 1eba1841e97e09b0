package s3

import (
	"io"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Versioning: PutBucketVersioning, GetBucketVersioning and
// ListObjectVersions; reads and deletes by versionId are in api_objects.go,
// the versions themselves in store_versions.go.

type putBucketVersioningInput struct {
	Bucket string    `xml:"-" location:"uri" name:"Bucket"`
	MFA    string    `xml:"-" location:"header" name:"X-Amz-Mfa"`
	Body   io.Reader `xml:"-" location:"body"`
}

func (s *Service) putBucketVersioning(c *awsproto.Call, in *putBucketVersioningInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.Body)
	if err != nil {
		return struct{}{}, err
	}
	var conf versioningConfiguration
	if err := awsproto.DecodeXML(body, &conf); err != nil {
		return struct{}{}, err
	}
	if conf.Status != VersioningEnabled && conf.Status != VersioningSuspended {
		return struct{}{}, malformedXML()
	}
	switch conf.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		return struct{}{}, errNotImplemented.New("MFA delete is not implemented by groundstack")
	default:
		return struct{}{}, malformedXML()
	}
	return struct{}{}, s.store.SetVersioning(c.Request.Context(), in.Bucket, conf.Status)
}

func (s *Service) getBucketVersioning(c *awsproto.Call, in *bucketInput) (versioningConfiguration, error) {
	st, err := s.store.Versioning(in.Bucket)
	if err != nil {
		return versioningConfiguration{}, err
	}
	return versioningConfiguration{Xmlns: awsproto.S3XMLNS, Status: st}, nil
}

type listObjectVersionsInput struct {
	Bucket          string  `xml:"-" location:"uri" name:"Bucket"`
	Delimiter       string  `xml:"-" location:"querystring" name:"delimiter"`
	EncodingType    string  `xml:"-" location:"querystring" name:"encoding-type"`
	KeyMarker       string  `xml:"-" location:"querystring" name:"key-marker"`
	MaxKeys         *string `xml:"-" location:"querystring" name:"max-keys"`
	Prefix          string  `xml:"-" location:"querystring" name:"prefix"`
	VersionIDMarker string  `xml:"-" location:"querystring" name:"version-id-marker"`

	maxKeys int
}

func (in *listObjectVersionsInput) Validate() error {
	in.maxKeys = 1000
	if in.MaxKeys != nil {
		n, err := strconv.Atoi(*in.MaxKeys)
		if err != nil || n < 0 {
			return invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", *in.MaxKeys)
		}
		in.maxKeys = min(n, 1000)
	}
	if in.EncodingType != "" && in.EncodingType != "url" {
		return invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", in.EncodingType)
	}
	if in.VersionIDMarker != "" && in.KeyMarker == "" {
		return invalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", in.VersionIDMarker)
	}
	return nil
}

func (s *Service) listObjectVersions(c *awsproto.Call, in *listObjectVersionsInput) (*xmlDoc, error) {
	page, err := s.store.ListVersions(in.Bucket, VersionQuery{Prefix: in.Prefix, Delimiter: in.Delimiter,
		KeyMarker: in.KeyMarker, VersionIDMarker: in.VersionIDMarker, MaxKeys: in.maxKeys})
	if err != nil {
		return nil, err
	}
	encode := in.EncodingType == "url"
	enc := func(v string) string { return urlEncode(v, encode) }
	d := newXMLDoc("ListVersionsResult")
	d.elem("Name", in.Bucket)
	d.elem("Prefix", enc(in.Prefix))
	d.elem("KeyMarker", enc(in.KeyMarker))
	d.elem("VersionIdMarker", in.VersionIDMarker)
	if page.Truncated {
		d.elem("NextKeyMarker", enc(page.NextKeyMarker))
		d.elem("NextVersionIdMarker", page.NextVersionID)
	}
	d.elemInt("MaxKeys", int64(in.maxKeys))
	if in.Delimiter != "" {
		d.elem("Delimiter", enc(in.Delimiter))
	}
	if encode {
		d.elem("EncodingType", "url")
	}
	d.elemBool("IsTruncated", page.Truncated)
	for _, v := range page.Versions {
		el := "Version"
		if v.DeleteMarker {
			el = "DeleteMarker"
		}
		d.open(el)
		d.elem("Key", enc(v.Key))
		d.elem("VersionId", versionOf(v.Object))
		d.elemBool("IsLatest", v.IsLatest)
		d.elem("LastModified", v.lastModifiedXML)
		if !v.DeleteMarker {
			d.elem("ETag", v.ETag)
			d.elemInt("Size", v.Size())
			d.elem("StorageClass", v.StorageClass)
		}
		d.open("Owner")
		d.elem("ID", defaultOwner.ID)
		d.elem("DisplayName", defaultOwner.DisplayName)
		d.close("Owner")
		d.close(el)
	}
	for _, cp := range page.CommonPrefixes {
		d.open("CommonPrefixes")
		d.elem("Prefix", enc(cp))
		d.close("CommonPrefixes")
	}
	return d, nil
}

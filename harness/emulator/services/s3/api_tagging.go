package s3

import (
	"encoding/xml"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Tagging: PutBucketTagging, GetBucketTagging, DeleteBucketTagging,
// PutObjectTagging, GetObjectTagging, DeleteObjectTagging, and the
// x-amz-tagging header of PutObject, CopyObject and CreateMultipartUpload.

// S3's tag limits.
const (
	maxObjectTags  = 10
	maxBucketTags  = 50
	maxTagKeyLen   = 128 // characters
	maxTagValueLen = 256
)

// taggingWire is the Tagging document, in and out.
type taggingWire struct {
	XMLName xml.Name    `xml:"Tagging"`
	Xmlns   string      `xml:"xmlns,attr,omitempty"`
	TagSet  *tagSetWire `xml:"TagSet"`
}

type tagSetWire struct {
	Tags []tagWire `xml:"Tag"`
}

type tagWire struct {
	Key   *string `xml:"Key"`
	Value *string `xml:"Value"`
}

// taggingOf is the Tagging document of a tag set.
func taggingOf(tags []Tag) *taggingWire {
	out := &taggingWire{Xmlns: awsproto.S3XMLNS, TagSet: &tagSetWire{Tags: make([]tagWire, len(tags))}}
	for i := range tags {
		out.TagSet.Tags[i] = tagWire{Key: &tags[i].Key, Value: &tags[i].Value}
	}
	return out
}

// tagSetKind is what a tag set belongs to: S3 words its limits differently.
type tagSetKind uint8

const (
	objectTags tagSetKind = iota
	bucketTags
)

// parseTagging reads a Tagging document as S3 does: every tag is checked in
// order (the first bad one decides), then the count.
func parseTagging(body []byte, kind tagSetKind) ([]Tag, error) {
	var in taggingWire
	if err := awsproto.DecodeXML(body, &in); err != nil {
		return nil, err
	}
	if in.TagSet == nil {
		return nil, malformedXML()
	}
	tags := make([]Tag, 0, len(in.TagSet.Tags))
	for _, t := range in.TagSet.Tags {
		if t.Key == nil || t.Value == nil {
			return nil, malformedXML()
		}
		tags = append(tags, Tag{Key: *t.Key, Value: *t.Value})
	}
	return tags, checkTags(tags, kind)
}

// checkTags applies S3's rules to a tag set.
func checkTags(tags []Tag, kind tagSetKind) error {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n == 0 || n > maxTagKeyLen || !validTagText(t.Key) {
			return errInvalidTag.New("The TagKey you have provided is invalid").With("TagKey", t.Key)
		}
		if utf8.RuneCountInString(t.Value) > maxTagValueLen || !validTagText(t.Value) {
			return errInvalidTag.New("The TagValue you have provided is invalid").With("TagKey", t.Key).With("TagValue", t.Value)
		}
		if strings.HasPrefix(t.Key, "aws:") {
			if kind == bucketTags {
				return errInvalidTag.New("System tags cannot be added/updated by requester")
			}
			return errInvalidTag.New("Your TagKey cannot be prefixed with aws:").With("TagKey", t.Key)
		}
		if seen[t.Key] {
			return errInvalidTag.New("Cannot provide multiple Tags with the same key").With("TagKey", t.Key)
		}
		seen[t.Key] = true
	}
	switch {
	case kind == objectTags && len(tags) > maxObjectTags:
		return errBadRequest.New("Object tags cannot be greater than " + strconv.Itoa(maxObjectTags))
	case kind == bucketTags && len(tags) > maxBucketTags:
		return errBadRequest.New("Object tags cannot be greater than " + strconv.Itoa(maxBucketTags))
	}
	return nil
}

// validTagText: letters, numbers and spaces in any script, and + - = . _ : / @.
func validTagText(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsSpace(r) && !strings.ContainsRune("+-=._:/@", r) {
			return false
		}
	}
	return true
}

// parseTaggingHeader reads x-amz-tagging, a URL-encoded query string
// (k1=v1&k2=v2), keeping the order the tags were given in.
func parseTaggingHeader(h string) ([]Tag, error) {
	if h == "" {
		return nil, nil
	}
	bad := invalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", h)
	var tags []Tag
	seen := map[string]bool{}
	for _, pair := range strings.Split(h, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, kerr := url.QueryUnescape(k)
		v, verr := url.QueryUnescape(v)
		if kerr != nil || verr != nil || !utf8.ValidString(k) || !utf8.ValidString(v) || seen[k] {
			return nil, bad
		}
		seen[k] = true
		tags = append(tags, Tag{Key: k, Value: v})
	}
	if err := checkTags(tags, objectTags); err != nil {
		return nil, err
	}
	return tags, nil
}

// ----- bucket tagging

type putBucketTaggingInput struct {
	Bucket  string    `xml:"-" location:"uri" name:"Bucket"`
	Tagging io.Reader `xml:"-" location:"body"`
}

func (s *Service) putBucketTagging(c *awsproto.Call, in *putBucketTaggingInput) (struct{}, error) {
	if _, err := s.store.Bucket(in.Bucket); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.Tagging)
	if err != nil {
		return struct{}{}, err
	}
	tags, err := parseTagging(body, bucketTags)
	if err != nil {
		return struct{}{}, err
	}
	doc, err := xml.Marshal(taggingOf(tags))
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, "tagging", doc)
}

func (s *Service) getBucketTagging(c *awsproto.Call, in *bucketInput) (storedDoc, error) {
	doc, err := s.store.BucketConfig(in.Bucket, "tagging")
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errNoSuchTagSet.New("The TagSet does not exist").With("BucketName", in.Bucket)
	}
	return doc, nil
}

func (s *Service) deleteBucketTagging(c *awsproto.Call, in *bucketInput) (struct{}, error) {
	return struct{}{}, s.store.SetBucketConfig(c.Request.Context(), in.Bucket, "tagging", nil)
}

// ----- object tagging

type putObjectTaggingInput struct {
	objectInput
	Tagging io.Reader `xml:"-" location:"body"`
}

func (s *Service) putObjectTagging(c *awsproto.Call, in *putObjectTaggingInput) (struct{}, error) {
	if _, err := s.store.Object(in.Bucket, in.Key); err != nil {
		return struct{}{}, err
	}
	body, err := readXMLBody(c, in.Tagging)
	if err != nil {
		return struct{}{}, err
	}
	tags, err := parseTagging(body, objectTags)
	if err != nil {
		return struct{}{}, err
	}
	if len(tags) == 0 {
		tags = nil
	}
	return struct{}{}, s.store.SetObjectTags(c.Request.Context(), in.Bucket, in.Key, tags)
}

func (s *Service) getObjectTagging(c *awsproto.Call, in *objectInput) (*taggingWire, error) {
	o, err := s.store.Object(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	return taggingOf(o.Tags), nil
}

func (s *Service) deleteObjectTagging(c *awsproto.Call, in *objectInput) (struct{}, error) {
	return struct{}{}, s.store.SetObjectTags(c.Request.Context(), in.Bucket, in.Key, nil)
}

package s3

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Bucket operations: ListBuckets, CreateBucket, DeleteBucket, HeadBucket,
// GetBucketLocation, GetBucketVersioning, ListObjects and ListObjectsV2.

// bucketInput is the input of operations that take only their bucket.
type bucketInput struct {
	Bucket string `xml:"-" location:"uri" name:"Bucket"`
}

type listBucketsInput struct {
	MaxBuckets        string `xml:"-" location:"querystring" name:"max-buckets"`
	ContinuationToken string `xml:"-" location:"querystring" name:"continuation-token"`
	Prefix            string `xml:"-" location:"querystring" name:"prefix"`
	BucketRegion      string `xml:"-" location:"querystring" name:"bucket-region"`

	maxBuckets int    // -1: all
	after      string // the last bucket of the previous page
}

// Validate reads max-buckets (1 to 10000) and the continuation token.
func (in *listBucketsInput) Validate() error {
	in.maxBuckets = -1
	if v := in.MaxBuckets; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return invalidArgument("Max buckets must be a number between 1 and 10000", "max-buckets", v)
		}
		in.maxBuckets = n
	}
	if t := in.ContinuationToken; t != "" {
		k, ok := decodeToken(t)
		if !ok {
			return invalidArgument("The continuation token provided is incorrect", "continuation-token", t)
		}
		in.after = k
	}
	return nil
}

func (s *Service) listBuckets(c *awsproto.Call, in *listBucketsInput) (listAllMyBucketsResult, error) {
	res := listAllMyBucketsResult{Xmlns: awsproto.S3XMLNS, Owner: defaultOwner, Buckets: []bucketEntry{}, Prefix: in.Prefix}
	for _, b := range s.store.Buckets() {
		if b.Directory || b.Name <= in.after || !strings.HasPrefix(b.Name, in.Prefix) || (in.BucketRegion != "" && b.Region != in.BucketRegion) {
			continue
		}
		if in.maxBuckets >= 0 && len(res.Buckets) == in.maxBuckets {
			res.ContinuationToken = encodeToken(res.Buckets[len(res.Buckets)-1].Name)
			break
		}
		res.Buckets = append(res.Buckets, bucketEntry{Name: b.Name, CreationDate: xmlTime(b.Created), BucketRegion: b.Region})
	}
	return res, nil
}

type createBucketInput struct {
	Bucket                     string    `xml:"-" location:"uri" name:"Bucket"`
	ObjectLockEnabledForBucket string    `xml:"-" location:"header" name:"X-Amz-Bucket-Object-Lock-Enabled"`
	CreateBucketConfiguration  io.Reader `xml:"-" location:"body"`
}

type createBucketOutput struct {
	Location string `xml:"-" location:"header" name:"Location"`
}

func (s *Service) createBucket(c *awsproto.Call, in *createBucketInput) (createBucketOutput, error) {
	if !validBucketName(in.Bucket) && !strings.HasSuffix(in.Bucket, directoryBucketSuffix) {
		return createBucketOutput{}, errInvalidBucketName.New("The specified bucket is not valid.").With("BucketName", in.Bucket)
	}
	body, err := readXMLBody(c, in.CreateBucketConfiguration)
	if err != nil {
		return createBucketOutput{}, err
	}
	region := "us-east-1"
	if len(bytes.TrimSpace(body)) > 0 {
		var conf createBucketConfiguration
		if err := awsproto.DecodeXML(body, &conf); err != nil {
			return createBucketOutput{}, err
		}
		if conf.Bucket.Type != "" || strings.HasSuffix(in.Bucket, directoryBucketSuffix) {
			return s.createDirectoryBucket(c, in.Bucket, &conf) // api_session.go
		}
		switch conf.LocationConstraint {
		case "":
		case "us-east-1":
			return createBucketOutput{}, errInvalidLocationConstraint.New("The specified location-constraint is not valid").With("LocationConstraint", conf.LocationConstraint)
		case "EU":
			region = "eu-west-1"
		default:
			region = conf.LocationConstraint
		}
	}
	if strings.HasSuffix(in.Bucket, directoryBucketSuffix) {
		return s.createDirectoryBucket(c, in.Bucket, nil) // no configuration: refused
	}
	if reqRegion := awsproto.RegionOf(c.Request, s.env.Region); reqRegion != "us-east-1" && region != reqRegion {
		if region == "us-east-1" {
			return createBucketOutput{}, errIllegalLocationConstraint.New("The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
		return createBucketOutput{}, errIllegalLocationConstraint.Errorf("The %s location constraint is incompatible for the region specific endpoint this request was sent to.", region)
	}
	// Bucket names are one namespace across accounts.
	if _, ok := s.env.Names.Claim(nameKind, in.Bucket, s.env.Account); !ok {
		return createBucketOutput{}, errBucketAlreadyExists.New(msgBucketAlreadyExists).With("BucketName", in.Bucket)
	}
	create, locked := s.store.CreateBucket, strings.EqualFold(in.ObjectLockEnabledForBucket, "true")
	if locked { // one change, so a journal never holds the bucket without its lock
		create = s.store.CreateLockedBucket
	}
	if err := create(c.Request.Context(), in.Bucket, region, s.env.Now()); err != nil {
		return createBucketOutput{}, err
	}
	if locked { // a us-east-1 bucket that was there already gets it too
		if err := s.store.EnableObjectLock(c.Request.Context(), in.Bucket); err != nil {
			return createBucketOutput{}, err
		}
	}
	return createBucketOutput{Location: "/" + in.Bucket}, nil
}

func (s *Service) deleteBucket(c *awsproto.Call, in *bucketInput) (struct{}, error) {
	if err := s.store.DeleteBucket(c.Request.Context(), in.Bucket); err != nil {
		return struct{}{}, err
	}
	s.env.Names.Release(nameKind, in.Bucket, s.env.Account)
	return struct{}{}, nil
}

type headBucketOutput struct {
	BucketRegion string `xml:"-" location:"header" name:"X-Amz-Bucket-Region"`
}

func (s *Service) headBucket(c *awsproto.Call, in *bucketInput) (headBucketOutput, error) {
	b, err := s.store.Bucket(in.Bucket)
	return headBucketOutput{BucketRegion: b.Region}, err
}

func (s *Service) getBucketLocation(c *awsproto.Call, in *bucketInput) (locationConstraint, error) {
	b, err := s.store.Bucket(in.Bucket)
	if err != nil {
		return locationConstraint{}, err
	}
	loc := b.Region
	if loc == "us-east-1" {
		loc = "" // S3's answer for the classic region
	}
	return locationConstraint{Xmlns: awsproto.S3XMLNS, Value: loc}, nil
}

// ----- listing

// listInput are the members ListObjects and ListObjectsV2 share.
type listInput struct {
	Bucket       string `xml:"-" location:"uri" name:"Bucket"`
	Delimiter    string `xml:"-" location:"querystring" name:"delimiter"`
	EncodingType string `xml:"-" location:"querystring" name:"encoding-type"`
	// MaxKeys is a string: S3 words its own answer to a bad number, and
	// max-keys sent empty is one.
	MaxKeys *string `xml:"-" location:"querystring" name:"max-keys"`
	Prefix  string  `xml:"-" location:"querystring" name:"prefix"`

	params listParams // what Validate read
}

type listObjectsInput struct {
	listInput
	Marker string `xml:"-" location:"querystring" name:"marker"`
}

type listObjectsV2Input struct {
	listInput
	ContinuationToken string `xml:"-" location:"querystring" name:"continuation-token"`
	FetchOwner        string `xml:"-" location:"querystring" name:"fetch-owner"`
	StartAfter        string `xml:"-" location:"querystring" name:"start-after"`
}

func (in *listObjectsInput) Validate() error {
	in.params = listParams{marker: in.Marker}
	return in.read(&in.params)
}

func (in *listObjectsV2Input) Validate() error {
	in.params = listParams{v2: true, token: in.ContinuationToken, startAfter: in.StartAfter, fetchOwner: in.FetchOwner == "true"}
	return in.read(&in.params)
}

func (s *Service) listObjects(c *awsproto.Call, in *listObjectsInput) (*xmlDoc, error) {
	return s.list(in.Bucket, &in.params)
}

func (s *Service) listObjectsV2(c *awsproto.Call, in *listObjectsV2Input) (*xmlDoc, error) {
	return s.list(in.Bucket, &in.params)
}

// list answers ListObjects and ListObjectsV2 with a hand-written document:
// listings are the one large document on a hot path, and encoding/xml's
// reflection costs ~2 µs per entry.
func (s *Service) list(bucket string, p *listParams) (*xmlDoc, error) {
	after, _ := p.after()
	page, err := s.store.List(bucket, ListQuery{Prefix: p.prefix, Delimiter: p.delimiter, After: after, MaxKeys: p.maxKeys})
	if err != nil {
		return nil, err
	}
	enc := func(v string) string { return urlEncode(v, p.encodeURL) }
	d := newXMLDoc("ListBucketResult")
	d.elem("Name", bucket)
	d.elem("Prefix", enc(p.prefix))
	if !p.v2 {
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
	if p.v2 {
		d.elemInt("KeyCount", int64(len(page.Objects)+len(page.CommonPrefixes)))
	}
	d.elemBool("IsTruncated", page.Truncated)
	if p.v2 {
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
	withOwner := !p.v2 || p.fetchOwner
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
	return d, nil
}

package s3

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// S3 Express One Zone: directory buckets (name--zone-id--x-s3), which
// CreateBucket makes from a CreateBucketConfiguration naming their zone,
// ListDirectoryBuckets lists, and CreateSession opens sessions on. The SDKs
// call CreateSession themselves before their first request to a directory
// bucket and sign the following ones with the session's credentials,
// sending its token in x-amz-s3session-token (checkSession).

// directoryBucketSuffix ends every directory bucket's name.
const directoryBucketSuffix = "--x-s3"

// directoryBucketZone returns the zone ID a directory bucket's name holds
// (base--use1-az4--x-s3): ok is false for a name that breaks the rules of
// directory bucket names (3 to 63 characters in all; lower-case letters,
// digits and hyphens, no periods; a base beginning and ending with a letter
// or digit).
func directoryBucketZone(name string) (zone string, ok bool) {
	rest, found := strings.CutSuffix(name, directoryBucketSuffix)
	if !found || len(name) < 3 || len(name) > 63 {
		return "", false
	}
	i := strings.LastIndex(rest, "--")
	if i <= 0 {
		return "", false
	}
	base, zone := rest[:i], rest[i+2:]
	for _, part := range []string{base, zone} {
		if part == "" || part[0] == '-' || part[len(part)-1] == '-' {
			return "", false
		}
		for j := 0; j < len(part); j++ {
			c := part[j]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", false
			}
		}
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(base, p) {
			return "", false
		}
	}
	return zone, true
}

// createDirectoryBucket makes a directory bucket: its name holds the zone
// its configuration's Location names, and the configuration says
// Bucket Type Directory.
func (s *Service) createDirectoryBucket(c *awsproto.Call, name string, conf *createBucketConfiguration) (createBucketOutput, error) {
	invalid := errInvalidBucketName.New("The specified bucket is not valid.").With("BucketName", name)
	zone, ok := directoryBucketZone(name)
	if !ok || conf == nil || conf.Bucket.Type != "Directory" || conf.Location.Name != zone {
		return createBucketOutput{}, invalid
	}
	switch conf.Location.Type {
	case "AvailabilityZone", "LocalZone":
	default:
		return createBucketOutput{}, malformedXML()
	}
	switch conf.Bucket.DataRedundancy {
	case "", "SingleAvailabilityZone", "SingleLocalZone":
	default:
		return createBucketOutput{}, malformedXML()
	}
	if _, ok := s.env.Names.Claim(nameKind, name, s.env.Account); !ok {
		return createBucketOutput{}, errBucketAlreadyExists.New(msgBucketAlreadyExists).With("BucketName", name)
	}
	if err := s.store.CreateDirectoryBucket(c.Request.Context(), name, awsproto.RegionOf(c.Request, s.env.Region), zone, s.env.Now()); err != nil {
		return createBucketOutput{}, err
	}
	return createBucketOutput{Location: "/" + name}, nil
}

type createSessionInput struct {
	Bucket                  string `xml:"-" location:"uri" name:"Bucket"`
	SessionMode             string `xml:"-" location:"header" name:"x-amz-create-session-mode"`
	ServerSideEncryption    string `xml:"-" location:"header" name:"x-amz-server-side-encryption"`
	SSEKMSKeyId             string `xml:"-" location:"header" name:"x-amz-server-side-encryption-aws-kms-key-id"`
	SSEKMSEncryptionContext string `xml:"-" location:"header" name:"x-amz-server-side-encryption-context"`
	BucketKeyEnabled        string `xml:"-" location:"header" name:"x-amz-server-side-encryption-bucket-key-enabled"`
}

// Validate: a session is ReadWrite unless it asks to be ReadOnly; directory
// buckets encrypt with SSE-S3 or SSE-KMS alone.
func (in *createSessionInput) Validate() error {
	switch in.SessionMode {
	case "":
		in.SessionMode = SessionReadWrite
	case SessionReadWrite, SessionReadOnly:
	default:
		return invalidArgument("Invalid session mode", "x-amz-create-session-mode", in.SessionMode)
	}
	switch in.ServerSideEncryption {
	case "", "AES256", "aws:kms":
	default:
		return invalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", in.ServerSideEncryption)
	}
	return nil
}

type sessionCredentials struct {
	AccessKeyId     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type createSessionOutput struct {
	XMLName                 xml.Name           `xml:"CreateSessionResult"`
	Xmlns                   string             `xml:"xmlns,attr"`
	ServerSideEncryption    string             `xml:"-" location:"header" name:"x-amz-server-side-encryption"`
	SSEKMSKeyId             string             `xml:"-" location:"header" name:"x-amz-server-side-encryption-aws-kms-key-id"`
	SSEKMSEncryptionContext string             `xml:"-" location:"header" name:"x-amz-server-side-encryption-context"`
	BucketKeyEnabled        string             `xml:"-" location:"header" name:"x-amz-server-side-encryption-bucket-key-enabled"`
	Credentials             sessionCredentials `xml:"Credentials"`
}

// createSession opens a session on a directory bucket: credentials of the
// caller's account, for that bucket alone, for five minutes.
func (s *Service) createSession(c *awsproto.Call, in *createSessionInput) (createSessionOutput, error) {
	now := s.env.Now()
	sess := Session{
		Bucket:          in.Bucket,
		Mode:            in.SessionMode,
		AccessKeyID:     awsproto.NewAccessKeyID("ASIA", s.env.Account),
		SecretAccessKey: randomToken(30),
		Token:           randomToken(96),
		Expires:         now.Add(SessionTTL).UTC().Truncate(1e9),
	}
	if err := s.store.OpenSession(sess, now); err != nil {
		return createSessionOutput{}, err
	}
	out := createSessionOutput{
		Xmlns:                awsproto.S3XMLNS,
		ServerSideEncryption: "AES256",
		Credentials: sessionCredentials{
			AccessKeyId:     sess.AccessKeyID,
			SecretAccessKey: sess.SecretAccessKey,
			SessionToken:    sess.Token,
			Expiration:      sess.Expires.Format("2006-01-02T15:04:05Z"),
		},
	}
	if in.ServerSideEncryption == "aws:kms" {
		out.ServerSideEncryption = in.ServerSideEncryption
		out.SSEKMSKeyId = in.SSEKMSKeyId
		out.SSEKMSEncryptionContext = in.SSEKMSEncryptionContext
		out.BucketKeyEnabled = in.BucketKeyEnabled
	}
	return out, nil
}

// LookupBucketSession tells strict mode's verifier the secret, token and
// expiry of a session CreateSession issued (cloud.BucketSessions).
func (s *Service) LookupBucketSession(accessKey string) (cloud.TemporaryCredentials, time.Time, bool) {
	sess, ok := s.store.SessionOf(accessKey)
	if !ok {
		return cloud.TemporaryCredentials{}, time.Time{}, false
	}
	return cloud.TemporaryCredentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey, SessionToken: sess.Token}, sess.Expires, true
}

// randomToken is n random bytes in base64 (a session token or secret key).
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// checkSession decides a request that carries an S3 Express session token
// (x-amz-s3session-token): the token must be a live session of the bucket
// the request names, signed with the session's access key; a ReadOnly
// session only reads.
func (s *Service) checkSession(r *http.Request, token string) *awsproto.Error {
	bucket, _ := target(r)
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	scope, _ := awsproto.ScopeOf(r)
	err := s.store.CheckSession(token, scope.AccessKey, bucket, write, s.env.Now())
	if e, ok := err.(*awsproto.Error); ok {
		return e
	}
	return nil
}

type listDirectoryBucketsInput struct {
	ContinuationToken   *string `xml:"-" location:"querystring" name:"continuation-token" min:"0" max:"1024"`
	MaxDirectoryBuckets *int    `xml:"-" location:"querystring" name:"max-directory-buckets" min:"0" max:"1000"`
}

type directoryBucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
	BucketArn    string `xml:"BucketArn"`
}

type listDirectoryBucketsResult struct {
	XMLName           xml.Name               `xml:"ListAllMyDirectoryBucketsResult"`
	Xmlns             string                 `xml:"xmlns,attr"`
	Buckets           []directoryBucketEntry `xml:"Buckets>Bucket"`
	ContinuationToken string                 `xml:"ContinuationToken,omitempty"`
}

// listDirectoryBuckets lists the account's directory buckets by name, up
// to max-directory-buckets (1000 when absent or 0) a page.
func (s *Service) listDirectoryBuckets(c *awsproto.Call, in *listDirectoryBucketsInput) (listDirectoryBucketsResult, error) {
	res := listDirectoryBucketsResult{Xmlns: awsproto.S3XMLNS}
	after := ""
	if in.ContinuationToken != nil && *in.ContinuationToken != "" {
		k, ok := decodeToken(*in.ContinuationToken)
		if !ok {
			return res, invalidArgument("The continuation token provided is incorrect", "continuation-token", *in.ContinuationToken)
		}
		after = k
	}
	limit := 1000
	if in.MaxDirectoryBuckets != nil && *in.MaxDirectoryBuckets > 0 {
		limit = *in.MaxDirectoryBuckets
	}
	for _, b := range s.store.Buckets() {
		if !b.Directory || b.Name <= after {
			continue
		}
		if len(res.Buckets) == limit {
			res.ContinuationToken = encodeToken(res.Buckets[len(res.Buckets)-1].Name)
			break
		}
		res.Buckets = append(res.Buckets, directoryBucketEntry{Name: b.Name, CreationDate: xmlTime(b.Created), BucketRegion: b.Region,
			BucketArn: "arn:aws:s3express:" + b.Region + ":" + s.env.Account + ":bucket/" + b.Name})
	}
	return res, nil
}

package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// xmlError is S3's error body.
type xmlError struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	Key       string `xml:"Key"`
	RequestID string `xml:"RequestId"`
}

func decodeError(t *testing.T, body []byte) xmlError {
	t.Helper()
	var e xmlError
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not S3 XML: %v: %s", err, body)
	}
	return e
}

// withDefaultChecksums makes a client behave as one from
// config.LoadDefaultConfig: request checksums whenever supported and
// response validation.
func withDefaultChecksums(cfg aws.Config) aws.Config {
	cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	return cfg
}

// TestAWSChunkedUploads: over TLS the default SDK sends PutObject and
// UploadPart as aws-chunked bodies with a trailing CRC32; the stored bytes
// must be exactly the payload, and checksum mode must give the checksum back.
func TestAWSChunkedUploads(t *testing.T) {
	e, cfg := startEmu(t)
	var seen atomic.Value
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.RawQuery, "PutObject") {
			seen.Store(r.Header.Get("X-Amz-Content-Sha256") + " " + r.Header.Get("Content-Encoding") + " " + r.Header.Get("X-Amz-Trailer"))
		}
		e.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	tlsCfg := srv.Client().Transport.(*http.Transport).TLSClientConfig
	cfg = withDefaultChecksums(cfg)
	cfg.BaseEndpoint = aws.String(srv.URL)
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.TLSClientConfig = tlsCfg })
	c := s3.NewFromConfig(cfg)
	mustCreateBucket(t, c, "chunky")

	payloads := map[string][]byte{
		"small":    []byte("hello world"),
		"binary":   {0, '\r', '\n', '0', '\r', '\n', 0xff},
		"large":    bytes.Repeat([]byte("0123456789"), 300_000), // several chunks
		"crlf-ish": []byte("5\r\nabcde\r\n0\r\n\r\n"),
	}
	for name, data := range payloads {
		t.Run(name, func(t *testing.T) {
			mustPut(t, c, "chunky", name, data)
			if got := seen.Load(); got == nil || !strings.HasPrefix(got.(string), "STREAMING-UNSIGNED-PAYLOAD-TRAILER aws-chunked") {
				t.Fatalf("the SDK did not send aws-chunked (%v): test proves nothing", got)
			}
			got, _ := mustGet(t, c, "chunky", name)
			if !bytes.Equal(got, data) {
				t.Fatalf("stored %d bytes, sent %d (first bytes %q)", len(got), len(data), got[:min(len(got), 20)])
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("chunky"), Key: aws.String(name), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(out.Body) // the SDK validates the checksum while reading
			out.Body.Close()
			h := crc32.NewIEEE()
			h.Write(data)
			want := base64.StdEncoding.EncodeToString(h.Sum(nil))
			if err != nil || !bytes.Equal(b, data) || aws.ToString(out.ChecksumCRC32) != want {
				t.Errorf("checksum mode: err %v, crc32 %q want %q", err, aws.ToString(out.ChecksumCRC32), want)
			}
		})
	}

	// Multipart parts arrive the same way.
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("chunky"), Key: aws.String("mp"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{bytes.Repeat([]byte{'x'}, 5<<20), []byte("end")}
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("chunky"), Key: aws.String("mp"), UploadId: create.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("chunky"), Key: aws.String("mp"), UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := mustGet(t, c, "chunky", "mp"); !bytes.Equal(got, append(append([]byte(nil), parts[0]...), parts[1]...)) {
		t.Errorf("multipart over aws-chunked stored %d bytes", len(got))
	}
}

// TestChecksumsOverHTTP: over plain HTTP the default SDK sends the checksum
// as a header; it is verified, stored and returned in checksum mode.
func TestChecksumsOverHTTP(t *testing.T) {
	_, cfg := startEmu(t)
	c := s3.NewFromConfig(withDefaultChecksums(cfg))
	mustCreateBucket(t, c, "sums")
	for _, alg := range []types.ChecksumAlgorithm{"", types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmCrc64nvme} {
		key := "k-" + string(alg)
		data := []byte("checksummed " + key)
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), Body: bytes.NewReader(data), ChecksumAlgorithm: alg})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(b, data) {
			t.Errorf("%s: read %q, %v", alg, b, err)
		}
		sent := map[types.ChecksumAlgorithm]*string{"": put.ChecksumCRC32, "CRC32": put.ChecksumCRC32, "CRC32C": put.ChecksumCRC32C,
			"SHA1": put.ChecksumSHA1, "SHA256": put.ChecksumSHA256, "CRC64NVME": put.ChecksumCRC64NVME}[alg]
		back := map[types.ChecksumAlgorithm]*string{"": out.ChecksumCRC32, "CRC32": out.ChecksumCRC32, "CRC32C": out.ChecksumCRC32C,
			"SHA1": out.ChecksumSHA1, "SHA256": out.ChecksumSHA256, "CRC64NVME": out.ChecksumCRC64NVME}[alg]
		if aws.ToString(sent) == "" || aws.ToString(sent) != aws.ToString(back) {
			t.Errorf("%s: PutObject echoed %q, GetObject returned %q", alg, aws.ToString(sent), aws.ToString(back))
		}
	}
}

func TestPresignedURLs(t *testing.T) {
	var skew atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	_, c := start(t, emulator.WithClock(clock))
	mustCreateBucket(t, c, "presign")
	ps := s3.NewPresignClient(c)

	put, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("presign"), Key: aws.String("up load.txt")}, s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, put.URL, strings.NewReader("via presigned PUT"))
	for k, vs := range put.SignedHeader {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != md5ETag([]byte("via presigned PUT")) {
		t.Fatalf("presigned PUT: %d etag %s", resp.StatusCode, resp.Header.Get("ETag"))
	}

	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("presign"), Key: aws.String("up load.txt")}, s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(get.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "via presigned PUT" {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, body)
	}

	// Eleven minutes later both URLs have expired.
	skew.Store(int64(11 * time.Minute))
	for _, u := range []struct{ method, url string }{{"GET", get.URL}, {"PUT", put.URL}} {
		req, _ := http.NewRequest(u.method, u.url, strings.NewReader("late"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		e := decodeError(t, body)
		if resp.StatusCode != 403 || e.Code != "AccessDenied" || e.Message != "Request has expired" {
			t.Errorf("expired presigned %s: %d %s %q", u.method, resp.StatusCode, e.Code, e.Message)
		}
	}
	if got, _ := mustGet(t, c, "presign", "up load.txt"); string(got) != "via presigned PUT" {
		t.Errorf("expired PUT changed the object: %q", got)
	}
}

// TestVirtualHostedRaw sends unsigned requests with virtual-hosted Host
// headers through the edge.
func TestVirtualHostedRaw(t *testing.T) {
	e, c := start(t)
	port := e.Addr().(*net.TCPAddr).Port
	do := func(method, host, path, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, e.URL()+path, strings.NewReader(body))
		req.Host = fmt.Sprintf("%s:%d", host, port)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	for _, tc := range []struct{ bucket, suffix string }{
		{"vhost", "s3.localhost.localstack.cloud"},
		{"my.dotted.vhost", "s3.localhost.localstack.cloud"},
		{"short-vhost", "localhost"},
	} {
		host := tc.bucket + "." + tc.suffix
		if resp, body := do("PUT", host, "/", ""); resp.StatusCode != 200 {
			t.Fatalf("%s: CreateBucket %d %s", host, resp.StatusCode, body)
		}
		if resp, body := do("PUT", host, "/dir/a%20key%2Bplus", "virtual"); resp.StatusCode != 200 {
			t.Fatalf("%s: PutObject %d %s", host, resp.StatusCode, body)
		}
		if resp, body := do("GET", host, "/dir/a%20key%2Bplus", ""); resp.StatusCode != 200 || body != "virtual" {
			t.Errorf("%s: GetObject %d %q", host, resp.StatusCode, body)
		}
		if resp, body := do("GET", host, "/?list-type=2&prefix=dir/", ""); resp.StatusCode != 200 || !strings.Contains(body, "<Key>dir/a key+plus</Key>") {
			t.Errorf("%s: ListObjectsV2 %d %s", host, resp.StatusCode, body)
		}
		if resp, body := do("GET", host, "/missing", ""); resp.StatusCode != 404 || decodeError(t, []byte(body)).Code != "NoSuchKey" {
			t.Errorf("%s: missing key %d %s", host, resp.StatusCode, body)
		}
		// The same object path-style.
		if got, _ := mustGet(t, c, tc.bucket, "dir/a key+plus"); string(got) != "virtual" {
			t.Errorf("%s: path-style read %q", host, got)
		}
	}
}

// TestVirtualHostBuckets: the bucket a Host header names, as the edge
// matches it, for unsigned requests (routed by host) and signed ones
// (routed by scope).
func TestVirtualHostBuckets(t *testing.T) {
	h := emulator.New().Handler()
	cases := []struct {
		host, bucket string
		signedOnly   bool // unsigned, the host belongs to another service
	}{
		{"bkt.s3.localhost.localstack.cloud:4566", "bkt", false},
		{"my.dotted.bkt.s3.localhost.localstack.cloud", "my.dotted.bkt", false},
		{"BKT.S3.LOCALHOST.LOCALSTACK.CLOUD", "BKT", false},
		{"bkt.localhost:4566", "bkt", false},
		{"bkt.localhost", "bkt", false},
		{"s3.localhost.localstack.cloud:4566", "", false},
		{"localhost:4566", "", false},
		{"127.0.0.1:4566", "", false},
		{"localhost.localstack.cloud:4566", "", false},
		{".localhost", "", false},
		{"[::1]:4566", "", false},
		{"api.execute-api.localhost.localstack.cloud", "", true},
		// A website host names its bucket to the website endpoint only;
		// signed S3 API calls to it are path-style.
		{"site.s3-website.localhost.localstack.cloud", "", true},
	}
	for _, tc := range cases {
		for _, signed := range []bool{false, true} {
			if tc.signedOnly && !signed {
				continue
			}
			r := httptest.NewRequest("GET", "/?location", nil)
			r.Host = tc.host
			if signed {
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if tc.bucket == "" {
				if w.Code != 200 || !strings.Contains(w.Body.String(), "<ListAllMyBucketsResult") {
					t.Errorf("%s (signed %v): want path-style ListBuckets, got %d %s", tc.host, signed, w.Code, w.Body)
				}
				continue
			}
			if w.Code != 404 || !strings.Contains(w.Body.String(), "<BucketName>"+tc.bucket+"</BucketName>") {
				t.Errorf("%s (signed %v): want NoSuchBucket %q, got %d %s", tc.host, signed, tc.bucket, w.Code, w.Body)
			}
		}
	}
}

// TestVirtualHostedSDK points the SDK at s3.localhost.localstack.cloud, so
// it addresses buckets by host, and dials the emulator for any name.
func TestVirtualHostedSDK(t *testing.T) {
	e, cfg := startEmu(t)
	addr := e.Addr().String()
	port := e.Addr().(*net.TCPAddr).Port
	var hosts atomic.Value
	cfg.BaseEndpoint = aws.String(fmt.Sprintf("http://s3.localhost.localstack.cloud:%d", port))
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
		}
	})
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.HTTPClient = recordHost{o.HTTPClient, &hosts}
	})
	mustCreateBucket(t, c, "sdk-vhost")
	if h, _ := hosts.Load().(string); !strings.HasPrefix(h, "sdk-vhost.s3.localhost.localstack.cloud") {
		t.Fatalf("SDK did not use a virtual host: %q", h)
	}
	mustPut(t, c, "sdk-vhost", "k/ü ñ", []byte("vh"))
	if got, _ := mustGet(t, c, "sdk-vhost", "k/ü ñ"); string(got) != "vh" {
		t.Errorf("got %q", got)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-vhost")})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "k/ü ñ" {
		t.Errorf("list: %v %v", out, err)
	}
}

type recordHost struct {
	next  s3.HTTPClient
	hosts *atomic.Value
}

func (r recordHost) Do(req *http.Request) (*http.Response, error) {
	r.hosts.Store(req.URL.Host)
	return r.next.Do(req)
}

// TestRawErrors sends malformed or unsupported requests straight to the
// edge's handler and checks S3's code, status and XML shape.
func TestRawErrors(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "raw")
	mustPut(t, c, "raw", "obj", []byte("data"))
	h := e.Handler()
	md5b64 := func(s string) string { sum := md5.Sum([]byte(s)); return base64.StdEncoding.EncodeToString(sum[:]) }
	cases := []struct {
		name    string
		method  string
		target  string
		body    string
		headers map[string]string
		length  int64 // overrides ContentLength when non-zero
		code    string
		status  int
	}{
		{"torrent of a bucket", "GET", "/raw?torrent", "", nil, 0, "NotImplemented", 501},
		{"torrent written", "PUT", "/raw/obj?torrent", "", nil, 0, "MethodNotAllowed", 405},
		{"replication of an unversioned bucket", "PUT", "/raw?replication", "<ReplicationConfiguration/>", nil, 0, "InvalidRequest", 400},
		{"bucket configuration kept by id on an object", "GET", "/raw/obj?analytics", "", nil, 0, "NotImplemented", 501},
		{"unsupported object subresource", "GET", "/raw/obj?metadataTable", "", nil, 0, "NotImplemented", 501},
		{"bucket sub-resource on an object", "GET", "/raw/obj?cors", "", nil, 0, "NotImplemented", 501},
		{"versioning without a status", "PUT", "/raw?versioning", "<VersioningConfiguration/>", nil, 0, "MalformedXML", 400},
		{"tagging without a tag set", "PUT", "/raw?tagging", "<Tagging/>", nil, 0, "MalformedXML", 400},
		{"unknown write parameter", "PUT", "/raw/obj?frobnicate", "", nil, 0, "NotImplemented", 501},
		{"post object form", "POST", "/raw", "x", nil, 0, "NotImplemented", 501},
		{"method", "PATCH", "/raw/obj", "", nil, 0, "MethodNotAllowed", 405},
		{"too large", "PUT", "/raw/huge", "", nil, 5<<30 + 1, "EntityTooLarge", 400},
		{"no length", "PUT", "/raw/nolen", "abc", nil, -1, "MissingContentLength", 411},
		{"delete bad xml", "POST", "/raw?delete", "<Delete><Object>", nil, 0, "MalformedXML", 400},
		{"delete wrong root", "POST", "/raw?delete", "<Other><Object><Key>a</Key></Object></Other>", nil, 0, "MalformedXML", 400},
		{"complete bad xml", "POST", "/raw/obj?uploadId=x", "not xml", nil, 0, "MalformedXML", 400},
		{"complete unknown upload", "POST", "/raw/obj?uploadId=x", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>", nil, 0, "NoSuchUpload", 404},
		{"create bucket bad xml", "PUT", "/newbucket", "<CreateBucketConfiguration>", nil, 0, "MalformedXML", 400},
		{"part unknown upload", "PUT", "/raw/obj?partNumber=1&uploadId=nope", "x", nil, 0, "NoSuchUpload", 404},
		{"part number zero", "PUT", "/raw/obj?partNumber=0&uploadId=nope", "x", nil, 0, "InvalidArgument", 400},
		{"bad content-md5", "PUT", "/raw/k", "abc", map[string]string{"Content-MD5": "zz"}, 0, "InvalidDigest", 400},
		{"wrong content-md5", "PUT", "/raw/k", "abc", map[string]string{"Content-MD5": md5b64("abd")}, 0, "BadDigest", 400},
		{"wrong crc32", "PUT", "/raw/k", "abc", map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}, 0, "BadDigest", 400},
		{"malformed crc32", "PUT", "/raw/k", "abc", map[string]string{"X-Amz-Checksum-Crc32": "nope"}, 0, "InvalidRequest", 400},
		{"bad storage class", "PUT", "/raw/k", "abc", map[string]string{"X-Amz-Storage-Class": "FAST"}, 0, "InvalidStorageClass", 400},
		{"key too long", "PUT", "/raw/" + strings.Repeat("k", 1025), "abc", nil, 0, "KeyTooLongError", 400},
		{"metadata too large", "PUT", "/raw/k", "abc", map[string]string{"X-Amz-Meta-Big": strings.Repeat("m", 2100)}, 0, "MetadataTooLarge", 400},
		{"version id", "GET", "/raw/obj?versionId=abc", "", nil, 0, "NoSuchVersion", 404},
		{"no such key", "GET", "/raw/none", "", nil, 0, "NoSuchKey", 404},
		{"no such bucket", "GET", "/nobucket-here/x", "", nil, 0, "NoSuchBucket", 404},
		{"chunked malformed", "PUT", "/raw/k", "zz\r\nabc\r\n0\r\n\r\n", map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": "3"}, 0, "InvalidRequest", 400},
		{"chunked short", "PUT", "/raw/k", "3\r\nabc\r\n0\r\n\r\n", map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "X-Amz-Decoded-Content-Length": "4"}, 0, "IncompleteBody", 400},
		{"chunked no decoded length", "PUT", "/raw/k", "3\r\nabc\r\n0\r\n\r\n", map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, 0, "MissingContentLength", 411},
		{"chunked bad trailer checksum", "PUT", "/raw/k", "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "X-Amz-Decoded-Content-Length": "3"}, 0, "BadDigest", 400},
		{"list bad max-keys", "GET", "/raw?list-type=2&max-keys=x", "", nil, 0, "InvalidArgument", 400},
		{"presign too long", "GET", "/raw/obj?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=ab", "", nil, 0, "AuthorizationQueryParametersError", 400},
		{"presign malformed", "GET", "/raw/obj?X-Amz-Signature=ab&X-Amz-Credential=bad", "", nil, 0, "AuthorizationQueryParametersError", 400},
		{"copy bad source", "PUT", "/raw/copy", "", map[string]string{"X-Amz-Copy-Source": "%zz"}, 0, "InvalidArgument", 400},
		{"copy bad directive", "PUT", "/raw/copy", "", map[string]string{"X-Amz-Copy-Source": "raw/obj", "X-Amz-Metadata-Directive": "MERGE"}, 0, "InvalidArgument", 400},
		{"put if-none-match etag", "PUT", "/raw/obj", "x", map[string]string{"If-None-Match": `"abc"`}, 0, "NotImplemented", 501},
		{"delete body too big", "POST", "/raw?delete", "<Delete>" + strings.Repeat(" ", 4<<20) + "</Delete>", nil, 0, "MaxMessageLengthExceeded", 400},
		{"complete body declared too big", "POST", "/raw/obj?uploadId=x", "<CompleteMultipartUpload/>", nil, 4<<20 + 1, "MaxMessageLengthExceeded", 400},
		{"version id on a bucket", "GET", "/raw?versionId=3", "", nil, 0, "NoSuchVersion", 404},
		{"website on an object", "GET", "/raw/obj?website", "", nil, 0, "NotImplemented", 501},
		{"head website", "HEAD", "/raw?website", "", nil, 0, "", 405},
		{"service put", "PUT", "/", "", nil, 0, "MethodNotAllowed", 405},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if tc.length != 0 {
				r.ContentLength = tc.length
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if tc.method == "HEAD" { // no body: the status says it all
				if w.Code != tc.status || w.Body.Len() != 0 || w.Header().Get("X-Amz-Request-Id") == "" {
					t.Errorf("got %d %q, want %d and no body", w.Code, w.Body, tc.status)
				}
				return
			}
			e := decodeError(t, w.Body.Bytes())
			if w.Code != tc.status || e.Code != tc.code {
				t.Errorf("got %d %s (%s), want %d %s", w.Code, e.Code, e.Message, tc.status, tc.code)
			}
			if e.Message == "" || e.RequestID == "" || w.Header().Get("Content-Type") != "application/xml" {
				t.Errorf("error lacks message/request id/content type: %s", w.Body)
			}
			if tc.code == "NoSuchKey" && e.Key != "none" {
				t.Errorf("NoSuchKey without <Key>: %s", w.Body)
			}
		})
	}
	// Nothing above changed the stored object.
	if got, _ := mustGet(t, c, "raw", "obj"); string(got) != "data" {
		t.Errorf("obj = %q", got)
	}
	list, _ := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("raw")})
	if len(list.Contents) != 1 {
		t.Errorf("failed requests stored objects: %v", list.Contents)
	}
}

// TestRequestIDs: every answer names its request in x-amz-request-id (and
// only there), success or error, as S3 does.
func TestRequestIDs(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "ids")
	mustPut(t, c, "ids", "k", []byte("v"))
	for _, rq := range []struct{ method, target, body string }{
		{"PUT", "/ids2", ""}, {"HEAD", "/ids", ""}, {"GET", "/ids?location", ""}, {"GET", "/", ""},
		{"PUT", "/ids/k2", "v"}, {"GET", "/ids/k", ""}, {"HEAD", "/ids/k", ""}, {"GET", "/ids?list-type=2", ""},
		{"POST", "/ids?delete", "<Delete><Object><Key>k2</Key></Object></Delete>"}, {"DELETE", "/ids/k", ""},
		{"POST", "/ids/m?uploads", ""}, {"GET", "/ids/none", ""}, {"PATCH", "/ids", ""},
		{"GET", "/_aws/s3-website/ids/", ""},
	} {
		req, _ := http.NewRequest(rq.method, e.URL()+rq.target, strings.NewReader(rq.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Amz-Request-Id") == "" || resp.Header.Get("X-Amzn-Requestid") != "" {
			t.Errorf("%s %s: %d, request id headers %v", rq.method, rq.target, resp.StatusCode, resp.Header)
		}
	}
}

// TestSignedStreamingRaw sends a hand-framed STREAMING-AWS4-HMAC-SHA256-PAYLOAD
// body (what other SDKs send) and checks the stored bytes.
func TestSignedStreamingRaw(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "signed")
	payload := bytes.Repeat([]byte("signed-streaming "), 1000)
	var body bytes.Buffer
	for i := 0; i < len(payload); i += 8192 {
		part := payload[i:min(i+8192, len(payload))]
		fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n%s\r\n", len(part), strings.Repeat("0", 64), part)
	}
	fmt.Fprintf(&body, "0;chunk-signature=%s\r\n\r\n", strings.Repeat("0", 64))
	req, _ := http.NewRequest("PUT", e.URL()+"/signed/streamed", &body)
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	req.Header.Set("Content-Encoding", "aws-chunked,gzip")
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(payload)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != md5ETag(payload) {
		t.Fatalf("PUT: %d %s", resp.StatusCode, resp.Header.Get("ETag"))
	}
	got, out := mustGet(t, c, "signed", "streamed")
	if !bytes.Equal(got, payload) {
		t.Errorf("stored %d bytes, want %d", len(got), len(payload))
	}
	if aws.ToString(out.ContentEncoding) != "gzip" {
		t.Errorf("Content-Encoding stored as %q, want gzip (aws-chunked stripped)", aws.ToString(out.ContentEncoding))
	}
}

// TestResponseOverrides covers response-* query overrides (used with
// presigned GETs).
func TestResponseOverrides(t *testing.T) {
	e, c := start(t)
	mustCreateBucket(t, c, "over")
	mustPut(t, c, "over", "f", []byte("x"))
	q := url.Values{"response-content-type": {"text/csv"}, "response-content-disposition": {"attachment"}}
	resp, err := http.Get(e.URL() + "/over/f?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/csv" || resp.Header.Get("Content-Disposition") != "attachment" {
		t.Errorf("overrides: %v", resp.Header)
	}
}

// TestStrictAuth: with signatures verified at the edge, S3's SDK calls
// (odd keys, aws-chunked over TLS aside), presigned URLs and virtual hosts
// still pass, and a wrong secret is refused in S3's words.
func TestStrictAuth(t *testing.T) {
	e, cfg := startEmu(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	c := s3.NewFromConfig(withDefaultChecksums(cfg))
	mustCreateBucket(t, c, "strict")
	for _, k := range []string{"plain", "with space/ñ + más", "100%/a=b&c"} {
		mustPut(t, c, "strict", k, []byte(k))
		if got, _ := mustGet(t, c, "strict", k); string(got) != k {
			t.Errorf("%q: got %q", k, got)
		}
	}
	if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("strict"), Prefix: aws.String("with space/"), Delimiter: aws.String("/")}); err != nil {
		t.Errorf("list with prefix: %v", err)
	}
	get, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("strict"), Key: aws.String("with space/ñ + más")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(get.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "with space/ñ + más" {
		t.Errorf("presigned GET in strict mode: %d %q", resp.StatusCode, body)
	}

	bad := cfg
	bad.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: emutest.AccessKey, SecretAccessKey: "wrong"}, nil
	}))
	_, err = s3.NewFromConfig(bad).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("strict"), Key: aws.String("plain")})
	wantAPIError(t, err, "SignatureDoesNotMatch", 403)
	// Unsigned virtual-hosted requests are refused too.
	req, _ := http.NewRequest("GET", e.URL()+"/plain", nil)
	req.Host = "strict.s3.localhost.localstack.cloud"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || decodeError(t, body).Code != "AccessDenied" {
		t.Errorf("unsigned request in strict mode: %d %s", resp.StatusCode, body)
	}
}

package s3_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// presignV2 is a SigV2 query-string URL as botocore's HmacV1QueryAuth makes
// it: the request's x-amz-* headers, Content-Type and Content-MD5 move into
// the query beside AWSAccessKeyId, Signature and Expires.
func presignV2(base, method, bucket, key string, headers map[string]string, extra url.Values) string {
	exp := strconv.FormatInt(time.Now().Add(10*time.Minute).Unix(), 10)
	var amz []string
	q := url.Values{"AWSAccessKeyId": {emutest.AccessKey}, "Expires": {exp}}
	for k, v := range headers {
		q.Set(k, v)
		if strings.HasPrefix(k, "x-amz-") {
			amz = append(amz, k+":"+v)
		}
	}
	res := "/" + bucket + "/" + key
	if len(extra) > 0 {
		res += "?" + extra.Encode()
		for k, v := range extra {
			q[k] = v
		}
	}
	sts := method + "\n" + headers["content-md5"] + "\n" + headers["content-type"] + "\n" + exp + "\n" + strings.Join(amz, "\n")
	if len(amz) > 0 {
		sts += "\n"
	}
	mac := hmac.New(sha1.New, []byte(emutest.SecretKey))
	mac.Write([]byte(sts + res))
	q.Set("Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return base + res[:len("/"+bucket+"/"+key)] + "?" + q.Encode()
}

// Presigned URLs whose query carries request parameters (content-type,
// x-amz-meta-*, response-*) are not sub-resources: S3 serves them, applying
// the signed query's headers to the request (botocore's SigV2 presigner
// moves ContentType and Metadata there). They were refused with 501.
func TestPresignedURLsWithRequestParameters(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	mustCreateBucket(t, c, "presign-params")
	ps := s3.NewPresignClient(c)
	v4, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("presign-params"), Key: aws.String("v4")}, s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, key, url string
	}{
		{"SigV2", "v2", presignV2(e.URL(), "PUT", "presign-params", "v2", map[string]string{"content-type": "text/plain", "x-amz-meta-color": "blue"}, nil)},
		{"SigV4", "v4", v4.URL + "&content-type=text%2Fplain&x-amz-meta-color=blue"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodPut, tc.url, strings.NewReader("hello"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: presigned PUT answered %d %s", tc.name, resp.StatusCode, b)
			continue
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("presign-params"), Key: aws.String(tc.key)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(h.ContentType) != "text/plain" || h.Metadata["color"] != "blue" {
			t.Errorf("%s: stored Content-Type %q metadata %v, want text/plain and color=blue", tc.name, aws.ToString(h.ContentType), h.Metadata)
		}
	}
	// GetObject's response-* overrides in a SigV2 URL.
	get := presignV2(e.URL(), "GET", "presign-params", "v2", nil, url.Values{"response-content-type": {"application/x-foo"}})
	resp, err := http.Get(get)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-foo" || string(b) != "hello" {
		t.Errorf("presigned GET with response-content-type: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	// A sub-resource S3 does not have is still refused.
	req, _ := http.NewRequest(http.MethodPut, e.URL()+"/presign-params/v2?frobnicate", strings.NewReader("<Frobnicate/>"))
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("PUT ?frobnicate answered %d, want 501", resp.StatusCode)
	}
}

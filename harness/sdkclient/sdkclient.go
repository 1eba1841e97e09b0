// Package sdkclient builds the aws-sdk-go-v2 configs the harness uses to
// talk to a local cloud: static test credentials, nothing read from the
// host environment, and an HTTP client that survives an SDK race fast
// loopback servers expose. It imports only the standard library and the SDK,
// so the emulator's test support may use it too.
package sdkclient

import (
	"bytes"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Test credentials and the default region.
const (
	AccessKey     = "test"
	SecretKey     = "test"
	DefaultRegion = "us-east-1"
)

// Config returns an SDK config for endpoint. It is built by hand, not by
// config.LoadDefaultConfig, so profiles and AWS_CA_BUNDLE never leak in.
func Config(endpoint, region string) aws.Config {
	if region == "" {
		region = DefaultRegion
	}
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   DetachedBodies(awshttp.NewBuildableClient()),
	}
}

// DetachedBodies wraps c so the transport gets a private in-memory copy of
// each request body. The SDK closes the body it handed over as soon as the
// response arrives; when a loopback server answers before net/http's write
// loop has finished with that body, the write loop takes the closed body's
// EOF for a write error and drops the connection mid-response
// ("deserialization failed … use of closed network connection" on large
// responses, as in aws/aws-sdk-go-v2#1825 and #2737). Handlers carry the
// same fix in handlers/sdkhttp, since they may not import the harness.
func DetachedBodies(c aws.HTTPClient) aws.HTTPClient { return detached{c} }

type detached struct{ base aws.HTTPClient }

func (d detached) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return d.base.Do(req)
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	req.ContentLength = int64(len(b))
	return d.base.Do(req)
}

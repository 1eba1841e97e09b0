// Package sdkhttp (for every flow's handlers) works around a race in aws-sdk-go-v2 (smithy-go v1.28):
// after the HTTP client returns a response, the SDK closes the request
// body it handed over, and its body wrapper's WriteTo then returns io.EOF.
// If the server answered before net/http's write loop finished its final
// check of the body (likely on loopback, where the server answers at
// once), the write loop sees that EOF as a write error and closes the
// connection while the response body is still being read: the call fails
// with "deserialization failed … use of closed network connection" (as in
// aws/aws-sdk-go-v2#1825, #2737, #2935). Giving the transport its own copy
// of the (small) request body removes the race. Harmless on AWS; imports
// only the standard library and the SDK.
package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
)

// Doer is the SDK's HTTP client interface (aws.HTTPClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// DetachedBodies wraps c so that every request body reaching the transport
// is a private in-memory copy the SDK cannot close underneath it.
func DetachedBodies(c Doer) Doer { return detached{c} }

type detached struct{ base Doer }

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

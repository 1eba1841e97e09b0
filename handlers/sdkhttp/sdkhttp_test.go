package sdkhttp

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// closingBody mimics the SDK's body wrapper: once closed, WriteTo and Read
// return io.EOF.
type closingBody struct {
	r      *bytes.Reader
	closed bool
}

func (b *closingBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func (b *closingBody) WriteTo(w io.Writer) (int64, error) {
	if b.closed {
		return 0, io.EOF
	}
	return b.r.WriteTo(w)
}

func (b *closingBody) Close() error { b.closed = true; return nil }

type recorder struct {
	got *http.Request
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

func TestDetachedBodies(t *testing.T) {
	orig := &closingBody{r: bytes.NewReader([]byte(`{"TableName":"Pedidos"}`))}
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", orig)
	req.ContentLength = 23
	rec := &recorder{}
	if _, err := DetachedBodies(rec).Do(req); err != nil {
		t.Fatal(err)
	}
	if !orig.closed {
		t.Error("the SDK's body was not closed after copying")
	}
	// What the transport reads is unaffected by the SDK closing its body.
	var buf bytes.Buffer
	if n, err := io.Copy(&buf, rec.got.Body); err != nil || n != 23 || buf.String() != `{"TableName":"Pedidos"}` {
		t.Fatalf("transport read %d %q %v", n, buf.String(), err)
	}
	if n, err := io.Copy(io.Discard, rec.got.Body); n != 0 || err != nil {
		t.Errorf("the extra-data check net/http makes sees %d, %v; want 0, nil", n, err)
	}
	again, err := rec.got.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(again); string(b) != `{"TableName":"Pedidos"}` || rec.got.ContentLength != 23 {
		t.Errorf("GetBody %q, length %d", b, rec.got.ContentLength)
	}

	// Requests without a body pass through untouched.
	get, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
	if _, err := DetachedBodies(rec).Do(get); err != nil || rec.got.Body != nil {
		t.Errorf("GET: %v %v", err, rec.got.Body)
	}
	// A body that fails to read is an error, not a truncated request.
	bad, _ := http.NewRequest("POST", "http://127.0.0.1/", io.NopCloser(io.MultiReader(strings.NewReader("x"), errReader{})))
	if _, err := DetachedBodies(rec).Do(bad); err == nil {
		t.Error("a failing body was sent")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

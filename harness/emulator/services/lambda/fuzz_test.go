package lambda

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest/lambdago"
)

func TestParseFunctionName(t *testing.T) {
	cases := []struct {
		in, region, name, qualifier string
		ok                          bool
	}{
		{"my-fn", "", "my-fn", "", true},
		{"my-fn:live", "", "my-fn", "live", true},
		{"my-fn:$LATEST", "", "my-fn", "$LATEST", true},
		{"123456789012:function:my-fn", "", "my-fn", "", true},
		{"123456789012:function:my-fn:3", "", "my-fn", "3", true},
		{"arn:aws:lambda:eu-west-1:123456789012:function:my-fn", "eu-west-1", "my-fn", "", true},
		{"arn:aws:lambda:eu-west-1:123456789012:function:my-fn:prod", "eu-west-1", "my-fn", "prod", true},
		{"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f", "us-gov-west-1", "f", "", true},
		{"", "", "", "", false},
		{"my fn", "", "", "", false},
		{"my-fn:", "", "", "", false},
		{"arn:aws:s3:::bucket", "", "", "", false},
		{"arn:aws:lambda:nowhere:123456789012:function:f", "", "", "", false},
		{"a:b:c:d:e", "", "", "", false},
	}
	for _, tc := range cases {
		r, n, q, ok := parseFunctionName(tc.in)
		if ok != tc.ok || ok && (r != tc.region || n != tc.name || q != tc.qualifier) {
			t.Errorf("%q: got (%q %q %q %v)", tc.in, r, n, q, ok)
		}
	}
}

func FuzzParseFunctionName(f *testing.F) {
	for _, s := range []string{"f", "f:1", "123456789012:function:f:live", "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", "::", "arn:::::::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, name, q, ok := parseFunctionName(s)
		if !ok {
			return
		}
		if !isNameChars(name) || q != "" && q != LatestVersion && !isNameChars(q) {
			t.Fatalf("%q accepted as %q:%q", s, name, q)
		}
	})
}

// TestURLResponseSample maps aws-lambda-go's sample function URL response.
func TestURLResponseSample(t *testing.T) {
	b := lambdago.Sample(t, "lambda-urls-response.json")
	rec := httptest.NewRecorder()
	writeURLResponse(rec, b, func(http.Header) {})
	if rec.Code != 201 || rec.Body.String() != `{ "message": "Hello, world!" }` ||
		rec.Header().Get("My-Custom-Header") != "Custom Value" || rec.Header().Get("Content-Type") != "application/json" ||
		len(rec.Header().Values("Set-Cookie")) != 2 {
		t.Fatalf("%d %v %q", rec.Code, rec.Header(), rec.Body.String())
	}
}

// FuzzURLResponse: any function result maps to an HTTP response without
// panicking, with a valid status.
func FuzzURLResponse(f *testing.F) {
	for _, s := range []string{`{"statusCode":201,"headers":{"a":"b"},"body":"x","cookies":["c=1"]}`, `"text"`, `{"hello":1}`,
		`{"statusCode":"200","body":{"nested":true}}`, `{"statusCode":200,"body":"AAEC","isBase64Encoded":true}`,
		`{"statusCode":99}`, `[1,2]`, `null`, `not json`, `{"statusCode":200,"headers":{"bad\nname":"v","x":"a\r\nb"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		rec := httptest.NewRecorder()
		writeURLResponse(rec, payload, func(http.Header) {})
		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		for k, vs := range rec.Header() {
			for _, v := range vs {
				if strings.ContainsAny(k+v, "\r\n") {
					t.Fatalf("header injection %q: %q", k, v)
				}
			}
		}
	})
}

// FuzzURLEvent: any request becomes an event aws-lambda-go can decode.
func FuzzURLEvent(f *testing.F) {
	f.Add("POST", "/my/path", "a=1&a=2&b", "Header1", "v", "cookie1; cookie2", "text/plain", []byte("hello"))
	f.Add("GET", "/", "", "X-Forwarded-For", "1.2.3.4", "", "application/octet-stream", []byte{0xff, 0})
	f.Add("PUT", "/%zz", "%%", "Content-Type", "application/json", ";;", "", []byte(`{"a":1}`))
	s := &Service{env: &cloud.Env{Account: "000000000000", Now: func() time.Time { return time.Unix(0, 0) }}}
	u := URLConfig{ID: strings.Repeat("a", 32), Region: "us-east-1", AuthType: "NONE"}
	f.Fuzz(func(t *testing.T, method, path, query, hk, hv, cookie, ctype string, body []byte) {
		if !strings.HasPrefix(path, "/") {
			return
		}
		r, err := http.NewRequest(method, "http://h.lambda-url.us-east-1.localhost.localstack.cloud"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		r.URL.RawQuery = url.PathEscape(query)
		r.RemoteAddr = "127.0.0.1:1234"
		r.Header.Set("Cookie", cookie)
		r.Header.Set("Content-Type", ctype)
		if hk != "" {
			r.Header[hk] = []string{hv}
		}
		ev := s.urlEvent(r, u, r.URL.EscapedPath(), body, "req")
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var back events.LambdaFunctionURLRequest
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("aws-lambda-go cannot read %s: %v", b, err)
		}
		if back.Version != "2.0" || back.RequestContext.HTTP.Method != r.Method {
			t.Fatalf("event %s", b)
		}
	})
}

// FuzzInvokeInput: payload and client-context checks never panic and only
// accept JSON.
func FuzzInvokeInput(f *testing.F) {
	f.Add([]byte(`{"a":1}`), "eyJjdXN0b20iOnt9fQ==")
	f.Add([]byte(``), "")
	f.Add([]byte(`{`), "%%%")
	f.Fuzz(func(t *testing.T, body []byte, cc string) {
		if p, err := checkPayload(body); err == nil && !json.Valid(p) {
			t.Fatalf("accepted %q", body)
		}
		if s, err := clientContext(cc); err == nil && s != "" && !json.Valid([]byte(s)) {
			t.Fatalf("accepted client context %q", cc)
		}
	})
}

func TestParseLayerVersionARN(t *testing.T) {
	cases := []struct {
		in           string
		region, name string
		version      int64
		ok           bool
	}{
		{"arn:aws:lambda:us-east-1:000000000000:layer:libs:3", "us-east-1", "libs", 3, true},
		{"arn:aws:lambda:eu-west-1:123456789012:layer:my-layer_2:12", "eu-west-1", "my-layer_2", 12, true},
		{"arn:aws:lambda:us-east-1:000000000000:layer:libs", "", "", 0, false},
		{"arn:aws:lambda:us-east-1:000000000000:layer:libs:0", "", "", 0, false},
		{"arn:aws:lambda:us-east-1:000000000000:layer:libs:x", "", "", 0, false},
		{"arn:aws:lambda:us-east-1:000000000000:function:libs:1", "", "", 0, false},
		{"arn:aws:lambda:us-east-1:000000000000:layer:libs:1:2", "", "", 0, false},
		{"", "", "", 0, false},
	}
	for _, tc := range cases {
		r, n, v, ok := parseLayerVersionARN(tc.in)
		if r != tc.region || n != tc.name || v != tc.version || ok != tc.ok {
			t.Errorf("%q: %q %q %d %v", tc.in, r, n, v, ok)
		}
	}
}

// FuzzParseLayerVersionARN: any string is either refused or split into
// parts that put together give it back.
func FuzzParseLayerVersionARN(f *testing.F) {
	for _, s := range []string{"arn:aws:lambda:us-east-1:000000000000:layer:libs:3", "arn:::::::", "arn:aws:lambda:x:y:layer:z:-1", ":::::::::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		region, name, version, ok := parseLayerVersionARN(s)
		if !ok {
			return
		}
		i := strings.LastIndexByte(s, ':')
		v, err := strconv.ParseInt(s[i+1:], 10, 64)
		if version < 1 || err != nil || v != version || !strings.HasSuffix(s[:i], ":layer:"+name) ||
			!strings.HasPrefix(s, "arn:") || !strings.Contains(s, ":lambda:"+region+":") {
			t.Fatalf("%q split into %q %q %d", s, region, name, version)
		}
		if strings.Contains(name, ":") || strings.Contains(region, ":") {
			t.Fatalf("%q: a part holds a colon: %q %q", s, region, name)
		}
	})
}

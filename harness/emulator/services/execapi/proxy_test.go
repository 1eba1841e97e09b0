package execapi

import "testing"

// FuzzProxyResponse: no Lambda output panics the proxy response parser, and
// an accepted one has a valid status.
func FuzzProxyResponse(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200,"headers":{"a":"b"},"multiValueHeaders":{"c":["d",1,true,null]},"body":"x"}`,
		`{"statusCode":"201","isBase64Encoded":true,"body":"aGk="}`, `{"statusCode":99}`, `null`, `[]`, `"str"`, `{"statusCode":200,"body":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		resp, ok := ParseProxyResponse(payload)
		if ok && (resp.Status < 100 || resp.Status > 599) {
			t.Fatalf("accepted status %d", resp.Status)
		}
	})
}

package awsproto

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkVerify is strict mode's cost per request: a DynamoDB-sized JSON
// call signed by the SDK, verified (body hashed) and its body restored.
func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte(`{"TableName":"t","Item":{"id":{"S":"x"}}}`), 25) // ~1 KB
	r := sdkSigned(&testing.T{}, "dynamodb", "POST", "http://127.0.0.1:4566/", body, "s3cr3t")
	v := strictAt(signTime)
	x := Expect{Services: []string{"dynamodb"}}
	b.ReportAllocs()
	for b.Loop() {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := v.VerifyFor(r, x); err != nil {
			b.Fatal(err)
		}
	}
}

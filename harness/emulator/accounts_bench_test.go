package emulator

import (
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkAccountOfRequest is what finding a request's account adds to
// the edge: the key id from the Authorization header, then its account
// (the default's for an ordinary key; a lookup for temporary credentials).
func BenchmarkAccountOfRequest(b *testing.B) {
	e := New()
	defer e.Close()
	for _, key := range []string{"test", "111111111111", "ASIAEXAMPLEEXAMPLE00"} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20261207/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef")
		b.Run(key, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = e.accounts.accountOfKey(accessKeyOf(r))
			}
		})
	}
}

// BenchmarkNewAccount is the cost of the first request of a new account:
// every service built for it.
func BenchmarkNewAccount(b *testing.B) {
	e := New(WithMaxAccounts(1 << 30))
	defer e.Close()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := e.accounts.cell(strconv.Itoa(100000000000 + i)); err != nil {
			b.Fatal(err)
		}
	}
}

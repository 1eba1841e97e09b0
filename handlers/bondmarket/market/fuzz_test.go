package market

import (
	"encoding/json"
	"testing"
)

// FuzzParseRequest: any body is a request or a 400's message, never a
// panic; what it accepts is within the API's limits.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"group_id":"15","fixture_id":"1","quantity":1,"user_id":"u"}`,
		`{"group_id":7,"fixture_id":12,"request_id":"r","quantity":"3"}`,
		`{"group_id":"15","fixture_id":"1","quantity":1,"user_id":"u","payment":"wallet"}`,
		`{}`, `[]`, `null`, `{"quantity":1e99}`, `{"group_id":"15"} {}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseRequest(body)
		if err != nil {
			if _, ok := err.(badInput); !ok {
				t.Fatalf("error %v is not a bad-input error", err)
			}
			return
		}
		if r.Quantity < 1 || r.Quantity > MaxQuantity || r.GroupID == "" || r.FixtureID == "" || r.Status == "" {
			t.Fatalf("accepted %+v", r)
		}
		if !r.Internal() && r.RequestID == "" {
			t.Fatalf("an external request without request_id: %+v", r)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseValidation: any body is a validation or a 400's message.
func FuzzParseValidation(f *testing.F) {
	for _, s := range []string{`{"request_id":"r","valid":true}`, `{"request_id":"r","group_id":3,"seller":1,"valid":"false"}`,
		`{"request_id":"","valid":true}`, `{"valid":1}`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := ParseValidation(body)
		if err != nil {
			if _, ok := err.(badInput); !ok {
				t.Fatalf("error %v is not a bad-input error", err)
			}
			return
		}
		if v.RequestID == "" {
			t.Fatalf("accepted %+v", v)
		}
	})
}

package awsproto

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

type fuzzCBORInput struct {
	Name   *string           `json:"Name" required:"true" min:"1" max:"64"`
	Values []Double          `json:"Values"`
	When   *Timestamp        `json:"When"`
	Nested []fuzzCBORNested  `json:"Nested" max:"4"`
	Attrs  map[string]string `json:"Attrs"`
	Flag   *bool             `json:"Flag"`
	Count  *int              `json:"Count" min:"0"`
}

type fuzzCBORNested struct {
	Key   *string `json:"Key" required:"true"`
	Value *string `json:"Value"`
}

type fuzzCBOROutput struct {
	Name  string     `json:"Name"`
	When  *Timestamp `json:"When,omitempty"`
	Count int        `json:"Count"`
}

// FuzzRPCv2CBOR feeds arbitrary bodies to an RPC v2 CBOR operation: every
// answer is a 200 with a CBOR map or a 4xx CBOR error map, never a panic
// or a 500.
func FuzzRPCv2CBOR(f *testing.F) {
	ok, _ := cbor.Marshal(map[string]any{"Name": "n", "Values": []float64{1, 2.5}, "When": cbor.Tag{Number: 1, Content: 1.7e9},
		"Nested": []any{map[string]any{"Key": "k"}}, "Attrs": map[string]string{"a": "b"}, "Flag": true, "Count": 3})
	f.Add(ok)
	f.Add([]byte{})
	f.Add([]byte{0xa0})
	f.Add([]byte{0xff})
	f.Add([]byte{0xbf, 0x64, 'N', 'a', 'm', 'e', 0x61, 'x', 0xff})                          // indefinite map
	f.Add([]byte{0xa1, 0x64, 'W', 'h', 'e', 'n', 0xc1, 0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0}) // tag 1 NaN
	f.Add([]byte{0x9f, 0x9f, 0x9f, 0x9f, 0xff, 0xff, 0xff, 0xff})
	api := &API{Base: Base{DefaultRegion: "us-east-1", NewID: func() string { return "id" }}, Protocol: RPCv2CBOR, TargetPrefix: "Svc",
		QueryCompatible: func(c string) string { return c + "Exception" }}
	api.Register(Handle("Op", func(c *Call, in *fuzzCBORInput) (fuzzCBOROutput, error) {
		out := fuzzCBOROutput{Name: *in.Name, When: in.When}
		if in.Count != nil {
			out.Count = *in.Count
		}
		return out, nil
	}))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/service/Svc/operation/Op", bytes.NewReader(body))
		req.Header.Set(HeaderSmithyProtocol, SmithyRPCv2CBOR)
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code != http.StatusOK && (w.Code < 400 || w.Code >= 500) {
			t.Fatalf("status %d for %x: %s", w.Code, body, w.Body.Bytes())
		}
		var m map[string]any
		if err := cbor.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("answer is not a CBOR map (%d): %v %x", w.Code, err, w.Body.Bytes())
		}
		if w.Code != http.StatusOK && (m["__type"] == nil || m["message"] == nil) {
			t.Fatalf("error without __type and message: %v", m)
		}
	})
}

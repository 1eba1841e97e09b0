package awsproto

import (
	"strings"
	"testing"
)

// fastIn decodes its own body (as a hot path's hand-written decoder would)
// and still has its tags checked.
type fastIn struct {
	Name    *string `json:"Name" required:"true" min:"2"`
	decoded bool
}

func (in *fastIn) DecodeBody(body []byte) error {
	in.decoded = true
	if s := string(body); strings.HasPrefix(s, `{"Name":"`) && strings.HasSuffix(s, `"}`) {
		name := s[len(`{"Name":"`) : len(s)-2]
		in.Name = &name
		return nil
	}
	if string(body) == "{}" {
		return nil
	}
	return ErrSerialization.New("fastIn: unexpected body")
}

func TestBodyDecoder(t *testing.T) {
	a := &API{Base: testBase(), Protocol: JSON10, TargetPrefix: "Fast"}
	a.Register(Handle("Echo", func(c *Call, in *fastIn) ([]byte, error) {
		if !in.decoded {
			t.Error("DecodeBody was not used")
		}
		return []byte(`{"Name":"` + *in.Name + `"}`), nil
	}))
	cases := []struct {
		body, errType, bodyHas string
		status                 int
	}{
		{`{"Name":"abc"}`, "", `{"Name":"abc"}`, 200},
		{`{"Name":"a"}`, "ValidationException", "Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2", 400},
		{`{}`, "ValidationException", "Value null at 'name' failed to satisfy constraint: Member must not be null", 400},
		{`{"Other":1}`, "SerializationException", "fastIn: unexpected body", 400},
	}
	for _, c := range cases {
		w := doJSON(a, "Fast.Echo", c.body)
		if w.Code != c.status || w.Header().Get("X-Amzn-ErrorType") != c.errType || !strings.Contains(w.Body.String(), c.bodyHas) {
			t.Errorf("%s: %d %q %s", c.body, w.Code, w.Header().Get("X-Amzn-ErrorType"), w.Body)
		}
	}
}

package awsproto

import (
	"strings"
	"testing"
)

type checkedIn struct {
	Name *string `json:"Name" required:"true" max:"3"`
}

func (in *checkedIn) Validate() error {
	if *in.Name == "bad" {
		return ErrValidation.New("bad name")
	}
	return nil
}

// A hot path that decodes its raw body itself gets the same checks as a
// typed input: tags first, then Validate.
func TestAPICheck(t *testing.T) {
	a := &API{Base: testBase(), Protocol: JSON11, TargetPrefix: "Things"}
	a.Register(Handle("Raw", func(c *Call, body *[]byte) ([]byte, error) {
		var in checkedIn
		if err := DecodeJSON(*body, &in); err != nil {
			return nil, err
		}
		if err := a.Check(&in); err != nil {
			return nil, err
		}
		return []byte(`{"ok":true}`), nil
	}))
	for body, want := range map[string]string{
		`{"Name":"ok"}`:   `{"ok":true}`,
		`{}`:              `Value null at 'name' failed to satisfy constraint: Member must not be null`,
		`{"Name":"long"}`: `Value 'long' at 'name' failed to satisfy constraint: Member must have length less than or equal to 3`,
		`{"Name":"bad"}`:  `"message":"bad name"`,
	} {
		if w := doJSON(a, "Things.Raw", body); !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s, want %s", body, w.Code, w.Body, want)
		}
	}
}

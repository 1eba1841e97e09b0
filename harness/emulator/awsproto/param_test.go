package awsproto

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// strictBool parses only "true" and "false" and names its key when it fails.
type strictBool bool

func (b *strictBool) UnmarshalParam(key, s string) error {
	switch strings.ToLower(s) {
	case "true":
		*b = true
	case "false", "":
		*b = false
	default:
		return Code{"InvalidParameterValue", http.StatusBadRequest}.Errorf("Invalid value '%s' for %s. Expected a boolean.", s, key)
	}
	return nil
}

type paramIn struct {
	ImageId  *string  `required:"true"`
	IDs      []string `query:"InstanceId" required:"true"`
	Force    strictBool
	Flags    []strictBool `query:"Flag"`
	MaxItems *int         `min:"1"`
}

func paramAPI(p Protocol, missing bool) *API {
	a := &API{Base: testBase(), Protocol: p, XMLNS: "x", Invalid: ErrValidationError}
	if missing {
		a.Missing = func(param string) *Error {
			return ErrMissingParameter.Errorf("The request must contain the parameter %s", param)
		}
	}
	a.Register(Handle("Run", func(c *Call, in *paramIn) (listOut, error) {
		return listOut{RoleName: *in.ImageId, IDs: in.IDs, Enabled: bool(in.Force)}, nil
	}))
	return a
}

func TestAPIParamUnmarshalerAndMissing(t *testing.T) {
	a := paramAPI(EC2Query, true)
	w := doForm(a, url.Values{"Action": {"Run"}, "ImageId": {"ami-1"}, "InstanceId.1": {"i-1"}, "Force": {"TRUE"}, "Flag.1": {"false"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<RoleName>ami-1</RoleName><Count>0</Count><Keys></Keys><IDs><member>i-1</member></IDs><Enabled>true</Enabled>") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	for _, c := range []struct {
		form      url.Values
		code, msg string
	}{
		{url.Values{"Action": {"Run"}}, "MissingParameter", "The request must contain the parameter ImageId"},
		{url.Values{"Action": {"Run"}, "ImageId": {"ami-1"}}, "MissingParameter", "The request must contain the parameter InstanceId"},
		{url.Values{"Action": {"Run"}, "ImageId": {"ami-1"}, "InstanceId": {""}}, "MissingParameter", "The request must contain the parameter InstanceId"},
		{url.Values{"Action": {"Run"}, "ImageId": {"ami-1"}, "InstanceId.1": {"i-1"}, "Force": {"yes"}}, "InvalidParameterValue", "Invalid value 'yes' for Force. Expected a boolean."},
		{url.Values{"Action": {"Run"}, "ImageId": {"ami-1"}, "InstanceId.1": {"i-1"}, "Flag.1": {"1"}}, "InvalidParameterValue", "Invalid value '1' for Flag. Expected a boolean."},
		// the other constraints still speak AWS's validation wording
		{url.Values{"Action": {"Run"}, "ImageId": {"ami-1"}, "InstanceId.1": {"i-1"}, "MaxItems": {"0"}}, "ValidationError", "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	} {
		w := doForm(a, c.form)
		body := html.UnescapeString(w.Body.String())
		if w.Code != 400 || !strings.Contains(body, "<Code>"+c.code+"</Code><Message>"+c.msg+"</Message>") {
			t.Errorf("%v: %d %s", c.form, w.Code, body)
		}
	}
	// Without Missing, required members are reported as before.
	w = doForm(paramAPI(EC2Query, false), url.Values{"Action": {"Run"}})
	if body := html.UnescapeString(w.Body.String()); w.Code != 400 || !strings.Contains(body, "2 validation errors detected: Value null at 'imageId'") {
		t.Fatalf("%d %s", w.Code, body)
	}
}

func TestAPIMissingNamesJSONMembersByWireName(t *testing.T) {
	a := &API{Base: testBase(), Protocol: JSON11, TargetPrefix: "Things",
		Missing: func(param string) *Error { return ErrMissingParameter.New(param) }}
	a.Register(Handle("CreateThing", createThing))
	w := doJSON(a, "Things.CreateThing", `{}`)
	if w.Code != 400 || !strings.Contains(w.Body.String(), `"message":"Name"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

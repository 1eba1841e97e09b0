package awsproto

import (
	"html"
	"net/url"
	"strings"
	"testing"
)

// Members many inputs share live in one unexported struct each, embedded
// where the model lists them; as with encoding/json, an embedded struct's
// exported members are the input's own.
type nameRef struct {
	RoleName *string `required:"true" min:"1" max:"8"`
}

type pageRef struct {
	Marker   *string `min:"1"`
	MaxItems *int    `min:"1" max:"10"`
}

type embeddedIn struct {
	Path *string `min:"1"`
	nameRef
	pageRef
}

type embeddedOut struct {
	RoleName string
	Path     string
	MaxItems int
}

func TestAPIEmbeddedUnexported(t *testing.T) {
	a := &API{Base: testBase(), Protocol: Query, XMLNS: "x", Invalid: ErrValidationError}
	a.Register(Handle("Get", func(c *Call, in *embeddedIn) (embeddedOut, error) {
		out := embeddedOut{RoleName: *in.RoleName, Path: *in.Path}
		if in.MaxItems != nil {
			out.MaxItems = *in.MaxItems
		}
		return out, nil
	}))
	w := doForm(a, url.Values{"Action": {"Get"}, "RoleName": {"r"}, "Path": {"/"}, "MaxItems": {"3"}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<GetResult><RoleName>r</RoleName><Path>/</Path><MaxItems>3</MaxItems></GetResult>") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w = doForm(a, url.Values{"Action": {"Get"}, "Path": {""}, "Marker": {""}, "MaxItems": {"11"}})
	want := "4 validation errors detected: Value '' at 'path' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
		"Value null at 'roleName' failed to satisfy constraint: Member must not be null; " +
		"Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
		"Value '11' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10"
	if w.Code != 400 || !strings.Contains(html.UnescapeString(w.Body.String()), want) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}

	j := &API{Base: testBase(), Protocol: JSON11, TargetPrefix: "T"}
	j.Register(Handle("Get", func(c *Call, in *embeddedIn) (embeddedOut, error) { return embeddedOut{RoleName: *in.RoleName}, nil }))
	if w := doJSON(j, "T.Get", `{"RoleName":"r"}`); w.Code != 200 || !strings.Contains(w.Body.String(), `"RoleName":"r"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := doJSON(j, "T.Get", `{"RoleName":"much-too-long"}`); w.Code != 400 || !strings.Contains(w.Body.String(), "at 'roleName'") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

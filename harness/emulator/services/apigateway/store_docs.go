package apigateway

import (
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// Documentation parts and versions of an API (callers hold its lock).

// DocLocation is where in an API a documentation part applies.
type DocLocation struct {
	Type, Path, Method, StatusCode, Name string
}

// DocPart is one documentation part: a location and its JSON properties.
type DocPart struct {
	ID         string
	Location   DocLocation
	Properties string
}

// DocVersion is a named snapshot of the documentation parts.
type DocVersion struct {
	Version, Description string
	Created              time.Time
	Parts                []DocPart
}

var (
	errDocPartNotFound    = ErrNotFound.New("Invalid Documentation part identifier specified")
	errDocVersionNotFound = ErrNotFound.New("Invalid Documentation version identifier specified")
)

// normalize fills the defaults AWS stores: path "/" and method "*" where
// the type has them, statusCode "*" for responses.
func (l *DocLocation) normalize() {
	switch l.Type {
	case "API", "AUTHORIZER", "MODEL":
		l.Path, l.Method, l.StatusCode = "", "", ""
		return
	}
	if l.Path == "" {
		l.Path = "/"
	}
	if l.Method == "" && l.Type != "RESOURCE" {
		l.Method = "*"
	}
	if l.StatusCode == "" && (l.Type == "RESPONSE" || l.Type == "RESPONSE_HEADER" || l.Type == "RESPONSE_BODY") {
		l.StatusCode = "*"
	}
}

func checkDocProperties(p string) error {
	var v map[string]any
	if json.Unmarshal([]byte(p), &v) != nil {
		return ErrBadRequest.New("Documentation part properties must be a valid JSON object")
	}
	return nil
}

// CreateDocPart adds a part; one part per location.
func (a *API) CreateDocPart(s *Store, loc DocLocation, properties string) (*DocPart, error) {
	a.ensureParts()
	if err := checkDocProperties(properties); err != nil {
		return nil, err
	}
	loc.normalize()
	for _, p := range a.docParts {
		if p.Location == loc {
			return nil, ErrConflict.New("Documentation part already exists for the specified location: " + p.ID)
		}
	}
	p := &DocPart{Location: loc, Properties: properties}
	for {
		p.ID = s.shortID(6)
		if a.docParts[p.ID] == nil {
			break
		}
	}
	a.docParts[p.ID] = p
	return p, nil
}

// DocPart returns a part by id.
func (a *API) DocPart(id string) (*DocPart, error) {
	if p := a.docParts[id]; p != nil {
		return p, nil
	}
	return nil, errDocPartNotFound
}

// DocParts lists the parts of a type (all when empty) whose name contains
// nameQuery and whose path is path (any when empty), by id.
func (a *API) DocParts(typ, name, path string) []*DocPart {
	out := make([]*DocPart, 0, len(a.docParts))
	for _, p := range a.docParts {
		if (typ == "" || p.Location.Type == typ) && (name == "" || containsFold(p.Location.Name, name)) &&
			(path == "" || p.Location.Path == path) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// PatchDocPart applies UpdateDocumentationPart's operations (/properties).
func (a *API) PatchDocPart(id string, ops []PatchOp) (*DocPart, error) {
	p, err := a.DocPart(id)
	if err != nil {
		return nil, err
	}
	next := *p
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/properties" {
			return nil, badPatch(op)
		}
		if err := checkDocProperties(op.Value); err != nil {
			return nil, err
		}
		next.Properties = op.Value
	}
	*p = next
	return p, nil
}

// DeleteDocPart deletes a part.
func (a *API) DeleteDocPart(id string) error {
	if _, err := a.DocPart(id); err != nil {
		return err
	}
	delete(a.docParts, id)
	return nil
}

// ImportDocParts adds parts (merge: a location's part is replaced) or
// replaces them all (overwrite), returning the ids of the parts imported.
func (a *API) ImportDocParts(s *Store, parts []DocPart, overwrite bool) ([]string, error) {
	a.ensureParts()
	for _, p := range parts {
		if err := checkDocProperties(p.Properties); err != nil {
			return nil, err
		}
	}
	if overwrite {
		a.docParts = map[string]*DocPart{}
	}
	ids := make([]string, 0, len(parts))
	for _, in := range parts {
		in.Location.normalize()
		var found *DocPart
		for _, p := range a.docParts {
			if p.Location == in.Location {
				found = p
			}
		}
		if found != nil {
			found.Properties = in.Properties
			ids = append(ids, found.ID)
			continue
		}
		p, err := a.CreateDocPart(s, in.Location, in.Properties)
		if err != nil {
			return nil, err
		}
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// CreateDocVersion snapshots the parts under a version name, and points
// stage (when given) at it.
func (a *API) CreateDocVersion(now time.Time, version, description, stage string) (*DocVersion, error) {
	a.ensureParts()
	if a.docVersions[version] != nil {
		return nil, ErrConflict.New("Documentation version already exists")
	}
	var st *Stage
	if stage != "" {
		var err error
		if st, err = a.Stage(stage); err != nil {
			return nil, err
		}
	}
	v := &DocVersion{Version: version, Description: description, Created: now}
	for _, p := range a.DocParts("", "", "") {
		v.Parts = append(v.Parts, *p)
	}
	a.docVersions[version] = v
	if st != nil {
		st.DocumentationVersion = version
	}
	return v, nil
}

// DocVersion returns a version.
func (a *API) DocVersion(version string) (*DocVersion, error) {
	if v := a.docVersions[version]; v != nil {
		return v, nil
	}
	return nil, errDocVersionNotFound
}

// DocVersions lists the versions by creation.
func (a *API) DocVersions() []*DocVersion {
	out := make([]*DocVersion, 0, len(a.docVersions))
	for _, v := range a.docVersions {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// PatchDocVersion applies UpdateDocumentationVersion's operations.
func (a *API) PatchDocVersion(version string, ops []PatchOp) (*DocVersion, error) {
	v, err := a.DocVersion(version)
	if err != nil {
		return nil, err
	}
	desc := v.Description
	for _, op := range ops {
		if op.Op != "replace" || op.Path != "/description" {
			return nil, badPatch(op)
		}
		desc = op.Value
	}
	v.Description = desc
	return v, nil
}

// DeleteDocVersion deletes a version.
func (a *API) DeleteDocVersion(version string) error {
	if _, err := a.DocVersion(version); err != nil {
		return err
	}
	delete(a.docVersions, version)
	return nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

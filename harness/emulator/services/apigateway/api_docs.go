package apigateway

import (
	"encoding/json"
	"net/http"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Documentation parts and versions of an API.

func (s *Service) docOperations() []awsproto.Operation {
	const (
		parts    = "/restapis/{restapi_id}/documentation/parts"
		versions = "/restapis/{restapi_id}/documentation/versions"
	)
	h := func(op awsproto.Operation, route string, status int) awsproto.Operation {
		return op.At(route).WithStatus(status)
	}
	return []awsproto.Operation{
		h(awsproto.Handle("CreateDocumentationPart", s.createDocPart), "POST "+parts, http.StatusCreated),
		h(awsproto.Handle("ImportDocumentationParts", s.importDocParts), "PUT "+parts, http.StatusOK),
		h(awsproto.Handle("GetDocumentationParts", s.getDocParts), "GET "+parts, http.StatusOK),
		h(awsproto.Handle("GetDocumentationPart", s.getDocPart), "GET "+parts+"/{part_id}", http.StatusOK),
		h(awsproto.Handle("UpdateDocumentationPart", s.updateDocPart), "PATCH "+parts+"/{part_id}", http.StatusOK),
		h(awsproto.Handle("DeleteDocumentationPart", s.deleteDocPart), "DELETE "+parts+"/{part_id}", http.StatusAccepted),

		h(awsproto.Handle("CreateDocumentationVersion", s.createDocVersion), "POST "+versions, http.StatusCreated),
		h(awsproto.Handle("GetDocumentationVersions", s.getDocVersions), "GET "+versions, http.StatusOK),
		h(awsproto.Handle("GetDocumentationVersion", s.getDocVersion), "GET "+versions+"/{doc_version}", http.StatusOK),
		h(awsproto.Handle("UpdateDocumentationVersion", s.updateDocVersion), "PATCH "+versions+"/{doc_version}", http.StatusOK),
		h(awsproto.Handle("DeleteDocumentationVersion", s.deleteDocVersion), "DELETE "+versions+"/{doc_version}", http.StatusAccepted),
	}
}

const docPartTypes = "API,AUTHORIZER,MODEL,RESOURCE,METHOD,PATH_PARAMETER,QUERY_PARAMETER,REQUEST_HEADER,REQUEST_BODY,RESPONSE,RESPONSE_HEADER,RESPONSE_BODY"

type docLocationJSON struct {
	Type       string `json:"type" yaml:"type" required:"true" enum:"API,AUTHORIZER,MODEL,RESOURCE,METHOD,PATH_PARAMETER,QUERY_PARAMETER,REQUEST_HEADER,REQUEST_BODY,RESPONSE,RESPONSE_HEADER,RESPONSE_BODY"`
	Path       string `json:"path,omitempty" yaml:"path"`
	Method     string `json:"method,omitempty" yaml:"method"`
	StatusCode string `json:"statusCode,omitempty" yaml:"statusCode" pattern:"^([1-5]\\d\\d|\\*|\\s*)$"`
	Name       string `json:"name,omitempty" yaml:"name"`
}

func (l docLocationJSON) location() DocLocation {
	return DocLocation(l)
}

type docPartOut struct {
	ID         string          `json:"id"`
	Location   docLocationJSON `json:"location"`
	Properties string          `json:"properties"`
}

func docPartView(p *DocPart) docPartOut {
	return docPartOut{ID: p.ID, Properties: p.Properties, Location: docLocationJSON(p.Location)}
}

type createDocPartInput struct {
	apiPath
	Location   *docLocationJSON `json:"location" required:"true"`
	Properties string           `json:"properties" required:"true"`
}

func (s *Service) createDocPart(c *awsproto.Call, in *createDocPartInput) (docPartOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (docPartOut, error) {
		return as(docPartView)(a.CreateDocPart(s.store, in.Location.location(), in.Properties))
	})
}

type getDocPartsInput struct {
	apiPath
	pageInput
	Type           string `json:"-" location:"querystring" name:"type" enum:"API,AUTHORIZER,MODEL,RESOURCE,METHOD,PATH_PARAMETER,QUERY_PARAMETER,REQUEST_HEADER,REQUEST_BODY,RESPONSE,RESPONSE_HEADER,RESPONSE_BODY"`
	NameQuery      string `json:"-" location:"querystring" name:"name"`
	Path           string `json:"-" location:"querystring" name:"path"`
	LocationStatus string `json:"-" location:"querystring" name:"locationStatus" enum:"DOCUMENTED,UNDOCUMENTED"`
}

func (s *Service) getDocParts(c *awsproto.Call, in *getDocPartsInput) (listOut[docPartOut], error) {
	return read(s, in.RestAPIID, func(a *API) (listOut[docPartOut], error) {
		all := a.DocParts(in.Type, in.NameQuery, in.Path)
		if in.LocationStatus == "UNDOCUMENTED" { // every listed part documents its location
			all = nil
		}
		return page(in.pageInput, all, docPartView)
	})
}

type docPartPath struct {
	apiPath
	PartID string `json:"-" location:"uri" name:"part_id"`
}

func (s *Service) getDocPart(c *awsproto.Call, in *docPartPath) (docPartOut, error) {
	return read(s, in.RestAPIID, func(a *API) (docPartOut, error) { return as(docPartView)(a.DocPart(in.PartID)) })
}

type updateDocPartInput struct {
	docPartPath
	patchInput
}

func (s *Service) updateDocPart(c *awsproto.Call, in *updateDocPartInput) (docPartOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (docPartOut, error) {
		return as(docPartView)(a.PatchDocPart(in.PartID, in.PatchOperations))
	})
}

func (s *Service) deleteDocPart(c *awsproto.Call, in *docPartPath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteDocPart(in.PartID) })
}

type importDocPartsInput struct {
	apiPath
	Mode           string `json:"-" location:"querystring" name:"mode" enum:"merge,overwrite"`
	FailOnWarnings string `json:"-" location:"querystring" name:"failonwarnings"`
	Body           []byte `json:"-" location:"body" required:"true"`
}

type docPartIDsOut struct {
	IDs      []string `json:"ids"`
	Warnings []string `json:"warnings,omitempty"`
}

// importDocParts reads the x-amazon-apigateway-documentation extension of
// an OpenAPI definition (JSON or YAML).
func (s *Service) importDocParts(c *awsproto.Call, in *importDocPartsInput) (docPartIDsOut, error) {
	var def struct {
		Doc struct {
			Parts []struct {
				Location   docLocationJSON `yaml:"location"`
				Properties any             `yaml:"properties"`
			} `yaml:"documentationParts"`
		} `yaml:"x-amazon-apigateway-documentation"`
	}
	if err := yaml.Unmarshal(in.Body, &def); err != nil {
		return docPartIDsOut{}, ErrBadRequest.New("Invalid OpenAPI input specified: the definition is neither JSON nor YAML")
	}
	parts := make([]DocPart, 0, len(def.Doc.Parts))
	for _, p := range def.Doc.Parts {
		l := p.Location
		if !strings.Contains(","+docPartTypes+",", ","+l.Type+",") || l.Type == "" {
			return docPartIDsOut{}, ErrBadRequest.Errorf("Invalid documentation part location type specified: %s", l.Type)
		}
		props, err := json.Marshal(yamlToJSON(p.Properties))
		if err != nil {
			return docPartIDsOut{}, ErrBadRequest.New("Invalid documentation part properties")
		}
		parts = append(parts, DocPart{Location: l.location(), Properties: string(props)})
	}
	return edit(s, in.RestAPIID, func(a *API) (docPartIDsOut, error) {
		ids, err := a.ImportDocParts(s.store, parts, in.Mode == "overwrite")
		return docPartIDsOut{IDs: ids}, err
	})
}

// yamlToJSON turns what yaml.v3 decodes (map[string]any, []any) into
// values encoding/json marshals.
func yamlToJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = yamlToJSON(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if ks, ok := k.(string); ok {
				m[ks] = yamlToJSON(e)
			}
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = yamlToJSON(e)
		}
		return x
	case nil:
		return map[string]any{}
	}
	return v
}

// --- versions

type docVersionOut struct {
	Version     string `json:"version"`
	CreatedDate int64  `json:"createdDate"`
	Description string `json:"description,omitempty"`
}

func docVersionView(v *DocVersion) docVersionOut {
	return docVersionOut{Version: v.Version, CreatedDate: epoch(v.Created), Description: v.Description}
}

type createDocVersionInput struct {
	apiPath
	DocumentationVersion string `json:"documentationVersion" required:"true"`
	StageName            string `json:"stageName"`
	Description          string `json:"description"`
}

func (s *Service) createDocVersion(c *awsproto.Call, in *createDocVersionInput) (docVersionOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (docVersionOut, error) {
		return as(docVersionView)(a.CreateDocVersion(s.env.Now(), in.DocumentationVersion, in.Description, in.StageName))
	})
}

type getDocVersionsInput struct {
	apiPath
	pageInput
}

func (s *Service) getDocVersions(c *awsproto.Call, in *getDocVersionsInput) (listOut[docVersionOut], error) {
	return read(s, in.RestAPIID, func(a *API) (listOut[docVersionOut], error) {
		return page(in.pageInput, a.DocVersions(), docVersionView)
	})
}

type docVersionPath struct {
	apiPath
	Version string `json:"-" location:"uri" name:"doc_version"`
}

func (s *Service) getDocVersion(c *awsproto.Call, in *docVersionPath) (docVersionOut, error) {
	return read(s, in.RestAPIID, func(a *API) (docVersionOut, error) { return as(docVersionView)(a.DocVersion(in.Version)) })
}

type updateDocVersionInput struct {
	docVersionPath
	patchInput
}

func (s *Service) updateDocVersion(c *awsproto.Call, in *updateDocVersionInput) (docVersionOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (docVersionOut, error) {
		return as(docVersionView)(a.PatchDocVersion(in.Version, in.PatchOperations))
	})
}

func (s *Service) deleteDocVersion(c *awsproto.Call, in *docVersionPath) (struct{}, error) {
	return struct{}{}, s.store.Edit(in.RestAPIID, func(a *API) error { return a.DeleteDocVersion(in.Version) })
}

package apigateway

import (
	"encoding/json"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ImportRestApi, PutRestApi and GetExport: REST APIs from and to OpenAPI.

type importRestAPIInput struct {
	FailOnWarnings string `json:"-" location:"querystring" name:"failonwarnings"`
	Body           []byte `json:"-" location:"body" required:"true"`
	// parameters, the model's map of the whole query string (endpointConfigurationTypes,
	// basepath, ignore), is read from the request.
}

// importRestAPI creates an API from a definition: its name is the info's title.
func (s *Service) importRestAPI(c *awsproto.Call, in *importRestAPIInput) (restAPIOut, error) {
	doc, err := ParseOpenAPI(in.Body)
	if err != nil {
		return restAPIOut{}, err
	}
	if doc.Info.Title == "" {
		return restAPIOut{}, ErrBadRequest.New("Invalid OpenAPI input specified: the definition has no title (info.title)")
	}
	var types []string
	if t := c.Request.URL.Query().Get("endpointConfigurationTypes"); t != "" {
		types = []string{t}
	}
	a := s.store.CreateAPI(c.Region, NewAPI{Name: doc.Info.Title, Version: doc.Info.Version, EndpointTypes: types})
	out, err := edit(s, a.ID, func(a *API) (restAPIOut, error) {
		if err := a.Import(s.store, doc, true); err != nil {
			return restAPIOut{}, err
		}
		return restAPIView(a), nil
	})
	if err != nil {
		s.store.DeleteAPI(a.ID) // an import that fails creates nothing
	}
	return out, err
}

type putRestAPIInput struct {
	apiPath
	Mode           string `json:"-" location:"querystring" name:"mode" enum:"merge,overwrite"`
	FailOnWarnings string `json:"-" location:"querystring" name:"failonwarnings"`
	Body           []byte `json:"-" location:"body" required:"true"`
}

// putRestAPI merges a definition into an API, or (overwrite, the
// default) replaces the API's resources, models, validators and gateway
// responses with the definition's.
func (s *Service) putRestAPI(c *awsproto.Call, in *putRestAPIInput) (restAPIOut, error) {
	doc, err := ParseOpenAPI(in.Body)
	if err != nil {
		return restAPIOut{}, err
	}
	return edit(s, in.RestAPIID, func(a *API) (restAPIOut, error) {
		if err := a.Import(s.store, doc, in.Mode != "merge"); err != nil {
			return restAPIOut{}, err
		}
		if doc.Info.Title != "" && in.Mode != "merge" {
			a.Name = doc.Info.Title
		}
		return restAPIView(a), nil
	})
}

type getExportInput struct {
	stagePath
	ExportType string `json:"-" location:"uri" name:"export_type"`
	Accepts    string `json:"-" location:"header" name:"Accept"`
	// parameters (extensions=integrations|apigateway|…) is read from the request.
}

// getExport writes the stage's deployment as swagger or oas30, in JSON or
// (Accept: application/yaml) YAML.
func (s *Service) getExport(c *awsproto.Call, in *getExportInput) (fileOut, error) {
	if in.ExportType != "swagger" && in.ExportType != "oas30" {
		return fileOut{}, ErrBadRequest.New("Invalid export type specified: " + in.ExportType + ". Valid types are swagger, oas30")
	}
	type meta struct {
		name, description, version, region string
		snap                               *Snapshot
	}
	m, err := read(s, in.RestAPIID, func(a *API) (meta, error) {
		st, err := a.Stage(in.StageName)
		if err != nil {
			return meta{}, err
		}
		d, err := a.Deployment(st.DeploymentID)
		if err != nil {
			return meta{}, err
		}
		return meta{a.Name, a.Description, d.Created.UTC().Format("2006-01-02T15:04:05Z"), a.Region, d.Snapshot}, nil
	})
	if err != nil {
		return fileOut{}, err
	}
	ext := c.Request.URL.Query().Get("extensions")
	withExt := strings.Contains(ext, "integrations") || strings.Contains(ext, "apigateway")
	doc := ExportOpenAPI(m.snap, in.RestAPIID, m.name, m.description, m.version, m.region, in.StageName, in.ExportType, withExt)
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fileOut{}, err
	}
	ct, suffix := "application/json", "json"
	if strings.Contains(in.Accepts, "yaml") {
		var v any
		_ = json.Unmarshal(body, &v)
		if body, err = yaml.Marshal(v); err != nil {
			return fileOut{}, err
		}
		ct, suffix = "application/yaml", "yaml"
	}
	return fileOut{ContentType: ct, Body: body,
		ContentDisposition: `attachment; filename="` + in.ExportType + "_" + m.version + "." + suffix + `"`}, nil
}

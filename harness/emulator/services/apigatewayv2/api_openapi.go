package apigatewayv2

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type importAPIInput struct {
	Body           *string `json:"body" required:"true"`
	Basepath       string  `json:"-" location:"querystring" name:"basepath"`
	FailOnWarnings string  `json:"-" location:"querystring" name:"failOnWarnings"`
}

func (in *importAPIInput) Validate() error {
	switch in.Basepath {
	case "", "ignore", "prepend", "split":
	default:
		return ErrBadRequest.Errorf("Invalid basepath mode specified: %s", in.Basepath)
	}
	return nil
}

// importOut is what ImportApi and ReimportApi answer: the API and what the
// import left out.
type importOut struct {
	APIInfo
	Warnings []string `json:"warnings,omitempty"`
}

// parseImport reads the document and applies failOnWarnings.
func parseImport(in *importAPIInput) (APISpec, []importedRoute, []string, error) {
	spec, routes, warnings, err := parseOpenAPI(*in.Body, in.Basepath)
	if err == nil && len(warnings) > 0 && strings.EqualFold(in.FailOnWarnings, "true") {
		err = ErrBadRequest.New("Warnings found during import:\n\t" + strings.Join(warnings, "\n\t"))
	}
	return spec, routes, warnings, err
}

func (s *Service) importAPI(c *awsproto.Call, in *importAPIInput) (importOut, error) {
	spec, routes, warnings, err := parseImport(in)
	if err != nil {
		return importOut{}, err
	}
	a, err := s.store.CreateAPI(c.Region, ProtocolHTTP, APISpec{Name: spec.Name, CorsConfiguration: spec.CorsConfiguration})
	if err != nil {
		return importOut{}, err
	}
	out, err := edit(s, a.ID, true, func(a *API) (importOut, error) {
		if err := s.store.importOpenAPI(a, spec, routes); err != nil {
			return importOut{}, err
		}
		return importOut{APIInfo: s.apiView(c, a), Warnings: warnings}, nil
	})
	if err != nil {
		_ = s.store.DeleteAPI(a.ID)
	}
	return out, err
}

type reimportAPIInput struct {
	apiPath
	importAPIInput
}

func (s *Service) reimportAPI(c *awsproto.Call, in *reimportAPIInput) (importOut, error) {
	spec, routes, warnings, err := parseImport(&in.importAPIInput)
	if err != nil {
		return importOut{}, err
	}
	return edit(s, in.APIID, true, func(a *API) (importOut, error) {
		if err := s.store.importOpenAPI(a, spec, routes); err != nil {
			return importOut{}, err
		}
		return importOut{APIInfo: s.apiView(c, a), Warnings: warnings}, nil
	})
}

type exportAPIInput struct {
	apiPath
	Specification     string `json:"-" location:"uri" name:"specification"`
	OutputType        string `json:"-" location:"querystring" name:"outputType" required:"true"`
	IncludeExtensions *bool  `json:"-" location:"querystring" name:"includeExtensions"`
	StageName         string `json:"-" location:"querystring" name:"stageName"`
	ExportVersion     string `json:"-" location:"querystring" name:"exportVersion"`
}

func (in *exportAPIInput) Validate() error {
	switch {
	case in.Specification != "OAS30":
		return ErrBadRequest.Errorf("Invalid specification specified: %s. Supported values: OAS30", in.Specification)
	case in.OutputType != "JSON" && in.OutputType != "YAML":
		return ErrBadRequest.Errorf("Invalid outputType specified: %s. Supported values: JSON, YAML", in.OutputType)
	case in.ExportVersion != "" && in.ExportVersion != "1.0":
		return ErrBadRequest.Errorf("Invalid exportVersion specified: %s. Supported values: 1.0", in.ExportVersion)
	}
	return nil
}

// exportAPI renders the API's current routes and integrations (with a
// stage name, the stage must exist; its last deployment is not what is
// rendered).
func (s *Service) exportAPI(c *awsproto.Call, in *exportAPIInput) ([]byte, error) {
	return read(s, in.APIID, func(a *API) ([]byte, error) {
		if a.ProtocolType != ProtocolHTTP {
			return nil, ErrBadRequest.New("Only HTTP APIs can be exported")
		}
		if in.StageName != "" {
			if _, err := a.Stage(in.StageName); err != nil {
				return nil, err
			}
		}
		return exportOpenAPI(a, in.OutputType == "YAML", in.IncludeExtensions == nil || *in.IncludeExtensions)
	})
}

package apigateway

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Models, request validators and gateway responses: parts of an API its
// deployments snapshot (callers hold the API's lock).

// Model is a named JSON schema of an API.
type Model struct {
	ID, Name, Description, Schema, ContentType string
}

// RequestValidator says what a method's requests are checked for.
type RequestValidator struct {
	ID, Name           string
	ValidateBody       bool
	ValidateParameters bool
}

// GatewayResponse is an API's customisation of one of API Gateway's own
// answers (a missing key, a throttled request, a failed integration…).
type GatewayResponse struct {
	Type               string
	StatusCode         string
	ResponseParameters map[string]string
	ResponseTemplates  map[string]string
	Default            bool
}

var (
	errModelNotFound       = ErrNotFound.New("Invalid model name specified")
	errValidatorNotFound   = ErrNotFound.New("Invalid Request Validator identifier specified")
	errGatewayRespNotFound = ErrNotFound.New("Invalid gateway response type specified")
	modelNameRE            = regexp.MustCompile(`^[a-zA-Z0-9]+$`)
)

// defaultModels are the models every new API has, as on AWS.
func defaultModels(s *Store) map[string]*Model {
	return map[string]*Model{
		"Empty": {ID: s.shortID(6), Name: "Empty", ContentType: "application/json", Description: "This is a default empty schema model",
			Schema: "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}"},
		"Error": {ID: s.shortID(6), Name: "Error", ContentType: "application/json", Description: "This is a default error schema model",
			Schema: "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}"},
	}
}

func (a *API) ensureParts() {
	if a.models == nil {
		a.models = map[string]*Model{}
	}
	if a.validators == nil {
		a.validators = map[string]*RequestValidator{}
	}
	if a.gatewayResponses == nil {
		a.gatewayResponses = map[string]*GatewayResponse{}
	}
	if a.docParts == nil {
		a.docParts = map[string]*DocPart{}
	}
	if a.docVersions == nil {
		a.docVersions = map[string]*DocVersion{}
	}
}

func checkSchema(schema string) error {
	if schema == "" {
		return nil
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(schema), &v); err != nil {
		return ErrBadRequest.New("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. Unsupported keyword(s): []. Model schema must be a valid JSON object]")
	}
	return nil
}

// CreateModel adds a model.
func (a *API) CreateModel(s *Store, m *Model) error {
	a.ensureParts()
	if !modelNameRE.MatchString(m.Name) {
		return ErrBadRequest.New("Model name must be alphanumeric")
	}
	if err := checkSchema(m.Schema); err != nil {
		return err
	}
	if a.models[m.Name] != nil {
		return ErrConflict.New("Model name already exists for this REST API")
	}
	m.ID = s.shortID(6)
	a.models[m.Name] = m
	return nil
}

// Model returns a model by name.
func (a *API) Model(name string) (*Model, error) {
	if m := a.models[name]; m != nil {
		return m, nil
	}
	return nil, errModelNotFound
}

// Models lists the models by name.
func (a *API) Models() []*Model {
	out := make([]*Model, 0, len(a.models))
	for _, m := range a.models {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PatchModel applies UpdateModel's operations (/description, /schema).
func (a *API) PatchModel(name string, ops []PatchOp) (*Model, error) {
	m, err := a.Model(name)
	if err != nil {
		return nil, err
	}
	next := *m
	for _, op := range ops {
		if op.Op != "replace" {
			return nil, badPatch(op)
		}
		switch op.Path {
		case "/description":
			next.Description = op.Value
		case "/schema":
			if err := checkSchema(op.Value); err != nil {
				return nil, err
			}
			next.Schema = op.Value
		default:
			return nil, badPatch(op)
		}
	}
	*m = next
	return m, nil
}

// DeleteModel deletes a model no method's request or response names.
func (a *API) DeleteModel(name string) error {
	if _, err := a.Model(name); err != nil {
		return err
	}
	for _, r := range a.resources {
		for verb, m := range r.Methods {
			for _, v := range m.RequestModels {
				if v == name {
					return ErrConflict.Errorf("Cannot delete model '%s', is referenced in method request: %s/%s", name, r.Path, verb)
				}
			}
			for _, mr := range m.Responses {
				for _, v := range mr.ResponseModels {
					if v == name {
						return ErrConflict.Errorf("Cannot delete model '%s', is referenced in method response: %s/%s/%s", name, r.Path, verb, mr.StatusCode)
					}
				}
			}
		}
	}
	delete(a.models, name)
	return nil
}

// ModelTemplate is the mapping template AWS generates from a model: each
// top-level property mapped from the input.
func (a *API) ModelTemplate(name string) (string, error) {
	m, err := a.Model(name)
	if err != nil {
		return "", err
	}
	var schema struct {
		Type       string                    `json:"type"`
		Properties map[string]map[string]any `json:"properties"`
	}
	_ = json.Unmarshal([]byte(m.Schema), &schema)
	var b strings.Builder
	b.WriteString("#set($inputRoot = $input.path('$'))\n")
	if schema.Type == "array" {
		b.WriteString("[\n#foreach($elem in $inputRoot)\n  $elem\n#if($foreach.hasNext),#end\n#end\n]")
		return b.String(), nil
	}
	b.WriteString("{\n")
	names := slices.Sorted(maps.Keys(schema.Properties))
	for i, p := range names {
		typ, _ := schema.Properties[p]["type"].(string)
		switch typ {
		case "string":
			b.WriteString("  \"" + p + "\" : \"$inputRoot." + p + "\"")
		default:
			b.WriteString("  \"" + p + "\" : $inputRoot." + p)
		}
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}")
	return b.String(), nil
}

// --- request validators

// CreateRequestValidator adds a validator.
func (a *API) CreateRequestValidator(s *Store, v *RequestValidator) error {
	a.ensureParts()
	for _, x := range a.validators {
		if x.Name == v.Name && v.Name != "" {
			return ErrConflict.New("Validator with the same name already exists")
		}
	}
	for {
		v.ID = s.shortID(6)
		if a.validators[v.ID] == nil {
			break
		}
	}
	a.validators[v.ID] = v
	return nil
}

// RequestValidator returns a validator by id.
func (a *API) RequestValidator(id string) (*RequestValidator, error) {
	if v := a.validators[id]; v != nil {
		return v, nil
	}
	return nil, errValidatorNotFound
}

// RequestValidators lists the validators by id.
func (a *API) RequestValidators() []*RequestValidator {
	out := make([]*RequestValidator, 0, len(a.validators))
	for _, v := range a.validators {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// PatchRequestValidator applies UpdateRequestValidator's operations.
func (a *API) PatchRequestValidator(id string, ops []PatchOp) (*RequestValidator, error) {
	v, err := a.RequestValidator(id)
	if err != nil {
		return nil, err
	}
	next := *v
	for _, op := range ops {
		if op.Op != "replace" {
			return nil, badPatch(op)
		}
		switch op.Path {
		case "/name":
			next.Name = op.Value
		case "/validateRequestBody", "/validateRequestParameters":
			b, err := parseBool(op)
			if err != nil {
				return nil, err
			}
			if op.Path == "/validateRequestBody" {
				next.ValidateBody = b
			} else {
				next.ValidateParameters = b
			}
		default:
			return nil, badPatch(op)
		}
	}
	*v = next
	return v, nil
}

// DeleteRequestValidator deletes a validator; the methods naming it
// validate nothing from then on.
func (a *API) DeleteRequestValidator(id string) error {
	if _, err := a.RequestValidator(id); err != nil {
		return err
	}
	delete(a.validators, id)
	for _, r := range a.resources {
		for _, m := range r.Methods {
			if m.RequestValidatorID == id {
				m.RequestValidatorID = ""
			}
		}
	}
	return nil
}

// --- gateway responses

// GatewayResponseTypes are the response types, in the order AWS lists them.
var GatewayResponseTypes = []string{
	"DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY", "ACCESS_DENIED",
	"AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR", "INVALID_SIGNATURE", "EXPIRED_TOKEN",
	"MISSING_AUTHENTICATION_TOKEN", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "API_CONFIGURATION_ERROR",
	"UNSUPPORTED_MEDIA_TYPE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "REQUEST_TOO_LARGE", "THROTTLED",
	"QUOTA_EXCEEDED", "WAF_FILTERED",
}

// defaultGatewayStatus is each type's status code (DEFAULT_4XX and
// DEFAULT_5XX have none: the answer keeps the status of its cause).
var defaultGatewayStatus = map[string]string{
	"RESOURCE_NOT_FOUND": "404", "UNAUTHORIZED": "401", "INVALID_API_KEY": "403", "ACCESS_DENIED": "403",
	"AUTHORIZER_FAILURE": "500", "AUTHORIZER_CONFIGURATION_ERROR": "500", "INVALID_SIGNATURE": "403",
	"EXPIRED_TOKEN": "403", "MISSING_AUTHENTICATION_TOKEN": "403", "INTEGRATION_FAILURE": "504",
	"INTEGRATION_TIMEOUT": "504", "API_CONFIGURATION_ERROR": "500", "UNSUPPORTED_MEDIA_TYPE": "415",
	"BAD_REQUEST_PARAMETERS": "400", "BAD_REQUEST_BODY": "400", "REQUEST_TOO_LARGE": "413", "THROTTLED": "429",
	"QUOTA_EXCEEDED": "429", "WAF_FILTERED": "403",
}

// defaultGatewayResponse is a type's response as AWS has it before an API
// customises it.
func defaultGatewayResponse(typ string) *GatewayResponse {
	return &GatewayResponse{Type: typ, StatusCode: defaultGatewayStatus[typ], Default: true,
		ResponseParameters: map[string]string{},
		ResponseTemplates:  map[string]string{"application/json": `{"message":$context.error.messageString}`}}
}

func (r *GatewayResponse) clone() *GatewayResponse {
	c := *r
	c.ResponseParameters = maps.Clone(r.ResponseParameters)
	c.ResponseTemplates = maps.Clone(r.ResponseTemplates)
	return &c
}

// PutGatewayResponse customises a response type.
func (a *API) PutGatewayResponse(r *GatewayResponse) error {
	a.ensureParts()
	if r.StatusCode != "" && !validStatusCode(r.StatusCode) {
		return ErrBadRequest.New("Invalid status code specified")
	}
	if r.ResponseParameters == nil {
		r.ResponseParameters = map[string]string{}
	}
	if r.ResponseTemplates == nil {
		r.ResponseTemplates = map[string]string{}
	}
	a.gatewayResponses[r.Type] = r
	return nil
}

// GatewayResponse returns a type's response: the API's, else the default.
func (a *API) GatewayResponse(typ string) *GatewayResponse {
	if r := a.gatewayResponses[typ]; r != nil {
		return r
	}
	return defaultGatewayResponse(typ)
}

// GatewayResponses lists every type's response.
func (a *API) GatewayResponses() []*GatewayResponse {
	out := make([]*GatewayResponse, 0, len(GatewayResponseTypes))
	for _, t := range GatewayResponseTypes {
		out = append(out, a.GatewayResponse(t))
	}
	return out
}

// PatchGatewayResponse applies UpdateGatewayResponse's operations (to the
// default of an uncustomised type, which it then customises).
func (a *API) PatchGatewayResponse(typ string, ops []PatchOp) (*GatewayResponse, error) {
	a.ensureParts()
	next := a.GatewayResponse(typ).clone()
	next.Default = false
	for _, op := range ops {
		if name, ok := strings.CutPrefix(op.Path, "/responseParameters/"); ok {
			if err := patchEntry(&next.ResponseParameters, name, op, op.Value); err != nil {
				return nil, err
			}
			continue
		}
		if ct, ok := strings.CutPrefix(op.Path, "/responseTemplates/"); ok {
			if err := patchEntry(&next.ResponseTemplates, unescapePointer(ct), op, op.Value); err != nil {
				return nil, err
			}
			continue
		}
		if op.Path != "/statusCode" || op.Op != "replace" {
			return nil, badPatch(op)
		}
		if !validStatusCode(op.Value) {
			return nil, ErrBadRequest.New("Invalid status code specified")
		}
		next.StatusCode = op.Value
	}
	a.gatewayResponses[typ] = next
	return next, nil
}

// DeleteGatewayResponse resets a customised type to its default.
func (a *API) DeleteGatewayResponse(typ string) error {
	if a.gatewayResponses[typ] == nil {
		return errGatewayRespNotFound
	}
	delete(a.gatewayResponses, typ)
	return nil
}

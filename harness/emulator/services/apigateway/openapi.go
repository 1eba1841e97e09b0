package apigateway

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// OpenAPI (Swagger 2.0 and OpenAPI 3) definitions of REST APIs: what
// ImportRestApi and PutRestApi read (paths, methods, parameters, responses,
// models and API Gateway's x-amazon-apigateway-* extensions) and what
// GetExport writes of a stage's deployment.

type oasDoc struct {
	Swagger string `yaml:"swagger"`
	OpenAPI string `yaml:"openapi"`
	Info    struct {
		Title       string `yaml:"title"`
		Version     string `yaml:"version"`
		Description string `yaml:"description"`
	} `yaml:"info"`
	Paths       map[string]map[string]yaml.Node `yaml:"paths"`
	Definitions map[string]any                  `yaml:"definitions"`
	Components  struct {
		Schemas map[string]any `yaml:"schemas"`
	} `yaml:"components"`
	BinaryMediaTypes []string                      `yaml:"x-amazon-apigateway-binary-media-types"`
	APIKeySource     string                        `yaml:"x-amazon-apigateway-api-key-source"`
	Validators       map[string]oasValidator       `yaml:"x-amazon-apigateway-request-validators"`
	Validator        string                        `yaml:"x-amazon-apigateway-request-validator"`
	GatewayResponses map[string]oasGatewayResponse `yaml:"x-amazon-apigateway-gateway-responses"`
}

type oasValidator struct {
	ValidateRequestBody       bool `yaml:"validateRequestBody" json:"validateRequestBody"`
	ValidateRequestParameters bool `yaml:"validateRequestParameters" json:"validateRequestParameters"`
}

type oasGatewayResponse struct {
	StatusCode         string            `yaml:"statusCode" json:"statusCode,omitempty"`
	ResponseParameters map[string]string `yaml:"responseParameters" json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `yaml:"responseTemplates" json:"responseTemplates,omitempty"`
}

type oasParameter struct {
	Name     string `yaml:"name"`
	In       string `yaml:"in"`
	Required bool   `yaml:"required"`
	Schema   any    `yaml:"schema"`
}

type oasOperation struct {
	OperationID string                 `yaml:"operationId"`
	Parameters  []oasParameter         `yaml:"parameters"`
	Responses   map[string]oasResponse `yaml:"responses"`
	Security    []map[string][]string  `yaml:"security"`
	Validator   string                 `yaml:"x-amazon-apigateway-request-validator"`
	Integration *oasIntegration        `yaml:"x-amazon-apigateway-integration"`
	RequestBody *struct {
		Content map[string]struct {
			Schema map[string]any `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"requestBody"`
}

type oasResponse struct {
	Headers map[string]any `yaml:"headers"`
}

type oasIntegration struct {
	Type                string                            `yaml:"type" json:"type"`
	URI                 string                            `yaml:"uri" json:"uri,omitempty"`
	HTTPMethod          string                            `yaml:"httpMethod" json:"httpMethod,omitempty"`
	ConnectionType      string                            `yaml:"connectionType" json:"connectionType,omitempty"`
	ConnectionID        string                            `yaml:"connectionId" json:"connectionId,omitempty"`
	Credentials         string                            `yaml:"credentials" json:"credentials,omitempty"`
	PassthroughBehavior string                            `yaml:"passthroughBehavior" json:"passthroughBehavior,omitempty"`
	ContentHandling     string                            `yaml:"contentHandling" json:"contentHandling,omitempty"`
	TimeoutInMillis     int32                             `yaml:"timeoutInMillis" json:"timeoutInMillis,omitempty"`
	CacheNamespace      string                            `yaml:"cacheNamespace" json:"cacheNamespace,omitempty"`
	CacheKeyParameters  []string                          `yaml:"cacheKeyParameters" json:"cacheKeyParameters,omitempty"`
	RequestParameters   map[string]string                 `yaml:"requestParameters" json:"requestParameters,omitempty"`
	RequestTemplates    map[string]string                 `yaml:"requestTemplates" json:"requestTemplates,omitempty"`
	Responses           map[string]oasIntegrationResponse `yaml:"responses" json:"responses,omitempty"`
}

type oasIntegrationResponse struct {
	StatusCode         string            `yaml:"statusCode" json:"statusCode"`
	ResponseParameters map[string]string `yaml:"responseParameters" json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `yaml:"responseTemplates" json:"responseTemplates,omitempty"`
	ContentHandling    string            `yaml:"contentHandling" json:"contentHandling,omitempty"`
}

const oasAnyMethod = "x-amazon-apigateway-any-method"

// ParseOpenAPI reads a definition (JSON or YAML).
func ParseOpenAPI(body []byte) (*oasDoc, error) {
	var doc oasDoc
	if err := yaml.Unmarshal(body, &doc); err != nil || (doc.Swagger == "" && doc.OpenAPI == "") {
		return nil, ErrBadRequest.New("Invalid OpenAPI input specified: the definition is neither a Swagger 2.0 nor an OpenAPI 3 document")
	}
	return &doc, nil
}

// Import applies a definition to the API: overwrite replaces its resources,
// models, validators and gateway responses with the document's; merge adds
// the document's and replaces the methods it names.
func (a *API) Import(s *Store, doc *oasDoc, overwrite bool) error {
	a.ensureParts()
	if overwrite {
		for id := range a.resources {
			if id != a.RootID {
				delete(a.resources, id)
			}
		}
		a.resources[a.RootID].Methods = map[string]*Method{}
		a.models = defaultModels(s)
		a.validators = map[string]*RequestValidator{}
		a.gatewayResponses = map[string]*GatewayResponse{}
	}
	if doc.Info.Description != "" {
		a.Description = doc.Info.Description
	}
	if len(doc.BinaryMediaTypes) > 0 {
		a.BinaryMediaTypes = slices.Clone(doc.BinaryMediaTypes)
	}
	if doc.APIKeySource == "HEADER" || doc.APIKeySource == "AUTHORIZER" {
		a.APIKeySource = doc.APIKeySource
	}
	schemas := doc.Definitions
	if len(schemas) == 0 {
		schemas = doc.Components.Schemas
	}
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		b, _ := json.Marshal(yamlToJSON(schemas[name]))
		if m := a.models[name]; m != nil {
			m.Schema = string(b)
			continue
		}
		if err := a.CreateModel(s, &Model{Name: name, ContentType: "application/json", Schema: string(b)}); err != nil {
			return err
		}
	}
	validatorIDs := map[string]string{}
	for _, v := range a.validators {
		validatorIDs[v.Name] = v.ID
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Validators)) {
		if _, ok := validatorIDs[name]; ok {
			continue
		}
		v := doc.Validators[name]
		rv := &RequestValidator{Name: name, ValidateBody: v.ValidateRequestBody, ValidateParameters: v.ValidateRequestParameters}
		if err := a.CreateRequestValidator(s, rv); err != nil {
			return err
		}
		validatorIDs[name] = rv.ID
	}
	for t, g := range doc.GatewayResponses {
		if !slices.Contains(GatewayResponseTypes, t) {
			return ErrBadRequest.Errorf("Invalid gateway response type specified: %s", t)
		}
		if err := a.PutGatewayResponse(&GatewayResponse{Type: t, StatusCode: g.StatusCode,
			ResponseParameters: maps.Clone(g.ResponseParameters), ResponseTemplates: maps.Clone(g.ResponseTemplates)}); err != nil {
			return err
		}
	}
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		r, err := a.ensurePath(s, path)
		if err != nil {
			return err
		}
		item := doc.Paths[path]
		for _, key := range slices.Sorted(maps.Keys(item)) {
			verb := strings.ToUpper(key)
			if key == oasAnyMethod {
				verb = "ANY"
			}
			if !slices.Contains(HTTPMethods, verb) {
				continue // parameters, summary, servers…
			}
			node := item[key]
			var op oasOperation
			if err := node.Decode(&op); err != nil {
				return ErrBadRequest.Errorf("Invalid OpenAPI input specified: the operation %s %s cannot be read", verb, path)
			}
			m, err := op.method(verb, validatorIDs[firstNonEmpty(op.Validator, doc.Validator)], a.models)
			if err != nil {
				return err
			}
			r.Methods[verb] = m
		}
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ensurePath returns the resource of path, creating the missing ones.
func (a *API) ensurePath(s *Store, path string) (*Resource, error) {
	cur := a.resources[a.RootID]
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if part == "" {
			continue
		}
		var next *Resource
		for _, r := range a.resources {
			if r.ParentID == cur.ID && r.PathPart == part {
				next = r
			}
		}
		if next == nil {
			var err error
			if next, err = a.CreateResource(s, cur.ID, part); err != nil {
				return nil, err
			}
		}
		cur = next
	}
	return cur, nil
}

func (op *oasOperation) method(verb, validatorID string, models map[string]*Model) (*Method, error) {
	m := &Method{HTTPMethod: verb, AuthorizationType: "NONE", OperationName: op.OperationID, RequestValidatorID: validatorID,
		Responses: map[string]*MethodResponse{}}
	for _, sec := range op.Security {
		if _, ok := sec["api_key"]; ok {
			m.APIKeyRequired = true
		}
		if _, ok := sec["sigv4"]; ok {
			m.AuthorizationType = "AWS_IAM"
		}
	}
	for _, p := range op.Parameters {
		in := map[string]string{"query": "querystring", "header": "header", "path": "path"}[p.In]
		if in == "" {
			continue
		}
		if m.RequestParameters == nil {
			m.RequestParameters = map[string]bool{}
		}
		m.RequestParameters["method.request."+in+"."+p.Name] = p.Required || p.In == "path"
	}
	if op.RequestBody != nil {
		for ct, c := range op.RequestBody.Content {
			if ref, ok := c.Schema["$ref"].(string); ok {
				name := ref[strings.LastIndexByte(ref, '/')+1:]
				if models[name] != nil {
					if m.RequestModels == nil {
						m.RequestModels = map[string]string{}
					}
					m.RequestModels[ct] = name
				}
			}
		}
	}
	for code, resp := range op.Responses {
		if !validStatusCode(code) {
			continue
		}
		mr := &MethodResponse{StatusCode: code}
		for h := range resp.Headers {
			if mr.ResponseParameters == nil {
				mr.ResponseParameters = map[string]bool{}
			}
			mr.ResponseParameters["method.response.header."+h] = false
		}
		m.Responses[code] = mr
	}
	if in := op.Integration; in != nil {
		integ := &Integration{Type: strings.ToUpper(in.Type), HTTPMethod: in.HTTPMethod, URI: in.URI, ConnectionType: in.ConnectionType,
			ConnectionID: in.ConnectionID, Credentials: in.Credentials, PassthroughBehavior: strings.ToUpper(in.PassthroughBehavior),
			ContentHandling: in.ContentHandling, TimeoutMillis: in.TimeoutInMillis, CacheNamespace: in.CacheNamespace,
			CacheKeyParameters: in.CacheKeyParameters, RequestParameters: in.RequestParameters, RequestTemplates: in.RequestTemplates,
			Responses: map[string]*IntegrationResponse{}}
		if err := integ.check(); err != nil {
			return nil, err
		}
		if integ.PassthroughBehavior == "" {
			integ.PassthroughBehavior = "WHEN_NO_MATCH"
		}
		if integ.TimeoutMillis == 0 {
			integ.TimeoutMillis = 29000
		}
		for pattern, r := range in.Responses {
			if pattern == "default" {
				pattern = ""
			}
			integ.Responses[r.StatusCode] = &IntegrationResponse{StatusCode: r.StatusCode, SelectionPattern: pattern,
				ResponseParameters: r.ResponseParameters, ResponseTemplates: r.ResponseTemplates, ContentHandling: r.ContentHandling}
		}
		m.Integration = integ
	}
	return m, nil
}

// ExportOpenAPI writes a deployment as Swagger 2.0 (swagger) or OpenAPI
// 3.0.1 (oas30), with API Gateway's extensions when asked for.
func ExportOpenAPI(snap *Snapshot, apiID, apiName, description, version, region, stage, exportType string, extensions bool) map[string]any {
	oas3 := exportType == "oas30"
	doc := map[string]any{}
	info := map[string]any{"title": apiName, "version": version}
	if description != "" {
		info["description"] = description
	}
	host := apiID + ".execute-api." + region + ".amazonaws.com"
	if oas3 {
		doc["openapi"] = "3.0.1"
		doc["servers"] = []any{map[string]any{"url": "https://" + host + "/{basePath}",
			"variables": map[string]any{"basePath": map[string]any{"default": stage}}}}
	} else {
		doc["swagger"] = "2.0"
		doc["host"], doc["basePath"], doc["schemes"] = host, "/"+stage, []string{"https"}
	}
	doc["info"] = info
	paths := map[string]any{}
	var walk func(n *RouteNode)
	walk = func(n *RouteNode) {
		if n == nil {
			return
		}
		if len(n.Methods) > 0 {
			item := map[string]any{}
			for verb, m := range n.Methods {
				key := strings.ToLower(verb)
				if verb == "ANY" {
					key = oasAnyMethod
				}
				item[key] = exportOperation(m, oas3, extensions)
			}
			paths[n.Path] = item
		}
		for _, k := range slices.Sorted(maps.Keys(n.literal)) {
			walk(n.literal[k])
		}
		walk(n.param)
		walk(n.greedy)
	}
	walk(snap.Root)
	doc["paths"] = paths
	schemas := map[string]any{}
	for name, schema := range snap.Models {
		var v any
		if json.Unmarshal([]byte(schema), &v) == nil {
			schemas[name] = v
		}
	}
	if len(schemas) > 0 {
		if oas3 {
			doc["components"] = map[string]any{"schemas": schemas}
		} else {
			doc["definitions"] = schemas
		}
	}
	if extensions {
		if len(snap.BinaryMediaTypes) > 0 {
			doc["x-amazon-apigateway-binary-media-types"] = snap.BinaryMediaTypes
		}
		if len(snap.Validators) > 0 {
			vs := map[string]any{}
			for _, v := range snap.Validators {
				vs[v.Name] = oasValidator{ValidateRequestBody: v.ValidateBody, ValidateRequestParameters: v.ValidateParameters}
			}
			doc["x-amazon-apigateway-request-validators"] = vs
		}
		if len(snap.GatewayResponses) > 0 {
			gs := map[string]any{}
			for t, g := range snap.GatewayResponses {
				gs[t] = oasGatewayResponse{StatusCode: g.StatusCode, ResponseParameters: g.ResponseParameters, ResponseTemplates: g.ResponseTemplates}
			}
			doc["x-amazon-apigateway-gateway-responses"] = gs
		}
	}
	return doc
}

func exportOperation(m *Method, oas3, extensions bool) map[string]any {
	op := map[string]any{}
	if m.OperationName != "" {
		op["operationId"] = m.OperationName
	}
	var params []any
	for _, key := range sortedKeys(m.RequestParameters) {
		rest, _ := strings.CutPrefix(key, "method.request.")
		in, name, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		in = map[string]string{"querystring": "query", "header": "header", "path": "path"}[in]
		if in == "" {
			continue
		}
		p := map[string]any{"name": name, "in": in, "required": m.RequestParameters[key] || in == "path"}
		if oas3 {
			p["schema"] = map[string]any{"type": "string"}
		} else {
			p["type"] = "string"
		}
		params = append(params, p)
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	responses := map[string]any{}
	for code, r := range m.Responses {
		resp := map[string]any{"description": code + " response"}
		if len(r.ResponseParameters) > 0 {
			hs := map[string]any{}
			for k := range r.ResponseParameters {
				if h, ok := strings.CutPrefix(k, "method.response.header."); ok {
					if oas3 {
						hs[h] = map[string]any{"schema": map[string]any{"type": "string"}}
					} else {
						hs[h] = map[string]any{"type": "string"}
					}
				}
			}
			resp["headers"] = hs
		}
		responses[code] = resp
	}
	op["responses"] = responses
	if m.APIKeyRequired {
		op["security"] = []any{map[string]any{"api_key": []string{}}}
	}
	if extensions && m.Integration != nil {
		in := m.Integration
		x := oasIntegration{Type: strings.ToLower(in.Type), URI: in.URI, HTTPMethod: in.HTTPMethod, ConnectionType: in.ConnectionType,
			ConnectionID: in.ConnectionID, Credentials: in.Credentials, PassthroughBehavior: strings.ToLower(in.PassthroughBehavior),
			ContentHandling: in.ContentHandling, TimeoutInMillis: in.TimeoutMillis, CacheNamespace: in.CacheNamespace,
			CacheKeyParameters: in.CacheKeyParameters, RequestParameters: in.RequestParameters, RequestTemplates: in.RequestTemplates}
		if len(in.Responses) > 0 {
			x.Responses = map[string]oasIntegrationResponse{}
			for _, r := range in.Responses {
				key := r.SelectionPattern
				if key == "" {
					key = "default"
				}
				x.Responses[key] = oasIntegrationResponse{StatusCode: r.StatusCode, ResponseParameters: r.ResponseParameters,
					ResponseTemplates: r.ResponseTemplates, ContentHandling: r.ContentHandling}
			}
		}
		op["x-amazon-apigateway-integration"] = x
	}
	return op
}

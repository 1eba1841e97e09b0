package apigatewayv2

import (
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// OpenAPI 3 definitions of HTTP APIs, for ImportApi, ReimportApi and
// ExportApi: each operation of the document is a route ("GET /items/{id}";
// x-amazon-apigateway-any-method is ANY, the path "/$default" the $default
// route) whose x-amazon-apigateway-integration becomes its integration.

// openAPIDoc is what an import reads of a document (JSON or YAML).
type openAPIDoc struct {
	OpenAPI string `yaml:"openapi"`
	Swagger string `yaml:"swagger"`
	Info    struct {
		Title       string `yaml:"title"`
		Version     string `yaml:"version"`
		Description string `yaml:"description"`
	} `yaml:"info"`
	Paths   map[string]map[string]yaml.Node `yaml:"paths"`
	Servers []struct {
		URL string `yaml:"url"`
	} `yaml:"servers"`
	Cors *openAPICors `yaml:"x-amazon-apigateway-cors"`
}

type openAPICors struct {
	AllowCredentials *bool    `yaml:"allowCredentials" json:"allowCredentials,omitempty"`
	AllowHeaders     []string `yaml:"allowHeaders" json:"allowHeaders,omitempty"`
	AllowMethods     []string `yaml:"allowMethods" json:"allowMethods,omitempty"`
	AllowOrigins     []string `yaml:"allowOrigins" json:"allowOrigins,omitempty"`
	ExposeHeaders    []string `yaml:"exposeHeaders" json:"exposeHeaders,omitempty"`
	MaxAge           *int     `yaml:"maxAge" json:"maxAge,omitempty"`
}

type openAPIOperation struct {
	Integration *openAPIIntegration `yaml:"x-amazon-apigateway-integration"`
}

type openAPIIntegration struct {
	Type                 string `yaml:"type" json:"type"`
	URI                  string `yaml:"uri" json:"uri,omitempty"`
	HTTPMethod           string `yaml:"httpMethod" json:"httpMethod,omitempty"`
	PayloadFormatVersion string `yaml:"payloadFormatVersion" json:"payloadFormatVersion,omitempty"`
	ConnectionType       string `yaml:"connectionType" json:"connectionType,omitempty"`
	ConnectionID         string `yaml:"connectionId" json:"connectionId,omitempty"`
	TimeoutInMillis      *int   `yaml:"timeoutInMillis" json:"timeoutInMillis,omitempty"`
	CredentialsArn       string `yaml:"credentials" json:"credentials,omitempty"`
}

const anyMethodKey = "x-amazon-apigateway-any-method"

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch"}

// importedRoute is one route of a parsed document.
type importedRoute struct {
	key         string
	integration *openAPIIntegration
}

// parseOpenAPI reads an OpenAPI 3 document and returns the API's spec and
// routes, plus warnings for what it leaves out.
func parseOpenAPI(body, basepath string) (APISpec, []importedRoute, []string, error) {
	var doc openAPIDoc
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		return APISpec{}, nil, nil, ErrBadRequest.New("Invalid OpenAPI input: the document is neither JSON nor YAML")
	}
	if doc.Swagger != "" || !strings.HasPrefix(doc.OpenAPI, "3.") {
		return APISpec{}, nil, nil, ErrBadRequest.New("Invalid OpenAPI input: only OpenAPI 3.x definitions can be imported into HTTP APIs")
	}
	if strings.TrimSpace(doc.Info.Title) == "" {
		return APISpec{}, nil, nil, ErrBadRequest.New("Invalid OpenAPI input: info.title is required (it names the API)")
	}
	if basepath == "prepend" || basepath == "split" {
		for _, sv := range doc.Servers {
			if u, err := url.Parse(sv.URL); err == nil && strings.Trim(u.Path, "/") != "" {
				return APISpec{}, nil, nil, ErrBadRequest.Errorf("basepath=%s with a server base path (%s) is not supported here; import with basepath=ignore", basepath, sv.URL)
			}
		}
	}
	spec := APISpec{Name: ptr(doc.Info.Title)}
	if doc.Info.Version != "" {
		spec.Version = ptr(doc.Info.Version)
	}
	if doc.Info.Description != "" {
		spec.Description = ptr(doc.Info.Description)
	}
	if c := doc.Cors; c != nil {
		spec.CorsConfiguration = &Cors{AllowCredentials: c.AllowCredentials, AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods,
			AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge}
	}
	var routes []importedRoute
	var warnings []string
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		item := doc.Paths[path]
		for _, name := range slices.Sorted(maps.Keys(item)) {
			method := ""
			switch lower := strings.ToLower(name); {
			case lower == anyMethodKey:
				method = "ANY"
			case slices.Contains(openAPIMethods, lower):
				method = strings.ToUpper(lower)
			default:
				continue // parameters, summary, servers, other extensions
			}
			node := item[name]
			var op openAPIOperation
			if err := node.Decode(&op); err != nil {
				return APISpec{}, nil, nil, ErrBadRequest.Errorf("Invalid OpenAPI input: operation %s %s is malformed", method, path)
			}
			key := method + " " + path
			if path == "/$default" || path == "$default" {
				key = RouteDefault
			}
			if op.Integration == nil {
				warnings = append(warnings, "Route "+key+" has no x-amazon-apigateway-integration; it was imported without a target")
			}
			routes = append(routes, importedRoute{key: key, integration: op.Integration})
		}
	}
	return spec, routes, warnings, nil
}

// importOpenAPI replaces a's routes and integrations with the document's
// (identical integrations are shared by their routes).
func (s *Store) importOpenAPI(a *API, spec APISpec, routes []importedRoute) error {
	if a.ProtocolType != ProtocolHTTP {
		return ErrBadRequest.New("Only HTTP APIs can be imported or reimported")
	}
	// all or nothing: a failure puts back what a had
	oldRoutes, oldIntegrations, oldInfo := a.routes, a.integrations, a.APIInfo
	err := s.replaceFromOpenAPI(a, spec, routes)
	if err != nil {
		a.routes, a.integrations, a.APIInfo = oldRoutes, oldIntegrations, oldInfo
	}
	return err
}

func (s *Store) replaceFromOpenAPI(a *API, spec APISpec, routes []importedRoute) error {
	a.routes, a.integrations = map[string]*Route{}, map[string]*Integration{}
	a.Name = deref(spec.Name)
	a.Version = deref(spec.Version)
	a.Description = deref(spec.Description)
	if err := checkCors(spec.CorsConfiguration); err != nil {
		return err
	}
	a.CorsConfiguration = spec.CorsConfiguration
	type sharedKey struct {
		openAPIIntegration
		timeout int
	}
	shared := map[sharedKey]string{}
	for _, r := range routes {
		rs := RouteSpec{RouteKey: ptr(r.key)}
		if oi := r.integration; oi != nil {
			key := sharedKey{openAPIIntegration: *oi}
			key.TimeoutInMillis = nil
			if oi.TimeoutInMillis != nil {
				key.timeout = *oi.TimeoutInMillis
			}
			id, ok := shared[key]
			if !ok {
				is := IntegrationSpec{IntegrationType: ptr(strings.ToUpper(oi.Type)), IntegrationURI: strPtr(oi.URI),
					IntegrationMethod: strPtr(oi.HTTPMethod), PayloadFormatVersion: strPtr(oi.PayloadFormatVersion),
					ConnectionType: strPtr(oi.ConnectionType), ConnectionID: strPtr(oi.ConnectionID),
					CredentialsArn: strPtr(oi.CredentialsArn), TimeoutInMillis: oi.TimeoutInMillis}
				if is.PayloadFormatVersion == nil && *is.IntegrationType == "AWS_PROXY" {
					is.PayloadFormatVersion = ptr("1.0")
				}
				in, err := s.CreateIntegration(a, is)
				if err != nil {
					return ErrBadRequest.Errorf("Invalid OpenAPI input: route %s: %s", r.key, errMessage(err))
				}
				id = in.ID
				shared[key] = id
			}
			rs.Target = ptr("integrations/" + id)
		}
		if _, err := s.CreateRoute(a, rs); err != nil {
			return ErrBadRequest.Errorf("Invalid OpenAPI input: route %s: %s", r.key, errMessage(err))
		}
	}
	return nil
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// errMessage is the message of a coded error (what follows "Code: ").
func errMessage(err error) string {
	msg := err.Error()
	if _, m, ok := strings.Cut(msg, ": "); ok {
		return m
	}
	return msg
}

var pathParam = regexp.MustCompile(`\{([^}+]+)\+?\}`)

// exportOpenAPI renders a's routes and integrations as an OpenAPI 3.0
// document (JSON or YAML).
func exportOpenAPI(a *API, yamlOut, extensions bool) ([]byte, error) {
	info := map[string]any{"title": a.Name, "version": a.Version}
	if a.Version == "" {
		info["version"] = time.Time(a.CreatedDate).UTC().Format("2006-01-02 15:04:05UTC")
	}
	if a.Description != "" {
		info["description"] = a.Description
	}
	paths := map[string]map[string]any{}
	for _, r := range a.Routes() {
		method, path, ok := strings.Cut(r.Key, " ")
		if r.Key == RouteDefault {
			method, path, ok = "ANY", "/$default", true
		}
		if !ok {
			continue
		}
		name := strings.ToLower(method)
		if method == "ANY" {
			name = anyMethodKey
		}
		op := map[string]any{"responses": map[string]any{"default": map[string]any{"description": "Default response for " + r.Key}}}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if id, found := strings.CutPrefix(r.Target, "integrations/"); found && extensions {
			if in := a.integrations[id]; in != nil {
				oi := openAPIIntegration{Type: strings.ToLower(in.Type), URI: in.URI, HTTPMethod: in.Method,
					PayloadFormatVersion: in.PayloadFormatVersion, ConnectionType: in.ConnectionType, ConnectionID: in.ConnectionID,
					CredentialsArn: in.CredentialsArn}
				if in.TimeoutInMillis > 0 {
					oi.TimeoutInMillis = ptr(in.TimeoutInMillis)
				}
				op["x-amazon-apigateway-integration"] = oi
			}
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][name] = op
	}
	doc := map[string]any{"openapi": "3.0.1", "info": info, "paths": paths}
	if c := a.CorsConfiguration; c != nil && extensions {
		doc["x-amazon-apigateway-cors"] = openAPICors{AllowCredentials: c.AllowCredentials, AllowHeaders: c.AllowHeaders,
			AllowMethods: c.AllowMethods, AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil || !yamlOut {
		return b, err
	}
	// YAML from the JSON rendering, so both spell the same names
	var v any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return yaml.Marshal(sortedYAML(v))
}

// sortedYAML returns v with map keys in order (yaml.v3 sorts map[string]any
// keys itself; this turns the decoded map[string]interface{} into that).
func sortedYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(x))
		for _, k := range keys {
			out[k] = sortedYAML(x[k])
		}
		return out
	case []any:
		for i := range x {
			x[i] = sortedYAML(x[i])
		}
	}
	return v
}

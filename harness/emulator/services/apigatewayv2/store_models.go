package apigatewayv2

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// Models are JSON schemas an API's routes name in requestModels (WebSocket
// APIs validate with them on AWS; the emulator keeps them, it does not
// validate messages against them).

// ModelSpec is what CreateModel and UpdateModel set.
type ModelSpec struct {
	ContentType *string `json:"contentType"`
	Description *string `json:"description"`
	Name        *string `json:"name"`
	Schema      *string `json:"schema"`
}

// Model is what GetModel answers.
type Model struct {
	ContentType string `json:"contentType,omitempty"`
	Description string `json:"description,omitempty"`
	ID          string `json:"modelId"`
	Name        string `json:"name"`
	Schema      string `json:"schema,omitempty"`
}

// modelNamePattern is API Gateway's rule for model names: alphanumeric.
var modelNamePattern = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// CreateModel adds a model to a.
func (s *Store) CreateModel(a *API, in ModelSpec) (*Model, error) {
	m := &Model{ID: s.childID()}
	if err := a.applyModel(m, in, true); err != nil {
		return nil, err
	}
	a.models[m.ID] = m
	return m, nil
}

// UpdateModel changes what in sets of model id.
func (a *API) UpdateModel(id string, in ModelSpec) (*Model, error) {
	m, err := a.Model(id)
	if err != nil {
		return nil, err
	}
	next := *m
	if err := a.applyModel(&next, in, false); err != nil {
		return nil, err
	}
	*m = next
	return m, nil
}

func (a *API) applyModel(m *Model, in ModelSpec, create bool) error {
	if in.Name != nil {
		if !modelNamePattern.MatchString(*in.Name) {
			return ErrBadRequest.Errorf("Model name must be alphanumeric: %s", *in.Name)
		}
		for _, o := range a.models {
			if o.ID != m.ID && o.Name == *in.Name {
				return ErrConflict.Errorf("Model name already exists for this Api: %s", *in.Name)
			}
		}
		m.Name = *in.Name
	}
	if in.Schema != nil {
		var v any
		if err := json.Unmarshal([]byte(*in.Schema), &v); err != nil {
			return ErrBadRequest.New("Invalid model schema specified. Model schemas must be valid JSON")
		}
		m.Schema = *in.Schema
	}
	if in.ContentType != nil {
		m.ContentType = *in.ContentType
	} else if create {
		m.ContentType = "application/json"
	}
	if in.Description != nil {
		m.Description = *in.Description
	}
	return nil
}

// Model returns a model by id.
func (a *API) Model(id string) (*Model, error) {
	if m := a.models[id]; m != nil {
		return m, nil
	}
	return nil, errNotFound("Model", id)
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

// DeleteModel removes a model no route or route response names.
func (a *API) DeleteModel(id string) error {
	m, err := a.Model(id)
	if err != nil {
		return err
	}
	for _, r := range a.routes {
		for _, name := range r.RequestModels {
			if name == m.Name {
				return ErrConflict.Errorf("Cannot delete model '%s', is referenced in route: %s", m.Name, r.Key)
			}
		}
	}
	delete(a.models, id)
	return nil
}

// ModelTemplate is a mapping template that renders what the model's schema
// describes from $input (one line per property of an object schema), as
// GetModelTemplate answers it for use in integration templates.
func (a *API) ModelTemplate(id string) (string, error) {
	m, err := a.Model(id)
	if err != nil {
		return "", err
	}
	var schema struct {
		Type       string                     `json:"type"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal([]byte(m.Schema), &schema)
	var b strings.Builder
	b.WriteString("#set($inputRoot = $input.path('$'))\n")
	if schema.Type == "array" {
		b.WriteString("[\n#foreach($elem in $inputRoot)\n  $elem\n#if($foreach.hasNext),#end\n#end\n]")
		return b.String(), nil
	}
	names := make([]string, 0, len(schema.Properties))
	for k := range schema.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	b.WriteString("{\n")
	for i, k := range names {
		b.WriteString(`  "` + k + `" : "$inputRoot.` + k + `"`)
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}")
	return b.String(), nil
}

// DeleteRouteSettings drops the settings of one route key of a stage.
func (a *API) DeleteRouteSettings(stage, routeKey string) error {
	st, err := a.Stage(stage)
	if err != nil {
		return err
	}
	if _, ok := st.RouteSettings[routeKey]; !ok {
		return ErrNotFound.Errorf("Route settings do not exist for route key %s", routeKey)
	}
	next := make(map[string]RouteSettings, len(st.RouteSettings))
	for k, v := range st.RouteSettings {
		if k != routeKey {
			next[k] = v
		}
	}
	st.RouteSettings = next
	return nil
}

// DeleteAccessLogSettings turns a stage's access logging off.
func (a *API) DeleteAccessLogSettings(stage string) error {
	st, err := a.Stage(stage)
	if err != nil {
		return err
	}
	st.AccessLogSettings = nil
	return nil
}

package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// A template's values after parsing: string, float64, bool, nil, []any and
// map[string]any; YAML's short-form tags become their long form
// (!Ref x → {"Ref": "x"}), so JSON and YAML templates evaluate alike.

// template is a parsed template, its sections picked out.
type template struct {
	Raw         map[string]any
	Description string
	Parameters  map[string]map[string]any
	Mappings    map[string]any
	Conditions  map[string]any
	Resources   map[string]*resourceDef
	Outputs     map[string]map[string]any
	Transform   any
}

// resourceDef is one entry of the Resources section.
type resourceDef struct {
	Logical        string
	Type           string
	Properties     map[string]any
	DependsOn      []string
	Condition      string
	DeletionPolicy string
	// UpdateReplacePolicy decides whether the old resource of a
	// replacement is kept (Retain) or deleted.
	UpdateReplacePolicy string
	raw                 map[string]any
}

// templateError is a template refused before any resource is touched: a
// ValidationError carrying AWS's words.
type templateError struct{ msg string }

func (e *templateError) Error() string { return e.msg }

func formatErr(format string, args ...any) error {
	return &templateError{msgFormat + fmt.Sprintf(format, args...)}
}

// parseTemplate reads a JSON or YAML template body.
func parseTemplate(body string) (*template, error) {
	root, err := decodeBody(body)
	if err != nil {
		return nil, err
	}
	m, ok := root.(map[string]any)
	if !ok {
		return nil, formatErr("not a JSON or YAML object")
	}
	return sections(m)
}

// A template goes through three steps before a stack runs it: parsing
// (parseTemplate), its transforms (each rewrites the parsed template into
// plain CloudFormation), and the checks of its references (order).

// transforms are the template transforms groundstack runs, by name
// ("AWS::Serverless-2016-10-31"); none yet.
var transforms = map[string]func(raw map[string]any) (map[string]any, error){}

// loadTemplate parses a template and runs its transforms.
func loadTemplate(body string) (*template, error) {
	t, err := parseTemplate(body)
	if err != nil || t.Transform == nil {
		return t, err
	}
	var names []string
	switch x := t.Transform.(type) {
	case string:
		names = []string{x}
	case []any:
		for _, n := range x {
			names = append(names, str(n))
		}
	default:
		return nil, formatErr("Transform must be a string or a list of strings")
	}
	raw := t.Raw
	for _, name := range names {
		run, ok := transforms[name]
		if !ok {
			return nil, &templateError{fmt.Sprintf("groundstack does not run the template transform %s yet: deploy the template it expands to", name)}
		}
		if raw, err = run(raw); err != nil {
			return nil, err
		}
	}
	delete(raw, "Transform")
	return sections(raw)
}

// namesTransform says whether a Transform section names the transform.
func namesTransform(v any, name string) bool {
	switch x := v.(type) {
	case string:
		return x == name
	case []any:
		for _, n := range x {
			if n == name {
				return true
			}
		}
	}
	return false
}

// decodeBody turns JSON or YAML text into template values.
func decodeBody(body string) (any, error) {
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, "{") {
		d := json.NewDecoder(strings.NewReader(body))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			line, col := 1, 1
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line, col = position(body, int(se.Offset))
			}
			return nil, formatErr("JSON not well-formed. (line %d, column %d)", line, col)
		}
		if d.More() {
			line, col := position(body, int(d.InputOffset()))
			return nil, formatErr("JSON not well-formed. (line %d, column %d)", line, col)
		}
		return fromJSON(v), nil
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(body), &n); err != nil {
		return nil, formatErr("YAML not well-formed. (%s", yamlPosition(err))
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return nil, formatErr("At least one Resources member must be defined.")
	}
	return (&yamlReader{}).value(n.Content[0], 0)
}

// yamlReader converts a YAML document, bounding what aliases can make of
// it: a document naming itself, or a few lines of aliases that expand to
// billions of nodes, are refused.
type yamlReader struct{ nodes int }

const (
	maxYAMLDepth = 200
	maxYAMLNodes = 1 << 20
)

// position turns the offset encoding/json reports (just past the byte at
// fault) into that byte's 1-based line and column.
func position(s string, off int) (int, int) {
	off = min(max(off, 1), len(s))
	before := s[:off-1]
	line := strings.Count(before, "\n") + 1
	col := off - 1 - strings.LastIndexByte(before, '\n')
	return line, col
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlPosition words yaml.v3's error after AWS's "(line N, column M)":
// v3 reports the line only ("line 3: did not find expected key"), and for
// the parser's errors ("did not find expected …") counts it from 0: the
// line of the construct left open, which is given counted from 1.
func yamlPosition(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		rest := strings.TrimPrefix(msg[len(m[0]):], ": ")
		line, _ := strconv.Atoi(m[1])
		if strings.HasPrefix(rest, "did not find expected") {
			line++
		}
		return "line " + strconv.Itoa(line) + "): " + rest
	}
	return msg + ")"
}

func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = fromJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
	}
	return v
}

// shortTags maps YAML's short-form function tags to their long names.
var shortTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join", "!Select": "Fn::Select",
	"!Split": "Fn::Split", "!If": "Fn::If", "!Equals": "Fn::Equals", "!And": "Fn::And",
	"!Or": "Fn::Or", "!Not": "Fn::Not", "!FindInMap": "Fn::FindInMap", "!ImportValue": "Fn::ImportValue",
	"!GetAZs": "Fn::GetAZs", "!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform",
	"!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString",
}

func (y *yamlReader) value(n *yaml.Node, depth int) (any, error) {
	if y.nodes++; depth > maxYAMLDepth || y.nodes > maxYAMLNodes {
		return nil, formatErr("YAML not well-formed. (line %d, column %d): the document nests or repeats too deeply", n.Line, n.Column)
	}
	if n.Kind == yaml.AliasNode {
		return y.value(n.Alias, depth+1)
	}
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				return nil, formatErr("YAML not well-formed. (line %d, column %d): duplicate key %q", n.Content[i].Line, n.Content[i].Column, k)
			}
			e, err := y.value(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			m[k] = e
		}
		v = m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			e, err := y.value(c, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, e)
		}
		v = l
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
			if err != nil {
				v = n.Value
			} else {
				v = f
			}
		case "!!bool":
			v = strings.EqualFold(n.Value, "true")
		case "!!null":
			v = nil
		default:
			v = n.Value
		}
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return y.value(n.Content[0], depth+1)
	}
	if n.Tag == "" || strings.HasPrefix(n.Tag, "!!") || n.Tag == "tag:yaml.org,2002:str" {
		return v, nil
	}
	name, ok := shortTags[n.Tag]
	if !ok {
		return nil, formatErr("YAML not well-formed. (line %d, column %d): unknown tag %s", n.Line, n.Column, n.Tag)
	}
	if n.Kind == yaml.ScalarNode {
		v = n.Value // a tagged scalar is the function's string argument
		if name == "Fn::GetAtt" {
			res, attr, ok := strings.Cut(n.Value, ".")
			if !ok {
				return nil, formatErr("Template error: every Fn::GetAtt object requires two non-empty parameters")
			}
			v = []any{res, attr}
		}
	}
	return map[string]any{name: v}, nil
}

// sections picks a template's sections apart and checks their shapes.
func sections(m map[string]any) (*template, error) {
	t := &template{Raw: m, Transform: m["Transform"]}
	for k := range m {
		switch k {
		case "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings", "Conditions",
			"Resources", "Outputs", "Transform", "Rules":
		case "Globals": // SAM's section, which its transform removes
			if !namesTransform(m["Transform"], samTransformName) {
				return nil, formatErr("Invalid template property or properties [%s]", k)
			}
		default:
			return nil, formatErr("Invalid template property or properties [%s]", k)
		}
	}
	if v, ok := m["AWSTemplateFormatVersion"]; ok {
		if s, _ := v.(string); s != "2010-09-09" {
			return nil, formatErr("Unsupported AWSTemplateFormatVersion")
		}
	}
	if d, ok := m["Description"]; ok {
		s, isStr := d.(string)
		if !isStr {
			return nil, formatErr("Every Description member must be a string.")
		}
		t.Description = s
	}
	t.Parameters = map[string]map[string]any{}
	if ps, ok := m["Parameters"]; ok {
		pm, ok := ps.(map[string]any)
		if !ok {
			return nil, formatErr("Parameters must be an object")
		}
		for name, p := range pm {
			def, ok := p.(map[string]any)
			if !ok {
				return nil, formatErr("Every Parameters object must contain a Type member.")
			}
			if _, ok := def["Type"].(string); !ok {
				return nil, formatErr("Every Parameters object must contain a Type member.")
			}
			t.Parameters[name] = def
		}
	}
	if mp, ok := m["Mappings"]; ok {
		if t.Mappings, ok = mp.(map[string]any); !ok {
			return nil, formatErr("Every Mappings member must be an object")
		}
	}
	if c, ok := m["Conditions"]; ok {
		if t.Conditions, ok = c.(map[string]any); !ok {
			return nil, formatErr("Conditions must be an object")
		}
	}
	rs, ok := m["Resources"].(map[string]any)
	if !ok || len(rs) == 0 {
		return nil, formatErr("At least one Resources member must be defined.")
	}
	t.Resources = map[string]*resourceDef{}
	var badTypes []string
	for name, r := range rs {
		def, ok := r.(map[string]any)
		if !ok {
			return nil, formatErr("[/Resources/%s] resource definition is malformed", name)
		}
		typ, ok := def["Type"].(string)
		if !ok {
			return nil, formatErr("[/Resources/%s] Every Resources object must contain a Type member.", name)
		}
		if !strings.HasPrefix(typ, "AWS::") && !strings.HasPrefix(typ, "Custom::") && typ != "AWS::CloudFormation::CustomResource" {
			badTypes = append(badTypes, typ)
		}
		rd := &resourceDef{Logical: name, Type: typ, raw: def}
		if p, ok := def["Properties"]; ok && p != nil {
			if rd.Properties, ok = p.(map[string]any); !ok {
				return nil, formatErr("[/Resources/%s/Properties] properties must be an object", name)
			}
		}
		switch d := def["DependsOn"].(type) {
		case string:
			rd.DependsOn = []string{d}
		case []any:
			for _, e := range d {
				s, ok := e.(string)
				if !ok {
					return nil, formatErr("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings", name)
				}
				rd.DependsOn = append(rd.DependsOn, s)
			}
		case nil:
		default:
			return nil, formatErr("[/Resources/%s/DependsOn] DependsOn must be a string or a list of strings", name)
		}
		if c, ok := def["Condition"]; ok {
			s, ok := c.(string)
			if !ok {
				return nil, formatErr("[/Resources/%s/Condition] Condition must be a string", name)
			}
			if _, known := t.Conditions[s]; !known {
				return nil, formatErr("Unresolved condition dependency %s in Fn::If", s)
			}
			rd.Condition = s
		}
		if p, ok := def["DeletionPolicy"].(string); ok {
			if p != "Delete" && p != "Retain" && p != "Snapshot" && p != "RetainExceptOnCreate" {
				return nil, formatErr("[/Resources/%s/DeletionPolicy] Unrecognized DeletionPolicy %s", name, p)
			}
			rd.DeletionPolicy = p
		}
		if p, ok := def["UpdateReplacePolicy"].(string); ok {
			if p != "Delete" && p != "Retain" && p != "Snapshot" {
				return nil, formatErr("[/Resources/%s/UpdateReplacePolicy] Unrecognized UpdateReplacePolicy %s", name, p)
			}
			rd.UpdateReplacePolicy = p
		}
		t.Resources[name] = rd
	}
	if len(badTypes) > 0 {
		sort.Strings(badTypes)
		return nil, formatErr("Unrecognized resource types: [%s]", strings.Join(badTypes, ", "))
	}
	t.Outputs = map[string]map[string]any{}
	if os, ok := m["Outputs"]; ok {
		om, ok := os.(map[string]any)
		if !ok {
			return nil, formatErr("Outputs must be an object")
		}
		for name, o := range om {
			def, ok := o.(map[string]any)
			if !ok {
				return nil, formatErr("[/Outputs/%s] 'null' values are not allowed in templates", name)
			}
			if _, ok := def["Value"]; !ok {
				return nil, formatErr("Every Outputs member must contain a Value object")
			}
			t.Outputs[name] = def
		}
	}
	return t, nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// canonical is v as JSON, for comparing definitions.
func canonical(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v)
	return strings.TrimSpace(b.String())
}

package apigateway

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Request validation: a method with a request validator has its required
// parameters and its body (against the model for its content type) checked
// before the integration runs, as on AWS.

// validate checks rt's request against its method's validator.
func (x *exchange) validate(rt *route) (gatewayResponse, bool) {
	m := rt.method
	if m.RequestValidatorID == "" {
		return gatewayResponse{}, false
	}
	v, ok := rt.target.Snapshot.Validators[m.RequestValidatorID]
	if !ok {
		return gatewayResponse{}, false
	}
	if v.ValidateParameters {
		var missing []string
		for _, key := range sortedKeys(m.RequestParameters) {
			if !m.RequestParameters[key] {
				continue
			}
			if name, ok := strings.CutPrefix(key, "method.request.querystring."); ok && !x.r.URL.Query().Has(name) {
				missing = append(missing, name)
			} else if name, ok := strings.CutPrefix(key, "method.request.header."); ok && x.r.Header.Get(name) == "" {
				missing = append(missing, name)
			} else if name, ok := strings.CutPrefix(key, "method.request.path."); ok && rt.params[name] == "" {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			return gatewayResponse{http.StatusBadRequest, "BadRequestException",
				"Missing required request parameters: [" + strings.Join(missing, ", ") + "]", "BAD_REQUEST_PARAMETERS"}, true
		}
	}
	if v.ValidateBody && len(m.RequestModels) > 0 {
		ct := x.r.Header.Get("Content-Type")
		if i := strings.IndexByte(ct, ';'); i >= 0 {
			ct = ct[:i]
		}
		name, ok := pickTemplate(m.RequestModels, strings.TrimSpace(ct))
		schema := rt.target.Snapshot.Models[name]
		if ok && schema != "" {
			if errs := validateJSON(rt.body, schema); len(errs) > 0 {
				return gwBadRequestBody, true
			}
		}
	}
	return gatewayResponse{}, false
}

// validateJSON checks body against a JSON schema (draft 4, the keywords
// API Gateway models use: type, properties, required, items, enum, the
// length, size and range bounds, pattern, additionalProperties, $ref to
// #/definitions). It returns what failed.
func validateJSON(body []byte, schema string) []string {
	var root map[string]any
	if json.Unmarshal([]byte(schema), &root) != nil {
		return nil // a model API Gateway accepted but this cannot read: not checked
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return []string{"Invalid JSON: " + err.Error()}
	}
	var errs []string
	checkAgainst(doc, root, root, "", &errs, 0)
	return errs
}

func checkAgainst(v any, s, root map[string]any, at string, errs *[]string, depth int) {
	if depth > 64 || len(*errs) > 20 {
		return
	}
	if ref, ok := s["$ref"].(string); ok {
		if name, ok := strings.CutPrefix(ref, "#/definitions/"); ok {
			if defs, ok := root["definitions"].(map[string]any); ok {
				if d, ok := defs[name].(map[string]any); ok {
					checkAgainst(v, d, root, at, errs, depth+1)
				}
			}
		}
		return
	}
	fail := func(format string, a ...any) { *errs = append(*errs, at+": "+fmt.Sprintf(format, a...)) }
	if t, ok := s["type"]; ok && !typeMatches(v, t) {
		fail("instance type does not match %v", t)
		return
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return jsonEqual(e, v) }) {
		fail("instance value not found in enum")
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range asStrings(s["required"]) {
			if _, ok := x[r]; !ok {
				fail("object has missing required properties ([%q])", r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				checkAgainst(x[k], ps, root, at+"/"+k, errs, depth+1)
			} else if ap, ok := s["additionalProperties"].(bool); ok && !ap {
				fail("object instance has properties which are not allowed by the schema: [%q]", k)
			} else if aps, ok := s["additionalProperties"].(map[string]any); ok {
				checkAgainst(x[k], aps, root, at+"/"+k, errs, depth+1)
			}
		}
		bound(s, "minProperties", "maxProperties", float64(len(x)), fail)
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				checkAgainst(e, items, root, fmt.Sprintf("%s/%d", at, i), errs, depth+1)
			}
		}
		bound(s, "minItems", "maxItems", float64(len(x)), fail)
	case string:
		bound(s, "minLength", "maxLength", float64(utf8.RuneCountInString(x)), fail)
		if p, ok := s["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err == nil && !re.MatchString(x) {
				fail("ECMA 262 regex %q does not match input string %q", p, x)
			}
		}
	case float64:
		bound(s, "minimum", "maximum", x, fail)
	}
}

func bound(s map[string]any, lo, hi string, n float64, fail func(string, ...any)) {
	if v, ok := s[lo].(float64); ok && n < v {
		fail("%s %v not met (%v)", lo, v, n)
	}
	if v, ok := s[hi].(float64); ok && n > v {
		fail("%s %v exceeded (%v)", hi, v, n)
	}
}

func typeMatches(v any, t any) bool {
	if list, ok := t.([]any); ok {
		return slices.ContainsFunc(list, func(e any) bool { return typeMatches(v, e) })
	}
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	}
	return true
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

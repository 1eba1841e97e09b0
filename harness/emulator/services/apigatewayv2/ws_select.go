package apigatewayv2

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// A WebSocket API picks the route of each message by evaluating its route
// selection expression (parsed by ParseSelection) against the message:
// "$request.body.action", a nested "$request.body.a.b", or a template
// mixing literals and "${request.body.x}" parts. A body that is not a JSON
// object, or lacks a named member, selects nothing: the message goes to
// $default. References to anything but the body select nothing either (a
// message has no headers or query string).

// evaluateSelection returns the route key sel selects for body, or ok
// false when the body does not provide it (a non-JSON body, a missing
// member, an object or array where a value was expected).
func evaluateSelection(sel Selection, body []byte) (string, bool) {
	if len(sel) == 0 {
		return "", false
	}
	var doc map[string]any
	parsed := false
	var b strings.Builder
	for _, p := range sel {
		if p.Ref == "" {
			b.WriteString(p.Literal)
			continue
		}
		path, ok := strings.CutPrefix(p.Ref, "request.body.")
		if !ok {
			return "", false
		}
		if !parsed {
			parsed = true
			trimmed := bytes.TrimSpace(body)
			if len(trimmed) == 0 || trimmed[0] != '{' {
				return "", false
			}
			d := json.NewDecoder(bytes.NewReader(trimmed))
			d.UseNumber()
			if err := d.Decode(&doc); err != nil {
				return "", false
			}
		}
		v, ok := lookupMember(doc, path)
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// lookupMember finds a scalar member by dotted path and renders it as a
// route key (numbers and booleans as their JSON text).
func lookupMember(doc map[string]any, path string) (string, bool) {
	var cur any = doc
	for seg := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[seg]; !ok {
			return "", false
		}
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

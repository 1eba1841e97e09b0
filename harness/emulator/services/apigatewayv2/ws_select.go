package apigatewayv2

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// A WebSocket API picks the route of each message by evaluating its route
// selection expression against the message: "$request.body.action", a
// nested "$request.body.a.b", or a template mixing literals and
// "${request.body.x}" parts. A body that is not a JSON object, or lacks a
// named member, selects nothing: the message goes to $default.

// selection is a parsed route selection expression.
type selection struct {
	parts []selectionPart
}

// selectionPart is a literal (path nil) or a body member path.
type selectionPart struct {
	literal string
	path    []string
}

// parseSelection parses a route selection expression; ok is false for one
// that names something other than the request body (or nothing).
func parseSelection(expr string) (selection, bool) {
	var sel selection
	rest := expr
	if strings.HasPrefix(rest, "$request.") { // the bare form: the whole expression is one path
		p, ok := bodyPath(strings.TrimPrefix(rest, "$"))
		if !ok {
			return selection{}, false
		}
		return selection{parts: []selectionPart{{path: p}}}, true
	}
	for rest != "" {
		i := strings.Index(rest, "${")
		if i < 0 {
			sel.parts = append(sel.parts, selectionPart{literal: rest})
			break
		}
		if i > 0 {
			sel.parts = append(sel.parts, selectionPart{literal: rest[:i]})
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return selection{}, false
		}
		p, ok := bodyPath(rest[i+2 : i+j])
		if !ok {
			return selection{}, false
		}
		sel.parts = append(sel.parts, selectionPart{path: p})
		rest = rest[i+j+1:]
	}
	return sel, len(sel.parts) > 0
}

// bodyPath parses "request.body.a.b" into [a b].
func bodyPath(s string) ([]string, bool) {
	p, ok := strings.CutPrefix(s, "request.body.")
	if !ok || p == "" {
		return nil, false
	}
	segs := strings.Split(p, ".")
	for _, seg := range segs {
		if seg == "" {
			return nil, false
		}
	}
	return segs, true
}

// evaluate returns the route key the expression selects for body, or ok
// false when the body does not provide it (a non-JSON body, a missing
// member, an object or array where a value was expected).
func (sel selection) evaluate(body []byte) (string, bool) {
	var doc map[string]any
	parsed := false
	var b strings.Builder
	for _, p := range sel.parts {
		if p.path == nil {
			b.WriteString(p.literal)
			continue
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
		v, ok := lookup(doc, p.path)
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// lookup finds a scalar member by path and renders it as a route key.
func lookup(doc map[string]any, path []string) (string, bool) {
	var cur any = doc
	for _, seg := range path {
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

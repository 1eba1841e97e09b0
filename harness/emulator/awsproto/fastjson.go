package awsproto

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Hot-path request decoders (DynamoDB's item operations, SQS's
// SendMessage) split a body the dispatcher has already checked to be valid
// JSON into its top-level members in one pass, instead of a second
// validating pass by encoding/json. They fall back to encoding/json for
// anything unusual, so behaviour and error messages stay encoding/json's.

// WalkJSONObject calls set for each member of the JSON object body (known
// to be valid JSON) with the member's key and raw value. It returns false
// if body is not an object, a key has escapes, or set refuses a member;
// the caller then decodes with encoding/json instead.
func WalkJSONObject(body []byte, set func(key, val []byte) bool) bool {
	i := skipJSONSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	if i = skipJSONSpace(body, i+1); i < len(body) && body[i] == '}' {
		return true
	}
	for i < len(body) && body[i] == '"' {
		end := bytes.IndexByte(body[i+1:], '"')
		if end < 0 {
			return false
		}
		key := body[i+1 : i+1+end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		if i = skipJSONSpace(body, i+2+end); i >= len(body) || body[i] != ':' {
			return false
		}
		i = skipJSONSpace(body, i+1)
		vend := jsonValueEnd(body, i)
		if vend < 0 || !set(key, body[i:vend]) {
			return false
		}
		if i = skipJSONSpace(body, vend); i >= len(body) {
			return false
		}
		switch body[i] {
		case '}':
			return true
		case ',':
			i = skipJSONSpace(body, i+1)
		default:
			return false
		}
	}
	return false
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonValueEnd returns the end of the JSON value starting at i, or -1.
func jsonValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return jsonStringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = jsonStringEnd(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default:
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
		}
		return i
	}
}

// jsonStringEnd returns the end of the string literal starting at i, or -1.
func jsonStringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// FastJSONString decodes a member's raw value that is a string without
// escapes; false for anything else (the caller falls back).
func FastJSONString(val []byte, dst *string) bool {
	if len(val) < 2 || val[0] != '"' {
		return false
	}
	s := val[1 : len(val)-1]
	if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
		return false
	}
	*dst = string(s)
	return true
}

// FastJSONStringPtr decodes a string member or null; escapes go through
// encoding/json (which also turns invalid UTF-8 into U+FFFD, as the slow
// path would).
func FastJSONStringPtr(val []byte, dst **string) bool {
	if string(val) == "null" {
		*dst = nil
		return true
	}
	var s string
	if !FastJSONString(val, &s) {
		if len(val) < 2 || val[0] != '"' || json.Unmarshal(val, &s) != nil {
			return false
		}
	}
	*dst = &s
	return true
}

package sqs

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// SendMessage is the hot path: its body (already checked to be valid JSON
// by the dispatcher) is split into members in one pass instead of a second
// validating pass by encoding/json. Anything unusual (an unknown member, a
// value of an unexpected kind) falls back to encoding/json, so behaviour
// and error messages stay encoding/json's.

// DecodeBody implements awsproto.BodyDecoder.
func (in *sendMessageInput) DecodeBody(body []byte) error {
	if members(body, in.member) {
		return nil
	}
	*in = sendMessageInput{}
	return awsproto.DecodeJSON(body, in)
}

func (in *sendMessageInput) member(key []byte, val []byte) bool {
	switch string(key) { // no allocation: the compiler compares in place
	case "QueueUrl":
		return strPtr(val, &in.QueueUrl)
	case "MessageBody":
		return strPtr(val, &in.MessageBody)
	case "MessageGroupId":
		return strPtr(val, &in.MessageGroupId)
	case "MessageDeduplicationId":
		return strPtr(val, &in.MessageDeduplicationId)
	case "DelaySeconds":
		if string(val) == "null" {
			return true
		}
		n, err := strconv.Atoi(string(val))
		if err != nil {
			return false
		}
		in.DelaySeconds = &n
		return true
	case "MessageAttributes":
		return json.Unmarshal(val, &in.MessageAttributes) == nil
	case "MessageSystemAttributes":
		return json.Unmarshal(val, &in.MessageSystemAttributes) == nil
	}
	return false
}

// members calls set for each member of the JSON object body (valid JSON);
// false if body is not an object, a key has escapes, or set refuses one.
func members(body []byte, set func(key, val []byte) bool) bool {
	i := ws(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	if i = ws(body, i+1); i < len(body) && body[i] == '}' {
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
		if i = ws(body, i+2+end); i >= len(body) || body[i] != ':' {
			return false
		}
		i = ws(body, i+1)
		vend := valueEnd(body, i)
		if vend < 0 || !set(key, body[i:vend]) {
			return false
		}
		if i = ws(body, vend); i >= len(body) {
			return false
		}
		switch body[i] {
		case '}':
			return true
		case ',':
			i = ws(body, i+1)
		default:
			return false
		}
	}
	return false
}

func ws(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the end of the JSON value at i (body is valid JSON).
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = stringEnd(b, i); i < 0 {
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
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

func stringEnd(b []byte, i int) int {
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

// strPtr decodes a string member (escapes through encoding/json, which
// also turns invalid UTF-8 into U+FFFD as the slow path would).
func strPtr(val []byte, dst **string) bool {
	if string(val) == "null" {
		*dst = nil
		return true
	}
	if len(val) < 2 || val[0] != '"' {
		return false
	}
	raw := val[1 : len(val)-1]
	var s string
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		s = string(raw)
	} else if json.Unmarshal(val, &s) != nil {
		return false
	}
	*dst = &s
	return true
}

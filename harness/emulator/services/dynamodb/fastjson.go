package dynamodb

import (
	"bytes"
	"encoding/json"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"strconv"
	"unicode/utf8"
)

// The item operations decode their requests here without reflection: the
// dispatcher has already checked the body is valid JSON, so one pass splits
// the top-level members and attribute maps stay raw for attr to decode.
// Anything unusual (unknown or legacy members, escapes, unexpected kinds)
// falls back to encoding/json, so behaviour and error messages are
// exactly encoding/json's.

// fastInput is a request struct the fast decoder can fill member by member.
type fastInput[T any] interface {
	*T
	member(key string, val []byte) bool
}

// decodeFast fills in from body with the fast decoder and falls back to
// encoding/json (and its SerializationException wording) for anything the
// fast path does not handle.
func decodeFast[T any, P fastInput[T]](body []byte, in P) error {
	if walkObject(body, in.member) {
		return nil
	}
	*in = *new(T)
	return awsproto.DecodeJSON(body, in)
}

// walkObject calls set for each member of the JSON object body (known to
// be valid JSON); it returns false if body is not an object, a key has
// escapes, or set refuses a member.
func walkObject(body []byte, set func(key string, val []byte) bool) bool {
	i := skipWS(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i = skipWS(body, i+1)
	if i < len(body) && body[i] == '}' {
		return true
	}
	for i < len(body) {
		if body[i] != '"' {
			return false
		}
		end := bytes.IndexByte(body[i+1:], '"')
		if end < 0 {
			return false
		}
		key := body[i+1 : i+1+end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		i = skipWS(body, i+2+end)
		if i >= len(body) || body[i] != ':' {
			return false
		}
		i = skipWS(body, i+1)
		vend := skipValue(body, i)
		if vend < 0 || !set(string(key), body[i:vend]) {
			return false
		}
		i = skipWS(body, vend)
		if i >= len(body) {
			return false
		}
		if body[i] == '}' {
			return true
		}
		if body[i] != ',' {
			return false
		}
		i = skipWS(body, i+1)
	}
	return false
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at i, or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				if i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default:
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// skipString returns the end of the string literal starting at i.
func skipString(b []byte, i int) int {
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

// fastString decodes a string member without escapes.
func fastString(val []byte, dst *string) bool {
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

func fastStringPtr(val []byte, dst **string) bool {
	if string(val) == "null" {
		*dst = nil
		return true
	}
	var s string
	if !fastString(val, &s) {
		return false
	}
	*dst = &s
	return true
}

func fastBool(val []byte, dst *bool) bool {
	switch string(val) {
	case "true":
		*dst = true
	case "false", "null":
		*dst = false
	default:
		return false
	}
	return true
}

func fastIntPtr(val []byte, dst **int) bool {
	if string(val) == "null" {
		*dst = nil
		return true
	}
	n, err := strconv.Atoi(string(val))
	if err != nil {
		return false
	}
	*dst = &n
	return true
}

// fastRaw keeps an object member raw (it aliases the request body, which
// outlives the operation; attr copies what it keeps).
func fastRaw(val []byte, dst *json.RawMessage) bool {
	if string(val) == "null" {
		*dst = nil
		return true
	}
	if len(val) == 0 || val[0] != '{' {
		return false
	}
	*dst = val
	return true
}

func fastNames(val []byte, dst *map[string]string) bool {
	if string(val) == "null" {
		*dst = nil
		return true
	}
	m := map[string]string{}
	ok := walkObject(val, func(k string, v []byte) bool {
		var s string
		if !fastString(v, &s) {
			return false
		}
		m[k] = s
		return true
	})
	if ok {
		*dst = m
	}
	return ok
}

func (in *putItemInput) member(key string, val []byte) bool {
	switch key {
	case "TableName":
		return fastStringPtr(val, &in.TableName)
	case "Item":
		return fastRaw(val, &in.Item)
	case "ConditionExpression":
		return fastStringPtr(val, &in.ConditionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ExpressionAttributeValues":
		return fastRaw(val, &in.ExpressionAttributeValues)
	case "ReturnValues":
		return fastString(val, &in.ReturnValues)
	case "ReturnConsumedCapacity":
		return fastString(val, &in.ReturnConsumedCapacity)
	case "ReturnItemCollectionMetrics":
		return fastString(val, &in.ReturnItemCollectionMetrics)
	case "ReturnValuesOnConditionCheckFailure":
		return fastString(val, &in.ReturnValuesOnConditionCheckFailure)
	}
	return false
}

func (in *getItemInput) member(key string, val []byte) bool {
	switch key {
	case "TableName":
		return fastStringPtr(val, &in.TableName)
	case "Key":
		return fastRaw(val, &in.Key)
	case "ConsistentRead":
		return fastBool(val, &in.ConsistentRead)
	case "ProjectionExpression":
		return fastStringPtr(val, &in.ProjectionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ReturnConsumedCapacity":
		return fastString(val, &in.ReturnConsumedCapacity)
	}
	return false
}

func (in *deleteItemInput) member(key string, val []byte) bool {
	switch key {
	case "TableName":
		return fastStringPtr(val, &in.TableName)
	case "Key":
		return fastRaw(val, &in.Key)
	case "ConditionExpression":
		return fastStringPtr(val, &in.ConditionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ExpressionAttributeValues":
		return fastRaw(val, &in.ExpressionAttributeValues)
	case "ReturnValues":
		return fastString(val, &in.ReturnValues)
	case "ReturnConsumedCapacity":
		return fastString(val, &in.ReturnConsumedCapacity)
	case "ReturnItemCollectionMetrics":
		return fastString(val, &in.ReturnItemCollectionMetrics)
	case "ReturnValuesOnConditionCheckFailure":
		return fastString(val, &in.ReturnValuesOnConditionCheckFailure)
	}
	return false
}

func (in *updateItemInput) member(key string, val []byte) bool {
	switch key {
	case "TableName":
		return fastStringPtr(val, &in.TableName)
	case "Key":
		return fastRaw(val, &in.Key)
	case "UpdateExpression":
		return fastStringPtr(val, &in.UpdateExpression)
	case "ConditionExpression":
		return fastStringPtr(val, &in.ConditionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ExpressionAttributeValues":
		return fastRaw(val, &in.ExpressionAttributeValues)
	case "ReturnValues":
		return fastString(val, &in.ReturnValues)
	case "ReturnConsumedCapacity":
		return fastString(val, &in.ReturnConsumedCapacity)
	case "ReturnItemCollectionMetrics":
		return fastString(val, &in.ReturnItemCollectionMetrics)
	case "ReturnValuesOnConditionCheckFailure":
		return fastString(val, &in.ReturnValuesOnConditionCheckFailure)
	}
	return false
}

func (in *queryInput) member(key string, val []byte) bool {
	switch key {
	case "TableName":
		return fastStringPtr(val, &in.TableName)
	case "IndexName":
		return fastStringPtr(val, &in.IndexName)
	case "Select":
		return fastString(val, &in.Select)
	case "Limit":
		return fastIntPtr(val, &in.Limit)
	case "ConsistentRead":
		return fastBool(val, &in.ConsistentRead)
	case "ScanIndexForward":
		if string(val) == "null" {
			in.ScanIndexForward = nil
			return true
		}
		var b bool
		if !fastBool(val, &b) {
			return false
		}
		in.ScanIndexForward = &b
		return true
	case "ExclusiveStartKey":
		return fastRaw(val, &in.ExclusiveStartKey)
	case "ReturnConsumedCapacity":
		return fastString(val, &in.ReturnConsumedCapacity)
	case "ProjectionExpression":
		return fastStringPtr(val, &in.ProjectionExpression)
	case "FilterExpression":
		return fastStringPtr(val, &in.FilterExpression)
	case "KeyConditionExpression":
		return fastStringPtr(val, &in.KeyConditionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ExpressionAttributeValues":
		return fastRaw(val, &in.ExpressionAttributeValues)
	}
	return false
}

// The item operations' inputs decode themselves (awsproto.BodyDecoder).

func (in *putItemInput) DecodeBody(body []byte) error    { return decodeFast(body, in) }
func (in *getItemInput) DecodeBody(body []byte) error    { return decodeFast(body, in) }
func (in *deleteItemInput) DecodeBody(body []byte) error { return decodeFast(body, in) }
func (in *updateItemInput) DecodeBody(body []byte) error { return decodeFast(body, in) }
func (in *queryInput) DecodeBody(body []byte) error      { return decodeFast(body, in) }

package dynamodb

import (
	"encoding/json"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
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
	member(key, val []byte) bool
}

// decodeFast fills in from body with the fast decoder and falls back to
// encoding/json (and its SerializationException wording) for anything the
// fast path does not handle.
func decodeFast[T any, P fastInput[T]](body []byte, in P) error {
	if awsproto.WalkJSONObject(body, in.member) {
		return nil
	}
	*in = *new(T)
	return awsproto.DecodeJSON(body, in)
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
	ok := awsproto.WalkJSONObject(val, func(k, v []byte) bool {
		var s string
		if !awsproto.FastJSONString(v, &s) {
			return false
		}
		m[string(k)] = s
		return true
	})
	if ok {
		*dst = m
	}
	return ok
}

func (in *putItemInput) member(key, val []byte) bool {
	switch string(key) {
	case "TableName":
		return awsproto.FastJSONStringPtr(val, &in.TableName)
	case "Item":
		return fastRaw(val, &in.Item)
	case "ConditionExpression":
		return awsproto.FastJSONStringPtr(val, &in.ConditionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ExpressionAttributeValues":
		return fastRaw(val, &in.ExpressionAttributeValues)
	case "ReturnValues":
		return awsproto.FastJSONString(val, &in.ReturnValues)
	case "ReturnConsumedCapacity":
		return awsproto.FastJSONString(val, &in.ReturnConsumedCapacity)
	case "ReturnItemCollectionMetrics":
		return awsproto.FastJSONString(val, &in.ReturnItemCollectionMetrics)
	case "ReturnValuesOnConditionCheckFailure":
		return awsproto.FastJSONString(val, &in.ReturnValuesOnConditionCheckFailure)
	}
	return false
}

func (in *getItemInput) member(key, val []byte) bool {
	switch string(key) {
	case "TableName":
		return awsproto.FastJSONStringPtr(val, &in.TableName)
	case "Key":
		return fastRaw(val, &in.Key)
	case "ConsistentRead":
		return fastBool(val, &in.ConsistentRead)
	case "ProjectionExpression":
		return awsproto.FastJSONStringPtr(val, &in.ProjectionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ReturnConsumedCapacity":
		return awsproto.FastJSONString(val, &in.ReturnConsumedCapacity)
	}
	return false
}

func (in *deleteItemInput) member(key, val []byte) bool {
	switch string(key) {
	case "TableName":
		return awsproto.FastJSONStringPtr(val, &in.TableName)
	case "Key":
		return fastRaw(val, &in.Key)
	case "ConditionExpression":
		return awsproto.FastJSONStringPtr(val, &in.ConditionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ExpressionAttributeValues":
		return fastRaw(val, &in.ExpressionAttributeValues)
	case "ReturnValues":
		return awsproto.FastJSONString(val, &in.ReturnValues)
	case "ReturnConsumedCapacity":
		return awsproto.FastJSONString(val, &in.ReturnConsumedCapacity)
	case "ReturnItemCollectionMetrics":
		return awsproto.FastJSONString(val, &in.ReturnItemCollectionMetrics)
	case "ReturnValuesOnConditionCheckFailure":
		return awsproto.FastJSONString(val, &in.ReturnValuesOnConditionCheckFailure)
	}
	return false
}

func (in *updateItemInput) member(key, val []byte) bool {
	switch string(key) {
	case "TableName":
		return awsproto.FastJSONStringPtr(val, &in.TableName)
	case "Key":
		return fastRaw(val, &in.Key)
	case "UpdateExpression":
		return awsproto.FastJSONStringPtr(val, &in.UpdateExpression)
	case "ConditionExpression":
		return awsproto.FastJSONStringPtr(val, &in.ConditionExpression)
	case "ExpressionAttributeNames":
		return fastNames(val, &in.ExpressionAttributeNames)
	case "ExpressionAttributeValues":
		return fastRaw(val, &in.ExpressionAttributeValues)
	case "ReturnValues":
		return awsproto.FastJSONString(val, &in.ReturnValues)
	case "ReturnConsumedCapacity":
		return awsproto.FastJSONString(val, &in.ReturnConsumedCapacity)
	case "ReturnItemCollectionMetrics":
		return awsproto.FastJSONString(val, &in.ReturnItemCollectionMetrics)
	case "ReturnValuesOnConditionCheckFailure":
		return awsproto.FastJSONString(val, &in.ReturnValuesOnConditionCheckFailure)
	}
	return false
}

func (in *queryInput) member(key, val []byte) bool {
	switch string(key) {
	case "TableName":
		return awsproto.FastJSONStringPtr(val, &in.TableName)
	case "IndexName":
		return awsproto.FastJSONStringPtr(val, &in.IndexName)
	case "Select":
		return awsproto.FastJSONString(val, &in.Select)
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
		return awsproto.FastJSONString(val, &in.ReturnConsumedCapacity)
	case "ProjectionExpression":
		return awsproto.FastJSONStringPtr(val, &in.ProjectionExpression)
	case "FilterExpression":
		return awsproto.FastJSONStringPtr(val, &in.FilterExpression)
	case "KeyConditionExpression":
		return awsproto.FastJSONStringPtr(val, &in.KeyConditionExpression)
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

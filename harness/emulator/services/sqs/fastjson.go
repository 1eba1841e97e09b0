package sqs

import (
	"encoding/json"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// SendMessage is the hot path: its body is split into members by
// awsproto.WalkJSONObject; anything unusual (an unknown member, a value of
// an unexpected kind) falls back to encoding/json.

// DecodeBody implements awsproto.BodyDecoder.
func (in *sendMessageInput) DecodeBody(body []byte) error {
	if awsproto.WalkJSONObject(body, in.member) {
		return nil
	}
	*in = sendMessageInput{}
	return awsproto.DecodeJSON(body, in)
}

func (in *sendMessageInput) member(key []byte, val []byte) bool {
	switch string(key) { // no allocation: the compiler compares in place
	case "QueueUrl":
		return awsproto.FastJSONStringPtr(val, &in.QueueUrl)
	case "MessageBody":
		return awsproto.FastJSONStringPtr(val, &in.MessageBody)
	case "MessageGroupId":
		return awsproto.FastJSONStringPtr(val, &in.MessageGroupId)
	case "MessageDeduplicationId":
		return awsproto.FastJSONStringPtr(val, &in.MessageDeduplicationId)
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

package dynamodb

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// appendRecord renders a record as GetRecords returns it, or (lambda) as a
// Lambda DynamoDB event record (eventSourceARN, lower-case userIdentity).
func (x *stream) appendRecord(dst []byte, r *streamRecord, lambda bool) []byte {
	dst = append(dst, `{"eventID":`...)
	dst = awsproto.AppendJSONString(dst, r.eventID)
	dst = append(dst, `,"eventName":"`...)
	dst = append(dst, r.kind.String()...)
	dst = append(dst, `","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":`...)
	dst = awsproto.AppendJSONString(dst, x.region)
	if lambda {
		dst = append(dst, `,"eventSourceARN":`...)
		dst = awsproto.AppendJSONString(dst, x.arn)
	}
	dst = append(dst, `,"dynamodb":{"ApproximateCreationDateTime":`...)
	dst = strconv.AppendInt(dst, r.at.Unix(), 10)
	dst = append(dst, `,"Keys":`...)
	dst = append(dst, r.keys...)
	if r.newImage != nil {
		dst = append(dst, `,"NewImage":`...)
		dst = append(dst, r.newImage...)
	}
	if r.oldImage != nil {
		dst = append(dst, `,"OldImage":`...)
		dst = append(dst, r.oldImage...)
	}
	dst = append(dst, `,"SequenceNumber":"`...)
	dst = append(dst, formatSeq(r.seq)...)
	dst = append(dst, `","SizeBytes":`...)
	dst = strconv.AppendInt(dst, int64(r.size), 10)
	dst = append(dst, `,"StreamViewType":`...)
	dst = awsproto.AppendJSONString(dst, x.viewType)
	dst = append(dst, '}')
	if r.byTTL {
		if lambda {
			dst = append(dst, `,"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}`...)
		} else {
			dst = append(dst, `,"userIdentity":{"Type":"Service","PrincipalId":"dynamodb.amazonaws.com"}`...)
		}
	}
	return append(dst, '}')
}

// In-process consumers (the Lambda event source mapping) read streams
// through the Store without HTTP.

// StreamPosition returns where a consumer starting at TRIM_HORIZON or
// LATEST should resume from (pass it to ReadStream as after).
func (st *Store) StreamPosition(streamARN, startingPosition string) (string, error) {
	x := st.streamByARN(streamARN)
	if x == nil {
		return "", streamNotFound(streamARN)
	}
	after, err := x.position(startingPosition, nil, st.env.Now())
	if err != nil {
		return "", err
	}
	return strconv.FormatUint(after, 10), nil
}

// ReadStream returns up to max records after position `after` (from
// StreamPosition or a previous ReadStream), each rendered as a Lambda
// DynamoDB event record, the position to resume from, and a channel that
// is closed when newer records may exist (wait on it instead of polling).
// closed reports the stream was disabled and everything has been read.
func (st *Store) ReadStream(streamARN, after string, max int) (records []json.RawMessage, next string, wake <-chan struct{}, closed bool, err error) {
	x := st.streamByARN(streamARN)
	if x == nil {
		return nil, "", nil, false, streamNotFound(streamARN)
	}
	pos, perr := strconv.ParseUint(after, 10, 64)
	if perr != nil {
		return nil, "", nil, false, validationf("Invalid stream position: %s", after)
	}
	now := st.env.Now()
	state := x.state(now) // taken before reading so no wake-up is missed
	recs, trimmed := x.read(pos, max, now)
	if trimmed {
		return nil, "", nil, false, errTrimmedDataAccess.New(msgTrimmed)
	}
	for _, r := range recs {
		records = append(records, json.RawMessage(x.appendRecord(nil, r, true)))
		pos = r.seq
	}
	closed = state.closed && pos >= state.last
	return records, strconv.FormatUint(pos, 10), state.notifyCh, closed, nil
}

// LatestStreamARN returns the ARN of a table's enabled stream.
func (st *Store) LatestStreamARN(region, table string) (string, bool) {
	t := st.region(region).table(table)
	if t == nil {
		return "", false
	}
	return t.streamARN()
}

// position resolves a shard iterator type to "records after" a sequence
// number.
func (x *stream) position(kind string, seqText *string, now time.Time) (uint64, error) {
	state := x.state(now)
	switch kind {
	case "TRIM_HORIZON":
		after := x.startSeq - 1
		if state.trimmed > after {
			after = state.trimmed
		}
		return after, nil
	case "LATEST":
		if state.last < x.startSeq {
			return x.startSeq - 1, nil
		}
		return state.last, nil
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if seqText == nil {
			return 0, validationf("SequenceNumber is required when ShardIteratorType is %s", kind)
		}
		n, ok := parseSeq(*seqText)
		if !ok {
			return 0, validationf("Invalid SequenceNumber: %s", *seqText)
		}
		if n < x.startSeq || (state.last >= x.startSeq && n > state.last) {
			return 0, validationf("Invalid SequenceNumber: %s, SequenceNumber is not in the range of the shard", *seqText)
		}
		if n <= state.trimmed {
			return 0, errTrimmedDataAccess.New(msgTrimmed)
		}
		if kind == "AT_SEQUENCE_NUMBER" {
			return n - 1, nil
		}
		return n, nil
	}
	return 0, constraint(kind, "shardIteratorType", awsproto.EnumSet("AFTER_SEQUENCE_NUMBER", "LATEST", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"))
}

// StreamShardID returns the ID of a stream's shard (a stream has one), for
// the DDBStreamBatchInfo of Lambda's failure records.
func (st *Store) StreamShardID(streamARN string) (string, bool) {
	x := st.streamByARN(streamARN)
	if x == nil {
		return "", false
	}
	return x.shardID, true
}

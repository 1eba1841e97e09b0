package dynamodb

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// streamByARN finds a stream (enabled, or disabled within retention).
func (st *Store) streamByARN(arn string) *stream {
	region, _, ok := parseTableARN(arn)
	if !ok || !strings.Contains(arn, "/stream/") {
		return nil
	}
	r := st.region(region)
	r.mu.RLock()
	s := r.streams[arn]
	r.mu.RUnlock()
	if s == nil || s.expired(st.env.Now()) {
		return nil
	}
	return s
}

func streamNotFound(arn string) error {
	return errResourceNotFound.Errorf("Requested resource not found: Stream: %s not found", arn)
}

func (s *StreamsService) storeOrFail() (*Store, error) {
	st := s.store()
	if st == nil {
		return nil, errResourceNotFound.New("Requested resource not found")
	}
	return st, nil
}

func (s *StreamsService) listStreams(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		TableName               *string
		Limit                   *int
		ExclusiveStartStreamArn *string
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	st, err := s.storeOrFail()
	if err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, constraint(strconv.Itoa(*in.Limit), "limit", awsproto.ValueBetween(1, 100))
		}
		limit = *in.Limit
	}
	r := st.region(c.Region)
	now := st.env.Now()
	r.mu.Lock()
	var all []*stream
	for arn, x := range r.streams {
		if x.expired(now) {
			delete(r.streams, arn) // disabled over 24 h ago: gone, as on AWS
			continue
		}
		all = append(all, x)
	}
	r.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].arn < all[j].arn })
	out := []map[string]string{}
	var last string
	for _, x := range all {
		if in.TableName != nil && x.table != *in.TableName {
			continue
		}
		if in.ExclusiveStartStreamArn != nil && x.arn <= *in.ExclusiveStartStreamArn {
			continue
		}
		if len(out) == limit {
			last = out[len(out)-1]["StreamArn"]
			break
		}
		out = append(out, map[string]string{"StreamArn": x.arn, "TableName": x.table, "StreamLabel": x.label})
	}
	resp := map[string]any{"Streams": out}
	if last != "" {
		resp["LastEvaluatedStreamArn"] = last
	}
	return resp, nil
}

func (s *StreamsService) describeStream(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		StreamArn             *string
		Limit                 *int
		ExclusiveStartShardId *string
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.StreamArn == nil {
		return nil, notNull("streamArn")
	}
	st, err := s.storeOrFail()
	if err != nil {
		return nil, err
	}
	x := st.streamByARN(*in.StreamArn)
	if x == nil {
		return nil, streamNotFound(*in.StreamArn)
	}
	state := x.state(st.env.Now())
	rng := map[string]string{"StartingSequenceNumber": formatSeq(x.startSeq)}
	if state.closed {
		end := state.last
		if end < x.startSeq {
			end = x.startSeq
		}
		rng["EndingSequenceNumber"] = formatSeq(end)
	}
	shards := []map[string]any{{"ShardId": x.shardID, "SequenceNumberRange": rng}}
	if in.ExclusiveStartShardId != nil && *in.ExclusiveStartShardId >= x.shardID {
		shards = []map[string]any{}
	}
	return map[string]any{"StreamDescription": map[string]any{
		"StreamArn":               x.arn,
		"StreamLabel":             x.label,
		"StreamStatus":            state.status,
		"StreamViewType":          x.viewType,
		"CreationRequestDateTime": epoch(x.created),
		"TableName":               x.table,
		"KeySchema":               keySchemaWire(x.key),
		"Shards":                  shards,
	}}, nil
}

// shardIterator is the position an iterator names: records after `after`.
type shardIterator struct {
	arn    string
	shard  string
	after  uint64
	issued time.Time
}

// encode renders an iterator shaped like AWS's: the stream ARN, a
// version, and an opaque blob.
func (it shardIterator) encode() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], it.after)
	binary.BigEndian.PutUint64(b[8:], uint64(it.issued.UnixMilli()))
	blob := append(b[:], it.shard...)
	return it.arn + "|1|" + base64.StdEncoding.EncodeToString(blob)
}

func decodeIterator(s string) (shardIterator, bool) {
	i := strings.LastIndexByte(s, '|')
	if i < 2 || !strings.HasSuffix(s[:i], "|1") {
		return shardIterator{}, false
	}
	blob, err := base64.StdEncoding.DecodeString(s[i+1:])
	if err != nil || len(blob) < 16 {
		return shardIterator{}, false
	}
	return shardIterator{
		arn:    s[:i-2],
		after:  binary.BigEndian.Uint64(blob[:8]),
		issued: time.UnixMilli(int64(binary.BigEndian.Uint64(blob[8:16]))),
		shard:  string(blob[16:]),
	}, true
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
			return 0, errTrimmedDataAccess.New("The operation attempted to read past the oldest stream record in a shard.")
		}
		if kind == "AT_SEQUENCE_NUMBER" {
			return n - 1, nil
		}
		return n, nil
	}
	return 0, constraint(kind, "shardIteratorType", awsproto.EnumSet("AFTER_SEQUENCE_NUMBER", "LATEST", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"))
}

func (s *StreamsService) getShardIterator(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		StreamArn         *string
		ShardId           *string
		ShardIteratorType *string
		SequenceNumber    *string
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.StreamArn == nil:
		return nil, notNull("streamArn")
	case in.ShardId == nil:
		return nil, notNull("shardId")
	case in.ShardIteratorType == nil:
		return nil, notNull("shardIteratorType")
	}
	st, err := s.storeOrFail()
	if err != nil {
		return nil, err
	}
	x := st.streamByARN(*in.StreamArn)
	if x == nil {
		return nil, streamNotFound(*in.StreamArn)
	}
	if *in.ShardId != x.shardID {
		return nil, errResourceNotFound.Errorf("Requested resource not found: Shard does not exist")
	}
	now := st.env.Now()
	after, err := x.position(*in.ShardIteratorType, in.SequenceNumber, now)
	if err != nil {
		return nil, err
	}
	it := shardIterator{arn: x.arn, shard: x.shardID, after: after, issued: now}
	return map[string]any{"ShardIterator": it.encode()}, nil
}

func (s *StreamsService) getRecords(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		ShardIterator *string
		Limit         *int
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.ShardIterator == nil {
		return nil, notNull("shardIterator")
	}
	limit := maxGetRecords
	if in.Limit != nil {
		if err := awsproto.CheckValue(errValidation, *in.Limit, "limit", 1, maxGetRecords); err != nil {
			return nil, err
		}
		limit = *in.Limit
	}
	it, ok := decodeIterator(*in.ShardIterator)
	if !ok {
		return nil, validationf("Invalid ShardIterator")
	}
	st, err := s.storeOrFail()
	if err != nil {
		return nil, err
	}
	now := st.env.Now()
	if now.Sub(it.issued) > iteratorLifetime {
		return nil, errExpiredIterator.Errorf("Iterator expired. The iterator was created at time %s while right now it is %s. The iterator is valid for 15 minutes.",
			it.issued.UTC().Format(time.UnixDate), now.UTC().Format(time.UnixDate))
	}
	x := st.streamByARN(it.arn)
	if x == nil {
		return nil, streamNotFound(it.arn)
	}
	if it.shard != x.shardID {
		return nil, errResourceNotFound.Errorf("Requested resource not found: Shard does not exist")
	}
	recs, trimmed := x.read(it.after, limit, now)
	if trimmed {
		return nil, errTrimmedDataAccess.New("The operation attempted to read past the oldest stream record in a shard.")
	}
	o := newObj(512 * (len(recs) + 1))
	o.key("Records")
	o.b = append(o.b, '[')
	next := it.after
	for i, r := range recs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = x.appendRecord(o.b, r, false)
		next = r.seq
	}
	o.b = append(o.b, ']')
	state := x.state(now)
	if !state.closed || next < state.last {
		o.key("NextShardIterator")
		o.b = awsproto.AppendJSONString(o.b, shardIterator{arn: x.arn, shard: x.shardID, after: next, issued: now}.encode())
	}
	return o.done(), nil
}

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
		return nil, "", nil, false, errTrimmedDataAccess.New("The operation attempted to read past the oldest stream record in a shard.")
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
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.stream == nil {
		return "", false
	}
	return t.stream.arn, true
}

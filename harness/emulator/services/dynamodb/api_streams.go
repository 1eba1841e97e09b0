package dynamodb

import (
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

func streamNotFound(arn string) error {
	return errResourceNotFound.Errorf("Requested resource not found: Stream: %s not found", arn)
}

// storeOrFail returns the DynamoDB store the Streams API reads.
func (s *StreamsService) storeOrFail() (*Store, error) {
	st := s.store()
	if st == nil {
		return nil, errResourceNotFound.New(msgTableNotFound)
	}
	return st, nil
}

// stream returns the store and the stream an ARN names.
func (s *StreamsService) stream(arn string) (*Store, *stream, error) {
	st, err := s.storeOrFail()
	if err != nil {
		return nil, nil, err
	}
	x := st.streamByARN(arn)
	if x == nil {
		return nil, nil, streamNotFound(arn)
	}
	return st, x, nil
}

// Inputs of DynamoDB Streams, with the constraints of its model.

type listStreamsInput struct {
	TableName               *string `min:"3" max:"255" pattern:"[a-zA-Z0-9_.-]+"`
	Limit                   *int    `min:"1"`
	ExclusiveStartStreamArn *string `min:"37" max:"1024"`
}

// Validate applies ListStreams' page limit, which the model leaves out.
func (in *listStreamsInput) Validate() error {
	if in.Limit != nil && *in.Limit > 100 {
		return constraint(strconv.Itoa(*in.Limit), "limit", awsproto.ValueBetween(1, 100))
	}
	return nil
}

type streamSummary struct {
	StreamArn, TableName, StreamLabel string
}

type listStreamsOutput struct {
	Streams                []streamSummary
	LastEvaluatedStreamArn string `json:",omitempty"`
}

func (s *StreamsService) listStreams(c *awsproto.Call, in *listStreamsInput) (listStreamsOutput, error) {
	st, err := s.storeOrFail()
	if err != nil {
		return listStreamsOutput{}, err
	}
	limit := 100
	if in.Limit != nil {
		limit = *in.Limit
	}
	out := listStreamsOutput{Streams: []streamSummary{}}
	for _, x := range st.liveStreams(c.Region) {
		if in.TableName != nil && x.table != *in.TableName {
			continue
		}
		if in.ExclusiveStartStreamArn != nil && x.arn <= *in.ExclusiveStartStreamArn {
			continue
		}
		if len(out.Streams) == limit {
			out.LastEvaluatedStreamArn = out.Streams[len(out.Streams)-1].StreamArn
			break
		}
		out.Streams = append(out.Streams, streamSummary{StreamArn: x.arn, TableName: x.table, StreamLabel: x.label})
	}
	return out, nil
}

type describeStreamInput struct {
	StreamArn             *string `required:"true" min:"37" max:"1024"`
	Limit                 *int    `min:"1"`
	ExclusiveStartShardId *string `min:"28" max:"65"`
	ShardFilter           *shardFilter
}

// shardFilter asks for the children of a shard (CHILD_SHARDS): a stream
// here has one shard, never split, so the answer lists none.
type shardFilter struct {
	Type    *string `enum:"CHILD_SHARDS"`
	ShardId *string `min:"28" max:"65"`
}

type sequenceRange struct {
	StartingSequenceNumber string
	EndingSequenceNumber   string `json:",omitempty"`
}

type shardDesc struct {
	ShardId             string
	SequenceNumberRange sequenceRange
}

type streamDescription struct {
	StreamArn               string
	StreamLabel             string
	StreamStatus            string
	StreamViewType          string
	CreationRequestDateTime float64
	TableName               string
	KeySchema               []keySchemaElement
	Shards                  []shardDesc
}

type describeStreamOutput struct {
	StreamDescription streamDescription
}

func (s *StreamsService) describeStream(c *awsproto.Call, in *describeStreamInput) (describeStreamOutput, error) {
	st, x, err := s.stream(*in.StreamArn)
	if err != nil {
		return describeStreamOutput{}, err
	}
	state := x.state(st.env.Now())
	shard := shardDesc{ShardId: x.shardID, SequenceNumberRange: sequenceRange{StartingSequenceNumber: formatSeq(x.startSeq)}}
	if state.closed {
		shard.SequenceNumberRange.EndingSequenceNumber = formatSeq(max(state.last, x.startSeq))
	}
	shards := []shardDesc{shard}
	if in.ExclusiveStartShardId != nil && *in.ExclusiveStartShardId >= x.shardID || in.ShardFilter != nil && in.ShardFilter.Type != nil {
		shards = []shardDesc{} // past the one shard, or its children: none
	}
	return describeStreamOutput{streamDescription{
		StreamArn:               x.arn,
		StreamLabel:             x.label,
		StreamStatus:            state.status,
		StreamViewType:          x.viewType,
		CreationRequestDateTime: epoch(x.created),
		TableName:               x.table,
		KeySchema:               keySchemaWire(x.key),
		Shards:                  shards,
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

type getShardIteratorInput struct {
	StreamArn         *string `required:"true" min:"37" max:"1024"`
	ShardId           *string `required:"true" min:"28" max:"65"`
	ShardIteratorType *string `required:"true" enum:"AFTER_SEQUENCE_NUMBER,LATEST,AT_SEQUENCE_NUMBER,TRIM_HORIZON"`
	SequenceNumber    *string `min:"21" max:"40"`
}

type getShardIteratorOutput struct {
	ShardIterator string
}

func (s *StreamsService) getShardIterator(c *awsproto.Call, in *getShardIteratorInput) (getShardIteratorOutput, error) {
	st, x, err := s.stream(*in.StreamArn)
	if err != nil {
		return getShardIteratorOutput{}, err
	}
	if *in.ShardId != x.shardID {
		return getShardIteratorOutput{}, errResourceNotFound.New("Requested resource not found: Shard does not exist")
	}
	now := st.env.Now()
	after, err := x.position(*in.ShardIteratorType, in.SequenceNumber, now)
	if err != nil {
		return getShardIteratorOutput{}, err
	}
	return getShardIteratorOutput{shardIterator{arn: x.arn, shard: x.shardID, after: after, issued: now}.encode()}, nil
}

type getRecordsInput struct {
	ShardIterator *string `required:"true" min:"1" max:"2048"`
	Limit         *int    `min:"1"`
}

// Validate applies GetRecords' page limit, which the model leaves out.
func (in *getRecordsInput) Validate() error {
	if in.Limit != nil && *in.Limit > maxGetRecords {
		return awsproto.CheckValue(errValidation, *in.Limit, "limit", 1, maxGetRecords)
	}
	return nil
}

func (s *StreamsService) getRecords(c *awsproto.Call, in *getRecordsInput) ([]byte, error) {
	limit := maxGetRecords
	if in.Limit != nil {
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
		return nil, errResourceNotFound.New("Requested resource not found: Shard does not exist")
	}
	recs, trimmed := x.read(it.after, limit, now)
	if trimmed {
		return nil, errTrimmedDataAccess.New(msgTrimmed)
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
